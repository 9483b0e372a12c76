// Whether a test binary was built with AddressSanitizer, and a skip for the
// few tests that cannot run under it.
//
// Those tests cap the address space with RLIMIT_AS to provoke out-of-memory
// paths. ASan maps terabytes of shadow memory and allocates its own metadata
// with mmap, so under an address-space cap ASan itself runs out of memory
// and reports that, whatever the code under test does. The Release suite
// (scripts/test.sh runs both) still runs them; under ASan the huge-allocation
// checks that need no cap (docs/robustness.md) still run.
//
// Tests whose cap only guards against a runaway allocation call
// capAddressSpaceUnlessAsan; tests that need an allocation to fail skip.
//
// What this deliberately does not do: detect UBSan (it needs no skips) or
// change any ASAN_OPTIONS.
#pragma once

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstdint>

#if defined(__SANITIZE_ADDRESS__)
#define DLC_TEST_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DLC_TEST_UNDER_ASAN 1
#endif
#endif
#ifndef DLC_TEST_UNDER_ASAN
#define DLC_TEST_UNDER_ASAN 0
#endif

namespace dlc::test {
inline constexpr bool kUnderAddressSanitizer = DLC_TEST_UNDER_ASAN != 0;

// Caps this process's address space at `bytes` (RLIMIT_AS), except under
// ASan, where it does nothing: the error-message checks around it still run
// there, and the Release suite checks them under the cap.
inline void capAddressSpaceUnlessAsan(uint64_t bytes) {
  if (kUnderAddressSanitizer) return;
  rlimit lim{rlim_t(bytes), rlim_t(bytes)};
  setrlimit(RLIMIT_AS, &lim);
}
}  // namespace dlc::test

// Skips the current test under ASan because it caps the address space.
#define DLC_SKIP_IF_ADDRESS_SPACE_CAPPED_UNDER_ASAN()                                        \
  if (::dlc::test::kUnderAddressSanitizer)                                               \
  GTEST_SKIP() << "caps the address space with RLIMIT_AS, which AddressSanitizer's shadow " \
                  "memory cannot live under; the Release suite runs it"

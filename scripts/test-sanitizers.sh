#!/usr/bin/env bash
# Builds dlc with AddressSanitizer + UndefinedBehaviorSanitizer (clang-19,
# the "asan" preset in CMakePresets.json, which also builds the libFuzzer
# targets) and runs the whole test suite under it. Every sanitizer report is
# fatal, so a report fails its test; LeakSanitizer checks every test process
# at exit. The libFuzzer targets each fuzz for 10 s on their seed corpus
# (ctest label "libfuzzer"). scripts/test.sh calls this after the Release
# suite; it can also run alone (after scripts/setup.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DLC_ASAN_BUILD_DIR:-$root/build-asan}
jobs=${DLC_JOBS:-$(nproc)}
cd "$root"
cmake --preset asan -B "$build" "$@"
cmake --build "$build" -j "$jobs"
echo "== test suite under ASan + UBSan"
cd "$build"
# The same options as the preset's test environment (CMakePresets.json).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --output-on-failure -j "$jobs" --timeout 900

// A host emulation of the CUDA C++ subset dlc's CUDA backend renders, so that
// rendered kernels compile with g++ and run on the CPU (EmuRunner.h drives it).
//
// Execution model: the blocks of a launch run one after another; the
// blockDim.x threads of a block run as fibers (ucontext) on one OS thread,
// each until it reaches a barrier (in ascending, then descending thread
// order, alternately). __syncthreads releases when every live
// thread of the block waits there; warp operations (__shfl_*_sync,
// __syncwarp) rendezvous the live lanes of a warp through a per-warp
// exchange buffer. A thread that returns counts as arrived at every later
// barrier (as on sm_70+). A barrier no thread can pass is reported as a
// deadlock instead of hanging. Because blocks never overlap, __shared__ can
// be `static`. Vector casts are checked for alignment (the runner rewrites
// reinterpret_cast<T4*> into dlc_emu::vecCast<T4>). Half and bfloat16
// conversions round to nearest even; nvcuda::wmma fragments hold the whole
// tile in every lane (the lane-to-element mapping of real hardware is
// opaque to the rendered code, which only touches fragments element-wise).
//
// What it deliberately does not do: model timing, memory coalescing, bank
// conflicts, races between threads, or out-of-bounds detection; blocks and
// grids are 1-D, as dlc launches them.
#pragma once

#include <math.h>
#include <sys/mman.h>
#include <ucontext.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <type_traits>
#include <vector>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__ static
#define __align__(n) __attribute__((aligned(n)))

namespace dlc_emu {
struct Dim3 {
  unsigned int x = 0, y = 0, z = 0;
};
}  // namespace dlc_emu

inline dlc_emu::Dim3 threadIdx, blockIdx, blockDim{1, 1, 1}, gridDim{1, 1, 1};
inline constexpr int warpSize = 32;

// ---------------------------------------------------------------- scheduler
namespace dlc_emu {

enum class LaneState : unsigned char { Ready, AtBlockBarrier, AtWarpBarrier, Done };

struct Scheduler {
  static constexpr size_t kStackBytes = 256 << 10;
  ucontext_t main;
  std::vector<ucontext_t> contexts;
  std::vector<LaneState> states;
  std::vector<unsigned> warpAlive, atWarp;
  std::vector<unsigned long long> exchange;
  char* stacks = nullptr;
  unsigned capacity = 0;
  unsigned threads = 0, current = 0, alive = 0, atBlock = 0;
  std::function<void()> body;
  std::string error;

  void fail(const std::string& what) {
    if (error.empty()) error = what;
  }
};

inline Scheduler& scheduler() {
  static Scheduler s;
  return s;
}

// Parks the current lane in `state` and returns to the scheduler.
inline void park(LaneState state) {
  Scheduler& s = scheduler();
  const unsigned t = s.current;
  s.states[t] = state;
  if (state == LaneState::AtBlockBarrier) ++s.atBlock;
  else ++s.atWarp[t / 32];
  swapcontext(&s.contexts[t], &s.main);
}

inline void laneEntry() {
  Scheduler& s = scheduler();
  s.body();
  const unsigned t = s.current;
  s.states[t] = LaneState::Done;
  --s.alive;
  --s.warpAlive[t / 32];
  // Returning resumes uc_link (the scheduler).
}

inline std::string blockName() {
  return "block " + std::to_string(blockIdx.x) + " of " + std::to_string(gridDim.x);
}

// Runs block blockIdx.x to completion; false on a deadlock.
inline bool runBlock() {
  Scheduler& s = scheduler();
  const unsigned n = s.threads;
  const unsigned warps = (n + 31) / 32;
  s.alive = n;
  s.atBlock = 0;
  s.warpAlive.assign(warps, 0);
  s.atWarp.assign(warps, 0);
  for (unsigned t = 0; t < n; ++t) {
    ++s.warpAlive[t / 32];
    s.states[t] = LaneState::Ready;
    getcontext(&s.contexts[t]);
    s.contexts[t].uc_stack.ss_sp = s.stacks + size_t(t) * Scheduler::kStackBytes;
    s.contexts[t].uc_stack.ss_size = Scheduler::kStackBytes;
    s.contexts[t].uc_link = &s.main;
    makecontext(&s.contexts[t], laneEntry, 0);
  }
  // Sweeps alternate direction, so that a missing barrier shows up whichever
  // thread of a pair writes first.
  for (unsigned sweep = 0; s.alive > 0; ++sweep) {
    bool ran = false;
    for (unsigned i = 0; i < n; ++i) {
      const unsigned t = sweep % 2 ? n - 1 - i : i;
      if (s.states[t] != LaneState::Ready) continue;
      s.current = t;
      threadIdx.x = t;
      swapcontext(&s.main, &s.contexts[t]);
      ran = true;
    }
    if (ran) continue;
    bool released = false;
    for (unsigned w = 0; w < warps; ++w) {
      if (s.atWarp[w] == 0 || s.atWarp[w] != s.warpAlive[w]) continue;
      for (unsigned t = w * 32; t < n && t < w * 32 + 32; ++t)
        if (s.states[t] == LaneState::AtWarpBarrier) s.states[t] = LaneState::Ready;
      s.atWarp[w] = 0;
      released = true;
    }
    if (!released && s.atBlock > 0 && s.atBlock == s.alive) {
      for (unsigned t = 0; t < n; ++t)
        if (s.states[t] == LaneState::AtBlockBarrier) s.states[t] = LaneState::Ready;
      s.atBlock = 0;
      released = true;
    }
    if (!released) {
      s.fail("deadlock in " + blockName() + ": " + std::to_string(s.atBlock) +
             " threads wait in __syncthreads, " + std::to_string(s.alive - s.atBlock) +
             " in warp operations, of " + std::to_string(s.alive) + " live");
      return false;
    }
  }
  return true;
}

// Runs `body` as a kernel over `grid` blocks of `threads` threads. Returns
// the first problem found (deadlock, misaligned vector access), or "".
inline std::string launch(std::function<void()> body, long long grid, unsigned threads) {
  Scheduler& s = scheduler();
  s.error.clear();
  if (threads < 1 || threads > 1024) return "blockDim.x " + std::to_string(threads) + " not in [1, 1024]";
  if (grid < 1) return "gridDim.x " + std::to_string(grid) + " < 1";
  if (threads > s.capacity) {
    if (s.stacks) munmap(s.stacks, size_t(s.capacity) * Scheduler::kStackBytes);
    void* p = mmap(nullptr, size_t(threads) * Scheduler::kStackBytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return "cannot map fiber stacks";
    s.stacks = static_cast<char*>(p);
    s.capacity = threads;
  }
  s.contexts.resize(threads);
  s.states.resize(threads);
  s.exchange.assign(threads, 0);
  s.threads = threads;
  s.body = std::move(body);
  blockDim = {threads, 1, 1};
  gridDim = {unsigned(grid), 1, 1};
  threadIdx = {0, 0, 0};
  for (long long b = 0; b < grid && s.error.empty(); ++b) {
    blockIdx = {unsigned(b), 0, 0};
    runBlock();
  }
  s.body = nullptr;
  return s.error;
}

// A reinterpret_cast to a vector type, checked for the alignment the GPU
// requires (a misaligned vector access faults there; on x86 it would not).
template <typename V, typename P>
V* vecCast(P* p) {
  if (reinterpret_cast<uintptr_t>(p) % alignof(V) != 0) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "misaligned %zu-byte vector access at %p in %s, thread %u",
                  alignof(V), static_cast<const void*>(p), blockName().c_str(), threadIdx.x);
    scheduler().fail(buf);
  }
  return reinterpret_cast<V*>(p);
}

// A warp shuffle: every live lane of the warp deposits its value, then reads
// the one of lane srcOf(lane) (its own when that lane is outside the warp).
template <typename T, typename SrcOf>
T shuffle(T v, SrcOf srcOf) {
  static_assert(sizeof(T) <= 8 && std::is_trivially_copyable_v<T>, "shuffle of a wide type");
  Scheduler& s = scheduler();
  const unsigned t = s.current;
  std::memcpy(&s.exchange[t], &v, sizeof(T));
  park(LaneState::AtWarpBarrier);
  const int lane = int(t % 32);
  const int src = srcOf(lane);
  T r = v;
  const unsigned from = t - unsigned(lane) + unsigned(src);
  if (src >= 0 && src < 32 && from < s.threads && s.states[from] != LaneState::Done)
    std::memcpy(&r, &s.exchange[from], sizeof(T));
  park(LaneState::AtWarpBarrier);  // nobody overwrites a slot before all read
  return r;
}

}  // namespace dlc_emu

inline void __syncthreads() { dlc_emu::park(dlc_emu::LaneState::AtBlockBarrier); }
inline void __syncwarp(unsigned = 0xffffffffu) {
  dlc_emu::park(dlc_emu::LaneState::AtWarpBarrier);
}

template <typename T>
T __shfl_xor_sync(unsigned, T v, int laneMask, int width = 32) {
  return dlc_emu::shuffle(v, [&](int lane) {
    const int src = lane ^ laneMask;
    return src / width == lane / width ? src : lane;
  });
}
template <typename T>
T __shfl_down_sync(unsigned, T v, unsigned delta, int width = 32) {
  return dlc_emu::shuffle(v, [&](int lane) {
    return lane % width + int(delta) < width ? lane + int(delta) : lane;
  });
}
template <typename T>
T __shfl_up_sync(unsigned, T v, unsigned delta, int width = 32) {
  return dlc_emu::shuffle(
      v, [&](int lane) { return lane % width >= int(delta) ? lane - int(delta) : lane; });
}
template <typename T>
T __shfl_sync(unsigned, T v, int srcLane, int width = 32) {
  return dlc_emu::shuffle(v, [&](int lane) { return lane / width * width + srcLane % width; });
}

// ------------------------------------------------------- vectors and atomics
struct alignas(16) float4 { float x, y, z, w; };
struct alignas(8) float2 { float x, y; };
struct alignas(16) int4 { int x, y, z, w; };
struct alignas(8) int2 { int x, y; };
struct alignas(16) uint4 { unsigned x, y, z, w; };
inline float4 make_float4(float x, float y, float z, float w) { return {x, y, z, w}; }
inline int4 make_int4(int x, int y, int z, int w) { return {x, y, z, w}; }

// Fibers share one OS thread and switch only at barriers: a plain
// read-modify-write is atomic here.
template <typename T> T atomicAdd(T* p, T v) { T old = *p; *p = old + v; return old; }
template <typename T> T atomicMax(T* p, T v) { T old = *p; *p = old > v ? old : v; return old; }
template <typename T> T atomicMin(T* p, T v) { T old = *p; *p = old < v ? old : v; return old; }
template <typename T> T atomicExch(T* p, T v) { T old = *p; *p = v; return old; }
template <typename T> T atomicCAS(T* p, T cmp, T v) { T old = *p; if (old == cmp) *p = v; return old; }

// ------------------------------------------------------------------ math
inline float __int_as_float(int i) { float f; std::memcpy(&f, &i, 4); return f; }
inline int __float_as_int(float f) { int i; std::memcpy(&i, &f, 4); return i; }
inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
inline float __expf(float x) { return expf(x); }
inline float __logf(float x) { return logf(x); }
inline float __fdividef(float a, float b) { return a / b; }
inline float __saturatef(float x) { return x != x ? 0.0f : (x < 0.0f ? 0.0f : (x > 1.0f ? 1.0f : x)); }

// ------------------------------------------------------------ half / bf16
struct __half {
  _Float16 v;
};
inline float __half2float(__half h) { return float(h.v); }
inline __half __float2half_rn(float f) { return __half{static_cast<_Float16>(f)}; }  // RNE
inline __half __float2half(float f) { return __float2half_rn(f); }

struct __nv_bfloat16 {
  uint16_t bits;
};
inline float __bfloat162float(__nv_bfloat16 b) {
  uint32_t u = uint32_t(b.bits) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
inline __nv_bfloat16 __float2bfloat16_rn(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return {uint16_t((u >> 16) | 0x40u)};  // quiet NaN
  u += 0x7fffu + ((u >> 16) & 1u);
  return {uint16_t(u >> 16)};
}
inline __nv_bfloat16 __float2bfloat16(float f) { return __float2bfloat16_rn(f); }

// ------------------------------------------------------------------ wmma
namespace nvcuda::wmma {
struct matrix_a {};
struct matrix_b {};
struct accumulator {};
struct row_major {};
struct col_major {};
enum layout_t { mem_row_major, mem_col_major };
namespace precision {
struct tf32 {};
}  // namespace precision

template <typename T> struct Storage { using type = T; };
template <> struct Storage<precision::tf32> { using type = float; };

inline float toFloat(float f) { return f; }
inline float toFloat(__half h) { return __half2float(h); }
inline float toFloat(__nv_bfloat16 b) { return __bfloat162float(b); }

// TF32: 10 mantissa bits, round to nearest (ties away, as cvt.rna.tf32).
inline float __float_to_tf32(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  if ((u & 0x7f800000u) != 0x7f800000u) u += 0x1000u;
  u &= ~0x1fffu;
  std::memcpy(&f, &u, 4);
  return f;
}

// Rows x cols of the tile a fragment holds, row-major in x[].
template <typename Use, int M, int N, int K, typename T, typename Layout = void>
struct fragment {
  static constexpr int rows = std::is_same_v<Use, matrix_b> ? K : M;
  static constexpr int cols = std::is_same_v<Use, matrix_a> ? K : N;
  static constexpr bool colMajor = std::is_same_v<Layout, col_major>;
  static constexpr int num_elements = rows * cols;
  typename Storage<T>::type x[rows * cols];
};

template <typename F, typename V>
void fill_fragment(F& f, const V& v) {
  for (auto& e : f.x) e = v;
}

// matrix_a / matrix_b: the layout is part of the fragment type.
template <typename F, typename P>
void load_matrix_sync(F& f, const P* p, unsigned ld) {
  for (int r = 0; r < F::rows; ++r)
    for (int c = 0; c < F::cols; ++c)
      f.x[r * F::cols + c] = F::colMajor ? p[size_t(c) * ld + r] : p[size_t(r) * ld + c];
}
// accumulator: the layout is an argument.
template <typename F, typename P>
void load_matrix_sync(F& f, const P* p, unsigned ld, layout_t layout) {
  for (int r = 0; r < F::rows; ++r)
    for (int c = 0; c < F::cols; ++c)
      f.x[r * F::cols + c] =
          layout == mem_col_major ? p[size_t(c) * ld + r] : p[size_t(r) * ld + c];
}
template <typename P, typename F>
void store_matrix_sync(P* p, const F& f, unsigned ld, layout_t layout) {
  for (int r = 0; r < F::rows; ++r)
    for (int c = 0; c < F::cols; ++c)
      (layout == mem_col_major ? p[size_t(c) * ld + r] : p[size_t(r) * ld + c]) =
          f.x[r * F::cols + c];
}
// D = A B + C with f32 products and accumulation.
template <typename D, typename A, typename B, typename C>
void mma_sync(D& d, const A& a, const B& b, const C& c) {
  static_assert(A::cols == B::rows && A::rows == D::rows && B::cols == D::cols, "mma shapes");
  float out[D::rows * D::cols];
  for (int i = 0; i < D::rows; ++i)
    for (int j = 0; j < D::cols; ++j) {
      float s = c.x[i * D::cols + j];
      for (int k = 0; k < A::cols; ++k)
        s += toFloat(a.x[i * A::cols + k]) * toFloat(b.x[k * B::cols + j]);
      out[i * D::cols + j] = s;
    }
  for (int e = 0; e < D::rows * D::cols; ++e) d.x[e] = out[e];
}
}  // namespace nvcuda::wmma

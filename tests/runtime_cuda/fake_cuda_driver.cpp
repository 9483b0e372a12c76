// A fake CUDA driver for testing libdlcrt's CUDA device on a machine without
// a GPU: the entry points CudaDriver.cpp resolves, backed by host memory.
// Loaded through DLC_CUDA_DRIVER by runtime_cuda_fake_tests.
//
// One GPU, "NVIDIA H100 80GB HBM3", compute capability 9.0. Device pointers
// are host pointers; copies happen at once. Every call that needs a context
// fails with CUDA_ERROR_INVALID_CONTEXT unless the calling thread made the
// primary context current, as the real driver does. A module is the PTX (or
// "CUBIN") text; its kernels are the names after ".entry". Launching
// "dlc_test_add" computes out = x + y over min(4 x batch, grid x block)
// floats from the DlcArgs it is given. While a stream captures, launches on
// it are recorded into the graph and replayed by cuGraphLaunch, and
// cuCtxSynchronize fails with CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED from any
// thread, as the real driver's does. It does not
// emulate concurrency: streams are in-order and synchronous.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace {

using CUresult = int;
constexpr CUresult kOk = 0, kInvalidValue = 1, kNotInitialized = 3, kInvalidContext = 201,
                   kInvalidPtx = 218, kNotFound = 500, kCaptureUnsupported = 900;

struct Context {};
Context gContext;
thread_local Context* tCurrent = nullptr;
bool gInitialized = false;
std::mutex gMutex;
std::set<void*> gAllocations;
int gCapturing = 0;  // streams capturing, under gMutex

struct Function {
  std::string name;
  int maxDynamicShared = 48 * 1024;
};
struct Module {
  std::vector<Function*> functions;
};
struct Launch {
  Function* fn;
  unsigned grid, block, shared;
  std::vector<unsigned char> args;  // the DlcArgs bytes
};
struct Stream {
  bool capturing = false;
  std::vector<Launch> captured;
};
struct Event {
  std::chrono::steady_clock::time_point time;
};
struct Graph {
  std::vector<Launch> launches;
};

CUresult needContext() {
  if (!gInitialized) return kNotInitialized;
  return tCurrent == &gContext ? kOk : kInvalidContext;
}

void run(const Launch& l) {
  if (l.fn->name != "dlc_test_add") return;
  void* const* ptr = reinterpret_cast<void* const*>(l.args.data());
  long long batch = 0;
  std::memcpy(&batch, l.args.data() + 64 * sizeof(void*), sizeof batch);
  long long n = batch * 4, threads = (long long)l.grid * l.block;
  if (threads < n) n = threads;
  const float* x = static_cast<const float*>(ptr[0]);
  const float* y = static_cast<const float*>(ptr[1]);
  float* out = static_cast<float*>(ptr[2]);
  for (long long i = 0; i < n; ++i) out[i] = x[i] + y[i];
}

}  // namespace

// Counters the tests read with dlsym.
extern "C" {
int fake_cuda_synchronizes = 0;
int fake_cuda_device_count = 1;  // GPUs reported; only ordinal 0 opens
int fake_cuda_allocations = 0;
int fake_cuda_frees = 0;
unsigned fake_cuda_last_grid = 0, fake_cuda_last_block = 0, fake_cuda_last_shared = 0;
long long fake_cuda_last_batch = -1;

CUresult cuInit(unsigned) {
  gInitialized = true;
  return kOk;
}
CUresult cuDriverGetVersion(int* v) {
  *v = 13000;
  return kOk;
}
CUresult cuGetErrorName(CUresult e, const char** s) {
  switch (e) {
    case kInvalidValue: *s = "CUDA_ERROR_INVALID_VALUE"; return kOk;
    case kInvalidContext: *s = "CUDA_ERROR_INVALID_CONTEXT"; return kOk;
    case kInvalidPtx: *s = "CUDA_ERROR_INVALID_PTX"; return kOk;
    case kNotFound: *s = "CUDA_ERROR_NOT_FOUND"; return kOk;
    case 2: *s = "CUDA_ERROR_OUT_OF_MEMORY"; return kOk;
    default: return kInvalidValue;
  }
}
CUresult cuGetErrorString(CUresult e, const char** s) {
  switch (e) {
    case kInvalidContext: *s = "invalid device context"; return kOk;
    case kInvalidPtx: *s = "a PTX JIT compilation failed"; return kOk;
    case kNotFound: *s = "named symbol not found"; return kOk;
    default: return kInvalidValue;
  }
}
CUresult cuDeviceGetCount(int* n) {
  *n = fake_cuda_device_count;
  return gInitialized ? kOk : kNotInitialized;
}
CUresult cuDeviceGet(int* d, int ordinal) {
  if (ordinal != 0) return 101;
  *d = 0;
  return kOk;
}
CUresult cuDeviceGetName(char* name, int len, int) {
  std::strncpy(name, "NVIDIA H100 80GB HBM3", size_t(len));
  return kOk;
}
CUresult cuDeviceTotalMem_v2(size_t* bytes, int) {
  *bytes = size_t(85520809984ull);
  return kOk;
}
CUresult cuDeviceGetAttribute(int* v, int attribute, int) {
  switch (attribute) {
    case 1: *v = 1024; return kOk;          // max threads per block
    case 5: *v = 2147483647; return kOk;    // max grid x
    case 16: *v = 132; return kOk;          // SMs
    case 36: *v = 2619000; return kOk;      // memory clock, kHz
    case 37: *v = 5120; return kOk;         // bus width, bits
    case 39: *v = 2048; return kOk;         // threads per SM
    case 75: *v = 9; return kOk;
    case 76: *v = 0; return kOk;
    case 97: *v = 232448; return kOk;       // shared per block, opt-in
    default: return kInvalidValue;
  }
}
CUresult cuDevicePrimaryCtxRetain(Context** ctx, int) {
  *ctx = &gContext;
  return kOk;
}
CUresult cuCtxSetCurrent(Context* ctx) {
  tCurrent = ctx;
  return kOk;
}
CUresult cuCtxGetDevice(int* d) {
  *d = 0;
  return needContext();
}
CUresult cuCtxSynchronize() {
  if (CUresult r = needContext()) return r;
  std::lock_guard<std::mutex> lock(gMutex);
  if (gCapturing > 0) return kCaptureUnsupported;
  ++fake_cuda_synchronizes;
  return kOk;
}
CUresult cuMemAlloc_v2(unsigned long long* p, size_t bytes) {
  if (CUresult r = needContext()) return r;
  void* m = std::aligned_alloc(256, (bytes + 255) / 256 * 256);
  if (!m) return 2;
  std::lock_guard<std::mutex> lock(gMutex);
  gAllocations.insert(m);
  ++fake_cuda_allocations;
  *p = reinterpret_cast<uintptr_t>(m);
  return kOk;
}
CUresult cuMemFree_v2(unsigned long long p) {
  if (CUresult r = needContext()) return r;
  std::lock_guard<std::mutex> lock(gMutex);
  void* m = reinterpret_cast<void*>(uintptr_t(p));
  if (!gAllocations.erase(m)) return kInvalidValue;
  std::free(m);
  ++fake_cuda_frees;
  return kOk;
}
CUresult cuMemHostAlloc(void** p, size_t bytes, unsigned) {
  if (CUresult r = needContext()) return r;
  *p = std::aligned_alloc(4096, (bytes + 4095) / 4096 * 4096);
  return *p ? kOk : 2;
}
CUresult cuMemFreeHost(void* p) {
  std::free(p);
  return kOk;
}
CUresult cuMemcpyHtoDAsync_v2(unsigned long long dst, const void* src, size_t n, Stream* s) {
  if (CUresult r = needContext()) return r;
  if (s && s->capturing) return kCaptureUnsupported;
  std::memcpy(reinterpret_cast<void*>(uintptr_t(dst)), src, n);
  return kOk;
}
CUresult cuMemcpyDtoHAsync_v2(void* dst, unsigned long long src, size_t n, Stream* s) {
  if (CUresult r = needContext()) return r;
  if (s && s->capturing) return kCaptureUnsupported;
  std::memcpy(dst, reinterpret_cast<const void*>(uintptr_t(src)), n);
  return kOk;
}
CUresult cuMemcpyDtoDAsync_v2(unsigned long long dst, unsigned long long src, size_t n,
                              Stream* s) {
  if (CUresult r = needContext()) return r;
  if (s && s->capturing) return kCaptureUnsupported;
  std::memcpy(reinterpret_cast<void*>(uintptr_t(dst)),
              reinterpret_cast<const void*>(uintptr_t(src)), n);
  return kOk;
}
CUresult cuStreamCreate(Stream** s, unsigned) {
  if (CUresult r = needContext()) return r;
  *s = new Stream();
  return kOk;
}
CUresult cuStreamDestroy_v2(Stream* s) {
  delete s;
  return kOk;
}
CUresult cuStreamSynchronize(Stream*) { return needContext(); }
CUresult cuEventCreate(Event** e, unsigned) {
  if (CUresult r = needContext()) return r;
  *e = new Event();
  return kOk;
}
CUresult cuEventDestroy_v2(Event* e) {
  delete e;
  return kOk;
}
CUresult cuEventRecord(Event* e, Stream*) {
  if (CUresult r = needContext()) return r;
  e->time = std::chrono::steady_clock::now();
  return kOk;
}
CUresult cuEventSynchronize(Event*) { return needContext(); }
CUresult cuEventElapsedTime_v2(float* ms, Event* a, Event* b) {
  if (CUresult r = needContext()) return r;
  *ms = std::chrono::duration<float, std::milli>(b->time - a->time).count();
  return kOk;
}
CUresult cuModuleLoadDataEx(Module** m, const void* image, unsigned numOptions, int* options,
                            void** values) {
  if (CUresult r = needContext()) return r;
  const char* text = static_cast<const char*>(image);
  if (std::memcmp(text, "\x7f" "ELF", 4) == 0) text += 4;
  std::string s(text);
  if (s.find("syntax error") != std::string::npos) {
    for (unsigned i = 0; i < numOptions; ++i)
      if (options[i] == 5)  // CU_JIT_ERROR_LOG_BUFFER
        std::strcpy(static_cast<char*>(values[i]), "ptxas fatal   : syntax error in line 4\n");
    return kInvalidPtx;
  }
  auto* module = new Module();
  for (size_t at = s.find(".entry "); at != std::string::npos; at = s.find(".entry ", at + 1)) {
    size_t begin = at + 7, end = s.find_first_of("( \n", begin);
    module->functions.push_back(new Function{s.substr(begin, end - begin)});
  }
  *m = module;
  return kOk;
}
CUresult cuModuleUnload(Module* m) {
  for (Function* f : m->functions) delete f;
  delete m;
  return kOk;
}
CUresult cuModuleGetFunction(Function** f, Module* m, const char* name) {
  if (CUresult r = needContext()) return r;
  for (Function* fn : m->functions)
    if (fn->name == name) {
      *f = fn;
      return kOk;
    }
  return kNotFound;
}
CUresult cuFuncGetAttribute(int* v, int attribute, Function*) {
  if (attribute == 0) *v = 1024;
  else if (attribute == 4) *v = 32;
  else return kInvalidValue;
  return kOk;
}
CUresult cuFuncSetAttribute(Function* f, int attribute, int value) {
  if (attribute != 8 || value > 232448) return kInvalidValue;
  f->maxDynamicShared = value;
  return kOk;
}
CUresult cuLaunchKernel(Function* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx,
                        unsigned by, unsigned bz, unsigned shared, Stream* s, void** params,
                        void** extra) {
  if (CUresult r = needContext()) return r;
  if (gy != 1 || gz != 1 || by != 1 || bz != 1 || extra || !params || gx == 0 || bx == 0 ||
      bx > 1024 || int(shared) > f->maxDynamicShared)
    return kInvalidValue;
  Launch l{f, gx, bx, shared, {}};
  const unsigned char* args = static_cast<const unsigned char*>(params[0]);
  l.args.assign(args, args + 64 * sizeof(void*) + sizeof(long long));
  fake_cuda_last_grid = gx;
  fake_cuda_last_block = bx;
  fake_cuda_last_shared = shared;
  std::memcpy(&fake_cuda_last_batch, args + 64 * sizeof(void*), sizeof fake_cuda_last_batch);
  if (s && s->capturing) s->captured.push_back(std::move(l));
  else run(l);
  return kOk;
}
CUresult cuStreamBeginCapture_v2(Stream* s, int mode) {
  if (CUresult r = needContext()) return r;
  if (!s || s->capturing || mode != 1) return kInvalidValue;
  s->capturing = true;
  s->captured.clear();
  std::lock_guard<std::mutex> lock(gMutex);
  ++gCapturing;
  return kOk;
}
CUresult cuStreamEndCapture(Stream* s, Graph** g) {
  if (CUresult r = needContext()) return r;
  if (!s || !s->capturing) return kInvalidValue;
  s->capturing = false;
  *g = new Graph{std::move(s->captured)};
  std::lock_guard<std::mutex> lock(gMutex);
  --gCapturing;
  return kOk;
}
CUresult cuGraphInstantiateWithFlags(Graph** exec, Graph* g, unsigned long long) {
  if (CUresult r = needContext()) return r;
  *exec = new Graph(*g);
  return kOk;
}
CUresult cuGraphLaunch(Graph* exec, Stream*) {
  if (CUresult r = needContext()) return r;
  for (const Launch& l : exec->launches) run(l);
  return kOk;
}
CUresult cuGraphDestroy(Graph* g) {
  delete g;
  return kOk;
}
CUresult cuGraphExecDestroy(Graph* g) {
  delete g;
  return kOk;
}
}  // extern "C"

// Loads NVRTC with dlopen and wraps the calls dlc makes (see Nvrtc.h).
//
// The few NVRTC types are declared here rather than taken from nvrtc.h, so
// dlc builds where the toolkit's headers are absent; the signatures are those
// of nvrtc.h in CUDA 11.1 and later (nvrtcGetCUBIN appeared in 11.1).
#include "compiler/backends/cuda/Nvrtc.h"

#include <dlfcn.h>
#include <sys/stat.h>

#include <cstdlib>
#include <type_traits>

namespace dlc::cuda {

namespace {

// From nvrtc.h: nvrtcResult is an enum (int-sized); nvrtcProgram an opaque pointer.
using NvrtcResult = int;
constexpr NvrtcResult kNvrtcSuccess = 0;
constexpr NvrtcResult kNvrtcErrorInvalidOption = 5;
constexpr NvrtcResult kNvrtcErrorCompilation = 6;
using NvrtcProgram = struct NvrtcProgramOpaque*;

std::string envOr(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

bool isFile(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string folderOf(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

// The first folder holding cuda_fp16.h: next to the library first (its own
// toolkit, so the headers match it), then $CUDA_HOME, then /usr/local/cuda.
std::string findIncludeDir(const std::string& libraryPath) {
  std::vector<std::string> dirs;
  if (!libraryPath.empty()) {
    char* real = ::realpath(libraryPath.c_str(), nullptr);
    std::string lib = real ? std::string(real) : libraryPath;
    std::free(real);
    std::string libDir = folderOf(lib);
    dirs.push_back(libDir + "/../include");
    // pip wheels: nvidia/cuda_nvrtc/lib beside nvidia/cuda_runtime/include.
    dirs.push_back(libDir + "/../../cuda_runtime/include");
    // The unresolved path too (a symlinked lib64 in a toolkit folder).
    dirs.push_back(folderOf(libraryPath) + "/../include");
  }
  std::string home = envOr("CUDA_HOME");
  if (!home.empty()) dirs.push_back(home + "/include");
  std::string path = envOr("CUDA_PATH");
  if (!path.empty()) dirs.push_back(path + "/include");
  dirs.push_back("/usr/local/cuda/include");
  dirs.push_back("/usr/include");  // distribution packages (nvidia-cuda-toolkit)
  for (const std::string& dir : dirs) {
    if (!isFile(dir + "/cuda_fp16.h")) continue;
    char* real = ::realpath(dir.c_str(), nullptr);
    std::string found = real ? std::string(real) : dir;
    std::free(real);
    return found;
  }
  return "";
}

}  // namespace

struct Nvrtc::Api {
  const char* (*getErrorString)(NvrtcResult);
  NvrtcResult (*version)(int*, int*);
  NvrtcResult (*createProgram)(NvrtcProgram*, const char*, const char*, int, const char* const*,
                               const char* const*);
  NvrtcResult (*destroyProgram)(NvrtcProgram*);
  NvrtcResult (*compileProgram)(NvrtcProgram, int, const char* const*);
  NvrtcResult (*getPtxSize)(NvrtcProgram, size_t*);
  NvrtcResult (*getPtx)(NvrtcProgram, char*);
  NvrtcResult (*getCubinSize)(NvrtcProgram, size_t*);
  NvrtcResult (*getCubin)(NvrtcProgram, char*);
  NvrtcResult (*getProgramLogSize)(NvrtcProgram, size_t*);
  NvrtcResult (*getProgramLog)(NvrtcProgram, char*);
};

std::vector<std::string> Nvrtc::defaultCandidates() {
  static const char* const kNames[] = {"libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"};
  std::vector<std::string> out;
  auto addFolder = [&](const std::string& dir) {
    for (const char* name : kNames) out.push_back(dir + "/" + name);
  };
  std::string home = envOr("CUDA_HOME");
  if (!home.empty()) {
    addFolder(home + "/lib64");
    addFolder(home + "/lib");
  }
  for (const char* name : kNames) out.push_back(name);
  addFolder("/usr/local/cuda/lib64");
  return out;
}

StatusOr<std::unique_ptr<Nvrtc>> Nvrtc::load(const std::vector<std::string>& candidates) {
  void* handle = nullptr;
  std::string lastError;
  for (const std::string& candidate : candidates) {
    // RTLD_NODELETE: NVRTC keeps process-wide allocations (its own C++
    // runtime's pools) that it never frees; staying mapped after dlclose
    // keeps them reachable, so leak checkers see no leak.
    handle = ::dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (handle) break;
    const char* err = ::dlerror();
    lastError = err ? err : candidate + ": cannot be loaded";
  }
  if (!handle) {
    std::string tried;
    for (const std::string& c : candidates) tried += (tried.empty() ? "" : ", ") + c;
    return unavailable(
        "NVRTC (libnvrtc.so.13) not found: install the CUDA toolkit (apt install "
        "nvidia-cuda-toolkit or NVIDIA's cuda-toolkit) or set CUDA_HOME to its "
        "folder (tried ",
        tried, "; last error: ", lastError, ")");
  }
  std::unique_ptr<Nvrtc> nvrtc(new Nvrtc());
  nvrtc->handle_ = handle;
  nvrtc->api_ = std::make_unique<Api>();
  Api& api = *nvrtc->api_;
  std::string missing;
  auto resolve = [&](auto& fn, const char* name) {
    void* sym = ::dlsym(handle, name);
    if (!sym) missing += (missing.empty() ? "" : ", ") + std::string(name);
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(sym);
  };
  resolve(api.getErrorString, "nvrtcGetErrorString");
  resolve(api.version, "nvrtcVersion");
  resolve(api.createProgram, "nvrtcCreateProgram");
  resolve(api.destroyProgram, "nvrtcDestroyProgram");
  resolve(api.compileProgram, "nvrtcCompileProgram");
  resolve(api.getPtxSize, "nvrtcGetPTXSize");
  resolve(api.getPtx, "nvrtcGetPTX");
  resolve(api.getCubinSize, "nvrtcGetCUBINSize");
  resolve(api.getCubin, "nvrtcGetCUBIN");
  resolve(api.getProgramLogSize, "nvrtcGetProgramLogSize");
  resolve(api.getProgramLog, "nvrtcGetProgramLog");

  Dl_info info{};
  if (api.version && ::dladdr(reinterpret_cast<void*>(api.version), &info) && info.dli_fname)
    nvrtc->libraryPath_ = info.dli_fname;
  if (!missing.empty())
    return unavailable("NVRTC at ", nvrtc->libraryPath_.empty() ? "?" : nvrtc->libraryPath_,
                       " lacks ", missing,
                       ": it is older than CUDA 11.1; install a newer CUDA toolkit or set "
                       "CUDA_HOME to one");
  if (api.version(&nvrtc->major_, &nvrtc->minor_) != kNvrtcSuccess)
    return unavailable("NVRTC at ", nvrtc->libraryPath_, " does not report its version");
  nvrtc->includeDir_ = findIncludeDir(nvrtc->libraryPath_);
  return nvrtc;
}

StatusOr<const Nvrtc*> Nvrtc::get() {
  // Loaded once; the outcome (library or error) is kept for the process.
  static StatusOr<std::unique_ptr<Nvrtc>> loaded = load(defaultCandidates());
  if (!loaded.ok()) return loaded.status();
  return static_cast<const Nvrtc*>(loaded->get());
}

Nvrtc::~Nvrtc() {
  if (handle_) ::dlclose(handle_);
}

std::string Nvrtc::version() const { return strCat(major_, ".", minor_); }

StatusOr<NvrtcOutput> Nvrtc::compile(const std::string& source, const std::string& name,
                                     const std::vector<std::string>& options,
                                     bool wantCubin) const {
  const Api& api = *api_;
  auto failure = [&](const char* call, NvrtcResult r) {
    const char* what = api.getErrorString(r);
    return internalError(call, " failed: ", what ? what : "unknown NVRTC error", " (", r, ")");
  };
  NvrtcProgram prog = nullptr;
  NvrtcResult r = api.createProgram(&prog, source.c_str(), name.c_str(), 0, nullptr, nullptr);
  if (r != kNvrtcSuccess) return failure("nvrtcCreateProgram", r);
  struct Destroy {
    const Api& api;
    NvrtcProgram& prog;
    ~Destroy() { api.destroyProgram(&prog); }
  } destroy{api, prog};

  std::vector<const char*> argv;
  argv.reserve(options.size());
  for (const std::string& o : options) argv.push_back(o.c_str());
  NvrtcResult compiled = api.compileProgram(prog, int(argv.size()), argv.data());

  NvrtcOutput out;
  size_t logSize = 0;
  if ((r = api.getProgramLogSize(prog, &logSize)) != kNvrtcSuccess)
    return failure("nvrtcGetProgramLogSize", r);
  if (logSize > 1) {
    std::string log(logSize, '\0');
    if ((r = api.getProgramLog(prog, log.data())) != kNvrtcSuccess)
      return failure("nvrtcGetProgramLog", r);
    log.resize(log.find('\0') == std::string::npos ? log.size() : log.find('\0'));
    out.log = std::move(log);
  }
  if (compiled == kNvrtcErrorCompilation) return out;  // ok = false, the log says why
  if (compiled == kNvrtcErrorInvalidOption) {
    std::string joined;
    for (const std::string& o : options) joined += (joined.empty() ? "" : " ") + o;
    return invalidArgument("NVRTC ", version(), " refuses the options '", joined, "'",
                           out.log.empty() ? "" : ": ", out.log);
  }
  if (compiled != kNvrtcSuccess) {
    Status s = failure("nvrtcCompileProgram", compiled);
    return out.log.empty() ? s : Status(s.code(), s.message() + ":\n" + out.log);
  }

  size_t ptxSize = 0;
  if ((r = api.getPtxSize(prog, &ptxSize)) != kNvrtcSuccess) return failure("nvrtcGetPTXSize", r);
  std::string ptx(ptxSize, '\0');
  if (ptxSize > 0 && (r = api.getPtx(prog, ptx.data())) != kNvrtcSuccess)
    return failure("nvrtcGetPTX", r);
  size_t nul = ptx.find('\0');
  if (nul != std::string::npos) ptx.resize(nul);
  out.ptx = std::move(ptx);

  if (wantCubin) {
    size_t cubinSize = 0;
    if ((r = api.getCubinSize(prog, &cubinSize)) != kNvrtcSuccess)
      return failure("nvrtcGetCUBINSize", r);
    if (cubinSize == 0)
      return internalError("NVRTC produced no CUBIN: the options name no real arch (sm_XX)");
    out.cubin.resize(cubinSize);
    if ((r = api.getCubin(prog, reinterpret_cast<char*>(out.cubin.data()))) != kNvrtcSuccess)
      return failure("nvrtcGetCUBIN", r);
  }
  out.ok = true;
  return out;
}

}  // namespace dlc::cuda

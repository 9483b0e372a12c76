// compileProgram: rendered CUDA C++ -> PTX (+ CUBIN) with NVRTC, through the
// disk cache (see CudaCompile.h).
//
// One NVRTC compile per program: for the virtual arch compute_XX when only
// PTX is wanted, for the real arch sm_XX when a CUBIN is wanted too (NVRTC
// then returns both, the PTX for compute_XX). Options are fixed here and
// deliberately leave --use_fast_math off: dlc's kernels must match the
// reference interpreter, not trade accuracy for speed.
#include "compiler/backends/cuda/CudaCompile.h"

#include <cctype>
#include <chrono>

#include "compiler/backends/cuda/CompileCache.h"
#include "compiler/backends/cuda/Nvrtc.h"

namespace dlc::cuda {

namespace {

// The name NVRTC gives the source in its log: "dlc.cu(12): error: ...".
constexpr const char* kProgramName = "dlc.cu";

// "sm_90" / "sm_90a" / "compute_80" split into the number+suffix ("90a").
struct Arch {
  std::string cc;
  bool real = true;  // given as sm_XX
  std::string virtualName() const { return "compute_" + cc; }
  std::string realName() const { return "sm_" + cc; }
};

StatusOr<Arch> parseArch(const std::string& text) {
  Arch arch;
  std::string rest;
  if (text.rfind("sm_", 0) == 0) {
    rest = text.substr(3);
  } else if (text.rfind("compute_", 0) == 0) {
    rest = text.substr(8);
    arch.real = false;
  }
  size_t digits = 0;
  while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) ++digits;
  bool suffixOk = digits == rest.size() ||
                  (digits + 1 == rest.size() && (rest.back() == 'a' || rest.back() == 'f'));
  if (digits < 2 || digits > 3 || !suffixOk)
    return invalidArgument("CUDA arch '", text,
                           "' is not of the form sm_XX (e.g. sm_80, sm_90, sm_90a)");
  arch.cc = rest;
  return arch;
}

// The kernel whose definition ("void dlc_kN(") is the last one at or before
// `line` (1-based) of `source`; empty when the line precedes every kernel.
std::string kernelAtLine(const std::string& source, int line) {
  std::string found;
  int current = 1;
  size_t pos = 0;
  while (pos < source.size() && current <= line) {
    size_t end = source.find('\n', pos);
    if (end == std::string::npos) end = source.size();
    std::string_view text(source.data() + pos, end - pos);
    size_t at = text.find("void dlc_k");
    if (at != std::string_view::npos) {
      size_t begin = at + 5;  // "dlc_k..."
      size_t stop = begin + 5;
      while (stop < text.size() && std::isdigit(static_cast<unsigned char>(text[stop]))) ++stop;
      if (stop > begin + 5) found = std::string(text.substr(begin, stop - begin));
    }
    pos = end + 1;
    ++current;
  }
  return found;
}

// The line of the first error in an NVRTC log ("dlc.cu(12): error: ..."), or 0.
int firstErrorLine(const std::string& log) {
  const std::string prefix = std::string(kProgramName) + "(";
  size_t pos = 0;
  while ((pos = log.find(prefix, pos)) != std::string::npos) {
    size_t num = pos + prefix.size();
    size_t close = log.find(')', num);
    pos = num;
    if (close == std::string::npos) break;
    size_t lineEnd = log.find('\n', close);
    std::string_view after(log.data() + close,
                           (lineEnd == std::string::npos ? log.size() : lineEnd) - close);
    if (after.find("error") == std::string_view::npos) continue;
    int line = 0;
    bool digits = close > num;
    for (size_t i = num; i < close && digits; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(log[i])))
        digits = false;
      else if (line < 100000000)
        line = line * 10 + (log[i] - '0');
    }
    if (digits) return line;
  }
  return 0;
}

Status compileError(const RenderedProgram& program, const std::string& arch,
                    const std::string& log) {
  int line = firstErrorLine(log);
  std::string kernel = line > 0 ? kernelAtLine(program.source, line) : "";
  std::string where;
  if (!kernel.empty())
    where = strCat(" kernel ", kernel, " (", kProgramName, " line ", line, ")");
  else if (line > 0)
    where = strCat(" the program (", kProgramName, " line ", line, ", before the first kernel)");
  else
    where = " the program";
  return internalError("NVRTC could not compile", where, " for ", arch, ":\n",
                       log.empty() ? "(NVRTC wrote no log)" : log);
}

// Every kernel the program declares must be an entry of the PTX.
Status checkEntries(const RenderedProgram& program, const std::string& ptx) {
  for (const RenderedKernel& k : program.kernels) {
    if (ptx.find(".entry " + k.symbol + "(") == std::string::npos)
      return internalError("kernel ", k.symbol, " (kernel ", k.id,
                           ") is not an entry of the compiled PTX: it must be defined as "
                           "extern \"C\" __global__ void ",
                           k.symbol, "(DlcArgs a)");
  }
  return Status::OK();
}

}  // namespace

StatusOr<rt::CudaCode> compileProgram(const RenderedProgram& program, const CudaOptions& options,
                                      CompileLog* log) {
  DLC_ASSIGN_OR_RETURN(Arch arch, parseArch(options.arch.empty() ? kDefaultArch : options.arch));
  if (options.cubin && !arch.real)
    return invalidArgument("a CUBIN needs a real CUDA arch (sm_XX), got '", options.arch, "'");
  if (program.source.find('\0') != std::string::npos)
    return internalError("the rendered CUDA source contains a NUL byte");
  DLC_ASSIGN_OR_RETURN(const Nvrtc* nvrtc, Nvrtc::get());

  const std::string target = options.cubin ? arch.realName() : arch.virtualName();
  std::vector<std::string> nvrtcOptions = {"--gpu-architecture=" + target, "-std=c++17",
                                           "-default-device"};
  if (!nvrtc->includeDir().empty()) nvrtcOptions.push_back("-I" + nvrtc->includeDir());
  const std::string what = strCat(target, options.cubin ? " ptx+cubin" : " ptx");

  std::optional<CompileCache> cache;
  std::string key;
  if (options.useCache) {
    std::string dir = cacheDirFor(options.cacheDir);
    if (!dir.empty()) {
      cache.emplace(dir);
      key = cacheKeyOf({program.source, nvrtcOptions, target, options.cubin, nvrtc->version()});
      std::optional<rt::CudaCode> hit = cache->lookup(key, what, log);
      if (hit && checkEntries(program, hit->ptx).ok()) return std::move(*hit);
    } else if (log) {
      log->lines.push_back("cuda cache off: no cache folder ($XDG_CACHE_HOME and $HOME unset)");
    }
  }

  auto start = std::chrono::steady_clock::now();
  StatusOr<NvrtcOutput> compiled =
      nvrtc->compile(program.source, kProgramName, nvrtcOptions, options.cubin);
  if (!compiled.ok()) {
    // An arch this NVRTC does not know (CUDA 13 dropped sm_50..sm_72).
    if (compiled.status().code() == StatusCode::kInvalidArgument)
      return compiled.status().withContext(strCat("CUDA arch ", target));
    return compiled.status();
  }
  NvrtcOutput out = std::move(compiled).value();
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!out.ok) return compileError(program, target, out.log);
  DLC_RETURN_IF_ERROR(checkEntries(program, out.ptx));
  if (log) {
    log->lines.push_back(strCat("nvrtc ", nvrtc->version(), " compiled ", program.kernels.size(),
                                " kernels (", what, ") in ", int64_t(ms), " ms"));
    if (!out.log.empty()) log->lines.push_back(out.log);
  }

  rt::CudaCode code;
  code.ptxArch = arch.virtualName();
  code.ptx = std::move(out.ptx);
  if (options.cubin) {
    code.cubinArch = arch.realName();
    code.cubin = std::move(out.cubin);
  }
  if (cache) {
    Status stored = cache->store(key, code);
    if (!stored.ok() && log) log->lines.push_back("cuda cache not written: " + stored.message());
  }
  return code;
}

StatusOr<std::string> nvrtcVersion() {
  DLC_ASSIGN_OR_RETURN(const Nvrtc* nvrtc, Nvrtc::get());
  return nvrtc->version();
}

}  // namespace dlc::cuda

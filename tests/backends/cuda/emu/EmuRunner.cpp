// See EmuRunner.h.
#include "tests/backends/cuda/emu/EmuRunner.h"

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <sstream>
#include <unistd.h>
#include <unordered_map>

#include <gtest/gtest.h>

#include "compiler/reference/Interpreter.h"
#include "runtime/src/CudaLaunch.h"
#include "tests/common/TensorChecks.h"

namespace dlc::cuda::emu {

namespace {

using LaunchFn = const char* (*)(int, void* const*, int, long long, long long, unsigned);

std::string emuDir() { return std::string(DLC_SOURCE_DIR) + "/tests/backends/cuda/emu"; }

std::string cacheDir() {
  const char* tmp = std::getenv("TMPDIR");
  return std::string(tmp && *tmp ? tmp : "/tmp") + "/dlc-cuda-emu";
}

// Runs `command`, returning its exit status and (merged) output.
int runCommand(const std::string& command, std::string& output) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) output.append(buf, n);
  return pclose(pipe);
}

// Host "device memory": 256-byte aligned like cudaMalloc, one per IR value.
class HostValues {
 public:
  void* add(const ir::Node* node, const Tensor& init) {
    size_t bytes = (std::max<size_t>(init.byteSize(), 1) + 255) / 256 * 256;
    void* p = std::aligned_alloc(256, bytes);
    std::memcpy(p, init.data(), init.byteSize());
    ptrs_[node] = p;
    return p;
  }
  void* find(const ir::Node* node) const {
    auto it = ptrs_.find(node);
    return it == ptrs_.end() ? nullptr : it->second;
  }
  ~HostValues() {
    for (auto& [node, p] : ptrs_) std::free(p);
  }

 private:
  std::unordered_map<const ir::Node*, void*> ptrs_;
};

}  // namespace

// symbol -> __launch_bounds__ value, from the rendered source.
std::map<std::string, int> launchBounds(const std::string& source) {
  std::map<std::string, int> bounds;
  static const std::regex re(R"(__launch_bounds__\((\d+)\)\s+(dlc_k\d+)\s*\()");
  for (auto it = std::sregex_iterator(source.begin(), source.end(), re);
       it != std::sregex_iterator(); ++it)
    bounds[(*it)[2]] = std::stoi((*it)[1]);
  return bounds;
}

std::string emulatedSource(const RenderedProgram& program, const std::string& tag) {
  std::string body;
  std::istringstream in(program.source);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("#include <cuda_fp16.h>", 0) == 0 || line.rfind("#include <cuda_bf16.h>", 0) == 0 ||
        line.rfind("#include <mma.h>", 0) == 0)
      continue;
    body += line + "\n";
  }
  static const std::regex vecCast(R"(reinterpret_cast<\s*(const\s+)?(float4|float2|int4|int2|uint4)\s*\*\s*>\s*\()");
  body = std::regex_replace(body, vecCast, "dlc_emu::vecCast<$1$2>(");
  static const std::regex kernelName(R"(\bdlc_k(\d+)\b)");
  body = std::regex_replace(body, kernelName, "dlc_" + tag + "_k$1");

  std::string s = "#include \"CudaEmu.h\"\nnamespace dlc_" + tag + " {\n" + body;
  s += "\nextern \"C\" const char* dlc_" + tag +
       "_launch(int kernel, void* const* args, int numArgs, long long batch, long long grid, "
       "unsigned threads) {\n"
       "  static std::string error;\n"
       "  DlcArgs a{};\n"
       "  for (int i = 0; i < numArgs; ++i) a.ptr[i] = args[i];\n"
       "  a.batch = batch;\n"
       "  std::function<void()> body;\n"
       "  switch (kernel) {\n";
  for (size_t k = 0; k < program.kernels.size(); ++k) {
    std::string sym = std::regex_replace(program.kernels[k].symbol, kernelName, "dlc_" + tag + "_k$1");
    s += "    case " + std::to_string(k) + ": body = [&a] { " + sym + "(a); }; break;\n";
  }
  s += "    default: return \"no such kernel\";\n  }\n"
       "  error = dlc_emu::launch(std::move(body), grid, threads);\n"
       "  return error.empty() ? nullptr : error.c_str();\n}\n}  // namespace dlc_" +
       tag + "\n";
  return s;
}

EmuModule::~EmuModule() {
  if (handle_) dlclose(handle_);
}

StatusOr<std::unique_ptr<EmuModule>> EmuModule::compile(
    const std::vector<const RenderedProgram*>& programs) {
  std::string source;
  for (size_t i = 0; i < programs.size(); ++i)
    source += emulatedSource(*programs[i], "p" + std::to_string(i));
  std::ifstream header(emuDir() + "/CudaEmu.h");
  std::stringstream headerText;
  headerText << header.rdbuf();
  const std::string flags = "-std=c++20 -O1 -w -fPIC -shared";
  const size_t key = std::hash<std::string>{}(flags + headerText.str() + source);
  std::error_code ec;
  std::filesystem::create_directories(cacheDir(), ec);
  char name[64];
  std::snprintf(name, sizeof name, "/emu-%016zx", key);
  const std::string base = cacheDir() + name;
  const std::string so = base + ".so";
  if (!std::filesystem::exists(so)) {
    const std::string tmp = base + "." + std::to_string(getpid());
    std::ofstream(tmp + ".cpp") << source;
    std::string output;
    const char* cxx = std::getenv("DLC_EMU_CXX");
    int rc = runCommand(std::string(cxx && *cxx ? cxx : "g++") + " " + flags + " -I" + emuDir() +
                            " -o " + tmp + ".so " + tmp + ".cpp",
                        output);
    if (rc != 0) return internalError("g++ failed on ", tmp, ".cpp:\n", output.substr(0, 8000));
    std::filesystem::rename(tmp + ".so", so, ec);  // atomic: parallel tests may race
    std::filesystem::remove(tmp + ".cpp", ec);
    if (ec) return internalError("cannot move ", tmp, ".so to ", so, ": ", ec.message());
  }
  std::unique_ptr<EmuModule> module(new EmuModule);
  module->handle_ = dlopen(so.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!module->handle_) return internalError("dlopen ", so, ": ", dlerror());
  for (size_t i = 0; i < programs.size(); ++i) {
    const std::string sym = "dlc_p" + std::to_string(i) + "_launch";
    void* fn = dlsym(module->handle_, sym.c_str());
    if (!fn) return internalError(so, " has no ", sym);
    module->launchers_.push_back(fn);
  }
  return module;
}

Status EmuModule::launch(size_t program, size_t kernel, const std::vector<void*>& args,
                         int64_t batch, int64_t grid, int threads) const {
  auto fn = reinterpret_cast<LaunchFn>(launchers_.at(program));
  const char* error = fn(int(kernel), args.data(), int(args.size()), batch, grid, unsigned(threads));
  if (error) return internalError("kernel ", kernel, ": ", error);
  return Status();
}

void checkEmulated(const EmuModule& module, size_t index, const ir::Graph& graph,
                   const ir::KernelPlan& plan, const RenderedProgram& program,
                   const EmuCheckOptions& options, const std::string& what) {
  ASSERT_EQ(program.kernels.size(), plan.kernels.size()) << what;
  const std::map<std::string, int> bounds = launchBounds(program.source);
  bool hasBatch = false;
  for (const ir::Node* in : graph.inputs()) hasBatch |= in->type.shape.hasBatch();
  std::vector<int64_t> batches = hasBatch ? options.batches : std::vector<int64_t>{1};
  for (int64_t batch : batches) {
    SCOPED_TRACE(what + " at batch " + std::to_string(batch));
    std::vector<Tensor> inputs = dlc::test::randomInputs(graph, batch, options.seed);
    StatusOr<std::vector<Tensor>> expected = ref::evaluate(graph, inputs);
    ASSERT_TRUE(expected.ok()) << expected.status().toString();
    HostValues values;
    for (size_t i = 0; i < graph.inputs().size(); ++i) values.add(graph.inputs()[i], inputs[i]);
    for (const auto& n : graph.nodes())
      if (n->op == ir::OpKind::Constant) values.add(n.get(), n->value);
    for (size_t k = 0; k < plan.kernels.size(); ++k) {
      const ir::Kernel& kernel = plan.kernels[k];
      const RenderedKernel& rendered = program.kernels[k];
      std::vector<void*> args;
      for (const ir::Node* p : kernel.params) {
        void* ptr = values.find(p);
        ASSERT_TRUE(ptr) << "param " << p->name << " of kernel " << k << " not computed yet";
        args.push_back(ptr);
      }
      for (const ir::Node* o : kernel.outputs) {
        Tensor poison(o->type.dtype, o->type.shape.bind(batch));
        if (ir::isFloat(o->type.dtype))
          for (int64_t i = 0; i < poison.numElements(); ++i) poison.setFromDouble(i, 12345.0);
        else std::memset(poison.data(), 0x5a, poison.byteSize());
        args.push_back(values.add(o, poison));
      }
      const rt::CudaLaunch& launch = rendered.launch;
      ASSERT_TRUE(rt::checkLaunch(launch, rendered.symbol).ok()) << rendered.symbol;
      ASSERT_EQ(launch.sharedBytes, 0) << rendered.symbol << ": dynamic shared memory";
      auto bound = bounds.find(rendered.symbol);
      ASSERT_NE(bound, bounds.end()) << "no __launch_bounds__ on " << rendered.symbol;
      ASSERT_LE(launch.threads, bound->second) << rendered.symbol << " launched past its bounds";
      StatusOr<int64_t> grid = rt::gridBlocks(launch, batch, rendered.symbol);
      ASSERT_TRUE(grid.ok()) << grid.status().toString();
      Status st = module.launch(index, k, args, batch, *grid, launch.threads);
      ASSERT_TRUE(st.ok()) << rendered.symbol << " (" << kernel.label() << "): " << st.toString();
    }
    for (size_t i = 0; i < graph.outputs().size(); ++i) {
      const ir::Node* o = graph.outputs()[i];
      Tensor actual(o->type.dtype, o->type.shape.bind(batch));
      void* ptr = values.find(o);
      ASSERT_TRUE(ptr) << "graph output " << o->name << " was never computed";
      std::memcpy(actual.data(), ptr, actual.byteSize());
      dlc::test::expectNear(actual, (*expected)[i], options.rtol, options.atol,
                  strCat(what, ": output ", i, " (", o->name, ") at batch ", batch));
    }
  }
}

}  // namespace dlc::cuda::emu

// checkOnGpu (CudaTestHarness.h): renders the IR (renderIr), compiles it with
// NVRTC (PTX for compute_XX plus a CUBIN for the GPU's own sm_XY), loads it
// with the runtime's CUDA device (cudaDevice(0)->loadModule) and runs every
// kernel of the plan in order on device buffers, one buffer per IR value:
// params then outputs, as the manifest's kernels take them. Outputs are
// poisoned first so that unwritten elements show up. The graph outputs are
// copied back and compared with the reference interpreter at every batch.
//
// What this deliberately does not do: build an artifact or a memory plan
// (the runtime's Model does that), or time anything. Without a GPU it skips,
// with the reason cudaAvailable() gives.
#include <unordered_map>

#include <gtest/gtest.h>

#include "compiler/backends/cuda/CudaCompile.h"
#include "compiler/reference/Interpreter.h"
#include "runtime/src/CudaCode.h"
#include "runtime/src/CudaDevice.h"
#include "tests/backends/cuda/CudaTestHarness.h"
#include "tests/common/TensorChecks.h"

namespace dlc::cuda::test {

namespace {

// Device memory for the values of one run, freed on destruction.
class DeviceValues {
 public:
  explicit DeviceValues(rt::Device& dev) : dev_(dev) {}
  ~DeviceValues() {
    for (auto& [node, ptr] : ptrs_) dev_.deallocate(ptr);
  }
  // Allocates the value of `node` and copies `host` into it.
  Status upload(const ir::Node* node, const Tensor& host, rt::Stream& stream) {
    DLC_ASSIGN_OR_RETURN(void* p, dev_.allocate(host.byteSize()));
    ptrs_[node] = p;
    return dev_.copyHostToDevice(p, host.data(), host.byteSize(), stream);
  }
  void* find(const ir::Node* node) const {
    auto it = ptrs_.find(node);
    return it == ptrs_.end() ? nullptr : it->second;
  }

 private:
  rt::Device& dev_;
  std::unordered_map<const ir::Node*, void*> ptrs_;
};

// The kernels as the runtime sees them: symbol, launch geometry, arg count.
std::vector<rt::KernelDesc> kernelDescs(const ir::KernelPlan& plan,
                                        const RenderedProgram& program) {
  std::vector<rt::KernelDesc> descs;
  for (size_t k = 0; k < program.kernels.size(); ++k) {
    const ir::Kernel& kernel = plan.kernels[k];
    const RenderedKernel& rendered = program.kernels[k];
    rt::KernelDesc d;
    d.id = int(k);
    d.symbol = rendered.symbol;
    d.kind = std::string(ir::kernelKindName(kernel.kind));
    d.label = kernel.label();
    d.numParams = int(kernel.params.size());
    for (size_t a = 0; a < kernel.params.size() + kernel.outputs.size(); ++a)
      d.args.push_back(int(a));
    d.launch = rendered.launch;
    d.engine = rendered.engine;
    descs.push_back(std::move(d));
  }
  return descs;
}

// Runs every kernel at `batch` on GPU `dev` and returns the graph outputs.
std::vector<Tensor> runOnGpu(rt::Device& dev, rt::LoadedModule& module, const ir::Graph& graph,
                             const ir::KernelPlan& plan, const std::vector<Tensor>& inputs,
                             int64_t batch) {
  auto stream = dev.createStream();
  EXPECT_TRUE(stream.ok()) << stream.status().toString();
  if (!stream.ok()) return {};
  DeviceValues values(dev);
  auto uploaded = [&](const ir::Node* node, const Tensor& host) {
    Status st = values.upload(node, host, **stream);
    EXPECT_TRUE(st.ok()) << node->name << ": " << st.toString();
    return st.ok();
  };
  for (size_t i = 0; i < graph.inputs().size(); ++i)
    if (!uploaded(graph.inputs()[i], inputs[i])) return {};
  for (const auto& n : graph.nodes())
    if (n->op == ir::OpKind::Constant && !uploaded(n.get(), n->value)) return {};
  for (size_t k = 0; k < plan.kernels.size(); ++k) {
    const ir::Kernel& kernel = plan.kernels[k];
    std::vector<void*> args;
    for (const ir::Node* p : kernel.params) {
      void* ptr = values.find(p);
      EXPECT_TRUE(ptr) << "param " << p->name << " of kernel " << k << " not computed yet";
      if (!ptr) return {};
      args.push_back(ptr);
    }
    for (const ir::Node* o : kernel.outputs) {
      Tensor poison(o->type.dtype, o->type.shape.bind(batch));
      if (ir::isFloat(o->type.dtype))
        for (int64_t i = 0; i < poison.numElements(); ++i) poison.setFromDouble(i, 12345.0);
      if (!uploaded(o, poison)) return {};
      args.push_back(values.find(o));
    }
    Status st = dev.launch(module, int(k), args.data(), batch, -1, **stream);
    EXPECT_TRUE(st.ok()) << "kernel " << k << " (" << kernel.label() << "): " << st.toString();
    if (!st.ok()) return {};
  }
  std::vector<Tensor> outs;
  for (const ir::Node* o : graph.outputs()) {
    Tensor host(o->type.dtype, o->type.shape.bind(batch));
    void* ptr = values.find(o);
    EXPECT_TRUE(ptr) << "graph output " << o->name << " was never computed";
    if (!ptr) return {};
    Status st = dev.copyDeviceToHost(host.data(), ptr, host.byteSize(), **stream);
    EXPECT_TRUE(st.ok()) << st.toString();
    if (!st.ok()) return {};
    outs.push_back(std::move(host));
  }
  // Copies from the device finish before synchronize returns; every error a
  // kernel raised (an illegal address, say) surfaces here at the latest.
  Status synced = dev.synchronize(**stream);
  EXPECT_TRUE(synced.ok()) << synced.toString();
  if (!synced.ok()) return {};
  return outs;
}

// "9.0" -> "sm_90".
std::string smArch(const std::string& computeCapability) {
  std::string digits;
  for (char c : computeCapability)
    if (c != '.') digits += c;
  return "sm_" + digits;
}

}  // namespace

void checkOnGpu(const std::string& irText, bool fuse, const GpuCheckOptions& options) {
  Status available = rt::cudaAvailable();
  if (!available.ok()) GTEST_SKIP() << "no GPU: " << available.message();
  StatusOr<rt::Device*> dev = rt::cudaDevice(0);
  ASSERT_TRUE(dev.ok()) << dev.status().toString();

  CudaOptions cudaOptions;
  cudaOptions.arch = smArch((*dev)->info().computeCapability);
  cudaOptions.cubin = true;
  cudaOptions.useCache = false;
  Rendered rendered = renderIr(irText, fuse, cudaOptions);
  if (!rendered.graph || rendered.program.source.empty()) return;  // renderIr reported it
  const ir::Graph& graph = *rendered.graph;
  ASSERT_EQ(rendered.program.kernels.size(), rendered.plan.kernels.size());
  for (size_t k = 0; k < rendered.plan.kernels.size(); ++k) {
    if (rendered.program.kernels[k].id >= 0) {
      ASSERT_EQ(rendered.program.kernels[k].id, rendered.plan.kernels[k].id) << "kernel " << k;
    }
  }

  StatusOr<rt::CudaCode> code = compileProgram(rendered.program, cudaOptions);
  ASSERT_TRUE(code.ok()) << code.status().toString();
  auto module = (*dev)->loadModule(rt::serializeCudaCode(*code),
                                   kernelDescs(rendered.plan, rendered.program), "<test>");
  ASSERT_TRUE(module.ok()) << module.status().toString();

  bool hasBatch = false;
  for (const ir::Node* in : graph.inputs()) hasBatch |= in->type.shape.hasBatch();
  std::vector<int64_t> batches = hasBatch ? options.batches : std::vector<int64_t>{1};
  for (int64_t batch : batches) {
    std::vector<Tensor> inputs = dlc::test::randomInputs(graph, batch, options.seed);
    StatusOr<std::vector<Tensor>> expected = ref::evaluate(graph, inputs);
    ASSERT_TRUE(expected.ok()) << expected.status().toString();
    std::vector<Tensor> actual =
        runOnGpu(**dev, **module, graph, rendered.plan, inputs, batch);
    ASSERT_EQ(actual.size(), expected->size()) << "at batch " << batch;
    for (size_t i = 0; i < actual.size(); ++i)
      dlc::test::expectNear(actual[i], (*expected)[i], options.rtol, options.atol,
                  strCat("output ", i, " at batch ", batch, " on ", (*dev)->name()));
  }
}

}  // namespace dlc::cuda::test

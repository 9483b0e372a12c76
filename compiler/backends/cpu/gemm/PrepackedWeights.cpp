// Which dense weights are stored pre-packed, and their packing. See
// PrepackedWeights.h.
#include "compiler/backends/cpu/gemm/PrepackedWeights.h"

#include <algorithm>
#include <cstring>
#include <unordered_set>

#include "compiler/backends/cpu/gemm/GemmConfig.h"

namespace dlc::cpu::gemm {

std::unordered_map<const ir::Node*, PanelLayout> choosePrepackedWeights(
    const ir::Graph& graph, const ir::KernelPlan& plan, unsigned vectorBits) {
  std::unordered_map<const ir::Node*, PanelLayout> chosen;
  std::unordered_set<const ir::Node*> denseRoots;
  for (const ir::Kernel& k : plan.kernels)
    if (k.root && k.root->op == ir::OpKind::Dense) denseRoots.insert(k.root);
  const auto users = graph.computeUsers();
  for (const auto& owned : graph.nodes()) {
    const ir::Node* w = owned.get();
    if (w->op != ir::OpKind::Constant || w->type.dtype != ir::DType::F32 ||
        w->type.shape.rank() != 2 || graph.isOutput(w))
      continue;
    const int64_t k = w->type.shape.dim(0), cols = w->type.shape.dim(1);
    if (k <= 0 || cols <= 0 || w->value.empty() || w->value.dtype() != ir::DType::F32 ||
        w->value.numElements() != k * cols)
      continue;
    const GemmConfig config = chooseGemmConfig(cols, vectorBits);
    if (cols % int64_t(config.nr()) != 0) continue;
    auto it = users.find(w);
    if (it == users.end() || it->second.empty()) continue;
    // Read only as the w of dense roots of these kernels (a node reading w
    // as x or bias as well would see the packed bytes).
    const bool onlyDenseWeights =
        std::all_of(it->second.begin(), it->second.end(), [&](const ir::Node* u) {
          return denseRoots.count(u) && u->inputs[0] != w && u->inputs[1] == w &&
                 (u->inputs.size() < 3 || u->inputs[2] != w);
        });
    if (onlyDenseWeights) chosen[w] = {config.kc, int64_t(config.nr())};
  }
  return chosen;
}

Tensor packWeights(const Tensor& w, const PanelLayout& layout) {
  const int64_t k = w.dims()[0], cols = w.dims()[1];
  Tensor packed(ir::DType::F32, w.dims());
  const float* src = w.as<float>();
  float* dst = packed.as<float>();
  for (int64_t k0 = 0; k0 < k; k0 += layout.kc) {
    const int64_t kcb = std::min(layout.kc, k - k0);
    for (int64_t p = 0; p < cols / layout.nr; ++p) {
      float* panel = dst + k0 * cols + p * kcb * layout.nr;
      for (int64_t kk = 0; kk < kcb; ++kk)
        std::memcpy(panel + kk * layout.nr, src + (k0 + kk) * cols + p * layout.nr,
                    size_t(layout.nr) * sizeof(float));
    }
  }
  return packed;
}

}  // namespace dlc::cpu::gemm

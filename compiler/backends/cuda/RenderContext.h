// Per-kernel rendering state shared by the CUDA kernel renderers: the text
// being written, fresh names, and the kernel's buffers.
//
// The driver (CudaBackend.cpp) opens
//   extern "C" __global__ void __launch_bounds__(T) dlc_k<k>(DlcArgs a) {
// binds every param and output to a typed pointer local
//   const float* __restrict__ p0 = (const float*)a.ptr[0]; ... float* o0 = ...
//   const long long N = a.batch;
// and hands a RenderContext to the renderer of the kernel's kind, which
// writes the body and sets `launch`. It closes the function afterwards.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/backends/cuda/CudaBackend.h"
#include "ir/Graph.h"
#include "ir/Kernel.h"

namespace dlc::cuda {

// An indented text writer.
class SourceWriter {
 public:
  void line(const std::string& text);  // one line at the current indent
  void open(const std::string& text);  // line(text + " {"), indent
  void close(const std::string& suffix = "");  // dedent, line("}" + suffix)
  const std::string& text() const { return text_; }
  void append(const std::string& raw) { text_ += raw; }

 private:
  std::string text_;
  int indent_ = 0;
};

struct RenderContext {
  RenderContext(const ir::Graph& g, const ir::Kernel& k, const CudaOptions& o, SourceWriter& w)
      : graph(g), kernel(k), options(o), out(w) {}

  const ir::Graph& graph;
  const ir::Kernel& kernel;
  const CudaOptions& options;
  SourceWriter& out;

  // C names of the param and output pointers ("p0", "o1"); a node that is
  // both is found in outputs.
  std::unordered_map<const ir::Node*, std::string> params;
  std::unordered_map<const ir::Node*, std::string> outputs;
  // The renderer fills this in.
  rt::CudaLaunch launch;

  // A fresh local name with the given prefix ("v12").
  std::string fresh(const std::string& prefix = "v");
  // The buffer pointer name of `node`: an output if it is one, else a param;
  // empty if neither.
  std::string bufferOf(const ir::Node* node) const;
  // A dim as a C expression: "N" for ir::kBatch, else the literal ("128LL").
  static std::string dim(int64_t d);
  // Product of dims[from, to) as a C expression of type long long.
  static std::string product(const std::vector<int64_t>& dims, size_t from, size_t to);
  // The dims as an affine count (items for CudaLaunch).
  static Affine count(const std::vector<int64_t>& dims);

 private:
  int next_ = 0;
};

}  // namespace dlc::cuda

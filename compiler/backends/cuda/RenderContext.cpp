// SourceWriter and the RenderContext helpers. See RenderContext.h.
#include "compiler/backends/cuda/RenderContext.h"

namespace dlc::cuda {

void SourceWriter::line(const std::string& text) {
  if (text.empty()) {
    text_ += "\n";
    return;
  }
  text_.append(size_t(indent_) * 2, ' ');
  text_ += text;
  text_ += "\n";
}

void SourceWriter::open(const std::string& text) {
  line(text + " {");
  ++indent_;
}

void SourceWriter::close(const std::string& suffix) {
  if (indent_ > 0) --indent_;
  line("}" + suffix);
}

std::string RenderContext::fresh(const std::string& prefix) {
  return prefix + std::to_string(next_++);
}

std::string RenderContext::bufferOf(const ir::Node* node) const {
  if (auto it = outputs.find(node); it != outputs.end()) return it->second;
  if (auto it = params.find(node); it != params.end()) return it->second;
  return {};
}

std::string RenderContext::dim(int64_t d) {
  return d == ir::kBatch ? std::string("N") : std::to_string(d) + "LL";
}

std::string RenderContext::product(const std::vector<int64_t>& dims, size_t from, size_t to) {
  int64_t fixed = 1;
  bool batch = false;
  for (size_t i = from; i < to && i < dims.size(); ++i) {
    if (dims[i] == ir::kBatch) batch = true;
    else fixed *= dims[i];
  }
  if (!batch) return std::to_string(fixed) + "LL";
  if (fixed == 1) return "N";
  return "(N * " + std::to_string(fixed) + "LL)";
}

Affine RenderContext::count(const std::vector<int64_t>& dims) {
  int64_t fixed = 1;
  bool batch = false;
  for (int64_t d : dims) {
    if (d == ir::kBatch) batch = true;
    else fixed *= d;
  }
  Affine a;
  if (batch) a.perBatch = fixed;
  else a.fixed = fixed;
  return a;
}

}  // namespace dlc::cuda

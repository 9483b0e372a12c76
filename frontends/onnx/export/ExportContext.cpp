// The writers' context: node and initializer emission, unique names, the
// run-time batch extent. See ExportContext.h.
#include "frontends/onnx/export/ExportContext.h"

#include <cstring>

namespace dlc::onnxfe {

int32_t onnxElemType(ir::DType dtype) {
  switch (dtype) {
    case ir::DType::F32: return ::onnx::TensorProto::FLOAT;
    case ir::DType::F16: return ::onnx::TensorProto::FLOAT16;
    case ir::DType::BF16: return ::onnx::TensorProto::BFLOAT16;
    case ir::DType::U8: return ::onnx::TensorProto::UINT8;
    case ir::DType::I32: return ::onnx::TensorProto::INT32;
    case ir::DType::I64: return ::onnx::TensorProto::INT64;
    case ir::DType::Bool: return ::onnx::TensorProto::BOOL;
  }
  return ::onnx::TensorProto::UNDEFINED;
}

std::string ExportState::uniqueName(const std::string& base) {
  std::string name = base;
  for (int i = 1; names.count(name); ++i) name = strCat(base, "_", i);
  names.insert(name);
  return name;
}

void fillTensorProto(const Tensor& value, const std::string& name, ::onnx::TensorProto* proto) {
  proto->set_name(name);
  proto->set_data_type(onnxElemType(value.dtype()));
  for (int64_t d : value.dims()) proto->add_dims(d);
  // dlc stores every dtype as little-endian bytes in ONNX's layout (bool as
  // one byte, f16/bf16 as their 16-bit patterns), which is raw_data's form.
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "raw_data is little-endian");
  proto->set_raw_data(std::string(static_cast<const char*>(value.data()), value.byteSize()));
}

::onnx::NodeProto* ExportContext::add(std::string_view opType,
                                      const std::vector<std::string>& inputs,
                                      const std::string& output) {
  ::onnx::NodeProto* n = state_.graph->add_node();
  n->set_op_type(std::string(opType));
  // The node producing out() is named like the dlc node; helpers like
  // their output value (already unique).
  n->set_name(output);
  for (const std::string& in : inputs) n->add_input(in);
  n->add_output(output);
  return n;
}

std::string ExportContext::tmp(std::string_view suffix) {
  return state_.uniqueName(strCat(node_.name, "/", suffix));
}

std::string ExportContext::tensor(const Tensor& value, std::string_view suffix) {
  std::string name = tmp(suffix);
  fillTensorProto(value, name, state_.graph->add_initializer());
  return name;
}

std::string ExportContext::scalar(ir::DType dtype, double value, std::string_view suffix) {
  Tensor t(dtype, {});
  t.setFromDouble(0, value);
  return tensor(t, suffix);
}

std::string ExportContext::ints(const std::vector<int64_t>& values, std::string_view suffix) {
  Tensor t(ir::DType::I64, {int64_t(values.size())});
  if (!values.empty()) std::memcpy(t.data(), values.data(), values.size() * sizeof(int64_t));
  return tensor(t, suffix);
}

StatusOr<std::string> ExportContext::shapeValue(const std::vector<int64_t>& dims,
                                                std::string_view suffix) {
  bool hasBatch = false;
  for (int64_t d : dims) hasBatch = hasBatch || d == ir::kBatch;
  if (!hasBatch) return ints(dims, suffix);
  if (state_.batchValue.empty()) {
    // N at run time: Shape of the first graph input holding it, one entry.
    const ir::Node* holder = nullptr;
    int axis = -1;
    for (const ir::Node* in : state_.source->inputs()) {
      for (int i = 0; i < in->type.shape.rank() && axis < 0; ++i)
        if (in->type.shape.dim(i) == ir::kBatch) axis = i;
      if (axis >= 0) {
        holder = in;
        break;
      }
    }
    if (!holder)
      return error(StatusCode::kUnsupported,
                   "needs the batch size N at run time, but no graph input holds N");
    std::string shape = state_.uniqueName("dlc/batch/shape");
    ::onnx::NodeProto* s = state_.graph->add_node();
    s->set_op_type("Shape");
    s->set_name(shape);
    s->add_input(holder->name);
    s->add_output(shape);
    std::string index = state_.uniqueName("dlc/batch/axis");
    Tensor idx(ir::DType::I64, {1});
    idx.as<int64_t>()[0] = axis;
    fillTensorProto(idx, index, state_.graph->add_initializer());
    std::string batch = state_.uniqueName("dlc/batch");
    ::onnx::NodeProto* g = state_.graph->add_node();
    g->set_op_type("Gather");
    g->set_name(batch);
    g->add_input(shape);
    g->add_input(index);
    g->add_output(batch);
    setAttr(g, "axis", int64_t(0));
    state_.batchValue = batch;
  }
  // Concat(static runs, N, static runs...).
  std::vector<std::string> pieces;
  std::vector<int64_t> run;
  auto flush = [&] {
    if (!run.empty()) pieces.push_back(ints(run, strCat(suffix, "_part")));
    run.clear();
  };
  for (int64_t d : dims) {
    if (d != ir::kBatch) {
      run.push_back(d);
      continue;
    }
    flush();
    pieces.push_back(state_.batchValue);
  }
  flush();
  std::string out = tmp(suffix);
  setAttr(add("Concat", pieces, out), "axis", int64_t(0));
  return out;
}

std::string ExportContext::castInput(int i, ir::DType dtype, std::string_view suffix) {
  if (inType(i).dtype == dtype) return in(i);
  std::string out = tmp(suffix);
  setAttr(add("Cast", {in(i)}, out), "to", int64_t(onnxElemType(dtype)));
  return out;
}

Status ExportContext::error(StatusCode code, const std::string& message) const {
  const std::string& file = state_.source->sourceFile;
  return Status(code, strCat(file.empty() ? std::string("<graph>") : file, ": ",
                             node_.describe(), ": ", message));
}

void setAttr(::onnx::NodeProto* node, const std::string& name, int64_t value) {
  ::onnx::AttributeProto* a = node->add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::INT);
  a->set_i(value);
}

void setAttr(::onnx::NodeProto* node, const std::string& name, float value) {
  ::onnx::AttributeProto* a = node->add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::FLOAT);
  a->set_f(value);
}

void setAttr(::onnx::NodeProto* node, const std::string& name, const std::string& value) {
  ::onnx::AttributeProto* a = node->add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::STRING);
  a->set_s(value);
}

void setAttr(::onnx::NodeProto* node, const std::string& name,
             const std::vector<int64_t>& value) {
  ::onnx::AttributeProto* a = node->add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::INTS);
  for (int64_t v : value) a->add_ints(v);
}

}  // namespace dlc::onnxfe

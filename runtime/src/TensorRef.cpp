#include "runtime/src/TensorRef.h"

#include <sstream>

namespace dlc::rt {

namespace {

std::string dimsStr(const std::vector<int64_t>& dims) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < dims.size(); ++i) os << (i ? "," : "") << dims[i];
  os << "]";
  return os.str();
}

std::string describe(const BufferDesc& desc, int64_t batch) {
  std::string s = strCat(ir::dtypeName(desc.dtype), dimsStr(boundDims(desc, batch)));
  if (ir::Shape(desc.dims).hasBatch())
    s += strCat(" (", ir::dtypeName(desc.dtype), ir::Shape(desc.dims).str(), " at N=", batch, ")");
  return s;
}

}  // namespace

std::vector<int64_t> boundDims(const BufferDesc& desc, int64_t batch) {
  return ir::Shape(desc.dims).bind(batch);
}

Status checkTensorRef(const BufferDesc& desc, const char* role, int index, int64_t batch,
                      const TensorRef& ref) {
  std::string who = strCat(role, " ", index, " \"", desc.name, "\"");
  if (!ref.data) {
    if (std::string(role) == "output") return Status::OK();
    return invalidArgument(who, ": no data (null pointer)");
  }
  std::vector<int64_t> want = boundDims(desc, batch);
  if (ref.dtype != desc.dtype || ref.dims != want)
    return invalidArgument(who, ": expected ", describe(desc, batch), ", got ",
                           ir::dtypeName(ref.dtype), dimsStr(ref.dims));
  return Status::OK();
}

Status checkNoOverlap(const Manifest& m, int64_t batch, const std::vector<TensorRef>& inputs,
                      const std::vector<TensorRef>& outputs) {
  struct Range {
    uintptr_t begin, end;
    std::string who;
  };
  std::vector<Range> ranges;
  auto add = [&](const std::vector<TensorRef>& refs, const std::vector<int>& ids, const char* role) {
    for (size_t i = 0; i < refs.size() && i < ids.size(); ++i) {
      if (!refs[i].data) continue;
      const BufferDesc& d = m.buffers[size_t(ids[i])];
      auto b = reinterpret_cast<uintptr_t>(refs[i].data);
      ranges.push_back({b, b + uintptr_t(d.bytes.at(batch)), strCat(role, " ", i, " \"", d.name, "\"")});
    }
  };
  add(outputs, m.outputs, "output");
  size_t numOutputs = ranges.size();
  add(inputs, m.inputs, "input");
  for (size_t o = 0; o < numOutputs; ++o)
    for (size_t j = 0; j < ranges.size(); ++j) {
      if (j == o || ranges[o].begin == ranges[o].end || ranges[j].begin == ranges[j].end) continue;
      if (ranges[o].begin < ranges[j].end && ranges[j].begin < ranges[o].end)
        return invalidArgument(ranges[o].who, ": buffer overlaps ", ranges[j].who);
    }
  return Status::OK();
}

}  // namespace dlc::rt

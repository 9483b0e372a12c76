#include "ir/Types.h"

#include <array>
#include <limits>

namespace dlc::ir {

namespace {
struct DTypeInfo {
  DType type;
  const char* name;
  size_t size;
};
constexpr std::array<DTypeInfo, kNumDTypes> kDTypes = {{
    {DType::F32, "f32", 4},
    {DType::F16, "f16", 2},
    {DType::BF16, "bf16", 2},
    {DType::U8, "u8", 1},
    {DType::I32, "i32", 4},
    {DType::I64, "i64", 8},
    {DType::Bool, "bool", 1},
}};
}  // namespace

size_t dtypeSize(DType t) { return kDTypes[size_t(t)].size; }
std::string_view dtypeName(DType t) { return kDTypes[size_t(t)].name; }
std::optional<DType> parseDType(std::string_view name) {
  for (const auto& info : kDTypes)
    if (name == info.name) return info.type;
  if (name == "float32") return DType::F32;
  if (name == "uint8") return DType::U8;
  if (name == "int32") return DType::I32;
  if (name == "int64") return DType::I64;
  if (name == "float16") return DType::F16;
  if (name == "bfloat16") return DType::BF16;
  return std::nullopt;
}
bool isFloat(DType t) {
  return t == DType::F32 || t == DType::F16 || t == DType::BF16;
}
bool isInteger(DType t) {
  return t == DType::U8 || t == DType::I32 || t == DType::I64;
}

int64_t integerLowest(DType t) {
  switch (t) {
    case DType::U8: return 0;
    case DType::I32: return std::numeric_limits<int32_t>::min();
    default: return std::numeric_limits<int64_t>::min();
  }
}

int64_t integerHighest(DType t) {
  switch (t) {
    case DType::U8: return 255;
    case DType::I32: return std::numeric_limits<int32_t>::max();
    default: return std::numeric_limits<int64_t>::max();
  }
}

bool Shape::hasBatch() const {
  for (int64_t d : dims_)
    if (d == kBatch) return true;
  return false;
}

int64_t Shape::numElements(int64_t batch) const {
  int64_t n = 1;
  for (int64_t d : dims_) n *= (d == kBatch ? batch : d);
  return n;
}

int64_t Shape::staticElements() const { return numElements(1); }

std::vector<int64_t> Shape::bind(int64_t batch) const {
  std::vector<int64_t> out = dims_;
  for (auto& d : out)
    if (d == kBatch) d = batch;
  return out;
}

std::string Shape::str() const {
  std::string s = "[";
  for (size_t i = 0; i < dims_.size(); ++i) {
    if (i) s += ",";
    s += dims_[i] == kBatch ? std::string("N") : std::to_string(dims_[i]);
  }
  return s + "]";
}

Status validateShape(const Shape& shape) {
  if (shape.rank() > kMaxRank)
    return outOfRange("rank ", shape.rank(), " exceeds the limit of ", kMaxRank);
  int64_t n = 1;
  int batchCount = 0;
  for (int64_t d : shape.dims()) {
    if (d == kBatch) {
      ++batchCount;
      continue;
    }
    if (d < 0) return invalidArgument("negative dimension ", d, " in shape ", shape.str());
    if (d != 0 && n > kMaxElements / d)
      return outOfRange("shape ", shape.str(), " has more than 2^40 elements");
    n *= d;
  }
  if (batchCount > 1)
    return invalidArgument("shape ", shape.str(), " uses the batch symbol N more than once");
  return Status::OK();
}

std::string TensorType::str() const {
  return std::string(dtypeName(dtype)) + shape.str();
}

StatusOr<Shape> broadcastShapes(const Shape& a, const Shape& b) {
  int rank = std::max(a.rank(), b.rank());
  std::vector<int64_t> out(static_cast<size_t>(rank));
  for (int i = 0; i < rank; ++i) {
    int ia = a.rank() - rank + i, ib = b.rank() - rank + i;
    int64_t da = ia >= 0 ? a.dim(ia) : 1;
    int64_t db = ib >= 0 ? b.dim(ib) : 1;
    if (da == db) out[size_t(i)] = da;
    else if (da == 1) out[size_t(i)] = db;
    else if (db == 1) out[size_t(i)] = da;
    else
      return invalidArgument("shapes ", a.str(), " and ", b.str(),
                             " do not broadcast (dimension ", i, ")");
  }
  return Shape(std::move(out));
}

StatusOr<int> normalizeAxis(int64_t axis, int rank) {
  if (axis < -rank || axis >= std::max(rank, 1))
    return invalidArgument("axis ", axis, " is out of range for rank ", rank);
  return int(axis < 0 ? axis + rank : axis);
}

}  // namespace dlc::ir

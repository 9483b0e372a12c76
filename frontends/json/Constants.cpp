#include "frontends/json/Constants.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace dlc::json {

using ir::DType;
using nlohmann::json;

namespace {

// Writes JSON scalar `v` into element `i` of `t`, or explains why it cannot.
// Returns an empty string on success.
std::string storeElement(const json& v, Tensor& t, int64_t i) {
  DType dtype = t.dtype();
  if (dtype == DType::Bool) {
    if (v.is_boolean()) {
      t.as<uint8_t>()[i] = v.get<bool>();
      return "";
    }
    if (v.is_number_integer() && (v.get<int64_t>() == 0 || v.get<int64_t>() == 1)) {
      t.as<uint8_t>()[i] = uint8_t(v.get<int64_t>());
      return "";
    }
    return "a bool constant takes true, false, 0 or 1, got " + v.dump();
  }
  if (!v.is_number())
    return std::string("expected a number, got ") + (v.is_array()    ? "a list"
                                                     : v.is_object() ? "an object"
                                                                     : v.dump());
  if (ir::isFloat(dtype)) {
    double d = v.get<double>();
    double limit = dtype == DType::F16 ? 65504.0 : double(std::numeric_limits<float>::max());
    if (std::fabs(d) > limit)
      return v.dump() + " is out of range for " + std::string(ir::dtypeName(dtype));
    t.setFromDouble(i, d);
    return "";
  }
  // Integer dtypes: exact integers (3 or 3.0) within the dtype's range.
  int64_t n;
  if (v.is_number_unsigned()) {
    if (v.get<uint64_t>() > uint64_t(INT64_MAX)) return v.dump() + " does not fit in int64";
    n = int64_t(v.get<uint64_t>());
  } else if (v.is_number_integer()) {
    n = v.get<int64_t>();
  } else {
    double d = v.get<double>();
    if (d != std::floor(d) || std::fabs(d) > 9.0e15)
      return v.dump() + " is not an integer, but the constant is " +
             std::string(ir::dtypeName(dtype));
    n = int64_t(d);
  }
  int64_t lo = dtype == DType::U8 ? 0 : dtype == DType::I32 ? INT32_MIN : INT64_MIN;
  int64_t hi = dtype == DType::U8 ? 255 : dtype == DType::I32 ? INT32_MAX : INT64_MAX;
  if (n < lo || n > hi)
    return std::to_string(n) + " is out of range for " + std::string(ir::dtypeName(dtype));
  if (dtype == DType::U8)
    t.as<uint8_t>()[i] = uint8_t(n);
  else if (dtype == DType::I32)
    t.as<int32_t>()[i] = int32_t(n);
  else
    t.as<int64_t>()[i] = n;
  return "";
}

// Checks that nested list `v` matches `dims` at every level, before anything
// is allocated: the shape in the file may be far larger than the list.
Status checkNested(const json& v, const std::vector<int64_t>& dims, size_t dim,
                   const Where& where) {
  if (dim == dims.size()) return Status::OK();
  int64_t extent = dims[dim];
  if (!v.is_array() || int64_t(v.size()) != extent)
    return where.error("expected a list of ", extent, " entries for dimension ", dim, " of ",
                       ir::Shape(dims).str(), ", got ",
                       v.is_array() ? std::to_string(v.size()) + " entries" : v.dump());
  for (size_t i = 0; i < v.size(); ++i)
    DLC_RETURN_IF_ERROR(checkNested(v[i], dims, dim + 1, where.index(i)));
  return Status::OK();
}

// Stores the leaves of a nested list already checked by checkNested into `t`,
// in row-major order.
class NestedFill {
 public:
  NestedFill(Tensor& t, const Where& where) : t_(t), where_(where) {}

  Status fill(const json& v, int dim) {
    if (dim == t_.rank()) {
      std::string problem = storeElement(v, t_, next_++);
      return problem.empty() ? Status::OK() : here().error(problem);
    }
    for (size_t i = 0; i < v.size(); ++i) {
      path_.push_back(i);
      DLC_RETURN_IF_ERROR(fill(v[i], dim + 1));
      path_.pop_back();
    }
    return Status::OK();
  }

 private:
  Where here() const {
    Where w = where_;
    for (size_t i : path_) w = w.index(i);
    return w;
  }
  Tensor& t_;
  const Where& where_;
  std::vector<size_t> path_;
  int64_t next_ = 0;
};

// Allocates the constant's tensor once its size is known to be within limits.
StatusOr<Tensor> allocate(DType dtype, const ir::Shape& shape, const Where& where) {
  auto bytes = Tensor::checkedByteSize(dtype, shape.dims());
  if (!bytes.ok()) return where.wrap(bytes.status());
  if (uint64_t(*bytes) > kMaxInlineBytes)
    return where.error("an inline value of ", shape.str(), " ", ir::dtypeName(dtype), " (",
                       *bytes, " bytes) exceeds the limit of ", kMaxInlineBytes,
                       " bytes; store large constants in a weights file");
  auto t = Tensor::create(dtype, shape.dims());
  if (!t.ok()) return where.wrap(t.status());
  return std::move(t).value();
}

bool isFlatList(const json& v) {
  for (const json& e : v)
    if (e.is_array() || e.is_object()) return false;
  return true;
}

std::string describe(const Tensor& t) { return t.type().str(); }

}  // namespace

StatusOr<Tensor> tensorFromValue(const json& value, DType dtype, const ir::Shape& shape,
                                 const Where& where) {
  int64_t count = shape.numElements();
  if (!value.is_array()) {
    if (uint64_t(count) * ir::dtypeSize(dtype) > kMaxInlineBytes)
      return where.error("splatting a scalar to ", shape.str(), " exceeds the limit of ",
                         kMaxInlineBytes, " bytes; store large constants in a weights file");
    DLC_ASSIGN_OR_RETURN(Tensor t, allocate(dtype, shape, where));
    std::string problem = storeElement(value, t, 0);
    if (!problem.empty()) return where.error(problem);
    // Copy by doubling: a 1 GiB splat is log2(count) copies, not count.
    auto* bytes = static_cast<uint8_t*>(t.data());
    const size_t total = size_t(count) * ir::dtypeSize(dtype);
    for (size_t filled = ir::dtypeSize(dtype); filled < total;) {
      size_t chunk = std::min(filled, total - filled);
      std::memcpy(bytes + filled, bytes, chunk);
      filled += chunk;
    }
    return t;
  }
  bool flat = isFlatList(value);
  if (flat && shape.rank() != 1) {
    if (int64_t(value.size()) != count)
      return where.error("a flat list needs exactly ", count, " values for shape ", shape.str(),
                         ", got ", value.size());
    DLC_ASSIGN_OR_RETURN(Tensor t, allocate(dtype, shape, where));
    for (size_t i = 0; i < value.size(); ++i) {
      std::string problem = storeElement(value[i], t, int64_t(i));
      if (!problem.empty()) return where.index(i).error(problem);
    }
    return t;
  }
  if (shape.isScalar())
    return where.error("a scalar constant takes a number (or a list of one), got a nested list");
  DLC_RETURN_IF_ERROR(checkNested(value, shape.dims(), 0, where));
  DLC_ASSIGN_OR_RETURN(Tensor t, allocate(dtype, shape, where));
  DLC_RETURN_IF_ERROR(NestedFill(t, where).fill(value, 0));
  return t;
}

StatusOr<ConstantEntry> readConstant(const json& entry, WeightStore& weights, const Where& where) {
  if (!entry.is_object()) return where.error("a constant must be an object");
  DLC_RETURN_IF_ERROR(
      checkFields(entry, {"name", "dtype", "shape", "value", "file", "key"}, where));
  ConstantEntry out;
  DLC_ASSIGN_OR_RETURN(out.name, requireName(entry, where));
  if (!entry.contains("dtype")) return where.error("missing field \"dtype\"");
  DLC_ASSIGN_OR_RETURN(DType dtype, parseDTypeValue(entry["dtype"], where.field("dtype")));
  if (!entry.contains("shape")) return where.error("missing field \"shape\"");
  DLC_ASSIGN_OR_RETURN(ir::Shape shape,
                       parseShapeValue(entry["shape"], where.field("shape"), /*allowBatch=*/false));

  bool hasValue = entry.contains("value"), hasFile = entry.contains("file");
  if (hasValue == hasFile)
    return where.error(hasValue ? "give either \"value\" or \"file\", not both"
                                : "missing field \"value\" or \"file\"");
  if (hasValue) {
    if (entry.contains("key")) return where.error("\"key\" only goes with \"file\"");
    DLC_ASSIGN_OR_RETURN(out.value,
                         tensorFromValue(entry["value"], dtype, shape, where.field("value")));
    return out;
  }
  DLC_ASSIGN_OR_RETURN(std::string file, requireString(entry, "file", where));
  std::string key = out.name;
  bool hasKey = entry.contains("key");
  if (hasKey) {
    DLC_ASSIGN_OR_RETURN(key, requireString(entry, "key", where));
  }
  DLC_ASSIGN_OR_RETURN(Tensor stored, weights.get(file, key, hasKey, where));
  bool npy = file.size() >= 4 && file.compare(file.size() - 4, 4, ".npy") == 0;
  std::string source = npy ? "\"" + file + "\"" : "\"" + file + "\"[\"" + key + "\"]";
  if (stored.dtype() != dtype)
    return where.error(source, " holds ", describe(stored), " but the constant declares dtype ",
                       ir::dtypeName(dtype));
  if (ir::Shape(stored.dims()) != shape) {
    int64_t have = stored.numElements(), want = shape.numElements();
    if (have != want)
      return where.error(source, " holds ", describe(stored), " (", have, " elements, ",
                         have * int64_t(ir::dtypeSize(dtype)), " bytes), too ",
                         have < want ? "short" : "long", " for the declared shape ", shape.str(),
                         " (", want, " elements, ", want * int64_t(ir::dtypeSize(dtype)),
                         " bytes)");
    return where.error(source, " holds shape ", ir::Shape(stored.dims()).str(),
                       " but the constant declares ", shape.str(),
                       "; dlc never reshapes weights implicitly");
  }
  out.value = std::move(stored);
  return out;
}

}  // namespace dlc::json

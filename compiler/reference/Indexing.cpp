// Row-major strides, broadcast stride mapping and the multi-index odometer.
#include "compiler/reference/Indexing.h"

namespace dlc::ref {

int64_t product(const Dims& dims, size_t begin, size_t end) {
  int64_t n = 1;
  for (size_t i = begin; i < end && i < dims.size(); ++i) n *= dims[i];
  return n;
}

Dims rowMajorStrides(const Dims& dims) {
  Dims strides(dims.size(), 1);
  for (size_t i = dims.size(); i-- > 1;) strides[i - 1] = strides[i] * dims[i];
  return strides;
}

StatusOr<Dims> broadcastStrides(const Dims& inDims, const Dims& inStrides,
                                const Dims& outDims) {
  if (inDims.size() > outDims.size())
    return invalidArgument("cannot broadcast ", dimsStr(inDims), " to ", dimsStr(outDims));
  size_t lead = outDims.size() - inDims.size();
  Dims strides(outDims.size(), 0);
  for (size_t i = 0; i < inDims.size(); ++i) {
    int64_t in = inDims[i], out = outDims[lead + i];
    if (in == out && in != 1)
      strides[lead + i] = inStrides[i];
    else if (in != 1)
      return invalidArgument("cannot broadcast ", dimsStr(inDims), " to ", dimsStr(outDims));
  }
  return strides;
}

StatusOr<Dims> broadcastStrides(const Dims& inDims, const Dims& outDims) {
  return broadcastStrides(inDims, rowMajorStrides(inDims), outDims);
}

StatusOr<Dims> broadcastDims(const Dims& a, const Dims& b) {
  size_t rank = std::max(a.size(), b.size());
  Dims out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i + a.size() >= rank ? a[i + a.size() - rank] : 1;
    int64_t db = i + b.size() >= rank ? b[i + b.size() - rank] : 1;
    if (da != db && da != 1 && db != 1)
      return invalidArgument("shapes ", dimsStr(a), " and ", dimsStr(b), " do not broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

bool nextIndex(Dims& index, const Dims& dims) {
  for (size_t i = dims.size(); i-- > 0;) {
    if (++index[i] < dims[i]) return true;
    index[i] = 0;
  }
  return false;
}

int64_t offsetOf(const Dims& index, const Dims& strides) {
  int64_t off = 0;
  for (size_t i = 0; i < index.size(); ++i) off += index[i] * strides[i];
  return off;
}

std::string dimsStr(const Dims& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(dims[i]);
  }
  return s + "]";
}

}  // namespace dlc::ref

// Reads a conv2d's geometry. See ConvGeometry.h.
#include "ir/ConvGeometry.h"

namespace dlc::ir {

StatusOr<ConvGeometry> convGeometry(const Node& root) {
  const std::vector<int64_t>& xd = root.inputs[0]->type.shape.dims();
  const std::vector<int64_t>& wd = root.inputs[1]->type.shape.dims();
  const std::vector<int64_t>& od = root.type.shape.dims();
  if (xd.size() != 4 || wd.size() != 4 || od.size() != 4)
    return unsupported(root.describe(), ": conv2d needs 4-D input, weight and result");
  for (int d = 1; d < 4; ++d)
    if (xd[size_t(d)] == kBatch || wd[size_t(d)] == kBatch || wd[0] == kBatch ||
        od[size_t(d)] == kBatch)
      return unsupported(root.describe(), ": conv2d takes the batch symbol N only as dim 0");
  std::vector<int64_t> strides = root.attrs.getInts("strides", {1, 1});
  std::vector<int64_t> pads = root.attrs.getInts("pads", {0, 0, 0, 0});
  std::vector<int64_t> dilations = root.attrs.getInts("dilations", {1, 1});
  const int64_t groups = root.attrs.getInt("groups", 1);
  if (strides.size() != 2 || pads.size() != 4 || dilations.size() != 2 || groups < 1 ||
      xd[1] % groups != 0 || wd[0] % groups != 0 || wd[1] != xd[1] / groups)
    return unsupported(root.describe(), ": conv2d attributes do not fit its operands");
  return ConvGeometry{xd[0],      xd[1],      xd[2],   xd[3],   wd[0],        od[2],
                      od[3],      groups,     wd[1],   wd[0] / groups,        wd[2],
                      wd[3],      strides[0], strides[1], pads[0], pads[1], dilations[0],
                      dilations[1]};
}

}  // namespace dlc::ir

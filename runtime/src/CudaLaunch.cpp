// See CudaLaunch.h.
#include "runtime/src/CudaLaunch.h"

namespace dlc::rt {

int64_t launchBlocks(const CudaLaunch& launch, int64_t batch) {
  int64_t items = launch.items.at(batch);
  int64_t per = launch.itemsPerBlock < 1 ? 1 : launch.itemsPerBlock;
  // Divides before rounding up so that huge item counts cannot overflow.
  int64_t blocks = items <= 0 ? 1 : items / per + (items % per != 0 ? 1 : 0);
  if (blocks < 1) blocks = 1;
  if (launch.maxBlocks > 0 && blocks > launch.maxBlocks) blocks = launch.maxBlocks;
  return blocks;
}

Status checkLaunch(const CudaLaunch& launch, const std::string& what) {
  if (launch.threads < 1 || launch.threads > 1024)
    return invalidArgument(what, ": launch threads ", launch.threads,
                           " per block is outside [1, 1024]");
  if (launch.itemsPerBlock < 1)
    return invalidArgument(what, ": launch itemsPerBlock ", launch.itemsPerBlock,
                           " must be at least 1");
  if (launch.sharedBytes < 0)
    return invalidArgument(what, ": launch sharedBytes ", launch.sharedBytes, " is negative");
  if (launch.maxBlocks < 0 || launch.maxBlocks > kMaxGridBlocks)
    return invalidArgument(what, ": launch maxBlocks ", launch.maxBlocks, " is outside [0, ",
                           kMaxGridBlocks, "]");
  return Status::OK();
}

StatusOr<int64_t> gridBlocks(const CudaLaunch& launch, int64_t batch, const std::string& what) {
  int64_t items = launch.items.at(batch);
  if (items < 0)
    return invalidArgument(what, ": ", items, " work items at batch ", batch,
                           " (items = ", launch.items.fixed, " + ", launch.items.perBatch,
                           " x N)");
  int64_t blocks = launchBlocks(launch, batch);
  if (blocks > kMaxGridBlocks)
    return outOfRange(what, ": batch ", batch, " needs ", blocks, " blocks of ",
                      launch.itemsPerBlock, " items; a launch has at most ", kMaxGridBlocks);
  return blocks;
}

}  // namespace dlc::rt

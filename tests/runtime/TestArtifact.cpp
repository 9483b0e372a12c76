#include "TestArtifact.h"

#include <cstring>
#include <fstream>
#include <iterator>

#include "runtime/src/Artifact.h"

namespace dlc::rt::testing {

namespace {

BufferDesc buffer(int id, const std::string& name, BufferKind kind, std::vector<int64_t> dims) {
  BufferDesc b;
  b.id = id;
  b.name = name;
  b.kind = kind;
  b.dtype = ir::DType::F32;
  int64_t elems = 1;
  bool batch = false;
  for (int64_t d : dims) {
    if (d == ir::kBatch) batch = true;
    else elems *= d;
  }
  b.bytes = batch ? Affine{0, 4 * elems} : Affine{4 * elems, 0};
  b.dims = std::move(dims);
  return b;
}

KernelDesc kernel(int id, const std::string& symbol, const std::string& kind,
                  const std::string& label, std::vector<int> args, int numParams,
                  std::vector<std::string> nodes, Affine read, Affine written) {
  KernelDesc k;
  k.id = id;
  k.symbol = symbol;
  k.kind = kind;
  k.label = label;
  k.device = "/device:CPU:0";
  k.args = std::move(args);
  k.numParams = numParams;
  k.nodes = std::move(nodes);
  k.bytesRead = read;
  k.bytesWritten = written;
  k.flops = {0, written.perBatch / 4};
  return k;
}

}  // namespace

std::vector<uint8_t> kernelCode() {
  std::ifstream in(DLC_TEST_KERNELS_SO, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

Manifest sumManifest() {
  Manifest m;
  m.modelName = "sum_model";
  const int64_t N = ir::kBatch;
  m.buffers = {buffer(0, "x", BufferKind::Input, {N, 4}),
               buffer(1, "y", BufferKind::Input, {N, 4}),
               buffer(2, "c", BufferKind::Constant, {4}),
               buffer(3, "t0", BufferKind::Temp, {N, 4}),
               buffer(4, "sum", BufferKind::Output, {N, 4}),
               buffer(5, "t2", BufferKind::Temp, {N, 4}),
               buffer(6, "rowsum", BufferKind::Output, {N})};
  m.buffers[0].ioIndex = 0;
  m.buffers[1].ioIndex = 1;
  m.buffers[3].slot = 0;
  m.buffers[4].ioIndex = 0;
  m.buffers[5].slot = 0;
  m.buffers[6].ioIndex = 1;
  m.slots = {SlotDesc{0, Affine{0, 16}}};
  m.inputs = {0, 1};
  m.outputs = {4, 6};
  m.kernels = {kernel(0, "dlc_add_bias", "loop", "add_bias", {0, 2, 3}, 2, {"bias_add"},
                      {16, 16}, {0, 16}),
               kernel(1, "dlc_add", "loop", "add", {3, 1, 4}, 2, {"sum"}, {0, 32}, {0, 16}),
               kernel(2, "dlc_add", "loop", "add", {4, 4, 5}, 2, {"double"}, {0, 32}, {0, 16}),
               kernel(3, "dlc_rowsum", "reduction", "reduce_sum", {5, 6}, 1, {"rowsum"},
                      {0, 16}, {0, 4})};
  m.placement = {{"bias_add", "add", 0, "/device:CPU:0", ""},
                 {"sum", "add", 1, "/device:CPU:0", ""},
                 {"double", "add", 2, "/device:CPU:0", ""},
                 {"rowsum", "reduce_sum", 3, "/device:CPU:0", ""},
                 {"scale", "constant", -1, "", ""}};
  m.peakTempBytes = {0, 16};
  return m;
}

std::vector<uint8_t> sumConstants() {
  std::vector<uint8_t> bytes(64, 0);
  const float c[4] = {1, 2, 3, 4};
  std::memcpy(bytes.data(), c, sizeof c);
  return bytes;
}

std::vector<uint8_t> sumArtifactBytes() {
  auto bytes = serializeArtifact(sumManifest(), sumConstants(), kernelCode());
  return bytes.ok() ? *bytes : std::vector<uint8_t>();
}

Manifest stackManifest() {
  Manifest m;
  m.modelName = "stack_model";
  m.buffers = {buffer(0, "x", BufferKind::Input, {ir::kBatch, 4}),
               buffer(1, "out", BufferKind::Output, {ir::kBatch, 4})};
  m.buffers[0].ioIndex = 0;
  m.buffers[1].ioIndex = 0;
  m.inputs = {0};
  m.outputs = {1};
  m.kernels = {kernel(0, "dlc_stack_user", "loop", "stack_user", {0, 1}, 1, {"plus_one"},
                      {0, 16}, {0, 16})};
  m.placement = {{"plus_one", "add", 0, "/device:CPU:0", ""}};
  return m;
}

Manifest biasManifest() {
  Manifest m;
  m.modelName = "bias_model";
  m.buffers = {buffer(0, "x", BufferKind::Input, {ir::kBatch, 4}),
               buffer(1, "c", BufferKind::Constant, {4}),
               buffer(2, "scores", BufferKind::Output, {ir::kBatch, 4})};
  m.buffers[0].ioIndex = 0;
  m.buffers[2].ioIndex = 0;
  m.inputs = {0};
  m.outputs = {2};
  m.kernels = {kernel(0, "dlc_add_bias", "loop", "add", {0, 1, 2}, 2, {"scores"}, {16, 16},
                      {0, 16})};
  m.placement = {{"scores", "add", 0, "/device:CPU:0", ""}, {"c", "constant", -1, "", ""}};
  return m;
}

Manifest brightnessManifest() {
  Manifest m;
  m.modelName = "brightness_model";
  BufferDesc in = buffer(0, "image", BufferKind::Input, {ir::kBatch, 28, 28});
  in.dtype = ir::DType::U8;
  in.bytes = {0, 784};
  in.ioIndex = 0;
  BufferDesc out = buffer(1, "rows", BufferKind::Output, {ir::kBatch, 10});
  out.ioIndex = 0;
  m.buffers = {in, out};
  m.inputs = {0};
  m.outputs = {1};
  m.kernels = {kernel(0, "dlc_row_brightness", "reduction", "reduce_mean", {0, 1}, 1, {"rows"},
                      {0, 784}, {0, 40})};
  m.placement = {{"rows", "reduce_mean", 0, "/device:CPU:0", ""}};
  return m;
}

}  // namespace dlc::rt::testing

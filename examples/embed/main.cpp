// embed: run a compiled dlc model from your own program.
//
//   embed MODEL.dlc INPUT.npy          input read from a NumPy file
//   embed MODEL.dlc IMAGES.idx INDEX   for a u8 [N,28,28] input: one image
//                                      of an IDX file (MNIST format)
//
// Prints the top class of the first output's first row and its probability
// (the value itself when the row is already a probability distribution,
// otherwise its softmax). Uses only the installed dlc::runtime.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "dlc/runtime.hpp"

namespace rt = dlc::runtime;

static std::vector<char> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(in), {});
}

static bool fail(const std::string& message) {
  std::fprintf(stderr, "embed: %s\n", message.c_str());
  return false;
}

static int error(const std::string& message) {
  fail(message);
  return 1;
}

// A minimal .npy (version 1/2) reader: little-endian, C order, one dtype.
static bool readNpy(const std::string& path, rt::HostTensor& out) {
  std::vector<char> b = readFile(path);
  if (b.size() < 10 || std::string(b.data() + 1, 5) != "NUMPY") return fail(path + ": not a .npy file");
  size_t headerLen = size_t(uint8_t(b[8])) | size_t(uint8_t(b[9])) << 8, start = 10;
  if (b[6] >= 2) {
    if (b.size() < 12) return fail(path + ": truncated");
    headerLen |= size_t(uint8_t(b[10])) << 16 | size_t(uint8_t(b[11])) << 24;
    start = 12;
  }
  if (b.size() < start + headerLen) return fail(path + ": truncated header");
  std::string header(b.data() + start, headerLen);
  auto field = [&](const std::string& key) {
    size_t at = header.find("'" + key + "':");
    return at == std::string::npos ? std::string() : header.substr(at + key.size() + 3);
  };
  std::string descr = field("descr"), shape = field("shape");
  if (field("fortran_order").find("True") == 0 || field("fortran_order").find(" True") == 0)
    return fail(path + ": Fortran order is not supported");
  dlc_dtype dtype;
  if (descr.find("'<f4'") != std::string::npos) dtype = DLC_F32;
  else if (descr.find("'|u1'") != std::string::npos) dtype = DLC_U8;
  else if (descr.find("'<i4'") != std::string::npos) dtype = DLC_I32;
  else if (descr.find("'<i8'") != std::string::npos) dtype = DLC_I64;
  else return fail(path + ": unsupported dtype " + descr.substr(0, descr.find(',')));
  std::vector<int64_t> dims;
  for (size_t i = shape.find('(') + 1; i < shape.size() && shape[i] != ')'; ++i)
    if (std::isdigit(uint8_t(shape[i]))) {
      dims.push_back(std::strtoll(shape.c_str() + i, nullptr, 10));
      while (i + 1 < shape.size() && std::isdigit(uint8_t(shape[i + 1]))) ++i;
    }
  out = rt::HostTensor(dtype, dims);
  if (b.size() < start + headerLen + out.byteSize()) return fail(path + ": truncated data");
  std::copy_n(b.data() + start + headerLen, out.byteSize(), out.data<char>());
  return true;
}

// One 28x28 image of an IDX3 u8 file (big-endian header), as u8 [1,28,28].
static bool readIdxImage(const std::string& path, long index, rt::HostTensor& out) {
  std::vector<char> b = readFile(path);
  auto be32 = [&](size_t at) {
    return uint32_t(uint8_t(b[at])) << 24 | uint32_t(uint8_t(b[at + 1])) << 16 |
           uint32_t(uint8_t(b[at + 2])) << 8 | uint32_t(uint8_t(b[at + 3]));
  };
  if (b.size() < 16 || be32(0) != 0x803 || be32(8) != 28 || be32(12) != 28)
    return fail(path + ": not an IDX file of 28x28 u8 images");
  if (index < 0 || uint32_t(index) >= be32(4) || b.size() < 16 + size_t(index + 1) * 784)
    return fail(path + ": image index " + std::to_string(index) + " out of range");
  out = rt::HostTensor(DLC_U8, {1, 28, 28});
  std::copy_n(b.data() + 16 + size_t(index) * 784, 784, out.data<char>());
  return true;
}

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: embed MODEL.dlc INPUT.npy | embed MODEL.dlc IMAGES.idx INDEX\n");
    return 2;
  }
  auto model = rt::Model::load(argv[1]);
  if (!model.ok()) return error(model.status().message());
  if (model->inputs().size() != 1) return error("this example feeds models with one input");

  rt::HostTensor input;
  const rt::TensorSpec& spec = model->inputs()[0];
  bool isImages = spec.dtype == DLC_U8 && spec.dims == std::vector<int64_t>{-1, 28, 28};
  bool ok = argc == 4 ? (isImages ? readIdxImage(argv[2], std::atol(argv[3]), input)
                                  : fail("an IDX input needs a u8 [N,28,28] model input"))
                      : readNpy(argv[2], input);
  if (!ok) return 1;

  auto outputs = model->run({input});
  if (!outputs.ok()) return error(outputs.status().message());
  const rt::HostTensor& out = outputs->at(0);
  if (out.dtype() != DLC_F32 || out.dims().empty()) return error("output 0 is not f32 scores");
  const int64_t classes = out.dims().size() > 1 ? out.dims().back() : 1;
  const float* row = out.data<float>();

  int64_t top = 0;
  double sum = 0, expSum = 0;
  bool probabilities = true;
  for (int64_t c = 0; c < classes; ++c) {
    if (row[c] > row[top]) top = c;
    probabilities = probabilities && row[c] >= 0 && row[c] <= 1;
    sum += row[c];
  }
  for (int64_t c = 0; c < classes; ++c) expSum += std::exp(double(row[c] - row[top]));
  probabilities = probabilities && std::fabs(sum - 1.0) < 1e-3;
  double p = probabilities ? row[top] : 1.0 / expSum;
  std::printf("top class %lld, probability %.4f\n", static_cast<long long>(top), p);
  return 0;
}

// Writes test artifacts and inputs for the embed-example test:
//   DIR/bias.dlc    f32[N,4] -> f32[N,4] (x + {1,2,3,4})
//   DIR/x.npy       f32[1,4] = {0, 0, 5, 0}       -> top class 2
//   DIR/rows.dlc    u8[N,28,28] -> f32[N,10] (mean brightness of rows 0..9)
//   DIR/images.idx  2 images; image 1 has row 3 white -> top class 3
#include <cstdio>
#include <fstream>
#include <string>

#include "TestArtifact.h"
#include "runtime/src/Artifact.h"

using namespace dlc::rt;

static bool writeFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  return bool(out);
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  std::vector<uint8_t> code = testing::kernelCode();
  for (auto [name, status] :
       {std::pair{"bias.dlc", writeArtifact(dir + "/bias.dlc", testing::biasManifest(),
                                            testing::sumConstants(), code)},
        std::pair{"rows.dlc", writeArtifact(dir + "/rows.dlc", testing::brightnessManifest(), {}, code)}})
    if (!status.ok()) {
      std::fprintf(stderr, "%s: %s\n", name, status.message().c_str());
      return 1;
    }
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 4), }";
  while ((10 + header.size() + 1) % 64) header += ' ';
  header += '\n';
  std::string npy = std::string("\x93NUMPY\x01\x00", 8);
  npy += char(header.size() & 0xff);
  npy += char(header.size() >> 8);
  npy += header;
  const float x[4] = {0, 0, 5, 0};
  npy.append(reinterpret_cast<const char*>(x), sizeof x);
  std::string idx = std::string("\x00\x00\x08\x03\x00\x00\x00\x02\x00\x00\x00\x1c\x00\x00\x00\x1c", 16);
  std::string images(2 * 784, '\0');
  for (int j = 0; j < 28; ++j) images[784 + 3 * 28 + size_t(j)] = char(255);
  images[7] = char(100);  // a dim pixel in image 0, row 0
  idx += images;
  if (!writeFile(dir + "/x.npy", npy) || !writeFile(dir + "/images.idx", idx)) {
    std::fprintf(stderr, "cannot write test inputs to %s\n", dir.c_str());
    return 1;
  }
  return 0;
}

// dlc eval: accuracy and throughput of a classifier on an IDX image and
// label set (the (Fashion-)MNIST format, gzipped or not).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>

#include "compiler/tools/dlc/Commands.h"
#include "compiler/tools/dlc/ModelSession.h"
#include "runtime/src/Report.h"
#include "support/Idx.h"

namespace dlc::cli {

static const CommandSpec kEvalSpec = withTargetFlags(
    {
    "eval",
    "dlc eval MODEL_OR_ARTIFACT --images FILE --labels FILE [--target cpu|cuda] [--batch N] "
    "[--json] [--no-fusion] [--precision P] [--allow-tf32] [--cuda-arch sm_XX] [--no-graphs] "
    "[--strict-placement] [--virtual-devices N] [--verbose] [--format F] [--weights FILE] "
    "[--scale S]",
    "Runs the whole image set in batches through a classifier whose first output holds\n"
    "class scores [N, classes], and reports accuracy, throughput (images/s) and the median\n"
    "batch latency. The model's first input receives the images: raw u8 pixels when it is u8,\n"
    "their values as numbers otherwise (times --scale: models trained on pixels in [0,1],\n"
    "like the Keras tutorial's, need --scale 1/255); its per-image shape may be [28,28],\n"
    "[784], [1,28,28] or [28,28,1].",
    {{"--images", "FILE", "IDX image file (idx3-ubyte, .gz allowed)"},
     {"--labels", "FILE", "IDX label file (idx1-ubyte, .gz allowed)"},
     {"--batch", "N", "images per batch (default 1000)"},
     {"--no-fusion", "", "compile a model file unfused"},
     {"--scale", "S", "float inputs get pixel * S; S is a number or A/B (pixel * A / B in f32)"},
     {"--json", "", "print one JSON object"}},
    1,
    1,
    },
    TargetFlagSet{/*target=*/true, /*runs=*/true});

namespace {

// How pixels become float inputs: pixel * num / den, in f32 (so "1/255"
// gives exactly float32(pixel) / float32(255), as Keras' preprocessing does).
struct PixelScale {
  float num = 1, den = 1;
  bool given = false;
};

StatusOr<PixelScale> parseScale(const std::string& text) {
  PixelScale s;
  s.given = true;
  size_t slash = text.find('/');
  char* end = nullptr;
  std::string a = text.substr(0, slash);
  s.num = std::strtof(a.c_str(), &end);
  bool ok = !a.empty() && end && *end == '\0';
  if (ok && slash != std::string::npos) {
    std::string b = text.substr(slash + 1);
    s.den = std::strtof(b.c_str(), &end);
    ok = !b.empty() && end && *end == '\0' && s.den != 0;
  }
  if (!ok || !std::isfinite(s.num) || !std::isfinite(s.den))
    return invalidArgument("--scale \"", text, "\": expected a number or A/B, e.g. 1/255");
  return s;
}

// Copies images [first, first+count) into a tensor of the model input's type.
StatusOr<Tensor> batchTensor(const Tensor& images, int64_t first, int64_t count,
                             const rt::BufferDesc& input, const PixelScale& scale) {
  int64_t perImage = images.numElements() / std::max<int64_t>(images.dims()[0], 1);
  std::vector<int64_t> dims = input.dims;
  if (dims.empty() || dims[0] != ir::kBatch)
    return invalidArgument("model input \"", input.name,
                           "\" has no batch dimension N as its first dimension");
  dims[0] = count;
  int64_t modelPerImage = 1;
  for (size_t i = 1; i < dims.size(); ++i) modelPerImage *= dims[i];
  if (modelPerImage != perImage)
    return invalidArgument("model input \"", input.name, "\" takes ", modelPerImage,
                           " values per image, the image file has ", perImage);
  DLC_ASSIGN_OR_RETURN(Tensor t, Tensor::create(input.dtype, dims));
  const uint8_t* src = images.as<uint8_t>() + first * perImage;
  if (input.dtype == ir::DType::U8) {
    std::memcpy(t.data(), src, size_t(count * perImage));
  } else {
    for (int64_t i = 0; i < count * perImage; ++i)
      t.setFromDouble(i, double(float(src[i]) * scale.num / scale.den));
  }
  return t;
}

}  // namespace

int evalCommand(const std::vector<std::string>& argv) {
  CommandStart cmd = startCommand(kEvalSpec, argv);
  if (!cmd.args) return cmd.exitCode;
  const Args& args = *cmd.args;
  if (!args.has("--images") || !args.has("--labels"))
    return fail("eval", invalidArgument("--images and --labels are required"));
  auto batchArg = args.getIntInRange("--batch", 1000, 1, kMaxBatch);
  if (!batchArg.ok()) return fail("eval", batchArg.status());

  auto images = readIdx(args.get("--images"));
  if (!images.ok()) return fail("eval", images.status());
  auto labels = readIdx(args.get("--labels"));
  if (!labels.ok()) return fail("eval", labels.status());
  if (images->rank() < 2 || labels->rank() != 1 || images->dims()[0] != labels->dims()[0])
    return fail("eval", invalidArgument(args.get("--images"), " holds ", images->dims()[0],
                                        " images but ", args.get("--labels"), " holds ",
                                        labels->dims()[0], " labels"));
  if (images->dims()[0] == 0)
    return fail("eval", invalidArgument(args.get("--images"),
                                        " holds no images: accuracy is undefined"));

  PixelScale scale;
  if (args.has("--scale")) {
    auto parsed = parseScale(args.get("--scale"));
    if (!parsed.ok()) return fail("eval", parsed.status());
    scale = *parsed;
  }
  auto options = buildOptionsFromArgs(args, args.get("--target", "cpu"), /*strictArch=*/true);
  if (!options.ok()) return fail("eval", options.status());
  auto runOptions = runOptionsFromArgs(args);
  if (!runOptions.ok()) return fail("eval", runOptions.status());
  auto model = openModel(args.positional()[0], *options, *runOptions);
  if (!model.ok()) return fail("eval", model.status());
  rt::Model& m = **model;
  if (m.numInputs() < 1 || m.numOutputs() < 1)
    return fail("eval", invalidArgument("the model needs at least one input and one output"));
  if (m.input(0).dtype == ir::DType::U8 && scale.given)
    return fail("eval", invalidArgument("--scale applies to float inputs; input \"",
                                        m.input(0).name, "\" takes raw u8 pixels"));
  if (m.input(0).dtype != ir::DType::U8 && !scale.given)
    std::fprintf(stderr,
                 "dlc eval: note: input \"%s\" is %s and receives pixel values 0..255 as they "
                 "are; a model trained on pixels in [0,1] needs --scale 1/255\n",
                 m.input(0).name.c_str(), std::string(ir::dtypeName(m.input(0).dtype)).c_str());

  const int64_t total = images->dims()[0];
  int64_t correct = 0;
  std::vector<double> batchMs;
  auto start = std::chrono::steady_clock::now();
  for (int64_t first = 0; first < total; first += *batchArg) {
    int64_t count = std::min(*batchArg, total - first);
    auto input = batchTensor(*images, first, count, m.input(0), scale);
    if (!input.ok()) return fail("eval", input.status());
    auto t0 = std::chrono::steady_clock::now();
    auto outputs = m.run(std::vector<Tensor>{*input});
    batchMs.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    if (!outputs.ok()) return fail("eval", outputs.status());
    const Tensor& scores = (*outputs)[0];
    if (scores.rank() != 2 || scores.dims()[0] != count)
      return fail("eval", invalidArgument("output \"", m.output(0).name,
                                          "\" is not class scores [N, classes]"));
    int64_t classes = scores.dims()[1];
    for (int64_t i = 0; i < count; ++i) {
      int64_t best = 0;
      for (int64_t c = 1; c < classes; ++c)
        if (scores.getAsDouble(i * classes + c) > scores.getAsDouble(i * classes + best)) best = c;
      if (best == int64_t(labels->as<uint8_t>()[first + i])) ++correct;
    }
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double accuracy = double(correct) / double(total);
  double throughput = double(total) / seconds;
  double median = rt::medianOf(batchMs);
  if (args.has("--json")) {
    nlohmann::json j = {{"images", total},         {"correct", correct},
                        {"accuracy", accuracy},    {"batch", *batchArg},
                        {"images_per_s", throughput}, {"median_batch_ms", median},
                        {"target", m.manifest().target}, {"precision", options->precision}};
    std::cout << jsonText(j) << "\n";
    return 0;
  }
  std::printf("accuracy %.4f (%lld / %lld correct), %.0f images/s, median batch latency %.3f ms "
              "(batch %lld)\n",
              accuracy, (long long)correct, (long long)total, throughput, median,
              (long long)*batchArg);
  return 0;
}

}  // namespace dlc::cli

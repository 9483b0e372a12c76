// Keras import end to end: files in the three forms (a .keras archive, a
// legacy .h5 with model_config, to_json() text + weights), written here with
// the HDF5 C API and config JSON shaped like real Keras output, imported and
// run on the reference interpreter; results are checked against plain loops.
#include <gtest/gtest.h>

#include <cmath>

#include "compiler/reference/Interpreter.h"
#include "frontends/keras/KerasModel.h"
#include "tests/frontends_keras/KerasTestFiles.h"

namespace dlc::keras {
namespace {

using namespace dlc::testing;  // NOLINT

Tensor tensorOf(std::vector<int64_t> dims, const std::vector<float>& v) {
  Tensor t(ir::DType::F32, std::move(dims));
  std::copy(v.begin(), v.end(), t.as<float>());
  return t;
}

std::vector<float> run(const ir::Graph& g, const Tensor& x) {
  auto out = ref::evaluate(g, {x});
  EXPECT_TRUE(out.ok()) << out.status().toString();
  if (!out.ok()) return {};
  const Tensor& y = out->front();
  return std::vector<float>(y.as<float>(), y.as<float>() + y.numElements());
}

void expectNear(const std::vector<float>& got, const std::vector<float>& want, float tol = 1e-5f) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "at " << i;
}

// x [rows, in] @ w [in, out] + b.
std::vector<float> dense(const std::vector<float>& x, const std::vector<float>& w,
                         const std::vector<float>& b, int rows, int in, int out) {
  std::vector<float> y(size_t(rows * out));
  for (int r = 0; r < rows; ++r)
    for (int o = 0; o < out; ++o) {
      double acc = b.empty() ? 0 : b[size_t(o)];
      for (int i = 0; i < in; ++i) acc += double(x[size_t(r * in + i)]) * w[size_t(i * out + o)];
      y[size_t(r * out + o)] = float(acc);
    }
  return y;
}

TEST(KerasImport, SequentialDenseInAllThreeForms) {
  TempDir dir;
  json config = sequential({inputLayer("input_layer", {nullptr, 4}),
                            layer("Dense", "dense", {{"units", 3}, {"activation", "relu"},
                                                     {"use_bias", true}}),
                            layer("Dropout", "dropout", {{"rate", 0.5}}),
                            layer("Dense", "dense_1", {{"units", 2}, {"activation", "softmax"},
                                                       {"use_bias", true}})});
  auto w1 = values(12, 1), b1 = values(3, 2), w2 = values(6, 3), b2 = values(2, 4);
  std::string weights = dir.file("model.weights.h5");
  writeKeras3Weights(weights, {{"dense", "dense", {{{4, 3}, w1}, {{3}, b1}}},
                               {"dropout", "dropout", {}},
                               {"dense_1", "dense_1", {{{3, 2}, w2}, {{2}, b2}}}});
  std::string archive = writeKerasArchive(dir, "model.keras", config, weights);
  std::string jsonPath = dir.write("model.json", config.dump());

  auto x = values(8, 5);
  auto h = dense(x, w1, b1, 2, 4, 3);
  for (float& v : h) v = std::max(v, 0.0f);
  auto want = dense(h, w2, b2, 2, 3, 2);
  for (int r = 0; r < 2; ++r) {
    float m = std::max(want[size_t(2 * r)], want[size_t(2 * r + 1)]);
    float e0 = std::exp(want[size_t(2 * r)] - m), e1 = std::exp(want[size_t(2 * r + 1)] - m);
    want[size_t(2 * r)] = e0 / (e0 + e1);
    want[size_t(2 * r + 1)] = e1 / (e0 + e1);
  }
  for (int form = 0; form < 2; ++form) {
    auto loaded = form == 0 ? loadKeras(archive) : loadKerasJson(jsonPath, weights);
    ASSERT_TRUE(loaded.ok()) << loaded.status().toString();
    const ir::Graph& g = **loaded;
    ASSERT_EQ(g.inputs().size(), 1u);
    EXPECT_EQ(g.inputs()[0]->name, "input_layer");
    EXPECT_EQ(g.inputs()[0]->type.str(), "f32[N,4]");
    ASSERT_EQ(g.outputs().size(), 1u);
    EXPECT_EQ(g.outputs()[0]->name, "dense_1");
    EXPECT_EQ(g.outputs()[0]->type.str(), "f32[N,2]");
    expectNear(run(g, tensorOf({2, 4}, x)), want);
  }
}

// A legacy .h5 as Keras 2 wrote it: Functional config with [[["x", 0, 0, {}]]]
// inbound nodes, weights under /model_weights with fixed-length weight_names.
TEST(KerasImport, LegacyH5FunctionalWithResidualAdd) {
  TempDir dir;
  auto node = [](std::vector<std::string> srcs) {
    json call = json::array();
    for (const auto& s : srcs) call.push_back({s, 0, 0, json::object()});
    return json::array({call});
  };
  json config = {
      {"class_name", "Functional"},
      {"config",
       {{"name", "model"},
        {"layers",
         {{{"class_name", "InputLayer"},
           {"config", {{"batch_input_shape", {nullptr, 3}}, {"dtype", "float32"}, {"name", "x"}}},
           {"name", "x"}, {"inbound_nodes", json::array()}},
          {{"class_name", "Dense"},
           {"config", {{"name", "d1"}, {"units", 3}, {"activation", "linear"}, {"use_bias", true},
                       {"dtype", "float32"}}},
           {"name", "d1"}, {"inbound_nodes", node({"x"})}},
          {{"class_name", "Add"}, {"config", {{"name", "add"}}}, {"name", "add"},
           {"inbound_nodes", node({"d1", "x"})}},
          {{"class_name", "Activation"}, {"config", {{"name", "out"}, {"activation", "tanh"}}},
           {"name", "out"}, {"inbound_nodes", node({"add"})}}}},
        {"input_layers", {{"x", 0, 0}}},
        {"output_layers", {{"out", 0, 0}}}}}};
  auto w = values(9, 7), b = values(3, 8);
  std::string path = dir.file("model.h5");
  {
    H5Writer h5(path);
    h5.strings("/", "model_config", {config.dump()}, /*scalar=*/true);
    h5.group("/model_weights/d1/d1");
    h5.group("/model_weights/x");
    h5.group("/model_weights/add");
    h5.fixedStrings("/model_weights", "layer_names", {"x", "d1", "add", "out"});
    h5.fixedStrings("/model_weights/d1", "weight_names", {"d1/kernel:0", "d1/bias:0"});
    h5.dataset("/model_weights/d1/d1/kernel:0", {3, 3}, w);
    h5.dataset("/model_weights/d1/d1/bias:0", {3}, b);
  }
  auto loaded = loadKeras(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().toString();
  auto x = values(6, 9);
  auto want = dense(x, w, b, 2, 3, 3);
  for (size_t i = 0; i < want.size(); ++i) want[i] = std::tanh(want[i] + x[i]);
  expectNear(run(**loaded, tensorOf({2, 3}, x)), want);
}

// NHWC convolution as TensorFlow defines it, with explicit padding;
// depthwise: output channel c*mult+m reads input channel c.
std::vector<float> convNhwc(const std::vector<float>& x, int h, int w, int c,
                            const std::vector<float>& k, int kh, int kw, int outC, int stride,
                            int padTop, int padLeft, int oh, int ow, bool depthwise) {
  std::vector<float> y(size_t(oh * ow * outC));
  int mult = depthwise ? outC / c : 0;
  for (int oy = 0; oy < oh; ++oy)
    for (int ox = 0; ox < ow; ++ox)
      for (int o = 0; o < outC; ++o) {
        double acc = 0;
        for (int i = 0; i < kh; ++i)
          for (int j = 0; j < kw; ++j) {
            int iy = oy * stride + i - padTop, ix = ox * stride + j - padLeft;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            if (depthwise) {
              int ci = o / mult;
              acc += double(x[size_t((iy * w + ix) * c + ci)]) *
                     k[size_t(((i * kw + j) * c + ci) * mult + o % mult)];
            } else {
              for (int ci = 0; ci < c; ++ci)
                acc += double(x[size_t((iy * w + ix) * c + ci)]) *
                       k[size_t(((i * kw + j) * c + ci) * outC + o)];
            }
          }
        y[size_t((oy * ow + ox) * outC + o)] = float(acc);
      }
  return y;
}

TEST(KerasImport, ConvDepthwisePoolBatchNormChannelsLast) {
  TempDir dir;
  json config = sequential(
      {inputLayer("img", {nullptr, 5, 5, 2}),
       layer("Conv2D", "conv", {{"filters", 3}, {"kernel_size", {2, 2}}, {"strides", {2, 2}},
                                {"padding", "same"}, {"data_format", "channels_last"},
                                {"dilation_rate", {1, 1}}, {"groups", 1}, {"activation", "relu"},
                                {"use_bias", true}}),
       layer("DepthwiseConv2D", "dw", {{"kernel_size", {2, 2}}, {"strides", {1, 1}},
                                       {"padding", "valid"}, {"depth_multiplier", 2},
                                       {"data_format", "channels_last"},
                                       {"dilation_rate", {1, 1}}, {"activation", "linear"},
                                       {"use_bias", false}}),
       layer("MaxPooling2D", "pool", {{"pool_size", {2, 2}}, {"strides", {1, 1}},
                                      {"padding", "same"}, {"data_format", "channels_last"}}),
       layer("BatchNormalization", "bn", {{"axis", -1}, {"epsilon", 0.001}, {"center", true},
                                          {"scale", true}}),
       layer("GlobalAveragePooling2D", "gap", {{"data_format", "channels_last"},
                                               {"keepdims", false}})});
  auto k1 = values(2 * 2 * 2 * 3, 11), b1 = values(3, 12), k2 = values(2 * 2 * 3 * 2, 13);
  auto gamma = values(6, 14), beta = values(6, 15), mean = values(6, 16), var = values(6, 17);
  for (float& v : var) v = std::fabs(v) + 0.1f;
  std::string weights = dir.file("w.h5");
  writeKeras3Weights(weights, {{"conv2d", "conv", {{{2, 2, 2, 3}, k1}, {{3}, b1}}},
                               {"depthwise_conv2d", "dw", {{{2, 2, 3, 2}, k2}}},
                               {"batch_normalization", "bn",
                                {{{6}, gamma}, {{6}, beta}, {{6}, mean}, {{6}, var}}}});
  auto loaded = loadKeras(writeKerasArchive(dir, "cnn.keras", config, weights));
  ASSERT_TRUE(loaded.ok()) << loaded.status().toString();

  auto x = values(50, 18);
  // 'same' with k=2, stride 2 on 5: total pad 1, all at the bottom/right.
  auto c1 = convNhwc(x, 5, 5, 2, k1, 2, 2, 3, 2, 0, 0, 3, 3, false);
  for (size_t i = 0; i < c1.size(); ++i) c1[i] = std::max(c1[i] + b1[i % 3], 0.0f);
  auto c2 = convNhwc(c1, 3, 3, 3, k2, 2, 2, 6, 1, 0, 0, 2, 2, true);
  std::vector<float> pooled(c2.size());
  for (int y = 0; y < 2; ++y)
    for (int xx = 0; xx < 2; ++xx)
      for (int c = 0; c < 6; ++c) {
        float m = -INFINITY;
        for (int i = y; i < std::min(y + 2, 2); ++i)
          for (int j = xx; j < std::min(xx + 2, 2); ++j) m = std::max(m, c2[size_t((i * 2 + j) * 6 + c)]);
        pooled[size_t((y * 2 + xx) * 6 + c)] = m;
      }
  std::vector<float> want(6, 0.0f);
  for (size_t i = 0; i < pooled.size(); ++i) {
    size_t c = i % 6;
    float v = (pooled[i] - mean[c]) / std::sqrt(var[c] + 0.001f) * gamma[c] + beta[c];
    want[c] += v / 4.0f;
  }
  expectNear(run(**loaded, tensorOf({1, 5, 5, 2}, x)), want);
}

TEST(KerasImport, PreprocessingAndActivationLayers) {
  TempDir dir;
  json config = sequential(
      {inputLayer("in", {nullptr, 2, 3}),
       layer("Rescaling", "resc", {{"scale", 0.5}, {"offset", 1.0}}),
       layer("Normalization", "norm", {{"axis", {-1}}, {"invert", false},
                                       {"mean", {1.0, 0.5, 2.0}}, {"variance", {4.0, 1.0, 0.25}}}),
       layer("ReLU", "relu", {{"max_value", 1.5}, {"negative_slope", 0.1}, {"threshold", 0.2}}),
       layer("LayerNormalization", "ln", {{"axis", {-1}}, {"epsilon", 0.001}, {"center", true},
                                          {"scale", true}, {"rms_scaling", false}}),
       layer("Activation", "act", {{"activation", "swish"}}),
       layer("Reshape", "rs", {{"target_shape", {3, -1}}}),
       layer("Softmax", "sm", {{"axis", 1}}),
       layer("Flatten", "fl", {{"data_format", "channels_last"}})});
  auto gamma = values(3, 21), beta = values(3, 22);
  std::string weights = dir.file("w.h5");
  writeKeras3Weights(weights, {{"layer_normalization", "ln", {{{3}, gamma}, {{3}, beta}}}});
  auto loaded = loadKeras(writeKerasArchive(dir, "pre.keras", config, weights));
  ASSERT_TRUE(loaded.ok()) << loaded.status().toString();

  std::vector<float> x = {-3, 0, 1, 2, 4, -1};
  const float m[3] = {1.0f, 0.5f, 2.0f}, sd[3] = {2.0f, 1.0f, 0.5f};
  std::vector<float> h(6);
  for (int i = 0; i < 6; ++i) {
    float v = (x[size_t(i)] * 0.5f + 1.0f - m[i % 3]) / sd[i % 3];
    float pos = v > 0.2f ? std::min(std::max(v, 0.0f), 1.5f) : 0.0f;
    h[size_t(i)] = pos - 0.1f * std::max(0.2f - v, 0.0f);
  }
  for (int r = 0; r < 2; ++r) {
    float* row = &h[size_t(3 * r)];
    float mu = (row[0] + row[1] + row[2]) / 3, var = 0;
    for (int i = 0; i < 3; ++i) var += (row[i] - mu) * (row[i] - mu) / 3;
    for (int i = 0; i < 3; ++i) {
      float v = (row[i] - mu) / std::sqrt(var + 0.001f) * gamma[size_t(i)] + beta[size_t(i)];
      row[i] = v / (1 + std::exp(-v));
    }
  }
  // Reshape [2,3] -> [3,2]; softmax over axis 1 (the 3), then flatten.
  std::vector<float> want(6);
  for (int col = 0; col < 2; ++col) {
    float sum = 0;
    for (int r = 0; r < 3; ++r) sum += std::exp(h[size_t(r * 2 + col)]);
    for (int r = 0; r < 3; ++r) want[size_t(r * 2 + col)] = std::exp(h[size_t(r * 2 + col)]) / sum;
  }
  expectNear(run(**loaded, tensorOf({1, 2, 3}, x)), want);
}

}  // namespace
}  // namespace dlc::keras

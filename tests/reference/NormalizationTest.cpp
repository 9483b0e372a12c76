// Reference row ops and normalisations: softmax / log_softmax (values,
// other axes, stability at large inputs), layer_norm over [axis, rank) with
// gamma/beta, and batch_norm over channel axis 1.
#include "tests/reference/RefTest.h"

namespace dlc::ref::test {
namespace {

using ir::OpKind;
using Ints = std::vector<int64_t>;
using Doubles = std::vector<double>;

TEST(ReferenceNormalization, SoftmaxOfOneTwoThree) {
  expectNear(values(run(OpKind::Softmax, {f32({3}, {1, 2, 3})})),
             {0.09003057317038046, 0.24472847105479767, 0.6652409557748219}, 1e-7);
  expectNear(values(run(OpKind::LogSoftmax, {f32({3}, {1, 2, 3})})),
             {-2.4076059644443806, -1.4076059644443804, -0.4076059644443804}, 1e-6);
}

TEST(ReferenceNormalization, SoftmaxIsStableAndUsesItsAxis) {
  expectNear(values(run(OpKind::Softmax, {f32({2}, {1000, 1000})})), {0.5, 0.5}, 0);
  // Axis 0 of [[1, 1], [1, 3]]: column 0 is uniform, column 1 is softmax(1, 3).
  expectNear(values(run(OpKind::Softmax, {f32({2, 2}, {1, 1, 1, 3})},
                        attrs({{"axis", int64_t(0)}}))),
             {0.5, 0.11920292202211755, 0.5, 0.8807970779778823}, 1e-7);
}

TEST(ReferenceNormalization, LayerNormLastAxisWithGammaBeta) {
  Tensor x = f32({1, 4}, {1, 2, 3, 4});
  expectNear(values(run(OpKind::LayerNorm, {x})),
             {-1.3416354199689269, -0.447211806656309, 0.447211806656309, 1.3416354199689269},
             1e-6);
  Tensor gamma = f32({4}, {1, 2, 1, 2});
  Tensor beta = f32({4}, {0, 0, 1, 1});
  expectNear(values(run(OpKind::LayerNorm, {x, gamma, beta})),
             {-1.3416354199689269, -0.894423613312618, 1.447211806656309, 3.6832708399378538},
             1e-6);
}

TEST(ReferenceNormalization, LayerNormOverTrailingDims) {
  // Normalises each [2,2] block: rows [0..3] and [4..7] both become the
  // normalised [1,2,3,4] above (epsilon 0 here).
  Tensor out = run(OpKind::LayerNorm, {iota({2, 2, 2})},
                   attrs({{"axis", int64_t(1)}, {"epsilon", 0.0}}));
  double a = 1.3416407864998738, b = 0.4472135954999579;
  expectNear(values(out), {-a, -b, b, a, -a, -b, b, a}, 1e-6);
}

TEST(ReferenceNormalization, BatchNormChannelAxisOne) {
  Tensor x = f32({1, 2, 1, 2}, {1, 2, 3, 4});
  Tensor scale = f32({2}, {2, 1});
  Tensor bias = f32({2}, {0, 1});
  Tensor mean = f32({2}, {1, 3});
  Tensor var = f32({2}, {4, 1});
  EXPECT_EQ(values(run(OpKind::BatchNorm, {x, scale, bias, mean, var},
                       attrs({{"epsilon", 0.0}}))),
            (Doubles{0, 1, 1, 2}));
}

}  // namespace
}  // namespace dlc::ref::test

// See TensorChecks.h.
#include "tests/common/TensorChecks.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace dlc::test {

std::vector<Tensor> randomInputs(const ir::Graph& graph, int64_t batch, uint32_t seed,
                                 Range range) {
  std::mt19937 rng(seed);
  std::vector<Tensor> out;
  for (const ir::Node* in : graph.inputs()) {
    Tensor t(in->type.dtype, in->type.shape.bind(batch));
    std::uniform_real_distribution<double> uf(range.lo, range.hi);
    std::uniform_int_distribution<int> ui(in->type.dtype == ir::DType::U8 ? 0 : -50, 50);
    for (int64_t i = 0; i < t.numElements(); ++i) {
      if (ir::isFloat(in->type.dtype)) t.setFromDouble(i, uf(rng));
      else if (in->type.dtype == ir::DType::Bool) t.setFromDouble(i, double(rng() & 1));
      else t.setFromDouble(i, double(ui(rng)));
    }
    out.push_back(std::move(t));
  }
  return out;
}

void expectNear(const Tensor& actual, const Tensor& expected, double rtol, double atol,
                const std::string& what) {
  ASSERT_EQ(actual.dims(), expected.dims()) << what;
  ASSERT_EQ(actual.dtype(), expected.dtype()) << what;
  int failures = 0;
  for (int64_t i = 0; i < expected.numElements() && failures < 5; ++i) {
    double a = actual.getAsDouble(i), e = expected.getAsDouble(i);
    bool ok;
    if (std::isnan(e)) ok = std::isnan(a);
    else if (std::isinf(e)) ok = a == e;
    else if (!ir::isFloat(expected.dtype())) ok = a == e;
    else ok = std::fabs(a - e) <= atol + rtol * std::fabs(e);
    if (!ok) {
      ++failures;
      ADD_FAILURE() << what << ": element " << i << " is " << a << ", expected " << e;
    }
  }
}

std::string mismatch(const Tensor& got, const Tensor& want, double rtol, double atol,
                     int shown) {
  if (got.dtype() != want.dtype())
    return strCat("dtype ", ir::dtypeName(got.dtype()), ", expected ", ir::dtypeName(want.dtype()));
  if (got.dims() != want.dims())
    return strCat("dims ", ir::Shape(got.dims()).str(), ", expected ",
                  ir::Shape(want.dims()).str());
  double worst = 0;
  int64_t worstAt = -1;
  for (int64_t i = 0; i < want.numElements(); ++i) {
    double a = got.getAsDouble(i), b = want.getAsDouble(i);
    double excess = 0;
    if (std::isnan(a) || std::isnan(b)) {
      excess = std::isnan(a) == std::isnan(b) ? 0 : INFINITY;
    } else if (std::isinf(a) || std::isinf(b)) {
      excess = a == b ? 0 : INFINITY;
    } else {
      double err = std::fabs(a - b), allowed = atol + rtol * std::fabs(b);
      excess = err <= allowed ? 0 : err / allowed;
    }
    if (excess > worst) {
      worst = excess;
      worstAt = i;
    }
  }
  if (worstAt < 0) return "";
  return strCat("element ", worstAt, " is ", got.getAsDouble(worstAt), ", expected ",
                want.getAsDouble(worstAt), " (", worst, "x the tolerance); got ",
                got.summary(shown), ", expected ", want.summary(shown));
}

}  // namespace dlc::test

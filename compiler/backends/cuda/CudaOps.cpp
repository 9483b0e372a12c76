// Elementwise op text. See CudaOps.h.
#include "compiler/backends/cuda/CudaOps.h"

#include <cmath>
#include <cstdio>
#include <cstring>

#include "support/Tensor.h"

namespace dlc::cuda {

using ir::DType;
using ir::OpKind;

namespace {

std::string call(const std::string& fn, const std::vector<std::string>& args) {
  std::string s = fn + "(";
  for (size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + args[i];
  return s + ")";
}

std::string gelu(const ir::Node& node, const std::string& x) {
  if (node.attrs.getString("approximate", "none") == "tanh") {
    // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
    return "(0.5f * " + x + " * (1.0f + tanhf(" + floatLiteral(float(std::sqrt(2.0 / M_PI))) +
           " * (" + x + " + 0.044715f * " + x + " * " + x + " * " + x + "))))";
  }
  return "(0.5f * " + x + " * (1.0f + erff(" + x + " * " + floatLiteral(float(M_SQRT1_2)) +
         ")))";
}

std::string floatOp(const ir::Node& node, const std::vector<std::string>& v) {
  const std::string& x = v[0];
  switch (node.op) {
    case OpKind::Neg: return "(-" + x + ")";
    case OpKind::Abs: return call("fabsf", {x});
    case OpKind::Exp: return call("expf", {x});
    case OpKind::Log: return call("logf", {x});
    case OpKind::Sqrt: return call("sqrtf", {x});
    case OpKind::Rsqrt: return "(1.0f / sqrtf(" + x + "))";
    case OpKind::Reciprocal: return "(1.0f / " + x + ")";
    case OpKind::Tanh: return call("tanhf", {x});
    case OpKind::Sigmoid: return "(1.0f / (1.0f + expf(-" + x + ")))";
    case OpKind::Relu: return call("dlc_relu", {x});
    case OpKind::LeakyRelu:
      return "(" + x + " >= 0.0f ? " + x + " : " +
             floatLiteral(float(node.attrs.getFloat("alpha", 0.01))) + " * " + x + ")";
    case OpKind::Gelu: return gelu(node, x);
    case OpKind::Erf: return call("erff", {x});
    case OpKind::Floor: return call("floorf", {x});
    case OpKind::Ceil: return call("ceilf", {x});
    case OpKind::Add: return "(" + x + " + " + v[1] + ")";
    case OpKind::Sub: return "(" + x + " - " + v[1] + ")";
    case OpKind::Mul: return "(" + x + " * " + v[1] + ")";
    case OpKind::Div: return "(" + x + " / " + v[1] + ")";
    case OpKind::Pow: return call("powf", {x, v[1]});
    case OpKind::Maximum: return call("dlc_max", {x, v[1]});
    case OpKind::Minimum: return call("dlc_min", {x, v[1]});
    case OpKind::BatchNorm: {
      // (x − mean)/sqrt(var + eps)·scale + bias; params (x, scale, bias, mean, var).
      std::string eps = floatLiteral(float(node.attrs.getFloat("epsilon", 1e-5)));
      return "((" + x + " - " + v[3] + ") * (1.0f / sqrtf(" + v[4] + " + " + eps + ")) * " +
             v[1] + " + " + v[2] + ")";
    }
    default: return {};
  }
}

// Integer arithmetic wraps: it runs in the unsigned type of the same width.
std::string intOp(const ir::Node& node, DType dtype, const std::vector<std::string>& v) {
  std::string t = computeTypeName(dtype);
  std::string u = dtype == DType::I64 ? "unsigned long long" : "unsigned int";
  auto wrap = [&](const std::string& a, const char* op, const std::string& b) {
    return "(" + t + ")((" + u + ")" + a + " " + op + " (" + u + ")" + b + ")";
  };
  std::string zero = intLiteral(dtype, 0);
  const std::string& x = v[0];
  switch (node.op) {
    case OpKind::Neg: return wrap(zero, "-", x);
    case OpKind::Abs:
      if (dtype == DType::U8) return x;
      return "(" + x + " < " + zero + " ? " + wrap(zero, "-", x) + " : " + x + ")";
    case OpKind::Add: return wrap(x, "+", v[1]);
    case OpKind::Sub: return wrap(x, "-", v[1]);
    case OpKind::Mul: return wrap(x, "*", v[1]);
    case OpKind::Div: return call("dlc_div", {x, v[1]});
    case OpKind::Maximum: return call("dlc_max", {x, v[1]});
    case OpKind::Minimum: return call("dlc_min", {x, v[1]});
    default: return {};
  }
}

std::string compareOp(OpKind op, const std::string& a, const std::string& b) {
  const char* sym = "==";
  switch (op) {
    case OpKind::Equal: sym = "=="; break;
    case OpKind::NotEqual: sym = "!="; break;  // true for NaN, as IEEE une
    case OpKind::Less: sym = "<"; break;
    case OpKind::LessEqual: sym = "<="; break;
    case OpKind::Greater: sym = ">"; break;
    default: sym = ">="; break;
  }
  return "(" + a + " " + sym + " " + b + ")";
}

std::string castOp(DType from, DType to, const std::string& x) {
  if (to == DType::Bool) {
    if (from == DType::Bool) return x;
    return "(" + x + " != " + (ir::isFloat(from) ? std::string("0.0f") : intLiteral(from, 0)) + ")";
  }
  if (ir::isFloat(from)) {
    if (ir::isFloat(to)) return roundTo(to, x);
    if (to == DType::I32) return call("dlc_f2i32", {x});
    if (to == DType::I64) return call("dlc_f2i64", {x});
    return call("dlc_f2u8", {x});
  }
  if (from == DType::Bool) {
    if (ir::isFloat(to)) return "(" + x + " ? 1.0f : 0.0f)";
    return "(" + x + " ? " + intLiteral(to, 1) + " : " + intLiteral(to, 0) + ")";
  }
  // Integer -> float rounds to nearest once; f16/bf16 then round the float.
  if (ir::isFloat(to)) return roundTo(to, "(float)" + x);
  // Integer -> integer wraps (keeps the low bits).
  return "(" + computeTypeName(to) + ")" + x;
}

}  // namespace

Status checkElementwiseOp(const ir::Node& node) {
  DType dtype = node.inputs.empty() ? node.type.dtype : node.inputs[0]->type.dtype;
  OpKind op = node.op;
  if (op == OpKind::Cast) {
    if (!ir::parseDType(node.attrs.getString("to", "")))
      return invalidArgument(node.describe(), ": cast: unknown target dtype \"",
                             node.attrs.getString("to", ""), "\"");
    return Status::OK();
  }
  if (op == OpKind::Gelu) {
    std::string mode = node.attrs.getString("approximate", "none");
    if (mode != "none" && mode != "tanh")
      return invalidArgument(node.describe(),
                             ": gelu: approximate must be \"none\" or \"tanh\", got \"", mode,
                             "\"");
  }
  bool ok = false;
  switch (ir::elementDTypeClass(op)) {
    case ir::DTypeClass::Any: ok = true; break;
    case ir::DTypeClass::Bool: ok = dtype == DType::Bool; break;
    case ir::DTypeClass::Numeric: ok = ir::isFloat(dtype) || ir::isInteger(dtype); break;
    case ir::DTypeClass::Float: ok = ir::isFloat(dtype); break;
  }
  if (ok) return Status::OK();
  return unsupported(node.describe(), ": ", ir::opName(op), " on ", ir::dtypeName(dtype),
                     " has no CUDA lowering");
}

std::string elementwiseExpr(const ir::Node& node, const std::vector<std::string>& operands) {
  OpKind op = node.op;
  DType inType = node.inputs[0]->type.dtype;
  if (op == OpKind::Cast) return castOp(inType, node.type.dtype, operands[0]);
  if (op == OpKind::Select)
    return "(" + operands[0] + " ? " + operands[1] + " : " + operands[2] + ")";
  if (op == OpKind::Not) return "(!" + operands[0] + ")";
  if (op == OpKind::And) return "(" + operands[0] + " && " + operands[1] + ")";
  if (op == OpKind::Or) return "(" + operands[0] + " || " + operands[1] + ")";
  if (ir::isComparison(op)) return compareOp(op, operands[0], operands[1]);
  std::string r = ir::isFloat(inType) ? floatOp(node, operands) : intOp(node, inType, operands);
  DLC_CHECK(!r.empty(), "no CUDA lowering for ", node.describe());
  return ir::isFloat(node.type.dtype) ? roundTo(node.type.dtype, r) : r;
}

std::string computeTypeName(DType dtype) {
  switch (dtype) {
    case DType::F32:
    case DType::F16:
    case DType::BF16: return "float";
    case DType::U8: return "unsigned char";
    case DType::I32: return "int";
    case DType::I64: return "long long";
    case DType::Bool: return "bool";
  }
  return "float";
}

std::string storageTypeName(DType dtype) {
  switch (dtype) {
    case DType::F16: return "__half";
    case DType::BF16: return "__nv_bfloat16";
    case DType::Bool: return "unsigned char";
    default: return computeTypeName(dtype);
  }
}

std::string loadExpr(DType dtype, const std::string& pointer, const std::string& offset) {
  std::string e = pointer + "[" + offset + "]";
  switch (dtype) {
    case DType::F16: return "__half2float(" + e + ")";
    case DType::BF16: return "__bfloat162float(" + e + ")";
    case DType::Bool: return "(" + e + " != 0)";
    default: return e;
  }
}

std::string storeStmt(DType dtype, const std::string& pointer, const std::string& offset,
                      const std::string& value) {
  std::string target = pointer + "[" + offset + "] = ";
  switch (dtype) {
    case DType::F16: return target + "__float2half_rn(" + value + ");";
    case DType::BF16: return target + "__float2bfloat16_rn(" + value + ");";
    case DType::Bool: return target + "(unsigned char)(" + value + " ? 1 : 0);";
    default: return target + value + ";";
  }
}

std::string roundTo(DType dtype, const std::string& value) {
  if (dtype == DType::F16) return "dlc_round_f16(" + value + ")";
  if (dtype == DType::BF16) return "dlc_round_bf16(" + value + ")";
  return value;
}

std::string floatLiteral(float value) {
  if (std::isnan(value)) return "DLC_NAN";
  if (std::isinf(value)) return value < 0 ? "(-DLC_INF)" : "DLC_INF";
  if (value == 0.0f) return std::signbit(value) ? "(-0.0f)" : "0.0f";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", double(value));
  std::string s = buf;
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  s += "f";
  return value < 0 ? "(" + s + ")" : s;
}

std::string intLiteral(DType dtype, int64_t value) {
  switch (dtype) {
    case DType::Bool: return value != 0 ? "true" : "false";
    case DType::U8: return "(unsigned char)" + std::to_string(uint8_t(uint64_t(value)));
    case DType::I32: {
      int32_t v = int32_t(uint32_t(uint64_t(value)));
      if (v == INT32_MIN) return "(-2147483647 - 1)";
      return v < 0 ? "(" + std::to_string(v) + ")" : std::to_string(v);
    }
    case DType::I64:
      if (value == INT64_MIN) return "(-9223372036854775807LL - 1LL)";
      return value < 0 ? "(" + std::to_string(value) + "LL)" : std::to_string(value) + "LL";
    default: return floatLiteral(float(value));
  }
}

std::string literal(DType dtype, double value) {
  if (ir::isFloat(dtype)) return floatLiteral(float(value));
  if (dtype == DType::Bool) return value != 0.0 ? "true" : "false";
  return intLiteral(dtype, int64_t(value));
}

std::optional<std::string> splatLiteral(const ir::Node& node) {
  if (node.op != OpKind::Constant || node.value.empty() || node.value.numElements() == 0)
    return std::nullopt;
  const Tensor& t = node.value;
  size_t size = ir::dtypeSize(t.dtype());
  const auto* bytes = t.as<uint8_t>();
  for (int64_t i = 1; i < t.numElements(); ++i)
    if (std::memcmp(bytes, bytes + size_t(i) * size, size) != 0) return std::nullopt;
  // Bit-exact: f16/bf16 widen exactly to float, integers keep every bit.
  switch (t.dtype()) {
    case DType::F32: return floatLiteral(t.as<float>()[0]);
    case DType::F16: return floatLiteral(halfToFloat(t.as<uint16_t>()[0]));
    case DType::BF16: return floatLiteral(bf16ToFloat(t.as<uint16_t>()[0]));
    case DType::Bool: return std::string(bytes[0] != 0 ? "true" : "false");
    case DType::U8: return intLiteral(DType::U8, bytes[0]);
    case DType::I32: return intLiteral(DType::I32, t.as<int32_t>()[0]);
    case DType::I64: return intLiteral(DType::I64, t.as<int64_t>()[0]);
  }
  return std::nullopt;
}

}  // namespace dlc::cuda

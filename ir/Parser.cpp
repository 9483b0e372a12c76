// Parses the IR text format (grammar in ir/Printer.h) into a Graph.
//
// Every node is type-checked as it is read: shape inference runs on it and
// the written type must equal the inferred one, so a parsed graph is well
// typed. It does not run the verifier's whole-graph checks (kernel
// annotations are read as written; buildKernelPlan or verify judge them).
#include "ir/Parser.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "ir/ShapeInference.h"
#include "ir/TextLexer.h"

namespace dlc::ir {

namespace {

using text::Tok;

// A splat<v> constant should not make the parser allocate more than this.
constexpr int64_t kMaxSplatBytes = int64_t(1) << 30;
using text::Token;

// A literal inside dense<[...]> / splat<...>, converted once the type is known.
struct Literal {
  Token token;
};

class Parser {
 public:
  Parser(std::vector<Token> tokens, const std::string& source)
      : toks_(std::move(tokens)), source_(source) {}

  StatusOr<std::unique_ptr<Graph>> run() {
    graph_ = std::make_unique<Graph>();
    graph_->sourceFile = source_;
    DLC_RETURN_IF_ERROR(expectWord("graph"));
    if (peek().kind != Tok::Symbol) return error(peek(), "expected the graph name '@name'");
    graph_->name = take().text;
    DLC_RETURN_IF_ERROR(expectPunct('('));
    if (!peek().isPunct(')')) {
      do {
        DLC_RETURN_IF_ERROR(parseParam());
      } while (acceptPunct(','));
    }
    DLC_RETURN_IF_ERROR(expectPunct(')'));
    DLC_RETURN_IF_ERROR(expectPunct('{'));
    while (!peek().isPunct('}')) {
      if (peek().kind == Tok::End) return error(peek(), "expected '}', got the end of input");
      if (peek().is(Tok::Word, "return")) {
        DLC_RETURN_IF_ERROR(parseReturn());
        break;
      }
      DLC_RETURN_IF_ERROR(parseNode());
    }
    DLC_RETURN_IF_ERROR(expectPunct('}'));
    if (peek().kind != Tok::End) return error(peek(), "expected the end of input after '}'");
    return std::move(graph_);
  }

 private:
  const Token& peek() const { return toks_[pos_]; }
  Token take() {
    Token t = toks_[pos_];
    if (t.kind != Tok::End) ++pos_;
    return t;
  }
  Status error(const Token& at, const std::string& message) const {
    return invalidArgument(source_, ":", at.line, ":", at.col, ": ", message);
  }
  static std::string describe(const Token& t) {
    switch (t.kind) {
      case Tok::End: return "the end of input";
      case Tok::Value: return "'%" + t.text + "'";
      case Tok::Symbol: return "'@" + t.text + "'";
      case Tok::String: return "a string";
      case Tok::Kernel: return "'#k" + t.text + "'";
      default: return "'" + t.text + "'";
    }
  }
  bool acceptPunct(char c) {
    if (!peek().isPunct(c)) return false;
    take();
    return true;
  }
  Status expectPunct(char c) {
    if (acceptPunct(c)) return Status::OK();
    return error(peek(), strCat("expected '", std::string(1, c), "', got ", describe(peek())));
  }
  Status expectWord(const char* w) {
    if (peek().is(Tok::Word, w)) {
      take();
      return Status::OK();
    }
    return error(peek(), strCat("expected '", w, "', got ", describe(peek())));
  }

  StatusOr<int64_t> parseInt(const Token& t, const char* what) {
    int64_t v = 0;
    const char* b = t.text.data();
    const char* e = b + t.text.size();
    if (*b == '+') ++b;
    auto [p, ec] = std::from_chars(b, e, v);
    if (t.kind != Tok::Number || ec != std::errc() || p != e)
      return error(t, strCat("expected ", what, ", got ", describe(t)));
    return v;
  }

  static bool isFloatText(const Token& t) {
    if (t.kind == Tok::Word) return t.text == "inf" || t.text == "nan";
    return t.kind == Tok::Number && t.text.find_first_of(".eEn") != std::string::npos;
  }

  StatusOr<double> parseFloat(const Token& t) {
    if (t.kind != Tok::Number && !isFloatText(t))
      return error(t, strCat("expected a number, got ", describe(t)));
    std::string s = t.text;
    bool negative = !s.empty() && s[0] == '-';
    std::string body = s.substr(s[0] == '-' || s[0] == '+' ? 1 : 0);
    if (body == "nan") return negative ? -std::numeric_limits<double>::quiet_NaN()
                                       : std::numeric_limits<double>::quiet_NaN();
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size()) return error(t, strCat("malformed number ", describe(t)));
    return v;
  }

  StatusOr<TensorType> parseType() {
    Token dt = take();
    std::optional<DType> dtype = dt.kind == Tok::Word ? parseDType(dt.text) : std::nullopt;
    if (!dtype) return error(dt, strCat("expected a dtype (f32, i64, bool, ...), got ", describe(dt)));
    DLC_RETURN_IF_ERROR(expectPunct('['));
    std::vector<int64_t> dims;
    if (!peek().isPunct(']')) {
      do {
        Token d = take();
        if (d.is(Tok::Word, "N")) {
          dims.push_back(kBatch);
          continue;
        }
        DLC_ASSIGN_OR_RETURN(int64_t v, parseInt(d, "a dimension (an integer or N)"));
        if (v < 0) return error(d, strCat("negative dimension ", v));
        dims.push_back(v);
      } while (acceptPunct(','));
    }
    DLC_RETURN_IF_ERROR(expectPunct(']'));
    Shape shape(dims);
    Status valid = validateShape(shape);
    if (!valid.ok()) return error(dt, valid.message());
    return TensorType{*dtype, shape};
  }

  // Optional `@"device"` and `#k<id>` after a type.
  Status parsePlacement(Node& n) {
    if (peek().kind == Tok::Symbol) n.device = take().text;
    if (peek().kind == Tok::Kernel) n.kernel = std::stoi(take().text);
    return Status::OK();
  }

  StatusOr<std::string> parseNewName() {
    Token t = take();
    if (t.kind != Tok::Value) return error(t, strCat("expected a value name '%name', got ", describe(t)));
    if (graph_->find(t.text)) return error(t, strCat("redefinition of %", t.text));
    return t.text;
  }

  Status parseParam() {
    DLC_ASSIGN_OR_RETURN(std::string name, parseNewName());
    DLC_RETURN_IF_ERROR(expectPunct(':'));
    DLC_ASSIGN_OR_RETURN(TensorType type, parseType());
    Node* n = graph_->addInput(name, type);
    return parsePlacement(*n);
  }

  StatusOr<Node*> parseOperand() {
    Token t = take();
    if (t.kind != Tok::Value) return error(t, strCat("expected an operand '%name', got ", describe(t)));
    Node* n = graph_->find(t.text);
    if (!n) return error(t, strCat("use of undefined value %", t.text));
    return n;
  }

  Status parseReturn() {
    take();
    std::vector<Node*> outs;
    if (!peek().isPunct('}')) {
      do {
        DLC_ASSIGN_OR_RETURN(Node * n, parseOperand());
        outs.push_back(n);
      } while (acceptPunct(','));
    }
    graph_->setOutputs(std::move(outs));
    if (!peek().isPunct('}')) return error(peek(), "expected '}' after the return statement");
    return Status::OK();
  }

  StatusOr<std::vector<Literal>> parseLiterals() {
    std::vector<Literal> out;
    Token kw = take();  // dense | splat
    DLC_RETURN_IF_ERROR(expectPunct('<'));
    bool dense = kw.text == "dense";
    if (dense) DLC_RETURN_IF_ERROR(expectPunct('['));
    if (!dense || !peek().isPunct(']')) {
      do {
        Token t = take();
        if (t.kind != Tok::Number && t.kind != Tok::Word)
          return error(t, strCat("expected a constant element, got ", describe(t)));
        out.push_back({t});
      } while (dense && acceptPunct(','));
    }
    if (dense) DLC_RETURN_IF_ERROR(expectPunct(']'));
    DLC_RETURN_IF_ERROR(expectPunct('>'));
    return out;
  }

  Status parseAttrValue(const std::string& key, Attributes& attrs,
                        std::optional<std::vector<Literal>>& data, Token& dataToken) {
    const Token& t = peek();
    if (t.is(Tok::Word, "dense") || t.is(Tok::Word, "splat")) {
      if (key != "value") return error(t, strCat("constant data is only allowed as 'value'"));
      dataToken = t;
      DLC_ASSIGN_OR_RETURN(data, parseLiterals());
      return Status::OK();
    }
    if (t.is(Tok::Word, "opaque"))
      return error(t, "opaque constant data cannot be parsed; print with a larger "
                      "maxInlineElements");
    if (t.kind == Tok::String) {
      attrs.set(key, take().text);
      return Status::OK();
    }
    if (t.isPunct('[')) {
      take();
      std::vector<Token> items;
      if (!peek().isPunct(']')) {
        do items.push_back(take());
        while (acceptPunct(','));
      }
      DLC_RETURN_IF_ERROR(expectPunct(']'));
      bool anyFloat = false;
      for (const Token& i : items) anyFloat = anyFloat || isFloatText(i);
      std::vector<int64_t> ints;
      std::vector<double> floats;
      for (const Token& i : items) {
        if (anyFloat) {
          DLC_ASSIGN_OR_RETURN(double v, parseFloat(i));
          floats.push_back(v);
        } else {
          DLC_ASSIGN_OR_RETURN(int64_t v, parseInt(i, "an integer list element"));
          ints.push_back(v);
        }
      }
      if (anyFloat) attrs.set(key, floats);
      else attrs.set(key, ints);
      return Status::OK();
    }
    Token v = take();
    if (isFloatText(v)) {
      DLC_ASSIGN_OR_RETURN(double d, parseFloat(v));
      attrs.set(key, d);
      return Status::OK();
    }
    DLC_ASSIGN_OR_RETURN(int64_t i, parseInt(v, "an attribute value"));
    attrs.set(key, i);
    return Status::OK();
  }

  // Converts literal tokens into a tensor of `type` (splat: one literal).
  StatusOr<Tensor> buildConstant(const std::vector<Literal>& lits, bool splat,
                                 const TensorType& type, const Token& at) {
    if (type.shape.hasBatch())
      return error(at, strCat("a constant cannot have the batch dimension N: ", type.str()));
    int64_t n = type.shape.numElements();
    if (!splat && int64_t(lits.size()) != n)
      return error(at, strCat("dense data has ", lits.size(), " elements but the type ",
                              type.str(), " has ", n));
    const int64_t elementBytes = int64_t(dtypeSize(type.dtype));
    if (splat && n > kMaxSplatBytes / elementBytes)
      return error(at, strCat("splat constant ", type.str(), " is larger than ", kMaxSplatBytes,
                              " bytes"));
    auto created = Tensor::create(type.dtype, type.shape.dims());
    if (!created.ok()) return error(at, created.status().message());
    Tensor t = std::move(*created);
    if (!splat) {
      for (int64_t i = 0; i < n; ++i)
        DLC_RETURN_IF_ERROR(storeElement(t, i, lits[size_t(i)].token));
      return t;
    }
    // One literal, converted once and copied by doubling: a 1 GiB splat is
    // log2(n) copies, not n conversions.
    if (n == 0) return t;
    DLC_RETURN_IF_ERROR(storeElement(t, 0, lits[0].token));
    auto* bytes = static_cast<uint8_t*>(t.data());
    const size_t total = size_t(n) * size_t(elementBytes);
    for (size_t filled = size_t(elementBytes); filled < total;) {
      size_t chunk = std::min(filled, total - filled);
      std::memcpy(bytes + filled, bytes, chunk);
      filled += chunk;
    }
    return t;
  }

  Status storeElement(Tensor& t, int64_t i, const Token& tok) {
    DType dt = t.dtype();
    if (dt == DType::Bool) {
      if (tok.is(Tok::Word, "true") || tok.is(Tok::Number, "1")) t.as<uint8_t>()[i] = 1;
      else if (tok.is(Tok::Word, "false") || tok.is(Tok::Number, "0")) t.as<uint8_t>()[i] = 0;
      else return error(tok, strCat("expected true or false, got ", describe(tok)));
      return Status::OK();
    }
    if (isFloat(dt)) {
      DLC_ASSIGN_OR_RETURN(double v, parseFloat(tok));
      t.setFromDouble(i, v);
      return Status::OK();
    }
    DLC_ASSIGN_OR_RETURN(int64_t v, parseInt(tok, strCat("an integer element for ", dtypeName(dt)).c_str()));
    int64_t lo = dt == DType::U8 ? 0 : dt == DType::I32 ? INT32_MIN : INT64_MIN;
    int64_t hi = dt == DType::U8 ? 255 : dt == DType::I32 ? INT32_MAX : INT64_MAX;
    if (v < lo || v > hi) return error(tok, strCat(v, " is out of range for ", dtypeName(dt)));
    if (dt == DType::U8) t.as<uint8_t>()[i] = uint8_t(v);
    else if (dt == DType::I32) t.as<int32_t>()[i] = int32_t(v);
    else t.as<int64_t>()[i] = v;
    return Status::OK();
  }

  Status parseNode() {
    const Token start = peek();
    DLC_ASSIGN_OR_RETURN(std::string name, parseNewName());
    DLC_RETURN_IF_ERROR(expectPunct('='));
    Token opTok = take();
    std::optional<OpKind> op = opTok.kind == Tok::Word ? opFromName(opTok.text) : std::nullopt;
    if (!op) return error(opTok, strCat("unknown op ", describe(opTok)));
    if (*op == OpKind::Input)
      return error(opTok, "inputs are declared in the graph signature, not as nodes");
    DLC_RETURN_IF_ERROR(expectPunct('('));
    std::vector<Node*> operands;
    if (!peek().isPunct(')')) {
      do {
        DLC_ASSIGN_OR_RETURN(Node * in, parseOperand());
        operands.push_back(in);
      } while (acceptPunct(','));
    }
    DLC_RETURN_IF_ERROR(expectPunct(')'));
    Attributes attrs;
    std::optional<std::vector<Literal>> data;
    Token dataToken;
    if (acceptPunct('{')) {
      if (!peek().isPunct('}')) {
        do {
          Token key = take();
          if (key.kind != Tok::Word && key.kind != Tok::String)
            return error(key, strCat("expected an attribute name, got ", describe(key)));
          if (attrs.has(key.text) || (key.text == "value" && data))
            return error(key, strCat("duplicate attribute '", key.text, "'"));
          DLC_RETURN_IF_ERROR(expectPunct('='));
          DLC_RETURN_IF_ERROR(parseAttrValue(key.text, attrs, data, dataToken));
        } while (acceptPunct(','));
      }
      DLC_RETURN_IF_ERROR(expectPunct('}'));
    }
    DLC_RETURN_IF_ERROR(expectPunct(':'));
    const Token typeTok = peek();
    DLC_ASSIGN_OR_RETURN(TensorType type, parseType());
    if (*op == OpKind::Constant) {
      if (!operands.empty()) return error(opTok, "constant takes no operands");
      if (!data) return error(opTok, "constant requires 'value = dense<[...]>' or splat<v>");
      DLC_ASSIGN_OR_RETURN(Tensor value,
                           buildConstant(*data, dataToken.text == "splat", type, dataToken));
      Node* n = graph_->addConstant(name, std::move(value));
      n->attrs = std::move(attrs);
      return parsePlacement(*n);
    }
    if (data) return error(dataToken, strCat("only a constant carries data, not ", opTok.text));
    Node* n = graph_->addNode(*op, name, std::move(operands), std::move(attrs));
    DLC_RETURN_IF_ERROR(parsePlacement(*n));
    auto inferred = inferType(*n);
    if (!inferred.ok()) return error(start, n->describe() + ": " + inferred.status().message());
    if (*inferred != type)
      return error(typeTok, strCat("%", name, " is written as ", type.str(),
                                   " but its inferred type is ", inferred->str()));
    n->type = type;
    return Status::OK();
  }

  std::vector<Token> toks_;
  size_t pos_ = 0;
  const std::string& source_;
  std::unique_ptr<Graph> graph_;
};

}  // namespace

StatusOr<std::unique_ptr<Graph>> parseGraph(const std::string& text,
                                            const std::string& sourceName) {
  DLC_ASSIGN_OR_RETURN(std::vector<Token> tokens, text::tokenize(text, sourceName));
  return Parser(std::move(tokens), sourceName).run();
}

}  // namespace dlc::ir

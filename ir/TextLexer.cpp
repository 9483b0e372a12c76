// The IR text lexer (ir/TextLexer.h): words, %values, @symbols, numbers,
// strings, #k tags and punctuation; skips whitespace and // comments.
#include "ir/TextLexer.h"

#include <cctype>
#include <cstring>

namespace dlc::ir::text {

bool isNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '$' ||
         c == '-';
}

namespace {

class Lexer {
 public:
  Lexer(const std::string& text, const std::string& source) : s_(text), source_(source) {}

  StatusOr<std::vector<Token>> run() {
    std::vector<Token> out;
    for (;;) {
      skipSpace();
      Token t;
      t.line = line_;
      t.col = col_;
      if (pos_ >= s_.size()) {
        out.push_back(t);
        return out;
      }
      DLC_RETURN_IF_ERROR(next(t));
      out.push_back(std::move(t));
    }
  }

 private:
  char peek(size_t ahead = 0) const {
    return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0';
  }
  char get() {
    char c = s_[pos_++];
    if (c == '\n') {
      ++line_;
      col_ = 1;
    } else {
      ++col_;
    }
    return c;
  }
  Status error(const Token& at, const std::string& message) const {
    return invalidArgument(source_, ":", at.line, ":", at.col, ": ", message);
  }

  void skipSpace() {
    while (pos_ < s_.size()) {
      char c = peek();
      if (std::isspace(static_cast<unsigned char>(c))) {
        get();
      } else if (c == '/' && peek(1) == '/') {
        while (pos_ < s_.size() && peek() != '\n') get();
      } else {
        return;
      }
    }
  }

  std::string name() {
    std::string out;
    while (pos_ < s_.size() && isNameChar(peek())) out += get();
    return out;
  }

  Status quoted(Token& t, std::string& out) {
    get();  // opening quote
    for (;;) {
      if (pos_ >= s_.size()) return error(t, "unterminated string");
      char c = get();
      if (c == '"') return Status::OK();
      if (c == '\\') {
        if (pos_ >= s_.size()) return error(t, "unterminated string");
        c = get();
        if (c == 'n') c = '\n';
        else if (c == 't') c = '\t';
      }
      out += c;
    }
  }

  // %name / @name: a bare name or a quoted string.
  Status nameAfterSigil(Token& t, const char* what) {
    get();
    if (peek() == '"') return quoted(t, t.text);
    t.text = name();
    if (t.text.empty()) return error(t, strCat("expected a name after '", what, "'"));
    return Status::OK();
  }

  Status number(Token& t) {
    t.kind = Tok::Number;
    if (peek() == '-' || peek() == '+') t.text += get();
    if (std::isalpha(static_cast<unsigned char>(peek()))) {
      std::string w = name();
      if (w != "inf" && w != "nan") return error(t, strCat("malformed number '", t.text, w, "'"));
      t.text += w;
      return Status::OK();
    }
    bool digits = false;
    while (std::isdigit(static_cast<unsigned char>(peek())) || peek() == '.') {
      digits = digits || peek() != '.';
      t.text += get();
    }
    if (digits && (peek() == 'e' || peek() == 'E')) {
      t.text += get();
      if (peek() == '-' || peek() == '+') t.text += get();
      if (!std::isdigit(static_cast<unsigned char>(peek())))
        return error(t, strCat("malformed number '", t.text, "'"));
      while (std::isdigit(static_cast<unsigned char>(peek()))) t.text += get();
    }
    if (!digits || isNameChar(peek()))
      return error(t, strCat("malformed number '", t.text, std::string(1, peek()), "'"));
    return Status::OK();
  }

  Status next(Token& t) {
    char c = peek();
    if (c == '%') {
      t.kind = Tok::Value;
      return nameAfterSigil(t, "%");
    }
    if (c == '@') {
      t.kind = Tok::Symbol;
      return nameAfterSigil(t, "@");
    }
    if (c == '"') {
      t.kind = Tok::String;
      return quoted(t, t.text);
    }
    if (c == '#') {
      get();
      t.kind = Tok::Kernel;
      if (peek() != 'k') return error(t, "expected a kernel tag #k<id>");
      get();
      while (std::isdigit(static_cast<unsigned char>(peek()))) t.text += get();
      if (t.text.empty() || t.text.size() > 9 || isNameChar(peek()))
        return error(t, "expected a kernel tag #k<id>");
      return Status::OK();
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' ||
        (c == '.' && std::isdigit(static_cast<unsigned char>(peek(1)))))
      return number(t);
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      t.kind = Tok::Word;
      t.text = name();
      return Status::OK();
    }
    if (std::strchr("(){}[]<>,:=", c)) {
      t.kind = Tok::Punct;
      t.text = std::string(1, get());
      return Status::OK();
    }
    return error(t, strCat("unexpected character '", std::string(1, c), "'"));
  }

  const std::string& s_;
  const std::string& source_;
  size_t pos_ = 0;
  int line_ = 1;
  int col_ = 1;
};

}  // namespace

StatusOr<std::vector<Token>> tokenize(const std::string& text, const std::string& source) {
  return Lexer(text, source).run();
}

}  // namespace dlc::ir::text

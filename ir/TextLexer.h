// Tokens of the IR text format (grammar in ir/Printer.h), with line:col.
// Private to ir/Parser.cpp. The lexer knows no grammar: `graph`, op names,
// dtypes, `N`, `dense`, `inf` are all plain words.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "support/Status.h"

namespace dlc::ir::text {

enum class Tok {
  Word,     // graph, return, f32, N, dense, inf, attribute keys, op names
  Value,    // %name (text = the name, unquoted)
  Symbol,   // @name or @"string" (text = the name)
  Number,   // 12, -3, 1.5, 1e-05, -inf, -nan (text = as written)
  String,   // "..." (text = unescaped)
  Kernel,   // #k3 (text = "3")
  Punct,    // one of ( ) { } [ ] < > , : =  (text = the char)
  End,
};

struct Token {
  Tok kind = Tok::End;
  std::string text;
  int line = 1;
  int col = 1;
  bool is(Tok k, const char* t) const { return kind == k && text == t; }
  bool isPunct(char c) const { return kind == Tok::Punct && text.size() == 1 && text[0] == c; }
};

// Splits `text` into tokens ending with one End token. Errors carry
// "<source>:line:col: ".
StatusOr<std::vector<Token>> tokenize(const std::string& text, const std::string& source);

// True for the characters of a bare name: [A-Za-z0-9_.$-].
bool isNameChar(char c);

}  // namespace dlc::ir::text

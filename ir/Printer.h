// The IR text format: for golden tests, --dump-ir and humans.
//
//   graph @mlp(%image: u8[N,28,28]) {
//     %w1 = constant() {value = dense<[0.5, -1.0, ...]>} : f32[784,128]
//     %x = cast(%image) {to = "f32"} : f32[N,28,28]
//     %h = dense(%flat, %w1, %b1) : f32[N,128] @"/device:CPU:0"  #k0
//     return %probs
//   }
//
// Grammar (whitespace and `// comments` are free between tokens):
//
//   graph     ::= 'graph' '@' name '(' [param (',' param)*] ')' '{' node* [return] '}'
//   param     ::= '%' name ':' type [device] [kernel]        -- one graph input
//   node      ::= '%' name '=' opname '(' [operand (',' operand)*] ')'
//                 [attrs] ':' type [device] [kernel]
//   return    ::= 'return' [operand (',' operand)*]           -- the graph outputs
//   operand   ::= '%' name                                    -- defined earlier
//   name      ::= bare | string        bare = [A-Za-z0-9_.$-]+ (else printed quoted)
//   attrs     ::= '{' [attr (',' attr)*] '}'     attr ::= name '=' value
//   value     ::= int | float | string | '[' [num (',' num)*] ']'
//               | 'dense' '<' '[' [elem (',' elem)*] ']' '>'  -- constant data, row-major
//               | 'splat' '<' elem '>'                        -- parser only: one value
//               | 'opaque' '<' string '>'                     -- printer only: not parseable
//   type      ::= dtype '[' [dim (',' dim)*] ']'  dim ::= int | 'N'   (f32[] is a scalar)
//   device    ::= '@' string                      kernel ::= '#k' int
//
// An int has no '.', 'e' or inf/nan; a float always has one (1.0, 1e-05, inf,
// -nan), so every AttrValue kind prints distinguishably: 3, 2.5, "tanh",
// [1,2], [0.5,1.0]. `[]` reads as an empty int list. Attributes print in name
// order; a constant's data is its `value` attribute and prints first. Bool
// elements print as true/false; float elements with 9 significant digits
// (exact for f32/f16/bf16); integers exactly.
//
// Constants print as dense<[...]> up to PrintOptions::maxInlineElements
// elements (negative: no limit) and as opaque<"N bytes"> above it. Graph
// inputs are the params in graph.inputs() order; the body lists the other
// nodes in node order. Origins and locations are not printed; the parser
// sets origins = {name} on computed nodes, graph.sourceFile = the source
// name, runs shape inference on every node and requires the written type to
// equal the inferred one, so parse(print(g)) prints exactly as g does.
#pragma once

#include <string>

#include "ir/Graph.h"

namespace dlc::ir {

struct PrintOptions {
  int64_t maxInlineElements = 16;  // larger constants print as opaque
};

std::string printGraph(const Graph& graph, const PrintOptions& options = {});

}  // namespace dlc::ir

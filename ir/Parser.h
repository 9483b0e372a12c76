// Parses the IR text format written by ir/Printer.h (grammar there).
// Errors give "<source>:line:col: message". Every node is shape-inferred as it
// is read and its written type must equal the inferred one; constants also
// accept splat<v>. The result has sourceFile = sourceName and origins =
// {name} on computed nodes. Kernel annotations are kept as written: the
// verifier and ir::buildKernelPlan judge them, the parser does not.
#pragma once

#include <memory>
#include <string>

#include "ir/Graph.h"

namespace dlc::ir {

StatusOr<std::unique_ptr<Graph>> parseGraph(const std::string& text,
                                            const std::string& sourceName = "<ir>");

}  // namespace dlc::ir

// dlc's native model format: a JSON graph plus weight files -> ir::Graph.
//
// The format is specified in docs/format.md (op semantics in docs/ops.md).
// Loading checks everything a user can get wrong and reports it as a Status
// naming the file and the JSON path or node:
//   model.json:3:17: malformed JSON: ...
//   model.json: nodes[4] "h1": unknown op "dens" (did you mean "dense"?)
//   model.json: nodes[3] "h1" (dense): ...            (from shape inference)
// The returned graph is topologically sorted and fully typed (ir::inferTypes);
// nodes carry `location` ("nodes[12]") and `device` from the file.
//
// What this deliberately does not do: run passes, verify device names, or
// check attribute names (shape inference reads the attributes it knows).
#pragma once

#include <memory>
#include <string>

#include "ir/Graph.h"
#include "support/Status.h"

namespace dlc::json {

// Limits on what a model may contain.
constexpr size_t kMaxNodes = 1000000;

// Reads and parses the model file at `path`; weight files are resolved
// relative to its folder.
StatusOr<std::unique_ptr<ir::Graph>> loadModel(const std::string& path);

// Parses model JSON `text`. `sourcePath` names the file in errors and its
// folder is where relative weight files are looked up.
StatusOr<std::unique_ptr<ir::Graph>> parseModel(const std::string& text,
                                                const std::string& sourcePath);

}  // namespace dlc::json

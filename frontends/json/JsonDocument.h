// Parsing model JSON text into a nlohmann::json tree, safely.
//
// The parse (a SAX-driven DOM builder) enforces a nesting limit and refuses duplicate object keys
// (which nlohmann would silently collapse); a syntax error reports line and column. No nlohmann
// exception leaves this file: every failure is a Status naming the file.
//
// What this deliberately does not do: interpret the model. Field checks live
// in ModelFields.h, graph building in JsonModel.cpp.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "support/Status.h"

namespace dlc::json {

// Deepest nesting of arrays/objects a model may use.
constexpr int kMaxJsonDepth = 64;

// Parses `text`; `file` prefixes every error ("model.json:3:17: ...").
StatusOr<nlohmann::json> parseJsonText(const std::string& text, const std::string& file);

// 1-based line and column of byte `offset` in `text`.
std::pair<int, int> lineColumnAt(const std::string& text, size_t offset);

}  // namespace dlc::json

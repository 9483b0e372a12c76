// The pass interface. A pass returns whether it changed the graph.
#pragma once

#include <string_view>

#include "ir/Graph.h"

namespace dlc::passes {

class Pass {
 public:
  virtual ~Pass() = default;
  virtual std::string_view name() const = 0;
  virtual StatusOr<bool> run(ir::Graph& graph) = 0;
};

}  // namespace dlc::passes

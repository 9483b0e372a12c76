// docs/onnx-support.md: the ONNX support table, written from the results of
// every backend node test case and from the converter table.
//
// What this deliberately does not do: run anything (NodeSuite.h does).
#pragma once

#include <string>
#include <vector>

#include "support/Status.h"
#include "tests/onnx_node/NodeSuite.h"

namespace dlc::onnxnode {

// The Markdown report for `cases` and their `results` (same order).
std::string supportReport(const std::vector<NodeCase>& cases,
                          const std::vector<CaseResult>& results);

// Runs every case under testDataRoot(), prints one line per case that did
// not pass, writes the report to `path`, and returns the number of failed
// cases (or an error when the report cannot be written).
StatusOr<int> writeSupportReport(const std::string& path);

}  // namespace dlc::onnxnode

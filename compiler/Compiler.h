// The dlc build pipeline: model file -> IR -> passes -> fusion -> buffer
// assignment -> backend code -> manifest + constants (an artifact).
//
// This is straight-line code, in the spirit of Halide's Lower.cpp: each step
// is one call, observable through --dump-ir and --time-passes. It does not
// run anything (see the runtime) and knows no op semantics.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compiler/backends/cpu/CpuBackend.h"
#include "ir/Graph.h"
#include "ir/Kernel.h"
#include "passes/BufferAssignment.h"
#include "passes/PassManager.h"
#include "runtime/src/Manifest.h"

namespace dlc {

struct BuildOptions {
  std::string target = "cpu";
  // --cpu: the CPU the code is for (cpu::CpuCompileOptions::cpu): "native",
  // "generic" (x86-64-v2), "x86-64-v3", "x86-64-v4" or an LLVM CPU name.
  std::string cpu = "native";
  bool fusion = true;          // false: one kernel per op (--no-fusion)
  std::string dumpDir;         // --dump-ir DIR: IR after every pass, .ll and .s
  bool timePasses = false;     // --time-passes
  bool verifyEach = true;      // run the verifier after every pass
};

struct BuildResult {
  std::unique_ptr<ir::Graph> graph;  // after passes, with Node::kernel set
  ir::KernelPlan plan;
  std::vector<passes::PassTiming> timings;
  passes::BufferAssignment buffers;
  cpu::CompiledCode code;
  rt::Manifest manifest;
  std::vector<uint8_t> constants;
};

// Loads a model by its extension (.json today).
StatusOr<std::unique_ptr<ir::Graph>> loadModelFile(const std::string& path);

// Compiles a loaded graph for options.target.
StatusOr<BuildResult> compileGraph(std::unique_ptr<ir::Graph> graph, const BuildOptions& options);

// loadModelFile + compileGraph.
StatusOr<BuildResult> buildModel(const std::string& path, const BuildOptions& options);

// The artifact bytes of a build (see runtime/src/Artifact.h).
StatusOr<std::vector<uint8_t>> artifactBytes(const BuildResult& result);

// The supported targets, for messages.
inline constexpr const char* kSupportedTargets = "cpu";

// The devices of `target` that nodes may be placed on ("/device:CPU:0").
std::vector<std::string> targetDevices(const std::string& target);

}  // namespace dlc

// dlc: the command-line driver. Each subcommand lives in its own file.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "compiler/tools/dlc/Commands.h"
#include "compiler/tools/dlc/ModelSession.h"

namespace {

struct Subcommand {
  const char* name;
  const char* summary;
  int (*run)(const std::vector<std::string>&);
};

const Subcommand kCommands[] = {
    {"build", "compile a model (.json .onnx .keras .h5) into an artifact (.dlc)", dlc::cli::buildCommand},
    {"run", "run a model or artifact; write outputs; log device placement", dlc::cli::runCommand},
    {"compare", "fused against unfused: kernels, bytes, time, max difference", dlc::cli::compareCommand},
    {"eval", "accuracy and throughput on an IDX image/label set (MNIST format)", dlc::cli::evalCommand},
    {"bench", "fused and unfused time and throughput by target and batch; SVG plot", dlc::cli::benchCommand},
    {"import", "convert an ONNX or Keras model to dlc's JSON + safetensors", dlc::cli::importCommand},
    {"export", "write a model (.json .onnx .keras .h5) as an ONNX file", dlc::cli::exportCommand},
    {"devices", "list devices (CPU and GPUs), their memory and bandwidth", dlc::cli::devicesCommand},
};

void printUsage(FILE* out) {
  std::fprintf(out, "usage: dlc <command> [options]   (dlc <command> --help for details)\n\n"
                    "dlc compiles deep-learning graphs to fused machine code and runs them.\n\n"
                    "commands:\n");
  for (const auto& c : kCommands) std::fprintf(out, "  %-10s %s\n", c.name, c.summary);
}

int dispatch(int argc, char** argv) {
  if (argc < 2) {
    printUsage(stderr);
    return 2;
  }
  std::string cmd = argv[1];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    printUsage(stdout);
    return 0;
  }
  std::vector<std::string> rest(argv + 2, argv + argc);
  for (const auto& c : kCommands)
    if (cmd == c.name) return c.run(rest);
  std::fprintf(stderr, "dlc: unknown command \"%s\"\n\n", cmd.c_str());
  printUsage(stderr);
  return 2;
}

}  // namespace

// No exception leaves main: a bug becomes "dlc: internal error: ..." and
// exit code 1 instead of std::terminate's abort.
int main(int argc, char** argv) {
  return dlc::cli::guardInternalErrors([&] { return dispatch(argc, argv); });
}

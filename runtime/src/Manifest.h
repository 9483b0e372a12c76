// The artifact manifest: what the compiler tells the runtime about a model.
//
// Sizes that depend on the batch are affine: bytes = fixed + perBatch * N
// (a tensor either has the batch dimension or not, so one of the two is 0
// for a single tensor; sums over tensors may have both).
//
// Kernel ABI (CPU): the artifact's code section is a shared object that
// exports, for every kernel with symbol S,
//   extern "C" void S(void* const* args, int64_t batch, int64_t begin, int64_t end);
//   extern "C" int64_t S_extent(int64_t batch);
// args = the kernel's buffers: params first, then outputs, in manifest order.
// The runtime splits [0, S_extent(batch)) into chunks across its threads and
// calls S on each chunk; chunks write disjoint parts of the outputs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/Types.h"
#include "support/Affine.h"
#include "support/Status.h"

namespace dlc::rt {

// bytes = fixed + perBatch * N (support/Affine.h, shared with the compiler).
using Affine = dlc::Affine;

enum class BufferKind { Input, Output, Constant, Temp };

struct BufferDesc {
  int id = 0;
  std::string name;          // the IR value it holds
  BufferKind kind = BufferKind::Temp;
  ir::DType dtype = ir::DType::F32;
  std::vector<int64_t> dims;  // ir::kBatch (-1) for the batch dimension
  Affine bytes;
  // Constant: byte offset of its data in the constants section.
  int64_t constOffset = 0;
  // Temp: the slot it shares with others whose lifetimes do not overlap
  // (buffer assignment); -1 for non-temps.
  int slot = -1;
  // Input/Output: position in the model's input/output list.
  int ioIndex = -1;
};

struct SlotDesc {
  int id = 0;
  Affine bytes;  // large enough for every buffer assigned to it
};

struct KernelDesc {
  int id = 0;
  std::string symbol;        // "dlc_k3"
  std::string kind;          // "loop", "reduction", "row", "contraction", "pool"
  std::string label;         // "dense+add+relu"
  std::string device;        // "/device:CPU:0"
  std::vector<int> args;     // buffer ids: params then outputs
  int numParams = 0;         // args[0..numParams) are read, the rest written
  std::vector<std::string> nodes;  // source-model node names fused into it
  Affine bytesRead;
  Affine bytesWritten;
  Affine flops;
};

struct NodePlacement {
  std::string node;    // source-model node name
  std::string op;
  int kernel = -1;     // -1: folded at compile time (no kernel runs it)
  std::string device;
};

// The CPU the kernels were compiled for: LLVM's CPU name ("x86-64-v3",
// "sapphirerapids") and the x86 features the code may use, in LLVM's
// spelling (runtime/src/CpuFeatures.h). Loading checks the features against
// the running CPU. Empty in artifacts from before this field existed.
struct CpuTarget {
  std::string name;
  std::vector<std::string> features;
};

struct Manifest {
  static constexpr int kFormatVersion = 1;
  std::string modelName;
  std::string target = "cpu";
  CpuTarget cpu;                    // target "cpu" only
  bool fused = true;
  std::vector<BufferDesc> buffers;
  std::vector<SlotDesc> slots;
  std::vector<KernelDesc> kernels;  // execution order
  std::vector<int> inputs;          // buffer ids, model input order
  std::vector<int> outputs;         // buffer ids, model output order
  std::vector<NodePlacement> placement;
  Affine peakTempBytes;             // sum of slot sizes
};

}  // namespace dlc::rt

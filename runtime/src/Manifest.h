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
// calls S on each chunk; chunks write disjoint parts of the outputs. S's
// stack buffers (GEMM packing and partial sums) take at most
// kCpuKernelStackBytes; the runtime calls S only on threads with a stack of
// at least kCpuKernelStackBytes + 1 MiB.
//
// Kernel ABI (CUDA): the artifact's CUDA code section (CudaCode.h) holds PTX
// (and optionally a CUBIN) defining, for every kernel with symbol S,
//   extern "C" __global__ void S(DlcArgs a);
//   struct DlcArgs { void* ptr[kMaxKernelArgs]; long long batch; };
// ptr = the kernel's buffers, params then outputs, as on the CPU. The launch
// is 1-D: blocks = ceil(launch.items(batch) / launch.itemsPerBlock), at least
// 1, capped at launch.maxBlocks when that is > 0 (kernels then loop over
// the remaining items grid-stride, so the device may also cap the grid to
// its own size: 16 blocks per SM), with launch.threads threads per block and
// launch.sharedBytes bytes of dynamic shared memory.
//
// Transfers: a kernel of kind "transfer" has no symbol and no code. It copies
// buffer args[0] (on its own home device) to buffer args[1] (on the kernel's
// device); bytesRead = bytesWritten = the bytes copied.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/Types.h"
#include "support/Affine.h"
#include "support/Status.h"

namespace dlc::rt {

// The most stack a CPU kernel's own buffers may take (see the kernel ABI).
constexpr int64_t kCpuKernelStackBytes = int64_t(1) << 20;

// bytes = fixed + perBatch * N (support/Affine.h, shared with the compiler).
using Affine = dlc::Affine;

enum class BufferKind { Input, Output, Constant, Temp };

// Most buffers one kernel may take (params + outputs): the size of
// DlcArgs::ptr in the CUDA ABI.
inline constexpr int kMaxKernelArgs = 64;

// The launch geometry of a CUDA kernel (see the ABI above).
struct CudaLaunch {
  Affine items;               // work items at batch N
  int64_t itemsPerBlock = 1;  // work items one block covers per pass
  int threads = 256;          // threads per block
  int sharedBytes = 0;        // dynamic shared memory per block
  int64_t maxBlocks = 0;      // 0: no cap; else kernels loop grid-stride
};

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
  // The device whose memory holds the buffer ("/device:GPU:0"); empty: the
  // device of the kernels that use it (every buffer of a one-device model).
  // A constant used on several devices has one buffer per device.
  std::string device;
};

struct SlotDesc {
  int id = 0;
  Affine bytes;  // large enough for every buffer assigned to it
};

struct KernelDesc {
  int id = 0;
  std::string symbol;        // "dlc_k3"
  std::string kind;          // "loop", "reduction", "row", "contraction", "pool", "transfer"
  std::string label;         // "dense+add+relu"
  std::string device;        // "/device:CPU:0"
  std::vector<int> args;     // buffer ids: params then outputs
  int numParams = 0;         // args[0..numParams) are read, the rest written
  std::vector<std::string> nodes;  // source-model node names fused into it
  Affine bytesRead;
  Affine bytesWritten;
  Affine flops;
  // CUDA kernels: how to launch them, and what produced the code: "nvrtc"
  // (dlc's generated CUDA C++) or a library ("cuDNN conv+bias+relu").
  CudaLaunch launch;
  std::string engine;
};

struct NodePlacement {
  std::string node;    // source-model node name
  std::string op;
  int kernel = -1;     // -1: folded at compile time (no kernel runs it)
  std::string device;
  // Soft placement: why the node runs on `device` rather than where it was
  // placed (it has no kernel there); empty when it runs where it was placed.
  std::string fallback;
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
  static constexpr int kFormatVersion = 2;
  std::string modelName;
  std::string target = "cpu";      // "cpu" or "cuda"
  CpuTarget cpu;                    // when any kernel runs on a CPU device
  // Every device a kernel or buffer names, sorted ("/device:CPU:0",
  // "/device:GPU:0"). Empty in one-device artifacts from before this field:
  // then every kernel runs on the model's device.
  std::vector<std::string> devices;
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

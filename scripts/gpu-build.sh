#!/usr/bin/env bash
# gpu-build.sh: builds, on this machine, what scripts/gpu-check.sh runs on a
# GPU machine (which has no LLVM): LLVM linked statically, unused sections
# dropped and symbols stripped, so the carried files fit the device tool's
# 64 MiB. Prints the paths to carry and their total size.
#
# usage: scripts/gpu-build.sh [BUILD_DIR]   (default: ./build-gpu)
# then, with the device tool:  carry = the printed paths,
#   command = scripts/gpu-check.sh build-gpu
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-gpu}
"$root/scripts/setup.sh"
# -DDLC_IMPORTERS=OFF: the GPU machine has no protobuf or HDF5 libraries;
# import ONNX/Keras models here with `dlc import` and carry the JSON.
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDLC_LLVM_STATIC=ON \
  -DDLC_IMPORTERS=OFF \
  -DCMAKE_EXE_LINKER_FLAGS="-Wl,--gc-sections -s" >/dev/null
# The dlc CLI and the CUDA test binaries that link no LLVM. (The placement and
# CUDA CLI test binaries link the whole compiler, ~40 MB each: they are left
# out of the carry; gpu-check.sh runs the CLI itself instead.)
targets=(dlc runtime_cuda_tests backend_cuda_emulated_gpu_test backend_cuda_loop_render_test
         backend_cuda_reduction_row_pool_render_test backend_cuda_contraction_render_test
         backend_cuda_nvrtc_compile_test)
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"
rel=${build#"$root"/}
paths=("$rel/compiler/tools/dlc/dlc" "$rel/tests/runtime_cuda/runtime_cuda_tests")
for t in "${targets[@]:2}"; do paths+=("$rel/tests/backends/cuda/$t"); done
# The shared libraries the dlc CLI needs beyond a bare base image (libzip
# for .npz files, and what libzip itself loads) go into BUILD/lib;
# gpu-check.sh puts that folder on LD_LIBRARY_PATH.
mkdir -p "$build/lib"
for lib in libzip.so.4 libbz2.so.1.0 libcrypto.so.3; do
  cp -L "$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64/ {print $NF; exit}')" "$build/lib/$lib"
done
paths+=("$rel/lib")
total=0
for p in "${paths[@]}"; do total=$((total + $(du -sb "$root/$p" | cut -f1))); done
echo "carry (${#paths[@]} paths, $((total / 1048576)) MiB):"
printf '  %s\n' "${paths[@]}"

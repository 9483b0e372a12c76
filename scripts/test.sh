#!/usr/bin/env bash
# Installs what is missing, builds dlc with its tests, runs the whole test
# suite (CTest), installs the runtime package and builds and runs the embed
# example against it, then builds everything again with ASan + UBSan (clang)
# and runs the whole suite under the sanitizers, with the libFuzzer targets
# (scripts/test-sanitizers.sh). .ci/run calls exactly this.
# DLC_SKIP_SANITIZERS=1 stops after the Release suite (for quick local runs).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DLC_BUILD_DIR:-$root/build}
"$root/scripts/setup.sh"
DLC_BUILD_DIR=$build "$root/scripts/build.sh"

echo "== embed example against the installed package"
cmake --install "$build" --prefix "$build/install" > /dev/null
cmake -S "$root/examples/embed" -B "$build/embed" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$build/install" > /dev/null
cmake --build "$build/embed"
"$build/compiler/tools/dlc/dlc" build "$root/examples/fashion_mnist_mlp.json" -o "$build/mlp.dlc"
gunzip -c /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz > "$build/t10k-images.idx"
"$build/embed/embed" "$build/mlp.dlc" "$build/t10k-images.idx" 0

echo "== test suite"
cd "$build"
ctest --output-on-failure -j "$(nproc)" --timeout 600

if [ "${DLC_SKIP_SANITIZERS:-0}" != 1 ]; then
  "$root/scripts/test-sanitizers.sh"
fi

#!/usr/bin/env bash
# Installs what dlc needs on Debian 12 (only what is missing), from Debian's packages.
# The CUDA toolkit is expected in /usr/local/cuda; it is not needed for the CPU target.
set -euo pipefail
pkgs=(cmake ninja-build g++ pkg-config llvm-19-dev libzstd-dev zlib1g-dev nlohmann-json3-dev
      libgtest-dev libgmock-dev libbenchmark-dev dataset-fashion-mnist python3 python3-venv
      libprotobuf-dev protobuf-compiler libonnx-dev libonnx-testdata libhdf5-dev libzip-dev
      clang-19 libclang-rt-19-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "dlc setup: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "dlc setup: all packages present"
fi

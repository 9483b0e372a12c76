#!/usr/bin/env bash
# The peer benchmark, one command: dlc against XLA:CPU (jax), ONNX Runtime, OpenVINO and TVM
# (Relax) on this machine, same models, weights and inputs, outputs checked against dlc's.
#   1. creates (idempotently) the venv ${DLC_PEERS_VENV:-~/.cache/dlc/venv-peers} from
#      bench/peers/requirements.txt (pinned) and checks that every engine imports;
#   2. builds dlc, its runtime and machine_limits in ${DLC_BUILD_DIR:-build} (scripts/build.sh
#      when the build dir is not configured yet, else the three targets); --no-build skips it;
#   3. runs bench/peers/run.py with the other arguments (--help lists them), which writes
#      results.md, results.json, chart.svg and machine.md to bench/results/<date>-<cpu>/.
# It installs nothing outside the venv and the build dir.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${DLC_PEERS_VENV:-$HOME/.cache/dlc/venv-peers}"
python="${PYTHON:-python3}"
requirements="$repo/bench/peers/requirements.txt"
stamp="$venv/.dlc-requirements"
build="${DLC_BUILD_DIR:-$repo/build}"
[[ "$build" = /* ]] || build="$repo/$build"

build_dlc=1
args=()
for arg in "$@"; do
  if [[ "$arg" == "--no-build" ]]; then build_dlc=0; else args+=("$arg"); fi
done

if [[ ! -x "$venv/bin/python" ]]; then
  echo "peers.sh: creating $venv with $("$python" --version 2>&1)" >&2
  "$python" -m venv "$venv"
fi
if [[ ! -f "$stamp" ]] || ! cmp -s "$requirements" "$stamp"; then
  echo "peers.sh: installing $requirements" >&2
  "$venv/bin/python" -m pip install --disable-pip-version-check --quiet -r "$requirements" >&2
  "$venv/bin/python" -c "import jax, onnx, onnxruntime, openvino, tvm, tvm.relax.frontend.onnx"
  cp "$requirements" "$stamp"
fi

if [[ "$build_dlc" == 1 ]]; then
  if [[ ! -f "$build/build.ninja" ]]; then
    DLC_BUILD_DIR="$build" "$repo/scripts/build.sh" >&2
  else
    targets=(dlc dlcrt)
    if ninja -C "$build" -t targets all 2>/dev/null | grep -q '^bench/machine_limits:'; then
      targets+=(machine_limits)
    fi
    cmake --build "$build" --target "${targets[@]}" >&2
  fi
fi

exec "$venv/bin/python" "$repo/bench/peers/run.py" --build "$build" ${args[@]+"${args[@]}"}

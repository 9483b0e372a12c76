#!/usr/bin/env bash
# gpu-check.sh: dlc's checks and measurements on a GPU machine, from a build
# carried there (the GPU machine has nvcc, cmake, ninja and python with
# torch/jax, but no LLVM: the build must be linked with -DDLC_LLVM_STATIC=ON).
#
# usage: scripts/gpu-check.sh [BUILD_DIR]          (default: ./build)
# scripts/gpu-build.sh makes such a build and prints the paths to carry.
#
# Steps (each one's output, exit code and time are recorded; a failing step
# never stops the others):
#   env       nvidia-smi, nvcc, the dlc binary's libraries, python packages
#   devices   dlc devices --measure --json (and the text form)
#   tests     the CUDA test binaries: tests/backends/cuda/*, tests/runtime_cuda/*,
#             placement tests and the CUDA CLI tests, each with its output
#   eval      dlc eval of examples/fashion_mnist_mlp.json on the Fashion-MNIST test
#             set (/usr/share/datasets/fashion-mnist, or $FMNIST_DIR) on the CPU and
#             on CUDA in f32, f16 and bf16
#   bench     dlc bench of the MLP and the transformer block, --targets cpu,cuda
#             --batch 1,64,1024,8192 --json --svg (and CUDA without graphs)
#   compare   dlc compare --target cuda of examples/elementwise_chain.json
#   peers     scripts/gpu_peers.py: the same MLP and transformer block through
#             torch.compile and jax.jit on the GPU
#
# Everything goes to $OUT if set, else ./gpu-check-out: one file per step
# (.json where the command prints JSON, .log for its stderr or text), steps.tsv
# (step, exit code, seconds, files) and summary.txt. Select steps with
# GPU_CHECK_STEPS="devices bench" (default: all, in the order above); limit each
# command with STEP_TIMEOUT seconds (default 300). The exit code is 0 when every
# step passed, else 1.
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" 2>/dev/null && pwd) || {
  echo "gpu-check: build dir ${1:-$root/build} does not exist" >&2
  exit 2
}
# Shared libraries carried with the build (scripts/gpu-build.sh puts libzip
# and what it loads there), ahead of the machine's own.
[ -d "$build/lib" ] && export LD_LIBRARY_PATH="$build/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
out=${OUT:-$PWD/gpu-check-out}
mkdir -p "$out" || exit 2
out=$(cd "$out" && pwd)
steps=${GPU_CHECK_STEPS:-env devices tests eval bench compare peers}
step_timeout=${STEP_TIMEOUT:-300}
dlc=$build/compiler/tools/dlc/dlc
examples=$root/examples
python=${PYTHON:-python3}
failures=0

printf 'step\texit\tseconds\tfiles\n' > "$out/steps.tsv"
: > "$out/summary.txt"

# record NAME RC SECONDS FILES...: one line in steps.tsv and summary.txt.
record() {
  local name=$1 rc=$2 secs=$3
  shift 3
  printf '%s\t%s\t%s\t%s\n' "$name" "$rc" "$secs" "$*" >> "$out/steps.tsv"
  if [ "$rc" = 0 ]; then
    printf 'ok    %-28s %4ss  %s\n' "$name" "$secs" "$*" | tee -a "$out/summary.txt"
  else
    failures=$((failures + 1))
    printf 'FAIL  %-28s %4ss  exit %s  %s\n' "$name" "$secs" "$rc" "$*" | tee -a "$out/summary.txt"
  fi
}

# run NAME STDOUT_FILE STDERR_FILE CMD...: runs CMD with the step timeout,
# stdout and stderr to the two files (the same file twice merges them).
run() {
  local name=$1 stdout=$2 stderr=$3
  shift 3
  local start rc
  start=$(date +%s)
  if [ "$stdout" = "$stderr" ]; then
    timeout --kill-after=10 "$step_timeout" "$@" > "$out/$stdout" 2>&1
  else
    timeout --kill-after=10 "$step_timeout" "$@" > "$out/$stdout" 2> "$out/$stderr"
  fi
  rc=$?
  [ "$rc" = 124 ] && echo "gpu-check: timed out after ${step_timeout}s" >> "$out/$stderr"
  record "$name" "$rc" "$(($(date +%s) - start))" "$stdout" "$([ "$stdout" = "$stderr" ] || echo "$stderr")"
}

wants() { case " $steps " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# A carried build: the tests find the CLI and the examples here, not at the
# paths compiled into them.
export DLC_CLI=$dlc
export DLC_SOURCE_DIR=$root

if ! [ -x "$dlc" ]; then
  echo "gpu-check: no dlc binary at $dlc (build it, or pass the build dir)" | tee -a "$out/summary.txt"
  failures=$((failures + 1))
fi

if wants env; then
  {
    echo "== date"; date -u
    echo "== host"; uname -a; nproc
    echo "== nvidia-smi"; nvidia-smi 2>&1 || echo "nvidia-smi failed"
    echo "== nvcc"; nvcc --version 2>&1 || /usr/local/cuda/bin/nvcc --version 2>&1 || echo "no nvcc"
    echo "== dlc libraries"; ldd "$dlc" 2>&1
    echo "== python"; "$python" -c 'import sys, numpy; print(sys.version); print("numpy", numpy.__version__)' 2>&1
    for pkg in torch jax onnxruntime; do
      "$python" -c "import $pkg; print('$pkg', $pkg.__version__)" 2>&1 | tail -1
    done
  } > "$out/env.txt" 2>&1
  if ldd "$dlc" 2>/dev/null | grep -q "not found"; then
    echo "gpu-check: $dlc needs libraries this machine lacks (see env.txt); build with" \
         "-DDLC_LLVM_STATIC=ON to carry it" >> "$out/env.txt"
    record env 1 0 env.txt
  else
    record env 0 0 env.txt
  fi
fi

if wants devices; then
  run devices devices.json devices.log "$dlc" devices --measure --json
  run devices-text devices.txt devices.txt "$dlc" devices
fi

if wants tests; then
  mkdir -p "$out/tests"
  shopt -s nullglob
  found=0
  declare -A seen=()
  for bin in "$build"/tests/backends/cuda/* "$build"/tests/runtime_cuda/* \
             "$build"/tests/*/*placement* "$build"/tests/*/*Placement* \
             "$build"/tests/*/*cuda* "$build"/tests/e2e/dlc_e2e_cuda_cli_tests; do
    [ -f "$bin" ] && [ -x "$bin" ] || continue
    case "$bin" in *.cmake|*.txt|*.json) continue ;; esac
    [ -n "${seen[$bin]:-}" ] && continue
    seen[$bin]=1
    found=$((found + 1))
    name=$(basename "$bin")
    run "test:$name" "tests/$name.txt" "tests/$name.txt" \
        "$bin" --gtest_output="json:$out/tests/$name.json" --gtest_color=no
  done
  shopt -u nullglob
  [ "$found" = 0 ] && record tests 1 0 "no CUDA test binaries under $build/tests"
fi

if wants eval; then
  data=${FMNIST_DIR:-/usr/share/datasets/fashion-mnist}
  images=$data/t10k-images-idx3-ubyte.gz
  labels=$data/t10k-labels-idx1-ubyte.gz
  [ -f "$images" ] || images=$data/t10k-images-idx3-ubyte
  [ -f "$labels" ] || labels=$data/t10k-labels-idx1-ubyte
  if [ -f "$images" ] && [ -f "$labels" ]; then
    run eval-cpu-f32 eval_cpu_f32.json eval_cpu_f32.log "$dlc" eval \
        "$examples/fashion_mnist_mlp.json" --images "$images" --labels "$labels" --json
    for precision in f32 f16 bf16; do
      run "eval-cuda-$precision" "eval_cuda_$precision.json" "eval_cuda_$precision.log" \
          "$dlc" eval "$examples/fashion_mnist_mlp.json" --target cuda --precision "$precision" \
          --images "$images" --labels "$labels" --json --verbose
    done
  else
    echo "no Fashion-MNIST test set in $data (set FMNIST_DIR)" > "$out/eval.log"
    record eval 1 0 eval.log
  fi
fi

if wants bench; then
  for model in fashion_mnist_mlp transformer_block; do
    run "bench-$model" "bench_$model.json" "bench_$model.log" "$dlc" bench \
        "$examples/$model.json" --targets cpu,cuda --batch 1,64,1024,8192 --json \
        --svg "$out/bench_$model.svg"
    run "bench-$model-no-graphs" "bench_${model}_no_graphs.json" "bench_${model}_no_graphs.log" \
        "$dlc" bench "$examples/$model.json" --targets cuda --batch 1,64,1024,8192 --json \
        --no-graphs
  done
fi

if wants compare; then
  run compare-chain-cuda compare_elementwise_chain_cuda.json compare_elementwise_chain_cuda.log \
      "$dlc" compare "$examples/elementwise_chain.json" --target cuda --json
  run compare-chain-cpu compare_elementwise_chain_cpu.json compare_elementwise_chain_cpu.log \
      "$dlc" compare "$examples/elementwise_chain.json" --target cpu --json
fi

if wants peers; then
  run peers peers.log peers.log "$python" "$root/scripts/gpu_peers.py" \
      --examples "$examples" --batch 1,64,1024,8192 --out "$out/peers.json"
fi

echo "gpu-check: $failures failing step(s); results in $out" | tee -a "$out/summary.txt"
[ "$failures" = 0 ]

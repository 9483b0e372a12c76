#!/usr/bin/env bash
# Long libFuzzer campaigns on the parsers and the artifact loader (issue 5).
#
#   scripts/fuzz-parsers.sh [--build DIR] [--minutes M] [--jobs J] [targets...]
#
# Runs each target (default: every fuzz_* target built in DIR) for M minutes
# (default 30) in libFuzzer's fork mode with J parallel children (default 1),
# which keeps fuzzing after a crash, leak, timeout or out-of-memory and saves
# every reproducer. Per target, fuzz-out/libfuzzer/<target>/ holds the
# growing corpus (corpus/; the committed seeds in tests/fuzz/corpus/<target>
# are read, never written), the reproducers (crash-*, leak-*, timeout-*,
# oom-*) and libFuzzer's log (fuzz.log). Then one table: execs, wall
# seconds, CPU seconds, reproducers by kind, and the final coverage (cov:
# edges, ft: features) from libFuzzer's last status line.
#
# DIR is a build with -DDLC_LIBFUZZER=ON (default: build-asan, the asan
# preset: cmake --preset asan && cmake --build --preset asan --target fuzz_json_model ...).
# Exit status: 1 when any reproducer was written, else 0.
#
# Reproduce one:  DIR/tests/fuzz/libfuzzer/<target> fuzz-out/libfuzzer/<target>/crash-...
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build-asan
minutes=30
jobs=1
targets=()
all=(fuzz_json_model fuzz_ir_text fuzz_safetensors fuzz_npy fuzz_artifact fuzz_onnx fuzz_keras)

usage() {
  sed -n '4p' "$0" | sed 's/^# *//' >&2
  exit 2
}

while (($#)); do
  case $1 in
    --build) build=$(cd "$2" && pwd); shift 2 ;;
    --minutes) minutes=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "fuzz-parsers.sh: unknown option $1" >&2; usage ;;
    *) targets+=("$1"); shift ;;
  esac
done
[[ $minutes =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "fuzz-parsers.sh: --minutes needs a number" >&2; exit 2; }
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "fuzz-parsers.sh: --jobs needs a positive integer" >&2; exit 2; }
seconds=$(awk -v m="$minutes" 'BEGIN { s = int(m * 60 + 0.5); print (s < 1 ? 1 : s) }')

bindir=$build/tests/fuzz/libfuzzer
if ((${#targets[@]} == 0)); then
  for t in "${all[@]}"; do [[ -x $bindir/$t ]] && targets+=("$t"); done
  ((${#targets[@]})) || { echo "fuzz-parsers.sh: no fuzz targets in $bindir (configure with --preset asan and build them)" >&2; exit 2; }
fi
for t in "${targets[@]}"; do
  [[ -x $bindir/$t ]] || { echo "fuzz-parsers.sh: $bindir/$t is not built" >&2; exit 2; }
done

out=$root/fuzz-out/libfuzzer
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# The numbers of one finished run: execs cov ft (from the last "#N ... cov: X ft: Y" line).
last_status() {
  grep -aE '^#[0-9]+' "$1" | grep -a 'cov: ' | tail -n 1 |
    sed -E 's/^#([0-9]+).*cov: ([0-9]+).* ft: ([0-9]+).*/\1 \2 \3/' || true
}

rows=()
found=0
for t in "${targets[@]}"; do
  dir=$out/$t
  mkdir -p "$dir/corpus"
  log=$dir/fuzz.log
  echo "== $t: ${seconds}s, $jobs job(s), log $log" >&2
  start=$(date +%s)
  /usr/bin/time -o "$dir/time.txt" -f '%U %S' \
    nice "$bindir/$t" -fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$dir/" "$dir/corpus" "$root/tests/fuzz/corpus/$t" >"$log" 2>&1 || true
  wall=$(($(date +%s) - start))
  cpu=$(awk '{ printf "%d", $1 + $2 }' "$dir/time.txt" 2>/dev/null || echo "?")
  read -r execs cov ft <<<"$(last_status "$log")" || true
  count() { find "$dir" -maxdepth 1 -name "$1-*" | wc -l; }
  crashes=$(count crash) leaks=$(count leak) timeouts=$(count timeout) ooms=$(count oom)
  ((crashes + leaks + timeouts + ooms)) && found=1
  rows+=("$(printf '%-18s %12s %7s %7s %8s %6s %9s %5s %7s %7s' "$t" "${execs:-?}" "$wall" \
    "$cpu" "$crashes" "$leaks" "$timeouts" "$ooms" "${cov:-?}" "${ft:-?}")")
done

printf '%-18s %12s %7s %7s %8s %6s %9s %5s %7s %7s\n' target execs wall_s cpu_s crashes leaks \
  timeouts ooms cov ft
printf '%s\n' "${rows[@]}"
echo "reproducers and corpora: $out/<target>/"
exit "$found"

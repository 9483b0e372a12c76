#!/bin/sh
# The libFuzzer ctest: fuzzes TARGET for 10 seconds on a fresh scratch copy
# of the committed corpus (never written to) and fails on any crash,
# sanitizer report, leak, timeout (one input over 30 s, generous for a busy
# CI machine) or out-of-memory (libFuzzer's exit status).
#   run-ctest.sh TARGET SCRATCH_DIR CORPUS_DIR ARTIFACT_DIR
set -eu
target=$1 scratch=$2 corpus=$3 artifacts=$4
rm -rf "$scratch"
mkdir -p "$scratch" "$artifacts"
exec "$target" -max_total_time=10 -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$artifacts/" "$scratch" "$corpus"

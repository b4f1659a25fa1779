#!/usr/bin/env bash
# Fuzzes one target for a bounded time on a copy of its seed corpus, so that
# nothing is ever written into the source tree.
#
# Usage: run_fuzzer.sh <fuzzer binary> <seed corpus dir> <work dir> [<dict>]
#   TOCSIN_FUZZ_SECONDS  fuzzing time (default 20)
#   TOCSIN_FUZZ_KEEP=1   keep <work dir>/corpus from an earlier run (long runs
#                        accumulate); by default it is recreated from the seeds.
#   TOCSIN_FUZZ_SEED     libFuzzer's -seed (ctest sets 1, so that a red CI run
#                        can be replayed; unset: a random seed per run).
# Crash, leak and timeout reproducers land in <work dir>/artifacts/.
set -euo pipefail

# Absolute paths: the fuzzer runs in <work dir> (where libFuzzer drops stray files).
mkdir -p "$3"
binary="$(realpath "$1")"
seeds="$(realpath "$2")"
work="$(realpath "$3")"
dict="${4:+$(realpath "$4")}"
seconds="${TOCSIN_FUZZ_SECONDS:-20}"

if [[ "${TOCSIN_FUZZ_KEEP:-0}" != "1" ]]; then
  rm -rf "$work/corpus"
fi
mkdir -p "$work/corpus" "$work/artifacts"
cp -R "$seeds/." "$work/corpus/"

args=(
  -max_total_time="$seconds"
  -timeout=10
  -rss_limit_mb=2048
  -max_len=8192
  -print_final_stats=1
  -artifact_prefix="$work/artifacts/"
)
if [[ -n "${TOCSIN_FUZZ_SEED:-}" ]]; then
  args+=(-seed="$TOCSIN_FUZZ_SEED")
fi
if [[ -n "$dict" ]]; then
  args+=(-dict="$dict")
fi
cd "$work"
exec "$binary" "${args[@]}" "$work/corpus"

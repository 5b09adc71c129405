#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 120), starting from the committed seeds.
# cargo-fuzz on the stable toolchain: RUSTC_BOOTSTRAP for its -Z flags, no sanitizer (the code is
# safe Rust; the fuzzers look for panics, hangs and runaway memory).
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-120}"
# The wild set's files seed the targets too, when ../shared is beside the checkout; they are
# written into seeds-wild/ (ignored by git) at run time, never committed.
wild="../../shared/fixtures/wild"
if [ -d "$wild" ]; then
  python3 wild_seeds.py "$wild" seeds-wild
fi
for target in results_json details_parquet tracking_jsonl discovery_names hf_source inspect_log inspect_transcript lm_eval_samples; do
  mkdir -p "corpus/$target"
  extra=()
  if [ -d "seeds-wild/$target" ]; then extra=("seeds-wild/$target"); fi
  RUSTC_BOOTSTRAP=1 cargo fuzz run -s none -O "$target" "corpus/$target" "seeds/$target" "${extra[@]}" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
done

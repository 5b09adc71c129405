#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 120), starting from the committed seeds.
# cargo-fuzz on the stable toolchain: RUSTC_BOOTSTRAP for its -Z flags, no sanitizer (the code is
# safe Rust; the fuzzers look for panics, hangs and runaway memory).
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-120}"
for target in results_json details_parquet tracking_jsonl discovery_names hf_source inspect_log lm_eval_samples; do
  mkdir -p "corpus/$target"
  RUSTC_BOOTSTRAP=1 cargo fuzz run -s none -O "$target" "corpus/$target" "seeds/$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
done

#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) in build/fuzz and runs
# each for SECONDS (default 20) from a seed corpus made from tests/cases plus
# what earlier runs found (build/fuzz/corpus, kept between runs). Exits 1 if
# any target crashed, leaked, hung past -timeout or tripped a sanitizer; the
# reproducers are in build/fuzz/findings/.
#   tests/fuzz/run.sh [SECONDS]     (scripts/test: 20; bench/fuzz: longer)
set -euo pipefail
seconds="${1:-20}"
source "$(dirname "$0")/../../scripts/deps.sh"
# Debian: clang, and libFuzzer with the sanitizer runtimes (compiler-rt).
install_deps clang libclang-rt-dev
dir="$STREAMER_ROOT/build/fuzz"
CC=clang CXX=clang++ build "$dir" RelWithDebInfo -DSTREAMER_FUZZ=ON -DSTREAMER_TESTS=OFF -- \
  json_request_fuzz expr_fuzz partiql_fuzz vtl_fuzz filter_pattern_fuzz json_schema_fuzz
rm -rf "$dir/seeds"
python3 "$STREAMER_ROOT/tests/fuzz/make_corpus.py" "$STREAMER_ROOT/tests/cases" "$dir/seeds"
mkdir -p "$dir/findings"
failed=()
for target in json_request expr partiql vtl filter_pattern json_schema; do
  mkdir -p "$dir/corpus/$target"
  # The expression parsers are bounded to 4 KB expressions (as AWS): longer
  # inputs only test the bound.
  max_len=4096
  [ "$target" = vtl ] && max_len=16384
  [ "$target" = partiql ] && max_len=8192  # ExecuteStatement's Statement limit
  [ "$target" = filter_pattern ] && max_len=4200  # patterns are limited to 4096 characters
  [ "$target" = json_schema ] && max_len=16384
  echo "fuzz: $target for ${seconds}s"
  if ! "$dir/tests/fuzz/${target}_fuzz" "$dir/corpus/$target" "$dir/seeds/$target" \
      -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$dir/findings/${target}-" \
      >"$dir/$target.log" 2>&1; then
    failed+=("$target")
    echo "fuzz: $target FAILED; log: $dir/$target.log" >&2
    grep -E "ERROR|SUMMARY|runtime error|Test unit written|No such" "$dir/$target.log" | head -20 >&2 || true
  else
    grep -E "^stat::number_of_executed_units|^Done" "$dir/$target.log" | tr '\n' ' '; echo
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in: ${failed[*]} (reproducers in $dir/findings/)" >&2
  exit 1
fi
echo "fuzz: no findings"

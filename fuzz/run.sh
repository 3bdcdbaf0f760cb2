#!/usr/bin/env bash
# Runs fuzz targets one after another, each for SECONDS on its committed seed corpus.
#   fuzz/run.sh BUILD_DIR SECONDS [TARGET...]      (targets: idx csv model config; default all)
# New inputs go to fuzz/work/corpus/<target> (git-ignored), never into the seed corpus;
# crashes, leaks and timeouts to fuzz/work/artifacts/<target>/. Every run appends a line
# "<utc time> <target> <seconds> <executions> <exit code>" to fuzz/work/stats.tsv and keeps
# libFuzzer's output in fuzz/work/logs/. Exits non-zero if any target found something.
set -uo pipefail
cd "$(dirname "$0")/.."

build_dir=${1:?usage: fuzz/run.sh BUILD_DIR SECONDS [TARGET...]}
seconds=${2:?usage: fuzz/run.sh BUILD_DIR SECONDS [TARGET...]}
shift 2
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(idx csv model config)

# Longest input per target: an IDX image or a small model file needs a few KB.
declare -A max_len=([idx]=4096 [csv]=2048 [model]=8192 [config]=2048)

work=fuzz/work
mkdir -p "$work/logs"
# UBSan findings abort (the build also sets -fno-sanitize-recover); LeakSanitizer stays on.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}
# The engine's OpenMP threads are not wanted here: one fuzzer, one core.
export OMP_NUM_THREADS=1

status=0
for t in "${targets[@]}"; do
  exe="$build_dir/fuzz/fuzz_$t"
  if [ ! -x "$exe" ] || [ ! -d "fuzz/corpus/$t" ]; then
    echo "fuzz: unknown or unbuilt target '$t' ($exe)" >&2
    status=2
    continue
  fi
  mkdir -p "$work/corpus/$t" "$work/artifacts/$t"
  log="$work/logs/$t-$(date -u +%Y%m%dT%H%M%S).log"
  echo "fuzz: $t for ${seconds}s (log $log)"
  started=$(date +%s)
  "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="${max_len[$t]}" \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/$t/" \
    "$work/corpus/$t" "fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  # libFuzzer's own figures when it finished; after a finding, its executed-units count
  # (-print_final_stats) and the time measured here.
  runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 \2/p' "$log" | tail -1)
  if [ -z "$runs" ]; then
    n=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -1)
    runs="${n:-0} $(($(date +%s) - started))"
  fi
  read -r n s <<<"$runs"
  printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$s" "$n" "$rc" >>"$work/stats.tsv"
  if [ $rc -eq 0 ]; then
    echo "fuzz: $t ok, $n runs in ${s}s"
  else
    status=1
    echo "fuzz: $t FOUND A PROBLEM (exit $rc), see $log" >&2
    grep -E '^==[0-9]+==ERROR|SUMMARY|runtime error|latentlab fuzz finding|Test unit written' "$log" >&2 | head -20
  fi
done
exit $status

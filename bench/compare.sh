#!/usr/bin/env bash
# bench/compare.sh: Latent Lab's training throughput against PyTorch's on the reference
# workload of issue 4 (fashion-vae: VAE 784-512-256-2, batch 128, Adam, float32).
#
#   bench/compare.sh                      # the whole comparison (about 10 minutes on 2 cores)
#   COMPARE_RUNS=1 COMPARE_SAMPLES=6000 bench/compare.sh     # a quick smoke run
#   bench/compare.sh --no-sweep           # only the batch-128 comparison
#
# 1. COMPARE_RUNS alternating runs of `latentlab-cli bench --json` and of
#    `pytorch_reference.py --best --json` (the fastest of torch threads {1,2} x
#    OPENBLAS_NUM_THREADS {1,2}, each in its own process); medians of samples/s.
# 2. A sweep: Latent Lab with 1 and 2 threads x batch 32, 128, 512, and PyTorch's best for
#    the same batch sizes (one run per cell; the batch-128 cells reuse step 1's runs).
# Prints Markdown tables for bench/README.md; raw JSON lines go to bench/results/.
#
# Environment: LATENTLAB_CLI (build/bin/latentlab-cli), COMPARE_PYTHON (/usr/bin/python3),
# COMPARE_RUNS (3), COMPARE_SAMPLES (60000), COMPARE_WARMUP (20), COMPARE_THREADS (Latent
# Lab's threads in step 1; default: the CLI's, all cores), COMPARE_SWEEP (1; 0 skips step 2),
# COMPARE_SWEEP_TORCH (1; 0 leaves PyTorch out of the sweep), COMPARE_SWEEP_BATCHES
# ("32 128 512"), COMPARE_SWEEP_THREADS ("1 2"), COMPARE_OUT (a new bench/results/compare-*).
set -Eeuo pipefail

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; }
SWEEP=${COMPARE_SWEEP:-1}
for arg in "$@"; do
    case "$arg" in
        --no-sweep) SWEEP=0 ;;
        --sweep) SWEEP=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "compare.sh: unknown argument $arg (see --help)" >&2; exit 2 ;;
    esac
done

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
CLI=${LATENTLAB_CLI:-build/bin/latentlab-cli}
PY=${COMPARE_PYTHON:-/usr/bin/python3}
REF=bench/pytorch_reference.py
RUNS=${COMPARE_RUNS:-3}
SAMPLES=${COMPARE_SAMPLES:-60000}
WARMUP=${COMPARE_WARMUP:-20}
SWEEP_TORCH=${COMPARE_SWEEP_TORCH:-1}
SWEEP_BATCHES=${COMPARE_SWEEP_BATCHES:-32 128 512}
SWEEP_THREADS=${COMPARE_SWEEP_THREADS:-1 2}
MAIN_BATCH=128 # the preset's; neither side is given --batch-size in step 1
OUT=${COMPARE_OUT:-bench/results/compare-$(date +%Y%m%d-%H%M%S)}

die() { echo "compare.sh: $*" >&2; exit 2; }
for v in RUNS SAMPLES WARMUP; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "COMPARE_$v must be a whole number (got '${!v}')"
done
((RUNS >= 1 && SAMPLES >= 1)) || die "COMPARE_RUNS and COMPARE_SAMPLES must be at least 1"
[[ -x $CLI ]] || die "no Latent Lab CLI at $CLI: build it (cmake --build build --target latentlab-cli) or set LATENTLAB_CLI"
[[ -x $PY ]] || die "no Python at $PY (set COMPARE_PYTHON)"
"$PY" -c 'import torch' 2>/dev/null ||
    die "$PY cannot import torch: sudo apt-get install python3-torch (Debian's, with OpenBLAS)"
[[ -f $REF ]] || die "$REF is missing"

MAIN_THREADS=${COMPARE_THREADS:-$(nproc)}
OURS_MAIN_ARGS=(bench --json --warmup "$WARMUP" --samples "$SAMPLES")
[[ -n ${COMPARE_THREADS:-} ]] && OURS_MAIN_ARGS+=(--threads "$COMPARE_THREADS")
TORCH_ARGS=(--best --json --warmup "$WARMUP" --samples "$SAMPLES")

mkdir -p "$OUT"
START=$SECONDS
trap 'echo "compare.sh: a run failed (line $LINENO; see above); partial results in $OUT/" >&2' ERR

# ---- header
cpu=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n1)
cores=$(lscpu | awk -F: '/^Core\(s\) per socket/{c=$2} /^Socket\(s\)/{s=$2} END{printf "%d", c*s}')
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[[ $commit != unknown && -n $(git status --porcelain --untracked-files=no 2>/dev/null) ]] &&
    commit="$commit (work tree modified)"
torch_version=$("$PY" -c 'import torch; print(torch.__version__)' 2>/dev/null)
read -r load1 _ < /proc/loadavg
{
    echo "machine:  ${cpu:-unknown CPU}, ${cores:-?} cores, $(nproc) CPUs; $(uname -sr)"
    echo "commit:   $commit"
    echo "ours:     $CLI"
    echo "pytorch:  $torch_version ($PY)"
    echo "protocol: $WARMUP warm-up batches, then batches timed until $SAMPLES samples;" \
         "$RUNS alternating run(s), medians"
    echo "results:  $OUT/"
} | tee "$OUT/header.txt"
if awk -v l="$load1" 'BEGIN{exit !(l > 0.5)}'; then
    echo "warning:  load average $load1 before the start: other processes compete for the CPUs"
fi
echo

# brief JSON: one run's result on one line
brief() {
    "$PY" -c '
import json, sys
r = json.loads(sys.argv[1])
setup = r.get("thread_setup") or "%d thread%s" % (r["threads"], "s" * (r["threads"] > 1))
print("%8.0f samples/s  loss %.5g  %4.0f MB  (%s, batch %d)" % (
    r["samples_per_second"], r["mean_loss"], r["peak_rss_mb"], setup, r["batch_size"]))' "$1"
}

run_ours() { # FILE ARGS...: one Latent Lab run appended to FILE
    local file=$1 line; shift
    line=$("$CLI" "$@" | tail -n1)
    echo "$line" >> "$file"
    echo "  Latent Lab $(brief "$line")"
}

run_torch() { # FILE ARGS...: one PyTorch thread search appended to FILE
    local file=$1 line; shift
    line=$("$PY" "$REF" "$@" | tail -n1)
    echo "$line" >> "$file"
    echo "  PyTorch    $(brief "$line")"
}

# ---- 1. the comparison at batch 128
echo "== Latent Lab vs PyTorch, batch $MAIN_BATCH"
for ((r = 1; r <= RUNS; r++)); do
    echo "run $r/$RUNS"
    run_ours "$OUT/main-ours.jsonl" "${OURS_MAIN_ARGS[@]}"
    run_torch "$OUT/main-pytorch.jsonl" "${TORCH_ARGS[@]}"
done
echo

# ---- 2. the sweep
if [[ $SWEEP != 0 ]]; then
    echo "== sweep: threads {$SWEEP_THREADS} x batch {$SWEEP_BATCHES}"
    for b in $SWEEP_BATCHES; do
        for t in $SWEEP_THREADS; do
            if [[ $b == "$MAIN_BATCH" && $t == "$MAIN_THREADS" ]]; then
                echo "  Latent Lab $t threads, batch $b: the runs of step 1"
                continue
            fi
            run_ours "$OUT/sweep-ours.jsonl" bench --json --warmup "$WARMUP" \
                --samples "$SAMPLES" --threads "$t" --batch-size "$b"
        done
        if [[ $SWEEP_TORCH != 0 ]]; then
            if [[ $b == "$MAIN_BATCH" ]]; then
                echo "  PyTorch batch $b: the runs of step 1"
            else
                run_torch "$OUT/sweep-pytorch.jsonl" "${TORCH_ARGS[@]}" --batch-size "$b"
            fi
        fi
    done
    echo
fi

# ---- summary
"$PY" - "$OUT" "$MAIN_BATCH" "$SWEEP" "$SWEEP_TORCH" "$SWEEP_BATCHES" "$SWEEP_THREADS" \
    "$torch_version" "$RUNS" <<'EOF' | tee "$OUT/summary.md"
import json, os, statistics, sys

out, main_batch, sweep, sweep_torch = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
batches = [int(b) for b in sys.argv[5].split()]
threads = [int(t) for t in sys.argv[6].split()]
torch_version, runs = sys.argv[7], int(sys.argv[8])


def load(name):
    path = os.path.join(out, name)
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def med(rows, key):
    return statistics.median(r[key] for r in rows) if rows else float("nan")


def rate(x):
    return f"{x:,.0f}" if x == x else "–"


ours, torch = load("main-ours.jsonl"), load("main-pytorch.jsonl")
o_rate, t_rate = med(ours, "samples_per_second"), med(torch, "samples_per_second")
setups = [r["thread_setup"] for r in torch]
best_setup = max(set(setups), key=setups.count)  # the most frequent winner
o_threads = ours[0]["threads"]
bound = med(ours, "bound_samples_per_second")
frac = med(ours, "fraction_of_bound")
gemm = med(ours, "gemm_gflops")
e_bound = med(ours, "engine_bound_samples_per_second")
e_frac = med(ours, "fraction_of_engine_bound")
e_gemm = med(ours, "engine_gemm_gflops")

print(f"### Training throughput: fashion-vae, batch {main_batch}, float32 "
      f"(median of {runs} run{'s' if runs > 1 else ''})")
print()
print(f"| | Latent Lab | PyTorch {torch_version} (OpenBLAS) |")
print("|---|---:|---:|")
print(f"| samples/s | {rate(o_rate)} | {rate(t_rate)} |")
print(f"| threads | {o_threads} | {best_setup} (best of 4"
      f"{'' if len(set(setups)) == 1 else '; winners: ' + ', '.join(sorted(set(setups)))}) |")
print(f"| peak memory (MB resident) | {med(ours, 'peak_rss_mb'):.0f} | "
      f"{med(torch, 'peak_rss_mb'):.0f} |")
print(f"| mean training loss (timed batches) | {med(ours, 'mean_loss'):.1f} | "
      f"{med(torch, 'mean_loss'):.1f} |")
print()
print(f"Latent Lab / PyTorch: **{o_rate / t_rate:.2f}x**. Latent Lab reaches "
      f"{100 * frac:.0f} % of its GEMM bound ({gemm:.0f} GFLOP/s on "
      f"{ours[0]['gemm_size']}² float with {o_threads} threads -> {rate(bound)} samples/s at "
      f"{ours[0]['mflop_per_sample']:.2f} MFLOP per sample).")
if e_gemm == e_gemm and e_gemm > 0:
    print(f"Against the multiply the engine itself uses ({ours[0]['engine_gemm']} in 128-row tiles, "
          f"{e_gemm:.0f} GFLOP/s -> {rate(e_bound)} samples/s), it reaches {100 * e_frac:.0f} %.")

if sweep != "0":
    all_ours = ours + load("sweep-ours.jsonl")
    all_torch = torch + load("sweep-pytorch.jsonl")
    print()
    print("### Sweep: samples/s by batch size and threads")
    print()
    head = "| batch | " + " | ".join(f"Latent Lab, {t} thread{'s' if t > 1 else ''}"
                                    for t in threads)
    rule = "|---:|" + "---:|" * len(threads)
    if sweep_torch != "0":
        head += " | PyTorch (best threads) | Latent Lab best / PyTorch"
        rule += "---:|---:|"
    print(head + " |")
    print(rule)
    for b in batches:
        cells, best_ours = [], float("nan")
        for t in threads:
            rows = [r for r in all_ours if r["batch_size"] == b and r["threads"] == t]
            x = med(rows, "samples_per_second")
            if x == x:
                best_ours = x if best_ours != best_ours else max(best_ours, x)
                f = med(rows, "fraction_of_engine_bound")
                cells.append(f"{rate(x)} ({100 * f:.0f} % of bound)" if f > 0 else rate(x))
            else:
                cells.append("–")
        if sweep_torch != "0":
            rows = [r for r in all_torch if r["batch_size"] == b]
            x = med(rows, "samples_per_second")
            s = sorted({r["thread_setup"] for r in rows})
            cells.append(f"{rate(x)} ({', '.join(s)})" if rows else "–")
            cells.append(f"{best_ours / x:.2f}x" if rows and best_ours == best_ours else "–")
        print(f"| {b} | " + " | ".join(cells) + " |")
    print()
    print(f"Batch-{main_batch} cells are the medians of the runs above; the others are single "
          "runs. \"% of bound\": of the bound set by the engine's own multiply with the same "
          "threads. PyTorch's thread set-up is written as torch threads x OpenBLAS threads.")
EOF
echo
echo "wrote $OUT/ ($((SECONDS - START)) s)"

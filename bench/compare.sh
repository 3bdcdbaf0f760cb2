#!/usr/bin/env bash
# bench/compare.sh: Latent Lab's training throughput against its peers, PyTorch (Python) and
# libtorch (PyTorch's C++ API), each given its best set-up, on the reference workload of
# issue 4 (fashion-vae: VAE 784-512-256-2, batch 128, Adam, float32), or with
# COMPARE_PRESET=mnist-conv-ae on the convolutional autoencoder (Latent Lab and PyTorch only:
# the libtorch peer trains fashion-vae alone).
#
#   bench/compare.sh                      # the whole comparison (length: see below)
#   COMPARE_RUNS=1 COMPARE_SAMPLES=3000 COMPARE_WARMUP=5 bench/compare.sh   # a smoke run
#   bench/compare.sh --no-sweep           # only the batch-128 comparison
#   COMPARE_PRESET=mnist-conv-ae bench/compare.sh   # the convolutional workload
#
# 1. COMPARE_RUNS rounds, each of `latentlab-cli bench --json`, `pytorch_reference.py --best
#    --json` and `libtorch_reference --best --json` in turn. A peer's --best is the fastest
#    set-up of allocator (glibc, glibc-tuned, jemalloc, tcmalloc) x torch threads {1,2} x
#    OPENBLAS_NUM_THREADS {1,2} x OpenBLAS kernel, each run in its own process, found by a
#    staged search: every allocator x thread set-up with the detected kernel, then the other
#    kernels with the winner's allocator and threads (COMPARE_FULL_GRID=1: every combination).
#    One table: medians of samples/s, Latent Lab / each peer (and per round), peak memory,
#    the set-up of each side (a peer's: threads, kernel, allocator).
# 2. A sweep: Latent Lab with 1 and 2 threads x batch 32, 128, 512, and PyTorch's best for
#    the same batch sizes (one run per cell; the batch-128 cells reuse step 1's runs).
#    libtorch joins the sweep only with COMPARE_SWEEP_LIBTORCH=1.
# Prints Markdown tables for bench/README.md; raw JSON lines go to bench/results/.
# The length depends on the search: each run trains COMPARE_SAMPLES samples in a new process,
# and a peer's staged search is allocators x thread set-ups + the other kernels runs per round
# (4 x 4 + 2 = 18 with the candidates of this machine, + 1 memory-format run for
# mnist-conv-ae); the full grid multiplies instead.
#
# Environment: COMPARE_PRESET (fashion-vae, or mnist-conv-ae: `latentlab-cli bench --preset`
# and the PyTorch peer's --workload), LATENTLAB_CLI (build/bin/latentlab-cli),
# LATENTLAB_SKIP_DEPS (1: do not install missing peer packages), COMPARE_PYTHON (/usr/bin/python3),
# LIBTORCH_REFERENCE (build/bench/libtorch_reference, built by
# bench/build-libtorch-reference.sh when missing or stale), COMPARE_LIBTORCH (1; 0 skips the
# libtorch peer), COMPARE_KERNELS (the peers' --kernels, e.g. "detected,SkylakeX"; default:
# their automatic choice), COMPARE_ALLOCATORS (the peers' --allocators, e.g. "glibc,jemalloc";
# default: every installed one), COMPARE_FULL_GRID (0; 1 passes --full-grid),
# COMPARE_RUNS (3), COMPARE_SAMPLES (60000), COMPARE_WARMUP (20),
# COMPARE_THREADS (Latent Lab's threads in step 1; default: the CLI's, all cores),
# COMPARE_SWEEP (1; 0 skips step 2), COMPARE_SWEEP_TORCH (1; 0 leaves PyTorch out of the
# sweep), COMPARE_SWEEP_LIBTORCH (0; 1 adds libtorch to it), COMPARE_SWEEP_BATCHES
# ("32 128 512"), COMPARE_SWEEP_THREADS ("1 2"), COMPARE_OUT (a new bench/results/compare-*).
set -Eeuo pipefail

usage() { awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"; }
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
PRESET=${COMPARE_PRESET:-fashion-vae}
LIBTORCH=${COMPARE_LIBTORCH:-1}
LT=${LIBTORCH_REFERENCE:-build/bench/libtorch_reference}
KERNELS=${COMPARE_KERNELS:-}
ALLOCATORS=${COMPARE_ALLOCATORS:-}
FULL_GRID=${COMPARE_FULL_GRID:-0}
RUNS=${COMPARE_RUNS:-3}
SAMPLES=${COMPARE_SAMPLES:-60000}
WARMUP=${COMPARE_WARMUP:-20}
SWEEP_TORCH=${COMPARE_SWEEP_TORCH:-1}
SWEEP_LIBTORCH=${COMPARE_SWEEP_LIBTORCH:-0}
SWEEP_BATCHES=${COMPARE_SWEEP_BATCHES:-32 128 512}
SWEEP_THREADS=${COMPARE_SWEEP_THREADS:-1 2}
MAIN_BATCH=128 # the preset's; no side is given --batch-size in step 1
OUT=${COMPARE_OUT:-bench/results/compare-$(date +%Y%m%d-%H%M%S)}

die() { echo "compare.sh: $*" >&2; exit 2; }
for v in RUNS SAMPLES WARMUP; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "COMPARE_$v must be a whole number (got '${!v}')"
done
((RUNS >= 1 && SAMPLES >= 1)) || die "COMPARE_RUNS and COMPARE_SAMPLES must be at least 1"
for v in LIBTORCH SWEEP_TORCH SWEEP_LIBTORCH FULL_GRID; do
    [[ ${!v} == 0 || ${!v} == 1 ]] || die "COMPARE_$v must be 0 or 1 (got '${!v}')"
done
case "$PRESET" in
    fashion-vae|mnist-conv-ae) ;;
    *) die "COMPARE_PRESET must be fashion-vae or mnist-conv-ae, the workloads of $REF (got '$PRESET')" ;;
esac
LIBTORCH_NOTE="COMPARE_LIBTORCH=0"
if [[ $PRESET != fashion-vae ]] && ((LIBTORCH)); then
    LIBTORCH=0
    LIBTORCH_NOTE="it trains fashion-vae only, not $PRESET"
    echo "compare.sh: note: libtorch peer skipped: $LIBTORCH_NOTE"
fi
[[ -z $KERNELS || $KERNELS =~ ^[A-Za-z0-9_,]+$ ]] ||
    die "COMPARE_KERNELS must be a comma-separated list such as detected,SkylakeX (got '$KERNELS')"
[[ -z $ALLOCATORS || $ALLOCATORS =~ ^[a-z,-]+$ ]] ||
    die "COMPARE_ALLOCATORS must be a comma-separated list such as glibc,jemalloc (got '$ALLOCATORS')"
[[ -x $CLI ]] || die "no Latent Lab CLI at $CLI: build it (cmake --build build --target latentlab-cli) or set LATENTLAB_CLI"
# The peers' Debian packages, installed when missing (apt-get, with sudo when not root):
# PyTorch, jemalloc and tcmalloc, and libtorch's headers unless COMPARE_LIBTORCH=0.
# LATENTLAB_SKIP_DEPS=1 skips this (the allocators are then tried only where installed).
deps=(--bench)
((LIBTORCH)) && deps+=(--libtorch)
scripts/install-deps.sh "${deps[@]}" || die "could not install the peers' packages (see above; LATENTLAB_SKIP_DEPS=1 skips this)"
[[ -x $PY ]] || die "no Python at $PY (set COMPARE_PYTHON)"
"$PY" -c 'import torch' 2>/dev/null ||
    die "$PY cannot import torch: sudo apt-get install python3-torch (Debian's, with OpenBLAS)"
[[ -f $REF ]] || die "$REF is missing"
if ((LIBTORCH)); then
    LIBTORCH_REFERENCE=$LT bench/build-libtorch-reference.sh ||
        die "cannot build the libtorch peer $LT (see above); COMPARE_LIBTORCH=0 skips it"
else
    SWEEP_LIBTORCH=0
fi

MAIN_THREADS=${COMPARE_THREADS:-$(nproc)}
OURS_MAIN_ARGS=(bench --json --preset "$PRESET" --warmup "$WARMUP" --samples "$SAMPLES")
[[ -n ${COMPARE_THREADS:-} ]] && OURS_MAIN_ARGS+=(--threads "$COMPARE_THREADS")
PEER_ARGS=(--best --json --warmup "$WARMUP" --samples "$SAMPLES")
if [[ $PRESET != fashion-vae ]]; then PEER_ARGS+=(--workload "$PRESET"); fi
if [[ -n $KERNELS ]]; then PEER_ARGS+=(--kernels "$KERNELS"); fi
if [[ -n $ALLOCATORS ]]; then PEER_ARGS+=(--allocators "$ALLOCATORS"); fi
if ((FULL_GRID)); then PEER_ARGS+=(--full-grid); fi

mkdir -p "$OUT"
START=$SECONDS
trap 'echo "compare.sh: a run failed (line $LINENO; see above); partial results in $OUT/" >&2' ERR

# ---- header
# The CPU precisely: the model name, family and model (lscpu), the widest vector extension.
lscpu_field() { lscpu | sed -n "s/^$1:[[:space:]]*//p" | head -n1; }
cpu=$(lscpu_field 'Model name')
cpu_id=$(lscpu_field 'CPU family'); cpu_id=${cpu_id:+family $cpu_id}
cpu_model=$(lscpu_field 'Model')
[[ -n $cpu_model ]] && cpu_id="${cpu_id:+$cpu_id, }model $cpu_model"
flags=" $(lscpu_field 'Flags') "
simd="no vector extension listed"
for pair in avx512f:AVX-512 avx2:AVX2 avx:AVX sse4_2:SSE4.2 sse2:SSE2 sve:SVE asimd:NEON; do
    if [[ $flags == *" ${pair%%:*} "* ]]; then simd=${pair#*:}; break; fi
done
cores=$(lscpu | awk -F: '/^Core\(s\) per socket/{c=$2} /^Socket\(s\)/{s=$2} END{printf "%d", c*s}')
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[[ $commit != unknown && -n $(git status --porcelain --untracked-files=no 2>/dev/null) ]] &&
    commit="$commit (work tree modified)"
torch_version=$("$PY" -c 'import torch; print(torch.__version__)' 2>/dev/null)
libtorch_version=skipped
if ((LIBTORCH)); then libtorch_version=$("$LT" --version | sed "s/^libtorch //"); fi
blas_env=$(env | grep -E '^(OPENBLAS_|MALLOC_|LD_PRELOAD=|GLIBC_TUNABLES=)' | sort | tr '\n' ' ' || true)
allocators_found="glibc, glibc-tuned" # the peers look in these folders too
for lib in jemalloc:libjemalloc.so.2 tcmalloc:libtcmalloc_minimal.so.4; do
    found=
    for dir in "/usr/lib/$(uname -m)-linux-gnu" /usr/lib64 /usr/lib /usr/local/lib; do
        if [[ -r $dir/${lib#*:} ]]; then found="$dir/${lib#*:}"; break; fi
    done
    allocators_found+=", ${lib%%:*} (${found:-not installed})"
done
read -r load1 _ < /proc/loadavg
layout_stage= layout_grid= # the convolutional workloads' memory formats (pytorch_search.py)
if [[ $PRESET != fashion-vae ]]; then
    layout_stage=", then the other memory format with the winner's set-up"
    layout_grid=" x memory format"
fi
{
    echo "machine:  ${cpu:-unknown CPU}${cpu_id:+ ($cpu_id)}, $simd; ${cores:-?} cores," \
         "$(nproc) CPUs; $(uname -sr)"
    echo "workload: $PRESET"
    echo "commit:   $commit"
    echo "ours:     $CLI"
    echo "pytorch:  $torch_version ($PY $REF)"
    if ((LIBTORCH)); then
        echo "libtorch: $libtorch_version ($LT)"
    else
        echo "libtorch: skipped ($LIBTORCH_NOTE)"
    fi
    echo "kernels:  ${KERNELS:-automatic (OpenBLAS's detection, OPENBLAS_CORETYPE if set, the CPU flags' choice)}"
    echo "alloc:    ${ALLOCATORS:-automatic: $allocators_found}"
    if ((FULL_GRID)); then
        echo "search:   the full grid (every allocator x kernel x thread set-up$layout_grid)"
    else
        echo "search:   staged (every allocator x thread set-up with the detected kernel, then" \
             "the other kernels with the winner's allocator and threads$layout_stage)"
    fi
    echo "env:      ${blas_env:-no OPENBLAS_*, MALLOC_*, LD_PRELOAD or GLIBC_TUNABLES variables}"
    echo "protocol: $WARMUP warm-up batches, then batches timed until $SAMPLES samples;" \
         "$RUNS round(s) taken in turn, medians"
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
if r.get("multiply"):
    setup += ", multiply " + r["multiply"]
print("%8.0f samples/s  loss %.5g  %4.0f MB  (%s, batch %d)" % (
    r["samples_per_second"], r["mean_loss"], r["peak_rss_mb"], setup, r["batch_size"]))' "$1"
}

run_ours() { # FILE ARGS...: one Latent Lab run appended to FILE
    local file=$1 line; shift
    line=$("$CLI" "$@" | tail -n1)
    echo "$line" >> "$file"
    echo "  Latent Lab $(brief "$line")"
}

run_peer() { # pytorch|libtorch FILE ARGS...: one set-up search appended to FILE
    local peer=$1 file=$2 line; shift 2
    case "$peer" in
        pytorch) line=$("$PY" "$REF" "$@" | tail -n1); printf '  PyTorch    ' ;;
        libtorch) line=$("$LT" "$@" | tail -n1); printf '  libtorch   ' ;;
    esac
    echo "$line" >> "$file"
    brief "$line"
}

# ---- 1. the comparison at batch 128
if ((LIBTORCH)); then
    echo "== Latent Lab vs PyTorch vs libtorch, batch $MAIN_BATCH"
else
    echo "== Latent Lab vs PyTorch, batch $MAIN_BATCH (libtorch skipped)"
fi
for ((r = 1; r <= RUNS; r++)); do
    echo "round $r/$RUNS"
    run_ours "$OUT/main-ours.jsonl" "${OURS_MAIN_ARGS[@]}"
    run_peer pytorch "$OUT/main-pytorch.jsonl" "${PEER_ARGS[@]}"
    if ((LIBTORCH)); then
        run_peer libtorch "$OUT/main-libtorch.jsonl" "${PEER_ARGS[@]}"
    fi
done
echo

# ---- 2. the sweep
if [[ $SWEEP != 0 ]]; then
    sweep_peers=()
    if ((SWEEP_TORCH)); then sweep_peers+=(PyTorch); fi
    if ((SWEEP_LIBTORCH)); then sweep_peers+=(libtorch); fi
    note=
    if ((LIBTORCH && !SWEEP_LIBTORCH)); then
        note=" (libtorch only at batch $MAIN_BATCH; COMPARE_SWEEP_LIBTORCH=1 adds it)"
    fi
    echo "== sweep: threads {$SWEEP_THREADS} x batch {$SWEEP_BATCHES}; peers: ${sweep_peers[*]:-none}$note"
    for b in $SWEEP_BATCHES; do
        for t in $SWEEP_THREADS; do
            if [[ $b == "$MAIN_BATCH" && $t == "$MAIN_THREADS" ]]; then
                echo "  Latent Lab $t threads, batch $b: the runs of step 1"
                continue
            fi
            run_ours "$OUT/sweep-ours.jsonl" bench --json --preset "$PRESET" --warmup "$WARMUP" \
                --samples "$SAMPLES" --threads "$t" --batch-size "$b"
        done
        for peer in pytorch libtorch; do
            if [[ $peer == pytorch ]] && ((!SWEEP_TORCH)); then continue; fi
            if [[ $peer == libtorch ]] && ((!SWEEP_LIBTORCH)); then continue; fi
            if [[ $b == "$MAIN_BATCH" ]]; then
                echo "  $peer batch $b: the runs of step 1"
            else
                run_peer "$peer" "$OUT/sweep-$peer.jsonl" "${PEER_ARGS[@]}" --batch-size "$b"
            fi
        done
    done
    echo
fi

# ---- summary
"$PY" - "$OUT" "$MAIN_BATCH" "$SWEEP" "$SWEEP_TORCH" "$SWEEP_LIBTORCH" "$SWEEP_BATCHES" \
    "$SWEEP_THREADS" "$torch_version" "$libtorch_version" "$RUNS" "$LIBTORCH" "$PRESET" <<'EOF' | tee "$OUT/summary.md"
import json, os, statistics, sys

out, main_batch, sweep = sys.argv[1], int(sys.argv[2]), sys.argv[3] != "0"
sweep_torch, sweep_libtorch = sys.argv[4] != "0", sys.argv[5] != "0"
batches = [int(b) for b in sys.argv[6].split()]
threads = [int(t) for t in sys.argv[7].split()]
torch_version, libtorch_version, runs = sys.argv[8], sys.argv[9], int(sys.argv[10])
with_libtorch = sys.argv[11] != "0"
preset = sys.argv[12]


def load(name):
    path = os.path.join(out, name)
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def med(rows, key):
    values = [r[key] for r in rows if isinstance(r.get(key), (int, float))]
    return statistics.median(values) if values else float("nan")


def rate(x):
    return f"{x:,.0f}" if x == x else "–"


def plural(n, word):
    return f"{n} {word}{'s' if n != 1 else ''}"


def ours_setup(rows):
    kinds = sorted({(r["threads"], r.get("multiply")) for r in rows}, key=str)
    return "; ".join(plural(t, "thread") + (f", multiply: {m}" if m else "") for t, m in kinds)


def setup_of(r):
    """A peer run's set-up: threads, kernel and allocator (older lines lack the allocator)."""
    setup = r["thread_setup"]
    allocator = r.get("allocator")
    return setup if not allocator or allocator in setup.split(", ") else f"{setup}, {allocator}"


def peer_setup(rows):
    """The most frequent winning set-up (threads, kernel, allocator), with the others if they
    vary."""
    setups = [setup_of(r) for r in rows]
    top = max(set(setups), key=setups.count)
    tried = max(len(r.get("candidates", [])) for r in rows)
    others = sorted(set(setups) - {top})
    return (f"{top}; best of {tried}" +
            (f"; other winners: {' / '.join(others)}" if others else ""))


ours, torch, libtorch = (load("main-ours.jsonl"), load("main-pytorch.jsonl"),
                         load("main-libtorch.jsonl"))
peers = [("PyTorch", f"PyTorch {torch_version} (Python)", torch)]
if with_libtorch:
    peers.append(("libtorch", f"libtorch {libtorch_version} (C++)", libtorch))
o_rate = med(ours, "samples_per_second")
o_threads = ours[0]["threads"]

print(f"### Training throughput: {preset}, batch {main_batch}, float32 "
      f"(median of {plural(runs, 'round')})")
print()
print("| | Latent Lab | " + " | ".join(title for _, title, _ in peers) + " |")
print("|---|---:|" + "---:|" * len(peers))
print(f"| samples/s | {rate(o_rate)} | " +
      " | ".join(rate(med(rows, "samples_per_second")) for _, _, rows in peers) + " |")
print(f"| Latent Lab / peer | | " +
      " | ".join(f"**{o_rate / med(rows, 'samples_per_second'):.2f}x**" for _, _, rows in peers)
      + " |")
print(f"| per round | | " + " | ".join(
    ", ".join(f"{o['samples_per_second'] / p['samples_per_second']:.2f}x"
              for o, p in zip(ours, rows)) for _, _, rows in peers) + " |")
print(f"| set-up | {ours_setup(ours)} | " +
      " | ".join(peer_setup(rows) for _, _, rows in peers) + " |")
print(f"| peak memory (MB resident) | {med(ours, 'peak_rss_mb'):.0f} | " +
      " | ".join(f"{med(rows, 'peak_rss_mb'):.0f}" for _, _, rows in peers) + " |")
print(f"| mean training loss (timed batches) | {med(ours, 'mean_loss'):.1f} | " +
      " | ".join(f"{med(rows, 'mean_loss'):.1f}" for _, _, rows in peers) + " |")
print()
print("A peer's set-up is torch threads x OpenBLAS threads, the OpenBLAS kernel set it ran and "
      "the allocator (glibc's malloc as is, glibc-tuned: MALLOC_MMAP_THRESHOLD_ and "
      "MALLOC_TRIM_THRESHOLD_ at 4 GiB, or jemalloc / tcmalloc by LD_PRELOAD); \"best of N\": "
      "the set-ups its --best tried in each round.")
reasons = sorted({r["multiply_reason"] for r in ours if r.get("multiply_reason")})
for reason in reasons:
    print(f"Latent Lab's multiply: {reason}.")

bound = med(ours, "bound_samples_per_second")
frac = med(ours, "fraction_of_bound")
gemm = med(ours, "gemm_gflops")
e_bound = med(ours, "engine_bound_samples_per_second")
e_frac = med(ours, "fraction_of_engine_bound")
e_gemm = med(ours, "engine_gemm_gflops")
if gemm == gemm and gemm > 0:
    print(f"Latent Lab reaches {100 * frac:.0f} % of its GEMM bound ({gemm:.0f} GFLOP/s on "
          f"{ours[0]['gemm_size']}² float with {o_threads} threads -> {rate(bound)} samples/s at "
          f"{ours[0]['mflop_per_sample']:.2f} MFLOP per sample).")
if e_gemm == e_gemm and e_gemm > 0:
    print(f"Against the multiply the engine itself uses ({ours[0]['engine_gemm']} in 128-row tiles, "
          f"{e_gemm:.0f} GFLOP/s -> {rate(e_bound)} samples/s), it reaches {100 * e_frac:.0f} %.")

if sweep:
    all_ours = ours + load("sweep-ours.jsonl")
    sweep_peers = []
    if sweep_torch:
        sweep_peers.append(("PyTorch", torch + load("sweep-pytorch.jsonl")))
    if sweep_libtorch:
        sweep_peers.append(("libtorch", libtorch + load("sweep-libtorch.jsonl")))
    names = " and ".join(name for name, _ in sweep_peers) or "no peer"
    note = "" if sweep_libtorch or not with_libtorch else "; libtorch only at batch " \
        f"{main_batch} above"
    print()
    print(f"### Sweep: samples/s by batch size and threads (Latent Lab; {names}{note})")
    print()
    head = "| batch | " + " | ".join(f"Latent Lab, {plural(t, 'thread')}" for t in threads)
    rule = "|---:|" + "---:|" * len(threads)
    for name, _ in sweep_peers:
        head += f" | {name} (best set-up) | Latent Lab best / {name}"
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
        for _, all_rows in sweep_peers:
            rows = [r for r in all_rows if r["batch_size"] == b]
            x = med(rows, "samples_per_second")
            s = sorted({setup_of(r) for r in rows})
            cells.append(f"{rate(x)} ({'; '.join(s)})" if rows else "–")
            cells.append(f"{best_ours / x:.2f}x" if rows and best_ours == best_ours else "–")
        print(f"| {b} | " + " | ".join(cells) + " |")
    print()
    print(f"Batch-{main_batch} cells are the medians of the rounds above; the others are single "
          "runs. \"% of bound\": of the bound set by the engine's own multiply with the same "
          "threads. A peer's set-up: torch threads x OpenBLAS threads, OpenBLAS kernel, allocator.")
EOF
echo
echo "wrote $OUT/ ($((SECONDS - START)) s)"

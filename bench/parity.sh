#!/usr/bin/env bash
# Correctness parity: train fashion-vae and mnist-ae (or other MNIST / Fashion-MNIST
# presets, dense or convolutional) with Latent Lab and with PyTorch
# (bench/pytorch_parity.py: same architecture, init, loss, Adam, batch, epochs, data and
# split) and require the final validation losses to agree within 2 %.
#
#   bench/parity.sh
#
# Environment:
#   LATENTLAB_CLI    the CLI to test (default: build/bin/latentlab-cli; nothing is built)
#   PARITY_EPOCHS    epochs for both sides (default: each preset's own)
#   PARITY_THREADS   threads for both sides (default: nproc)
#   PARITY_SEED      seed for both sides (default: 1)
#   PARITY_RNG       latentlab: PyTorch uses Latent Lab's random streams (same initial
#                    weights, batch order, VAE noise), so only arithmetic differs;
#                    torch: PyTorch's own generators, an independent run (default: latentlab)
#   PARITY_PRESETS   presets to compare (default: "fashion-vae mnist-ae"; the convolutional
#                    ones too, e.g. "mnist-conv-ae fashion-conv-vae mnist-conv-ae-16d")
#   PARITY_TOLERANCE relative tolerance in percent (default: 2)
#   PARITY_PYTHON    Python with torch (default: /usr/bin/python3, Debian's python3-torch)
# Runs are kept under bench/results/parity/. Exit status 1 if any preset fails.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cli=${LATENTLAB_CLI:-$root/build/bin/latentlab-cli}
python=${PARITY_PYTHON:-/usr/bin/python3}
threads=${PARITY_THREADS:-$(nproc)}
seed=${PARITY_SEED:-1}
rng=${PARITY_RNG:-latentlab}
presets=${PARITY_PRESETS:-fashion-vae mnist-ae}
tolerance=${PARITY_TOLERANCE:-2}
results=$root/bench/results/parity

[[ -x $cli ]] || { echo "parity: no CLI at $cli (build it, or set LATENTLAB_CLI)" >&2; exit 2; }
"$python" -c 'import torch' 2>/dev/null ||
    { echo "parity: $python cannot import torch (install python3-torch)" >&2; exit 2; }
mkdir -p "$results"

now() { date +%s.%N; }

# column NAME of the last row of a CSV file
last_value() {
    awk -F, -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
                         { v = $c } END { print v }' "$1"
}

declare -a rows
failed=0
for preset in $presets; do
    epochs=${PARITY_EPOCHS:-$("$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["training"]["epochs"])' \
        "$root/resources/presets/$preset.json")}
    ours=$results/$preset-seed$seed-latentlab
    theirs=$results/$preset-seed$seed-pytorch-$rng-rng.csv
    rm -rf "$ours"

    echo "== $preset: Latent Lab ($epochs epochs, $threads threads, seed $seed)"
    t0=$(now)
    "$cli" train --preset "$preset" --epochs "$epochs" --threads "$threads" --seed "$seed" --out "$ours" \
        2> >(grep -v 'XDG_RUNTIME_DIR' >&2)
    t1=$(now)
    echo "== $preset: PyTorch ($epochs epochs, $threads threads, seed $seed, $rng rng)"
    "$python" "$root/bench/pytorch_parity.py" --preset "$preset" --epochs "$epochs" \
        --threads "$threads" --seed "$seed" --rng "$rng" --out "$theirs"
    t2=$(now)

    a=$(last_value "$ours/history.csv" val_loss)
    b=$(last_value "$theirs" val_loss)
    row=$(awk -v p="$preset" -v e="$epochs" -v a="$a" -v b="$b" -v tol="$tolerance" \
              -v ta="$(awk -v x="$t0" -v y="$t1" 'BEGIN { print y - x }')" \
              -v tb="$(awk -v x="$t1" -v y="$t2" 'BEGIN { print y - x }')" 'BEGIN {
        d = (a - b) / b * 100
        verdict = (d <= tol && d >= -tol) ? "PASS" : "FAIL"
        printf "%-20s %6d %14.4f %14.4f %+9.2f%% %9.1f %9.1f  %s", p, e, a, b, d, ta, tb, verdict }')
    rows+=("$row")
    [[ $row == *PASS ]] || failed=1
done

echo
printf '%-20s %6s %14s %14s %10s %9s %9s  %s\n' preset epochs "ours val" "pytorch val" "rel diff" "ours s" "torch s" \
    "(tolerance ${tolerance}%, threads $threads, seed $seed, $rng rng)"
printf '%s\n' "${rows[@]}"
exit $failed

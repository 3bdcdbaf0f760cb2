#!/bin/bash
# How long Latent Lab takes to exit when closed while training: from pressing Discard in
# the "save before closing?" question to the end of the process, on a busy machine.
#
#   bench/close-latency.sh [RUNS] [BUSY]      defaults: 5 runs, 4 busy loops
#
# Each run starts build/bin/latentlab on fashion-vae under Xvfb, lets it train for 12 s,
# starts BUSY shell loops that each keep a core busy (more loops than cores: a loaded
# machine), presses Ctrl+Q, waits WAIT seconds (default 0.4: the worker is still encoding
# the paused plane's 70,000 codes), picks Discard and times the exit. Needs Xvfb and
# xdotool (apt-get install xvfb xdotool) and the Fashion-MNIST data.
set -euo pipefail
runs=${1:-5}
busy=${2:-4}
wait_s=${WAIT:-0.4}
root=$(cd "$(dirname "$0")/.." && pwd)
program=${LATENTLAB:-$root/build/bin/latentlab}
for tool in Xvfb xdotool; do
    command -v "$tool" >/dev/null || { echo "close-latency: $tool is missing (apt-get install xvfb xdotool)" >&2; exit 2; }
done
[ -x "$program" ] || { echo "close-latency: $program is missing (make build first)" >&2; exit 2; }

display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 1600x1000x24 >/dev/null 2>&1 &
xvfb=$!
loops=()
cleanup() {
    for p in "${loops[@]}"; do kill "$p" 2>/dev/null || true; done
    kill "$xvfb" 2>/dev/null || true
}
trap cleanup EXIT
export DISPLAY=$display
sleep 1

times=()
for run in $(seq 1 "$runs"); do
    # A fresh settings folder each run: the first-start layout, no remembered files.
    settings=$(mktemp -d)
    XDG_CONFIG_HOME=$settings "$program" --preset fashion-vae --train >/dev/null 2>&1 &
    pid=$!
    sleep 12
    loops=()
    for _ in $(seq 1 "$busy"); do
        sh -c 'while :; do :; done' &
        loops+=($!)
    done
    sleep 1
    xdotool mousemove 900 150 click 1 # focus the window (the plane: decodes a point)
    sleep 0.3
    xdotool key ctrl+q
    sleep "$wait_s"
    xdotool key Tab # from Save (the default) to Discard
    start=$(date +%s.%N)
    xdotool key space
    while kill -0 "$pid" 2>/dev/null; do sleep 0.005; done
    end=$(date +%s.%N)
    for p in "${loops[@]}"; do kill "$p" 2>/dev/null || true; done
    loops=()
    rm -rf "$settings"
    t=$(echo "$end - $start" | bc)
    times+=("$t")
    printf 'run %d: exit %.3f s after Discard\n' "$run" "$t"
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "median %.3f s, max %.3f s over %d runs (%s busy loops on %s cores)\n", (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2), a[NR], NR, "'"$busy"'", "'"$(nproc)"'"}'

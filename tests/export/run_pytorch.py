"""Runs an exported PyTorch package's model for the export tests:

    python3 run_pytorch.py PACKAGE INPUT.f32 ROWS COLUMNS OUT_PREFIX

INPUT.f32 holds ROWS x COLUMNS float32 samples in the data's units, row-major. Writes the
package's encode(x) (a VAE's mean, and its log-variance) and decode(encode(x)) to
OUT_PREFIX{z,log_variance,x}.f32, float32 row-major, and prints their shapes as JSON.
The package is loaded with checkpoint.safetensors' weights when --checkpoint is given."""

import json
import sys

import numpy as np
import torch


def main():
    args = [a for a in sys.argv[1:] if a != "--checkpoint"]
    package, path, rows, columns, prefix = args
    sys.path.insert(0, package)
    import latentlab_model

    model = latentlab_model.load(package)
    if "--checkpoint" in sys.argv:
        state = latentlab_model.read_safetensors(package + "/checkpoint.safetensors")
        model.load_state_dict(state, strict=True)
    model.eval()
    x = torch.from_numpy(np.fromfile(path, dtype=np.float32).reshape(int(rows), int(columns)))
    shapes = {}
    with torch.no_grad():
        outputs = {}
        if model.kind == "vae":
            outputs["z"], outputs["log_variance"] = model.encode_distribution(x)
        else:
            outputs["z"] = model.encode(x)
        outputs["x"] = model.decode(outputs["z"])
    for name, value in outputs.items():
        value.detach().numpy().astype(np.float32).tofile(prefix + name + ".f32")
        shapes[name] = list(value.shape)
    print(json.dumps(shapes))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # one line for the test's log
        print(f"{type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)

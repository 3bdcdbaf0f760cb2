"""Continue training an exported Latent Lab model with PyTorch.

    python3 train.py --epochs 5                                     # one process
    torchrun --nproc_per_node=2 train.py --epochs 5                 # data-parallel (DDP)

The package folder is the folder of this file. The result goes to --out (default: the
package folder): checkpoint.safetensors + checkpoint.json (Latent Lab's names) and
checkpoint.pt (model + optimiser state). If the package folder holds a checkpoint.pt at
start, training resumes from it instead of weights.safetensors.
"""
import argparse
import math
import os
import pickle
import sys
import time

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data.distributed import DistributedSampler

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import latentlab_model as llm  # noqa: E402  (needs the path above)


class TrainingError(Exception):
    """Training cannot go on (e.g. the loss became NaN or infinite)."""


class Objective(nn.Module):
    """Makes the model's loss() its forward(): DDP only synchronises gradients of computations
    that went through the wrapped module's forward()."""
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x_norm):
        return self.model.loss(x_norm)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--out", default=HERE, help="output folder (default: the package folder)")
    p.add_argument("--lr", type=float, help="learning rate (default: model.json's)")
    p.add_argument("--batch-size", type=int, help="global batch size (default: model.json's)")
    p.add_argument("--seed", type=int, help="default: model.json's")
    p.add_argument("--threads", type=int, help="torch CPU threads per process")
    p.add_argument("--without-geometry", action="store_true",
                   help="train even though the geometry regulariser cannot be reproduced")
    p.add_argument("--backend", choices=["gloo", "nccl"])
    return p.parse_args()


def make_optimizer(params, t, lr):
    """AdamW for "adam" (Latent Lab's weight decay is decoupled); SGD for "sgd" (decay by hand)."""
    try:
        if t["optimizer"] == "adam":
            return torch.optim.AdamW(params, lr=lr, betas=(t["beta1"], t["beta2"]), eps=t["epsilon"],
                                     weight_decay=t["weight_decay"])
        if t["optimizer"] == "sgd":
            return torch.optim.SGD(params, lr=lr, momentum=t["momentum"], nesterov=t["nesterov"])
    except ValueError as e:                        # e.g. nesterov without momentum, a negative lr
        raise llm.PackageError(f"model.json's training settings: {e}") from None
    raise llm.PackageError(f"unknown optimizer {t['optimizer']!r}")


def load_data(folder, model):
    """Train and validation sets of data.safetensors, as normalised float32 [n, features]."""
    data = llm.read_safetensors(os.path.join(folder, "data.safetensors"))
    out = []
    for name in ("train", "validation"):
        x = data.get(name)
        if x is None or x.dim() != 2 or x.shape[1] != model.features:
            raise llm.PackageError(f"data.safetensors: {name} must be [n, {model.features}], "
                                   f"is {None if x is None else list(x.shape)}")
        with torch.no_grad():
            out.append(model.normalize(x.float()))
    return out


def evaluate(model, data, batch_size, device):
    """Mean validation loss per sample: eval mode, no noise or mask, a VAE uses z = mu."""
    model.eval()
    total = 0.0
    with torch.no_grad():
        for start in range(0, len(data), batch_size):
            xb = data[start:start + batch_size].to(device)
            total += model.loss(xb)[0].item() * len(xb)
    model.train()
    return total / len(data)


def main():
    args = parse_args()
    # --- processes: torchrun sets WORLD_SIZE, RANK and LOCAL_RANK
    distributed = "WORLD_SIZE" in os.environ
    world, rank = int(os.environ.get("WORLD_SIZE", 1)), int(os.environ.get("RANK", 0))
    local_rank = int(os.environ.get("LOCAL_RANK", 0))
    cuda = torch.cuda.is_available()
    backend = args.backend or ("nccl" if cuda else "gloo")
    if backend == "nccl" and not cuda:
        raise TrainingError("the nccl backend needs CUDA, which is not available")
    device = torch.device(f"cuda:{local_rank}" if cuda else "cpu")
    if cuda:
        torch.cuda.set_device(device)
    if args.threads:
        torch.set_num_threads(args.threads)
    elif distributed:
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // world))
    say = print if rank == 0 else (lambda *a, **k: None)   # only rank 0 prints

    # --- the model, its settings and the data
    model = llm.load(HERE)
    cfg, t = model.config, model.config["training"]
    if cfg.get("geometry", 0) > 0:
        if not args.without_geometry:
            raise llm.PackageError(f"model.json has geometry = {cfg['geometry']}, but the geodesic-distance "
                                   "regulariser is not reproduced here; use --without-geometry to train without it")
        say(f"warning: training without the geometry regulariser (geometry = {cfg['geometry']} in model.json)",
            file=sys.stderr)
    lr = args.lr if args.lr is not None else t["learning_rate"]
    seed = int(args.seed if args.seed is not None else t.get("seed", 1)) % 2**63   # JSON may hold 1.0
    global_batch = args.batch_size or t["batch_size"]
    batch = max(1, global_batch // world)          # per process, so the global batch stays the same
    train_x, val_x = load_data(HERE, model)
    model.to(device)
    optimizer = make_optimizer(model.parameters(), t, lr)
    epochs_done, history = int(t.get("epochs_done", 0)), list(cfg.get("history", []))
    resume = os.path.join(HERE, "checkpoint.pt")
    if os.path.isfile(resume):
        try:
            ckpt = torch.load(resume, map_location=device)
            llm.load_tensors(model, ckpt["model"], "checkpoint.pt")
            optimizer.load_state_dict(ckpt["optimizer"])
            epochs_done, history = ckpt["epochs_done"], ckpt.get("history", history)
        except (KeyError, ValueError, RuntimeError, EOFError, pickle.UnpicklingError) as e:
            raise TrainingError(f"cannot resume from {resume} ({type(e).__name__}: {e}); "
                                "delete it to start from weights.safetensors") from None
        if args.lr is not None:                    # an explicit --lr wins over the saved one
            for group in optimizer.param_groups:
                group["lr"] = args.lr
        say(f"resuming from checkpoint.pt (after epoch {epochs_done}) instead of weights.safetensors")
    torch.manual_seed(seed + rank)                 # noise, masks and VAE samples differ per process

    # --- DDP: every process holds a replica; gradients are averaged in backward()
    net = Objective(model)
    if distributed:
        dist.init_process_group(backend)
        net = DistributedDataParallel(net, device_ids=[local_rank] if cuda else None,
                                      broadcast_buffers=False)   # the normaliser never changes
    sampler = DistributedSampler(range(len(train_x)), num_replicas=world, rank=rank,
                                 shuffle=t.get("shuffle", True), seed=seed)
    threads = torch.get_num_threads()
    say(f"{cfg['name']} ({cfg['kind']}): world size {world}, backend {backend if distributed else 'none'}, "
        f"device {device}, batch {batch} per process / {batch * world} global, "
        f"{threads} thread{'' if threads == 1 else 's'} per process", flush=True)

    for epoch in range(epochs_done + 1, epochs_done + args.epochs + 1):
        started = time.time()
        sampler.set_epoch(epoch)
        order = torch.tensor(list(sampler))
        sums = torch.zeros(2, dtype=torch.float64, device=device)     # (sum of loss * samples, samples)
        for b, start in enumerate(range(0, len(order), batch)):
            xb = train_x[order[start:start + batch]].to(device)
            loss, _ = net(xb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            stat = torch.tensor([loss.item() * len(xb), len(xb)], dtype=torch.float64, device=device)
            if distributed:                         # every process sees the same sums, so all stop together
                dist.all_reduce(stat)
            if not math.isfinite(stat[0].item()):
                raise TrainingError(f"non-finite loss in epoch {epoch}, batch {b + 1}")
            if t["optimizer"] == "sgd" and t["weight_decay"] > 0:   # decoupled weight decay
                with torch.no_grad():
                    for group in optimizer.param_groups:
                        for p in group["params"]:
                            p.mul_(1 - group["lr"] * t["weight_decay"])
            optimizer.step()
            sums += stat
        train_loss = (sums[0] / sums[1]).item()
        if rank == 0:
            val_loss = evaluate(model, val_x, global_batch, device) if len(val_x) else None
            seconds = time.time() - started
            history.append({"epoch": epoch, "train_loss": train_loss, "validation_loss": val_loss,
                            "seconds": round(seconds, 3)})
            val_text = f", validation loss {val_loss:.4f}" if val_loss is not None else ""
            say(f"epoch {epoch}: train loss {train_loss:.4f}{val_text} ({seconds:.1f} s)", flush=True)
    epochs_done += args.epochs

    # --- results (rank 0 only)
    if rank == 0:
        os.makedirs(args.out, exist_ok=True)
        objective = {"reconstruction": cfg["loss"], "geometry_omitted": cfg.get("geometry", 0) > 0}
        objective.update({"kl_weight": cfg.get("beta", 1.0)} if cfg["kind"] == "vae"
                         else {"sparsity": cfg.get("sparsity", 0.0)})
        llm.save_checkpoint(model, args.out, {"epochs_done": epochs_done, "history": history,
                                              "world_size": world, "objective": objective})
        state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                 "epochs_done": epochs_done, "history": history}
        llm.atomic_write(os.path.join(args.out, "checkpoint.pt"), lambda f: torch.save(state, f))
        say(f"wrote checkpoint.safetensors, checkpoint.json and checkpoint.pt to {os.path.abspath(args.out)}")
    if distributed:
        dist.barrier()
        dist.destroy_process_group()


if __name__ == "__main__":
    try:
        main()
    except (llm.PackageError, TrainingError, OSError, KeyError) as e:
        if isinstance(e, KeyError):
            e = f"model.json lacks the field {e}"
        rank = os.environ.get("RANK")
        print(f"train.py: error{f' (rank {rank})' if rank not in (None, '0') else ''}: {e}", file=sys.stderr)
        sys.exit(1)

"""--best of bench/pytorch_reference.py: the set-up search, each set-up a run of the script in
a process of its own, since OpenBLAS reads its thread count and kernel set, and the dynamic
loader its LD_PRELOAD, when the process starts:

  allocator  glibc (as is), glibc-tuned (MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ at
             4 GiB), jemalloc and tcmalloc (LD_PRELOAD, when installed)
  threads    torch.set_num_threads (--torch-threads) x OPENBLAS_NUM_THREADS (--openblas-threads)
  kernel     OPENBLAS_CORETYPE: unset ("detected"), the caller's, the CPU flags' choice
  layout     the convolutional workloads only: --memory-format, then the other one
             (contiguous NCHW, channels_last NHWC)

The staged search (the default) runs every allocator x thread set-up with the detected kernel,
then the other kernels with the winner's allocator and threads, then (convolutional workloads)
the other memory format with the winner's set-up; --full-grid runs every combination. The
fastest run wins either way. bench/libtorch/search.cpp is the C++ twin (fashion-vae only).
"""

import argparse
import ctypes
import json
import os
import subprocess
import sys
import sysconfig

DETECTED = "detected"  # a kernel candidate: no OPENBLAS_CORETYPE, OpenBLAS's own CPU detection
# What OpenBLAS detects when OPENBLAS_CORETYPE is unset, printed by a small child process
# (the same library torch loads, without torch: it takes a fraction of a second).
CORE_PROBE = """
import ctypes
for name in ("libopenblas.so.0", "libopenblas.so", "libblas.so.3"):
    try:
        lib = ctypes.CDLL(name)
        lib.openblas_get_corename.restype = ctypes.c_char_p
        print(lib.openblas_get_corename().decode())
        break
    except (OSError, AttributeError):
        continue
"""
# name: (library to LD_PRELOAD or None, Debian package)
ALLOCATORS = {
    "glibc": (None, None),
    "glibc-tuned": (None, None),
    "jemalloc": ("libjemalloc.so.2", "libjemalloc2"),
    "tcmalloc": ("libtcmalloc_minimal.so.4", "libtcmalloc-minimal4"),
}
TUNED = {"MALLOC_MMAP_THRESHOLD_": "4294967296", "MALLOC_TRIM_THRESHOLD_": "4294967296"}
MEMORY_FORMATS = ("contiguous", "channels_last")


def fail(message):
    sys.exit(f"pytorch_reference: {message}")


# ---- what a process runs with -------------------------------------------------------------

def allocator_in_use():
    """The malloc of this process: jemalloc or tcmalloc (found by their own entry points, i.e.
    preloaded), else glibc-tuned when glibc's thresholds are set, else glibc."""
    process = ctypes.CDLL(None)
    for symbol, name in (("mallctl", "jemalloc"), ("tc_malloc", "tcmalloc")):
        if hasattr(process, symbol):
            return name
    tunables = os.environ.get("GLIBC_TUNABLES", "")
    if (os.environ.get("MALLOC_MMAP_THRESHOLD_") or os.environ.get("MALLOC_TRIM_THRESHOLD_")
            or "glibc.malloc.mmap_threshold" in tunables
            or "glibc.malloc.trim_threshold" in tunables):
        return "glibc-tuned"
    return "glibc"


def malloc_settings():
    """The glibc malloc variables of the environment (MALLOC_*, GLIBC_TUNABLES), or None."""
    found = sorted(f"{k}={v}" for k, v in os.environ.items()
                   if k.startswith("MALLOC_") or k == "GLIBC_TUNABLES")
    return " ".join(found) or None


# ---- options ------------------------------------------------------------------------------

def int_list(text):
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        values = []
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected a comma-separated list of positive "
                                         f"integers, got {text!r}")
    return values


def kernel_list(text):
    names = [v.strip() for v in text.split(",") if v.strip()]
    bad = [v for v in names if not v.replace("_", "").isalnum()]
    if not names or bad:
        raise argparse.ArgumentTypeError(
            f"expected a comma-separated list of OpenBLAS core names (e.g. "
            f"detected,Haswell,SkylakeX), got {text!r}")
    return [DETECTED if v.lower() == DETECTED else v for v in names]


def allocator_list(text):
    names = [v.strip().lower() for v in text.split(",") if v.strip()]
    bad = [v for v in names if v not in ALLOCATORS]
    if not names or bad:
        raise argparse.ArgumentTypeError(
            f"expected a comma-separated list among {', '.join(ALLOCATORS)}, got {text!r}")
    return names


# ---- candidates ---------------------------------------------------------------------------

def cpu_flags():
    """The feature flags of the first CPU in /proc/cpuinfo (an empty set if unreadable)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def feature_kernels(flags):
    """The OpenBLAS kernel sets that suit the CPU's instruction set, best first."""
    if {"avx512f", "avx512bw", "avx512vl", "avx512dq"} <= flags:
        return ["SkylakeX"] + (["Cooperlake"] if "avx512_bf16" in flags else [])
    if {"avx2", "fma"} <= flags:
        return ["Haswell"]
    return []


def detected_core():
    """The kernel set OpenBLAS picks by itself on this CPU (None if the probe fails)."""
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    try:
        proc = subprocess.run([sys.executable, "-c", CORE_PROBE], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                              timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    lines = proc.stdout.split()
    return lines[-1] if proc.returncode == 0 and lines else None


def choose_kernels(wanted):
    """[(kernel, why)]: --kernels in the order given, or OpenBLAS's detection, the caller's
    OPENBLAS_CORETYPE and the kernels that suit the CPU flags, a name dropped when it is what
    an earlier candidate (the detection included) runs anyway."""
    if wanted:
        kernels = []
        for k in wanted:
            if k.lower() not in {seen.lower() for seen, _ in kernels}:
                kernels.append((k, "--kernels"))
        return kernels
    detected = detected_core()
    found = [(DETECTED, "OpenBLAS's detection" + (f": {detected}" if detected else ""))]
    caller = os.environ.get("OPENBLAS_CORETYPE", "").strip()
    if caller:
        found.append((caller, "OPENBLAS_CORETYPE of the environment"))
    found += [(k, "suits the CPU flags") for k in feature_kernels(cpu_flags())]
    kernels, seen = [], {(detected or DETECTED).lower()}
    for k, why in found:
        if k == DETECTED or k.lower() not in seen:
            kernels.append((k, why))
            seen.add(k.lower())
    return kernels


def find_library(name):
    multiarch = sysconfig.get_config_var("MULTIARCH") or ""
    for folder in (f"/usr/lib/{multiarch}", "/usr/lib64", "/usr/lib", "/usr/local/lib"):
        path = os.path.join(folder, name)
        if os.access(path, os.R_OK):
            return path
    return None


def choose_allocators(wanted):
    """([(name, LD_PRELOAD path or None)], [names not installed]): --allocators (a missing
    library is an error), or every known one that is installed."""
    chosen, missing = [], []
    for name in dict.fromkeys(wanted or ALLOCATORS):
        library, package = ALLOCATORS[name]
        path = find_library(library) if library else None
        if library and path is None:
            if wanted:
                fail(f"{name} needs {library}: sudo apt-get install {package}")
            missing.append(f"{name} not installed ({library}, Debian: {package})")
            continue
        chosen.append((name, path))
    return chosen, missing


def allocator_how(name, path):
    if path:
        return f"LD_PRELOAD={path}"
    if name == "glibc-tuned":
        return " ".join(f"{k}={v}" for k, v in TUNED.items())
    return "glibc's malloc, default thresholds"


# ---- the runs -----------------------------------------------------------------------------

def child_env(allocator, kernel, openblas_threads):
    """The caller's environment with the set-up's OpenBLAS and allocator variables; the
    caller's other LD_PRELOAD entries are kept, an allocator it preloads is replaced."""
    (name, path) = allocator
    env = dict(os.environ)
    for var in ("OPENBLAS_CORETYPE", "LD_PRELOAD", *TUNED):
        env.pop(var, None)
    env["OPENBLAS_NUM_THREADS"] = str(openblas_threads)
    if kernel != DETECTED:
        env["OPENBLAS_CORETYPE"] = kernel
    kept = [p for p in os.environ.get("LD_PRELOAD", "").replace(":", " ").split()
            if "jemalloc" not in os.path.basename(p) and "tcmalloc" not in os.path.basename(p)]
    preload = ([path] if path else []) + kept
    if preload:
        env["LD_PRELOAD"] = " ".join(preload)
    if name == "glibc-tuned":
        env.update(TUNED)
    return env


def describe_setup(r):
    """e.g. 'torch 1 x OpenBLAS 2, SkylakeX kernel, jemalloc' ('(detected)' after the kernel
    without OPENBLAS_CORETYPE; ', channels_last' after it for a convolutional workload)."""
    core = r.get("openblas_core") or r.get("openblas_coretype_env") or "unknown"
    how = "" if r.get("openblas_coretype_env") else " (detected)"
    layout = f", {r['memory_format']}" if r.get("memory_format") else ""
    return (f"torch {r['threads']} x OpenBLAS {r['openblas_threads']}, {core} kernel{how}, "
            f"{r.get('allocator') or 'unknown allocator'}{layout}")


def best(args, script):
    """The set-up search of args (staged, or args.full_grid) with script's measurement."""
    base = [sys.executable, script, "--json", "--workload", args.workload,
            "--batch-size", str(args.batch_size), "--warmup", str(args.warmup),
            "--seed", str(args.seed), "--data", args.data, "--data-format", args.data_format,
            "--adam-foreach", args.adam_foreach]
    if args.samples is not None:
        base += ["--samples", str(args.samples)]
    # Convolutional workloads: the given memory format first, then the other one.
    formats = [None] if args.workload == "fashion-vae" else (
        [args.memory_format] + [f for f in MEMORY_FORMATS if f != args.memory_format])
    kernels = choose_kernels(args.kernels)
    allocators, missing = choose_allocators(args.allocators)
    threads = [(t, o) for t in args.torch_threads for o in args.openblas_threads]

    def say(text):
        if not args.json:
            print(text, flush=True)

    say("kernels: " + "; ".join(f"{k} ({why})" for k, why in kernels))
    say("allocators: " + "; ".join([f"{n} ({allocator_how(n, p)})" for n, p in allocators]
                                   + missing))
    tried = []

    def run(stage, allocator, kernel, t, o, layout=formats[0]):
        extra = ["--memory-format", layout] if layout else []
        proc = subprocess.run(base + extra + ["--threads", str(t)],
                              env=child_env(allocator, kernel, o),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        what = (f"allocator {allocator[0]}, kernel {kernel}, torch threads {t}, "
                f"OpenBLAS threads {o}" + (f", {layout}" if layout else ""))
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            fail(f"the run with {what} failed")
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        if result.get("allocator") != allocator[0]:
            print(f"pytorch_reference: warning: the run with {what} ran with "
                  f"{result.get('allocator')} (recorded as such)", file=sys.stderr)
        result.update(kernel=kernel, stage=stage, candidate=allocator, requested=(t, o))
        tried.append(result)
        say(f"  {result['allocator']}, kernel {kernel} ({result['openblas_core']}), torch "
            f"threads {t}, OpenBLAS threads {o}{', ' + layout if layout else ''}: "
            f"{result['samples_per_second']:.0f} samples/s "
            f"(mean loss {result['mean_loss']:.6g})")
        return result

    names = [k for k, _ in kernels]
    first = DETECTED if DETECTED in names else names[0]
    if args.full_grid:
        say(f"search: the full grid, "
            f"{len(kernels) * len(allocators) * len(threads) * len(formats)} runs")
        for kernel in names:
            for allocator in allocators:
                for t, o in threads:
                    for layout in formats:
                        run(None, allocator, kernel, t, o, layout)
    else:
        say(f"stage 1: every allocator x thread set-up with kernel {first} "
            f"({len(allocators) * len(threads)} runs)")
        for allocator in allocators:
            for t, o in threads:
                run(1, allocator, first, t, o)
        lead = max(tried, key=lambda r: r["samples_per_second"])
        others = [k for k in names if k != first]
        if others:
            t, o = lead["requested"]
            say(f"stage 2: the other kernels with {lead['candidate'][0]}, torch threads {t}, "
                f"OpenBLAS threads {o} ({len(others)} runs)")
            for kernel in others:
                run(2, lead["candidate"], kernel, t, o)
        if len(formats) > 1:
            lead = max(tried, key=lambda r: r["samples_per_second"])
            t, o = lead["requested"]
            say(f"stage 3: the other memory format with {lead['candidate'][0]}, kernel "
                f"{lead['kernel']}, torch threads {t}, OpenBLAS threads {o}")
            for layout in formats[1:]:
                run(3, lead["candidate"], lead["kernel"], t, o, layout)

    winner = dict(max(tried, key=lambda r: r["samples_per_second"]))
    for key in ("stage", "candidate", "requested"):
        winner.pop(key)
    winner["search"] = "full grid" if args.full_grid else "staged"
    winner["thread_setup"] = describe_setup(winner)
    winner["kernels_tried"] = [{"kernel": k, "why": why} for k, why in kernels]
    winner["allocators_tried"] = [{"allocator": n, "how": allocator_how(n, p)}
                                  for n, p in allocators]
    if formats[0]:
        winner["memory_formats_tried"] = formats
    winner["candidates"] = [{"stage": r["stage"], "allocator": r["allocator"],
                             "kernel": r["kernel"], "openblas_core": r["openblas_core"],
                             "threads": r["threads"], "openblas_threads": r["openblas_threads"],
                             "memory_format": r.get("memory_format"),
                             "samples_per_second": r["samples_per_second"],
                             "peak_rss_mb": r["peak_rss_mb"]} for r in tried]
    return winner

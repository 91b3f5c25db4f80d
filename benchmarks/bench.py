#!/usr/bin/env python3
# `make bench`: Keras' mnist_mlp timed per epoch in one run, RefNet and PyTorch side by side, under stated OpenBLAS
# settings. RefNet: f32/f64 × the default (automatic) GEMM, the managed kernel, OpenBLAS as installed and, when the
# installed OpenBLAS runs a generic kernel on this CPU, OpenBLAS forced to the tuned one (OPENBLAS_CORETYPE).
# PyTorch (the peer; Debian's links the same OpenBLAS): 1 and 2 threads, as installed and under that tuned core, so
# the ratio is taken against the fastest *fair* peer, not a handicapped one. Also prints epoch time ÷ GEMM time.
# Then mnist_cnn on a slice of the data and addition_rnn (one epoch, RefNet and PyTorch alternating by round).
# Parses the RESULT lines both programs print.
import math
import os
import statistics
import re
import subprocess
import sys

EPOCHS = os.environ.get("EPOCHS", "3")
THREADS = os.environ.get("THREADS", str(os.cpu_count() or 1))
TORCH_PY = os.environ.get("TORCH_PYTHON", "/usr/bin/python3")
EXTRA = os.environ.get("BENCH_ARGS", "").split()
# Which parts run: mlp (mnist_mlp), cnn (mnist_cnn), rnn (addition_rnn); e.g. BENCH_SECTIONS=rnn make bench.
SECTIONS = os.environ.get("BENCH_SECTIONS", "mlp,cnn,rnn").split(",")
STEPS = math.ceil(60000 / 128)  # training steps per epoch (batch 128)
# The OpenBLAS kernel to force where the installed build falls back to a generic one, by CPU SIMD level.
TUNED_CORE = {"Avx512": "SKYLAKEX", "Avx2": "HASWELL"}


def run(cmd, env_extra=None, tag="RESULT mnist-mlp"):
    env = dict(os.environ, **(env_extra or {}))
    prefix = " ".join(f"{k}={v}" for k, v in (env_extra or {}).items())
    print("$ " + (prefix + " " if prefix else "") + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    sys.stdout.write(p.stdout)
    if p.returncode != 0:
        sys.stdout.write(p.stderr)
        return None
    for line in p.stdout.splitlines():
        if line.startswith(tag + " "):
            r = dict(kv.split("=", 1) for kv in re.findall(r"(\w+=[^\s\"]+|\w+=\"[^\"]*\")", line))
            r["openblas"] = (env_extra or {}).get("OPENBLAS_CORETYPE", "as installed")
            if cmd[0] == "./refnet" and not env_extra:
                r["openblas"] = refnet_core
            return r
    return None


def info():
    p = subprocess.run(["./refnet", "info"], capture_output=True, text=True)
    print(p.stdout, flush=True)
    core = re.search(r"openblas:\s+loaded from \S+, core (\S+)", p.stdout)
    level = re.search(r"cpu simd level:\s+(\S+)", p.stdout)
    why = re.search(r"gemm why:\s+(.*)", p.stdout)
    return (core.group(1) if core else None), (level.group(1) if level else "Unknown"), (why.group(1) if why else "")


core, level, why = info()
# RefNet reloads a generic-fallback OpenBLAS with a tuned OPENBLAS_CORETYPE by itself ("loaded it again with ...");
# PyTorch does not, so it is run both as installed and under that same core type.
retuned = re.search(r"loaded it again with OPENBLAS_CORETYPE=(\S+)", why)
tuned = retuned.group(1) if retuned else (TUNED_CORE.get(level) if "fallback" in why else None)
blas_settings = [None] + ([{"OPENBLAS_CORETYPE": tuned}] if tuned and "OPENBLAS_CORETYPE" not in os.environ else [])
refnet_core = f"{core} (auto)" if retuned else "as installed"

if "mlp" in SECTIONS:
    rows = []
    for precision in ("f32", "f64"):
        for gemm in ("auto", "managed", "openblas"):
            for env in ([None] if gemm != "openblas" or retuned else blas_settings):
                r = run(["./refnet", "bench", "mnist-mlp", "--precision", precision, "--gemm", gemm,
                         "--threads", THREADS, "--epochs", EPOCHS] + EXTRA, env)
                if r:
                    r["impl"] = "refnet-default(" + r["impl"].removeprefix("refnet-") + ")" if gemm == "auto" else r["impl"]
                    rows.append(r)
    gemm_step = {}
    for precision in ("f32", "f64"):
        r = run(["./refnet", "bench", "gemm", "--precision", precision, "--gemm", "auto", "--threads", THREADS], tag="RESULT gemm-step")
        if r:
            gemm_step[precision] = float(r["best_ms"]) / 1e3
    torch_rows = []
    for threads in ("1", "2"):
        for env in blas_settings:
            r = run([TORCH_PY, "benchmarks/peers/pytorch_mnist_mlp.py", "--threads", threads, "--epochs", EPOCHS] + EXTRA, env)
            if r:
                torch_rows.append(r)
    rows += torch_rows

    best_torch = min((r for r in torch_rows if r["precision"] == "f32"), key=lambda r: float(r["best_s"]), default=None)
    print()
    print(f"mnist_mlp, 60000 samples/epoch, batch 128, best and median of {EPOCHS} epochs after a warm-up epoch; "
          f"OpenBLAS core RefNet runs: {core or 'none'}{' (' + why + ')' if why else ''}; CPU SIMD: {level}")
    print(f"{'implementation':<32} {'prec':<5} {'thr':>3} {'openblas':<16} {'data':<10} {'best s':>8} {'median s':>9} {'B/step':>8} {'peak MB':>8} {'vs fastest PyTorch f32':>22}")
    for r in rows:
        ratio = f"{float(r['best_s']) / float(best_torch['best_s']):.2f}x" if best_torch else "n/a"
        print(f"{r['impl']:<32} {r['precision']:<5} {r['threads']:>3} {r['openblas']:<16} {r['data']:<10} {float(r['best_s']):>8.3f} "
              f"{float(r['median_s']):>9.3f} {r['alloc_bytes_per_step']:>8} {r['peak_mb']:>8} {ratio:>22}")
    if best_torch:
        print(f"fastest PyTorch f32: {best_torch['threads']} thread(s), OpenBLAS {best_torch['openblas']}, {float(best_torch['best_s']):.3f} s/epoch")
    else:
        print(f"(PyTorch not run: {TORCH_PY} lacks torch; apt-get install -y python3-torch)")
    for precision, step in gemm_step.items():
        default = next((r for r in rows if r["impl"].startswith("refnet-default") and r["precision"] == precision), None)
        if default:
            print(f"{precision}: default epoch {float(default['best_s']):.3f} s ÷ (GEMM step {step * 1e3:.3f} ms × {STEPS} steps = "
                  f"{step * STEPS:.3f} s) = {float(default['best_s']) / (step * STEPS):.2f}")
    d32 = next((r for r in rows if r["impl"].startswith("refnet-default") and r["precision"] == "f32"), None)
    d64 = next((r for r in rows if r["impl"].startswith("refnet-default") and r["precision"] == "f64"), None)
    if d32 and d64:
        print(f"default f64 ÷ f32: {float(d64['best_s']) / float(d32['best_s']):.2f}")

if "cnn" in SECTIONS:
    # mnist_cnn (issue 11): a whole epoch is ~2 minutes per implementation on 2 cores, so the default times the first
    # CNN_SAMPLES training images (20 steps of 128) after 10 warm-up steps, RefNet and PyTorch (1 and 2 threads) alike.
    CNN_SAMPLES = os.environ.get("CNN_SAMPLES", "2560")
    cnn = []
    for gemm in ("auto", "managed"):
        r = run(["./refnet", "bench", "mnist-cnn", "--gemm", gemm, "--threads", THREADS, "--samples", CNN_SAMPLES], tag="RESULT mnist-cnn")
        if r:
            r["impl"] = "refnet-default(" + r["impl"].removeprefix("refnet-") + ")" if gemm == "auto" else r["impl"]
            cnn.append(r)
    cnn_torch = []
    for threads in ("1", "2"):
        r = run([TORCH_PY, "benchmarks/peers/pytorch_mnist_cnn.py", "--threads", threads, "--samples", CNN_SAMPLES], tag="RESULT mnist-cnn")
        if r:
            cnn_torch.append(r)
    best_cnn_torch = min(cnn_torch, key=lambda r: float(r["best_s"]), default=None)
    print()
    print(f"mnist_cnn, first {CNN_SAMPLES} training images (one timed pass after 10 warm-up steps), batch 128, f32")
    print(f"{'implementation':<32} {'thr':>3} {'seconds':>8} {'s/epoch (x60000/n)':>19} {'peak MB':>8} {'vs fastest PyTorch':>19}")
    for r in cnn + cnn_torch:
        s = float(r["best_s"])
        ratio = f"{s / float(best_cnn_torch['best_s']):.2f}x" if best_cnn_torch else "n/a"
        print(f"{r['impl']:<32} {r['threads']:>3} {s:>8.3f} {s * 60000 / int(CNN_SAMPLES):>19.1f} {r['peak_mb']:>8} {ratio:>19}")

if "rnn" in SECTIONS:
    # addition_rnn (issue 12): keras-io's model, one epoch of its 45 000 training questions (1 407 steps of 32) after 100
    # warm-up steps, RefNet (default CPU backend) and PyTorch (1 and 2 threads) in turn for ADD_ROUNDS rounds, so that each
    # round's ratio is taken between runs seconds apart on the same machine.
    ADD_SAMPLES = os.environ.get("ADD_SAMPLES", "45000")
    ADD_ROUNDS = int(os.environ.get("ADD_ROUNDS", "2"))
    add_rows = []
    for rnd in range(ADD_ROUNDS):
        r = run(["./refnet", "bench", "addition-rnn", "--threads", THREADS, "--samples", ADD_SAMPLES], tag="RESULT addition-rnn")
        # PyTorch as installed and under RefNet's tuned OpenBLAS core type (where the installed one falls back).
        peers = [run([TORCH_PY, "benchmarks/peers/pytorch_addition_rnn.py", "--threads", t, "--samples", ADD_SAMPLES], env, tag="RESULT addition-rnn")
                 for t in ("1", "2") for env in blas_settings]
        add_rows.append((r, [p for p in peers if p]))
    print()
    print(f"addition_rnn, {ADD_SAMPLES} questions per epoch, batch 32, f32, one timed epoch after 100 warm-up steps, {ADD_ROUNDS} rounds")
    print(f"{'round':>5} {'refnet s/epoch':>15}  pytorch s/epoch by threads and OpenBLAS core {'refnet / fastest pytorch':>25}")
    ratios = []
    for i, (r, peers) in enumerate(add_rows):
        best = min((float(p["best_s"]) for p in peers), default=None)
        ratio = float(r["best_s"]) / best if r and best else None
        if ratio:
            ratios.append(ratio)
        shown = ", ".join(f"{p['threads']} thr {p['openblas']}: {float(p['best_s']):.3f}" for p in peers)
        print(f"{i + 1:>5} {float(r['best_s']) if r else float('nan'):>15.3f}  {shown}  {(f'{ratio:.2f}x' if ratio else 'n/a'):>10}")
    if ratios:
        print(f"addition_rnn: RefNet / fastest PyTorch, median of {len(ratios)} rounds: {statistics.median(ratios):.2f}x (target <= 0.7x)")

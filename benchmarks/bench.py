#!/usr/bin/env python3
# `make bench`: RefNet (f32/f64 × managed/openblas) and PyTorch (1 and 2 threads) on mnist_mlp in one go,
# then one side-by-side table with the ratio RefNet / best PyTorch. Parses the RESULT lines both print.
import os
import re
import subprocess
import sys

EPOCHS = os.environ.get("EPOCHS", "3")
THREADS = os.environ.get("THREADS", str(os.cpu_count() or 1))
TORCH_PY = os.environ.get("TORCH_PYTHON", "/usr/bin/python3")
EXTRA = os.environ.get("BENCH_ARGS", "").split()


def run(cmd):
    print("$ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, capture_output=True, text=True)
    sys.stdout.write(p.stdout)
    if p.returncode != 0:
        sys.stdout.write(p.stderr)
        return None
    for line in p.stdout.splitlines():
        if line.startswith("RESULT mnist-mlp"):
            return dict(kv.split("=", 1) for kv in re.findall(r"(\w+=\S+)", line))
    return None


rows = []
for precision in ("f32", "f64"):
    for gemm in ("managed", "openblas"):
        r = run(["./refnet", "bench", "mnist-mlp", "--precision", precision, "--gemm", gemm,
                 "--threads", THREADS, "--epochs", EPOCHS] + EXTRA)
        if r:
            rows.append(r)
torch_rows = []
for threads in ("1", "2"):
    r = run([TORCH_PY, "benchmarks/peers/pytorch_mnist_mlp.py", "--threads", threads, "--epochs", EPOCHS] + EXTRA)
    if r:
        torch_rows.append(r)
rows += torch_rows

best_torch = min((float(r["best_s"]) for r in torch_rows if r["precision"] == "f32"), default=None)
print()
print(f"mnist_mlp, 60000 samples/epoch, batch 128, best and median of {EPOCHS} epochs after a warm-up epoch")
print(f"{'implementation':<28} {'prec':<5} {'thr':>3} {'data':<10} {'best s':>8} {'median s':>9} {'B/step':>8} {'peak MB':>8} {'vs best PyTorch f32':>20}")
for r in rows:
    ratio = f"{float(r['best_s']) / best_torch:.2f}x" if best_torch else "n/a"
    print(f"{r['impl']:<28} {r['precision']:<5} {r['threads']:>3} {r['data']:<10} {float(r['best_s']):>8.3f} "
          f"{float(r['median_s']):>9.3f} {r['alloc_bytes_per_step']:>8} {r['peak_mb']:>8} {ratio:>20}")
if not torch_rows:
    print(f"(PyTorch not run: {TORCH_PY} lacks torch; apt-get install -y python3-torch)")

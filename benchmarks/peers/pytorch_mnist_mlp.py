#!/usr/bin/env python3
# PyTorch peer of `refnet bench mnist-mlp`: Keras' mnist_mlp (784-512-512-10, ReLU, Dropout 0.2, softmax,
# RMSprop lr 0.001 rho 0.9 eps 1e-7, batch 128, float32) timed per 60000-sample epoch with N threads.
# Run with Debian's interpreter (python3-torch): /usr/bin/python3 benchmarks/peers/pytorch_mnist_mlp.py --threads 1
import argparse
import gzip
import os
import resource
import statistics
import struct
import time

import torch


def read_idx(path, magic):
    """Minimal IDX reader (raw or .gz): big-endian magic and dimensions, then uint8 payload."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        found = struct.unpack(">i", f.read(4))[0]
        if found != magic:
            raise SystemExit(f"{path}: IDX magic {found} at offset 0, expected {magic}")
        dims = struct.unpack(">" + "i" * (3 if magic == 2051 else 1), f.read(4 * (3 if magic == 2051 else 1)))
        data = f.read()
    return torch.frombuffer(bytearray(data), dtype=torch.uint8).reshape(dims)


def train_epoch(model, opt, loss_fn, x, y, batch, rows):
    """One shuffled pass over the first `rows` samples; returns (mean loss, accuracy). The loss takes logits
    flattened to (samples·positions, classes) and class indices, so sequence outputs work too."""
    model.train()
    order = torch.randperm(rows)
    total, correct = 0.0, 0
    for start in range(0, rows, batch):
        idx = order[start:start + batch]
        xb, yb = x[idx], y[idx]
        opt.zero_grad(set_to_none=True)
        out = model(xb)
        loss = loss_fn(out.reshape(-1, out.shape[-1]), yb.reshape(-1))
        loss.backward()
        opt.step()
        total += loss.item() * len(idx)
        correct += (out.argmax(-1) == yb).sum().item()
    return total / rows, correct / (rows * y[0].numel())


def timed_epochs(name, epoch, n, warm_rows, epochs, fields):
    """Warm-up on `warm_rows` samples, then `epochs` timed epochs of `n`; prints the RESULT line bench.py parses."""
    t = time.perf_counter()
    epoch(warm_rows)
    print(f"warm-up ({warm_rows} samples): {time.perf_counter() - t:.3f} s")
    times = []
    for e in range(epochs):
        t = time.perf_counter()
        loss, acc = epoch(n)
        times.append(time.perf_counter() - t)
        print(f"epoch {e + 1}: {times[-1]:.3f} s, loss {loss:.4f}, acc {acc:.4f}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"RESULT {name} impl=pytorch-{torch.__version__} {fields} samples={n} "
          f"best_s={min(times):.3f} median_s={statistics.median(times):.3f} peak_mb={peak_mb:.0f}")


def first_existing(*paths):
    return next((p for p in paths if os.path.exists(p)), None)


def load(data_dir, synthetic, dtype):
    images = first_existing(*(os.path.join(data_dir, "train-images-idx3-ubyte" + s) for s in ("", ".gz")))
    labels = first_existing(*(os.path.join(data_dir, "train-labels-idx1-ubyte" + s) for s in ("", ".gz")))
    if not synthetic and images and labels:
        x = read_idx(images, 2051).reshape(-1, 784).to(dtype) / 255.0
        y = read_idx(labels, 2049).to(torch.long)
        return x[:60000], y[:60000], "mnist"
    g = torch.Generator().manual_seed(1)
    x = torch.rand(60000, 784, generator=g, dtype=dtype)
    y = torch.randint(0, 10, (60000,), generator=g)
    return x, y, "synthetic"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--precision", choices=["f32", "f64"], default="f32")
    ap.add_argument("--data", default=os.path.join("data", "mnist"))
    ap.add_argument("--synthetic", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    dtype = torch.float32 if a.precision == "f32" else torch.float64
    x, y, source = load(a.data, a.synthetic, dtype)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Dropout(0.2),
        torch.nn.Linear(512, 512), torch.nn.ReLU(), torch.nn.Dropout(0.2),
        torch.nn.Linear(512, 10)).to(dtype)
    # Softmax + categorical cross-entropy, fused as PyTorch users write it (log-softmax + NLL).
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.RMSprop(model.parameters(), lr=0.001, alpha=0.9, eps=1e-7)
    batch = 128
    n = x.shape[0]
    print(f"pytorch {torch.__version__} mnist-mlp: {a.precision}, {a.threads} thread(s), batch {batch}, data: {source}")

    # A whole epoch of warm-up, then the timed epochs (the loop and RESULT line are the ones the other peers share).
    timed_epochs("mnist-mlp", lambda rows: train_epoch(model, opt, loss_fn, x, y, batch, rows), n, n, a.epochs,
                 f"precision={a.precision} threads={a.threads} data={source} alloc_bytes_per_step=n/a")

if __name__ == "__main__":
    main()

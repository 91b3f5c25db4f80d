#!/usr/bin/env python3
# PyTorch peer of `refnet bench mnist-cnn`: Keras' mnist_cnn (Conv2D 32 3x3 relu, Conv2D 64 3x3 relu, MaxPool 2,
# Dropout .25, Flatten, Dense 128 relu, Dropout .5, Dense 10 softmax; Adadelta lr 1.0 rho 0.95 eps 1e-8; batch 128,
# float32), timed per epoch over the first --samples training images (all 60000 by default) with N threads.
# Run with Debian's interpreter (python3-torch): /usr/bin/python3 benchmarks/peers/pytorch_mnist_cnn.py --threads 1
import argparse
import os

import torch

from pytorch_mnist_mlp import load, timed_epochs, train_epoch


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--samples", type=int, default=60000)
    ap.add_argument("--data", default=os.path.join("data", "mnist"))
    ap.add_argument("--synthetic", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    x, y, source = load(a.data, a.synthetic, torch.float32)
    n = min(a.samples, x.shape[0])
    # NCHW, PyTorch's layout (RefNet and Keras use NHWC; the arithmetic is the same).
    x, y = x[:n].reshape(n, 1, 28, 28).contiguous(), y[:n]
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3), torch.nn.ReLU(),
        torch.nn.Conv2d(32, 64, 3), torch.nn.ReLU(),
        torch.nn.MaxPool2d(2), torch.nn.Dropout(0.25), torch.nn.Flatten(),
        torch.nn.Linear(9216, 128), torch.nn.ReLU(), torch.nn.Dropout(0.5),
        torch.nn.Linear(128, 10))
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.Adadelta(model.parameters(), lr=1.0, rho=0.95, eps=1e-8)
    batch = 128
    print(f"pytorch {torch.__version__} mnist-cnn: f32, {a.threads} thread(s), batch {batch}, {n} samples, data: {source}")

    timed_epochs("mnist-cnn", lambda rows: train_epoch(model, opt, loss_fn, x, y, batch, rows), n, min(n, 10 * batch), a.epochs,
                 f"precision=f32 threads={a.threads} data={source}")

if __name__ == "__main__":
    main()

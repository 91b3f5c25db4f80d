#!/usr/bin/env python3
# PyTorch peer of `refnet bench addition-rnn`: keras-io's addition_rnn (LSTM(128) over 7 one-hot characters of 12 →
# its last output repeated 4 times → LSTM(128) returning every step → Dense(12) + softmax cross-entropy at each step;
# Adam lr 1e-3, eps 1e-7; batch 32, float32), timed per epoch over the first --samples of 45 000 generated training
# questions with N threads. The questions follow Keras' procedure (1–3 digit operands, unique unordered pairs, padded,
# query reversed); the draws are Python's, which does not change the arithmetic being timed.
# PyTorch's LSTM gate order (i, f, g, o) and two bias vectors differ from Keras' layout, not in cost; the loss is
# PyTorch's idiom, CrossEntropyLoss on the logits with class indices (RefNet: softmax layer + CCE on one-hot rows,
# as the Keras script), which costs the same order of work per step (a few thousand elements).
# Run with Debian's interpreter (python3-torch): /usr/bin/python3 benchmarks/peers/pytorch_addition_rnn.py --threads 1
import argparse
import random

import torch

from pytorch_mnist_mlp import timed_epochs, train_epoch

CHARS = "0123456789+ "
DIGITS = 3
MAXLEN = DIGITS + 1 + DIGITS
ANSWER = DIGITS + 1


def generate(count, seed):
    rng = random.Random(seed)
    seen, queries, answers = set(), [], []
    while len(queries) < count:
        a, b = (int("".join(rng.choice("0123456789") for _ in range(rng.randint(1, DIGITS)))) for _ in range(2))
        key = tuple(sorted((a, b)))
        if key in seen:
            continue
        seen.add(key)
        q = f"{a}+{b}".ljust(MAXLEN)[::-1]
        queries.append(q)
        answers.append(str(a + b).ljust(ANSWER))
    return queries, answers


def encode(texts, length):
    idx = torch.tensor([[CHARS.index(c) for c in t] for t in texts])
    return torch.nn.functional.one_hot(idx, len(CHARS)).float().reshape(len(texts), length, len(CHARS)), idx


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = torch.nn.LSTM(len(CHARS), 128, batch_first=True)
        self.decoder = torch.nn.LSTM(128, 128, batch_first=True)
        self.dense = torch.nn.Linear(128, len(CHARS))

    def forward(self, x):
        _, (h, _) = self.encoder(x)                       # h: (1, batch, 128), the last step's output
        repeated = h[0].unsqueeze(1).expand(-1, ANSWER, -1)  # RepeatVector(4)
        out, _ = self.decoder(repeated)
        return self.dense(out)                            # logits (batch, 4, 12)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--samples", type=int, default=45000)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    queries, answers = generate(50000, seed=1)
    x, _ = encode(queries[:45000], MAXLEN)
    _, y = encode(answers[:45000], ANSWER)
    n = min(a.samples, x.shape[0])
    x, y = x[:n].contiguous(), y[:n].contiguous()
    model = Model()
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    batch = 32
    print(f"pytorch {torch.__version__} addition-rnn: f32, {a.threads} thread(s), batch {batch}, {n} samples, data: generated")

    # The same 100 warm-up steps as refnet bench addition-rnn.
    timed_epochs("addition-rnn", lambda rows: train_epoch(model, opt, loss_fn, x, y, batch, rows), n, min(n, 100 * batch), a.epochs,
                 f"precision=f32 threads={a.threads} data=generated")

if __name__ == "__main__":
    main()

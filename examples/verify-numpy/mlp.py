#!/usr/bin/env python3
"""A from-scratch NumPy MLP, as a student writes it for the course, run against RefNet's conformance cases.

The slides' network: Dense layers z = a·W + b, activations (sigmoid, softmax, ReLU, linear), the cross-entropies,
and plain gradient descent. Backpropagation by hand:  δ = ∂J/∂a ⊙ σ'(z),  ∂J/∂W = aᵀ_prev·δ,  ∂J/∂b = Σ_rows δ,
∂J/∂a_prev = δ·Wᵀ.  Check it:

    ./refnet cases export cases
    ./refnet verify --cases cases --exec "/usr/bin/python3 examples/verify-numpy/mlp.py {case} {out}"

Cases this MLP does not implement (Conv2D, LSTM, Adam, …) exit with 77 and count as skipped.
PLANT_BUG=sigmoid_derivative replaces σ' = σ(1 − σ) by σ: verify then fails exactly the cases that use σ'.
"""
import json
import os
import sys

import numpy as np

EPSILON = 1e-7  # Keras' backend epsilon: probabilities are clipped to [ε, 1 − ε]
PLANTED = os.environ.get("PLANT_BUG", "")


class NotImplementedHere(Exception):
    pass


# ---- activations: value and the product of the upstream gradient with the derivative ----

def forward(name, z):
    if name == "linear":
        return z
    if name == "sigmoid":
        return 1 / (1 + np.exp(-z))
    if name == "relu":
        return np.maximum(z, 0)
    if name == "softmax":
        e = np.exp(z - z.max(axis=-1, keepdims=True))  # subtract the row max: no overflow
        return e / e.sum(axis=-1, keepdims=True)
    raise NotImplementedHere(f"activation {name}")


def backward(name, z, a, da):
    """∂J/∂z from ∂J/∂a, where a = f(z)."""
    if name == "linear":
        return da
    if name == "sigmoid":
        derivative = a if PLANTED == "sigmoid_derivative" else a * (1 - a)
        return da * derivative
    if name == "relu":
        return da * (z > 0)  # f'(0) = 0, as Keras
    if name == "softmax":
        # The Jacobian of softmax is diag(a) − a·aᵀ per row, so ∂J/∂z = a ⊙ (da − Σ da ⊙ a).
        return a * (da - (da * a).sum(axis=-1, keepdims=True))
    raise NotImplementedHere(f"activation {name}")


# ---- a Dense layer ----

class Dense:
    def __init__(self, kernel, bias, activation):
        self.W, self.b, self.activation = kernel.copy(), (None if bias is None else bias.copy()), activation

    def forward(self, x):
        self.x = x
        self.z = x @ self.W + (0 if self.b is None else self.b)
        self.a = forward(self.activation, self.z)
        return self.a

    def backward(self, da):
        delta = backward(self.activation, self.z, self.a, da)
        self.dW = self.x.T @ delta
        self.db = delta.sum(axis=0)
        return delta @ self.W.T


# ---- losses: the per-row loss, and the gradient of its mean over the batch ----

def loss_and_gradient(name, y_pred, y_true):
    n = y_pred.shape[0]
    if name == "binary_crossentropy":
        p = np.clip(y_pred, EPSILON, 1 - EPSILON)
        d = y_pred.shape[-1]
        loss = -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)).mean(axis=-1)
        inside = (y_pred >= EPSILON) & (y_pred <= 1 - EPSILON)  # the clip passes the gradient only inside
        grad = inside * (p - y_true) / (p * (1 - p)) / (d * n)
        return loss, grad
    if name == "categorical_crossentropy":
        s = y_pred.sum(axis=-1, keepdims=True)  # Keras divides by the row sum first
        q = y_pred / s
        p = np.clip(q, EPSILON, 1 - EPSILON)
        loss = -(y_true * np.log(p)).sum(axis=-1)
        inside = (q >= EPSILON) & (q <= 1 - EPSILON)
        dq = inside * (-y_true / p) / n
        grad = (dq - (dq * q).sum(axis=-1, keepdims=True)) / s  # through q = ŷ / Σŷ
        return loss, grad
    raise NotImplementedHere(f"loss {name}")


# ---- reading a case, running it, writing the results ----

def main(case_dir, out_dir):
    with open(os.path.join(case_dir, "case.json"), encoding="utf-8") as f:
        case = json.load(f)
    given = {t["name"]: np.load(os.path.join(case_dir, t["file"])).astype(np.float64)
             for t in case["tensors"] if t["role"] not in ("output", "grad", "state", "param_after", "loss", "sample")}
    op = case.get("op", {})
    config = op.get("config", {})
    results = {}
    if case["kind"] == "activation":
        name = config["activation"]
        z = given["x"]
        a = forward(name, z)
        results = {"y": a}
        if "dy" in given:  # published tables give only the forward pass
            results["grad_x"] = backward(name, z, a, given["dy"])
    elif case["kind"] == "layer" and op["class_name"] == "Dense" and given["x"].ndim == 2:
        layer = Dense(given["kernel"], given.get("bias"), config["activation"])
        results["y"] = layer.forward(given["x"])
        results["grad_x"] = layer.backward(given["dy"])
        results["grad_kernel"] = layer.dW
        if layer.b is not None:
            results["grad_bias"] = layer.db
    elif case["kind"] == "loss":
        per_row, grad = loss_and_gradient(op["class_name"], given["y_pred"], given["y_true"])
        # Keras reduces by the mean over the batch; a published per-sample table asks for each row ("none").
        results = {"loss": per_row if config.get("reduction") == "none" else np.array(per_row.mean()), "grad_y_pred": grad}
    elif case["kind"] == "optimizer" and op["class_name"] == "SGD" and config.get("momentum", 0) == 0 and config.get("decay", 0) == 0:
        p = given["param"].copy()
        trajectory = []
        for g in given["gradients"]:
            p = p - config["learning_rate"] * g  # gradient descent: θ ← θ − η·∂J/∂θ
            trajectory.append(p)
        results = {"params": np.stack(trajectory)}
    elif case["kind"] == "network" and config["optimizer_config"]["class_name"] == "SGD" \
            and config["optimizer_config"]["config"].get("momentum", 0) == 0:
        model = json.loads(case["conventions"]["model_json"])
        layers = [Dense(given[c["config"]["name"] + ".kernel"], given[c["config"]["name"] + ".bias"], c["config"]["activation"])
                  for c in model["config"]["layers"]]
        a = given["x"]
        for layer, c in zip(layers, model["config"]["layers"]):
            a = layer.forward(a)
            results[c["config"]["name"] + ".output"] = a
        per_row, da = loss_and_gradient("categorical_crossentropy", a, given["y"])
        results["loss"] = np.array(per_row.mean())
        for layer in reversed(layers):
            da = layer.backward(da)
        lr = config["optimizer_config"]["config"]["learning_rate"]
        for layer, c in zip(layers, model["config"]["layers"]):
            results["grad_" + c["config"]["name"] + ".kernel"] = layer.dW
            results["grad_" + c["config"]["name"] + ".bias"] = layer.db
            results[c["config"]["name"] + ".kernel_after"] = layer.W - lr * layer.dW
            results[c["config"]["name"] + ".bias_after"] = layer.b - lr * layer.db
    else:
        raise NotImplementedHere(f"{case['kind']} {op.get('class_name', '')}")
    os.makedirs(out_dir, exist_ok=True)
    for t in case["tensors"]:
        if t["name"] in results:
            np.save(os.path.join(out_dir, t["file"]), np.asarray(results[t["name"]], dtype=np.float64))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1], sys.argv[2]))
    except NotImplementedHere as e:
        print(f"not in this MLP: {e}", file=sys.stderr)
        sys.exit(77)

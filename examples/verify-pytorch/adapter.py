#!/usr/bin/env python3
"""RefNet conformance adapter for PyTorch: run one case with PyTorch and write its results.

    refnet verify --cases DIR --exec "/usr/bin/python3 examples/verify-pytorch/adapter.py {case} {out}"

This is the independent implementation that proves RefNet's cases: every formula below is written from the Keras
definition with PyTorch ops, and every gradient comes from PyTorch's autograd (never from RefNet's Backward).
It reads case.json and the NPY givens, computes in the case's dtype and writes one NPY per result.
Exit 0: results written; exit 77: the case needs something PyTorch cannot express (the reason on stderr); else a bug.
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

SKIP = 77
RESULTS = ("output", "grad", "state", "param_after", "loss", "sample")


class Unsupported(Exception):
    pass


def load(case_dir):
    with open(os.path.join(case_dir, "case.json"), encoding="utf-8") as f:
        case = json.load(f)
    dtype = torch.float64 if case["dtype"] == "float64" else torch.float32
    givens = {}
    for t in case["tensors"]:
        if t["role"] in RESULTS:
            continue
        a = np.load(os.path.join(case_dir, t["file"]))
        givens[t["name"]] = torch.tensor(a, dtype=torch.int64 if a.dtype.kind in "iu" else dtype)
    return case, dtype, givens


# ---- activations (Keras 2 definitions) ----

def activation(name, x, alpha=None):
    if name == "linear":
        return x
    if name == "relu":
        return torch.relu(x)
    if name == "sigmoid":
        return torch.sigmoid(x)
    if name == "tanh":
        return torch.tanh(x)
    if name == "softmax":
        return torch.softmax(x, dim=-1)
    if name == "elu":
        return F.elu(x, alpha=1.0 if alpha is None else alpha)
    if name == "selu":
        return F.selu(x)
    if name == "softplus":
        return torch.logaddexp(x, torch.zeros_like(x))  # log(1 + e^x), stable at both ends
    if name == "softsign":
        return x / (1 + torch.abs(x))
    if name == "hard_sigmoid":
        return torch.clamp(0.2 * x + 0.5, 0.0, 1.0)  # Keras 2: slope 0.2; clamp passes the gradient at its bounds
    if name == "leaky_relu":
        return F.leaky_relu(x, negative_slope=0.3 if alpha is None else alpha)
    raise Unsupported(f"activation '{name}'")


# ---- layers ----

def same_padding(size, k, stride, dilation):
    """TensorFlow's 'same': out = ceil(in/stride); the odd padding pixel goes after."""
    out = -(-size // stride)
    total = max(0, (out - 1) * stride + (k - 1) * dilation + 1 - size)
    return total // 2, total - total // 2


def pad_nchw(x, cfg, k, strides, dilation, value):
    if cfg.get("padding", "valid") != "same":
        return x
    top, bottom = same_padding(x.shape[2], k[0], strides[0], dilation[0])
    left, right = same_padding(x.shape[3], k[1], strides[1], dilation[1])
    return F.pad(x, (left, right, top, bottom), value=value)


def dense(cfg, x, w):
    y = x @ w["kernel"]
    if cfg.get("use_bias", True):
        y = y + w["bias"]
    return activation(cfg.get("activation", "linear"), y)


def conv2d(cfg, x, w):
    k, s, d = cfg["kernel_size"], cfg.get("strides", [1, 1]), cfg.get("dilation_rate", [1, 1])
    xc = pad_nchw(x.permute(0, 3, 1, 2), cfg, k, s, d, 0.0)
    y = F.conv2d(xc, w["kernel"].permute(3, 2, 0, 1), w.get("bias") if cfg.get("use_bias", True) else None, stride=s, dilation=d)
    return activation(cfg.get("activation", "linear"), y.permute(0, 2, 3, 1))


def pooling(cfg, x, kind):
    k, s = cfg["pool_size"], cfg.get("strides") or cfg["pool_size"]
    xc = x.permute(0, 3, 1, 2)
    if kind == "max":
        y = F.max_pool2d(pad_nchw(xc, cfg, k, s, [1, 1], -math.inf), k, s)
    else:
        # Keras/TF average only over real pixels: the sum of the zero-padded window over the count of real pixels.
        sums = F.avg_pool2d(pad_nchw(xc, cfg, k, s, [1, 1], 0.0), k, s, divisor_override=1)
        counts = F.avg_pool2d(pad_nchw(torch.ones_like(xc[:1, :1]), cfg, k, s, [1, 1], 0.0), k, s, divisor_override=1)
        y = sums / counts
    return y.permute(0, 2, 3, 1)


def recurrent(cfg, x, w, cell):
    steps = range(x.shape[1])
    if cfg.get("go_backwards", False):
        steps = reversed(steps)
    units = cfg["units"]
    state = cell.initial(x.shape[0], units, x.dtype)
    outputs = []
    for t in steps:
        state = cell.step(cfg, x[:, t, :], state, w, units)
        outputs.append(state[0])
    return torch.stack(outputs, dim=1) if cfg.get("return_sequences", False) else outputs[-1]


class SimpleRnnCell:
    @staticmethod
    def initial(n, units, dtype):
        return (torch.zeros(n, units, dtype=dtype),)

    @staticmethod
    def step(cfg, xt, state, w, units):
        z = xt @ w["kernel"] + state[0] @ w["recurrent_kernel"]
        if cfg.get("use_bias", True):
            z = z + w["bias"]
        return (activation(cfg.get("activation", "tanh"), z),)


class LstmCell:
    @staticmethod
    def initial(n, units, dtype):
        return (torch.zeros(n, units, dtype=dtype), torch.zeros(n, units, dtype=dtype))

    @staticmethod
    def step(cfg, xt, state, w, units):
        h, c = state
        z = xt @ w["kernel"] + h @ w["recurrent_kernel"]
        if cfg.get("use_bias", True):
            z = z + w["bias"]
        rec, act = cfg.get("recurrent_activation", "hard_sigmoid"), cfg.get("activation", "tanh")
        i, f, g, o = (z[:, j * units:(j + 1) * units] for j in range(4))  # Keras gate order i, f, c, o
        c = activation(rec, f) * c + activation(rec, i) * activation(act, g)
        return (activation(rec, o) * activation(act, c), c)


class GruCell:
    @staticmethod
    def initial(n, units, dtype):
        return (torch.zeros(n, units, dtype=dtype),)

    @staticmethod
    def step(cfg, xt, state, w, units):
        h = state[0]
        rec, act = cfg.get("recurrent_activation", "hard_sigmoid"), cfg.get("activation", "tanh")
        k, u = w["kernel"], w["recurrent_kernel"]
        part = lambda m, j: m[..., j * units:(j + 1) * units]  # Keras gate order z, r, h
        use_bias = cfg.get("use_bias", True)
        if cfg.get("reset_after", False):
            b_in, b_rec = (w["bias"][0], w["bias"][1]) if use_bias else (0, 0)
            xz, xr, xh = (xt @ part(k, j) + (part(b_in, j) if use_bias else 0) for j in range(3))
            inner = h @ u + b_rec
            z = activation(rec, xz + part(inner, 0))
            r = activation(rec, xr + part(inner, 1))
            hh = activation(act, xh + r * part(inner, 2))
        else:
            b = w["bias"] if use_bias else None
            xz, xr, xh = (xt @ part(k, j) + (part(b, j) if use_bias else 0) for j in range(3))
            z = activation(rec, xz + h @ part(u, 0))
            r = activation(rec, xr + h @ part(u, 1))
            hh = activation(act, xh + (r * h) @ part(u, 2))
        return (z * h + (1 - z) * hh,)


def batch_norm(cfg, x, w, training):
    axes = tuple(range(x.dim() - 1))
    eps, momentum = cfg.get("epsilon", 1e-3), cfg.get("momentum", 0.99)
    gamma = w["gamma"] if cfg.get("scale", True) else 1.0
    beta = w["beta"] if cfg.get("center", True) else 0.0
    if not training:
        unchanged = {"moving_mean_after": w["moving_mean"].detach(), "moving_variance_after": w["moving_variance"].detach()}
        return gamma * (x - w["moving_mean"]) / torch.sqrt(w["moving_variance"] + eps) + beta, unchanged
    mean = x.mean(dim=axes)
    var = ((x - mean) ** 2).mean(dim=axes)  # the biased batch variance normalises in every Keras version
    m = x.numel() // x.shape[-1]
    rule = cfg.get("moving_variance_rule", "keras_2_3")
    if rule == "biased":
        fed = var
    elif rule in ("keras_2_3", "zero_debiased"):
        fed = var * m / (m - (1.0 + eps))
    elif rule == "bessel" or (rule == "bessel_when_fused" and x.dim() == 4):
        fed = var * m / (m - 1)
    elif rule == "bessel_when_fused":
        fed = var
    else:
        raise Unsupported(f"moving_variance_rule '{rule}'")
    y = gamma * (x - mean) / torch.sqrt(var + eps) + beta
    with torch.no_grad():
        if rule == "zero_debiased":
            # TensorFlow's assign_moving_average(zero_debias=True), first step: a shadow b = 0 − (0 − v)(1 − m), then
            # b / (1 − m¹) = v: the initial moving values are forgotten.
            state = {k: ((1 - momentum) * v) / (1 - momentum) for k, v in (("moving_mean_after", mean), ("moving_variance_after", fed))}
        else:
            state = {"moving_mean_after": momentum * w["moving_mean"] + (1 - momentum) * mean,
                     "moving_variance_after": momentum * w["moving_variance"] + (1 - momentum) * fed}
    return y, state


def layer_forward(op, x, w, training):
    name, cfg = op["class_name"], op["config"]
    if name == "Dense":
        return dense(cfg, x, w), {}
    if name == "Activation":
        return activation(cfg["activation"], x, w.get("_alpha")), {}
    if name == "Conv2D":
        return conv2d(cfg, x, w), {}
    if name in ("MaxPooling2D", "AveragePooling2D"):
        return pooling(cfg, x, "max" if name.startswith("Max") else "avg"), {}
    if name == "GlobalMaxPooling2D":
        return torch.amax(x, dim=(1, 2)), {}
    if name == "GlobalAveragePooling2D":
        return x.mean(dim=(1, 2)), {}
    if name == "Flatten":
        return x.reshape(x.shape[0], -1), {}
    if name == "Reshape":
        return x.reshape(x.shape[0], *cfg["target_shape"]), {}
    if name == "Dropout":
        if training:
            raise Unsupported("Dropout in training draws a random mask")
        return x, {}
    if name == "RepeatVector":
        return x.unsqueeze(1).expand(-1, cfg["n"], -1), {}
    if name == "SimpleRNN":
        return recurrent(cfg, x, w, SimpleRnnCell), {}
    if name == "LSTM":
        return recurrent(cfg, x, w, LstmCell), {}
    if name == "GRU":
        return recurrent(cfg, x, w, GruCell), {}
    if name == "TimeDistributed":
        return layer_forward(cfg["layer"], x, w, training)
    if name == "BatchNormalization":
        return batch_norm(cfg, x, w, training)
    if name == "Embedding":
        return w["embeddings"][x], {}
    raise Unsupported(f"layer class '{name}'")


def run_layer(case, givens):
    op = case["op"]
    x = givens["x"]
    if x.dtype.is_floating_point:
        x = x.clone().requires_grad_(True)
    params = {t["name"]: givens[t["name"]].clone().requires_grad_(t["role"] == "param")
              for t in case["tensors"] if t["role"] in ("param", "buffer")}
    if "alpha" in case.get("conventions", {}):
        params["_alpha"] = float(case["conventions"]["alpha"])
    y, state = layer_forward(op, x, params, case["conventions"].get("training", "true") == "true")
    out = {"y": y, **state}
    if "dy" not in givens:  # a forward-only (published) case
        return out
    (y * givens["dy"]).sum().backward()
    if x.dtype.is_floating_point:
        out["grad_x"] = x.grad
    for name, p in params.items():
        if isinstance(p, torch.Tensor) and p.requires_grad:
            out["grad_" + name] = p.grad
    return out


# ---- losses (Keras 2 backend formulas; mean over the batch, or per row for reduction "none") ----

def loss_value(name, y_pred, y_true, eps, conventions, reduction="mean"):
    if name == "mean_squared_error":
        per = ((y_pred - y_true) ** 2).mean(dim=-1)
    elif name == "mean_absolute_error":
        per = torch.abs(y_pred - y_true).mean(dim=-1)
    elif name == "categorical_crossentropy":
        p = torch.clamp(y_pred / y_pred.sum(dim=-1, keepdim=True), eps, 1 - eps)
        per = -(y_true * torch.log(p)).sum(dim=-1)
    elif name == "sparse_categorical_crossentropy":
        # Keras 2 (TF backend): log of the clipped ŷ as logits of a softmax cross-entropy.
        logits = torch.log(torch.clamp(y_pred, eps, 1 - eps))
        per = F.cross_entropy(logits, y_true, reduction="none")
    elif name == "binary_crossentropy":
        p = torch.clamp(y_pred, eps, 1 - eps)
        if conventions.get("bce_form", "").startswith("tf.keras"):
            per = -(y_true * torch.log(p + eps) + (1 - y_true) * torch.log(1 - p + eps)).mean(dim=-1)
        else:
            per = -(y_true * torch.log(p) + (1 - y_true) * torch.log(1 - p)).mean(dim=-1)
    else:
        raise Unsupported(f"loss '{name}'")
    return per if reduction == "none" else per.mean()


def run_loss(case, givens):
    y_pred = givens["y_pred"].clone().requires_grad_(True)
    config = case["op"]["config"]
    loss = loss_value(case["op"]["class_name"], y_pred, givens["y_true"], config["epsilon"], case["conventions"], config.get("reduction", "mean"))
    if loss.dim() > 0:  # a per-sample table: values only
        return {"loss": loss}
    loss.backward()
    return {"loss": loss, "grad_y_pred": y_pred.grad}


# ---- optimizers: torch.optim, configured to Keras 2's update rules ----

def make_optimizer(op, conventions, params):
    name, cfg = op["class_name"], op["config"]
    lr = cfg["learning_rate"]
    placement = conventions.get("epsilon_placement", "outside")
    if name == "SGD":
        opt = torch.optim.SGD(params, lr=lr, momentum=cfg.get("momentum", 0.0), nesterov=cfg.get("nesterov", False))
    elif name == "RMSprop":
        if placement.startswith("inside"):
            raise Unsupported("RMSprop with ε inside the root (torch.optim.RMSprop adds ε outside)")
        opt = torch.optim.RMSprop(params, lr=lr, alpha=cfg["rho"], eps=cfg["epsilon"])
    elif name == "Adam":
        opt = torch.optim.Adam(params, lr=lr, betas=(cfg["beta_1"], cfg["beta_2"]), eps=cfg["epsilon"])
    elif name == "Adagrad":
        if placement.startswith("inside"):
            raise Unsupported("Adagrad with ε inside the root (torch.optim.Adagrad adds ε outside)")
        opt = torch.optim.Adagrad(params, lr=lr, eps=cfg["epsilon"], initial_accumulator_value=float(conventions.get("initial_accumulator", "0")))
    elif name == "Adadelta":
        opt = torch.optim.Adadelta(params, lr=lr, rho=cfg["rho"], eps=cfg["epsilon"])
    elif name == "Nadam":
        # The same μ_t schedule, but torch 1.13 forms mu_product_next = S_t·μ_t·μ_{t+1} (μ_t twice); Keras S_t·μ_{t+1}.
        raise Unsupported("Nadam: torch 1.13's NAdam counts μ_t twice in mu_product_next (S_t·μ_t·μ_{t+1}); Keras 2 uses S_t·μ_{t+1}")
    elif name == "Adamax":
        raise Unsupported("Adamax: torch.optim.Adamax adds ε inside the max (u = max(β₂u, |g| + ε); p −= lr_t·m/u), Keras outside (p −= lr_t·m/(u + ε))")
    else:
        raise Unsupported(f"optimizer '{name}'")
    decay = cfg.get("decay", 0.0)
    # Keras 2 time decay lr/(1 + decay·iterations), iterations counted before the step.
    schedule = torch.optim.lr_scheduler.LambdaLR(opt, lambda it: 1.0 / (1.0 + decay * it)) if decay else None
    epsilon_hat = name == "Adam" and conventions.get("adam_epsilon", "epsilon-hat").startswith("epsilon-hat")

    def step(t):
        if epsilon_hat:
            # Keras' ε-hat: lr·√(1−β₂ᵗ)/(1−β₁ᵗ)·m/(√v + ε) is torch's step with ε replaced by ε/√(1−β₂ᵗ).
            for group in opt.param_groups:
                group["eps"] = cfg["epsilon"] / math.sqrt(1 - cfg["beta_2"] ** t)
        opt.step()
        if schedule is not None:
            schedule.step()
    return step


def run_optimizer(case, givens):
    p = givens["param"].clone().requires_grad_(True)
    step = make_optimizer(case["op"], case["conventions"], [p])
    trajectory = []
    for t, g in enumerate(givens["gradients"], start=1):
        p.grad = g.clone()
        step(t)
        trajectory.append(p.detach().clone())
    return {"params": torch.stack(trajectory)}


# ---- a network training step: Dense(4, sigmoid) → Dense(3, softmax), categorical_crossentropy ----

def run_network(case, givens):
    model = json.loads(case["conventions"]["model_json"])
    layers = [layer["config"] for layer in model["config"]["layers"]]
    weights = {name: givens[name].clone().requires_grad_(True) for name in givens if name not in ("x", "y")}
    out, a = {}, givens["x"]
    for cfg in layers:
        a = dense(cfg, a, {"kernel": weights[cfg["name"] + ".kernel"], "bias": weights[cfg["name"] + ".bias"]})
        out[cfg["name"] + ".output"] = a
    loss = loss_value("categorical_crossentropy", a, givens["y"], 1e-7, case["conventions"])
    loss.backward()
    out["loss"] = loss
    for name, w in weights.items():
        out["grad_" + name] = w.grad.clone()
    step = make_optimizer(case["op"]["config"]["optimizer_config"], case["conventions"], list(weights.values()))
    step(1)
    for name, w in weights.items():
        out[name + "_after"] = w
    return out


# ---- initializers: torch.nn.init, for a Keras (inputs, units) kernel (PyTorch weights are (units, inputs)) ----

def run_initializer(case, dtype):
    op = case["op"]["config"]
    name, (fan_in, fan_out) = op["initializer"], op["shape"]
    gain = 1.0
    if not isinstance(name, str):
        gain = name.get("config", {}).get("gain", 1.0)
        name = {"RandomUniform": "random_uniform", "RandomNormal": "random_normal", "TruncatedNormal": "truncated_normal",
                "Orthogonal": "orthogonal"}.get(name["class_name"], name["class_name"])
    torch.manual_seed(case["seed"])
    w = torch.empty(fan_out, fan_in, dtype=dtype)
    init = torch.nn.init
    if name == "glorot_uniform":
        init.xavier_uniform_(w)
    elif name == "he_uniform":
        init.kaiming_uniform_(w, nonlinearity="relu")
    elif name == "lecun_uniform":
        init.kaiming_uniform_(w, nonlinearity="linear")
    elif name in ("glorot_normal", "he_normal", "lecun_normal"):
        # Keras' VarianceScaling normal is truncated at ±2s with s = √(scale/n)/0.8796…; torch's *_normal_ are not truncated.
        n = {"glorot_normal": (fan_in + fan_out) / 2, "he_normal": fan_in / 2, "lecun_normal": fan_in}[name]
        s = math.sqrt(1.0 / n) / 0.87962566103423978
        init.trunc_normal_(w, std=s, a=-2 * s, b=2 * s)
    elif name == "random_uniform":
        init.uniform_(w, -0.05, 0.05)
    elif name == "random_normal":
        init.normal_(w, 0.0, 0.05)
    elif name == "truncated_normal":
        init.trunc_normal_(w, std=0.05, a=-0.1, b=0.1)
    elif name == "orthogonal":
        # torch flattens to (size(0), rest) = (units, inputs); its orthonormal columns are the Keras kernel's rows.
        init.orthogonal_(w, gain=gain)
    else:
        raise Unsupported(f"initializer '{name}'")
    return {"sample": w.t().contiguous()}


def main(case_dir, out_dir):
    case, dtype, givens = load(case_dir)
    kind = case["kind"]
    try:
        if kind in ("layer", "activation"):
            results = run_layer(case, givens)
        elif kind == "loss":
            results = run_loss(case, givens)
        elif kind == "optimizer":
            results = run_optimizer(case, givens)
        elif kind == "network":
            results = run_network(case, givens)
        elif kind == "initializer":
            results = run_initializer(case, dtype)
        elif kind == "parameters":
            raise Unsupported("parameter counts are Keras bookkeeping, not a PyTorch computation (the published numbers prove these cases)")
        else:
            raise Unsupported(f"case kind '{kind}'")
    except Unsupported as e:
        print(f"unsupported: {e}", file=sys.stderr)
        return SKIP
    os.makedirs(out_dir, exist_ok=True)
    np_dtype = np.float64 if dtype == torch.float64 else np.float32
    for t in case["tensors"]:
        if t["role"] in RESULTS:
            value = results[t["name"]]
            np.save(os.path.join(out_dir, t["file"]), value.detach().numpy().astype(np_dtype).reshape(t["shape"]))
    return 0


if __name__ == "__main__":
    torch.set_num_threads(1)
    sys.exit(main(sys.argv[1], sys.argv[2]))

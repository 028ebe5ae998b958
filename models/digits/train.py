#!/usr/bin/env python3
"""Train a small CNN on scikit-learn's 8x8 digits and export it quantized.

Run from the repository root with the project-local environment:

    bash scripts/setup_venv.sh && .venv/bin/python models/digits/train.py

Everything is seeded and single-threaded, so two runs on the same machine
write byte-identical files. Outputs (beside this script):

    digits_qdq.onnx      static int8 QDQ model, onnxruntime's default options
    digits_qdq_pc.onnx   the same with per_channel=True
    test_images.npy      float32 [360,1,8,8], held-out images scaled to [0,1]
    test_labels.npy      int64 [360]
    ort_logits.npy       float32 [360,10], onnxruntime on digits_qdq.onnx
    ort_logits_pc.npy    float32 [360,10], onnxruntime on digits_qdq_pc.onnx

The network (NumPy, forward and backward written out here):

    input [N,1,8,8]
    Conv 3x3 pad 1 -> 8  (+bias) -> ReLU
    Conv 3x3 pad 1 -> 16 (+bias) -> ReLU
    MaxPool 2x2 stride 2 -> [N,16,4,4]
    Flatten -> [N,256]
    Gemm -> [N,10] logits
"""

import os

# One thread everywhere: deterministic reductions and the "one core" budget.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import onnx  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from onnxruntime.quantization import CalibrationDataReader, quantize_static  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

# The reference session shared with scripts/gen_networks.py (scripts/ort_reference.py).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import ort_reference  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

SEED = 0
EPOCHS = 12
BATCH = 32
LR = 3e-3
N_CALIB = 200

C1, C2, NCLS = 8, 16, 10


# --------------------------------------------------------------------------
# data


def load_data():
    d = load_digits()
    x = (d.data / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    y = d.target.astype(np.int64)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.2, random_state=0)
    return x_tr, x_te, y_tr, y_te


# --------------------------------------------------------------------------
# layers (float64 during training)


def im2col3x3(x):
    """x [N,C,H,W] -> cols [N, C*9, H*W] for a 3x3 window, stride 1, pad 1.

    Row order is (c, ky, kx), matching a weight [F,C,3,3] reshaped to [F,C*9].
    """
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    cols = np.empty((n, c, 3, 3, h, w), dtype=x.dtype)
    for ky in range(3):
        for kx in range(3):
            cols[:, :, ky, kx] = xp[:, :, ky : ky + h, kx : kx + w]
    return cols.reshape(n, c * 9, h * w)


def col2im3x3(dcols, shape):
    """Adjoint of im2col3x3: dcols [N, C*9, H*W] -> dx [N,C,H,W]."""
    n, c, h, w = shape
    dcols = dcols.reshape(n, c, 3, 3, h, w)
    dxp = np.zeros((n, c, h + 2, w + 2), dtype=dcols.dtype)
    for ky in range(3):
        for kx in range(3):
            dxp[:, :, ky : ky + h, kx : kx + w] += dcols[:, :, ky, kx]
    return dxp[:, :, 1:-1, 1:-1]


def conv_forward(x, wgt, b):
    n, _, h, w = x.shape
    f = wgt.shape[0]
    cols = im2col3x3(x)
    out = np.matmul(wgt.reshape(f, -1), cols) + b[None, :, None]
    return out.reshape(n, f, h, w), cols


def conv_backward(dout, cols, wgt, x_shape):
    n, f, h, w = dout.shape
    d = dout.reshape(n, f, h * w)
    dw = np.einsum("nfp,nkp->fk", d, cols).reshape(wgt.shape)
    db = d.sum(axis=(0, 2))
    dcols = np.matmul(wgt.reshape(f, -1).T, d)
    return col2im3x3(dcols, x_shape), dw, db


def maxpool_forward(x):
    """2x2 stride 2. Returns output and the argmax index (0..3) per window."""
    n, c, h, w = x.shape
    win = x.reshape(n, c, h // 2, 2, w // 2, 2).transpose(0, 1, 2, 4, 3, 5)
    win = win.reshape(n, c, h // 2, w // 2, 4)
    idx = win.argmax(axis=-1)
    out = np.take_along_axis(win, idx[..., None], axis=-1)[..., 0]
    return out, idx


def maxpool_backward(dout, idx, x_shape):
    n, c, h, w = x_shape
    dwin = np.zeros((n, c, h // 2, w // 2, 4), dtype=dout.dtype)
    np.put_along_axis(dwin, idx[..., None], dout[..., None], axis=-1)
    dwin = dwin.reshape(n, c, h // 2, w // 2, 2, 2).transpose(0, 1, 2, 4, 3, 5)
    return dwin.reshape(n, c, h, w)


# --------------------------------------------------------------------------
# model


def init_params(rng):
    def he(shape, fan_in):
        return rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)

    return {
        "conv1.weight": he((C1, 1, 3, 3), 1 * 9),
        "conv1.bias": np.zeros(C1),
        "conv2.weight": he((C2, C1, 3, 3), C1 * 9),
        "conv2.bias": np.zeros(C2),
        "fc.weight": he((NCLS, C2 * 16), C2 * 16) * 0.5,
        "fc.bias": np.zeros(NCLS),
    }


def forward(p, x, keep=False):
    z1, cols1 = conv_forward(x, p["conv1.weight"], p["conv1.bias"])
    a1 = np.maximum(z1, 0.0)
    z2, cols2 = conv_forward(a1, p["conv2.weight"], p["conv2.bias"])
    a2 = np.maximum(z2, 0.0)
    pool, idx = maxpool_forward(a2)
    flat = pool.reshape(pool.shape[0], -1)
    logits = flat @ p["fc.weight"].T + p["fc.bias"]
    if not keep:
        return logits
    cache = (x, z1, cols1, a1, z2, cols2, a2, idx, flat)
    return logits, cache


def loss_and_grads(p, x, y):
    logits, (x, z1, cols1, a1, z2, cols2, a2, idx, flat) = forward(p, x, keep=True)
    n = x.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -logp[np.arange(n), y].mean()

    dlogits = np.exp(logp)
    dlogits[np.arange(n), y] -= 1.0
    dlogits /= n

    g = {}
    g["fc.weight"] = dlogits.T @ flat
    g["fc.bias"] = dlogits.sum(axis=0)
    dflat = dlogits @ p["fc.weight"]
    da2 = maxpool_backward(dflat.reshape(n, C2, 4, 4), idx, a2.shape)
    dz2 = da2 * (z2 > 0)
    da1, g["conv2.weight"], g["conv2.bias"] = conv_backward(dz2, cols2, p["conv2.weight"], a1.shape)
    dz1 = da1 * (z1 > 0)
    _, g["conv1.weight"], g["conv1.bias"] = conv_backward(dz1, cols1, p["conv1.weight"], x.shape)
    return loss, g


def train(x_tr, y_tr, rng):
    p = init_params(rng)
    m = {k: np.zeros_like(v) for k, v in p.items()}
    v = {k: np.zeros_like(val) for k, val in p.items()}
    b1, b2, eps = 0.9, 0.999, 1e-8
    x_tr = x_tr.astype(np.float64)
    t = 0
    n = x_tr.shape[0]
    for epoch in range(EPOCHS):
        order = rng.permutation(n)
        lr = LR * (0.5 * (1 + np.cos(np.pi * epoch / EPOCHS)))  # cosine decay
        tot = 0.0
        for s in range(0, n, BATCH):
            bi = order[s : s + BATCH]
            loss, g = loss_and_grads(p, x_tr[bi], y_tr[bi])
            tot += loss * len(bi)
            t += 1
            for k in p:
                m[k] = b1 * m[k] + (1 - b1) * g[k]
                v[k] = b2 * v[k] + (1 - b2) * g[k] ** 2
                mh = m[k] / (1 - b1**t)
                vh = v[k] / (1 - b2**t)
                p[k] -= lr * mh / (np.sqrt(vh) + eps)
        acc = (forward(p, x_tr).argmax(1) == y_tr).mean()
        print(f"epoch {epoch + 1:2d}  lr {lr:.5f}  loss {tot / n:.4f}  train acc {acc:.4f}")
    return {k: val.astype(np.float32) for k, val in p.items()}


# --------------------------------------------------------------------------
# ONNX export and quantization


def export_onnx(p):
    inits = [numpy_helper.from_array(np.ascontiguousarray(val), name=k) for k, val in p.items()]
    conv_attrs = dict(kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1], dilations=[1, 1], group=1)
    nodes = [
        helper.make_node(
            "Conv", ["input", "conv1.weight", "conv1.bias"], ["conv1_out"], name="conv1", **conv_attrs
        ),
        helper.make_node("Relu", ["conv1_out"], ["relu1_out"], name="relu1"),
        helper.make_node(
            "Conv", ["relu1_out", "conv2.weight", "conv2.bias"], ["conv2_out"], name="conv2", **conv_attrs
        ),
        helper.make_node("Relu", ["conv2_out"], ["relu2_out"], name="relu2"),
        helper.make_node(
            "MaxPool", ["relu2_out"], ["pool_out"], name="pool", kernel_shape=[2, 2], strides=[2, 2], pads=[0, 0, 0, 0]
        ),
        helper.make_node("Flatten", ["pool_out"], ["flat_out"], name="flatten", axis=1),
        helper.make_node(
            "Gemm", ["flat_out", "fc.weight", "fc.bias"], ["logits"], name="fc", alpha=1.0, beta=1.0, transA=0, transB=1
        ),
    ]
    graph = helper.make_graph(
        nodes,
        "digits_cnn",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 1, 8, 8])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, NCLS])],
        initializer=inits,
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="npu-models-digits", ir_version=7
    )
    onnx.checker.check_model(model, full_check=True)
    return model


class DigitsReader(CalibrationDataReader):
    """Feeds calibration images one at a time (batch 1)."""

    def __init__(self, images):
        self._images = images
        self._i = 0

    def get_next(self):
        if self._i >= len(self._images):
            return None
        x = self._images[self._i : self._i + 1].astype(np.float32)
        self._i += 1
        return {"input": x}

    def rewind(self):
        self._i = 0


def run_ort(path, images):
    sess = ort_reference.session(path)
    out = [sess.run(["logits"], {"input": images[i : i + 1]})[0] for i in range(len(images))]
    return np.concatenate(out, axis=0).astype(np.float32)


def integer_reference(path, images):
    """The quantized graph computed with integers, as an int8 accelerator would.

    Reads the scales, zero points and int8/int32 tensors of the QDQ file and
    returns its quantized logits (int8 values, before the last
    DequantizeLinear) for each image: int32 accumulation of
    (activation - zero point) * weight + bias, then requantization by the real
    multiplier input_scale * weight_scale / output_scale, round half to even,
    saturate. Relu is folded by the quantizer into the output zero point
    (clamping at -128 is Relu), and MaxPool and Flatten keep the scale.
    """
    m = onnx.load(path)
    t = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}

    def requant(acc, mult, zp):
        return np.clip(np.rint(acc * mult) + zp, -128, 127).astype(np.int64)

    s_in, z_in = float(t["input_scale"]), int(t["input_zero_point"])
    # QuantizeLinear of the float input: float32 division, as ONNX specifies.
    x_div = images.astype(np.float32) / t["input_scale"].astype(np.float32)
    a = np.clip(np.rint(x_div) + z_in, -128, 127).astype(np.int64) - z_in  # [N,1,8,8]
    for layer, out in (("conv1", "relu1_out"), ("conv2", "relu2_out")):
        w = t[layer + ".weight_quantized"].astype(np.int64)
        f = w.shape[0]
        s_w = np.broadcast_to(t[layer + ".weight_scale"].astype(np.float64), (f,))
        s_out, z_out = float(t[out + "_scale"]), int(t[out + "_zero_point"])
        acc = np.matmul(w.reshape(f, -1), im2col3x3(a)) + t[layer + ".bias_quantized"].astype(np.int64)[:, None]
        acc = acc.reshape(a.shape[0], f, a.shape[2], a.shape[3])
        a = requant(acc, (s_in * s_w / s_out)[:, None, None], z_out) - z_out
        s_in = s_out
    a, _ = maxpool_forward(a)
    s_out, z_out = float(t["flat_out_scale"]), int(t["flat_out_zero_point"])
    a = requant(a.reshape(a.shape[0], -1), s_in / s_out, z_out) - z_out  # identity when the scales agree
    s_in = s_out
    w = t["fc.weight_quantized"].astype(np.int64)
    s_w = np.broadcast_to(t["fc.weight_scale"].astype(np.float64), (w.shape[0],))
    acc = a @ w.T + t["fc.bias_quantized"].astype(np.int64)
    return requant(acc, s_in * s_w / float(t["logits_scale"]), int(t["logits_zero_point"]))


def check_integer_reference(path, images, logits):
    """Counts ORT's logits that differ from integer_reference(), in int8 steps."""
    m = onnx.load(path)
    t = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    q_ort = np.rint(logits / t["logits_scale"]) + t["logits_zero_point"]
    diff = np.abs(q_ort - integer_reference(path, images))
    return int((diff != 0).sum()), int(diff.max())


def describe(path):
    """Node listing of an ONNX file, the form used in README.md."""
    m = onnx.load(path)
    lines = []
    for node in m.graph.node:
        attrs = ", ".join(f"{a.name}={helper.get_attribute_value(a)}" for a in node.attribute)
        lines.append(
            f"{node.op_type:17s} {node.name:28s} in={list(node.input)} out={list(node.output)}"
            + (f" {{{attrs}}}" if attrs else "")
        )
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=HERE, help="output directory (default: beside this script)")
    ap.add_argument("--list-nodes", action="store_true", help="print the quantized graphs' node lists")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    # quantize_static logs a generic "consider pre-processing" warning; the
    # graph has no shapes left to infer nor anything to fold.
    logging.getLogger().setLevel(logging.ERROR)

    t0 = time.perf_counter()
    x_tr, x_te, y_tr, y_te = load_data()
    print(f"digits: {len(x_tr)} train, {len(x_te)} test images")

    rng = np.random.default_rng(SEED)
    p = train(x_tr, y_tr, rng)
    t_train = time.perf_counter() - t0

    float_acc = (forward(p, x_te).argmax(1) == y_te).mean()
    print(f"float (NumPy) test accuracy: {float_acc:.4f}  ({int(round(float_acc * len(y_te)))}/{len(y_te)})")

    model = export_onnx(p)
    qdq = os.path.join(args.out, "digits_qdq.onnx")
    qdq_pc = os.path.join(args.out, "digits_qdq_pc.onnx")
    with tempfile.TemporaryDirectory(prefix="digits.") as tmp:
        fp32 = os.path.join(tmp, "digits_fp32.onnx")
        onnx.save(model, fp32)

        ort_float = run_ort(fp32, x_te)
        np_float = forward(p, x_te.astype(np.float64))
        print(f"float ONNX vs NumPy max |diff|: {np.abs(ort_float - np_float).max():.2e}")
        ort_float_acc = (ort_float.argmax(1) == y_te).mean()
        print(f"float (ONNX Runtime) test accuracy: {ort_float_acc:.4f}")

        calib = x_tr[:N_CALIB]
        quantize_static(fp32, qdq, DigitsReader(calib))
        quantize_static(fp32, qdq_pc, DigitsReader(calib), per_channel=True)

    np.save(os.path.join(args.out, "test_images.npy"), x_te.astype(np.float32))
    np.save(os.path.join(args.out, "test_labels.npy"), y_te.astype(np.int64))
    for path, name, label in ((qdq, "ort_logits.npy", "per-tensor"), (qdq_pc, "ort_logits_pc.npy", "per-channel")):
        logits = run_ort(path, x_te)
        np.save(os.path.join(args.out, name), logits)
        acc = (logits.argmax(1) == y_te).mean()
        n_diff, max_diff = check_integer_reference(path, x_te, logits)
        print(f"integer reference vs ONNX Runtime ({label}): {n_diff} of {logits.size} logits differ (max {max_diff} steps)")
        print(
            f"quantized {label} (ONNX Runtime, {os.path.basename(path)}, {os.path.getsize(path)} bytes) "
            f"test accuracy: {acc:.4f}  ({int(round(acc * len(y_te)))}/{len(y_te)})"
        )

    print(f"training {t_train:.1f} s, total {time.perf_counter() - t0:.1f} s")
    if args.list_nodes:
        for path in (qdq, qdq_pc):
            print(f"\n{os.path.basename(path)}:\n{describe(path)}")
    if float_acc < 0.95:
        print("error: float accuracy below 0.95", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

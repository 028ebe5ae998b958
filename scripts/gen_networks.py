#!/usr/bin/env python3
"""Build ResNet-50 v1.5 and MobileNetV2 1.0 with seeded random weights, quantized to int8 QDQ.

Run from the repository root with the project-local environment (scripts/setup_venv.sh):

    .venv/bin/python scripts/gen_networks.py --out DIR [--nets resnet50,mobilenetv2] [--seed N] [--verbose]

Both graphs are written with onnx.helper (opset 13, batch 1, NCHW): float input `input`
[1,3,224,224], ImageNet-normalized, and output `logits` [1,1000]. The topologies are the layer
lists of torchvision's `resnet50` and `mobilenet_v2` (torchvision/models/resnet.py and
mobilenetv2.py), node for node:

    resnet50     ResNet-50 v1.5: Conv 7x7/2 pad 3 -> 64, ReLU, MaxPool 3x3/2 pad 1; four stages of
                 3, 4, 6, 3 bottlenecks (widths 64, 128, 256, 512, expansion 4): 1x1, ReLU, 3x3
                 (carrying the stage's stride, 2 in stages 2-4), ReLU, 1x1, Add, ReLU, and in each
                 stage's first block a 1x1 downsample conv with that stride on the shortcut;
                 GlobalAveragePool, Flatten, Gemm 2048 -> 1000.  53 Conv + 1 Gemm, 4.09 G MACs.
    mobilenetv2  MobileNetV2 width 1.0: Conv 3x3/2 -> 32, ReLU6; inverted residual blocks
                 (t, c, n, s) = (1,16,1,1) (6,24,2,2) (6,32,3,2) (6,64,4,2) (6,96,3,1) (6,160,3,2)
                 (6,320,1,1): 1x1 expansion by t (none when t = 1), ReLU6, 3x3 depthwise (Conv with
                 group = channels) with the stride s on the first of the n blocks, ReLU6, 1x1
                 projection to c without activation, Add of the block's input where the stride
                 is 1 and the channels are kept; Conv 1x1 -> 1280, ReLU6; GlobalAveragePool,
                 Flatten, Gemm 1280 -> 1000 (the classifier's dropout does nothing at inference
                 and is left out).  52 Conv + 1 Gemm, 0.30 G MACs.
                 ReLU6 is Clip with min 0 and max 6 given as inputs.

Weights: He initialization (normal, std sqrt(2 / fan_in)) from numpy's default_rng(seed). Every
conv (bias-free, as in torchvision) is followed by a batch norm that is folded into the conv's
weight and bias, so the float graph has Conv with bias and no BatchNormalization. The batch
norms' gammas and betas are random; their running statistics are set from the conv's output on
the calibration images (the builder runs each layer in NumPy as it writes it), as training
leaves them: the running mean is each channel's mean, the running variance the layer's mean
variance times a random factor near 1 (per channel, it would scale up the channels whose random
filters barely respond to smooth images, and the quantization noise in them). So every layer's
output has a standard deviation of about its gammas, whatever the depth. The gammas of the last
batch norm of a residual branch are 4 times smaller (torchvision's zero_init_residual idea, but
not zero), so the residual sums grow slowly. The fc bias cancels the mean feature over the
calibration images (see Net.classifier), so the argmax differs from image to image.

Quantization: onnxruntime.quantization.quantize_static, QDQ format, per-channel weights, int8
activations and weights, MinMax calibration on 8 seeded images (smooth 1/f colour fields with a
brightness gradient, ImageNet-normalized); the test input is a ninth image of the same kind.

Outputs in DIR for each network NET:

    NET_qdq.onnx         the quantized model
    NET_input.npy        float32 [1,3,224,224], the test input
    NET_ort_logits.npy   float32 [1,1000], ONNX Runtime on NET_qdq.onnx and NET_input.npy
                         (graph optimizations off: see scripts/ort_reference.py)
    NET.stamp            the script's sha256, the seed and the library versions they came from

Cache rule: a network whose three files exist and whose stamp matches this script's text, the
seed and the versions of numpy, onnx and onnxruntime is not built again ("up to date"). Every
file is written to a temporary name in DIR and renamed, and the stamp is removed before and
written after the others, so an interrupted run never leaves files that look complete.
"""

import os

# One thread everywhere: deterministic reductions and the "one core" budget.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import contextlib  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import secrets  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from typing import NamedTuple  # noqa: E402

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402
import ort_reference  # noqa: E402  (scripts/, next to this file)
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static  # noqa: E402

SIZE = 224
N_CLASSES = 1000
N_CALIB = 8
BN_EPS = 1e-5
RESIDUAL_GAMMA = 0.25  # scale of the gammas of a residual branch's last batch norm
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)

with open(os.path.abspath(__file__), "rb") as _f:
    SCRIPT_SHA256 = hashlib.sha256(_f.read()).hexdigest()


# --------------------------------------------------------------------------
# images


def sample_images(seed, n):
    """N smooth random colour scenes, ImageNet-normalized: float32 [N,3,224,224].

    Each is 1/f noise (the amplitude spectrum of natural images) as luminance with weaker colour
    fields, a random base colour and a linear brightness gradient, clipped to [0, 1], then
    normalized with ImageNet's per-channel mean and standard deviation.
    """
    rng = np.random.default_rng([seed, 1])
    fy = np.fft.fftfreq(SIZE)[:, None]
    fx = np.fft.rfftfreq(SIZE)[None, :]
    amplitude = 1.0 / np.maximum(np.hypot(fy, fx), 1.0 / SIZE)
    ramp = np.linspace(-1.0, 1.0, SIZE)
    out = np.empty((n, 3, SIZE, SIZE), dtype=np.float32)
    for i in range(n):
        spectrum = amplitude * (rng.standard_normal((3, SIZE, fx.size)) + 1j * rng.standard_normal((3, SIZE, fx.size)))
        fields = np.fft.irfft2(spectrum, s=(SIZE, SIZE))
        fields /= fields.std(axis=(1, 2), keepdims=True)
        luminance, chroma = fields[0], fields[1:]
        angle = rng.uniform(0.0, 2.0 * np.pi)
        gradient = rng.uniform(0.0, 0.25) * (np.cos(angle) * ramp[None, :] + np.sin(angle) * ramp[:, None])
        base = rng.uniform(0.25, 0.75, 3)
        colour_mix = rng.normal(0.0, 0.06, (3, 2))
        rgb = base[:, None, None] + 0.18 * luminance + np.tensordot(colour_mix, chroma, axes=1) + gradient
        out[i] = (np.clip(rgb, 0.0, 1.0) - IMAGENET_MEAN[:, None, None]) / IMAGENET_STD[:, None, None]
    return out


# --------------------------------------------------------------------------
# float graphs


def window_taps(x, k, stride, pad_value):
    """The k*k strided views of x [N,C,H,W] padded by k // 2 that a k x k window reads."""
    p = k // 2
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), constant_values=pad_value)
    oh = (x.shape[2] + 2 * p - k) // stride + 1
    ow = (x.shape[3] + 2 * p - k) // stride + 1
    return [
        xp[:, :, i : i + stride * (oh - 1) + 1 : stride, j : j + stride * (ow - 1) + 1 : stride]
        for i in range(k)
        for j in range(k)
    ]


def conv2d(x, w, stride, group):
    """Conv without bias, pads k // 2, group 1 or depthwise: x [N,C,H,W], w [F,C/group,k,k]."""
    f, _, k, _ = w.shape
    taps = window_taps(x, k, stride, 0.0)
    if group == 1:
        n, c, oh, ow = taps[0].shape
        cols = (taps[0] if k == 1 else np.stack(taps, axis=2)).reshape(n, c * k * k, oh * ow)  # rows (c, ky, kx)
        return (w.reshape(f, -1) @ cols).reshape(n, f, oh, ow)
    assert group == x.shape[1] == f, "grouped convs other than depthwise are not used"
    wk = w.reshape(f, k * k)
    return sum(wk[:, t, None, None] * tap for t, tap in enumerate(taps))


class Tensor(NamedTuple):
    name: str
    value: np.ndarray  # float32, on the calibration images


class Net:
    """A float ONNX graph being written, and its values on the calibration images.

    Each method adds nodes (named like torchvision's modules) and returns the output Tensor.
    The values give the batch norms their running statistics and the --verbose report its
    per-stage activation statistics (taps).
    """

    def __init__(self, rng, images):
        self.rng = rng
        self.input = Tensor("input", images)
        self.nodes = []
        self.consts = {}
        self.taps = []

    def const(self, name, value):
        if name not in self.consts:
            self.consts[name] = numpy_helper.from_array(np.asarray(value, dtype=np.float32), name)
        return name

    def node(self, op, inputs, name, value, **attrs):
        input_names = [t if isinstance(t, str) else t.name for t in inputs]
        self.nodes.append(helper.make_node(op, input_names, [name], name=name, **attrs))
        assert value.dtype == np.float32, (name, value.dtype)
        return Tensor(name, value)

    def tap(self, label, t):
        v = t.value
        self.taps.append((label, v.shape[1:], float(np.abs(v).mean()), float(v.std()), float(v.max())))

    def conv_bn(self, x, cout, name, k=1, stride=1, group=1, act=None, gamma=1.0):
        """Conv k x k (pads k // 2) + batch norm folded into its weight and bias + act.

        act is None, "relu" or "relu6" (Clip 0..6). The batch norm's gammas are gamma times
        uniform(0.75, 1.25), its betas normal(0, 0.1 gamma); its running mean is the mean of each
        channel of the conv's output on the calibration images, its running variance the mean
        over the channels of their variance, times uniform(0.8, 1.25).
        """
        cin = x.value.shape[1]
        fan_in = cin // group * k * k
        w = self.rng.standard_normal((cout, cin // group, k, k), dtype=np.float32) * np.float32(np.sqrt(2.0 / fan_in))
        bn_gamma = gamma * self.rng.uniform(0.75, 1.25, cout).astype(np.float32)
        bn_beta = gamma * self.rng.normal(0.0, 0.1, cout).astype(np.float32)
        z = conv2d(x.value, w, stride, group)
        running_var = z.var(axis=(0, 2, 3)).mean() * self.rng.uniform(0.8, 1.25, cout).astype(np.float32)
        scale = bn_gamma / np.sqrt(running_var + np.float32(BN_EPS))
        bias = bn_beta - z.mean(axis=(0, 2, 3)) * scale
        w_folded = w * scale[:, None, None, None]
        value = z * scale[None, :, None, None] + bias[None, :, None, None]
        inputs = [x, self.const(f"{name}.weight", w_folded), self.const(f"{name}.bias", bias)]
        attrs = dict(kernel_shape=[k, k], strides=[stride, stride], pads=[k // 2] * 4, dilations=[1, 1], group=group)
        y = self.node("Conv", inputs, name, value, **attrs)
        if act == "relu":
            return self.relu(y, f"{name}.relu")
        if act == "relu6":
            bounds = [self.const("relu6.min", 0.0), self.const("relu6.max", 6.0)]
            return self.node("Clip", [y, *bounds], f"{name}.relu6", np.clip(y.value, 0.0, 6.0))
        assert act is None, act
        return y

    def relu(self, x, name):
        return self.node("Relu", [x], name, np.maximum(x.value, 0.0))

    def add(self, a, b, name):
        return self.node("Add", [a, b], name, a.value + b.value)

    def maxpool3x3s2(self, x, name):
        value = np.max(window_taps(x.value, 3, 2, -np.inf), axis=0)
        return self.node("MaxPool", [x], name, value, kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])

    def classifier(self, x):
        """GlobalAveragePool, Flatten, Gemm to the logits (fc weight [1000, C], transB).

        The bias cancels the mean feature over the calibration images: the features share a large
        positive mean (they average ReLU outputs), which alone would give every image the same
        argmax; a trained classifier's logits depend on how images differ.
        """
        pooled = self.node("GlobalAveragePool", [x], "avgpool", x.value.mean(axis=(2, 3), keepdims=True))
        flat = self.node("Flatten", [pooled], "flatten", pooled.value.reshape(len(pooled.value), -1), axis=1)
        cin = flat.value.shape[1]
        w = self.rng.standard_normal((N_CLASSES, cin), dtype=np.float32) * np.float32(np.sqrt(2.0 / cin))
        b = -(w @ flat.value.mean(axis=0))
        inputs = [flat, self.const("fc.weight", w), self.const("fc.bias", b)]
        logits = self.node("Gemm", inputs, "logits", flat.value @ w.T + b, alpha=1.0, beta=1.0, transB=1)
        self.tap("logits", logits)
        return logits

    def model(self, graph_name):
        """The float model, input `input`, output `logits`; checked with onnx.checker."""
        graph = helper.make_graph(
            self.nodes,
            graph_name,
            [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, SIZE, SIZE])],
            [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, N_CLASSES])],
            initializer=list(self.consts.values()),
        )
        model = helper.make_model(
            graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="npu-gen-networks", ir_version=7
        )
        onnx.checker.check_model(model, full_check=True)
        return model


def resnet50(net):
    """torchvision resnet50 (v1.5): Bottleneck, layers [3, 4, 6, 3]. Returns the logits."""
    x = net.conv_bn(net.input, 64, "conv1", k=7, stride=2, act="relu")
    x = net.maxpool3x3s2(x, "maxpool")
    net.tap("stem", x)
    for stage, (width, blocks, stride) in enumerate(((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)), 1):
        for i in range(blocks):
            p, s = f"layer{stage}.{i}", stride if i == 0 else 1
            y = net.conv_bn(x, width, f"{p}.conv1", act="relu")
            y = net.conv_bn(y, width, f"{p}.conv2", k=3, stride=s, act="relu")
            y = net.conv_bn(y, 4 * width, f"{p}.conv3", gamma=RESIDUAL_GAMMA)
            shortcut = net.conv_bn(x, 4 * width, f"{p}.downsample.0", stride=s) if i == 0 else x
            x = net.relu(net.add(y, shortcut, f"{p}.add"), f"{p}.relu")
        net.tap(f"layer{stage}", x)
    return net.classifier(x)


# torchvision's inverted_residual_setting: expansion t, output channels c, blocks n, first stride s.
MOBILENETV2_SETTINGS = (
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
)


def mobilenetv2(net):
    """torchvision mobilenet_v2 (width 1.0): InvertedResidual blocks as MOBILENETV2_SETTINGS. Returns the logits."""
    x = net.conv_bn(net.input, 32, "features.0", k=3, stride=2, act="relu6")
    net.tap("features.0", x)
    index = 1
    for t, c, n, s in MOBILENETV2_SETTINGS:
        for i in range(n):
            cin, stride = x.value.shape[1], s if i == 0 else 1
            residual = stride == 1 and cin == c
            p = f"features.{index}.conv"
            y = x if t == 1 else net.conv_bn(x, cin * t, f"{p}.0", act="relu6")
            j = 0 if t == 1 else 1  # the depthwise conv's index in torchvision's block
            y = net.conv_bn(y, cin * t, f"{p}.{j}", k=3, stride=stride, group=cin * t, act="relu6")
            y = net.conv_bn(y, c, f"{p}.{j + 1}", gamma=RESIDUAL_GAMMA if residual else 1.0)
            x = net.add(x, y, f"features.{index}.add") if residual else y
            index += 1
        net.tap(f"features.{index - 1} (c={c})", x)
    x = net.conv_bn(x, 1280, f"features.{index}", act="relu6")
    net.tap(f"features.{index}", x)
    return net.classifier(x)


NETWORKS = {"resnet50": resnet50, "mobilenetv2": mobilenetv2}


def count_layers_and_macs(model):
    """(convs, depthwise convs, gemms, MACs of the convs, MACs of the gemms), from inferred shapes."""
    inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    shapes = {
        v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
        for v in (*inferred.graph.value_info, *inferred.graph.output)
    }
    weights = {t.name: t.dims for t in model.graph.initializer}
    convs = depthwise = gemms = conv_macs = gemm_macs = 0
    for node in model.graph.node:
        if node.op_type not in ("Conv", "Gemm"):
            continue
        macs = int(np.prod(shapes[node.output[0]])) * int(np.prod(weights[node.input[1]][1:]))
        if node.op_type == "Gemm":
            gemms, gemm_macs = gemms + 1, gemm_macs + macs
        else:
            group = next((a.i for a in node.attribute if a.name == "group"), 1)
            convs, depthwise, conv_macs = convs + 1, depthwise + (group > 1), conv_macs + macs
    return convs, depthwise, gemms, conv_macs, gemm_macs


# --------------------------------------------------------------------------
# quantization and the reference


class ImageReader(CalibrationDataReader):
    """Feeds the calibration images one at a time (batch 1); calls done() once when they are all read."""

    def __init__(self, images, done):
        self._images = images
        self._done = done
        self._i = 0

    def get_next(self):
        if self._i >= len(self._images):
            if self._done:
                self._done, done = None, self._done
                done()
            return None
        self._i += 1
        return {"input": self._images[self._i - 1 : self._i]}

    def rewind(self):
        self._i = 0


def run_ort(path, images):
    sess = ort_reference.session(path)
    return np.concatenate([sess.run(["logits"], {"input": images[i : i + 1]})[0] for i in range(len(images))])


# --------------------------------------------------------------------------
# files


@contextlib.contextmanager
def atomic_path(path):
    """A new temporary name beside path for the block to write: renamed to path at the end, else removed."""
    directory, base = os.path.split(path)
    tmp = os.path.join(directory, f".{base}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        yield tmp
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def save_npy(path, array):
    with atomic_path(path) as tmp, open(tmp, "xb") as f:
        np.save(f, array)


def stamp_text(seed):
    return json.dumps(
        {
            "script_sha256": SCRIPT_SHA256,
            "seed": seed,
            "numpy": np.__version__,
            "onnx": onnx.__version__,
            "onnxruntime": ort.__version__,
        },
        sort_keys=True,
    )


def up_to_date(paths, stamp, seed):
    if not all(os.path.exists(p) for p in (*paths, stamp)):
        return False
    with open(stamp, encoding="utf-8") as f:
        return f.read().strip() == stamp_text(seed)


# --------------------------------------------------------------------------
# main


class Progress:
    """Step messages on stderr with the step's and the network's elapsed seconds."""

    def __init__(self, net):
        self.net = net
        self.start = self.last = time.perf_counter()

    def __call__(self, message):
        now = time.perf_counter()
        elapsed = f"{now - self.last:.1f} s, total {now - self.start:.1f} s"
        print(f"{self.net}: {message} ({elapsed})", file=sys.stderr, flush=True)
        self.last = now


def report(name, counts, net, numpy_logits, ort_float, ort_qdq):
    """The --verbose report: layers, MACs, per-stage activations, float and quantized logits."""
    convs, depthwise, gemms, conv_macs, gemm_macs = counts
    n = len(ort_float)
    layers = f"{convs} Conv ({depthwise} depthwise) + {gemms} Gemm = {convs + gemms} layers"
    print(f"\n{name}: {len(net.nodes)} nodes, {layers}")
    total = (conv_macs + gemm_macs) / 1e9
    print(f"  MACs: {conv_macs / 1e9:.3f} G in Conv + {gemm_macs / 1e6:.3f} M in Gemm = {total:.3f} G")
    print(f"  activations on the {n} calibration images (float):")
    print(f"    {'after':22s} {'shape':>12s} {'mean|x|':>8s} {'std':>8s} {'max':>8s}")
    for label, shape, mean_abs, std, vmax in net.taps:
        print(f"    {label:22s} {'x'.join(map(str, shape)):>12s} {mean_abs:8.3f} {std:8.3f} {vmax:8.3f}")
    diff = np.abs(ort_float - numpy_logits).max() / np.abs(ort_float).max()
    print(f"  float graph in ONNX Runtime vs the builder's NumPy: max |diff| {diff:.1e} of max |logit|")
    print("  logits (std over classes; argmax float / quantized; quantization error max and rms, in stds):")
    for i, (f, q) in enumerate(zip(ort_float, ort_qdq)):
        err = (q - f) / f.std()
        print(
            f"    image {i}: std {f.std():6.3f}  argmax {f.argmax():4d} / {q.argmax():4d}"
            f"  error {np.abs(err).max():.3f} / {np.sqrt((err**2).mean()):.3f}"
        )
    agree = int((ort_float.argmax(axis=1) == ort_qdq.argmax(axis=1)).sum())
    distinct = len(set(ort_float.argmax(axis=1)))
    print(f"  {distinct} different argmax over {n} images; float and quantized agree on {agree}")
    sys.stdout.flush()


def generate(name, out, seed, verbose):
    """Writes NET_qdq.onnx, NET_input.npy, NET_ort_logits.npy and NET.stamp unless up to date."""
    paths = {kind: os.path.join(out, f"{name}_{kind}") for kind in ("qdq.onnx", "input.npy", "ort_logits.npy")}
    stamp = os.path.join(out, f"{name}.stamp")
    if up_to_date(paths.values(), stamp, seed):
        print(f"{name}: up to date", file=sys.stderr)
        return
    if os.path.exists(stamp):
        os.unlink(stamp)
    progress = Progress(name)
    images = sample_images(seed, N_CALIB + 1)
    calib, test = images[:N_CALIB], images[N_CALIB:]

    net = Net(np.random.default_rng(seed), calib)
    logits = NETWORKS[name](net)
    model = net.model(name)
    counts = count_layers_and_macs(model)
    convs, _, gemms, conv_macs, gemm_macs = counts
    progress(f"built the float graph: {convs + gemms} layers, {(conv_macs + gemm_macs) / 1e9:.3f} G MACs")

    with tempfile.TemporaryDirectory(prefix="gen_networks.") as tmp:
        fp32 = os.path.join(tmp, f"{name}_fp32.onnx")
        onnx.save(model, fp32)
        reader = ImageReader(calib, lambda: progress(f"calibrated on {N_CALIB} images"))
        with atomic_path(paths["qdq.onnx"]) as qdq:
            quantize_static(
                fp32,
                qdq,
                reader,
                quant_format=QuantFormat.QDQ,
                per_channel=True,
                activation_type=QuantType.QInt8,
                weight_type=QuantType.QInt8,
            )
        progress("quantized")

        ort_logits = run_ort(paths["qdq.onnx"], test)
        save_npy(paths["input.npy"], test)
        save_npy(paths["ort_logits.npy"], ort_logits)
        progress(f"reference: logits std {ort_logits.std():.3f}, argmax {ort_logits.argmax()}")
        if verbose:
            report(name, counts, net, logits.value, run_ort(fp32, calib), run_ort(paths["qdq.onnx"], calib))
            progress("report")

    with atomic_path(stamp) as tmp, open(tmp, "x", encoding="utf-8") as f:
        f.write(stamp_text(seed) + "\n")
    sizes = ", ".join(f"{os.path.basename(p)} {os.path.getsize(p) / 1e6:.1f} MB" for p in paths.values())
    progress(f"wrote {sizes}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="output directory (made if missing)")
    ap.add_argument("--nets", default=",".join(NETWORKS), help="comma-separated, of: %(default)s")
    ap.add_argument("--seed", type=int, default=0, help="weights and images (default: %(default)s)")
    ap.add_argument("--verbose", action="store_true", help="print layers, MACs, activation and logit statistics")
    args = ap.parse_args()
    nets = [n for n in args.nets.split(",") if n]
    unknown = [n for n in nets if n not in NETWORKS]
    if unknown or not nets:
        ap.error(f"--nets: unknown {unknown}, choose from {','.join(NETWORKS)}")
    os.makedirs(args.out, exist_ok=True)

    # quantize_static logs a generic "consider pre-processing" warning; the graphs have static
    # shapes and nothing left to fold.
    logging.getLogger().setLevel(logging.ERROR)

    for name in nets:
        generate(name, args.out, args.seed, args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())

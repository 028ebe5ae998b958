#!/usr/bin/env python3
"""Agreement of npu with ONNX Runtime on random single-operator quantized models.

For every operator the importer supports, in both quantized forms (QDQ and QOperator) and,
for the operators with weights, with per-tensor and per-channel weights, this script builds
random float models with onnx.helper (opset 13, input [1, C, H, W] float32, a few shapes per
operator), quantizes each with onnxruntime.quantization.quantize_static (MinMax calibration on
16 random inputs, activations and weights QInt8), runs ONNX Runtime and npu on 8 other random
inputs and compares the float outputs in steps of the output's scale.

The reference is ONNX Runtime with graph optimizations off (ORT_DISABLE_ALL): with them on, it
fuses DequantizeLinear-Conv-QuantizeLinear into an integer kernel whose u8 x s8 multiply-add
saturates on CPUs without AVX-VNNI. npu against ONNX Runtime with its default optimizations is
shown for information only.

quantize_static with its defaults leaves some lone operators float (MaxPool and Relu in both
forms, AveragePool in QDQ form, GlobalAveragePool in QOperator form): their input is a graph input
that nothing else quantizes. Such a model is still given to npu (its message becomes the row's
note), and the operator is then quantized again as ATTEMPTS says (ForceQuantizeNoInputCheck,
or after an identity 1x1 pooling); the note says which model the row's figures are for.

    .venv/bin/python scripts/ort_agreement.py [--config 16x16] [--cases N] [--seed S]
                                              [--markdown OUT.md] [--keep DIR] [--verbose]

Exit status 1 when a row that ran has fewer than 99 % of its outputs equal (|difference| <
0.5 step; except the operators of EXCEPTIONS, whose reason the report gives) or a difference
larger than 1 step; 2 when no model ran at all; 0 otherwise. Models that npu rejects are not
failures: their message is the row's note.
"""

import argparse
import logging
import platform
import re
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent

EQUAL_BAR = 99.0  # % of outputs within half a step
STEP_BAR = 1.0  # largest difference, in steps
# Documented exceptions to the 99 % bar (docs/models.md, "Agreement with ONNX Runtime"):
# the contract follows TFLite's integer kernels, which round differently from ONNX
# Runtime's float arithmetic on these operators. They must still be within one step.
EXCEPTIONS = {
    "AveragePool": "TFLite's AVERAGE_POOL_2D rounds the average half away from zero to an "
                   "integer (ONNX Runtime averages in float: ties go either way), and a rescale "
                   "to another output scale is a second rounding",
    "GlobalAveragePool": "TFLite's MEAN requantizes the sum with s_in / (s_out * H * W) "
                         "whose small shift leaves a coarse intermediate: a second rounding",
}
N_CALIB = 16
N_TEST = 8
SECONDS = {"building and quantizing": 0.0, "ONNX Runtime": 0.0, "npu": 0.0}


def import_npu():
    """Imports npu, from <repo>/build/python when it is not on the path."""
    try:
        import npu  # noqa: F401
    except ImportError:
        sys.modules.pop("npu", None)
        sys.path.insert(0, str(REPO / "build" / "python"))
        try:
            import npu  # noqa: F401
        except ImportError as e:
            sys.exit(
                f"ort_agreement: cannot import the npu module ({e}).\n"
                f"Build it (it is {REPO}/build/python/npu/_npu*.so) and run with "
                f"PYTHONPATH={REPO}/build/python, with an interpreter of the same Python "
                f"version (the project's .venv, made by scripts/setup_venv.sh).")
    import npu
    return npu


def import_ort():
    try:
        import onnx
        import onnxruntime as ort
        from onnxruntime import quantization as ortq
    except ImportError as e:
        sys.exit(f"ort_agreement: {e}; run with the project's environment "
                 f"({REPO}/.venv/bin/python, made by scripts/setup_venv.sh)")
    return onnx, ort, ortq


onnx, ort, ortq = import_ort()
import ort_reference  # noqa: E402  (scripts/, next to this file; needs onnxruntime)
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

# ----- float models -------------------------------------------------------------------------


@dataclass
class Spec:
    """One operator (with its attributes) and the shapes it is tried on."""
    name: str
    op: str  # the ONNX operator under test
    build: object  # (rng, shape, case, prefix) -> (ModelProto, {input: (shape, lo, hi)})
    shapes: list
    weights: bool = False


def _model(nodes, inputs, output, inits):
    graph = helper.make_graph(
        nodes, "single_op",
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs],
        [helper.make_tensor_value_info(output, TensorProto.FLOAT, None)],
        initializer=inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    m = onnx.shape_inference.infer_shapes(m, strict_mode=True)  # fills in the output's shape
    onnx.checker.check_model(m)
    return m


def _init(name, a):
    return numpy_helper.from_array(np.asarray(a, dtype=np.float32), name)


def _in_range(rng, case):
    """Inputs in [-1, 1] or, every other case, in [0, 1]."""
    return (0.0, 1.0) if case % 2 else (-1.0, 1.0)


def conv(k, strides=(1, 1), pads=(0, 0, 0, 0), depthwise=False, act=None):
    def build(rng, shape, case, prefix=None):
        cin, cout, h, w = shape
        if depthwise:
            cout = cin
        sigma = rng.uniform(0.1, 0.3)
        wt = rng.normal(0.0, sigma, (cout, 1 if depthwise else cin, k, k))
        bias = rng.normal(0.0, 0.1, cout)
        attrs = dict(kernel_shape=[k, k], strides=list(strides), pads=list(pads))
        if depthwise:
            attrs["group"] = cin
        inits = [_init("W", wt), _init("B", bias)]
        conv_out = "Y" if act is None else "T"
        nodes = [helper.make_node("Conv", ["X", "W", "B"], [conv_out], name="conv", **attrs)]
        if act == "Relu":
            nodes.append(helper.make_node("Relu", ["T"], ["Y"], name="relu"))
        elif act == "Clip":
            inits += [_init("lo", 0.0), _init("hi", 6.0)]
            nodes.append(helper.make_node("Clip", ["T", "lo", "hi"], ["Y"], name="clip"))
        m = _model(nodes, [("X", [1, cin, h, w])], "Y", inits)
        return m, {"X": ([1, cin, h, w],) + _in_range(rng, case)}
    return build


def gemm(rng, shape, case, prefix=None):
    k, n = shape
    sigma = rng.uniform(0.1, 0.3)
    inits = [_init("W", rng.normal(0.0, sigma, (n, k))), _init("B", rng.normal(0.0, 0.1, n))]
    nodes = [helper.make_node("Gemm", ["X", "W", "B"], ["Y"], name="gemm", transB=1)]
    return _model(nodes, [("X", [1, k])], "Y", inits), {"X": ([1, k],) + _in_range(rng, case)}


def matmul(rng, shape, case, prefix=None):
    k, n = shape
    sigma = rng.uniform(0.1, 0.3)
    inits = [_init("W", rng.normal(0.0, sigma, (k, n)))]
    nodes = [helper.make_node("MatMul", ["X", "W"], ["Y"], name="matmul")]
    return _model(nodes, [("X", [1, k])], "Y", inits), {"X": ([1, k],) + _in_range(rng, case)}


def add(rng, shape, case, prefix=None):
    c, h, w = shape
    s = [1, c, h, w]
    nodes = [helper.make_node("Add", ["A", "B"], ["Y"], name="add")]
    # The two inputs on different ranges, so that their scales differ.
    return _model(nodes, [("A", s), ("B", s)], "Y", []), {"A": (s, -1.0, 1.0),
                                                          "B": (s, -0.5 * (case + 1), 2.0)}


def pool(op, k=None, strides=None, pads=None, **extra):
    """A window operation (or Relu) on the graph input, or, with @p prefix, on the output of
    an identity 1x1 MaxPool or AveragePool: quantize_static leaves some of these operators
    float when their input is a graph input."""
    def build(rng, shape, case, prefix=None):
        c, h, w = shape
        s = [1, c, h, w]
        attrs = dict(extra)
        if k is not None:
            attrs.update(kernel_shape=[k, k], strides=list(strides))
        if pads is not None:
            attrs["pads"] = list(pads)
        nodes = [helper.make_node(op, ["P" if prefix else "X"], ["Y"], name=op.lower(),
                                  **attrs)]
        if prefix:
            nodes.insert(0, helper.make_node(prefix, ["X"], ["P"], name="identity",
                                             kernel_shape=[1, 1]))
        return _model(nodes, [("X", s)], "Y", []), {"X": (s,) + _in_range(rng, case)}
    build.prefixable = True
    return build


CONV_SHAPES = [(3, 8, 7, 9), (17, 20, 6, 5), (32, 33, 9, 8)]
POOL_SHAPES = [(3, 8, 8), (17, 7, 9), (33, 5, 6)]

SPECS = [
    Spec("Conv 3x3 pad 1", "Conv", conv(3, pads=(1, 1, 1, 1)), CONV_SHAPES, True),
    Spec("Conv 3x3 stride 2", "Conv", conv(3, strides=(2, 2)),
         [(5, 12, 9, 9), (16, 18, 8, 11), (33, 10, 5, 7)], True),
    Spec("Conv 1x1", "Conv", conv(1), [(8, 5, 4, 4), (20, 31, 3, 7), (48, 17, 6, 6)], True),
    Spec("Conv 5x5 pads 1,2,2,0", "Conv", conv(5, pads=(1, 2, 2, 0)),
         [(3, 7, 9, 10), (19, 16, 7, 6), (4, 25, 5, 5)], True),
    Spec("depthwise Conv 3x3 pad 1", "Conv", conv(3, pads=(1, 1, 1, 1), depthwise=True),
         [(7, 7, 9, 9), (16, 16, 5, 6), (35, 35, 8, 7)], True),
    Spec("Conv 3x3 + Relu", "Conv", conv(3, pads=(1, 1, 1, 1), act="Relu"),
         [(4, 9, 6, 7), (18, 16, 5, 5), (31, 20, 7, 4)], True),
    Spec("Conv 3x3 + Clip(0,6)", "Conv", conv(3, pads=(1, 1, 1, 1), act="Clip"),
         [(6, 11, 5, 8), (16, 17, 7, 7), (29, 32, 4, 5)], True),
    Spec("Gemm transB=1, bias", "Gemm", gemm, [(20, 10), (64, 17), (37, 48)], True),
    Spec("MatMul", "MatMul", matmul, [(16, 10), (50, 33), (7, 20)], True),
    Spec("Add", "Add", add, [(3, 5, 7), (17, 4, 4), (32, 6, 9)]),
    Spec("MaxPool 2x2/2", "MaxPool", pool("MaxPool", 2, (2, 2)), POOL_SHAPES),
    Spec("MaxPool 3x3/2 pad 1", "MaxPool", pool("MaxPool", 3, (2, 2), (1, 1, 1, 1)),
         POOL_SHAPES),
    Spec("AveragePool 2x2/2", "AveragePool", pool("AveragePool", 2, (2, 2)), POOL_SHAPES),
    Spec("AveragePool 3x3/1 pad 1 cip=0", "AveragePool",
         pool("AveragePool", 3, (1, 1), (1, 1, 1, 1), count_include_pad=0), POOL_SHAPES),
    Spec("AveragePool 3x3/1 pad 1 cip=1", "AveragePool",
         pool("AveragePool", 3, (1, 1), (1, 1, 1, 1), count_include_pad=1), POOL_SHAPES),
    Spec("GlobalAveragePool", "GlobalAveragePool", pool("GlobalAveragePool"),
         [(3, 7, 7), (20, 5, 6), (33, 1, 9)]),
    Spec("Relu", "Relu", pool("Relu"), [(3, 5, 7), (17, 4, 4), (32, 6, 9)]),
]

# How each form is quantized, in order, until the operator under test comes out quantized:
# (label, identity operator put before it, quantize_static's extra_options). The first is
# the defaults; the others only where quantize_static leaves the operator float.
ATTEMPTS = {
    "QDQ": [("defaults", None, {}),
            ("with ForceQuantizeNoInputCheck=True", None, {"ForceQuantizeNoInputCheck": True}),
            ("after an identity 1x1 MaxPool, with ForceQuantizeNoInputCheck=True and "
             "QDQKeepRemovableActivations=True", "MaxPool",
             {"ForceQuantizeNoInputCheck": True, "QDQKeepRemovableActivations": True})],
    "QOperator": [("defaults", None, {}),
                  ("after an identity 1x1 AveragePool", "AveragePool", {})],
}

FORMS = ("QDQ", "QOperator")

# ----- quantizing and running ----------------------------------------------------------------


class Reader(ortq.CalibrationDataReader):
    def __init__(self, feeds):
        self._it = iter(feeds)

    def get_next(self):
        return next(self._it, None)


def random_feeds(rng, inputs, n):
    return [{name: rng.uniform(lo, hi, shape).astype(np.float32)
             for name, (shape, lo, hi) in inputs.items()} for _ in range(n)]


def node_list(path):
    """The quantized model's nodes as 'OpType(name)' strings, in graph order."""
    m = onnx.load(str(path))
    return [f"{n.op_type}" + (f"({n.name})" if n.name else "") for n in m.graph.node]


def one_line(msg, path=None):
    """A message on one line, the model's path in it as <model> (so that the same message
    from several models is one note)."""
    msg = str(msg)
    if path is not None:
        msg = msg.replace(str(path), "<model>").replace(path.name, "<model>")
    return re.sub(r"\s+", " ", msg).strip()


@dataclass
class Row:
    op: str
    form: str
    weights: str  # "per tensor", "per channel" or "–"
    models: int = 0
    runs: int = 0
    compared: int = 0
    equal: int = 0
    max_steps: float = 0.0
    default_compared: int = 0
    default_equal: int = 0
    default_max_steps: float = 0.0
    rejected: int = 0
    notes: list = field(default_factory=list)
    worst: str = ""  # the model and input of the largest difference

    @property
    def ran(self):
        return self.compared > 0

    @property
    def equal_pct(self):
        return 100.0 * self.equal / self.compared if self.compared else None

    @property
    def default_pct(self):
        return 100.0 * self.default_equal / self.default_compared if self.default_compared else None

    def exception(self):
        return next((why for op, why in EXCEPTIONS.items() if self.op.startswith(op + " ")
                     or self.op == op), None)

    def failed(self):
        equal_ok = self.equal_pct >= EQUAL_BAR or self.exception() is not None
        return self.ran and (not equal_ok or self.max_steps > STEP_BAR + 1e-3)

    def note(self, msg):
        if msg not in self.notes:
            self.notes.append(msg)


def compare(ours, ref, scale):
    """(elements, equal elements, largest difference in steps)."""
    if ours.size != ref.size:
        raise ValueError(f"npu output has shape {list(ours.shape)}, ONNX Runtime's "
                         f"{list(ref.shape)}")
    d = np.abs(ours.astype(np.float64).ravel() - ref.astype(np.float64).ravel()) / scale
    return d.size, int(np.count_nonzero(d < 0.5)), float(d.max()) if d.size else 0.0


def run_case(npu, args, row, qpath, tests, tag):
    """Runs one quantized model on ONNX Runtime (both settings) and npu; updates @p row."""
    row.models += 1
    t0 = time.monotonic()
    try:
        ref_sess = ort_reference.session(qpath, optimize=False)
        refs = [ref_sess.run(None, f)[0] for f in tests]
    except Exception as e:  # noqa: BLE001 - every failure is a note
        row.note("onnxruntime (ORT_DISABLE_ALL): " + one_line(e, qpath))
        row.rejected += 1
        return
    try:
        def_sess = ort_reference.session(qpath, optimize=True)
        defs = [def_sess.run(None, f)[0] for f in tests]
    except Exception as e:  # noqa: BLE001
        row.note("onnxruntime (default optimizations): " + one_line(e, qpath))
        defs = None
    t1 = time.monotonic()
    SECONDS["ONNX Runtime"] += t1 - t0
    try:
        sess = npu.InferenceSession(str(qpath), backend="sim", config=args.config)
        names = [i.name for i in sess.get_inputs()]
        scale = sess.get_outputs()[0].scale
        if scale is None or not scale > 0:
            raise ValueError(f"the output's scale is {scale!r}")
        ours = [sess.run(None, {n: f[n] for n in names})[0] for f in tests]
        results = [compare(o, r, float(scale)) for o, r in zip(ours, refs)]
    except Exception as e:  # noqa: BLE001
        row.note(f"npu: {type(e).__name__}: " + one_line(e, qpath))
        row.rejected += 1
        return
    finally:
        SECONDS["npu"] += time.monotonic() - t1
    for i, (n, eq, mx) in enumerate(results):
        row.runs += 1
        row.compared += n
        row.equal += eq
        if mx > row.max_steps or not row.worst:
            row.max_steps = max(row.max_steps, mx)
            row.worst = f"{tag}, input {i}"
    if defs is not None:
        for o, r in zip(ours, defs):
            n, eq, mx = compare(o, r, scale)
            row.default_compared += n
            row.default_equal += eq
            row.default_max_steps = max(row.default_max_steps, mx)


def quantized_op(path, op):
    """Whether the quantized model at @p path computes @p op on int8 values: a node of that
    type (QLinear* or Q* in QOperator form) that reads no graph input and writes no graph
    output directly (a float op between DequantizeLinear and QuantizeLinear in QDQ form)."""
    m = onnx.load(str(path))
    ins = {i.name for i in m.graph.input}
    outs = {o.name for o in m.graph.output}
    return any(n.op_type in (op, "QLinear" + op, "Q" + op) and n.input[0] not in ins
               and n.output[0] not in outs for n in m.graph.node)


def op_types(path):
    return " ".join(n.op_type for n in onnx.load(str(path)).graph.node)


def npu_verdict(npu, args, qpath):
    """What npu says of a model: its error, or that it accepts it."""
    try:
        npu.InferenceSession(str(qpath), backend="sim", config=args.config)
        return "npu accepts it"
    except Exception as e:  # noqa: BLE001
        return f"npu: {type(e).__name__}: " + one_line(e, qpath)


def quantize(spec, form, pc, case, models, tmp, calib, npu, args, row, log):
    """Quantizes the case's float model for @p form, trying ATTEMPTS[form] in order until
    spec.op comes out quantized; returns the path of the model to run, or None. Records on
    @p row why an attempt was not taken."""
    slug = re.sub(r"[^A-Za-z0-9]+", "_", spec.name).strip("_")
    last = None
    for label, prefix, extra in ATTEMPTS[form]:
        if prefix and not getattr(spec.build, "prefixable", False):
            continue
        fpath = models(prefix)
        qpath = tmp / (f"{slug}_{case}_{form}{'' if pc is None else ('_pc' if pc else '_pt')}"
                       f"{'_' + prefix.lower() if prefix else ''}"
                       f"{'_forced' if extra else ''}.onnx")
        try:
            ortq.quantize_static(
                str(fpath), str(qpath), Reader(calib),
                quant_format=(ortq.QuantFormat.QDQ if form == "QDQ"
                              else ortq.QuantFormat.QOperator),
                per_channel=bool(pc), extra_options=dict(extra))
        except Exception as e:  # noqa: BLE001
            row.note(f"quantize_static ({label}): {type(e).__name__}: " + one_line(e, fpath))
            continue
        if args.verbose:
            log(f"{qpath.name}: {' '.join(node_list(qpath))}")
        last = (label, qpath)
        if quantized_op(qpath, spec.op):
            if label != "defaults":
                row.note(f"quantized {label}")
            return qpath
        row.note(f"quantize_static ({label}) leaves no int8 {spec.op} "
                 f"(nodes: {op_types(qpath)}); {npu_verdict(npu, args, qpath)}")
    if last is None:
        return None
    row.note(f"no attempt gives an int8 {spec.op}; the row ran the last model "
             f"({last[0]}: {op_types(last[1])})")
    return last[1]


def run_all(npu, args, tmp, log):
    rows = {}
    for spec in SPECS:
        variants = [(form, pc) for form in FORMS
                    for pc in ((False, True) if spec.weights else (None,))]
        for form, pc in variants:
            w = "–" if pc is None else ("per channel" if pc else "per tensor")
            rows[(spec.name, form, pc)] = Row(spec.name, form, w)
        slug = re.sub(r"[^A-Za-z0-9]+", "_", spec.name).strip("_")
        for case in range(args.cases):
            shape = spec.shapes[case % len(spec.shapes)]
            # The same float model, calibration and test inputs for every form and weights.
            key = [args.seed, zlib.crc32(spec.name.encode()), case]
            floats = {}

            def models(prefix, shape=shape, case=case, key=key, floats=floats):
                if prefix not in floats:
                    model, inputs = spec.build(np.random.default_rng(key + [0]), shape, case,
                                               prefix)
                    path = tmp / f"{slug}_{case}_float{'_' + prefix.lower() if prefix else ''}" \
                                 f".onnx"
                    onnx.save(model, str(path))
                    floats[prefix] = path
                    floats["inputs"] = inputs
                return floats[prefix]

            models(None)
            data = np.random.default_rng(key + [1])
            calib = random_feeds(data, floats["inputs"], N_CALIB)
            tests = random_feeds(data, floats["inputs"], N_TEST)
            for form, pc in variants:
                row = rows[(spec.name, form, pc)]
                t0 = time.monotonic()
                qpath = quantize(spec, form, pc, case, models, tmp, calib, npu, args, row, log)
                SECONDS["building and quantizing"] += time.monotonic() - t0
                if qpath is None:
                    row.models += 1
                    row.rejected += 1
                    continue
                run_case(npu, args, row, qpath, tests, f"shape {list(shape)} ({qpath.name})")
    return list(rows.values())


# ----- the table -----------------------------------------------------------------------------

COLUMNS = ["operator", "form", "weights", "cases", "outputs compared", "equal %",
           "largest difference (steps)", "default-ORT equal % (info)", "note"]


def fmt_pct(p):
    if p is None:
        return "–"
    if p == 100.0:
        return "100"
    return f"{min(p, 99.99):.2f}"


def cells(row, note_ref):
    notes = []
    if row.rejected:
        notes.append(f"{row.rejected} of {row.models} models not run" if row.ran
                     else "not run")
    if row.notes:
        notes.append(note_ref)
    if row.failed():
        notes.insert(0, "FAILS")
    elif row.ran and row.equal_pct < EQUAL_BAR:
        notes.insert(0, "exception (below)")
    default = "–"
    if row.default_compared:
        default = f"{fmt_pct(row.default_pct)} (max {row.default_max_steps:.0f})"
    return [row.op, row.form, row.weights,
            f"{row.models - row.rejected} x {N_TEST}" if row.ran else "0",
            str(row.compared) if row.ran else "–",
            fmt_pct(row.equal_pct),
            f"{row.max_steps:.2f}" if row.ran else "–",
            default, "; ".join(notes)]


def text_table(header, body):
    widths = [max(len(r[i]) for r in [header] + body) for i in range(len(header))]
    line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in body])


def md_table(header, body):
    esc = lambda s: s.replace("|", "\\|")  # noqa: E731
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    out += ["| " + " | ".join(esc(c) for c in r) + " |" for r in body]
    return "\n".join(out)


def report(rows, args, wall, markdown):
    # Every distinct message once, numbered; rows refer to them.
    messages = []
    refs = []
    for r in rows:
        ids = []
        for m in r.notes:
            if m not in messages:
                messages.append(m)
            ids.append(f"[{messages.index(m) + 1}]")
        refs.append(" ".join(ids))
    body = [cells(r, ref) for r, ref in zip(rows, refs)]
    failing = [r for r in rows if r.failed()]
    ran = sum(r.ran for r in rows)
    head = (f"npu (sim, {args.config}) against ONNX Runtime {ort.__version__} "
            f"(ORT_DISABLE_ALL) on single-operator models quantized by quantize_static; "
            f"onnx {onnx.__version__}, numpy {np.__version__}, Python "
            f"{platform.python_version()}; seed {args.seed}, {args.cases} models per row "
            f"(cases: models x inputs), {N_CALIB} calibration inputs; "
            f"equal: |difference| < 0.5 step of the output scale.")
    lines = []
    summary = (f"{len(rows)} rows, {ran} ran, {len(rows) - ran} not run, "
               f"{len(failing)} failing (equal < {EQUAL_BAR:g} % or largest difference > "
               f"{STEP_BAR:g} step); wall time {wall:.1f} s ("
               + ", ".join(f"{k} {v:.1f} s" for k, v in SECONDS.items()) + ")")
    info = ("default-ORT equal % compares npu with ONNX Runtime at its default graph "
            "optimizations (for information: on CPUs without AVX-VNNI its fused QDQ integer "
            "convolution saturates); max is the largest difference there, in steps.")
    if markdown:
        lines += ["# npu against ONNX Runtime: single-operator agreement", "", head, "", info,
                  "", md_table(COLUMNS, body), "", summary, ""]
    else:
        lines += [head, info, "", text_table(COLUMNS, body), "", summary]
    if messages:
        lines += (["## Notes", ""] if markdown else ["", "Notes:"])
        for i, m in enumerate(messages):
            lines.append(f"{'- ' if markdown else ''}[{i + 1}] {m}")
        lines.append("")
    lines += (["## Exceptions to the 99 % bar", ""] if markdown else ["", "Exceptions:"])
    for op, why in EXCEPTIONS.items():
        lines.append(f"{'- ' if markdown else ''}{op}: {why}.")
    lines.append("")
    if failing:
        lines += (["## Failing rows", ""] if markdown else ["", "Failing rows:"])
        lines.append("(where the largest difference is; --keep DIR keeps the models)")
        for r in failing:
            lines.append(f"{'- ' if markdown else ''}{r.op}, {r.form}, {r.weights}: "
                         f"{fmt_pct(r.equal_pct)} % equal, largest difference "
                         f"{r.max_steps:.2f} steps (at {r.worst})")
        lines.append("")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", default="16x16", help="NPU configuration (default 16x16)")
    ap.add_argument("--cases", type=int, default=6,
                    help="random models per row, cycling through the operator's three shapes; "
                         "odd cases take inputs in [0, 1], even ones in [-1, 1] (default 6)")
    ap.add_argument("--seed", type=int, default=1, help="RNG seed (default 1)")
    ap.add_argument("--markdown", metavar="OUT.md", help="also write the report as Markdown")
    ap.add_argument("--keep", metavar="DIR", help="keep the float and quantized models in DIR")
    ap.add_argument("--verbose", action="store_true",
                    help="print each quantized model's nodes to stderr")
    args = ap.parse_args()
    if args.cases < 1:
        ap.error("--cases must be at least 1")
    npu = import_npu()
    logging.getLogger().setLevel(logging.ERROR)  # quantize_static's pre-processing advice
    ort.set_default_logger_severity(3)
    log = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731

    t0 = time.monotonic()
    if args.keep:
        tmp = Path(args.keep)
        tmp.mkdir(parents=True, exist_ok=True)
        rows = run_all(npu, args, tmp, log)
    else:
        with tempfile.TemporaryDirectory(prefix="ort_agreement_") as d:
            rows = run_all(npu, args, Path(d), log)
    wall = time.monotonic() - t0

    print(report(rows, args, wall, markdown=False))
    if args.markdown:
        Path(args.markdown).write_text(report(rows, args, wall, markdown=True))
    if not any(r.ran for r in rows):
        print("ort_agreement: no model ran (see the notes)", file=sys.stderr)
        return 2
    return 1 if any(r.failed() for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())

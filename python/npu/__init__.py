"""Run quantized ONNX models on the npu accelerator's simulators and boards.

The session has the shape of ONNX Runtime's, so that a script changes one line::

    import npu
    sess = npu.InferenceSession("model.onnx", backend="sim", config="16x16")
    (logits,) = sess.run(None, {sess.get_inputs()[0].name: x})
    print(sess.last_report["layers"])

``memory_bytes`` sizes the device memory an ONNX model is compiled for (default 256 MiB);
``record=True`` keeps a test vector of every run (``recorded_phases()``).
``backend`` is ``"sim"`` (the instruction-level simulator), ``"rtl"`` (the
verilated RTL) or ``"fpga"`` (a board running the npu bitstream, on the serial
port ``port``, e.g. ``InferenceSession("m.onnx", backend="fpga",
port="/dev/ttyUSB0")``: the model is compiled for the board's configuration and
memory; a port that is absent or a board that does not answer raises
``LinkError``, an ``OSError``); ``path`` is a quantized ``.onnx`` model (QDQ or QOperator), which
is compiled for ``config``, or a ``.npub`` file that ``npu compile`` wrote.
Errors in the model or the inputs raise ``ValueError`` subclasses whose message
names the tensor, node or file.
"""

import json

from . import _npu
from ._npu import (BoardMemoryError, CompileError, LinkError, ModelError, NpyError,
                   OnnxImportError, UsageError)

__all__ = ["InferenceSession", "NodeArg", "ModelError", "OnnxImportError", "CompileError",
           "NpyError", "UsageError", "LinkError", "BoardMemoryError"]

_ONNX_TYPES = {"float32": "tensor(float)", "int8": "tensor(int8)"}


class NodeArg:
    """A graph input or output, as onnxruntime.NodeArg: name, shape and type."""

    def __init__(self, name, shape, dtype, scale, zero_point):
        self.name = name
        self.shape = list(shape)
        self.type = _ONNX_TYPES.get(dtype, dtype)
        self.scale = scale
        self.zero_point = zero_point

    def __repr__(self):
        return f"NodeArg(name={self.name!r}, type={self.type!r}, shape={self.shape})"


class InferenceSession:
    """A compiled model on a backend (see the module's documentation)."""

    def __init__(self, path, backend="sim", config=None, trace=None, port=None, baud=1000000,
                 timeout_ms=2000, memory_bytes=None, record=False, **_ort_options):
        # ONNX Runtime's sess_options and providers have no meaning here and are ignored.
        self._s = _npu.Session(str(path), backend, config or "", trace or "", port or "", baud,
                               timeout_ms, memory_bytes or 0, record)
        self._inputs = [NodeArg(*io) for io in self._s.inputs()]
        self._outputs = [NodeArg(*io) for io in self._s.outputs()]
        self.last_report = None

    def recorded_phases(self):
        """With ``record=True``: every call of the backend so far, a test vector each.

        A list of dicts: ``base`` (device address of byte 0), ``before`` and ``after`` (the
        whole device memory, bytes), ``streams`` (``(address, instructions)`` in order) and
        ``results`` (one dict per stream that ran: ``ok``, ``err_cause``, ``err_pc``,
        ``err_addr``, ``macs``, ``instructions``, ``bytes_read``, ``bytes_written``). Loading
        ``before`` into another model of the NPU and running the streams must give ``after``
        (tb/cocotb replays the simulator's phases on the RTL). Empty without recording.
        """
        return self._s.phases()

    def get_inputs(self):
        return list(self._inputs)

    def get_outputs(self):
        return list(self._outputs)

    def run(self, output_names, input_feed, run_options=None):
        """Runs the model; returns the outputs named (all when None), in that order.

        The per-layer report of the run (cycles, MACs, counters) is in last_report.
        """
        names = [i.name for i in self._inputs]
        unknown = sorted(set(input_feed) - set(names))
        if unknown:
            raise ModelError(f"the model has no input {unknown[0]!r} (its inputs: {names})")
        missing = [n for n in names if n not in input_feed]
        if missing:
            raise ModelError(f"no value for the model's input {missing[0]!r}")
        outs, report = self._s.run([input_feed[n] for n in names])
        self.last_report = json.loads(report)
        if output_names is None:
            return list(outs)
        by_name = {o.name: a for o, a in zip(self._outputs, outs)}
        for n in output_names:
            if n not in by_name:
                raise ModelError(f"the model has no output {n!r} (its outputs: {list(by_name)})")
        return [by_name[n] for n in output_names]

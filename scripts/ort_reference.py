"""The ONNX Runtime session the project's reference outputs come from.

One CPU thread, nodes run one after another as the graph is written, and by
default no graph optimizations: with them (ONNX Runtime's default level) each
DequantizeLinear-Conv-QuantizeLinear group is fused into a QLinearConv kernel
whose int8 dot products saturate on x86 CPUs with AVX2 but no VNNI (up to 63
steps off on the digits model's conv1), so the outputs would depend on the
CPU. Unfused, the results equal exact integer arithmetic (models/digits/
train.py checks that). scripts/ort_agreement.py also measures the optimized
session, to show that difference.

Used by models/digits/train.py, scripts/gen_networks.py and
scripts/ort_agreement.py.
"""
import onnxruntime as ort


def session(path, optimize=False):
    """An InferenceSession of the model at `path` (graph optimizations off unless `optimize`)."""
    so = ort.SessionOptions()
    so.graph_optimization_level = (ort.GraphOptimizationLevel.ORT_ENABLE_ALL if optimize
                                   else ort.GraphOptimizationLevel.ORT_DISABLE_ALL)
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.log_severity_level = 3
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])

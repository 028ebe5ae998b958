"""The Python API (npu.InferenceSession) on the trained digits model: the shape
of ONNX Runtime's session, the same outputs as `npu run`, and clear errors."""

import os
import subprocess
import time

import numpy as np
import pytest

import npu

SRC = os.environ["NPU_SOURCE_DIR"]
DIGITS = os.path.join(SRC, "models", "digits")
MODEL = os.path.join(DIGITS, "digits_qdq.onnx")


@pytest.fixture(scope="module")
def images():
    return np.load(os.path.join(DIGITS, "test_images.npy"))


@pytest.fixture(scope="module")
def session():
    return npu.InferenceSession(MODEL, backend="sim", config="16x16")


def test_inputs_and_outputs(session):
    (inp,) = session.get_inputs()
    (out,) = session.get_outputs()
    assert inp.name == "input" and inp.shape == [1, 1, 8, 8] and inp.type == "tensor(float)"
    assert out.name == "logits" and out.shape == [1, 10] and out.type == "tensor(float)"


def test_same_as_the_command(session, images, tmp_path):
    x = images[5:6]
    np.save(tmp_path / "x.npy", x)
    subprocess.run([os.environ["NPU_CLI"], "run", MODEL, "--input", str(tmp_path / "x.npy"),
                    "--output", str(tmp_path / "y.npy")], check=True, capture_output=True)
    (y,) = session.run(None, {"input": x})
    assert y.dtype == np.float32 and y.shape == (1, 10)
    assert np.array_equal(y, np.load(tmp_path / "y.npy"))
    assert session.run(["logits"], {"input": x})[0].tobytes() == y.tobytes()
    layers = session.last_report["layers"]
    assert [layer["name"] for layer in layers] == ["conv1", "conv2", "pool", "fc"]
    assert sum(layer["macs"] for layer in layers) == 80896


def test_accuracy_against_onnx_runtime(session, images):
    labels = np.load(os.path.join(DIGITS, "test_labels.npy"))
    ort = np.load(os.path.join(DIGITS, "ort_logits.npy"))
    n = 60
    ours = np.concatenate([session.run(None, {"input": images[i:i + 1]})[0] for i in range(n)])
    scale = session.get_outputs()[0].scale
    steps = np.abs(ours - ort[:n]) / scale
    assert steps.max() <= 1 + 1e-6
    assert abs(int((ours.argmax(1) == labels[:n]).sum()) - int((ort[:n].argmax(1) == labels[:n]).sum())) <= 1


def test_rtl_backend_equals_simulator(session, images):
    rtl = npu.InferenceSession(MODEL, backend="rtl", config="4x4")
    x = images[7:8]
    sim4 = npu.InferenceSession(MODEL, backend="sim", config="4x4")
    assert np.array_equal(rtl.run(None, {"input": x})[0], sim4.run(None, {"input": x})[0])
    assert all(layer["cycles"] > 0 for layer in rtl.last_report["layers"])


def test_recorded_phases_are_whole_test_vectors(session, images):
    x = images[3:4]
    assert session.recorded_phases() == []  # not recording
    rec = {}
    for backend in ("sim", "rtl"):
        s = npu.InferenceSession(MODEL, backend=backend, config="4x4", memory_bytes=1 << 20,
                                 record=True)
        (y,) = s.run(None, {"input": x})
        rec[backend] = (y, s.recorded_phases())
    (y_sim, sim), (y_rtl, rtl) = rec["sim"], rec["rtl"]
    assert np.array_equal(y_sim, y_rtl) and len(sim) == len(rtl) >= 1
    for p, q in zip(sim, rtl):
        assert len(p["before"]) == len(p["after"]) <= 1 << 20  # the image the model needs
        assert p["before"] != p["after"] and p["streams"] and len(p["results"]) == len(p["streams"])
        # The RTL leaves the whole memory as the simulator does, not only the output.
        assert (p["base"], p["before"], p["streams"], p["after"]) == \
            (q["base"], q["before"], q["streams"], q["after"])
        for r, t in zip(p["results"], q["results"]):
            assert r["ok"] and t["ok"]
            assert {k: r[k] for k in ("macs", "bytes_read", "bytes_written")} == \
                {k: t[k] for k in ("macs", "bytes_read", "bytes_written")}


def test_errors_name_the_problem(session, images):
    with pytest.raises(ValueError, match=r"must have shape \[1, 1, 8, 8\], got \[1, 1, 8, 7\]"):
        session.run(None, {"input": images[0:1, :, :, :7]})
    with pytest.raises(ValueError, match="must be float32, got float64"):
        session.run(None, {"input": images[0:1].astype(np.float64)})
    with pytest.raises(ValueError, match="no input 'image'"):
        session.run(None, {"image": images[0:1]})
    with pytest.raises(ValueError, match="no output 'probs'"):
        session.run(["probs"], {"input": images[0:1]})
    with pytest.raises(ValueError, match="unknown backend 'gpu'"):
        npu.InferenceSession(MODEL, backend="gpu")
    with pytest.raises(ValueError, match="unknown configuration '9x9'"):
        npu.InferenceSession(MODEL, config="9x9")
    with pytest.raises(npu.OnnxImportError, match="cannot open"):
        npu.InferenceSession("/nonexistent.onnx")


def test_fpga_backend_on_the_simulated_board(images, tmp_path):
    """backend="fpga" drives the simulated board (npu_board_sim, a verilated
    npu_fpga_top behind a pseudo-terminal) as it would a board on a serial port."""
    link = tmp_path / "board.tty"
    board = subprocess.Popen([os.environ["NPU_BOARD_SIM"], "--link", str(link)],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            if link.exists() or board.poll() is not None:
                break
            time.sleep(0.1)
        assert link.exists(), board.stdout.read().decode()
        # The simulated board is far slower than a real one: a generous reply timeout.
        fpga = npu.InferenceSession(MODEL, backend="fpga", port=str(link), timeout_ms=60000)
        x = images[9:10]
        sim = npu.InferenceSession(MODEL, backend="sim", config=fpga._s.config())
        assert np.array_equal(fpga.run(None, {"input": x})[0], sim.run(None, {"input": x})[0])
        assert fpga.last_report["backend"].startswith("fpga-")
    finally:
        board.terminate()
        board.wait(timeout=10)


def test_fpga_backend_errors():
    with pytest.raises(npu.LinkError, match="cannot open serial port /dev/npu-absent"):
        npu.InferenceSession(MODEL, backend="fpga", port="/dev/npu-absent")
    with pytest.raises(ValueError, match="needs --port"):
        npu.InferenceSession(MODEL, backend="fpga")

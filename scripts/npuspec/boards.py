"""The FPGA boards: constraints/<board>/board.toml, read by the FPGA flow
(scripts/fpga.py) and the FuseSoC core generator (fusesoc.py)."""

from __future__ import annotations

import tomllib

from .spec import ROOT

BOARDS_DIR = ROOT / "constraints"
FAMILIES = ("ecp5", "ice40")
REQUIRED = ("name", "part", "family", "device", "package", "top", "constraints", "config",
            "mem_bytes", "baud", "clock_mhz", "post_lanes", "window_lanes")
# The lanes a board builds (at most Dim each): board.toml key -> npu_top parameter.
LANES = {"post_lanes": "PostLanes", "window_lanes": "WindowLanes"}


class BoardError(Exception):
    pass


def names() -> list[str]:
    return sorted(p.parent.name for p in BOARDS_DIR.glob("*/board.toml"))


def load(name: str) -> dict:
    """The board's settings, checked, with "dir" (its folder) and "core_mhz"
    (the NPU clock: the oscillator's, or the PLL's output) added."""
    path = BOARDS_DIR / name / "board.toml"
    if not path.is_file():
        raise BoardError(f"unknown board '{name}'; known boards: {', '.join(names())} "
                         f"(constraints/<board>/board.toml)")
    with open(path, "rb") as f:
        b = tomllib.load(f)
    rel = path.relative_to(ROOT)
    for key in REQUIRED:
        if key not in b:
            raise BoardError(f"{rel}: missing '{key}'")
    if b["family"] not in FAMILIES:
        raise BoardError(f"{rel}: family '{b['family']}' is not one of {', '.join(FAMILIES)}")
    for key in LANES:
        lanes = b[key]
        if not isinstance(lanes, int) or lanes < 1 or lanes & (lanes - 1):
            raise BoardError(f"{rel}: {key} must be a power of two, not {lanes!r}")
    pll = b.get("pll", {})
    b["core_mhz"] = b["clock_mhz"] * pll.get("PllFbDiv", 1) / pll.get("PllRefDiv", 1)
    b["dir"] = path.parent
    return b


def top_params(b: dict, dim: int) -> dict[str, int]:
    """The board top's own parameters for an array of dim x dim: the lanes
    (LANES, at most dim), the oscillator, the PLL, memory, UART."""
    return {**{sv: min(b[key], dim) for key, sv in LANES.items()},
            "OscHz": round(b["clock_mhz"] * 1_000_000), "MemBytes": b["mem_bytes"],
            "Baud": b["baud"], **b.get("pll", {})}

"""The host link of the FPGA build (spec/link.toml): its SystemVerilog
package, C++ header and Markdown reference."""

from __future__ import annotations

from . import cpp, md, sv
from .spec import camel, fail, kconst, load_toml

SOURCE = "spec/link.toml"


def load() -> dict:
    spec = load_toml("link.toml")
    codes = [s["code"] for s in spec["status"]] + [c["code"] for c in spec["command"]]
    if len(set(codes)) != len(codes):
        fail(f"{SOURCE}: status and command codes must all differ")
    for c in spec["command"]:
        for a in c["args"]:
            if not a.isidentifier():
                fail(f"{SOURCE}: command {c['name']}: bad argument name '{a}'")
    if spec["info"][0]["name"] != "magic":
        fail(f"{SOURCE}: the first info word must be the magic")
    sb = spec["sim_board"]
    if sb["clock_hz"] % sb["clks_per_bit"] != 0 or sb["clks_per_bit"] < 4:
        fail(f"{SOURCE}: sim_board.clks_per_bit must be >= 4 and divide clock_hz")
    return spec


def sim_board() -> dict:
    """The simulated board's npu_fpga_top parameters besides the configuration's."""
    sb = load()["sim_board"]
    return {"PostLanes": sb["post_lanes"], "WindowLanes": sb["window_lanes"], "MemBytes": sb["mem_bytes"], "ClockHz": sb["clock_hz"],
            "Baud": sb["clock_hz"] // sb["clks_per_bit"], "ResyncCycles": sb["resync_cycles"]}


def link_pkg() -> str:
    s = load()
    ln = s["link"]
    o = [sv.banner(SOURCE),
         "/// The host link of npu_fpga_top (docs/gen/link.md): command and status",
         "/// codes, the info words.",
         "package npu_link_pkg;", "",
         f"  localparam logic [31:0] LinkMagic = 32'h{ln['magic']:08x};",
         f"  localparam int unsigned LinkVersion = {ln['version']};",
         f"  localparam int unsigned ResyncUs = {ln['resync_us']};  // abandon a command idle this long", ""]
    for st in s["status"]:
        o.append(f"  localparam logic [7:0] Status{camel(st['name'])} = 8'h{st['code']:02x};")
    o.append("")
    for c in s["command"]:
        o.append(f"  localparam logic [7:0] Cmd{camel(c['name'])} = 8'h{c['code']:02x};"
                 f"  // args: {', '.join(c['args']) or 'none'}")
    o.append("")
    o.append(f"  localparam int unsigned InfoWords = {len(s['info'])};")
    for i, w in enumerate(s["info"]):
        o.append(f"  localparam int unsigned Info{camel(w['name'])} = {i};")
    o += ["", "endpackage", ""]
    return "\n".join(o)


def link_h() -> str:
    s = load()
    ln = s["link"]
    o = [cpp.banner(SOURCE),
         "/// @file npu_link.h",
         "/// @brief The host link of the FPGA build (docs/gen/link.md).",
         "#pragma once", "", "#include <cstdint>", "", "namespace npu::link {", "",
         f"inline constexpr uint32_t kMagic = 0x{ln['magic']:08x};",
         f"inline constexpr uint32_t kVersion = {ln['version']};",
         "/// A command left incomplete this long is abandoned by the board.",
         f"inline constexpr uint32_t kResyncUs = {ln['resync_us']};", "",
         "/// Status bytes."]
    for st in s["status"]:
        o.append(f"inline constexpr uint8_t kStatus{camel(st['name'])} = 0x{st['code']:02x};"
                 f"  ///< {st['doc']}")
    o += ["", "/// Command bytes."]
    for c in s["command"]:
        o.append(f"inline constexpr uint8_t kCmd{camel(c['name'])} = 0x{c['code']:02x};"
                 f"  ///< args: {', '.join(c['args']) or 'none'}. {c['doc']}")
    o += ["", "/// Index of each word in the reply of `info`."]
    for i, w in enumerate(s["info"]):
        o.append(f"inline constexpr int {kconst('info_' + w['name'])} = {i};  ///< {w['doc']}")
    o.append(f"inline constexpr int kInfoWords = {len(s['info'])};")
    sb = s["sim_board"]
    o += ["", "/// The simulated board of the tests (tb/fpga/board_sim.h).",
          f"inline constexpr const char* kSimBoardConfig = \"{sb['config']}\";",
          f"inline constexpr uint32_t kSimBoardMemBytes = {sb['mem_bytes']};",
          f"inline constexpr uint32_t kSimBoardClksPerBit = {sb['clks_per_bit']};",
          f"inline constexpr uint32_t kSimBoardResyncCycles = {sb['resync_cycles']};",
          "", "}  // namespace npu::link", ""]
    return "\n".join(o)


def link_md() -> str:
    s = load()
    ln = s["link"]
    o = [md.banner(SOURCE), "# Host link (FPGA build)", "",
         "The byte protocol between the host runtime (`--backend fpga`) and the UART",
         "bridge of `npu_fpga_top` (docs/fpga.md). 8N1, no flow control; every",
         "argument and reply word is 32 bits, little-endian. The host sends a",
         "command byte and its arguments; the board answers with one status byte",
         "and, on success, the reply.", "",
         f"Protocol version {ln['version']}. A command left incomplete for "
         f"{ln['resync_us']} µs is abandoned, so a host that lost its place waits "
         "that long and starts again.", "",
         "## Commands", "", "| byte | command | arguments | reply after `ok` | |",
         "|---|---|---|---|---|"]
    for c in s["command"]:
        ch = chr(c["code"])
        o.append(f"| 0x{c['code']:02X} (`{ch}`) | {c['name']} | {', '.join(c['args']) or '-'} | "
                 f"{c['reply'] or '-'} | {c['doc']} |")
    o += ["", "## Status", "", "| byte | status | meaning |", "|---|---|---|"]
    for st in s["status"]:
        o.append(f"| 0x{st['code']:02X} (`{chr(st['code'])}`) | {st['name']} | {st['doc']} |")
    o += ["", "## Info words", "", "| word | name | meaning |", "|---|---|---|"]
    for i, w in enumerate(s["info"]):
        o.append(f"| {i} | {w['name']} | {w['doc']} |")
    o.append("")
    return "\n".join(o)


def sim_board_cmake() -> str:
    sb = load()["sim_board"]
    params = " ".join(f"{k}={v}" for k, v in sim_board().items())
    return "\n".join([
        f"# Generated by scripts/gen_spec.py from {SOURCE}. Do not edit by hand.",
        "# The simulated FPGA board (tb/fpga): its configuration and the npu_fpga_top",
        "# parameters besides the configuration's.",
        f"set(NPU_BOARD_SIM_CONFIG {sb['config']})",
        f"set(NPU_BOARD_SIM_PARAMS {params})", ""])

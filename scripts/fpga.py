#!/usr/bin/env python3
"""Build the npu's FPGA bitstream for a board with open tools only.

  scripts/fpga.py --board ulx3s [--config 4x4] [--build BUILD] [--out DIR] [--seed N] [--check]

Yosys synthesizes the board top (rtl/fpga/boards/npu_<board>.sv around
npu_fpga_top) for the board's part, nextpnr places and routes it against the
board's pins and clock (constraints/<board>/), and ecppack or icepack writes
the bitstream. The tools are YoWASP's builds from PyPI, pinned in
scripts/requirements.txt and run from the project's .venv. Written to DIR
(default BUILD/fpga/<board>-<config>, BUILD defaulting to build):

  npu_<board>.bit (ECP5) or .bin (iCE40)   the bitstream
  report.md, report.json                   configuration, resources, Fmax
  synth.log, pnr.log                       the tools' logs

The bitstream (and its report) is replaced only when every step succeeded.
--check stops after nextpnr's packing: the design synthesizes for the part,
its constraints apply and it fits (report.md without Fmax, no bitstream), in
minutes instead of the tens of minutes that placement and routing take.

Exit status: 0 built with timing met; 3 built but the design misses the board clock (the report
says by how much; --allow-timing-fail turns it into 0); 1 any other failure.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from npuspec import boards  # noqa: E402
from npuspec.spec import ROOT, load_configs  # noqa: E402

VENV_BIN = ROOT / ".venv" / "bin"

INCLUDES = ["rtl/prim/npu_assert.svh", "rtl/fpga/boards/npu_board.svh"]

# nextpnr's cell types, by what the report calls them.
RESOURCES = {
    "ecp5": [("Logic cells (LUT4 or carry)", "TRELLIS_COMB"), ("FF", "TRELLIS_FF"), ("DSP (MULT18X18D)", "MULT18X18D"),
             ("Block RAM (DP16KD)", "DP16KD"), ("Distributed RAM", "TRELLIS_RAMW"),
             ("IO", "TRELLIS_IO"), ("PLL", "EHXPLLL")],
    "ice40": [("Logic cells (LUT4 + FF)", "ICESTORM_LC"), ("DSP (SB_MAC16)", "ICESTORM_DSP"),
              ("Block RAM (SB_RAM40_4K)", "ICESTORM_RAM"), ("SPRAM", "ICESTORM_SPRAM"),
              ("IO", "SB_IO"), ("PLL", "ICESTORM_PLL")],
}


FlowError = boards.BoardError  # one kind of error: the message says what went wrong


def tool(name: str) -> str:
    exe = VENV_BIN / f"yowasp-{name}"
    if not exe.exists():
        raise FlowError(f"{exe} not found; run scripts/setup_venv.sh (make fpga does) to install "
                        "the pinned YoWASP tools")
    return str(exe)


def run(cmd: list[str], cwd: pathlib.Path, log: pathlib.Path, what: str) -> float:
    """Runs cmd in cwd with its output in log; prints a line a minute while it runs."""
    start = time.monotonic()
    print(f"fpga: {what} ...", flush=True)
    with open(log, "w") as f:
        p = subprocess.Popen(cmd, cwd=cwd, stdout=f, stderr=subprocess.STDOUT)
        while True:
            try:
                p.wait(timeout=60)
                break
            except subprocess.TimeoutExpired:
                print(f"fpga: {what}: {time.monotonic() - start:.0f} s", flush=True)
    took = time.monotonic() - start
    if p.returncode != 0:
        tail = "".join(log.read_text(errors="replace").splitlines(True)[-25:])
        raise FlowError(f"{what} failed (exit {p.returncode}) after {took:.0f} s; the end of "
                        f"{log}:\n{tail}")
    print(f"fpga: {what}: {took:.0f} s", flush=True)
    return took


def stage_sources(out: pathlib.Path, board: dict) -> list[str]:
    """Copies the RTL and constraints into out/src (the YoWASP tools see only
    their working folder) and returns the RTL paths relative to out."""
    src = out / "src"
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    # rtl/npu.f (npu_top), rtl/fpga.f (npu_fpga_top), then the board top.
    files = [ln.strip() for f in ("rtl/npu.f", "rtl/fpga.f")
             for ln in (ROOT / f).read_text().splitlines() if ln.strip()]
    files += [f"rtl/fpga/boards/{board['top']}.sv"]
    for rel in files + INCLUDES:
        shutil.copy(ROOT / rel, src / pathlib.Path(rel).name)
    shutil.copy(board["dir"] / board["constraints"], src / board["constraints"])
    return [f"src/{pathlib.Path(rel).name}" for rel in files]


def params(board: dict, config: str) -> dict[str, int]:
    cfgs = load_configs()
    c = cfgs.find(config)
    if c is None:
        raise FlowError(f"unknown configuration '{config}'; known: "
                        f"{', '.join(x['name'] for x in cfgs.configs)} (spec/configs.toml)")
    return {**{x["sv"]: c[x["key"]] for x in cfgs.params}, **boards.top_params(board, c["dim"])}


def synth(out: pathlib.Path, board: dict, files: list[str], prm: dict[str, int]) -> float:
    chparams = " ".join(f"-chparam {k} {v}" for k, v in prm.items())
    if board["family"] == "ecp5":
        synth_cmd = f"synth_ecp5 -top {board['top']} -json top.json"
    else:
        synth_cmd = f"synth_ice40 -top {board['top']} -dsp -spram -json top.json"
    # The vendor primitives the board tops instantiate (the PLL), as black boxes.
    cells = "+/ecp5/cells_bb.v" if board["family"] == "ecp5" else "+/ice40/cells_sim.v"
    script = "\n".join([
        f"read_verilog -lib -specify {cells}",
        f"read_verilog -sv -Isrc {' '.join(files)}",
        f"hierarchy -check -top {board['top']} {chparams}",
        synth_cmd,
        "tee -o synth_stat.txt stat",
        "",
    ])
    (out / "synth.ys").write_text(script)
    return run([tool("yosys"), "-q", "-l", "synth.log", "synth.ys"], out, out / "synth.out",
               f"synthesis ({board['family']}, yosys)")


def over_capacity(pnr_log: pathlib.Path) -> list[str]:
    """The resources of nextpnr's "Device utilisation" table that exceed the part."""
    over = []
    for m in re.finditer(r"Info:\s+(\w+):\s+(\d+)/\s*(\d+)\s+\d+%", pnr_log.read_text(errors="replace")):
        used, avail = int(m.group(2)), int(m.group(3))
        if used > avail:
            over.append(f"{m.group(1)} {used} of {avail}")
    return over


def place_route(out: pathlib.Path, board: dict, seed: int, check: bool) -> float:
    common = ["--json", "top.json", "--report", "report_pnr.json",
              "--freq", f"{board['core_mhz']:g}",
              "--seed", str(seed), "--timing-allow-fail", "--router", "router2", "--log", "pnr.log",
              "-q"]
    if check:
        common.append("--pack-only")
    if board["family"] == "ecp5":
        cmd = [tool("nextpnr-ecp5"), f"--{board['device']}", "--package", board["package"],
               "--speed", str(board["speed"]), "--lpf", f"src/{board['constraints']}"]
        cmd += [] if check else ["--textcfg", "top.config"]
    else:
        cmd = [tool("nextpnr-ice40"), f"--{board['device']}", "--package", board["package"],
               "--pcf", f"src/{board['constraints']}"]
        cmd += [] if check else ["--asc", "top.asc"]
    cmd += common
    what = "packing (nextpnr --pack-only)" if check else "place and route (nextpnr)"
    failure = None
    try:
        took = run(cmd, out, out / "pnr.out", what)
    except FlowError as e:
        failure = e
    # nextpnr stops on a design too big to place, but packs one without complaint.
    over = over_capacity(out / "pnr.log") if (out / "pnr.log").exists() else []
    if over:
        raise FlowError(f"the design does not fit the {board['part']}: needs " + ", ".join(over)
                        + f" (nextpnr's count; pnr.log in {out}); docs/fpga.md lists what fits "
                        "which board")
    if failure is not None:
        raise failure
    return took


def pack(out: pathlib.Path, board: dict, bitstream: pathlib.Path) -> float:
    tmp = bitstream.with_suffix(bitstream.suffix + ".tmp")
    if board["family"] == "ecp5":
        cmd = [tool("ecppack"), "--compress", "top.config", tmp.name]
    else:
        cmd = [tool("icepack"), "top.asc", tmp.name]
    took = run(cmd, out, out / "pack.out", "bitstream (" + pathlib.Path(cmd[0]).name[7:] + ")")
    os.replace(tmp, bitstream)
    return took


def report(out: pathlib.Path, key: str, board: dict, config: str, prm: dict, times: dict,
           bitstream: pathlib.Path) -> dict:
    rep = json.loads((out / "report_pnr.json").read_text())
    util = rep.get("utilization") or rep.get("utilisation") or {}
    res = []
    for label, cell in RESOURCES[board["family"]]:
        u = util.get(cell, {"used": 0, "available": 0})
        res.append({"resource": label, "cell": cell, "used": u["used"],
                    "available": u["available"]})
    fmax = rep.get("fmax", {})
    clocks = [{"clock": k, "achieved_mhz": v["achieved"], "constraint_mhz": v["constraint"]}
              for k, v in fmax.items()]
    met = bitstream is None or (bool(clocks) and
                                all(c["achieved_mhz"] >= c["constraint_mhz"] for c in clocks))
    r = {"board": key, "board_name": board["name"], "part": board["part"],
         "config": config, "parameters": prm, "core_mhz": board["core_mhz"], "clocks": clocks,
         "timing_met": met, "resources": res,
         "bitstream": bitstream.name if bitstream is not None else None,
         "seconds": {k: round(v, 1) for k, v in times.items()}}
    dim = prm["Dim"]
    lines = [f"# {board['name']} ({board['part']}), configuration {config}", "",
             f"NPU clock {board['core_mhz']:g} MHz (board oscillator {board['clock_mhz']} MHz); "
             f"{dim}x{dim} array: {2 * dim * dim * board['core_mhz'] / 1000:.1f} GOPS peak "
             f"(int8, a MAC = 2 operations). System memory {board['mem_bytes'] // 1024} KiB, "
             f"UART {board['baud']} baud.", "",
             "| resource | used | available | % |", "|---|---:|---:|---:|"]
    for x in res:
        pct = 100.0 * x["used"] / x["available"] if x["available"] else 0.0
        lines.append(f"| {x['resource']} | {x['used']} | {x['available']} | {pct:.1f} |")
    if bitstream is None:
        lines += ["", "Checked up to nextpnr's packing (scripts/fpga.py --check): not placed "
                  "and routed, so no Fmax and no bitstream."]
    else:
        lines += ["", "| clock | Fmax (MHz) | constraint (MHz) | |", "|---|---:|---:|---|"]
    for c in clocks if bitstream is not None else []:
        ok = "PASS" if c["achieved_mhz"] >= c["constraint_mhz"] else "FAIL"
        lines.append(f"| {c['clock']} | {c['achieved_mhz']:.1f} | {c['constraint_mhz']:.1f} | {ok} |")
    lines += ["", "Seconds: " + ", ".join(f"{k} {v:.0f}" for k, v in times.items()) + "."]
    if bitstream is not None:
        lines.append(f"Bitstream: {bitstream.name}. Flash: `"
                     + board.get("flash", "").format(bitstream=bitstream.name) + "`.")
    lines.append("")
    (out / "report.md").write_text("\n".join(lines))
    (out / "report.json").write_text(json.dumps(r, indent=2) + "\n")
    print("\n".join(lines))
    return r


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.splitlines()[2:]))
    ap.add_argument("--board", required=True, help="one of: " + ", ".join(boards.names()))
    ap.add_argument("--config", help="named configuration (default: the board's)")
    ap.add_argument("--build", default="build", help="build folder (default build)")
    ap.add_argument("--out", help="output folder (default BUILD/fpga/<board>-<config>, "
                    "with -check appended for --check)")
    ap.add_argument("--seed", type=int, default=1, help="nextpnr's placement seed (default 1)")
    ap.add_argument("--check", action="store_true",
                    help="stop after packing: synthesis, constraints and fit only")
    ap.add_argument("--allow-timing-fail", action="store_true",
                    help="exit 0 when the design misses the board clock")
    args = ap.parse_args()
    try:
        board = boards.load(args.board)
        config = args.config or board["config"]
        prm = params(board, config)
        leaf = f"{args.board}-{config}" + ("-check" if args.check else "")
        out = pathlib.Path(args.out or pathlib.Path(args.build) / "fpga" / leaf)
        out = out.resolve()
        out.mkdir(parents=True, exist_ok=True)
        bitstream = out / f"npu_{args.board}.{'bit' if board['family'] == 'ecp5' else 'bin'}"
        print(f"fpga: {board['name']} ({board['part']}), configuration {config}, into {out}")
        files = stage_sources(out, board)
        times = {"synthesis": synth(out, board, files, prm)}
        times["place and route"] = place_route(out, board, args.seed, args.check)
        if args.check:
            r = report(out, args.board, board, config, prm, times, None)
            print(f"fpga: PASS: {config} synthesizes for the {board['part']} and fits")
            return 0
        times["pack"] = pack(out, board, bitstream)
        r = report(out, args.board, board, config, prm, times, bitstream)
    except FlowError as e:
        print(f"fpga: {e}", file=sys.stderr)
        return 1
    if not r["timing_met"]:
        print(f"fpga: timing FAILED: the design misses the {board['core_mhz']:g} MHz clock "
              f"(see {out / 'report.md'})", file=sys.stderr)
        return 0 if args.allow_timing_fail else 3
    print(f"fpga: PASS: {bitstream}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

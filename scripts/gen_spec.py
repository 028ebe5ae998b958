#!/usr/bin/env python3
"""Generate SystemVerilog packages, C++ headers, Markdown and CMake from spec/*.toml.

The ISA (spec/isa.toml: units, token queues, instructions, enums, parameter
blocks), the register map with the performance counters (spec/regs.toml) and
the named configurations with the microarchitecture constants
(spec/configs.toml) are each written once; everything that restates them is
generated here (scripts/npuspec/):

  rtl/gen/npu_isa_pkg.sv      sw/gen/npu_isa.h       docs/gen/isa.md
  rtl/gen/npu_reg_pkg.sv      sw/gen/npu_regs.h      docs/gen/regs.md
  rtl/gen/npu_config_pkg.sv   sw/gen/npu_configs.h   docs/gen/configs.md
  cmake/gen/npu_configs.cmake
  rtl/gen/npu_link_pkg.sv     sw/gen/npu_link.h      docs/gen/link.md   (spec/link.toml)
  cmake/gen/npu_board_sim.cmake (the simulated board, spec/link.toml)
  npu.core (FuseSoC; from rtl/npu.f, rtl/fpga.f, the configurations and the boards)
  docs/gen/testplan.md (spec/testplan.toml, checked to cover every entry of the ISA and the
                        register map)

Usage:
  scripts/gen_spec.py            write the files
  scripts/gen_spec.py --check    exit 1 (listing the files and the diff) if any is stale
"""

from __future__ import annotations

import argparse
import difflib
import sys

from npuspec import cpp, fusesoc, link, md, sv, testplan
from npuspec.spec import ROOT, Spec


def outputs() -> dict[str, str]:
    spec = Spec()
    return {
        "rtl/gen/npu_isa_pkg.sv": sv.isa_pkg(spec),
        "rtl/gen/npu_reg_pkg.sv": sv.regs_pkg(spec),
        "rtl/gen/npu_config_pkg.sv": sv.config_pkg(spec),
        "sw/gen/npu_isa.h": cpp.isa_h(spec),
        "sw/gen/npu_regs.h": cpp.regs_h(spec),
        "sw/gen/npu_configs.h": cpp.configs_h(spec),
        "docs/gen/isa.md": md.isa_md(spec),
        "docs/gen/regs.md": md.regs_md(spec),
        "docs/gen/configs.md": md.configs_md(spec),
        "cmake/gen/npu_configs.cmake": md.configs_cmake(spec),
        "rtl/gen/npu_link_pkg.sv": link.link_pkg(),
        "sw/gen/npu_link.h": link.link_h(),
        "docs/gen/link.md": link.link_md(),
        "cmake/gen/npu_board_sim.cmake": link.sim_board_cmake(),
        "npu.core": fusesoc.core(),
        "docs/gen/testplan.md": testplan.testplan_md(spec),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true",
                    help="fail if a generated file differs from what would be written")
    args = ap.parse_args()
    stale = []
    for rel, text in outputs().items():
        path = ROOT / rel
        old = path.read_text() if path.exists() else ""
        if old == text:
            continue
        if args.check:
            stale.append(rel)
            sys.stdout.writelines(difflib.unified_diff(
                old.splitlines(True), text.splitlines(True), f"a/{rel}", f"b/{rel}", n=1))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            print(f"wrote {rel}")
    if stale:
        print("stale generated files (run `make gen`): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

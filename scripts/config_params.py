#!/usr/bin/env python3
"""Print the npu_top parameter overrides of a named configuration.

  scripts/config_params.py --yosys 4x4      -> -chparam Dim 4 -chparam ...
  scripts/config_params.py --verilator 4x4  -> -GDim=4 -G...
  scripts/config_params.py --list           -> the configuration names

The configurations are read from spec/configs.toml (the single source).
"""

import argparse
import pathlib
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
NAMES = {"dim": "Dim", "spad_a": "SpadARows", "spad_b": "SpadBRows", "spad_p": "SpadPRows",
         "acc": "AccRows", "reads": "MaxReads", "queue": "QueueDepth"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--yosys", metavar="CONFIG")
    g.add_argument("--verilator", metavar="CONFIG")
    g.add_argument("--list", action="store_true")
    args = ap.parse_args()
    with open(ROOT / "spec" / "configs.toml", "rb") as f:
        cfg = tomllib.load(f)
    if args.list:
        print(" ".join(c["name"] for c in cfg["config"]))
        return 0
    name = args.yosys or args.verilator
    for c in cfg["config"]:
        if c["name"] == name:
            if args.yosys:
                print(" ".join(f"-chparam {v} {c[k]}" for k, v in NAMES.items()))
            else:
                print(" ".join(f"-G{v}={c[k]}" for k, v in NAMES.items()))
            return 0
    known = ", ".join(c["name"] for c in cfg["config"])
    print(f"unknown configuration {name!r}; known: {known} (spec/configs.toml)", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())

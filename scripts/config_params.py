#!/usr/bin/env python3
"""Print the npu_top parameter overrides of a named configuration.

  scripts/config_params.py --yosys 4x4      -> -chparam Dim 4 -chparam ...
  scripts/config_params.py --verilator 4x4  -> -GDim=4 -G...
  scripts/config_params.py --list           -> the configuration names

The configurations and their parameter names are read from spec/configs.toml
(the single source).
"""

import argparse
import sys

from npuspec.spec import load_configs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--yosys", metavar="CONFIG")
    g.add_argument("--verilator", metavar="CONFIG")
    g.add_argument("--list", action="store_true")
    args = ap.parse_args()
    cfg = load_configs()
    if args.list:
        print(" ".join(c["name"] for c in cfg.configs))
        return 0
    name = args.yosys or args.verilator
    c = cfg.find(name)
    if c is None:
        known = ", ".join(c["name"] for c in cfg.configs)
        print(f"unknown configuration {name!r}; known: {known} (spec/configs.toml)",
              file=sys.stderr)
        return 1
    if args.yosys:
        print(" ".join(f"-chparam {p['sv']} {c[p['key']]}" for p in cfg.params))
    else:
        print(" ".join(f"-G{p['sv']}={c[p['key']]}" for p in cfg.params))
    return 0


if __name__ == "__main__":
    sys.exit(main())

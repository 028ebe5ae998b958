#!/usr/bin/env python3
"""Check the verification plan's test references against the built test binaries.

  scripts/testplan_check.py BUILD

Every `tests` entry of spec/testplan.toml is "<binary>:<case regex>". The
binaries are those CTest runs in BUILD (a glob such as tb_top_* matches every
configuration's); each must list at least one case the regex finds, so a
renamed or deleted test cannot leave the plan pointing at nothing. The cases
come from the binaries themselves: `--gtest_list_tests` for GoogleTest,
`--list` for the coroutine testbenches (tb/sim/runner.h); the binary `cocotb`
stands for the cocotb tests of tb/cocotb (its functions marked cocotb.test),
`formal` for the proofs of scripts/formal.sh (tb/formal).
Exit status: 0 every reference resolves, 1 one does not, 2 bad usage.
"""

from __future__ import annotations

import ast
import fnmatch
import json
import pathlib
import re
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from npuspec.spec import ROOT, Spec  # noqa: E402
from npuspec.testplan import load  # noqa: E402


def binaries(build: pathlib.Path) -> dict[str, str]:
    """Basename -> path of every compiled executable a CTest test runs."""
    out = subprocess.run(["ctest", "--test-dir", str(build), "--show-only=json-v1"],
                         capture_output=True, text=True, check=True)
    found = {}
    for t in json.loads(out.stdout)["tests"]:
        cmd = t.get("command") or []
        if not cmd:
            continue
        path = pathlib.Path(cmd[0])
        try:
            elf = path.open("rb").read(4) == b"\x7fELF"
        except OSError:
            continue
        if elf:
            found.setdefault(path.name, str(path))
    return found


def cases(path: str) -> list[str]:
    """The test cases a binary lists (GoogleTest or the coroutine runner)."""
    g = subprocess.run([path, "--gtest_list_tests"], capture_output=True, text=True, timeout=120)
    if g.returncode == 0 and "Running main()" in g.stdout:
        names, suite = [], ""
        for line in g.stdout.splitlines():
            if line.startswith("Running main()") or not line.strip():
                continue
            if not line.startswith(" "):
                suite = line.split("#")[0].strip()
            else:
                names.append(suite + line.split("#")[0].strip())
        return names
    r = subprocess.run([path, "--list"], capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError(f"{path} lists no tests (--gtest_list_tests nor --list): {r.stderr.strip()}")
    return r.stdout.split()


def cocotb_cases() -> list[str]:
    """The cocotb tests of tb/cocotb (functions decorated with cocotb.test): the binary `cocotb`."""
    names = []
    for path in sorted((ROOT / "tb" / "cocotb").glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.AsyncFunctionDef) and any(
                    "cocotb.test" in ast.unparse(d) for d in node.decorator_list):
                names.append(node.name)
    return names


def formal_cases() -> list[str]:
    """The proofs of scripts/formal.sh (`--list`): the binary `formal`."""
    r = subprocess.run(["bash", str(ROOT / "scripts" / "formal.sh"), "--list"], capture_output=True,
                       text=True, check=True)
    return r.stdout.split()


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    build = pathlib.Path(sys.argv[1])
    if not (build / "CMakeCache.txt").exists():
        print(f"testplan_check: '{build}' is not a configured build folder", file=sys.stderr)
        return 2
    bins = binaries(build)
    listed: dict[str, list[str]] = {"cocotb": cocotb_cases(), "formal": formal_cases()}
    bins["cocotb"] = "tb/cocotb"
    bins["formal"] = "tb/formal"
    bad, refs = [], 0
    for item in load(Spec()):
        for glob, case in item.tests:
            refs += 1
            matched = sorted(b for b in bins if fnmatch.fnmatchcase(b, glob))
            if not matched:
                bad.append(f"{item.id}: no test binary of this build matches '{glob}'")
            regex = re.compile(case)
            for b in matched:
                if b not in listed:
                    listed[b] = cases(bins[b])
                if not any(regex.search(c) for c in listed[b]):
                    bad.append(f"{item.id}: {b} has no case matching '{case}'")
    for line in bad:
        print(f"testplan_check: {line}")
    print(f"testplan_check: {refs} references over {len(listed)} binaries, {len(bad)} unresolved")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

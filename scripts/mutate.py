#!/usr/bin/env python3
"""The mutation check of `make mutate`: do the tests catch planted RTL bugs?

  scripts/mutate.py run --build DIR [--only REGEX] [--seed N] [--jobs J]
                        [--mutations FILE] [--source DIR]
  scripts/mutate.py check [--mutations FILE] [--source DIR]

The mutations are data (tb/mutate/mutations.toml): a file, an exact text
found once in it, its replacement, and the tests that must catch the bug.
`run` copies the source tree (the files git tracks or would track, so
uncommitted edits are included) into DIR/src, a file only when it changed,
and configures DIR/build from it, so the working tree is never touched, even when the run is interrupted.
Then:

  1. it builds every test target named and runs each test on the unmutated
     copy: all must pass, else a failure could not count as a catch;
  2. for each mutation in turn: it writes the mutated file, rebuilds the
     mutation's targets, runs its tests with the same seed and restores the
     file. A test that fails (or runs over --timeout) catches the mutation;
     a mutant that does not compile is an error in the list, not a catch.

Every test runs with `--seed N` (default 1), printed with a replay line.
Writes DIR/report.md, DIR/report.json and each test run's whole output in
DIR/logs/. Exit status: 0 every mutation
caught, 1 one survived or the unmutated tests failed, 2 bad input (the list,
a mutant that does not build, a missing target).

`check` only validates the list against the source: names unique, every
file there and every `find` text in it exactly once (scripts_selftest runs
it, so that the list keeps up with the RTL).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from collections import deque
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LIST = ROOT / "tb/mutate/mutations.toml"
DEFAULT_CONFIG = "4x4"
FIELDS = {"name", "what", "file", "find", "replace", "tests", "config"}


class InputError(Exception):
    """Bad input: the message says what is wrong."""


@dataclass
class Test:
    target: str  # CMake target, {cfg} already replaced
    filter: str  # the runner's --filter

    def label(self) -> str:
        return f"{self.target} --filter '{self.filter}'"


@dataclass
class Mutation:
    name: str
    what: str
    file: str
    find: str
    replace: str
    config: str
    tests: list[Test]


def config_id(config: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", config)


def load(path: Path) -> list[Mutation]:
    """The list, with every field checked; InputError names the entry and the field."""
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise InputError(f"cannot read the mutation list '{path}': {e}") from None
    entries = data.get("mutation")
    if not isinstance(entries, list) or not entries:
        raise InputError(f"'{path}' has no [[mutation]] entries")
    out: list[Mutation] = []
    for i, e in enumerate(entries):
        where = f"'{path}', mutation {i + 1} ({e.get('name', 'no name')})"
        unknown = set(e) - FIELDS
        if unknown:
            raise InputError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        for key in ("name", "what", "file", "find", "replace"):
            if not isinstance(e.get(key), str) or not e[key]:
                raise InputError(f"{where}: '{key}' must be a non-empty string")
        if e["find"] == e["replace"]:
            raise InputError(f"{where}: 'replace' is the same as 'find'")
        config = e.get("config", DEFAULT_CONFIG)
        tests = e.get("tests")
        if not isinstance(tests, list) or not tests:
            raise InputError(f"{where}: 'tests' must list at least one {{ target, filter }}")
        parsed = []
        for t in tests:
            if not isinstance(t, dict) or set(t) != {"target", "filter"} or \
                    not all(isinstance(v, str) and v for v in t.values()):
                raise InputError(f"{where}: each test is {{ target = \"...\", filter = \"...\" }}, not {t}")
            parsed.append(Test(t["target"].replace("{cfg}", config_id(config)), t["filter"]))
        out.append(Mutation(e["name"], e["what"], e["file"], e["find"], e["replace"], config, parsed))
    names = [m.name for m in out]
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        raise InputError(f"'{path}': mutation names used twice: {', '.join(dups)}")
    return out


def mutated_text(m: Mutation, source: Path) -> tuple[str, str]:
    """(original, mutated) text of the mutation's file under source."""
    path = source / m.file
    try:
        text = path.read_text()
    except OSError as e:
        raise InputError(f"mutation {m.name}: cannot read '{m.file}': {e.strerror}") from None
    n = text.count(m.find)
    if n != 1:
        where = "does not occur" if n == 0 else f"occurs {n} times"
        raise InputError(f"mutation {m.name}: its 'find' text {where} in '{m.file}' (it must occur once)")
    return text, text.replace(m.find, m.replace)


def check(mutations: list[Mutation], source: Path) -> None:
    for m in mutations:
        mutated_text(m, source)


def copy_source(source: Path, dest: Path) -> None:
    """Bring dest to the files git tracks or would track in source (uncommitted edits
    included). A file whose bytes are already there is left alone; any other is written
    afresh, with a new time, so the build redoes what depends on it: copying the times
    would make a file restored after an earlier run's last mutant look older than that
    mutant's build, and the unmutated tests would run the mutant."""
    files = subprocess.run(["git", "-C", str(source), "ls-files", "-z", "--cached", "--others",
                            "--exclude-standard"], capture_output=True, text=True)
    if files.returncode != 0:
        raise InputError(f"'{source}' is not a git checkout: {files.stderr.strip()}")
    wanted = set()
    for name in filter(None, files.stdout.split("\0")):
        src = source / name
        if not src.is_file():  # a deleted but still tracked file
            continue
        wanted.add(name)
        data, out = src.read_bytes(), dest / name
        if out.is_file() and out.read_bytes() == data:
            continue
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        shutil.copymode(src, out)
    for old in [p for p in dest.rglob("*") if p.is_file()]:
        if old.relative_to(dest).as_posix() not in wanted:
            old.unlink()


def step(cmd: list[str], what: str) -> None:
    """Runs cmd, printing a progress line at each tenth of the build steps that
    Ninja reports ("[N/M]") and at least every 15 s while steps end (M grows
    once Verilator has written the model's C++); on failure the error names
    `what` and quotes the last 40 lines of output."""
    tail: deque[str] = deque(maxlen=40)
    started = last = time.monotonic()
    shown = 0
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as p:
        for line in p.stdout:
            tail.append(line.rstrip("\n"))
            m = re.match(r"\[(\d+)/(\d+)\]", line)
            if not m or int(m[2]) < 10:
                continue
            tenth, now = 10 * int(m[1]) // int(m[2]), time.monotonic()
            if tenth > shown or now - last >= 15:
                shown, last = max(shown, tenth), now
                print(f"mutate:   {what}: step {m[1]} of {m[2]}, {now - started:.0f} s", flush=True)
    if p.returncode != 0:
        raise InputError(f"{what} failed: {' '.join(cmd)}\n" + "\n".join(tail))


@functools.cache  # the path stays while the build folder does; searched once per run
def binary(build: Path, target: str) -> Path:
    found = [p for p in build.rglob(target) if p.is_file() and os.access(p, os.X_OK)]
    if len(found) != 1:
        raise InputError(f"target '{target}' built {len(found)} executables named so in '{build}'")
    return found[0]


def run_test(build: Path, test: Test, seed: int, timeout: float, log: Path) -> tuple[str, str]:
    """('pass' | 'fail' | 'timeout', the output), the output also written to log."""
    cmd = [str(binary(build, test.target)), "--seed", str(seed), "--filter", test.filter]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        result, out = ("pass" if r.returncode == 0 else "fail"), r.stdout + r.stderr
    except subprocess.TimeoutExpired:
        result, out = "timeout", f"no end within {timeout:.0f} s"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(f"$ {' '.join(cmd)}\n{out}")
    return result, out


def first_failure(output: str) -> str:
    """The first line of a failing run that says what failed, for the report: a failed
    check of the runner first, then an RTL assertion or a mismatch, else the last line."""
    lines = output.splitlines()
    for pattern in (r"failed:", r"%Error|Assertion|[Aa]ssert.*fail", r"FAIL|mismatch|differ"):
        for line in lines:
            if re.search(pattern, line):
                return line.strip()[:200]
    return lines[-1].strip()[:200] if lines else ""


def run(args) -> int:
    mutations = load(args.mutations)
    if args.only:
        mutations = [m for m in mutations if re.search(args.only, m.name)]
        if not mutations:
            raise InputError(f"--only '{args.only}' matches no mutation of '{args.mutations}'")
    check(mutations, args.source)
    work = args.build.resolve()
    src, build = work / "src", work / "build"
    configs = sorted({m.config for m in mutations})
    for old in ("report.md", "report.json"):  # a stopped run leaves no earlier run's report
        (work / old).unlink(missing_ok=True)
    print(f"mutate: {len(mutations)} mutation(s), seed {args.seed}; copying the source into {src}", flush=True)
    copy_source(args.source, src)
    step(["cmake", "-S", str(src), "-B", str(build), "-G", "Ninja",
          f"-DNPU_RTL_CONFIGS={';'.join(configs)}"], "configuring the mutation build")

    def build_targets(targets: list[str], what: str) -> None:
        step(["cmake", "--build", str(build), "-j", str(args.jobs), "--target", *targets], what)

    tests = {t.label(): t for m in mutations for t in m.tests}
    started = time.monotonic()
    print(f"mutate: building {len({t.target for t in tests.values()})} target(s) unmutated", flush=True)
    build_targets(sorted({t.target for t in tests.values()}), "building the unmutated tests")
    base_failed = []
    shutil.rmtree(work / "logs", ignore_errors=True)
    for n, (label, t) in enumerate(tests.items(), 1):
        log = work / "logs" / f"unmutated-{n}.log"
        result, out = run_test(build, t, args.seed, args.timeout, log)
        print(f"mutate: unmutated {label}: {result}", flush=True)
        if result != "pass":
            base_failed.append(f"{label}: {result}: {first_failure(out)} (whole output: {log})")
    if base_failed:
        print("mutate: tests fail without any mutation, so a failure cannot count as a catch:\n"
              + "\n".join(base_failed), file=sys.stderr)
        return 1

    rows = []
    for i, m in enumerate(mutations, 1):
        t0 = time.monotonic()
        original, mutant = mutated_text(m, src)
        path = src / m.file
        print(f"mutate: [{i}/{len(mutations)}] {m.name}: {m.what}", flush=True)
        path.write_text(mutant)
        try:
            build_targets(sorted({t.target for t in m.tests}), f"building mutant {m.name}")
            results = []
            for k, t in enumerate(m.tests, 1):
                result, out = run_test(build, t, args.seed, args.timeout, work / "logs" / f"{m.name}-{k}.log")
                results.append({"test": t.label(), "result": result,
                                "first_failure": first_failure(out) if result != "pass" else ""})
                print(f"mutate:   {t.label()}: {result}"
                      + (f" ({results[-1]['first_failure']})" if result != "pass" else ""), flush=True)
        finally:
            path.write_text(original)
        caught = any(r["result"] != "pass" for r in results)
        rows.append({"name": m.name, "what": m.what, "file": m.file, "config": m.config,
                     "caught": caught, "tests": results, "seconds": round(time.monotonic() - t0, 1)})
        print(f"mutate:   {'caught' if caught else 'SURVIVED'} in {rows[-1]['seconds']} s", flush=True)

    survived = [r["name"] for r in rows if not r["caught"]]
    summary = {"seed": args.seed, "mutations": len(rows), "caught": len(rows) - len(survived),
               "survived": survived, "seconds": round(time.monotonic() - started, 1), "rows": rows}
    (work / "report.json").write_text(json.dumps(summary, indent=2) + "\n")
    (work / "report.md").write_text(markdown(summary))
    print(f"mutate: {summary['caught']} of {len(rows)} mutations caught in {summary['seconds']:.0f} s"
          f"{'; survived: ' + ', '.join(survived) if survived else ''}; report: {work / 'report.md'}")
    print(f"mutate: replay: make mutate SEED={args.seed}"
          + (f" MUTANTS='{args.only}'" if args.only else ""))
    return 1 if survived else 0


def markdown(s: dict) -> str:
    lines = [f"# Mutation check (seed {s['seed']})", "",
             f"{s['caught']} of {s['mutations']} mutations caught in {s['seconds']:.0f} s.", "",
             "| mutation | bug | file | test | result | first failure |", "| --- | --- | --- | --- | --- | --- |"]
    for r in s["rows"]:
        for t in r["tests"]:
            ff = t["first_failure"].replace("|", "\\|")
            lines.append(f"| {r['name']} | {r['what']} | `{r['file']}` | `{t['test'].replace('|', chr(92) + '|')}` "
                         f"| {t['result']} | {ff} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="plant each mutation in a copy and run its tests (make mutate)")
    r.add_argument("--build", type=Path, required=True, help="work folder (source copy, build, report)")
    r.add_argument("--only", help="only the mutations whose name matches this regular expression")
    r.add_argument("--seed", type=int, default=1, help="base seed of every test (default 1)")
    r.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    r.add_argument("--timeout", type=float, default=1800, help="seconds per test run (default 1800)")
    c = sub.add_parser("check", help="validate the list against the source")
    for q in (r, c):
        q.add_argument("--mutations", type=Path, default=DEFAULT_LIST, help="the mutation list")
        q.add_argument("--source", type=Path, default=ROOT, help="the source tree (default: this one)")
    args = ap.parse_args()
    try:
        if args.cmd == "check":
            mutations = load(args.mutations)
            check(mutations, args.source)
            print(f"mutate: {len(mutations)} mutations, each found once in its file")
            return 0
        return run(args)
    except InputError as e:
        print(f"mutate: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

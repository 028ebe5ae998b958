#!/usr/bin/env python3
"""Run every randomized test over many seeds, in shards, and merge the results.

  scripts/regress.py run BUILD --seeds N [--seed BASE] [--shard I/N] [--label L]
                     [--filter REGEX] [--jobs J] [--out DIR]
  scripts/regress.py merge --out FILE SHARD.xml [SHARD.xml ...]

`run` draws the seeds BASE, BASE+1, ..., BASE+N-1 (BASE drawn afresh unless
given, and printed) and runs every CTest test of BUILD labelled L (default
`random`: the tests whose cases depend on the base seed) once per seed, with
the seed in COCOTB_RANDOM_SEED (coroutine testbenches) and NPU_SEED
(GoogleTest). CTest runs the tests of one seed in parallel (-j J), so test
properties (timeouts, working folders, environment) are CTest's own.

--shard I/N keeps the pairs (test, seed) whose hash falls into shard I of N:
the split depends only on the test names, BASE and N, so N machines given
the same BASE run disjoint shards that together are the whole regression
(a CI matrix, a Slurm job array: docs/testbench.md). Sharding needs --seed,
so that every shard draws the same seeds.

Each shard writes DIR/shard_I_of_N.xml (DIR defaults to BUILD/regress): JUnit,
one testsuite per test, one testcase per seed; a failure carries the seed,
the output's tail and the commands that replay it. `merge` checks that the
shards belong to one regression and are all there, writes one report (JUnit
and a Markdown summary beside it) and lists every failing seed with its
replay command. Exit status: 0 all passed, 1 a test failed, 2 bad usage.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import pathlib
import re
import shlex
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

SEED_ENV = ("COCOTB_RANDOM_SEED", "NPU_SEED")
MAX_SEED = 2**64 - 1
TAIL_LINES = 60  # lines of a failing test's output kept in the report


class UsageError(Exception):
    """Bad input: the message says what is wrong."""


def parse_seed(text: str) -> int:
    try:
        value = int(text, 0)
    except ValueError:
        raise UsageError(f"--seed must be a number (decimal or 0x hex), not '{text}'") from None
    if not 0 <= value <= MAX_SEED:
        raise UsageError(f"--seed must be between 0 and 2^64-1, not {text}")
    return value


def parse_shard(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d+)/(\d+)", text)
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise UsageError(f"--shard must be I/N with 1 <= I <= N (for example 2/4), not '{text}'")
    return int(m.group(1)), int(m.group(2))


def shard_of(test: str, seed: int, shards: int) -> int:
    """The shard (1-based) of one (test, seed) pair: a stable hash, the same on every machine."""
    digest = hashlib.sha256(f"{test}@{seed}".encode()).digest()
    return int.from_bytes(digest[:8], "little") % shards + 1


def list_tests(build: pathlib.Path, label: str, pattern: str | None) -> list[str]:
    out = subprocess.run(["ctest", "--test-dir", str(build), "-N", "-L", f"^{re.escape(label)}$",
                          "--show-only=json-v1"], capture_output=True, text=True)
    if out.returncode != 0:
        raise UsageError(f"ctest could not list the tests of '{build}': {out.stderr.strip()}")
    names = [t["name"] for t in json.loads(out.stdout)["tests"]]
    if pattern is not None:
        try:
            regex = re.compile(pattern)
        except re.error as e:
            raise UsageError(f"--filter is not a regular expression: {e}") from None
        names = [n for n in names if regex.search(n)]
    return names


def replay_commands(build: pathlib.Path, test: str, seed: int, output: str) -> list[str]:
    """The CTest command that reruns the test with the seed, then the finer ones the test printed."""
    env = " ".join(f"{v}={seed}" for v in SEED_ENV)
    cmds = [f"{env} ctest --test-dir {shlex.quote(str(build))} -R {shlex.quote('^' + re.escape(test) + '$')} "
            "--output-on-failure"]
    cmds += [m.group(1) for m in re.finditer(r"^replay: (.*)$", output, re.MULTILINE)]
    return cmds


def run_seed(build: pathlib.Path, tests: list[str], seed: int, jobs: int) -> dict[str, dict]:
    """Runs the tests with one seed through CTest; returns name -> {status, time, output}."""
    regex = "^(" + "|".join(re.escape(t) for t in tests) + ")$"
    with tempfile.TemporaryDirectory(prefix="regress_") as tmp:
        junit = pathlib.Path(tmp) / "ctest.xml"
        env = dict(os.environ, **{v: str(seed) for v in SEED_ENV})
        proc = subprocess.run(["ctest", "--test-dir", str(build), "-R", regex, "-j", str(jobs),
                               "--output-junit", str(junit), "--no-tests=error"],
                              env=env, capture_output=True, text=True)
        if not junit.exists():
            raise RuntimeError(f"ctest wrote no results for seed {seed}:\n{proc.stdout}{proc.stderr}")
        root = ET.parse(junit).getroot()
    results = {}
    for case in root.iter("testcase"):
        name = case.get("name")
        failed = case.find("failure") is not None or case.get("status") == "fail"
        skipped = case.find("skipped") is not None or case.get("status") in ("disabled", "notrun")
        out = case.findtext("system-out") or ""
        results[name] = {"status": "failed" if failed else "skipped" if skipped else "passed",
                         "time": float(case.get("time") or 0.0), "output": out}
    missing = set(tests) - set(results)
    for name in missing:  # CTest did not report it (it could not start it)
        results[name] = {"status": "failed", "time": 0.0,
                         "output": f"CTest reported no result for {name}:\n{proc.stdout}{proc.stderr}"}
    return results


def tail(text: str, lines: int = TAIL_LINES) -> str:
    kept = text.rstrip("\n").split("\n")
    return "\n".join(kept[-lines:])


def write_junit(path: pathlib.Path, meta: dict, cases: list[dict]) -> None:
    """One testsuite per test, one testcase per seed; the regression's parameters as properties."""
    root = ET.Element("testsuites", name="regress")
    props = ET.SubElement(root, "properties")
    for key, value in meta.items():
        ET.SubElement(props, "property", name=key, value=str(value))
    by_test: dict[str, list[dict]] = {}
    for c in cases:
        by_test.setdefault(c["test"], []).append(c)
    for test in sorted(by_test):
        group = sorted(by_test[test], key=lambda c: c["seed"])
        suite = ET.SubElement(root, "testsuite", name=test, tests=str(len(group)),
                              failures=str(sum(c["status"] == "failed" for c in group)),
                              skipped=str(sum(c["status"] == "skipped" for c in group)),
                              time=f"{sum(c['time'] for c in group):.3f}")
        for c in group:
            case = ET.SubElement(suite, "testcase", classname=test, name=f"seed {c['seed']}",
                                 time=f"{c['time']:.3f}")
            cprops = ET.SubElement(case, "properties")
            ET.SubElement(cprops, "property", name="seed", value=str(c["seed"]))
            for cmd in c.get("replay", []):
                ET.SubElement(cprops, "property", name="replay", value=cmd)
            if c["status"] == "failed":
                fail = ET.SubElement(case, "failure", message=f"{test} failed with seed {c['seed']}")
                fail.text = c.get("output", "")
            elif c["status"] == "skipped":
                ET.SubElement(case, "skipped")
    ET.indent(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    ET.ElementTree(root).write(tmp, encoding="utf-8", xml_declaration=True)
    tmp.replace(path)  # never a partial report


def read_junit(path: pathlib.Path) -> tuple[dict, list[dict]]:
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        raise UsageError(f"cannot read shard results '{path}': {e}") from None
    if root.tag != "testsuites" or root.get("name") != "regress":
        raise UsageError(f"'{path}' is not a shard report of scripts/regress.py")
    meta = {p.get("name"): p.get("value") for p in root.findall("properties/property")}
    cases = []
    for suite in root.findall("testsuite"):
        for case in suite.findall("testcase"):
            props = case.findall("properties/property")
            status = "failed" if case.find("failure") is not None else \
                "skipped" if case.find("skipped") is not None else "passed"
            cases.append({"test": suite.get("name"),
                          "seed": int(next(p.get("value") for p in props if p.get("name") == "seed")),
                          "time": float(case.get("time") or 0.0), "status": status,
                          "replay": [p.get("value") for p in props if p.get("name") == "replay"],
                          "output": case.findtext("failure") or ""})
    return meta, cases


def summarize(meta: dict, cases: list[dict], md_path: pathlib.Path | None) -> int:
    """Prints (and writes as Markdown) the totals and every failing seed with its replay."""
    failed = sorted((c for c in cases if c["status"] == "failed"), key=lambda c: (c["test"], c["seed"]))
    tests = sorted({c["test"] for c in cases})
    seeds = sorted({c["seed"] for c in cases})
    passed = sum(c["status"] == "passed" for c in cases)
    whole = int(meta.get("tests", len(tests))) * int(meta.get("seeds", len(seeds)))
    part = (f"shard {meta['shard']}/{meta['shards']}: " if "shard" in meta and str(meta.get("shards")) != "1"
            else "")
    head = (f"regress: {part}{len(cases)} of the {whole} runs ({meta.get('tests', len(tests))} tests x "
            f"{meta.get('seeds', len(seeds))} seeds from base seed {meta.get('base_seed')}): "
            f"{passed} passed, {len(failed)} failed, {len(cases) - passed - len(failed)} skipped; "
            f"{sum(c['time'] for c in cases):.0f} s of test time")
    print(head)
    lines = ["# Regression", "", head.removeprefix("regress: "), ""]
    if failed:
        print("failing seeds (replay each with its command):")
        lines += ["| test | seed | replay |", "| --- | --- | --- |"]
        for c in failed:
            print(f"  {c['test']} seed {c['seed']}")
            for cmd in c["replay"]:
                print(f"    {cmd}")
            lines.append(f"| {c['test']} | {c['seed']} | " +
                         "<br>".join(f"`{cmd}`" for cmd in c["replay"]) + " |")
    else:
        lines.append("Every run passed.")
    if md_path is not None:
        md_path.write_text("\n".join(lines) + "\n")
    return 1 if failed else 0


def cmd_run(args: argparse.Namespace) -> int:
    build = pathlib.Path(args.build).resolve()
    if not (build / "CMakeCache.txt").exists():
        raise UsageError(f"'{args.build}' is not a configured build folder (run 'make configure' first)")
    if args.seeds < 1:
        raise UsageError(f"--seeds must be at least 1, not {args.seeds}")
    index, shards = parse_shard(args.shard)
    if shards > 1 and args.seed is None:
        raise UsageError("--shard needs --seed: every shard must draw the same seeds")
    base = parse_seed(args.seed) if args.seed is not None else int.from_bytes(os.urandom(4), "little")
    if base + args.seeds - 1 > MAX_SEED:
        raise UsageError(f"--seed {base} plus {args.seeds} seeds runs past 2^64-1")
    tests = list_tests(build, args.label, args.filter)
    if not tests:
        raise UsageError(f"no test of '{args.build}' is labelled '{args.label}'"
                         + (f" and matches '{args.filter}'" if args.filter else ""))
    seeds = [base + k for k in range(args.seeds)]
    plan = {s: [t for t in tests if shard_of(t, s, shards) == index] for s in seeds}
    runs = sum(len(v) for v in plan.values())
    out = pathlib.Path(args.out).resolve() if args.out else build / "regress"
    out.mkdir(parents=True, exist_ok=True)
    report = out / f"shard_{index}_of_{shards}.xml"
    meta = {"base_seed": base, "seeds": args.seeds, "shards": shards, "shard": index,
            "label": args.label, "filter": args.filter or "", "tests": len(tests), "complete": False}
    print(f"regress: shard {index}/{shards} of {len(tests)} tests x {args.seeds} seeds, base seed {base}: "
          f"{runs} runs (replay with: --seed {base} --seeds {args.seeds} --shard {index}/{shards})", flush=True)

    # Two regressions in one build folder would overwrite each other's test
    # results (the tests write JUnit files at fixed places).
    lock = open(build / ".regress.lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise UsageError(f"another regression is running in '{args.build}'; run shards in parallel "
                         "in separate build folders or on separate machines") from None

    cases: list[dict] = []
    start = time.monotonic()
    done = 0
    for n, seed in enumerate(seeds, 1):
        if not plan[seed]:
            continue
        results = run_seed(build, plan[seed], seed, args.jobs)
        for test in plan[seed]:
            r = results[test]
            case = {"test": test, "seed": seed, "status": r["status"], "time": r["time"]}
            if r["status"] == "failed":
                case["output"] = tail(r["output"])
                case["replay"] = replay_commands(build, test, seed, r["output"])
                print(f"regress: FAILED {test} with seed {seed}", flush=True)
            cases.append(case)
        done += len(plan[seed])
        elapsed = time.monotonic() - start
        eta = elapsed / done * (runs - done)
        fails = sum(c["status"] == "failed" for c in cases)
        print(f"regress: seed {n}/{args.seeds} ({seed}): {done}/{runs} runs, {fails} failed, "
              f"{elapsed:.0f} s elapsed, about {eta:.0f} s left", flush=True)
        write_junit(report, meta, cases)  # after every seed: an interrupted run keeps what finished
    meta["complete"] = True
    write_junit(report, meta, cases)
    print(f"regress: results in {report}")
    return summarize(meta, cases, report.with_suffix(".md"))


def cmd_merge(args: argparse.Namespace) -> int:
    if not args.shards:
        raise UsageError("merge needs the shard reports (shard_I_of_N.xml)")
    metas, cases = [], []
    for path in args.shards:
        meta, c = read_junit(pathlib.Path(path))
        metas.append((path, meta))
        cases += c
    first_path, first = metas[0]
    for path, meta in metas[1:]:
        for key in ("base_seed", "seeds", "shards", "label", "filter", "tests"):
            if meta.get(key) != first.get(key):
                raise UsageError(f"'{path}' and '{first_path}' are shards of different regressions "
                                 f"({key}: {meta.get(key)} against {first.get(key)})")
    unfinished = [path for path, m in metas if m.get("complete") != "True"]
    if unfinished:
        raise UsageError(f"unfinished shard (interrupted before its last seed): {', '.join(unfinished)}")
    got = sorted(int(m["shard"]) for _, m in metas)
    want = list(range(1, int(first["shards"]) + 1))
    if got != want:
        missing = sorted(set(want) - set(got))
        dup = sorted({s for s in got if got.count(s) > 1})
        raise UsageError(f"the shards do not make one regression of {first['shards']}: "
                         + (f"missing {', '.join(map(str, missing))}" if missing else "")
                         + ("; " if missing and dup else "")
                         + (f"given twice {', '.join(map(str, dup))}" if dup else ""))
    meta = {k: v for k, v in first.items() if k not in ("shard", "complete")}
    out = pathlib.Path(args.out)
    write_junit(out, meta, cases)
    print(f"regress: {len(metas)} shards merged into {out}")
    return summarize(meta, cases, out.with_suffix(".md"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="run one shard of the regression")
    run.add_argument("build", help="configured and built build folder")
    run.add_argument("--seeds", type=int, required=True, help="seeds per test")
    run.add_argument("--seed", help="base seed (default: drawn afresh); needed with --shard")
    run.add_argument("--shard", default="1/1", help="I/N: run shard I of N (default 1/1)")
    run.add_argument("--label", default="random", help="CTest label of the tests (default random)")
    run.add_argument("--filter", help="keep the tests whose name matches this regular expression")
    run.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="CTest's parallel jobs")
    run.add_argument("--out", help="folder of the shard report (default BUILD/regress)")
    merge = sub.add_parser("merge", help="merge shard reports into one")
    merge.add_argument("--out", required=True, help="the merged JUnit file (a .md summary beside it)")
    merge.add_argument("shards", nargs="*", help="shard reports")
    args = parser.parse_args()
    try:
        return cmd_run(args) if args.cmd == "run" else cmd_merge(args)
    except UsageError as e:
        print(f"regress: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

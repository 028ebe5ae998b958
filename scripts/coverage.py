#!/usr/bin/env python3
"""The coverage report of `make cov` (docs/testbench.md, "Coverage").

The tests of a coverage build (NPU_COVERAGE=ON) leave in NPU_COV_DIR one
Verilator coverage file per test program (tb/cov/coverage_sink.h) and one
table of instruction-field bins (tb/cov/isa_coverage.h). This script merges
them and reports, for the RTL under rtl/:

  line    every line and branch Verilator instruments (v_line, v_branch)
  toggle  every signal bit, both ways (v_toggle)
  user    every `cover property` of the RTL (v_user)
  isa     every functional bin over the instruction fields

A point counts as hit when any instance of its module hit it in any test.
Points the waiver file (tb/cov/waivers.toml) names are left out of the
percentages and listed with their reasons; a waiver that matches nothing is
an error, so waivers cannot outlive the code they excuse. The testplan's
open items (spec/testplan.toml) are listed too.

`coverage.py run` does it all for `make cov`: it configures and builds the
coverage build, runs the RTL tests (CTest names matching --tests) once per
seed with NPU_COV_DIR set, then reports. `coverage.py report` only reports.

Writes into --out: merged.dat (Verilator's format, all points), rtl.info
(lcov, rtl/ only), html/ (genhtml, when lcov is installed), summary.md and
summary.json. Exits 1 when a target is missed (line 95 %, toggle 90 %, every
cover point and bin hit or waived), 2 on bad input.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"line": 95.0, "toggle": 90.0, "user": 100.0, "isa": 100.0}
KIND_OF_PAGE = {"v_line": "line", "v_branch": "line", "v_toggle": "toggle", "v_user": "user"}


class InputError(Exception):
    pass


def parse_key(key: str) -> dict[str, str]:
    """Verilator's point key: \\x01name\\x02value pairs."""
    out = {}
    for part in key.split("\x01"):
        if not part:
            continue
        name, _, value = part.partition("\x02")
        out[name] = value
    return out


def read_dat(path: Path, counts: dict[str, int]) -> None:
    with path.open(encoding="utf-8", errors="surrogateescape") as f:
        for n, line in enumerate(f, 1):
            if line.startswith("#") or not line.strip():
                continue
            m = re.match(r"C '(.*)' (\d+)$", line.rstrip("\n"))
            if not m:
                raise InputError(f"{path}:{n}: not a Verilator coverage line")
            counts[m.group(1)] += int(m.group(2))


@dataclass
class Point:
    kind: str
    file: str  # relative to the repository
    line: int
    name: str  # signal (toggle), cover name (user), block kind (line)
    hit: bool = False
    waiver: int | None = None


@dataclass
class Waiver:
    kind: str
    file: str
    match: str
    reason: str
    bits: tuple[int, int] | None = None  # toggle: (lowest bit, word width) of the bits it covers
    points: list = field(default_factory=list)

    def covers_bit(self, name: str) -> bool:
        """Without `bits`, every point; else a toggle point whose first index,
        taken modulo the word width, is at least the lowest bit."""
        if self.bits is None:
            return True
        m = re.search(r"\[(\d+)\]", name)
        return m is not None and int(m.group(1)) % self.bits[1] >= self.bits[0]


def load_waivers(path: Path) -> list[Waiver]:
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"{path}: {e}") from e
    out = []
    for i, w in enumerate(data.get("waiver", [])):
        missing = [k for k in ("kind", "match", "reason") if k not in w]
        if missing:
            raise InputError(f"{path}: waiver {i + 1} lacks {', '.join(missing)}")
        if w["kind"] not in TARGETS:
            raise InputError(f"{path}: waiver {i + 1}: kind '{w['kind']}' is none of {', '.join(TARGETS)}")
        try:
            re.compile(w["match"])
        except re.error as e:
            raise InputError(f"{path}: waiver {i + 1}: bad regular expression: {e}") from e
        bits = None
        if "bits" in w:
            b = w["bits"]
            if (w["kind"] != "toggle" or not isinstance(b, dict) or set(b) != {"from", "word"}
                    or not all(isinstance(v, int) for v in b.values()) or not 0 <= b["from"] < b["word"]):
                raise InputError(f"{path}: waiver {i + 1}: bits must be {{ from = L, word = W }} "
                                 "with 0 <= L < W, on a toggle waiver")
            bits = (b["from"], b["word"])
        out.append(Waiver(w["kind"], w.get("file", "*"), w["match"], w["reason"].strip(), bits))
    return out


def rtl_points(counts: dict[str, int]) -> list[Point]:
    """The points of files under rtl/, merged over instances."""
    merged: dict[tuple, Point] = {}
    rtl = str(ROOT / "rtl") + "/"
    for key, n in counts.items():
        k = parse_key(key)
        f = k.get("f", "")
        if not f.startswith(rtl):
            continue
        kind = KIND_OF_PAGE.get(k.get("page", "").split("/")[0])
        if kind is None:
            continue
        rel = str(Path(f).relative_to(ROOT))
        ident = (kind, rel, int(k.get("l", 0)), k.get("o", ""), k.get("n", ""))
        p = merged.setdefault(ident, Point(kind, rel, int(k.get("l", 0)), k.get("o", "")))
        p.hit = p.hit or n > 0
    return list(merged.values())


def isa_points(cov_dir: Path) -> list[Point]:
    bins: dict[str, int] = defaultdict(int)
    for path in sorted(cov_dir.glob("isa-*.tsv")):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            name, _, count = line.rpartition("\t")
            if not name or not count.isdigit():
                raise InputError(f"{path}:{n}: not a bin and a count")
            bins[name] += int(count)
    return [Point("isa", "spec/isa.toml", 0, b, hit=n > 0) for b, n in sorted(bins.items())]


def apply_waivers(points: list[Point], waivers: list[Waiver]) -> None:
    for i, w in enumerate(waivers):
        rx = re.compile(w.match)
        for p in points:
            if (p.waiver is None and p.kind == w.kind and fnmatch.fnmatch(p.file, w.file) and rx.search(p.name)
                    and w.covers_bit(p.name)):
                p.waiver = i
                w.points.append(p)


def testplan_open() -> tuple[int, list[tuple[str, str]]]:
    plan = tomllib.loads((ROOT / "spec/testplan.toml").read_text())
    items = plan.get("item", [])
    return len(items), [(i["id"], i["open"].strip()) for i in items if "open" in i]


def pct(hit: int, total: int) -> float:
    return 100.0 * hit / total if total else 100.0


def summarize(points: list[Point], waivers: list[Waiver], programs: int) -> tuple[str, bool, dict]:
    lines = ["# Coverage of rtl/", ""]
    lines.append(f"Merged from {programs} test programs. A point is hit when any instance hit it in any test.")
    lines.append("")
    lines.append("| kind | points | waived | hit | % | target | |")
    lines.append("|---|---:|---:|---:|---:|---:|---|")
    ok = True
    figures = {}
    for kind, target in TARGETS.items():
        counted = [p for p in points if p.kind == kind and p.waiver is None]
        waived = sum(1 for p in points if p.kind == kind and p.waiver is not None)
        hit = sum(p.hit for p in counted)
        value = pct(hit, len(counted))
        met = value >= target
        ok &= met
        figures[kind] = {"points": len(counted), "hit": hit, "waived": waived, "percent": round(value, 2),
                         "target": target}
        lines.append(f"| {kind} | {len(counted)} | {waived} | {hit} | {value:.1f} | {target:g} | "
                     f"{'met' if met else '**missed**'} |")
    lines.append("")

    lines += ["## Per file (line and toggle, waivers left out), worst first", "",
              "| file | line % | lines missed | toggle % | bits missed |", "|---|---:|---:|---:|---:|"]
    per_file: dict[str, dict[str, list[int]]] = defaultdict(lambda: {"line": [0, 0], "toggle": [0, 0]})
    for p in points:
        if p.kind in ("line", "toggle") and p.waiver is None:
            per_file[p.file][p.kind][0] += p.hit
            per_file[p.file][p.kind][1] += 1
    rows = []
    for f, d in per_file.items():
        lp, tp = pct(*d["line"]), pct(*d["toggle"])
        rows.append((min(lp, tp), f, lp, d["line"][1] - d["line"][0], tp, d["toggle"][1] - d["toggle"][0]))
    for _, f, lp, lm, tp, tm in sorted(rows):
        lines.append(f"| {f} | {lp:.1f} | {lm} | {tp:.1f} | {tm} |")
    lines.append("")

    for kind, title in (("user", "Cover points never hit"), ("isa", "Instruction-field bins never hit"),
                        ("line", "Lines never reached"), ("toggle", "Signal bits that never toggled both ways")):
        missed = [p for p in points if p.kind == kind and p.waiver is None and not p.hit]
        lines += [f"## {title} ({len(missed)})", ""]
        limit = 400
        for p in sorted(missed, key=lambda p: (p.file, p.line, p.name))[:limit]:
            where = f"{p.file}:{p.line}" if p.line else p.file
            lines.append(f"- `{where}` {p.name}")
        if len(missed) > limit:
            lines.append(f"- ... and {len(missed) - limit} more (merged.dat, html/)")
        lines.append("")

    lines += ["## Waivers", "", "| kind | file | match | points | reason |", "|---|---|---|---:|---|"]
    for w in waivers:
        # A | in a regular expression would end the table cell.
        escaped = w.match.replace("|", "\\|")
        match = f"`{escaped}`"
        match += "" if w.bits is None else f" bits {w.bits[0]}+ of each {w.bits[1]}"
        lines.append(f"| {w.kind} | `{w.file}` | {match} | {len(w.points)} | {' '.join(w.reason.split())} |")
    lines.append("")

    total, open_items = testplan_open()
    lines += [f"## Testplan: {total - len(open_items)} of {total} items closed", ""]
    for ident, why in open_items:
        lines.append(f"- **{ident}** open: {' '.join(why.split())}")
    figures["testplan"] = {"items": total, "closed": total - len(open_items)}
    ok &= not open_items
    lines.append("")
    return "\n".join(lines), ok, figures


def write_info(out: Path, counts: dict[str, int]) -> None:
    """lcov tracefile of the rtl/ points, and genhtml's report when lcov is installed."""
    rtl_dat = out / "rtl.dat"
    rtl = str(ROOT / "rtl") + "/"
    with rtl_dat.open("w", encoding="utf-8", errors="surrogateescape") as f:
        f.write("# SystemC::Coverage-3\n")
        for key, n in counts.items():
            if parse_key(key).get("f", "").startswith(rtl):
                f.write(f"C '{key}' {n}\n")
    tool = shutil.which("verilator_coverage")
    if tool is None:
        print("coverage: verilator_coverage not found; no rtl.info or html/", file=sys.stderr)
        return
    subprocess.run([tool, "--write-info", str(out / "rtl.info"), str(rtl_dat)], check=True)
    genhtml = shutil.which("genhtml")
    if genhtml is None:
        print("coverage: genhtml not found (Debian's lcov, make deps); no html/", file=sys.stderr)
        return
    shutil.rmtree(out / "html", ignore_errors=True)
    # Sources that cannot be read (moved since the run) get no annotated page.
    subprocess.run([genhtml, "--quiet", "--branch-coverage", "--ignore-errors", "source",
                    "--prefix", str(ROOT), "--title", "npu rtl/",
                    "--output-directory", str(out / "html"), str(out / "rtl.info")], check=True)


COV_SUBDIRS = ("tb/common;sw/numerics;sw/isa;sw/iss;sw/compiler;sw/runtime;tb/sim;tb/bus;"
               "tb/golden;tb/dut;tb/block;tb/tests")


def run(args) -> int:
    """Configure, build, test once per seed, then report."""
    build = args.build.resolve()
    for step in (["cmake", "-S", str(ROOT), "-B", str(build), "-G", "Ninja", "-DNPU_COVERAGE=ON",
                  f"-DNPU_RTL_CONFIGS={args.config}", f"-DNPU_SUBDIRS={COV_SUBDIRS}"],
                 ["cmake", "--build", str(build), "-j", str(args.jobs)]):
        if subprocess.run(step).returncode != 0:
            print(f"coverage: '{' '.join(step)}' failed (output above)", file=sys.stderr)
            return 2
    data = build / "cov" / "data"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    env = dict(os.environ, NPU_COV_DIR=str(data))
    failed = False
    for i in range(args.seeds):
        seed = args.seed + i
        env.update(NPU_SEED=str(seed), COCOTB_RANDOM_SEED=str(seed))
        print(f"== coverage: seed {seed} ({i + 1} of {args.seeds}), tests matching '{args.tests}'", flush=True)
        r = subprocess.run(["ctest", "-R", args.tests, "-j", str(args.jobs), "--output-on-failure"],
                           cwd=build, env=env)
        if r.returncode != 0:
            print(f"coverage: tests failed with seed {seed}; replay: make test SEED={seed}", file=sys.stderr)
            failed = True
    status = report(data, build / "cov", args.waivers)
    return 1 if failed else status


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="build, test and report (make cov)")
    r.add_argument("--build", type=Path, required=True, help="the coverage build folder")
    r.add_argument("--config", default="4x4", help="the configuration verilated (default 4x4)")
    r.add_argument("--seeds", type=int, default=1, help="seeds per test (default 1)")
    r.add_argument("--seed", type=int, default=1, help="first seed (default 1)")
    r.add_argument("--tests", default="^(top_|block_)", help="CTest names to run (regular expression)")
    r.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p = sub.add_parser("report", help="merge the files of a test run and report")
    p.add_argument("cov_dir", type=Path, help="NPU_COV_DIR of the tests")
    p.add_argument("--out", type=Path, required=True, help="report folder")
    for q in (r, p):
        q.add_argument("--waivers", type=Path, default=ROOT / "tb/cov/waivers.toml")
    args = ap.parse_args()
    if args.cmd == "run":
        return run(args)
    return report(args.cov_dir, args.out, args.waivers)


def report(cov_dir: Path, out: Path, waivers_path: Path) -> int:
    try:
        dats = sorted(cov_dir.glob("*.dat"))
        if not dats:
            raise InputError(f"{cov_dir}: no coverage files; run the tests of a coverage build "
                             "(cmake -DNPU_COVERAGE=ON) with NPU_COV_DIR set, or use make cov")
        counts: dict[str, int] = defaultdict(int)
        for d in dats:
            read_dat(d, counts)
        waivers = load_waivers(waivers_path)
        points = rtl_points(counts) + isa_points(cov_dir)
        if not any(p.kind == "isa" for p in points):
            raise InputError(f"{cov_dir}: no instruction-field bins (isa-*.tsv)")
        apply_waivers(points, waivers)
        stale = [w for w in waivers if not w.points]
        if stale:
            raise InputError("waivers that match no point (remove them): " +
                             "; ".join(f"{w.kind} {w.file} '{w.match}'" for w in stale))
    except (InputError, OSError) as e:
        print(f"coverage: {e}", file=sys.stderr)
        return 2

    out.mkdir(parents=True, exist_ok=True)
    merged = out / "merged.dat"
    with merged.open("w", encoding="utf-8", errors="surrogateescape") as f:
        f.write("# SystemC::Coverage-3\n")
        for key, n in sorted(counts.items()):
            f.write(f"C '{key}' {n}\n")
    text, ok, figures = summarize(points, waivers, len(dats))
    (out / "summary.md").write_text(text)
    (out / "summary.json").write_text(json.dumps(figures, indent=2) + "\n")
    write_info(out, counts)
    head = text.split("## Per file")[0]
    print(head.rstrip())
    print(f"\nreport: {out / 'summary.md'}" + (f", {out / 'html/index.html'}" if (out / "html").exists() else ""))
    print("coverage: targets " + ("met" if ok else "MISSED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

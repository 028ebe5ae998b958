"""scripts/coverage.py (make cov's report) on hand-made coverage files.

The files imitate what a coverage build leaves: Verilator's coverage format
(one `C '<key>' <count>` line per point, the key's fields separated by
\\x01 and \\x02) and the instruction-field tables of tb/cov/isa_coverage.h.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "coverage.py"


def key(**fields: str) -> str:
    return "".join(f"\x01{k}\x02{v}" for k, v in fields.items())


def point(kind: str, file: str, line: int, name: str, hier: str, count: int) -> str:
    k = key(f=str(ROOT / file), l=str(line), page=f"v_{kind}/m", o=name, h=hier)
    return f"C '{k}' {count}\n"


def write_run(d: Path, programs: list[list[str]], bins: dict[str, int]) -> None:
    d.mkdir(parents=True, exist_ok=True)
    for i, lines in enumerate(programs):
        (d / f"prog-{i}.dat").write_text("# SystemC::Coverage-3\n" + "".join(lines))
    (d / "isa-prog-1.tsv").write_text("".join(f"{b}\t{n}\n" for b, n in bins.items()))


def run(cov: Path, out: Path, waivers: Path | None = None) -> subprocess.CompletedProcess:
    args = [sys.executable, str(SCRIPT), "report", str(cov), "--out", str(out)]
    args += ["--waivers", str(waivers if waivers else out / "none.toml")]
    return subprocess.run(args, capture_output=True, text=True)


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    cov = tmp_path / "cov"
    write_run(
        cov,
        [
            # Two instances of one module: a point is hit if either hit it.
            [point("line", "rtl/a.sv", 10, "if", "top.u0", 0), point("line", "rtl/a.sv", 12, "else", "top.u0", 0),
             point("toggle", "rtl/a.sv", 3, "x[0]", "top.u0", 0), point("toggle", "rtl/a.sv", 3, "x[1]", "top.u0", 0),
             point("user", "rtl/a.sv", 20, "Full_C", "top.u0", 0)],
            [point("line", "rtl/a.sv", 10, "if", "top.u1", 5), point("line", "rtl/a.sv", 12, "else", "top.u1", 0),
             point("toggle", "rtl/a.sv", 3, "x[0]", "top.u1", 2), point("toggle", "rtl/a.sv", 3, "x[1]", "top.u1", 0),
             point("user", "rtl/a.sv", 20, "Full_C", "top.u1", 0),
             # Outside rtl/: not counted.
             point("line", "tb/b.sv", 1, "if", "top.tb", 0)],
        ],
        {"opcode=load": 3, "opcode=illegal": 0},
    )
    return cov


def summary(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text())


def test_merges_instances_and_programs(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = run(run_dir, out)
    assert r.returncode == 1, r.stderr  # targets missed
    s = summary(out)
    assert s["line"] == {"points": 2, "hit": 1, "waived": 0, "percent": 50.0, "target": 95.0}
    assert (s["toggle"]["points"], s["toggle"]["hit"]) == (2, 1)
    assert (s["user"]["points"], s["user"]["hit"]) == (1, 0)
    assert (s["isa"]["points"], s["isa"]["hit"]) == (2, 1)
    text = (out / "summary.md").read_text()
    assert "`rtl/a.sv:20` Full_C" in text  # listed as never hit
    assert "opcode=illegal" in text
    assert "tb/b.sv" not in text
    # The merged file holds every point, summed over programs.
    merged = (out / "merged.dat").read_text()
    assert merged.count("C '") == 11


def test_waivers_leave_the_percentages_and_are_listed(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    w = tmp_path / "w.toml"
    w.write_text('[[waiver]]\nkind = "line"\nfile = "rtl/a.sv"\nmatch = "^else$"\nreason = "never taken"\n'
                 '[[waiver]]\nkind = "toggle"\nmatch = "^x\\\\[1\\\\]$"\nreason = "tied"\n'
                 '[[waiver]]\nkind = "user"\nmatch = "Full_C"\nreason = "unreachable"\n'
                 '[[waiver]]\nkind = "isa"\nmatch = "illegal"\nreason = "elsewhere"\n')
    r = run(run_dir, out, w)
    s = summary(out)
    assert s["line"]["percent"] == 100.0 and s["line"]["waived"] == 1
    assert s["toggle"]["percent"] == 100.0 and s["user"]["percent"] == 100.0
    assert s["isa"]["percent"] == 100.0
    # Everything met but the testplan's open items, if it has any.
    assert r.returncode == (0 if s["testplan"]["closed"] == s["testplan"]["items"] else 1)
    assert "never taken" in (out / "summary.md").read_text()


def test_a_waiver_that_matches_nothing_is_an_error(run_dir: Path, tmp_path: Path) -> None:
    w = tmp_path / "w.toml"
    w.write_text('[[waiver]]\nkind = "toggle"\nmatch = "^gone$"\nreason = "code removed"\n')
    r = run(run_dir, tmp_path / "out", w)
    assert r.returncode == 2
    assert "match no point" in r.stderr and "gone" in r.stderr


def test_bad_input_is_named(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    r = run(empty, tmp_path / "out")
    assert r.returncode == 2 and "no coverage files" in r.stderr
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.dat").write_text("# SystemC::Coverage-3\nnot a point\n")
    r = run(bad, tmp_path / "out")
    assert r.returncode == 2 and "x.dat:2" in r.stderr
    w = tmp_path / "w.toml"
    w.write_text('[[waiver]]\nkind = "branch"\nmatch = "x"\nreason = "r"\n')
    write_run(tmp_path / "ok", [[point("line", "rtl/a.sv", 1, "if", "t", 1)]], {"b": 1})
    r = run(tmp_path / "ok", tmp_path / "out", w)
    assert r.returncode == 2 and "kind 'branch'" in r.stderr


def test_a_bit_range_waiver_covers_those_bits_of_each_word(tmp_path: Path) -> None:
    # y is two 4-bit words; bits 2 and 3 of each are waived, 0 and 1 counted.
    cov = tmp_path / "cov"
    write_run(cov, [[point("toggle", "rtl/a.sv", 3, f"y[{i}]", "top", 1 if i % 4 < 2 else 0) for i in range(8)]],
              {"b": 1})
    w = tmp_path / "w.toml"
    w.write_text('[[waiver]]\nkind = "toggle"\nmatch = "^y\\\\["\nbits = { from = 2, word = 4 }\nreason = "r"\n')
    out = tmp_path / "out"
    run(cov, out, w)
    s = summary(out)
    assert (s["toggle"]["points"], s["toggle"]["hit"], s["toggle"]["waived"]) == (4, 4, 4)
    assert "bits 2+ of each 4" in (out / "summary.md").read_text()
    w.write_text('[[waiver]]\nkind = "toggle"\nmatch = "^y\\\\["\nbits = { from = 4, word = 4 }\nreason = "r"\n')
    r = run(cov, out, w)
    assert r.returncode == 2 and "bits must be" in r.stderr

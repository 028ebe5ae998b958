"""scripts/mutate.py (make mutate) on a small C project, and its list against the real RTL."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MUTATE = ROOT / "scripts" / "mutate.py"

# The test binary fails when rtl/value.h says so; it records its arguments.
PROJECT = """
cmake_minimum_required(VERSION 3.20)
project(fake C)
add_executable(tb_fake_x4 t.c)
target_include_directories(tb_fake_x4 PRIVATE ${CMAKE_SOURCE_DIR}/rtl)
target_compile_definitions(tb_fake_x4 PRIVATE ARGS_FILE="${CMAKE_BINARY_DIR}/args.txt")
"""
MAIN = """
#include <stdio.h>
#include "value.h"
int main(int argc, char** argv) {
  FILE* f = fopen(ARGS_FILE, "a");
  for (int i = 1; i < argc; i++) fprintf(f, "%s ", argv[i]);
  fprintf(f, "\\n");
  fclose(f);
  return VALUE;
}
"""
VALUE = "/* the value */\n#define VALUE 0\n"


def mutation(name: str, find: str, replace: str, file: str = "rtl/value.h") -> str:
    return (f'[[mutation]]\nname = "{name}"\nwhat = "{name} in words"\nfile = "{file}"\n'
            f'find = "{find}"\nreplace = "{replace}"\nconfig = "x4"\n'
            'tests = [{ target = "tb_fake_{cfg}", filter = "^one$" }]\n')


@pytest.fixture
def project(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    (src / "rtl").mkdir(parents=True)
    (src / "CMakeLists.txt").write_text(PROJECT)
    (src / "t.c").write_text(MAIN)
    (src / "rtl" / "value.h").write_text(VALUE)
    subprocess.run(["git", "init", "-q", str(src)], check=True)
    return src


def mutate(src: Path, mutations: str, *args: str) -> subprocess.CompletedProcess:
    lst = src.parent / "mutations.toml"
    lst.write_text(mutations)
    return subprocess.run([sys.executable, str(MUTATE), *args, "--mutations", str(lst), "--source", str(src)],
                          capture_output=True, text=True)


def test_caught_and_survived(project: Path, tmp_path: Path):
    work = tmp_path / "work"
    r = mutate(project, mutation("breaks", "VALUE 0", "VALUE 1") + mutation("harmless", "the value", "a value"),
               "run", "--build", str(work), "--seed", "7", "--jobs", "1")
    assert r.returncode == 1, r.stdout + r.stderr
    report = json.loads((work / "report.json").read_text())
    assert [(row["name"], row["caught"]) for row in report["rows"]] == [("breaks", True), ("harmless", False)]
    assert report["survived"] == ["harmless"]
    assert "1 of 2 mutations caught" in r.stdout and "survived: harmless" in r.stdout
    assert "| breaks |" in (work / "report.md").read_text()
    # Each run's whole output is kept, with its command line.
    assert sorted(p.name for p in (work / "logs").iterdir()) == ["breaks-1.log", "harmless-1.log", "unmutated-1.log"]
    assert "--seed 7 --filter ^one$" in (work / "logs" / "breaks-1.log").read_text()
    # Unmutated, then once per mutation, each with the seed and the filter.
    assert (work / "build" / "args.txt").read_text().splitlines() == ["--seed 7 --filter ^one$ "] * 3
    # The source tree is untouched and the copy restored.
    assert (project / "rtl" / "value.h").read_text() == VALUE
    assert (work / "src" / "rtl" / "value.h").read_text() == VALUE


def test_all_caught_exits_0(project: Path, tmp_path: Path):
    r = mutate(project, mutation("breaks", "VALUE 0", "VALUE 3") + mutation("other", "harmless", "x"),
               "run", "--build", str(tmp_path / "w"), "--only", "^breaks$", "--jobs", "1")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "1 of 1 mutations caught" in r.stdout and "MUTANTS='^breaks$'" in r.stdout


def test_a_test_failing_unmutated_counts_nothing(project: Path, tmp_path: Path):
    (project / "rtl" / "value.h").write_text("/* the value */\n#define VALUE 2\n")
    r = mutate(project, mutation("breaks", "VALUE 2", "VALUE 1"), "run", "--build", str(tmp_path / "w"))
    assert r.returncode == 1
    assert "tests fail without any mutation" in r.stderr
    assert not (tmp_path / "w" / "report.json").exists()


def test_a_mutant_that_does_not_build_is_an_error(project: Path, tmp_path: Path):
    r = mutate(project, mutation("syntax", "VALUE 0", "VALUE ("), "run", "--build", str(tmp_path / "w"))
    assert r.returncode == 2
    assert "building mutant syntax failed" in r.stderr
    assert (tmp_path / "w" / "src" / "rtl" / "value.h").read_text() == VALUE


@pytest.mark.parametrize("entry, message", [
    (mutation("gone", "VALUE 9", "VALUE 1"), "mutation gone: its 'find' text does not occur in 'rtl/value.h'"),
    (mutation("twice", "VALUE", "X"), "mutation twice: its 'find' text occurs 2 times in 'rtl/value.h'"),
    (mutation("nofile", "a", "b", file="rtl/none.h"), "mutation nofile: cannot read 'rtl/none.h'"),
    (mutation("same", "a", "a"), "'replace' is the same as 'find'"),
    (mutation("dup", "VALUE 0", "VALUE 1") * 2, "mutation names used twice: dup"),
    (mutation("x", "VALUE 0", "VALUE 1").replace("what", "wat"), "unknown field(s) wat"),
    ("[mutation]\n", "has no [[mutation]] entries"),
])
def test_check_names_what_is_wrong(project: Path, entry: str, message: str):
    # VALUE occurs twice in the file for the "twice" case.
    (project / "rtl" / "value.h").write_text(VALUE + "#define VALUE_TOO 1\n")
    r = mutate(project, entry, "check")
    assert r.returncode == 2
    assert message in r.stderr


def test_the_real_list_matches_the_rtl():
    r = subprocess.run([sys.executable, str(MUTATE), "check"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_a_second_run_does_not_test_the_first_runs_last_mutant(project: Path, tmp_path: Path):
    work = tmp_path / "work"
    both = mutation("breaks", "VALUE 0", "VALUE 1") + mutation("harmless", "the value", "a value")
    assert mutate(project, both, "run", "--build", str(work), "--only", "^breaks$").returncode == 0
    # The build now holds the breaking mutant; the restored file must be rebuilt.
    r = mutate(project, both, "run", "--build", str(work), "--only", "^harmless$")
    assert "tests fail without any mutation" not in r.stderr, r.stderr
    assert r.returncode == 1 and json.loads((work / "report.json").read_text())["survived"] == ["harmless"]
    # A file changed in the source between runs reaches the copy; one gone from it leaves.
    (project / "rtl" / "extra.h").write_text("/* extra */\n")
    mutate(project, both, "check")
    assert mutate(project, both, "run", "--build", str(work), "--only", "^breaks$").returncode == 0
    assert (work / "src" / "rtl" / "extra.h").is_file()
    (project / "rtl" / "extra.h").unlink()
    assert mutate(project, both, "run", "--build", str(work), "--only", "^breaks$").returncode == 0
    assert not (work / "src" / "rtl" / "extra.h").exists()


def test_a_long_build_prints_its_progress(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.syspath_prepend(str(MUTATE.parent))
    import mutate as m
    steps = "; ".join(f"print('[{i}/40] step {i}')" for i in range(1, 41))
    m.step([sys.executable, "-c", steps], "building mutant x")
    shown = [line for line in capsys.readouterr().out.splitlines() if "building mutant x" in line]
    assert [re.search(r"x: step (\d+) of 40,", line)[1] for line in shown] == [str(4 * k) for k in range(1, 11)]
    # A failure quotes the end of the output, not its start.
    fail = "import sys\nfor i in range(100): print(f'line {i}')\nsys.exit(3)"
    with pytest.raises(m.InputError, match="(?s)building mutant y failed.*line 99") as e:
        m.step([sys.executable, "-c", fail], "building mutant y")
    assert "line 59\n" not in str(e.value) and "line 60\n" in str(e.value)

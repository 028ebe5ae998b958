"""scripts/regress.py against a small CMake project whose tests fail on known seeds."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

REGRESS = pathlib.Path(__file__).resolve().parents[1] / "regress.py"

# rand_b fails when the seed is a multiple of 3; every test prints a replay
# line the way the coroutine testbenches do; `fixed` is not labelled random.
PROJECT = """
cmake_minimum_required(VERSION 3.20)
project(fake NONE)
enable_testing()
foreach(t a b c)
  add_test(NAME rand_${t} COMMAND sh ${CMAKE_SOURCE_DIR}/t.sh ${t})
  set_tests_properties(rand_${t} PROPERTIES LABELS "random")
endforeach()
add_test(NAME fixed COMMAND sh -c "exit 1")
"""
SCRIPT = """
echo "test $1 seed $NPU_SEED"
if [ "$1" = b ] && [ $((COCOTB_RANDOM_SEED % 3)) -eq 0 ]; then
  echo "replay: COCOTB_RANDOM_SEED=$COCOTB_RANDOM_SEED tb_$1 --filter one"
  exit 1
fi
"""


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> pathlib.Path:
    src = tmp_path_factory.mktemp("src")
    (src / "CMakeLists.txt").write_text(PROJECT)
    (src / "t.sh").write_text(SCRIPT)
    out = tmp_path_factory.mktemp("build")
    subprocess.run(["cmake", "-S", str(src), "-B", str(out)], check=True, capture_output=True)
    return out


def regress(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REGRESS), *args], capture_output=True, text=True)


def cases(report: pathlib.Path) -> dict[tuple[str, int], bool]:
    """(test, seed) -> failed, from a regress JUnit report."""
    root = ET.parse(report).getroot()
    got = {}
    for suite in root.findall("testsuite"):
        for case in suite.findall("testcase"):
            seed = int(re.fullmatch(r"seed (\d+)", case.get("name")).group(1))
            assert (suite.get("name"), seed) not in got
            got[(suite.get("name"), seed)] = case.find("failure") is not None
    return got


def test_shards_partition_the_runs_and_merge_lists_failing_seeds(build, tmp_path):
    reports = []
    for i in range(1, 5):
        r = regress("run", str(build), "--seeds", "7", "--seed", "100", "--shard", f"{i}/4",
                    "--jobs", "2", "--out", str(tmp_path))
        assert r.returncode in (0, 1), r.stderr
        reports.append(tmp_path / f"shard_{i}_of_4.xml")
    parts = [set(cases(p)) for p in reports]
    assert sum(len(p) for p in parts) == 21  # 3 tests x 7 seeds, each in one shard
    assert set().union(*parts) == {(f"rand_{t}", s) for t in "abc" for s in range(100, 107)}

    merged = tmp_path / "merged.xml"
    r = regress("merge", "--out", str(merged), *map(str, reports))
    assert r.returncode == 1
    got = cases(merged)
    assert len(got) == 21
    assert {k for k, failed in got.items() if failed} == {("rand_b", 102), ("rand_b", 105)}
    # Every failing seed is listed with the CTest replay and the test's own.
    assert "21 of the 21 runs (3 tests x 7 seeds from base seed 100): 19 passed, 2 failed" in r.stdout
    for seed in (102, 105):
        assert f"rand_b seed {seed}" in r.stdout
        assert f"COCOTB_RANDOM_SEED={seed} tb_b --filter one" in r.stdout
    summary = merged.with_suffix(".md").read_text()
    assert "| rand_b | 102 |" in summary and "| rand_b | 105 |" in summary

    # The CTest replay command reproduces the failure, and the passing seed passes.
    replay = re.search(r"^    (COCOTB_RANDOM_SEED=102 .*ctest .*)$", r.stdout, re.MULTILINE).group(1)
    assert subprocess.run(replay, shell=True, capture_output=True).returncode != 0
    assert subprocess.run(replay.replace("=102", "=101"), shell=True, capture_output=True).returncode == 0


def test_the_split_depends_only_on_names_base_seed_and_shards(build, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        regress("run", str(build), "--seeds", "5", "--seed", "7", "--shard", "2/3", "--out", str(out))
    assert set(cases(a / "shard_2_of_3.xml")) == set(cases(b / "shard_2_of_3.xml"))


def test_unlabelled_tests_do_not_run(build, tmp_path):
    r = regress("run", str(build), "--seeds", "1", "--seed", "1", "--out", str(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert {t for t, _ in cases(tmp_path / "shard_1_of_1.xml")} == {"rand_a", "rand_b", "rand_c"}


def test_bad_usage_is_named(build, tmp_path):
    r = regress("run", str(build), "--seeds", "2", "--shard", "1/2")
    assert r.returncode == 2 and "--shard needs --seed" in r.stderr
    r = regress("run", str(build), "--seeds", "2", "--seed", "1", "--shard", "3/2")
    assert r.returncode == 2 and "--shard must be I/N" in r.stderr
    r = regress("run", str(tmp_path), "--seeds", "2")
    assert r.returncode == 2 and "not a configured build folder" in r.stderr
    r = regress("run", str(build), "--seeds", "1", "--filter", "nothing")
    assert r.returncode == 2 and "no test" in r.stderr


def test_merge_refuses_incomplete_or_foreign_shards(build, tmp_path):
    for seed in ("10", "11"):
        regress("run", str(build), "--seeds", "2", "--seed", seed, "--shard", "1/2",
                "--out", str(tmp_path / seed))
    regress("run", str(build), "--seeds", "2", "--seed", "10", "--shard", "2/2", "--out", str(tmp_path / "10"))
    one = tmp_path / "10" / "shard_1_of_2.xml"
    r = regress("merge", "--out", str(tmp_path / "m.xml"), str(one))
    assert r.returncode == 2 and "missing 2" in r.stderr
    r = regress("merge", "--out", str(tmp_path / "m.xml"), str(one), str(tmp_path / "11" / "shard_1_of_2.xml"))
    assert r.returncode == 2 and "different regressions (base_seed: 11 against 10)" in r.stderr
    r = regress("merge", "--out", str(tmp_path / "m.xml"), str(one), str(tmp_path / "10" / "shard_2_of_2.xml"))
    assert r.returncode == 0, r.stdout + r.stderr

#!/usr/bin/env bash
# `make test` and `make test-<cfg>`: builds, then runs tests with one base
# seed given at test time to every randomized test (COCOTB_RANDOM_SEED for
# the coroutine testbenches, NPU_SEED for the GoogleTest tests). The seed is
# printed first and last, with the command that replays the run.
#
# Usage: scripts/run_tests.sh [--jobs N] [--seed N] [--config CFG] BUILD_DIR
#
#   without --config  every CTest test of BUILD_DIR; fails at once if none of
#                     them is a top-level RTL test (label "top")
#   --config CFG      builds tb_top_<cfg> (its model too, on demand) and runs a
#                     few top-level cases of CFG, JUnit results in
#                     BUILD_DIR/tb/tests/results_<cfg>_smoke.xml
#   --seed N          base seed, decimal or 0x hex (default: drawn afresh)
#   --jobs N          parallel build and test jobs (default: nproc)
set -euo pipefail

usage() {
  sed -n '7,15s/^# \{0,1\}//p' "$0" >&2
  exit 2
}

jobs=$(nproc)
seed=""
config=""
build=""
while [ $# -gt 0 ]; do
  case "$1" in
    --jobs) [ $# -ge 2 ] || usage; jobs=$2; shift 2 ;;
    --seed) [ $# -ge 2 ] || usage; seed=$2; shift 2 ;;
    --config) [ $# -ge 2 ] || usage; config=$2; shift 2 ;;
    -h | --help) usage ;;
    -*) echo "run_tests: unknown option '$1'" >&2; usage ;;
    *) [ -z "$build" ] || usage; build=$1; shift ;;
  esac
done
[ -n "$build" ] || usage
if [ ! -f "$build/CMakeCache.txt" ]; then
  echo "run_tests: '$build' is not a configured build folder (run 'make configure' first)" >&2
  exit 2
fi

if [ -z "$seed" ]; then
  seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
elif ! [[ "$seed" =~ ^([0-9]+|0[xX][0-9a-fA-F]+)$ ]]; then
  echo "run_tests: SEED must be a number (decimal or 0x hex), not '$seed'" >&2
  exit 2
fi

if [ -n "$config" ]; then
  what="make test-$config"
else
  what="make test"
fi
replay="$what SEED=$seed"
echo "$what: base seed $seed (replay with: $replay)"
status=1
finish() {
  [ "$(type -t stop_prebuild)" != function ] || stop_prebuild
  if [ "$status" -eq 0 ]; then
    echo "$what: PASSED, base seed $seed (replay with: $replay)"
  else
    echo "$what: FAILED, base seed $seed (replay with: $replay)"
  fi
}
trap finish EXIT

# Every randomized test reads its base seed from one of these.
export COCOTB_RANDOM_SEED=$seed NPU_SEED=$seed

if [ -n "$config" ]; then
  # Every fixed top-level test (edge shapes, registers, each error cause,
  # soft reset, queue overflow) and the first random cases of every
  # operation; the cost is the build of the model.
  cfg_id=${config//[^A-Za-z0-9_]/_}
  cmake --build "$build" -j "$jobs" --target "tb_top_$cfg_id"
  filter='^((gemm|isa_window|isa_stream)_random/[0-9]|reset_random_cycle/[0-3]|(conv|dw|pool)_random/[0-4]|(mean|add|residual)_random/[0-2]'
  filter+='|gemm_edges|gemm_address_bits|csr_.*|err_.*|soft_reset.*|watchdog_.*|counters_.*|irq_.*)$'
  "$build/tb/tests/tb_top_$cfg_id" --filter "$filter" \
    --results "$build/tb/tests/results_${cfg_id}_smoke.xml"
  status=0
  exit 0
fi

# Tests labelled "prebuild" read only the sources and .venv, never what the
# build makes: the FPGA flow (about a quarter of an hour of one core) is one.
# They are defined in scripts/ and start beside the build, in the CTest
# folder of scripts/ (its own Testing/ log), so that the longest test does
# not begin only once the build is done; the rest runs after the build, then
# make test waits for them and prints their result.
prebuild_count() { (cd "$1" && ctest -N -L '^prebuild$' | sed -n 's/^Total Tests: *//p'); }
pre_all=$(prebuild_count "$build")
pre_dir=$(cd "$build" && pwd)/scripts  # absolute: the tests run from "$build"
pre_here=0
[ ! -f "$pre_dir/CTestTestfile.cmake" ] || pre_here=$(prebuild_count "$pre_dir")
if [ "${pre_all:-0}" -ne "${pre_here:-0}" ]; then
  echo "run_tests: $pre_all tests are labelled 'prebuild' but $pre_here of them are in scripts/;" \
       "such tests must be defined in scripts/CMakeLists.txt" >&2
  exit 1
fi
pre_pid=""
pre_out=$pre_dir/Testing/prebuild.out
if [ "${pre_all:-0}" -gt 0 ]; then
  mkdir -p "$pre_dir/Testing"
  echo "run_tests: $pre_all prebuild test(s) (the FPGA flow) run beside the build; output in $pre_out"
  # In a session of its own, so that the whole group (ctest, the flow and
  # nextpnr) is stopped when make test ends early.
  (cd "$pre_dir" && exec setsid ctest -L '^prebuild$' --output-on-failure) >"$pre_out" 2>&1 &
  pre_pid=$!
fi
stop_prebuild() {
  if [ -n "$pre_pid" ] && kill -0 "$pre_pid" 2>/dev/null; then
    kill -TERM -- "-$pre_pid" 2>/dev/null || kill -TERM "$pre_pid" 2>/dev/null || true
  fi
}
trap 'exit 130' INT
trap 'exit 143' TERM

cmake --build "$build" -j "$jobs"

# The regression is only meaningful with the top-level RTL tests in it.
top=$(cd "$build" && ctest -N -L '^top$' | sed -n 's/^Total Tests: *//p')
if [ "${top:-0}" -eq 0 ]; then
  cache=$build/CMakeCache.txt
  echo "run_tests: no top-level RTL test (CTest label 'top') in $build:" >&2
  echo "  NPU_RTL_CONFIGS = '$(sed -n 's/^NPU_RTL_CONFIGS:[A-Z]*=//p' "$cache")'" \
       "(needs at least one configuration)" >&2
  echo "  NPU_SUBDIRS = '$(sed -n 's/^NPU_SUBDIRS:[A-Z]*=//p' "$cache")'" \
       "(needs tb/dut and tb/tests)" >&2
  echo "  reconfigure with the defaults, e.g. 'rm -rf $build && make test'" >&2
  exit 1
fi

cd "$build"
ctest -j "$jobs" --output-on-failure --timeout 1500 -LE '^prebuild$'
if [ -n "$pre_pid" ]; then
  echo "run_tests: waiting for the prebuild test(s) ($pre_out)"
  pre_status=0
  wait "$pre_pid" || pre_status=$?
  pre_pid=""
  cat "$pre_out"
  [ "$pre_status" -eq 0 ] || exit "$pre_status"
fi
status=0

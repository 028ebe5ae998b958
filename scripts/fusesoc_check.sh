#!/usr/bin/env bash
# The FuseSoC core npu.core from the project's pinned environment: FuseSoC
# lists npu:ip:npu, runs its lint target (Verilator -Wall of npu_fpga_top),
# builds its sim target (the simulated board) and sets up every board target
# (the Edalize project of each: files, parameters, constraints; building them
# needs yosys and nextpnr on PATH).
#
# Usage: scripts/fusesoc_check.sh WORK_DIR
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work=${1:?usage: scripts/fusesoc_check.sh WORK_DIR}
bash "$root/scripts/setup_venv.sh"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
fusesoc() { "$root/.venv/bin/fusesoc" --cores-root "$root" "$@"; }
fusesoc core list | tee core_list.txt
grep -q '^npu:ip:npu:' core_list.txt || { echo "fusesoc_check: npu:ip:npu is not listed" >&2; exit 1; }
fusesoc run --target lint npu:ip:npu
echo "fusesoc_check: lint passed"
fusesoc run --target sim --build npu:ip:npu > sim_build.log 2>&1 ||
  { tail -30 sim_build.log; echo "fusesoc_check: the sim target does not build" >&2; exit 1; }
echo "fusesoc_check: sim target built"
for dir in "$root"/constraints/*/; do
  board=$(basename "$dir")
  fusesoc run --setup --target "$board" npu:ip:npu > "setup_$board.log" 2>&1 ||
    { cat "setup_$board.log"; echo "fusesoc_check: target $board does not set up" >&2; exit 1; }
  echo "fusesoc_check: target $board set up"
done

#!/usr/bin/env bash
# Lints npu_top and the FPGA build's npu_fpga_top (rtl/fpga.f, with one
# post-processing and one window lane) with Verilator -Wall in the named configurations. The board tops
# (rtl/fpga/boards/) instantiate vendor primitives and are checked by the
# FPGA flow's synthesis instead (scripts/fpga.py).
#
# Usage: scripts/lint.sh [CONFIG...]   (default: every configuration)
# Waivers live in rtl/lint/verilator_waivers.vlt, one by one, with reasons.
# Fails on any warning.
set -euo pipefail
cd "$(dirname "$0")/.."
configs=("$@")
if [ ${#configs[@]} -eq 0 ]; then
  read -r -a configs <<< "$(python3 scripts/config_params.py --list)"
fi
files=$(grep -v '^\s*$' rtl/npu.f | tr '\n' ' ')
fpga_files=$(grep -v '^\s*$' rtl/fpga.f | tr '\n' ' ')
status=0
for c in "${configs[@]}"; do
  params=$(python3 scripts/config_params.py --verilator "$c")
  for top in npu_top npu_fpga_top; do
    extra=""
    # npu_fpga_top as the boards build it: one post-processing and window lane.
    [ "$top" = npu_fpga_top ] && extra="-GPostLanes=1 -GWindowLanes=1 $fpga_files"
    # shellcheck disable=SC2086
    if verilator --lint-only -Wall -Irtl/prim --top-module $top $params \
         rtl/lint/verilator_waivers.vlt $files $extra; then
      echo "lint: $top $c: 0 warnings"
    else
      echo "lint: $top $c: FAIL" >&2
      status=1
    fi
  done
done
exit $status

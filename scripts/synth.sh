#!/usr/bin/env bash
# Synthesizes npu_top with the open-source Yosys flow and prints cell counts.
#
# Usage: scripts/synth.sh [CONFIG]   (default 4x4; names from spec/configs.toml)
#
# Generic (technology-independent) synthesis: the RAM primitives are kept as
# memory macros ($mem cells) instead of being expanded into flip-flops, as an
# ASIC flow with SRAM macros or an FPGA flow with block RAM would do.
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIG="${1:-4x4}"
OUT="${SYNTH_OUT:-build/synth}"
mkdir -p "$OUT"

params=$(python3 scripts/config_params.py --yosys "$CONFIG")
files=$(grep -v '^\s*$' rtl/npu.f | tr '\n' ' ')
script="$OUT/synth_$CONFIG.ys"
log="$OUT/synth_$CONFIG.log"

{
  echo "read_verilog -sv -Irtl/prim $files"
  echo "hierarchy -check -top npu_top $params"
  echo "synth -top npu_top -flatten -run begin:fine"
  echo "opt -fast -full"
  echo "techmap"
  echo "opt -fast"
  echo "abc -fast"
  echo "opt_clean"
  echo "stat"
  echo "check -assert"
} > "$script"

echo "synth: npu_top $CONFIG ($params)"
start=$(date +%s)
if ! yosys -q -l "$log" "$script" > /dev/null; then
  echo "synth: FAIL, see $log" >&2
  tail -20 "$log" >&2
  exit 1
fi
# Print the statistics section of the log.
awk '/Printing statistics/{p=1} p && /Number of cells|\$mem|\$_DFF|\$_SDFF|\$_AND|\$_XOR|\$_OR|\$_MUX|\$_NOT|Chip area|===/' "$log"
echo "synth: PASS in $(( $(date +%s) - start )) s ($log)"

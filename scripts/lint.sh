#!/usr/bin/env bash
# Lints npu_top with Verilator -Wall in the named configurations.
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
status=0
for c in "${configs[@]}"; do
  params=$(python3 scripts/config_params.py --verilator "$c")
  # shellcheck disable=SC2086
  if verilator --lint-only -Wall -Irtl/prim --top-module npu_top $params \
       rtl/lint/verilator_waivers.vlt $files; then
    echo "lint: npu_top $c: 0 warnings"
  else
    echo "lint: npu_top $c: FAIL" >&2
    status=1
  fi
done
exit $status

#!/usr/bin/env bash
# The npu command on a board: the simulated board (npu_board_sim, the
# verilated npu_fpga_top behind a pseudo-terminal) is started, and `npu run`
# and `npu eval` drive it with --backend fpga exactly as they would drive a
# board on /dev/ttyUSB0. The outputs must equal the simulator's bit for bit;
# a missing port, a missing --port and a wrong --config give clear errors.
#
# Usage: apps/npu/cli_fpga_test.sh NPU_BINARY BOARD_SIM_BINARY SOURCE_DIR WORK_DIR
set -uo pipefail
npu=$1
board_sim=$2
src=$3
work=$4
digits=$src/models/digits
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
# shellcheck source=apps/npu/cli_lib.sh
source "$src/apps/npu/cli_lib.sh"

"$board_sim" --link board.tty > board.log 2>&1 &
sim=$!
trap 'kill $sim 2>/dev/null; wait $sim 2>/dev/null' EXIT
for _ in $(seq 100); do [ -e board.tty ] && break; sleep 0.1; done
[ -e board.tty ] || { cat board.log; echo "FAIL: the simulated board did not start"; exit 1; }
cat board.log

/usr/bin/python3 - "$digits" <<'PY' || exit 1
import sys, numpy as np
np.save("x.npy", np.load(sys.argv[1] + "/test_images.npy")[5:6])
PY

expect 0 "total:" -- "$npu" run "$digits/digits_qdq.onnx" --input x.npy --output y_sim.npy \
  --config 4x4
expect 0 "total:" -- "$npu" run "$digits/digits_qdq.onnx" --input x.npy --output y_fpga.npy \
  --backend fpga --port board.tty --timeout-ms 60000 --report r.json
cat out.txt
cmp -s y_sim.npy y_fpga.npy || fail "the board and the simulator give different outputs"
grep -q '"backend": "fpga-' r.json || fail "the report does not name the fpga backend"
expect 0 "0 of 4 image(s) differ" -- "$npu" eval "$digits/digits_qdq.onnx" --backend fpga \
  --port board.tty --timeout-ms 60000 --check sim --images "$digits/test_images.npy" \
  --labels "$digits/test_labels.npy" --count 4
cat out.txt

expect 1 "cannot open serial port /dev/npu-absent" -- "$npu" run "$digits/digits_qdq.onnx" \
  --input x.npy --output y_absent.npy --backend fpga --port /dev/npu-absent
expect 2 "needs --port" -- "$npu" run "$digits/digits_qdq.onnx" --input x.npy \
  --output y_noport.npy --backend fpga
expect 2 "is configuration 4x4, not 16x16" -- "$npu" run "$digits/digits_qdq.onnx" \
  --input x.npy --output y_cfg.npy --backend fpga --port board.tty --config 16x16
for f in y_absent.npy y_noport.npy y_cfg.npy; do
  [ ! -e "$f" ] || fail "a failed run left $f"
done

finish cli_fpga_test

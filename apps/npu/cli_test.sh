#!/usr/bin/env bash
# The npu command end to end on the trained digits model: compile, disasm,
# info, run on the simulator and the RTL (bit for bit the same), and the
# exit status, message and absence of output of each kind of bad input.
#
# Usage: apps/npu/cli_test.sh NPU_BINARY SOURCE_DIR WORK_DIR
set -uo pipefail
npu=$1
src=$2
work=$3
digits=$src/models/digits
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
# shellcheck source=apps/npu/cli_lib.sh
source "$src/apps/npu/cli_lib.sh"

/usr/bin/python3 - "$digits" <<'PY' || exit 1
import sys, numpy as np
x = np.load(sys.argv[1] + "/test_images.npy")
np.save("x.npy", x[3:4])
np.save("wrong_shape.npy", x[3:4, :, :, :7])
np.save("wrong_dtype.npy", (x[3:4] * 100).astype(np.int8))
open("truncated.npy", "wb").write(open("x.npy", "rb").read()[:150])
onnx = open(sys.argv[1] + "/digits_qdq.onnx", "rb").read()
assert onnx.count(b"MaxPool") == 1
open("unsupported.onnx", "wb").write(onnx.replace(b"MaxPool", b"MaxPoo1"))
open("cut.onnx", "wb").write(onnx[: len(onnx) // 2])
PY

expect 0 "wrote m.npub" -- "$npu" compile "$digits/digits_qdq.onnx" -o m.npub
[ -f m.npub ] || fail "no m.npub"
expect 0 "layer 3: fc" -- "$npu" disasm m.npub
expect 0 "plan:" -- "$npu" info "$digits/digits_qdq.onnx"
expect 0 "total:" -- "$npu" run m.npub --input x.npy --output y_npub.npy --report r.json
expect 0 "total:" -- "$npu" run "$digits/digits_qdq.onnx" --input input=x.npy --output y_onnx.npy
expect 0 "total:" -- "$npu" run m.npub --input x.npy --output y_rtl.npy --backend rtl
cmp -s y_npub.npy y_onnx.npy || fail "the .npub and the .onnx give different outputs"
cmp -s y_npub.npy y_rtl.npy || fail "the simulator and the RTL give different outputs"
grep -q '"layers"' r.json || fail "the report has no layers"

# Bad input: a message that names the problem, exit status 1 or 2, and no
# output file.
expect 1 "must have shape [1, 1, 8, 8], got [1, 1, 8, 7]" -- \
  "$npu" run m.npub --input wrong_shape.npy --output bad1.npy
expect 1 "must be float32, got int8" -- "$npu" run m.npub --input wrong_dtype.npy --output bad2.npy
expect 1 "truncated" -- "$npu" run m.npub --input truncated.npy --output bad3.npy
expect 1 "compiled for configuration 16x16, not 8x8" -- \
  "$npu" run m.npub --config 8x8 --input x.npy --output bad4.npy
expect 1 "node 'pool' (MaxPoo1)" -- "$npu" run unsupported.onnx --input x.npy --output bad5.npy
expect 1 "not an ONNX model, or a truncated" -- "$npu" run cut.onnx --input x.npy --output bad6.npy
expect 2 "unknown configuration '9x9'" -- "$npu" compile "$digits/digits_qdq.onnx" -o bad.npub --config 9x9
expect 2 "has no input 'image'" -- "$npu" run m.npub --input image=x.npy --output bad7.npy
head -c 300 m.npub > cut.npub
expect 1 "cut.npub" -- "$npu" run cut.npub --input x.npy --output bad8.npy
for f in bad1.npy bad2.npy bad3.npy bad4.npy bad5.npy bad6.npy bad7.npy bad8.npy bad.npub; do
  [ ! -e "$f" ] || fail "$f was written"
done
ls ./*.tmp > /dev/null 2>&1 && fail "a temporary file was left"

# npu info names the unsupported node and exits 1.
expect 1 "NO  pool" -- "$npu" info unsupported.onnx

finish cli_test

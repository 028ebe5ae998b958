#!/usr/bin/env bash
# Builds npu_net and the bare-array bench of one configuration with GCC's
# profile-guided optimisation, for the speed figures of `make bench-nets`
# (docs/bench.md), in the build folder <root>/tree:
#   1. an instrumented build that counts what runs (NPU_PGO=generate);
#   2. training: the bare array, then MobileNetV2 through the RTL of the
#      configuration, run on that build; they write the profiles into <root>/data;
#   3. the same folder rebuilt with those profiles (NPU_PGO=use).
# One folder for both builds because GCC keys a function's profile by the
# absolute path of its source, and the verilated model's sources are
# generated inside the build folder. Only the configuration's own model is
# verilated (NPU_RTL_CONFIGS). When the tree is a finished use build with
# nothing to rebuild, the script does nothing.
#
# usage: pgo_build.sh <root> <config> <networks folder> [jobs]
set -euo pipefail

if [ $# -lt 3 ]; then
  echo "usage: $0 <root> <config> <networks folder> [jobs]" >&2
  exit 2
fi
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SRC="$(cd "$SCRIPT_DIR/.." && pwd)"
mkdir -p "$1"
ROOT="$(cd "$1" && pwd)"
CONFIG="$2"
NETS="$3"
JOBS="${4:-$(nproc)}"
ID="$(printf '%s' "$CONFIG" | tr -c 'A-Za-z0-9_' '_')"
DATA="$ROOT/data"
STAMP="$ROOT/data.stamp"
TRAIN_NET=mobilenetv2

for f in "$NETS/${TRAIN_NET}_qdq.onnx" "$NETS/${TRAIN_NET}_input.npy"; do
  if [ ! -f "$f" ]; then
    echo "pgo_build: the training network is missing: $f (make networks NETS=$TRAIN_NET)" >&2
    exit 1
  fi
done

TREE="$ROOT/tree"
TARGETS=(npu_net "npu_array_speed_$ID")

configure() {  # configure <mode>
  cmake -S "$SRC" -B "$TREE" -G Ninja -DNPU_RTL_CONFIGS="$CONFIG" -DNPU_PGO="$1" \
    -DNPU_PGO_DATA="$DATA" >"$ROOT/configure.log" ||
    { cat "$ROOT/configure.log" >&2; exit 1; }
}

mode="$(sed -n 's/^NPU_PGO:STRING=//p' "$TREE/CMakeCache.txt" 2>/dev/null || true)"
if [ "$mode" = use ] && [ -f "$STAMP" ] && [ ! "$NETS/${TRAIN_NET}_qdq.onnx" -nt "$STAMP" ] &&
   cmake --build "$TREE" --target "${TARGETS[@]}" -- -n 2>/dev/null | grep -q "no work to do"; then
  echo "== profile-guided build of $CONFIG: up to date ($TREE)"
  exit 0
fi

echo "== profile-guided build of $CONFIG, 1/3: the instrumented build ($TREE)"
rm -f "$STAMP"
configure generate
cmake --build "$TREE" -j "$JOBS" --target "${TARGETS[@]}"
echo "== profile-guided build of $CONFIG, 2/3: training on the bare array and $TRAIN_NET"
rm -rf "$DATA"
"$TREE/tb/block/array/npu_array_speed_$ID" --cycles 200000 >"$ROOT/train.log"
"$TREE/tb/tests/npu_net" "$NETS/${TRAIN_NET}_qdq.onnx" --name "$TRAIN_NET" --config "$CONFIG" \
  --input "$NETS/${TRAIN_NET}_input.npy" --no-golden >>"$ROOT/train.log" ||
  { tail -n 20 "$ROOT/train.log" >&2; echo "pgo_build: the training run failed ($ROOT/train.log)" >&2; exit 1; }
echo "== profile-guided build of $CONFIG, 3/3: rebuilt with the profiles"
configure use
cmake --build "$TREE" -j "$JOBS" --target "${TARGETS[@]}"
touch "$STAMP"

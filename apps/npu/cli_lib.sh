# Shared by the CLI tests (cli_test.sh, cli_fpga_test.sh); sourced, not run.
#
# fail MESSAGE          counts a failure and prints it
# expect STATUS TEXT -- COMMAND...
#                       runs COMMAND (output in out.txt): it must exit with
#                       STATUS and say TEXT
# finish NAME           exits 1 with the count if anything failed
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

expect() {
  local want=$1 text=$2
  shift 3
  "$@" > out.txt 2>&1
  local got=$?
  [ "$got" = "$want" ] || fail "'$*' exited $got, expected $want: $(head -c 400 out.txt)"
  grep -qF -- "$text" out.txt || fail "'$*' does not say '$text': $(head -c 400 out.txt)"
}

finish() {
  if [ "$fails" -ne 0 ]; then
    echo "$1: $fails failure(s)"
    exit 1
  fi
  echo "$1: passed"
}

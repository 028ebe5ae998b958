#!/usr/bin/env bash
# Builds a libFuzzer target with Debian's clang (AddressSanitizer and
# UndefinedBehaviorSanitizer on, every UB report fatal), seeds its corpus and
# runs it for a given time. Exits non-zero on any finding: a crash, a
# sanitizer report, an exception other than the expected one, an input slower
# than 5 s or one that makes the process use over 2 GiB.
#
# Usage: scripts/fuzz.sh TARGET [SECONDS] [LIBFUZZER_ARGS...]
#   TARGET    one of the targets below: npy (the .npy reader), onnx (the ONNX
#             importer), npub (the compiled-model loader), rtl (the RTL's
#             instruction interface: tb/fuzz/rtl_fuzz.cc on npu_top 4x4,
#             verilated here; a hang, an RTL assertion or a bus protocol
#             violation is a finding)
#   SECONDS   how long to fuzz (default 30); 0 only runs the seeds and the
#             kept corpus once (a quick regression check)
#   LIBFUZZER_ARGS are passed on, e.g. -max_len=65536 or a crash file to replay.
#
# Files go to $FUZZ_DIR/TARGET (default build-fuzz/TARGET): the binary, seeds/
# (written afresh on every run), corpus/ (what the fuzzer found interesting,
# kept across runs), artifacts/ (the inputs of findings) and fuzz.log.
# CXX_FUZZ selects the compiler (default: clang++, else the newest clang++-N).
# Needs Debian's clang-N and libclang-rt-N-dev (libFuzzer and the sanitizer
# runtimes; Debian 12: clang-14 libclang-rt-14-dev), and libfmt-dev.
#
# A new target is one more case in target_config: its sources (paths from the
# repository root; one of them defines LLVMFuzzerTestOneInput), a function
# that writes its seeds into a folder, and optionally a libFuzzer dictionary.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)

usage() {
  sed -n 's/^# \{0,1\}//; 8,13p' "$0" >&2
  exit 2
}

# npy_file FILE MAJOR DESCR SHAPE DATA_HEX: a .npy file of format MAJOR.0 as
# numpy writes it (header padded with spaces and a newline so that the data
# starts at a multiple of 64 bytes), with the data given in hex.
npy_file() {
  local file=$1 major=$2 descr=$3 shape=$4 data=$5
  local dict="{'descr': '$descr', 'fortran_order': False, 'shape': $shape, }"
  local len_size=$((major == 1 ? 2 : 4))
  local hlen=$((${#dict} + 1))
  local pad=$((64 - (8 + len_size + hlen) % 64))
  local total=$((hlen + pad))
  {
    printf '\x93NUMPY'
    printf "\\x$(printf %02x "$major")\\x00"
    printf "\\x$(printf %02x $((total & 255)))\\x$(printf %02x $((total >> 8)))"
    if [ "$len_size" -eq 4 ]; then printf '\x00\x00'; fi
    printf '%s%*s\n' "$dict" "$pad" ''
    printf "$(printf '%s' "$data" | sed 's/../\\x&/g')"
  } >"$file"
}

seed_npy() {
  local d=$1
  npy_file "$d/int8_2x3.npy" 1 '|i1' '(2, 3)' 80ff0001027f
  npy_file "$d/uint8_4.npy" 1 '|u1' '(4,)' 000180ff
  npy_file "$d/uint8_nchw.npy" 1 '|u1' '(1, 3, 2, 2)' 000102030405060708090a0b
  npy_file "$d/int32_2x2.npy" 1 '<i4' '(2, 2)' 00000080ffffffff01000000ffffff7f
  npy_file "$d/int64_2.npy" 1 '<i8' '(2,)' 0000000000000080ffffffffffffff7f
  npy_file "$d/float32_scalar.npy" 1 '<f4' '()' 00004040
  npy_file "$d/float32_empty.npy" 1 '<f4' '(0, 3)' ''
  npy_file "$d/float32_v2.npy" 2 '<f4' '(2,)' 0000c03f000080be
  npy_file "$d/int8_v3.npy" 3 '|i1' '(3,)' ff0001
}

# The tokens of a .npy header, for libFuzzer's -dict.
dict_npy() {
  cat <<'EOF'
"\x93NUMPY"
"\x93NUMPY\x01\x00"
"\x93NUMPY\x02\x00"
"\x93NUMPY\x03\x00"
"'descr'"
"'fortran_order'"
"'shape'"
"True"
"False"
"'|i1'"
"'<i1'"
"'|u1'"
"'<i4'"
"'<i8'"
"'<f4'"
"'>i4'"
"'<f8'"
"(1,)"
"(1, 3, 8, 8)"
"()"
"9223372036854775807"
"4294967296"
"-1"
EOF
}

# Seeds of the ONNX importer: the committed quantized models (QDQ, per tensor
# and per channel).
seed_onnx() {
  cp "$root"/models/digits/*.onnx "$1/"
}

# Seeds of the compiled-model loader: the digits model compiled for every
# configuration by the npu command of the build (NPU, default build/apps/npu/npu).
seed_npub() {
  local npu=${NPU:-$root/build/apps/npu/npu} c
  if [ ! -x "$npu" ]; then
    echo "fuzz: the npub seeds need the npu command ($npu); build it or set NPU" >&2
    exit 2
  fi
  for c in 4x4 16x16; do
    "$npu" compile "$root/models/digits/digits_qdq.onnx" --config "$c" -o "$1/digits_$c.npub" \
      >/dev/null
  done
}

# Seeds of the RTL target: the fuzz program writes them (a GEMM tile and a
# pooling chained by tokens, each opcode with zero fields).
seed_rtl() {
  NPU_RTL_FUZZ_SEEDS=$1 "$bin"
}

# The RTL target's model: npu_top in 4x4 verilated into $out/model as
# Vnpu_top_fuzz, with the arguments the CMake build uses (npu_verilate).
verilate_rtl() {
  local params files=() f
  params=$(sed -n 's/^set(NPU_CONFIG_4x4_PARAMS \(.*\))$/\1/p' "$root/cmake/gen/npu_configs.cmake")
  while IFS= read -r f; do [ -n "$f" ] && files+=("$root/$f"); done <"$root/rtl/npu.f"
  rm -rf "$out/model"
  verilator --cc --assert -O3 --x-assign fast --x-initial fast -Wno-fatal -Wno-DECLFILENAME \
    -Wno-UNUSEDPARAM -I"$root/rtl/gen" -I"$root/rtl/prim" $(printf -- '-G%s ' $params) \
    "$root/rtl/lint/verilator_waivers.vlt" "$root/tb/dut/npu_top_probes.vlt" \
    --top-module npu_top --prefix Vnpu_top_fuzz \
    -Mdir "$out/model" "${files[@]}" >"$out/verilator.log" 2>&1 || {
    cat "$out/verilator.log" >&2
    exit 2
  }
}

# target_config TARGET: sets sources (array), libs, seed_fn and dict_fn ("" if none).
target_config() {
  case "$1" in
    npy)
      sources=(sw/runtime/fuzz/npy_fuzz.cc sw/runtime/npy.cc sw/runtime/file_io.cc)
      libs=(-lfmt)
      seed_fn=seed_npy
      dict_fn=dict_npy
      ;;
    onnx)
      sources=(sw/graph/fuzz/onnx_fuzz.cc sw/graph/onnx_import.cc sw/runtime/file_io.cc)
      libs=(-DONNX_NAMESPACE=onnx -DONNX_ML=1 -lonnx_proto -lprotobuf -lfmt)
      seed_fn=seed_onnx
      dict_fn=""
      ;;
    npub)
      sources=(sw/runtime/fuzz/npub_fuzz.cc sw/runtime/model.cc sw/runtime/npy.cc
        sw/runtime/layout.cc sw/runtime/memory.cc sw/runtime/backend.cc sw/runtime/file_io.cc)
      libs=(-lfmt -lz)
      seed_fn=seed_npub
      dict_fn=""
      ;;
    rtl)
      verilate_rtl
      local vinc=/usr/share/verilator/include
      sources=(tb/fuzz/rtl_fuzz.cc tb/dut/npu_harness.cc tb/bus/axi_memory.cc tb/bus/axi_memory_run.cc
        tb/bus/axi_monitor.cc tb/bus/axi_port.cc tb/bus/axilite_master.cc tb/bus/axilite_master_run.cc
        tb/bus/signal_ref.cc tb/bus/sparse_memory.cc
        tb/sim/event.cc tb/sim/kernel.cc tb/sim/lock.cc sw/runtime/backend.cc
        tb/cov/coverage_sink.cc tb/cov/isa_coverage.cc "$out"/model/Vnpu_top_fuzz*.cpp
        "$vinc/verilated.cpp" "$vinc/verilated_threads.cpp")
      # -w: clang warns on the generated model's code (one command compiles all; the
      # project's own files are warning-checked by the CMake build).
      libs=(-w -I"$out/model" -I"$vinc" -I"$vinc/vltstd" -lfmt -lpthread -latomic)
      seed_fn=seed_rtl
      dict_fn=""
      ;;
    *)
      echo "fuzz: unknown target '$1' (known: npy onnx npub rtl)" >&2
      exit 2
      ;;
  esac
}

# The clang++ to use: CXX_FUZZ, else clang++, else the newest clang++-N.
find_compiler() {
  if [ -n "${CXX_FUZZ:-}" ]; then
    echo "$CXX_FUZZ"
    return
  fi
  if command -v clang++ >/dev/null 2>&1; then
    echo clang++
    return
  fi
  local c
  c=$(compgen -c clang++- | grep -E '^clang\+\+-[0-9]+$' | sort -t- -k2 -n | tail -n 1 || true)
  if [ -z "$c" ]; then
    echo "fuzz: no clang++ found; install Debian's clang (e.g. apt-get install clang-14" \
      "libclang-rt-14-dev)" >&2
    exit 2
  fi
  echo "$c"
}

[ $# -ge 1 ] || usage
case "$1" in -h | --help) usage ;; esac
target=$1
shift
seconds=30
if [ $# -ge 1 ]; then
  seconds=$1
  shift
fi
[[ "$seconds" =~ ^[0-9]+$ ]] || {
  echo "fuzz: SECONDS must be a whole number, not '$seconds'" >&2
  exit 2
}

out=${FUZZ_DIR:-$root/build-fuzz}/$target
mkdir -p "$out/corpus" "$out/artifacts"
target_config "$target"
cxx=$(find_compiler)
rm -rf "$out/seeds"
mkdir -p "$out/seeds"

# libFuzzer and the sanitizer runtimes come in a package of their own.
probe=$out/probe.cc
printf '%s\n' '#include <cstddef>' '#include <cstdint>' \
  'extern "C" int LLVMFuzzerTestOneInput(const uint8_t*, size_t) { return 0; }' >"$probe"
if ! "$cxx" -fsanitize=fuzzer,address,undefined "$probe" -o "$out/probe" 2>"$out/probe.log"; then
  version=$("$cxx" -dumpversion | cut -d. -f1)
  echo "fuzz: $cxx cannot link -fsanitize=fuzzer,address,undefined; install Debian's" \
    "libclang-rt-$version-dev (libFuzzer and the sanitizer runtimes):" >&2
  sed 's/^/  /' "$out/probe.log" >&2
  exit 2
fi
rm -f "$probe" "$out/probe" "$out/probe.log"

bin=$out/${target}_fuzz
echo "fuzz: building $bin with $cxx ($("$cxx" --version | head -n 1))"
# One object per source, compiled in parallel (the RTL target's model has
# dozens of files), then linked: -I, -D and -w of libs are compile flags,
# the rest link flags.
cflags=(-std=c++20 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -g -O1
  -I"$root")
ldflags=()
for f in "${libs[@]}"; do
  case "$f" in -I* | -D* | -w) cflags+=("$f") ;; *) ldflags+=("$f") ;; esac
done
objdir=$out/obj
rm -rf "$objdir"
mkdir -p "$objdir"
i=0
for src in "${sources[@]}"; do
  printf '%s\0%s\0' "$src" "$objdir/$i.o"
  i=$((i + 1))
done >"$out/sources"
{
  printf 'cd %q && exec' "$root"
  printf ' %q' "$cxx" "${cflags[@]}"
  printf ' -c "$1" -o "$2"\n'
} >"$out/compile.sh"
xargs -0 -n 2 -P "$(nproc)" bash "$out/compile.sh" <"$out/sources" || {
  echo "fuzz: compiling $target failed" >&2
  exit 2
}
"$cxx" -fsanitize=fuzzer,address,undefined "$objdir"/*.o "${ldflags[@]}" -o "$bin"

"$seed_fn" "$out/seeds"
args=(-timeout=5 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/artifacts/")
if [ -n "$dict_fn" ]; then
  "$dict_fn" >"$out/dict"
  args+=(-dict="$out/dict")
fi
if [ "$seconds" -eq 0 ]; then
  args+=(-runs=0)
else
  args+=(-max_total_time="$seconds")
fi

echo "fuzz: running $target for ${seconds}s (log: $out/fuzz.log)"
status=0
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
  "$bin" "${args[@]}" "$@" "$out/corpus" "$out/seeds" >"$out/fuzz.log" 2>&1 || status=$?

# libFuzzer's final statistics, e.g. stat::number_of_executed_units: 123456.
stat() { sed -n "s/^stat::$1: *//p" "$out/fuzz.log" | tail -n 1; }
if [ "$status" -ne 0 ]; then
  tail -n 40 "$out/fuzz.log" >&2
  echo "fuzz: $target: FINDING (exit $status); inputs in $out/artifacts/:" >&2
  ls -1 "$out/artifacts" >&2 || true
  echo "fuzz: replay one with: $bin <file>" >&2
  exit "$status"
fi
echo "fuzz: $target: no finding in ${seconds}s: $(stat number_of_executed_units) runs," \
  "$(stat average_exec_per_sec) exec/s, $(stat new_units_added) new inputs," \
  "corpus $(find "$out/corpus" -type f | wc -l) files, peak RSS $(stat peak_rss_mb) MB"

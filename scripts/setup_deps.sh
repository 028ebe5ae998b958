#!/usr/bin/env bash
# Installs what building and testing npu needs, from Debian packages.
#
# Idempotent and non-interactive: packages already present are left alone.
# Run as root (CI and fresh containers) or with sudo available.
# Tool versions are pinned by the distribution (Debian 12): Verilator 5.006,
# Yosys 0.23, GoogleTest and GoogleMock 1.12, Eigen 3.4, fmt 9, CLI11 2.3, gemmlowp (its
# fixed-point primitives are the outside reference of the numerics tests), clang-format 14,
# the ONNX library and protobuf 3.21 (model import), zlib (checksums of compiled models),
# pybind11 2.10 with Debian's Python 3.11 and numpy (the Python module), pytest, the venv
# module (scripts/setup_venv.sh), clang 14 with libFuzzer (scripts/fuzz.sh), lcov (the HTML
# report of make cov), z3 (the solver of the formal proofs, scripts/formal.sh).
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build python3
  verilator yosys
  libeigen3-dev libgtest-dev libgmock-dev
  libfmt-dev libcli11-dev libgemmlowp-dev clang-format
  libonnx-dev libprotobuf-dev protobuf-compiler zlib1g-dev
  pybind11-dev python3-dev python3-numpy python3-pytest python3-venv
  clang-14 libclang-rt-14-dev lcov z3
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "setup_deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo -n"
  else
    echo "setup_deps: missing packages ${missing[*]}; run 'make deps' as root" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

#!/usr/bin/env bash
# Checks (or with --fix, applies) the project's C++ formatting: every C++
# file tracked under sw/, tb/, apps/ and python/ must be as clang-format formats it with the
# repository's .clang-format. Generated folders (*/gen/) and CMake templates
# (*.in) are left alone. Needs only git and clang-format (no build).
#
# Usage: scripts/check_format.sh [--fix]
#   (default)  list the files whose formatting differs; fail if there are any
#   --fix      reformat those files in place
# CLANG_FORMAT selects the clang-format executable (default: clang-format).
set -euo pipefail

fix=0
case "${1:-}" in
  "") ;;
  --fix) fix=1 ;;
  *) echo "usage: $0 [--fix]" >&2; exit 2 ;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
clang_format=${CLANG_FORMAT:-clang-format}
if ! command -v "$clang_format" >/dev/null 2>&1; then
  echo "check_format: '$clang_format' not found (scripts/setup_deps.sh installs it)" >&2
  exit 2
fi

# The C++ files under sw/, tb/, apps/ and python/: those git tracks, or every one outside a
# git checkout (e.g. an unpacked archive).
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t candidates < <(git -C "$root" ls-files -- sw tb apps python)
else
  mapfile -t candidates < <(find sw tb apps python -type f | sort)
fi
files=()
for f in "${candidates[@]}"; do
  case "$f" in
    */gen/* | *.in) continue ;;
    *.cc | *.cpp | *.cxx | *.h | *.hh | *.hpp | *.hxx) ;;
    *) continue ;;
  esac
  # A tracked file deleted in the working tree is not there to check.
  [ -f "$f" ] && files+=("$f")
done
if [ ${#files[@]} -eq 0 ]; then
  echo "check_format: no C++ files found under sw/, tb/, apps/ and python/" >&2
  exit 2
fi

version=$("$clang_format" --version)
bad=()
for f in "${files[@]}"; do
  if ! "$clang_format" --style=file "$f" | cmp -s - "$f"; then
    bad+=("$f")
  fi
done

if [ ${#bad[@]} -eq 0 ]; then
  echo "check_format: ${#files[@]} files formatted as .clang-format says ($version)"
  exit 0
fi
if [ "$fix" -eq 1 ]; then
  "$clang_format" --style=file -i "${bad[@]}"
  printf 'check_format: reformatted %s\n' "${bad[@]}"
  exit 0
fi
echo "check_format: ${#bad[@]} of ${#files[@]} files differ from .clang-format ($version):" >&2
printf '  %s\n' "${bad[@]}" >&2
echo "check_format: run 'make format' to fix them" >&2
exit 1

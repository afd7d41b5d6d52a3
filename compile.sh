#!/usr/bin/env bash
# Builds standalone binaries dist/mosh, dist/mosh-client and dist/mosh-server
# with `deno compile`. Copy them into ~/bin (mosh-server must be on the
# remote PATH, or pass --server=PATH to mosh).
#
#   ./compile.sh                          # for this machine
#   ./compile.sh --target aarch64-unknown-linux-gnu   # dist/aarch64-unknown-linux-gnu/
#   ./compile.sh --print-flags            # the V8 flags each binary is built with
#   ./compile.sh --out DIR                # into DIR (from this checkout) instead of dist/
#
# deno compile downloads its runtime (denort) for the target; offline, point
# DENORT_BIN at a denort binary of the same Deno version.
set -euo pipefail
cd "$(dirname "$0")"

target=""
print_flags=0
out_dir=dist
while [ $# -gt 0 ]; do
  case "$1" in
    --target) target="${2:?--target needs a target triple}"; shift 2 ;;
    --target=*) target="${1#--target=}"; shift ;;
    --print-flags) print_flags=1; shift ;;  # what each binary is built with, and stop
    --out) out_dir="${2:?--out needs a directory}"; shift 2 ;;
    --out=*) out_dir="${1#--out=}"; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "compile.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done

# The narrowest permissions each program needs (all three need UDP, so --unstable-net).
# Writes: the client's resume records and the server's session registry, under
# $XDG_STATE_HOME/mosh-deno (a per-user path, so it cannot be fixed at compile time).
declare -A perms=(
  [mosh-server]="--allow-net --allow-env --allow-ffi --allow-run --allow-read --allow-write"
  [mosh-client]="--allow-net --allow-env --allow-run --allow-read --allow-write"
  [mosh]="--allow-net --allow-env --allow-ffi --allow-run --allow-read"
)

# The V8 flags of each program (lib/v8_flags.ts), one "name flags" line each.
declare -A flags=()
while read -r name list; do flags[$name]=$list; done < <(deno eval --no-lock \
  'import { v8FlagsOf } from "./lib/v8_flags.ts";
   for (const p of ["mosh", "mosh-client", "mosh-server"] as const) console.log(p, v8FlagsOf(p));')
[ ${#flags[@]} -eq 3 ] ||
  { echo "compile.sh: could not read the V8 flags from lib/v8_flags.ts" >&2; exit 1; }
if [ "$print_flags" = 1 ]; then
  for name in mosh mosh-client mosh-server; do echo "$name ${flags[$name]}"; done
  exit 0
fi

out=$out_dir${target:+/$target}
mkdir -p "$out"
if [ -n "${DENORT_BIN:-}" ] && [ ! -x "$DENORT_BIN" ]; then
  echo "compile.sh: DENORT_BIN=$DENORT_BIN is not an executable file" >&2
  exit 1
fi

for name in mosh mosh-server mosh-client; do
  src="cli/${name//-/_}.ts"
  log=$(mktemp)
  # shellcheck disable=SC2086
  if ! deno compile --quiet --unstable-net --no-lock "--v8-flags=${flags[$name]}" ${perms[$name]} \
      ${target:+--target "$target"} --output "$out/$name" "$src" >"$log" 2>&1; then
    cat "$log" >&2
    if grep -qiE 'denort|download|dns|connect|network|tcp' "$log"; then
      cat >&2 <<MSG

compile.sh: deno compile could not obtain its compile runtime (denort) for
${target:-this platform}. Go online once, or download the denort archive for
Deno $(deno --version | head -1 | cut -d' ' -f2) and run:
    DENORT_BIN=/path/to/denort ./compile.sh${target:+ --target $target}
MSG
    fi
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
  # A binary for this machine must run as the program: a DENORT_BIN that is
  # not a compile runtime (e.g. the deno CLI itself) yields one that runs as deno.
  if [ -z "$target" ]; then
    version=$("$out/$name" --version 2>&1 | head -1) || true
    case "$version" in
      "$name (mosh-deno"*) ;;
      *)
        echo "compile.sh: $out/$name does not run as $name (its --version: \"$version\")." >&2
        echo "DENORT_BIN must be denort, the compile runtime, not the deno CLI." >&2
        rm -f "$out/$name"
        exit 1
        ;;
    esac
  fi
  echo "built $out/$name ($(du -h "$out/$name" | cut -f1))"
done

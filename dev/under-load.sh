#!/usr/bin/env bash
# Runs a test command while every core is kept busy by a CPU hog, to prove that no test depends
# on the machine being idle (tests wait on conditions; vitest's timeouts only catch hangs).
#   bash dev/under-load.sh                      # the real-PostgreSQL project
#   bash dev/under-load.sh npx vitest run --project unit
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$#" -gt 0 ] || set -- npx vitest run --project postgres
hogs=()
stop_hogs() { [ "${#hogs[@]}" -eq 0 ] || kill "${hogs[@]}" 2>/dev/null || true; }
trap stop_hogs EXIT
for _ in $(seq "$(nproc)"); do
  ( while :; do :; done ) &
  hogs+=("$!")
done
echo "under-load: ${#hogs[@]} CPU hogs running (pids ${hogs[*]}); running: $*" >&2
"$@"

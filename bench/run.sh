#!/usr/bin/env bash
# Rerun every speed figure in the README. cdo is installed into a clean virtual
# environment first (`pip install .`, as a clerk installs it), so nothing else that
# happens to be installed on the machine (numpy, pydantic, …) is imported on the way.
#   bash bench/run.sh            # all three benches (the problems one builds ~350 MB)
#   bash bench/run.sh calendar   # just one: calendar | score | problems
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${BENCH_VENV:-/tmp/cdo-bench-venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
log=$(mktemp)
"$venv/bin/pip" install -q . chinesecalendar 2>"$log" || { cat "$log"; exit 1; }
export PATH="$venv/bin:$PATH"
for name in "${@:-calendar score problems}"; do
  for one in $name; do
    echo "== bench_$one"
    "$venv/bin/python" "bench/bench_$one.py"
  done
done

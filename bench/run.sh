#!/usr/bin/env bash
# Rerun every speed figure in the README. cdo is installed into a clean virtual
# environment first (`pip install .`, as a clerk installs it), so nothing else that
# happens to be installed on the machine (numpy, pydantic, …) is imported on the way.
#   bash bench/run.sh              # every bench: calendar score demo scale
#   bash bench/run.sh demo         # just some: calendar | score | demo | scale | problems
#   bash bench/run.sh pandas demo  # the same in a second clean environment that also has
#                                  # pandas and numpy (an office PC with a scientific
#                                  # Python); the demo bench then shows both side by side
# bench_scale builds databases of 20,000, 200,000 and 1,000,000 problems (about 1.2 GB in
# /tmp/cdo-bench-scale, several minutes); BENCH_SIZES=20000,200000 skips the largest.
set -euo pipefail
cd "$(dirname "$0")/.."
install() {  # venv, extra packages…
  local venv=$1
  shift
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  local log
  log=$(mktemp)
  "$venv/bin/pip" install -q . chinesecalendar "$@" 2>"$log" || { cat "$log"; exit 1; }
}
venv=${BENCH_VENV:-/tmp/cdo-bench-venv}
install "$venv"
python=$venv/bin/python
also=()
if [ "${1:-}" = pandas ]; then
  shift
  pvenv=${BENCH_PANDAS_VENV:-/tmp/cdo-bench-venv-pandas}
  install "$pvenv" pandas numpy
  also=(--also "$pvenv/bin/python")
fi
export PATH="$venv/bin:$PATH"
for name in ${@:-calendar score demo scale}; do
  echo "== bench_$name"
  case $name in
    demo) "$python" bench/bench_demo.py "${also[@]}" ;;
    scale) "$python" bench/bench_scale.py --sizes "${BENCH_SIZES:-20000,200000,1000000}" ;;
    *) if [ ${#also[@]} -gt 0 ]; then "${also[1]}" "bench/bench_$name.py"
       else "$python" "bench/bench_$name.py"; fi ;;
  esac
done

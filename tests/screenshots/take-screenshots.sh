#!/usr/bin/env bash
# Runs the real window under Xvfb and saves PNGs of: the empty window, three jobs running
# with output, a retried job's output and state machine, the stopping overlay and the history
# searched; once in the default (light) palette and once in a dark one (*-dark.png).
# Usage: tests/screenshots/take-screenshots.sh [BUILD_DIR] [OUT_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
out=${2:-$here/../../resources/screenshots}
mkdir -p "$out"
cmake --build "$build" --target jm-screenshots
xvfb-run -a -s "-screen 0 1400x900x24" "$build/bin/jm-screenshots" "$out"
xvfb-run -a -s "-screen 0 1400x900x24" "$build/bin/jm-screenshots" --dark "$out"
ls -l "$out"

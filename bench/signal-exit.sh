#!/usr/bin/env bash
# Time from SIGTERM to exit, and surviving job processes, for jobmonitor --headless and for
# GNU parallel running the same fault matrix with the same grace period
# (--termseq TERM,<grace>,KILL,25), measured from outside in one run.
#
# Usage: bench/signal-exit.sh [build-dir]   (ROUNDS=3 GRACE_MS=1000 by default)
# The fault matrix: a sleeper, a job ignoring SIGTERM, one with a grandchild in its group, one
# whose escapee left with setsid, one trapping SIGTERM (200 ms of cleanup), one stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
rounds=${ROUNDS:-3}
grace=${GRACE_MS:-1000}
bash bench/setup
bin=$(realpath "$build/bin")
child="$bin/jm-testchild"
[ -x "$bin/jobmonitor" ] && [ -x "$child" ] || { echo "build $build first" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

alive() { # pid: a zombie has ended
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [[ ${stat:0:1} != Z && ${stat:0:1} != X ]]
}

# Writes the matrix's commands, one a line, into $work/$1/commands.
make_matrix() {
    local dir=$work/$1
    mkdir -p "$dir"
    : >"$dir/commands"
    local i=0 behaviour
    for behaviour in "--sleep -1" "--ignore-term --sleep -1" "--grandchild --sleep -1" \
        "--escape --sleep -1" "--trap-term 200 --marker $dir/marker --sleep -1" "--stop --sleep -1"; do
        i=$((i + 1))
        echo "$child --pidfile $dir/pids-$i $behaviour" >>"$dir/commands"
    done
}

wait_for_pids() { # dir: 8 pids (the grandchild and the escapee add one each)
    local deadline=$(($(now_ms) + 20000))
    while [ "$(cat "$1"/pids-* 2>/dev/null | wc -l)" -lt 8 ]; do
        [ "$(now_ms)" -lt "$deadline" ] || { echo "jobs did not start" >&2; return 1; }
        sleep 0.01
    done
    sleep 0.3 # let the shells reach their sleep and set their traps
}

# Signals pid, waits for it, prints "<ms to exit> <survivors>", then kills the survivors.
measure() {
    local pid=$1 dir=$2 start end survivors=0 p
    start=$(now_ms)
    kill -TERM "$pid"
    wait "$pid" || true
    end=$(now_ms)
    for p in $(awk '{print $2}' "$dir"/pids-*); do
        if alive "$p"; then
            survivors=$((survivors + 1))
            kill -KILL "$p" 2>/dev/null || true
        fi
    done
    echo "$((end - start)) $survivors"
}

run_jobmonitor() {
    local dir=$work/jm-$1 args=()
    make_matrix "jm-$1"
    while IFS= read -r cmd; do args+=(--job "$cmd"); done <"$dir/commands"
    "$bin/jobmonitor" --headless --max-parallel 10 --grace "$grace" --state-dir "$dir/state" "${args[@]}" >/dev/null 2>&1 &
    local pid=$!
    wait_for_pids "$dir"
    measure "$pid" "$dir"
}

run_parallel() {
    local dir=$work/par-$1
    make_matrix "par-$1"
    parallel --will-cite -j 0 --termseq "TERM,$grace,KILL,25" <"$dir/commands" >/dev/null 2>&1 &
    local pid=$!
    wait_for_pids "$dir"
    measure "$pid" "$dir"
}

echo "grace $grace ms, $rounds rounds; figures: ms from SIGTERM to exit, surviving job pids"
printf '%-6s %-22s %-22s\n' round jobmonitor "GNU parallel"
for round in $(seq 1 "$rounds"); do
    read -r jm_ms jm_left < <(run_jobmonitor "$round")
    read -r par_ms par_left < <(run_parallel "$round")
    printf '%-6s %-22s %-22s\n' "$round" "${jm_ms} ms, ${jm_left} left" "${par_ms} ms, ${par_left} left"
done

#!/bin/sh
# The session mix against the static JSON route of the same server in the same run: /healthz
# for 10 s, then load/session.lua for DURATION with C members at once (one connection and
# thread each), REQUESTS consultations a session and THINK_MS of think time. With PID, the
# server's CPU time over the run and its peak resident size are printed too.
#
# usage: [PID=…] REQUESTS=36 THINK_MS=0 load/mix.sh http://127.0.0.1:8080 16 30s
set -eu
base=$1
connections=$2
duration=$3
here=$(dirname "$0")
printf '/healthz '
wrk -t1 -c64 -d10s --latency "$base/healthz" | grep -E 'Requests/sec|  99%' | tr -s ' ' | tr '\n' ' '
echo
ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
[ -n "${PID:-}" ] && before=$(ticks)
wrk -t"$connections" -c"$connections" -d"$duration" --latency -s "$here/session.lua" "$base" |
    sed -n '/^sessions /,$p'
if [ -n "${PID:-}" ]; then
    after=$(ticks)
    hz=$(getconf CLK_TCK)
    echo "server CPU $(( (after - before) / hz )) s over the run; $(grep VmHWM "/proc/$PID/status" | tr -s ' ')"
fi

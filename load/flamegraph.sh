#!/bin/sh
# A flame graph of a running server: perf samples its stacks (unwound from the DWARF call frame
# information of the release build) for SECONDS, inferno folds and draws them into OUT.svg, and
# the heaviest frames are printed. Needs perf (Debian's linux-perf) and inferno
# (`cargo install inferno`); run it while a load script drives the server.
#
# usage: load/flamegraph.sh PID SECONDS OUT.svg
set -eu
pid=$1
seconds=$2
out=$3
data=$(mktemp /tmp/vivienda-perf.XXXXXX)
trap 'rm -f "$data" "$data.folded"' EXIT
perf record -q -F 199 --call-graph dwarf,16384 -p "$pid" -o "$data" -- sleep "$seconds" 2>/dev/null
perf script -i "$data" 2>/dev/null | inferno-collapse-perf > "$data.folded"
inferno-flamegraph --title "vivienda, $seconds s" < "$data.folded" > "$out"
echo "wrote $out; the frames most often on the stack, as a share of the samples:"
awk '{ n = $NF; total += n; split($0, frames, ";"); delete seen
       for (i in frames) { f = frames[i]; sub(/ [0-9]+$/, "", f)
           if (!(f in seen)) { seen[f] = 1; inclusive[f] += n } } }
     END { for (f in inclusive) printf "%5.1f%% %s\n", 100 * inclusive[f] / total, f }' \
    "$data.folded" | sort -rn | head -40

#!/bin/sh
# A flame graph of a running server: perf samples its stacks (unwound from the DWARF call frame
# information of the release build) for SECONDS, inferno folds them into OUT.svg.folded and
# draws OUT.svg, and the heaviest frames are printed. Needs perf (Debian's linux-perf) and
# inferno (`cargo install inferno`); run it while a load script drives the server. Stacks deeper
# than the 16 KB perf copies (typst's layout) lose their outer frames.
#
# usage: load/flamegraph.sh PID SECONDS OUT.svg
set -eu
pid=$1
seconds=$2
out=$3
data=$(mktemp /tmp/vivienda-perf.XXXXXX)
trap 'rm -f "$data"' EXIT
perf record -q -F 199 --call-graph dwarf,16384 -p "$pid" -o "$data" -- sleep "$seconds" 2>/dev/null
perf script -i "$data" 2>/dev/null | inferno-collapse-perf > "$out.folded"
inferno-flamegraph --title "vivienda, $seconds s" < "$out.folded" > "$out"
echo "wrote $out"
# Inclusive: the share of samples with the frame anywhere on the stack, for the project's own
# frames and the libraries' entry points; self: the share with the frame on top.
awk -v own='^(app|web|store_sqlite|store_postgres|documents|domain)::|^typst::compile|^typst_pdf::pdf|^argon2::Argon2::hash|^rusqlite::|^tokio_postgres::|^hyper::proto' '
    { n = $NF; total += n; line = $0; sub(/ [0-9]+$/, "", line)
      count = split(line, frames, ";"); delete seen
      for (i = 1; i <= count; i++) { f = frames[i]; sub(/<.*$/, "", f); sub(/\{.*$/, "", f)
          if (f ~ own && !(f in seen)) { seen[f] = 1; inclusive[f] += n } }
      top = frames[count]; sub(/<.*$/, "", top); leaf[top] += n }
    END { print "inclusive:"
          for (f in inclusive) printf "%5.1f%% %s\n", 100 * inclusive[f] / total, f | "sort -rn | head -30"
          close("sort -rn | head -30")
          print "self:"
          for (f in leaf) printf "%5.1f%% %s\n", 100 * leaf[f] / total, f | "sort -rn | head -20" }' \
    "$out.folded"

#!/bin/sh
# Times one route N times in a row (one request at a time) as the member whose session token is
# in TOKEN, sent as the session cookie: prints the median, the 90th percentile and the slowest
# of curl's total times, in milliseconds. For routes too slow for wrk, such as a PDF.
#
# usage: TOKEN=... load/times.sh http://127.0.0.1:8080 30 /ahorro/estado-de-cuenta.pdf
set -eu
base=$1
runs=$2
route=$3
i=0
while [ "$i" -lt "$runs" ]; do
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' \
        -H "Cookie: __Host-sesion=$TOKEN" "$base$route"
    i=$((i + 1))
done | awk '
    $1 != 200 { bad++ }
    { t[NR] = $2 * 1000 }
    END {
        n = asort(t)
        printf "%d runs: median %.1f ms, p90 %.1f ms, slowest %.1f ms", n, t[int((n + 1) / 2)], t[int(n * 0.9 + 0.5)], t[n]
        if (bad) printf " (%d not 200)", bad
        printf "\n"
    }'

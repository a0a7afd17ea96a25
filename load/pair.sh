#!/bin/sh
# Measures routes against the static JSON route of the same server in the same run: /healthz
# first, then each route, 10 s each with wrk (-t1, C connections), as the member whose bearer
# token is in TOKEN. A route written "cookie:/path" sends the token as the session cookie.
#
# usage: TOKEN=... load/pair.sh http://127.0.0.1:8080 64 /api/v1/me/savings cookie:/ahorro
set -eu
base=$1
connections=$2
shift 2
here=$(dirname "$0")
summary() { grep -E 'Requests/sec|  50%|  99%|Non-2xx' | tr -s ' ' | tr '\n' ' '; echo; }
printf '%s ' /healthz
wrk -t1 -c"$connections" -d10s --latency "$base/healthz" | summary
for route in "$@"; do
    case $route in
        cookie:*) route=${route#cookie:}; export COOKIE=1 ;;
        *) unset COOKIE ;;
    esac
    printf '%s%s ' "$route" "${COOKIE:+ (cookie)}"
    wrk -t1 -c"$connections" -d10s --latency -s "$here/bearer.lua" "$base$route" | summary
done

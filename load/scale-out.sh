#!/bin/bash
# Two Vivienda instances on one PostgreSQL database behind nginx, all on loopback, and the checks
# that they behave as one service:
#   1. a session started through one instance continues on the other;
#   2. a session ended on one instance no longer works on either;
#   3. the sign-in throttle counts failures made on both instances together;
#   4. killing one instance under load loses at most the requests it had in flight;
#   5. throughput through nginx against one instance direct, in the same run.
# It prints what it saw and exits non-zero when a check fails.
#
# usage: load/scale-out.sh [DATABASE_URL]
#   DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/test. Environment: BIN (the
#   vivienda binary, target/release/vivienda), SCHEMA (scaleout: the PostgreSQL schema, loaded
#   with the demo population the first time), MEMBERS (20000), DIR (/tmp/vivienda-scale-out: the
#   shared data directory, nginx's files and the logs), DURATION (10: seconds of each wrk run).
# Needs nginx, wrk and curl (apt-get install nginx wrk curl).
set -euo pipefail

db=${1:-postgres://postgres@127.0.0.1:5432/test}
here=$(cd "$(dirname "$0")" && pwd)
bin=${BIN:-$here/../target/release/vivienda}
schema=${SCHEMA:-scaleout}
members=${MEMBERS:-20000}
dir=${DIR:-/tmp/vivienda-scale-out}
duration=${DURATION:-10}
front=127.0.0.1:18200
ports=(18201 18202)
password="casa propia en la colonia"
saver=01926700004   # the demo saver: the session checks and the load
target=01007900119  # another demo member: the throttle check

export VIVIENDA_POSTGRES_SCHEMA=$schema VIVIENDA_TRUSTED_PROXIES=127.0.0.1
mkdir -p "$dir/nginx/logs"
pids=()
stop() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    [ -f "$dir/nginx/nginx.pid" ] && kill "$(cat "$dir/nginx/nginx.pid")" 2>/dev/null || true
}
trap stop EXIT
failed=0
check() { # check DESCRIPTION CONDITION...
    local what=$1
    shift
    if "$@"; then echo "  ok: $what"; else echo "  FAILED: $what"; failed=1; fi
}

if ! psql "$db" -tAc "SELECT 1 FROM information_schema.tables
                       WHERE table_schema = '$schema' AND table_name = 'members'" | grep -q 1; then
    echo "loading $members demo members into schema $schema"
    "$bin" demo --members "$members" --no-serve --database-url "$db" --data-dir "$dir" >"$dir/demo.log" 2>&1
fi

start() { # start INDEX: one instance on ports[INDEX], sharing the data directory and its key
    "$bin" serve --listen "127.0.0.1:${ports[$1]}" --database-url "$db" --data-dir "$dir" \
        >"$dir/instance-$1.log" 2>&1 &
    pids[$1]=$!
    for _ in $(seq 100); do
        curl -sf "http://127.0.0.1:${ports[$1]}/healthz" >/dev/null && return
        sleep 0.1
    done
    echo "instance $1 did not start: see $dir/instance-$1.log"
    exit 1
}
start 0
start 1

cat >"$dir/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/logs/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $dir/nginx/body;
    proxy_temp_path $dir/nginx/proxy;
    upstream vivienda {
        server 127.0.0.1:${ports[0]} max_fails=1 fail_timeout=5s;
        server 127.0.0.1:${ports[1]} max_fails=1 fail_timeout=5s;
        keepalive 64;
    }
    server {
        listen $front;
        location / {
            proxy_pass http://vivienda;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$remote_addr;
            add_header X-Upstream \$upstream_addr always;
        }
    }
}
EOF
nginx -p "$dir/nginx" -c "$dir/nginx/nginx.conf" -e "$dir/nginx/logs/error.log"
for _ in $(seq 50); do curl -sf "http://$front/healthz" >/dev/null && break; sleep 0.1; done

sign_in() { # sign_in BASE IDENTIFIER PASSWORD [ADDRESS]: prints "STATUS UPSTREAM BODY"
    curl -s -D "$dir/headers" -o "$dir/body" -w '%{http_code}' -H 'content-type: application/json' \
        -H "X-Forwarded-For: ${4:-127.0.0.1}" \
        -d "{\"identifier\":\"$2\",\"password\":\"$3\"}" "$1/api/v1/sessions" | tr -d '\n'
    printf ' %s %s\n' "$(upstream)" "$(cat "$dir/body")"
}
upstream() { tr -d '\r' <"$dir/headers" | awk -F': ' 'tolower($1) == "x-upstream" { print $2 }'; }
get() { # get URL TOKEN: prints "STATUS UPSTREAM"
    curl -s -D "$dir/headers" -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $2" "$1"
    printf ' %s\n' "$(upstream)"
}
token_of() { sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p'; }

echo "1. a session continues across instances"
token=$(sign_in "http://$front" "$saver" "$password" | token_of)
check "signed in through nginx" test -n "$token"
seen=$(for _ in 1 2 3 4 5 6; do get "http://$front/api/v1/me/savings" "$token"; done)
echo "$seen" | sed 's/^/     /'
check "six reads answered 200" test "$(echo "$seen" | grep -c '^200 ')" -eq 6
check "by both instances" test "$(echo "$seen" | awk '{ print $2 }' | sort -u | wc -l)" -eq 2

echo "2. a session ended on one instance is over on both"
curl -s -o /dev/null -X DELETE -H "Authorization: Bearer $token" \
    "http://127.0.0.1:${ports[0]}/api/v1/sessions/current"
for port in "${ports[@]}"; do
    status=$(get "http://127.0.0.1:$port/api/v1/me/savings" "$token" | cut -d' ' -f1)
    check "instance :$port refuses the ended session ($status)" test "$status" = 401
done

echo "3. the sign-in throttle holds across both instances"
# From an address of their own (instances believe X-Forwarded-For from 127.0.0.1), so the
# address's failures do not slow the sign-ins of the next steps. A right password first clears
# what an earlier run left, once its wait is over.
for _ in $(seq 40); do
    sign_in "http://127.0.0.1:${ports[0]}" "$target" "$password" 203.0.113.7 | grep -q '^200 ' && break
    sleep 1
done
attempts=$(for i in 1 2 3 4 5 6; do
    port=${ports[$((i % 2))]}
    printf 'instance :%s wrong password: %s\n' "$port" \
        "$(sign_in "http://127.0.0.1:$port" "$target" "not the password $i" 203.0.113.7 | cut -c1-90)"
done)
echo "$attempts" | sed 's/^/     /'
check "the first wrong passwords are answered 401" \
    test "$(echo "$attempts" | head -4 | grep -c ': 401 ')" -eq 4
check "then both instances make the caller wait (429)" \
    test "$(echo "$attempts" | tail -2 | grep -c ': 429 ')" -eq 2

echo "4. killing one instance under load"
token=$(sign_in "http://$front" "$saver" "$password" | token_of)
check "signed in again" test -n "$token"
TOKEN=$token wrk -t1 -c32 -d"${duration}s" --latency -s "$here/bearer.lua" \
    "http://$front/api/v1/me/savings" >"$dir/kill.wrk" &
wrk_pid=$!
sleep $((duration / 3))
kill -9 "${pids[1]}"
wait "${pids[1]}" 2>/dev/null || true
echo "     killed instance :${ports[1]} at $((duration / 3)) s of $duration"
wait "$wrk_pid"
grep -E 'Requests/sec|requests in|Non-2xx|Socket errors|  99%' "$dir/kill.wrk" | sed 's/^/     /'
lost=$(awk '/Non-2xx/ { n += $NF } /Socket errors/ { gsub(",", ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' "$dir/kill.wrk")
check "at most the 32 requests in flight were lost ($lost)" test "$lost" -le 32
start 1

echo "5. throughput, wrk -t1 -c64 -d${duration}s, same run"
token=$(sign_in "http://$front" "$saver" "$password" | token_of)
summary() { grep -E 'Requests/sec|  50%|  99%|Non-2xx' | tr -s ' ' | tr '\n' ' '; echo; }
for base in "http://127.0.0.1:${ports[0]}" "http://$front"; do
    printf '     %-24s /healthz            ' "$base"
    wrk -t1 -c64 -d"${duration}s" --latency "$base/healthz" | summary
    printf '     %-24s /api/v1/me/savings  ' "$base"
    TOKEN=$token wrk -t1 -c64 -d"${duration}s" --latency -s "$here/bearer.lua" \
        "$base/api/v1/me/savings" | summary
done

exit $failed

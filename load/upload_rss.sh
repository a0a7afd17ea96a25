#!/bin/sh
# Peak memory of the server while members upload large documents to a credit application:
# VmHWM (peak resident set) and VmRSS of the server process before and after a 10 MB upload
# (accepted) and a 100 MB one (refused once it passes the 20 MiB limit). Uploads stream to the
# blob store, so the peak should not grow by the size of the file.
#
#   load/upload_rss.sh path/to/vivienda
set -eu
BIN=${1:-target/release/vivienda}
PORT=${PORT:-18089}
DATA=$(mktemp -d)
trap 'kill $PID 2>/dev/null || true; rm -rf "$DATA"' EXIT
"$BIN" --data-dir "$DATA" --listen "127.0.0.1:$PORT" demo --members 200 >"$DATA/demo.log" 2>&1 &
PID=$!
for _ in $(seq 1 600); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
  sleep 0.5
done
NSS=$(grep -o 'NSS [0-9]\{11\}' "$DATA/demo.log" | head -1 | cut -d' ' -f2)
URL="http://127.0.0.1:$PORT"
TOKEN=$(curl -s -X POST "$URL/api/v1/sessions" -H 'content-type: application/json' \
  -d "{\"identifier\":\"$NSS\",\"password\":\"casa propia en la colonia\"}" \
  | sed 's/.*"token":"\([^"]*\)".*/\1/')
CSRF=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
AUTH="Authorization: Bearer $TOKEN"
COOKIE="Cookie: __Host-csrf=$CSRF"
FOLIO=$(curl -s -o /dev/null -w '%{redirect_url}' -H "$AUTH" -H "$COOKIE" \
  -d "csrf=$CSRF&eleccion=tradicional:buy" "$URL/credito/solicitud" | sed 's#.*/##')
pdf() { # a PDF of $1 MB: header, random bytes, end-of-file marker
  { printf '%%PDF-1.4\n'; head -c "$(($1 * 1000 * 1000))" /dev/urandom; printf '\n%%%%EOF\n'; } >"$DATA/$1.pdf"
}
memory() { grep -E 'VmHWM|VmRSS' "/proc/$PID/status" | tr -s ' \t' ' ' | tr '\n' ' '; echo; }
upload() {
  curl -s -o /dev/null -w "  HTTP %{http_code}, %{size_upload} bytes sent in %{time_total} s\n" \
    -H "$AUTH" -H "$COOKIE" -F "csrf=$CSRF" -F "documento=@$DATA/$1.pdf;type=application/pdf" \
    "$URL/credito/solicitud/$FOLIO/documentos/$2"
}
pdf 10
pdf 100
echo "folio $FOLIO, server pid $PID"
echo "before:            $(memory)"
upload 10 official_id
echo "after 10 MB:       $(memory)"
upload 10 birth_certificate
upload 10 tax_id
echo "after 3 x 10 MB:   $(memory)"
upload 100 appraisal
echo "after 100 MB:      $(memory)"
echo "blobs kept: $(find "$DATA/blobs" -type f -not -path '*/.staging/*' | wc -l)," \
  "staging files left: $(find "$DATA/blobs/.staging" -type f | wc -l)"

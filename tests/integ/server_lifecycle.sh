#!/usr/bin/env bash
# `floe server` as an operator meets it: defaults, config errors, refusing an open address
# without auth, graceful shutdown while a request is still uploading, kill -9 and restart with
# the state intact, and bearer-token auth (tokens, expiry, refresh, wrong secrets).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/server/common.sh"

# ==== Start-up checks ====
run server --listen 0.0.0.0:0 --data-dir "$TMP/d0"
expect_status 1 "non-loopback without auth"
expect_err 'without auth: enable auth or pass --insecure' "non-loopback refusal message"
printf 'server:\n  listn: 127.0.0.1:1\n' >"$TMP/typo.yaml"
run server --config "$TMP/typo.yaml"
expect_status 1 "config with a typo"
expect_err "config line 2: server: unknown key 'listn'" "config typo message"
printf 'auth:\n  enabled: true\n' >"$TMP/noclients.yaml"
run server --config "$TMP/noclients.yaml"
expect_status 1 "auth without clients"
expect_err 'no clients are configured' "auth without clients message"
run server --database mysql://x --data-dir "$TMP/d0" --listen 127.0.0.1:0
expect_status 1 "unsupported database url"
expect_err 'unsupported database url' "unsupported database message"
run server --bogus
expect_status 2 "unknown option"

# ==== Graceful shutdown: a request still uploading when SIGTERM arrives completes ====
# No embedded optimizer: its long-poll would be a second request in flight at the stop.
start_server "$TMP/data" --local-optimizer-threads 0
req POST /v1/namespaces '{"namespace":["before"]}'
expect 200 "create before"
props=$(head -c 3000 /dev/zero | tr '\0' p)
printf '{"namespace":["slow"],"properties":{"p":"%s"}}' "$props" >"$TMP/slow.json"
curl -s -o "$TMP/slow.out" -w '%{http_code}' --limit-rate 1000 -H 'Content-Type: application/json' \
    --data-binary @"$TMP/slow.json" "$BASE/v1/namespaces" >"$TMP/slow.code" &
CURL_PID=$!
sleep 1 # the upload takes about 3 s at 1000 bytes/s; the server is now mid-request
stop_server TERM
wait "$CURL_PID"
STATUS=$(cat "$TMP/slow.code")
[ "$STATUS" = 200 ] || check_fail "the in-flight request got HTTP $STATUS during shutdown"
[ "$SERVER_STATUS" = 0 ] || check_fail "server exit status $SERVER_STATUS after SIGTERM"
grep -q 'waiting for 1 request(s) in flight' "$TMP/server.log" ||
    check_fail "the server did not wait for the in-flight request"
if curl -s -o /dev/null "$BASE/health"; then
    check_fail "the server still accepts connections after stopping"
fi

# ==== kill -9 and restart: committed state survives ====
start_server "$TMP/data"
req GET /v1/namespaces/slow
expect 200 "the request that finished during shutdown was committed"
req POST /v1/namespaces '{"namespace":["crash"],"properties":{"k":"v"}}'
expect 200 "create crash"
write_metadata "$TMP/data/warehouse/default/crash/t/metadata/00000-a.metadata.json" \
    "$TMP/data/warehouse/default/crash/t"
req POST /v1/namespaces/crash/register \
    "{\"name\":\"t\",\"metadata-location\":\"$TMP/data/warehouse/default/crash/t/metadata/00000-a.metadata.json\"}"
expect 200 "register before the crash"
stop_server KILL
start_server "$TMP/data"
req GET /v1/namespaces/crash
expect 200 "namespace after kill -9"
expect_jq .properties.k v "properties after kill -9"
req GET /v1/namespaces/crash/tables/t
expect 200 "table after kill -9"
req GET /v1/namespaces
expect_jq '[.namespaces[][0]] | join(",")' before,crash,slow "all namespaces after kill -9"
stop_server TERM

# ==== Auth ====
hash=$(printf 's3cret\n' | "$FLOE" server --hash-secret)
case "$hash" in
'$y$'*) ;;
*) check_fail "--hash-secret printed '$hash'" ;;
esac
cat >"$TMP/auth.yaml" <<YAML
auth:
  enabled: true
  token-ttl: 6s
  clients:
    - id: spark
      secret-hash: '$hash'
YAML
start_server "$TMP/data-auth" --config "$TMP/auth.yaml"
req GET /health
expect 200 "health needs no token"
req GET /v1/config
expect_error 401 NotAuthorizedException "config without a token"
expect_header '^WWW-Authenticate: Bearer' "401 names the scheme"
TOKEN=garbage req GET /v1/namespaces
expect_error 401 NotAuthorizedException "a garbage token"
TOKEN='floe1.Zm9v.YmFy' req GET /v1/namespaces
expect_error 401 NotAuthorizedException "a forged token"
form() { curl -s -o "$TMP/body" -w '%{http_code}' --data "$1" "$BASE/v1/oauth/tokens"; }
CODE=$(form 'grant_type=client_credentials&client_id=spark&client_secret=wrong&scope=catalog')
BODY=$(cat "$TMP/body")
expect 401 "wrong secret"
expect_jq .error invalid_client "wrong secret error"
CODE=$(form 'grant_type=client_credentials&client_id=nobody&client_secret=s3cret')
BODY=$(cat "$TMP/body")
expect 401 "unknown client"
CODE=$(form 'grant_type=password&username=x')
BODY=$(cat "$TMP/body")
expect 400 "unsupported grant"
expect_jq .error unsupported_grant_type "unsupported grant error"
CODE=$(form 'grant_type=client_credentials&client_id=spark&client_secret=s3cret&scope=catalog')
BODY=$(cat "$TMP/body")
expect 200 "token for the right secret"
expect_jq .token_type bearer "token type"
expect_jq .expires_in 6 "token lifetime"
TOKEN=$(jq -r .access_token <<<"$BODY")
req GET /v1/config
expect 200 "config with a token"
req POST /v1/namespaces '{"namespace":["secured"]}'
expect 200 "create with a token"
grep -q 'client=spark' "$TMP/server.log" || check_fail "the request log does not name the client"
# Basic auth on the token endpoint works too.
CODE=$(curl -s -o "$TMP/body" -w '%{http_code}' -u spark:s3cret --data 'grant_type=client_credentials' \
    "$BASE/v1/oauth/tokens")
expect 200 "token with HTTP Basic credentials"
# Refresh by token exchange, with a token fresh enough that its 6 s lifetime cannot run out on a
# loaded machine between the two requests.
CODE=$(form 'grant_type=client_credentials&client_id=spark&client_secret=s3cret')
TOKEN=$(jq -r .access_token <"$TMP/body")
CODE=$(form "grant_type=urn:ietf:params:oauth:grant-type:token-exchange&subject_token=$TOKEN&subject_token_type=urn:ietf:params:oauth:token-type:access_token")
BODY=$(cat "$TMP/body")
expect 200 "token exchange"
sleep 7 # past the 6 s lifetime
req GET /v1/namespaces
expect_error 419 AuthenticationTimeoutException "an expired token"
TOKEN= req GET /v1/namespaces
expect 401 "no token"
stop_server TERM
grep -q 's3cret' "$TMP/server.log" && check_fail "the secret appears in the log"

[ "$FAILURES" -gt 0 ] && tail -n 40 "$TMP/server.log" >&2
finish

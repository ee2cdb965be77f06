#!/usr/bin/env bash
# Table maintenance in a running server (sourced by server_maintenance.sh and
# server_maintenance_pg.sh after the server started with a 1 s schedule; needs $APPEND, the
# mnt_append helper). A table gets many commits through the REST API, the scheduler expires
# its snapshots, the runs show in the JSON API, its rows still scan; a table with
# gc.enabled=false keeps everything; orphan cleaning and manual triggers.

# metadata_of TABLE: the current metadata file of db.TABLE (a plain path).
metadata_of() {
    req GET "/v1/namespaces/db/tables/$1"
    jq -r '."metadata-location"' <<<"$BODY" | sed 's|^file://||; s|^file:||'
}

# append TABLE FIRST N: commit N rows through the REST API (retrying a lost race).
append() {
    local i
    for i in 1 2 3 4 5; do
        local body
        body=$("$APPEND" "$(metadata_of "$1")" "$2" "$3") || {
            check_fail "mnt_append failed for $1"
            return
        }
        req POST "/v1/namespaces/db/tables/$1" "$body"
        [ "$CODE" = 200 ] && return
        [ "$CODE" = 409 ] || break
    done
    check_fail "append to $1 ($2..): HTTP $CODE"
}

rows_of() { "$APPEND" --count "$(metadata_of "$1")"; }

snapshots_of() {
    req GET "/v1/namespaces/db/tables/$1"
    jq -r '.metadata.snapshots | length' <<<"$BODY"
}

# wait_for JQ_FILTER URL WHAT: poll GET URL (up to 30 s) until the filter prints true.
wait_for() {
    local _
    for _ in $(seq 1 150); do
        req GET "$2"
        [ "$(jq -r "$1" <<<"$BODY" 2>/dev/null)" = true ] && return 0
        sleep 0.2
    done
    check_fail "$3: timed out waiting for $1"
    return 1
}

req POST /v1/namespaces '{"namespace":["db"]}'
expect 200 "create namespace db"
schema='{"type":"struct","fields":[{"id":1,"name":"id","type":"long","required":false}]}'
req POST /v1/namespaces/db/tables '{"name":"t1","schema":'"$schema"',"properties":{"snapshot.keep.duration":"1s","snapshot.keep.min-count":"2"}}'
expect 200 "create t1"
req POST /v1/namespaces/db/tables '{"name":"t2","schema":'"$schema"',"properties":{"snapshot.keep.duration":"1s","snapshot.keep.min-count":"2","gc.enabled":"false"}}'
expect 200 "create t2 (gc.enabled=false)"
T1_DIR=$(dirname "$(dirname "$(metadata_of t1)")")
T2_DIR=$(dirname "$(dirname "$(metadata_of t2)")")

for k in $(seq 0 9); do
    append t1 $((k * 5)) 5
    append t2 $((k * 5)) 5
done
[ "$(rows_of t1)" = 50 ] || check_fail "t1 should read 50 rows after 10 appends, got $(rows_of t1)"
[ "$(rows_of t2)" = 50 ] || check_fail "t2 should read 50 rows after 10 appends"

# ==== The scheduler expires t1's snapshots (keep 1 s, at least 2) ====
wait_for '[.runs[] | select(.counts."snapshots-expired" > 0)] | length > 0' \
    "/api/v1/maintenance/runs?table=db.t1&action=expire-snapshots&limit=50" "t1 expiration"
for _ in $(seq 1 100); do
    [ "$(snapshots_of t1)" = 2 ] && break
    sleep 0.2
done
[ "$(snapshots_of t1)" = 2 ] || check_fail "t1 should keep 2 snapshots, has $(snapshots_of t1)"
# The commit comes first, the deletions after it: wait for the last run to finish deleting.
for _ in $(seq 1 100); do
    [ "$(find "$T1_DIR/metadata" -name 'snap-*.avro' | wc -l)" = 2 ] && break
    sleep 0.2
done
sleep 1.5 # a run still deleting would record itself within this time
req GET "/api/v1/maintenance/runs?table=db.t1&action=expire-snapshots&limit=50"
expect 200 "runs of t1"
# An expiration may lose its compare-and-swap to an append three times and fail with
# "conflict" (the next run decides again); nothing else may fail.
expect_jq '[.runs[] | select(.status != "ok" and .status != "conflict")] | length' 0 \
    "every t1 expiration succeeded or lost a race"
expect_jq '[.runs[].counts."snapshots-expired"] | add' 8 "t1: 8 snapshots expired in all"
expect_jq '[.runs[].counts."by-kind"."manifest-list"] | add' 8 "t1: 8 manifest lists deleted"
expect_jq '[.runs[].counts."by-kind".data] | add' 0 "t1: no data file deleted (all live)"
expect_jq '.runs[0].catalog' default "run record names the catalog"
expect_jq '.runs[0].table' db.t1 "run record names the table"
lists=$(find "$T1_DIR/metadata" -name 'snap-*.avro' | wc -l)
[ "$lists" = 2 ] || check_fail "t1: 2 manifest lists should remain on disk, found $lists"
[ "$(rows_of t1)" = 50 ] || check_fail "t1 should still read 50 rows after expiration"

# ==== gc.enabled=false: nothing expired, nothing deleted, and the runs say why ====
wait_for '[.runs[] | select(.skipped == "gc.enabled is false")] | length > 0' \
    "/api/v1/maintenance/runs?table=db.t2&action=expire-snapshots" "t2 skipped runs"
[ "$(snapshots_of t2)" = 10 ] || check_fail "t2 (gc off) must keep its 10 snapshots"
lists=$(find "$T2_DIR/metadata" -name 'snap-*.avro' | wc -l)
[ "$lists" = 10 ] || check_fail "t2: all 10 manifest lists must remain, found $lists"
[ "$(rows_of t2)" = 50 ] || check_fail "t2 should read 50 rows"
req POST /api/v1/tables/default/db/t2/maintenance/expire
expect 200 "manual expire on t2"
expect_jq '.skipped' "gc.enabled is false" "manual expire on a gc-off table is skipped"
expect_jq '.counts."files-deleted"' 0 "manual expire on a gc-off table deletes nothing"

# ==== The per-table summary ====
req GET /api/v1/tables/default/db/t1/maintenance
expect 200 "t1 maintenance summary"
expect_jq '.actions."expire-snapshots"."last-run".status' ok "summary: last expiration ok"
expect_jq '.actions."expire-snapshots"."interval-ms"' 1000 "summary: configured interval"
expect_jq '.settings."snapshot-keep-min-count"' 2 "summary: table settings"
expect_jq '.actions."clean-orphan-files"."last-run"' null "summary: orphans never ran (off)"
expect_jq '.actions."expire-snapshots"."last-failure" | . == null or .status == "conflict"' true \
    "summary: last failed expiration, if any, lost a race"
req GET "/api/v1/maintenance/runs?table=db.t1&status=failed"
expect 200 "failed runs of t1"
expect_jq '[.runs[].status] | all(. == "conflict")' true "failed runs of t1 lost races only"
req GET "/api/v1/maintenance/runs?status=ok"
expect 400 "status takes only failed"
req GET /api/v1/tables/default/db/nope/maintenance
expect 404 "summary of an unknown table"

# ==== Orphan cleaning, switched on by a commit of the table's properties ====
mkdir -p "$T1_DIR/data/stray"
echo junk >"$T1_DIR/data/stray/orphan.parquet"
touch -d '1 hour ago' "$T1_DIR/data/stray/orphan.parquet"
req POST /v1/namespaces/db/tables/t1 '{"requirements":[],"updates":[{"action":"set-properties","updates":{"clean-orphan-file.enabled":"true","clean-orphan-file.min-existing-time-minutes":"30"}}]}'
expect 200 "enable orphan cleaning on t1"
wait_for '[.runs[] | select(.counts."files-deleted" > 0)] | length > 0' \
    "/api/v1/maintenance/runs?table=db.t1&action=clean-orphan-files" "t1 orphan cleaning"
[ ! -e "$T1_DIR/data/stray/orphan.parquet" ] || check_fail "the old orphan file was not deleted"
[ ! -e "$T1_DIR/data/stray" ] || check_fail "the empty directory was not removed"
[ "$(rows_of t1)" = 50 ] || check_fail "t1 should still read 50 rows after orphan cleaning"

# ==== Manual triggers ====
append t1 50 5
req POST "/api/v1/tables/default/db/t1/maintenance/expire?dry-run=true"
expect 200 "manual dry-run expiration"
expect_jq '."dry-run"' true "dry run flagged"
expect_jq '.action' expire-snapshots "alias expire"
req POST /api/v1/tables/default/db/t1/maintenance/clean-dangling-deletes
expect 200 "manual dangling delete cleaning"
expect_jq '.status' ok "dangling: ok"
expect_jq '.counts."files-removed"' 0 "dangling: an append-only table has none"
req POST /api/v1/tables/default/db/t1/maintenance/polish
expect_error 404 NotFoundException "unknown action"
req GET /api/v1/tables/default/db/t1/maintenance/expire
expect 405 "GET on a trigger"
req POST "/api/v1/tables/default/db/t1/maintenance/expire?older-than=soon"
expect 400 "bad older-than"
req GET "/api/v1/maintenance/runs?limit=0"
expect 400 "limit 0"
req GET "/api/v1/maintenance/runs?table=db.t1&limit=2"
expect 200 "runs paged"
expect_jq '.runs | length' 2 "limit honoured"
expect_jq '."next-before" != null' true "next page key"
[ "$(rows_of t1)" = 55 ] || check_fail "t1 should read 55 rows at the end"

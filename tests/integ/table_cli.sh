#!/usr/bin/env bash
# `floe table expire` and `floe table clean-orphans` on a copy of a Spark-written filesystem
# table (metadata recorded under s3a://, read through a prefix map to the copy): dry runs
# change nothing, real runs remove exactly what is unreachable, files the current snapshot
# needs survive, young strays survive (also the files of a writer stopped before its commit),
# kill -9 then a second run, gc.enabled=false is refused, and usage errors.
source "$(dirname "$0")/lib.sh"
: "${FLOE_SHARED_FIXTURES:?FLOE_SHARED_FIXTURES must point at ../shared/fixtures}"

T="$TMP/t"
cp -r "$FLOE_SHARED_FIXTURES/iceberg/spark_posdel_schema_evolution" "$T"
snapshot_files() { find "$T" -type f | sort; }
BEFORE=$(snapshot_files)

# The current snapshot's files (manifest list, manifests, data and delete files).
LIVE=(metadata/snap-2701171901096418979-1-91d5eea0-314d-4056-8818-59b825cbd38a.avro
      metadata/91d5eea0-314d-4056-8818-59b825cbd38a-m0.avro
      metadata/91d5eea0-314d-4056-8818-59b825cbd38a-m1.avro
      data/00000-1-6cd7611f-0ceb-4cf3-8b8e-8c856356df3e-00001.parquet
      data/00000-3-6fdcdaeb-591f-4ae0-a39a-75c7fba53907-00001-deletes.parquet)
live_intact() {
    for f in "${LIVE[@]}"; do
        [ -f "$T/$f" ] || fail "$1: live file $f is gone"
    done
}

# ---- expire ----
run table expire "$T" --older-than 0s --dry-run
expect_status 0 "expire dry run"
expect_out '^snapshot	469881615898633426$' "dry run names the expired snapshots"
expect_out '^snapshot	7505300640432048841$' "dry run names the expired snapshots"
expect_out '^data	.*9acc37f2-90ae-42f5-915c-a21c3cb99690-00001.parquet$' "dry run lists the data file"
expect_out '"dry-run":true' "dry run record"
expect_out '"files-listed":4' "dry run count"
[ "$(snapshot_files)" = "$BEFORE" ] || fail "dry run changed files"

# The table's default keep duration (720min) keeps everything of this old table? No: the
# snapshots are years old, but --retain-last keeps the whole history of main.
run table expire "$T" --retain-last 10 --dry-run
expect_status 0 "retain-last keeps everything"
expect_out '"snapshots-expired":0' "retain-last keeps everything"

cp -r "$T" "$TMP/before"
run table expire "$T" --older-than 0s
expect_status 0 "expire"
expect_out '"status":"ok"' "expire record"
expect_out '"files-deleted":4' "expire deleted four files"
expect_out '"committed-metadata":"[^"]*v6.metadata.json"' "committed v6"
[ -f "$T/metadata/v6.metadata.json" ] || fail "no v6 metadata"
[ "$(tr -d '[:space:]' <"$T/metadata/version-hint.text")" = 6 ] || fail "version hint not 6"
[ -f "$T/data/00000-1-9acc37f2-90ae-42f5-915c-a21c3cb99690-00001.parquet" ] &&
    fail "the overwritten data file is still there"
live_intact "expire"

run table expire "$T" --older-than 0s
expect_status 0 "expire again"
expect_out '"snapshots-expired":0' "nothing left to expire"
expect_out '"files-listed":0' "nothing left to delete"

# A run that died between its commit and its deletions (emulated by putting the deleted files
# back): the next run finds them again through the earlier metadata versions.
cp -rn "$TMP/before/." "$T/"
[ -f "$T/data/00000-1-9acc37f2-90ae-42f5-915c-a21c3cb99690-00001.parquet" ] ||
    fail "could not restore the interrupted state"
run table expire "$T" --older-than 0s
expect_status 0 "resume"
expect_out '"snapshots-expired":0' "resume expires nothing more"
expect_out '"files-deleted":4' "resume deletes the leftovers"
[ -f "$T/data/00000-1-9acc37f2-90ae-42f5-915c-a21c3cb99690-00001.parquet" ] &&
    fail "leftover not cleaned on the second run"
live_intact "resume"

# ---- clean-orphans ----
mkdir -p "$T/data/part=9"
echo junk >"$T/data/part=9/stray.parquet"
touch -d '2020-01-01' "$T/data/part=9/stray.parquet"
echo young >"$T/data/young.parquet"
run table clean-orphans "$T" --older-than 1d --dry-run
expect_status 0 "orphans dry run"
expect_out '^other	.*/data/part=9/stray.parquet$' "dry run lists the stray"
expect_out '"files-listed":1' "only the old stray"
[ -f "$T/data/part=9/stray.parquet" ] || fail "dry run deleted the stray"

run table clean-orphans "$T" --older-than 1d
expect_status 0 "clean orphans"
expect_out '"files-deleted":1' "one orphan deleted"
expect_out '"dirs-removed":1' "its directory removed"
[ -e "$T/data/part=9" ] && fail "empty directory left"
[ -f "$T/data/young.parquet" ] || fail "a young file was deleted"
for v in 1 2 3 4 5 6; do
    [ -f "$T/metadata/v$v.metadata.json" ] || fail "metadata v$v deleted"
done
[ -f "$T/metadata/version-hint.text" ] || fail "version hint deleted"
live_intact "clean-orphans"

# ---- kill -9 at different points, then run again ----
# Wherever the kill lands (before the commit, between commit and deletions, mid-deletion, or
# after the run finished), the table stays readable, the second run succeeds and afterwards
# exactly the unreachable files are gone. Nothing here depends on when the kill lands.
for delay in 0.02 0.1 0.3; do
    K="$TMP/k$delay"
    cp -r "$FLOE_SHARED_FIXTURES/iceberg/spark_posdel_schema_evolution" "$K"
    "$FLOE" table expire "$K" --older-than 0s >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    run table expire "$K" --older-than 0s
    expect_status 0 "expire after kill -9 ($delay s)"
    for f in "${LIVE[@]}"; do
        [ -f "$K/$f" ] || fail "kill -9 ($delay s): live file $f is gone"
    done
    [ -f "$K/data/00000-1-9acc37f2-90ae-42f5-915c-a21c3cb99690-00001.parquet" ] &&
        fail "kill -9 ($delay s): leftover not cleaned by the second run"
    run table expire "$K" --older-than 0s --dry-run
    expect_out '"files-listed":0' "kill -9 ($delay s): nothing left after the second run"
    "$FLOE" table clean-orphans "$K" --older-than 0s >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    run table clean-orphans "$K" --older-than 0s
    expect_status 0 "clean-orphans after kill -9 ($delay s)"
    for f in "${LIVE[@]}"; do
        [ -f "$K/$f" ] || fail "orphans kill -9 ($delay s): live file $f is gone"
    done
    run table expire "$K" --older-than 0s --dry-run
    expect_status 0 "table readable after orphan cleaning ($delay s)"
done

# ---- orphan cleaning beside a writer whose files are not committed yet ----
# A `floe table append` is stopped (SIGSTOP) once its data files exist on disk and before it
# commits. Orphan cleaning with a minimum age then deletes the old stray and none of the
# writer's files; the writer, continued, commits, and every row (earlier and new) reads back.
W="$TMP/w"
"$FLOE" table create "$W" --like "$FLOE_SHARED_FIXTURES/parquet/datapage_v2.snappy.parquet" \
    --partition 'bucket(4, b)' >/dev/null || fail "create the writer's table"
"$FLOE" table append "$W" "$FLOE_SHARED_FIXTURES/parquet/datapage_v2.snappy.parquet" >/dev/null ||
    fail "first append"
seq 1 300000 | awk 'BEGIN { print "b,a,c,d" } { print $1 ",r" ($1 % 97) "," ($1 % 13) ".5,true" }' \
    >"$TMP/big.csv"
echo junk >"$W/data/stray.parquet"
touch -d '2020-01-01' "$W/data/stray.parquet"
n_before=$(find "$W/data" -type f | wc -l)
hint_before=$(cat "$W/metadata/version-hint.text")
"$FLOE" table append "$W" "$TMP/big.csv" >"$TMP/writer.out" 2>&1 &
pid=$!
for _ in $(seq 500); do
    [ "$(find "$W/data" -type f | wc -l)" -gt "$n_before" ] && break
    sleep 0.01
done
kill -STOP "$pid"
[ "$(cat "$W/metadata/version-hint.text")" = "$hint_before" ] ||
    fail "the writer committed before it was stopped (test did not catch it in flight)"
mapfile -t INFLIGHT < <(find "$W/data" -type f -newer "$W/metadata/v$hint_before.metadata.json")
[ "${#INFLIGHT[@]}" -gt 0 ] || fail "no in-flight file of the writer"
run table clean-orphans "$W" --older-than 0s --dry-run
expect_out '"files-listed":'"$((${#INFLIGHT[@]} + 1))" "without an age fence the in-flight files are orphans"
run table clean-orphans "$W" --older-than 1h
expect_status 0 "clean orphans beside the writer"
expect_out '"files-deleted":1' "only the old stray goes"
[ -f "$W/data/stray.parquet" ] && fail "the old stray survived"
for f in "${INFLIGHT[@]}"; do
    [ -f "$f" ] || fail "the writer's uncommitted file $f was deleted"
done
kill -CONT "$pid"
wait "$pid" || fail "the writer failed after orphan cleaning: $(cat "$TMP/writer.out")"
run table scan "$W" --columns b
[ "$(wc -l <<<"$OUT")" -eq 300005 ] || fail "rows after the writer's commit: $(wc -l <<<"$OUT")"
run table clean-orphans "$W" --older-than 0s
expect_out '"files-deleted":0' "nothing left unreferenced after the commit"

# ---- gc.enabled=false, errors, usage ----
G="$TMP/g"
cp -r "$FLOE_SHARED_FIXTURES/iceberg/spark_posdel_schema_evolution" "$G"
sed -i 's/"properties" *: *{/"properties":{"gc.enabled":"false",/' "$G/metadata/v5.metadata.json"
grep -q '"gc.enabled":"false"' "$G/metadata/v5.metadata.json" || fail "could not set gc.enabled"
run table expire "$G" --older-than 0s
expect_status 1 "gc disabled"
expect_err '^floe: table expire: gc.enabled is false' "gc disabled message"
run table expire "$G" --older-than 0s --dry-run
expect_status 0 "gc disabled dry run is allowed"
expect_out '^snapshot	469881615898633426$' "a dry run lists what would go even with gc off"
expect_out '"files-listed":4' "gc disabled dry run lists the files"

run table expire "$TMP/nothing"
expect_status 1 "not a table"
expect_err 'no table at .*nothing' "not a table"

run table expire "$T" --older-than 12parsecs
expect_status 2 "bad duration"
expect_err "unknown unit 'parsecs'" "bad duration"
run table clean-orphans "$T" --retain-last 3
expect_status 2 "retain-last on clean-orphans"
run table vacuum "$T"
expect_status 2 "unknown subcommand"
run table expire
expect_status 2 "no path"
run table expire "$T" --retain-last 0
expect_status 2 "retain-last 0"

finish

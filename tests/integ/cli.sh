#!/usr/bin/env bash
# The CLI skeleton: version, help, dispatch, --help on every command, exit codes and the
# "floe: <context>: <message>" error form.
source "$(dirname "$0")/lib.sh"

run --version
expect_status 0 "--version"
expect_out '^floe [0-9]+\.[0-9]+\.[0-9]+$' "--version"

run version
expect_status 0 "version"
expect_out '^floe [0-9]+\.[0-9]+\.[0-9]+$' "version"

run help
expect_status 0 "help"
expect_out '^Usage: floe' "help"
expect_out '^  help ' "help lists commands"

run --help
expect_status 0 "--help"
expect_out 'Commands:' "--help"

# No command: the help goes to stderr and the exit status says usage error.
run
expect_status 2 "no command"
expect_no_out "no command"
expect_err 'Usage: floe' "no command"

run frobnicate
expect_status 2 "unknown command"
expect_err "^floe: unknown command 'frobnicate'$" "unknown command"

run --bogus
expect_status 2 "unknown option"
expect_err "^floe: unknown option '--bogus'$" "unknown option"

run help frobnicate
expect_status 2 "help for unknown command"
expect_err "^floe: help: unknown command 'frobnicate'" "help for unknown command"

run version extra
expect_status 2 "version with an argument"
expect_err "^floe: version: takes no arguments$" "version with an argument"
expect_err "Run 'floe help version' for usage." "usage pointer"

run --log-level loud version
expect_status 2 "bad log level"
expect_err "unknown log level 'loud'" "bad log level"

run --log-level=debug version
expect_status 0 "log level with ="

# Every command answers --help and `floe help NAME` with the same text on stdout.
mapfile -t cmds < <("$FLOE" help | awk '/^Commands:/{on=1; next} on && /^  [a-z]/{print $1} on && /^$/{exit}')
[ "${#cmds[@]}" -ge 2 ] || { STATUS=0; OUT=; ERR=; fail "could not read the command list"; }
for c in "${cmds[@]}"; do
    run "$c" --help
    expect_status 0 "$c --help"
    expect_out '^Usage: floe '"$c" "$c --help"
    a=$OUT
    run help "$c"
    expect_status 0 "help $c"
    [ "$a" = "$OUT" ] || fail "'floe $c --help' and 'floe help $c' differ"
done

finish

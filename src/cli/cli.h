/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The `floe` program's private interface: the subcommand table and the helpers every
 * subcommand uses to report errors the same way ("floe: <context>: <message>" on stderr) and
 * to exit with the same codes (0 ok, 1 failure, 2 usage error).
 */
#ifndef FLOE_CLI_H
#define FLOE_CLI_H

#include "floe/base.h"

#include <stdio.h>

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAILURE 1
#define CLI_EXIT_USAGE 2

typedef struct cli_command {
    const char *name;
    const char *summary;    /* one line for `floe help` */
    const char *usage;      /* the full text of `floe help NAME` and `floe NAME --help` */
    const char *usage_more; /* NULL, or more help printed after `usage` (a subcommand's own) */
    /* True when `run` answers -h/--help itself (per subcommand) instead of main. */
    bool own_help;
    /* argv[0] is the command name; returns the process exit code. */
    int (*run)(int argc, char **argv);
} cli_command;

/* All subcommands, in the order `floe help` lists them; NULL-terminated. */
extern const cli_command *const cli_commands[];
const cli_command *cli_find_command(const char *name);

/* `floe parquet rewrite` (cmd_parquet_rewrite.c), run by the `floe parquet` dispatcher with
 * argv[0] "parquet" and argv[1] "rewrite"; its help text is cli_parquet_rewrite_usage. */
extern const char cli_parquet_rewrite_usage[];
int cli_parquet_rewrite(int argc, char **argv);

/* Print "floe: <ctx>: <message>" to stderr. */
void cli_error(const char *ctx, const char *fmt, ...) FLOE_PRINTF(2, 3);
/* Report a usage error for `cmd` (with a pointer to its help) and return CLI_EXIT_USAGE. A
 * `cmd` of two words ("table scan") points at `floe table scan --help`. */
int cli_usage_error(const char *cmd, const char *fmt, ...) FLOE_PRINTF(2, 3);
/* Report `err` under `ctx` and return the exit code its status maps to. */
int cli_fail(const char *ctx, const floe_err *err);
/* Write `b` to stdout and empty it; false when stdout failed (errno says why). */
bool cli_flush_stdout(floe_buf *b);
/* True when argv holds -h or --help before any "--". */
bool cli_wants_help(int argc, char **argv);
/* Print a command's usage text to `out`. */
void cli_print_usage(const cli_command *cmd, FILE *out);

/* True when --log-level was given (it then wins over a config file's log level). */
extern bool cli_log_level_given;

/* Subcommands. */
extern const cli_command cli_cmd_help;
extern const cli_command cli_cmd_version;
extern const cli_command cli_cmd_server;
extern const cli_command cli_cmd_optimizer;
extern const cli_command cli_cmd_avro;
extern const cli_command cli_cmd_parquet;
extern const cli_command cli_cmd_table;

#endif /* FLOE_CLI_H */

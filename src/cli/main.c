/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The single `floe` program: global options, then dispatch to a subcommand. Every subcommand
 * answers --help, reports errors as "floe: <context>: <message>" on stderr, and exits 0 on
 * success, 1 on failure and 2 on a usage error.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#ifndef FLOE_VERSION
#define FLOE_VERSION "0.0.0"
#endif

/* One command per line. */
/* clang-format off */
const cli_command *const cli_commands[] = {
    &cli_cmd_help,
    &cli_cmd_version,
    &cli_cmd_server,
    &cli_cmd_optimizer,
    &cli_cmd_parquet,
    &cli_cmd_avro,
    &cli_cmd_table,
    NULL,
};
/* clang-format on */

bool cli_log_level_given;

const cli_command *cli_find_command(const char *name)
{
    for (size_t i = 0; cli_commands[i] != NULL; i++) {
        if (strcmp(cli_commands[i]->name, name) == 0) {
            return cli_commands[i];
        }
    }
    return NULL;
}

static void print_main_help(FILE *out)
{
    fprintf(out, "floe %s: lakehouse management for Apache Iceberg tables\n\n", FLOE_VERSION);
    fputs("Usage: floe [--log-level LEVEL] COMMAND [ARGS...]\n\n"
          "Commands:\n",
          out);
    for (size_t i = 0; cli_commands[i] != NULL; i++) {
        fprintf(out, "  %-10s %s\n", cli_commands[i]->name, cli_commands[i]->summary);
    }
    fputs("\nGlobal options:\n"
          "  --log-level LEVEL  debug, info (default), warn, error or off\n"
          "  --version          print the version and exit\n"
          "  -h, --help         print this help and exit\n\n"
          "Run 'floe help COMMAND' or 'floe COMMAND --help' for a command's options.\n"
          "Exit status: 0 success, 1 failure, 2 usage error.\n",
          out);
}

/* ==== help ==== */

static int run_help(int argc, char **argv)
{
    if (argc > 2) {
        return cli_usage_error("help", "expected at most one command name");
    }
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        cli_print_usage(&cli_cmd_help, stdout);
        return CLI_EXIT_OK;
    }
    if (argc == 2) {
        const cli_command *cmd = cli_find_command(argv[1]);
        if (cmd == NULL) {
            return cli_usage_error("help", "unknown command '%s'", argv[1]);
        }
        cli_print_usage(cmd, stdout);
        return CLI_EXIT_OK;
    }
    print_main_help(stdout);
    return CLI_EXIT_OK;
}

const cli_command cli_cmd_help = {
    .name = "help",
    .summary = "show help for floe or for one command",
    .usage = "Usage: floe help [COMMAND]\n\n"
             "Print the list of commands, or the options of COMMAND.\n",
    .run = run_help,
};

/* ==== version ==== */

static int run_version(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        return cli_usage_error("version", "takes no arguments");
    }
    printf("floe %s\n", FLOE_VERSION);
    return CLI_EXIT_OK;
}

const cli_command cli_cmd_version = {
    .name = "version",
    .summary = "print the version",
    .usage = "Usage: floe version\n\nPrint floe's version.\n",
    .run = run_version,
};

/* ==== main ==== */

int main(int argc, char **argv)
{
    int i = 1;
    while (i < argc && argv[i][0] == '-') {
        const char *a = argv[i];
        if (strcmp(a, "--version") == 0) {
            printf("floe %s\n", FLOE_VERSION);
            return CLI_EXIT_OK;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            print_main_help(stdout);
            return CLI_EXIT_OK;
        }
        if (strcmp(a, "--log-level") == 0 || strncmp(a, "--log-level=", 12) == 0) {
            const char *v = a[11] == '=' ? a + 12 : (i + 1 < argc ? argv[++i] : NULL);
            if (v == NULL) {
                return cli_usage_error(NULL, "--log-level needs a value");
            }
            floe_log_level lvl;
            floe_err err = {0};
            if (floe_log_level_parse(v, &lvl, &err) != FLOE_OK) {
                return cli_usage_error(NULL, "%s", err.msg);
            }
            floe_log_set_level(lvl);
            cli_log_level_given = true;
            i++;
            continue;
        }
        return cli_usage_error(NULL, "unknown option '%s'", a);
    }
    if (i >= argc) {
        print_main_help(stderr);
        return CLI_EXIT_USAGE;
    }
    const cli_command *cmd = cli_find_command(argv[i]);
    if (cmd == NULL) {
        return cli_usage_error(NULL, "unknown command '%s'", argv[i]);
    }
    if (cmd != &cli_cmd_help && !cmd->own_help && cli_wants_help(argc - i, argv + i)) {
        cli_print_usage(cmd, stdout);
        return CLI_EXIT_OK;
    }
    return cmd->run(argc - i, argv + i);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Error reporting and usage helpers shared by all subcommands. */
#include "cli.h"

#include <stdarg.h>
#include <string.h>

void cli_error(const char *ctx, const char *fmt, ...)
{
    fprintf(stderr, "floe: ");
    if (ctx != NULL && *ctx != '\0') {
        fprintf(stderr, "%s: ", ctx);
    }
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cli_error(cmd, "%s", msg);
    if (cmd != NULL && strchr(cmd, ' ') != NULL) {
        fprintf(stderr, "Run 'floe %s --help' for usage.\n", cmd);
    } else if (cmd != NULL) {
        fprintf(stderr, "Run 'floe help %s' for usage.\n", cmd);
    } else {
        fprintf(stderr, "Run 'floe help' for usage.\n");
    }
    return CLI_EXIT_USAGE;
}

int cli_fail(const char *ctx, const floe_err *err)
{
    cli_error(ctx, "%s", err->msg[0] ? err->msg : floe_status_name(err->code));
    return floe_status_exit_code(err->code);
}

bool cli_flush_stdout(floe_buf *b)
{
    bool ok = b->len == 0 || fwrite(b->data, 1, b->len, stdout) == b->len;
    floe_buf_reset(b);
    return ok;
}

bool cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            return false;
        }
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            return true;
        }
    }
    return false;
}

void cli_print_usage(const cli_command *cmd, FILE *out)
{
    fputs(cmd->usage, out);
    if (cmd->usage_more != NULL) {
        fputc('\n', out);
        fputs(cmd->usage_more, out);
    }
}

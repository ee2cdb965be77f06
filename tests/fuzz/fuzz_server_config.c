/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz the YAML configuration loader: any input either applies cleanly or fails with a status,
 * and the configuration left behind can always be checked and freed.
 */
#include "floe/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    floe_server_config c;
    floe_server_config_init(&c);
    floe_err err = {0};
    if (floe_server_config_parse(&c, (const char *)data, size, &err) == FLOE_OK) {
        floe_err_clear(&err);
        floe_server_config_finish(&c, &err);
    } else {
        FLOE_VERIFY(err.code != FLOE_OK && err.msg[0] != '\0');
    }
    floe_server_config_fini(&c);
    return 0;
}

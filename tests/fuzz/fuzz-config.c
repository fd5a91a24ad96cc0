/* fuzz-config.c: libFuzzer target for the daemon config loader. */
#include <stdint.h>
#include <stdlib.h>

#include "config.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	cfg;
	char		err[512];

	if (config_parse("fuzz.json", (const char *)data, size, &cfg, err,
	    sizeof(err)) == 0)
		config_free(&cfg);
	return 0;
}

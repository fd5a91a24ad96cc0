/* fuzz-resolutions.c: libFuzzer target for the backtest's resolutions file. */
#include <stdint.h>
#include <stdlib.h>

#include "backtest.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct resolutions	r;
	char			err[512];

	if (resolutions_parse("fuzz.json", (const char *)data, size, &r, err,
	    sizeof(err)) == 0)
		resolutions_free(&r);
	return 0;
}

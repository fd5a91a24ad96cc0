/*
 * replay-main.c: a plain main() for the libFuzzer targets, so that the
 * ordinary (gcc, and ASan) builds run every target over its seed corpus and
 * every kept crash input as part of `make test`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "jsonv.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(int argc, char **argv)
{
	char	 err[256];
	char	*buf;
	size_t	 len;

	for (int i = 1; i < argc; i++) {
		if ((buf = jsonv_read_file(argv[i], 64u << 20, &len, err,
		    sizeof(err))) == NULL) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
		free(buf);
	}
	return 0;
}

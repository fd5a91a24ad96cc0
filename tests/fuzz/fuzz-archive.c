/* fuzz-archive.c: libFuzzer target for one line of a JSONL archive. */
#include <stdint.h>
#include <stdlib.h>

#include "archive.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct article	a;
	char		why[256];

	if (archive_parse_line((const char *)data, size, &a, NULL, why,
	    sizeof(why)) == NULL) {
		if (a.text != NULL)
			(void)archive_looks_like_html(a.text);
		archive_article_free(&a);
	}
	return 0;
}

/*
 * fuzz-markets.c: libFuzzer target for the market loader (strict JSON
 * validation, vocabularies, phrase expansion, modifiers) and, for a set
 * that loads, the matcher compiled from it, run over a short article that
 * holds words the seed corpus uses.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fuzzscore.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_title[] = "Trump and Putin spoke by phone";
static const char fuzz_body[] =
    "Kyiv, Ukraine - Trump said on Sunday he spoke with Putin by phone, "
    "but the Kremlin denied that a ceasefire deal was reached. Zelensky "
    "will not meet Putin; talks could resume next week? Negotiators "
    "reportedly agreed a truce.";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct market_set	*set;
	struct scorer		*sc;
	struct text		 t;
	char			 err[512];

	err[0] = '\0';
	if (market_set_parse("fuzz.json", (const char *)data, size, &set, err,
	    sizeof(err)) == -1) {
		FUZZ_CHECK(err[0] != '\0');
		return 0;
	}
	if ((sc = scorer_new(set, err, sizeof(err))) != NULL) {
		text_init(&t);
		text_set_prefixes(&t, scorer_prefix_mask(sc));
		fuzz_score_article(set, sc, &t, fuzz_title, fuzz_body);
		text_free(&t);
		scorer_free(sc);
	}
	market_set_free(set);
	return 0;
}

/*
 * fuzz-score.c: libFuzzer target for the scorer on arbitrary text: the
 * tokeniser and normaliser (lib/text.c), the phrase matcher, the context
 * modifiers and the evidence encoder (lib/score.c), and SimHash.  The
 * bundled market set config/markets/ukraine-2025.json is loaded once; the
 * input is the article: its first line the title, the rest the body.
 * Run from the repository root (the Makefile's targets do).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzscore.h"

#define FUZZ_MARKETS	"config/markets/ukraine-2025.json"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct market_set	*fuzz_set;
static struct scorer		*fuzz_sc;
static struct text		 fuzz_text;

/* Load and compile the markets once per process. */
static int
fuzz_score_init(void)
{
	char	err[512];

	if (fuzz_sc != NULL)
		return 0;
	if (market_set_load(FUZZ_MARKETS, &fuzz_set, err, sizeof(err)) == -1 ||
	    (fuzz_sc = scorer_new(fuzz_set, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fuzz-score: %s\n", err);
		abort();
	}
	text_init(&fuzz_text);
	text_set_prefixes(&fuzz_text, scorer_prefix_mask(fuzz_sc));
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s, *nl;

	fuzz_score_init();
	if ((s = fuzz_strndup(data, size)) == NULL)
		return 0;
	if ((nl = strchr(s, '\n')) != NULL) {
		*nl = '\0';
		fuzz_score_article(fuzz_set, fuzz_sc, &fuzz_text, s, nl + 1);
	} else
		fuzz_score_article(fuzz_set, fuzz_sc, &fuzz_text, NULL, s);
	free(s);
	return 0;
}

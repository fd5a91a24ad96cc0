/*
 * fuzz-html-text.c: libFuzzer target for HTML to text and markup
 * (lib/htmltext.c).  Each input goes through both of libxml2's parsers:
 * the XML fast path (taken when the fragment is well-formed) and the HTML
 * parser (HTML_NO_XML).  htmltext.h promises that both give the same text
 * and markup, so any difference is a bug; so is invalid UTF-8 out of a
 * valid UTF-8 input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzcheck.h"
#include "htmltext.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_BASE	"http://example.org/news/2025/item.html"
#define FUZZ_FLAGS	(HTML_TEXT | HTML_MARKUP)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct html_ctx		*c;
	struct utf8_stats	 st;
	char			*m1 = NULL, *t1 = NULL, *m2 = NULL, *t2 = NULL;
	const char		*html = (const char *)data;

	if ((c = html_ctx_new()) == NULL)
		return 0;
	/* html_ctx_run leaves both NULL when it fails. */
	if (html_ctx_run(c, html, size, FUZZ_BASE, FUZZ_FLAGS, &m1, &t1) == 0 &&
	    html_ctx_run(c, html, size, FUZZ_BASE, FUZZ_FLAGS | HTML_NO_XML,
	    &m2, &t2) == 0) {
		FUZZ_CHECK(strcmp(t1, t2) == 0);
		FUZZ_CHECK(strcmp(m1, m2) == 0);
		utf8_scan(html, size, &st);
		if (st.invalid == 0 && memchr(html, '\0', size) == NULL) {
			FUZZ_CHECK(fuzz_utf8_ok(t1));
			FUZZ_CHECK(fuzz_utf8_ok(m1));
		}
	}
	free(m1);
	free(t1);
	free(m2);
	free(t2);
	html_ctx_free(c);
	return 0;
}

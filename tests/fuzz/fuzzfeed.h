/*
 * fuzzfeed.h: the body of the two feed parser targets (fuzz-feed-xml.c,
 * fuzz-feed-json.c).  An optional first line "CT: <Content-Type>" gives
 * the HTTP header the parser is told.  Checks what feed.h promises:
 * every string valid UTF-8, ids and text never NULL.
 */
#ifndef PM_FUZZFEED_H
#define PM_FUZZFEED_H

#include "feed.h"
#include "fuzzcheck.h"

static void
fuzz_feed_check(const struct feed *f)
{
	FUZZ_CHECK(fuzz_utf8_ok(f->title));
	FUZZ_CHECK(fuzz_utf8_ok(f->link));
	FUZZ_CHECK(f->format != NULL);
	FUZZ_CHECK(f->nentries == 0 || f->entries != NULL);
	for (size_t i = 0; i < f->nentries; i++) {
		const struct feed_entry *e = &f->entries[i];

		FUZZ_CHECK(e->id != NULL && fuzz_utf8_ok(e->id));
		FUZZ_CHECK(e->text != NULL && fuzz_utf8_ok(e->text));
		FUZZ_CHECK(fuzz_utf8_ok(e->title));
		FUZZ_CHECK(fuzz_utf8_ok(e->title_text));
		FUZZ_CHECK(fuzz_utf8_ok(e->link));
		FUZZ_CHECK(fuzz_utf8_ok(e->summary));
		FUZZ_CHECK(fuzz_utf8_ok(e->content));
		FUZZ_CHECK(fuzz_utf8_ok(e->author));
	}
}

/* Parse one input; def_ct is the Content-Type when the input names none. */
static void
fuzz_feed_one(const uint8_t *data, size_t size, const char *def_ct)
{
	struct feed	f;
	char		ct[128], err[256];

	fuzz_content_type(&data, &size, ct, sizeof(ct));
	err[0] = '\0';
	if (feed_parse((const char *)data, size, ct[0] != '\0' ? ct : def_ct,
	    "http://example.org/news/feed.xml", &f, err, sizeof(err)) == 0)
		fuzz_feed_check(&f);
	else
		FUZZ_CHECK(f.nentries == 0 && err[0] != '\0');
	feed_free(&f);
}

#endif

/*
 * test-feed.c: feed_parse() on the fixture feeds of tests/data/feed/: every
 * format, CDATA, xml:base and relative links, the guid/link/id fallbacks,
 * encodings, invalid UTF-8, XXE, entity bombs, the size cap and recovery
 * from ill-formed XML.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "date.h"
#include "feed.h"
#include "unit.h"
#include "utf8.h"

#define FIXTURES	"tests/data/feed/"
#define SECRET		"PMSIGNAL-FIXTURE-SECRET"

/* Read a fixture file; aborts the test when it is missing. */
static char *
load(const char *name, size_t *lenp)
{
	char	 path[256];
	FILE	*fp;
	char	*buf;
	long	 n;

	snprintf(path, sizeof(path), FIXTURES "%s", name);
	fp = fopen(path, "rb");
	ck_assert_msg(fp != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	ck_assert_int_ge(n, 0);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	*lenp = (size_t)n;
	return buf;
}

/* Parse a fixture that must parse. */
static void
parse_ok(const char *name, const char *ct, const char *base, struct feed *f)
{
	char	 err[256] = "", *data;
	size_t	 len;
	int	 r;

	data = load(name, &len);
	r = feed_parse(data, len, ct, base, f, err, sizeof(err));
	free(data);
	ck_assert_msg(r == 0, "%s: %s", name, err);
}

/* Parse a fixture that must fail; the reason goes to err. */
static void
parse_fail(const char *name, char *err, size_t errsize)
{
	struct feed	 f;
	char		*data;
	size_t		 len;

	data = load(name, &len);
	ck_assert_int_eq(feed_parse(data, len, NULL, NULL, &f, err, errsize), -1);
	ck_assert_uint_eq(f.nentries, 0);
	ck_assert_ptr_null(f.entries);
	free(data);
	feed_free(&f);
}

/* 1 if s (may be NULL) is valid UTF-8 without characters XML forbids. */
static int
clean_utf8(const char *s)
{
	struct utf8_stats st;

	if (s == NULL)
		return 1;
	utf8_scan(s, strlen(s), &st);
	return st.invalid == 0 && st.forbidden == 0;
}

/* Apply fn to every string of a feed. */
static int
every_string(const struct feed *f, int (*fn)(const char *))
{
	if (!fn(f->title) || !fn(f->link))
		return 0;
	for (size_t i = 0; i < f->nentries; i++) {
		const struct feed_entry *e = &f->entries[i];
		const char *s[] = { e->id, e->title, e->title_text, e->link,
		    e->summary, e->content, e->author, e->text };

		for (size_t k = 0; k < sizeof(s) / sizeof(s[0]); k++)
			if (!fn(s[k]))
				return 0;
	}
	return 1;
}

static int
no_secret(const char *s)
{
	return s == NULL || strstr(s, SECRET) == NULL;
}

START_TEST(rss20)
{
	struct feed		 f;
	const struct feed_entry	*e;

	parse_ok("rss20.xml", NULL, NULL, &f);
	ck_assert_str_eq(f.format, "rss20");
	ck_assert_int_eq(f.illformed, 0);
	ck_assert_str_eq(f.title, "Harbor Town Ledger \xE2\x80\x93 World");
	ck_assert_str_eq(f.link, "https://ledger.example/world/");
	ck_assert_uint_eq(f.nentries, 2);
	e = &f.entries[0];
	ck_assert_str_eq(e->title, "Council of Meridia approves river treaty");
	ck_assert_str_eq(e->link, "https://ledger.example/world/meridia-treaty");
	ck_assert_str_eq(e->id, "ledger-0001");
	ck_assert_str_eq(e->author, "Ana Lindqvist");
	/* 09:15 EST is 14:15 UTC. */
	ck_assert_int_eq(e->published, 1741097700);
	ck_assert_int_eq(e->updated, PM_TIME_NONE);
	/* CDATA keeps its markup; the scoring text comes from content. */
	ck_assert_str_eq(e->summary,
	    "<p>The council <b>voted 7&ndash;2</b> for the treaty.</p>");
	ck_assert_ptr_nonnull(strstr(e->content, "<script>"));
	ck_assert_str_eq(e->text, "The council of Meridia voted on Monday.\n"
	    "Delegates from both banks & the port authority signed the text.\n"
	    "Fishing quotas\nDredging");
	e = &f.entries[1];
	/* A permalink guid is the link when there is none. */
	ck_assert_str_eq(e->link, "https://ledger.example/world/port-strike");
	ck_assert_str_eq(e->id, "https://ledger.example/world/port-strike");
	ck_assert_str_eq(e->author, "desk@ledger.example (Omar Reyes)");
	/* Two-digit year, no seconds. */
	ck_assert_int_eq(e->published, 1741183320);
	ck_assert_str_eq(e->summary, "Dock workers <em>returned</em> to work.");
	ck_assert_str_eq(e->text, "Dock workers returned to work.");
	ck_assert_ptr_null(e->content);
	feed_free(&f);
}
END_TEST

START_TEST(rss091_latin1)
{
	struct feed f;

	parse_ok("rss091-latin1.xml", NULL, NULL, &f);
	ck_assert_str_eq(f.format, "rss091");
	ck_assert_int_eq(f.illformed, 0);
	ck_assert_uint_eq(f.nentries, 1);
	ck_assert_str_eq(f.entries[0].title, "Caf\xC3\xA9 opens on main street");
	ck_assert_str_eq(f.entries[0].text,
	    "The caf\xC3\xA9 serves cr\xC3\xAApes & cider.");
	ck_assert_str_eq(f.entries[0].id, "http://gazette.example/cafe");
	feed_free(&f);
}
END_TEST

START_TEST(rss10_rdf)
{
	struct feed f;

	parse_ok("rss10.xml", NULL, NULL, &f);
	ck_assert_str_eq(f.format, "rss10");
	ck_assert_str_eq(f.title, "Observatory Notes");
	ck_assert_str_eq(f.link, "http://observatory.example/");
	ck_assert_uint_eq(f.nentries, 1);
	ck_assert_str_eq(f.entries[0].id, "http://observatory.example/n/17");
	ck_assert_str_eq(f.entries[0].author, "R. Okafor");
	/* dc:date is the updated date: 18:30+01:00. */
	ck_assert_int_eq(f.entries[0].updated, 1730568600);
	ck_assert_int_eq(f.entries[0].published, PM_TIME_NONE);
	feed_free(&f);
}
END_TEST

START_TEST(rss090)
{
	struct feed f;

	parse_ok("rss090.xml", NULL, NULL, &f);
	ck_assert_str_eq(f.format, "rss090");
	ck_assert_str_eq(f.title, "Old Wire");
	ck_assert_uint_eq(f.nentries, 1);
	ck_assert_str_eq(f.entries[0].title, "Town hall clock repaired");
	ck_assert_str_eq(f.entries[0].link, "http://oldwire.example/clock");
	feed_free(&f);
}
END_TEST

START_TEST(atom10_base)
{
	struct feed		 f;
	const struct feed_entry	*e;

	parse_ok("atom10.xml", NULL, NULL, &f);
	ck_assert_str_eq(f.format, "atom10");
	ck_assert_str_eq(f.link, "https://northern.example/news/");
	ck_assert_uint_eq(f.nentries, 2);
	e = &f.entries[0];
	/* xml:base on the feed and on the entry. */
	ck_assert_str_eq(e->link,
	    "https://northern.example/news/2025/06/ferry-strike");
	ck_assert_str_eq(e->summary, "<p>Unions <a href=\""
	    "https://northern.example/news/unions\">agreed</a> overnight.</p>");
	/* Atom 1.0 XHTML: the wrapping div is not content. */
	ck_assert_str_eq(e->content, "<p>The <a href=\"https://northern.example/"
	    "news/2025/06/timeline\">timeline</a> of the talks.</p><p>Services "
	    "resume <em>Monday</em>.</p>");
	ck_assert_str_eq(e->text,
	    "The timeline of the talks.\nServices resume Monday.");
	ck_assert_str_eq(e->title,
	    "Ferry &amp; rail strike <em>called off</em>");
	ck_assert_str_eq(e->title_text, "Ferry & rail strike called off");
	ck_assert_str_eq(e->author, "Kari Haugen (kari@northern.example)");
	ck_assert_int_eq(e->published, 1748752200);
	ck_assert_int_eq(e->updated, 1748763910);
	e = &f.entries[1];
	/* type="text": characters, not markup; also the summary. */
	ck_assert_str_eq(e->content, "Gauges show   the lowest\nlevel since "
	    "1961 <a> is not a tag here.");
	ck_assert_str_eq(e->summary, e->content);
	ck_assert_str_eq(e->text, "Gauges show the lowest\nlevel since 1961 "
	    "<a> is not a tag here.");
	ck_assert_str_eq(e->author, "Per Moen");
	feed_free(&f);
}
END_TEST

START_TEST(atom03)
{
	struct feed f;

	parse_ok("atom03.xml", NULL, NULL, &f);
	ck_assert_str_eq(f.format, "atom03");
	ck_assert_uint_eq(f.nentries, 1);
	ck_assert_str_eq(f.entries[0].summary, "Traffic <b>flows</b> again.");
	/* mode="base64" */
	ck_assert_str_eq(f.entries[0].content, "<p>The bridge is open.</p>");
	ck_assert_str_eq(f.entries[0].text, "The bridge is open.");
	ck_assert_int_eq(f.entries[0].published, 1105326600);
	ck_assert_int_eq(f.entries[0].updated, 1105347600);
	feed_free(&f);
}
END_TEST

START_TEST(json_feed)
{
	struct feed		 f;
	const struct feed_entry	*e;

	parse_ok("jsonfeed.json", NULL, "https://bulletin.example/feed.json", &f);
	ck_assert_str_eq(f.format, "json11");
	ck_assert_str_eq(f.title, "Pocket Bulletin");
	ck_assert_str_eq(f.link, "https://bulletin.example/");
	ck_assert_uint_eq(f.nentries, 2);
	e = &f.entries[0];
	ck_assert_str_eq(e->id, "b-100");
	ck_assert_str_eq(e->link,
	    "https://bulletin.example/2025/07/ceasefire-talks");
	ck_assert_str_eq(e->summary, "Envoys met again.");
	ck_assert_str_eq(e->text, "Envoys met in a lakeside hotel.");
	ck_assert_str_eq(e->author, "Lea Brandt");
	ck_assert_int_eq(e->published, 1752498000);
	ck_assert_int_eq(e->updated, 1752507000);
	e = &f.entries[1];
	ck_assert_str_eq(e->id, "4711");
	ck_assert_str_eq(e->content, "Ships left port at dawn.");
	ck_assert_str_eq(e->author, "Tomas Varga");
	feed_free(&f);
}
END_TEST

START_TEST(id_and_link_fallbacks)
{
	struct feed	f, g;

	parse_ok("guid-fallback.xml", NULL, "http://fallback.example/feed.rss",
	    &f);
	ck_assert_uint_eq(f.nentries, 6);
	ck_assert_str_eq(f.entries[0].link, "http://fallback.example/a/1");
	ck_assert_ptr_null(f.entries[1].link);
	ck_assert_str_eq(f.entries[1].id, "internal-77");
	ck_assert_str_eq(f.entries[2].id, "http://fallback.example/a/3");
	/* No guid, no link: a hash of title and date, stable across parses,
	 * different for a different date. */
	ck_assert_ptr_nonnull(f.entries[3].id);
	ck_assert_int_eq(strncmp(f.entries[3].id, "pmsignal:hash:", 14), 0);
	ck_assert_str_ne(f.entries[3].id, f.entries[4].id);
	parse_ok("guid-fallback.xml", NULL, NULL, &g);
	ck_assert_str_eq(f.entries[3].id, g.entries[3].id);
	ck_assert_str_eq(f.entries[4].id, g.entries[4].id);
	/* A relative link resolved against the feed's URL, or kept. */
	ck_assert_str_eq(f.entries[5].link, "http://fallback.example/a/6");
	ck_assert_str_eq(g.entries[5].link, "/a/6");
	feed_free(&f);
	feed_free(&g);
}
END_TEST

START_TEST(encodings)
{
	struct feed f;

	/* windows-1252 bytes named only by the HTTP charset. */
	parse_ok("cp1252-http.xml", "text/xml; charset=windows-1252", NULL, &f);
	ck_assert_int_eq(f.illformed, 0);
	ck_assert_str_eq(f.entries[0].title, "Minister says \xE2\x80\x9Cno deal"
	    "\xE2\x80\x9D \xE2\x80\x93 yet");
	feed_free(&f);
	/* Without it: not UTF-8, read as windows-1252, flagged. */
	parse_ok("cp1252-http.xml", NULL, NULL, &f);
	ck_assert_int_eq(f.illformed, 1);
	ck_assert_str_eq(f.entries[0].title, "Minister says \xE2\x80\x9Cno deal"
	    "\xE2\x80\x9D \xE2\x80\x93 yet");
	feed_free(&f);
	parse_ok("utf16le-bom.xml", NULL, NULL, &f);
	ck_assert_str_eq(f.title, "Sixteen Bits");
	ck_assert_str_eq(f.entries[0].title, "Z\xC3\xBCrich talks resume");
	feed_free(&f);
	parse_ok("utf8-bom.xml", NULL, NULL, &f);
	ck_assert_str_eq(f.title, "Bom Daily");
	ck_assert_str_eq(f.entries[0].title, "\xC3\x85lesund fish market");
	feed_free(&f);
	/* UTF-8 read as Latin-1 and windows-1252 code points, repaired. */
	parse_ok("mojibake.xml", NULL, NULL, &f);
	ck_assert_str_eq(f.entries[0].title, "It\xE2\x80\x99s late");
	ck_assert_str_eq(f.entries[0].summary, "don\xE2\x80\x99t panic");
	feed_free(&f);
}
END_TEST

/*
 * A server that calls 8-bit bytes UTF-16 or UTF-32 (in the Content-Type,
 * or the document in its declaration) is wrong: the first bytes show it.
 * Read as UTF-16 they would be CJK soup and no feed at all.
 */
START_TEST(lying_charset)
{
	static const char *types[] = {
		"application/rss+xml; charset=utf-16",
		"application/xml; charset=UTF-32",
		"text/xml; charset=ucs-2",
		NULL,
	};
	/* Of a length that divides by 4: the bytes convert "fine". */
	const char	*doc = "\n <?xml version=\"1.0\" encoding=\"utf-16\"?>"
	    "<rss version=\"2.0\"><channel><title>Lies</title><item>"
	    "<guid>l1</guid><title>Caf\xC3\xA9 na\xC3\xAFve</title></item>"
	    "</channel></rss>     ";
	char		 err[256];
	struct feed	 f;

	ck_assert_uint_eq(strlen(doc) % 4, 0);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		err[0] = '\0';
		ck_assert_msg(feed_parse(doc, strlen(doc), types[i], NULL, &f,
		    err, sizeof(err)) == 0, "%s: %s", types[i], err);
		ck_assert_int_eq(f.illformed, 1);
		ck_assert_str_eq(f.title, "Lies");
		ck_assert_uint_eq(f.nentries, 1);
		ck_assert_str_eq(f.entries[0].title, "Caf\xC3\xA9 na\xC3\xAFve");
		feed_free(&f);
	}
	/* Real UTF-16, named only by the header, still reads as UTF-16. */
	{
		const char	 src[] = "<rss><channel><title>Wide</title>"
		    "</channel></rss>";
		char		 wide[2 * sizeof(src)];

		for (size_t i = 0; i < sizeof(src) - 1; i++) {
			wide[2 * i] = src[i];
			wide[2 * i + 1] = '\0';
		}
		ck_assert_int_eq(feed_parse(wide, 2 * (sizeof(src) - 1),
		    "application/xml; charset=utf-16le", NULL, &f, err,
		    sizeof(err)), 0);
		ck_assert_str_eq(f.title, "Wide");
		feed_free(&f);
	}
}
END_TEST

START_TEST(invalid_utf8)
{
	struct feed f;

	parse_ok("invalid-utf8.xml", NULL, NULL, &f);
	ck_assert_int_eq(f.illformed, 1);
	ck_assert(every_string(&f, clean_utf8));
	/* The valid characters survive, each bad byte is U+FFFD. */
	ck_assert_str_eq(f.entries[0].title,
	    "Na\xEF\xBF\xBDve caf\xC3\xA9 \xEF\xBF\xBD\xEF\xBF\xBD review");
	ck_assert_ptr_nonnull(strstr(f.entries[0].text,
	    "\xE2\x80\x9Cquoted\xE2\x80\x9D"));
	feed_free(&f);
}
END_TEST

/*
 * Found by fuzz-feed-xml: libxml2 copies one byte of a predefined entity
 * into an attribute value, so an HTML entity lent that way (&eacute;)
 * became half a character in inline XHTML's attributes.
 */
START_TEST(html_entity_in_attribute)
{
	static const char doc[] =
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>e</id>"
	    "<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">"
	    "<a href=\"/caf&eacute;\" title=\"&hellip; &bogus; &amp;\">"
	    "caf&eacute;</a></div></content></entry></feed>";
	struct feed	f;
	char		err[256];

	ck_assert_int_eq(feed_parse(doc, sizeof(doc) - 1, NULL,
	    "http://example.org/", &f, err, sizeof(err)), 0);
	ck_assert_uint_eq(f.nentries, 1);
	ck_assert(every_string(&f, clean_utf8));
	ck_assert_ptr_nonnull(strstr(f.entries[0].content,
	    "title=\"\xE2\x80\xA6 &amp;bogus; &amp;\""));
	ck_assert_ptr_nonnull(strstr(f.entries[0].content,
	    "href=\"http://example.org/caf\xC3\xA9\""));
	ck_assert_str_eq(f.entries[0].text, "caf\xC3\xA9");
	feed_free(&f);
}
END_TEST

START_TEST(xxe_relative_file)
{
	struct feed f;

	parse_ok("xxe-relative.xml", NULL, NULL, &f);
	ck_assert(every_string(&f, no_secret));
	ck_assert_str_eq(f.entries[0].id, "xxe-1");
	ck_assert_int_eq(f.illformed, 1);
	feed_free(&f);
}
END_TEST

/* XXE through an absolute file:// URL, to a file made for the test. */
START_TEST(xxe_absolute_file)
{
	char		 path[] = "/tmp/pmsignal-xxe-XXXXXX", doc[1024], err[256];
	struct feed	 f;
	FILE		*fp;
	int		 fd, n;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	fp = fdopen(fd, "w");
	ck_assert_ptr_nonnull(fp);
	fprintf(fp, "%s absolute\n", SECRET);
	fclose(fp);
	n = snprintf(doc, sizeof(doc),
	    "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n"
	    "<!ENTITY e SYSTEM \"file://%s\">\n"
	    "<!ENTITY %% p SYSTEM \"file://%s\">\n%%p;\n]>\n"
	    "<rss version=\"2.0\"><channel><title>&e;</title><item>"
	    "<title>a &e; b</title><description>&e;</description>"
	    "<link>http://x.example/?&e;</link></item></channel></rss>",
	    path, path);
	ck_assert_int_lt(n, (int)sizeof(doc));
	ck_assert_int_eq(feed_parse(doc, (size_t)n, NULL, NULL, &f, err,
	    sizeof(err)), 0);
	ck_assert(every_string(&f, no_secret));
	ck_assert_uint_eq(f.nentries, 1);
	feed_free(&f);
	/* Nor through HTML content, whichever parser reads it. */
	n = snprintf(doc, sizeof(doc), "<rss><channel><item><guid>h</guid>"
	    "<description>&lt;!DOCTYPE p [&lt;!ENTITY e SYSTEM \"file://%s\"&gt;]"
	    "&gt;&lt;p&gt;&amp;e;&lt;/p&gt;</description></item></channel></rss>",
	    path);
	ck_assert_int_lt(n, (int)sizeof(doc));
	ck_assert_int_eq(feed_parse(doc, (size_t)n, NULL, NULL, &f, err,
	    sizeof(err)), 0);
	ck_assert(every_string(&f, no_secret));
	ck_assert_ptr_nonnull(strstr(f.entries[0].summary, "<!DOCTYPE"));
	feed_free(&f);
	/* The external DTD subset is not read either. */
	n = snprintf(doc, sizeof(doc), "<!DOCTYPE rss SYSTEM \"file://%s\">"
	    "<rss><channel><title>t</title></channel></rss>", path);
	ck_assert_int_eq(feed_parse(doc, (size_t)n, NULL, NULL, &f, err,
	    sizeof(err)), 0);
	ck_assert(every_string(&f, no_secret));
	feed_free(&f);
	unlink(path);
}
END_TEST

START_TEST(billion_laughs)
{
	char err[256] = "";

	parse_fail("laughs.xml", err, sizeof(err));
	ck_assert_ptr_nonnull(strstr(err, "entity"));
}
END_TEST

/*
 * Elements nested 1000 deep are read (and what follows them); past 1024
 * the document is refused: with SAX handlers libxml2 has no depth limit
 * of its own, and 8 MB of "<x>" would cost it over 100 MB.
 */
START_TEST(nesting_bomb)
{
	static const size_t	 depths[] = { 1000, 1100, 2000000 };
	const char		*head = "<rss version=\"2.0\"><channel>";
	const char		*tail = "<item><guid>after</guid></item>"
	    "</channel></rss>";
	struct feed		 f;
	char			 err[256];

	for (size_t k = 0; k < sizeof(depths) / sizeof(depths[0]); k++) {
		size_t	 d = depths[k], n = 0;
		char	*doc = malloc(strlen(head) + 7 * d + strlen(tail) + 1);

		ck_assert_ptr_nonnull(doc);
		n += (size_t)sprintf(doc, "%s", head);
		for (size_t i = 0; i < d; i++, n += 3)
			memcpy(doc + n, "<x>", 3);
		for (size_t i = 0; i < d; i++, n += 4)
			memcpy(doc + n, "</x>", 4);
		n += (size_t)sprintf(doc + n, "%s", tail);
		err[0] = '\0';
		if (d <= 1000) {
			ck_assert_msg(feed_parse(doc, n, NULL, NULL, &f, err,
			    sizeof(err)) == 0, "%s", err);
			ck_assert_uint_eq(f.nentries, 1);
			ck_assert_str_eq(f.entries[0].id, "after");
		} else {
			ck_assert_int_eq(feed_parse(doc, n, NULL, NULL, &f,
			    err, sizeof(err)), -1);
			ck_assert_msg(strstr(err, "nested deeper than 1024") !=
			    NULL, "%s", err);
		}
		feed_free(&f);
		free(doc);
	}
}
END_TEST

/*
 * An RSS document of n items "tI", item I dated date(I) minutes after
 * 2026-01-01 (no date when date(I) < 0): malloc'd, length in *len.
 */
static char *
many_items(size_t n, long (*date)(size_t), size_t *len)
{
	char	*doc = malloc(n * 96 + 128);
	size_t	 o = 0;

	ck_assert_ptr_nonnull(doc);
	o += (size_t)sprintf(doc, "<rss version=\"2.0\"><channel><title>m</title>");
	for (size_t i = 0; i < n; i++) {
		long	 m = date(i);
		time_t	 t = (time_t)(1767225600 + 60 * m);
		char	 d[64] = "";

		if (m >= 0)
			strftime(d, sizeof(d), "%a, %d %b %Y %H:%M:%S GMT",
			    gmtime(&t));
		o += (size_t)sprintf(doc + o, "<item><guid>t%zu</guid>%s%s%s"
		    "</item>", i, m >= 0 ? "<pubDate>" : "", d,
		    m >= 0 ? "</pubDate>" : "");
	}
	o += (size_t)sprintf(doc + o, "</channel></rss>");
	*len = o;
	return doc;
}

static long	date_up(size_t i) { return (long)i; }
static long	date_down(size_t i) { return 100000 - (long)i; }
static long	date_none(size_t i) { (void)i; return -1; }
static long	date_tail(size_t i) { return i >= 2990 ? (long)i : -1; }

/* Entry i of f has id "t<want>". */
static void
id_is(const struct feed *f, size_t i, size_t want)
{
	char id[32];

	snprintf(id, sizeof(id), "t%zu", want);
	ck_assert_str_eq(f->entries[i].id, id);
}

/* Parse many_items(n, date): nentries kept, nolder left out. */
static void
parse_many(size_t n, long (*date)(size_t), struct feed *f, size_t nentries,
    size_t nolder)
{
	char	*doc, err[256];
	size_t	 len;

	doc = many_items(n, date, &len);
	ck_assert_int_eq(feed_parse(doc, len, NULL, NULL, f, err, sizeof(err)), 0);
	free(doc);
	ck_assert_uint_eq(f->nentries, nentries);
	ck_assert_uint_eq(f->nolder, nolder);
}

/*
 * A long document keeps its newest FEED_MAX_ENTRIES entries, in document
 * order, whichever way it is sorted (and however long: drafts are cut
 * down while reading, so memory stays bounded too).
 */
START_TEST(newest_entries_kept)
{
	struct feed f;

	ck_assert_int_eq(FEED_MAX_ENTRIES, 1000);
	/* Oldest first: the last 1000. */
	parse_many(1500, date_up, &f, 1000, 500);
	for (size_t i = 0; i < 1000; i++)
		id_is(&f, i, 500 + i);
	feed_free(&f);
	/* Newest first, long enough to be cut down while reading. */
	parse_many(5000, date_down, &f, 1000, 4000);
	for (size_t i = 0; i < 1000; i++)
		id_is(&f, i, i);
	feed_free(&f);
	/* Undated: the first 1000. */
	parse_many(2500, date_none, &f, 1000, 1500);
	id_is(&f, 0, 0);
	id_is(&f, 999, 999);
	feed_free(&f);
	/* Ten dated at the very end beat the undated, even across a cut. */
	parse_many(3000, date_tail, &f, 1000, 2000);
	id_is(&f, 0, 0);
	id_is(&f, 989, 989);
	id_is(&f, 990, 2990);
	id_is(&f, 999, 2999);
	feed_free(&f);
	/* A short document keeps everything. */
	parse_many(999, date_up, &f, 999, 0);
	feed_free(&f);
}
END_TEST

START_TEST(size_cap)
{
	size_t		 len = 100u * 1000 * 1000;
	char		*big = malloc(len), err[256] = "";
	struct feed	 f;

	ck_assert_ptr_nonnull(big);
	memset(big, ' ', len);
	memcpy(big, "<rss><channel>", 14);
	ck_assert_int_eq(feed_parse(big, len, NULL, NULL, &f, err, sizeof(err)),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "too large"));
	ck_assert_uint_eq(f.nentries, 0);
	free(big);
	feed_free(&f);
}
END_TEST

START_TEST(illformed_recovery)
{
	struct feed f;

	parse_ok("illformed.xml", NULL, NULL, &f);
	ck_assert_int_eq(f.illformed, 1);
	ck_assert_str_eq(f.title, "Sloppy Post\xC2\xA0" "Daily");
	/* Bare ampersands kept, not dropped. */
	ck_assert_str_eq(f.link, "http://sloppy.example/?section=world&page=2");
	ck_assert_uint_eq(f.nentries, 2);
	ck_assert_str_eq(f.entries[0].title, "Talks & tea in the capital");
	ck_assert_str_eq(f.entries[0].link,
	    "http://sloppy.example/story?id=5&ref=rss");
	ck_assert_str_eq(f.entries[0].id, "sloppy-5");
	/* An HTML entity becomes its character, an unknown one stays. */
	ck_assert_str_eq(f.entries[0].text,
	    "Ministers met \xE2\x80\x94 no deal &bogus; yet.");
	ck_assert_str_eq(f.entries[1].id, "sloppy-6");
	ck_assert_str_eq(f.entries[1].text, "Unclosed bold");
	feed_free(&f);
}
END_TEST

START_TEST(refused)
{
	char		err[256] = "";
	struct feed	f;

	parse_fail("not-a-feed.html", err, sizeof(err));
	ck_assert_ptr_nonnull(strstr(err, "not an RSS"));
	ck_assert_int_eq(feed_parse("", 0, NULL, NULL, &f, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "empty document");
	feed_free(&f);
	ck_assert_int_eq(feed_parse("{\"items\": [", 11, NULL, NULL, &f, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "JSON"));
	feed_free(&f);
	ck_assert_int_eq(feed_parse("plain words", 11, NULL, NULL, &f, err,
	    sizeof(err)), -1);
	feed_free(&f);
	/* A nesting bomb says so, with brackets in strings not counted. */
	{
		size_t	 depth = 5000, n = 0;
		char	*doc = malloc(2 * depth + 64);

		ck_assert_ptr_nonnull(doc);
		n += (size_t)sprintf(doc, "{\"title\":\"[[{{\",\"items\":");
		memset(doc + n, '[', depth);
		n += depth;
		memset(doc + n, ']', depth);
		n += depth;
		doc[n++] = '}';
		ck_assert_int_eq(feed_parse(doc, n, NULL, NULL, &f, err,
		    sizeof(err)), -1);
		ck_assert_msg(strstr(err, "nested deeper than 1000") != NULL,
		    "%s", err);
		feed_free(&f);
		free(doc);
	}
	/*
	 * A value bomb is refused before cJSON builds it: 500,000 values
	 * (strings full of commas do not count) pass, one more does not.
	 */
	{
		const char	*head = "{\"title\":\",,[{\",\"items\":[{\"id\":"
				    "\"v\",\"title\":\"values\",\"x\":[0";
		size_t		 hl = strlen(head), n;
		char		*doc = malloc(hl + 2 * 500000 + 16);

		/* head counts 8 (the count starts at 1, then one for each
		 * of { , [ { , , [ outside strings); each ",0" adds one. */
		ck_assert_ptr_nonnull(doc);
		for (int extra = 0; extra < 2; extra++) {
			memcpy(doc, head, hl);
			n = hl;
			for (size_t i = 8; i < 500000 + (size_t)extra; i++) {
				doc[n++] = ',';
				doc[n++] = '0';
			}
			memcpy(doc + n, "]}]}", 4);
			n += 4;
			if (extra == 0) {
				ck_assert_msg(feed_parse(doc, n, NULL, NULL, &f,
				    err, sizeof(err)) == 0, "%s", err);
				ck_assert_uint_eq(f.nentries, 1);
			} else {
				ck_assert_int_eq(feed_parse(doc, n, NULL, NULL,
				    &f, err, sizeof(err)), -1);
				ck_assert_str_eq(err, "JSON Feed: more than "
				    "500000 values (no feed has that many; "
				    "refused to bound memory)");
			}
			feed_free(&f);
		}
		free(doc);
	}
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("feed");
	TCase	*tc = tcase_create("feed");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, rss20);
	tcase_add_test(tc, rss091_latin1);
	tcase_add_test(tc, rss10_rdf);
	tcase_add_test(tc, rss090);
	tcase_add_test(tc, atom10_base);
	tcase_add_test(tc, atom03);
	tcase_add_test(tc, json_feed);
	tcase_add_test(tc, id_and_link_fallbacks);
	tcase_add_test(tc, encodings);
	tcase_add_test(tc, lying_charset);
	tcase_add_test(tc, invalid_utf8);
	tcase_add_test(tc, html_entity_in_attribute);
	tcase_add_test(tc, xxe_relative_file);
	tcase_add_test(tc, xxe_absolute_file);
	tcase_add_test(tc, billion_laughs);
	tcase_add_test(tc, nesting_bomb);
	tcase_add_test(tc, newest_entries_kept);
	tcase_add_test(tc, size_cap);
	tcase_add_test(tc, illformed_recovery);
	tcase_add_test(tc, refused);
	suite_add_tcase(s, tc);
	return unit_run(s);
}

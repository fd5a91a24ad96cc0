/*
 * test-html-text.c: html_to_text() (scoring text) and the markup rewrite
 * of html_ctx_run(); uri_resolve() on the cases feeds need.
 */
#include <stdlib.h>
#include <string.h>

#include "htmltext.h"
#include "unit.h"
#include "uri.h"

/* html_to_text of a C string, compared, then freed. */
static void
text_is(const char *html, const char *want)
{
	char *t = html_to_text(html, strlen(html));

	ck_assert_ptr_nonnull(t);
	ck_assert_msg(strcmp(t, want) == 0, "html_to_text(%s) = [%s], want [%s]",
	    html, t, want);
	free(t);
}

/* The markup rewrite of html against base. */
static void
markup_is(const char *html, const char *base, const char *want)
{
	struct html_ctx	*c = html_ctx_new();
	char		*m = NULL;

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(html_ctx_run(c, html, strlen(html), base, HTML_MARKUP,
	    &m, NULL), 0);
	ck_assert_msg(strcmp(m, want) == 0, "markup(%s) = [%s], want [%s]",
	    html, m, want);
	free(m);
	html_ctx_free(c);
}

START_TEST(text_basics)
{
	text_is("", "");
	text_is("plain words", "plain words");
	text_is("<p>One</p><p>Two</p>", "One\nTwo");
	text_is("a<br>b<br/>c", "a\nb\nc");
	text_is("<div>x<div>y</div></div>z", "x\ny\nz");
	text_is("<ul><li>first</li><li>second</li></ul>", "first\nsecond");
	text_is("<h2>Head</h2>body", "Head\nbody");
}
END_TEST

START_TEST(text_dropped)
{
	text_is("a<script>var s = '<p>no</p>';</script>b", "ab");
	text_is("<style>p { color: red }</style>kept", "kept");
	text_is("x <noscript><img src=t.gif></noscript> y", "x y");
	text_is("<html><head><title>Page</title></head><body><p>Body"
	    "</p></body></html>", "Body");
}
END_TEST

START_TEST(text_entities_space)
{
	text_is("Tom &amp; Jerry &lt;3 &eacute;t&eacute; &#8220;q&#x201D;",
	    "Tom & Jerry <3 \xC3\xA9t\xC3\xA9 \xE2\x80\x9Cq\xE2\x80\x9D");
	text_is("  lots   of\n\n white\t space  ", "lots of white space");
	text_is("no&nbsp;break&nbsp;&nbsp;space", "no break space");
	text_is("<p>  padded  </p>", "padded");
	/* Loose text next to inline markup is one sentence, not two. */
	text_is("<b>EU</b> said talks <i>resume</i> Monday",
	    "EU said talks resume Monday");
	text_is("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr>"
	    "</table>", "a b\nc");
}
END_TEST

START_TEST(text_broken_html)
{
	text_is("<p>unclosed <b>bold <i>italic", "unclosed bold italic");
	text_is("a < b and c > d", "a < b and c > d");
	text_is("</div></p>stray ends", "stray ends");
	text_is("<p>bare & ampersand</p>", "bare & ampersand");
}
END_TEST

START_TEST(markup_rewrite)
{
	markup_is("<P CLASS=x ID='y'>t</P>", NULL, "<p class=\"x\" id=\"y\">t</p>");
	markup_is("a<br>b<img src=\"i.png\">", NULL,
	    "a<br />b<img src=\"i.png\" />");
	markup_is("<b/>", NULL, "<b></b>");
	markup_is("<a title=\"&quot;q&quot;\" href=\"/x?a=1&amp;b=2\">l</a>",
	    NULL, "<a href=\"/x?a=1&amp;b=2\" title=\"&quot;q&quot;\">l</a>");
	markup_is("Q&A &amp; &copy; &#X41; &#150;", NULL,
	    "Q&amp;A &amp; &copy; &#x41; &#x2013;");
	markup_is("<!-- note --><p>x</p>", NULL, "<!-- note --><p>x</p>");
	markup_is("<a href=\"../up\">u</a><img src=\"pic.jpg\">",
	    "http://host.example/a/b/", "<a href=\"http://host.example/a/up\">u"
	    "</a><img src=\"http://host.example/a/b/pic.jpg\" />");
	markup_is("<a href=\"javascript:alert(1)\">x</a>",
	    "http://host.example/", "<a href=\"\">x</a>");
	markup_is("<a rel=\"NoFollow\" href=\"http://abs.example/\">x</a>",
	    "http://host.example/",
	    "<a href=\"http://abs.example/\" rel=\"nofollow\">x</a>");
}
END_TEST

/*
 * Well-formed fragments go through libxml2's XML parser, the others through
 * its HTML parser: both must give the same text and markup.
 */
static const char *const both_paths[] = {
	"<p>a<div>b</div>c</p>",
	"<table><tr><td>x</td><td>y</td></tr></table>",
	"<ul><li>a<ul><li>b</li></ul></li></ul>",
	"<a href=\"x\"><a href=\"y\">z</a></a>",
	"<b><p>x</p></b> tail",
	"<p><p>x</p></p>",
	"<script>a &amp;&amp; b</script>after",
	"<style>p { color: red }</style>after",
	"<noscript><img src=\"t.gif\"/></noscript>x",
	"<select><option>a</option><option>b</option></select>",
	"<br></br>x<img src=\"a.png\"></img>",
	"<p>x</p>   \n  <p>y</p>",
	"&nbsp;&eacute;&amp;&lt;&#160;&#x2014;&#146;&rsquo;",
	"<img alt=\"a &amp; b\" src=\"x.png\"/>",
	"<input type=\"checkbox\" checked=\"checked\"/>",
	"<p title=\"  spaced   out \">t</p>",
	"<a href=\"rel/x\" rel=\"NoFollow\">r</a><img src=\"/abs.png\"/>",
	"<svg><rect/></svg>seen",
	"<title>t</title>body",
	"<div><!-- c --><?pi x?></div>",
	"<textarea>a &lt;b&gt;</textarea>",
	"<P>upper</P><Br/>",
	"<blockquote cite=\"q\">said</blockquote>",
	"<h1>Head</h1><p>Para with <em>stress</em> and <a href=\"https://"
	    "x.example/?a=1&amp;b=2\">link</a>.</p>",
	"plain text with <b>bold</b> & a bare ampersand",
	"<p>unclosed",
	"<br>old style<br>",
	"<font color=red>unquoted</font>",
	"<o:p>office</o:p>",
	"<![CDATA[raw]]>",
	"<p>&bogus; entity</p>",
	/* A '>' inside a processing instruction ends it for HTML (fuzz). */
	"<?p >?>after<?q x?>",
	/* Blanks in attribute values: XML normalises them (fuzz). */
	"<a title=\"a\tb\nc\r\nd\" href='x\ty'>t</a><p\n class=\"q\">p</p>",
	/* Names HTML reads as text, or cuts (fuzz). */
	"<\xC7\x81/>x<p \xC3\xA9=\"1\">y</p><_/><p _a=\"1\">z</p>",
	"<p><a-b.c_d:e>n</a-b.c_d:e></p><x1234567890123456789012345678901234"
	    "567890123456789012345678901234567890>long</x1234567890123456789012"
	    "345678901234567890123456789012345678901234567890>",
	/* HTML's entities in attribute values: whole characters (fuzz). */
	"<p title=\"caf&eacute; &hellip;&nbsp;&#233;\">t&eacute;</p>",
	"<a href=\"/x?a=1&amp;b=&eacute;\" title=\"&lt;&quot;\">l</a>",
};

START_TEST(xml_and_html_paths_agree)
{
	struct html_ctx	*c = html_ctx_new();
	const char	*base = "http://host.example/dir/page";

	ck_assert_ptr_nonnull(c);
	for (size_t i = 0; i < sizeof(both_paths) / sizeof(both_paths[0]); i++) {
		const char	*h = both_paths[i];
		char		*m1, *t1, *m2, *t2;

		ck_assert_int_eq(html_ctx_run(c, h, strlen(h), base,
		    HTML_TEXT | HTML_MARKUP, &m1, &t1), 0);
		ck_assert_int_eq(html_ctx_run(c, h, strlen(h), base,
		    HTML_TEXT | HTML_MARKUP | HTML_NO_XML, &m2, &t2), 0);
		ck_assert_msg(strcmp(t1, t2) == 0, "text of [%s]: [%s] vs [%s]",
		    h, t1, t2);
		ck_assert_msg(strcmp(m1, m2) == 0, "markup of [%s]: [%s] vs [%s]",
		    h, m1, m2);
		free(m1);
		free(t1);
		free(m2);
		free(t2);
	}
	html_ctx_free(c);
}
END_TEST

/*
 * Found by fuzz-html-text: an end tag the parser implies, with "<" as the
 * last byte of the source, made html_find_tag read one byte past it.  The
 * source is copied to a buffer of its exact size so that `make asan`
 * sees any such read.
 */
START_TEST(implied_end_tag_at_end)
{
	static const char src[] = "<a href=\"x\">link <b>bold</a> tail <";
	struct html_ctx	*c = html_ctx_new();
	char		*h = malloc(sizeof(src) - 1), *m = NULL, *t = NULL;

	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_nonnull(h);
	memcpy(h, src, sizeof(src) - 1);
	ck_assert_int_eq(html_ctx_run(c, h, sizeof(src) - 1, NULL,
	    HTML_TEXT | HTML_MARKUP, &m, &t), 0);
	ck_assert_ptr_nonnull(strstr(t, "link bold"));
	ck_assert_ptr_nonnull(strstr(m, "<a href=\"x\">"));
	free(m);
	free(t);
	free(h);
	html_ctx_free(c);
}
END_TEST

/* n copies of open, then body, then n copies of close: malloc'd. */
static char *
nested(size_t n, const char *open, const char *body, const char *close)
{
	size_t	 ol = strlen(open), bl = strlen(body), cl = strlen(close);
	char	*s = malloc(n * (ol + cl) + bl + 1), *p = s;

	ck_assert_ptr_nonnull(s);
	for (size_t i = 0; i < n; i++, p += ol)
		memcpy(p, open, ol);
	memcpy(p, body, bl);
	p += bl;
	for (size_t i = 0; i < n; i++, p += cl)
		memcpy(p, close, cl);
	*p = '\0';
	return s;
}

/*
 * A nesting bomb stops being read past 1024 open elements (libxml2 keeps
 * some 60 bytes per open element); markup as deep as 1000 is read in full,
 * by either parser.  The markup keeps the source, so nothing is lost.
 */
START_TEST(nesting_bomb)
{
	static const char	*opens[] = { "<b>", "<span>", "<b class=x>" };
	struct html_ctx		*c = html_ctx_new();

	ck_assert_ptr_nonnull(c);
	for (size_t i = 0; i < sizeof(opens) / sizeof(opens[0]); i++) {
		const char	*close = i == 1 ? "</span>" : "</b>";
		char		*ok = nested(1000, opens[i], "deep word", close);
		char		*bomb = nested(200000, opens[i], "deep word", close);
		char		*m = NULL, *t = NULL;

		ck_assert_int_eq(html_ctx_run(c, ok, strlen(ok), NULL,
		    HTML_MARKUP | HTML_TEXT, &m, &t), 0);
		ck_assert_str_eq(t, "deep word");
		free(m);
		free(t);
		ck_assert_int_eq(html_ctx_run(c, bomb, strlen(bomb), NULL,
		    HTML_MARKUP | HTML_TEXT, &m, &t), 0);
		ck_assert_ptr_null(strstr(t, "deep"));
		/* The source, plus quotes added to the attributes read. */
		ck_assert_uint_le(strlen(m), strlen(bomb) + 2 * 1025);
		ck_assert_ptr_nonnull(strstr(m, "deep word"));
		free(m);
		free(t);
		free(ok);
		free(bomb);
	}
	html_ctx_free(c);
}
END_TEST

START_TEST(uri)
{
	char *u;

	u = uri_resolve("http://a.example/b/c", "d");
	ck_assert_str_eq(u, "http://a.example/b/d");
	free(u);
	u = uri_resolve("http://a.example/b/c", " /root ");
	ck_assert_str_eq(u, "http://a.example/root");
	free(u);
	u = uri_resolve("http://a.example/b/", "\xC3\x80");
	ck_assert_str_eq(u, "http://a.example/b/\xC3\x80");
	free(u);
	/* The reference's own escapes stay as written (fuzz-html-text). */
	u = uri_resolve("http://a.example/b/c", "%BB x%20y z");
	ck_assert_str_eq(u, "http://a.example/b/%BB x%20y z");
	free(u);
	u = uri_resolve("http://a.example/b%20c/\xC3\xA9/", "../100%?q=%C3%A9");
	ck_assert_str_eq(u, "http://a.example/b%20c/100%?q=%C3%A9");
	free(u);
	u = uri_resolve(NULL, "relative/x");
	ck_assert_str_eq(u, "relative/x");
	free(u);
	u = uri_resolve("http://a.example/", "https:////b.example/x");
	ck_assert_str_eq(u, "https://b.example/x");
	free(u);
	u = uri_resolve_safe("http://a.example/", "javascript:void(0)");
	ck_assert_str_eq(u, "");
	free(u);
	ck_assert_int_eq(uri_has_scheme("tag:x.example,2025:1"), 1);
	ck_assert_int_eq(uri_has_scheme("/path"), 0);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("html-text");
	TCase	*tc = tcase_create("html-text");

	tcase_add_test(tc, text_basics);
	tcase_add_test(tc, text_dropped);
	tcase_add_test(tc, text_entities_space);
	tcase_add_test(tc, text_broken_html);
	tcase_add_test(tc, markup_rewrite);
	tcase_add_test(tc, xml_and_html_paths_agree);
	tcase_add_test(tc, implied_end_tag_at_end);
	tcase_add_test(tc, nesting_bomb);
	tcase_add_test(tc, uri);
	suite_add_tcase(s, tc);
	return unit_run(s);
}

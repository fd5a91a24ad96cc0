/*
 * test-svgchart.c: chart.svg is well-formed XML with one panel per market,
 * one tick per article that moved it, a deadline line, a resolution
 * marker, and escaped text.  libxml2 parses what we wrote.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "date.h"
#include "svgchart.h"
#include "unit.h"

static char *
render(const struct chart_series *s, size_t n, size_t *len)
{
	char	*buf = NULL;
	FILE	*fp = open_memstream(&buf, len);

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(svgchart_write(fp, "Title & <more>", s, n), 0);
	ck_assert_int_eq(fclose(fp), 0);
	return buf;
}

/* How many nodes match an XPath expression (SVG namespace as "s"). */
static int
count(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr	ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr	res;
	int			n;

	ck_assert_ptr_nonnull(ctx);
	xmlXPathRegisterNs(ctx, BAD_CAST "s", BAD_CAST "http://www.w3.org/2000/svg");
	res = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	ck_assert_ptr_nonnull(res);
	n = res->nodesetval != NULL ? res->nodesetval->nodeNr : 0;
	xmlXPathFreeObject(res);
	xmlXPathFreeContext(ctx);
	return n;
}

START_TEST(panels_marks_deadline)
{
	struct chart_point	model[] = { { 0, 0.5 }, { 86400, 0.6 },
				    { 2 * 86400, 0.4 } };
	struct chart_point	decay[] = { { 0, 0.5 }, { 86400, 0.45 } };
	struct chart_mark	marks[] = { { 86400, 0.5, 0.6, "Putin & Trump <spoke>" },
				    { 2 * 86400, 0.6, 0.4, NULL } };
	struct chart_series	s[2];
	xmlDocPtr		doc;
	char			*svg;
	size_t			len;

	memset(s, 0, sizeof(s));
	s[0].id = "call";
	s[0].question = "Will they \"talk\"?";
	s[0].start = 0;
	s[0].end = 10 * 86400;
	s[0].deadline = 9 * 86400;
	s[0].prior = 0.5;
	s[0].resolution = 1;
	s[0].brier = 0.1;
	s[0].model = model;
	s[0].nmodel = 3;
	s[0].decay = decay;
	s[0].ndecay = 2;
	s[0].marks = marks;
	s[0].nmarks = 2;
	s[1] = s[0];
	s[1].id = "open-ended";
	s[1].deadline = PM_TIME_NONE;
	s[1].resolution = -1;
	s[1].nmarks = 0;
	svg = render(s, 2, &len);
	doc = xmlReadMemory(svg, (int)len, "chart.svg", NULL, XML_PARSE_NONET);
	ck_assert_msg(doc != NULL, "chart.svg is not well-formed XML");
	ck_assert_int_eq(count(doc, "//s:g[starts-with(@id,'market-')]"), 2);
	/* One tooltip per article mark, with the title escaped and intact. */
	ck_assert_int_eq(count(doc, "//s:g[@id='market-0']//s:title"), 2);
	ck_assert_int_eq(count(doc, "//s:g[@id='market-1']//s:title"), 0);
	ck_assert_int_eq(count(doc, "//s:title[contains(.,'Putin & Trump <spoke>')]"), 1);
	ck_assert_int_eq(count(doc, "//s:title[contains(.,'(untitled)')]"), 1);
	/* The deadline only where there is one; the resolution marker too. */
	ck_assert_int_eq(count(doc, "//s:g[@id='market-0']//s:text[.='deadline']"), 1);
	ck_assert_int_eq(count(doc, "//s:g[@id='market-1']//s:text[.='deadline']"), 0);
	ck_assert_int_eq(count(doc, "//s:g[@id='market-0']//s:path"), 1);
	ck_assert_int_eq(count(doc, "//s:g[@id='market-0']//s:text[contains(.,'resolved YES')]"), 1);
	ck_assert_int_eq(count(doc, "//s:g[@id='market-1']//s:text[contains(.,'unresolved')]"), 1);
	ck_assert_int_eq(count(doc, "//s:text[.='Title & <more>']"), 1);
	ck_assert_int_eq(count(doc, "//s:text[.='Will they \"talk\"?']"), 2);
	xmlFreeDoc(doc);
	free(svg);
}
END_TEST

START_TEST(same_input_same_bytes)
{
	struct chart_point	model[] = { { 100, 0.25 }, { 5000, 0.75 } };
	struct chart_series	s;
	char			*a, *b;
	size_t			la, lb;

	memset(&s, 0, sizeof(s));
	s.id = "m";
	s.start = 0;
	s.end = 400 * 86400;	/* long range: quarterly axis */
	s.deadline = PM_TIME_NONE;
	s.resolution = 0;
	s.model = model;
	s.nmodel = 2;
	a = render(&s, 1, &la);
	b = render(&s, 1, &lb);
	ck_assert_uint_eq(la, lb);
	ck_assert(memcmp(a, b, la) == 0);
	ck_assert_ptr_nonnull(strstr(a, "resolved NO"));
	free(a);
	free(b);
}
END_TEST

static Suite *
svgchart_suite(void)
{
	Suite	*s = suite_create("svgchart");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, panels_marks_deadline);
	tcase_add_test(tc, same_input_same_bytes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(svgchart_suite());
}

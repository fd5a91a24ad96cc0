/*
 * test-text.c: normalisation, tokens with original byte offsets, sentences
 * and clause breaks.
 */
#include <string.h>

#include "market.h"
#include "text.h"
#include "unit.h"

static struct text t;

static void
prep(const char *title, const char *body)
{
	text_free(&t);
	text_init(&t);
	ck_assert_int_eq(text_prepare(&t, title, body), 0);
}

/* The hash of token i equals the hash of the plain ASCII word w. */
static void
expect_tok(size_t i, const char *w)
{
	ck_assert_uint_lt(i, t.ntoks);
	ck_assert_msg(t.toks[i].hash == text_hash(w, strlen(w)),
	    "token %zu ('%.*s') is not '%s'", i,
	    (int)(t.toks[i].end - t.toks[i].start), t.orig + t.toks[i].start, w);
}

START_TEST(case_and_quotes_fold)
{
	prep(NULL, "ZELENSKYY\xe2\x80\x99s \xe2\x80\x9c" "Deal\xe2\x80\x9d \xe2\x80\x94 ok");
	expect_tok(0, "zelenskyy");
	expect_tok(1, "'");
	expect_tok(2, "s");
	expect_tok(3, "\"");
	expect_tok(4, "deal");
	expect_tok(5, "\"");
	expect_tok(6, "-");
	expect_tok(7, "ok");
	ck_assert_uint_eq(t.ntoks, 8);
}
END_TEST

START_TEST(nfkc_and_case_folding)
{
	/* Fullwidth letters, a ligature, a decomposed accent, German sharp s. */
	prep(NULL, "\xef\xbc\xb0\xef\xbd\x95\xef\xbd\x94\xef\xbd\x89\xef\xbd\x8e "
	    "\xef\xac\x81nal Erdo\xc4\x9f" "an Erdog\xcc\x86" "an STRA\xc3\x9f" "E");
	expect_tok(0, "putin");
	expect_tok(1, "final");
	/* Precomposed and decomposed g-breve are the same word. */
	ck_assert(t.toks[2].hash == t.toks[3].hash);
	expect_tok(4, "strasse");
	ck_assert_uint_eq(t.ntoks, 5);
}
END_TEST

START_TEST(offsets_are_original_bytes)
{
	const char *body = "Talks \xe2\x80\x9c" "CONTINUE\xe2\x80\x9d  today";

	prep("A title", body);
	/* orig is "A title\nTalks ..." */
	ck_assert_str_eq(t.orig + t.title_len + 1, body);
	expect_tok(3, "\"");
	expect_tok(4, "continue");
	ck_assert_uint_eq(t.toks[4].start - (t.title_len + 1), 9);
	ck_assert_uint_eq(t.toks[4].end - (t.title_len + 1), 17);
	{
		const char *field;
		size_t s, e;

		text_span(&t, t.toks[4].start, t.toks[4].end, &field, &s, &e);
		ck_assert_str_eq(field, "text");
		ck_assert_uint_eq(s, 9);
		ck_assert_uint_eq(e, 17);
		text_span(&t, t.toks[0].start, t.toks[1].end, &field, &s, &e);
		ck_assert_str_eq(field, "title");
		ck_assert_uint_eq(s, 0);
		ck_assert_uint_eq(e, 7);
	}
}
END_TEST

START_TEST(sentences)
{
	prep("Headline here", "Mr. Smith met U.S. officials on Jan. 5 in Geneva. "
	    "Was it useful? Nobody knows!\nA new line starts here. 3.5 percent");
	ck_assert_uint_eq(t.nsents, 6);
	ck_assert_int_eq(t.sents[0].question, 0);
	/* "Mr.", "U.S." and "Jan." do not end the second sentence. */
	expect_tok(t.sents[1].tok1 - 1, ".");
	expect_tok(t.sents[1].tok1 - 2, "geneva");
	ck_assert_int_eq(t.sents[2].question, 1);
	ck_assert_int_eq(t.sents[3].question, 0);
	/* A line break ends a sentence even without punctuation. */
	expect_tok(t.sents[4].tok0, "a");
	/* "3.5" is one number, not a sentence end. */
	expect_tok(t.sents[5].tok0, "3");
	expect_tok(t.sents[5].tok1 - 1, "percent");
}
END_TEST

START_TEST(clause_breaks_and_word_ordinals)
{
	prep(NULL, "No deal, but talks; Trump-Putin call - maybe");
	/* no deal , but talks ; trump - putin call - maybe */
	ck_assert_uint_eq(t.ntoks, 12);
	ck_assert_int_eq(t.toks[3].brk, BREAK_ANY);	/* after the comma */
	ck_assert_int_eq(t.toks[6].brk, BREAK_STRONG);	/* after ';' */
	ck_assert_int_eq(t.toks[8].brk, 0);		/* "Trump-Putin" */
	ck_assert_int_eq(t.toks[11].brk, BREAK_ANY);	/* " - " */
	ck_assert_uint_eq(t.toks[0].w, 0);
	ck_assert_uint_eq(t.toks[3].w, 2);		/* "but" is the third word */
	ck_assert_uint_eq(t.toks[2].w, 2);		/* the comma sits before it */
}
END_TEST

START_TEST(invalid_utf8_and_empty)
{
	prep(NULL, "peace\xff\xfe" "deal");
	expect_tok(0, "peace");
	expect_tok(1, "deal");
	prep(NULL, NULL);
	ck_assert_uint_eq(t.ntoks, 0);
	ck_assert_uint_eq(t.nsents, 0);
}
END_TEST

START_TEST(normalised_text_and_prefixes)
{
	text_free(&t);
	text_init(&t);
	t.want_norm = 1;
	text_set_prefixes(&t, 1u << 5);
	ck_assert_int_eq(text_prepare(&t, NULL, "Negotiations  RESUMED"), 0);
	ck_assert_str_eq(t.norm, "negotiations resumed");
	ck_assert_uint_eq(t.npfx, 2);
	ck_assert(t.pfx[0].hash == text_hash("negot", 5));
	ck_assert_uint_eq(t.pfx[0].tok, 0);
	ck_assert(t.pfx[1].hash == text_hash("resum", 5));
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("text");
	TCase	*tc = tcase_create("text");

	tcase_add_test(tc, case_and_quotes_fold);
	tcase_add_test(tc, nfkc_and_case_folding);
	tcase_add_test(tc, offsets_are_original_bytes);
	tcase_add_test(tc, sentences);
	tcase_add_test(tc, clause_breaks_and_word_ordinals);
	tcase_add_test(tc, invalid_utf8_and_empty);
	tcase_add_test(tc, normalised_text_and_prefixes);
	suite_add_tcase(s, tc);
	text_init(&t);
	{
		int r = unit_run(s);

		text_free(&t);
		return r;
	}
}

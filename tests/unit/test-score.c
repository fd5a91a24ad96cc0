/*
 * test-score.c: the scoring engine, in sentences of our own.  Each context
 * modifier does its job (and only within its scope), wrong actors are
 * caught, repeats count less, vetoes veto, the cap and the source's
 * credibility apply, and evidence quotes the original text exactly.
 */
#include <math.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "market.h"
#include "score.h"
#include "text.h"
#include "unit.h"

static const char *markets_json =
    "{\"vocabularies\":{"
    "  \"trump\":[\"trump\",\"donald trump\"],"
    "  \"putin\":[\"putin\",\"vladimir putin\"],"
    "  \"zelensky\":[\"zelensky\",\"zelenskyy\"],"
    "  \"others\":[\"envoy\",\"envoys\",\"reporters\",\"@zelensky\"],"
    "  \"call\":[\"phone call\",\"spoke by phone\",\"call with\",\"(spoke|speak) (with|to)\"],"
    "  \"meet\":[\"meet\",\"met\",\"meeting\",\"summit\"]},"
    " \"modifiers\":{\"recap\":{"
    "   \"before\":[\"last (met|spoke)\",\"previously\"],"
    "   \"after\":[\"since (january|march|december)\",\"last year\",\"previously\"]}},"
    " \"coreference\":["
    "  {\"anaphors\":\"he\",\"actors\":[\"@trump\",\"@putin\",\"@zelensky\",\"envoy\"],"
    "   \"not_after\":[\"with\",\"told\"]},"
    "  {\"anaphors\":[\"the two presidents\"],\"actors\":[\"@trump\",\"@putin\",\"@zelensky\"],"
    "   \"count\":2}],"
    " \"clause_breaks\":[\"but\",\"however\",\"although\",\"though\",\"while\","
    "   \"whereas\",\"yet\",\"despite\",\"instead\",\"meanwhile\",\"which\",\"who\","
    "   \"after\",\"because\",\"since\"],"
    " \"markets\":["
    "  {\"id\":\"call\",\"question\":\"q\",\"kind\":\"deadline\",\"opens\":\"2025-01-01\","
    "   \"deadline\":\"2025-12-31\",\"prior\":0.5,\"rules\":["
    "   {\"name\":\"call-held\",\"all\":[\"@trump\",\"@putin\",\"@call\"],\"weight\":2,"
    "    \"rivals\":[\"@others\"]}]},"
    "  {\"id\":\"summit\",\"question\":\"q\",\"kind\":\"deadline\",\"opens\":\"2025-01-01\","
    "   \"deadline\":\"2025-12-31\",\"prior\":0.2,\"rules\":["
    "   {\"name\":\"leaders-meet\",\"all\":[\"@trump\",\"@putin\",\"@meet\"],\"weight\":2,"
    "    \"rivals\":[\"@others\"],\"none\":[\"alaska\"]}]},"
    "  {\"id\":\"truce\",\"question\":\"q\",\"kind\":\"binary\",\"opens\":\"2025-01-01\","
    "   \"prior\":0.2,\"step_cap\":1.8,\"rules\":["
    "   {\"name\":\"ceasefire\",\"any\":[\"ceasefire\",\"truce\"],\"weight\":1},"
    "   {\"name\":\"talks\",\"any\":\"negotiat*\",\"weight\":0.1},"
    "   {\"name\":\"armistice\",\"any\":\"armistice\",\"weight\":0.3,"
    "    \"article_has\":[[\"ukraine\",\"kyiv\"]]}]},"
    "  {\"id\":\"zone\",\"question\":\"q\",\"kind\":\"binary\",\"opens\":\"2025-01-01\","
    "   \"prior\":0.2,\"rules\":["
    "   {\"name\":\"zone-agreed\",\"all\":[\"buffer zone\",\"agreed\"],\"within\":3,\"weight\":1},"
    "   {\"name\":\"zone-vetoed\",\"any\":\"demilitarized zone\",\"none\":[\"energy\"],\"weight\":1}]},"
    "  {\"id\":\"front\",\"question\":\"q\",\"kind\":\"binary\",\"opens\":\"2025-01-01\","
    "   \"prior\":0.2,\"rules\":["
    "   {\"name\":\"fighting\",\"any\":[\"escalat*\",\"offensive\"],\"weight\":-0.5}]}"
    " ]}";

static struct market_set *set;
static struct scorer *sc;
static struct text t;

static void
setup(void)
{
	char err[600];

	ck_assert_msg(market_set_parse("t.json", markets_json, strlen(markets_json),
	    &set, err, sizeof(err)) == 0, "%s", err);
	ck_assert_ptr_nonnull(sc = scorer_new(set, err, sizeof(err)));
	text_init(&t);
	text_set_prefixes(&t, scorer_prefix_mask(sc));
}

static void
teardown(void)
{
	scorer_free(sc);
	market_set_free(set);
	text_free(&t);
}

static void
run(const char *body, double credibility)
{
	ck_assert_int_eq(text_prepare(&t, "", body), 0);
	ck_assert_int_eq(scorer_run(sc, &t, credibility), 0);
}

static uint32_t
mi(const char *id)
{
	long i = market_set_index(set, id);

	ck_assert_int_ge(i, 0);
	return (uint32_t)i;
}

static double
total(const char *id)
{
	return scorer_total(sc, mi(id));
}

/* The modifiers of the only (or first) piece of evidence of market id. */
static unsigned
mods(const char *id)
{
	const struct evidence *ev;
	long n = scorer_evidence(sc, mi(id), &ev);

	ck_assert_int_gt(n, 0);
	return ev[0].mods;
}

#define HAS(m)	(1u << (m))
#define NEAR(a, b) ck_assert_msg(fabs((a) - (b)) < 1e-9, "%g != %g", (double)(a), (double)(b))

/*
 * A term whose words include a "word*" prefix: every occurrence counts,
 * in text order, whichever alternative matched and wherever the others
 * are ("escalation" before "offensive" is not lost).
 */
START_TEST(prefix_and_word_alternatives)
{
	const struct evidence	*ev;
	long			 n;

	run("The escalation went on. Talks stalled. A new offensive began.", 1.0);
	n = scorer_evidence(sc, mi("front"), &ev);
	ck_assert_int_eq(n, 2);
	ck_assert_uint_lt(ev[0].start, ev[1].start);
	ck_assert_uint_eq(ev[1].mods, HAS(MOD_REPEAT));
	run("A new offensive began. The escalation went on.", 1.0);
	ck_assert_int_eq(scorer_evidence(sc, mi("front"), &ev), 2);
}
END_TEST

/* A market set of the given market objects, with a small vocabulary. */
static struct market_set *
shape_set(const char *m1, const char *m2)
{
	struct market_set	*set2;
	char			 json[1500], err[600];

	snprintf(json, sizeof(json), "{\"vocabularies\":{\"trump\":[\"trump\"],"
	    "\"putin\":[\"putin\"],\"meet\":[\"meet\",\"met\"],"
	    "\"others\":[\"envoy\"]},\"markets\":[%s%s%s]}", m1,
	    m2 != NULL ? "," : "", m2 != NULL ? m2 : "");
	ck_assert_msg(market_set_parse("shape.json", json, strlen(json), &set2,
	    err, sizeof(err)) == 0, "%s", err);
	return set2;
}

/* The raw totals of markets set2 gives on body. */
static void
shape_totals(struct market_set *set2, const char *body, double *out)
{
	struct scorer	*sc2;
	struct text	 tx;
	char		 err[600];

	ck_assert_ptr_nonnull(sc2 = scorer_new(set2, err, sizeof(err)));
	text_init(&tx);
	text_set_prefixes(&tx, scorer_prefix_mask(sc2));
	ck_assert_int_eq(text_prepare(&tx, "", body), 0);
	ck_assert_int_eq(scorer_run(sc2, &tx, 1.0), 0);
	for (uint32_t m = 0; m < set2->nmarkets; m++)
		out[m] = scorer_raw_total(sc2, m);
	text_free(&tx);
	scorer_free(sc2);
}

/*
 * "concord": in a rule that already says no, a negation right before one
 * of its other terms is that term's ("no meeting and no deal" is a no);
 * without it, the negation flips the rule.  A negation before the anchor
 * itself flips both alike.
 */
START_TEST(concord_negation)
{
	static const char *with =
	    "{\"id\":\"with\",\"question\":\"q\",\"kind\":\"binary\","
	    "\"opens\":\"2025-01-01\",\"prior\":0.2,\"rules\":["
	    "{\"name\":\"refused\",\"all\":[\"@meet\",\"refused\"],"
	    "\"weight\":-1,\"concord\":true}]}";
	static const char *without =
	    "{\"id\":\"without\",\"question\":\"q\",\"kind\":\"binary\","
	    "\"opens\":\"2025-01-01\",\"prior\":0.2,\"rules\":["
	    "{\"name\":\"refused\",\"all\":[\"@meet\",\"refused\"],"
	    "\"weight\":-1}]}";
	struct market_set	*both = shape_set(with, without);
	double			 t2[2];

	shape_totals(both, "There is no meet and Putin refused it.", t2);
	NEAR(t2[0], -1.0);
	ck_assert(t2[1] > 0.0);
	/* not next to the term: the anchor's own context, as before */
	shape_totals(both, "Putin never refused to meet.", t2);
	ck_assert(t2[0] > 0.0);
	NEAR(t2[0], t2[1]);
	/* the anchor negated itself ("not refused"): the same for both */
	shape_totals(both, "No meet: Putin said it was not refused.", t2);
	ck_assert(t2[0] != 0.0);
	NEAR(t2[0], t2[1]);
	market_set_free(both);
}
END_TEST

/*
 * A question at two deadlines repeats its rule: the firings are judged
 * once and shared, and each market applies its own weight and ignored
 * modifiers: the same totals as each market scored alone.
 */
START_TEST(rules_of_one_shape_shared)
{
	static const char *june =
	    "{\"id\":\"by-june\",\"question\":\"q\",\"kind\":\"binary\","
	    "\"opens\":\"2025-01-01\",\"prior\":0.2,\"rules\":["
	    "{\"name\":\"met\",\"all\":[\"@trump\",\"@putin\",\"@meet\"],"
	    "\"weight\":2,\"rivals\":[\"@others\"]}]}";
	static const char *dec =
	    "{\"id\":\"by-dec\",\"question\":\"q\",\"kind\":\"binary\","
	    "\"opens\":\"2025-01-01\",\"prior\":0.2,\"rules\":["
	    "{\"name\":\"met\",\"all\":[\"@trump\",\"@putin\",\"@meet\"],"
	    "\"weight\":3,\"rivals\":[\"@others\"],\"ignore\":[\"hedge\"]}]}";
	/* Hedged, then a fact (a repeat), then wrong actors (a repeat). */
	static const char *body = "Trump could meet Putin in May. Trump met "
	    "Putin on Friday. The envoy met Putin, not Trump.";
	struct market_set	*both = shape_set(june, dec), *one;
	double			 t2[2], t1[1];

	shape_totals(both, body, t2);
	ck_assert(t2[0] > 0 && t2[1] > t2[0]);
	one = shape_set(june, NULL);
	shape_totals(one, body, t1);
	NEAR(t1[0], t2[0]);
	market_set_free(one);
	one = shape_set(dec, NULL);
	shape_totals(one, body, t1);
	NEAR(t1[0], t2[1]);
	market_set_free(one);
	market_set_free(both);
}
END_TEST

START_TEST(plain_fact)
{
	run("A ceasefire took hold along the whole front on Tuesday.", 1.0);
	NEAR(total("truce"), 1.0);
	ck_assert_uint_eq(mods("truce"), 0);
	NEAR(total("call"), 0.0);
}
END_TEST

START_TEST(negation_before_and_after)
{
	run("There was no ceasefire on Tuesday.", 1.0);
	ck_assert_uint_eq(mods("truce"), HAS(MOD_NEGATION));
	NEAR(total("truce"), -0.6);
	run("A ceasefire is still not in place.", 1.0);
	ck_assert_uint_eq(mods("truce"), HAS(MOD_NEGATION));
	run("Negotiators did not agree on a truce.", 1.0);
	ck_assert(mods("truce") & HAS(MOD_NEGATION));
}
END_TEST

START_TEST(negation_scope_ends_at_clause)
{
	/* The "no" belongs to the first clause, the ceasefire to the second. */
	run("The envoys reached no agreement, but a ceasefire began at dawn.", 1.0);
	ck_assert_uint_eq(mods("truce"), 0);
	NEAR(total("truce"), 1.0);
	/* Too far away: more than five words between cue and phrase. */
	run("Nobody in the capital expected that within a week a truce would start.", 1.0);
	ck_assert_int_eq(mods("truce") & HAS(MOD_NEGATION), 0);
}
END_TEST

START_TEST(negation_of_a_meeting)
{
	run("No meeting between Trump and Putin is being planned.", 1.0);
	ck_assert(mods("summit") & HAS(MOD_NEGATION));
	ck_assert(total("summit") < 0);
}
END_TEST

START_TEST(denial)
{
	run("The Kremlin denied reports that Trump and Putin spoke by phone.", 1.0);
	ck_assert_uint_eq(mods("call"), HAS(MOD_DENIAL));
	NEAR(total("call"), -1.2);
	run("Moscow ruled out a truce before the spring.", 1.0);
	ck_assert(mods("truce") & HAS(MOD_DENIAL));
	ck_assert(total("truce") < 0);
}
END_TEST

START_TEST(hedging)
{
	run("A ceasefire was reportedly agreed overnight.", 1.0);
	ck_assert_uint_eq(mods("truce"), HAS(MOD_HEDGE));
	NEAR(total("truce"), 0.5);
	run("Trump and Putin could meet in Budapest.", 1.0);
	ck_assert(mods("summit") & HAS(MOD_HEDGE));
}
END_TEST

START_TEST(intent_versus_fact)
{
	run("Trump will speak with Putin next week.", 1.0);
	ck_assert(mods("call") & HAS(MOD_INTENT));
	NEAR(total("call"), 1.0);
	run("Trump spoke with Putin on Monday.", 1.0);
	ck_assert_uint_eq(mods("call"), 0);
	NEAR(total("call"), 2.0);
	run("Trump is ready to meet Putin.", 1.0);
	ck_assert_uint_eq(mods("summit"), HAS(MOD_INTENT));
}
END_TEST

START_TEST(questions_and_conditionals)
{
	run("Is a ceasefire coming before winter?", 1.0);
	ck_assert_uint_eq(mods("truce"), HAS(MOD_QUESTION));
	NEAR(total("truce"), 0.25);
	run("If the talks go well, Trump and Putin meet in May.", 1.0);
	ck_assert(mods("summit") & HAS(MOD_QUESTION));
	/* The condition comes after the fact: no effect. */
	run("A truce began on Monday, if only for a day.", 1.0);
	ck_assert_uint_eq(mods("truce"), 0);
}
END_TEST

/*
 * "Asked whether X, Y said Z": X is the question, Z the answer.  The
 * question runs across "he" to the comma; what follows it is not asked.
 */
START_TEST(asked_whether_then_answer)
{
	run("Asked whether the war would end soon, the envoy said a truce began "
	    "on Monday.", 1.0);
	ck_assert_uint_eq(mods("truce"), 0);
	NEAR(total("truce"), 1.0);
	run("Asked whether he would accept a truce, the envoy said talks go on.", 1.0);
	ck_assert_uint_eq(mods("truce"), HAS(MOD_QUESTION) | HAS(MOD_INTENT));
	NEAR(total("truce"), 0.25 * 0.5);
	/* A plain condition still reaches across the comma. */
	run("If talks go well, a truce begins in May.", 1.0);
	ck_assert(mods("truce") & HAS(MOD_QUESTION));
}
END_TEST

/*
 * Coreference: "he" stands for the actor named nearest before it in its
 * sentence, else for the subject of the sentence before; "the two
 * presidents" for the two named nearest before.
 */
START_TEST(coreference)
{
	run("Trump flew to Florida on Sunday. He said he spoke with Putin.", 1.0);
	NEAR(total("call"), 2.0);
	/* The envoy is an actor too: "he" is the envoy, not Trump. */
	run("Trump sent an envoy. The envoy flew to Moscow. He said he spoke "
	    "with Putin.", 1.0);
	NEAR(total("call"), 0.0);
	/* An actor after "with" is no subject: "he" is Trump. */
	run("Trump arrived on Sunday. In talks with Zelensky he said he spoke "
	    "with Putin.", 1.0);
	NEAR(total("call"), 2.0);
	/* Who is asked about is not who answers. */
	run("Asked whether Zelensky would come, Trump said he was busy. He said "
	    "he spoke with Putin.", 1.0);
	NEAR(total("call"), 2.0);
	/* An earlier "he", resolved, counts for the next sentence. */
	run("Trump arrived on Sunday. He was tired. He said he spoke with Putin.",
	    1.0);
	NEAR(total("call"), 2.0);
	/* Two sentences on, with no name between: nothing. */
	run("Trump arrived on Sunday. The weather was cold. The rain fell. He "
	    "said he spoke with Putin.", 1.0);
	NEAR(total("call"), 0.0);
	run("Trump and Putin are old rivals. The two presidents spoke by phone "
	    "on Monday.", 1.0);
	NEAR(total("call"), 2.0);
	/* "and that he": a second reported clause of the speaker, not of
	 * the person named nearest before it. */
	run("Trump arrived on Sunday. He said he liked Zelensky, and that he "
	    "spoke with Putin.", 1.0);
	NEAR(total("call"), 2.0);
	/* The two named nearest: Trump and Zelensky, not Putin. */
	run("Putin stayed away while Trump hosted Zelensky. The two presidents "
	    "spoke by phone on Monday.", 1.0);
	NEAR(total("call"), 0.0);
}
END_TEST

START_TEST(wrong_actor)
{
	/* A Trump-Zelenskyy call is not a Trump-Putin call. */
	run("Trump held a phone call with Zelenskyy about Putin's demands.", 1.0);
	ck_assert(mods("call") & HAS(MOD_WRONG_ACTOR));
	NEAR(total("call"), 0.0);
	run("Trump held a phone call with Putin about Zelenskyy's demands.", 1.0);
	ck_assert_uint_eq(mods("call"), 0);
	NEAR(total("call"), 2.0);
	/* Putin met Trump's envoy, not Trump. */
	run("Putin met Trump's envoy in Moscow for five hours.", 1.0);
	ck_assert(mods("summit") & HAS(MOD_WRONG_ACTOR));
	NEAR(total("summit"), 0.0);
	/* Reporters a few words away do not take Putin's place. */
	run("Trump told reporters he spoke with Putin.", 1.0);
	NEAR(total("call"), 2.0);
	/* But the rival as co-subject is. */
	run("Trump and Zelensky held a phone call to discuss Putin's offer.", 1.0);
	NEAR(total("call"), 0.0);
}
END_TEST

START_TEST(possessive_actor_aside)
{
	/* Putin's demands were the topic of the call, not a party to it. */
	run("Trump discussed Putin's demands in a long phone call.", 1.0);
	ck_assert(mods("call") & HAS(MOD_WRONG_ACTOR));
	NEAR(total("call"), 0.0);
	/* A possessive right before the event, or one word before it, is a
	 * party. */
	run("Putin's phone call with Trump lasted an hour.", 1.0);
	ck_assert_uint_eq(mods("call"), 0);
	NEAR(total("call"), 2.0);
	run("Trump's first meeting with Putin took place in a palace.", 1.0);
	ck_assert_int_eq(mods("summit") & HAS(MOD_WRONG_ACTOR), 0);
}
END_TEST

START_TEST(speaker_is_not_a_party)
{
	/* The envoys report the meeting; they do not take part in it. */
	run("Trump and Putin agreed in principle to meet, envoys said.", 1.0);
	ck_assert_int_eq(mods("summit") & HAS(MOD_WRONG_ACTOR), 0);
	ck_assert(total("summit") > 0);
	/* Envoys as the ones met still take the leader's place. */
	run("Trump and Putin agreed in principle to meet envoys in Geneva.", 1.0);
	ck_assert(mods("summit") & HAS(MOD_WRONG_ACTOR));
	NEAR(total("summit"), 0.0);
}
END_TEST

START_TEST(recap_is_old_news)
{
	/* Background paragraphs: what happened before moves nothing. */
	run("Trump and Putin last met in Anchorage.", 1.0);
	ck_assert(mods("summit") & HAS(MOD_RECAP));
	NEAR(total("summit"), 0.0);
	run("Trump previously spoke with Putin by phone.", 1.0);
	ck_assert(mods("call") & HAS(MOD_RECAP));
	NEAR(total("call"), 0.0);
	/* After the event: "since" starts a clause, but the cue's own break
	 * word does not cut it off from the event. */
	run("The ceasefire in force since March is holding.", 1.0);
	ck_assert_uint_eq(mods("truce"), HAS(MOD_RECAP));
	NEAR(total("truce"), 0.0);
	/* A clause break between the event and the cue does. */
	run("A truce began at dawn; the talks have dragged on since March.", 1.0);
	ck_assert_uint_eq(mods("truce"), 0);
	NEAR(total("truce"), 1.0);
	run("A truce began at dawn, and talks have gone on since January.", 1.0);
	ck_assert_uint_eq(mods("truce"), 0);
	/* Fresh news has no recap cue. */
	run("Trump spoke with Putin on Monday.", 1.0);
	ck_assert_uint_eq(mods("call"), 0);
}
END_TEST

START_TEST(every_actor_needed)
{
	run("Trump spoke with Zelenskyy on Monday.", 1.0);
	NEAR(total("call"), 0.0);
	ck_assert_int_eq(scorer_evidence(sc, mi("call"), &(const struct evidence *){0}), 0);
}
END_TEST

START_TEST(repeats_diminish_and_cap)
{
	run("A truce began. The truce held. The truce was extended.", 1.0);
	/* 1 + 0.5 + 0.25, capped at the market's step_cap of 1.8. */
	NEAR(scorer_raw_total(sc, mi("truce")), 1.75);
	NEAR(total("truce"), 1.75);
	run("Truce. Truce. Truce. Truce. Truce. Truce.", 1.0);
	ck_assert(scorer_raw_total(sc, mi("truce")) > 1.8);
	NEAR(total("truce"), 1.8);
	{
		const struct evidence *ev;

		ck_assert_int_eq(scorer_evidence(sc, mi("truce"), &ev), 6);
		ck_assert_uint_eq(ev[0].mods, 0);
		ck_assert_uint_eq(ev[1].mods, HAS(MOD_REPEAT));
	}
}
END_TEST

START_TEST(credibility_scales)
{
	run("A ceasefire took hold.", 0.5);
	NEAR(total("truce"), 0.5);
	run("A ceasefire took hold.", 0.0);
	NEAR(total("truce"), 0.0);
}
END_TEST

START_TEST(veto_and_window)
{
	run("Both sides agreed on an energy demilitarized zone.", 1.0);
	NEAR(total("zone"), 0.0);
	run("Both sides agreed on a demilitarized zone.", 1.0);
	NEAR(total("zone"), 1.0);
	run("A buffer zone was agreed.", 1.0);
	NEAR(total("zone"), 1.0);
	/* More than three words apart: no co-occurrence. */
	run("A buffer zone was discussed for hours until everybody finally agreed.", 1.0);
	NEAR(total("zone"), 0.0);
	run("Trump and Putin recalled their summit in Alaska.", 1.0);
	NEAR(total("summit"), 0.0);
}
END_TEST

START_TEST(article_context)
{
	/* An armistice counts only in an article that mentions Ukraine. */
	run("An armistice was signed in Panmunjom.", 1.0);
	NEAR(total("truce"), 0.0);
	ck_assert_int_eq(text_prepare(&t, "Kyiv reacts", "An armistice was signed."), 0);
	ck_assert_int_eq(scorer_run(sc, &t, 1.0), 0);
	NEAR(total("truce"), 0.3);
}
END_TEST

START_TEST(normalised_matching)
{
	/* Fullwidth, upper case, curly quotes; a prefix phrase. */
	run("\xef\xbc\xb4\xef\xbc\xb2\xef\xbc\xb5\xef\xbc\xa3\xef\xbc\xa5 holds.", 1.0);
	NEAR(total("truce"), 1.0);
	run("Negotiations resumed; NEGOTIATORS arrived.", 1.0);
	NEAR(total("truce"), 0.1 + 0.05);
	/* Words inside other words do not match. */
	run("The structure was ceasefirest.", 1.0);
	NEAR(total("truce"), 0.0);
}
END_TEST

START_TEST(evidence_json)
{
	const char	*body = "Officials said the \xe2\x80\x9c" "CEASEFIRE\xe2\x80\x9d "
	    "was reportedly agreed.";
	char		*js;
	cJSON		*a, *e, *span;

	ck_assert_int_eq(text_prepare(&t, "Truce news", body), 0);
	ck_assert_int_eq(scorer_run(sc, &t, 1.0), 0);
	ck_assert_ptr_nonnull(js = scorer_evidence_json(sc, &t, mi("truce")));
	ck_assert_ptr_nonnull(a = cJSON_Parse(js));
	ck_assert_int_eq(cJSON_GetArraySize(a), 2);
	/* In the title first. */
	e = cJSON_GetArrayItem(a, 0);
	ck_assert_str_eq(cJSON_GetObjectItem(e, "field")->valuestring, "title");
	ck_assert_str_eq(cJSON_GetObjectItem(e, "text")->valuestring, "Truce");
	e = cJSON_GetArrayItem(a, 1);
	ck_assert_str_eq(cJSON_GetObjectItem(e, "rule")->valuestring, "ceasefire");
	ck_assert_str_eq(cJSON_GetObjectItem(e, "text")->valuestring, "CEASEFIRE");
	ck_assert_str_eq(cJSON_GetObjectItem(e, "field")->valuestring, "text");
	span = cJSON_GetObjectItem(e, "span");
	ck_assert_int_eq(cJSON_GetArrayItem(span, 0)->valueint, 22);
	ck_assert_int_eq(cJSON_GetArrayItem(span, 1)->valueint, 31);
	ck_assert(memcmp(body + 22, "CEASEFIRE", 9) == 0);
	ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(e, "modifiers"),
	    0)->valuestring, "hedge");
	ck_assert(cJSON_GetObjectItem(e, "weight")->valuedouble == 0.25);
	cJSON_Delete(a);
	free(js);
}
END_TEST

START_TEST(touched_markets)
{
	const uint32_t *m;

	run("Nothing to see here at all.", 1.0);
	ck_assert_uint_eq(scorer_touched(sc, &m), 0);
	run("A truce, and Trump spoke with Putin.", 1.0);
	ck_assert_uint_eq(scorer_touched(sc, &m), 2);
	ck_assert_uint_eq(m[0], mi("call"));
	ck_assert_uint_eq(m[1], mi("truce"));
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("score");
	TCase	*tc = tcase_create("score");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, plain_fact);
	tcase_add_test(tc, prefix_and_word_alternatives);
	tcase_add_test(tc, rules_of_one_shape_shared);
	tcase_add_test(tc, negation_before_and_after);
	tcase_add_test(tc, negation_scope_ends_at_clause);
	tcase_add_test(tc, negation_of_a_meeting);
	tcase_add_test(tc, denial);
	tcase_add_test(tc, hedging);
	tcase_add_test(tc, intent_versus_fact);
	tcase_add_test(tc, questions_and_conditionals);
	tcase_add_test(tc, asked_whether_then_answer);
	tcase_add_test(tc, coreference);
	tcase_add_test(tc, concord_negation);
	tcase_add_test(tc, wrong_actor);
	tcase_add_test(tc, possessive_actor_aside);
	tcase_add_test(tc, speaker_is_not_a_party);
	tcase_add_test(tc, recap_is_old_news);
	tcase_add_test(tc, every_actor_needed);
	tcase_add_test(tc, repeats_diminish_and_cap);
	tcase_add_test(tc, credibility_scales);
	tcase_add_test(tc, veto_and_window);
	tcase_add_test(tc, article_context);
	tcase_add_test(tc, normalised_matching);
	tcase_add_test(tc, evidence_json);
	tcase_add_test(tc, touched_markets);
	suite_add_tcase(s, tc);
	return unit_run(s);
}

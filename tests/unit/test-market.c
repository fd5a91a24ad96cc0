/*
 * test-market.c: market definitions load with their defaults, shared
 * vocabularies and expanded phrases, and every kind of mistake is refused
 * with one line naming the file, the JSON path and the problem.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "date.h"
#include "market.h"
#include "unit.h"

#define M1 "{\"id\":\"m1\",\"question\":\"Will it?\",\"kind\":\"deadline\"," \
	"\"opens\":\"2025-11-19\",\"deadline\":\"2025-11-27\",\"prior\":0.1,"
#define R1 "\"rules\":[{\"name\":\"r\",\"any\":\"peace deal\",\"weight\":1}]}"

static char err[600];

static struct market_set *
parse(const char *text)
{
	struct market_set *s = NULL;

	err[0] = '\0';
	if (market_set_parse("m.json", text, strlen(text), &s, err,
	    sizeof(err)) == -1)
		return NULL;
	return s;
}

static void
expect_error(const char *text, const char *message)
{
	ck_assert_ptr_null(parse(text));
	ck_assert_str_eq(err, message);
	ck_assert_ptr_null(strchr(err, '\n'));
}

START_TEST(defaults_and_times)
{
	struct market_set *s = parse("{\"markets\":[" M1 R1 "]}");
	const struct market *m;
	int64_t t;

	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_uint_eq(s->nmarkets, 1);
	m = market_set_find(s, "m1");
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(m->kind, MARKET_DEADLINE);
	ck_assert_int_eq(date_parse_rfc3339("2025-11-19T00:00:00Z", &t), 0);
	ck_assert_int_eq(m->opens, t);
	/* A date-only deadline is its last second. */
	ck_assert_int_eq(date_parse_rfc3339("2025-11-27T23:59:59Z", &t), 0);
	ck_assert_int_eq(m->deadline, t);
	ck_assert(m->min_delta == 0.005);
	ck_assert_int_eq(m->half_life, 14 * 86400);
	ck_assert(m->step_cap == 3.0);
	ck_assert(m->fact_scale == MARKET_FACT_SCALE);
	ck_assert(m->evidence_cap == MARKET_EVIDENCE_CAP);
	ck_assert_uint_eq(m->nfact, 0);
	ck_assert_uint_eq(m->nrules, 1);
	ck_assert(m->rules[0].weight == 1.0);
	ck_assert_int_eq(m->rules[0].within, 0);
	ck_assert_ptr_null(market_set_find(s, "nope"));
	/* Every modifier has its default cues. */
	ck_assert_uint_gt(s->mods[MOD_NEGATION].nbefore, 5);
	ck_assert_uint_gt(s->mods[MOD_DENIAL].nbefore, 5);
	ck_assert(s->mods[MOD_WRONG_ACTOR].factor == 0.0);
	market_set_free(s);
}
END_TEST

/* "fact" rules (the event reported done) and the market's fact_scale. */
START_TEST(fact_rules)
{
	struct market_set *s = parse("{\"markets\":[" M1 "\"fact_scale\":0.3,"
	    "\"rules\":[{\"name\":\"signed\",\"all\":[\"deal\",\"signed\"],"
	    "\"weight\":2,\"fact\":true},{\"name\":\"talk\",\"any\":\"talks\","
	    "\"weight\":0.5,\"fact\":false}]}]}");

	ck_assert_msg(s != NULL, "%s", err);
	ck_assert(s->markets[0].fact_scale == 0.3);
	ck_assert(s->markets[0].evidence_cap == MARKET_EVIDENCE_CAP);
	ck_assert_uint_eq(s->markets[0].nfact, 1);
	ck_assert_int_eq(s->markets[0].rules[0].fact, 1);
	ck_assert_int_eq(s->markets[0].rules[1].fact, 0);
	market_set_free(s);
	expect_error("{\"markets\":[" M1 "\"rules\":[{\"name\":\"r\",\"any\":\"x\","
	    "\"weight\":-1,\"fact\":true}]}]}",
	    "m.json: markets[0].rules[0].fact: a fact rule reports the event "
	    "done: its weight must be positive");
	expect_error("{\"markets\":[" M1 "\"rules\":[{\"name\":\"r\",\"any\":\"x\","
	    "\"weight\":1,\"fact\":1}]}]}",
	    "m.json: markets[0].rules[0].fact: must be true or false, not a number");
	expect_error("{\"markets\":[" M1 "\"rules\":[{\"name\":\"r\",\"any\":\"x\","
	    "\"weight\":-1,\"concord\":true}]}]}",
	    "m.json: markets[0].rules[0].concord: needs a rule with at least "
	    "two terms in \"all\"");
	expect_error("{\"markets\":[" M1 "\"fact_scale\":9," R1 "]}",
	    "m.json: markets[0].fact_scale: must be between 0.05 and 5 (got 9)");
	expect_error("{\"markets\":[" M1 "\"evidence_cap\":0.1," R1 "]}",
	    "m.json: markets[0].evidence_cap: must be between 0.5 and 30 (got 0.1)");
}
END_TEST

START_TEST(vocabularies_expand_and_share)
{
	struct market_set *s = parse(
	    "{\"vocabularies\":{\"putin\":[\"putin\",\"(russian|russia's) president\"],"
	    "\"leaders\":[\"@putin\",\"zelensky\"]},"
	    "\"markets\":[" M1 "\"rules\":["
	    "{\"name\":\"a\",\"all\":[\"@leaders\",\"(meet|meets|met)\"],\"within\":5,\"weight\":2},"
	    "{\"name\":\"b\",\"any\":[\"@putin\"],\"weight\":-1,\"ignore\":[\"hedge\"]},"
	    "{\"name\":\"c\",\"any\":\"@putin\",\"weight\":0.5,\"none\":[\"energy\"]}]},"
	    "{\"id\":\"m2\",\"question\":\"q\",\"kind\":\"binary\",\"opens\":\"2025-01-01T00:00:00Z\","
	    "\"prior\":0.5,\"half_life\":\"36h\",\"rules\":[{\"name\":\"x\",\"any\":\"@putin\",\"weight\":1}]}]}");
	const struct market *m;

	ck_assert_msg(s != NULL, "%s", err);
	m = &s->markets[0];
	/* leaders = putin + russian president + russia's president + zelensky */
	ck_assert_uint_eq(s->terms[m->rules[0].terms[0]].nlits, 4);
	ck_assert_uint_eq(s->terms[m->rules[0].terms[1]].nlits, 3);
	ck_assert_int_eq(m->rules[0].within, 5);
	ck_assert_uint_eq(m->rules[1].ignore, 1u << MOD_HEDGE);
	/* One term for "@putin", however many rules and markets use it. */
	ck_assert_uint_eq(m->rules[1].terms[0], m->rules[2].terms[0]);
	ck_assert_uint_eq(m->rules[1].terms[0], s->markets[1].rules[0].terms[0]);
	ck_assert_int_eq(s->markets[1].kind, MARKET_BINARY);
	ck_assert_int_eq(s->markets[1].deadline, PM_TIME_NONE);
	ck_assert_int_eq(s->markets[1].half_life, 36 * 3600);
	ck_assert_uint_eq(s->nrules, 4);
	market_set_free(s);
}
END_TEST

START_TEST(errors_name_file_path_and_problem)
{
	expect_error("{\"markets\":[" M1 R1 ",]}",
	    "m.json: JSON syntax error at line 1, column 175 (near ']}')");
	expect_error("{\"markets\":[], \"extra\":1}", "m.json: extra: unknown key");
	expect_error("{\"markets\":[]}", "m.json: markets: no markets defined");
	expect_error("{\"markets\":[" M1 "\"rules\":[]}]}",
	    "m.json: markets[0].rules: must hold 1 to 1000 rules");
	expect_error("{\"markets\":[{\"id\":\"m1\"}]}",
	    "m.json: markets[0].question: missing (required)");
	expect_error("{\"markets\":[" M1 R1 "," M1 R1 "]}",
	    "m.json: markets[1].id: duplicate market id 'm1'");
	expect_error("{\"markets\":[{\"id\":\"Bad Id\",\"question\":\"q\",\"kind\":\"deadline\"}]}",
	    "m.json: markets[0].id: 'Bad Id' is not a valid market id (1-64 characters from a-z 0-9 . _ -)");
	expect_error("{\"markets\":[{\"id\":\"m\",\"question\":\"q\",\"kind\":\"maybe\"}]}",
	    "m.json: markets[0].kind: 'maybe' is not \"deadline\" or \"binary\"");
	expect_error("{\"markets\":[{\"id\":\"m\",\"question\":\"q\",\"kind\":\"deadline\","
	    "\"opens\":\"soon\"}]}",
	    "m.json: markets[0].opens: 'soon' is not an RFC 3339 time such as 2025-11-27T23:59:59Z or a date such as 2025-11-27");
	expect_error("{\"markets\":[{\"id\":\"m\",\"question\":\"q\",\"kind\":\"deadline\","
	    "\"opens\":\"2025-11-19\",\"prior\":0.5}]}",
	    "m.json: markets[0].deadline: missing (required)");
	expect_error("{\"markets\":[{\"id\":\"m\",\"question\":\"q\",\"kind\":\"deadline\","
	    "\"opens\":\"2025-11-19\",\"deadline\":\"2025-11-01\",\"prior\":0.5," R1 "]}",
	    "m.json: markets[0].deadline: must be after opens");
	expect_error("{\"markets\":[{\"id\":\"m\",\"question\":\"q\",\"kind\":\"binary\","
	    "\"opens\":\"2025-11-19\",\"prior\":1.5," R1 "]}",
	    "m.json: markets[0].prior: must be between 0.001 and 0.999 (got 1.5)");
	expect_error("{\"markets\":[" M1 "\"half_life\":\"soon\"," R1 "]}",
	    "m.json: markets[0].half_life: must be a duration between 1h and 3650d, such as \"14d\" or \"36h\"");
}
END_TEST

START_TEST(rule_errors)
{
	expect_error("{\"markets\":[" M1 "\"rules\":[{\"name\":\"r\",\"weight\":1}]}]}",
	    "m.json: markets[0].rules[0]: needs exactly one of \"all\" (terms that must co-occur) or \"any\" (alternative phrases)");
	expect_error("{\"markets\":[" M1 "\"rules\":[{\"name\":\"r\",\"any\":\"x\",\"weight\":0}]}]}",
	    "m.json: markets[0].rules[0].weight: must not be 0 (its sign says which way the rule moves the market)");
	expect_error("{\"markets\":[" M1 "\"rules\":[{\"name\":\"r\",\"any\":\"x\",\"weight\":1},"
	    "{\"name\":\"r\",\"any\":\"y\",\"weight\":1}]}]}",
	    "m.json: markets[0].rules[1]: duplicate rule name 'r' (also rules[0])");
	expect_error("{\"markets\":[" M1 "\"rules\":[{\"name\":\"r\",\"all\":[\"@nope\"],\"weight\":1}]}]}",
	    "m.json: markets[0].rules[0].all[0]: unknown vocabulary '@nope'");
	expect_error("{\"markets\":[" M1 "\"rules\":[{\"name\":\"r\",\"any\":\"(peace|war deal\",\"weight\":1}]}]}",
	    "m.json: markets[0].rules[0].any: phrase '(peace|war deal' has an unclosed '('");
	expect_error("{\"markets\":[" M1 "\"rules\":[{\"name\":\"r\",\"any\":\"(peace )?deal\",\"weight\":1}]}]}",
	    "m.json: markets[0].rules[0].any: phrase '(peace )?deal': write an optional part as \"(word |)\", not \"(word )?\"");
	expect_error("{\"markets\":[" M1 "\"rules\":[{\"name\":\"r\",\"any\":[\"ok\", \"?!\"],\"weight\":1}]}]}",
	    "m.json: markets[0].rules[0].any[1]: phrase '?!' has no letter or digit");
	expect_error("{\"markets\":[" M1 "\"rules\":[{\"name\":\"r\",\"any\":\"one. Two\",\"weight\":1}]}]}",
	    "m.json: markets[0].rules[0].any: phrase 'one. Two' must be one line of at most 32 tokens (200 bytes), with no sentence end inside");
	expect_error("{\"markets\":[" M1 "\"rules\":[{\"name\":\"r\",\"any\":\"x\",\"weight\":1,\"rivals\":[\"y\"]}]}]}",
	    "m.json: markets[0].rules[0].rivals: needs a rule with at least two terms in \"all\" (actors, then the event)");
	expect_error("{\"markets\":[" M1 "\"rules\":[{\"name\":\"r\",\"any\":\"x\",\"weight\":1,\"ignore\":[\"sarcasm\"]}]}]}",
	    "m.json: markets[0].rules[0].ignore[0]: must name a modifier (negation, denial, hedge, intent, question, recap, wrong_actor, repeat)");
	expect_error("{\"markets\":[" M1 "\"rules\":[{\"name\":\"r\",\"any\":\"x\",\"within\":\"paragraph\",\"weight\":1}]}]}",
	    "m.json: markets[0].rules[0].within: must be \"sentence\" or a number of tokens");
	expect_error("{\"vocabularies\":{\"a\":[\"@b\"],\"b\":[\"@a\"]},\"markets\":[" M1
	    "\"rules\":[{\"name\":\"r\",\"any\":\"@a\",\"weight\":1}]}]}",
	    "m.json: vocabularies.b[0]: vocabulary '@a' refers to itself");
	expect_error("{\"modifiers\":{\"sarcasm\":{}},\"markets\":[" M1 R1 "]}",
	    "m.json: modifiers.sarcasm: unknown modifier (negation, denial, hedge, intent, question, recap, wrong_actor, repeat)");
	expect_error("{\"modifiers\":{\"hedge\":{\"factor\":2}},\"markets\":[" M1 R1 "]}",
	    "m.json: modifiers.hedge.factor: must be between -1 and 1 (got 2)");
}
END_TEST

START_TEST(modifiers_configurable)
{
	struct market_set *s = parse("{\"modifiers\":{\"hedge\":{\"factor\":0.25,"
	    "\"before\":[\"rumour has it\"],\"after\":[]},\"negation\":{\"scope\":2,"
	    "\"breaks\":\"strong\"}},\"clause_breaks\":[\"whereas\"],"
	    "\"markets\":[" M1 R1 "]}");

	ck_assert_msg(s != NULL, "%s", err);
	ck_assert(s->mods[MOD_HEDGE].factor == 0.25);
	ck_assert_uint_eq(s->mods[MOD_HEDGE].nbefore, 1);
	ck_assert_str_eq(s->lits[s->mods[MOD_HEDGE].before[0]].text, "rumour has it");
	ck_assert_uint_eq(s->mods[MOD_HEDGE].nafter, 0);
	ck_assert_int_eq(s->mods[MOD_NEGATION].before_scope, 2);
	ck_assert_int_eq(s->mods[MOD_NEGATION].breaks, BREAK_STRONG);
	ck_assert_uint_eq(s->nbreaks, 1);
	market_set_free(s);
}
END_TEST

START_TEST(coreference_config)
{
	struct market_set *s = parse("{\"vocabularies\":{\"trump\":[\"trump\"],"
	    "\"putin\":[\"putin\"]},\"coreference\":[{\"anaphors\":[\"he\"],"
	    "\"actors\":[\"@trump\",\"@putin\"],\"not_after\":[\"with\"]},"
	    "{\"anaphors\":\"the two presidents\",\"actors\":[\"@trump\",\"@putin\"],"
	    "\"count\":2,\"sentences\":2}],\"modifiers\":{\"question\":{"
	    "\"before_clause\":[\"asked whether\"]}},\"markets\":[" M1 R1 "]}");

	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_uint_eq(s->ncorefs, 2);
	ck_assert_int_eq(s->corefs[0].count, 1);
	ck_assert_int_eq(s->corefs[0].sentences, 1);
	ck_assert_uint_eq(s->corefs[0].nactors, 2);
	ck_assert_str_eq(s->terms[s->corefs[0].actors[0]].label, "@trump");
	ck_assert_str_eq(s->terms[s->corefs[0].not_after].label, "with");
	ck_assert_int_eq(s->corefs[1].count, 2);
	ck_assert_int_eq(s->corefs[1].sentences, 2);
	ck_assert(s->corefs[1].not_after == UINT32_MAX);
	ck_assert_uint_eq(s->mods[MOD_QUESTION].nclause, 1);
	ck_assert_str_eq(s->lits[s->mods[MOD_QUESTION].clause[0]].text,
	    "asked whether");
	market_set_free(s);
	/* Without a file's list, the question modifier has its own. */
	ck_assert_ptr_nonnull(s = parse("{\"markets\":[" M1 R1 "]}"));
	ck_assert_uint_gt(s->mods[MOD_QUESTION].nclause, 0);
	ck_assert_uint_eq(s->mods[MOD_HEDGE].nclause, 0);
	ck_assert_uint_eq(s->ncorefs, 0);
	market_set_free(s);

	expect_error("{\"coreference\":{},\"markets\":[" M1 R1 "]}",
	    "m.json: coreference: must be an array, not an object");
	expect_error("{\"coreference\":[{\"actors\":[\"x\"]}],\"markets\":[" M1 R1 "]}",
	    "m.json: coreference[0].anaphors: required");
	expect_error("{\"coreference\":[{\"anaphors\":\"he\"}],\"markets\":[" M1 R1 "]}",
	    "m.json: coreference[0].actors: required");
	expect_error("{\"coreference\":[{\"anaphors\":\"he\",\"actors\":[\"x\"],"
	    "\"count\":3}],\"markets\":[" M1 R1 "]}",
	    "m.json: coreference[0].count: must be between 1 and 2 (got 3)");
	expect_error("{\"coreference\":[{\"anaphors\":\"he\",\"actors\":[\"@nope\"]}],"
	    "\"markets\":[" M1 R1 "]}",
	    "m.json: coreference[0].actors[0]: unknown vocabulary '@nope'");
	expect_error("{\"coreference\":[{\"anaphors\":\"he\",\"actors\":[\"he\"]}],"
	    "\"markets\":[" M1 R1 "]}",
	    "m.json: coreference[0].actors: an anaphor cannot be its own actor");
	expect_error("{\"coreference\":[{\"anaphors\":\"he\",\"actors\":[\"x\"],"
	    "\"gender\":\"m\"}],\"markets\":[" M1 R1 "]}",
	    "m.json: coreference[0].gender: unknown key");
	expect_error("{\"coreference\":[{\"anaphors\":\"he\",\"actors\":[\"x\"],"
	    "\"not_after\":[\"with\",\"next to\"]}],\"markets\":[" M1 R1 "]}",
	    "m.json: coreference[0].not_after: 'next to' is not one whole word");
	expect_error("{\"modifiers\":{\"question\":{\"before_clause\":\"asked\"}},"
	    "\"markets\":[" M1 R1 "]}",
	    "m.json: modifiers.question.before_clause: must be an array of phrases");
}
END_TEST

/* Write text to dir/name. */
static void
write_file(const char *dir, const char *name, const char *text)
{
	char	 path[512];
	FILE	*fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	ck_assert_int_ge(fputs(text, fp), 0);
	ck_assert_int_eq(fclose(fp), 0);
}

START_TEST(directory_of_files)
{
	char			 dir[] = "/tmp/pmsignal-markets.XXXXXX";
	struct market_set	*s = NULL;
	const char		*v = "\"vocabularies\":{\"v\":[\"alpha\",\"beta\"]},";

	ck_assert_ptr_nonnull(mkdtemp(dir));
	write_file(dir, "a.json", "{\"vocabularies\":{\"v\":[\"alpha\",\"beta\"]},"
	    "\"markets\":[" M1 "\"rules\":[{\"name\":\"r\",\"any\":\"@v\",\"weight\":1}]}]}");
	write_file(dir, "b.json", "{\"vocabularies\":{\"v\":[\"alpha\",\"beta\"]},"
	    "\"markets\":[{\"id\":\"m2\",\"question\":\"q\",\"kind\":\"binary\","
	    "\"opens\":\"2025-01-01\",\"prior\":0.5,\"rules\":[{\"name\":\"r\",\"any\":\"@v\",\"weight\":1}]}]}");
	write_file(dir, "notes.txt", "not a market file");
	ck_assert_msg(market_set_load(dir, &s, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(s->nmarkets, 2);
	ck_assert_str_eq(s->markets[1].id, "m2");
	market_set_free(s);
	(void)v;
	write_file(dir, "c.json", "{\"vocabularies\":{\"v\":[\"gamma\"]}}");
	ck_assert_int_eq(market_set_load(dir, &s, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "c.json: vocabularies.v: vocabulary 'v' "
	    "is defined twice, differently"));
	/* Modifiers: repeated alike in two files is fine, differently not. */
	write_file(dir, "c.json", "{\"modifiers\":{\"hedge\":{\"factor\":0.3}},"
	    "\"clause_breaks\":[\"whereas\"],\"markets\":[{\"id\":\"m3\","
	    "\"question\":\"q\",\"kind\":\"binary\",\"opens\":\"2025-01-01\","
	    "\"prior\":0.5," R1 "]}");
	write_file(dir, "d.json", "{\"modifiers\":{\"hedge\":{\"factor\":0.3}},"
	    "\"clause_breaks\":[\"whereas\"],\"markets\":[{\"id\":\"m4\","
	    "\"question\":\"q\",\"kind\":\"binary\",\"opens\":\"2025-01-01\","
	    "\"prior\":0.5," R1 "]}");
	write_file(dir, "b.json", "{}");
	write_file(dir, "a.json", "{\"markets\":[" M1 R1 "]}");
	ck_assert_msg(market_set_load(dir, &s, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(s->nmarkets, 3);
	ck_assert(s->mods[MOD_HEDGE].factor == 0.3);
	market_set_free(s);
	write_file(dir, "d.json", "{\"modifiers\":{\"hedge\":{\"factor\":0.4}},"
	    "\"clause_breaks\":[\"whereas\"],\"markets\":[]}");
	ck_assert_int_eq(market_set_load(dir, &s, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "d.json: modifiers: modifiers are "
	    "already set differently in "));
	write_file(dir, "d.json", "{\"modifiers\":{\"hedge\":{\"factor\":0.3}},"
	    "\"markets\":[]}");
	ck_assert_int_eq(market_set_load(dir, &s, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "d.json: modifiers: modifiers are "
	    "already set differently in "));
	{
		char p[600];

		snprintf(p, sizeof(p), "%s/a.json", dir);
		unlink(p);
		snprintf(p, sizeof(p), "%s/b.json", dir);
		unlink(p);
		snprintf(p, sizeof(p), "%s/c.json", dir);
		unlink(p);
		snprintf(p, sizeof(p), "%s/d.json", dir);
		unlink(p);
		snprintf(p, sizeof(p), "%s/notes.txt", dir);
		unlink(p);
	}
	ck_assert_int_eq(market_set_load(dir, &s, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, ": no *.json market files"));
	rmdir(dir);
	ck_assert_int_eq(market_set_load("/nonexistent/markets.json", &s, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "/nonexistent/markets.json: No such file or directory");
}
END_TEST

START_TEST(shipped_market_files)
{
	struct market_set *s = NULL;
	static const char *const ids[] = {
		"peace-deal-2025-11-27", "peace-deal-2025", "ceasefire-2025",
		"dmz-2026q1", "trump-putin-call-2025",
		"putin-zelensky-meeting-2026q1", "security-guarantee-2026q1",
		"ukraine-election-called-2026h1", "us-plan-published-2025",
		"trump-putin-summit-2026q1"
	};
	int64_t deadline_2026;

	ck_assert_msg(market_set_load("config/markets/ukraine-2025.json", &s, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(s->nmarkets, 10);
	for (size_t i = 0; i < 10; i++) {
		ck_assert_str_eq(s->markets[i].id, ids[i]);
		/* Deadlines are the last second of a day. */
		ck_assert_int_eq((s->markets[i].deadline + 1) % 86400, 0);
	}
	ck_assert(market_set_find(s, "trump-putin-call-2025")->prior == 0.5);
	market_set_free(s);
	ck_assert_msg(market_set_load("config/markets/ukraine-live.json", &s, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_uint_ge(s->nmarkets, 8);
	ck_assert_int_eq(date_parse_rfc3339("2026-12-31T23:59:59Z", &deadline_2026), 0);
	for (size_t i = 0; i < s->nmarkets; i++)
		ck_assert_int_gt(s->markets[i].deadline, deadline_2026);
	market_set_free(s);
	/* Both files together, as a directory: vocabularies repeat verbatim. */
	ck_assert_msg(market_set_load("config/markets", &s, err, sizeof(err)) == 0,
	    "%s", err);
	market_set_free(s);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("market");
	TCase	*tc = tcase_create("market");

	tcase_add_test(tc, defaults_and_times);
	tcase_add_test(tc, fact_rules);
	tcase_add_test(tc, vocabularies_expand_and_share);
	tcase_add_test(tc, errors_name_file_path_and_problem);
	tcase_add_test(tc, rule_errors);
	tcase_add_test(tc, modifiers_configurable);
	tcase_add_test(tc, coreference_config);
	tcase_add_test(tc, directory_of_files);
	tcase_add_test(tc, shipped_market_files);
	suite_add_tcase(s, tc);
	return unit_run(s);
}

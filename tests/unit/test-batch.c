/*
 * test-batch.c: a burst held in memory and written to a real store in one
 * transaction: articles with their SimHash, each moved market's evidence,
 * deltas numbered by the store, state and tick; a batch published before
 * it was stored keeps its seqs through a failed write (full database) and
 * goes in with exactly those seqs later; a batch numbered out of step is
 * refused; merged batches keep each delta with its article.
 */
#include <string.h>

#include "batch.h"
#include "store-fixture.h"

/* Append a delta of article a (NULL: a decay delta) to b's list. */
static void
add_delta(struct batch *b, const char *market, const struct article *a,
    const char *evidence)
{
	struct delta_list	*l = &b->deltas;
	struct delta		 d;

	memset(&d, 0, sizeof(d));
	d.ts = FX_T0;
	d.market = (char *)market;
	d.prev = 0.2;
	d.p = 0.3;
	d.cause = a != NULL ? DELTA_ARTICLE : DELTA_DECAY;
	d.article_published = d.article_first_seen = PM_TIME_NONE;
	if (a != NULL) {
		d.article_id = a->id;
		d.article_title = a->title;
		d.article_url = a->url;
		d.article_source = a->source;
		d.article_first_seen = a->first_seen;
		d.evidence = (char *)evidence;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 4;
		ck_assert_ptr_nonnull(l->v = realloc(l->v, l->cap * sizeof(*l->v)));
	}
	ck_assert_int_eq(delta_copy(&l->v[l->n++], &d), 0);
}

/* One article that moves two markets, one that moves none, one tick. */
static struct batch *
sample_batch(struct fx_article *fa, int first, const char *state)
{
	struct batch *b;

	ck_assert_ptr_nonnull(b = batch_new());
	fx_article(&fa[0], "wire", first, FX_T0, 4000);	/* overflow pages */
	fx_article(&fa[1], "wire", first + 1, FX_T0, 300);
	ck_assert_int_eq(batch_add_article(b, &fa[0].a), 0);
	add_delta(b, "ceasefire", &fa[0].a, "[{\"rule\":\"signed\"}]");
	add_delta(b, "dmz", &fa[0].a, "[{\"rule\":\"zone\"}]");
	batch_scored(b, 0x1234 + (uint64_t)first);
	ck_assert_int_eq(batch_add_article(b, &fa[1].a), 0);
	batch_scored(b, 0);
	add_delta(b, "call", NULL, NULL);
	batch_set_state(b, strdup(state), FX_T0, FX_T0 - 5);
	ck_assert_ptr_nonnull(b->state);
	return b;
}

static int64_t
sql_count(const char *path, const char *sql)
{
	return fx_sql_int(path, sql);
}

START_TEST(write_everything_at_once)
{
	char			*dir = fx_tmpdir(), *path = fx_path(dir, "b.db");
	struct store		*s = fx_open(path);
	struct fx_article	 fa[2];
	struct batch		*b;
	char			 err[512], *v = NULL;

	ck_assert_int_eq(store_session_new(s, FX_T0, err, sizeof(err)), 0);
	b = sample_batch(fa, 1, "{\"state\":1}");
	ck_assert_int_eq(batch_empty(b), 0);
	ck_assert_int_eq(batch_write(b, s, err, sizeof(err)), STORE_OK);
	for (size_t i = 0; i < 3; i++)
		ck_assert_uint_eq(b->deltas.v[i].seq, i + 1);
	ck_assert_uint_eq(store_last_seq(s), 3);
	ck_assert_int_eq(store_article_seen(s, "wire", "guid-1", NULL, err,
	    sizeof(err)), 1);
	ck_assert_int_eq(store_article_seen(s, "wire", "guid-2", NULL, err,
	    sizeof(err)), 1);
	ck_assert_int_eq(store_state_get(s, BATCH_STATE_KEY, &v, err,
	    sizeof(err)), 1);
	ck_assert_str_eq(v, "{\"state\":1}");
	free(v);
	ck_assert_int_eq(store_meta_get(s, BATCH_TICK_KEY, &v, err,
	    sizeof(err)), 1);
	ck_assert_int_eq(strtoll(v, NULL, 10), FX_T0 - 5);
	free(v);
	batch_free(b);
	store_close(s);
	ck_assert_int_eq(sql_count(path, "SELECT simhash FROM articles WHERE "
	    "guid = 'guid-1'"), 0x1235);
	ck_assert_int_eq(sql_count(path, "SELECT count(*) FROM evidence e "
	    "JOIN articles a ON a.id = e.article WHERE a.guid = 'guid-1' AND "
	    "e.market IN ('ceasefire', 'dmz')"), 2);
	ck_assert_int_eq(sql_count(path, "SELECT count(*) FROM evidence"), 2);
	free(path);
	fx_rmdir(dir);
}
END_TEST

/*
 * A batch published under seqs 1..3 while the database was full: the
 * failed write stores nothing and leaves the seqs; once there is room the
 * same batch goes in under exactly those seqs.
 */
START_TEST(numbered_batch_survives_a_full_database)
{
	char			*dir = fx_tmpdir(), *path = fx_path(dir, "b.db");
	struct store		*s = fx_open(path);
	struct fx_article	 fa[2];
	struct batch		*b;
	char			 err[512];
	int64_t			 pages;

	ck_assert_int_eq(store_session_new(s, FX_T0, err, sizeof(err)), 0);
	pages = sql_count(path, "PRAGMA page_count");
	ck_assert_int_eq(store_set_max_bytes(s, pages * 4096, err,
	    sizeof(err)), 0);
	b = sample_batch(fa, 1, "{\"state\":2}");
	batch_number(b, store_last_seq(s) + 1);
	ck_assert_int_eq(batch_write(b, s, err, sizeof(err)), STORE_EFULL);
	ck_assert_ptr_nonnull(strstr(err, "full"));
	for (size_t i = 0; i < 3; i++)
		ck_assert_uint_eq(b->deltas.v[i].seq, i + 1);
	ck_assert_uint_eq(store_last_seq(s), 0);
	ck_assert_int_eq(store_article_seen(s, "wire", "guid-1", NULL, err,
	    sizeof(err)), 0);
	/* Still full: the same again. */
	ck_assert_int_eq(batch_write(b, s, err, sizeof(err)), STORE_EFULL);
	ck_assert_uint_eq(b->deltas.v[0].seq, 1);
	ck_assert_int_eq(store_set_max_bytes(s, 0, err, sizeof(err)), 0);
	ck_assert_int_eq(batch_write(b, s, err, sizeof(err)), STORE_OK);
	for (size_t i = 0; i < 3; i++)
		ck_assert_uint_eq(b->deltas.v[i].seq, i + 1);
	ck_assert_uint_eq(fx_check_contiguous(s), 3);
	batch_free(b);
	store_close(s);
	ck_assert_int_eq(sql_count(path, "SELECT count(*) FROM evidence"), 2);
	free(path);
	fx_rmdir(dir);
}
END_TEST

/* Numbered past the store's next seq: refused before anything is written. */
START_TEST(out_of_step_numbering_is_refused)
{
	char			*dir = fx_tmpdir(), *path = fx_path(dir, "b.db");
	struct store		*s = fx_open(path);
	struct fx_article	 fa[2];
	struct batch		*b;
	char			 err[512];

	ck_assert_int_eq(store_session_new(s, FX_T0, err, sizeof(err)), 0);
	b = sample_batch(fa, 1, "{}");
	batch_number(b, 5);
	ck_assert_int_eq(batch_write(b, s, err, sizeof(err)), BATCH_ESEQ);
	ck_assert_ptr_nonnull(strstr(err, "numbered from seq 5"));
	ck_assert_ptr_nonnull(strstr(err, "next seq is 1"));
	ck_assert_uint_eq(b->deltas.v[0].seq, 5);
	ck_assert_uint_eq(store_last_seq(s), 0);
	ck_assert_int_eq(store_article_seen(s, "wire", "guid-1", NULL, err,
	    sizeof(err)), 0);
	batch_free(b);
	store_close(s);
	free(path);
	fx_rmdir(dir);
}
END_TEST

/* Two queued batches merged: each delta's evidence stays with its article. */
START_TEST(merged_batches_keep_their_articles)
{
	char			*dir = fx_tmpdir(), *path = fx_path(dir, "b.db");
	struct store		*s = fx_open(path);
	struct fx_article	 fa[2], fb[2];
	struct batch		*b1, *b2;
	char			 err[512], *v = NULL;

	ck_assert_int_eq(store_session_new(s, FX_T0, err, sizeof(err)), 0);
	b1 = sample_batch(fa, 1, "{\"state\":\"first\"}");
	b2 = sample_batch(fb, 3, "{\"state\":\"second\"}");
	batch_number(b1, 1);
	batch_number(b2, 4);
	batch_account(b1);
	batch_account(b2);
	ck_assert_uint_gt(b2->bytes, 600);
	ck_assert_int_eq(batch_merge(b1, b2), 0);
	ck_assert_uint_eq(b1->n, 4);
	ck_assert_uint_eq(b1->deltas.n, 6);
	ck_assert_uint_eq(b1->first_seq, 1);
	ck_assert_uint_eq(b1->v[2].dfrom, 3);
	ck_assert_uint_eq(b1->v[2].dto, 5);
	ck_assert_str_eq(b1->state, "{\"state\":\"second\"}");
	/* A batch of one article that moved nothing: no deltas at all. */
	ck_assert_ptr_nonnull(b2 = batch_new());
	fx_article(&fb[0], "wire", 5, FX_T0, 100);
	ck_assert_int_eq(batch_add_article(b2, &fb[0].a), 0);
	batch_scored(b2, 0x99);
	batch_number(b2, 7);
	ck_assert_int_eq(batch_merge(b1, b2), 0);
	ck_assert_uint_eq(b1->n, 5);
	ck_assert_uint_eq(b1->deltas.n, 6);
	ck_assert_uint_eq(b1->v[4].dfrom, 6);
	ck_assert_uint_eq(b1->v[4].dto, 6);
	ck_assert_str_eq(b1->state, "{\"state\":\"second\"}");
	ck_assert_int_eq(batch_write(b1, s, err, sizeof(err)), STORE_OK);
	ck_assert_uint_eq(fx_check_contiguous(s), 6);
	ck_assert_int_eq(store_article_seen(s, "wire", "guid-5", NULL, err,
	    sizeof(err)), 1);
	ck_assert_int_eq(store_state_get(s, BATCH_STATE_KEY, &v, err,
	    sizeof(err)), 1);
	ck_assert_str_eq(v, "{\"state\":\"second\"}");
	free(v);
	batch_free(b1);
	store_close(s);
	ck_assert_int_eq(sql_count(path, "SELECT count(*) FROM evidence e "
	    "JOIN articles a ON a.id = e.article WHERE a.guid = 'guid-3'"), 2);
	ck_assert_int_eq(sql_count(path, "SELECT count(*) FROM evidence e "
	    "JOIN articles a ON a.id = e.article WHERE a.guid IN ('guid-2', "
	    "'guid-4')"), 0);
	ck_assert_int_eq(sql_count(path, "SELECT simhash FROM articles WHERE "
	    "guid = 'guid-3'"), 0x1237);
	free(path);
	fx_rmdir(dir);
}
END_TEST

static Suite *
batch_suite(void)
{
	Suite	*s = suite_create("batch");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, write_everything_at_once);
	tcase_add_test(tc, numbered_batch_survives_a_full_database);
	tcase_add_test(tc, out_of_step_numbering_is_refused);
	tcase_add_test(tc, merged_batches_keep_their_articles);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(batch_suite());
}

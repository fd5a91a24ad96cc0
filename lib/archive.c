/*
 * archive.c: JSONL archives, pmsignald databases and directories of them,
 * read into memory in replay order.  Holding the articles in memory costs
 * about the archive's size; it lets the replay sort across files.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "archive.h"
#include "date.h"
#include "htmltext.h"
#include "jsonv.h"
#include "log.h"
#include "store.h"
#include "utf8.h"

#define ARCHIVE_SQLITE_MAGIC	"SQLite format 3"

static int	archive_load_path(struct archive *, const char *,
		    const struct archive_opts *, int, char *, size_t);

void
archive_article_free(struct article *a)
{
	free(a->id);
	free(a->source);
	free(a->title);
	free(a->url);
	free(a->text);
	memset(a, 0, sizeof(*a));
}

void
archive_free(struct archive *ar)
{
	for (size_t i = 0; i < ar->narticles; i++)
		archive_article_free(&ar->articles[i]);
	free(ar->articles);
	for (size_t i = 0; i < ar->nproblems; i++)
		free(ar->problems[i]);
	free(ar->problems);
	memset(ar, 0, sizeof(*ar));
}

/* Record one bad record: counted always, message kept for the first ones. */
static void
archive_problem(struct archive *ar, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	ar->bad++;
	if (ar->nproblems >= ARCHIVE_MAX_PROBLEMS)
		return;
	if (ar->problems == NULL &&
	    (ar->problems = calloc(ARCHIVE_MAX_PROBLEMS, sizeof(char *))) == NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) != -1)
		ar->problems[ar->nproblems++] = msg;
	va_end(ap);
}

/*
 * A body is taken as HTML when it holds something shaped like a tag: '<'
 * then a letter, '/' or '!', and a '>' before the next '<'.  "a < b" and
 * "x<3" in plain text are not tags.
 */
int
archive_looks_like_html(const char *body)
{
	const char *p, *q;

	for (p = strchr(body, '<'); p != NULL; p = strchr(p + 1, '<')) {
		char c = p[1];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    c == '/' || c == '!'))
			continue;
		for (q = p + 1; *q != '\0' && *q != '<' && *q != '>'; q++)
			;
		if (*q == '>')
			return 1;
	}
	return 0;
}

/*
 * Copy a string member into *out.  An absent or null optional member stays
 * NULL, as it was in the daemon that wrote the archive, so a replayed
 * delta carries null where the live one did.
 */
static const char *
archive_get_string(const cJSON *o, const char *key, int required, char **out,
    char *buf, size_t bufsize)
{
	const cJSON	*m = cJSON_GetObjectItemCaseSensitive(o, key);
	size_t		 len;

	*out = NULL;
	if (m == NULL || cJSON_IsNull(m)) {
		if (!required)
			return NULL;
		snprintf(buf, bufsize, "%s: missing", key);
		return buf;
	}
	if (!cJSON_IsString(m)) {
		snprintf(buf, bufsize, "%s: must be a string, not %s", key,
		    jsonv_type_name(m));
		return buf;
	}
	if (required && m->valuestring[0] == '\0') {
		snprintf(buf, bufsize, "%s: must not be empty", key);
		return buf;
	}
	/* Valid UTF-8: the scorer's normaliser needs it. */
	len = strlen(m->valuestring);
	if (utf8_valid_len(m->valuestring, len) != len) {
		snprintf(buf, bufsize, "%s: invalid UTF-8", key);
		return buf;
	}
	if ((*out = malloc(len + 1)) == NULL) {
		snprintf(buf, bufsize, "out of memory");
		return buf;
	}
	memcpy(*out, m->valuestring, len + 1);
	return NULL;
}

/* True when s is NULL or "". */
static int
archive_empty(const char *s)
{
	return s == NULL || s[0] == '\0';
}

/*
 * An optional time member; absent, null or "" is PM_TIME_NONE.  RFC 3339
 * is the format, but archives from elsewhere carry what feeds carry, so
 * every date the feed parser accepts is taken (RFC 822 and its variants),
 * and a number is seconds since the epoch (milliseconds from 1e11 on).
 */
static const char *
archive_get_time(const cJSON *o, const char *key, int64_t *out, char *buf,
    size_t bufsize)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, key);

	*out = PM_TIME_NONE;
	if (m == NULL || cJSON_IsNull(m))
		return NULL;
	if (cJSON_IsString(m) && m->valuestring[0] == '\0')
		return NULL;
	if (cJSON_IsString(m) && date_parse(m->valuestring, out) == 0)
		return NULL;
	if (cJSON_IsNumber(m) && m->valuedouble >= 0 && m->valuedouble < 1e15) {
		double v = m->valuedouble >= 1e11 ? m->valuedouble / 1000 :
		    m->valuedouble;

		*out = (int64_t)v;
		return NULL;
	}
	*out = PM_TIME_NONE;
	snprintf(buf, bufsize, "%s: not a time (RFC 3339 expected, such as "
	    "2025-11-19T10:00:00Z)", key);
	return buf;
}

/* Where cJSON stopped, as a column, for "not valid JSON at column C". */
static size_t
archive_json_column(const char *line, size_t len)
{
	const char *e = cJSON_GetErrorPtr();

	if (e == NULL || e < line || e > line + len)
		return 1;
	return (size_t)(e - line) + 1;
}

/*
 * An HTML body becomes plain text the way the feed parser makes it for
 * live articles (html_to_text), so a replay scores the same text.
 */
static const char *
archive_html_body(struct article *a, char *buf, size_t bufsize)
{
	char *text = html_to_text(a->text, strlen(a->text));

	if (text == NULL) {
		snprintf(buf, bufsize, "body: out of memory converting HTML");
		return buf;
	}
	free(a->text);
	a->text = text;
	return NULL;
}

/* An empty article: no fields, no times, full credibility. */
static void
archive_article_init(struct article *a)
{
	memset(a, 0, sizeof(*a));
	a->published = a->first_seen = PM_TIME_NONE;
	a->credibility = 1.0;
}

const char *
archive_parse_object(const cJSON *o, unsigned flags, struct article *a,
    char *buf, size_t bufsize)
{
	const char	*why = NULL;

	archive_article_init(a);
	if (!cJSON_IsObject(o)) {
		snprintf(buf, bufsize, "not a JSON object");
		return buf;
	}
	why = archive_get_string(o, "id", !(flags & ARCHIVE_ID_OPTIONAL),
	    &a->id, buf, bufsize);
	if (why == NULL)
		why = archive_get_string(o, "title", 0, &a->title, buf, bufsize);
	if (why == NULL)
		why = archive_get_string(o, "body", 0, &a->text, buf, bufsize);
	if (why == NULL)
		why = archive_get_string(o, "source", 0, &a->source, buf, bufsize);
	if (why == NULL)
		why = archive_get_string(o, "url", 0, &a->url, buf, bufsize);
	if (why == NULL)
		why = archive_get_time(o, "published", &a->published, buf, bufsize);
	if (why == NULL)
		why = archive_get_time(o, "first_seen", &a->first_seen, buf, bufsize);
	if (why == NULL && a->text != NULL && archive_looks_like_html(a->text))
		why = archive_html_body(a, buf, bufsize);
	if (why == NULL && archive_empty(a->title) && archive_empty(a->text)) {
		snprintf(buf, bufsize, "no title and no body");
		why = buf;
	}
	if (why != NULL)
		archive_article_free(a);
	return why;
}

/* An id for a record without one: its url, else a hash (archive.h). */
static const char *
archive_derive_id(struct article *a, char *buf, size_t bufsize)
{
	char	hid[ARTICLE_HASH_ID_SIZE];

	free(a->id);
	if (!archive_empty(a->url)) {
		a->id = strdup(a->url);
	} else {
		article_hash_id(a->title, a->published != PM_TIME_NONE ?
		    a->published : a->first_seen, a->text, hid);
		a->id = strdup(hid);
	}
	if (a->id == NULL) {
		snprintf(buf, bufsize, "out of memory");
		return buf;
	}
	return NULL;
}

const char *
archive_parse_line(const char *line, size_t len, struct article *a,
    int *derived, char *buf, size_t bufsize)
{
	cJSON		*o;
	const char	*why;

	archive_article_init(a);
	if (derived != NULL)
		*derived = 0;
	if ((o = cJSON_ParseWithLength(line, len)) == NULL) {
		snprintf(buf, bufsize, "not valid JSON (at column %zu)",
		    archive_json_column(line, len));
		return buf;
	}
	why = archive_parse_object(o, ARCHIVE_ID_OPTIONAL, a, buf, bufsize);
	cJSON_Delete(o);
	if (why == NULL && archive_empty(a->id)) {
		if ((why = archive_derive_id(a, buf, bufsize)) != NULL)
			archive_article_free(a);
		else if (derived != NULL)
			*derived = 1;
	}
	return why;
}

/* Make room for one more article. */
static int
archive_grow(struct archive *ar)
{
	struct article	*n;
	size_t		 cap;

	if (ar->narticles < ar->cap)
		return 0;
	cap = ar->cap ? ar->cap * 2 : 1024;
	if ((n = realloc(ar->articles, cap * sizeof(*n))) == NULL)
		return -1;
	ar->articles = n;
	ar->cap = cap;
	return 0;
}

/*
 * Take a parsed article: give it its replay time (first_seen, else
 * published), apply the time window, append.  Takes ownership of *a.
 */
static int
archive_keep(struct archive *ar, struct article *a,
    const struct archive_opts *opts)
{
	int64_t t = a->first_seen != PM_TIME_NONE ? a->first_seen : a->published;

	if (t == PM_TIME_NONE) {
		ar->no_time++;
		archive_article_free(a);
		return 0;
	}
	if ((opts->from != PM_TIME_NONE && t < opts->from) ||
	    (opts->until != PM_TIME_NONE && t > opts->until)) {
		ar->out_of_range++;
		archive_article_free(a);
		return 0;
	}
	a->first_seen = t;
	if (archive_grow(ar) == -1) {
		archive_article_free(a);
		return -1;
	}
	ar->articles[ar->narticles++] = *a;
	return 0;
}

/* True when the line holds only white space. */
static int
archive_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	return 1;
}

/* Read a JSONL file line by line. */
static int
archive_load_jsonl(struct archive *ar, const char *path, FILE *fp,
    const struct archive_opts *opts, char *err, size_t errsize)
{
	char		*line = NULL, why_buf[256];
	const char	*why;
	size_t		 cap = 0, lineno = 0;
	ssize_t		 n;
	struct article	 a;
	int		 rc = 0, derived;

	while ((n = getline(&line, &cap, fp)) != -1) {
		lineno++;
		if (archive_blank(line, (size_t)n))
			continue;
		ar->records++;
		if ((size_t)n > ARCHIVE_MAX_LINE) {
			archive_problem(ar, "%s:%zu: line longer than %u bytes",
			    path, lineno, ARCHIVE_MAX_LINE);
			continue;
		}
		why = archive_parse_line(line, (size_t)n, &a, &derived,
		    why_buf, sizeof(why_buf));
		if (why != NULL) {
			archive_problem(ar, "%s:%zu: %s", path, lineno, why);
			continue;
		}
		ar->derived_ids += derived;
		if (archive_keep(ar, &a, opts) == -1) {
			snprintf(err, errsize, "%s:%zu: out of memory", path, lineno);
			rc = -1;
			break;
		}
	}
	if (rc == 0 && ferror(fp)) {
		snprintf(err, errsize, "%s: read error: %s", path, strerror(errno));
		rc = -1;
	}
	free(line);
	return rc;
}

/* True when the file starts with the sqlite header. */
static int
archive_is_sqlite(FILE *fp)
{
	char	head[16];
	size_t	n = fread(head, 1, sizeof(head), fp);

	rewind(fp);
	return n == sizeof(head) && memcmp(head, ARCHIVE_SQLITE_MAGIC "",
	    sizeof(ARCHIVE_SQLITE_MAGIC)) == 0;
}

/* What store_articles_each() hands each stored article to. */
struct archive_db_ctx {
	struct archive			*ar;
	const struct archive_opts	*opts;
	int				 nomem;
};

/* strdup that keeps NULL; -1 only when out of memory. */
static int
archive_dup(char **dst, const char *src)
{
	*dst = NULL;
	return src == NULL || (*dst = strdup(src)) != NULL ? 0 : -1;
}

/* Copy one stored article into the archive. */
static int
archive_db_article(void *arg, const struct article *src, int64_t rowid)
{
	struct archive_db_ctx	*ctx = arg;
	struct article		 a;
	char			 why[128];

	(void)rowid;
	memset(&a, 0, sizeof(a));
	ctx->ar->records++;
	if (src->text == NULL) {
		ctx->ar->pruned++;	/* skipped, as pmsignald export does */
		return 0;
	}
	a.published = src->published;
	a.first_seen = src->first_seen;
	a.credibility = 1.0;
	if (archive_dup(&a.id, src->id) == -1 ||
	    archive_dup(&a.source, src->source) == -1 ||
	    archive_dup(&a.title, src->title) == -1 ||
	    archive_dup(&a.url, src->url) == -1 ||
	    archive_dup(&a.text, src->text) == -1 ||
	    (archive_looks_like_html(a.text) &&
	    archive_html_body(&a, why, sizeof(why)) != NULL) ||
	    archive_keep(ctx->ar, &a, ctx->opts) == -1) {
		archive_article_free(&a);
		ctx->nomem = 1;
		return 1;		/* stop */
	}
	return 0;
}

/*
 * A pmsignald database, read-only through the store: its articles are
 * already in first_seen order.  Articles whose text retention pruned are
 * skipped and counted, as `pmsignald export` skips them, so a database
 * replays like its export.
 */
static int
archive_load_sqlite(struct archive *ar, const char *path,
    const struct archive_opts *opts, char *err, size_t errsize)
{
	struct archive_db_ctx	 ctx = { ar, opts, 0 };
	struct store		*st;
	int64_t			 until = opts->until;
	int			 rc;

	if (store_open(path, STORE_RDONLY | STORE_NOCREATE, &st, err,
	    errsize) != STORE_OK)
		return -1;
	if (until != PM_TIME_NONE && until < INT64_MAX)
		until++;		/* the store's range is [since, until) */
	rc = store_articles_each(st, opts->from, until, archive_db_article,
	    &ctx, err, errsize);
	store_close(st);
	if (ctx.nomem) {
		snprintf(err, errsize, "%s: out of memory", path);
		return -1;
	}
	return rc < 0 ? -1 : 0;
}

/* One archive file, JSONL or sqlite. */
static int
archive_load_file(struct archive *ar, const char *path,
    const struct archive_opts *opts, char *err, size_t errsize)
{
	FILE	*fp;
	int	 rc;

	if ((fp = fopen(path, "rb")) == NULL) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		return -1;
	}
	ar->files++;
	if (archive_is_sqlite(fp)) {
		fclose(fp);
		return archive_load_sqlite(ar, path, opts, err, errsize);
	}
	rc = archive_load_jsonl(ar, path, fp, opts, err, errsize);
	fclose(fp);
	return rc;
}

/* Names a directory walk reads: JSONL and database files, not hidden. */
static int
archive_wanted_name(const char *name)
{
	static const char *const exts[] = {
		".jsonl", ".ndjson", ".json", ".db", ".sqlite", ".sqlite3", NULL
	};
	size_t len = strlen(name);

	if (name[0] == '.')
		return 0;
	for (int i = 0; exts[i] != NULL; i++) {
		size_t el = strlen(exts[i]);

		if (len > el && strcmp(name + len - el, exts[i]) == 0)
			return 1;
	}
	return 0;
}

static int
archive_cmp_names(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Every archive file under dir, in byte order of names, recursively. */
static int
archive_load_dir(struct archive *ar, const char *dir,
    const struct archive_opts *opts, int depth, char *err, size_t errsize)
{
	struct dirent	**ents;
	char		 *sub;
	int		  n, rc = 0;

	if ((n = scandir(dir, &ents, NULL, archive_cmp_names)) == -1) {
		snprintf(err, errsize, "%s: %s", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;

		if (rc == 0 && name[0] != '.') {
			if (asprintf(&sub, "%s/%s", dir, name) == -1) {
				snprintf(err, errsize, "%s: out of memory", dir);
				rc = -1;
			} else {
				rc = archive_load_path(ar, sub, opts, depth + 1,
				    err, errsize);
				free(sub);
			}
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

/*
 * A path given by the user is read whatever its name; inside a directory
 * only archive-looking names are read and other files are counted.
 */
static int
archive_load_path(struct archive *ar, const char *path,
    const struct archive_opts *opts, int depth, char *err, size_t errsize)
{
	struct stat	 st;
	const char	*base = strrchr(path, '/');

	if (stat(path, &st) == -1) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		if (depth > 16) {
			snprintf(err, errsize, "%s: directories nested too deep",
			    path);
			return -1;
		}
		return archive_load_dir(ar, path, opts, depth, err, errsize);
	}
	if (depth > 0 && (!S_ISREG(st.st_mode) ||
	    !archive_wanted_name(base != NULL ? base + 1 : path))) {
		log_debug("%s: not an archive file, skipped", path);
		ar->skipped_files++;
		return 0;
	}
	return archive_load_file(ar, path, opts, err, errsize);
}

static int
archive_cmp_time(const void *va, const void *vb)
{
	const struct article *a = va, *b = vb;

	if (a->first_seen != b->first_seen)
		return a->first_seen < b->first_seen ? -1 : 1;
	return 0;
}

/* Sort key: replay time, then read order (qsort is not stable). */
struct archive_key {
	int64_t	 t;
	size_t	 i;
};

static int
archive_cmp_key(const void *va, const void *vb)
{
	const struct archive_key *a = va, *b = vb;

	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

/* Stable sort by replay time; nothing to do for an archive already in order. */
static int
archive_sort(struct archive *ar)
{
	struct archive_key	*keys;
	struct article		*sorted;
	size_t			 n = ar->narticles, i;

	for (i = 1; i < n; i++)
		if (archive_cmp_time(&ar->articles[i - 1], &ar->articles[i]) > 0)
			break;
	if (i >= n)
		return 0;		/* already in order */
	keys = malloc(n * sizeof(*keys));
	sorted = malloc(n * sizeof(*sorted));
	if (keys == NULL || sorted == NULL) {
		free(keys);
		free(sorted);
		return -1;
	}
	for (i = 0; i < n; i++) {
		keys[i].t = ar->articles[i].first_seen;
		keys[i].i = i;
	}
	qsort(keys, n, sizeof(*keys), archive_cmp_key);
	for (i = 0; i < n; i++)
		sorted[i] = ar->articles[keys[i].i];
	free(ar->articles);
	free(keys);
	ar->articles = sorted;
	ar->cap = n;
	return 0;
}

int
archive_load(const char *path, const struct archive_opts *opts,
    struct archive *ar, char *err, size_t errsize)
{
	struct archive_opts	all = { PM_TIME_NONE, PM_TIME_NONE };
	struct stat		st;

	memset(ar, 0, sizeof(*ar));
	if (opts == NULL)
		opts = &all;
	if (archive_load_path(ar, path, opts, 0, err, errsize) == -1)
		return -1;
	if (ar->files == 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errsize, "%s: no archive files (*.jsonl, *.ndjson, "
		    "*.json, *.db, *.sqlite) in this directory", path);
		return -1;
	}
	if (archive_sort(ar) == -1) {
		snprintf(err, errsize, "%s: out of memory", path);
		return -1;
	}
	return 0;
}

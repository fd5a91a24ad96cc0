/*
 * cmd-parse-feed.c: "pmsignald parse-feed FILE|-": parse one feed document
 * and print it as one JSON object (the schema of the feed conformance
 * corpus, plus each entry's scoring text).  FEED_CONTENT_TYPE and
 * FEED_BASE_URL stand for the HTTP Content-Type and the URL it came from.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "cmd.h"
#include "date.h"
#include "feed.h"

static void
parse_feed_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: pmsignald parse-feed FILE|-\n"
	    "  Parse an RSS, Atom or JSON Feed document and print it as JSON.\n"
	    "  FEED_CONTENT_TYPE: the HTTP Content-Type it was served with\n"
	    "  FEED_BASE_URL: the URL it was fetched from\n");
}

/*
 * Read all of fp, refusing more than FEED_MAX_BYTES.  Returns the data
 * (caller frees) or NULL with errno set (EFBIG when too large).
 */
static char *
parse_feed_slurp(FILE *fp, size_t *lenp)
{
	size_t	 cap = 1 << 16, len = 0, n;
	char	*buf = malloc(cap), *p;

	if (buf == NULL)
		return NULL;
	while ((n = fread(buf + len, 1, cap - len, fp)) > 0) {
		len += n;
		if (len > FEED_MAX_BYTES) {
			free(buf);
			errno = EFBIG;
			return NULL;
		}
		if (len == cap) {
			cap *= 2;
			if ((p = realloc(buf, cap)) == NULL) {
				free(buf);
				return NULL;
			}
			buf = p;
		}
	}
	if (ferror(fp)) {
		free(buf);
		errno = EIO;
		return NULL;
	}
	*lenp = len;
	return buf;
}

/* Add a string member, or null. */
static void
parse_feed_str(cJSON *obj, const char *key, const char *value)
{
	if (value != NULL)
		cJSON_AddStringToObject(obj, key, value);
	else
		cJSON_AddNullToObject(obj, key);
}

/* Add a time member as epoch seconds, or null. */
static void
parse_feed_time(cJSON *obj, const char *key, int64_t t)
{
	if (t != PM_TIME_NONE)
		cJSON_AddNumberToObject(obj, key, (double)t);
	else
		cJSON_AddNullToObject(obj, key);
}

static cJSON *
parse_feed_json(const struct feed *f)
{
	cJSON *root = cJSON_CreateObject(), *entries;

	if (root == NULL)
		return NULL;
	parse_feed_str(root, "title", f->title);
	parse_feed_str(root, "link", f->link);
	parse_feed_str(root, "format", f->format);
	cJSON_AddBoolToObject(root, "illformed", f->illformed);
	entries = cJSON_AddArrayToObject(root, "entries");
	for (size_t i = 0; entries != NULL && i < f->nentries; i++) {
		const struct feed_entry	*e = &f->entries[i];
		cJSON			*o = cJSON_CreateObject();

		if (o == NULL)
			break;
		parse_feed_str(o, "title", e->title);
		parse_feed_str(o, "link", e->link);
		parse_feed_str(o, "id", e->id);
		parse_feed_time(o, "published", e->published);
		parse_feed_time(o, "updated", e->updated);
		parse_feed_str(o, "summary", e->summary);
		parse_feed_str(o, "content", e->content);
		parse_feed_str(o, "author", e->author);
		parse_feed_str(o, "title_text", e->title_text);
		parse_feed_str(o, "text", e->text);
		cJSON_AddItemToArray(entries, o);
	}
	return root;
}

int
cmd_parse_feed(int argc, char **argv)
{
	const char	*path, *name;
	struct feed	 f;
	struct stat	 st;
	FILE		*fp;
	cJSON		*json;
	char		*data, *out, err[256];
	size_t		 len;
	int		 saved;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		parse_feed_usage(stdout);
		return 0;
	}
	if (argc != 2) {
		parse_feed_usage(stderr);
		return EXIT_USAGE;
	}
	path = argv[1];
	name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (fp == NULL) {
		fprintf(stderr, "pmsignald: %s: %s\n", name, strerror(errno));
		return EXIT_USAGE;
	}
	if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size > FEED_MAX_BYTES) {
		fprintf(stderr, "pmsignald: %s: document too large (%lld bytes, "
		    "limit %d)\n", name, (long long)st.st_size, FEED_MAX_BYTES);
		if (fp != stdin)
			fclose(fp);
		return EXIT_USAGE;
	}
	data = parse_feed_slurp(fp, &len);
	saved = errno;
	if (fp != stdin)
		fclose(fp);
	if (data == NULL) {
		if (saved == EFBIG)
			fprintf(stderr, "pmsignald: %s: document too large (more "
			    "than %d bytes)\n", name, FEED_MAX_BYTES);
		else
			fprintf(stderr, "pmsignald: %s: read: %s\n", name,
			    strerror(saved));
		return saved == EFBIG ? EXIT_USAGE : 1;
	}
	if (feed_parse(data, len, getenv("FEED_CONTENT_TYPE"),
	    getenv("FEED_BASE_URL"), &f, err, sizeof(err)) == -1) {
		fprintf(stderr, "pmsignald: %s: %s\n", name, err);
		free(data);
		return EXIT_USAGE;
	}
	free(data);
	json = parse_feed_json(&f);
	feed_free(&f);
	if (json == NULL || (out = cJSON_PrintUnformatted(json)) == NULL) {
		cJSON_Delete(json);
		fprintf(stderr, "pmsignald: %s: out of memory\n", name);
		return 1;
	}
	puts(out);
	cJSON_free(out);
	cJSON_Delete(json);
	return 0;
}

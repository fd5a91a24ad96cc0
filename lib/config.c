/*
 * config.c: load and strictly validate pmsignald.json.  Every rejection is
 * one line naming the file, the JSON path and the problem, so a typo is
 * fixed in seconds.  docs/CONFIG.md is the reference for every key.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "jsonv.h"
#include "loopback.h"

static const char *const config_top_keys[] = {
	"socket", "socket_group", "socket_mode", "database", "log_level",
	"markets", "metrics_listen", "poll", "subscribers", "model",
	"retention", "feeds", NULL
};
static const char *const config_poll_keys[] = {
	"user_agent", "default_interval", "connect_timeout", "timeout",
	"max_body", "per_host_connections", "max_parallel", NULL
};
static const char *const config_sub_keys[] = {
	"max_clients", "heartbeat", "soft_limit", "soft_seconds",
	"hard_limit", "slow_close_seconds", NULL
};
static const char *const config_model_keys[] = {
	"tick", "dedup_window", NULL
};
static const char *const config_retention_keys[] = {
	"article_days", "delta_days", "max_unpersisted", NULL
};
static const char *const config_feed_keys[] = {
	"name", "url", "interval", "credibility", NULL
};

/* Defaults, documented in docs/CONFIG.md. */
static void
config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->socket_mode = 0660;
	cfg->log_level = LOG_LEVEL_INFO;
	cfg->default_interval = 300;
	cfg->connect_timeout = 10;
	cfg->timeout = 30;
	cfg->max_body = 8 * 1024 * 1024;
	cfg->per_host_connections = 2;
	cfg->max_parallel = 64;
	cfg->max_clients = 1024;
	cfg->heartbeat = 5;
	cfg->client_soft_limit = 256 * 1024;
	cfg->client_soft_seconds = 10;
	cfg->client_hard_limit = 4 * 1024 * 1024;
	cfg->slow_close_seconds = 60;
	cfg->tick = 3600;
	cfg->dedup_window = 3 * 86400;
	cfg->article_retention_days = 90;
	cfg->delta_retention_days = 3650;
	cfg->max_unpersisted = 64 * 1024 * 1024;
}

static char *
config_strdup(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

/* Copy an optional string member into *dst (already NULL or a default). */
static int
config_take_string(struct jsonv *jv, const cJSON *obj, const char *path,
    const char *key, int required, size_t maxlen, char **dst)
{
	const char *s = NULL;

	if (jsonv_string(jv, obj, path, key, required, maxlen, &s) == -1)
		return -1;
	if (s == NULL)
		return 0;
	if (s[0] == '\0') {
		char p[256];

		jsonv_path_key(p, sizeof(p), path, key);
		return jsonv_fail(jv, p, "must not be empty");
	}
	free(*dst);
	if ((*dst = strdup(s)) == NULL)
		return jsonv_fail(jv, path, "out of memory");
	return 0;
}

/* Feed names appear in logs, metrics and the database: keep them tame. */
static int
config_valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("._-", *s) == NULL)
			return 0;
	return 1;
}

/* Only http and https, with a host; no spaces or control characters. */
static int
config_valid_url(const char *s)
{
	const char *host;

	if (strncasecmp(s, "http://", 7) == 0)
		host = s + 7;
	else if (strncasecmp(s, "https://", 8) == 0)
		host = s + 8;
	else
		return 0;
	if (*host == '\0' || *host == '/' || *host == ':')
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return 0;
	return 1;
}

static int
config_parse_feed(struct jsonv *jv, const cJSON *node, int i,
    struct config *cfg)
{
	struct config_feed	*f = &cfg->feeds[i];
	char			 path[64], p[96];
	const char		*name = NULL, *url = NULL;

	jsonv_path_index(path, sizeof(path), "feeds", i);
	if (jsonv_only_keys(jv, node, path, config_feed_keys) == -1 ||
	    jsonv_string(jv, node, path, "name", 1, 64, &name) == -1 ||
	    jsonv_string(jv, node, path, "url", 1, 2048, &url) == -1 ||
	    name == NULL || url == NULL)
		return -1;
	if (!config_valid_name(name)) {
		jsonv_path_key(p, sizeof(p), path, "name");
		return jsonv_fail(jv, p, "'%s' is not a valid feed name "
		    "(1-64 characters from A-Z a-z 0-9 . _ -)", name);
	}
	if (!config_valid_url(url)) {
		jsonv_path_key(p, sizeof(p), path, "url");
		return jsonv_fail(jv, p, "'%s' is not an http:// or https:// URL",
		    url);
	}
	for (int j = 0; j < i; j++) {
		if (cfg->feeds[j].name != NULL &&
		    strcmp(cfg->feeds[j].name, name) == 0) {
			jsonv_path_key(p, sizeof(p), path, "name");
			return jsonv_fail(jv, p, "duplicate feed name '%s' "
			    "(also feeds[%d])", name, j);
		}
	}
	f->interval = cfg->default_interval;
	f->credibility = 1.0;
	if (jsonv_int(jv, node, path, "interval", 0, 30, 86400,
	    &f->interval) == -1 ||
	    jsonv_number(jv, node, path, "credibility", 0, 0.0, 1.0,
	    &f->credibility) == -1)
		return -1;
	if ((f->name = strdup(name)) == NULL || (f->url = strdup(url)) == NULL)
		return jsonv_fail(jv, path, "out of memory");
	return 0;
}

static int
config_parse_feeds(struct jsonv *jv, const cJSON *root, struct config *cfg)
{
	const cJSON	*feeds, *node;
	int		 n, i = 0;

	feeds = cJSON_GetObjectItemCaseSensitive(root, "feeds");
	if (feeds == NULL)
		return jsonv_fail(jv, "feeds", "missing (required): list the "
		    "feeds to poll");
	if (jsonv_array(jv, feeds, "feeds") == -1)
		return -1;
	n = cJSON_GetArraySize(feeds);
	if (n == 0)
		return jsonv_fail(jv, "feeds", "is empty: list at least one feed");
	if (n > CONFIG_MAX_FEEDS)
		return jsonv_fail(jv, "feeds", "more than %d feeds",
		    CONFIG_MAX_FEEDS);
	if ((cfg->feeds = calloc((size_t)n, sizeof(*cfg->feeds))) == NULL)
		return jsonv_fail(jv, "feeds", "out of memory");
	cfg->nfeeds = (size_t)n;
	cJSON_ArrayForEach(node, feeds) {
		if (config_parse_feed(jv, node, i, cfg) == -1)
			return -1;
		i++;
	}
	return 0;
}

static int
config_parse_poll(struct jsonv *jv, const cJSON *root, struct config *cfg)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, "poll");

	if (o == NULL)
		return 0;
	if (jsonv_only_keys(jv, o, "poll", config_poll_keys) == -1 ||
	    config_take_string(jv, o, "poll", "user_agent", 0, 256,
	    &cfg->user_agent) == -1 ||
	    jsonv_int(jv, o, "poll", "default_interval", 0, 30, 86400,
	    &cfg->default_interval) == -1 ||
	    jsonv_int(jv, o, "poll", "connect_timeout", 0, 1, 300,
	    &cfg->connect_timeout) == -1 ||
	    jsonv_int(jv, o, "poll", "timeout", 0, 1, 3600,
	    &cfg->timeout) == -1 ||
	    jsonv_int(jv, o, "poll", "max_body", 0, 4096,
	    (int64_t)1 << 30, &cfg->max_body) == -1 ||
	    jsonv_int(jv, o, "poll", "per_host_connections", 0, 1, 64,
	    &cfg->per_host_connections) == -1 ||
	    jsonv_int(jv, o, "poll", "max_parallel", 0, 1, 4096,
	    &cfg->max_parallel) == -1)
		return -1;
	return 0;
}

static int
config_parse_subscribers(struct jsonv *jv, const cJSON *root,
    struct config *cfg)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, "subscribers");
	const char *p = "subscribers";

	if (o == NULL)
		return 0;
	if (jsonv_only_keys(jv, o, p, config_sub_keys) == -1 ||
	    jsonv_int(jv, o, p, "max_clients", 0, 1, 65536,
	    &cfg->max_clients) == -1 ||
	    jsonv_int(jv, o, p, "heartbeat", 0, 1, 3600, &cfg->heartbeat) == -1 ||
	    jsonv_int(jv, o, p, "soft_limit", 0, 1024, (int64_t)1 << 30,
	    &cfg->client_soft_limit) == -1 ||
	    jsonv_int(jv, o, p, "soft_seconds", 0, 0, 3600,
	    &cfg->client_soft_seconds) == -1 ||
	    jsonv_int(jv, o, p, "hard_limit", 0, 1024, (int64_t)1 << 32,
	    &cfg->client_hard_limit) == -1 ||
	    jsonv_int(jv, o, p, "slow_close_seconds", 0, 1, 86400,
	    &cfg->slow_close_seconds) == -1)
		return -1;
	if (cfg->client_hard_limit < cfg->client_soft_limit)
		return jsonv_fail(jv, "subscribers.hard_limit",
		    "must not be below soft_limit (%lld)",
		    (long long)cfg->client_soft_limit);
	return 0;
}

static int
config_parse_model(struct jsonv *jv, const cJSON *root, struct config *cfg)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, "model");
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(root, "retention");

	if (o != NULL &&
	    (jsonv_only_keys(jv, o, "model", config_model_keys) == -1 ||
	    jsonv_int(jv, o, "model", "tick", 0, 60, 86400, &cfg->tick) == -1 ||
	    jsonv_int(jv, o, "model", "dedup_window", 0, 0, 90 * 86400,
	    &cfg->dedup_window) == -1))
		return -1;
	if (r != NULL &&
	    (jsonv_only_keys(jv, r, "retention", config_retention_keys) == -1 ||
	    jsonv_int(jv, r, "retention", "article_days", 0, 1, 36500,
	    &cfg->article_retention_days) == -1 ||
	    jsonv_int(jv, r, "retention", "delta_days", 0, 1, 36500,
	    &cfg->delta_retention_days) == -1 ||
	    jsonv_int(jv, r, "retention", "max_unpersisted", 0, 65536,
	    (int64_t)1 << 40, &cfg->max_unpersisted) == -1))
		return -1;
	return 0;
}

/* "0660" style octal string, or an integer (decimal JSON has no octal). */
static int
config_parse_mode(struct jsonv *jv, const cJSON *root, struct config *cfg)
{
	const cJSON	*m = cJSON_GetObjectItemCaseSensitive(root, "socket_mode");
	char		*end;
	long		 v;

	if (m == NULL)
		return 0;
	if (!cJSON_IsString(m))
		return jsonv_fail(jv, "socket_mode", "must be an octal string "
		    "such as \"0660\"");
	v = strtol(m->valuestring, &end, 8);
	if (m->valuestring[0] == '\0' || *end != '\0' || v < 0 || v > 0777)
		return jsonv_fail(jv, "socket_mode", "'%s' is not an octal "
		    "mode between 0000 and 0777", m->valuestring);
	cfg->socket_mode = (int)v;
	return 0;
}

/* metrics_listen, when set, must be a loopback ADDRESS:PORT. */
static int
config_check_metrics(struct jsonv *jv, const struct config *cfg)
{
	struct loopback_addr	addr;
	char			err[256];

	if (cfg->metrics_listen == NULL)
		return 0;
	if (loopback_parse(cfg->metrics_listen, &addr, err, sizeof(err)) == -1)
		return jsonv_fail(jv, "metrics_listen", "%s", err);
	return 0;
}

static int
config_parse_top(struct jsonv *jv, const cJSON *root, struct config *cfg)
{
	const char *level = NULL;

	if (jsonv_only_keys(jv, root, NULL, config_top_keys) == -1 ||
	    config_take_string(jv, root, NULL, "socket", 0, 100,
	    &cfg->socket) == -1 ||
	    config_take_string(jv, root, NULL, "socket_group", 0, 64,
	    &cfg->socket_group) == -1 ||
	    config_parse_mode(jv, root, cfg) == -1 ||
	    config_take_string(jv, root, NULL, "database", 0, 4096,
	    &cfg->database) == -1 ||
	    config_take_string(jv, root, NULL, "markets", 0, 4096,
	    &cfg->markets) == -1 ||
	    config_take_string(jv, root, NULL, "metrics_listen", 0, 128,
	    &cfg->metrics_listen) == -1 ||
	    jsonv_string(jv, root, NULL, "log_level", 0, 16, &level) == -1)
		return -1;
	if (level != NULL && log_level_parse(level, &cfg->log_level) == -1)
		return jsonv_fail(jv, "log_level", "'%s' is not one of error, "
		    "warn, info, debug", level);
	return config_check_metrics(jv, cfg);
}

/* Fill in path defaults that depend on nothing but themselves. */
static int
config_finish(struct jsonv *jv, struct config *cfg)
{
	if (cfg->socket == NULL && (cfg->socket = strdup("pmsignald.sock")) == NULL)
		return jsonv_fail(jv, NULL, "out of memory");
	if (cfg->database == NULL &&
	    (cfg->database = strdup("pmsignald.db")) == NULL)
		return jsonv_fail(jv, NULL, "out of memory");
	if (cfg->markets == NULL && (cfg->markets = strdup("markets")) == NULL)
		return jsonv_fail(jv, NULL, "out of memory");
	return 0;
}

int
config_parse(const char *name, const char *text, size_t len,
    struct config *out, char *err, size_t errsize)
{
	struct jsonv	 jv;
	struct config	 cfg;
	cJSON		*root;
	const char	*slash;

	jsonv_init(&jv, name);
	config_defaults(&cfg);
	if ((root = jsonv_parse(&jv, text, len)) == NULL)
		goto fail;
	if (jsonv_object(&jv, root, "(top level)") == -1 ||
	    config_parse_top(&jv, root, &cfg) == -1 ||
	    config_parse_poll(&jv, root, &cfg) == -1 ||
	    config_parse_subscribers(&jv, root, &cfg) == -1 ||
	    config_parse_model(&jv, root, &cfg) == -1 ||
	    /* feeds last: their interval default comes from poll. */
	    config_parse_feeds(&jv, root, &cfg) == -1 ||
	    config_finish(&jv, &cfg) == -1)
		goto fail;
	cJSON_Delete(root);
	cfg.path = config_strdup(name);
	slash = strrchr(name, '/');
	cfg.dir = slash != NULL ? strndup(name, (size_t)(slash - name) + (slash == name))
	    : strdup(".");
	if (cfg.path == NULL || cfg.dir == NULL) {
		jsonv_fail(&jv, NULL, "out of memory");
		goto fail;
	}
	*out = cfg;
	return 0;
fail:
	cJSON_Delete(root);
	config_free(&cfg);
	snprintf(err, errsize, "%s", jv.err);
	return -1;
}

int
config_load(const char *path, struct config *cfg, char *err, size_t errsize)
{
	char	*text;
	size_t	 len;
	int	 r;

	if ((text = jsonv_read_file(path, CONFIG_MAX_BYTES, &len, err,
	    errsize)) == NULL)
		return -1;
	r = config_parse(path, text, len, cfg, err, errsize);
	free(text);
	return r;
}

void
config_free(struct config *cfg)
{
	for (size_t i = 0; i < cfg->nfeeds; i++) {
		free(cfg->feeds[i].name);
		free(cfg->feeds[i].url);
	}
	free(cfg->feeds);
	free(cfg->path);
	free(cfg->dir);
	free(cfg->socket);
	free(cfg->socket_group);
	free(cfg->database);
	free(cfg->markets);
	free(cfg->metrics_listen);
	free(cfg->user_agent);
	memset(cfg, 0, sizeof(*cfg));
}

char *
config_resolve_path(const char *base, const char *p)
{
	char	*out;
	size_t	 n;

	if (p[0] == '/' || base == NULL || base[0] == '\0')
		return strdup(p);
	n = strlen(base) + strlen(p) + 2;
	if ((out = malloc(n)) == NULL)
		return NULL;
	snprintf(out, n, "%s/%s", base, p);
	return out;
}

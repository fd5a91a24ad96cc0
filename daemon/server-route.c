/*
 * server-route.c: which subscribers want which market.  Matching every
 * client's globs against every delta would cost clients x patterns per
 * publish; instead the list of matching clients is computed once per
 * market and cached until a subscription changes (a subscribe, or a
 * subscriber leaving), which marks the whole cache stale.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "server-int.h"

/* FNV-1a: short market ids, no adversary choosing them (the config does). */
static size_t
server_route_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return (size_t)(h % SERVER_ROUTE_BUCKETS);
}

static void
server_route_free(struct route *r)
{
	free(r->market);
	free(r->clients);
	free(r);
}

/*
 * Drop every cached route.  Must not look at the clients: stale routes may
 * point at clients already freed.
 */
void
server_routes_clear(struct server *s)
{
	struct route *r, *next;

	for (size_t i = 0; i < SERVER_ROUTE_BUCKETS; i++) {
		for (r = s->routes[i]; r != NULL; r = next) {
			next = r->next;
			server_route_free(r);
		}
		s->routes[i] = NULL;
	}
	s->nroutes = 0;
	s->routes_stale = 0;
}

/* Collect the subscribed clients whose patterns match market. */
static struct route *
server_route_build(struct server *s, const char *market)
{
	struct route	*r;
	struct client	*c;
	size_t		 cap = 0;

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->market = strdup(market)) == NULL)
		goto fail;
	TAILQ_FOREACH(c, &s->clients, entry) {
		if (!c->subscribed || !client_matches(c, market))
			continue;
		if (r->n == cap) {
			struct client **v;

			cap = cap == 0 ? 8 : cap * 2;
			/* An array of pointers: sizeof(pointer) is meant. */
			if ((v = reallocarray(r->clients, cap,
			    sizeof(*v))) == NULL) /* NOLINT(bugprone-sizeof-expression) */
				goto fail;
			r->clients = v;
		}
		r->clients[r->n++] = c;
	}
	return r;
fail:
	log_warnx("server: out of memory routing market %s", market);
	if (r != NULL)
		server_route_free(r);
	return NULL;
}

/*
 * The clients subscribed to market, from the cache or freshly built.
 * NULL only when out of memory (the delta then reaches nobody, logged).
 */
struct route *
server_route(struct server *s, const char *market)
{
	struct route	*r;
	size_t		 h;

	if (s->routes_stale || s->nroutes >= SERVER_ROUTE_MAX)
		server_routes_clear(s);
	h = server_route_hash(market);
	for (r = s->routes[h]; r != NULL; r = r->next)
		if (strcmp(r->market, market) == 0)
			return r;
	if ((r = server_route_build(s, market)) == NULL)
		return NULL;
	r->next = s->routes[h];
	s->routes[h] = r;
	s->nroutes++;
	return r;
}

/*
 * uri.h: resolving the relative references that feeds are full of
 * (RFC 3986, by libxml2's xmlBuildURI).
 */
#ifndef PM_URI_H
#define PM_URI_H

/* 1 if s starts with a URI scheme ("http:", "tag:", "urn:"). */
int	 uri_has_scheme(const char *s);

/*
 * ref resolved against base (either may be NULL).  An absolute ref, or one
 * that cannot be resolved, comes back unchanged (extra slashes after
 * "scheme://" are dropped, as feedparser does).  Returns a malloc'd string,
 * or NULL if out of memory.
 */
char	*uri_resolve(const char *base, const char *ref);

/*
 * Like uri_resolve, for a link found inside HTML: the result must use a
 * safe scheme (http, https, ftp, mailto, ...), else it is "" (so that a
 * "javascript:" link never survives).
 */
char	*uri_resolve_safe(const char *base, const char *ref);

#endif

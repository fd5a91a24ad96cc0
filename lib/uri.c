/*
 * uri.c: relative reference resolution (see uri.h).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/uri.h>

#include "uri.h"

/* The schemes feedparser lets through in HTML; anything else becomes "". */
static const char *const uri_safe_schemes[] = {
	"file", "ftp", "gopher", "h323", "hdl", "http", "https", "imap",
	"magnet", "mailto", "mms", "news", "nntp", "prospero", "rsync", "rtsp",
	"rtspu", "sftp", "shttp", "sip", "sips", "snews", "svn", "svn+ssh",
	"telnet", "wais", "aim", "callto", "cvs", "facetime", "feed", "git",
	"gtalk", "irc", "ircs", "irc6", "itms", "msnim", "skype", "ssh", "smb",
	"ymsg", NULL
};

/* Length of the scheme at s (without ':'), or 0 when there is none. */
static size_t
uri_scheme_len(const char *s)
{
	size_t n = 0;

	if (!isalpha((unsigned char)s[0]))
		return 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '+' || s[n] == '-' ||
	    s[n] == '.')
		n++;
	return s[n] == ':' ? n : 0;
}

int
uri_has_scheme(const char *s)
{
	return s != NULL && uri_scheme_len(s) > 0;
}

/* "http:////x" -> "http://x": copy of ref with the extra slashes dropped. */
static char *
uri_fix_slashes(const char *ref)
{
	size_t	 n = uri_scheme_len(ref), skip = 0;
	char	*out;

	if (n > 0 && strncmp(ref + n, "://", 3) == 0)
		while (ref[n + 3 + skip] == '/')
			skip++;
	if ((out = malloc(strlen(ref) + 1)) == NULL)
		return NULL;
	if (skip == 0)
		return strcpy(out, ref);
	memcpy(out, ref, n + 3);
	strcpy(out + n + 3, ref + n + 3 + skip);
	return out;
}

/*
 * xmlBuildURI wants ASCII: percent-encode the other bytes and spaces of s,
 * and '%' itself, so that uri_unescape_nonascii can tell the escapes made
 * here from those the URI had ("%BB" stays "%BB", "%20" stays "%20").
 */
static char *
uri_escape_nonascii(const char *s, int *changed)
{
	static const char	 hex[] = "0123456789ABCDEF";
	char			*out = malloc(strlen(s) * 3 + 1), *o = out;

	if (out == NULL)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x80 || *p == ' ' || *p == '%') {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
			*changed = 1;
		} else
			*o++ = (char)*p;
	}
	*o = '\0';
	return out;
}

/*
 * Undo uri_escape_nonascii on a resolved URI, in place.  (xmlBuildURI
 * decodes a path and escapes it again, so what it gives back escaped is
 * what went in escaped, or a character it escapes itself, below 0x80.)
 */
static void
uri_unescape_nonascii(char *s)
{
	char *o = s;

	for (char *p = s; *p; p++) {
		if (p[0] == '%' && isxdigit((unsigned char)p[1]) &&
		    isxdigit((unsigned char)p[2])) {
			char hx[3] = { p[1], p[2], 0 };
			long v = strtol(hx, NULL, 16);

			if (v >= 0x80 || v == ' ' || v == '%') {
				*o++ = (char)v;
				p += 2;
				continue;
			}
		}
		*o++ = *p;
	}
	*o = '\0';
}

char *
uri_resolve(const char *base, const char *ref)
{
	xmlChar	*r;
	char	*out, *trimmed, *esc, *ebase;
	size_t	 n;
	int	 changed = 0;

	if (ref == NULL)
		ref = "";
	while (isspace((unsigned char)*ref))
		ref++;
	n = strlen(ref);
	while (n > 0 && isspace((unsigned char)ref[n - 1]))
		n--;
	if ((trimmed = strndup(ref, n)) == NULL)
		return NULL;
	if (base == NULL || *base == '\0' || uri_has_scheme(trimmed)) {
		out = uri_fix_slashes(trimmed);
		free(trimmed);
		return out;
	}
	/* The base too: its own escapes must come back as they were. */
	esc = uri_escape_nonascii(trimmed, &changed);
	ebase = uri_escape_nonascii(base, &changed);
	if (esc == NULL || ebase == NULL) {
		free(esc);
		free(ebase);
		free(trimmed);
		return NULL;
	}
	r = xmlBuildURI((const xmlChar *)esc, (const xmlChar *)ebase);
	free(esc);
	free(ebase);
	if (r == NULL)
		return trimmed;
	out = strdup((const char *)r);
	xmlFree(r);
	free(trimmed);
	if (out != NULL && changed)
		uri_unescape_nonascii(out);
	return out;
}

char *
uri_resolve_safe(const char *base, const char *ref)
{
	char	*out = uri_resolve(base, ref);
	size_t	 n;

	if (out == NULL || *out == '\0')
		return out;
	if ((n = uri_scheme_len(out)) == 0)
		return out;	/* still relative: no base to resolve against */
	for (size_t i = 0; uri_safe_schemes[i] != NULL; i++)
		if (strlen(uri_safe_schemes[i]) == n &&
		    strncasecmp(out, uri_safe_schemes[i], n) == 0)
			return out;
	out[0] = '\0';
	return out;
}

/*
 * charset.c: decode a feed document to UTF-8 (see charset.h).
 */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "charset.h"
#include "utf8.h"

#define CHARSET_NAME_MAX	40
#define CHARSET_DECL_SCAN	1024

struct charset_alias {
	const char	*name;
	const char	*canon;
};

/* Spellings seen in feeds for the encodings iconv knows by other names. */
static const struct charset_alias charset_aliases[] = {
	{ "utf8", "UTF-8" }, { "utf-8", "UTF-8" }, { "utf_8", "UTF-8" },
	{ "u8", "UTF-8" }, { "unicode-1-1-utf-8", "UTF-8" },
	{ "utf16", "UTF-16" }, { "utf-16", "UTF-16" }, { "utf_16", "UTF-16" },
	{ "u16", "UTF-16" }, { "ucs-2", "UTF-16" }, { "iso-10646-ucs-2", "UTF-16" },
	{ "csunicode", "UTF-16" },
	{ "utf32", "UTF-32" }, { "utf-32", "UTF-32" }, { "utf_32", "UTF-32" },
	{ "u32", "UTF-32" }, { "ucs-4", "UTF-32" }, { "iso-10646-ucs-4", "UTF-32" },
	{ "csucs4", "UTF-32" },
	{ "us-ascii", "ASCII" }, { "ascii", "ASCII" }, { "us_ascii", "ASCII" },
	{ "gb2312", "GB18030" }, { "cp037", "IBM037" },
	{ "latin-1", "ISO-8859-1" }, { "latin1", "ISO-8859-1" },
};

/* Copy s (at most n bytes), lower-cased and trimmed, into out. */
static void
charset_lower(const char *s, size_t n, char *out, size_t size)
{
	size_t o = 0;

	while (n > 0 && isspace((unsigned char)*s))
		s++, n--;
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	for (size_t i = 0; i < n && o + 1 < size; i++)
		out[o++] = (char)tolower((unsigned char)s[i]);
	out[o] = '\0';
}

/* The name iconv knows for a declared encoding (lower-cased input). */
static const char *
charset_canon(const char *name)
{
	for (size_t i = 0; i < sizeof(charset_aliases) /
	    sizeof(charset_aliases[0]); i++)
		if (strcmp(name, charset_aliases[i].name) == 0)
			return charset_aliases[i].canon;
	return name;
}

void
charset_parse_content_type(const char *ct, char *type, size_t typesize,
    char *charset, size_t charsetsize)
{
	const char *semi, *p, *eq, *end;

	type[0] = charset[0] = '\0';
	if (ct == NULL)
		return;
	semi = strchr(ct, ';');
	charset_lower(ct, semi ? (size_t)(semi - ct) : strlen(ct), type,
	    typesize);
	for (p = semi; p != NULL; p = strchr(p + 1, ';')) {
		const char *k = p + 1;

		end = strchr(k, ';');
		if (end == NULL)
			end = k + strlen(k);
		if ((eq = memchr(k, '=', (size_t)(end - k))) == NULL)
			continue;
		while (isspace((unsigned char)*k))
			k++;
		if (eq - k < 7 || strncasecmp(k, "charset", 7) != 0)
			continue;
		for (k += 7; k < eq && isspace((unsigned char)*k); k++)
			;
		if (k != eq)
			continue;
		eq++;
		while (eq < end && (isspace((unsigned char)*eq) || *eq == '"' ||
		    *eq == '\''))
			eq++;
		while (end > eq && (isspace((unsigned char)end[-1]) ||
		    end[-1] == '"' || end[-1] == '\''))
			end--;
		charset_lower(eq, (size_t)(end - eq), charset, charsetsize);
		return;
	}
}

/*
 * The encoding that the first bytes announce: a byte-order mark (whose
 * length goes to *skip) or the pattern of "<" in UTF-16/32 or EBCDIC.
 */
static const char *
charset_sniff(const unsigned char *d, size_t len, size_t *skip)
{
	*skip = 0;
	if (len < 4)
		return len >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0 ?
		    (*skip = 3, "UTF-8") : NULL;
	if (memcmp(d, "\x00\x00\xFE\xFF", 4) == 0)
		return *skip = 4, "UTF-32BE";
	if (memcmp(d, "\xFF\xFE\x00\x00", 4) == 0)
		return *skip = 4, "UTF-32LE";
	if (d[0] == 0xFE && d[1] == 0xFF)
		return *skip = 2, "UTF-16BE";
	if (d[0] == 0xFF && d[1] == 0xFE)
		return *skip = 2, "UTF-16LE";
	if (memcmp(d, "\xEF\xBB\xBF", 3) == 0)
		return *skip = 3, "UTF-8";
	if (memcmp(d, "\x4C\x6F\xA7\x94", 4) == 0)
		return "IBM037";
	if (memcmp(d, "\x00\x00\x00\x3C", 4) == 0)
		return "UTF-32BE";
	if (memcmp(d, "\x3C\x00\x00\x00", 4) == 0)
		return "UTF-32LE";
	if (d[0] == 0x00 && d[1] == 0x3C && d[2] == 0x00)
		return "UTF-16BE";
	if (d[0] == 0x3C && d[1] == 0x00 && d[3] == 0x00)
		return "UTF-16LE";
	return NULL;
}

/* The encoding named in an XML declaration at the start of d, or "". */
static void
charset_xml_decl(const char *d, size_t len, char *out, size_t size)
{
	size_t		 n = len < CHARSET_DECL_SCAN ? len : CHARSET_DECL_SCAN;
	const char	*end, *p, *q;
	char		 quote;

	out[0] = '\0';
	if (n < 6 || memcmp(d, "<?xml", 5) != 0)
		return;
	if ((end = memmem(d, n, "?>", 2)) == NULL)
		return;
	if ((p = memmem(d, (size_t)(end - d), "encoding", 8)) == NULL)
		return;
	for (p += 8; p < end && isspace((unsigned char)*p); p++)
		;
	if (p >= end || *p++ != '=')
		return;
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (p >= end || (*p != '"' && *p != '\''))
		return;
	quote = *p++;
	if ((q = memchr(p, quote, (size_t)(end - p))) == NULL)
		return;
	charset_lower(p, (size_t)(q - p), out, size);
}

/*
 * RFC 3023 as feedparser applies it: which encoding the HTTP media type and
 * charset make authoritative, given the declared one.
 */
static void
charset_rfc3023(const char *content_type, const char *xml_enc, char *out,
    size_t size)
{
	char	type[128], cs[CHARSET_NAME_MAX];

	charset_parse_content_type(content_type, type, sizeof(type), cs,
	    sizeof(cs));
	/*
	 * A text/ type without a charset means US-ASCII; application/xml,
	 * the +xml types and anything else defer to the XML declaration.
	 */
	if (content_type != NULL && strncmp(type, "text/", 5) == 0)
		snprintf(out, size, "%s", *cs ? cs : "us-ascii");
	else
		snprintf(out, size, "%s", *cs ? cs : *xml_enc ? xml_enc : "utf-8");
}

/*
 * Convert len bytes from encoding `from` to UTF-8 with iconv, strictly.
 * Returns 0, -1 when the bytes are not valid in that encoding or iconv does
 * not know it, -2 when out of memory.
 */
static int
charset_iconv(const char *from, const char *in, size_t len, struct buf *out)
{
	iconv_t	 cd;
	char	*inp = (char *)in, *outp;
	size_t	 inleft = len, outleft, r;
	int	 ret = 0;

	if ((cd = iconv_open("UTF-8", from)) == (iconv_t)-1)
		return -1;
	out->len = 0;
	for (;;) {
		if (buf_reserve(out, inleft * 2 + 64) == -1) {
			ret = -2;
			break;
		}
		outp = out->data + out->len;
		outleft = out->cap - out->len - 1;
		r = iconv(cd, inleft ? &inp : NULL, &inleft, &outp, &outleft);
		out->len = (size_t)(outp - out->data);
		if (r != (size_t)-1 && inleft == 0)
			break;
		if (r == (size_t)-1 && errno != E2BIG) {
			ret = -1;
			break;
		}
	}
	iconv_close(cd);
	if (ret == 0)
		out->data[out->len] = '\0';
	return ret;
}

/* Keep UTF-8 data as it is, or repaired; 0, -1 (not UTF-8), -2 (memory). */
static int
charset_take_utf8(const char *d, size_t len, struct charset_out *out)
{
	struct utf8_stats st;

	utf8_scan(d, len, &st);
	if (st.invalid > 0 && st.multibyte == 0)
		return -1;	/* no UTF-8 at all: another encoding */
	if (st.invalid == 0 && st.forbidden == 0) {
		out->data = d;
		out->len = len;
		return 0;
	}
	if ((out->owned = utf8_repair(d, len, UTF8_XML, &out->len)) == NULL)
		return -2;
	out->data = out->owned;
	out->repaired = 1;
	return 0;
}

/* UTF-16 or UTF-32 under any of its names. */
static int
charset_wide(const char *canon)
{
	return strncasecmp(canon, "UTF-16", 6) == 0 ||
	    strncasecmp(canon, "UTF-32", 6) == 0 ||
	    strncasecmp(canon, "UCS-2", 5) == 0 ||
	    strncasecmp(canon, "UCS-4", 5) == 0;
}

/*
 * Do the first bytes show an 8-bit (ASCII-compatible) encoding?  Without a
 * byte-order mark, an XML document starts with "<" or white space; in
 * UTF-16 or UTF-32 one of its first two bytes would be NUL.  A server
 * that says charset=utf-16 over such bytes is wrong, whatever it says.
 */
static int
charset_8bit(const char *d, size_t len)
{
	return len >= 2 && d[0] != '\0' && d[1] != '\0' &&
	    (d[0] == '<' || isspace((unsigned char)d[0]));
}

/* Try one candidate encoding; 0 when it decoded the document. */
static int
charset_try(const char *name, const char *d, size_t len,
    struct charset_out *out)
{
	const char	*canon = charset_canon(name);
	struct buf	 b;
	int		 r;

	if (strcmp(canon, "UTF-8") == 0)
		return charset_take_utf8(d, len, out);
	if (strcmp(canon, "ASCII") == 0) {
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)d[i] >= 0x80)
				return -1;
		return charset_take_utf8(d, len, out);
	}
	buf_init(&b);
	r = charset_iconv(canon, d, len, &b);
	if (r == -1 && strchr(canon, '_') != NULL) {
		char alt[CHARSET_NAME_MAX];

		snprintf(alt, sizeof(alt), "%s", canon);
		for (char *p = alt; *p; p++)
			if (*p == '_')
				*p = '-';
		r = charset_iconv(alt, d, len, &b);
	}
	if (r != 0) {
		buf_free(&b);
		return r;
	}
	r = charset_take_utf8(b.data, b.len, out);
	if (r == 0 && out->owned == NULL)
		out->owned = buf_detach(&b, NULL);
	else
		buf_free(&b);
	return r;
}

int
charset_to_utf8(const char *data, size_t len, const char *content_type,
    struct charset_out *out, char *err, size_t errsize)
{
	char		 xml_enc[CHARSET_NAME_MAX], rfc[CHARSET_NAME_MAX];
	const char	*bom, *cand[6];
	size_t		 skip;
	int		 r, narrow;

	memset(out, 0, sizeof(*out));
	bom = charset_sniff((const unsigned char *)data, len, &skip);
	narrow = bom == NULL && charset_8bit(data, len);
	data += skip;
	len -= skip;
	xml_enc[0] = '\0';
	if (bom == NULL || strcmp(bom, "UTF-8") == 0)
		charset_xml_decl(data, len, xml_enc, sizeof(xml_enc));
	if (bom != NULL && (*xml_enc == '\0' ||
	    strncmp(charset_canon(xml_enc), "UTF-", 4) == 0))
		snprintf(xml_enc, sizeof(xml_enc), "%s", bom);
	charset_rfc3023(content_type, xml_enc, rfc, sizeof(rfc));
	cand[0] = rfc;
	if (bom != NULL && strncmp(bom, "UTF-", 4) == 0 &&
	    strcmp(bom, "UTF-8") != 0)
		cand[0] = bom;	/* 16 or 32 bits: no other reading works */
	cand[1] = xml_enc;
	cand[2] = bom ? bom : "";
	cand[3] = "utf-8";
	cand[4] = "windows-1252";
	cand[5] = "iso-8859-2";
	for (size_t i = 0; i < 6; i++) {
		int seen = cand[i][0] == '\0';

		for (size_t j = 0; j < i && !seen; j++)
			seen = strcasecmp(charset_canon(cand[i]),
			    charset_canon(cand[j])) == 0;
		if (seen || (narrow && charset_wide(charset_canon(cand[i]))))
			continue;
		r = charset_try(cand[i], data, len, out);
		if (r == -2)
			break;
		if (r == 0) {
			snprintf(out->encoding, sizeof(out->encoding), "%s",
			    charset_canon(cand[i]));
			out->fallback = i > 0 && strcasecmp(charset_canon(rfc),
			    charset_canon(cand[i])) != 0;
			return 0;
		}
	}
	free(out->owned);
	memset(out, 0, sizeof(*out));
	snprintf(err, errsize, "out of memory decoding the document");
	return -1;
}

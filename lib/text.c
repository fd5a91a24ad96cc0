/*
 * text.c: normalisation, tokens and sentences for the scorer.
 *
 * ASCII, the bulk of news text, takes a table-driven fast path; any other
 * character goes through libutf8proc (NFKC with case folding), one cluster
 * (a character and the combining marks after it) at a time, so the byte
 * map from normalised to original text stays exact at character level.
 */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "text.h"

#define TEXT_NFKC_FLAGS	(UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD)
#define TEXT_CLUSTER_MAX 64		/* code points after decomposition */

/* ASCII byte -> normalised byte: lower case, controls and tabs as space. */
static unsigned char text_ascii[128];
static int text_ascii_ready;

static void
text_ascii_init(void)
{
	for (int c = 0; c < 128; c++) {
		unsigned char o = (unsigned char)c;

		if (c >= 'A' && c <= 'Z')
			o = (unsigned char)(c - 'A' + 'a');
		else if (c == '\n')
			o = '\n';
		else if (c < 0x20 || c == 0x7f)
			o = ' ';
		else if (c == '`')
			o = '\'';
		text_ascii[c] = o;
	}
	text_ascii_ready = 1;
}

void
text_init(struct text *t)
{
	memset(t, 0, sizeof(*t));
}

void
text_free(struct text *t)
{
	free(t->orig);
	free(t->norm);
	free(t->map);
	free(t->tokat);
	free(t->toks);
	free(t->sents);
	memset(t, 0, sizeof(*t));
}

/* Make room for at least need bytes of normalised text (plus the NUL). */
static int
text_reserve(struct text *t, size_t need)
{
	size_t	 cap;
	char	*n;
	uint32_t *m, *k;

	if (need + 1 <= t->ncap)
		return 0;
	cap = t->ncap ? t->ncap : 4096;
	while (cap < need + 1)
		cap *= 2;
	if ((n = realloc(t->norm, cap)) == NULL)
		return -1;
	t->norm = n;
	if ((m = realloc(t->map, (cap + 1) * sizeof(*m))) == NULL)
		return -1;
	t->map = m;
	if ((k = realloc(t->tokat, (cap + 1) * sizeof(*k))) == NULL)
		return -1;
	t->tokat = k;
	t->ncap = cap;
	return 0;
}

/* Append one normalised byte from original offset off; collapse blanks. */
static inline int
text_emit(struct text *t, unsigned char c, uint32_t off)
{
	if (c == ' ' || c == '\n') {
		if (t->nlen == 0)
			return 0;
		if (t->norm[t->nlen - 1] == '\n')
			return 0;
		if (t->norm[t->nlen - 1] == ' ') {
			if (c == '\n')
				t->norm[t->nlen - 1] = '\n';
			return 0;
		}
	}
	if (t->nlen + 1 >= t->ncap && text_reserve(t, t->nlen + 1) == -1)
		return -1;
	t->map[t->nlen] = off;
	t->norm[t->nlen++] = (char)c;
	return 0;
}

/*
 * Characters every news text is full of that NFKC leaves alone or that we
 * want as plain ASCII: typographic quotes, dashes, odd spaces.  Returns the
 * replacement byte, 0 to drop the character, or -1 for "not special".
 */
static int
text_special(utf8proc_int32_t cp)
{
	switch (cp) {
	case 0x2018: case 0x2019: case 0x201A: case 0x201B: case 0x2032:
	case 0x02BC: case 0x2035:
		return '\'';
	case 0x201C: case 0x201D: case 0x201E: case 0x201F: case 0x2033:
	case 0x00AB: case 0x00BB: case 0x2039: case 0x203A:
		return '"';
	case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014:
	case 0x2015: case 0x2212: case 0xFE58: case 0xFE63: case 0xFF0D:
		return '-';
	case 0x00A0: case 0x1680: case 0x202F: case 0x205F: case 0x3000:
		return ' ';
	case 0x2028: case 0x2029: case 0x0085:
		return '\n';
	case 0x00AD: case 0x200B: case 0x200C: case 0x200D: case 0x2060:
	case 0xFEFF:
		return 0;
	}
	if (cp >= 0x2000 && cp <= 0x200A)
		return ' ';
	return -1;
}

/* Emit one code point produced by normalisation. */
static int
text_emit_cp(struct text *t, utf8proc_int32_t cp, uint32_t off)
{
	utf8proc_uint8_t	 buf[4];
	utf8proc_ssize_t	 n;
	int			 sp;

	if (cp < 0x80)
		return text_emit(t, text_ascii[cp], off);
	if ((sp = text_special(cp)) >= 0)
		return sp == 0 ? 0 : text_emit(t, (unsigned char)sp, off);
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
	case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO:
		break;
	default:
		/* Other punctuation and symbols separate words. */
		return text_emit(t, ' ', off);
	}
	n = utf8proc_encode_char(cp, buf);
	for (utf8proc_ssize_t i = 0; i < n; i++)
		if (text_emit(t, buf[i], off) == -1)
			return -1;
	return 0;
}

static int
text_combining(utf8proc_int32_t cp)
{
	return utf8proc_get_property(cp)->combining_class != 0;
}

/*
 * Normalise the cluster starting at original offset i (a character and the
 * combining marks that follow it); return the offset after it.  A combining
 * mark right after an ASCII letter joins that letter: the letter is taken
 * back and normalised with its marks ("e" + U+0301 becomes "é").
 */
static size_t
text_cluster(struct text *t, size_t i, int *failed)
{
	const utf8proc_uint8_t	*o = (const utf8proc_uint8_t *)t->orig;
	utf8proc_int32_t	 cp, buf[TEXT_CLUSTER_MAX];
	utf8proc_ssize_t	 l, n;
	size_t			 start = i, end;

	l = utf8proc_iterate(o + i, (utf8proc_ssize_t)(t->olen - i), &cp);
	if (l <= 0) {
		*failed = text_emit(t, ' ', (uint32_t)i);
		return i + 1;
	}
	if (text_combining(cp) && i > 0 && o[i - 1] < 0x80 && t->nlen > 0 &&
	    t->map[t->nlen - 1] == i - 1 &&
	    text_is_word_byte((unsigned char)t->norm[t->nlen - 1])) {
		start = i - 1;
		t->nlen--;
	}
	end = i + (size_t)l;
	while (end < t->olen) {
		l = utf8proc_iterate(o + end, (utf8proc_ssize_t)(t->olen - end), &cp);
		if (l <= 0 || !text_combining(cp))
			break;
		end += (size_t)l;
	}
	n = utf8proc_decompose(o + start, (utf8proc_ssize_t)(end - start), buf,
	    TEXT_CLUSTER_MAX, TEXT_NFKC_FLAGS);
	if (n < 0 || n > TEXT_CLUSTER_MAX) {
		*failed = text_emit(t, ' ', (uint32_t)start);
		return end;
	}
	n = utf8proc_normalize_utf32(buf, n, TEXT_NFKC_FLAGS | UTF8PROC_COMPOSE);
	for (utf8proc_ssize_t k = 0; k < n && *failed == 0; k++)
		*failed = text_emit_cp(t, buf[k], (uint32_t)start);
	return end;
}

/* Normalise t->orig into t->norm and t->map. */
static int
text_normalize(struct text *t)
{
	const unsigned char	*o = (const unsigned char *)t->orig;
	size_t			 i = 0;
	int			 failed = 0;

	t->nlen = 0;
	if (text_reserve(t, t->olen + 16) == -1)
		return -1;
	while (i < t->olen && failed == 0) {
		unsigned char c = o[i];

		if (c < 0x80) {
			failed = text_emit(t, text_ascii[c], (uint32_t)i);
			i++;
		} else
			i = text_cluster(t, i, &failed);
	}
	if (failed)
		return -1;
	/* Drop a trailing blank; terminate. */
	while (t->nlen > 0 && (t->norm[t->nlen - 1] == ' ' ||
	    t->norm[t->nlen - 1] == '\n'))
		t->nlen--;
	t->norm[t->nlen] = '\0';
	t->map[t->nlen] = (uint32_t)t->olen;
	return 0;
}

static int
text_push_token(struct text *t, uint32_t start, uint32_t end, uint32_t brk)
{
	struct token *tk;

	if (t->ntoks == t->tcap) {
		size_t cap = t->tcap ? t->tcap * 2 : 1024;

		if ((tk = realloc(t->toks, cap * sizeof(*tk))) == NULL)
			return -1;
		t->toks = tk;
		t->tcap = cap;
	}
	tk = &t->toks[t->ntoks++];
	tk->start = start;
	tk->end = end;
	tk->sent = (uint32_t)t->nsents;
	tk->clause = 0;
	tk->brk = brk;
	return 0;
}

/* Close the sentence that started at byte start / token tok0, if any. */
static int
text_push_sentence(struct text *t, uint32_t start, uint32_t end,
    uint32_t tok0, int question)
{
	struct sentence *s;

	if (t->ntoks == tok0)
		return 0;
	if (t->nsents == t->scap) {
		size_t cap = t->scap ? t->scap * 2 : 64;

		if ((s = realloc(t->sents, cap * sizeof(*s))) == NULL)
			return -1;
		t->sents = s;
		t->scap = cap;
	}
	s = &t->sents[t->nsents++];
	s->start = start;
	s->end = end;
	s->tok0 = tok0;
	s->tok1 = (uint32_t)t->ntoks;
	s->question = question;
	return 0;
}

/* Abbreviations whose period does not end a sentence. */
static int
text_abbrev(const char *w, size_t n)
{
	static const char *const abbr[] = {
		"mr", "mrs", "ms", "dr", "st", "gen", "sen", "rep", "gov",
		"lt", "col", "sgt", "capt", "prof", "jan", "feb", "mar", "apr",
		"jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "vs",
		"etc", "inc", "corp", "jr", "sr", "no", "approx", "dept",
		"adm", "maj", "pres", "amb", NULL
	};

	if (n == 1)
		return 1;	/* initials, "U.S." */
	for (size_t i = 0; abbr[i] != NULL; i++)
		if (strlen(abbr[i]) == n && memcmp(abbr[i], w, n) == 0)
			return 1;
	return 0;
}

/*
 * Does the '.' at normalised byte i end a sentence?  Yes when a blank (or a
 * closing quote) follows and the next word starts with a capital letter or
 * a digit in the original, and the word before is no abbreviation.
 */
static int
text_period_ends(const struct text *t, size_t i)
{
	size_t j = i + 1;
	unsigned char oc;

	if (j < t->nlen && t->norm[j] != ' ' && t->norm[j] != '"' &&
	    t->norm[j] != '\'' && t->norm[j] != ')' && t->norm[j] != '\n')
		return 0;
	if (t->ntoks > 0 && t->toks[t->ntoks - 1].end == i &&
	    text_abbrev(t->norm + t->toks[t->ntoks - 1].start,
	    t->toks[t->ntoks - 1].end - t->toks[t->ntoks - 1].start))
		return 0;
	while (j < t->nlen && (t->norm[j] == ' ' || t->norm[j] == '"' ||
	    t->norm[j] == '\'' || t->norm[j] == ')'))
		j++;
	if (j >= t->nlen || t->norm[j] == '\n')
		return 1;
	oc = (unsigned char)t->orig[t->map[j]];
	return (oc >= 'A' && oc <= 'Z') || (oc >= '0' && oc <= '9') ||
	    oc >= 0x80 || oc == '(' || oc == '[';
}

/* Split t->norm into tokens and sentences. */
static int
text_tokenize(struct text *t)
{
	const char	*s = t->norm;
	size_t		 i = 0, n = t->nlen;
	uint32_t	 sstart = 0, stok = 0, brk = 0;

	t->ntoks = t->nsents = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		int end = 0, question = 0;

		if (text_is_word_byte(c)) {
			size_t st = i;

			while (i < n && text_is_word_byte((unsigned char)s[i]))
				t->tokat[i++] = (uint32_t)t->ntoks;
			if (text_push_token(t, (uint32_t)st, (uint32_t)i, brk) == -1)
				return -1;
			brk = 0;
			continue;
		}
		t->tokat[i] = (uint32_t)t->ntoks;
		switch (c) {
		case '\n':
			end = 1;
			break;
		case '!':
		case '?':
			if (i + 1 >= n || s[i + 1] == ' ' || s[i + 1] == '\n' ||
			    s[i + 1] == '"' || s[i + 1] == '\'' || s[i + 1] == ')') {
				end = 1;
				question = c == '?';
			}
			break;
		case '.':
			end = text_period_ends(t, i);
			break;
		case ';':
			brk = 2;
			break;
		case ',': case ':': case '(': case ')': case '[': case ']':
			if (brk == 0)
				brk = 1;
			break;
		case '-':
			if ((i > 0 && s[i - 1] == ' ' && i + 1 < n && s[i + 1] == ' ') ||
			    (i + 1 < n && s[i + 1] == '-'))
				if (brk == 0)
					brk = 1;
			break;
		}
		if (end) {
			if (text_push_sentence(t, sstart, (uint32_t)i + 1, stok,
			    question) == -1)
				return -1;
			sstart = (uint32_t)i + 1;
			stok = (uint32_t)t->ntoks;
			brk = 0;
		}
		i++;
	}
	t->tokat[n] = (uint32_t)t->ntoks;
	return text_push_sentence(t, sstart, (uint32_t)n, stok, 0);
}

int
text_prepare(struct text *t, const char *title, const char *body)
{
	size_t tl = title != NULL ? strlen(title) : 0;
	size_t bl = body != NULL ? strlen(body) : 0;

	if (!text_ascii_ready)
		text_ascii_init();
	if (tl + bl + 1 > TEXT_MAX_BYTES)
		return -1;
	if (tl + bl + 2 > t->ocap) {
		size_t cap = tl + bl + 2 + 1024;
		char *o = realloc(t->orig, cap);

		if (o == NULL)
			return -1;
		t->orig = o;
		t->ocap = cap;
	}
	if (tl > 0)
		memcpy(t->orig, title, tl);
	t->orig[tl] = '\n';
	if (bl > 0)
		memcpy(t->orig + tl + 1, body, bl);
	t->olen = tl + 1 + bl;
	t->orig[t->olen] = '\0';
	t->title_len = tl;
	if (text_normalize(t) == -1 || text_tokenize(t) == -1)
		return -1;
	return 0;
}

char *
text_normalize_phrase(const char *phrase)
{
	struct text	 t;
	char		*out;
	size_t		 b = 0;

	text_init(&t);
	if (text_prepare(&t, NULL, phrase) == -1) {
		text_free(&t);
		return NULL;
	}
	/* text_prepare put a '\n' (the empty title) first: skip blanks. */
	while (b < t.nlen && (t.norm[b] == ' ' || t.norm[b] == '\n'))
		b++;
	out = strndup(t.norm + b, t.nlen - b);
	text_free(&t);
	return out;
}

/* Length of the UTF-8 sequence whose lead byte is c (1 if invalid). */
static size_t
text_seq_len(unsigned char c)
{
	if (c >= 0xf0 && c < 0xf8)
		return 4;
	if (c >= 0xe0)
		return c < 0xf0 ? 3 : 1;
	if (c >= 0xc0)
		return 2;
	return 1;
}

void
text_span(const struct text *t, uint32_t start, uint32_t end,
    const char **field, size_t *ostart, size_t *oend)
{
	size_t s, e;

	if (end <= start || start >= t->nlen) {
		s = e = start < t->nlen ? t->map[start] : t->olen;
	} else {
		s = t->map[start];
		e = t->map[end - 1];
		e += text_seq_len((unsigned char)t->orig[e]);
		if (e > t->olen)
			e = t->olen;
	}
	if (s < t->title_len || (s == 0 && t->title_len == 0 && t->olen == 0)) {
		*field = "title";
		if (e > t->title_len)
			e = t->title_len;
		*ostart = s;
		*oend = e;
		return;
	}
	*field = "text";
	*ostart = s > t->title_len ? s - t->title_len - 1 : 0;
	*oend = e > t->title_len ? e - t->title_len - 1 : 0;
}

/*
 * text.c: one pass from original bytes to normalised, hashed tokens,
 * sentences and clause breaks.  See text.h.
 */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "market.h"	/* BREAK_* levels */
#include "text.h"

#define TEXT_SLACK	16	/* readable bytes kept after the text */

#define TEXT_NFKC_FLAGS	(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | \
			 UTF8PROC_CASEFOLD | UTF8PROC_IGNORE)

enum { CL_PUNCT = 0, CL_WORD, CL_SPACE, CL_NL };

static unsigned char text_class[256];	/* bytes >= 0x80: CL_PUNCT */
static unsigned char text_lower[128];
static uint64_t text_punct_hash[128];
static int text_tables_ready;

static void
text_tables_init(void)
{
	for (int c = 0; c < 128; c++) {
		text_lower[c] = (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9'))
			text_class[c] = CL_WORD;
		else if (c == '\n')
			text_class[c] = CL_NL;
		else if (c <= ' ' || c == 0x7f)
			text_class[c] = CL_SPACE;
		else
			text_class[c] = CL_PUNCT;
	}
	text_lower['`'] = '\'';
	for (int c = 0; c < 128; c++) {
		char b = (char)c;

		text_punct_hash[c] = text_hash(&b, 1);
	}
	text_tables_ready = 1;
}

/* One 8-byte step of the token hash. */
static inline uint64_t
text_hash_step(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0xff51afd7ed558ccdULL;
	return h ^ (h >> 29);
}

/*
 * The token hash: eight bytes at a time (a word costs one or two
 * multiplies, not one per byte), seeded with the length.
 */
uint64_t
text_hash(const char *s, size_t n)
{
	uint64_t	h = (uint64_t)n * 0x9e3779b97f4a7c15ULL, w;
	size_t		i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		h = text_hash_step(h, w);
	}
	if (i < n) {
		w = 0;
		memcpy(&w, s + i, n - i);
		h = text_hash_step(h, w);
	}
	return h ^ (h >> 32);
}

/*
 * The same hash of an ASCII word read straight from the original: letters
 * and digits only, so OR-ing 0x20 into every byte lower-cases it.  Reads
 * up to 7 bytes past the word (text_prepare keeps slack after the text).
 */
static inline uint64_t
text_hash_ascii(const unsigned char *s, size_t n)
{
	const uint64_t	lower = 0x2020202020202020ULL;
	uint64_t	h = (uint64_t)n * 0x9e3779b97f4a7c15ULL, w;
	size_t		i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		h = text_hash_step(h, w | lower);
	}
	if (i < n) {
		uint64_t mask = (1ULL << (8 * (n - i))) - 1;

		memcpy(&w, s + i, 8);
		h = text_hash_step(h, (w | lower) & mask);
	}
	return h ^ (h >> 32);
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
	free(t->toks);
	free(t->sents);
	free(t->pfx);
	free(t->norm);
	memset(t, 0, sizeof(*t));
}

void
text_set_prefixes(struct text *t, uint32_t mask)
{
	t->prefix_mask = mask & ~1u;
}

/* ------------------------------------------------------------- characters */

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
	case 0x2026:
		return '.';
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

/* Letters, marks and numbers make words. */
static int
text_cp_is_word(utf8proc_int32_t cp)
{
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
	case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO:
		return 1;
	default:
		return 0;
	}
}

/* Decode the code point at i; its length, or 0 for an invalid sequence. */
static size_t
text_decode(const struct text *t, size_t i, utf8proc_int32_t *cp)
{
	utf8proc_ssize_t l = utf8proc_iterate((const utf8proc_uint8_t *)t->orig + i,
	    (utf8proc_ssize_t)(t->olen - i), cp);

	return l > 0 ? (size_t)l : 0;
}

/* Does the character at i continue a word (a letter, mark or digit)? */
static int
text_word_at(const struct text *t, size_t i, size_t *len)
{
	unsigned char		 c = (unsigned char)t->orig[i];
	utf8proc_int32_t	 cp;

	if (c < 0x80) {
		*len = 1;
		return text_class[c] == CL_WORD;
	}
	if ((*len = text_decode(t, i, &cp)) == 0)
		return 0;
	return text_cp_is_word(cp) || text_special(cp) == 0;
}

/* ------------------------------------------------------------------ tokens */

static int
text_grow(void **p, size_t *cap, size_t n, size_t size, size_t first)
{
	void	*x;
	size_t	 c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : first;
	if ((x = realloc(*p, c * size)) == NULL)
		return -1;
	*p = x;
	*cap = c;
	return 0;
}

/* Append normalised bytes to t->norm (when asked for), after a blank. */
static int
text_norm_add(struct text *t, const char *s, size_t n, int gap)
{
	if (!t->want_norm)
		return 0;
	while (t->nlen + n + 2 >= t->ncap) {
		size_t	 c = t->ncap ? t->ncap * 2 : 4096;
		char	*x = realloc(t->norm, c);

		if (x == NULL)
			return -1;
		t->norm = x;
		t->ncap = c;
	}
	if (gap && t->nlen > 0)
		t->norm[t->nlen++] = ' ';
	memcpy(t->norm + t->nlen, s, n);
	t->nlen += n;
	t->norm[t->nlen] = '\0';
	return 0;
}

/* Not uint8_t: stores to tokens' bytes would force reloads of these. */
struct tokstate {
	uint32_t	 stok;		/* first token of the sentence */
	uint32_t	 nwords;
	uint32_t	 gap;		/* a blank since the last token */
	uint32_t	 brk;		/* pending clause break */
};

static inline int
text_push(struct text *t, struct tokstate *ts, uint32_t start, uint32_t end,
    uint64_t hash, size_t len, int kind)
{
	struct token	 k;
	size_t		 n = t->ntoks;

	if (__builtin_expect(n == t->tcap, 0) &&
	    text_grow((void **)&t->toks, &t->tcap, n, sizeof(k), 1024) == -1)
		return -1;
	k.hash = hash;
	k.start = start;
	k.end = end;
	k.sent = (uint32_t)t->nsents;
	k.w = ts->nwords;
	ts->nwords += kind == TOK_WORD;
	k.kind = (uint8_t)kind;
	k.brk = (uint8_t)ts->brk;
	k.gap = (uint8_t)ts->gap;
	k.len = (uint8_t)(len > 255 ? 255 : len);
	t->toks[n] = k;
	t->ntoks = n + 1;
	ts->gap = 0;
	ts->brk = 0;
	return 0;
}

static int
text_push_pfx(struct text *t, uint32_t len, uint64_t hash)
{
	if (text_grow((void **)&t->pfx, &t->pfxcap, t->npfx, sizeof(*t->pfx),
	    64) == -1)
		return -1;
	t->pfx[t->npfx].tok = (uint32_t)t->ntoks;
	t->pfx[t->npfx].len = len;
	t->pfx[t->npfx].hash = hash;
	t->npfx++;
	return 0;
}

/* Close the current sentence (if it has tokens). */
static int
text_end_sentence(struct text *t, struct tokstate *ts, int question)
{
	struct sentence *s;

	ts->brk = 0;
	if (t->ntoks == ts->stok)
		return 0;
	if (text_grow((void **)&t->sents, &t->scap, t->nsents, sizeof(*s),
	    64) == -1)
		return -1;
	s = &t->sents[t->nsents++];
	s->tok0 = ts->stok;
	s->tok1 = (uint32_t)t->ntoks;
	s->question = question;
	ts->stok = (uint32_t)t->ntoks;
	return 0;
}

/*
 * A word with characters beyond ASCII, from start: find its end, normalise
 * it whole with libutf8proc (NFKC, case folding, ignorables dropped) and
 * hash that.  Returns the offset after the word, or 0 on failure.
 */
static size_t
text_slow_word(struct text *t, struct tokstate *ts, size_t start)
{
	utf8proc_uint8_t	*out = NULL;
	utf8proc_ssize_t	 n;
	size_t			 i = start, l;
	uint64_t		 h;

	while (i < t->olen && text_word_at(t, i, &l))
		i += l;
	n = utf8proc_map((const utf8proc_uint8_t *)t->orig + start,
	    (utf8proc_ssize_t)(i - start), &out, TEXT_NFKC_FLAGS);
	if (n < 0) {
		free(out);
		return 0;
	}
	h = text_hash((const char *)out, (size_t)n);
	for (utf8proc_ssize_t k = 1; t->prefix_mask != 0 && k < n && k < 32; k++)
		if (((t->prefix_mask >> k) & 1) && text_push_pfx(t, (uint32_t)k,
		    text_hash((const char *)out, (size_t)k)) == -1)
			goto fail;
	if (n > 0 && (text_norm_add(t, (const char *)out, (size_t)n, ts->gap) == -1 ||
	    text_push(t, ts, (uint32_t)start, (uint32_t)i, h, (size_t)n,
	    TOK_WORD) == -1))
		goto fail;
	free(out);
	return i;
fail:
	free(out);
	return 0;
}

/*
 * An ASCII word from start: lower-case and hash it as it is read.  If a
 * non-ASCII letter follows, the word is redone on the slow path.  Returns
 * the offset after the word, or 0 on failure.
 */
/*
 * How many ASCII letters and digits start p, eight bytes at a time (one
 * well-predicted branch per word instead of one per byte).  The text is
 * NUL-terminated and followed by slack, so reading past its end is safe
 * and stops there.
 */
static inline size_t
text_word_len(const unsigned char *p)
{
	const uint64_t	 h = 0x8080808080808080ULL;
	const unsigned char *s = p;

	for (;;) {
		uint64_t b, x, l, letter, digit, stop;

		memcpy(&b, p, 8);
		x = b & ~h;
		l = x | 0x2020202020202020ULL;
		letter = (l + 0x1f1f1f1f1f1f1f1fULL) & ~(l + 0x0505050505050505ULL);
		digit = (x + 0x5050505050505050ULL) & ~(x + 0x4646464646464646ULL);
		stop = ~((letter | digit) & ~b) & h;
		if (stop != 0)
			return (size_t)(p - s) + ((size_t)__builtin_ctzll(stop) >> 3);
		p += 8;
	}
}

static size_t
text_ascii_word(struct text *t, struct tokstate *ts, size_t start)
{
	const unsigned char	*o = (const unsigned char *)t->orig;
	size_t			 i = start, olen = t->olen, l, n;
	uint32_t		 mask = t->prefix_mask;

	i += text_word_len(o + i);
	if (i > olen)
		i = olen;
	if (i < olen && o[i] >= 0x80 && text_word_at(t, i, &l))
		return text_slow_word(t, ts, start);
	n = i - start;
	if (mask != 0 || t->want_norm) {
		char buf[256];
		size_t m = n < sizeof(buf) ? n : sizeof(buf);

		for (size_t k = 0; k < m; k++)
			buf[k] = (char)text_lower[o[start + k]];
		for (size_t k = 1; mask != 0 && k < m && k < 32; k++)
			if (((mask >> k) & 1) && text_push_pfx(t, (uint32_t)k,
			    text_hash(buf, k)) == -1)
				return 0;
		if (text_norm_add(t, buf, m, ts->gap) == -1)
			return 0;
	}
	if (text_push(t, ts, (uint32_t)start, (uint32_t)i,
	    text_hash_ascii(o + start, n), n, TOK_WORD) == -1)
		return 0;
	return i;
}

/* Abbreviations whose period does not end a sentence. */
static int
text_abbrev(const struct text *t, const struct token *k)
{
	static const char abbr[][8] = {
		"mr", "mrs", "ms", "dr", "st", "gen", "sen", "rep", "gov", "lt",
		"col", "sgt", "capt", "prof", "jan", "feb", "mar", "apr", "jun",
		"jul", "aug", "sep", "sept", "oct", "nov", "dec", "vs", "etc",
		"inc", "corp", "jr", "sr", "no", "approx", "dept", "adm", "maj",
		"pres", "amb"
	};
	char	w[8];
	size_t	n = k->end - k->start;

	if (k->kind != TOK_WORD || n > 6)
		return 0;
	if (n == 1)
		return 1;	/* initials, "U.S." */
	memset(w, 0, sizeof(w));
	for (size_t j = 0; j < n; j++)
		w[j] = (char)text_lower[(unsigned char)t->orig[k->start + j] & 0x7f];
	for (size_t i = 0; i < sizeof(abbr) / sizeof(abbr[0]); i++)
		if (memcmp(abbr[i], w, 8) == 0)
			return 1;
	return 0;
}

/* Is byte i blank, a closing quote or bracket, or the end of the text? */
static int
text_closer(const struct text *t, size_t i)
{
	unsigned char c;

	if (i >= t->olen)
		return 1;
	c = (unsigned char)t->orig[i];
	if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '"' ||
	    c == '\'' || c == ')' || c == ']')
		return 1;
	/* ’ ” » and a no-break space */
	return (c == 0xe2 && i + 2 < t->olen && (unsigned char)t->orig[i + 1] == 0x80 &&
	    ((unsigned char)t->orig[i + 2] == 0x99 || (unsigned char)t->orig[i + 2] == 0x9d)) ||
	    (c == 0xc2 && i + 1 < t->olen && ((unsigned char)t->orig[i + 1] == 0xbb ||
	    (unsigned char)t->orig[i + 1] == 0xa0));
}

/*
 * Does the '.' ending at byte i end a sentence?  Yes when a blank (or a
 * closing quote) follows and the next word starts with a capital letter or
 * a digit, and the word before is no abbreviation or initial.
 */
static int
text_period_ends(const struct text *t, size_t i)
{
	unsigned char c;

	if (!text_closer(t, i))
		return 0;
	if (t->ntoks >= 2 && text_abbrev(t, &t->toks[t->ntoks - 2]) &&
	    t->toks[t->ntoks - 2].end + 1 == i)
		return 0;
	while (i < t->olen && text_closer(t, i)) {
		c = (unsigned char)t->orig[i];
		if (c == '\n')
			return 1;
		i += c == 0xe2 ? 3 : c == 0xc2 ? 2 : 1;
	}
	if (i >= t->olen)
		return 1;
	c = (unsigned char)t->orig[i];
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80 ||
	    c == '(' || c == '[';
}

/*
 * A punctuation token (ASCII byte p, from the original bytes [start, end)):
 * push it, then note the sentence end or clause break it makes.
 */
static int
text_punct(struct text *t, struct tokstate *ts, size_t start, size_t end,
    unsigned char p)
{
	char c = (char)p;
	int gap = ts->gap;

	if (text_norm_add(t, &c, 1, ts->gap) == -1 ||
	    text_push(t, ts, (uint32_t)start, (uint32_t)end,
	    text_punct_hash[p & 0x7f], 1, TOK_PUNCT) == -1)
		return -1;
	switch (p) {
	case '.':
		if (text_period_ends(t, end))
			return text_end_sentence(t, ts, 0);
		break;
	case '!':
	case '?':
		if (text_closer(t, end))
			return text_end_sentence(t, ts, p == '?');
		break;
	case ';':
		ts->brk = BREAK_STRONG;
		break;
	case ',': case ':': case '(': case ')': case '[': case ']':
		if (ts->brk < BREAK_ANY)
			ts->brk = BREAK_ANY;
		break;
	case '-':
		/* " - " and "--" separate clauses; "Trump-Putin" does not. */
		if ((gap && text_closer(t, end)) ||
		    (end < t->olen && t->orig[end] == '-'))
			if (ts->brk < BREAK_ANY)
				ts->brk = BREAK_ANY;
		break;
	}
	return 0;
}

/* A character beyond ASCII at i that starts no word; returns the next offset. */
static size_t
text_other(struct text *t, struct tokstate *ts, size_t i, int *failed)
{
	utf8proc_int32_t	 cp;
	size_t			 l = text_decode(t, i, &cp);
	int			 sp;

	if (l == 0) {		/* invalid byte: a separator */
		ts->gap = 1;
		return i + 1;
	}
	sp = text_special(cp);
	if (sp == ' ' || sp == 0) {
		ts->gap |= sp == ' ';
		return i + l;
	}
	if (sp == '\n') {
		ts->gap = 1;
		*failed = text_end_sentence(t, ts, 0);
		return i + l;
	}
	if (sp > 0) {
		*failed = text_punct(t, ts, i, i + l, (unsigned char)sp);
		return i + l;
	}
	/* Other symbols: a token of their own, hashed as they are. */
	*failed = text_norm_add(t, t->orig + i, l, ts->gap) == -1 ||
	    text_push(t, ts, (uint32_t)i, (uint32_t)(i + l),
	    text_hash(t->orig + i, l), l, TOK_PUNCT) == -1;
	return i + l;
}

/* Cut t->orig into tokens and sentences. */
static int
text_tokenize(struct text *t)
{
	const unsigned char	*o = (const unsigned char *)t->orig;
	size_t			 i = 0, olen = t->olen, l;
	struct tokstate		 ts = { 0, 0, 1, 0 };
	int			 failed = 0;

	t->ntoks = t->nsents = t->npfx = t->nlen = 0;
	while (i < olen && !failed) {
		unsigned char c = o[i];

		if (c >= 0x80) {
			if (text_word_at(t, i, &l)) {
				if ((i = text_slow_word(t, &ts, i)) == 0)
					return -1;
			} else
				i = text_other(t, &ts, i, &failed);
			continue;
		}
		switch (text_class[c]) {
		case CL_WORD:
			if ((i = text_ascii_word(t, &ts, i)) == 0)
				return -1;
			/* The common case, word blank word, without the switch. */
			while (o[i] == ' ' && o[i + 1] < 0x80 &&
			    text_class[o[i + 1]] == CL_WORD) {
				ts.gap = 1;
				if ((i = text_ascii_word(t, &ts, i + 1)) == 0)
					return -1;
			}
			continue;
		case CL_SPACE:
			ts.gap = 1;
			break;
		case CL_NL:
			ts.gap = 1;
			failed = text_end_sentence(t, &ts, 0);
			break;
		default:
			failed = text_punct(t, &ts, i, i + 1, text_lower[c]);
			break;
		}
		i++;
	}
	if (failed)
		return -1;
	return text_end_sentence(t, &ts, 0);
}

int
text_prepare(struct text *t, const char *title, const char *body)
{
	size_t tl = title != NULL ? strlen(title) : 0;
	size_t bl = body != NULL ? strlen(body) : 0;

	if (!text_tables_ready)
		text_tables_init();
	if (tl + bl + 1 > TEXT_MAX_BYTES)
		return -1;
	if (tl + bl + 1 + TEXT_SLACK > t->ocap) {
		size_t cap = tl + bl + 2 + TEXT_SLACK + 1024;
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
	/* NUL, then defined bytes for the 8-byte reads past the end. */
	memset(t->orig + t->olen, 0, TEXT_SLACK);
	t->title_len = tl;
	return text_tokenize(t);
}

void
text_span(const struct text *t, uint32_t start, uint32_t end,
    const char **field, size_t *ostart, size_t *oend)
{
	size_t s = start, e = end;

	if (e > t->olen)
		e = t->olen;
	if (s > e)
		s = e;
	if (s < t->title_len) {
		*field = "title";
		*ostart = s;
		*oend = e > t->title_len ? t->title_len : e;
		return;
	}
	*field = "text";
	*ostart = s > t->title_len ? s - t->title_len - 1 : 0;
	*oend = e > t->title_len ? e - t->title_len - 1 : 0;
}

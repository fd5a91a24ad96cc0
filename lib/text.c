/*
 * text.c: one pass from original bytes to normalised, hashed tokens,
 * sentences and clause breaks.  See text.h.
 */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "market.h"	/* BREAK_* levels */
#include "text.h"

#define TEXT_SLACK	72	/* readable bytes kept after the text (text_runs) */

#define TEXT_NFKC_FLAGS	(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | \
			 UTF8PROC_CASEFOLD | UTF8PROC_IGNORE)

enum { CL_PUNCT = 0, CL_WORD, CL_SPACE, CL_NL };

static unsigned char text_class[256];	/* bytes >= 0x80: CL_PUNCT */
static unsigned char text_lower[128];
static uint64_t text_punct_hash[128];
static int text_tables_ready;

/* Abbreviations whose period does not end a sentence. */
static const char text_abbrevs[][8] = {
	"mr", "mrs", "ms", "dr", "st", "gen", "sen", "rep", "gov", "lt",
	"col", "sgt", "capt", "prof", "jan", "feb", "mar", "apr", "jun",
	"jul", "aug", "sep", "sept", "oct", "nov", "dec", "vs", "etc",
	"inc", "corp", "jr", "sr", "no", "approx", "dept", "adm", "maj",
	"pres", "amb"
};

/* They as 8-byte keys (NUL-padded), in a small open-addressed set. */
#define ABBR_SLOTS	128
static uint64_t text_abbr_set[ABBR_SLOTS];	/* 0: empty */

static size_t
text_abbr_slot(uint64_t key)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 57);
}

static void
text_abbr_init(void)
{
	for (size_t i = 0; i < sizeof(text_abbrevs) / sizeof(text_abbrevs[0]); i++) {
		uint64_t key;
		size_t	 j;

		memcpy(&key, text_abbrevs[i], 8);
		for (j = text_abbr_slot(key); text_abbr_set[j] != 0;
		    j = (j + 1) % ABBR_SLOTS)
			;
		text_abbr_set[j] = key;
	}
}

static int
text_abbr_has(uint64_t key)
{
	for (size_t j = text_abbr_slot(key); text_abbr_set[j] != 0;
	    j = (j + 1) % ABBR_SLOTS)
		if (text_abbr_set[j] == key)
			return 1;
	return 0;
}

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
	text_abbr_init();
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

/* The mask of the first n (1..8) bytes of a little-endian word. */
static inline uint64_t
text_low_bytes(size_t n)
{
	return ~0ULL >> (64 - 8 * n);
}

/*
 * For words of n <= 16 bytes: the masks of the bytes of the word in its
 * first and second eight bytes (0 when it has none there).
 */
#define LB(n)	((n) == 0 ? 0 : ~0ULL >> ((64 - 8 * (n)) & 63))
#define M2(n)	{ LB((n) < 8 ? (n) : 8), LB((n) > 8 ? (n) - 8 : 0) }
static const uint64_t text_masks[17][2] = {
	M2(0), M2(1), M2(2), M2(3), M2(4), M2(5), M2(6), M2(7), M2(8),
	M2(9), M2(10), M2(11), M2(12), M2(13), M2(14), M2(15), M2(16)
};
#undef M2
#undef LB

/*
 * The same hash of an ASCII word read straight from the original: letters
 * and digits only, so OR-ing 0x20 into every byte lower-cases it.  Words
 * of up to 16 bytes (nearly all) are hashed without a branch on their
 * length: word lengths are unpredictable, and a mispredicted branch costs
 * more than the second multiply done for nothing.  Reads up to 15 bytes
 * past the word (text_prepare keeps slack after the text).
 */
static inline uint64_t
text_hash_ascii(const unsigned char *s, size_t n)
{
	const uint64_t	lower = 0x2020202020202020ULL;
	uint64_t	h = (uint64_t)n * 0x9e3779b97f4a7c15ULL, w, h2;
	size_t		i = 0;

	if (__builtin_expect(n <= 16, 1)) {
		uint64_t w0, w1;

		memcpy(&w0, s, 8);
		memcpy(&w1, s + 8, 8);
		h = text_hash_step(h, (w0 | lower) & text_masks[n][0]);
		h2 = text_hash_step(h, (w1 | lower) & text_masks[n][1]);
		h = n > 8 ? h2 : h;
		return h ^ (h >> 32);
	}
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		h = text_hash_step(h, w | lower);
	}
	if (i < n) {
		memcpy(&w, s + i, 8);
		h = text_hash_step(h, (w | lower) & text_low_bytes(n - i));
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
	free(t->runs);
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
 * The bytes of p[0..8) that are not ASCII letters or digits: 0x80 in each
 * such byte, 0 elsewhere.
 */
#ifndef __SSE2__	/* the portable path's helper; SSE2 does it in registers */
static inline uint64_t
text_stops(const unsigned char *p)
{
	const uint64_t	 h = 0x8080808080808080ULL;
	uint64_t	 b, x, l, letter, digit;

	memcpy(&b, p, 8);
	x = b & ~h;
	l = x | 0x2020202020202020ULL;
	letter = (l + 0x1f1f1f1f1f1f1f1fULL) & ~(l + 0x0505050505050505ULL);
	digit = (x + 0x5050505050505050ULL) & ~(x + 0x4646464646464646ULL);
	return ~((letter | digit) & ~b) & h;
}
#endif

/*
 * The extras of an ASCII word [start, start + n), when asked for: the
 * hashes of its prefixes and its normalised form.  Returns -1 when out of
 * memory.
 */
static int
text_ascii_extras(struct text *t, struct tokstate *ts, size_t start, size_t n)
{
	const unsigned char	*o = (const unsigned char *)t->orig + start;
	uint32_t		 mask = t->prefix_mask;
	char			 buf[256];
	size_t			 m = n < sizeof(buf) ? n : sizeof(buf);

	for (size_t k = 1; mask != 0 && k < m && k < 32; k++)
		if (((mask >> k) & 1) && text_push_pfx(t, (uint32_t)k,
		    text_hash_ascii(o, k)) == -1)
			return -1;
	if (!t->want_norm)
		return 0;
	for (size_t k = 0; k < m; k++)
		buf[k] = (char)text_lower[o[k]];
	return text_norm_add(t, buf, m, ts->gap);
}

/*
 * The ASCII word [start, end) (a run found by text_runs()): lower-case and
 * hash it as it is read.  If a non-ASCII letter follows, the word is redone
 * on the slow path.  Returns the offset after the word, or 0 on failure.
 */
static inline size_t
text_ascii_word(struct text *t, struct tokstate *ts, size_t start, size_t end)
{
	const unsigned char	*o = (const unsigned char *)t->orig;
	size_t			 l;

	if (end < t->olen && __builtin_expect(o[end] >= 0x80, 0) &&
	    text_word_at(t, end, &l))
		return text_slow_word(t, ts, start);
	if ((t->prefix_mask != 0 || t->want_norm) &&
	    text_ascii_extras(t, ts, start, end - start) == -1)
		return 0;
	if (text_push(t, ts, (uint32_t)start, (uint32_t)end,
	    text_hash_ascii(o + start, end - start), end - start, TOK_WORD) == -1)
		return 0;
	return end;
}

/*
 * The prefix hashes asked for of the ASCII word o[0 .. len), token tok:
 * as text_ascii_extras() makes them, with room for 31 already there.
 */
static inline void
text_chain_prefixes(struct text *t, const unsigned char *o, uint32_t len,
    uint32_t tok)
{
	uint32_t bits = t->prefix_mask & (len < 32 ? (1u << len) - 1 : ~0u);

	for (; bits != 0; bits &= bits - 1) {
		struct prefix_hash *p = &t->pfx[t->npfx++];
		uint32_t k = (uint32_t)__builtin_ctz(bits);

		p->tok = tok;
		p->len = k;
		p->hash = text_hash_ascii(o, k);
	}
}

/* Fill in one token. */
static inline void
text_set_token(struct token *k, uint64_t hash, uint32_t start, uint32_t end,
    uint32_t sent, uint32_t w, int kind, uint8_t brk, uint8_t gap, size_t len)
{
	k->hash = hash;
	k->start = start;
	k->end = end;
	k->sent = sent;
	k->w = w;
	k->kind = (uint8_t)kind;
	k->brk = brk;
	k->gap = gap;
	k->len = (uint8_t)(len > 255 ? 255 : len);
}

static int text_period_before_word(const struct text *, const struct token *,
    unsigned char);

/*
 * The common case: from the ASCII word run[0..1], words separated by
 * single blanks, commas and periods (", " and ". "), in one loop with its
 * state in registers (the stores to tokens would otherwise force it to be
 * reloaded at every word).  Stops before a word that needs more (a
 * non-ASCII letter after it, prefixes or normalised text wanted, a full
 * token or sentence array) and at any other character; the caller's
 * general path takes over there, with the same results.  Returns the
 * offset after the last token taken.  Compiled twice (see
 * text_word_chain()): with prefix hashes to make (pmask) or without.
 */
static inline __attribute__((always_inline)) size_t
text_chain(struct text *t, struct tokstate *ts, const uint32_t **runp,
    size_t i, const uint32_t pmask)
{
	const unsigned char	*o = (const unsigned char *)t->orig;
	const uint32_t		*run = *runp;
	struct token		*tk = t->toks;
	size_t			 n = t->ntoks, cap = t->tcap;
	uint32_t		 sent = (uint32_t)t->nsents, w = ts->nwords;
	uint8_t			 brk = (uint8_t)ts->brk, gap = (uint8_t)ts->gap;

	while (n < cap && o[run[1]] < 0x80 &&
	    (pmask == 0 || t->npfx + 32 <= t->pfxcap)) {
		uint32_t start = run[0], end = run[1], len = end - start;
		unsigned char c;

		if (pmask != 0)
			text_chain_prefixes(t, o + start, len, (uint32_t)n);
		text_set_token(&tk[n++], text_hash_ascii(o + start, len), start,
		    end, sent, w++, TOK_WORD, brk, gap, len);
		brk = 0;
		gap = 1;
		run += 2;
		i = end;
		if (o[i] == ' ' && run[0] == i + 1)
			continue;
		/* ", " or ". " then a word: the punctuation as text_punct() does. */
		c = o[i];
		if ((c != ',' && c != '.') || o[i + 1] != ' ' || run[0] != i + 2 ||
		    n == cap || t->nsents == t->scap)
			break;
		text_set_token(&tk[n++], text_punct_hash[c], (uint32_t)i,
		    (uint32_t)i + 1, sent, w, TOK_PUNCT, 0, 0, 1);
		i++;
		if (c == ',')
			brk = BREAK_ANY;
		else if (text_period_before_word(t, &tk[n - 2], o[i + 1])) {
			t->sents[t->nsents].tok0 = ts->stok;
			t->sents[t->nsents].tok1 = (uint32_t)n;
			t->sents[t->nsents++].question = 0;
			ts->stok = (uint32_t)n;
			sent++;
		}
	}
	if (n > t->ntoks) {
		ts->brk = brk;		/* BREAK_ANY after a comma */
		ts->gap = 0;
	}
	t->ntoks = n;
	ts->nwords = w;
	*runp = run;
	return i;
}

/* The register loop (text_chain()), specialised for texts with and without prefixes. */
static size_t
text_word_chain(struct text *t, struct tokstate *ts, const uint32_t **runp,
    size_t i)
{
	if (t->want_norm)
		return i;
	if (t->prefix_mask != 0)
		return text_chain(t, ts, runp, i, t->prefix_mask);
	return text_chain(t, ts, runp, i, 0);
}

#ifdef __SSE2__
/*
 * Bit k: p[k] is an ASCII letter or digit (k < 64).  With SSE2 (every
 * x86-64), sixteen bytes per comparison: a byte b is in [lo, lo + n) when
 * b - lo, as unsigned, is below n, that is when (b - lo) ^ 0x80, as
 * signed, is below n - 128.
 */
static inline uint64_t
text_word_bits(const unsigned char *p)
{
	const __m128i	 flip = _mm_set1_epi8((char)0x80);
	uint64_t	 w = 0;

	for (int k = 0; k < 4; k++) {
		__m128i	 b = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
		__m128i	 l = _mm_or_si128(b, _mm_set1_epi8(0x20));
		__m128i	 letter = _mm_cmplt_epi8(_mm_xor_si128(_mm_sub_epi8(l,
			    _mm_set1_epi8('a')), flip), _mm_set1_epi8(26 - 128));
		__m128i	 digit = _mm_cmplt_epi8(_mm_xor_si128(_mm_sub_epi8(b,
			    _mm_set1_epi8('0')), flip), _mm_set1_epi8(10 - 128));

		w |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_or_si128(letter,
		    digit)) << (16 * k);
	}
	return w;
}
#else
/* Bit k: p[k] is an ASCII letter or digit (k < 64), eight bytes at a time. */
static inline uint64_t
text_word_bits(const unsigned char *p)
{
	uint64_t w = 0;

	for (int k = 0; k < 8; k++) {
		uint64_t b = ~text_stops(p + 8 * k) & 0x8080808080808080ULL;

		/* The multiply gathers the top bit of each byte. */
		w |= ((b * 0x0002040810204081ULL) >> 56) << (8 * k);
	}
	return w;
}
#endif

/* Bits set in x (inline: without -mpopcnt the builtin is a library call). */
static inline unsigned
text_popcount(uint64_t x)
{
	x -= (x >> 1) & 0x5555555555555555ULL;
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (unsigned)((x * 0x0101010101010101ULL) >> 56);
}

/*
 * Write base + the index of every bit set in x, in order; returns the end.
 * Eight at a time whatever their number (the slots past the last one get
 * junk, overwritten later or past the end): the loop then ends with the
 * bits, not once per bit, which a branch predictor cannot guess.  Needs
 * room for 7 entries more than there are bits.
 */
static inline uint32_t *
text_flatten(uint32_t *out, uint64_t x, uint32_t base)
{
	uint32_t *end = out + text_popcount(x);

	while (out < end) {
		for (int k = 0; k < 8; k++) {
			/* The top bit keeps ctz defined once x is spent. */
			out[k] = base + (uint32_t)__builtin_ctzll(x | 1ULL << 63);
			x &= x - 1;
		}
		out += 8;
	}
	return end;
}

/*
 * Find every run of ASCII letters and digits first, 64 bytes at a time:
 * t->runs holds their starts and ends, (start, end) pairs in text order,
 * then a sentinel pair.  Reading positions from an array lets the
 * tokeniser hash one word while it is still looking for the next (finding
 * a word's end byte by byte makes each word wait for the one before).
 * Reads up to 64 bytes past the text, the slack.
 */
static int
text_runs(struct text *t)
{
	const unsigned char	*o = (const unsigned char *)t->orig;
	uint64_t		 carry = 0;
	size_t			 n = 0;

	if (t->olen + 72 > t->rcap) {	/* one edge per byte, text_flatten's junk */
		size_t	  cap = t->olen + 1024;
		uint32_t *r = realloc(t->runs, cap * sizeof(*r));

		if (r == NULL)
			return -1;
		t->runs = r;
		t->rcap = cap;
	}
	for (size_t base = 0; base <= t->olen; base += 64) {
		uint64_t w = text_word_bits(o + base), edges;

		edges = w ^ (w << 1 | carry);	/* where runs start or end */
		carry = w >> 63;
		n = text_flatten(t->runs + n, edges, (uint32_t)base) - t->runs;
	}
	t->runs[n] = t->runs[n + 1] = UINT32_MAX;
	return 0;
}

/* Is token k a word that is an abbreviation or an initial? */
static int
text_abbrev(const struct text *t, const struct token *k)
{
	char	w[8];
	size_t	n = k->end - k->start;
	uint64_t key;

	if (k->kind != TOK_WORD || n > 6)
		return 0;
	if (n == 1)
		return 1;	/* initials, "U.S." */
	memset(w, 0, sizeof(w));
	for (size_t j = 0; j < n; j++)
		w[j] = (char)text_lower[(unsigned char)t->orig[k->start + j] & 0x7f];
	memcpy(&key, w, 8);
	return text_abbr_has(key);
}

/* Is byte i blank, a closing quote or bracket, or the end of the text? */
static inline int
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
	if (t->ntoks >= 2 && t->toks[t->ntoks - 2].end + 1 == i &&
	    text_abbrev(t, &t->toks[t->ntoks - 2]))
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
 * text_period_ends() for a period right after word token k and followed
 * by a blank and an ASCII letter or digit c: the sentence ends unless k is
 * an abbreviation or an initial, and c is a capital or a digit.
 */
static int
text_period_before_word(const struct text *t, const struct token *k,
    unsigned char c)
{
	return ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) &&
	    !text_abbrev(t, k);
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

	if ((t->want_norm && text_norm_add(t, &c, 1, ts->gap) == -1) ||
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

/*
 * Room for the prefix hashes of every ASCII word at once (plus the 32 the
 * register loop keeps spare), so that the loop need not stop to grow it.
 */
static int
text_reserve_prefixes(struct text *t)
{
	size_t	 need = 32, words = 0;

	if (t->prefix_mask == 0)
		return 0;
	while (t->runs[2 * words] != UINT32_MAX)
		words++;
	need += words * (size_t)text_popcount(t->prefix_mask);
	if (need > t->pfxcap) {
		struct prefix_hash *x = realloc(t->pfx, need * sizeof(*x));

		if (x == NULL)
			return -1;
		t->pfx = x;
		t->pfxcap = need;
	}
	return 0;
}

/* Cut t->orig into tokens and sentences. */
static int
text_tokenize(struct text *t)
{
	const unsigned char	*o = (const unsigned char *)t->orig;
	const uint32_t		*run;
	size_t			 i = 0, olen = t->olen, l;
	struct tokstate		 ts = { 0, 0, 1, 0 };
	int			 failed = 0;

	t->ntoks = t->nsents = t->npfx = t->nlen = 0;
	if (text_runs(t) == -1 || text_reserve_prefixes(t) == -1)
		return -1;
	run = t->runs;
	while (i < olen && !failed) {
		unsigned char c = o[i];

		if (c >= 0x80) {
			if (text_word_at(t, i, &l)) {
				if ((i = text_slow_word(t, &ts, i)) == 0)
					return -1;
				while (run[0] < i)	/* runs it swallowed */
					run += 2;
			} else
				i = text_other(t, &ts, i, &failed);
			continue;
		}
		switch (text_class[c]) {
		case CL_WORD:		/* i is run[0] */
			i = text_word_chain(t, &ts, &run, i);
			if (run[0] != i && (run[0] != i + 1 || o[i] != ' '))
				continue;
			/* The common case, word blank word, without the switch. */
			do {
				size_t start = run[0], end = run[1];

				ts.gap |= start > i;
				run += 2;
				if ((i = text_ascii_word(t, &ts, start, end)) == 0)
					return -1;
			} while (o[i] == ' ' && run[0] == i + 1);
			while (run[0] < i)	/* swallowed by a slow word */
				run += 2;
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

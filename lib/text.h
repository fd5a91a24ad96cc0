/*
 * text.h: an article's text made ready for matching, in one pass over its
 * bytes.  The title and the body are joined (title, newline, body) and cut
 * into tokens: words (runs of letters, digits and combining marks) and
 * single punctuation characters.  Each token keeps its byte span in the
 * ORIGINAL text (so evidence quotes the article exactly) and a 64-bit hash
 * of its normalised form: NFKC with case folding (libutf8proc), curly
 * quotes, dashes and odd spaces made plain ASCII.  Sentences and clause
 * breaks (commas, semicolons, dashes, brackets) are found on the way.
 *
 * Matching then compares token hashes, never bytes: "Zelenskyy’s",
 * "ZELENSKYY'S" and "Ｚｅｌｅｎｓｋｙｙ's" are the same three tokens.
 *
 * ASCII words take a fast path: their runs are found 64 bytes at a time,
 * and words with the commas and periods between them are hashed as they
 * are read, lower-cased on the fly; a word with any other character is
 * normalised whole by libutf8proc.  A struct text is reused from article
 * to article without reallocating.
 */
#ifndef PM_TEXT_H
#define PM_TEXT_H

#include <stddef.h>
#include <stdint.h>

enum token_kind {
	TOK_WORD = 0,
	TOK_PUNCT,
};

struct token {
	uint64_t	 hash;		/* of the normalised token */
	uint32_t	 start, end;	/* bytes [start, end) of the original */
	uint32_t	 sent;		/* sentence index */
	uint32_t	 w;		/* word ordinal: words before this token */
	uint8_t		 kind;		/* enum token_kind */
	uint8_t		 brk;		/* clause break before it: BREAK_* level */
	uint8_t		 gap;		/* blank before it */
	uint8_t		 len;		/* normalised bytes (capped at 255) */
};

struct sentence {
	uint32_t	 tok0, tok1;	/* tokens [tok0, tok1) */
	int		 question;	/* ends with '?' */
};

/* For "word*" patterns: the hash of a word's first len bytes. */
struct prefix_hash {
	uint32_t	 tok;
	uint32_t	 len;
	uint64_t	 hash;
};

struct text {
	/* The original: title, '\n', body. */
	char		*orig;
	size_t		 olen, ocap;
	size_t		 title_len;	/* the body starts at title_len + 1 */

	struct token	*toks;
	size_t		 ntoks, tcap;
	struct sentence	*sents;
	size_t		 nsents, scap;

	/* Prefix hashes for the lengths asked for (see text_set_prefixes). */
	uint32_t	 prefix_mask;	/* bit L: lengths L (1..31) wanted */
	struct prefix_hash *pfx;
	size_t		 npfx, pfxcap;

	/* Runs of ASCII letters and digits: (start, end) pairs. */
	uint32_t	*runs;
	size_t		 rcap;

	/* Normalised text (tokens joined by blanks), only if want_norm. */
	int		 want_norm;
	char		*norm;
	size_t		 nlen, ncap;

};

void	 text_init(struct text *);
void	 text_free(struct text *);

/* Record prefix hashes of these lengths (bit L for length L, 1..31). */
void	 text_set_prefixes(struct text *, uint32_t mask);

/*
 * Prepare title (may be NULL) and body (may be NULL).  Invalid UTF-8 bytes
 * separate tokens.  Returns 0, or -1 when out of memory or when the text
 * exceeds TEXT_MAX_BYTES.
 */
#define TEXT_MAX_BYTES	(64u * 1024 * 1024)
int	 text_prepare(struct text *, const char *title, const char *body);

/* The hash of normalised bytes, as tokens carry it. */
uint64_t text_hash(const char *s, size_t n);

/*
 * Where original bytes [start, end) are: the field ("title" or "text") and
 * the span inside that field.
 */
void	 text_span(const struct text *, uint32_t start, uint32_t end,
	    const char **field, size_t *ostart, size_t *oend);

#endif

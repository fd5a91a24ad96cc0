/*
 * text.h: an article's text made ready for matching.  The title and the body
 * are joined (title, newline, body), normalised (NFKC and case folding with
 * libutf8proc; curly quotes, dashes and odd spaces made plain ASCII; runs of
 * blanks made one space), cut into word tokens and sentences.  Every byte of
 * the normalised text remembers the byte of the ORIGINAL text it came from,
 * so evidence can quote the article exactly.
 *
 * A struct text is reused from article to article: text_prepare() keeps its
 * buffers, so scoring a stream of articles does not allocate.
 */
#ifndef PM_TEXT_H
#define PM_TEXT_H

#include <stddef.h>
#include <stdint.h>

struct token {
	uint32_t	 start, end;	/* normalised bytes [start, end) */
	uint32_t	 sent;		/* sentence index */
	uint32_t	 clause;	/* clause number, increasing through the text */
	uint32_t	 brk;		/* 1: a clause boundary precedes this token */
};

struct sentence {
	uint32_t	 start, end;	/* normalised bytes [start, end) */
	uint32_t	 tok0, tok1;	/* tokens [tok0, tok1) */
	int		 question;	/* ends with '?' */
};

struct text {
	/* The original: title, '\n', body. */
	char		*orig;
	size_t		 olen, ocap;
	size_t		 title_len;	/* the body starts at title_len + 1 */

	/* Normalised text, NUL-terminated; map[i] is the original offset. */
	char		*norm;
	size_t		 nlen, ncap;
	uint32_t	*map;		/* nlen + 1 entries; map[nlen] == olen */
	uint32_t	*tokat;		/* token holding byte i, or the next one */

	struct token	*toks;
	size_t		 ntoks, tcap;
	struct sentence	*sents;
	size_t		 nsents, scap;
};

void	 text_init(struct text *);
void	 text_free(struct text *);

/*
 * Prepare title (may be NULL) and body (may be NULL) for matching.  Invalid
 * UTF-8 is replaced by spaces.  Returns 0, or -1 when out of memory or when
 * the text exceeds TEXT_MAX_BYTES.
 */
#define TEXT_MAX_BYTES	(64u * 1024 * 1024)
int	 text_prepare(struct text *, const char *title, const char *body);

/*
 * Normalise one phrase the way article text is normalised (used for the
 * patterns, so "Zelenskyy’s" in a rule matches "ZELENSKYY'S" in a text).
 * Leading and trailing blanks are dropped.  Returns malloc'd text or NULL.
 */
char	*text_normalize_phrase(const char *);

/* Is the normalised byte c part of a word (ASCII letter or digit, or UTF-8)? */
static inline int
text_is_word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    (c >= 'A' && c <= 'Z') || c >= 0x80;
}

/*
 * Where the normalised bytes [start, end) came from: the field ("title" or
 * "text") and the byte span inside that field of the original.
 */
void	 text_span(const struct text *, uint32_t start, uint32_t end,
	    const char **field, size_t *ostart, size_t *oend);

#endif

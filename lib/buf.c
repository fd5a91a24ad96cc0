/*
 * buf.c: growable byte buffers (see buf.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"

void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

/* Make room for extra more bytes plus the NUL; doubles the capacity. */
int
buf_reserve(struct buf *b, size_t extra)
{
	size_t	 cap = b->cap ? b->cap : 64;
	char	*p;

	if (b->failed)
		return -1;
	if (extra >= ((size_t)-1) / 2 - b->len) {
		b->failed = 1;
		return -1;
	}
	while (cap - b->len <= extra)
		cap *= 2;
	if (cap == b->cap)
		return 0;
	if ((p = realloc(b->data, cap)) == NULL) {
		b->failed = 1;
		return -1;
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

/*
 * Hand the contents to the caller (who frees them) and empty the buffer.
 * Never NULL unless an allocation failed: an empty buffer gives "".
 */
char *
buf_detach(struct buf *b, size_t *lenp)
{
	char *p;

	if (b->failed || (b->data == NULL && buf_reserve(b, 0) == -1)) {
		buf_free(b);
		return NULL;
	}
	b->data[b->len] = '\0';
	p = b->data;
	if (lenp != NULL)
		*lenp = b->len;
	buf_init(b);
	return p;
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_reserve(b, (size_t)n) == -1)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

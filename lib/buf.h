/*
 * buf.h: a growable byte buffer, always NUL-terminated.  An allocation
 * failure sticks (buf.failed) so that a long run of appends needs one
 * check at the end instead of one per call.
 */
#ifndef PM_BUF_H
#define PM_BUF_H

#include <stddef.h>
#include <string.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	int	 failed;
};

void	 buf_init(struct buf *);
void	 buf_free(struct buf *);
int	 buf_reserve(struct buf *, size_t extra);
char	*buf_detach(struct buf *, size_t *lenp);
int	 buf_printf(struct buf *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Append n bytes. */
static inline int
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->cap - b->len <= n && buf_reserve(b, n) == -1)
		return -1;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

/* Append one byte. */
static inline int
buf_addc(struct buf *b, char c)
{
	if (b->cap - b->len <= 1 && buf_reserve(b, 1) == -1)
		return -1;
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
	return 0;
}

/* Append a C string. */
static inline int
buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

/* Cut the contents back to len bytes (len <= b->len). */
static inline void
buf_truncate(struct buf *b, size_t len)
{
	b->len = len;
	if (b->data != NULL)
		b->data[len] = '\0';
}

#endif

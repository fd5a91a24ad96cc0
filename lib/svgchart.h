/*
 * svgchart.h: the backtest's chart.svg: one panel per market with p over
 * time (the model, the no-evidence decay baseline, the prior), a tick for
 * every article that moved it, the deadline and the resolution.  Plain SVG
 * 1.1 with no script and no external font, so any browser shows it and
 * rsvg-convert renders it; hovering an article tick shows its title.
 */
#ifndef PM_SVGCHART_H
#define PM_SVGCHART_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* p from time t on (a step function: p holds until the next point). */
struct chart_point {
	int64_t	 t;
	double	 p;
};

/* An article that moved the market from prev to p at time t. */
struct chart_mark {
	int64_t		 t;
	double		 prev, p;
	const char	*title;		/* may be NULL */
};

struct chart_series {
	const char	*id;
	const char	*question;	/* may be NULL */
	int64_t		 start, end;	/* x range shown (end > start) */
	int64_t		 deadline;	/* PM_TIME_NONE: none drawn */
	double		 prior;
	int		 resolution;	/* 1, 0, or -1 when unknown */
	double		 brier;		/* NAN when unresolved */
	double		 brier_prior, brier_decay;

	const struct chart_point *model;	/* in time order */
	size_t		 nmodel;
	const struct chart_point *decay;	/* may be empty */
	size_t		 ndecay;
	const struct chart_mark *marks;		/* in time order */
	size_t		 nmarks;
};

/*
 * Write the whole SVG document to fp: a title line, a legend, then one
 * panel per series, top to bottom in the order given.  Returns 0, or -1
 * on a write error (errno set).
 */
int	svgchart_write(FILE *fp, const char *title,
	    const struct chart_series *series, size_t n);

#endif

/*
 * svgchart.c: chart.svg for backtests.  Geometry is fixed (1000 px wide,
 * one 210 px panel per market) so the file reads the same on a laptop and
 * in a browser; coordinates are printed with one decimal so two runs give
 * the same bytes.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "svgchart.h"

#define SVG_W		1000
#define SVG_HEAD	70	/* document title and legend */
#define PANEL_H		210
#define PLOT_L		56	/* plot area inside a panel */
#define PLOT_R		(SVG_W - 24)
#define PLOT_T		48
#define PLOT_B		(PANEL_H - 30)

#define COLOR_MODEL	"#1f5fbf"
#define COLOR_DECAY	"#8a8a8a"
#define COLOR_PRIOR	"#b0b0b0"
#define COLOR_UP	"#1a8a3a"
#define COLOR_DOWN	"#c8322d"
#define COLOR_DEADLINE	"#c8322d"
#define COLOR_GRID	"#e6e6e6"

static const char *const month_names[] = { "Jan", "Feb", "Mar", "Apr", "May",
	"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* Geometry of one panel: y offset and the time range on x. */
struct panel {
	double	 y0;
	int64_t	 start, end;
};

static double
panel_x(const struct panel *pn, int64_t t)
{
	double f = (double)(t - pn->start) / (double)(pn->end - pn->start);

	return PLOT_L + fmin(fmax(f, 0), 1) * (PLOT_R - PLOT_L);
}

static double
panel_y(const struct panel *pn, double p)
{
	return pn->y0 + PLOT_B - fmin(fmax(p, 0), 1) * (PLOT_B - PLOT_T);
}

/* Write s with XML special characters escaped. */
static void
svg_text(FILE *fp, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\t')
				fputc(*s, fp);
		}
	}
}

/* Civil date of t (UTC). */
static void
svg_civil(int64_t t, int *y, int *m, int *d)
{
	char buf[40];

	date_format_rfc3339(t, buf, sizeof(buf));
	if (sscanf(buf, "%d-%d-%d", y, m, d) != 3)
		*y = 1970, *m = 1, *d = 1;
}

static int64_t
svg_midnight(int y, int m, int d)
{
	return date_days_from_civil(y, (unsigned)m, (unsigned)d) * 86400;
}

/*
 * The next date-axis tick after t: daily for short ranges, the 1st, 8th,
 * 15th and 22nd for a few weeks, month starts for a year, quarters beyond.
 */
static int64_t
svg_next_tick(int64_t t, int64_t span)
{
	int	y, m, d;

	svg_civil(t, &y, &m, &d);
	if (span <= 16 * 86400)
		return svg_midnight(y, m, d) + 86400;
	if (span <= 75 * 86400) {
		if (d < 8)
			return svg_midnight(y, m, 8);
		if (d < 15)
			return svg_midnight(y, m, 15);
		if (d < 22)
			return svg_midnight(y, m, 22);
	} else if (span > 400 * 86400) {
		m += 3 - (m - 1) % 3 - 1;	/* to the quarter's last month */
	}
	return m == 12 ? svg_midnight(y + 1, 1, 1) : svg_midnight(y, m + 1, 1);
}

/* The date axis: grid lines and labels. */
static void
svg_time_axis(FILE *fp, const struct panel *pn)
{
	int64_t	span = pn->end - pn->start, t;
	int	y, m, d, first = 1;

	for (t = svg_next_tick(pn->start - 1, span); t <= pn->end;
	    t = svg_next_tick(t, span)) {
		double x = panel_x(pn, t);

		if (t < pn->start)
			continue;
		svg_civil(t, &y, &m, &d);
		fprintf(fp, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		    "stroke=\"" COLOR_GRID "\"/>\n", x, pn->y0 + PLOT_T, x,
		    pn->y0 + PLOT_B);
		if (span > 75 * 86400 && (m == 1 || first))
			fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" class=\"ax\" "
			    "text-anchor=\"middle\">%s %d</text>\n", x,
			    pn->y0 + PLOT_B + 14, month_names[m - 1], y);
		else if (span > 75 * 86400)
			fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" class=\"ax\" "
			    "text-anchor=\"middle\">%s</text>\n", x,
			    pn->y0 + PLOT_B + 14, month_names[m - 1]);
		else
			fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" class=\"ax\" "
			    "text-anchor=\"middle\">%d %s</text>\n", x,
			    pn->y0 + PLOT_B + 14, d, month_names[m - 1]);
		first = 0;
	}
}

/* Horizontal grid and the probability labels. */
static void
svg_p_axis(FILE *fp, const struct panel *pn)
{
	for (int i = 0; i <= 4; i++) {
		double p = i / 4.0, y = panel_y(pn, p);

		fprintf(fp, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
		    "stroke=\"%s\"/>\n", PLOT_L, y, PLOT_R, y,
		    i == 0 || i == 4 ? "#bbbbbb" : COLOR_GRID);
		fprintf(fp, "<text x=\"%d\" y=\"%.1f\" class=\"ax\" "
		    "text-anchor=\"end\">%.2f</text>\n", PLOT_L - 6, y + 4, p);
	}
}

/*
 * A step line through the points: p holds until the next point.  A point
 * is drawn only once p has moved by a quarter pixel, so months of hourly
 * ticks stay a small file.
 */
static void
svg_step_line(FILE *fp, const struct panel *pn, const struct chart_point *pts,
    size_t n, const char *color, const char *extra)
{
	double	ly = 0;

	if (n == 0)
		return;
	fprintf(fp, "<polyline fill=\"none\" stroke=\"%s\" %s points=\"", color,
	    extra);
	for (size_t i = 0; i < n && pts[i].t <= pn->end; i++) {
		double x = panel_x(pn, pts[i].t), y = panel_y(pn, pts[i].p);

		if (i == 0)
			fprintf(fp, "%.1f,%.1f ", x, y);
		else if (fabs(y - ly) >= 0.25)
			fprintf(fp, "%.1f,%.1f %.1f,%.1f ", x, ly, x, y);
		else
			continue;
		ly = y;
	}
	/* Hold the last value to the end of the range. */
	fprintf(fp, "%.1f,%.1f\"/>\n", panel_x(pn, pn->end), ly);
}

/* One tick under the plot per article that moved the market. */
static void
svg_marks(FILE *fp, const struct panel *pn, const struct chart_series *s)
{
	char	when[40];

	for (size_t i = 0; i < s->nmarks; i++) {
		const struct chart_mark *mk = &s->marks[i];
		int	up = mk->p >= mk->prev;
		double	x = panel_x(pn, mk->t);

		date_format_rfc3339(mk->t, when, sizeof(when));
		fprintf(fp, "<g><title>%s  %.3f \xe2\x86\x92 %.3f  ", when,
		    mk->prev, mk->p);
		svg_text(fp, mk->title != NULL ? mk->title : "(untitled)");
		fprintf(fp, "</title><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>"
		    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/></g>\n",
		    x, pn->y0 + PLOT_B - 1, x, pn->y0 + PLOT_B - 9,
		    up ? COLOR_UP : COLOR_DOWN, x, panel_y(pn, mk->p),
		    up ? COLOR_UP : COLOR_DOWN);
	}
}

/* The deadline line, with the closed part of the panel shaded. */
static void
svg_deadline(FILE *fp, const struct panel *pn, const struct chart_series *s)
{
	double	x;

	if (s->deadline == PM_TIME_NONE || s->deadline < pn->start ||
	    s->deadline > pn->end)
		return;
	x = panel_x(pn, s->deadline);
	/* After the deadline the market is closed: grey it out. */
	fprintf(fp, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" "
	    "fill=\"#f2f2f2\"/>\n", x, pn->y0 + PLOT_T, PLOT_R - x,
	    PLOT_B - PLOT_T);
	fprintf(fp, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
	    "stroke=\"" COLOR_DEADLINE "\" stroke-dasharray=\"5,3\"/>\n"
	    "<text x=\"%.1f\" y=\"%.1f\" class=\"dl\" text-anchor=\"end\">"
	    "deadline</text>\n", x, pn->y0 + PLOT_T, x, pn->y0 + PLOT_B,
	    x - 10, pn->y0 + PLOT_T + 11);
}

/* A diamond at the deadline, at 1 for YES and 0 for NO. */
static void
svg_resolution(FILE *fp, const struct panel *pn, const struct chart_series *s)
{
	double	x, y;

	if (s->resolution < 0 || s->deadline == PM_TIME_NONE ||
	    s->deadline < pn->start || s->deadline > pn->end)
		return;
	x = panel_x(pn, s->deadline);
	y = panel_y(pn, s->resolution ? 1.0 : 0.0);
	fprintf(fp, "<path d=\"M%.1f,%.1f l7,7 l-7,7 l-7,-7 z\" fill=\"%s\" "
	    "stroke=\"#ffffff\"/>\n", x, y - 7,
	    s->resolution ? COLOR_UP : COLOR_DOWN);
}

/* The panel's heading: id, question, and the scores. */
static void
svg_heading(FILE *fp, const struct panel *pn, const struct chart_series *s,
    double final_p)
{
	fprintf(fp, "<text x=\"%d\" y=\"%.1f\" class=\"id\">", PLOT_L - 40,
	    pn->y0 + 18);
	svg_text(fp, s->id);
	fprintf(fp, "</text>\n<text x=\"%d\" y=\"%.1f\" class=\"res\" "
	    "text-anchor=\"end\">final p %.3f \xc2\xb7 %s", PLOT_R, pn->y0 + 18,
	    final_p, s->resolution == 1 ? "resolved YES" :
	    s->resolution == 0 ? "resolved NO" : "unresolved");
	if (!isnan(s->brier))
		fprintf(fp, " \xc2\xb7 Brier %.4f (prior %.4f, decay %.4f)",
		    s->brier, s->brier_prior, s->brier_decay);
	fprintf(fp, "</text>\n<text x=\"%d\" y=\"%.1f\" class=\"q\">",
	    PLOT_L - 40, pn->y0 + 35);
	if (s->question != NULL) {
		char	q[160];
		size_t	len = strlen(s->question);

		/* Cut long questions at a UTF-8 boundary. */
		snprintf(q, sizeof(q), "%s", s->question);
		if (len >= sizeof(q)) {
			size_t c = sizeof(q) - 4;

			while (c > 0 && ((unsigned char)q[c] & 0xc0) == 0x80)
				c--;
			memcpy(q + c, "...", 4);
		}
		svg_text(fp, q);
	}
	fputs("</text>\n", fp);
}

static void
svg_panel(FILE *fp, const struct chart_series *s, size_t index)
{
	struct panel	pn;
	double		final_p = s->nmodel > 0 ? s->model[s->nmodel - 1].p : s->prior;
	struct chart_point prior[2];

	pn.y0 = SVG_HEAD + (double)index * PANEL_H;
	pn.start = s->start;
	pn.end = s->end > s->start ? s->end : s->start + 1;
	fprintf(fp, "<g id=\"market-%zu\">\n", index);
	svg_heading(fp, &pn, s, final_p);
	svg_p_axis(fp, &pn);
	svg_time_axis(fp, &pn);
	prior[0].t = pn.start;
	prior[0].p = prior[1].p = s->prior;
	prior[1].t = pn.end;
	svg_deadline(fp, &pn, s);
	svg_step_line(fp, &pn, prior, 2, COLOR_PRIOR,
	    "stroke-width=\"1\" stroke-dasharray=\"1,3\"");
	svg_step_line(fp, &pn, s->decay, s->ndecay, COLOR_DECAY,
	    "stroke-width=\"1.2\" stroke-dasharray=\"6,4\"");
	svg_step_line(fp, &pn, s->model, s->nmodel, COLOR_MODEL,
	    "stroke-width=\"2\"");
	svg_marks(fp, &pn, s);
	svg_resolution(fp, &pn, s);
	fputs("</g>\n", fp);
}

/* Styles, the title and a legend with a sample of each line. */
static void
svg_head(FILE *fp, const char *title, size_t n)
{
	fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%zu\" viewBox=\"0 0 %d %zu\" "
	    "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
	    "<style>.t{font-size:18px;font-weight:bold}"
	    ".id{font-size:14px;font-weight:bold}.q{font-size:12px;fill:#444}"
	    ".res{font-size:12px;fill:#222}.ax{font-size:10px;fill:#666}"
	    ".lg{font-size:11px;fill:#333}.dl{font-size:10px;fill:"
	    COLOR_DEADLINE "}</style>\n"
	    "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n",
	    SVG_W, SVG_HEAD + n * PANEL_H + 10, SVG_W,
	    SVG_HEAD + n * PANEL_H + 10);
	fputs("<text x=\"16\" y=\"26\" class=\"t\">", fp);
	svg_text(fp, title);
	fputs("</text>\n<g class=\"lg\">\n"
	    "<line x1=\"16\" y1=\"48\" x2=\"40\" y2=\"48\" stroke=\"" COLOR_MODEL
	    "\" stroke-width=\"2\"/><text x=\"46\" y=\"52\" class=\"lg\">model p"
	    "</text>\n"
	    "<line x1=\"120\" y1=\"48\" x2=\"144\" y2=\"48\" stroke=\"" COLOR_DECAY
	    "\" stroke-dasharray=\"6,4\"/><text x=\"150\" y=\"52\" class=\"lg\">"
	    "no-evidence decay</text>\n"
	    "<line x1=\"270\" y1=\"48\" x2=\"294\" y2=\"48\" stroke=\"" COLOR_PRIOR
	    "\" stroke-dasharray=\"1,3\"/><text x=\"300\" y=\"52\" class=\"lg\">"
	    "prior</text>\n"
	    "<line x1=\"350\" y1=\"44\" x2=\"350\" y2=\"54\" stroke=\"" COLOR_UP
	    "\" stroke-width=\"2\"/><line x1=\"356\" y1=\"44\" x2=\"356\" y2=\"54\" "
	    "stroke=\"" COLOR_DOWN "\" stroke-width=\"2\"/><text x=\"364\" y=\"52\" "
	    "class=\"lg\">article moved p up / down (hover for the title)</text>\n"
	    "<line x1=\"650\" y1=\"43\" x2=\"650\" y2=\"55\" stroke=\""
	    COLOR_DEADLINE "\" stroke-dasharray=\"5,3\"/><text x=\"656\" y=\"52\" "
	    "class=\"lg\">deadline</text>\n"
	    "<path d=\"M726,41 l6,6 l-6,6 l-6,-6 z\" fill=\"" COLOR_UP "\"/>"
	    "<path d=\"M740,41 l6,6 l-6,6 l-6,-6 z\" fill=\"" COLOR_DOWN "\"/>"
	    "<text x=\"752\" y=\"52\" class=\"lg\">resolved YES / NO</text>\n"
	    "</g>\n", fp);
}

int
svgchart_write(FILE *fp, const char *title, const struct chart_series *series,
    size_t n)
{
	svg_head(fp, title, n);
	for (size_t i = 0; i < n; i++)
		svg_panel(fp, &series[i], i);
	fputs("</svg>\n", fp);
	return ferror(fp) ? -1 : 0;
}

/*
 * bench-feed-parse.c: parse every file of a directory with feed_parse()
 * (which includes the HTML-to-text extraction of every entry), several
 * times in one process; print the best run's MB/s and entries/s.
 *
 *	bench-feed-parse DIR [RUNS]
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "feed.h"

struct doc {
	char	*data;
	size_t	 len;
};

static double
clock_seconds(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
load(const char *dir, struct doc **docsp, size_t *ndocs, size_t *bytes)
{
	DIR		*d = opendir(dir);
	struct dirent	*de;
	struct doc	*docs = NULL;
	size_t		 n = 0;

	if (d == NULL) {
		perror(dir);
		return -1;
	}
	*bytes = 0;
	while ((de = readdir(d)) != NULL) {
		char	 path[4096];
		FILE	*fp;
		long	 sz;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((fp = fopen(path, "rb")) == NULL)
			continue;
		if (fseek(fp, 0, SEEK_END) == 0 && (sz = ftell(fp)) > 0 &&
		    fseek(fp, 0, SEEK_SET) == 0) {
			docs = realloc(docs, (n + 1) * sizeof(*docs));
			docs[n].data = malloc((size_t)sz);
			if (docs[n].data == NULL ||
			    fread(docs[n].data, 1, (size_t)sz, fp) != (size_t)sz) {
				fclose(fp);
				closedir(d);
				return -1;
			}
			docs[n].len = (size_t)sz;
			*bytes += (size_t)sz;
			n++;
		}
		fclose(fp);
	}
	closedir(d);
	*docsp = docs;
	*ndocs = n;
	return 0;
}

int
main(int argc, char **argv)
{
	struct doc	*docs;
	size_t		 ndocs, bytes, entries = 0, textbytes = 0, bad = 0;
	double		 best = 0, best_cpu = 0;
	int		 runs = argc > 2 ? atoi(argv[2]) : 3;

	if (argc < 2) {
		fprintf(stderr, "usage: bench-feed-parse DIR [RUNS]\n");
		return 2;
	}
	if (load(argv[1], &docs, &ndocs, &bytes) == -1 || ndocs == 0) {
		fprintf(stderr, "bench-feed-parse: cannot load %s\n", argv[1]);
		return 1;
	}
	for (int r = 0; r < runs; r++) {
		double t0 = clock_seconds(CLOCK_MONOTONIC), t, cpu;
		double c0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);

		entries = textbytes = bad = 0;
		for (size_t i = 0; i < ndocs; i++) {
			struct feed	f;
			char		err[256];

			if (feed_parse(docs[i].data, docs[i].len, NULL, NULL, &f,
			    err, sizeof(err)) == -1) {
				bad++;
				continue;
			}
			entries += f.nentries;
			for (size_t e = 0; e < f.nentries; e++)
				textbytes += strlen(f.entries[e].text);
			feed_free(&f);
		}
		t = clock_seconds(CLOCK_MONOTONIC) - t0;
		cpu = clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - c0;
		if (r == 0 || t < best)
			best = t;
		if (r == 0 || cpu < best_cpu)
			best_cpu = cpu;
	}
	printf("pmsignal feed_parse: files=%zu entries=%zu bytes=%zu text_bytes=%zu "
	    "failed=%zu seconds=%.3f cpu_seconds=%.3f MB/s=%.1f entries/s=%.0f\n",
	    ndocs, entries, bytes, textbytes, bad, best, best_cpu,
	    (double)bytes / best / 1e6, (double)entries / best);
	for (size_t i = 0; i < ndocs; i++)
		free(docs[i].data);
	free(docs);
	return bad == 0 ? 0 : 1;
}

/*
 * test-pmsignalctl.c: the real pmsignalctl binary against the real server
 * module (in this process, on the in-memory delta log of
 * server-fixture.h): the one-shot commands, the human and JSON views of
 * tail, and tail resuming exactly where it stopped across a daemon restart.
 */
#include <signal.h>
#include <sys/wait.h>

#include "server-fixture.h"

struct child {
	pid_t	 pid;
	int	 out, err;		/* read ends, non-blocking */
	char	 obuf[1 << 16], ebuf[1 << 14];
	size_t	 olen, elen;
	int	 exited, status;
};

static void
ctl_path(char *buf, size_t size)
{
	const char *b = getenv("BUILD");

	snprintf(buf, size, "%s/pmsignalctl", b != NULL && b[0] != '\0' ?
	    b : "build");
}

/* Start argv[0] with TZ=UTC, capturing its stdout and stderr. */
static void
spawn(struct child *ch, const char *const *argv)
{
	int o[2], er[2];

	memset(ch, 0, sizeof(*ch));
	ck_assert_int_eq(pipe(o), 0);
	ck_assert_int_eq(pipe(er), 0);
	ch->pid = fork();
	ck_assert_int_ge(ch->pid, 0);
	if (ch->pid == 0) {
		dup2(o[1], STDOUT_FILENO);
		dup2(er[1], STDERR_FILENO);
		close(o[0]);
		close(er[0]);
		setenv("TZ", "UTC", 1);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(o[1]);
	close(er[1]);
	ch->out = o[0];
	ch->err = er[0];
	fcntl(ch->out, F_SETFL, O_NONBLOCK);
	fcntl(ch->err, F_SETFL, O_NONBLOCK);
}

/* Start pmsignalctl --socket PATH args... */
static void
ctl_spawn(struct env *e, struct child *ch, const char *const *args)
{
	char		 path[256];
	const char	*argv[16];
	int		 n = 0;

	ctl_path(path, sizeof(path));
	argv[n++] = path;
	argv[n++] = "--socket";
	argv[n++] = e->path;
	for (; *args != NULL && n < 15; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	spawn(ch, argv);
}

static void
ctl_read_into(int fd, char *buf, size_t size, size_t *len)
{
	ssize_t n;

	while (*len + 1 < size &&
	    (n = read(fd, buf + *len, size - *len - 1)) > 0)
		*len += (size_t)n;
	buf[*len] = '\0';
}

/* One turn: run the server, collect output, notice the exit. */
static void
ctl_pump(struct env *e, struct child *ch)
{
	event_base_loop(e->base, EVLOOP_NONBLOCK);
	ctl_read_into(ch->out, ch->obuf, sizeof(ch->obuf), &ch->olen);
	ctl_read_into(ch->err, ch->ebuf, sizeof(ch->ebuf), &ch->elen);
	if (!ch->exited && waitpid(ch->pid, &ch->status, WNOHANG) == ch->pid)
		ch->exited = 1;
	poll(NULL, 0, 1);
}

/* Pump until stdout contains text; fails the test after ms. */
static void
ctl_wait_for(struct env *e, struct child *ch, const char *text, int ms)
{
	double end = server_now() + ms / 1000.0;

	while (strstr(ch->obuf, text) == NULL) {
		ck_assert_msg(server_now() < end, "no '%s' in output:\n%s\n"
		    "stderr:\n%s", text, ch->obuf, ch->ebuf);
		ctl_pump(e, ch);
	}
}

/* Pump until it exits; returns the exit status. */
static int
ctl_wait_exit(struct env *e, struct child *ch)
{
	double end = server_now() + TIMEOUT_MS / 1000.0;

	while (!ch->exited) {
		if (server_now() > end) {
			kill(ch->pid, SIGKILL);
			waitpid(ch->pid, NULL, 0);
			ck_abort_msg("pmsignalctl did not exit; output:\n%s\n"
			    "stderr:\n%s", ch->obuf, ch->ebuf);
		}
		ctl_pump(e, ch);
	}
	ctl_pump(e, ch);
	close(ch->out);
	close(ch->err);
	ck_assert(WIFEXITED(ch->status));
	return WEXITSTATUS(ch->status);
}

/* Run a one-shot command to the end. */
static int
ctl_run(struct env *e, struct child *ch, const char *const *args)
{
	ctl_spawn(e, ch, args);
	return ctl_wait_exit(e, ch);
}

START_TEST(status_markets_snapshot)
{
	struct env	*e = env_new("");
	struct child	 ch;
	static const char *const status[] = { "status", NULL };
	static const char *const markets[] = { "markets", NULL };
	static const char *const snap[] = { "snapshot", "--market", "ukraine-*",
					    NULL };
	static const char *const snapj[] = { "snapshot", "--json", NULL };
	static const char *const bad[] = { "tail", "--since", "soon", NULL };
	static const char *const unknown[] = { "frobnicate", NULL };

	log_publish(e, 0);
	log_publish(e, 1);
	ck_assert_int_eq(ctl_run(e, &ch, status), 0);
	ck_assert_msg(strstr(ch.obuf, "pmsignald " PM_VERSION ", session "
	    "test-session, seq 2, up 0d 00:00:0") != NULL, "%s", ch.obuf);
	ck_assert_ptr_nonnull(strstr(ch.obuf, "subscribers: 1 of 1024 on "));
	ck_assert_msg(strstr(ch.obuf, "\nfeeds: 8 (1 failing)\n") != NULL,
	    "%s", ch.obuf);
	ck_assert_ptr_nonnull(strstr(ch.obuf, "\n  feed7  failing"));

	ck_assert_int_eq(ctl_run(e, &ch, markets), 0);
	ck_assert_ptr_nonnull(strstr(ch.obuf, "trump-putin-call             "
	    "Trump-Putin call held this month?\n"));

	ck_assert_int_eq(ctl_run(e, &ch, snap), 0);
	ck_assert_ptr_nonnull(strstr(ch.obuf, "snapshot as of seq 2\n"));
	ck_assert_ptr_nonnull(strstr(ch.obuf, "ukraine-dmz "));
	ck_assert_msg(strstr(ch.obuf, " 12.0%  11-19 00:00:02  Demilitarized "
	    "zone agreed?\n") != NULL, "%s", ch.obuf);
	ck_assert_ptr_null(strstr(ch.obuf, "trump-putin-call"));

	ck_assert_int_eq(ctl_run(e, &ch, snapj), 0);
	ck_assert_ptr_eq(strstr(ch.obuf, "{\"type\":\"snapshot\",\"as_of_seq\":2,"),
	    ch.obuf);

	ck_assert_int_eq(ctl_run(e, &ch, bad), 2);
	ck_assert_ptr_nonnull(strstr(ch.ebuf, "--since: 'soon' is not a seq"));
	ck_assert_int_eq(ctl_run(e, &ch, unknown), 2);
	ck_assert_ptr_nonnull(strstr(ch.ebuf, "unknown command 'frobnicate'"));

	/* No daemon: a clear message, exit 1. */
	server_free(e->srv);
	e->srv = NULL;
	ck_assert_int_eq(ctl_run(e, &ch, status), 1);
	ck_assert_ptr_nonnull(strstr(ch.ebuf, "cannot connect to"));
	ck_assert_ptr_nonnull(strstr(ch.ebuf, e->path));
	env_free(e);
}
END_TEST

START_TEST(tail_human)
{
	struct env	*e = env_new("");
	struct child	 ch;
	static const char *const args[] = { "tail", "--count", "2", NULL };

	log_publish(e, 0);
	ctl_spawn(e, &ch, args);
	ctl_wait_for(e, &ch, "-- snapshot as of seq 1: 3 markets\n", TIMEOUT_MS);
	log_publish(e, 1);
	log_publish(e, 2);
	ck_assert_int_eq(ctl_wait_exit(e, &ch), 0);
	/* seq 2: ukraine-dmz 50% -> 12%; seq 3: trump-putin-call 50% -> 13%. */
	ck_assert_msg(strstr(ch.obuf, "00:00:02  ukraine-dmz              "
	    " 50.0% \xe2\x86\x92  12.0%  -38.0 pts  Headline 2  (wire)  "
	    "[talks +0.40]\n") != NULL, "%s", ch.obuf);
	ck_assert_ptr_nonnull(strstr(ch.obuf, "00:00:03  trump-putin-call"));
	/* Not a terminal: no colour codes. */
	ck_assert_ptr_null(strchr(ch.obuf, '\033'));
	env_free(e);
}
END_TEST

START_TEST(tail_json_filter_since)
{
	struct env	*e = env_new("");
	struct child	 ch;
	static const char *const args[] = { "tail", "--json", "--since", "1",
					    "--market", "ukraine-*", "--count",
					    "4", NULL };
	char		*p;
	int		 n = 0;

	for (int i = 0; i < 6; i++)
		log_publish(e, i % NMARKETS);	/* ukraine: 1 2 4 5 */
	ctl_spawn(e, &ch, args);
	ctl_wait_for(e, &ch, "\"seq\":5,", TIMEOUT_MS);
	log_publish(e, 2);			/* 7: filtered out */
	log_publish(e, 1);			/* 8: the fourth */
	ck_assert_int_eq(ctl_wait_exit(e, &ch), 0);
	ck_assert_ptr_eq(strstr(ch.obuf, "{\"type\":\"hello\""), ch.obuf);
	for (p = ch.obuf; (p = strstr(p, "\"type\":\"delta\"")) != NULL; p++)
		n++;
	ck_assert_int_eq(n, 4);
	ck_assert_ptr_nonnull(strstr(ch.obuf, "{\"type\":\"delta\",\"seq\":8,"));
	ck_assert_ptr_null(strstr(ch.obuf, "{\"type\":\"delta\",\"seq\":7,"));
	ck_assert_ptr_nonnull(strstr(ch.obuf, "{\"type\":\"delta\",\"seq\":2,"));
	ck_assert_ptr_nonnull(strstr(ch.obuf, "{\"type\":\"delta\",\"seq\":4,"));
	ck_assert_ptr_nonnull(strstr(ch.obuf, "{\"type\":\"delta\",\"seq\":5,"));
	ck_assert_ptr_null(strstr(ch.obuf, "{\"type\":\"delta\",\"seq\":1,"));
	ck_assert_ptr_null(strstr(ch.obuf, "\"trump-putin-call\""));
	env_free(e);
}
END_TEST

/*
 * The client follows: commit 3, publish 2 more; restart the server (bye,
 * 3 committed while it is down, new session); publish 1 more.  sep is
 * what the client prints after a JSON colon ("" or " ").
 */
static void
restart_scenario(struct env *e, struct child *ch, const char *sep)
{
	char want[64];

	for (int i = 0; i < 3; i++)
		log_publish(e, i);
	snprintf(want, sizeof(want), "\"as_of_seq\":%s3,", sep);
	ctl_wait_for(e, ch, want, TIMEOUT_MS);
	log_publish(e, 0);
	log_publish(e, 1);
	snprintf(want, sizeof(want), "\"seq\":%s5,", sep);
	ctl_wait_for(e, ch, want, TIMEOUT_MS);
	server_bye_all(e->srv, "shutdown");
	env_spin(e, 20);
	server_free(e->srv);
	e->srv = NULL;
	for (int i = 0; i < 3; i++)		/* 6 7 8 while down */
		log_commit(e, i);
	for (int i = 0; i < 30; i++)
		ctl_pump(e, ch);
	e->session = "test-session-2";
	env_start(e);
	snprintf(want, sizeof(want), "\"seq\":%s8,", sep);
	ctl_wait_for(e, ch, want, TIMEOUT_MS);
	log_publish(e, 2);			/* 9 */
}

/* Deltas 4..9 each printed exactly once. */
static void
expect_4_to_9_once(const struct child *ch, const char *sep)
{
	char		 want[64];
	const char	*p;

	for (int seq = 4; seq <= 9; seq++) {
		snprintf(want, sizeof(want), "\"type\":%s\"delta\",%s\"seq\":%s%d,",
		    sep, sep, sep, seq);
		p = strstr(ch->obuf, want);
		ck_assert_msg(p != NULL, "seq %d missing:\n%s\n%s", seq,
		    ch->obuf, ch->ebuf);
		ck_assert_msg(strstr(p + 1, want) == NULL, "seq %d twice", seq);
	}
}

/*
 * The daemon restarts (bye, gone for a while, back with a new session)
 * while deltas keep being committed: tail reconnects, resumes with since,
 * and prints every delta exactly once.
 */
START_TEST(tail_resumes_after_restart)
{
	struct env	*e = env_new("");
	struct child	 ch;
	static const char *const args[] = { "tail", "--json", "--count", "6",
					    NULL };
	char		*p;
	int		 n;

	ctl_spawn(e, &ch, args);
	restart_scenario(e, &ch, "");
	ck_assert_int_eq(ctl_wait_exit(e, &ch), 0);
	expect_4_to_9_once(&ch, "");
	for (n = 0, p = ch.obuf; (p = strstr(p, "\"type\":\"delta\"")) != NULL;
	    p++)
		n++;
	ck_assert_int_eq(n, 6);
	/* One snapshot only: the resume replayed instead. */
	ck_assert_ptr_null(strstr(strstr(ch.obuf, "\"type\":\"snapshot\"") + 1,
	    "\"type\":\"snapshot\""));
	ck_assert_ptr_nonnull(strstr(ch.obuf, "{\"type\":\"bye\",\"reason\":"
	    "\"shutdown\"}"));
	ck_assert_ptr_nonnull(strstr(ch.obuf, "\"session\":\"test-session-2\""));
	ck_assert_msg(strstr(ch.ebuf, "-- daemon restarted (session "
	    "test-session-2); resuming after seq 5") != NULL, "%s", ch.ebuf);
	env_free(e);
}
END_TEST

/* The Python example client resumes the same way. */
START_TEST(subscribe_py_resumes)
{
	struct env	*e = env_new("");
	struct child	 ch;
	const char	*argv[] = { "python3", "scripts/subscribe.py", "--socket",
			    e->path, "--json", "--count", "6", NULL };

	if (access("scripts/subscribe.py", R_OK) == -1 ||
	    system("python3 -c 'import json' 2>/dev/null") != 0) {
		env_free(e);
		return;		/* no python3: nothing to test */
	}
	spawn(&ch, argv);
	restart_scenario(e, &ch, " ");
	ck_assert_int_eq(ctl_wait_exit(e, &ch), 0);
	expect_4_to_9_once(&ch, " ");
	ck_assert_ptr_nonnull(strstr(ch.ebuf, "-- reconnecting after seq 5"));
	env_free(e);
}
END_TEST

static Suite *
pmsignalctl_suite(void)
{
	Suite	*s = suite_create("pmsignalctl");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, status_markets_snapshot);
	tcase_add_test(tc, tail_human);
	tcase_add_test(tc, tail_json_filter_since);
	tcase_add_test(tc, tail_resumes_after_restart);
	tcase_add_test(tc, subscribe_py_resumes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(pmsignalctl_suite());
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * Real-shaped haproxy.cfg files (tests/unit/data/corpus/NAME.cfg) and
 * what `rpilbctl check` says about each, exactly: NAME.expect holds its
 * stdout and stderr as one stream, then a last line "exit N". The files
 * are named from the directory, so a new fixture is a new pair of files.
 * RPILB_UPDATE_CORPUS=1 rewrites every NAME.expect from what rpilbctl
 * says instead of comparing (read the diff before committing it).
 *
 * And an oracle: `haproxy -c -f NAME.cfg` must agree that the file is
 * valid, except where the fixture says why not. A line
 *
 *   # rpilb refuses: KEYWORD -- why
 *
 * names a keyword HAProxy accepts and rpilb refuses: with such lines,
 * HAProxy must accept the file, rpilb must refuse it, and every error
 * rpilb gives must name one of them ('KEYWORD'); each line must be used.
 * Without them both must agree. HAProxy is installed by `make deps`;
 * without it the oracle skips, and under CI=true it fails instead. The
 * fixtures name what Debian's haproxy package provides (the user
 * haproxy, /etc/haproxy/errors/NNN.http) and no file it lacks (no
 * certificate), so haproxy -c reads them as it would on a Pi.
 *
 * rpilbctl is $RPILB_BUILD/rpilbctl (make check builds it first); both
 * programs run in the corpus directory, so messages name the file alone.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sys/wait.h>

#include "cfgtest.h"
#include "lab.h"
#include "testutil.h"

#define MAX_FIXTURES 32
#define MAX_OUTPUT   (64 * 1024)
#define MAX_REFUSALS 8

struct fixture {
	char name[64];
	char refuses[MAX_REFUSALS][64]; /* the "# rpilb refuses:" keywords */
	size_t nrefuses;
};

static struct fixture fixtures[MAX_FIXTURES];
static size_t nfixtures;
static char corpus_dir[PATH_MAX];

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct fixture *)a)->name, ((const struct fixture *)b)->name);
}

/* The "# rpilb refuses: KEYWORD -- why" lines of a fixture. */
static void read_refusals(struct fixture *fx)
{
	static const char tag[] = "# rpilb refuses: ";
	char path[PATH_MAX + 80], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%.63s.cfg", corpus_dir, fx->name);
	f = fopen(path, "r");
	if (!f)
		fail_msg("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *kw = line + strlen(tag), *end;

		if (strncmp(line, tag, strlen(tag)))
			continue;
		end = strstr(kw, " -- ");
		if (!end || fx->nrefuses == MAX_REFUSALS)
			fail_msg("%s: '%s' wants 'KEYWORD -- why' (at most %d)", path, tag,
				 MAX_REFUSALS);
		*end = '\0';
		snprintf(fx->refuses[fx->nrefuses++], sizeof(fx->refuses[0]), "%.63s", kw);
	}
	fclose(f);
}

static int setup(void **state)
{
	char rel[256];
	struct dirent *de;
	DIR *d;

	(void)state;
	if (!realpath(data_path("corpus", rel, sizeof(rel)), corpus_dir))
		fail_msg("%s: %s (run from the top of the tree)", rel, strerror(errno));
	d = opendir(corpus_dir);
	assert_non_null(d);
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n < 5 || strcmp(de->d_name + n - 4, ".cfg"))
			continue;
		assert_true(nfixtures < MAX_FIXTURES && n - 4 < sizeof(fixtures[0].name));
		snprintf(fixtures[nfixtures].name, sizeof(fixtures[0].name), "%.*s", (int)(n - 4),
			 de->d_name);
		nfixtures++;
	}
	closedir(d);
	qsort(fixtures, nfixtures, sizeof(fixtures[0]), by_name);
	for (size_t i = 0; i < nfixtures; i++)
		read_refusals(&fixtures[i]);
	return 0;
}

/* Run argv in the corpus directory; stdout and stderr into out. Returns the exit status. */
static int run_in_corpus(char *const argv[], char *out, size_t outlen)
{
	size_t len = 0;
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		dup2(fds[1], STDOUT_FILENO);
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		close(fds[1]);
		if (chdir(corpus_dir))
			_exit(126);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	while ((n = read(fds[0], out + len, outlen - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* What rpilbctl check says about a fixture, in the .expect format. */
static int rpilb_check(const struct fixture *fx, char *out, size_t outlen)
{
	char bin[PATH_MAX], cfg[96];
	char *argv[] = { bin, "check", "-c", cfg, NULL };
	size_t len;
	int rc;

	if (!realpath(lab_rpilbctl(), bin))
		fail_msg("%s: %s (make build first)", lab_rpilbctl(), strerror(errno));
	snprintf(cfg, sizeof(cfg), "%.63s.cfg", fx->name);
	rc = run_in_corpus(argv, out, outlen);
	len = strlen(out);
	snprintf(out + len, outlen - len, "exit %d\n", rc);
	return rc;
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, MAX_OUTPUT);

	assert_non_null(buf);
	if (!f) {
		free(buf);
		return NULL;
	}
	if (fread(buf, 1, MAX_OUTPUT - 1, f) == MAX_OUTPUT - 1)
		fail_msg("%s: larger than %d bytes", path, MAX_OUTPUT - 1);
	fclose(f);
	return buf;
}

static void test_check_says_what_expect_files_hold(void **state)
{
	const char *update = getenv("RPILB_UPDATE_CORPUS");
	char *got = calloc(1, MAX_OUTPUT), path[PATH_MAX + 80];
	size_t i, wrong = 0;

	(void)state;
	assert_non_null(got);
	/* The corpus of the brief: nine kinds of file at least. */
	assert_true(nfixtures >= 9);
	for (i = 0; i < nfixtures; i++) {
		char *want;

		rpilb_check(&fixtures[i], got, MAX_OUTPUT);
		snprintf(path, sizeof(path), "%s/%.63s.expect", corpus_dir, fixtures[i].name);
		if (update && *update) {
			FILE *f = fopen(path, "w");

			assert_non_null(f);
			fputs(got, f);
			assert_int_equal(fclose(f), 0);
			print_message("  wrote %s.expect\n", fixtures[i].name);
			continue;
		}
		want = read_all(path);
		if (!want) {
			print_message("  %s.expect: missing (RPILB_UPDATE_CORPUS=1 writes it)\n",
				      fixtures[i].name);
			wrong++;
		} else if (strcmp(got, want)) {
			print_message("  %s: rpilbctl check says, instead of %s.expect:\n%s",
				      fixtures[i].name, fixtures[i].name, got);
			wrong++;
		}
		free(want);
	}
	free(got);
	if (wrong)
		fail_msg("%zu of %zu fixtures differ from their .expect (shown above)", wrong,
			 nfixtures);
}

/* HAProxy, where make deps puts it, or on the PATH; NULL when absent. */
static const char *haproxy_path(void)
{
	static const char *const where[] = { "/usr/sbin/haproxy", "/usr/local/sbin/haproxy",
					     "/usr/bin/haproxy" };
	const char *env = getenv("HAPROXY");
	size_t i;

	if (env && *env)
		return env;
	for (i = 0; i < ARRAY_SIZE(where); i++) {
		if (!access(where[i], X_OK))
			return where[i];
	}
	return NULL;
}

/* Every rpilb error names one of the fixture's refusals, and each refusal is named. */
static bool refusals_explain(const struct fixture *fx, const char *out)
{
	bool used[MAX_REFUSALS] = { false }, ok = true;
	const char *line;
	char quoted[80];
	size_t i, len;

	for (line = out; *line; line += len + (line[len] == '\n')) {
		bool named = false;

		len = strcspn(line, "\n");

		if (!memmem(line, len, ": error: ", 9))
			continue;
		for (i = 0; i < fx->nrefuses; i++) {
			snprintf(quoted, sizeof(quoted), "'%s'", fx->refuses[i]);
			if (memmem(line, len, quoted, strlen(quoted)))
				named = used[i] = true;
		}
		if (!named) {
			print_message("  %s: an error no '# rpilb refuses:' line explains: %.*s\n",
				      fx->name, (int)len, line);
			ok = false;
		}
	}
	for (i = 0; i < fx->nrefuses; i++) {
		if (!used[i]) {
			print_message("  %s: '# rpilb refuses: %s' but no error names it\n",
				      fx->name, fx->refuses[i]);
			ok = false;
		}
	}
	return ok;
}

static void test_haproxy_agrees(void **state)
{
	const char *haproxy = haproxy_path();
	char *out = calloc(1, MAX_OUTPUT), *hout = calloc(1, MAX_OUTPUT), cfg[96];
	size_t i, wrong = 0;

	(void)state;
	assert_non_null(out);
	assert_non_null(hout);
	if (!haproxy) {
		free(out);
		free(hout);
		if (test_in_ci())
			fail_msg("CI=true but no haproxy: make deps installs it");
		print_message("[  SKIP    ] no haproxy: make deps installs it\n");
		skip();
	}
	for (i = 0; i < nfixtures; i++) {
		const struct fixture *fx = &fixtures[i];
		char *argv[] = { (char *)haproxy, "-c", "-f", cfg, NULL };
		bool rpilb_ok, haproxy_ok;
		int hrc;

		snprintf(cfg, sizeof(cfg), "%.63s.cfg", fx->name);
		rpilb_ok = rpilb_check(fx, out, MAX_OUTPUT) != 1;
		hrc = run_in_corpus(argv, hout, MAX_OUTPUT);
		/* haproxy -c: 0 valid, 2 valid without a listener (newer versions), 1 errors. */
		haproxy_ok = hrc == 0 || hrc == 2;
		if (hrc > 2) {
			print_message("  %s: haproxy -c exited %d:\n%s", fx->name, hrc, hout);
			wrong++;
		} else if (!fx->nrefuses && rpilb_ok != haproxy_ok) {
			print_message("  %s: haproxy -c says %s, rpilb %s, and the fixture says "
				      "nothing about it. haproxy:\n%s",
				      fx->name, haproxy_ok ? "valid" : "invalid",
				      rpilb_ok ? "valid" : "invalid", hout);
			wrong++;
		} else if (fx->nrefuses && (!haproxy_ok || rpilb_ok)) {
			print_message(
				"  %s: its '# rpilb refuses:' lines want haproxy -c to accept "
				"it and rpilb to refuse it; haproxy %s, rpilb %s. haproxy:\n%s",
				fx->name, haproxy_ok ? "accepts" : "refuses",
				rpilb_ok ? "accepts" : "refuses", hout);
			wrong++;
		} else if (fx->nrefuses && !refusals_explain(fx, out)) {
			wrong++;
		}
	}
	free(out);
	free(hout);
	if (wrong)
		fail_msg("%zu of %zu fixtures: rpilb and haproxy -c disagree (shown above)", wrong,
			 nfixtures);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_says_what_expect_files_hold),
		cmocka_unit_test(test_haproxy_agrees),
	};

	return cmocka_run_group_tests_name("haproxy.cfg corpus", tests, setup, NULL) ? 1 : 0;
}

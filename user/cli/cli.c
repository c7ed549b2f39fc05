// SPDX-License-Identifier: GPL-2.0-only
/* What the commands share: errors, -j, asking the daemon, checked names. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/ctl_client.h"
#include "config/names.h"
#include "lib/log.h"

struct cli cli;

int cli_fail(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LVL_ERR, fmt, ap);
	va_end(ap);
	return code;
}

int cli_no_args(int argc, char **argv)
{
	if (argc > 0)
		return cli_fail(EXIT_USAGE, "unexpected argument '%s'", argv[0]);
	return EXIT_OK;
}

void cli_set_json(void)
{
	cli.json = true;
	log_set_json(true);
}

struct json_writer *cli_json(void)
{
	return json_new(stdout, cli.pretty);
}

int cli_request(const char *line, char **body)
{
	char err[512];
	int ret = ctl_request(cli.socket, line, body, err, sizeof(err));

	if (ret)
		pr_err("%s", err);
	return ret;
}

int cli_request_print(const char *fmt, ...)
{
	char *what = NULL, *line = NULL, *body = NULL;
	int ret = EXIT_FAIL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) < 0)
		what = NULL;
	va_end(ap);
	/* "json " in front asks the daemon for the JSON form of the same answer. */
	if (!what || asprintf(&line, "%s%s", cli.json ? "json " : "", what) < 0) {
		line = NULL;
		ret = cli_fail(EXIT_FAIL, "out of memory");
		goto out;
	}
	if (cli_request(line, &body))
		goto out;
	fputs(body, stdout);
	ret = EXIT_OK;
out:
	free(body);
	free(line);
	free(what);
	return ret;
}

/* The daemon checks again; this is so that a typo never reaches it. */
int cli_set_backend(const char *arg, void *field)
{
	if (!name_valid(arg))
		return cli_fail(EXIT_USAGE, "bad backend name '%s': %s", arg, NAME_RULE);
	*(const char **)field = arg;
	return 0;
}

int cli_set_server(const char *arg, void *field)
{
	if (!name_valid(arg))
		return cli_fail(EXIT_USAGE, "bad server name '%s': %s", arg, NAME_RULE);
	*(const char **)field = arg;
	return 0;
}

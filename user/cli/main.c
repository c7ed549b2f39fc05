// SPDX-License-Identifier: GPL-2.0-only
/*
 * rpilbctl: the command line of rpilb. Commands are a table; each has a
 * do_<verb> handler in its own file. A unique prefix of a command name is
 * accepted ("stat" is ambiguous, "statu" is status).
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "cli/cli.h"
#include "cli/ctl_client.h"
#include "config/config.h"
#include "lib/log.h"
#include "lib/util.h"

struct cli cli;

static int do_help(int argc, char **argv);

#define JSON_OPT    "  -j, --json           JSON output (and JSON errors), for scripts\n"
#define BACKEND_OPT "  --backend B          the backend, when several have a server of that name\n"

static const struct cmd commands[] = {
	{
		.name = "up",
		.fn = do_up,
		.args = "[-c FILE] [-i IFACE] [-m auto|xdp|xdpgeneric|tc] [-f] [-L LOGFILE] [-j]",
		.help = "load and attach the balancer, start the daemon",
		.opts = "  -c, --config FILE    configuration (default " CFG_DEFAULT_CONFIG ")\n"
			"  -i, --interface IF   interface (default: the one holding the bind address)\n"
			"  -m, --mode MODE      auto (default), xdp, xdpgeneric or tc\n"
			"  -f, --foreground     stay in the foreground (systemd, Type=notify)\n"
			"  -L, --log-file FILE  log there instead of syslog once detached\n" JSON_OPT,
	},
	{
		.name = "down",
		.fn = do_down,
		.args = "[-c FILE] [-j]",
		.help = "stop the daemon, detach, remove the pinned maps",
		.opts = "  -c, --config FILE    where state, socket and pins are (default " CFG_DEFAULT_CONFIG
			"; the defaults if it does not parse)\n" JSON_OPT,
	},
	{
		.name = "status",
		.fn = do_status,
		.args = "[-j]",
		.help = "servers, their state, weight and flows; attach mode",
		.opts = JSON_OPT,
	},
	{
		.name = "check",
		.fn = do_check,
		.args = "[-c FILE] [-j]",
		.help = "validate a configuration file without touching the system",
		.opts = "  -c, --config FILE    the file to check (default " CFG_DEFAULT_CONFIG
			")\n" JSON_OPT,
		.exits =
			"0 valid, 1 errors, 2 valid but nothing to forward (no listener) or bad arguments",
	},
	{
		.name = "add-node",
		.fn = do_add_node,
		.args = "NAME ADDR:PORT [--weight N] [--backend B] [-j]",
		.help = "add a server at run time; it joins once its checks pass",
		.opts = "  --weight N           0 to 256 (default 1)\n" BACKEND_OPT JSON_OPT,
	},
	{
		.name = "del-node",
		.fn = do_del_node,
		.args = "NAME [--backend B] [-j]",
		.help = "remove a server at run time; its open flows finish",
		.opts = BACKEND_OPT JSON_OPT,
	},
	{
		.name = "drain",
		.fn = do_drain,
		.args = "NAME [--backend B] [--wait [--timeout S]] [-j]",
		.help = "no new flows for a server; open ones finish",
		.opts = "  --wait               return when its last open flow has closed\n"
			"  --timeout S          with --wait: give up (exit 1) after S seconds\n" BACKEND_OPT
				JSON_OPT,
	},
	{
		.name = "maint",
		.fn = do_maint,
		.args = "NAME [--backend B] [-j]",
		.help = "maintenance: no new flows, no checks",
		.opts = BACKEND_OPT JSON_OPT,
	},
	{
		.name = "enable",
		.fn = do_enable,
		.args = "NAME [--backend B] [-j]",
		.help = "back into rotation (after drain or maint), once healthy",
		.opts = BACKEND_OPT JSON_OPT,
	},
	{
		.name = "reload",
		.fn = do_reload,
		.args = "[-j]",
		.help = "re-read the configuration file, keep runtime changes",
		.opts = JSON_OPT,
	},
	{
		.name = "stats",
		.fn = do_stats,
		.args = "[-a] [-j]",
		.help = "counters of the data path, frontends and servers",
		.opts = "  -a, --all            every data-path counter, zeros too\n" JSON_OPT,
	},
	{
		.name = "conns",
		.fn = do_conns,
		.args = "[--node NAME [--backend B]] [--client IP] [-j]",
		.help = "the live flows: which Pi serves which client",
		.opts = "  --node NAME          only this server's flows\n"
			"  --client IP          only this client's flows\n" BACKEND_OPT JSON_OPT,
	},
	{
		.name = "help",
		.fn = do_help,
		.args = "[COMMAND]",
		.help = "this text, or one command's",
		.opts = "",
	},
};

static const struct cmd *command_named(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

int cli_usage(const char *name)
{
	const struct cmd *c = command_named(name);

	if (c)
		fprintf(stderr, "usage: rpilbctl %s %s\n", name, c->args);
	return EXIT_USAGE;
}

int cli_help(const char *name)
{
	const struct cmd *c = command_named(name);

	if (!c)
		return cli_fail(EXIT_USAGE, "unknown command '%s': see 'rpilbctl help'", name);
	printf("usage: rpilbctl %s %s\n\n%s.\n", c->name, c->args, c->help);
	if (*c->opts)
		printf("\noptions:\n%s", c->opts);
	printf("\nExit status: %s.\n",
	       c->exits ? c->exits : "0 done, 1 failed (nothing changed), 2 bad arguments");
	return EXIT_OK;
}

int cli_fail(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LVL_ERR, fmt, ap);
	va_end(ap);
	return code;
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

static void print_help(FILE *out)
{
	fprintf(out, "usage: rpilbctl [-j] [-p] [-v] [-S SOCKET] COMMAND [ARGS]\n"
		     "       rpilbctl --version\n\n"
		     "rpilb balances TCP connections across Raspberry Pis in the kernel (XDP/tc),\n"
		     "configured with the haproxy.cfg you already have.\n\n"
		     "Commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].help);
	fprintf(out,
		"\nOptions:\n"
		"  -j, --json      JSON output (and JSON errors) for scripts\n"
		"  -p, --pretty    indented JSON (implies -j)\n"
		"  -v, --verbose   more detail, including libbpf's\n"
		"  -S, --socket P  control socket (default " CFG_DEFAULT_SOCKET
		", or $RPILB_SOCKET)\n"
		"  -V, --version   print the version and exit\n\n"
		"'rpilbctl help COMMAND' or 'rpilbctl COMMAND --help' describes one command.\n");
}

static const struct cmd *find_command(const char *name)
{
	const struct cmd *match = NULL;
	size_t len = strlen(name);
	int n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (!strcmp(commands[i].name, name))
			return &commands[i];
		if (!strncmp(commands[i].name, name, len)) {
			match = &commands[i];
			n++;
		}
	}
	return n == 1 ? match : NULL;
}

static int do_help(int argc, char **argv)
{
	const struct cmd *c;

	if (argc < 2) {
		print_help(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cli_help("help");
	c = find_command(argv[1]);
	if (!c)
		return cli_fail(EXIT_USAGE, "unknown command '%s': see 'rpilbctl help'", argv[1]);
	return cli_help(c->name);
}

static void print_version(void)
{
	if (cli.json) {
		struct json_writer *jw = cli_json();

		json_begin_object(jw);
		json_kv_str(jw, "version", RPILB_VERSION);
		json_kv_str(jw, "libbpf", libbpf_version_string());
		json_kv_u64(jw, "abi", RPILB_ABI_VERSION);
		json_end_object(jw);
		json_free(jw);
		putchar('\n');
		return;
	}
	printf("rpilbctl %s (libbpf %s, data path ABI %d)\n", RPILB_VERSION,
	       libbpf_version_string(), RPILB_ABI_VERSION);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "socket", required_argument, NULL, 'S' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const struct cmd *c;
	bool version = false;
	int opt, first;

	cli.socket = getenv("RPILB_SOCKET") ? getenv("RPILB_SOCKET") : CFG_DEFAULT_SOCKET;
	/* '+': options after the command name belong to the command. */
	while ((opt = getopt_long(argc, argv, "+jpvS:Vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			cli.json = true;
			break;
		case 'p':
			cli.json = cli.pretty = true;
			break;
		case 'v':
			cli.verbose = true;
			break;
		case 'S':
			cli.socket = optarg;
			break;
		case 'V':
			version = true;
			break;
		case 'h':
			print_help(stdout);
			return EXIT_OK;
		default:
			print_help(stderr);
			return EXIT_USAGE;
		}
	}
	log_set_json(cli.json);
	log_set_level(cli.verbose ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	log_libbpf_init(cli.verbose);
	if (version) {
		print_version();
		return EXIT_OK;
	}
	if (optind >= argc) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	first = optind;
	c = find_command(argv[first]);
	if (!c)
		return cli_fail(EXIT_USAGE, "unknown command '%s': see 'rpilbctl help'",
				argv[first]);
	/* The handler sees its name as argv[0] and runs getopt afresh. */
	optind = 0;
	return c->fn(argc - first, argv + first);
}

// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli-config.h"
#include "newfile.h"
#include "util.h"

#ifndef NVD_VERSION
#define NVD_VERSION "0.1"
#endif

struct cli cli;

static int opt_help, opt_version, opt_list, opt_list_commands;
static char *opt_color, *opt_list_values;
static const struct cli_tool *cur_tool;

struct poptOption cli_common_options[] = {
	{ "json", 'j', POPT_ARG_NONE, &cli.json, 0, "print one JSON object", NULL },
	{ "quiet", 'q', POPT_ARG_NONE, &cli.quiet, 0, "print failures only", NULL },
	{ "verbose", 'v', POPT_ARG_NONE, &cli.verbose, 0, "print more detail", NULL },
	{ "color", '\0', POPT_ARG_STRING, &opt_color, 0, "colour the text output", "auto|always|never" },
	{ "strict", '\0', POPT_ARG_NONE, &cli.strict, 0, "warnings fail (exit 1)", NULL },
	{ "help", 'h', POPT_ARG_NONE, &opt_help, 0, "show this help and exit", NULL },
	{ "version", 'V', POPT_ARG_NONE, &opt_version, 0, "show the version and exit", NULL },
	{ "list-opts", '\0', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, &opt_list, 0, NULL, NULL },
	{ "list-commands", '\0', POPT_ARG_NONE | POPT_ARGFLAG_DOC_HIDDEN, &opt_list_commands, 0, NULL,
	  NULL },
	{ "list-values", '\0', POPT_ARG_STRING | POPT_ARGFLAG_DOC_HIDDEN, &opt_list_values, 0, NULL,
	  NULL },
	POPT_TABLEEND
};

void cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", nvd_progname);
	va_start(ap, fmt);
	esc_vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", nvd_progname);
	exit(NVD_EXIT_USAGE);
}

/* Long options, one per line, "--name=" when it takes a value: for completion. */
static void list_opts(const struct poptOption *t)
{
	for (; t->longName || t->shortName || t->arg; t++) {
		if ((t->argInfo & POPT_ARG_MASK) == POPT_ARG_INCLUDE_TABLE) {
			list_opts(t->arg);
			continue;
		}
		if (!t->longName || (t->argInfo & POPT_ARGFLAG_DOC_HIDDEN))
			continue;
		printf("--%s%s\n", t->longName,
		       (t->argInfo & POPT_ARG_MASK) == POPT_ARG_NONE ? "" : "=");
	}
}

void cli_output_not_input(const char *option, const char *output, const struct run_input *in,
			  size_t n)
{
	const struct run_input *i = output_is_input(output, in, n);

	if (i && streq(output, "-"))
		cli_usage_error("standard output is %s %s (the same file): writing it would destroy what is read; redirect it elsewhere",
				i->what, i->path);
	if (i)
		cli_usage_error("%s %s is %s %s (the same file): writing it would destroy what is read; name another file",
				option, output, i->what, i->path);
}

static char *write_done;	/* what was written, when something was */

void cli_write_done(const char *fmt, ...)
{
	va_list ap;

	free(write_done);
	va_start(ap, fmt);
	write_done = xvasprintf(fmt, ap);
	va_end(ap);
	/* a reader gone (| head) is a report not printed, not a death by SIGPIPE */
	signal(SIGPIPE, SIG_IGN);
}

int cli_finish(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		int err = errno ? errno : EIO;

		if (write_done) {
			/* the write happened: a script must not retry it */
			esc_fprintf(stderr, "%s: %s, but the report could not be: write error: %s\n",
				    nvd_progname, write_done, strerror(err));
			free(write_done);
			write_done = NULL;
			return rc;
		}
		fprintf(stderr, "%s: write error: %s\n", nvd_progname, strerror(err));
		return NVD_EXIT_ENV;
	}
	free(write_done);
	write_done = NULL;
	return rc;
}

static void resolve_color(void)
{
	if (!opt_color || !strcmp(opt_color, "auto"))
		cli.color = isatty(STDOUT_FILENO);
	else if (!strcmp(opt_color, "always"))
		cli.color = true;
	else if (!strcmp(opt_color, "never"))
		cli.color = false;
	else
		cli_usage_error("invalid --color value '%s': use auto, always or never", opt_color);
	/* NO_COLOR (no-color.org) wins over everything. */
	if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
		cli.color = false;
}

static const struct poptOption *find_opt(const struct poptOption *t, const char *name)
{
	for (; t->longName || t->shortName || t->arg; t++) {
		const struct poptOption *o;

		if ((t->argInfo & POPT_ARG_MASK) == POPT_ARG_INCLUDE_TABLE) {
			if ((o = find_opt(t->arg, name)))
				return o;
			continue;
		}
		if (t->longName && streq(t->longName, name))
			return t;
	}
	return NULL;
}

/*
 * The values option --NAME takes, one a line, for completion: the releases
 * modelled for --qemu-version, the words of its "a|b|c" value in --help for
 * the others; nothing when they are not a fixed list.
 */
static void list_values(const struct cli_tool *t, const char *name)
{
	const struct poptOption *o = find_opt(t->options, name);
	const char *d = o ? o->argDescrip : NULL;

	if (o && streq(name, "qemu-version")) {
		char *r = cli_releases_text("\n");

		printf("%s\n", r);
		free(r);
		return;
	}
	if (!d || !strchr(d, '|') || strpbrk(d, " ,[]"))
		return;
	for (const char *p = d; *p; p += strcspn(p, "|"), p += *p == '|')
		printf("%.*s\n", (int)strcspn(p, "|"), p);
}

/*
 * The subcommands, one a line, for completion; the default one (taken when
 * the first word is none of them) is followed by " (default)".
 */
static void list_commands(const struct cli_tool *t)
{
	for (size_t i = 0; t->commands && t->commands[i]; i++)
		printf("%s%s\n", t->commands[i],
		       t->default_command && streq(t->default_command, t->commands[i]) ? " (default)"
										 : "");
}

/* "dump, check, init, zero, read or write" */
static char *commands_text(const struct cli_tool *t)
{
	char *s = xstrdup(""), *n;
	size_t k = 0;

	while (t->commands[k])
		k++;
	for (size_t i = 0; i < k; i++) {
		n = xasprintf("%s%s%s", s, i == 0 ? "" : i + 1 == k ? " or " : ", ", t->commands[i]);
		free(s);
		s = n;
	}
	return s;
}

/* The command word: the first argument, or the default command. */
static int take_command(const struct cli_tool *t, struct cli_args *a)
{
	static char *list;	/* until the exit: reachable, not a leak */
	const char *w = a->nargs ? a->args[0] : NULL;

	for (int i = 0; w && t->commands[i]; i++) {
		if (streq(w, t->commands[i])) {
			a->args++;
			a->nargs--;
			return i;
		}
	}
	for (int i = 0; t->default_command && t->commands[i]; i++)
		if (streq(t->default_command, t->commands[i]))
			return i;
	list = commands_text(t);
	if (!w)
		cli_usage_error("no command: give %s", list);
	cli_usage_error("unknown command '%s': use %s", w, list);
}

static void check_opt(const struct cli_tool *tool, poptContext ctx, int rc)
{
	(void)tool;
	if (rc < -1)
		cli_usage_error("%s: %s", poptBadOption(ctx, POPT_BADOPTION_NOALIAS), poptStrerror(rc));
	if (opt_help) {
		printf("%s\n\n", cur_tool->summary);
		poptPrintHelp(ctx, stdout, 0);
		if (cur_tool->footer)
			printf("\n%s", cur_tool->footer);
		exit(cli_finish(NVD_EXIT_OK));
	}
	if (opt_version) {
		printf("%s (nvd toolkit) %s\n", cur_tool->name, NVD_VERSION);
		exit(cli_finish(NVD_EXIT_OK));
	}
	if (opt_list) {
		list_opts(cur_tool->options);
		exit(cli_finish(NVD_EXIT_OK));
	}
	if (opt_list_values) {
		list_values(cur_tool, opt_list_values);
		exit(cli_finish(NVD_EXIT_OK));
	}
	if (opt_list_commands) {
		list_commands(cur_tool);
		exit(cli_finish(NVD_EXIT_OK));
	}
	resolve_color();
}

static poptContext start(const struct cli_tool *tool, int argc, const char **argv);

void cli_parse(const struct cli_tool *tool, int argc, const char **argv, struct cli_args *a)
{
	int dashdash, rc;

	if (tool->onoff)
		argc = cli_onoff_args(argc, argv, tool->onoff);
	dashdash = argc;
	for (int i = 1; i < argc && !tool->no_qemu_args; i++) {
		if (!strcmp(argv[i], "--")) {
			dashdash = i;
			break;
		}
	}
	memset(a, 0, sizeof(*a));
	a->command = -1;
	a->ctx = start(tool, dashdash, argv);
	while ((rc = poptGetNextOpt(a->ctx)) >= 0)
		if (rc > 0 && tool->option)
			tool->option(a->ctx, rc);
	check_opt(tool, a->ctx, rc);
	a->args = poptGetArgs(a->ctx);
	while (a->args && a->args[a->nargs])
		a->nargs++;
	if (tool->commands)
		a->command = take_command(tool, a);
	if (dashdash < argc) {
		a->rest = (char **)argv + dashdash + 1;
		a->nrest = argc - dashdash - 1;
	}
}

static bool is_word(const char *s, const char *const *words)
{
	for (size_t k = 0; words[k]; k++)
		if (!strcmp(s, words[k]))
			return true;
	return false;
}

int cli_onoff_args(int argc, const char **argv, const char *const *names)
{
	static const char *const words[] = { "on", "off", "yes", "no", "true", "false", NULL };
	int i, j;

	for (i = j = 1; i < argc; i++) {
		const char *a = argv[i];

		argv[j++] = a;
		if (!strcmp(a, "--")) {
			while (++i < argc)
				argv[j++] = argv[i];
			break;
		}
		for (size_t k = 0; names[k]; k++) {
			if (strncmp(a, "--", 2) || strcmp(a + 2, names[k]))
				continue;
			if (i + 1 < argc && is_word(argv[i + 1], words))
				/* lives until exit */
				argv[j - 1] = xasprintf("--%s=%s", names[k], argv[++i]);
			else
				argv[j - 1] = xasprintf("--%s=on", names[k]);
			break;
		}
	}
	argv[j] = NULL;
	return j;
}

void cli_args_free(struct cli_args *a)
{
	poptFreeContext(a->ctx);
	a->ctx = NULL;
}

/*
 * A standard descriptor that is closed would be the next file we open: a
 * backend opened for writing would become fd 2 and take our own error
 * message at offset 0. Fill each closed one with /dev/null opened the
 * "wrong" way (0 write-only, 1 and 2 read-only, as gnulib's stdopen does),
 * so that a use of it fails instead of going anywhere: a report to a closed
 * stdout is a write error, not silence.
 */
void cli_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		int nfd;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		nfd = open("/dev/null", (fd == 0 ? O_WRONLY : O_RDONLY) | O_NOCTTY);
		if (nfd != fd)
			_exit(NVD_EXIT_ENV);	/* nowhere to say it, and nothing opened yet */
	}
}

/* The popt context; nothing is opened before cli_std_fds(). */
static poptContext start(const struct cli_tool *tool, int argc, const char **argv)
{
	poptContext ctx;

	cli_std_fds();
	nvd_progname = tool->name;
	cur_tool = tool;
	if (tool->own_short_v) {
		for (struct poptOption *o = cli_common_options; o->longName; o++)
			if (!strcmp(o->longName, "version"))
				o->shortName = '\0';
	}
	ctx = poptGetContext(tool->name, argc, argv, tool->options, 0);
	if (!ctx) {
		fprintf(stderr, "%s: out of memory\n", tool->name);
		exit(NVD_EXIT_ENV);
	}
	poptSetOtherOptionHelp(ctx, tool->usage);
	return ctx;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command-line conventions every nvd tool shares: one popt table of
 * common options, usage errors, --list-opts for completion, checked stdout.
 */
#ifndef NVD_CLI_H
#define NVD_CLI_H

#include <popt.h>
#include <stdbool.h>

struct cli {
	int json, quiet, verbose, strict;
	bool color;		/* resolved from --color and the terminal */
};
extern struct cli cli;
extern struct poptOption cli_common_options[];

#define CLI_COMMON_TABLE \
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, cli_common_options, 0, "Common options:", NULL }

/*
 * A tool's command line, all of it: every tool parses through cli_parse()
 * with one of these, and completion asks the binary for the same lists
 * (--list-opts, --list-commands), so no list is written twice.
 */
struct cli_tool {
	const char *name;	/* "nvd-plan" */
	const char *usage;	/* "[OPTIONS] [FILE... | -- QEMU-ARGS | --pid PID]" */
	const char *summary;	/* one line: what the tool is for */
	const char *footer;	/* exit status etc. for --help */
	struct poptOption *options;	/* the tool's table, with CLI_COMMON_TABLE */
	bool own_short_v;	/* -V is the tool's (ndctl's -V), --version has no short form */
	/* Subcommands (the first word that is not an option), NULL-terminated; NULL: none. */
	const char *const *commands;
	/* The command when the first word is none of them (nvd-map: validate); NULL: required. */
	const char *default_command;
	/* On/off options whose value is optional (cli_onoff_args), NULL-terminated. */
	const char *const *onoff;
	/* "--" only ends the options (its words are arguments), not QEMU's arguments. */
	bool no_qemu_args;
	/* Called for each option whose popt val is not 0, as popt meets it. */
	void (*option)(poptContext ctx, int val);
};

/*
 * Make sure fds 0, 1 and 2 are open before anything else is (DESIGN.md,
 * section 4). cli_parse() calls it first; a tool opens no file before that.
 */
void cli_std_fds(void);

/* What is on the command line besides the options. */
struct cli_args {
	poptContext ctx;
	int command;		/* the index in tool->commands, or -1 (no commands) */
	const char **args;	/* words that are not options, the command word left out */
	size_t nargs;
	char **rest;		/* the words after "--" (QEMU's arguments), or NULL */
	int nrest;
};

/*
 * Parse a tool's command line: rewrite its on/off options, split off
 * everything after the first "--" (it is QEMU's, never ours), parse the
 * options (no ~/.popt: a user's aliases must not change a validator), take
 * the command word, and exit for --help, --version, --list-opts,
 * --list-commands and usage errors (an unknown or missing command included).
 * Free with cli_args_free().
 */
void cli_parse(const struct cli_tool *tool, int argc, const char **argv, struct cli_args *a);
void cli_args_free(struct cli_args *a);

/*
 * On/off options whose value is optional, the same way in every tool:
 * "--share" alone means on, "--share=off" and "--share off" (the next word
 * on, off, yes, no, true or false) give the value; any other next word stays
 * an argument. Rewrites argv (up to "--") into "--NAME=VALUE" words before
 * parsing, and returns the new argc. cli_parse() does it for tool->onoff.
 */
int cli_onoff_args(int argc, const char **argv, const char *const *names);

/* Print "prog: msg" and the --help hint, exit 2. */
void cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

struct run_input;

/*
 * No output file may be an input of the same run (device and inode, links
 * followed): exits 2, before anything is written, when option's file
 * output is one of in[0..n). output "-" is standard output (option unused).
 */
void cli_output_not_input(const char *option, const char *output, const struct run_input *in,
			  size_t n);

/*
 * A write was done (a label area, a new file): exit status 3 means that
 * nothing was written, so from now on a report that cannot be printed
 * leaves rc alone and cli_finish says "WHAT, but the report could not be:
 * write error: ...". what is e.g. "nv.img: the label area was written".
 * SIGPIPE is ignored from then on: a reader that is gone is such a case.
 */
void cli_write_done(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Flush and close stdout; a write error (full disk) turns rc into 3, unless
 * a write was done (cli_write_done).
 */
int cli_finish(int rc);

#endif

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

struct cli_tool {
	const char *name;	/* "nvd-plan" */
	const char *usage;	/* "[OPTIONS] [FILE... | -- QEMU-ARGS | --pid PID]" */
	const char *summary;	/* one line: what the tool is for */
	const char *footer;	/* exit status etc. for --help */
	struct poptOption *options;	/* the tool's table, with CLI_COMMON_TABLE */
	bool own_short_v;	/* -V is the tool's (ndctl's -V), --version has no short form */
};

/*
 * Make sure fds 0, 1 and 2 are open before anything else is (DESIGN.md,
 * section 4). cli_start() calls it first; a tool opens no file before that.
 */
void cli_std_fds(void);

/*
 * Create the popt context (no ~/.popt: a user's aliases must not change a
 * validator). Returns the context; exits for --help, --version, --list-opts
 * and usage errors.
 */
poptContext cli_start(const struct cli_tool *tool, int argc, const char **argv);

/*
 * Handle one poptGetNextOpt() value that the tool did not: returns for
 * normal end (-1), exits 2 with a message for errors.
 */
void cli_check_opt(const struct cli_tool *tool, poptContext ctx, int rc);

/* What is on the command line besides the options. */
struct cli_args {
	poptContext ctx;
	const char **args;	/* words that are not options (NULL-terminated) */
	size_t nargs;
	char **rest;		/* the words after "--" (QEMU's arguments), or NULL */
	int nrest;
};

/*
 * All of the above in one call: split off everything after the first "--"
 * (it is QEMU's, never ours), parse the options, exit for --help, --version,
 * --list-opts and usage errors. Free with cli_args_free().
 */
void cli_parse(const struct cli_tool *tool, int argc, const char **argv, struct cli_args *a);
void cli_args_free(struct cli_args *a);

/*
 * On/off options whose value is optional, the same way in every tool:
 * "--share" alone means on, "--share=off" and "--share off" (the next word
 * on, off, yes, no, true or false) give the value; any other next word stays
 * an argument. Rewrites argv (up to "--") into "--NAME=VALUE" words before
 * parsing, and returns the new argc.
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

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading QEMU command lines: from argv, from files written with shell
 * quoting, from /proc/PID/cmdline; and QEMU's two option syntaxes,
 * QemuOpts/keyval ("type,key=val,...") and JSON ('{"qom-type":...}').
 */
#ifndef NVD_QEMU_ARGS_H
#define NVD_QEMU_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* One "-option [argument]" of a QEMU command line. */
struct qopt {
	char *name;	/* without dashes: "m", "object", "device" */
	char *arg;	/* NULL for options without argument */
	int pos;	/* index in the command line, for messages */
};

struct qcmdline {
	char *source;	/* file name, "command line", "pid 123" */
	struct qopt *opts;
	size_t nopts;
	bool libvirt;		/* translated from a libvirt domain XML file */
	struct strv refusals;	/* libvirt's own refusals of that domain */
};

/*
 * Split shell-quoted text into words: quotes, backslash escapes,
 * backslash-newline continuation and # comments, as sh(1) reads them,
 * without expansions. On error returns -1 and sets *err.
 */
int shell_split(const char *text, size_t len, struct strv *out, char **err);

/*
 * Build a command line from words. A leading program name (qemu-system-*,
 * qemu-kvm, a path to one) is skipped. Returns -1 with *err for an option
 * that needs an argument and has none.
 */
int qcmdline_from_words(char **words, size_t n, const char *source,
			struct qcmdline *cl, char **err);
void qcmdline_free(struct qcmdline *cl);

/* qemu-system-*, qemu-kvm or kvm, with or without a directory. */
bool is_program_name(const char *word);

/*
 * Sources; on failure they return a negative errno (I/O) or -EINVAL (syntax,
 * *err set). A file whose text starts with '<' is a libvirt domain XML,
 * translated to the arguments libvirt would give QEMU (libvirt.h).
 */
int qcmdline_from_file(const char *path, struct qcmdline *cl, char **err);
int qcmdline_from_pid(const char *procroot, long pid, struct qcmdline *cl, char **err);

/* Key/value pairs of one option argument. */
enum kv_type { KV_STRING, KV_INT, KV_BOOL, KV_OTHER };

struct kv {
	char *key;
	char *val;		/* text form; for JSON numbers and bools their text */
	enum kv_type type;	/* KV_STRING for everything in QemuOpts syntax */
	bool json;		/* from the JSON syntax: types are strict */
};

struct kvlist {
	struct kv *v;
	size_t n, cap;
	bool json;		/* came from the JSON syntax */
	char **flags;		/* QemuOpts short-form booleans ("foo" for foo=on), NULL-terminated */
	size_t nflags;
	struct strmap index;	/* key -> position in v, kept by kvlist_set() */
};

enum opts_syntax {
	SYNTAX_QEMUOPTS,	/* util/qemu-option.c: bare "flag" means flag=on */
	SYNTAX_KEYVAL,		/* util/keyval.c: bare key is an error */
};

/*
 * Parse "val,key=val,key=val" with ",," as an escaped comma; implied is the
 * key of a first element without '=' (NULL: none). A JSON object is parsed
 * instead when the text starts with '{'. Returns 0, or -1 with *err set to
 * QEMU's message for the malformed text.
 */
int opts_parse(const char *text, const char *implied, enum opts_syntax syntax,
	       struct kvlist *out, char **err);
/* The same, a JSON object read as QEMU 11.0 on does when json_located. */
int opts_parse_v(const char *text, const char *implied, enum opts_syntax syntax,
		 bool json_located, struct kvlist *out, char **err);
void kvlist_free(struct kvlist *kv);
/*
 * Set key to val (both owned by the list from now on): a new key goes last,
 * a repeated one keeps its place and takes the new value, as QEMU's QDict
 * and QemuOpts do ("the last one wins"). O(1).
 */
void kvlist_set(struct kvlist *kv, char *key, char *val, enum kv_type type);
/* O(1) for lists built by kvlist_set(); a scan otherwise. */
const struct kv *kv_find(const struct kvlist *kv, const char *key);
const char *kv_get(const struct kvlist *kv, const char *key);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Findings, and one set of print calls that write either text or JSON, so
 * the two outputs come from the same code and cannot drift (iproute2's
 * json_print.c is the model).
 */
#ifndef NVD_REPORT_H
#define NVD_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum level { LEVEL_INFO, LEVEL_WARN, LEVEL_FAIL };

struct finding {
	char *id;	/* stable, e.g. "nvdimm-label-size-min" */
	enum level level;
	char *message;	/* our explanation and the fix */
	char *qemu;	/* QEMU's own text, without prefixes; NULL when silent */
	char *object;	/* the id it concerns, or NULL */
};

struct findings {
	struct finding *v;
	size_t n;
};

/*
 * The finding catalogue (finding-catalogue.c): one row per id any tool
 * emits. A new id is a new row there (HACKING.md, "Findings").
 */
#define L_INFO (1u << LEVEL_INFO)
#define L_WARN (1u << LEVEL_WARN)
#define L_FAIL (1u << LEVEL_FAIL)
#define FINDING_QEMU_MAX 24
#define FINDING_KERNEL_MAX 12
#define FINDING_LIBVIRT_MAX 24

struct finding_def {
	const char *id;
	unsigned levels;	/* the levels it is emitted at: L_FAIL, L_WARN, L_INFO */
	bool check;		/* one of nvd-check's checks: its result may also be pass */
	const char *doc;	/* the man page(s) of the tool's side, "nvd-plan(1)" */
	const char *summary;	/* one line */
	const char *meaning;	/* what it means */
	const char *fix;	/* what to do */
	struct {
		const char *when;	/* the releases (or machines) it covers; NULL: all */
		const char *text;	/* QEMU's message, "..." for a value */
	} qemu[FINDING_QEMU_MAX];	/* QEMU's messages, if QEMU prints one */
	/* The guest's or host's kernel messages of the same fault, "..." for a value. */
	const char *kernel[FINDING_KERNEL_MAX];
	/* libvirt's (9.0) messages, without virsh's "error: ", "..." for a value. */
	const char *libvirt[FINDING_LIBVIRT_MAX];
};

extern const struct finding_def finding_catalogue[];
extern const size_t finding_catalogue_n;
/* The catalogue's row of id, or NULL. */
const struct finding_def *finding_def_find(const char *id);

/*
 * Add a finding. id must have a row in the catalogue that allows level: an
 * id without one, or a level its row does not allow, is a programming error
 * that aborts (the test suite runs every path that emits one).
 */
void finding_add(struct findings *f, enum level level, const char *id, const char *object,
		 const char *qemu, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/*
 * nvd-check's checks: id must have a check row in the catalogue that allows
 * the result (pass always; fail, warn, info as its levels say), or it aborts.
 */
void check_id_assert(const char *id, bool pass, enum level level);
/* Append a copy of every finding of from to to (another list). */
void findings_append(struct findings *to, const struct findings *from);
void findings_free(struct findings *f);
size_t findings_count(const struct findings *f, enum level level);
const char *level_name(enum level level);

struct out;

/* mode: text or JSON; color applies to text on a terminal only. */
struct out *out_new(FILE *fp, bool json, bool color);
/* Print the JSON document (if any) and free. Returns 0 or -errno of the stream. */
int out_finish(struct out *o);
/* Free without printing anything. */
void out_discard(struct out *o);
bool out_is_json(const struct out *o);
/* --quiet: text keeps failures and warnings only (callers ask out_is_quiet); JSON keeps all. */
void out_set_quiet(struct out *o, bool quiet);
bool out_is_quiet(const struct out *o);
/* JSON on one line (several objects in a stream), instead of indented. */
void out_set_compact(struct out *o);
/* Text shows info findings only when verbose (the default); JSON always has them. */
void out_set_verbose(struct out *o, bool verbose);

void out_obj_open(struct out *o, const char *key);
void out_obj_close(struct out *o);
void out_arr_open(struct out *o, const char *key);
void out_arr_close(struct out *o);
/* Each writes key/value to JSON, or printf(textfmt, value) to text (nothing if textfmt is NULL). */
void out_str(struct out *o, const char *key, const char *textfmt, const char *val);
void out_u64(struct out *o, const char *key, const char *textfmt, uint64_t val);
void out_i64(struct out *o, const char *key, const char *textfmt, int64_t val);
void out_bool(struct out *o, const char *key, const char *textfmt, bool val);
void out_null(struct out *o, const char *key, const char *text);
/*
 * Text only. Here and in out_str's textfmt, every %s argument is escaped
 * (control characters and invalid UTF-8 as \xNN: esc_vasprintf); in JSON,
 * strings are made valid UTF-8 (U+FFFD for a byte that is not).
 */
void out_text(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A colour (SGR sequence), raw: text on a terminal with colour only. */
void out_color(struct out *o, const char *sgr);

/*
 * A Prometheus label value (text exposition format): backslash, double quote
 * and newline escaped, other control characters and bytes that are not UTF-8
 * replaced by U+FFFD. Free it.
 */
char *prom_label_value(const char *s);

/* The findings array ("findings") in JSON, a line each in text. */
/* quiet: failures only in text (and warnings when strict makes them fail). */
void out_findings(struct out *o, const struct findings *f, bool quiet, bool strict);

#endif

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The finding catalogue: well-formed rows, unique ids, and finding_add()
 * aborting for an id the catalogue does not have, or a level its row does
 * not allow (a programming error must not pass silently).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report.h"
#include "unit.h"
#include "util.h"

/* Run finding_add(id, level) in a child: did it abort? */
static int aborts(const char *id, enum level level)
{
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct findings f = { 0 };

		/* the expected abort: no core, no message on the test's stderr */
		signal(SIGABRT, SIG_DFL);
		if (!freopen("/dev/null", "w", stderr))
			_exit(3);
		finding_add(&f, level, id, NULL, NULL, "x");
		findings_free(&f);
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT;
}

/* The same for check_id_assert(id, pass, level). */
static int check_aborts(const char *id, bool pass, enum level level)
{
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		signal(SIGABRT, SIG_DFL);
		if (!freopen("/dev/null", "w", stderr))
			_exit(3);
		check_id_assert(id, pass, level);
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT;
}

static bool id_wellformed(const char *s)
{
	if (!*s || *s == '-' || s[strlen(s) - 1] == '-')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return false;
	return true;
}

static bool one_line(const char *s)
{
	return s && *s && !strchr(s, '\n');
}

int main(void)
{
	struct findings f = { 0 }, g = { 0 };

	nvd_progname = "test_findings";
	CHECK(finding_catalogue_n > 100);
	for (size_t i = 0; i < finding_catalogue_n; i++) {
		const struct finding_def *d = &finding_catalogue[i];

		CHECK(id_wellformed(d->id));
		CHECK((d->levels || d->check) && !(d->levels & ~(L_FAIL | L_WARN | L_INFO)));
		CHECK(one_line(d->doc) && strstr(d->doc, "(1)"));
		CHECK(one_line(d->summary) && d->summary[strlen(d->summary) - 1] != '.');
		CHECK(one_line(d->meaning) && one_line(d->fix));
		for (int k = 0; k < FINDING_QEMU_MAX; k++)
			CHECK(!d->qemu[k].when || d->qemu[k].text);
		/* unique: the lookup finds this row, and no later one has the id */
		CHECK(finding_def_find(d->id) == d);
		for (size_t j = i + 1; j < finding_catalogue_n; j++)
			if (!strcmp(d->id, finding_catalogue[j].id)) {
				fprintf(stderr, "duplicate finding id %s\n", d->id);
				CHECK(0);
			}
	}
	CHECK(finding_def_find("no-such-finding") == NULL);

	/* the catalogue is enforced where findings are made */
	CHECK(aborts("dimm-memdev-unknown", LEVEL_FAIL) == 0);
	CHECK(aborts("label-index-invalid", LEVEL_WARN) == 0);
	CHECK(aborts("no-such-finding", LEVEL_FAIL) == 1);
	CHECK(aborts("host-checks-skipped", LEVEL_FAIL) == 1);	/* an info finding */
	CHECK(aborts("dimm-memdev-unknown", LEVEL_WARN) == 1);	/* a fail finding */
	CHECK(aborts("map-sync", LEVEL_FAIL) == 1);	/* a check is not a finding */
	CHECK(check_aborts("map-sync", true, LEVEL_INFO) == 0);
	CHECK(check_aborts("map-sync", false, LEVEL_FAIL) == 0);
	CHECK(check_aborts("map-sync", false, LEVEL_INFO) == 1);	/* not at that result */
	CHECK(check_aborts("dimm-memdev-unknown", false, LEVEL_FAIL) == 1);	/* not a check */
	CHECK(check_aborts("no-such-check", true, LEVEL_INFO) == 1);

	finding_add(&f, LEVEL_WARN, "nvdimm-share-off", "nv0", NULL, "share=%s", "off");
	finding_add(&g, LEVEL_INFO, "host-checks-skipped", NULL, NULL, "offline");
	findings_append(&g, &f);
	CHECK(g.n == 2 && !strcmp(g.v[1].id, "nvdimm-share-off") && g.v[1].level == LEVEL_WARN &&
	      !strcmp(g.v[1].message, "share=off") && !strcmp(g.v[1].object, "nv0"));
	findings_free(&f);
	findings_free(&g);
	UNIT_DONE();
}

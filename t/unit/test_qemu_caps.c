// SPDX-License-Identifier: GPL-2.0-or-later
/* What a QEMU binary offers: its lookups, and the cache's text form (round trip, refusals). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "qemu-caps.h"
#include "unit.h"
#include "util.h"

static const char GOOD[] = "version 7.2.22\n"
			   "package Debian 1:7.2+dfsg-7 (x)\n"
			   "asked 1\n"
			   "machine pc-i440fx-7.2\n"
			   "machine pc-q35-7.2\n"
			   "machine none\n"
			   "alias pc pc-i440fx-7.2\n"
			   "alias q35 pc-q35-7.2\n"
			   "cpu qemu64\n"
			   "cpu Skylake-Client\n"
			   "device memory-backend-file\n"
			   "device nvdimm\n"
			   "prop memory-backend-file.pmem\n"
			   "prop nvdimm.label-size\n";

/* Parsing text must fail, and leave c as it was. */
static int refused(const char *text)
{
	struct qemu_caps c = { .path = xstrdup("/q") };
	int ok = qemu_caps_parse(text, &c) == -EINVAL && !strcmp(c.path, "/q") && !c.version;

	if (!ok)
		fprintf(stderr, "accepted: %s\n", text);
	qemu_caps_free(&c);
	return ok;
}

int main(void)
{
	struct qemu_caps c = { .path = xstrdup("/usr/bin/qemu-system-x86_64") }, d = { 0 };
	struct strbuf sb;
	const char *type;
	char *name;

	CHECK(qemu_caps_parse(GOOD, &c) == 0);
	CHECK(!strcmp(c.path, "/usr/bin/qemu-system-x86_64"));
	CHECK(c.asked && !strcmp(c.version, "7.2.22"));
	CHECK(qemu_caps_machine(&c, "pc", &type) && !strcmp(type, "pc-i440fx-7.2"));
	CHECK(qemu_caps_machine(&c, "pc-q35-7.2", &type) && !type);
	CHECK(!qemu_caps_machine(&c, "pc-q35-7.1", NULL));
	/* "p" is not "pc": an alias is matched whole */
	CHECK(!qemu_caps_machine(&c, "p", NULL));
	CHECK(qemu_caps_cpu(&c, "Skylake-Client") && !qemu_caps_cpu(&c, "skylake-client"));
	CHECK(qemu_caps_prop(&c, "memory-backend-file", "pmem") == 1);
	CHECK(qemu_caps_prop(&c, "memory-backend-file", "pme") == 0);
	CHECK(qemu_caps_prop(&c, "nvdimm", "label-size") == 1);
	CHECK(qemu_caps_prop(&c, "nvdimm", "unarmed") == 0);
	/* a type asked that the binary does not have, and one never asked: not known */
	CHECK(qemu_caps_prop(&c, "virtio-pmem-pci", "memaddr") == -1);
	CHECK(qemu_caps_prop(&c, "cxl-type3", "size") == -1);
	name = qemu_caps_name(&c);
	CHECK(!strcmp(name, "/usr/bin/qemu-system-x86_64 (QEMU 7.2.22, Debian 1:7.2+dfsg-7 (x))"));
	free(name);

	/* the text form reads back the same */
	sb_init(&sb);
	qemu_caps_format(&c, &sb);
	d.path = xstrdup("/x");
	CHECK(qemu_caps_parse(sb.buf, &d) == 0);
	CHECK(d.machines.n == 3 && d.aliases.n == 2 && d.cpus.n == 2 && d.props.n == 2 &&
	      d.devices.n == 2 && !strcmp(d.package, c.package));
	sb_release(&sb);
	qemu_caps_free(&d);
	/* not asked: nothing but the release is known */
	c.asked = false;
	CHECK(qemu_caps_prop(&c, "nvdimm", "label-size") == -1);
	qemu_caps_free(&c);

	/* corrupt, torn, or not ours: refused whole */
	CHECK(refused(""));
	CHECK(refused("version 7.2.22\npackage \nasked 1\nmachine pc i440fx\n"));
	CHECK(refused("version 7.2.22\npackage \nasked 1\nmachine pc"));	/* torn */
	CHECK(refused("version 7.2.22\npackage \n"));				/* no asked */
	CHECK(refused("version x.y\npackage \nasked 1\n"));
	CHECK(refused("version 7.2.22\npackage a\x01b\nasked 1\n"));
	CHECK(refused("version 7.2.22\npackage \nasked 1\ncolour blue\n"));
	CHECK(refused("version 7.2.22\npackage \nasked 2\n"));
	CHECK(refused("version 7.2.22\npackage \nasked 1\nalias pc\n"));
	CHECK(refused("version 7.2.22\npackage \nasked 1\nmachine \xc3\xa9t\xc3\xa9\n"));
	d.path = xstrdup("/x");
	CHECK(qemu_caps_parse("version 7.2.22\npackage \nasked 0\n", &d) == 0 && !d.asked);
	qemu_caps_free(&d);
	CHECK(qemu_caps_word("pc-i440fx-7.2") && !qemu_caps_word("") && !qemu_caps_word("a b") &&
	      !qemu_caps_word("a\tb"));
	UNIT_DONE();
}

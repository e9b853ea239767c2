// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: what a QEMU binary answers over QMP (common/host/qemu-probe.c), then the
 * cache's text form of what was kept: whatever QEMU said, the text written must read back
 * the same (a cache nvd-plan wrote is never one it refuses), and any text read as a cache
 * file is refused or read without a fault.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qemu-caps.h"
#include "qemu-probe.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	struct qemu_caps c = { 0 }, d = { 0 };
	struct strbuf sb;

	if (!qemu_probe_read_qmp(text, &c)) {
		c.path = xstrdup("/q");
		sb_init(&sb);
		qemu_caps_format(&c, &sb);
		d.path = xstrdup("/q");
		assert(qemu_caps_parse(sb.buf, &d) == 0);
		assert(d.machines.n == c.machines.n && d.cpus.n == c.cpus.n &&
		       d.props.n == c.props.n && d.aliases.n == c.aliases.n && d.asked == c.asked);
		sb_release(&sb);
		qemu_caps_free(&d);
	}
	qemu_caps_free(&c);
	d.path = xstrdup("/q");
	if (!qemu_caps_parse(text, &d))
		(void)qemu_caps_machine(&d, "pc", NULL);
	qemu_caps_free(&d);
	free(text);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
#include "qemu-caps.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *const qemu_caps_types[] = {
	"memory-backend-file", "nvdimm", "pc-dimm", "virtio-pmem-pci", "virtio-mem-pci", "cxl-type3",
	NULL,
};

static bool strv_has(const struct strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (!strcmp(sv->v[i], s))
			return true;
	return false;
}

bool qemu_caps_machine(const struct qemu_caps *c, const char *name, const char **type)
{
	size_t n = strlen(name);

	if (type)
		*type = NULL;
	for (size_t i = 0; i < c->aliases.n; i++) {
		const char *a = c->aliases.v[i];

		if (!strncmp(a, name, n) && a[n] == ' ') {
			if (type)
				*type = a + n + 1;
			return true;
		}
	}
	return strv_has(&c->machines, name);
}

bool qemu_caps_cpu(const struct qemu_caps *c, const char *model)
{
	return strv_has(&c->cpus, model);
}

int qemu_caps_device(const struct qemu_caps *c, const char *driver)
{
	bool asked = false;

	if (!c->asked)
		return -1;
	for (size_t i = 0; qemu_caps_types[i]; i++)
		asked |= !strcmp(qemu_caps_types[i], driver);
	if (!asked)
		return -1;
	return strv_has(&c->devices, driver);
}

int qemu_caps_prop(const struct qemu_caps *c, const char *type, const char *prop)
{
	size_t n = strlen(type);

	if (qemu_caps_device(c, type) != 1)
		return -1;
	for (size_t i = 0; i < c->props.n; i++) {
		const char *p = c->props.v[i];

		if (!strncmp(p, type, n) && p[n] == '.' && !strcmp(p + n + 1, prop))
			return 1;
	}
	return 0;
}

char *qemu_caps_name(const struct qemu_caps *c)
{
	return xasprintf("%s (QEMU %s%s%s)", c->path, c->version, *c->package ? ", " : "",
			 c->package);
}

bool qemu_caps_word(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if ((unsigned char)s[n] <= ' ' || (unsigned char)s[n] >= 0x7f || n >= 200)
			return false;
	return n > 0;
}

static void add_list(struct strbuf *sb, const char *key, const struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		sb_addf(sb, "%s %s\n", key, sv->v[i]);
}

void qemu_caps_format(const struct qemu_caps *c, struct strbuf *sb)
{
	sb_addf(sb, "version %s\n", c->version);
	sb_addf(sb, "package %s\n", c->package);
	sb_addf(sb, "asked %d\n", c->asked);
	add_list(sb, "machine", &c->machines);
	add_list(sb, "alias", &c->aliases);
	add_list(sb, "cpu", &c->cpus);
	add_list(sb, "device", &c->devices);
	add_list(sb, "prop", &c->props);
}

/* The package is free text (printable); every other value is one word, "alias" two. */
static bool text_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || *s == 0x7f)
			return false;
	return true;
}

int qemu_caps_parse(const char *text, struct qemu_caps *c)
{
	struct qemu_caps n = { 0 };
	const char *line = text;
	bool has_version = false, has_asked = false;

	/* one allocation a line, the value's: nvd-plan reads this at every start */
	while (*line) {
		const char *eol = strchr(line, '\n'), *sp;
		struct strv *list = NULL;
		size_t klen;
		char *val;

		if (!eol)
			goto bad;	/* a torn last line */
		sp = memchr(line, ' ', (size_t)(eol - line));
		if (!sp)
			goto bad;
		klen = (size_t)(sp - line);
#define KEY(k) (klen == sizeof(k) - 1 && !memcmp(line, k, klen))
		if (KEY("prop"))
			list = &n.props;
		else if (KEY("cpu"))
			list = &n.cpus;
		else if (KEY("machine"))
			list = &n.machines;
		else if (KEY("device"))
			list = &n.devices;
		val = xstrndup(sp + 1, (size_t)(eol - sp - 1));
		if (list && qemu_caps_word(val)) {
			strv_push(list, val);
		} else if (KEY("alias") && strchr(val, ' ') && qemu_caps_word(strchr(val, ' ') + 1)) {
			char *alias_sp = strchr(val, ' ');

			*alias_sp = '\0';
			if (!qemu_caps_word(val)) {
				free(val);
				goto bad;
			}
			*alias_sp = ' ';
			strv_push(&n.aliases, val);
		} else if (KEY("package") && text_printable(val) && !n.package) {
			n.package = val;
		} else if (KEY("version") && qemu_caps_word(val) && !n.version &&
			   qver_parse(val) > 0) {
			n.version = val;
			has_version = true;
		} else if (KEY("asked") && (!strcmp(val, "0") || !strcmp(val, "1"))) {
			n.asked = *val == '1';
			has_asked = true;
			free(val);
		} else {
			free(val);
			goto bad;
		}
#undef KEY
		line = eol + 1;
	}
	if (!has_version || !has_asked || !n.package)
		goto bad;
	n.path = c->path;	/* the caller's */
	*c = n;
	return 0;
bad:
	n.path = NULL;
	qemu_caps_free(&n);
	return -EINVAL;
}

void qemu_caps_free(struct qemu_caps *c)
{
	free(c->path);
	free(c->version);
	free(c->package);
	strv_free(&c->machines);
	strv_free(&c->aliases);
	strv_free(&c->cpus);
	strv_free(&c->props);
	strv_free(&c->devices);
	memset(c, 0, sizeof(*c));
}

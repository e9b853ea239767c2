/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small XML reader for configuration files (libvirt domain XML): elements,
 * attributes and text, the five predefined entities and character
 * references, comments, CDATA, processing instructions and a DOCTYPE
 * without internal subset. No namespaces, no DTD, no external entities.
 */
#ifndef NVD_XML_H
#define NVD_XML_H

#include <stddef.h>

struct xml_attr {
	char *name, *value;
};

struct xml_node {
	char *name;
	struct xml_attr *attrs;
	size_t nattrs;
	char *text;		/* the element's own character data, concatenated */
	struct xml_node *children;
	size_t nchildren;
	unsigned line;		/* where its start tag is */
};

/*
 * Parse a document of len bytes into *root (its one top-level element).
 * 0, or -1 with *err set to "line N: what is wrong".
 */
int xml_parse(const char *text, size_t len, struct xml_node *root, char **err);
void xml_free(struct xml_node *n);

/* The first child element called name, or NULL; a path "a/b/c" descends. */
const struct xml_node *xml_child(const struct xml_node *n, const char *path);
/* An attribute's value, or NULL. */
const char *xml_attr(const struct xml_node *n, const char *name);
/* The text of the child at path with white space trimmed, or NULL if there is no such child. */
const char *xml_text(const struct xml_node *n, const char *path);

#endif

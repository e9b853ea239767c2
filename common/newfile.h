/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A new file that appears whole or not at all: written under no name
 * (O_TMPFILE) or, where the file system has no O_TMPFILE, under a hidden
 * temporary one; made durable; then linked to its name, which link() never
 * replaces; then the directory made durable.
 */
#ifndef NVD_NEWFILE_H
#define NVD_NEWFILE_H

#include <stdbool.h>
#include <sys/types.h>

struct newfile {
	int fd;
	const char *path;	/* the name it gets (the caller's string) */
	char *dir;		/* the directory it is made in */
	char *tmpname;		/* the temporary name, or NULL with O_TMPFILE */
	const char *step;	/* after a failure: what failed ("fsync", "link", ...) */
};

/*
 * Open the new file for path, mode as open(2) takes it; named: always under
 * a hidden temporary name (what newfile_replace needs). 0, or -errno.
 */
int newfile_open(struct newfile *nf, const char *path, mode_t mode, bool named);
/*
 * Make the data durable and give the file its name. 0, or -errno (EEXIST:
 * the name appeared meanwhile) with nf->step set and nothing left behind.
 * The descriptor stays open (newfile_close).
 */
int newfile_commit(struct newfile *nf);
/*
 * Make the data durable and rename it over path (which may exist: its old
 * content stays whole until the rename). 0, or -errno with nf->step set.
 * Needs a file opened named.
 */
int newfile_replace(struct newfile *nf);
/* Close the descriptor; a file never committed is removed. */
void newfile_close(struct newfile *nf);

#endif

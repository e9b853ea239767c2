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

/*
 * An output file named on a command line (nvd-label read -o, nvd-plan
 * --junit): "-" is stdout; an existing file that is not regular (a device,
 * a FIFO) is written as it is; any other is written beside its name and
 * replaced whole at outfile_commit (the target of a symbolic link, keeping
 * owner and mode), so that it is never found truncated or half-written.
 * Each call prints its own one-line error ("PATH: cannot ...") and returns
 * 0 or NVD_EXIT_ENV.
 */
struct outfile {
	const char *path;	/* as given */
	int fd;
	bool direct;		/* stdout or a non-regular file: written in place */
	char *real;		/* the symbolic link's target, or NULL */
	struct newfile nf;
};
int outfile_open(struct outfile *of, const char *path);
/*
 * The same for a file a service writes as root into a directory others may write to
 * (nvd-check --textfile): the name itself is replaced by a new regular file, whatever it is
 * now; a symbolic link there is replaced, never followed, and a device or FIFO is never
 * written. An existing regular file keeps its owner and mode.
 */
int outfile_open_name(struct outfile *of, const char *path);
int outfile_write(struct outfile *of, const void *buf, size_t len);
int outfile_commit(struct outfile *of);
/* Without outfile_commit: nothing replaced, the new file removed. */
void outfile_close(struct outfile *of);

/* A file a run reads: "the configuration", "the backend"... */
struct run_input {
	const char *what;
	const char *path;
};

/*
 * The input that output would overwrite: the same device and inode
 * (symbolic links followed), or NULL. output "-" is standard output (when
 * it is a file or a block device). Inputs that are NULL, "-" or do not
 * exist never match.
 */
const struct run_input *output_is_input(const char *output, const struct run_input *in, size_t n);

#endif

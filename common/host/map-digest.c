// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A content digest of a backend that skips holes: the window is cut into
 * 4 MiB chunks, each hashed with XXH64 as if holes were zeros (a chunk that
 * is all hole costs no reading: its hash is computed once), and the chunk
 * hashes are hashed in order with the window length. So a sparse and a
 * dense copy of the same bytes give the same digest. Chunks are spread over
 * threads; the combination is in order, in batches of bounded memory.
 */
#include "map.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend.h"
#include "util.h"

#define P1 11400714785074694791ULL
#define P2 14029467366897019727ULL
#define P3 1609587929392839161ULL
#define P4 9650029242287828579ULL
#define P5 2870177450012600261ULL
#define BATCH 4096		/* chunks per batch: 16 GiB, 32 KiB of hashes */

static inline uint64_t rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

static inline uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

static inline uint64_t round64(uint64_t acc, uint64_t in)
{
	acc += in * P2;
	acc = rotl(acc, 31);
	return acc * P1;
}

static inline uint64_t merge64(uint64_t acc, uint64_t v)
{
	acc ^= round64(0, v);
	return acc * P1 + P4;
}

uint64_t xxh64(const void *data, size_t len, uint64_t seed)
{
	const uint8_t *p = data, *end = p + len;
	uint64_t h;

	if (len >= 32) {
		const uint8_t *limit = end - 32;
		uint64_t v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed - P1;

		do {
			v1 = round64(v1, rd64(p));
			v2 = round64(v2, rd64(p + 8));
			v3 = round64(v3, rd64(p + 16));
			v4 = round64(v4, rd64(p + 24));
			p += 32;
		} while (p <= limit);
		h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
		h = merge64(h, v1);
		h = merge64(h, v2);
		h = merge64(h, v3);
		h = merge64(h, v4);
	} else {
		h = seed + P5;
	}
	h += (uint64_t)len;
	while (p + 8 <= end) {
		h ^= round64(0, rd64(p));
		h = rotl(h, 27) * P1 + P4;
		p += 8;
	}
	if (p + 4 <= end) {
		h ^= (uint64_t)rd32(p) * P1;
		h = rotl(h, 23) * P2 + P3;
		p += 4;
	}
	while (p < end) {
		h ^= (*p++) * P5;
		h = rotl(h, 11) * P1;
	}
	h ^= h >> 33;
	h *= P2;
	h ^= h >> 29;
	h *= P3;
	h ^= h >> 32;
	return h;
}

unsigned map_default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 16 ? 16 : (unsigned)n;
}

struct digest_job {
	int fd;
	uint64_t offset, size;		/* the window */
	uint64_t first, count;		/* chunks of this batch */
	uint64_t zero_hash;		/* of a full chunk of zeros */
	uint64_t *hashes;
	atomic_uint_fast64_t next;
	atomic_uint_fast64_t data_bytes;
	atomic_int err;
};

/* Next data at or after pos, or end when none before it. */
static uint64_t next_data(int fd, uint64_t pos, uint64_t end)
{
	off_t r = lseek(fd, (off_t)pos, SEEK_DATA);

	if (r < 0)
		return errno == ENXIO ? end : pos;	/* no SEEK_DATA: all data */
	return (uint64_t)r < end ? (uint64_t)r : end;
}

static uint64_t next_hole(int fd, uint64_t pos, uint64_t end)
{
	off_t r = lseek(fd, (off_t)pos, SEEK_HOLE);

	if (r < 0)
		return end;
	return (uint64_t)r < end ? (uint64_t)r : end;
}

static int pread_full(int fd, uint8_t *buf, uint64_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pread(fd, buf, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ENODATA;	/* shrunk under us */
		buf += n;
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return 0;
}

/* The hash of chunk i: holes read as zeros, all-hole chunks not read at all. */
static int hash_chunk(struct digest_job *j, uint8_t *buf, uint64_t i, uint64_t *out)
{
	uint64_t start = j->offset + i * MAP_DIGEST_CHUNK;
	uint64_t end = start + MAP_DIGEST_CHUNK, pos, data = 0;
	int err;

	if (end > j->offset + j->size)
		end = j->offset + j->size;
	pos = next_data(j->fd, start, end);
	if (pos == end && end - start == MAP_DIGEST_CHUNK) {
		*out = j->zero_hash;
		return 0;
	}
	memset(buf, 0, pos - start);
	while (pos < end) {
		uint64_t hole = next_hole(j->fd, pos, end), nd;

		err = pread_full(j->fd, buf + (pos - start), hole - pos, pos);
		if (err)
			return err;
		data += hole - pos;
		nd = hole < end ? next_data(j->fd, hole, end) : end;
		memset(buf + (hole - start), 0, nd - hole);
		pos = nd;
	}
	atomic_fetch_add(&j->data_bytes, data);
	*out = xxh64(buf, end - start, 0);
	return 0;
}

static void *digest_worker(void *arg)
{
	struct digest_job *j = arg;
	uint8_t *buf = xmalloc(MAP_DIGEST_CHUNK);

	for (;;) {
		uint64_t k = atomic_fetch_add(&j->next, 1);
		int err;

		if (k >= j->count || atomic_load(&j->err))
			break;
		err = hash_chunk(j, buf, j->first + k, &j->hashes[k]);
		if (err) {
			atomic_store(&j->err, err);
			break;
		}
	}
	free(buf);
	return NULL;
}

/* The hash of a whole chunk of zeros: every all-hole chunk has it. */
static uint64_t zero_chunk_hash;

static void zero_chunk_hash_init(void)
{
	uint8_t *zero = xcalloc(1, MAP_DIGEST_CHUNK);

	zero_chunk_hash = xxh64(zero, MAP_DIGEST_CHUNK, 0);
	free(zero);
}

int map_digest_fd(int fd, uint64_t offset, uint64_t size, unsigned threads,
		  struct map_digest *d)
{
	uint64_t nchunks = (size + MAP_DIGEST_CHUNK - 1) / MAP_DIGEST_CHUNK;
	uint64_t *all = xmalloc((BATCH + 2) * sizeof(uint64_t));
	uint64_t combined = 0;	/* running hash of the batches, in order */
	struct digest_job j;
	pthread_t *tids;
	int err = 0;
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	if (threads < 1)
		threads = 1;
	memset(&j, 0, sizeof(j));
	j.fd = fd;
	j.offset = offset;
	j.size = size;
	pthread_once(&once, zero_chunk_hash_init);
	j.zero_hash = zero_chunk_hash;
	j.hashes = all + 1;
	tids = xcalloc(threads, sizeof(*tids));
	for (uint64_t first = 0; first < nchunks && !err; first += BATCH) {
		unsigned started = 0;

		j.first = first;
		j.count = nchunks - first < BATCH ? nchunks - first : BATCH;
		atomic_store(&j.next, 0);
		for (unsigned t = 0; t < threads && t < j.count; t++) {
			if (pthread_create(&tids[t], NULL, digest_worker, &j))
				break;
			started++;
		}
		if (!started)
			digest_worker(&j);
		for (unsigned t = 0; t < started; t++)
			pthread_join(tids[t], NULL);
		err = atomic_load(&j.err);
		/* Chain: the previous batches' hash, then this batch's chunk hashes. */
		all[0] = htole64(combined);
		for (uint64_t k = 1; k <= j.count; k++)
			all[k] = htole64(all[k]);
		combined = xxh64(all, (j.count + 1) * sizeof(uint64_t), 0);
	}
	all[0] = htole64(combined);
	all[1] = htole64(size);
	d->digest = xxh64(all, 2 * sizeof(uint64_t), 0);
	d->data_bytes = atomic_load(&j.data_bytes);
	d->hole_bytes = size - d->data_bytes;
	free(tids);
	free(all);
	return err;
}

int map_digest(const struct map_digest_opts *dopts, struct out *o)
{
	struct map_digest d;
	struct stat st;
	uint64_t size, fsize;
	char hex[17], buf[128];
	const char *why;
	int fd, err;

	fd = open(dopts->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		nvd_warnx("%s: cannot open: %s", dopts->path, strerror(errno));
		return NVD_EXIT_ENV;
	}
	if (fstat(fd, &st) < 0 || (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))) {
		nvd_warnx("%s: not a regular file or block device: digest reads backends only",
			  dopts->path);
		close(fd);
		return NVD_EXIT_ENV;
	}
	/*
	 * Shared lock: nvd-label and prealloc, which take it exclusive to write,
	 * do not write while we read (writers that take no lock can; the check
	 * after reading catches a file cut short or replaced meanwhile).
	 */
	if (flock(fd, LOCK_SH | LOCK_NB) < 0) {
		nvd_warnx("%s: cannot lock: %s", dopts->path,
			  errno == EWOULDBLOCK ? "a writer holds a lock on it" : strerror(errno));
		close(fd);
		return NVD_EXIT_ENV;
	}
	/* A block device's size is the device's (st_size is 0), as QEMU finds it. */
	err = backend_fd_size(fd, &fsize);
	if (err) {
		nvd_warnx("%s: cannot get the device size: %s", dopts->path, strerror(-err));
		close(fd);
		return NVD_EXIT_ENV;
	}
	if (dopts->offset > fsize || (dopts->has_size && dopts->size > fsize - dopts->offset)) {
		nvd_warnx("%s: the window ends after the end of the file (%llu bytes)", dopts->path,
			  (unsigned long long)fsize);
		close(fd);
		return NVD_EXIT_ENV;
	}
	size = dopts->has_size ? dopts->size : fsize - dopts->offset;
	err = map_digest_fd(fd, dopts->offset, size, dopts->threads, &d);
	why = backend_changed(fd, dopts->path, &st, fsize, buf, sizeof(buf));
	close(fd);
	if (why) {
		/* the real cause of a short read, or a digest of a file no longer there */
		nvd_warnx("%s: changed under digest: %s", dopts->path, why);
		return NVD_EXIT_ENV;
	}
	if (err) {
		nvd_warnx("%s: read error: %s", dopts->path, strerror(-err));
		return NVD_EXIT_ENV;
	}
	snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)d.digest);
	map_out_head(o, "digest", dopts->path);
	out_str(o, "algorithm", NULL, MAP_DIGEST_ALGO);
	out_str(o, "digest", "%s", hex);
	out_text(o, "  %s\n", dopts->path);
	out_u64(o, "offset", NULL, dopts->offset);
	out_u64(o, "size", NULL, size);
	out_u64(o, "data_bytes", dopts->verbose ? "data: %llu bytes, " : NULL, d.data_bytes);
	out_u64(o, "hole_bytes", dopts->verbose ? "holes: %llu bytes\n" : NULL, d.hole_bytes);
	if (dopts->expect) {
		bool match = !strcasecmp(dopts->expect, hex);

		out_bool(o, "match", NULL, match);
		if (!match) {
			nvd_warnx("%s: digest %s differs from the expected %s", dopts->path, hex,
				  dopts->expect);
			return NVD_EXIT_FAIL;
		}
	}
	return 0;
}

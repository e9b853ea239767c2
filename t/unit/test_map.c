// SPDX-License-Identifier: GPL-2.0-or-later
/* nvd-map's digest: XXH64 against published vectors, holes read as zeros. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "map.h"
#include "unit.h"
#include "util.h"

static const char *const SPAM = "Nobody inspects the spammish repetition";

int main(void)
{
	char path[] = "/tmp/nvd-map-unit-XXXXXX";
	struct map_digest a, b, c;
	uint8_t *buf;
	int fd;

	/* xxHash's reference values (xxhsum, python-xxhash's documentation). */
	CHECK(xxh64("", 0, 0) == 0xef46db3751d8e999ULL);
	CHECK(xxh64("abc", 3, 0) == 0x44bc2cf5ad770999ULL);
	CHECK(xxh64(SPAM, strlen(SPAM), 0) == 0xfbcea83c8a378bf1ULL);
	CHECK(xxh64("xxhash", 6, 0) == 0x32dd38952c4bc720ULL);
	CHECK(xxh64("xxhash", 6, 20141025) == 0xb559b98d844e0635ULL);

	/* A hole and written zeros are the same content; thread count changes nothing. */
	fd = mkstemp(path);
	CHECK(fd >= 0);
	unlink(path);
	CHECK(ftruncate(fd, (off_t)(3 * MAP_DIGEST_CHUNK + 100)) == 0);
	CHECK(map_digest_fd(fd, 0, 3 * MAP_DIGEST_CHUNK + 100, 1, &a) == 0);
	buf = xcalloc(1, MAP_DIGEST_CHUNK);
	CHECK(pwrite(fd, buf, MAP_DIGEST_CHUNK, (off_t)MAP_DIGEST_CHUNK) == (ssize_t)MAP_DIGEST_CHUNK);
	CHECK(fsync(fd) == 0);
	CHECK(map_digest_fd(fd, 0, 3 * MAP_DIGEST_CHUNK + 100, 4, &b) == 0);
	CHECK(a.digest == b.digest);
	CHECK(a.data_bytes == 0 && a.hole_bytes == 3 * MAP_DIGEST_CHUNK + 100);
	buf[17] = 1;
	CHECK(pwrite(fd, buf, MAP_DIGEST_CHUNK, (off_t)MAP_DIGEST_CHUNK) == (ssize_t)MAP_DIGEST_CHUNK);
	CHECK(map_digest_fd(fd, 0, 3 * MAP_DIGEST_CHUNK + 100, 3, &c) == 0);
	CHECK(c.digest != a.digest);
	CHECK(map_digest_fd(fd, MAP_DIGEST_CHUNK, 0, 2, &c) == 0 && c.data_bytes == 0);
	free(buf);
	close(fd);
	UNIT_DONE();
}

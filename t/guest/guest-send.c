/*
 * guest-send: copy standard input to QEMU's isa-debugcon I/O port, the guest's channel
 * back to the host (run adds -device isa-debugcon,iobase=0xe9 writing to a file).
 *
 * One "rep outsb" per buffer: no UART, no interrupts, no tty layer, so under TCG it is
 * several times faster than a serial port and binary-safe.
 *
 * Usage: guest-send [PORT] < DATA     (PORT defaults to 0xe9)
 * Built static by t/guest/setup and run inside the guest only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned long port = argc > 1 ? strtoul(argv[1], NULL, 0) : 0xe9;
	static char buf[1 << 16];
	ssize_t n;

	if (port > 0xffff || ioperm(port, 1, 1) != 0) {
		fprintf(stderr, "guest-send: cannot use I/O port %#lx: %s\n", port, strerror(errno));
		return 3;
	}
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "guest-send: read: %s\n", strerror(errno));
			return 3;
		}
		outsb(port, buf, n);
	}
	return 0;
}

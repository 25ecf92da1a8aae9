// SPDX-License-Identifier: MIT
/*
 * /init of the conformance initramfs (PID 1, static).
 *
 * Mounts proc, sys, devtmpfs and cgroup2; fixes the mm knobs the suite
 * depends on; loads brd.ko (a RAM disk used as swap, so MADV_PAGEOUT has
 * somewhere to write anonymous pages) and mnlog.ko with finit_module(2);
 * runs /ops; copies its normalised trace and raw log to the data port
 * (/dev/ttyS1, the second QEMU serial port; the console /dev/ttyS0 keeps
 * kernel messages) between MNSIM-* markers; powers off.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static FILE *data;

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "init: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
}

static void power_off(void)
{
	if (data)
		fflush(data);
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

static void fatal(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	fprintf(stderr, "init: FATAL: ");
	vfprintf(stderr, fmt, ap);
	if (e)
		fprintf(stderr, ": %s", strerror(e));
	fprintf(stderr, "\n");
	va_end(ap);
	if (data) {
		fprintf(data, "MNSIM-FATAL init failed, see the console log\n");
		fflush(data);
	}
	power_off();
}

static void knob(const char *path, const char *val, int required)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || write(fd, val, strlen(val)) != (ssize_t)strlen(val)) {
		if (required)
			fatal("write %s to %s", val, path);
		say("warning: cannot write %s to %s: %s", val, path,
		    strerror(errno));
	}
	if (fd >= 0)
		close(fd);
}

static void load_module(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		fatal("open %s", path);
	if (syscall(SYS_finit_module, fd, params, 0))
		fatal("finit_module %s", path);
	close(fd);
}

/* Write a version-1 swap header (what mkswap does) and swapon. */
static void make_swap(const char *dev)
{
	static char page[4096];
	unsigned int *w = (unsigned int *)(page + 1024);
	off_t size;
	int fd, tries;

	for (tries = 0; (fd = open(dev, O_RDWR)) < 0 && tries < 100; tries++)
		usleep(10000);
	if (fd < 0)
		fatal("open %s", dev);
	size = lseek(fd, 0, SEEK_END);
	if (size < (off_t)(16 * sizeof(page)))
		fatal("%s too small", dev);
	w[0] = 1;				/* version */
	w[1] = (unsigned int)(size / sizeof(page)) - 1;	/* last_page */
	w[2] = 0;				/* nr_badpages */
	memcpy(page + sizeof(page) - 10, "SWAPSPACE2", 10);
	if (pwrite(fd, page, sizeof(page), 0) != sizeof(page) || fsync(fd))
		fatal("write swap header");
	close(fd);
	if (swapon(dev, 0))
		fatal("swapon %s", dev);
}

static void copy_file(const char *path)
{
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(data, "MNSIM-MISSING %s\n", path);
		return;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, data);
	fclose(f);
}

int main(void)
{
	struct termios t;
	int st, out, dfd;
	pid_t pid;

	mkdir("/proc", 0755);
	mkdir("/sys", 0755);
	mkdir("/dev", 0755);
	if (mount("proc", "/proc", "proc", 0, NULL))
		fatal("mount /proc");
	if (mount("sysfs", "/sys", "sysfs", 0, NULL))
		fatal("mount /sys");
	if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) && errno != EBUSY)
		fatal("mount /dev");
	if (mount("cgroup2", "/sys/fs/cgroup", "cgroup2", 0, NULL))
		say("warning: cannot mount cgroup2: %s", strerror(errno));

	dfd = open("/dev/ttyS1", O_WRONLY | O_NOCTTY);
	if (dfd < 0)
		fatal("open /dev/ttyS1 (the data port)");
	if (!tcgetattr(dfd, &t)) {
		cfmakeraw(&t);
		tcsetattr(dfd, TCSANOW, &t);
	}
	data = fdopen(dfd, "w");
	if (!data)
		fatal("fdopen data port");
	fprintf(data, "MNSIM-BOOTED %s\n", "init");
	fflush(data);

	/* determinism: no background collapse, NUMA hinting faults or KSM */
	knob("/sys/kernel/mm/transparent_hugepage/enabled", "madvise", 1);
	knob("/sys/kernel/mm/transparent_hugepage/defrag", "madvise", 1);
	knob("/proc/sys/kernel/numa_balancing", "0", 0);
	knob("/sys/kernel/mm/ksm/run", "0", 1);

	load_module("/brd.ko", "rd_nr=1 rd_size=65536");
	make_swap("/dev/ram0");
	load_module("/mnlog.ko", "");

	out = open("/trace.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0)
		fatal("create /trace.txt");
	pid = fork();
	if (pid < 0)
		fatal("fork");
	if (pid == 0) {
		char *argv[] = { "/ops", "--raw", "/raw.txt", NULL };
		char *envp[] = { "PATH=/", NULL };

		dup2(out, 1);
		execve("/ops", argv, envp);
		_exit(127);
	}
	close(out);
	if (waitpid(pid, &st, 0) != pid)
		fatal("waitpid");

	fprintf(data, "MNSIM-TRACE-BEGIN\n");
	copy_file("/trace.txt");
	fprintf(data, "MNSIM-TRACE-END\n");
	fprintf(data, "MNSIM-RAW-BEGIN\n");
	copy_file("/raw.txt");
	fprintf(data, "MNSIM-RAW-END\n");
	fprintf(data, "MNSIM-OPS-EXIT %d\n",
		WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	fflush(data);
	tcdrain(dfd);
	power_off();
	return 0;
}

// SPDX-License-Identifier: MIT
/*
 * ops - the conformance operation suite, run against the real kernel.
 *
 * Every operation runs in a fresh child process (a fresh mm, so cur_seq
 * starts from the same value and earlier operations leave nothing behind).
 * The child sets up its mappings in the test window, attaches to the mnlog
 * module (mmu_notifier + interval notifier over the whole window), writes a
 * marker, performs the operation, and writes an END marker. The runner reads
 * the module's global ring at the end and prints, in seq order:
 *
 *   op NAME                                       at each step marker
 *   callback event start end blockable [cur_seq]  one line per callback
 *
 * Normalisation (the mnsim side must apply the same rule, see README.md):
 *   - only records between a step marker and the next END marker are kept;
 *   - addresses are offsets from WIN_BASE, printed 0x%lx (0 is "0x0"); a
 *     range is clipped to the window [0, WIN_SIZE); a record whose range
 *     lies entirely outside the window is dropped; a single-address
 *     callback (change_pte, test_young) is printed as [addr, addr+4K) and
 *     dropped if outside;
 *   - `release` has no range and is always kept;
 *   - a field that does not apply is printed as `-`: the event of release,
 *     invalidate_range, change_pte and the three *_young callbacks, their
 *     blockable flag too, and start/end of release;
 *   - cur_seq is printed for interval_invalidate only, in decimal, as the
 *     kernel passed it (the mm's sequence starts at 2 when the first
 *     notifier is attached, so the first overlapping invalidation sees 3).
 *
 * Usage: ops [--raw FILE] [--list] [OP...]   (no OP: the whole suite)
 * Needs /dev/mnlog; several operations need root, sysfs and swap (the
 * conformance initramfs provides them).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../module/mnlog_uapi.h"

#ifndef MADV_FREE
#define MADV_FREE 8
#endif
#ifndef MADV_MERGEABLE
#define MADV_MERGEABLE 12
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#ifndef MREMAP_FIXED
#define MREMAP_FIXED 2
#endif
#define MPOL_BIND 2
#define MPOL_MF_MOVE (1 << 1)

#define WIN_BASE 0x200000000000UL	/* 32 TiB, 1 GiB aligned */
#define WIN_SIZE 0x40000000UL		/* 1 GiB */
#define PG 0x1000UL
#define HPAGE 0x200000UL
#define END_ID 0xffffffffULL

static const char *devpath = "/dev/mnlog";

/* Every step name, in suite order. A marker carries the index. */
static const char *const steps[] = {
	"mprotect_ro_whole",
	"mprotect_rw_whole",
	"mprotect_ro_partial",
	"mprotect_rw_partial",
	"mprotect_ro_unpopulated",
	"munmap_partial",
	"munmap_rest",
	"munmap_unpopulated",
	"madv_dontneed_present",
	"madv_dontneed_absent",
	"madv_free",
	"zero_page_cow",
	"fork",
	"fork.parent_write",
	"fork.child_write_exclusive",
	"fork.child_write_shared",
	"fork.child_exit",
	"fork.parent_write_after_child_exit",
	"exit",
	"unregister",
	"unregister.munmap",
	"clear_refs_1",
	"clear_refs_4",
	"mremap_fixed",
	"mremap_fixed_over_mapped",
	"ksm_merge",
	"ksm_cow",
	"madv_pageout",
	"madv_pageout.refault",
	"thp_collapse",
	"thp_mprotect_partial",
	"thp_munmap",
	"migrate_move_pages",
	"migrate_mbind",
	"interval.overlap_first",
	"interval.overlap_none",
	"interval.overlap_both",
	"interval.adjacent",
};
#define NSTEPS (sizeof(steps) / sizeof(steps[0]))

/* ---- helpers ------------------------------------------------------------- */

static const char *cur_op = "-";

static void die(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	fprintf(stderr, "ops: %s: ", cur_op);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (e)
		fprintf(stderr, ": %s", strerror(e));
	fputc('\n', stderr);
	_exit(2);
}

static int mn_open(void)
{
	int fd = open(devpath, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die("open %s", devpath);
	return fd;
}

static void mark_id(int fd, uint64_t id)
{
	if (ioctl(fd, MNLOG_IOC_MARKER, &id))
		die("MARKER");
}

static void mark(int fd, const char *name)
{
	for (size_t i = 0; i < NSTEPS; i++)
		if (!strcmp(steps[i], name)) {
			mark_id(fd, i);
			return;
		}
	errno = 0;
	die("unknown step %s", name);
}

static void mark_end(int fd)
{
	mark_id(fd, END_ID);
}

static void mn_register(int fd)
{
	if (ioctl(fd, MNLOG_IOC_REGISTER))
		die("REGISTER");
}

static int mn_interval(int fd, unsigned long off, unsigned long len)
{
	struct mnlog_interval iv = { .start = WIN_BASE + off, .length = len };
	int r = ioctl(fd, MNLOG_IOC_INSERT_INTERVAL, &iv);

	if (r < 0)
		die("INSERT_INTERVAL");
	return r;
}

/* the standard attachment: an mmu_notifier and one interval over the window */
static void attach(int fd)
{
	mn_register(fd);
	mn_interval(fd, 0, WIN_SIZE);
}

static char *at(unsigned long off)
{
	return (char *)(WIN_BASE + off);
}

static void map_at(unsigned long off, unsigned long len)
{
	void *p = mmap(at(off), len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED || p != at(off))
		die("mmap %#lx+%#lx", off, len);
}

static void touch(unsigned long off, unsigned long len, int val)
{
	for (unsigned long o = 0; o < len; o += PG)
		*(volatile char *)at(off + o) = (char)val;
}

static int read_byte(unsigned long off)
{
	return *(volatile char *)at(off);
}

static void xmadvise(unsigned long off, unsigned long len, int adv)
{
	if (madvise(at(off), len, adv))
		die("madvise(%#lx, %#lx, %d)", off, len, adv);
}

static void xmprotect(unsigned long off, unsigned long len, int prot)
{
	if (mprotect(at(off), len, prot))
		die("mprotect(%#lx, %#lx, %d)", off, len, prot);
}

static void xmunmap(unsigned long off, unsigned long len)
{
	if (munmap(at(off), len))
		die("munmap(%#lx, %#lx)", off, len);
}

static void write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0)
		die("open %s", path);
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		die("write %s to %s", s, path);
	close(fd);
}

static long read_long(const char *path)
{
	char buf[64] = { 0 };
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		die("open %s", path);
	if (read(fd, buf, sizeof(buf) - 1) <= 0)
		die("read %s", path);
	close(fd);
	return strtol(buf, NULL, 10);
}

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* kB of AnonHugePages in the VMA that starts at WIN_BASE+off (smaps) */
static long anon_huge_kb(unsigned long off)
{
	char line[256];
	FILE *f = fopen("/proc/self/smaps", "r");
	int in = 0;
	long kb = -1;

	if (!f)
		die("open smaps");
	while (fgets(line, sizeof(line), f)) {
		unsigned long s, e;

		if (sscanf(line, "%lx-%lx ", &s, &e) == 2) {
			in = s == WIN_BASE + off;
			continue;
		}
		if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

/* node of the page at off (move_pages with nodes == NULL) */
static int page_node(unsigned long off)
{
	void *p = at(off);
	int status = -1;

	if (syscall(SYS_move_pages, 0, 1UL, &p, NULL, &status, 0))
		die("move_pages query");
	return status;
}

/* A pair of pipes to run two processes in lock step. */
struct gate { int a2b[2], b2a[2]; };

static void gate_init(struct gate *g)
{
	if (pipe(g->a2b) || pipe(g->b2a))
		die("pipe");
}

static void gate_send(int fd)
{
	char c = 1;

	if (write(fd, &c, 1) != 1)
		die("gate write");
}

static void gate_wait(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1)
		die("gate read");
}

/* ---- operations ---------------------------------------------------------- */
/* Each runs in its own process with its own mnlog fd; returns normally when
 * its last step is done (the runner's child then writes the END marker). */

static void op_mprotect(int fd)
{
	map_at(0, 4 * PG);
	touch(0, 4 * PG, 1);
	map_at(HPAGE, 4 * PG);		/* never touched: no page table */
	attach(fd);
	mark(fd, "mprotect_ro_whole");
	xmprotect(0, 4 * PG, PROT_READ);
	mark(fd, "mprotect_rw_whole");
	xmprotect(0, 4 * PG, PROT_READ | PROT_WRITE);
	mark(fd, "mprotect_ro_partial");
	xmprotect(PG, 2 * PG, PROT_READ);
	mark(fd, "mprotect_rw_partial");
	xmprotect(PG, 2 * PG, PROT_READ | PROT_WRITE);
	mark(fd, "mprotect_ro_unpopulated");
	xmprotect(HPAGE, 4 * PG, PROT_READ);
}

static void op_munmap(int fd)
{
	map_at(0, 4 * PG);
	touch(0, 4 * PG, 1);
	map_at(HPAGE, 4 * PG);		/* never touched */
	attach(fd);
	mark(fd, "munmap_partial");
	xmunmap(PG, PG);
	mark(fd, "munmap_rest");
	xmunmap(0, 4 * PG);
	mark(fd, "munmap_unpopulated");
	xmunmap(HPAGE, 4 * PG);
}

static void op_dontneed(int fd)
{
	map_at(0, 4 * PG);
	touch(0, 2 * PG, 1);		/* pages 2, 3 never touched */
	attach(fd);
	mark(fd, "madv_dontneed_present");
	xmadvise(0, 2 * PG, MADV_DONTNEED);
	mark(fd, "madv_dontneed_absent");
	xmadvise(2 * PG, 2 * PG, MADV_DONTNEED);
}

static void op_free(int fd)
{
	map_at(0, 4 * PG);
	touch(0, 4 * PG, 1);
	attach(fd);
	mark(fd, "madv_free");
	xmadvise(0, 4 * PG, MADV_FREE);
}

static void op_zero_cow(int fd)
{
	map_at(0, 4 * PG);
	(void)read_byte(0);		/* maps the shared zero page */
	attach(fd);
	mark(fd, "zero_page_cow");
	touch(0, PG, 1);
}

/*
 * fork: the parent (this op's process) is attached; the child attaches its
 * own notifier to its own mm after the fork (notifiers are not inherited).
 * Pages 0..3 are written before the fork.
 */
static void op_fork(int fd)
{
	struct gate g;
	pid_t pid;
	int st;

	map_at(0, 4 * PG);
	touch(0, 4 * PG, 1);
	gate_init(&g);
	attach(fd);
	mark(fd, "fork");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		int cfd;

		cur_op = "fork(child)";
		gate_wait(g.a2b[0]);
		cfd = mn_open();
		attach(cfd);
		gate_send(g.b2a[1]);
		gate_wait(g.a2b[0]);
		mark(cfd, "fork.child_write_exclusive");
		touch(0, PG, 2);	/* the parent already copied page 0 */
		mark(cfd, "fork.child_write_shared");
		touch(PG, PG, 2);	/* page 1 still shared with the parent */
		gate_send(g.b2a[1]);
		gate_wait(g.a2b[0]);
		mark(cfd, "fork.child_exit");
		_exit(0);
	}
	gate_send(g.a2b[1]);		/* let the child attach */
	gate_wait(g.b2a[0]);
	mark(fd, "fork.parent_write");
	touch(0, PG, 3);
	gate_send(g.a2b[1]);		/* child writes */
	gate_wait(g.b2a[0]);
	gate_send(g.a2b[1]);		/* child exits */
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		die("fork child failed (status %#x)", st);
	mark(fd, "fork.parent_write_after_child_exit");
	touch(PG, PG, 3);		/* the child copied page 1: now exclusive */
	touch(2 * PG, PG, 3);		/* never copied, child gone: exclusive */
}

/* exit: the process exits with its notifier attached; the runner writes
 * the END marker after reaping it. */
static void op_exit(int fd)
{
	map_at(0, 4 * PG);
	touch(0, 4 * PG, 1);
	attach(fd);
	mark(fd, "exit");
	_exit(0);
}

static void op_unregister(int fd)
{
	map_at(0, 4 * PG);
	touch(0, 4 * PG, 1);
	attach(fd);
	mark(fd, "unregister");
	if (ioctl(fd, MNLOG_IOC_UNREGISTER))
		die("UNREGISTER");
	mark(fd, "unregister.munmap");	/* only the interval is left */
	xmunmap(0, 4 * PG);
}

static void op_clear_refs(int fd)
{
	map_at(0, 4 * PG);
	touch(0, 4 * PG, 1);
	attach(fd);
	mark(fd, "clear_refs_1");
	write_file("/proc/self/clear_refs", "1");
	mark(fd, "clear_refs_4");
	write_file("/proc/self/clear_refs", "4");
}

static void op_mremap(int fd)
{
	void *p;

	map_at(0, 4 * PG);
	touch(0, 4 * PG, 1);
	map_at(4 * HPAGE, 4 * PG);
	touch(4 * HPAGE, 4 * PG, 2);
	attach(fd);
	mark(fd, "mremap_fixed");
	p = mremap(at(0), 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
		   at(2 * HPAGE));
	if (p != at(2 * HPAGE))
		die("mremap fixed");
	mark(fd, "mremap_fixed_over_mapped");
	p = mremap(at(2 * HPAGE), 4 * PG, 4 * PG,
		   MREMAP_MAYMOVE | MREMAP_FIXED, at(4 * HPAGE));
	if (p != at(4 * HPAGE))
		die("mremap fixed over");
	if (read_byte(4 * HPAGE) != 1)
		die("mremap lost data");
}

/* KSM: two identical pages in one MADV_MERGEABLE VMA; ksmd merges them. */
static void op_ksm(int fd)
{
	const char *ksm = "/sys/kernel/mm/ksm/";
	char path[128];
	int i;

	map_at(0, 2 * PG);
	memset(at(0), 0x5a, 2 * PG);
	xmadvise(0, 2 * PG, MADV_MERGEABLE);
	attach(fd);
	mark(fd, "ksm_merge");
	snprintf(path, sizeof(path), "%spages_to_scan", ksm);
	write_file(path, "100");
	snprintf(path, sizeof(path), "%ssleep_millisecs", ksm);
	write_file(path, "10");
	snprintf(path, sizeof(path), "%srun", ksm);
	write_file(path, "1");
	snprintf(path, sizeof(path), "%spages_sharing", ksm);
	for (i = 0; i < 3000 && read_long(path) < 1; i++)
		msleep(10);
	snprintf(path, sizeof(path), "%srun", ksm);
	write_file(path, "0");
	snprintf(path, sizeof(path), "%spages_sharing", ksm);
	if (read_long(path) < 1) {
		errno = 0;
		die("ksmd did not merge within 30 s");
	}
	mark(fd, "ksm_cow");
	touch(0, PG, 1);
}

static void op_pageout(int fd)
{
	map_at(0, 4 * PG);
	touch(0, 4 * PG, 1);
	attach(fd);
	mark(fd, "madv_pageout");
	xmadvise(0, 4 * PG, MADV_PAGEOUT);
	mark(fd, "madv_pageout.refault");
	if (read_byte(0) != 1)
		die("swapped page lost");
	touch(PG, PG, 2);
}

static void map_thp(void)
{
	map_at(0, HPAGE);
	touch(0, HPAGE, 1);
	xmadvise(0, HPAGE, MADV_COLLAPSE);
	if (anon_huge_kb(0) != 2048) {
		errno = 0;
		die("no THP after MADV_COLLAPSE (AnonHugePages %ld kB)",
		    anon_huge_kb(0));
	}
}

static void op_thp_collapse(int fd)
{
	map_at(0, HPAGE);
	touch(0, HPAGE, 1);
	attach(fd);
	mark(fd, "thp_collapse");
	xmadvise(0, HPAGE, MADV_COLLAPSE);
	if (anon_huge_kb(0) != 2048) {
		errno = 0;
		die("MADV_COLLAPSE made no THP");
	}
}

static void op_thp_mprotect(int fd)
{
	map_thp();
	attach(fd);
	mark(fd, "thp_mprotect_partial");
	xmprotect(0, PG, PROT_READ);
}

static void op_thp_munmap(int fd)
{
	map_thp();
	attach(fd);
	mark(fd, "thp_munmap");
	xmunmap(0, HPAGE);
}

static void op_migrate(int fd)
{
	unsigned long mask = 1;		/* node 0 */
	void *p = at(0);
	int node = 1, status = -1;

	map_at(0, 4 * PG);
	touch(0, 4 * PG, 1);
	if (page_node(0) != 0) {
		errno = 0;
		die("page 0 not on node 0 (%d)", page_node(0));
	}
	attach(fd);
	mark(fd, "migrate_move_pages");
	if (syscall(SYS_move_pages, 0, 1UL, &p, &node, &status, MPOL_MF_MOVE))
		die("move_pages");
	if (status != 1) {
		errno = status < 0 ? -status : 0;
		die("move_pages status %d", status);
	}
	mark(fd, "migrate_mbind");
	if (syscall(SYS_mbind, at(0), 4 * PG, MPOL_BIND, &mask,
		    8 * sizeof(mask), MPOL_MF_MOVE))
		die("mbind");
	if (page_node(0) != 0) {
		errno = 0;
		die("mbind did not move page 0 back");
	}
}

/* Interval notifiers over parts of the mapping, no window-wide interval. */
static void op_interval(int fd)
{
	map_at(0, 8 * PG);
	touch(0, 8 * PG, 1);
	mn_register(fd);
	mn_interval(fd, 0, 2 * PG);		/* I1 = [0, 2p) */
	mn_interval(fd, 4 * PG, 2 * PG);	/* I2 = [4p, 6p) */
	mark(fd, "interval.overlap_first");
	xmadvise(0, PG, MADV_DONTNEED);
	mark(fd, "interval.overlap_none");
	xmadvise(2 * PG, PG, MADV_DONTNEED);
	mark(fd, "interval.overlap_both");
	xmadvise(0, 8 * PG, MADV_DONTNEED);
	mark(fd, "interval.adjacent");
	xmadvise(6 * PG, 2 * PG, MADV_DONTNEED);
}

struct op {
	const char *name;
	void (*fn)(int fd);
};

static const struct op ops[] = {
	{ "mprotect", op_mprotect },
	{ "munmap", op_munmap },
	{ "madv_dontneed", op_dontneed },
	{ "madv_free", op_free },
	{ "zero_page_cow", op_zero_cow },
	{ "fork", op_fork },
	{ "exit", op_exit },
	{ "unregister", op_unregister },
	{ "clear_refs", op_clear_refs },
	{ "mremap", op_mremap },
	{ "ksm", op_ksm },
	{ "madv_pageout", op_pageout },
	{ "thp_collapse", op_thp_collapse },
	{ "thp_mprotect", op_thp_mprotect },
	{ "thp_munmap", op_thp_munmap },
	{ "migrate", op_migrate },
	{ "interval", op_interval },
};
#define NOPS (sizeof(ops) / sizeof(ops[0]))

/* ---- the runner ---------------------------------------------------------- */

static int run_op(int rfd, const struct op *op)
{
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		int fd;

		cur_op = op->name;
		close(rfd);
		fd = mn_open();
		op->fn(fd);
		mark_end(fd);
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid)
		die("waitpid");
	mark_end(rfd);			/* closes a step left open (exit) */
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "ops: operation %s failed (status %#x)\n",
			op->name, st);
		return 1;
	}
	return 0;
}

static const char *const kind_names[MNLOG_NKINDS] = {
	[MNLOG_MARKER] = "marker",
	[MNLOG_RELEASE] = "release",
	[MNLOG_CLEAR_FLUSH_YOUNG] = "clear_flush_young",
	[MNLOG_CLEAR_YOUNG] = "clear_young",
	[MNLOG_TEST_YOUNG] = "test_young",
	[MNLOG_CHANGE_PTE] = "change_pte",
	[MNLOG_INVALIDATE_RANGE_START] = "invalidate_range_start",
	[MNLOG_INVALIDATE_RANGE_END] = "invalidate_range_end",
	[MNLOG_INVALIDATE_RANGE] = "invalidate_range",
	[MNLOG_INTERVAL_INVALIDATE] = "interval_invalidate",
};

static const char *const event_names[] = {
	"UNMAP", "CLEAR", "PROTECTION_VMA", "PROTECTION_PAGE",
	"SOFT_DIRTY", "RELEASE", "MIGRATE", "EXCLUSIVE",
};

static const char *event_name(unsigned int ev)
{
	if (ev == MNLOG_NO_EVENT)
		return "-";
	if (ev < sizeof(event_names) / sizeof(event_names[0]))
		return event_names[ev];
	return "UNKNOWN";
}

/* The normalised line, or 0 if the record is dropped. */
static int normalise(const struct mnlog_rec *r, char *out, size_t n)
{
	const char *name = r->kind < MNLOG_NKINDS ? kind_names[r->kind] : "?";
	unsigned long s, e;
	char blk[4] = "-";

	if (r->kind == MNLOG_RELEASE) {
		snprintf(out, n, "release - - - -");
		return 1;
	}
	if (!(r->flags & (MNLOG_F_RANGE | MNLOG_F_ADDR)))
		return 0;
	if (r->end <= WIN_BASE || r->start >= WIN_BASE + WIN_SIZE)
		return 0;
	s = r->start < WIN_BASE ? 0 : r->start - WIN_BASE;
	e = r->end > WIN_BASE + WIN_SIZE ? WIN_SIZE : r->end - WIN_BASE;
	if (r->kind == MNLOG_INVALIDATE_RANGE_START ||
	    r->kind == MNLOG_INVALIDATE_RANGE_END ||
	    r->kind == MNLOG_INTERVAL_INVALIDATE)
		snprintf(blk, sizeof(blk), "%d",
			 !!(r->flags & MNLOG_F_BLOCKABLE));
	if (r->kind == MNLOG_INTERVAL_INVALIDATE)
		snprintf(out, n, "%s %s 0x%lx 0x%lx %s %llu", name,
			 event_name(r->event), s, e, blk,
			 (unsigned long long)r->cur_seq);
	else
		snprintf(out, n, "%s %s 0x%lx 0x%lx %s", name,
			 event_name(r->event), s, e, blk);
	return 1;
}

static struct mnlog_rec *read_all(int fd, size_t *count, uint64_t *dropped)
{
	size_t cap = 4096, n = 0;
	struct mnlog_rec *v = malloc(cap * sizeof(*v));

	if (!v)
		die("malloc");
	for (;;) {
		struct mnlog_read rd;

		if (n == cap) {
			cap *= 2;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				die("realloc");
		}
		rd.buf = (uint64_t)(uintptr_t)(v + n);
		rd.max = (uint32_t)(cap - n);
		rd.count = 0;
		rd.dropped = 0;
		if (ioctl(fd, MNLOG_IOC_READ, &rd))
			die("READ");
		*dropped = rd.dropped;
		if (!rd.count)
			break;
		n += rd.count;
	}
	*count = n;
	return v;
}

static void print_raw(FILE *f, const struct mnlog_rec *v, size_t n)
{
	fprintf(f, "# seq pid comm sub kind event start end flags cur_seq aux\n");
	for (size_t i = 0; i < n; i++) {
		const struct mnlog_rec *r = &v[i];
		const char *kn = r->kind < MNLOG_NKINDS ? kind_names[r->kind] : "?";

		fprintf(f, "%llu %u %s %#x %s %s %#llx %#llx %#x %llu %#llx",
			(unsigned long long)r->seq, r->pid, r->comm, r->sub, kn,
			event_name(r->event), (unsigned long long)r->start,
			(unsigned long long)r->end, r->flags,
			(unsigned long long)r->cur_seq,
			(unsigned long long)r->aux);
		if (r->kind == MNLOG_MARKER)
			fprintf(f, " %s", r->aux == END_ID ? "END" :
				r->aux < NSTEPS ? steps[r->aux] : "?");
		fputc('\n', f);
	}
}

static int print_normalised(FILE *f, const struct mnlog_rec *v, size_t n)
{
	int in_step = 0, problems = 0;
	char line[256];

	for (size_t i = 0; i < n; i++) {
		const struct mnlog_rec *r = &v[i];

		if (i && r->seq != v[i - 1].seq + 1) {
			fprintf(stderr, "ops: record sequence gap at %llu\n",
				(unsigned long long)r->seq);
			problems++;
		}
		if (r->kind == MNLOG_MARKER) {
			if (r->aux == END_ID) {
				in_step = 0;
			} else if (r->aux < NSTEPS) {
				fprintf(f, "op %s\n", steps[r->aux]);
				in_step = 1;
			} else {
				fprintf(stderr, "ops: bad marker %llu\n",
					(unsigned long long)r->aux);
				problems++;
			}
			continue;
		}
		if (in_step && normalise(r, line, sizeof(line)))
			fprintf(f, "%s\n", line);
	}
	return problems;
}

int main(int argc, char **argv)
{
	const char *rawpath = NULL;
	int sel[NOPS] = { 0 }, any = 0, failed = 0, rfd, i;
	struct mnlog_rec *v;
	uint64_t dropped = 0;
	size_t n;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--raw") && i + 1 < argc) {
			rawpath = argv[++i];
		} else if (!strcmp(argv[i], "--dev") && i + 1 < argc) {
			devpath = argv[++i];
		} else if (!strcmp(argv[i], "--list")) {
			for (size_t k = 0; k < NOPS; k++)
				printf("%s\n", ops[k].name);
			return 0;
		} else {
			size_t k;

			for (k = 0; k < NOPS; k++)
				if (!strcmp(argv[i], ops[k].name))
					break;
			if (k == NOPS) {
				fprintf(stderr, "ops: unknown operation %s "
					"(--list lists them)\n", argv[i]);
				return 2;
			}
			sel[k] = any = 1;
		}
	}
	rfd = mn_open();
	/* drain whatever an earlier run left */
	free(read_all(rfd, &n, &dropped));
	for (size_t k = 0; k < NOPS; k++)
		if (!any || sel[k])
			failed += run_op(rfd, &ops[k]);
	v = read_all(rfd, &n, &dropped);
	if (print_normalised(stdout, v, n))
		failed++;
	if (rawpath) {
		FILE *f = fopen(rawpath, "w");

		if (!f)
			die("open %s", rawpath);
		print_raw(f, v, n);
		fclose(f);
	}
	fflush(stdout);
	if (dropped) {
		fprintf(stderr, "ops: %llu records dropped (ring overflow)\n",
			(unsigned long long)dropped);
		failed++;
	}
	fprintf(stderr, "ops: %zu records, %d failure(s)\n", n, failed);
	return failed ? 1 : 0;
}

/*
 * probe.c - asking the running kernel what the simulated machine should
 * do where kernels differ.  Each probe is a small experiment whose answer
 * smaps gives: a read fault on private anonymous memory that leaves Rss
 * at 0 used the zero page; a read fault on a cached file maps as many
 * pages as fault_around_bytes allows.  Read-ahead is the file system's
 * bdi read_ahead_kb (probing it would need a cold page cache).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "probe.h"

#define PROBE_PAGE 4096UL
#define PROBE_FILE_PAGES 512 /* one page table: the most fault-around maps */
#define PMD_BYTES (2UL << 20)

/* The smaps Rss (in pages) of the VMA that starts at addr, or -1. */
static long rss_pages(unsigned long addr)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	bool in = false;
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end;
		char c;

		if (sscanf(line, "%lx-%lx %c", &start, &end, &c) == 3) {
			in = start == addr;
			continue;
		}
		if (in && sscanf(line, "Rss: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb < 0 ? -1 : kb / (long)(PROBE_PAGE / 1024);
}

/*
 * A PROT_EXEC mapping's ProtectionKey line in smaps: a key other than 0
 * is the execute-only key (execute_only_pkey()), and the line is there
 * only if the CPU has protection keys.  Read from smaps, not by reading
 * the page, so that the probe takes no signal.
 */
static int probe_exec_only(bool *on)
{
	char *p = mmap(NULL, PROBE_PAGE, PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char line[256];
	bool in = false;
	long key = 0;
	FILE *f;

	if (p == MAP_FAILED)
		return -1;
	f = fopen("/proc/self/smaps", "r");
	if (!f) {
		munmap(p, PROBE_PAGE);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end;
		char c;

		if (sscanf(line, "%lx-%lx %c", &start, &end, &c) == 3) {
			in = start == (unsigned long)p;
			continue;
		}
		if (in && sscanf(line, "ProtectionKey: %ld", &key) == 1)
			break;
	}
	fclose(f);
	munmap(p, PROBE_PAGE);
	*on = key != 0;
	return 0;
}

/*
 * Two read faults on private anonymous memory: counted pages or not?  The
 * mapping sits between two PROT_NONE pages of its own, so that it cannot
 * merge with a neighbour that has pages.
 */
static int probe_zero_page(bool *zero)
{
	char *base = mmap(NULL, 6 * PROBE_PAGE, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	volatile char *p;
	long rss = -1;
	char c;

	if (base == MAP_FAILED)
		return -1;
	p = mmap(base + PROBE_PAGE, 4 * PROBE_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p != MAP_FAILED) {
		c = p[0];
		c += p[PROBE_PAGE];
		(void)c;
		rss = rss_pages((unsigned long)p);
	}
	munmap(base, 6 * PROBE_PAGE);
	if (rss < 0)
		return -1;
	*zero = rss == 0;
	return 0;
}

/*
 * A file of 512 cached pages, mapped on a 2 MiB boundary and read once at
 * page 300: fault-around maps the aligned fault_around_bytes around it.
 */
static int probe_fault_around(const char *dir, unsigned long *pages)
{
	char path[4096], buf[PROBE_PAGE];
	unsigned long len = PROBE_FILE_PAGES * PROBE_PAGE;
	char *base, *p;
	long rss = -1;
	int fd;

	snprintf(path, sizeof(path), "%s/vmalab-probe-XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	unlink(path);
	memset(buf, 1, sizeof(buf));
	for (int i = 0; i < PROBE_FILE_PAGES; i++) {
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
			close(fd);
			return -1;
		}
	}
	/* Reserve twice the size to place the mapping on a 2 MiB edge. */
	base = mmap(NULL, 2 * len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		    0);
	if (base != MAP_FAILED) {
		unsigned long a = ((unsigned long)base + len - 1) & ~(len - 1);

		p = mmap((void *)a, len, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd,
			 0);
		if (p != MAP_FAILED) {
			volatile char c = p[300 * PROBE_PAGE];

			(void)c;
			rss = rss_pages((unsigned long)p);
		}
		munmap(base, 2 * len);
	}
	close(fd);
	if (rss <= 0)
		return -1;
	*pages = (unsigned long)rss;
	return 0;
}

/* Whether page n of the mapping at p is present (/proc/self/pagemap). */
static int page_present(int pm, const char *p, unsigned long n, bool *present)
{
	unsigned long long e;
	off_t off = (off_t)(((unsigned long)p / PROBE_PAGE + n) * sizeof(e));

	if (pread(pm, &e, sizeof(e), off) != (ssize_t)sizeof(e))
		return -1;
	*present = e >> 63;
	return 0;
}

/*
 * Does read-ahead make large folios in dir's file system?  A new sparse
 * file of 3 windows (ra pages each), mapped and read at page 0: the
 * read-around reads [0, ra) and marks page 3ra/4 PG_readahead.  A read
 * there starts the asynchronous read-ahead of [ra, 2ra), in folios of
 * order 2 where the page cache has large folios, marking the first one.
 * A read at ra + 5 then maps the fault-around window from ra but passes
 * the marked folio by: page ra + 1 is mapped only if that folio is one
 * page.  Large folios are taken to go up to MAX_PAGECACHE_ORDER (9).
 */
static int probe_folio_order(const char *dir, unsigned long ra,
			     unsigned long fault_around, unsigned *order)
{
	char path[4096];
	unsigned long len = 3 * ra * PROBE_PAGE;
	bool present = false;
	int fd, pm, ret = -1;
	char *p;

	if (ra < 64 || ra % 16 || fault_around < 8)
		return 0; /* keep the default: this experiment cannot tell */
	snprintf(path, sizeof(path), "%s/vmalab-probe-XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	unlink(path);
	pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (pm >= 0 && !ftruncate(fd, (off_t)len)) {
		/* on a 2 MiB edge, so that windows align with file pages */
		char *base = mmap(NULL, len + PMD_BYTES, PROT_NONE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (base != MAP_FAILED) {
			unsigned long a = (unsigned long)base + PMD_BYTES - 1;

			a &= ~(PMD_BYTES - 1);

			p = mmap((void *)a, len, PROT_READ,
				 MAP_SHARED | MAP_FIXED, fd, 0);
			if (p != MAP_FAILED) {
				volatile char c = p[0];

				c += p[ra * 3 / 4 * PROBE_PAGE];
				c += p[(ra + 5) * PROBE_PAGE];
				(void)c;
				ret = page_present(pm, p, ra + 1, &present);
			}
			munmap(base, len + PMD_BYTES);
		}
	}
	if (pm >= 0)
		close(pm);
	close(fd);
	if (!ret)
		*order = present ? 0 : 9;
	return ret;
}

/* read_ahead_kb of the bdi behind dir's file system. */
static int probe_read_ahead(const char *dir, unsigned long *pages)
{
	struct stat st;
	char path[128];
	unsigned long kb;
	FILE *f;
	int ok;

	if (stat(dir, &st))
		return -1;
	snprintf(path, sizeof(path), "/sys/class/bdi/%u:%u/read_ahead_kb",
		 major(st.st_dev), minor(st.st_dev));
	f = fopen(path, "r");
	if (!f)
		return -1;
	ok = fscanf(f, "%lu", &kb) == 1;
	fclose(f);
	if (!ok)
		return -1;
	*pages = kb / (PROBE_PAGE / 1024);
	return 0;
}

static int probe_max_map_count(int *n)
{
	FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
	int ok;

	if (!f)
		return -1;
	ok = fscanf(f, "%d", n) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

/* MemTotal and SwapTotal from /proc/meminfo. */
static int probe_meminfo(unsigned long *mem_kb, unsigned long *swap_kb)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	int found = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		found += sscanf(line, "MemTotal: %lu kB", mem_kb) == 1;
		found += sscanf(line, "SwapTotal: %lu kB", swap_kb) == 1;
	}
	fclose(f);
	return found == 2 ? 0 : -1;
}

/* One number from a /proc/sys/vm file. */
static int probe_vm_sysctl(const char *name, unsigned long *v)
{
	char path[128];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/proc/sys/vm/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	ok = fscanf(f, "%lu", v) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

/* The overcommit policy of __vm_enough_memory(), and whether this process
 * (whose child makes the calls) has CAP_SYS_ADMIN (bit 21 of CapEff). */
static int probe_overcommit(struct machine_params *p)
{
	unsigned long mode, caps = 0;
	char line[256];
	FILE *f;

	if (probe_vm_sysctl("overcommit_memory", &mode) || mode > 2 ||
	    probe_vm_sysctl("overcommit_ratio", &p->overcommit_ratio) ||
	    probe_vm_sysctl("overcommit_kbytes", &p->overcommit_kbytes) ||
	    probe_vm_sysctl("admin_reserve_kbytes", &p->admin_reserve_kb) ||
	    probe_vm_sysctl("user_reserve_kbytes", &p->user_reserve_kb))
		return -1;
	p->overcommit_memory = (int)mode;
	f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %lx", &caps) == 1)
			break;
	fclose(f);
	p->cap_sys_admin = (caps >> 21) & 1;
	return 0;
}

/* kernel.threads-max and kernel.pid_max (this pid namespace's). */
static int probe_task_limits(struct machine_params *p)
{
	const char *names[] = {"/proc/sys/kernel/threads-max",
			       "/proc/sys/kernel/pid_max"};
	int *vals[] = {&p->threads_max, &p->pid_max};

	for (int i = 0; i < 2; i++) {
		FILE *f = fopen(names[i], "r");
		int ok;

		if (!f)
			return -1;
		ok = fscanf(f, "%d", vals[i]) == 1 && *vals[i] > 0;
		fclose(f);
		if (!ok)
			return -1;
	}
	return 0;
}

/*
 * The kernel's mmap_min_addr, which no sysctl shows when the LSM's
 * minimum is higher: round_hint_to_min() raises a lower hint to it, so a
 * hint of one page (free in this process) comes back there.
 */
static int probe_mmap_min_addr(unsigned long *min)
{
	void *p = mmap((void *)PROBE_PAGE, PROBE_PAGE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	munmap(p, PROBE_PAGE);
	if ((unsigned long)p & (PROBE_PAGE - 1) ||
	    (unsigned long)p > (1UL << 24)) {
		errno = ERANGE;
		return -1;
	}
	*min = (unsigned long)p;
	return 0;
}

int probe_machine(struct machine_params *p, const char *dir, char *err,
		  size_t errlen)
{
	struct machine_params found;
	const char *what = NULL;

	machine_params_default(p);
	found = *p;
	if (probe_zero_page(&found.zero_page))
		what = "the zero page (smaps)";
	else if (probe_exec_only(&found.exec_only_pkey))
		what = "the execute-only key (smaps)";
	else if (probe_fault_around(dir, &found.fault_around_pages))
		what = "fault-around (a mapped file in the work directory)";
	else if (probe_read_ahead(dir, &found.ra_pages))
		what = "read-ahead (/sys/class/bdi)";
	else if (probe_folio_order(dir, found.ra_pages,
				   found.fault_around_pages,
				   &found.file_folio_order))
		what = "large folios (a sparse file in the work directory)";
	else if (probe_max_map_count(&found.max_map_count))
		what = "/proc/sys/vm/max_map_count";
	else if (probe_meminfo(&found.mem_total_kb, &found.swap_total_kb))
		what = "MemTotal and SwapTotal (/proc/meminfo)";
	else if (probe_overcommit(&found))
		what = "the overcommit policy (/proc/sys/vm/overcommit_*)";
	else if (probe_task_limits(&found))
		what = "threads-max and pid_max (/proc/sys/kernel)";
	else if (probe_mmap_min_addr(&found.mmap_min_addr))
		what = "mmap_min_addr (a hint of one page)";
	if (what) {
		snprintf(err, errlen, "cannot probe %s: %s", what,
			 strerror(errno ? errno : EIO));
		return -1;
	}
	*p = found;
	return 0;
}

void format_machine_params(const struct machine_params *p, char *buf,
			   size_t len)
{
	snprintf(buf, len,
		 "zero_page=%s exec_only_pkey=%s fault_around=%lu "
		 "read_ahead=%lu "
		 "folio_order=%u max_map_count=%d mem_total=%lu "
		 "swap_total=%lu overcommit_memory=%d overcommit_ratio=%lu "
		 "overcommit_kbytes=%lu admin_reserve=%lu user_reserve=%lu "
		 "cap_sys_admin=%s threads_max=%d pid_max=%d "
		 "mmap_min_addr=%#lx",
		 p->zero_page ? "on" : "off",
		 p->exec_only_pkey ? "on" : "off", p->fault_around_pages,
		 p->ra_pages, p->file_folio_order, p->max_map_count,
		 p->mem_total_kb, p->swap_total_kb, p->overcommit_memory,
		 p->overcommit_ratio,
		 p->overcommit_kbytes, p->admin_reserve_kb, p->user_reserve_kb,
		 p->cap_sys_admin ? "on" : "off", p->threads_max, p->pid_max,
		 p->mmap_min_addr);
	if (p->mutate > MUT_NONE && p->mutate < NR_MUTATIONS) {
		size_t n = strlen(buf);

		snprintf(buf + n, len - n, " mutate=%s",
			 mutation_names[p->mutate]);
	}
}

int mutation_from_env(struct machine_params *p, char *err, size_t errlen)
{
	const char *name = getenv("VMALAB_MUTATE");
	int x;

	if (!name || !*name)
		return 0;
	x = mutation_lookup(name);
	if (x < 0) {
		snprintf(err, errlen,
			 "VMALAB_MUTATE: no engine mutation named %s "
			 "(tests/rules.txt)",
			 name);
		return -1;
	}
	p->mutate = x;
	return 0;
}

const char *const machine_param_names[] = {
	"zero_page",	     "exec_only_pkey",	 "fault_around",
	"read_ahead",
	"folio_order",
	"max_map_count",     "mem_total",	 "swap_total",
	"overcommit_memory", "overcommit_ratio", "overcommit_kbytes",
	"admin_reserve",     "user_reserve",	 "cap_sys_admin",
	"threads_max",	     "pid_max",		 "mmap_min_addr",
	NULL,
};

/* One "name=value": 0, or -1 with err set. */
static int set_param(struct machine_params *p, const char *name,
		     const char *value, char *err, size_t errlen)
{
	char *end;
	unsigned long v;

	if (!strcmp(name, "zero_page") || !strcmp(name, "cap_sys_admin") ||
	    !strcmp(name, "exec_only_pkey")) {
		bool *b = name[0] == 'z'   ? &p->zero_page
			  : name[0] == 'e' ? &p->exec_only_pkey
					   : &p->cap_sys_admin;

		if (!strcmp(value, "on") || !strcmp(value, "1")) {
			*b = true;
			return 0;
		}
		if (!strcmp(value, "off") || !strcmp(value, "0")) {
			*b = false;
			return 0;
		}
		snprintf(err, errlen, "%s is on or off, not %s", name, value);
		return -1;
	}
	errno = 0;
	v = strtoul(value, &end, 0);
	if (!strcmp(name, "threads_max") || !strcmp(name, "pid_max")) {
		/* pid_max: at least 2, one process; at most PID_MAX_LIMIT */
		if (!*value || *end || errno || v < 1 || v > 4194304 ||
		    (name[0] == 'p' && v < 2)) {
			snprintf(err, errlen, "%s: not a number of tasks: %s",
				 name, value);
			return -1;
		}
		*(name[0] == 't' ? &p->threads_max : &p->pid_max) = (int)v;
		return 0;
	}
	if (!strcmp(name, "mmap_min_addr")) {
		/* bytes, page aligned, below 16 MiB */
		if (!*value || *end || errno || v & 4095 || v > 1UL << 24) {
			snprintf(err, errlen,
				 "mmap_min_addr: not a page-aligned address "
				 "below 16 MiB: %s",
				 value);
			return -1;
		}
		p->mmap_min_addr = v;
		return 0;
	}
	if (!strcmp(name, "overcommit_memory")) {
		if (!*value || *end || v > 2) {
			snprintf(err, errlen,
				 "overcommit_memory is 0 (guess), 1 (always) "
				 "or 2 (never), not %s",
				 value);
			return -1;
		}
		p->overcommit_memory = (int)v;
		return 0;
	}
	if (!strcmp(name, "overcommit_ratio") ||
	    !strcmp(name, "overcommit_kbytes") ||
	    !strcmp(name, "admin_reserve") || !strcmp(name, "user_reserve")) {
		if (!*value || *end || errno || v > 1UL << 42) {
			snprintf(err, errlen, "%s: not a number: %s", name,
				 value);
			return -1;
		}
		*(name[0] == 'a'    ? &p->admin_reserve_kb
		  : name[0] == 'u'  ? &p->user_reserve_kb
		  : name[11] == 'r' ? &p->overcommit_ratio
				    : &p->overcommit_kbytes) = v;
		return 0;
	}
	if (!strcmp(name, "mem_total") || !strcmp(name, "swap_total")) {
		/* kB, as /proc/meminfo says; up to 4 PiB */
		if (!*value || *end || errno || v > 1UL << 42 ||
		    (name[0] == 'm' && v < 1024)) {
			snprintf(err, errlen,
				 "%s: not a size in kB (mem_total at least "
				 "1024): %s",
				 name, value);
			return -1;
		}
		*(name[0] == 'm' ? &p->mem_total_kb : &p->swap_total_kb) = v;
		return 0;
	}
	if (!*value || *end || errno || v > 1UL << 30) {
		snprintf(err, errlen, "%s: not a number of pages: %s", name,
			 value);
		return -1;
	}
	if (!strcmp(name, "fault_around") && v >= 1 && v <= 512) {
		p->fault_around_pages = v;
	} else if (!strcmp(name, "read_ahead")) {
		p->ra_pages = v;
	} else if (!strcmp(name, "folio_order") && v <= 9) {
		p->file_folio_order = (unsigned)v;
	} else if (!strcmp(name, "folio_order")) {
		snprintf(err, errlen,
			 "folio_order is 0 (no large folios) to 9 (a PMD)");
		return -1;
	} else if (!strcmp(name, "max_map_count") && v >= 1 &&
		   v <= 0x7fffffffUL) {
		p->max_map_count = (int)v;
	} else if (!strcmp(name, "fault_around")) {
		snprintf(err, errlen, "fault_around is 1 to 512 pages");
		return -1;
	} else {
		snprintf(err, errlen,
			 "unknown machine parameter %s (zero_page, "
			 "exec_only_pkey, fault_around, read_ahead, folio_order, "
			 "max_map_count, "
			 "mem_total, swap_total, overcommit_memory, "
			 "overcommit_ratio, overcommit_kbytes, admin_reserve, "
			 "user_reserve, cap_sys_admin, threads_max, pid_max, "
			 "mmap_min_addr)",
			 name);
		return -1;
	}
	return 0;
}

int parse_machine_params(struct machine_params *p, const char *text, char *err,
			 size_t errlen)
{
	char *copy = strdup(text), *save = NULL;
	int ret = 0;

	if (!copy)
		abort();
	for (char *item = strtok_r(copy, ", ", &save); item && !ret;
	     item = strtok_r(NULL, ", ", &save)) {
		char *eq = strchr(item, '=');

		if (!eq) {
			snprintf(err, errlen, "expected NAME=VALUE, not %s",
				 item);
			ret = -1;
			break;
		}
		*eq = '\0';
		ret = set_param(p, item, eq + 1, err, errlen);
	}
	free(copy);
	return ret;
}

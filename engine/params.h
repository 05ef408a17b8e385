/*
 * params.h - the parameters of a simulated machine that differ between
 * kernels and machines.  Apart from engine.h so that code which includes
 * the system's headers (the probe) can use it without the engine's copies
 * of the UAPI constants.
 */
#ifndef VMALAB_PARAMS_H
#define VMALAB_PARAMS_H

#include <stdbool.h>

/*
 * What differs between kernels and machines and changes results.  The
 * defaults are a fresh machine of the reference kind (Linux 6.18 on
 * x86-64, ext4 on a virtio disk); `vmalab verify` probes the live kernel
 * for each and runs the engine with what it found.
 */
struct machine_params {
	/* do_anonymous_page(): a read fault on private anonymous memory maps
	 * the shared zero page (uncounted, no anon_vma) rather than a new
	 * page.  Upstream does unless mm_forbids_zeropage(). */
	bool zero_page;
	/* fault_around_bytes / PAGE_SIZE: pages do_fault_around() maps on a
	 * read fault of a file (16; 1 turns fault-around off). */
	unsigned long fault_around_pages;
	/* The file's bdi read_ahead_kb / 4: the read-around window of
	 * do_sync_mmap_readahead() (2048 for 8192 KiB). */
	unsigned long ra_pages;
	/* vm.max_map_count (65530). */
	int max_map_count;
	/* MemTotal and SwapTotal of /proc/meminfo, in kB: the memory the
	 * OOM killer guards (24683652 and 0 on the reference machine, a
	 * 24 GiB virtual machine without swap). */
	unsigned long mem_total_kb, swap_total_kb;
	/* __vm_enough_memory() (mm/util.c): vm.overcommit_memory (0 guess:
	 * one request larger than RAM + swap fails; 1 always; 2 never:
	 * the committed total stays below the commit limit),
	 * vm.overcommit_ratio (50) or vm.overcommit_kbytes (0) for that
	 * limit, and the reserves mode 2 keeps: admin_reserve_kbytes
	 * (8192) unless the process has CAP_SYS_ADMIN, user_reserve_kbytes
	 * (min(free/32, 128 MiB) at boot: 100441 on the reference machine). */
	int overcommit_memory;
	unsigned long overcommit_ratio, overcommit_kbytes;
	unsigned long admin_reserve_kb, user_reserve_kb;
	bool cap_sys_admin; /* the simulated processes have CAP_SYS_ADMIN */
	/* copy_process(): kernel.threads-max (nr_threads >= max_threads:
	 * EAGAIN; 192726 on the reference machine, from its memory) and
	 * kernel.pid_max (alloc_pid() finds no free pid: EAGAIN; 32768).
	 * Zombies keep their pid and count: nothing reaps them here.  As
	 * root, RLIMIT_NPROC does not apply. */
	int threads_max, pid_max;
};
void machine_params_default(struct machine_params *p);

#endif

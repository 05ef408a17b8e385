/*
 * protocol.h - what the controller (vmalab, verify's kernel backend) and
 * each real process it runs scripts in say to each other over their
 * SOCK_SEQPACKET channel: a fixed-size request, then a reply and its text.
 */
#ifndef VMALAB_PROTOCOL_H
#define VMALAB_PROTOCOL_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#define CHAN_FD 1000 /* every process's channel, far above script fds */
#define CHUNK 65536  /* text travels in messages of at most this */
#define KPAGE_SIZE 4096UL

enum kop {
	KOP_CALL,
	KOP_MAPS,
	KOP_SMAPS,
	KOP_PAGES,
	KOP_MAPS_RANGE, /* the maps lines of the VMAs in [a[0], a[1]) */
	KOP_STATUS, /* the memory lines of status, as changed since the start */
};

/* Controller -> process.  Fixed size: one message per request. */
struct kreq {
	int op;
	int nr;	      /* the system call (nr.h), for KOP_CALL */
	int path_arg; /* which argument is the path, or -1 */
	unsigned long a[6];
	char path[PATH_MAX]; /* openat's path, NUL-terminated */
};

/* Process -> controller; textlen bytes of text follow in CHUNK pieces. */
struct kreply {
	long ret;
	unsigned long fault;
	size_t textlen;
};

/*
 * The first process: set up the environment the contract assumes (fds,
 * limits, cwd dir, fault handlers, an empty test window, an empty brk
 * area), say "ready" on chan (ret 0, fault its start_brk; or ret -1 and
 * why), then serve requests until the controller goes.
 */
void child_main(int chan, const char *dir, pid_t controller)
	__attribute__((noreturn));

/*
 * In the process just forked for simulated pid 1: exec this program again
 * (/proc/self/exe) without address-space randomisation
 * (personality(ADDR_NO_RANDOMIZE)) and with the stack limit that puts
 * mmap_base at VERIFY_MMAP_BASE, as `vmalab verify --kernel-process CHAN
 * DIR CONTROLLER`, which runs child_main().  A failure is the "ready"
 * message's.
 */
void child_exec(int chan, const char *dir, pid_t controller)
	__attribute__((noreturn));
/* `verify --kernel-process CHAN DIR CONTROLLER` (argv[0] is "verify"). */
int child_process_main(int argc, char **argv);

#endif

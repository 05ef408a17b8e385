/*
 * record.h - `vmalab record`: run a real program under ptrace, keep its
 * memory calls (and its forks, execs and exits) as a log in strace's
 * syntax with the address space each execve made, replay the log, and
 * compare the real final maps with the simulation's.
 */
#ifndef VMALAB_RECORD_H
#define VMALAB_RECORD_H

/* argv[0] is "record".  Returns the exit status for main(). */
int record_main(int argc, char **argv);

#endif

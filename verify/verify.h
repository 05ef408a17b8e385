/*
 * verify.h - `vmalab verify`: run a script on the engine and on the
 * running kernel, and report the first step where they differ.
 */
#ifndef VMALAB_VERIFY_H
#define VMALAB_VERIFY_H

/* argv[0] is "verify".  Returns 0 when they agree, 1 when they differ,
 * 2 on a usage or system error. */
int verify_main(int argc, char **argv);

#endif

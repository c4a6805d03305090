// C calls Swift cannot make directly (variadic functions), wrapped as static inline functions.
#ifndef TRACEBENCH_SYSTEM_SHIMS_H
#define TRACEBENCH_SYSTEM_SHIMS_H

#if defined(__linux__)
#include <sys/prctl.h>
#include <signal.h>

/// Asks the kernel to send `signal` to this process when its parent dies (prctl PR_SET_PDEATHSIG; survives exec).
static inline int tracebench_set_parent_death_signal(int signal) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0UL, 0UL, 0UL);
}
#else
static inline int tracebench_set_parent_death_signal(int signal) { (void)signal; return -1; }
#endif

#endif

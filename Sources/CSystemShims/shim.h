// C calls Swift cannot make directly (variadic functions), wrapped as static inline functions.
#ifndef TRACEBENCH_SYSTEM_SHIMS_H
#define TRACEBENCH_SYSTEM_SHIMS_H

#if defined(__linux__)
#include <sys/prctl.h>
#include <signal.h>
// The load generators' send loops (epoll with a nanosecond timeout, eventfd wake-ups); not in Swift's Glibc module.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <netinet/tcp.h>

/// Sets the calling thread's timer slack (prctl PR_SET_TIMERSLACK): how late the kernel may end its sleeps to batch
/// wake-ups (50 µs by default).
static inline int tracebench_set_timer_slack(unsigned long nanoseconds) {
    return prctl(PR_SET_TIMERSLACK, nanoseconds, 0UL, 0UL, 0UL);
}

/// Asks the kernel to send `signal` to this process when its parent dies (prctl PR_SET_PDEATHSIG; survives exec).
static inline int tracebench_set_parent_death_signal(int signal) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0UL, 0UL, 0UL);
}
#else
static inline int tracebench_set_parent_death_signal(int signal) { (void)signal; return -1; }
static inline int tracebench_set_timer_slack(unsigned long nanoseconds) { (void)nanoseconds; return -1; }
#endif

#endif

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
#include <sys/socket.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>

/// Names the calling thread for the kernel (top, perf; at most 15 bytes kept).
static inline int tracebench_name_thread(const char *name) {
    return prctl(PR_SET_NAME, (unsigned long)name, 0UL, 0UL, 0UL);
}

/// Asks the kernel to stamp each received segment of socket `fd` with its arrival time (SO_TIMESTAMPNS).
static inline int tracebench_enable_receive_timestamps(int fd) {
    int on = 1;
    return setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
}

/// recv() that also gives the kernel's arrival time of the bytes read (CLOCK_REALTIME ns; 0 when the socket has no
/// timestamps): for TCP, the time the last segment read reached the socket.
static inline long tracebench_recv_timestamped(int fd, void *buffer, unsigned long length, int64_t *received_ns) {
    struct iovec io = { buffer, length };
    union { char bytes[CMSG_SPACE(sizeof(struct timespec))]; struct cmsghdr align; } control;
    struct msghdr message;
    memset(&message, 0, sizeof message);
    message.msg_iov = &io;
    message.msg_iovlen = 1;
    message.msg_control = control.bytes;
    message.msg_controllen = sizeof control.bytes;
    long count = recvmsg(fd, &message, 0);
    *received_ns = 0;
    if (count > 0) {
        for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header; header = CMSG_NXTHDR(&message, header)) {
            if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_TIMESTAMPNS) {
                struct timespec stamp;
                memcpy(&stamp, CMSG_DATA(header), sizeof stamp);
                *received_ns = (int64_t)stamp.tv_sec * 1000000000 + stamp.tv_nsec;
            }
        }
    }
    return count;
}

/// Sets the calling thread's timer slack (prctl PR_SET_TIMERSLACK): how late the kernel may end its sleeps to batch
/// wake-ups (50 µs by default).
static inline int tracebench_set_timer_slack(unsigned long nanoseconds) {
    return prctl(PR_SET_TIMERSLACK, nanoseconds, 0UL, 0UL, 0UL);
}

/// Bytes TCP socket `fd` sent that its peer has not acknowledged (ioctl SIOCOUTQ, the send queue, less SIOCOUTQNSD, the
/// part not sent yet); -1 when the kernel cannot say. Bytes held back by a full receive window are unsent, not counted.
static inline int tracebench_unacknowledged_bytes(int fd) {
    int queued = 0, unsent = 0;
    if (ioctl(fd, SIOCOUTQ, &queued) != 0 || ioctl(fd, SIOCOUTQNSD, &unsent) != 0) return -1;
    return queued - unsent;
}

/// Asks the scheduler for a short time slice for the calling thread (sched_setattr's sched_runtime under SCHED_OTHER;
/// Linux 6.12 and later, no privilege needed). Under EEVDF a thread with a shorter slice has an earlier deadline, so
/// when it wakes it preempts a thread running out a default slice on its CPU instead of waiting behind it. Returns -1
/// where the kernel does not take the hint (nothing changed then).
static inline int tracebench_request_short_slice(uint64_t nanoseconds) {
    struct {
        uint32_t size, sched_policy;
        uint64_t sched_flags;
        int32_t sched_nice;
        uint32_t sched_priority;
        uint64_t sched_runtime, sched_deadline, sched_period;
    } attributes;
    memset(&attributes, 0, sizeof attributes);
    attributes.size = sizeof attributes;
    attributes.sched_policy = 0;  // SCHED_OTHER
    attributes.sched_runtime = nanoseconds;
    return (int)syscall(SYS_sched_setattr, 0, &attributes, 0);
}

/// Asks the kernel to send `signal` to this process when its parent dies (prctl PR_SET_PDEATHSIG; survives exec).
static inline int tracebench_set_parent_death_signal(int signal) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0UL, 0UL, 0UL);
}
#else
static inline int tracebench_set_parent_death_signal(int signal) { (void)signal; return -1; }
static inline int tracebench_set_timer_slack(unsigned long nanoseconds) { (void)nanoseconds; return -1; }
static inline int tracebench_request_short_slice(unsigned long long nanoseconds) { (void)nanoseconds; return -1; }
static inline int tracebench_unacknowledged_bytes(int fd) { (void)fd; return -1; }
static inline int tracebench_name_thread(const char *name) { (void)name; return -1; }
#endif

#endif

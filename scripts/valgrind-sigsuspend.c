/* Preloaded into tracebench under valgrind (scripts/generator_bench.py --instructions). valgrind 3.19 rewrites the
 * signal mask rt_sigsuspend is given, in place, and libdispatch's main thread parks in sigsuspend() with a mask in
 * read-only memory: valgrind then dies of its own SIGSEGV. This sigsuspend copies the mask to the stack first. */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

int sigsuspend(const sigset_t *mask) {
    sigset_t copy = *mask;
    return (int)syscall(SYS_rt_sigsuspend, &copy, 8);
}

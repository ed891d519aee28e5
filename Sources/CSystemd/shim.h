// C entry points Swift cannot reach directly: variadic syscall(), pipe2() and the
// sd-journal / sd-daemon APIs.
#ifndef MEMWATCHD_CSYSTEMD_SHIM_H
#define MEMWATCHD_CSYSTEMD_SHIM_H

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

/// A file descriptor that names one process for its whole life, so a signal
/// sent through it can never hit a later process that reuses the pid.
static inline int memwatch_pidfd_open(pid_t pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

static inline int memwatch_pidfd_send_signal(int pidfd, int sig) {
    return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

/// glibc declares pipe2 only under _GNU_SOURCE, which Swift's Glibc module lacks.
extern int pipe2(int pipefd[2], int flags);

/// A pipe whose ends are close-on-exec from the start: set a moment later, a
/// process that another thread spawns in that moment would inherit them.
static inline int memwatch_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

/* A pipe in packet mode (O_DIRECT, Linux 3.4+): each read returns one write
   (up to PIPE_BUF), so the reader sees where the writer's writes began. */
static inline int memwatch_packet_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC | __O_DIRECT);
}

/* epoll_event is packed on x86-64; these keep it on the C side. An entry's
   token names its registration, so an event for a descriptor number that was
   closed and reused is told apart from one for its new owner. */
static inline int memwatch_epoll_add(int epfd, int fd, uint32_t events, uint64_t token) {
    struct epoll_event event = { .events = events, .data = { .u64 = token } };
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event);
}

static inline int memwatch_epoll_remove(int epfd, int fd) {
    return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
}

/// Waits for up to `capacity` ready entries; their tokens and event masks go to the arrays.
static inline int memwatch_epoll_wait(int epfd, uint64_t *tokens, uint32_t *events, int capacity, int timeout) {
    struct epoll_event ready[64];
    if (capacity > 64) capacity = 64;
    int count = epoll_wait(epfd, ready, capacity, timeout);
    for (int i = 0; i < count; i++) {
        tokens[i] = ready[i].data.u64;
        events[i] = ready[i].events;
    }
    return count;
}

#endif

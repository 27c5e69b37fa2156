/*
 * The floor of a pod sweep: for each process given, setns(2) into its network namespace and one
 * inet_diag netlink dump filtered in the kernel to the six teardown states, exactly the request the
 * agent sends (the legacy TCPDIAG_GETSOCK, one walk for IPv4 and IPv6; two SOCK_DIAG_BY_FAMILY
 * dumps where the kernel refuses it), read into one reused buffer. Nothing else: no /proc reads.
 *
 * usage: netlink-floor ROUNDS PID...
 * prints one line per round:
 * "round <n> total_ns <ns> dump_ns <ns> time_wait <count> request <legacy|v2> cpu_ns <ns>"
 * (dump_ns: socket, dump and close, without the setns; cpu_ns: the process's CPU, user and system).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define TEARDOWN_STATES ((1 << 4) | (1 << 5) | (1 << 6) | (1 << 8) | (1 << 9) | (1 << 11))
#define TIME_WAIT_STATE 6

static char buffer[64 * 1024] __attribute__((aligned(8)));
static unsigned int sequence;

static long long clock_ns(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static long long now_ns(void) { return clock_ns(CLOCK_MONOTONIC); }

/* 0 on success, -errno from the kernel, or -1000 on a local failure. */
static int dump(int fd, int legacy, int family, long long *time_wait) {
  struct {
    struct nlmsghdr header;
    union {
      struct inet_diag_req legacy;
      struct inet_diag_req_v2 v2;
    } body;
  } request;
  memset(&request, 0, sizeof request);
  unsigned int seq = ++sequence;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request.header.nlmsg_seq = seq;
  if (legacy) {
    request.header.nlmsg_len = NLMSG_LENGTH(sizeof request.body.legacy);
    request.header.nlmsg_type = TCPDIAG_GETSOCK;
    request.body.legacy.idiag_states = TEARDOWN_STATES;
  } else {
    request.header.nlmsg_len = NLMSG_LENGTH(sizeof request.body.v2);
    request.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    request.body.v2.sdiag_family = family;
    request.body.v2.sdiag_protocol = IPPROTO_TCP;
    request.body.v2.idiag_states = TEARDOWN_STATES;
  }
  if (send(fd, &request, request.header.nlmsg_len, 0) != (ssize_t)request.header.nlmsg_len) {
    return -1000;
  }
  for (;;) {
    ssize_t received = recv(fd, buffer, sizeof buffer, 0);
    if (received < 0 && errno == EINTR) {
      continue;
    }
    if (received <= 0) {
      return -1000;
    }
    for (struct nlmsghdr *h = (struct nlmsghdr *)buffer; NLMSG_OK(h, received);
         h = NLMSG_NEXT(h, received)) {
      if (h->nlmsg_seq != seq) {
        continue;
      }
      if (h->nlmsg_type == NLMSG_DONE) {
        return 0;
      }
      if (h->nlmsg_type == NLMSG_ERROR) {
        int error = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
        if (error != 0) {
          return error;
        }
        continue;
      }
      struct inet_diag_msg *message = NLMSG_DATA(h);
      if (message->idiag_state == TIME_WAIT_STATE) {
        (*time_wait)++;
      }
    }
  }
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s ROUNDS PID...\n", argv[0]);
    return 2;
  }
  int rounds = atoi(argv[1]);
  int legacy = 1;
  for (int round = 1; round <= rounds; round++) {
    long long start = now_ns();
    long long cpu_start = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    long long dump_ns = 0;
    long long time_wait = 0;
    for (int i = 2; i < argc; i++) {
      char path[64];
      snprintf(path, sizeof path, "/proc/%s/ns/net", argv[i]);
      int ns = open(path, O_RDONLY | O_CLOEXEC);
      if (ns < 0 || setns(ns, CLONE_NEWNET) != 0) {
        fprintf(stderr, "cannot enter %s: %s\n", path, strerror(errno));
        return 1;
      }
      close(ns);
      long long dump_start = now_ns();
      int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
      if (fd < 0) {
        perror("socket");
        return 1;
      }
      int result = legacy ? dump(fd, 1, 0, &time_wait) : -EINVAL;
      if (result == -EINVAL || result == -EOPNOTSUPP || result == -ENOENT) {
        legacy = 0;
        result = dump(fd, 0, AF_INET, &time_wait);
        if (result == 0) {
          result = dump(fd, 0, AF_INET6, &time_wait);
        }
      }
      close(fd);
      dump_ns += now_ns() - dump_start;
      if (result != 0) {
        fprintf(stderr, "dump in %s failed: %d\n", path, result);
        return 1;
      }
    }
    printf("round %d total_ns %lld dump_ns %lld time_wait %lld request %s cpu_ns %lld\n", round,
           now_ns() - start, dump_ns, time_wait, legacy ? "legacy" : "v2",
           clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu_start);
  }
  return 0;
}

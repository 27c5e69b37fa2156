/*
 * The hostile tenant of the real-cluster tier (HostileTenantClusterTest): what a pod with no
 * privileges can do to the node agent of its node. Built static (gcc -static) and imported with
 * busybox-static into the image tcp-teardown-tenant:dev by scripts/local-cluster.sh images.
 *
 *   tenant stall SECONDS SILENT SLOW HOST:PORT...
 *       SILENT connections that send nothing and SLOW connections that send one byte of a request
 *       header per second to each HOST:PORT, reopened when the peer closes them, for SECONDS.
 *   tenant closewait SOCKETS CHILDREN [COMM]
 *       SOCKETS loopback connections whose clients closed and whose server side is never closed
 *       (CLOSE_WAIT), held by this process and CHILDREN forked children that inherit them; COMM
 *       (C escapes \e \n \t \r \xHH allowed) becomes the process name of all of them (PR_SET_NAME).
 *   tenant sockets PAIRS CLOSEWAIT
 *       PAIRS established loopback connections (2 * PAIRS sockets) held across as many forked
 *       processes as the descriptor limit needs, plus CLOSEWAIT sockets in CLOSE_WAIT.
 *
 * Each mode prints one line starting with READY once its population is in place, then holds it
 * (until SECONDS for stall, until killed otherwise). Any failure prints FAILED and exits 1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("FAILED ", stdout);
  vprintf(fmt, ap);
  printf(": %s\n", strerror(errno));
  va_end(ap);
  fflush(stdout);
  exit(1);
}

static long number(const char *text, const char *what) {
  char *end;
  errno = 0;
  long value = strtol(text, &end, 10);
  if (errno || *end || value < 0) {
    errno = EINVAL;
    die("%s must be a non-negative number, got '%s'", what, text);
  }
  return value;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

/* A listener on 127.0.0.1 (any port), its port returned. */
static int listener(int *port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) die("bind");
  if (listen(fd, 4096) < 0) die("listen");
  socklen_t len = sizeof a;
  if (getsockname(fd, (struct sockaddr *)&a, &len) < 0) die("getsockname");
  *port = ntohs(a.sin_port);
  return fd;
}

static int connect_to(const struct sockaddr_in *to, int nonblocking) {
  int fd = socket(AF_INET, SOCK_STREAM | (nonblocking ? SOCK_NONBLOCK : 0), 0);
  if (fd < 0) return -1;
  if (connect(fd, (const struct sockaddr *)to, sizeof *to) < 0 && errno != EINPROGRESS) {
    close(fd);
    return -1;
  }
  return fd;
}

/* One loopback connection: its client and server ends. */
static void pair(int lfd, int port, int *client, int *server) {
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port),
                           .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  *client = connect_to(&to, 0);
  if (*client < 0) die("connect to 127.0.0.1:%d", port);
  *server = accept(lfd, NULL, NULL);
  if (*server < 0) die("accept");
}

static void raise_nofile(void) {
  struct rlimit r;
  if (getrlimit(RLIMIT_NOFILE, &r) < 0) die("getrlimit");
  r.rlim_cur = r.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &r) < 0) die("setrlimit");
}

/* ---- closewait ------------------------------------------------------------------------------ */

static void unescape(const char *in, char *out, size_t size) {
  size_t n = 0;
  while (*in && n + 1 < size) {
    if (in[0] == '\\' && in[1]) {
      in++;
      switch (*in) {
        case 'e': out[n++] = 0x1b; in++; break;
        case 'n': out[n++] = '\n'; in++; break;
        case 't': out[n++] = '\t'; in++; break;
        case 'r': out[n++] = '\r'; in++; break;
        case 'x': {
          char hex[3] = {0};
          strncpy(hex, in + 1, 2);
          out[n++] = (char)strtol(hex, NULL, 16);
          in += 1 + strlen(hex);
          break;
        }
        default: out[n++] = *in++;
      }
    } else {
      out[n++] = *in++;
    }
  }
  out[n] = 0;
}

/* COUNT connections whose clients closed: the server ends stay in CLOSE_WAIT while held. */
static void close_wait(long count) {
  int port;
  int lfd = listener(&port);
  for (long i = 0; i < count; i++) {
    int client, server;
    pair(lfd, port, &client, &server);
    close(client);
    (void)server; /* never closed: the leak */
  }
  close(lfd);
}

static int closewait_main(int argc, char **argv) {
  if (argc < 2) {
    errno = EINVAL;
    die("usage: tenant closewait SOCKETS CHILDREN [COMM]");
  }
  long sockets = number(argv[0], "SOCKETS");
  long children = number(argv[1], "CHILDREN");
  if (argc > 2) {
    char name[64];
    unescape(argv[2], name, sizeof name);
    if (prctl(PR_SET_NAME, name, 0, 0, 0) < 0) die("prctl(PR_SET_NAME)");
  }
  raise_nofile();
  close_wait(sockets);
  signal(SIGCHLD, SIG_IGN);
  for (long i = 0; i < children; i++) {
    pid_t pid = fork();
    if (pid < 0) die("fork (child %ld)", i);
    if (pid == 0) {
      for (;;) pause(); /* the child holds the inherited CLOSE_WAIT sockets */
    }
  }
  printf("READY closewait sockets=%ld holders=%ld\n", sockets, children + 1);
  fflush(stdout);
  for (;;) pause();
  return 0;
}

/* ---- sockets -------------------------------------------------------------------------------- */

static int sockets_main(int argc, char **argv) {
  if (argc < 2) {
    errno = EINVAL;
    die("usage: tenant sockets PAIRS CLOSEWAIT");
  }
  long pairs = number(argv[0], "PAIRS");
  long closewait = number(argv[1], "CLOSEWAIT");
  raise_nofile();
  struct rlimit r;
  getrlimit(RLIMIT_NOFILE, &r);
  long per_process = ((long)r.rlim_cur - 64) / 2;
  if (per_process < 1) {
    errno = EMFILE;
    die("descriptor limit %ld", (long)r.rlim_cur);
  }
  if (per_process > 12000) per_process = 12000; /* 24,000 ephemeral ports of one destination */
  long processes = (pairs + per_process - 1) / per_process;
  int ready[2];
  if (pipe(ready) < 0) die("pipe");
  double started = now();
  for (long p = 0; p < processes; p++) {
    long mine = p + 1 < processes ? per_process : pairs - per_process * (processes - 1);
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
      close(ready[0]);
      int port;
      int lfd = listener(&port);
      for (long i = 0; i < mine; i++) {
        int client, server;
        pair(lfd, port, &client, &server);
      }
      char ok = 1;
      if (write(ready[1], &ok, 1) != 1) die("write");
      close(ready[1]);
      for (;;) pause();
    }
  }
  close(ready[1]);
  for (long p = 0; p < processes; p++) {
    char ok;
    if (read(ready[0], &ok, 1) != 1) {
      errno = ECHILD;
      die("a socket holder failed (%ld of %ld ready)", p, processes);
    }
  }
  close_wait(closewait);
  printf("READY sockets established=%ld closewait=%ld processes=%ld seconds=%.1f\n", 2 * pairs,
         closewait, processes + 1, now() - started);
  fflush(stdout);
  for (;;) pause();
  return 0;
}

/* ---- stall ---------------------------------------------------------------------------------- */

struct conn {
  struct sockaddr_in to;
  int fd;
  int slow;
  size_t sent;
};

static const char REQUEST[] =
    "GET /healthz HTTP/1.1\r\nHost: tenant\r\nX-Slow: "
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

static int stall_main(int argc, char **argv) {
  if (argc < 4) {
    errno = EINVAL;
    die("usage: tenant stall SECONDS SILENT SLOW HOST:PORT...");
  }
  long seconds = number(argv[0], "SECONDS");
  long silent = number(argv[1], "SILENT");
  long slow = number(argv[2], "SLOW");
  int targets = argc - 3;
  long total = (silent + slow) * targets;
  struct conn *conns = calloc(total, sizeof *conns);
  if (!conns) die("calloc");
  long n = 0;
  for (int t = 0; t < targets; t++) {
    char host[64];
    snprintf(host, sizeof host, "%s", argv[3 + t]);
    char *colon = strrchr(host, ':');
    if (!colon) {
      errno = EINVAL;
      die("target '%s' is not HOST:PORT", argv[3 + t]);
    }
    *colon = 0;
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(number(colon + 1, "PORT"))};
    if (inet_pton(AF_INET, host, &to.sin_addr) != 1) {
      errno = EINVAL;
      die("'%s' is not an IPv4 address", host);
    }
    for (long i = 0; i < silent + slow; i++) {
      conns[n].to = to;
      conns[n].slow = i >= silent;
      conns[n].fd = -1;
      n++;
    }
  }
  raise_nofile();
  signal(SIGPIPE, SIG_IGN);
  long reopened = 0, refused = 0;
  double started = now(), deadline = started + seconds;
  int reported = 0;
  while (now() < deadline) {
    long open = 0;
    for (long i = 0; i < total; i++) {
      struct conn *c = &conns[i];
      if (c->fd >= 0) {
        /* closed by the peer? (a read of 0 or an error) */
        char buf[512];
        ssize_t got = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
        if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
          close(c->fd);
          c->fd = -1;
          reopened++;
        }
      }
      if (c->fd < 0) {
        c->fd = connect_to(&c->to, 1);
        c->sent = 0;
        if (c->fd < 0) {
          refused++;
          continue;
        }
      }
      if (c->slow && c->sent < sizeof REQUEST - 1) {
        if (send(c->fd, REQUEST + c->sent, 1, MSG_DONTWAIT) == 1) c->sent++;
      }
      open++;
    }
    if (!reported && now() - started >= 2) {
      printf("READY stall connections=%ld targets=%d\n", open, targets);
      fflush(stdout);
      reported = 1;
    }
    /* one byte per second on every slow connection */
    poll(NULL, 0, 1000);
  }
  printf("DONE stall reopened=%ld refused=%ld\n", reopened, refused);
  fflush(stdout);
  return 0;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc >= 2 && !strcmp(argv[1], "stall")) return stall_main(argc - 2, argv + 2);
  if (argc >= 2 && !strcmp(argv[1], "closewait")) return closewait_main(argc - 2, argv + 2);
  if (argc >= 2 && !strcmp(argv[1], "sockets")) return sockets_main(argc - 2, argv + 2);
  fprintf(stderr, "usage: tenant stall|closewait|sockets ... (see the source's header)\n");
  return 2;
}

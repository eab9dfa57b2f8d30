// host.node: the system calls Node does not offer. waitpid(pid, WNOHANG), so a daemon that is
// PID 1 can collect orphans the kernel re-parents to it (src/host/orphan-reaper.ts decides which
// pids; this only asks), a listening socket that libuv never sees, for [fcgi-program:x], and a
// unix datagram socket for systemd's sd_notify protocol (ready=notify, and the daemon's own
// READY=1 to systemd), which Node lacks, an inotify watch narrower than fs.watch's, and a
// bare non-blocking TCP connect for tcp: probes (Node's net.Socket costs ~400 us of CPU per
// connect, this ~15 us: 100 health checks a second are 4% of a core one way, under 1% the other).
// And spawn(): a child started by clone(CLONE_VM|CLONE_VFORK) on real pipes, its exit seen
// through a pidfd (no fork of the daemon's memory, no waitpid over every child at each SIGCHLD).
// Built by scripts/build-native.mjs; optional at run time.
// _GNU_SOURCE: struct ucred, SCM_CREDENTIALS, pipe2() and clone().
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <uv.h>

static bool inflight_guards(pid_t pid);

// The call's first argument as an integer (false when there is none, or it is not a number).
static bool first_int_arg(napi_env env, napi_callback_info info, int64_t *out) {
  size_t argc = 1;
  napi_value argv[1];
  return napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc >= 1 &&
         napi_get_value_int64(env, argv[0], out) == napi_ok;
}

// reap(pid) -> { pid, status } once that child has ended and is collected (status is the raw
// wait status), or null while it runs, or when it is not our child (ECHILD), or "busy" while the pid may be a
// child spawnAsync() is still handing over (ask again later).
static napi_value Reap(napi_env env, napi_callback_info info) {
  napi_value result;
  int64_t pid = 0;
  if (!first_int_arg(env, info, &pid) || pid <= 0 || pid > INT32_MAX) {
    napi_throw_type_error(env, NULL, "reap(pid): pid must be a positive integer");
    return NULL;
  }
  if (inflight_guards((pid_t)pid)) {
    napi_create_string_utf8(env, "busy", NAPI_AUTO_LENGTH, &result);
    return result;
  }
  int status = 0;
  pid_t got;
  do {
    got = waitpid((pid_t)pid, &status, WNOHANG);
  } while (got < 0 && errno == EINTR);
  if (got <= 0) {
    napi_get_null(env, &result);
    return result;
  }
  napi_value pid_value;
  napi_value status_value;
  napi_create_object(env, &result);
  napi_create_int32(env, (int32_t)got, &pid_value);
  napi_create_int32(env, (int32_t)status, &status_value);
  napi_set_named_property(env, result, "pid", pid_value);
  napi_set_named_property(env, result, "status", status_value);
  return result;
}

// listenSocket({ path, backlog, mode, uid, gid }) or ({ host, port, backlog }) -> { fd } or
// { errno, syscall } or { gai, message } (getaddrinfo's error). The listening socket of an
// [fcgi-program:x] (src/host/listen-socket.ts): made here rather than with net.Server because
// libuv would then accept() connections itself, racing the children the socket is for. Blocking
// (the children accept() on it as their fd 0) and close-on-exec (only the fd 0 given to a child
// by dup2 crosses exec). The steps are supervisord's (datatypes.py create_and_bind, then
// socket_manager.py listen): a unix socket's file is unlinked first, bound, given its owner and
// mode, and only then listened on, so nobody can connect before its permissions are set.
static napi_value failure(napi_env env, int err, const char *syscall) {
  napi_value result;
  napi_value value;
  napi_create_object(env, &result);
  napi_create_int32(env, err, &value);
  napi_set_named_property(env, result, "errno", value);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, result, "syscall", value);
  return result;
}

static napi_value success(napi_env env, int fd) {
  napi_value result;
  napi_value value;
  napi_create_object(env, &result);
  napi_create_int32(env, fd, &value);
  napi_set_named_property(env, result, "fd", value);
  return result;
}

// A string property into buf (false when absent or too long).
static bool string_property(napi_env env, napi_value object, const char *name, char *buf, size_t size) {
  napi_value value;
  napi_valuetype type;
  size_t length = 0;
  if (napi_get_named_property(env, object, name, &value) != napi_ok || napi_typeof(env, value, &type) != napi_ok || type != napi_string) return false;
  if (napi_get_value_string_utf8(env, value, buf, size, &length) != napi_ok) return false;
  return length < size - 1;
}

// An int32 property, or fallback when absent.
static int32_t int_property(napi_env env, napi_value object, const char *name, int32_t fallback) {
  napi_value value;
  napi_valuetype type;
  int32_t n = fallback;
  if (napi_get_named_property(env, object, name, &value) != napi_ok || napi_typeof(env, value, &type) != napi_ok || type != napi_number) return fallback;
  napi_get_value_int32(env, value, &n);
  return n;
}

static napi_value listen_unix(napi_env env, napi_value spec, const char *path, int backlog) {
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (strlen(path) >= sizeof addr.sun_path) return failure(env, ENAMETOOLONG, "bind");
  strcpy(addr.sun_path, path);
  int32_t mode = int_property(env, spec, "mode", -1);
  int32_t uid = int_property(env, spec, "uid", -1);
  int32_t gid = int_property(env, spec, "gid", -1);
  if (unlink(path) < 0 && errno != ENOENT) return failure(env, errno, "unlink");
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return failure(env, errno, "socket");
  const char *step = "bind";
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) goto fail;
  step = "chown";
  if ((uid != -1 || gid != -1) && chown(path, (uid_t)uid, (gid_t)gid) < 0) goto fail_bound;
  step = "chmod";
  if (mode != -1 && chmod(path, (mode_t)mode) < 0) goto fail_bound;
  step = "listen";
  if (listen(fd, backlog) < 0) goto fail_bound;
  return success(env, fd);
fail_bound: {
    int err = errno;
    close(fd);
    unlink(path);
    return failure(env, err, step);
  }
fail: {
    int err = errno;
    close(fd);
    return failure(env, err, step);
  }
}

static napi_value listen_inet(napi_env env, const char *host, int port, int backlog) {
  struct addrinfo hints;
  struct addrinfo *found = NULL;
  char service[16];
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  snprintf(service, sizeof service, "%d", port);
  int gai = getaddrinfo(host, service, &hints, &found);
  if (gai != 0) {
    napi_value result;
    napi_value value;
    napi_create_object(env, &result);
    napi_create_int32(env, gai, &value);
    napi_set_named_property(env, result, "gai", value);
    napi_create_string_utf8(env, gai == EAI_SYSTEM ? strerror(errno) : gai_strerror(gai), NAPI_AUTO_LENGTH, &value);
    napi_set_named_property(env, result, "message", value);
    return result;
  }
  // supervisord binds AF_INET; an IPv6 address only where the name has no IPv4 one.
  struct addrinfo *use = found;
  for (struct addrinfo *ai = found; ai != NULL; ai = ai->ai_next) {
    if (ai->ai_family == AF_INET) {
      use = ai;
      break;
    }
  }
  int fd = socket(use->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    int err = errno;
    freeaddrinfo(found);
    return failure(env, err, "socket");
  }
  int one = 1;
  const char *step = "setsockopt";
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) goto fail;
  step = "bind";
  if (bind(fd, use->ai_addr, use->ai_addrlen) < 0) goto fail;
  step = "listen";
  if (listen(fd, backlog) < 0) goto fail;
  freeaddrinfo(found);
  return success(env, fd);
fail: {
    int err = errno;
    close(fd);
    freeaddrinfo(found);
    return failure(env, err, step);
  }
}

static napi_value ListenSocket(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char text[4096];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) {
    napi_throw_type_error(env, NULL, "listenSocket(spec): spec must be an object");
    return NULL;
  }
  int backlog = int_property(env, argv[0], "backlog", SOMAXCONN);
  if (string_property(env, argv[0], "path", text, sizeof text)) return listen_unix(env, argv[0], text, backlog);
  if (string_property(env, argv[0], "host", text, sizeof text)) return listen_inet(env, text, int_property(env, argv[0], "port", 0), backlog);
  napi_throw_type_error(env, NULL, "listenSocket(spec): spec needs a path, or a host and a port");
  return NULL;
}

// openNotifySocket(path, mode, onMessage) -> { handle } or { errno, syscall }: a unix datagram
// socket bound at path (an existing file there is unlinked first), chmod'ed to mode, with
// SO_PASSCRED so each datagram carries its sender's pid and uid. A thread of its own waits on it
// and hands every datagram to onMessage(data, pid, uid) on the main thread through a threadsafe
// function: the event loop never blocks on it, and a datagram reaches JS as soon as the loop is
// free (no polling). At most NOTIFY_QUEUE datagrams wait for the loop; more are dropped, so a
// flood costs no memory. The function is unref'ed: an open socket never keeps the daemon alive.
// closeNotifySocket(handle) stops the thread and closes the socket (idempotent); the file stays
// (the caller removes it). Datagrams are read up to NOTIFY_MAX bytes (systemd's own limit is
// PIPE_BUF); descriptors sent along (sd_pid_notify_with_fds) are closed at once.
#define NOTIFY_MAX 4096
#define NOTIFY_QUEUE 64
#define NOTIFY_FDS 64

typedef struct {
  napi_env env;
  int fd;
  int wake[2];
  pthread_t thread;
  napi_threadsafe_function tsfn;
  bool closed;
} notify_socket;

typedef struct {
  int32_t pid;
  int32_t uid;
  size_t length;
  char data[];
} notify_message;

static void notify_call_js(napi_env env, napi_value callback, void *context, void *data) {
  (void)context;
  notify_message *message = data;
  if (env != NULL && callback != NULL) {
    napi_value argv[3];
    napi_value global;
    void *copy = NULL;
    napi_create_buffer_copy(env, message->length, message->data, &copy, &argv[0]);
    napi_create_int32(env, message->pid, &argv[1]);
    napi_create_int32(env, message->uid, &argv[2]);
    napi_get_global(env, &global);
    napi_call_function(env, global, callback, 3, argv, NULL);
  }
  free(message);
}

static void close_passed_fds(struct msghdr *msg) {
  for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    int *fds = (int *)CMSG_DATA(c);
    size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < n; i++) close(fds[i]);
  }
}

static void notify_receive(notify_socket *s) {
  char buf[NOTIFY_MAX];
  union {
    struct cmsghdr align;
    char space[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * NOTIFY_FDS)];
  } control;
  for (;;) {
    struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf };
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.space;
    msg.msg_controllen = sizeof control.space;
    ssize_t got = recvmsg(s->fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (got < 0) {
      if (errno == EINTR) continue;
      return;  // EAGAIN: all read
    }
    close_passed_fds(&msg);
    int32_t pid = 0;
    int32_t uid = -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
        struct ucred cred;
        memcpy(&cred, CMSG_DATA(c), sizeof cred);
        pid = (int32_t)cred.pid;
        uid = (int32_t)cred.uid;
      }
    }
    size_t length = (size_t)got > sizeof buf ? sizeof buf : (size_t)got;
    notify_message *message = malloc(sizeof *message + length);
    if (message == NULL) continue;
    message->pid = pid;
    message->uid = uid;
    message->length = length;
    memcpy(message->data, buf, length);
    // Non-blocking: a full queue (the loop is busy and a sender floods) drops the datagram.
    if (napi_call_threadsafe_function(s->tsfn, message, napi_tsfn_nonblocking) != napi_ok) free(message);
  }
}

static void *notify_thread(void *arg) {
  notify_socket *s = arg;
  struct pollfd fds[2] = { { .fd = s->fd, .events = POLLIN }, { .fd = s->wake[0], .events = POLLIN } };
  for (;;) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents != 0) break;
    if ((fds[0].revents & POLLIN) != 0) notify_receive(s);
    else if ((fds[0].revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) break;
  }
  return NULL;
}

static void notify_shutdown(notify_socket *s) {
  if (s->closed) return;
  s->closed = true;
  char byte = 1;
  ssize_t ignored = write(s->wake[1], &byte, 1);
  (void)ignored;
  pthread_join(s->thread, NULL);
  close(s->fd);
  close(s->wake[0]);
  close(s->wake[1]);
  napi_release_threadsafe_function(s->tsfn, napi_tsfn_release);
}

// At exit (environment teardown) the thread is stopped before Node frees the threadsafe
// function it calls: this hook is added after the function's own, and hooks run in reverse.
static void notify_cleanup(void *data) {
  notify_shutdown(data);
}

static void notify_close(notify_socket *s) {
  if (s->closed) return;
  notify_shutdown(s);
  napi_remove_env_cleanup_hook(s->env, notify_cleanup, s);
}

// The handle's finalizer: a socket its owner forgot is closed when the handle is collected (at
// teardown the cleanup hook, which runs first, has closed it already).
static void notify_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  notify_socket *s = data;
  notify_close(s);
  free(s);
}

static napi_value OpenNotifySocket(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
  size_t length = 0;
  int32_t mode = 0;
  napi_valuetype type = napi_undefined;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3 ||
      napi_get_value_string_utf8(env, argv[0], path, sizeof path, &length) != napi_ok ||
      napi_get_value_int32(env, argv[1], &mode) != napi_ok ||
      napi_typeof(env, argv[2], &type) != napi_ok || type != napi_function) {
    napi_throw_type_error(env, NULL, "openNotifySocket(path, mode, onMessage): a path, a mode and a function");
    return NULL;
  }
  if (length == 0) return failure(env, EINVAL, "bind");
  if (length >= sizeof path - 1) return failure(env, ENAMETOOLONG, "bind");
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, path, length);
  if (unlink(path) < 0 && errno != ENOENT) return failure(env, errno, "unlink");
  notify_socket *s = calloc(1, sizeof *s);
  if (s == NULL) return failure(env, ENOMEM, "malloc");
  int one = 1;
  const char *step = "socket";
  s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (s->fd < 0) {
    int err = errno;
    free(s);
    return failure(env, err, step);
  }
  step = "setsockopt";
  if (setsockopt(s->fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0) goto fail;
  step = "bind";
  if (bind(s->fd, (struct sockaddr *)&addr, sizeof addr) < 0) goto fail;
  step = "chmod";
  if (chmod(path, (mode_t)mode) < 0) goto fail_bound;
  step = "pipe2";
  if (pipe2(s->wake, O_CLOEXEC) < 0) goto fail_bound;
  napi_value name;
  napi_create_string_utf8(env, "notify socket", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, argv[2], NULL, name, NOTIFY_QUEUE, 1, NULL, NULL, NULL, notify_call_js, &s->tsfn) != napi_ok) {
    errno = ENOMEM;
    step = "napi_create_threadsafe_function";
    goto fail_pipe;
  }
  napi_unref_threadsafe_function(env, s->tsfn);
  s->env = env;
  // The thread takes no signals: they stay with Node's threads, whose handlers expect them.
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  int err = pthread_create(&s->thread, NULL, notify_thread, s);
  pthread_sigmask(SIG_SETMASK, &previous, NULL);
  if (err != 0) {
    napi_release_threadsafe_function(s->tsfn, napi_tsfn_abort);
    errno = err;
    step = "pthread_create";
    goto fail_pipe;
  }
  napi_add_env_cleanup_hook(env, notify_cleanup, s);
  napi_value result;
  napi_value handle;
  napi_create_object(env, &result);
  napi_create_external(env, s, notify_finalize, NULL, &handle);
  napi_set_named_property(env, result, "handle", handle);
  return result;
fail_pipe: {
    int saved = errno;
    close(s->wake[0]);
    close(s->wake[1]);
    errno = saved;
  }
fail_bound: {
    int saved = errno;
    unlink(path);
    errno = saved;
  }
fail: {
    int saved = errno;
    close(s->fd);
    free(s);
    return failure(env, saved, step);
  }
}

// notifySend(path, message) -> 0 or an errno: one datagram to a listening notify socket, the
// sending half of sd_notify(3), for the daemon's own readiness under systemd (Type=notify). A
// path starting with '@' is an abstract socket (a leading NUL byte, as sd_notify maps it). The
// socket is non-blocking: a receiver whose queue is full costs an EAGAIN, never a stalled loop.
static napi_value NotifySend(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  // Two bytes more than sun_path: a longer path is cut here and seen as too long, not sent cut.
  char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 2];
  size_t path_length = 0;
  size_t message_length = 0;
  napi_value result;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_get_value_string_utf8(env, argv[0], path, sizeof path, &path_length) != napi_ok ||
      napi_get_value_string_utf8(env, argv[1], NULL, 0, &message_length) != napi_ok) {
    napi_throw_type_error(env, NULL, "notifySend(path, message): two strings");
    return NULL;
  }
  int err = 0;
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (path_length == 0 || (path[0] != '/' && path[0] != '@')) err = EINVAL;
  else if (path_length > sizeof addr.sun_path || (path[0] == '/' && path_length == sizeof addr.sun_path)) err = ENAMETOOLONG;
  char *message = err == 0 ? malloc(message_length + 1) : NULL;
  if (err == 0 && message == NULL) err = ENOMEM;
  if (err == 0) {
    napi_get_value_string_utf8(env, argv[1], message, message_length + 1, &message_length);
    memcpy(addr.sun_path, path, path_length);
    if (path[0] == '@') addr.sun_path[0] = '\0';
    // An abstract name's length is exactly its bytes: the address ends where the name does.
    socklen_t addr_length = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + path_length + (path[0] == '/' ? 1 : 0));
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) err = errno;
    else {
      ssize_t sent;
      do sent = sendto(fd, message, message_length, MSG_NOSIGNAL, (struct sockaddr *)&addr, addr_length);
      while (sent < 0 && errno == EINTR);
      if (sent < 0) err = errno;
      close(fd);
    }
    free(message);
  }
  napi_create_int32(env, err, &result);
  return result;
}

static napi_value CloseNotifySocket(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *data = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_external(env, argv[0], &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, NULL, "closeNotifySocket(handle): a handle from openNotifySocket");
    return NULL;
  }
  notify_close(data);
  return NULL;
}

// ---- tcpConnect(host, port, timeoutMs, done): one TCP connect, nothing sent, closed at once ----
// host is an IP literal (the caller uses Node's socket for names). done(errno) is called once, in
// a later loop turn: 0 connected, else the errno (ETIMEDOUT after timeoutMs). The handles are
// unref'd: a try in flight never keeps the daemon alive. tcpCancel(id) ends a try without a call.

typedef struct tcp_try {
  uv_poll_t poll;
  uv_timer_t timer;
  int fd;
  int open_handles;
  int immediate;          // connect() settled at once: the errno (0 connected) the 0 ms timer reports
  bool done;
  uint32_t id;
  napi_env env;
  napi_ref callback;
  napi_async_context context;
  struct tcp_try *next;
} tcp_try;

static tcp_try *tcp_tries = NULL;
static uint32_t tcp_next_id = 1;

static void tcp_handle_closed(uv_handle_t *h) {
  tcp_try *t = h->data;
  if (--t->open_handles == 0) free(t);
}

static void tcp_finish(tcp_try *t, int err, bool call) {
  if (t->done) return;
  t->done = true;
  for (tcp_try **p = &tcp_tries; *p != NULL; p = &(*p)->next) {
    if (*p == t) { *p = t->next; break; }
  }
  // uv_poll_stop takes the descriptor out of epoll, so closing it after is safe.
  uv_poll_stop(&t->poll);
  uv_timer_stop(&t->timer);
  close(t->fd);
  napi_env env = t->env;
  if (call) {
    napi_handle_scope scope;
    napi_open_handle_scope(env, &scope);
    napi_value cb, recv, arg;
    napi_get_reference_value(env, t->callback, &cb);
    napi_get_global(env, &recv);
    napi_create_int32(env, err, &arg);
    // make_callback, not call_function: the promise the callback settles runs its reactions now
    // (its receiver must be an object: the global one).
    if (napi_make_callback(env, t->context, recv, cb, 1, &arg, NULL) == napi_pending_exception) {
      napi_value exception;
      napi_get_and_clear_last_exception(env, &exception);
      napi_fatal_exception(env, exception);
    }
    napi_close_handle_scope(env, scope);
  }
  napi_delete_reference(env, t->callback);
  napi_async_destroy(env, t->context);
  uv_close((uv_handle_t *)&t->poll, tcp_handle_closed);
  uv_close((uv_handle_t *)&t->timer, tcp_handle_closed);
}

static void tcp_writable(uv_poll_t *h, int status, int events) {
  (void)events;
  tcp_try *t = h->data;
  int err = 0;
  socklen_t len = sizeof err;
  // libuv reports EPOLLERR as UV_EBADF: the socket's own error (ECONNREFUSED ...) says what happened.
  if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
  if (err == 0 && status < 0) err = -status;
  tcp_finish(t, err, true);
}

static void tcp_timer(uv_timer_t *h) {
  tcp_try *t = h->data;
  tcp_finish(t, t->immediate >= 0 ? t->immediate : ETIMEDOUT, true);
}

static napi_value TcpConnect(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  char host[64];
  size_t host_len = 0;
  int32_t port = 0;
  int64_t timeout_ms = 0;
  napi_valuetype cb_type = napi_undefined;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4 ||
      napi_get_value_string_utf8(env, argv[0], host, sizeof host, &host_len) != napi_ok ||
      napi_get_value_int32(env, argv[1], &port) != napi_ok || port < 1 || port > 65535 ||
      napi_get_value_int64(env, argv[2], &timeout_ms) != napi_ok || timeout_ms < 0 ||
      napi_typeof(env, argv[3], &cb_type) != napi_ok || cb_type != napi_function) {
    napi_throw_type_error(env, NULL, "tcpConnect(host, port, timeoutMs, done)");
    return NULL;
  }
  struct sockaddr_storage addr;
  memset(&addr, 0, sizeof addr);
  socklen_t addr_len;
  struct sockaddr_in *v4 = (struct sockaddr_in *)&addr;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&addr;
  napi_value result;
  if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    addr_len = sizeof *v4;
  } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    addr_len = sizeof *v6;
  } else {
    napi_create_int32(env, 0, &result); // not an IP literal: the caller connects its own way
    return result;
  }
  int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    napi_create_int32(env, -errno, &result);
    return result;
  }
  tcp_try *t = calloc(1, sizeof *t);
  uv_loop_t *loop = NULL;
  if (t == NULL || napi_get_uv_event_loop(env, &loop) != napi_ok) {
    free(t);
    close(fd);
    napi_create_int32(env, -ENOMEM, &result);
    return result;
  }
  t->fd = fd;
  t->env = env;
  t->immediate = -1;
  int rc = connect(fd, (struct sockaddr *)&addr, addr_len);
  if (rc < 0 && errno != EINPROGRESS) t->immediate = errno;
  else if (rc == 0) t->immediate = 0;
  else {
    // On loopback the handshake mostly completes inside connect(): then no poll handle, no
    // epoll registration and no extra loop turn are needed, only the 0 ms timer that reports it.
    struct pollfd ready = { .fd = fd, .events = POLLOUT };
    if (poll(&ready, 1, 0) == 1) {
      int err = 0;
      socklen_t len = sizeof err;
      t->immediate = getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 ? errno : err;
    }
  }
  napi_value name;
  napi_create_string_utf8(env, "tssupervisor.tcpConnect", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &t->context);
  napi_create_reference(env, argv[3], 1, &t->callback);
  uv_poll_init_socket(loop, &t->poll, fd);
  uv_timer_init(loop, &t->timer);
  t->poll.data = t;
  t->timer.data = t;
  t->open_handles = 2;
  uv_unref((uv_handle_t *)&t->poll);
  uv_unref((uv_handle_t *)&t->timer);
  if (t->immediate >= 0) {
    uv_timer_start(&t->timer, tcp_timer, 0, 0);
  } else {
    uv_poll_start(&t->poll, UV_WRITABLE, tcp_writable);
    uv_timer_start(&t->timer, tcp_timer, (uint64_t)timeout_ms, 0);
  }
  t->id = tcp_next_id++;
  if (tcp_next_id == 0) tcp_next_id = 1;
  t->next = tcp_tries;
  tcp_tries = t;
  napi_create_uint32(env, t->id, &result);
  return result;
}

static napi_value TcpCancel(napi_env env, napi_callback_info info) {
  int64_t id = 0;
  if (!first_int_arg(env, info, &id)) {
    napi_throw_type_error(env, NULL, "tcpCancel(id)");
    return NULL;
  }
  for (tcp_try *t = tcp_tries; t != NULL; t = t->next) {
    if (t->id == id) {
      tcp_finish(t, 0, false);
      break;
    }
  }
  return NULL;
}

// execv(file, args) -> errno: replaces this process's image, keeping its pid, descriptors and
// environment (src/host/relaunch.ts: the daemon restarting itself under the V8 flags it needs
// when it was started as `node tssupervisord.js` without them). Returns only on failure.
static napi_value Execv(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  uint32_t count = 0;
  bool is_array = false;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_is_array(env, argv[1], &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, argv[1], &count) != napi_ok || count == 0) {
    napi_throw_type_error(env, NULL, "execv(file, args): args must be a non-empty array of strings");
    return NULL;
  }
  char *strings[count + 2];
  size_t lengths[count + 1];
  napi_value values[count + 1];
  values[0] = argv[0];
  for (uint32_t i = 0; i < count; i++) napi_get_element(env, argv[1], i, &values[i + 1]);
  for (uint32_t i = 0; i <= count; i++) {
    if (napi_get_value_string_utf8(env, values[i], NULL, 0, &lengths[i]) != napi_ok) {
      napi_throw_type_error(env, NULL, "execv(file, args): every argument must be a string");
      return NULL;
    }
  }
  // One allocation for all the strings: freed only when execv fails.
  size_t total = 0;
  for (uint32_t i = 0; i <= count; i++) total += lengths[i] + 1;
  char *block = malloc(total);
  if (block == NULL) {
    napi_value result;
    napi_create_int32(env, ENOMEM, &result);
    return result;
  }
  char *at = block;
  for (uint32_t i = 0; i <= count; i++) {
    size_t copied = 0;
    napi_get_value_string_utf8(env, values[i], at, lengths[i] + 1, &copied);
    strings[i] = at;
    at += lengths[i] + 1;
  }
  strings[count + 1] = NULL;
  // Node marks stdin, stdout and stderr close-on-exec at startup (uv_disable_stdio_inheritance,
  // so that its children get only what they are given): the new image must keep them.
  int stdio_flags[3];
  for (int fd = 0; fd < 3; fd++) {
    stdio_flags[fd] = fcntl(fd, F_GETFD);
    if (stdio_flags[fd] >= 0) fcntl(fd, F_SETFD, stdio_flags[fd] & ~FD_CLOEXEC);
  }
  execv(strings[0], &strings[1]);
  int err = errno;
  for (int fd = 0; fd < 3; fd++) {
    if (stdio_flags[fd] >= 0) fcntl(fd, F_SETFD, stdio_flags[fd]);
  }
  free(block);
  napi_value result;
  napi_create_int32(env, err, &result);
  return result;
}

// ---- spawn(spec) and onChildExit(callback): children without fork() and without SIGCHLD ----
// The child is made by clone(CLONE_VM | CLONE_VFORK), as glibc's posix_spawn does: it runs on a
// stack of its own in the daemon's memory while the daemon waits, so a daemon of 100+ MB is never
// copied (fork() copies its page tables: 1.5-2 ms per spawn at 1000 children). CLONE_PIDFD hands
// us a descriptor for the child that becomes readable when it exits: a uv_poll_t on it collects
// that one child with waitpid(pid, WNOHANG), instead of libuv's waitpid over every child at each
// SIGCHLD (O(n) per exit). The poll handles stay referenced: a running child keeps the loop
// alive, as a ChildProcess does. The one callback (onChildExit) gets (pid, rawStatus).
//
// In the child, until execve, only async-signal-safe system calls: it shares the daemon's memory
// (and the calling thread's TLS), so it must not take locks, allocate, or run a handler of Node's.
// Hence all signals are blocked around the clone and every handler is reset before they are
// unblocked; setgroups/setgid/setuid are raw system calls (glibc's wrappers would broadcast the
// change to the daemon's threads). A failed step leaves its errno in the shared plan.

typedef struct {
  const char *file;
  char **argv;
  char **envp;
  const char *cwd;
  int32_t uid;
  int32_t gid;
  int32_t umask;
  int fds[3];
  int err;
  const char *step;
  // An ordered spawn's ticket (spawnAsync): its child lets the next clone start (see below).
  bool ordered;
  uint32_t ticket;
  // The calling thread's three low slots holding fds[0..2] (see spawn_slots), or NULL.
  const int *slots;
} spawn_plan;

#define SPAWN_STACK_SIZE (256 * 1024)

// A child made with its own copy of the daemon's descriptor table (plain CLONE_VM) pays for the
// copy and for execve closing every close-on-exec entry of it: ~0.4 ms per spawn with the ~5000
// descriptors of 1000 programs' logs and pipes, nearly half of what a spawn costs here. So the
// child shares the table (CLONE_FILES) and its first act is close_range(top + 1, ~0,
// CLOSE_RANGE_UNSHARE): a private table of only the descriptors below `top + 1`, which is what
// the kernel copies. What the child needs must be down there: each spawning thread has three
// slots, low descriptors reserved at the first canSpawn/spawn (the daemon asks canSpawn before
// it opens any log: the lowest descriptors are still free then; a process that loads the addon
// for something else holds none of them), into
// which it dup3s the child's stdin/stdout/stderr just before the clone and /dev/null just after
// (the slots must never be free, or an open elsewhere could take one). The child then dup2s its
// slots onto 0, 1, 2 and closes everything from 3 up, as supervisord's child does. Slot set 0 is
// the main thread's (spawn), 1..SPAWN_THREADS the spawn threads'.
#define SPAWN_THREADS 3
// Linux 5.9's, spelt out for older headers (436 on every architecture).
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif
static int spawn_slots[SPAWN_THREADS + 1][3];
static int spawn_slot_top = -1;  // the highest slot; -1 when none could be reserved
static int spawn_devnull = -1;
static __thread int spawn_slot_set = 0;
static pthread_once_t spawn_slots_once = PTHREAD_ONCE_INIT;

static void spawn_slots_reserve_once(void) {
  int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull < 0) return;
  int top = -1;
  for (int set = 0; set <= SPAWN_THREADS; set++) {
    for (int i = 0; i < 3; i++) {
      int fd = fcntl(devnull, F_DUPFD_CLOEXEC, 3);
      if (fd < 0) return;  // no slots: children get a copied table, as before (leaks a few fds)
      spawn_slots[set][i] = fd;
      if (fd > top) top = fd;
    }
  }
  spawn_devnull = devnull;
  spawn_slot_top = top;
}

// Main thread, before any clone: spawn threads read the slots after a job's lock hand-over.
static void spawn_slots_reserve(void) {
  pthread_once(&spawn_slots_once, spawn_slots_reserve_once);
}

// The slots back to /dev/null: held, they would keep the child's output pipes from reaching EOF.
static void spawn_slots_clear(const int *slots) {
  if (slots == NULL) return;
  for (int i = 0; i < 3; i++) dup3(spawn_devnull, slots[i], O_CLOEXEC);
}

// The calling thread's slots holding fds[0..2], or NULL (none reserved, or a dup3 failed): the
// caller then clones without CLONE_FILES.
static const int *spawn_slots_fill(const int fds[3]) {
  if (spawn_slot_top < 0) return NULL;
  const int *slots = spawn_slots[spawn_slot_set];
  for (int i = 0; i < 3; i++) {
    if (dup3(fds[i], slots[i], O_CLOEXEC) < 0) {
      // The ones already filled must not hold the child's pipes open.
      spawn_slots_clear(slots);
      return NULL;
    }
  }
  return slots;
}

// Per thread: the main thread (spawn, canSpawn) and each libuv pool thread that runs a
// spawnAsync clone has one, made at its first spawn and kept for the process's life.
static __thread char *spawn_stack = NULL;

// Children forked on a pool thread whose pid JavaScript has not yet claimed (node-children.ts):
// the PID 1 orphan reaper (reap(), on the main thread) must not collect one of them, nor any pid
// while a clone is under way and its pid not yet known. Held only for bookkeeping, never across
// a clone, so pool threads still clone side by side.
static pthread_mutex_t inflight_lock = PTHREAD_MUTEX_INITIALIZER;
static int clones_running = 0;
static pid_t *inflight = NULL;
static size_t inflight_count = 0, inflight_capacity = 0;

static void inflight_begin(void) {
  pthread_mutex_lock(&inflight_lock);
  clones_running++;
  pthread_mutex_unlock(&inflight_lock);
}

// The clone has returned: its pid (if any) stays guarded until inflight_forget.
static void inflight_end(pid_t pid) {
  pthread_mutex_lock(&inflight_lock);
  clones_running--;
  if (pid > 0) {
    if (inflight_count == inflight_capacity) {
      size_t grown = inflight_capacity == 0 ? 64 : inflight_capacity * 2;
      pid_t *bigger = realloc(inflight, grown * sizeof *bigger);
      if (bigger != NULL) {
        inflight = bigger;
        inflight_capacity = grown;
      }
    }
    // Out of memory: unguarded, as a synchronous spawn's pid is (a narrow window, not a crash).
    if (inflight_count < inflight_capacity) inflight[inflight_count++] = pid;
  }
  pthread_mutex_unlock(&inflight_lock);
}

static void inflight_forget(pid_t pid) {
  pthread_mutex_lock(&inflight_lock);
  for (size_t i = 0; i < inflight_count; i++) {
    if (inflight[i] == pid) {
      inflight[i] = inflight[--inflight_count];
      break;
    }
  }
  pthread_mutex_unlock(&inflight_lock);
}

// True when reap(pid) must wait: pid is being handed to JavaScript, or might be (a clone runs).
static bool inflight_guards(pid_t pid) {
  pthread_mutex_lock(&inflight_lock);
  bool guarded = clones_running > 0;
  for (size_t i = 0; !guarded && i < inflight_count; i++) guarded = inflight[i] == pid;
  pthread_mutex_unlock(&inflight_lock);
  return guarded;
}

// Clones of spawnAsync() run on several threads at once, yet their pids must be handed out in the
// order the spawns were asked for, as one thread would (supervisord's order: `spawned:` lines,
// and pids, follow priority). A ticket per spawn, taken on the main thread; a thread clones only
// when its ticket is served, and the child serves the next one as its first act: the kernel has
// given it its pid by then, and its exec (most of the cost) overlaps with the next clone.
static uint32_t clone_ticket_next = 0;
static _Atomic uint32_t clone_serving = 0;

static void futex_wait_while(_Atomic uint32_t *word, uint32_t value) {
  while (atomic_load(word) == value) syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, value, NULL, NULL, 0);
}

// Serves `ticket + 1` if `ticket` is still being served. Async-signal-safe: the child calls it.
static void clone_ticket_done(uint32_t ticket) {
  uint32_t expected = ticket;
  if (atomic_compare_exchange_strong(&clone_serving, &expected, ticket + 1)) {
    syscall(SYS_futex, &clone_serving, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0);
  }
}

static void clone_ticket_wait(uint32_t ticket) {
  for (uint32_t now = atomic_load(&clone_serving); now != ticket; now = atomic_load(&clone_serving)) {
    futex_wait_while(&clone_serving, now);
  }
}

static int child_fail(spawn_plan *p, const char *step) {
  p->err = errno;
  p->step = step;
  _exit(127);
}

static int spawn_child(void *arg) {
  spawn_plan *p = arg;
  if (p->ordered) clone_ticket_done(p->ticket);
  // SIG_IGN survives execve (Node ignores SIGPIPE: a child must get the default) and a handler
  // would run Node's code in this half-process: every signal back to its default first.
  for (int sig = 1; sig < _NSIG; sig++) {
    struct sigaction old;
    if (sig == SIGKILL || sig == SIGSTOP || sigaction(sig, NULL, &old) < 0 || old.sa_handler == SIG_DFL) continue;
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, NULL);
  }
  // Its own session and process group, as Node's detached:true (supervisord's setpgrp).
  if (setsid() < 0) return child_fail(p, "setsid");
  if (p->slots != NULL) {
    // Still the daemon's table: nothing may change in it until this makes our own (unshare's
    // full copy where close_range is missing, before Linux 5.9).
    if (syscall(SYS_close_range, (unsigned)spawn_slot_top + 1, ~0U, CLOSE_RANGE_UNSHARE) < 0 && syscall(SYS_unshare, CLONE_FILES) < 0) {
      return child_fail(p, "unshare");
    }
    for (int i = 0; i < 3; i++) {
      if (dup2(p->slots[i], i) < 0) return child_fail(p, "dup2");
    }
    // Errors ignored: where close_range is missing, close-on-exec still closes the daemon's own.
    syscall(SYS_close_range, 3U, ~0U, 0U);
  } else for (int i = 0; i < 3; i++) {
    // dup2 onto itself would leave close-on-exec set.
    if (p->fds[i] == i) {
      if (fcntl(i, F_SETFD, 0) < 0) return child_fail(p, "fcntl");
    } else if (dup2(p->fds[i], i) < 0) {
      return child_fail(p, "dup2");
    }
  }
  if (p->cwd != NULL && chdir(p->cwd) < 0) return child_fail(p, "chdir");
  // As libuv: a changed user drops the daemon's supplementary groups (errors ignored).
  if (p->uid >= 0 || p->gid >= 0) syscall(SYS_setgroups, 0, NULL);
  if (p->gid >= 0 && syscall(SYS_setgid, p->gid) < 0) return child_fail(p, "setgid");
  if (p->uid >= 0 && syscall(SYS_setuid, p->uid) < 0) return child_fail(p, "setuid");
  if (p->umask >= 0) umask((mode_t)p->umask);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  execve(p->file, p->argv, p->envp);
  return child_fail(p, "execve");
}

// clone() for a plan: the pid (pidfd set), or -1 with errno. Signals are blocked meanwhile so
// none is delivered to the child before it has reset the handlers.
static pid_t spawn_clone(int (*child)(void *), spawn_plan *plan, int *pidfd) {
  if (spawn_stack == NULL) {
    void *stack = mmap(NULL, SPAWN_STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) return -1;
    spawn_stack = stack;
  }
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &previous);
  // One stack per thread will do: CLONE_VFORK holds the calling thread until exec or exit.
  int flags = CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD | (plan->slots != NULL ? CLONE_FILES : 0);
  pid_t pid = clone(child, spawn_stack + SPAWN_STACK_SIZE, flags, plan, pidfd);
  int saved = errno;
  pthread_sigmask(SIG_SETMASK, &previous, NULL);
  errno = saved;
  return pid;
}

typedef struct {
  uv_poll_t poll;
  int pidfd;
  pid_t pid;
} child_watch;

static napi_env exit_env = NULL;
static napi_ref exit_callback = NULL;
static napi_async_context exit_context = NULL;

static void child_watch_closed(uv_handle_t *h) {
  free(h->data);
}

static void child_exited(uv_poll_t *h, int status, int events) {
  (void)status;
  (void)events;
  child_watch *w = h->data;
  int raw = 0;
  pid_t got;
  do {
    got = waitpid(w->pid, &raw, WNOHANG);
  } while (got < 0 && errno == EINTR);
  if (got == 0) return;  // not yet: the pidfd reports exit, this is a spurious wake-up
  if (got < 0) raw = -1;  // collected by someone else (ECHILD): the status is lost
  pid_t pid = w->pid;
  uv_poll_stop(&w->poll);
  close(w->pidfd);
  uv_close((uv_handle_t *)&w->poll, child_watch_closed);
  if (exit_callback == NULL) return;
  napi_env env = exit_env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value cb, recv, argv[2];
  napi_get_reference_value(env, exit_callback, &cb);
  napi_get_global(env, &recv);
  napi_create_int32(env, (int32_t)pid, &argv[0]);
  napi_create_int32(env, (int32_t)raw, &argv[1]);
  // make_callback: the promise the callback settles runs its reactions now.
  if (napi_make_callback(env, exit_context, recv, cb, 2, argv, NULL) == napi_pending_exception) {
    napi_value exception;
    napi_get_and_clear_last_exception(env, &exception);
    napi_fatal_exception(env, exception);
  }
  napi_close_handle_scope(env, scope);
}

// The call's first `n` arguments into argv, the last of them a function (false otherwise).
static bool args_ending_in_function(napi_env env, napi_callback_info info, size_t n, napi_value *argv) {
  size_t argc = n;
  napi_valuetype type = napi_undefined;
  return napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc >= n &&
         napi_typeof(env, argv[n - 1], &type) == napi_ok && type == napi_function;
}

// onChildExit(callback): callback(pid, rawStatus) for every child spawn() started, once it has
// been collected (rawStatus -1 when someone else collected it). Replaces an earlier callback.
static napi_value OnChildExit(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!args_ending_in_function(env, info, 1, argv)) {
    napi_throw_type_error(env, NULL, "onChildExit(callback): a function");
    return NULL;
  }
  if (exit_callback != NULL) napi_delete_reference(env, exit_callback);
  if (exit_context == NULL) {
    napi_value name;
    napi_create_string_utf8(env, "tssupervisor.childExit", NAPI_AUTO_LENGTH, &name);
    napi_async_init(env, NULL, name, &exit_context);
  }
  exit_env = env;
  napi_create_reference(env, argv[0], 1, &exit_callback);
  return NULL;
}

// A string value as a malloc'ed copy (NULL when not a string or out of memory).
static char *string_copy(napi_env env, napi_value value) {
  size_t length = 0;
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_string) return NULL;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok) return NULL;
  char *copy = malloc(length + 1);
  if (copy != NULL) napi_get_value_string_utf8(env, value, copy, length + 1, &length);
  return copy;
}

static void free_strings(char **strings) {
  if (strings == NULL) return;
  for (char **s = strings; *s != NULL; s++) free(*s);
  free(strings);
}

// An array of strings as a NULL-terminated malloc'ed vector (NULL when not one).
static char **string_vector(napi_env env, napi_value object, const char *name) {
  napi_value array;
  bool is_array = false;
  uint32_t n = 0;
  if (napi_get_named_property(env, object, name, &array) != napi_ok || napi_is_array(env, array, &is_array) != napi_ok || !is_array) return NULL;
  napi_get_array_length(env, array, &n);
  char **vector = calloc((size_t)n + 1, sizeof *vector);
  if (vector == NULL) return NULL;
  for (uint32_t i = 0; i < n; i++) {
    napi_value element;
    napi_get_element(env, array, i, &element);
    vector[i] = string_copy(env, element);
    if (vector[i] == NULL) {
      free_strings(vector);
      return NULL;
    }
  }
  return vector;
}

static void close_fds(const int *fds, size_t n) {
  for (size_t i = 0; i < n; i++) if (fds[i] >= 0) close(fds[i]);
}

// The pipes a child needs (pipe2, close-on-exec: only the dup2'ed copies cross execve), the
// parent's ends non-blocking. pipes[0..1] stdin, [2..3] stdout, [4..5] stderr; -1 where unused.
static const char *open_child_pipes(int pipes[6], bool want_stdin, bool want_stderr) {
  bool want[3] = { want_stdin, true, want_stderr };
  for (int i = 0; i < 3; i++) {
    if (!want[i]) continue;
    if (pipe2(&pipes[2 * i], O_CLOEXEC) < 0) return "pipe";
    int parent_end = pipes[2 * i + (i == 0 ? 1 : 0)];
    if (fcntl(parent_end, F_SETFL, O_NONBLOCK) < 0) return "fcntl";
  }
  return NULL;
}

// One spawn, in three steps: read the spec and open the pipes (main thread), clone (the main
// thread for spawn(), a pool thread for spawnAsync()), and the result with its pidfd watch
// (main thread: libuv handles belong to the loop's thread).
typedef struct spawn_job {
  spawn_plan plan;
  char *file;
  char *cwd;
  int pipes[6];
  const char *failed_step;  // set when the spawn failed before or at clone
  int failed_errno;
  pid_t pid;
  int pidfd;
  napi_ref done;
  struct spawn_job *next;
  // A kill job (killAll) instead of a spawn: kills[i] = { pid, signo, errno } on a spawn thread.
  size_t kill_count;
  int32_t *kills;
} spawn_job;

static void spawn_job_free(spawn_job *job) {
  free(job->file);
  free(job->cwd);
  free_strings(job->plan.argv);
  free_strings(job->plan.envp);
}

// Reads spec into job and opens its pipes. False (a TypeError thrown) when spec is malformed; a
// pipe that cannot be made is a failed spawn (failed_step), not an exception.
static bool spawn_job_read(napi_env env, napi_value spec, spawn_job *job) {
  memset(job, 0, sizeof *job);
  for (int i = 0; i < 6; i++) job->pipes[i] = -1;
  job->pidfd = -1;
  napi_value value;
  job->file = napi_get_named_property(env, spec, "file", &value) == napi_ok ? string_copy(env, value) : NULL;
  napi_valuetype type = napi_undefined;
  if (napi_get_named_property(env, spec, "cwd", &value) == napi_ok && napi_typeof(env, value, &type) == napi_ok && type == napi_string) job->cwd = string_copy(env, value);
  job->plan.argv = string_vector(env, spec, "argv");
  job->plan.envp = string_vector(env, spec, "env");
  if (job->file == NULL || job->plan.argv == NULL || job->plan.envp == NULL || (type == napi_string && job->cwd == NULL)) {
    napi_throw_type_error(env, NULL, "spawn(spec): spec needs a file, an argv and an env of strings");
    spawn_job_free(job);
    return false;
  }
  job->plan.file = job->file;
  job->plan.cwd = job->cwd;
  job->plan.uid = int_property(env, spec, "uid", -1);
  job->plan.gid = int_property(env, spec, "gid", -1);
  job->plan.umask = int_property(env, spec, "umask", -1);
  int32_t stdin_fd = int_property(env, spec, "stdinFd", -1);
  bool redirect = false;
  if (napi_get_named_property(env, spec, "redirectStderr", &value) == napi_ok) napi_get_value_bool(env, value, &redirect);
  const char *step = open_child_pipes(job->pipes, stdin_fd < 0, !redirect);
  if (step != NULL) {
    job->failed_step = step;
    job->failed_errno = errno;
    close_fds(job->pipes, 6);
    for (int i = 0; i < 6; i++) job->pipes[i] = -1;
    return true;
  }
  job->plan.fds[0] = stdin_fd >= 0 ? stdin_fd : job->pipes[0];
  job->plan.fds[1] = job->pipes[3];
  job->plan.fds[2] = redirect ? job->pipes[3] : job->pipes[5];
  return true;
}

// The clone itself; any thread. Leaves pid/pidfd, or failed_step. The pid stays guarded against
// reap() until spawn_job_result's caller forgets it.
static void spawn_job_clone(spawn_job *job) {
  if (job->plan.ordered) clone_ticket_wait(job->plan.ticket);
  if (job->failed_step != NULL) {
    if (job->plan.ordered) clone_ticket_done(job->plan.ticket);
    return;
  }
  inflight_begin();
  job->plan.slots = spawn_slots_fill(job->plan.fds);
  pid_t pid = spawn_clone(spawn_child, &job->plan, &job->pidfd);
  int clone_errno = errno;
  spawn_slots_clear(job->plan.slots);
  inflight_end(pid);
  // The child served the next ticket as it started; if clone failed, or the child was killed
  // before it ran, nobody did.
  if (job->plan.ordered) clone_ticket_done(job->plan.ticket);
  // The child's ends are its own now; ours would keep its output pipes from reaching EOF.
  const int child_ends[3] = { job->pipes[0], job->pipes[3], job->pipes[5] };
  close_fds(child_ends, 3);
  if (pid < 0 || job->plan.err != 0) {
    const int parent_ends[3] = { job->pipes[1], job->pipes[2], job->pipes[4] };
    close_fds(parent_ends, 3);
    if (pid < 0) {
      job->failed_step = "clone";
      job->failed_errno = clone_errno;
      return;
    }
    // It failed before execve and has exited (CLONE_VFORK returned at its _exit): collect it.
    close(job->pidfd);
    int ignored;
    while (waitpid(pid, &ignored, 0) < 0 && errno == EINTR) {}
    inflight_forget(pid);
    job->failed_step = job->plan.step;
    job->failed_errno = job->plan.err;
    return;
  }
  job->pid = pid;
}

// Main thread: { pid, stdin, stdout, stderr } with the child's exit watched, or { errno, syscall }.
static napi_value spawn_job_result(napi_env env, spawn_job *job) {
  if (job->failed_step != NULL) return failure(env, job->failed_errno, job->failed_step);
  const int parent_ends[3] = { job->pipes[1], job->pipes[2], job->pipes[4] };
  uv_loop_t *loop = NULL;
  child_watch *w = calloc(1, sizeof *w);
  if (w == NULL || napi_get_uv_event_loop(env, &loop) != napi_ok || uv_poll_init(loop, &w->poll, job->pidfd) != 0) {
    // Cannot watch it: a child nobody would ever see exit must not run.
    free(w);
    kill(job->pid, SIGKILL);
    close(job->pidfd);
    int ignored;
    while (waitpid(job->pid, &ignored, 0) < 0 && errno == EINTR) {}
    close_fds(parent_ends, 3);
    inflight_forget(job->pid);
    return failure(env, ENOMEM, "uv_poll_init");
  }
  w->pid = job->pid;
  w->pidfd = job->pidfd;
  w->poll.data = w;
  uv_poll_start(&w->poll, UV_READABLE, child_exited);
  napi_value result, value;
  napi_create_object(env, &result);
  const char *names[4] = { "pid", "stdin", "stdout", "stderr" };
  const int values[4] = { job->pid, job->pipes[1], job->pipes[2], job->pipes[4] };
  for (int i = 0; i < 4; i++) {
    napi_create_int32(env, values[i], &value);
    napi_set_named_property(env, result, names[i], value);
  }
  return result;
}

// spawn({ file, argv, env, cwd?, uid?, gid?, umask?, stdinFd?, redirectStderr? }) -> { pid,
// stdin, stdout, stderr } (the daemon's ends; -1 where there is none: stdin when stdinFd is
// given, stderr when redirected into stdout) or { errno, syscall } (argv includes argv[0]; env is
// ["K=V", ...]; file is a path, not looked up in PATH). The main thread waits for the exec.
static napi_value Spawn(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) {
    napi_throw_type_error(env, NULL, "spawn(spec): spec must be an object");
    return NULL;
  }
  spawn_slots_reserve();
  spawn_job job;
  if (!spawn_job_read(env, argv[0], &job)) return NULL;
  spawn_job_clone(&job);
  napi_value result = spawn_job_result(env, &job);
  // No JavaScript ran since the clone, so no reap() could: the caller claims the pid next.
  if (job.failed_step == NULL) inflight_forget(job.pid);
  spawn_job_free(&job);
  return result;
}

// spawnAsync's threads: SPAWN_THREADS (above) of our own rather than libuv's pool, which the log writes
// share: a log on a hung device holds a pool thread per blocked write, and spawns (restarts
// included) must never wait behind it. Jobs go in through `todo`, results come back through
// `done` and one uv_async_t, delivered on the main thread in the order they finished.
static pthread_mutex_t spawn_pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t spawn_pool_wake = PTHREAD_COND_INITIALIZER;
static spawn_job *todo_head = NULL, *todo_tail = NULL;
static spawn_job *done_head = NULL, *done_tail = NULL;
static bool spawn_pool_started = false;
static uv_async_t spawn_done_async;
static napi_env spawn_env = NULL;
static napi_async_context spawn_context = NULL;
// Jobs asked for and not yet delivered: while any is, the async handle keeps the loop alive.
static size_t spawns_outstanding = 0;

static void job_append(spawn_job **head, spawn_job **tail, spawn_job *job) {
  job->next = NULL;
  if (*tail == NULL) *head = job; else (*tail)->next = job;
  *tail = job;
}

static void *spawn_thread(void *arg) {
  spawn_slot_set = (int)(intptr_t)arg;
  // Signals are the main thread's to take.
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, NULL);
  for (;;) {
    pthread_mutex_lock(&spawn_pool_lock);
    while (todo_head == NULL) pthread_cond_wait(&spawn_pool_wake, &spawn_pool_lock);
    spawn_job *job = todo_head;
    todo_head = job->next;
    if (todo_head == NULL) todo_tail = NULL;
    pthread_mutex_unlock(&spawn_pool_lock);
    if (job->kills != NULL) {
      for (size_t i = 0; i < job->kill_count; i++) {
        int32_t *k = &job->kills[3 * i];
        k[2] = kill((pid_t)k[0], k[1]) < 0 ? errno : 0;
      }
    } else {
      spawn_job_clone(job);
    }
    pthread_mutex_lock(&spawn_pool_lock);
    job_append(&done_head, &done_tail, job);
    pthread_mutex_unlock(&spawn_pool_lock);
    uv_async_send(&spawn_done_async);
  }
  return NULL;
}

// Main thread: each finished job's done(result), then its pid is no longer guarded from reap().
static void spawns_delivered(uv_async_t *handle) {
  (void)handle;
  pthread_mutex_lock(&spawn_pool_lock);
  spawn_job *job = done_head;
  done_head = done_tail = NULL;
  pthread_mutex_unlock(&spawn_pool_lock);
  napi_env env = spawn_env;
  while (job != NULL) {
    spawn_job *next = job->next;
    napi_handle_scope scope;
    napi_open_handle_scope(env, &scope);
    napi_value result;
    if (job->kills != NULL) {
      napi_create_array_with_length(env, job->kill_count, &result);
      for (size_t i = 0; i < job->kill_count; i++) {
        napi_value e;
        napi_create_int32(env, job->kills[3 * i + 2], &e);
        napi_set_element(env, result, (uint32_t)i, e);
      }
    } else {
      result = spawn_job_result(env, job);
    }
    napi_value cb, recv;
    napi_get_reference_value(env, job->done, &cb);
    napi_get_global(env, &recv);
    // make_callback: the promises done() settles run their reactions now.
    if (napi_make_callback(env, spawn_context, recv, cb, 1, &result, NULL) == napi_pending_exception) {
      napi_value exception;
      napi_get_and_clear_last_exception(env, &exception);
      napi_fatal_exception(env, exception);
    }
    // done() has claimed the pid (node-children.ts): the orphan reaper leaves it alone from here.
    if (job->kills == NULL && job->failed_step == NULL) inflight_forget(job->pid);
    napi_close_handle_scope(env, scope);
    napi_delete_reference(env, job->done);
    if (job->kills == NULL) spawn_job_free(job);
    free(job->kills);
    free(job);
    if (--spawns_outstanding == 0) uv_unref((uv_handle_t *)&spawn_done_async);
    job = next;
  }
}

// The threads and the async handle, at the first spawnAsync (false when they cannot be had).
static bool spawn_pool_start(napi_env env) {
  if (spawn_pool_started) return true;
  uv_loop_t *loop = NULL;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || uv_async_init(loop, &spawn_done_async, spawns_delivered) != 0) return false;
  uv_unref((uv_handle_t *)&spawn_done_async);
  napi_value name;
  napi_create_string_utf8(env, "tssupervisor.spawn", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &spawn_context);
  spawn_env = env;
  for (int i = 0; i < SPAWN_THREADS; i++) {
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    // Small: a thread only clones (the child runs on spawn_stack, its own).
    pthread_attr_setstacksize(&attr, 128 * 1024);
    int failed = pthread_create(&thread, &attr, spawn_thread, (void *)(intptr_t)(i + 1));
    pthread_attr_destroy(&attr);
    if (failed != 0 && i == 0) return false;
  }
  spawn_pool_started = true;
  return true;
}

// Hands `job` to the spawn threads (main thread); its done() is called from spawns_delivered.
static void spawn_pool_submit(spawn_job *job) {
  if (spawns_outstanding++ == 0) uv_ref((uv_handle_t *)&spawn_done_async);
  pthread_mutex_lock(&spawn_pool_lock);
  job_append(&todo_head, &todo_tail, job);
  pthread_cond_signal(&spawn_pool_wake);
  pthread_mutex_unlock(&spawn_pool_lock);
}

// spawnAsync(spec, done): spawn()'s work with the clone on one of the addon's spawn threads, so
// the daemon's JavaScript goes on while the kernel makes the child (on another core), and up to
// SPAWN_THREADS clones overlap; pids still follow the order of the calls. done(result) in a later
// turn, result as spawn()'s. A malformed spec throws at once.
static napi_value SpawnAsync(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!args_ending_in_function(env, info, 2, argv)) {
    napi_throw_type_error(env, NULL, "spawnAsync(spec, done): a spec and a function");
    return NULL;
  }
  spawn_slots_reserve();
  if (!spawn_pool_start(env)) {
    napi_throw_error(env, NULL, "spawnAsync: no spawn thread could be started");
    return NULL;
  }
  spawn_job *job = malloc(sizeof *job);
  if (job == NULL) {
    napi_throw_error(env, NULL, "spawnAsync: out of memory");
    return NULL;
  }
  if (!spawn_job_read(env, argv[0], job)) {
    free(job);
    return NULL;
  }
  if (napi_create_reference(env, argv[1], 1, &job->done) != napi_ok) {
    close_fds(job->pipes, 6);
    spawn_job_free(job);
    free(job);
    napi_throw_error(env, NULL, "spawnAsync: could not keep the callback");
    return NULL;
  }
  job->plan.ordered = true;
  job->plan.ticket = clone_ticket_next++;
  spawn_pool_submit(job);
  return NULL;
}

// killAll(pids, signos, done): kill(pids[i], signos[i]) for each i, in order, on a spawn thread;
// done(errnos) in a later turn (0 where sent; a negative pid is a process group). A signal's
// delivery wakes its target, ~50 us of the kernel's time here, and so does waking a thread: the
// daemon gathers a turn's kills (`stop all` of 1000) into one call, off the main thread.
static napi_value KillAll(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  bool pids_array = false, signos_array = false;
  uint32_t n = 0, m = 0;
  if (!args_ending_in_function(env, info, 3, argv) ||
      napi_is_array(env, argv[0], &pids_array) != napi_ok || !pids_array ||
      napi_is_array(env, argv[1], &signos_array) != napi_ok || !signos_array ||
      napi_get_array_length(env, argv[0], &n) != napi_ok || napi_get_array_length(env, argv[1], &m) != napi_ok || n != m || n == 0) {
    napi_throw_type_error(env, NULL, "killAll(pids, signos, done): two arrays of one length (pids, negative for a group; signal numbers) and a function");
    return NULL;
  }
  int32_t *kills = calloc((size_t)n * 3, sizeof *kills);
  if (kills == NULL) {
    napi_throw_error(env, NULL, "killAll: out of memory");
    return NULL;
  }
  for (uint32_t i = 0; i < n; i++) {
    napi_value v;
    int32_t pid = 0, signo = 0;
    napi_get_element(env, argv[0], i, &v);
    napi_get_value_int32(env, v, &pid);
    napi_get_element(env, argv[1], i, &v);
    napi_get_value_int32(env, v, &signo);
    if (pid == 0 || pid == -1 || signo <= 0 || signo >= _NSIG) {
      free(kills);
      napi_throw_type_error(env, NULL, "killAll: a pid is never 0 or -1, a signal number is 1.._NSIG-1");
      return NULL;
    }
    kills[3 * i] = pid;
    kills[3 * i + 1] = signo;
  }
  if (!spawn_pool_start(env)) {
    free(kills);
    napi_throw_error(env, NULL, "killAll: no spawn thread could be started");
    return NULL;
  }
  spawn_job *job = calloc(1, sizeof *job);
  if (job == NULL || napi_create_reference(env, argv[2], 1, &job->done) != napi_ok) {
    free(job);
    free(kills);
    napi_throw_error(env, NULL, "killAll: out of memory");
    return NULL;
  }
  job->kills = kills;
  job->kill_count = n;
  spawn_pool_submit(job);
  return NULL;
}

// watchFolder(folder, names, callback) -> id (> 0) or -errno; unwatchFolder(id). callback() runs
// when one of `names` ('/'-separated file names) is created, deleted or moved in or out of the
// folder, or the folder itself is deleted or moved (or the kernel's event queue overflowed).
// fs.watch would do, but its mask includes IN_MODIFY: a socket's folder is often the main log's
// (the daemon's own writes) or /tmp, and every write there would wake the daemon. Here the
// kernel reports only entries coming and going, and names are matched before any JS runs.
typedef struct folder_watch {
  int32_t id;
  int wd;
  char *names;
  napi_ref callback;
  bool fired;
  struct folder_watch *next;
} folder_watch;

static int watch_fd = -1;
static uv_poll_t watch_poll;
static napi_env watch_env = NULL;
static napi_async_context watch_context = NULL;
static folder_watch *folder_watches = NULL;
static int32_t folder_watch_next = 1;

#define WATCH_MASK (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
#define WATCH_SELF (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_UNMOUNT)

static bool name_listed(const char *names, const char *name) {
  size_t len = strlen(name);
  for (const char *p = names; *p != '\0';) {
    const char *end = strchr(p, '/');
    size_t n = end == NULL ? strlen(p) : (size_t)(end - p);
    if (n == len && memcmp(p, name, n) == 0) return true;
    if (end == NULL) break;
    p = end + 1;
  }
  return false;
}

static void folder_events(uv_poll_t *h, int status, int events) {
  (void)h;
  (void)status;
  (void)events;
  char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
  bool any = false;
  for (;;) {
    ssize_t got = read(watch_fd, buf, sizeof buf);
    if (got <= 0) break;
    for (char *p = buf; p < buf + got;) {
      const struct inotify_event *e = (const struct inotify_event *)p;
      for (folder_watch *w = folder_watches; w != NULL; w = w->next) {
        bool hit = (e->mask & IN_Q_OVERFLOW) != 0 ||
                   (e->wd == w->wd && ((e->mask & WATCH_SELF) != 0 || (e->len > 0 && name_listed(w->names, e->name))));
        if (hit) w->fired = any = true;
      }
      p += sizeof *e + e->len;
    }
  }
  if (!any) return;
  napi_env env = watch_env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  // A callback may unwatch (and free) any watch: take the next fired one from the list afresh.
  for (;;) {
    folder_watch *w = folder_watches;
    while (w != NULL && !w->fired) w = w->next;
    if (w == NULL) break;
    w->fired = false;
    napi_value cb, recv;
    napi_get_reference_value(env, w->callback, &cb);
    napi_get_global(env, &recv);
    if (napi_make_callback(env, watch_context, recv, cb, 0, NULL, NULL) == napi_pending_exception) {
      napi_value exception;
      napi_get_and_clear_last_exception(env, &exception);
      napi_fatal_exception(env, exception);
    }
  }
  napi_close_handle_scope(env, scope);
}

static napi_value WatchFolder(napi_env env, napi_callback_info info) {
  napi_value argv[3], result;
  if (!args_ending_in_function(env, info, 3, argv)) {
    napi_throw_type_error(env, NULL, "watchFolder(folder, names, callback)");
    return NULL;
  }
  char *folder = string_copy(env, argv[0]);
  char *names = string_copy(env, argv[1]);
  int rc = -ENOMEM;
  if (folder == NULL || names == NULL) goto done;
  if (watch_fd < 0) {
    uv_loop_t *loop = NULL;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok) goto done;
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
      rc = -errno;
      goto done;
    }
    watch_fd = fd;
    watch_env = env;
    napi_value name;
    napi_create_string_utf8(env, "tssupervisor.watchFolder", NAPI_AUTO_LENGTH, &name);
    napi_async_init(env, NULL, name, &watch_context);
    uv_poll_init(loop, &watch_poll, fd);
    uv_unref((uv_handle_t *)&watch_poll);
    uv_poll_start(&watch_poll, UV_READABLE, folder_events);
  }
  int wd = inotify_add_watch(watch_fd, folder, WATCH_MASK);
  if (wd < 0) {
    rc = -errno;
    goto done;
  }
  // The same folder watched twice is one kernel watch (one wd) and two entries here, each with
  // its own names, callback and id; the kernel watch goes with the last of them.
  folder_watch *w = calloc(1, sizeof *w);
  if (w == NULL) goto done;
  w->id = folder_watch_next++;
  if (folder_watch_next <= 0) folder_watch_next = 1;
  w->wd = wd;
  w->names = names;
  names = NULL;
  napi_create_reference(env, argv[2], 1, &w->callback);
  w->next = folder_watches;
  folder_watches = w;
  rc = w->id;
done:
  free(folder);
  free(names);
  napi_create_int32(env, rc, &result);
  return result;
}

static napi_value UnwatchFolder(napi_env env, napi_callback_info info) {
  int64_t id = 0;
  if (!first_int_arg(env, info, &id)) {
    napi_throw_type_error(env, NULL, "unwatchFolder(id)");
    return NULL;
  }
  for (folder_watch **at = &folder_watches; *at != NULL; at = &(*at)->next) {
    folder_watch *w = *at;
    if (w->id != id) continue;
    *at = w->next;
    bool shared = false;
    for (folder_watch *o = folder_watches; o != NULL; o = o->next) shared = shared || o->wd == w->wd;
    // EINVAL when the kernel dropped it already (the folder was deleted): nothing to undo.
    if (!shared) inotify_rm_watch(watch_fd, w->wd);
    napi_delete_reference(env, w->callback);
    free(w->names);
    free(w);
    break;
  }
  return NULL;
}

// canSpawn() -> true where spawn() works here: clone with CLONE_PIDFD and a pollable pidfd
// (Linux 5.3+, and no seccomp filter refusing them), tried once with a child that exits at once.
static int probe_child(void *arg) {
  (void)arg;
  _exit(0);
}

static napi_value CanSpawn(napi_env env, napi_callback_info info) {
  (void)info;
  spawn_slots_reserve();
  spawn_plan plan;
  memset(&plan, 0, sizeof plan);
  int pidfd = -1;
  bool works = false;
  pid_t pid = spawn_clone(probe_child, &plan, &pidfd);
  if (pid > 0) {
    struct pollfd ready = { .fd = pidfd, .events = POLLIN };
    works = pidfd >= 0 && poll(&ready, 1, 1000) == 1;
    if (pidfd >= 0) close(pidfd);
    int ignored;
    while (waitpid(pid, &ignored, 0) < 0 && errno == EINTR) {}
  }
  napi_value result;
  napi_get_boolean(env, works, &result);
  return result;
}

// setPipeSize(fd, bytes) -> the pipe's capacity now, or -errno: fcntl(F_SETPIPE_SZ). A child that
// floods its stdout fills a 64 KiB pipe between two reads, so every read is one 64 KiB chunk and
// its per-read cost (a loop turn, a callback, a copy) is paid 16 times per MiB; a bigger pipe lets
// one read take up to READ_BUFFER. The kernel refuses (EPERM) past pipe-max-size or, for a user
// without CAP_SYS_RESOURCE, once the user's pipes hold pipe-user-pages-soft: the pipe then
// simply keeps its size.
static napi_value SetPipeSize(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t fd = -1;
  int32_t bytes = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || napi_get_value_int32(env, argv[1], &bytes) != napi_ok) {
    napi_throw_type_error(env, NULL, "setPipeSize(fd, bytes): two integers");
    return NULL;
  }
  int size = fcntl(fd, F_SETPIPE_SZ, bytes);
  napi_value result;
  napi_create_int32(env, size < 0 ? -errno : size, &result);
  return result;
}

// writePieces(fd, buffer, offset, length, piece, done): write(2)s of at most `piece` bytes each,
// one after the other, on a libuv pool thread (as fs.write, so a write stuck on a hung device
// holds a pool thread, never the event loop); done(errno, written) in a later turn. Stops at the
// first failure or short write: errno is 0 when all `length` bytes were written or when some were
// (a partial write, as write(2)'s: the caller's next call meets the failure again). One request
// for a whole slab: a child log's slab of up to 1 MiB is written in 256 KiB pieces (log-file.ts
// WRITE_PIECE, through host/write-pieces.ts), without a hand-off between the loop and a pool
// thread per piece.
typedef struct {
  napi_async_work work;
  napi_ref buffer;
  napi_ref done;
  int fd;
  const char *data;
  size_t length;
  size_t piece;
  size_t written;
  int err;
} pieces_job;

static void pieces_execute(napi_env env, void *data) {
  (void)env;
  pieces_job *job = data;
  while (job->written < job->length) {
    size_t n = job->length - job->written;
    if (n > job->piece) n = job->piece;
    ssize_t got = write(job->fd, job->data + job->written, n);
    if (got < 0) {
      if (errno == EINTR) continue;
      if (job->written == 0) job->err = errno;
      return;
    }
    job->written += (size_t)got;
    if ((size_t)got < n) return;
  }
}

static void pieces_complete(napi_env env, napi_status status, void *data) {
  pieces_job *job = data;
  napi_value done = NULL, global, argv[2];
  if (napi_get_reference_value(env, job->done, &done) == napi_ok && done != NULL && napi_get_global(env, &global) == napi_ok) {
    napi_create_int32(env, status == napi_ok ? job->err : ECANCELED, &argv[0]);
    napi_create_double(env, (double)job->written, &argv[1]);
    napi_call_function(env, global, done, 2, argv, NULL);
  }
  napi_delete_reference(env, job->done);
  napi_delete_reference(env, job->buffer);
  napi_delete_async_work(env, job->work);
  free(job);
}

static napi_value WritePieces(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  int32_t fd = -1;
  int64_t offset = 0, length = 0, piece = 0;
  void *base = NULL;
  size_t size = 0;
  bool is_buffer = false;
  if (!args_ending_in_function(env, info, 6, argv) ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || napi_is_buffer(env, argv[1], &is_buffer) != napi_ok || !is_buffer ||
      napi_get_buffer_info(env, argv[1], &base, &size) != napi_ok ||
      napi_get_value_int64(env, argv[2], &offset) != napi_ok || napi_get_value_int64(env, argv[3], &length) != napi_ok ||
      napi_get_value_int64(env, argv[4], &piece) != napi_ok ||
      offset < 0 || length < 0 || piece <= 0 || (uint64_t)offset + (uint64_t)length > size) {
    napi_throw_type_error(env, NULL, "writePieces(fd, buffer, offset, length, piece, done): a descriptor, a Buffer, a range inside it, a piece size > 0 and a function");
    return NULL;
  }
  pieces_job *job = calloc(1, sizeof *job);
  if (job == NULL) {
    napi_throw_error(env, NULL, "writePieces: out of memory");
    return NULL;
  }
  job->fd = fd;
  job->data = (const char *)base + offset;
  job->length = (size_t)length;
  job->piece = (size_t)piece;
  napi_value name;
  napi_create_string_utf8(env, "tssupervisor:writePieces", NAPI_AUTO_LENGTH, &name);
  if (napi_create_reference(env, argv[1], 1, &job->buffer) != napi_ok ||
      napi_create_reference(env, argv[5], 1, &job->done) != napi_ok ||
      napi_create_async_work(env, NULL, name, pieces_execute, pieces_complete, job, &job->work) != napi_ok ||
      napi_queue_async_work(env, job->work) != napi_ok) {
    if (job->done != NULL) napi_delete_reference(env, job->done);
    if (job->buffer != NULL) napi_delete_reference(env, job->buffer);
    if (job->work != NULL) napi_delete_async_work(env, job->work);
    free(job);
    napi_throw_error(env, NULL, "writePieces: could not queue the write");
    return NULL;
  }
  return NULL;
}

NAPI_MODULE_INIT() {
  // One table of exports: a new function is one line here.
  const napi_property_descriptor functions[] = {
    { "reap", NULL, Reap, NULL, NULL, NULL, napi_enumerable, NULL },
    { "listenSocket", NULL, ListenSocket, NULL, NULL, NULL, napi_enumerable, NULL },
    { "openNotifySocket", NULL, OpenNotifySocket, NULL, NULL, NULL, napi_enumerable, NULL },
    { "closeNotifySocket", NULL, CloseNotifySocket, NULL, NULL, NULL, napi_enumerable, NULL },
    { "notifySend", NULL, NotifySend, NULL, NULL, NULL, napi_enumerable, NULL },
    { "tcpConnect", NULL, TcpConnect, NULL, NULL, NULL, napi_enumerable, NULL },
    { "tcpCancel", NULL, TcpCancel, NULL, NULL, NULL, napi_enumerable, NULL },
    { "execv", NULL, Execv, NULL, NULL, NULL, napi_enumerable, NULL },
    { "spawn", NULL, Spawn, NULL, NULL, NULL, napi_enumerable, NULL },
    { "spawnAsync", NULL, SpawnAsync, NULL, NULL, NULL, napi_enumerable, NULL },
    { "killAll", NULL, KillAll, NULL, NULL, NULL, napi_enumerable, NULL },
    { "onChildExit", NULL, OnChildExit, NULL, NULL, NULL, napi_enumerable, NULL },
    { "canSpawn", NULL, CanSpawn, NULL, NULL, NULL, napi_enumerable, NULL },
    { "watchFolder", NULL, WatchFolder, NULL, NULL, NULL, napi_enumerable, NULL },
    { "unwatchFolder", NULL, UnwatchFolder, NULL, NULL, NULL, napi_enumerable, NULL },
    { "setPipeSize", NULL, SetPipeSize, NULL, NULL, NULL, napi_enumerable, NULL },
    { "writePieces", NULL, WritePieces, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
  return exports;
}

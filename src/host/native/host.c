// host.node: the system calls Node does not offer. waitpid(pid, WNOHANG), so a daemon that is
// PID 1 can collect orphans the kernel re-parents to it (src/host/orphan-reaper.ts decides which
// pids; this only asks), and a listening socket that libuv never sees, for [fcgi-program:x].
// Built by scripts/build-native.mjs; optional at run time.
#define NAPI_VERSION 8
#include <node_api.h>
#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

// reap(pid) -> { pid, status } once that child has ended and is collected (status is the raw
// wait status), or null while it runs, or when it is not our child (ECHILD).
static napi_value Reap(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_value result;
  int32_t pid = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_int32(env, argv[0], &pid) != napi_ok || pid <= 0) {
    napi_throw_type_error(env, NULL, "reap(pid): pid must be a positive integer");
    return NULL;
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

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "reap", NAPI_AUTO_LENGTH, Reap, NULL, &fn);
  napi_set_named_property(env, exports, "reap", fn);
  napi_create_function(env, "listenSocket", NAPI_AUTO_LENGTH, ListenSocket, NULL, &fn);
  napi_set_named_property(env, exports, "listenSocket", fn);
  return exports;
}

// reaper.node: the one system call Node does not offer, waitpid(pid, WNOHANG), so a daemon that
// is PID 1 can collect orphans the kernel re-parents to it (src/host/orphan-reaper.ts decides
// which pids; this only asks). Built by scripts/build-native.mjs; optional at run time.
#define NAPI_VERSION 8
#include <node_api.h>
#include <errno.h>
#include <sys/types.h>
#include <sys/wait.h>

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

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "reap", NAPI_AUTO_LENGTH, Reap, NULL, &fn);
  napi_set_named_property(env, exports, "reap", fn);
  return exports;
}

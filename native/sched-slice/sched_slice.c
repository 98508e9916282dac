/*
 * Ordo's native calls: a thread's requested scheduler slice (Linux >= 6.12, EEVDF).
 *
 * Node has no call for sched_setattr(2). A SCHED_OTHER thread's slice is the
 * time it may keep a core before a woken thread of equal weight takes it; the
 * default here is 1.4 ms, which is the two-process latency tail (decision 281).
 * setSlice(tid, ns) reads the thread's attributes, keeps its policy and nice
 * value, and requests `ns` as its slice (the kernel clamps to 0.1-100 ms).
 * It returns 0 on success or the errno; getSlice(tid) returns the runtime the
 * kernel reports for the thread (its slice on >= 6.12, 0 before).
 * heap_reserve.c adds reserveHeap (decision 290).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <node_api.h>

#ifndef SCHED_FLAG_RESET_ON_FORK
#define SCHED_FLAG_RESET_ON_FORK 0x01
#endif

/* struct sched_attr, version 0 (48 bytes): what both calls need. */
struct ordo_sched_attr {
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
};

static int read_attr(int32_t tid, struct ordo_sched_attr *attr) {
  memset(attr, 0, sizeof *attr);
  if (syscall(SYS_sched_getattr, tid, attr, (unsigned int)sizeof *attr, 0) != 0) return errno;
  return 0;
}

static napi_value number(napi_env env, double v) {
  napi_value out;
  napi_create_double(env, v, &out);
  return out;
}

static int args(napi_env env, napi_callback_info info, size_t want, double *out) {
  size_t argc = want;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) return EINVAL;
  for (size_t i = 0; i < want; i++) {
    if (napi_get_value_double(env, argv[i], &out[i]) != napi_ok) return EINVAL;
  }
  return 0;
}

static napi_value set_slice(napi_env env, napi_callback_info info) {
  double a[2];
  int err = args(env, info, 2, a);
  if (err) return number(env, err);
  if (!(a[0] >= 0 && a[0] <= INT32_MAX) || !(a[1] >= 0 && a[1] <= 1e9)) return number(env, EINVAL);
  struct ordo_sched_attr attr;
  err = read_attr((int32_t)a[0], &attr);
  if (err) return number(env, err);
  /* Only fair policies take a slice; a SCHED_IDLE / realtime thread is left as it is. */
  if (attr.sched_policy != 0 && attr.sched_policy != 3) return number(env, EPERM);
  attr.size = sizeof attr;
  attr.sched_flags &= SCHED_FLAG_RESET_ON_FORK;
  attr.sched_runtime = (uint64_t)a[1];
  attr.sched_deadline = 0;
  attr.sched_period = 0;
  if (syscall(SYS_sched_setattr, (int32_t)a[0], &attr, 0) != 0) return number(env, errno);
  return number(env, 0);
}

static napi_value get_slice(napi_env env, napi_callback_info info) {
  double a[1];
  if (args(env, info, 1, a)) return number(env, -1);
  struct ordo_sched_attr attr;
  if (read_attr((int32_t)a[0], &attr)) return number(env, -1);
  return number(env, (double)attr.sched_runtime);
}

void ordo_register_heap(napi_env env, napi_value exports);

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "setSlice", NULL, set_slice, NULL, NULL, NULL, napi_default, NULL },
    { "getSlice", NULL, get_slice, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, 2, props);
  ordo_register_heap(env, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

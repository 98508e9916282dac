/*
 * Ordo's second native call: a malloc heap that faults in 2 MiB pages, and keeps what it frees (decision 290).
 *
 * On the VMs Ordo is measured on, the first touch of each 4 KiB page costs ~15-20 us (a fault the hypervisor's
 * shadow page tables take part in); a 2 MiB transparent huge page costs one fault for 512 of them. With THP in
 * "madvise" mode only ranges advised MADV_HUGEPAGE get them, and glibc advises its heap only under the tunable
 * glibc.malloc.hugetlb=1, which must be in the environment before the process starts. reserveHeap(bytes) does
 * the same for one stretch of the main arena, from inside the process:
 *   - M_MMAP_THRESHOLD 32 MiB: blocks up to 32 MiB (SQLite's blob buffers, better-sqlite3's Buffer copies of
 *     256 KiB checkpoint rows, V8 array buffers) come from the heap, not from an mmap of their own that is
 *     faulted in page by page and unmapped at free; M_TRIM_THRESHOLD: what is freed stays for the next block.
 *   - the heap is grown by `bytes` at once (M_TOP_PAD for one growth) and the new stretch, untouched, is advised
 *     MADV_HUGEPAGE; blocks carved from it later fault in 2 MiB pages.
 * Returns the bytes advised (0: nothing was, e.g. the growth failed), or -errno when madvise refused; once per
 * process (a later call returns the first one's result).
 * Memory in the process's other arenas (worker threads) and blocks over 32 MiB keep the defaults.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <node_api.h>

/* glibc's mallopt knobs and Linux's THP advice; elsewhere (musl, another OS) reserveHeap is -ENOSYS and the slice
 * call still builds. */
#if defined(__GLIBC__) && defined(M_TOP_PAD) && defined(MADV_HUGEPAGE)
#define ORDO_HEAP 1
#endif

#define HUGE_PAGE ((uintptr_t)2 << 20)
#define MMAP_THRESHOLD (32 << 20)
/* Freed memory at the heap's top is given back past this: never, in practice (what a long replay freed is reused;
 * above the reserve, or freeing the blocks that grew the heap would give the reserve straight back). */
#define TRIM_THRESHOLD 0x7fffffff
/* Heap blocks taken until the heap grows (each below the mmap threshold; the top is small at start). */
#define STEP (1 << 20)
#define MAX_STEPS 64

#ifdef ORDO_HEAP
/* The heap grown by about `pad` bytes at once (M_TOP_PAD for one growth) and the new stretch advised: the bytes advised, 0 or -errno. */
static double grow_advised(size_t pad) {
  mallopt(M_TOP_PAD, (int)pad);
  uintptr_t before = (uintptr_t)sbrk(0);
  void *taken[MAX_STEPS];
  int n = 0;
  uintptr_t after = before;
  /* Blocks are taken until the break moves (the top's free space is used first). */
  while (n < MAX_STEPS && after == before) {
    void *p = malloc(STEP);
    if (p == NULL) break;
    taken[n++] = p;
    after = (uintptr_t)sbrk(0);
  }
  mallopt(M_TOP_PAD, 128 << 10);
  for (int i = n - 1; i >= 0; i--) free(taken[i]);
  /* The stretch past the block that grew the heap (and the top's header after it, written before this advice) is
   * untouched: advise its whole 2 MiB pages. */
  uintptr_t from = (before + STEP + 64 + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
  uintptr_t to = after & ~(HUGE_PAGE - 1);
  if (after <= before || to <= from) return 0;
  if (madvise((void *)from, to - from, MADV_HUGEPAGE) != 0) return -errno;
  return (double)(to - from);
}

/* Once per process: a second call (another module instance of the same process) returns the first one's result. */
static int reserved = 0;
static double reserved_result = 0;
#endif

static double reserve(double want) {
  if (!(want >= 4 * HUGE_PAGE && want <= (double)(1ULL << 30))) return -EINVAL;
#ifndef ORDO_HEAP
  return -ENOSYS;
#else
  if (reserved) return reserved_result;
  reserved = 1;
  mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
  mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD);
  return reserved_result = grow_advised((size_t)want);
#endif
}

static napi_value reserve_heap(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  double want = 0;
  napi_value out;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || napi_get_value_double(env, argv[0], &want) != napi_ok) {
    napi_create_double(env, -EINVAL, &out);
    return out;
  }
  napi_create_double(env, reserve(want), &out);
  return out;
}

/*
 * trimHeap(): gives back to the kernel what every malloc arena holds free (glibc's malloc_trim(0): whole free pages
 * inside each arena are MADV_DONTNEED'd, the main heap's free top is returned with sbrk), decision 294. A host
 * resumed from a checkpoint frees hundreds of MiB at the end of its start-up (the copies it decoded and dropped),
 * which the reserve above would otherwise keep in the process's RSS for its whole life. Returns 1 when memory was
 * given back, 0 when none was, -ENOSYS without glibc. Pages given back cost a fault again when next written: call
 * it once the folding is done, not between folds.
 */
static napi_value trim_heap(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
#ifdef __GLIBC__
  napi_create_double(env, malloc_trim(0), &out);
#else
  napi_create_double(env, -ENOSYS, &out);
#endif
  return out;
}

/* Registers reserveHeap and trimHeap on the addon's exports (sched_slice.c's init calls it). */
void ordo_register_heap(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "reserveHeap", NULL, reserve_heap, NULL, NULL, NULL, napi_default, NULL },
    { "trimHeap", NULL, trim_heap, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, 2, props);
}

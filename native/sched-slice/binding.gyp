{
  "targets": [
    {
      "target_name": "sched_slice",
      "sources": ["sched_slice.c", "heap_reserve.c"],
      "cflags": ["-O2", "-Wall"]
    }
  ]
}

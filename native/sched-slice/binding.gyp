{
  "targets": [
    {
      "target_name": "sched_slice",
      "sources": ["sched_slice.c"],
      "cflags": ["-O2", "-Wall"]
    }
  ]
}

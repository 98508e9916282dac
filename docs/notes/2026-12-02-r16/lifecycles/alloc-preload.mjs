// Preload for an allocation profile of the whole run: node --import alloc-preload.mjs … with ALLOC_OUT=FILE. V8 sampling
// heap profiler, 4 KiB interval, objects that minor and major GCs collected included; written at process.exit.
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
const s = new Session();
s.connect();
s.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
const realExit = process.exit;
process.exit = (code) => {
  s.post('HeapProfiler.stopSampling', (err, r) => {
    writeFileSync(process.env.ALLOC_OUT, JSON.stringify(r.profile));
    realExit(code);
  });
};

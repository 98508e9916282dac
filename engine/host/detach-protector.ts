/**
 * Gives up, once and at start, V8's assumption that no ArrayBuffer is ever detached (its "array buffer detaching"
 * protector), before any code is optimized under it (decision 291). The first ArrayBuffer a host transfers to or
 * from one of its threads (the replay service's answers, a checkpoint's bytes) detaches it, and V8 then throws away
 * every optimized function that relied on the protector: the codec's readers and writers, the order table's columns,
 * the projection's apply (~50–170 functions seen in a fresh host, at once, seconds after its ready line, while it
 * took its first orders). Detaching a 1-byte buffer first costs nothing and leaves the code compiled afterwards
 * valid; optimized code that checks for detached buffers is what runs anyway once a host has transferred one.
 */
export function giveUpArrayBufferDetachingProtector(): void {
  const b = new ArrayBuffer(1);
  structuredClone(b, { transfer: [b] });
}

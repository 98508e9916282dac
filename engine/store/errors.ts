/** A stored frame or snapshot whose checksum or encoding does not match. */
export class CorruptionError extends Error {
  override name = 'CorruptionError';
  constructor(
    readonly session: number,
    readonly firstSeq: number,
    readonly lastSeq: number,
    detail: string,
  ) {
    super(`corrupted frame in session ${session}, seq ${firstSeq}-${lastSeq}: ${detail}`);
  }
}

/** The data dir or database cannot be used (missing, newer schema, not Ordo's). */
export class StoreError extends Error {
  override name = 'StoreError';
}

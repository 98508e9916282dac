/** What of jspurefix's AsciiParser the guard below uses (its own fields; not in its typings). */
interface Parser {
  parse(buffer: Buffer, end: number): void;
  reset(): void;
  receivingBuffer: { getPos(): number; getBuffer(start: number, end: number): Buffer };
}

/** The parser's complaint about a message whose first three fields are not BeginString, BodyLength, MsgType. */
const OUT_OF_ORDER = /^(position \d+ \[-?\d+\] must be |(BeginString|BodyLengthTag|MsgTag): not expected at position )/;
const START = Buffer.from('\x018=');

/**
 * A message whose first three fields are not 8=, 9=, 35= (QuickFIX's case 2t) is garbled: ignored, not the end of
 * the connection (FIX; decision 301). jspurefix's parser throws on it, its stream errors, and the session ends.
 * Wrapped here: on that complaint the parser starts afresh and reading goes on at the next `8=` that begins a field
 * after the point it failed (the rest of the bad message skipped); the session sees the gap at its next message and
 * asks for a resend, as for any garbled message. Other errors are the parser's as before. Costs nothing per message:
 * a try around each chunk read.
 */
export function skipGarbledFraming(receiver: unknown, loggedOn: () => boolean): void {
  const rx = receiver as Partial<Parser> | undefined;
  if (typeof rx?.parse !== 'function' || typeof rx.reset !== 'function' || rx.receivingBuffer === undefined) return;
  const p = rx as Parser;
  const parse = p.parse.bind(p);
  const guarded = (buffer: Buffer, end: number): void => {
    try {
      parse(buffer, end);
    } catch (err) {
      // Before the Logon, garbage ends the connection as before (no session to ask a resend in).
      if (!OUT_OF_ORDER.test((err as Error).message) || !loggedOn()) throw err;
      // Where it failed: the bad message's bytes so far are the parser's buffer; their last place in this chunk (or
      // the chunk's start, when it began in an earlier one). The last, not the first: skipping too far loses a
      // message the gap check asks for again; resuming too early would apply messages twice.
      const sofar = p.receivingBuffer.getBuffer(0, p.receivingBuffer.getPos());
      const at = sofar.length > 0 ? buffer.subarray(0, end).lastIndexOf(sofar) : -1;
      const failed = at < 0 ? 0 : at + sofar.length;
      p.reset();
      const next = buffer.subarray(0, end).indexOf(START, Math.max(0, failed - 1));
      if (next >= 0) guarded(buffer.subarray(next + 1), end - next - 1);
    }
  };
  p.parse = guarded;
}

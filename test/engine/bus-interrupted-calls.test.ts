import { describe, expect, it } from 'vitest';
import { Dealer } from 'zeromq';
import { connectTo, retryInterrupted } from '../../engine/bus/security.ts';

/** An error shaped as zeromq.js throws it for errno `code` (ErrnoException: message, code, errno). */
function zmqError(code: string, errno: number): Error {
  return Object.assign(new Error(code === 'EINTR' ? 'Interrupted system call' : 'Invalid argument'), { code, errno });
}

describe('libzmq calls interrupted by a signal', () => {
  it('are made again until they go through, and the value is returned', () => {
    let calls = 0;
    const v = retryInterrupted(() => {
      calls++;
      if (calls < 3) throw zmqError('EINTR', 4);
      return 'connected';
    });
    expect(v).toBe('connected');
    expect(calls).toBe(3);
  });

  it('any other error is thrown at once, not retried', () => {
    let calls = 0;
    expect(() =>
      retryInterrupted(() => {
        calls++;
        throw zmqError('EINVAL', 22);
      }),
    ).toThrow('Invalid argument');
    expect(calls).toBe(1);
  });

  it('a call interrupted every time gives up with the interruption, not a hang', () => {
    let calls = 0;
    expect(() =>
      retryInterrupted(() => {
        calls++;
        throw zmqError('EINTR', 4);
      }),
    ).toThrow('Interrupted system call');
    expect(calls).toBe(1000);
  });

  it('a real socket connects through it, and a bad endpoint is still a clear error', () => {
    const s = new Dealer();
    try {
      expect(() => connectTo(s, 'inproc://bus-interrupted-calls')).not.toThrow();
      expect(() => connectTo(s, 'nonsense://x')).toThrow(/protocol/i);
    } finally {
      s.close();
    }
  });
});

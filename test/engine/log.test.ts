import { describe, expect, it } from 'vitest';
import { createLogger } from '../../engine/log.ts';

describe('engine logger', () => {
  it('writes one line per record at or above its level, with the level and the error message', () => {
    const lines: string[] = [];
    const log = createLogger('warn', (l) => lines.push(l));
    log.info('not shown');
    log.warn('disk nearly full');
    log.error('send failed', new Error('socket closed\nby peer'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z WARN disk nearly full\n$/);
    expect(lines[1]).toMatch(/ ERROR send failed: socket closed \| by peer\n$/);
    for (const l of lines) expect(l.split('\n')).toHaveLength(2);
  });

  it('is silent at level silent and follows setLevel', () => {
    const lines: string[] = [];
    const log = createLogger('silent', (l) => lines.push(l));
    log.error('hidden');
    expect(lines).toEqual([]);
    log.setLevel('debug');
    log.debug('shown');
    expect(lines).toHaveLength(1);
  });
});

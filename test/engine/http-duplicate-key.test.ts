import { describe, expect, it } from 'vitest';
import { duplicateKey } from '../../engine/host/http/rest.ts';

describe('duplicateKey (request bodies)', () => {
  it('finds a repeated key in any object, spelled plainly or with escapes, and nothing in values or other objects', () => {
    expect(duplicateKey('{"quantity":1,"price":2,"quantity":1000000}')).toBe('quantity');
    // The same key once plain and once escaped is the same key to JSON.parse.
    expect(duplicateKey('{"quantity":1,"\\u0071uantity":2}')).toBe('quantity');
    expect(duplicateKey('{"a\\"b":1,"a\\"b":2}')).toBe('a"b');
    expect(duplicateKey('{"a":{"b":1},"c":{"b":2}}')).toBeUndefined();
    expect(duplicateKey('{"a":"quantity","quantity":"a","list":["x","x"]}')).toBeUndefined();
    expect(duplicateKey('{"a":{"b":1,"b":2}}')).toBe('b');
    expect(duplicateKey('{"clientId":"ALPHA","clientOrderId":"ack-1","symbol":"AAPL","side":"buy","quantity":1,"price":101.5}')).toBeUndefined();
  });
});

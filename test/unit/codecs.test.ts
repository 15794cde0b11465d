import { describe, expect, it } from 'vitest';
import { jsonCodec, textCodec } from '../../src/codecs';
import { ArgumentError, webConnectionCodec } from '../../src/index';
import { decodePayload, encodePayload } from '../../src/protocol/codec';

describe('codecs', () => {
  it('webconnection: dispatches on action, parses JSON objects/arrays in message for typed handlers', () => {
    const m = webConnectionCodec.decode('{"action":"scores","message":"[{\\"team\\":\\"a\\"}]"}');
    expect(webConnectionCodec.key(m)).toBe('scores');
    expect(webConnectionCodec.payload(m)).toEqual([{ team: 'a' }]);
    expect((m as { message: string }).message).toBe('[{"team":"a"}]');
    expect(decodePayload('hello')).toBe('hello');
    expect(decodePayload('42')).toBe('42');
    expect(decodePayload('[not json')).toBe('[not json');
    expect(decodePayload('  {"a":1}')).toEqual({ a: 1 });
    expect(encodePayload({ a: 1 })).toBe('{"a":1}');
    expect(encodePayload('text')).toBe('text');
    expect(encodePayload(undefined)).toBe('');
  });

  it.each([
    ['a BigInt', { n: 1n }, /Cannot send .* as JSON \(.*BigInt/],
    ['a symbol', Symbol('s'), /Cannot send Symbol\(s\) as JSON/],
    ['a function', () => 1, /Cannot send a function as JSON/],
  ])('a payload JSON cannot carry (%s) is an ArgumentError, never a silent ""', (_what, payload, message) => {
    expect(() => encodePayload(payload)).toThrow(ArgumentError);
    expect(() => encodePayload(payload)).toThrow(message);
  });

  it('json: a WebSharper-style union tagged by "type", or another discriminant', () => {
    const m = jsonCodec().decode('{"type":"int","Item":5}');
    expect(m).toEqual({ type: 'int', Item: 5 });
    expect(jsonCodec().key(m)).toBe('int');
    expect(jsonCodec().payload(m)).toBe(m);
    expect(jsonCodec('kind').key(jsonCodec('kind').decode('{"kind":"x"}'))).toBe('x');
    expect(() => jsonCodec().decode('[1]')).toThrow(/expected a JSON object with a "type" field/);
    expect(jsonCodec().encode({ type: 'ExampleRequest', a: 1 })).toBe('{"type":"ExampleRequest","a":1}');
    expect(() => jsonCodec().encode('x')).toThrow(/sends objects tagged with "type"/);
    expect(jsonCodec().control('ping')).toEqual({ type: 'ping' });
  });

  it('text: raw strings, no dispatch key', () => {
    expect(textCodec.decode('2026-11-22 tick')).toBe('2026-11-22 tick');
    expect(textCodec.key('2026-11-22 tick')).toBeUndefined();
    expect(textCodec.encode('hello')).toBe('hello');
  });
});

import { describe, expect, it } from 'vitest';
import { jsonCodec, textCodec, webConnectionCodec } from '../../src/index';
import { decodePayload, encodePayload, resolveCodec } from '../../src/codecs';

describe('codecs', () => {
  it('webconnection: dispatches on action, parses JSON objects/arrays in message for typed handlers', () => {
    const d = webConnectionCodec.decode('{"action":"scores","message":"[{\\"team\\":\\"a\\"}]"}');
    expect(d.key).toBe('scores');
    expect(d.payload).toEqual([{ team: 'a' }]);
    expect((d.message as { message: string }).message).toBe('[{"team":"a"}]');
    expect(decodePayload('hello')).toBe('hello');
    expect(decodePayload('42')).toBe('42');
    expect(decodePayload('[not json')).toBe('[not json');
    expect(encodePayload({ a: 1 })).toBe('{"a":1}');
    expect(encodePayload('text')).toBe('text');
    expect(() => encodePayload({ n: 1n })).toThrow(TypeError);
  });

  it('json: a WebSharper-style union tagged by "type", or another discriminant', () => {
    const d = jsonCodec().decode('{"type":"int","Item":5}');
    expect(d).toEqual({ key: 'int', message: { type: 'int', Item: 5 }, payload: { type: 'int', Item: 5 } });
    expect(jsonCodec('kind').decode('{"kind":"x"}').key).toBe('x');
    expect(() => jsonCodec().decode('[1]')).toThrow(/expected a JSON object with a "type" field/);
    expect(jsonCodec().encode({ type: 'ExampleRequest', a: 1 })).toBe('{"type":"ExampleRequest","a":1}');
    expect(() => jsonCodec().encode('x')).toThrow(/sends objects tagged with "type"/);
    expect(jsonCodec().control('ping')).toEqual({ type: 'ping' });
  });

  it('text: raw strings, no dispatch key', () => {
    expect(textCodec.decode('2026-11-22 tick')).toEqual({ key: undefined, message: '2026-11-22 tick', payload: '2026-11-22 tick' });
    expect(textCodec.encode('hello')).toBe('hello');
  });

  it('resolveCodec names the valid codecs for an unknown one', () => {
    expect(resolveCodec('text')).toBe(textCodec);
    expect(() => resolveCodec('xml' as never)).toThrow('Unknown codec "xml": use "webconnection", "json", "text" or a Codec object.');
  });
});

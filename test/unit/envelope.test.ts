import { describe, expect, it } from 'vitest';
import { ArgumentError, RECIPIENT_TYPES, WebConnectionMessage, parseEnvelope, serializeEnvelope } from '../../src/index';

describe('envelope: parse, validate, serialize', () => {
  it('fills missing fields and keeps unknown ones', () => {
    expect(parseEnvelope('{"action":"a","extra":1}')).toEqual({ action: 'a', message: '', groupId: '', userId: '', recipients: [], extra: 1 });
  });

  it.each([
    ['not json', /JSON/],
    ['[1]', /expected a JSON object, got an array/],
    ['null', /got null/],
    ['"text"', /got string/],
    ['{}', /"action" must be a string, got undefined/],
    ['{"action":1}', /"action" must be a string, got number/],
    ['{"action":"a","message":{}}', /"message" must be a string, got object/],
    ['{"action":"a","userId":5}', /"userId" must be a string/],
    ['{"action":"a","recipients":{}}', /"recipients" must be an array/],
    ['{"action":"a","recipients":[{"type":"everyone","value":"x"}]}', /known type/],
  ])('rejects %s with a precise reason', (frame, reason) => {
    expect(() => parseEnvelope(frame)).toThrow(reason);
  });

  it('serializes a message; refuses what the server would reject, and unserializable payloads', () => {
    const msg = new WebConnectionMessage('chat', 'hi', 'g', 'u').addRecipient('g', 'group');
    expect(JSON.parse(serializeEnvelope(msg))).toEqual({ action: 'chat', message: 'hi', groupId: 'g', userId: 'u', recipients: [{ type: 'group', value: 'g' }] });
    expect(() => serializeEnvelope({ message: 'no action' })).toThrow(ArgumentError);
    const circular: Record<string, unknown> = { action: 'a' };
    circular.self = circular;
    expect(() => serializeEnvelope(circular)).toThrow(/as JSON \(.*\): send plain data, no cycles, BigInt/s);
    expect(() => serializeEnvelope({ action: 'a', n: 1n })).toThrow(/BigInt/);
  });
});

describe('recipients', () => {
  it('addRecipient accepts the four types and chains', () => {
    const msg = new WebConnectionMessage('a', '');
    for (const type of RECIPIENT_TYPES) msg.addRecipient('x', type);
    expect(msg.recipients.map((r) => r.type)).toEqual(['group', 'user', 'allButUser', 'allButGroup']);
  });

  it('an unknown type is a TypeError naming the valid types', () => {
    const msg = new WebConnectionMessage('a', '');
    const attempt = () => msg.addRecipient('x', 'room' as never);
    expect(attempt).toThrow(TypeError);
    expect(attempt).toThrow('The recipient type must be one of group, user, allButUser, allButGroup, got "room".');
    expect(() => msg.addRecipient(42 as never, 'group')).toThrow(/must be a string/);
    expect(msg.recipients).toEqual([]);
  });
});

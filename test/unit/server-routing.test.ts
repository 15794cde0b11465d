import { describe, expect, it } from 'vitest';
import { ConnectionIndex } from '../server/routing.mjs';
import type { Recipient } from '../server/index.mjs';

// Four connections: two in group g1 (u1, u2), one in g2 (u3), one with no identity.
const conns = [
  { id: 'a', groupId: 'g1', userId: 'u1' },
  { id: 'b', groupId: 'g1', userId: 'u2' },
  { id: 'c', groupId: 'g2', userId: 'u3' },
  { id: 'd', groupId: '', userId: '' },
];
const R = (type: Recipient['type'], value: string): Recipient => ({ type, value });
const indexOf = (list: typeof conns) => {
  const index = new ConnectionIndex<(typeof conns)[number]>();
  list.forEach((c) => index.add(c));
  return index;
};
const ids = (selected: Iterable<{ id: string }>) => [...selected].map((c) => c.id).sort();

describe('ConnectionIndex.route(): the routing rule of docs/protocol.md', () => {
  it.each<[string, Recipient[], string[]]>([
    ['no recipients: everybody', [], ['a', 'b', 'c', 'd']],
    ['group', [R('group', 'g1')], ['a', 'b']],
    ['user', [R('user', 'u3')], ['c']],
    ['allButUser alone: everybody but that user', [R('allButUser', 'u1')], ['b', 'c', 'd']],
    ['allButGroup alone: everybody but that group', [R('allButGroup', 'g1')], ['c', 'd']],
    ['group + user: the union', [R('group', 'g2'), R('user', 'u1')], ['a', 'c']],
    ['group + allButUser: the group without that user', [R('group', 'g1'), R('allButUser', 'u1')], ['b']],
    ['two groups + allButGroup of one of them', [R('group', 'g1'), R('group', 'g2'), R('allButGroup', 'g2')], ['a', 'b']],
    ['user + allButGroup of their own group: nobody', [R('user', 'u1'), R('allButGroup', 'g1')], []],
    ['overlapping selections reach each connection once', [R('group', 'g1'), R('user', 'u1'), R('user', 'u1')], ['a', 'b']],
    ['unknown group: nobody', [R('group', 'nope')], []],
    ['allButUser + allButGroup together', [R('allButUser', 'u3'), R('allButGroup', 'g1')], ['d']],
  ])('%s', (_name, recipients, expected) => {
    expect(ids(indexOf(conns).route(recipients))).toEqual(expected);
  });

  it('a connection deleted from the index is no longer reached, and routing does not change the index', () => {
    const index = indexOf(conns);
    index.delete(conns[0]!);
    expect(ids(index.route([R('group', 'g1')]))).toEqual(['b']);
    expect(ids(index.route([R('user', 'u1')]))).toEqual([]);
    const everyone = index.route([]);
    (everyone as Set<unknown>).clear();
    expect(index.size).toBe(3);
  });
});

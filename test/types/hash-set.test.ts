import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HashObject } from '../../src/types/hash';
import { SetObject, ENC_INTSET, ENC_LISTPACK, ENC_HASHTABLE, isInt64Text, sampleUnique } from '../../src/types/set';

const SET_LIM = { maxIntset: 4, maxListpack: 3, maxListpackValue: 5 };
const HASH_LIM = { maxEntries: 2, maxValue: 4 };

test('isInt64Text accepts exactly what string2ll accepts', () => {
  for (const s of ['0', '-1', '9223372036854775807', '-9223372036854775808', '12']) assert.equal(isInt64Text(s), true, s);
  for (const s of ['', '-', '-0', '01', '+1', ' 1', '1 ', '9223372036854775808', '-9223372036854775809', '1.0', 'a']) assert.equal(isInt64Text(s), false, s);
});

test('set encodings convert one way, intset members stay sorted', () => {
  const s = SetObject.create('3', 1, SET_LIM);
  assert.equal(s.enc, ENC_INTSET);
  for (const m of ['3', '1', '2']) s.add(m, SET_LIM);
  assert.deepEqual([...s.iter()], ['1', '2', '3']);
  s.add('a', SET_LIM); // a listpack of 3 would be full already: hashtable
  assert.equal(s.enc, ENC_HASHTABLE);
  const t = SetObject.create('1', 1, SET_LIM);
  t.add('9', SET_LIM);
  t.add('1', SET_LIM);
  t.add('x', SET_LIM);
  assert.equal(t.enc, ENC_LISTPACK);
  assert.deepEqual([...t.iter()], ['1', '9', 'x']);
  t.remove('x');
  assert.equal(t.enc, ENC_LISTPACK);
  t.add('toolong', SET_LIM);
  assert.equal(t.enc, ENC_HASHTABLE);
  const u = SetObject.from(['1', '2', '3', '4', '5'], SET_LIM);
  assert.equal(u.enc, ENC_HASHTABLE); // more than maxIntset
  const v = new SetObject(ENC_LISTPACK);
  for (const m of ['5', '-2']) v.add(m, SET_LIM);
  v.maybeToIntset(SET_LIM);
  assert.equal(v.enc, ENC_INTSET);
  assert.deepEqual([...v.iter()], ['-2', '5']);
});

test('random picks and pops cover a big set', () => {
  const s = new SetObject(ENC_HASHTABLE);
  for (let i = 0; i < 500; i++) s.add(`m${i}`, SET_LIM);
  const seen = new Set<string>();
  for (let i = 0; i < 20000 && seen.size < 500; i++) seen.add(s.random());
  assert.equal(seen.size, 500);
  const popped = new Set<string>();
  while (s.size() > 0) popped.add(s.pop());
  assert.equal(popped.size, 500);
});

test('sampleUnique returns distinct items, in order when asked', () => {
  const items = ['a', 'b', 'c', 'd', 'e', 'f'];
  for (let i = 0; i < 50; i++) {
    const out = sampleUnique(items, 6, 4, true, () => 'a');
    assert.equal(new Set(out).size, 4);
    assert.deepEqual(out, [...out].sort());
  }
  const big = Array.from({ length: 100 }, (_, i) => `x${i}`);
  const out = sampleUnique(big, 100, 10, false, () => big[Math.floor(Math.random() * 100)]);
  assert.equal(new Set(out).size, 10);
});

test('hash encoding, TTL bookkeeping and due-field removal', () => {
  const h = new HashObject();
  h.set('a', '1', HASH_LIM);
  h.set('b', '2', HASH_LIM);
  assert.equal(h.encoding(), 'listpack');
  h.set('c', '3', HASH_LIM);
  assert.equal(h.encoding(), 'hashtable');
  const g = new HashObject();
  g.set('a', '12345', HASH_LIM);
  assert.equal(g.encoding(), 'hashtable');
  h.setTtl('a', 100);
  h.setTtl('b', 200);
  assert.equal(h.hasDue(99), false);
  assert.equal(h.hasDue(100), true);
  assert.deepEqual(h.removeDue(150), ['a']);
  assert.equal(h.minTtl, 200);
  h.set('b', 'x', HASH_LIM); // HSET drops the TTL
  assert.equal(h.getTtl('b'), undefined);
  assert.deepEqual(h.removeDue(300), []);
  assert.equal(h.minTtl, Infinity);
  h.setTtl('c', 10);
  h.set('c', '4', HASH_LIM, true); // HINCRBY keeps it
  assert.equal(h.getTtl('c'), 10);
  const k = h.clone();
  assert.equal(k.getTtl('c'), 10);
  assert.equal(k.digest(), h.digest());
  assert.deepEqual([...HashObject.from([['x', '1']], HASH_LIM).map], [['x', '1']]);
});

/*
 * KeyDict against a real Map: long random operation sequences (binary keys,
 * empty keys and values, values that go to the side map, type changes under
 * one key, overwrites, deletes, clear), live iterators interleaved with the
 * mutations (the SCAN guarantee), and the per-key access field.
 */

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { KeyDict, INLINE_KEY_MAX, INLINE_VALUE_MAX } from '../../src/server/keydict';
import type { Value, RObject } from '../../src/types/value';
import { startNodis, RawClient, pipeline, type RunningServer } from '../helpers';
import { mulberry32 as rng } from '../prng';

let srv: RunningServer;
let r: RawClient;

before(async () => {
  srv = await startNodis();
  r = await RawClient.connect(srv.port);
});

after(async () => {
  r.close();
  await srv.close();
});


function fakeObject(tag: number): RObject {
  return {
    type: 'hash',
    encoding: () => 'hashtable',
    clone() {
      return this;
    },
    size: () => tag,
  };
}

function sameValue(a: Value | undefined, b: Value | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return a === b;
  return a === b;
}

function makeGen(r: () => number, keySpace: number) {
  const binKey = (): string => {
    const n = Math.floor(r() * 6);
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(Math.floor(r() * 256));
    return s;
  };
  const bins: string[] = [];
  for (let i = 0; i < 40; i++) bins.push(binKey());
  const longKey = 'L'.repeat(INLINE_KEY_MAX + 5);
  const key = (): string => {
    const x = r();
    if (x < 0.02) return '';
    if (x < 0.12) return bins[Math.floor(r() * bins.length)];
    if (x < 0.13) return longKey + String(Math.floor(r() * 4));
    if (x < 0.15) return 'k'.repeat(250 + Math.floor(r() * 10)) + String(Math.floor(r() * 3));
    return 'key:' + String(Math.floor(r() * keySpace));
  };
  const value = (): Value => {
    const x = r();
    if (x < 0.05) return '';
    if (x < 0.5) return 'v' + String(Math.floor(r() * 1e6));
    if (x < 0.6) {
      const n = Math.floor(r() * 300);
      let s = '';
      for (let i = 0; i < n; i++) s += String.fromCharCode(Math.floor(r() * 256));
      return s;
    }
    if (x < 0.65) return 'B'.repeat(INLINE_VALUE_MAX - 2 + Math.floor(r() * 5));
    if (x < 0.7) return 'x'.repeat(2000 + Math.floor(r() * 100));
    if (x < 0.8) return Buffer.from('buf' + String(Math.floor(r() * 100)));
    if (x < 0.9) return fakeObject(Math.floor(r() * 10));
    return 'value' + String(Math.floor(r() * 100000)).padStart(5, '0');
  };
  return { key, value };
}

function checkSame(d: KeyDict, m: Map<string, Value>): void {
  assert.equal(d.size, m.size);
  const got = [...d.entries()];
  const want = [...m.entries()];
  assert.equal(got.length, want.length);
  for (let i = 0; i < want.length; i++) {
    assert.equal(got[i][0], want[i][0], 'order at ' + i);
    assert.ok(sameValue(got[i][1], want[i][1]), 'value of ' + JSON.stringify(want[i][0]));
  }
  assert.deepEqual([...d.keys()], [...m.keys()]);
}

/** A live iterator over both, checked for the SCAN guarantee at the end. */
interface Walk {
  it: Iterator<string>;
  /** The same walk over the Map: both must return the same keys. */
  mit: Iterator<string>;
  /** Keys present when the walk started and never deleted since. */
  throughout: Set<string>;
  seen: Map<string, number>;
  ended: boolean;
}

for (const seed of [1, 2, 3, 4, 5, 6]) {
  test(`KeyDict matches Map on a random op sequence (seed ${seed})`, () => {
    const r = rng(seed);
    const keySpace = seed <= 2 ? 50 : seed <= 4 ? 2000 : 20000;
    const g = makeGen(r, keySpace);
    const d = new KeyDict();
    const m = new Map<string, Value>();
    const walks: Walk[] = [];
    const ops = seed <= 4 ? 60000 : 150000;
    for (let i = 0; i < ops; i++) {
      const x = r();
      if (x < 0.45) {
        const k = g.key();
        const v = g.value();
        const peeked = d.peek(k);
        const prev = x < 0.2 ? d.put(k, v) : (d.set(k, v), peeked);
        assert.equal(prev, peeked);
        const old = m.get(k);
        if (old === undefined) assert.equal(prev, undefined);
        else if (typeof prev === 'number') assert.equal(prev, (old as string).length);
        else assert.ok(sameValue(prev, old));
        m.set(k, v);
      } else if (x < 0.7) {
        const k = g.key();
        assert.equal(d.delete(k), m.delete(k));
        for (const w of walks) w.throughout.delete(k);
      } else if (x < 0.85) {
        const k = g.key();
        assert.ok(sameValue(d.get(k), m.get(k)), 'get ' + JSON.stringify(k));
        assert.equal(d.has(k), m.has(k));
      } else if (x < 0.86) {
        // Start a live walk.
        walks.push({ it: d.keys(), mit: m.keys(), throughout: new Set(m.keys()), seen: new Map(), ended: false });
      } else if (x < 0.97) {
        // Advance the walks a little.
        for (const w of walks) {
          if (w.ended) continue;
          for (let j = Math.floor(r() * 20); j > 0; j--) {
            const n = w.it.next();
            assert.deepEqual(n, w.mit.next());
            if (n.done === true) {
              w.ended = true;
              break;
            }
            w.seen.set(n.value, (w.seen.get(n.value) ?? 0) + 1);
          }
        }
      } else if (x < 0.9702) {
        d.clear();
        m.clear();
        for (const w of walks) w.throughout.clear();
      } else if (x < 0.975) {
        // Delete a run of keys (drives renumbering and compaction).
        let n = Math.floor(r() * 200);
        for (const k of [...m.keys()]) {
          if (n-- <= 0) break;
          d.delete(k);
          m.delete(k);
          for (const w of walks) w.throughout.delete(k);
        }
      } else {
        const k = g.key();
        const dv = d.getAccess(k);
        assert.equal(dv === undefined, !m.has(k));
        if (dv !== undefined) {
          const n = Math.floor(r() * 0xffffffff);
          assert.equal(d.setAccess(k, n), true);
          assert.equal(d.getAccess(k), n >>> 0);
        } else assert.equal(d.setAccess(k, 1), false);
      }
      if (i % 5000 === 0) checkSame(d, m);
    }
    checkSame(d, m);
    // Finish the walks: every key present throughout was returned exactly once.
    for (const w of walks) {
      for (let n = w.it.next(); n.done !== true; n = w.it.next()) {
        assert.equal(n.value, w.mit.next().value);
        w.seen.set(n.value, (w.seen.get(n.value) ?? 0) + 1);
      }
      assert.equal(w.mit.next().done, true);
      for (const k of w.throughout) assert.equal(w.seen.get(k), 1, 'walk returned ' + JSON.stringify(k) + ' ' + String(w.seen.get(k)) + ' times');
    }
    // Empty it entirely.
    for (const k of [...m.keys()]) assert.equal(d.delete(k), true);
    assert.equal(d.size, 0);
    assert.deepEqual([...d.entries()], []);
  });
}

test('KeyDict iterators follow Map semantics across renumbering', () => {
  const d = new KeyDict();
  const m = new Map<string, Value>();
  for (let i = 0; i < 5000; i++) {
    d.set('k' + i, 'v' + i);
    m.set('k' + i, 'v' + i);
  }
  const di = d.keys();
  const mi = m.keys();
  for (let i = 0; i < 1000; i++) assert.equal(di.next().value, mi.next().value);
  // Delete most keys (before and after the position), then add many: renumbering happens.
  for (let i = 0; i < 5000; i++) {
    if (i % 10 !== 0) {
      d.delete('k' + i);
      m.delete('k' + i);
    }
  }
  for (let i = 5000; i < 20000; i++) {
    d.set('k' + i, 'v' + i);
    m.set('k' + i, 'v' + i);
  }
  // Overwrites do not move keys.
  d.set('k10', 'changed-and-longer-than-before');
  m.set('k10', 'changed-and-longer-than-before');
  const rest = (it: Iterator<string>): string[] => {
    const out: string[] = [];
    for (let n = it.next(); n.done !== true; n = it.next()) out.push(n.value);
    return out;
  };
  assert.deepEqual(rest(di), rest(mi));
  // A finished iterator stays finished.
  d.set('late', '1');
  m.set('late', '1');
  assert.equal(di.next().done, true);
  assert.equal(mi.next().done, true);
  checkSame(d, m);
});

test('KeyDict: values of every kind and type changes under one key', () => {
  const d = new KeyDict();
  const obj = fakeObject(3);
  const buf = Buffer.from([0, 1, 2, 255]);
  const big = 'z'.repeat(100000);
  const bin = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');
  const seq: Value[] = ['a', obj, 'bb', buf, big, '', bin, obj, 'short', big + 'x', 'end'];
  for (const v of seq) {
    d.set(bin, v);
    assert.ok(sameValue(d.get(bin), v));
    assert.equal(d.size, 1);
    assert.deepEqual([...d.keys()], [bin]);
  }
  d.set('', '');
  assert.equal(d.get(''), '');
  assert.equal(d.has(''), true);
  assert.equal(d.peek(''), 0);
  assert.equal(d.peek(bin), 3);
  d.set(bin, obj);
  assert.equal(d.peek(bin), obj);
  assert.equal(d.peek('nope'), undefined);
  const seen: string[] = [];
  d.forEach((_v, k) => seen.push(k));
  assert.deepEqual(seen, [bin, '']);
});

test('KeyDict access field follows its key', () => {
  const d = new KeyDict();
  assert.equal(d.getAccess('a'), undefined);
  assert.equal(d.setAccess('a', 5), false);
  d.set('a', '1');
  assert.equal(d.getAccess('a'), 0);
  d.setAccess('a', 123456);
  d.set('a', 'overwritten with a longer value');
  assert.equal(d.getAccess('a'), 123456, 'overwrite keeps the access field');
  d.delete('a');
  assert.equal(d.getAccess('a'), undefined);
  d.set('a', '2');
  assert.equal(d.getAccess('a'), 0, 'a new key starts at 0');
  // Through renumbering.
  for (let i = 0; i < 3000; i++) {
    d.set('x' + i, 'v');
    d.setAccess('x' + i, i * 7);
  }
  for (let i = 0; i < 3000; i += 2) d.delete('x' + i);
  for (let i = 0; i < 3000; i++) d.set('y' + i, 'v');
  for (let i = 1; i < 3000; i += 2) assert.equal(d.getAccess('x' + i), i * 7);
});

test('KeyDict randomKey is a live key', () => {
  const d = new KeyDict();
  assert.equal(d.randomKey(), undefined);
  for (let i = 0; i < 100; i++) d.set('k' + i, 'v');
  for (let i = 0; i < 90; i++) d.delete('k' + i);
  const seen = new Set<string>();
  for (let i = 0; i < 500; i++) {
    const k = d.randomKey() as string;
    assert.ok(d.has(k));
    seen.add(k);
  }
  assert.equal(seen.size, 10);
});

test('KeyDict compacts its arena and id arrays under churn', () => {
  const d = new KeyDict();
  const v = 'v'.repeat(100);
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < 20000; i++) d.set('k' + round + ':' + i, v);
    for (let i = 0; i < 20000; i++) d.delete('k' + round + ':' + i);
  }
  for (let i = 0; i < 1000; i++) d.set('keep' + i, v);
  assert.equal(d.size, 1000);
  assert.ok(d.storeBytes < 1 << 20, 'store shrank: ' + String(d.storeBytes));
  for (let i = 0; i < 1000; i++) assert.equal(d.get('keep' + i), v);
});

/** Parse a RESP reply made of arrays and bulk strings (binary-safe). */
function parseResp(s: string): unknown {
  let p = 0;
  const one = (): unknown => {
    const t = s[p];
    const e = s.indexOf('\r\n', p);
    const n = Number(s.slice(p + 1, e));
    p = e + 2;
    if (t === '*') {
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) out.push(one());
      return out;
    }
    if (t === '$') {
      if (n < 0) return null;
      const v = s.slice(p, p + n);
      p += n + 2;
      return v;
    }
    return n;
  };
  return one();
}

test('server: binary values round-trip, and SCAN under churn returns every key present throughout once', async () => {
  const bin = (i: number): string => {
    let v = '';
    for (let j = 0; j < (i % 40); j++) v += String.fromCharCode((i * 31 + j * 7) & 0xff);
    return v;
  };
  const N = 6000;
  const cmds: string[][] = [];
  for (let i = 0; i < N; i++) {
    if (i % 10 === 3) cmds.push(['HSET', 'o:' + i, 'f', String(i)]);
    else if (i % 10 === 7) cmds.push(['SET', 'o:' + i, 'x'.repeat(600 + i)]);
    else cmds.push(['SET', 'o:' + i, bin(i)]);
  }
  await pipeline(r, cmds);
  for (const i of [0, 1, 39, 78, 1007, 5999]) {
    if (i % 10 === 3) continue;
    const want = i % 10 === 7 ? 'x'.repeat(600 + i) : bin(i);
    assert.equal(parseResp(await r.call('GET', 'o:' + i)), want);
  }
  assert.equal(await r.call('DBSIZE'), ':' + N + '\r\n');
  const seen = new Map<string, number>();
  const deleted = new Set<string>();
  let cursor = '0';
  let round = 0;
  do {
    const [next, keys] = parseResp(await r.call('SCAN', cursor, 'COUNT', '50')) as [string, string[]];
    for (const k of keys) seen.set(k, (seen.get(k) ?? 0) + 1);
    cursor = next;
    // Churn between calls: delete some original keys, add new ones, overwrite with longer values.
    const churn: string[][] = [];
    for (let j = 0; j < 40; j++) {
      const victim = 'o:' + ((round * 97 + j * 13) % N);
      if (j % 3 !== 2 && !deleted.has(victim)) {
        deleted.add(victim);
        churn.push(['DEL', victim]);
      }
      churn.push(['SET', 'n:' + round + ':' + j, 'v']);
    }
    // (A key deleted earlier and set again here is new: it may come twice.)
    churn.push(['SET', 'o:' + ((round * 7 + 1) % N), 'a longer value than before '.repeat(3)]);
    await pipeline(r, churn);
    round++;
  } while (cursor !== '0');
  for (let i = 0; i < N; i++) {
    const k = 'o:' + i;
    if (deleted.has(k)) continue;
    assert.equal(seen.get(k), 1, k + ' returned ' + String(seen.get(k)) + ' times');
  }
  const rk = parseResp(await r.call('RANDOMKEY')) as string;
  assert.equal(await r.call('EXISTS', rk), ':1\r\n');
  assert.equal(await r.call('FLUSHALL'), '+OK\r\n');
  assert.equal(await r.call('DBSIZE'), ':0\r\n');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZSet, LEX_VALUE, type ScoreRange } from '../../src/types/zset';

/** Deterministic pseudo-random numbers. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

const cmp = (a: [string, number], b: [string, number]): number => (a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

test('ZSet matches a sorted-array model under random operations', () => {
  const rnd = rng(42);
  const z = new ZSet(false);
  const model = new Map<string, number>();
  const sortedModel = (): [string, number][] => [...model.entries()].sort(cmp);
  for (let step = 0; step < 20000; step++) {
    const op = rnd();
    const m = `m${Math.floor(rnd() * 3000)}`;
    if (op < 0.55) {
      const s = Math.floor(rnd() * 200) / 4;
      const had = model.get(m);
      const r = z.set(m, s);
      assert.equal(r, had === undefined ? 1 : had === s ? 0 : 2);
      model.set(m, s);
    } else if (op < 0.8) {
      assert.equal(z.remove(m), model.delete(m));
    } else if (op < 0.85) {
      const e = z.pop(rnd() < 0.5);
      if (e === null) assert.equal(model.size, 0);
      else {
        const all = sortedModel();
        assert.ok(cmp(e, all[0]) === 0 || cmp(e, all[all.length - 1]) === 0);
        model.delete(e[0]);
      }
    } else if (op < 0.87 && model.size > 0) {
      const all = sortedModel();
      const a = Math.floor(rnd() * all.length);
      const b = Math.min(all.length - 1, a + Math.floor(rnd() * 700));
      assert.equal(z.removeRangeByRank(a, b), b - a + 1);
      for (let i = a; i <= b; i++) model.delete(all[i][0]);
    } else if (op < 0.89) {
      const r: ScoreRange = { min: Math.floor(rnd() * 50), max: Math.floor(rnd() * 60), minex: rnd() < 0.5, maxex: rnd() < 0.5 };
      const expect = [...model.entries()].filter(([, s]) => (r.minex ? s > r.min : s >= r.min) && (r.maxex ? s < r.max : s <= r.max));
      assert.equal(z.countInScoreRange(r), expect.length);
      if (rnd() < 0.3) {
        assert.equal(z.removeRangeByScore(r), expect.length);
        for (const [k] of expect) model.delete(k);
      }
    }
    if (step % 997 === 0) {
      const all = sortedModel();
      assert.equal(z.size(), all.length);
      assert.deepEqual([...z.entries()], all);
      for (let i = 0; i < all.length; i += 37) {
        assert.equal(z.rank(all[i][0]), i);
        assert.equal(z.rank(all[i][0], true), all.length - 1 - i);
        assert.deepEqual(z.at(i), all[i]);
      }
      const rev: [string, number][] = [];
      z.forEach((mm, s) => {
        rev.push([mm, s]);
      }, true);
      assert.deepEqual(rev, all.slice().reverse());
      if (all.length > 10) {
        const got: string[] = [];
        z.range(all.length - 3, 5, true, (mm) => {
          got.push(mm);
        });
        assert.deepEqual(got, all.slice(all.length - 7, all.length - 2).map((e) => e[0]).reverse());
      }
    }
  }
});

test('lex ranges on equal scores', () => {
  const z = new ZSet(false);
  const words = ['alpha', 'bar', 'cool', 'down', 'elephant', 'foo', 'great', 'hill', 'omega'];
  for (const w of words) z.set(w, 0);
  const r = { min: 'bar', max: 'foo', minKind: LEX_VALUE, maxKind: LEX_VALUE, minex: true, maxex: false };
  assert.deepEqual(z.lexRangeRanks(r), [2, 5]);
  assert.equal(z.countInLexRange(r), 4);
  assert.equal(z.removeRangeByLex(r), 4);
  assert.deepEqual([...z.members()], ['alpha', 'bar', 'great', 'hill', 'omega']);
});

test('clone is deep and encodings follow the limits', () => {
  const lim = { maxListpackEntries: 3, maxListpackValue: 5 };
  const z = ZSet.create(1, 1, lim);
  assert.equal(z.encoding(), 'listpack');
  z.set('a', 1);
  z.set('b', 2);
  const c = z.clone();
  z.set('c', 3);
  z.set('d', 4);
  z.checkEncoding(lim);
  assert.equal(z.encoding(), 'skiplist');
  assert.equal(c.size(), 2);
  assert.equal(c.encoding(), 'listpack');
  const big = ZSet.from([['x', 1], ['yyyyyy', 2]], lim);
  assert.equal(big.encoding(), 'skiplist');
  assert.equal(ZSet.from([['x', 1]], lim).encoding(), 'listpack');
  assert.equal(c.clone().digest(), c.digest());
  assert.notEqual(z.digest(), c.digest());
});

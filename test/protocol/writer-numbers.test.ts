import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplyWriter } from '../../src/protocol/writer';

test('integer replies and bulk lengths are written digit for digit as String() does', () => {
  const w = new ReplyWriter();
  const edge = [0, 9, 10, 99, 100, 999, 1000, 9999, 10000, 10001, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 7, 1e15 - 1, 1e15, 2 ** 53 - 1];
  const vals = [...edge, ...edge.map((v) => -v)];
  for (let i = 0; i < 5000; i++) vals.push(Math.floor(Math.random() * 2 ** 53) * (i % 2 ? 1 : -1), Math.floor(Math.random() * 1e6));
  for (const v of vals) w.int(v);
  w.int(-(2n ** 63n));
  assert.equal(w.take()?.toString('latin1'), vals.map((v) => `:${v}\r\n`).join('') + `:${-(2n ** 63n)}\r\n`);
  for (const n of [0, 23, 24, 99, 100, 101, 1000, 12345, 70000]) {
    const s = 'v'.repeat(n);
    w.bulk(s);
    assert.equal(w.take()?.toString('latin1'), `$${n}\r\n${s}\r\n`);
  }
});

test('short and long raw strings keep every byte', () => {
  const w = new ReplyWriter();
  const short = '+\u0000\u00ff\u0080 ok\r\n';
  const long = '+' + 'abc\u00e9'.repeat(40) + '\r\n';
  w.rawStr(short);
  w.rawStr(long);
  assert.equal(w.take()?.toString('latin1'), short + long);
});

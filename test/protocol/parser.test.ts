import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RespParser, splitArgs } from '../../src/protocol/parser';

function parseAll(chunks: Buffer[], limits = { maxBulkLen: 512 * 1024 * 1024, queryBufferLimit: 1024 * 1024 * 1024 }) {
  const p = new RespParser(limits);
  const out: string[][] = [];
  let err: string | null = null;
  for (const c of chunks) {
    err = p.feed(c, (a) => {
      out.push(a);
      return true;
    });
    if (err) break;
  }
  return { out, err };
}

test('multibulk requests split at every byte boundary parse identically', () => {
  const req = Buffer.from('*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\n*1\r\n$4\r\nPING\r\n', 'latin1');
  const whole = parseAll([req]);
  assert.deepEqual(whole.out, [['SET', 'key', 'va\r\nl'], ['PING']]);
  for (let i = 1; i < req.length; i++) {
    const r = parseAll([req.subarray(0, i), req.subarray(i)]);
    assert.deepEqual(r.out, whole.out, `split at ${i}`);
  }
  // One byte at a time.
  const bytes = [...req].map((b) => Buffer.from([b]));
  assert.deepEqual(parseAll(bytes).out, whole.out);
});

test('binary arguments round-trip byte for byte', () => {
  const bin = Buffer.from([0, 255, 13, 10, 128, 36, 42]);
  const req = Buffer.concat([Buffer.from(`*2\r\n$3\r\nGET\r\n$${bin.length}\r\n`), bin, Buffer.from('\r\n')]);
  const { out } = parseAll([req]);
  assert.deepEqual(Buffer.from(out[0][1], 'latin1'), bin);
});

test('big bulk arguments are collected across many chunks', () => {
  const big = Buffer.alloc(200000, 'x');
  const req = Buffer.concat([Buffer.from(`*2\r\n$3\r\nSET\r\n$${big.length}\r\n`), big, Buffer.from('\r\n*1\r\n$4\r\nPING\r\n')]);
  const chunks: Buffer[] = [];
  for (let i = 0; i < req.length; i += 7000) chunks.push(req.subarray(i, i + 7000));
  const { out, err } = parseAll(chunks);
  assert.equal(err, null);
  assert.equal(out.length, 2);
  assert.equal(out[0][1].length, 200000);
  assert.deepEqual(out[1], ['PING']);
});

test('protocol errors carry Redis texts', () => {
  assert.equal(parseAll([Buffer.from('*1\r\n+foo\r\n')]).err, "Protocol error: expected '$', got '+'");
  assert.equal(parseAll([Buffer.from('*abc\r\n')]).err, 'Protocol error: invalid multibulk length');
  assert.equal(parseAll([Buffer.from('*1\r\n$-5\r\n')]).err, 'Protocol error: invalid bulk length');
  assert.equal(parseAll([Buffer.from('*1\r\n$10000000000\r\n')]).err, 'Protocol error: invalid bulk length');
  assert.equal(parseAll([Buffer.from('*3000000000\r\n')]).err, 'Protocol error: invalid multibulk length');
  assert.equal(parseAll([Buffer.from('x'.repeat(70000))]).err, 'Protocol error: too big inline request');
  assert.equal(parseAll([Buffer.from('*' + '1'.repeat(70000))]).err, 'Protocol error: too big mbulk count string');
  assert.equal(parseAll([Buffer.from('set "a b\r\n')]).err, 'Protocol error: unbalanced quotes in request');
});

test('empty multibulk and empty inline lines are ignored', () => {
  assert.deepEqual(parseAll([Buffer.from('*0\r\n*-1\r\n\r\nPING\r\n')]).out, [['PING']]);
});

test('inline commands split like redis-cli', () => {
  assert.deepEqual(splitArgs('set "a b" \'c d\' "\\x41\\n"'), ['set', 'a b', 'c d', 'A\n']);
  assert.equal(splitArgs('"unterminated'), null);
  assert.equal(splitArgs('"a"b'), null);
});

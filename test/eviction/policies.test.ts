import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startNodis, RawClient, type RunningServer } from '../helpers';

let srv: RunningServer;
let r: RawClient;

before(async () => {
  srv = await startNodis({ manualClock: true });
  r = await RawClient.connect(srv.port);
});

after(async () => {
  r.close();
  await srv.close();
});

const num = (reply: string): number => Number(reply.slice(1, -2));

async function info(field: string): Promise<number> {
  const s = await r.call('INFO', 'all');
  const m = new RegExp(`\\r\\n${field}:(\\d+)`).exec(s);
  assert.ok(m, `INFO ${field}`);
  return Number(m[1]);
}

async function exists(key: string): Promise<boolean> {
  return num(await r.call('EXISTS', key)) === 1;
}

/** Start from an empty server with `policy`, and exact sampling (64 samples). */
async function reset(policy: string): Promise<void> {
  await r.call('CONFIG', 'SET', 'maxmemory', '0');
  await r.call('FLUSHALL');
  await r.call('CONFIG', 'SET', 'maxmemory-policy', policy);
  await r.call('CONFIG', 'SET', 'maxmemory-samples', '64');
  await r.call('CONFIG', 'RESETSTAT');
}

/** Set maxmemory so that about `keys` keys of `bytes` each must go. */
async function squeeze(keys: number, bytes: number): Promise<void> {
  const used = await info('used_memory');
  await r.call('CONFIG', 'SET', 'maxmemory', String(used - keys * bytes));
  await r.call('PING'); // every command gives eviction its turn
}

const VAL = 'v'.repeat(1000);

test('used_memory follows writes and deletes at once', async () => {
  await reset('noeviction');
  const u0 = await info('used_memory');
  await r.call('SET', 'big', 'x'.repeat(100000));
  const u1 = await info('used_memory');
  assert.ok(u1 - u0 >= 100000 && u1 - u0 < 101000, `grew by ${u1 - u0}`);
  await r.call('APPEND', 'big', 'y'.repeat(50000));
  assert.ok((await info('used_memory')) - u1 >= 50000);
  await r.call('DEL', 'big');
  assert.equal(await info('used_memory'), u0);
  await r.call('RPUSH', 'l', ...Array.from({ length: 200 }, () => VAL));
  assert.ok((await info('used_memory')) - u0 >= 200000);
  await r.call('UNLINK', 'l');
  assert.equal(await info('used_memory'), u0);
});

test('noeviction: denyoom commands get OOM, reads and deletes still work', async () => {
  await reset('noeviction');
  for (let i = 0; i < 10; i++) await r.call('SET', `k${i}`, VAL);
  await squeeze(3, 1100);
  assert.equal(await r.call('SET', 'x', '1'), "-OOM command not allowed when used memory > 'maxmemory'.\r\n");
  assert.equal(await r.call('GET', 'k1'), `$1000\r\n${VAL}\r\n`);
  assert.equal(await r.call('MULTI'), '+OK\r\n');
  assert.match(await r.call('GET', 'k1'), /^-OOM/); // anything queued is refused
  assert.match(await r.call('EXEC'), /^-EXECABORT/);
  assert.equal(await info('evicted_keys'), 0);
  for (let i = 0; i < 10; i++) await r.call('DEL', `k${i}`);
  assert.equal(await r.call('SET', 'x', '1'), '+OK\r\n');
});

test('volatile-* evict only keys with a TTL, and refuse with OOM when none is left', async () => {
  for (const policy of ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl']) {
    await reset(policy);
    for (let i = 0; i < 20; i++) await r.call('SET', `p${i}`, VAL);
    for (let i = 0; i < 20; i++) await r.call('SET', `v${i}`, VAL, 'EX', '1000');
    await squeeze(5, 1100);
    for (let i = 0; i < 20; i++) assert.ok(await exists(`p${i}`), `${policy}: p${i} kept`);
    const gone = await info('evicted_keys');
    assert.ok(gone >= 4 && gone <= 8, `${policy}: evicted ${gone}`);
    // Without volatile keys left, writes are refused.
    await squeeze(25, 1100);
    assert.match(await r.call('SET', 'new', VAL), /^-OOM command not allowed/, policy);
    assert.equal(num(await r.call('DBSIZE')), 20, policy);
  }
});

test('allkeys-* may evict any key', async () => {
  for (const policy of ['allkeys-lru', 'allkeys-lfu', 'allkeys-random']) {
    await reset(policy);
    for (let i = 0; i < 30; i++) await r.call('SET', `p${i}`, VAL);
    await squeeze(10, 1100);
    const n = num(await r.call('DBSIZE'));
    assert.ok(n >= 18 && n <= 21, `${policy}: ${n} left`);
    assert.equal(await r.call('SET', 'new', VAL), '+OK\r\n');
  }
});

test('volatile-ttl evicts the keys that expire soonest', async () => {
  await reset('volatile-ttl');
  for (let i = 0; i < 20; i++) await r.call('SET', `t${i}`, VAL, 'EX', String(1000 + i * 100));
  await squeeze(5, 1100);
  const gone = await info('evicted_keys');
  assert.ok(gone >= 4);
  for (let i = 0; i < 20; i++) assert.equal(await exists(`t${i}`), i >= gone, `t${i}`);
});

test('allkeys-lru evicts the least recently used keys', async () => {
  await reset('allkeys-lru');
  for (let i = 0; i < 20; i++) await r.call('SET', `k${i}`, VAL);
  srv.clock.advance(100_000);
  // Touch the odd keys: the even ones are now idle the longest.
  for (let i = 1; i < 20; i += 2) await r.call('GET', `k${i}`);
  await squeeze(6, 1100);
  const gone = await info('evicted_keys');
  assert.ok(gone >= 5 && gone <= 10, `evicted ${gone}`);
  for (let i = 1; i < 20; i += 2) assert.ok(await exists(`k${i}`), `k${i} kept`);
});

test('allkeys-lfu evicts the least frequently used keys', async () => {
  await reset('allkeys-lfu');
  await r.call('CONFIG', 'SET', 'lfu-log-factor', '0'); // every access counts
  for (let i = 0; i < 20; i++) await r.call('SET', `k${i}`, VAL);
  for (let i = 0; i < 20; i++) for (let j = 0; j < i; j++) await r.call('GET', `k${i}`);
  assert.equal(num(await r.call('OBJECT', 'FREQ', 'k7')), 5 + 7);
  await squeeze(6, 1100);
  const gone = await info('evicted_keys');
  assert.ok(gone >= 5 && gone <= 10, `evicted ${gone}`);
  for (let i = 0; i < 20; i++) assert.equal(await exists(`k${i}`), i >= gone, `k${i}`);
  await r.call('CONFIG', 'SET', 'lfu-log-factor', '10');
});

test('evictions emit `evicted` events, invalidate WATCH and are propagated as DEL', async () => {
  await reset('allkeys-random');
  await r.call('CONFIG', 'SET', 'notify-keyspace-events', 'Ee');
  const sub = await RawClient.connect(srv.port);
  await sub.call('SUBSCRIBE', '__keyevent@0__:evicted');
  const w = await RawClient.connect(srv.port);
  const props: string[][] = [];
  srv.server.propagateHooks.push((_db, args) => props.push(args));
  for (let i = 0; i < 10; i++) await r.call('SET', `k${i}`, VAL);
  for (let i = 0; i < 10; i++) await w.call('WATCH', `k${i}`);
  await w.call('MULTI');
  await w.call('SET', 'other', '1');
  await squeeze(10, 2000); // everything goes
  assert.equal(num(await r.call('DBSIZE')), 0);
  await r.call('CONFIG', 'SET', 'maxmemory', '0');
  assert.equal(await w.call('EXEC'), '*-1\r\n');
  const events: string[] = [];
  for (let i = 0; i < 10; i++) events.push(await sub.read());
  assert.deepEqual(events.map((e) => /k\d+/.exec(e)?.[0]).sort(), Array.from({ length: 10 }, (_, i) => `k${i}`).sort());
  assert.deepEqual(props.filter((a) => a[0] === 'DEL').length, 10);
  assert.equal(await info('evicted_keys'), 10);
  await r.call('CONFIG', 'SET', 'notify-keyspace-events', '');
  sub.close();
  w.close();
});

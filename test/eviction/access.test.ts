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
const idle = async (key: string): Promise<number> => num(await r.call('OBJECT', 'IDLETIME', key));

test('reads and writes touch; TTL, TYPE, EXISTS, OBJECT do not; TOUCH always does', async () => {
  await r.call('SET', 'foo', 'bar');
  assert.equal(await idle('foo'), 0);
  srv.clock.advance(10_000);
  for (const cmd of [['TTL', 'foo'], ['PTTL', 'foo'], ['TYPE', 'foo'], ['EXISTS', 'foo'], ['OBJECT', 'ENCODING', 'foo'], ['MEMORY', 'USAGE', 'foo']]) await r.call(...cmd);
  assert.equal(await idle('foo'), 10);
  await r.call('GET', 'foo');
  assert.equal(await idle('foo'), 0);
  srv.clock.advance(5_000);
  await r.call('APPEND', 'foo', 'x');
  assert.equal(await idle('foo'), 0);
  srv.clock.advance(5_000);
  await r.call('CLIENT', 'NO-TOUCH', 'on');
  await r.call('GET', 'foo');
  assert.equal(await idle('foo'), 5);
  await r.call('TOUCH', 'foo');
  assert.equal(await idle('foo'), 0);
  await r.call('CLIENT', 'NO-TOUCH', 'off');
  srv.clock.advance(3_000);
  assert.match(await r.call('DEBUG', 'OBJECT', 'foo'), /lru:\d+ lru_seconds_idle:3\r\n$/);
});

test('OBJECT IDLETIME / FREQ errors follow the policy', async () => {
  await r.call('SET', 'k', 'v');
  assert.equal(
    await r.call('OBJECT', 'FREQ', 'k'),
    '-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n',
  );
  await r.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu');
  assert.equal(
    await r.call('OBJECT', 'IDLETIME', 'k'),
    '-ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n',
  );
  await r.call('DEL', 'k');
  await r.call('SET', 'k', 'v');
  assert.equal(await r.call('OBJECT', 'FREQ', 'k'), ':5\r\n');
  assert.equal(await r.call('OBJECT', 'FREQ', 'nokey'), '$-1\r\n');
  await r.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
});

test('LFU: the counter grows logarithmically and decays with lfu-decay-time', async () => {
  await r.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu');
  await r.call('SET', 'hot', 'v');
  for (let i = 0; i < 1000; i++) await r.call('GET', 'hot');
  const f = num(await r.call('OBJECT', 'FREQ', 'hot'));
  // With lfu-log-factor 10, 1000 hits give a counter far below 1000 (around 18).
  assert.ok(f > 8 && f < 40, `freq ${f}`);
  await r.call('CONFIG', 'SET', 'lfu-decay-time', '1');
  srv.clock.advance(3 * 60_000);
  assert.equal(num(await r.call('OBJECT', 'FREQ', 'hot')), f - 3);
  // Reading the counter does not store the decay; with decay off, the stored counter shows.
  await r.call('CONFIG', 'SET', 'lfu-decay-time', '0');
  srv.clock.advance(60 * 60_000);
  assert.equal(num(await r.call('OBJECT', 'FREQ', 'hot')), f);
  await r.call('CONFIG', 'SET', 'lfu-decay-time', '1');
  await r.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
});

test('RESTORE IDLETIME / FREQ set the access data, later accesses count again', async () => {
  await r.call('SET', 'src', 'value');
  const reply = await r.call('DUMP', 'src');
  const dump = reply.slice(reply.indexOf('\r\n') + 2, -2);
  assert.equal(await r.call('RESTORE', 'lru', '0', dump, 'IDLETIME', '1000'), '+OK\r\n');
  assert.equal(await idle('lru'), 1000);
  await r.call('GET', 'lru');
  assert.equal(await idle('lru'), 0);
  await r.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu');
  assert.equal(await r.call('RESTORE', 'lfu', '0', dump, 'FREQ', '100'), '+OK\r\n');
  assert.equal(await r.call('OBJECT', 'FREQ', 'lfu'), ':100\r\n');
  await r.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
});

test('SWAPDB and FLUSHDB keep access data with its keys', async () => {
  await r.call('SELECT', '1');
  await r.call('SET', 'a', '1');
  srv.clock.advance(7_000);
  assert.equal(await r.call('SWAPDB', '0', '1'), '+OK\r\n');
  assert.equal(await r.call('SELECT', '0'), '+OK\r\n');
  assert.equal(await idle('a'), 7);
  await r.call('FLUSHALL');
  assert.equal(srv.server.dbs.reduce((n, db) => n + db.dict.size + db.dataBytes, 0), 0);
});

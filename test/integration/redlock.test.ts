// Redlock (the `redlock` package, v5, on ioredis clients) against Nodis. Redlock runs all of its
// work through EVALSHA of three small Lua scripts (acquire, extend, release), falling back to
// EVAL on NOSCRIPT. Several Redlock instances, each with its own connection, contend for the
// same resources: mutual exclusion must hold, extend and release must work.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startNodis, type RunningServer } from '../helpers';

type RedlockModule = typeof import('redlock');
type IORedisModule = typeof import('ioredis');

const redlockMod: RedlockModule | null = (() => {
  try {
    return require('redlock') as RedlockModule;
  } catch {
    return null;
  }
})();
const IORedis: IORedisModule['default'] = (require('ioredis') as IORedisModule).default;
type IORedisClient = InstanceType<IORedisModule['default']>;

const skip = redlockMod === null ? 'redlock not installed' : false;

let srv: RunningServer;
const clients: IORedisClient[] = [];

function client(port = srv.port): IORedisClient {
  const c = new IORedis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1, lazyConnect: false });
  // A server stopped on purpose (quorum test) makes reconnect attempts fail: expected.
  c.on('error', () => undefined);
  clients.push(c);
  return c;
}

before(async () => {
  srv = await startNodis({ quiet: true, manualClock: true });
});
after(async () => {
  for (const c of clients) c.disconnect();
  await srv.close();
});

test('several clients contend for one resource: mutual exclusion, extend, release', { skip, timeout: 60000 }, async () => {
  const Redlock = redlockMod!.default;
  const WORKERS = 5;
  const ROUNDS = 40;
  const check = client();
  await check.del('counter', 'locks:res');
  let holder: number | null = null;
  let inside = 0;
  let maxInside = 0;
  let extended = 0;

  const worker = async (id: number): Promise<void> => {
    // Each worker is its own Redlock with its own connection, as separate processes would be.
    const redlock = new Redlock([client()], { retryCount: 10000, retryDelay: 5, retryJitter: 5, driftFactor: 0.01 });
    for (let i = 0; i < ROUNDS; i++) {
      const lock = await redlock.acquire(['locks:res'], 30000);
      inside++;
      maxInside = Math.max(maxInside, inside);
      assert.equal(holder, null, `worker ${id} got the lock while worker ${String(holder)} holds it`);
      holder = id;
      // The lock value is ours on the server.
      assert.equal(await check.get('locks:res'), lock.value);
      // A read-modify-write that would lose updates without the lock.
      const v = Number((await check.get('counter')) ?? '0');
      await new Promise((r) => setImmediate(r));
      await check.set('counter', String(v + 1));
      let held = lock;
      if (i % 4 === 0) {
        held = await lock.extend(60000);
        extended++;
        assert.equal(held.value, lock.value);
        const pttl = await check.pttl('locks:res');
        // Manual clock: time does not move, so the TTL is exactly the new duration.
        assert.equal(pttl, 60000);
      }
      holder = null;
      inside--;
      const r = await held.release();
      const stats = await r.attempts[0];
      assert.equal(stats.votesFor.size, 1);
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, (_, i) => worker(i)));
  assert.equal(maxInside, 1);
  assert.equal(await check.get('counter'), String(WORKERS * ROUNDS));
  assert.equal(extended, WORKERS * Math.ceil(ROUNDS / 4));
  assert.equal(await check.exists('locks:res'), 0);
});

test('a held lock rejects others; release only removes our own value; expiry frees it', { skip, timeout: 30000 }, async () => {
  const { default: Redlock, ExecutionError } = redlockMod!;
  const a = new Redlock([client()], { retryCount: 0 });
  const b = new Redlock([client()], { retryCount: 0 });
  const check = client();
  const lock = await a.acquire(['r:1', 'r:2'], 10000);
  assert.equal(await check.get('r:1'), lock.value);
  assert.equal(await check.get('r:2'), lock.value);
  // Any overlap with a held resource fails, and creates nothing.
  await assert.rejects(b.acquire(['r:2', 'r:3'], 10000), ExecutionError);
  assert.equal(await check.exists('r:3'), 0);
  // Extend with a foreign value fails (the extend script returns 0).
  const fake = new redlockMod!.Lock(b, ['r:1'], 'not-the-value', [], Date.now() + 10000);
  await assert.rejects(fake.extend(10000), ExecutionError);
  // Release with a foreign value removes nothing.
  await assert.rejects(fake.release(), ExecutionError);
  assert.equal(await check.get('r:1'), lock.value);
  // The server's expiry frees the lock (manual clock: move past the TTL).
  srv.clock.advance(10001);
  assert.equal(await check.exists('r:1', 'r:2'), 0);
  const lock2 = await b.acquire(['r:2', 'r:3'], 10000);
  assert.equal(await check.get('r:3'), lock2.value);
  // The old owner's release does not touch the new owner's keys.
  await assert.rejects(lock.release(), ExecutionError);
  assert.equal(await check.get('r:2'), lock2.value);
  await lock2.release();
  assert.equal(await check.exists('r:2', 'r:3'), 0);
});

test('using(): routine runs under an auto-extended lock', { skip, timeout: 30000 }, async () => {
  const Redlock = redlockMod!.default;
  const redlock = new Redlock([client()], { retryCount: 100, retryDelay: 10 });
  const check = client();
  const out = await redlock.using(['u:1'], 10000, async (signal) => {
    assert.equal(signal.aborted, false);
    assert.equal(await check.exists('u:1'), 1);
    return 42;
  });
  assert.equal(out, 42);
  assert.equal(await check.exists('u:1'), 0);
});

test('quorum over three servers: a lock holds with one server down', { skip, timeout: 30000 }, async () => {
  const Redlock = redlockMod!.default;
  const extra = [await startNodis({ quiet: true }), await startNodis({ quiet: true })];
  try {
    const ports = [srv.port, extra[0].port, extra[1].port];
    const r1 = new Redlock(ports.map((p) => client(p)), { retryCount: 0 });
    const r2 = new Redlock(ports.map((p) => client(p)), { retryCount: 0 });
    const lock = await r1.acquire(['q:1'], 10000);
    await assert.rejects(r2.acquire(['q:1'], 10000));
    const stats = await lock.attempts[0];
    assert.equal(stats.votesFor.size, 3);
    await lock.release();
    // One server goes away: two of three are still a quorum.
    await extra[1].close();
    const lock2 = await r2.acquire(['q:1'], 10000);
    const s2 = await lock2.attempts[0];
    assert.equal(s2.votesFor.size, 2);
    assert.equal(s2.votesAgainst.size, 1);
    await assert.rejects(r1.acquire(['q:1'], 10000));
    await lock2.release().catch(() => undefined);
  } finally {
    await extra[0].close();
    await extra[1].close().catch(() => undefined);
  }
});

// rate-limiter-flexible's RateLimiterRedis on ioredis against Nodis. Each consume is one EVALSHA
// of the library's script (SET NX EX, INCRBY, PTTL, EXPIRE): the window's TTL lives on the
// server, so the test moves the server's manual clock instead of sleeping.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startNodis, type RunningServer } from '../helpers';

type RLFModule = typeof import('rate-limiter-flexible');
type IORedisModule = typeof import('ioredis');

const rlf: RLFModule | null = (() => {
  try {
    return require('rate-limiter-flexible') as RLFModule;
  } catch {
    return null;
  }
})();
const IORedis: IORedisModule['default'] = (require('ioredis') as IORedisModule).default;
type IORedisClient = InstanceType<IORedisModule['default']>;
type Res = InstanceType<RLFModule['RateLimiterRes']>;

const skip = rlf === null ? 'rate-limiter-flexible not installed' : false;

let srv: RunningServer;
const clients: IORedisClient[] = [];

function client(): IORedisClient {
  const c = new IORedis({ host: '127.0.0.1', port: srv.port, maxRetriesPerRequest: 1, enableOfflineQueue: true });
  clients.push(c);
  return c;
}

/** The rejection value of a consume: a RateLimiterRes (an Error means the store failed). */
async function rejection(p: Promise<Res>): Promise<Res> {
  try {
    await p;
  } catch (e) {
    if (e instanceof Error) throw e;
    return e as Res;
  }
  throw new Error('consume was expected to be rejected');
}

before(async () => {
  srv = await startNodis({ quiet: true, manualClock: true });
});
after(async () => {
  for (const c of clients) c.disconnect();
  await srv.close();
});

test('consume loop: points, limit reached with msBeforeNext, reset after the duration', { skip, timeout: 30000 }, async () => {
  const { RateLimiterRedis } = rlf!;
  const redis = client();
  const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: 'rl1', points: 5, duration: 60 });
  for (let window = 0; window < 3; window++) {
    for (let i = 1; i <= 5; i++) {
      const r = await limiter.consume('user');
      assert.equal(r.consumedPoints, i);
      assert.equal(r.remainingPoints, 5 - i);
      assert.equal(r.isFirstInDuration, i === 1);
      // The clock stands still: the window's TTL is the full duration.
      assert.equal(r.msBeforeNext, 60000);
    }
    const rej = await rejection(limiter.consume('user'));
    assert.equal(rej.remainingPoints, 0);
    assert.equal(rej.consumedPoints, 6);
    assert.equal(rej.msBeforeNext, 60000);
    srv.clock.advance(45000);
    const rej2 = await rejection(limiter.consume('user', 2));
    assert.equal(rej2.consumedPoints, 8);
    assert.equal(rej2.msBeforeNext, 15000);
    assert.equal(await redis.get('rl1:user'), '8');
    assert.equal(await redis.ttl('rl1:user'), 15);
    // Past the window the key has expired on the server: a fresh window starts.
    srv.clock.advance(15001);
    assert.equal(await redis.exists('rl1:user'), 0);
  }
  // Keys are separate.
  assert.equal((await limiter.consume('other', 5)).remainingPoints, 0);
  await rejection(limiter.consume('other'));
  assert.equal((await limiter.consume('third')).remainingPoints, 4);
});

test('get, penalty, reward, delete, block', { skip, timeout: 30000 }, async () => {
  const { RateLimiterRedis } = rlf!;
  const redis = client();
  const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: 'rl2', points: 10, duration: 10 });
  assert.equal(await limiter.get('k'), null);
  await limiter.consume('k', 3);
  const g = await limiter.get('k');
  assert.equal(g?.consumedPoints, 3);
  assert.equal(g?.msBeforeNext, 10000);
  assert.equal((await limiter.penalty('k', 4)).consumedPoints, 7);
  assert.equal((await limiter.reward('k', 2)).consumedPoints, 5);
  assert.equal(await limiter.delete('k'), true);
  assert.equal(await limiter.get('k'), null);
  // block() stores the key with the block duration.
  await limiter.block('b', 100);
  const rej = await rejection(limiter.consume('b'));
  assert.equal(rej.msBeforeNext, 100000);
  assert.equal(await redis.ttl('rl2:b'), 100);
  srv.clock.advance(100001);
  assert.equal((await limiter.consume('b')).consumedPoints, 1);
});

test('blockDuration: exceeding the limit blocks the key for longer than the window', { skip, timeout: 30000 }, async () => {
  const { RateLimiterRedis } = rlf!;
  const limiter = new RateLimiterRedis({ storeClient: client(), keyPrefix: 'rl3', points: 2, duration: 1, blockDuration: 30 });
  await limiter.consume('ip');
  await limiter.consume('ip');
  const rej = await rejection(limiter.consume('ip'));
  assert.equal(rej.msBeforeNext, 30000);
  srv.clock.advance(5000);
  const rej2 = await rejection(limiter.consume('ip'));
  assert.equal(rej2.msBeforeNext, 25000);
  srv.clock.advance(25001);
  assert.equal((await limiter.consume('ip')).consumedPoints, 1);
});

test('concurrent consumers over several connections: exactly `points` succeed', { skip, timeout: 30000 }, async () => {
  const { RateLimiterRedis } = rlf!;
  const limiters = Array.from({ length: 4 }, () => new RateLimiterRedis({ storeClient: client(), keyPrefix: 'rl4', points: 100, duration: 60 }));
  const tries = Array.from({ length: 400 }, (_, i) => limiters[i % 4].consume('shared').then(
    (r) => ({ ok: true, consumed: r.consumedPoints }),
    (e: unknown) => {
      if (e instanceof Error) throw e;
      return { ok: false, consumed: (e as Res).consumedPoints };
    },
  ));
  const out = await Promise.all(tries);
  assert.equal(out.filter((o) => o.ok).length, 100);
  assert.equal(out.filter((o) => !o.ok).length, 300);
  // Every consume saw a distinct count (the script is atomic).
  assert.deepEqual(out.map((o) => o.consumed).sort((a, b) => a - b), Array.from({ length: 400 }, (_, i) => i + 1));
});

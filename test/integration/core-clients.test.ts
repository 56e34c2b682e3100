/*
 * Real client libraries against Nodis over TCP: ioredis and node-redis, in
 * RESP2 and RESP3, with pipelines, transactions, binary data and TTLs.
 */

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { createClient } from 'redis';
import { startNodis, type RunningServer } from '../helpers';

let srv: RunningServer;

before(async () => {
  srv = await startNodis({ manualClock: true });
});

after(async () => {
  await srv.close();
});

test('ioredis: strings, counters, TTLs with the manual clock, binary values', async () => {
  const r = new Redis({ port: srv.port, host: '127.0.0.1', lazyConnect: true });
  await r.connect();
  assert.equal(await r.set('greeting', 'hello'), 'OK');
  assert.equal(await r.get('greeting'), 'hello');
  assert.equal(await r.incrby('counter', 41), 41);
  assert.equal(await r.incr('counter'), 42);
  assert.equal(await r.incrbyfloat('f', '0.1'), '0.1');
  assert.equal(await r.incrbyfloat('f', '0.2'), '0.3');
  await r.set('session', 'abc', 'EX', 30);
  assert.equal(await r.ttl('session'), 30);
  srv.clock.advance(30_000);
  assert.equal(await r.get('session'), null);
  const bin = Buffer.from([0, 1, 2, 255, 254, 13, 10]);
  await r.set(Buffer.from([0xff, 0x00]), bin);
  assert.deepEqual(await r.getBuffer(Buffer.from([0xff, 0x00])), bin);
  const p = r.pipeline();
  for (let i = 0; i < 100; i++) p.set(`k${i}`, String(i));
  for (let i = 0; i < 100; i++) p.get(`k${i}`);
  const res = await p.exec();
  assert.equal(res?.length, 200);
  assert.equal(res?.[150][1], '50');
  const tx = await r.multi().set('a', '1').incr('a').get('a').exec();
  assert.deepEqual(tx?.map((x) => x[1]), ['OK', 2, '2']);
  await assert.rejects(r.incr('greeting'), /value is not an integer/);
  assert.deepEqual(await r.mget('a', 'nope', 'greeting'), ['2', null, 'hello']);
  const keys = new Set<string>();
  let cursor = '0';
  do {
    const [next, batch] = await r.scan(cursor, 'MATCH', 'k*', 'COUNT', 17);
    cursor = next;
    for (const k of batch) keys.add(k);
  } while (cursor !== '0');
  assert.equal(keys.size, 100);
  r.disconnect();
});

test('node-redis: RESP2 and RESP3 connections', async () => {
  for (const RESP of [2, 3] as const) {
    const c = createClient({ socket: { port: srv.port, host: '127.0.0.1' }, RESP });
    await c.connect();
    assert.equal(await c.ping(), 'PONG');
    await c.set(`resp${RESP}`, 'v', { EX: 100 });
    assert.equal(await c.get(`resp${RESP}`), 'v');
    assert.equal(await c.ttl(`resp${RESP}`), 100);
    assert.equal(await c.exists([`resp${RESP}`, 'missing']), 1);
    const info = await c.info('keyspace');
    assert.match(info, /db0:keys=\d+/);
    const [a, b] = await c.multi().set('x', '1').get('x').exec();
    assert.equal(a, 'OK');
    assert.equal(b, '1');
    await c.quit();
  }
});

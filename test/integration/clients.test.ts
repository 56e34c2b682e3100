/*
 * Real client libraries over TCP: ioredis and node-redis (`redis`).
 * Pub/sub (subscribe, receive, unsubscribe, reconnect) with each, and a
 * WATCH/MULTI optimistic-lock loop under 50 concurrent connections.
 */

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import IORedis from 'ioredis';
import { createClient } from 'redis';
import { startNodis, sleep, type RunningServer } from '../helpers';

let srv: RunningServer;

before(async () => {
  srv = await startNodis();
});

after(async () => {
  await srv.close();
});

function waitFor<T>(register: (resolve: (v: T) => void) => void, ms = 3000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timeout')), ms);
    register((v) => {
      clearTimeout(t);
      resolve(v);
    });
  });
}

test('ioredis: subscribe, psubscribe, receive, unsubscribe, resubscribe after reconnect', async () => {
  const sub = new IORedis({ port: srv.port, host: '127.0.0.1', lazyConnect: true });
  const pub = new IORedis({ port: srv.port, host: '127.0.0.1', lazyConnect: true });
  await sub.connect();
  await pub.connect();
  const got: string[] = [];
  sub.on('message', (ch: string, msg: string) => got.push(`${ch}:${msg}`));
  sub.on('pmessage', (pat: string, ch: string, msg: string) => got.push(`${pat}|${ch}:${msg}`));
  assert.equal(await sub.subscribe('news', 'sport'), 2);
  assert.equal(await sub.psubscribe('n*'), 3);
  assert.equal(await pub.publish('news', 'hello'), 2);
  await waitFor<void>((done) => {
    const check = () => (got.length >= 2 ? done() : setTimeout(check, 5));
    check();
  });
  assert.deepEqual(got.sort(), ['n*|news:hello', 'news:hello']);
  await sub.unsubscribe('news');
  await sub.punsubscribe('n*');
  assert.equal(await pub.publish('news', 'again'), 0);
  // Kill the subscriber's connection: ioredis reconnects and resubscribes.
  const id = (await pub.client('LIST')) as string;
  const line = id.split('\n').find((l) => l.includes('sub=1'));
  assert.ok(line);
  const subId = /id=(\d+)/.exec(line)?.[1];
  const reconnected = waitFor<void>((done) => sub.once('ready', () => done()));
  await pub.client('KILL', 'ID', subId as string);
  await reconnected;
  // Wait for the resubscription to land.
  for (let i = 0; i < 100 && (await pub.pubsub('NUMSUB', 'sport'))[1] !== 1; i++) await sleep(10);
  const before = got.length;
  assert.equal(await pub.publish('sport', 'goal'), 1);
  await waitFor<void>((done) => {
    const check = () => (got.length > before ? done() : setTimeout(check, 5));
    check();
  });
  assert.equal(got[got.length - 1], 'sport:goal');
  sub.disconnect();
  pub.disconnect();
});

test('node-redis (RESP3): subscribe with a listener, receive, unsubscribe and reconnect', async () => {
  const pub = createClient({ socket: { port: srv.port, host: '127.0.0.1' } });
  const sub = pub.duplicate();
  // A killed connection is reported as an 'error' event before node-redis reconnects.
  sub.on('error', () => undefined);
  pub.on('error', () => undefined);
  await pub.connect();
  await sub.connect();
  const got: string[] = [];
  await sub.subscribe('orders', (msg, ch) => got.push(`${ch}:${msg}`));
  await sub.pSubscribe('ord*', (msg, ch) => got.push(`p:${ch}:${msg}`));
  assert.equal(await pub.publish('orders', 'o1'), 2);
  for (let i = 0; i < 200 && got.length < 2; i++) await sleep(5);
  assert.deepEqual(got.sort(), ['orders:o1', 'p:orders:o1']);
  assert.deepEqual(await pub.pubSubNumSub('orders'), { orders: 1 });
  await sub.unsubscribe('orders');
  await sub.pUnsubscribe('ord*');
  assert.equal(await pub.publish('orders', 'o2'), 0);
  // Reconnect: node-redis resubscribes its listeners.
  await sub.subscribe('events', (msg, ch) => got.push(`${ch}:${msg}`));
  const list = await pub.clientList();
  const victim = list.find((c) => c.sub === 1);
  assert.ok(victim);
  await pub.clientKill({ filter: 'ID', id: victim.id } as never);
  for (let i = 0; i < 300; i++) {
    const n = await pub.pubSubNumSub('events');
    if (n.events === 1) break;
    await sleep(10);
  }
  assert.equal(await pub.publish('events', 'e1'), 1);
  for (let i = 0; i < 200 && !got.includes('events:e1'); i++) await sleep(5);
  assert.ok(got.includes('events:e1'));
  await sub.quit();
  await pub.quit();
});

test('ioredis: 50 clients increment a counter with a WATCH/MULTI retry loop', async () => {
  const N = 50;
  const PER = 3;
  const setup = new IORedis({ port: srv.port, host: '127.0.0.1' });
  await setup.set('counter', '0');
  const clients = Array.from({ length: N }, () => new IORedis({ port: srv.port, host: '127.0.0.1' }));
  let aborted = 0;
  await Promise.all(
    clients.map(async (c) => {
      for (let i = 0; i < PER; i++) {
        for (;;) {
          await c.watch('counter');
          const v = Number(await c.get('counter'));
          const res = await c.multi().set('counter', String(v + 1)).exec();
          if (res !== null) break;
          aborted++;
        }
      }
    }),
  );
  assert.equal(await setup.get('counter'), String(N * PER));
  assert.ok(aborted > 0);
  for (const c of clients) c.disconnect();
  setup.disconnect();
});

test('node-redis: WATCH aborts EXEC with a WatchError', async () => {
  const a = createClient({ socket: { port: srv.port, host: '127.0.0.1' } });
  const b = a.duplicate();
  await a.connect();
  await b.connect();
  await a.set('w', '1');
  await a.watch('w');
  await b.set('w', '2');
  await assert.rejects(a.multi().set('w', '3').exec(), (e: Error) => e.constructor.name === 'WatchError');
  assert.equal(await a.get('w'), '2');
  await a.quit();
  await b.quit();
});

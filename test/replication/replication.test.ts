/*
 * Replication: a Nodis replica of a Nodis master (full sync, the command
 * stream for every type, expiry, MULTI/EXEC, WAIT, PSYNC after a link loss,
 * READONLY, NOREPLICAS, INFO/ROLE), and a Nodis replica of redis-server.
 */

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startNodis, startOracle, RawClient, sleep, type RunningServer } from '../helpers';

let master: RunningServer;
let replica: RunningServer;
let m: RawClient;
let r: RawClient;

async function until(what: string, f: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f()) return;
    await sleep(20);
  }
  assert.fail(`timeout waiting for ${what}`);
}

function field(info: string, name: string): string {
  const m = new RegExp(`^${name}:(.*)\\r$`, 'm').exec(info);
  return m === null ? '' : m[1];
}

async function info(c: RawClient): Promise<string> {
  return c.call('INFO', 'replication');
}

async function synced(): Promise<boolean> {
  const a = field(await info(m), 'master_repl_offset');
  const b = field(await info(r), 'master_repl_offset');
  return a === b && field(await info(r), 'master_link_status') === 'up';
}

before(async () => {
  master = await startNodis();
  replica = await startNodis();
  m = await RawClient.connect(master.port);
  r = await RawClient.connect(replica.port);
  await m.call('SET', 'before', 'sync');
  await m.call('RPUSH', 'l0', 'a', 'b');
});

after(async () => {
  m.close();
  r.close();
  await replica.close();
  await master.close();
});

test('REPLICAOF: full sync, INFO and ROLE on both sides', async () => {
  assert.equal(await r.call('REPLICAOF', '127.0.0.1', String(master.port)), '+OK\r\n');
  await until('link up', async () => field(await info(r), 'master_link_status') === 'up');
  assert.equal(await r.call('GET', 'before'), '$4\r\nsync\r\n');
  assert.equal(await r.call('LRANGE', 'l0', '0', '-1'), '*2\r\n$1\r\na\r\n$1\r\nb\r\n');
  const ri = await info(r);
  assert.equal(field(ri, 'role'), 'slave');
  assert.equal(field(ri, 'master_port'), String(master.port));
  assert.equal(field(ri, 'slave_read_only'), '1');
  await until('replica online', async () => /slave0:ip=127\.0\.0\.1,port=\d+,state=online,offset=\d+,lag=\d/.test(await info(m)));
  assert.equal(field(await info(m), 'connected_slaves'), '1');
  assert.equal(field(ri, 'master_replid'), field(await info(m), 'master_replid'));
  const role = await r.call('ROLE');
  assert.match(role, /^\*5\r\n\$5\r\nslave\r\n\$9\r\n127\.0\.0\.1\r\n:\d+\r\n\$9\r\nconnected\r\n:\d+\r\n$/);
  assert.match(await m.call('ROLE'), /^\*3\r\n\$6\r\nmaster\r\n:\d+\r\n\*1\r\n\*3\r\n/);
  assert.equal(await r.call('REPLICAOF', '127.0.0.1', String(master.port)), '+OK Already connected to specified master\r\n');
});

test('the stream: every type, other dbs, MULTI/EXEC, expiry', async () => {
  await m.call('SET', 's', 'v');
  await m.call('HSET', 'h', 'f', '1', 'g', '2');
  await m.call('SADD', 'st', 'x', 'y');
  await m.call('ZADD', 'z', '1', 'a', '2', 'b');
  await m.call('LPUSH', 'l', '1', '2');
  await m.call('SELECT', '3');
  await m.call('SET', 'in3', 'yes');
  await m.call('SELECT', '0');
  await m.call('MULTI');
  await m.call('INCR', 'cnt');
  await m.call('INCR', 'cnt');
  assert.equal(await m.call('EXEC'), '*2\r\n:1\r\n:2\r\n');
  await m.call('SET', 'ttl', 'x', 'EX', '100');
  await m.call('SET', 'short', 'x', 'PX', '50');
  await until('offsets', synced);
  assert.equal(await r.call('GET', 's'), '$1\r\nv\r\n');
  assert.equal(await r.call('HGET', 'h', 'g'), '$1\r\n2\r\n');
  assert.equal(await r.call('SCARD', 'st'), ':2\r\n');
  assert.equal(await r.call('ZSCORE', 'z', 'b'), '$1\r\n2\r\n');
  assert.equal(await r.call('LRANGE', 'l', '0', '-1'), '*2\r\n$1\r\n2\r\n$1\r\n1\r\n');
  assert.equal(await r.call('GET', 'cnt'), '$1\r\n2\r\n');
  assert.equal(await m.call('PEXPIRETIME', 'ttl'), await r.call('PEXPIRETIME', 'ttl'));
  await r.call('SELECT', '3');
  assert.equal(await r.call('GET', 'in3'), '$3\r\nyes\r\n');
  await r.call('SELECT', '0');
  await sleep(80);
  // Logically expired on the replica (hidden) before the master's DEL.
  assert.equal(await r.call('GET', 'short'), '$-1\r\n');
  assert.equal(await m.call('GET', 'short'), '$-1\r\n');
  await until('DEL replicated', async () => (await r.call('DBSIZE')) === (await m.call('DBSIZE')));
});

test('WAIT returns the number of replicas that acknowledged', async () => {
  await m.call('SET', 'w', '1');
  assert.equal(await m.call('WAIT', '1', '2000'), ':1\r\n');
  assert.equal(await m.call('WAIT', '2', '200'), ':1\r\n');
  assert.match(await r.call('WAIT', '1', '10'), /^-ERR WAIT cannot be used with replica instances/);
});

test('READONLY on the replica, NOREPLICAS on the master', async () => {
  assert.equal(await r.call('SET', 'x', '1'), "-READONLY You can't write against a read only replica.\r\n");
  assert.equal(await r.call('GET', 's'), '$1\r\nv\r\n');
  await m.call('CONFIG', 'SET', 'min-replicas-to-write', '2');
  assert.equal(await m.call('SET', 'x', '1'), '-NOREPLICAS Not enough good replicas to write.\r\n');
  await m.call('CONFIG', 'SET', 'min-replicas-to-write', '1');
  assert.equal(await m.call('SET', 'x', '1'), '+OK\r\n');
  await m.call('CONFIG', 'SET', 'min-replicas-to-write', '0');
});

test('a lost link resumes with PSYNC (+CONTINUE)', async () => {
  const before = master.server.stats.connectionsReceived;
  for (const c of master.server.clients.values()) if (c.ext.replica === true) master.server.closeClient(c, false);
  await m.call('SET', 'during', 'gap');
  await until('resynced', async () => master.server.stats.connectionsReceived > before && (await synced()), 8000);
  assert.equal(await r.call('GET', 'during'), '$3\r\ngap\r\n');
});

test('REPLICAOF NO ONE: the replica becomes a writable master', async () => {
  assert.equal(await r.call('REPLICAOF', 'NO', 'ONE'), '+OK\r\n');
  assert.equal(field(await info(r), 'role'), 'master');
  assert.equal(await r.call('SET', 'x', 'mine'), '+OK\r\n');
  assert.match(await r.call('ROLE'), /^\*3\r\n\$6\r\nmaster\r\n/);
});

test('a Nodis replica of redis-server converges', async (t) => {
  const oracle = await startOracle(['--repl-diskless-sync-delay', '0']);
  if (oracle === null) {
    t.skip('redis-server not installed');
    return;
  }
  const o = await RawClient.connect(oracle.port);
  try {
    await o.call('SET', 's', 'v');
    await o.call('HSET', 'h', 'f', '1');
    await o.call('RPUSH', 'l', 'a', 'b', 'c');
    await o.call('SADD', 'st', 'a', '1', '2');
    await o.call('ZADD', 'z', '1.5', 'a', '2', 'b');
    await r.call('REPLICAOF', '127.0.0.1', String(oracle.port));
    await until('link up', async () => field(await info(r), 'master_link_status') === 'up', 8000);
    await o.call('SET', 's2', 'after');
    await o.call('HSET', 'h', 'g', '2');
    await o.call('LPUSH', 'l', 'z');
    await o.call('SADD', 'st', 'x');
    await o.call('ZINCRBY', 'z', '1', 'a');
    await o.call('SET', 'e', 'x', 'EX', '1000');
    assert.equal(await o.call('WAIT', '1', '3000'), ':1\r\n');
    await until('offsets', async () => field(await info(r), 'master_repl_offset') === field(await o.call('INFO', 'replication'), 'master_repl_offset'));
    assert.equal(await r.call('GET', 's'), '$1\r\nv\r\n');
    assert.equal(await r.call('GET', 's2'), '$5\r\nafter\r\n');
    assert.equal(await r.call('HGETALL', 'h'), await o.call('HGETALL', 'h'));
    assert.equal(await r.call('LRANGE', 'l', '0', '-1'), await o.call('LRANGE', 'l', '0', '-1'));
    assert.equal(await r.call('SORT_RO', 'st', 'ALPHA'), await o.call('SORT_RO', 'st', 'ALPHA'));
    assert.equal(await r.call('ZRANGE', 'z', '0', '-1', 'WITHSCORES'), await o.call('ZRANGE', 'z', '0', '-1', 'WITHSCORES'));
    assert.equal(await r.call('PEXPIRETIME', 'e'), await o.call('PEXPIRETIME', 'e'));
    assert.equal(await r.call('DBSIZE'), await o.call('DBSIZE'));
  } finally {
    await r.call('REPLICAOF', 'NO', 'ONE');
    o.close();
    await oracle.close();
  }
});

test('the replicaof directive connects at start-up', async () => {
  const rep = await startNodis({ replicaof: `127.0.0.1 ${master.port}` });
  const c = await RawClient.connect(rep.port);
  try {
    await m.call('SET', 'boot', 'ok');
    await until('boot key', async () => (await c.call('GET', 'boot')) === '$2\r\nok\r\n');
    assert.equal(await c.call('CONFIG', 'GET', 'replicaof'), `*2\r\n$9\r\nreplicaof\r\n$${10 + String(master.port).length}\r\n127.0.0.1 ${master.port}\r\n`);
  } finally {
    c.close();
    await rep.close();
  }
});

/*
 * CLIENT PAUSE: read-only scripts may run during a write pause because they
 * refuse commands that may replicate (checked against redis-server), and a
 * paused replica reads its master's stream but applies it only after the pause.
 */

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServerPair, startNodis, RawClient, sleep } from '../helpers';

const pair = new ServerPair();

before(() => pair.start());
after(() => pair.stop());

test('read-only scripts refuse may-replicate commands such as PUBLISH', async () => {
  const ro = await pair.n.call('EVAL_RO', "return redis.call('publish','ch','msg')", '0');
  assert.match(ro, /^-ERR Write commands are not allowed from read-only scripts\. script: /);
  const noWrites = await pair.n.call('EVAL', "#!lua flags=no-writes\nreturn redis.call('publish','ch','msg')", '0');
  assert.match(noWrites, /^-ERR Write commands are not allowed from read-only scripts\. script: /);
  await pair.both([['EVAL', "return redis.call('publish','ch','msg')", '0']]);
  if (pair.r !== null) {
    assert.match(await pair.r.call('EVAL_RO', "return redis.call('publish','ch','msg')", '0'), /^-ERR Write commands are not allowed from read-only scripts\. script: /);
  }
});

function field(info: string, name: string): number {
  const m = new RegExp(`^${name}:(.*)\\r$`, 'm').exec(info);
  return m === null ? -1 : Number(m[1]);
}

async function until(what: string, f: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f()) return;
    await sleep(20);
  }
  assert.fail(`timeout waiting for ${what}`);
}

test('a paused replica reads the stream but applies it after CLIENT UNPAUSE', async () => {
  const master = await startNodis();
  const replica = await startNodis();
  const m = await RawClient.connect(master.port);
  const r = await RawClient.connect(replica.port);
  try {
    await r.call('REPLICAOF', '127.0.0.1', String(master.port));
    await m.call('SET', 'foo', 'bar');
    const moff = async () => field(await m.call('INFO', 'replication'), 'master_repl_offset');
    await until('replica in sync', async () => field(await r.call('INFO', 'replication'), 'slave_repl_offset') === (await moff()));
    const old = await moff();
    assert.equal(await r.call('CLIENT', 'PAUSE', '100000', 'WRITE'), '+OK\r\n');
    await m.call('SET', 'foo2', 'bar2');
    await until('stream read', async () => field(await r.call('INFO', 'replication'), 'slave_read_repl_offset') === (await moff()));
    assert.equal(field(await r.call('INFO', 'replication'), 'slave_repl_offset'), old);
    assert.equal(await r.call('GET', 'foo2'), '$-1\r\n');
    assert.equal(await r.call('CLIENT', 'UNPAUSE'), '+OK\r\n');
    await until('applied after unpause', async () => field(await r.call('INFO', 'replication'), 'slave_repl_offset') === (await moff()));
    assert.equal(await r.call('GET', 'foo2'), '$4\r\nbar2\r\n');
  } finally {
    m.close();
    r.close();
    await replica.close();
    await master.close();
  }
});

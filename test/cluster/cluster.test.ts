/*
 * Cluster mode on one node (and two nodes told about each other by hand):
 * key slots, slot assignment, the CLUSTER introspection replies, request
 * routing errors (byte for byte, against redis-server when installed),
 * nodes.conf across a restart, and ioredis's cluster client.
 */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { startNodis, startOracle, RawClient, pipeline, sleep, type RunningServer, type Oracle } from '../helpers';
import { keyHashSlot, crc16 } from '../../src/cluster/slots';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'nodis-cluster-'));
  dirs.push(d);
  return d;
}
const closers: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const f of closers.reverse()) await f();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function clusterNode(dir = tempDir(), extra: Record<string, string> = {}): Promise<{ srv: RunningServer; c: RawClient; dir: string }> {
  // Absolute config file: every in-process server of this file shares the process's cwd.
  const srv = await startNodis({ 'cluster-enabled': 'yes', 'cluster-config-file': join(dir, 'nodes.conf'), ...extra });
  const c = await RawClient.connect(srv.port);
  closers.push(() => srv.close());
  closers.push(() => c.close());
  return { srv, c, dir };
}

let oracle: Oracle | null | undefined;
async function oracleClient(): Promise<RawClient | null> {
  if (oracle === undefined) {
    oracle = await startOracle(['--cluster-enabled', 'yes']);
    if (oracle !== null) closers.unshift(() => (oracle as Oracle).close());
  }
  if (oracle === null) return null;
  const c = await RawClient.connect(oracle.port);
  closers.push(() => c.close());
  return c;
}

test('slot hashing: CRC16 XMODEM and hash tags', () => {
  assert.equal(crc16('123456789'), 0x31c3);
  assert.equal(keyHashSlot('foo'), 12182);
  assert.equal(keyHashSlot('bar'), 5061);
  assert.equal(keyHashSlot('{user1000}.following'), keyHashSlot('{user1000}.followers'));
  assert.equal(keyHashSlot('{user1000}.following'), keyHashSlot('user1000'));
  assert.equal(keyHashSlot('foo{}{bar}'), crc16('foo{}{bar}') % 16384);
  assert.equal(keyHashSlot('foo{{bar}}zap'), keyHashSlot('{bar'));
  assert.equal(keyHashSlot('foo{bar}{zap}'), keyHashSlot('bar'));
  assert.equal(keyHashSlot(''), 0);
  assert.equal(keyHashSlot('\xff\x00binary'), crc16('\xff\x00binary') % 16384);
});

test('CLUSTER KEYSLOT agrees with redis-server', async () => {
  const { c } = await clusterNode();
  const r = await oracleClient();
  const keys = ['foo', '{user1000}.following', 'a{b}c', '{}x', 'x{}', '{{a}}', 'é', '\x00\xff', 'somekey', 'foo{bar}{zap}'];
  const cmds = keys.map((k) => ['CLUSTER', 'KEYSLOT', k]);
  const mine = await pipeline(c, cmds);
  assert.equal(mine[0], ':12182\r\n');
  if (r !== null) assert.deepEqual(mine, await pipeline(r, cmds));
});

test('cluster support disabled: CLUSTER, READONLY, ASKING refuse', async () => {
  const srv = await startNodis();
  closers.push(() => srv.close());
  const c = await RawClient.connect(srv.port);
  closers.push(() => c.close());
  for (const cmd of [['CLUSTER', 'INFO'], ['CLUSTER', 'KEYSLOT', 'x'], ['READONLY'], ['ASKING']]) {
    assert.equal(await c.call(...cmd), '-ERR This instance has cluster support disabled\r\n');
  }
});

test('slot assignment errors, CLUSTERDOWN, CROSSSLOT: byte for byte', async () => {
  const { c } = await clusterNode();
  const r = await oracleClient();
  const cmds = [
    ['CLUSTER', 'INFO'],
    ['GET', 'foo'],
    ['MGET', 'a', 'b'],
    ['CLUSTER', 'ADDSLOTS', '0', '0'],
    ['CLUSTER', 'ADDSLOTS', '16384'],
    ['CLUSTER', 'ADDSLOTS', 'x'],
    ['CLUSTER', 'ADDSLOTSRANGE', '5', '3'],
    ['CLUSTER', 'ADDSLOTSRANGE', '1', '2', '3'],
    ['CLUSTER', 'DELSLOTS', '1'],
    ['CLUSTER', 'DELSLOTSRANGE', '1', '2'],
    ['CLUSTER', 'ADDSLOTSRANGE', '0', '100'],
    ['CLUSTER', 'ADDSLOTS', '50'],
    ['CLUSTER', 'ADDSLOTS', '200'],
    ['GET', 'foo'],
    ['CLUSTER', 'ADDSLOTSRANGE', '101', '199', '201', '16383'],
    ['SET', 'foo', 'bar'],
    ['MSET', 'a', '1', 'b', '2'],
    ['MSET', '{user1000}.following', '1', '{user1000}.followers', '2'],
    ['MGET', 'foo', 'foo'],
    ['CLUSTER', 'COUNTKEYSINSLOT', '12182'],
    ['CLUSTER', 'COUNTKEYSINSLOT', '99999'],
    ['CLUSTER', 'GETKEYSINSLOT', '12182', '10'],
    ['CLUSTER', 'GETKEYSINSLOT', '1', '-1'],
    ['CLUSTER', 'COUNT-FAILURE-REPORTS', 'abc'],
    ['CLUSTER', 'SETSLOT', '5', 'NODE', 'abc'],
    ['CLUSTER', 'SETSLOT', '5', 'BOGUS'],
    ['CLUSTER', 'FLUSHSLOTS'],
    ['CLUSTER', 'RESET'],
    ['CLUSTER', 'SET-CONFIG-EPOCH', '-1'],
    ['CLUSTER', 'BUMPEPOCH'],
    ['CLUSTER', 'BUMPEPOCH'],
    ['CLUSTER', 'SET-CONFIG-EPOCH', '5'],
    ['SELECT', '1'],
    ['SELECT', '0'],
    ['CLUSTER', 'LINKS'],
    ['READONLY'],
    ['READWRITE'],
    ['ASKING'],
    ['CLUSTER', 'NOPE'],
  ];
  // Redis updates its cluster state between event-loop turns: the second half waits for it.
  const split = 15;
  const waitOk = async (x: RawClient): Promise<void> => {
    for (let i = 0; i < 200 && !(await x.call('CLUSTER', 'INFO')).includes('cluster_state:ok'); i++) await sleep(50);
  };
  const run = async (x: RawClient): Promise<string[]> => {
    const first = await pipeline(x, cmds.slice(0, split));
    await waitOk(x);
    return [...first, ...(await pipeline(x, cmds.slice(split)))];
  };
  const mine = await run(c);
  const expect: Record<number, string> = {
    1: '-CLUSTERDOWN Hash slot not served\r\n',
    3: '-ERR Slot 0 specified multiple times\r\n',
    4: '-ERR Invalid or out of range slot\r\n',
    6: '-ERR start slot number 5 is greater than end slot number 3\r\n',
    7: "-ERR wrong number of arguments for 'cluster|addslotsrange' command\r\n",
    8: '-ERR Slot 1 is already unassigned\r\n',
    11: '-ERR Slot 50 is already busy\r\n',
    13: '-CLUSTERDOWN Hash slot not served\r\n',
    15: '+OK\r\n',
    16: "-CROSSSLOT Keys in request don't hash to the same slot\r\n",
    17: '+OK\r\n',
    19: ':1\r\n',
    21: '*1\r\n$3\r\nfoo\r\n',
    29: '+BUMPED 1\r\n',
    30: '+STILL 1\r\n',
    31: '-ERR Node config epoch is already non-zero\r\n',
    32: '-ERR SELECT is not allowed in cluster mode\r\n',
  };
  for (const [i, v] of Object.entries(expect)) assert.equal(mine[Number(i)], v, JSON.stringify(cmds[Number(i)]));
  if (r !== null) {
    const theirs = await run(r);
    for (let i = 0; i < cmds.length; i++) {
      if (cmds[i][0] === 'CLUSTER' && (cmds[i][1] === 'INFO' || cmds[i][1] === 'NOPE')) continue; // 7.2 counters / help wording
      assert.equal(mine[i], theirs[i], JSON.stringify(cmds[i]));
    }
  }
});

test('CLUSTER INFO, NODES, SLOTS, SHARDS, MYID shapes', async () => {
  const { c, srv } = await clusterNode(tempDir(), { 'cluster-announce-ip': '127.0.0.1' });
  const id = (await c.call('CLUSTER', 'MYID')).split('\r\n')[1];
  assert.match(id, /^[0-9a-f]{40}$/);
  const shard = (await c.call('CLUSTER', 'MYSHARDID')).split('\r\n')[1];
  assert.match(shard, /^[0-9a-f]{40}$/);
  assert.equal(await c.call('CLUSTER', 'ADDSLOTSRANGE', '0', '5460', '5462', '16383'), '+OK\r\n');
  assert.equal(await c.call('CLUSTER', 'ADDSLOTS', '5461'), '+OK\r\n');
  const info = await c.call('CLUSTER', 'INFO');
  for (const l of ['cluster_state:ok', 'cluster_slots_assigned:16384', 'cluster_slots_ok:16384', 'cluster_slots_pfail:0', 'cluster_slots_fail:0', 'cluster_known_nodes:1', 'cluster_size:1', 'cluster_current_epoch:0', 'cluster_my_epoch:0']) {
    assert.ok(info.includes(l + '\r\n'), l);
  }
  const port = srv.port;
  const nodes = await c.call('CLUSTER', 'NODES');
  const line = `${id} 127.0.0.1:${port}@${port + 10000} myself,master - 0 0 0 connected 0-16383\n`;
  assert.equal(nodes, `$${line.length}\r\n${line}\r\n`);
  assert.equal(await c.call('CLUSTER', 'SLOTS'), `*1\r\n*3\r\n:0\r\n:16383\r\n*4\r\n$9\r\n127.0.0.1\r\n:${port}\r\n$40\r\n${id}\r\n*0\r\n`);
  assert.equal(
    await c.call('CLUSTER', 'SHARDS'),
    `*1\r\n*4\r\n$5\r\nslots\r\n*2\r\n:0\r\n:16383\r\n$5\r\nnodes\r\n*1\r\n*14\r\n$2\r\nid\r\n$40\r\n${id}\r\n$4\r\nport\r\n:${port}\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$8\r\nendpoint\r\n$9\r\n127.0.0.1\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$18\r\nreplication-offset\r\n:0\r\n$6\r\nhealth\r\n$6\r\nonline\r\n`,
  );
  // RESP3: INFO and NODES are verbatim strings, SHARDS entries maps.
  await c.call('HELLO', '3');
  assert.ok((await c.call('CLUSTER', 'INFO')).startsWith('=') );
  assert.ok((await c.call('CLUSTER', 'SHARDS')).startsWith('*1\r\n%2\r\n'));
  assert.match(await c.call('CLUSTER', 'HELP'), /^\*\d+\r\n\+CLUSTER <subcommand>/);
});

test('per-slot key index follows writes, deletes, expiry, FLUSHALL and DEBUG RELOAD', async () => {
  const { c } = await clusterNode();
  await c.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
  for (let i = 0; i < 50; i++) await c.call('SET', `{t}${i}`, 'v');
  const slot = keyHashSlot('t');
  assert.equal(await c.call('CLUSTER', 'COUNTKEYSINSLOT', String(slot)), ':50\r\n');
  await c.call('DEL', '{t}3');
  await c.call('RENAME', '{t}4', '{t}x');
  await c.call('SET', '{t}1', 'w', 'PX', '1');
  await sleep(5);
  await c.call('GET', '{t}1');
  assert.equal(await c.call('CLUSTER', 'COUNTKEYSINSLOT', String(slot)), ':48\r\n');
  const keys = await c.call('CLUSTER', 'GETKEYSINSLOT', String(slot), '100');
  assert.ok(keys.startsWith('*48\r\n') && keys.includes('{t}x') && !keys.includes('$4\r\n{t}3\r\n'));
  assert.equal((await c.call('CLUSTER', 'GETKEYSINSLOT', String(slot), '3')).split('\r\n')[0], '*3');
  await c.call('DEBUG', 'RELOAD');
  assert.equal(await c.call('CLUSTER', 'COUNTKEYSINSLOT', String(slot)), ':48\r\n');
  await c.call('FLUSHALL');
  assert.equal(await c.call('CLUSTER', 'COUNTKEYSINSLOT', String(slot)), ':0\r\n');
  await c.call('SET', '{t}again', '1');
  assert.equal(await c.call('CLUSTER', 'GETKEYSINSLOT', String(slot), '10'), '*1\r\n$8\r\n{t}again\r\n');
});

test('MULTI/EXEC: a cross-slot transaction is refused at EXEC; a queued redirect aborts it', async () => {
  const { c } = await clusterNode();
  await c.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
  const r = await oracleClient();
  if (r !== null) {
    await r.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
    // redis-server turns its state to ok only a while after it started.
    for (let i = 0; i < 200 && !(await r.call('CLUSTER', 'INFO')).includes('cluster_state:ok'); i++) await sleep(50);
  }
  const cmds = [['MULTI'], ['SET', 'a', '1'], ['SET', 'b', '2'], ['EXEC'], ['EXEC'], ['MULTI'], ['SET', '{x}a', '1'], ['GET', '{x}b'], ['EXEC']];
  const mine = await pipeline(c, cmds);
  assert.equal(mine[3], "-CROSSSLOT Keys in request don't hash to the same slot\r\n");
  assert.equal(mine[4], '-ERR EXEC without MULTI\r\n');
  assert.equal(mine[8], '*2\r\n+OK\r\n$-1\r\n');
  if (r !== null) assert.deepEqual(mine, await pipeline(r, cmds));
});

test('nodes.conf is written and reloaded across a restart', async () => {
  const dir = tempDir();
  const a = await clusterNode(dir);
  const id = (await a.c.call('CLUSTER', 'MYID')).split('\r\n')[1];
  await a.c.call('CLUSTER', 'ADDSLOTSRANGE', '0', '99', '1000', '1000');
  await a.c.call('CLUSTER', 'BUMPEPOCH');
  const text = readFileSync(join(dir, 'nodes.conf'), 'latin1');
  assert.match(text, new RegExp(`^${id} :\\d+@\\d+,,tls-port=0,shard-id=[0-9a-f]{40} myself,master - 0 0 1 connected 0-99 1000\\nvars currentEpoch 1 lastVoteEpoch 0\\n$`));
  a.c.close();
  await a.srv.close();
  const b = await clusterNode(dir);
  assert.equal((await b.c.call('CLUSTER', 'MYID')).split('\r\n')[1], id);
  const nodes = await b.c.call('CLUSTER', 'NODES');
  assert.ok(nodes.includes(` myself,master - 0 0 1 connected 0-99 1000\n`), nodes);
  assert.ok((await b.c.call('CLUSTER', 'INFO')).includes('cluster_current_epoch:1\r\n'));
  // RESET HARD: a new id, epochs zeroed, saved.
  assert.equal(await b.c.call('CLUSTER', 'RESET', 'HARD'), '+OK\r\n');
  const id2 = (await b.c.call('CLUSTER', 'MYID')).split('\r\n')[1];
  assert.notEqual(id2, id);
  assert.match(readFileSync(join(dir, 'nodes.conf'), 'latin1'), new RegExp(`^${id2} .* myself,master - 0 0 0 connected\\nvars currentEpoch 0 lastVoteEpoch 0\\n$`));
  assert.equal(await b.c.call('CLUSTER', 'SAVECONFIG'), '+OK\r\n');
});

async function waitKnown(c: RawClient, n: number): Promise<string> {
  for (let i = 0; i < 1000; i++) {
    const t = await c.call('CLUSTER', 'NODES');
    if (t.split('\n').filter((l) => l.includes('connected')).length >= n) return t;
    await sleep(10);
  }
  throw new Error('MEET did not complete');
}

test('two nodes met by hand: MOVED, ASK, ASKING, SETSLOT', async () => {
  const a = await clusterNode();
  const b = await clusterNode();
  await a.c.call('CLUSTER', 'ADDSLOTSRANGE', '0', '8191');
  await b.c.call('CLUSTER', 'ADDSLOTSRANGE', '8192', '16383');
  assert.equal(await a.c.call('CLUSTER', 'MEET', '127.0.0.1', String(b.srv.port)), '+OK\r\n');
  assert.equal(await b.c.call('CLUSTER', 'MEET', '127.0.0.1', String(a.srv.port)), '+OK\r\n');
  await waitKnown(a.c, 2);
  await waitKnown(b.c, 2);
  const idA = (await a.c.call('CLUSTER', 'MYID')).split('\r\n')[1];
  const idB = (await b.c.call('CLUSTER', 'MYID')).split('\r\n')[1];
  assert.ok((await a.c.call('CLUSTER', 'INFO')).includes('cluster_state:ok\r\n'));
  assert.ok((await a.c.call('CLUSTER', 'INFO')).includes('cluster_known_nodes:2\r\ncluster_size:2\r\n'));
  assert.match(await a.c.call('CLUSTER', 'NODES'), new RegExp(`${idB} 127\\.0\\.0\\.1:${b.srv.port}@${b.srv.port + 10000} master - 0 \\d+ 0 connected 8192-16383\\n`));
  assert.equal(await a.c.call('GET', 'foo'), `-MOVED 12182 127.0.0.1:${b.srv.port}\r\n`);
  assert.equal(await b.c.call('SET', 'bar', '1'), `-MOVED 5061 127.0.0.1:${a.srv.port}\r\n`);
  // Migrate slot 5061 ("bar") from A to B.
  assert.equal(await a.c.call('CLUSTER', 'SETSLOT', '5061', 'MIGRATING', 'f'.repeat(40)), `-ERR I don't know about node ${'f'.repeat(40)}\r\n`);
  assert.equal(await a.c.call('CLUSTER', 'SETSLOT', '5061', 'MIGRATING', idB), '+OK\r\n');
  assert.equal(await b.c.call('CLUSTER', 'SETSLOT', '5061', 'IMPORTING', idA), '+OK\r\n');
  assert.equal(await a.c.call('CLUSTER', 'SETSLOT', '5', 'IMPORTING', idB), "-ERR I'm already the owner of hash slot 5\r\n");
  assert.equal(await b.c.call('CLUSTER', 'SETSLOT', '5', 'MIGRATING', idA), "-ERR I'm not the owner of hash slot 5\r\n");
  assert.ok((await a.c.call('CLUSTER', 'NODES')).includes(`connected 0-8191 [5061->-${idB}]\n`));
  assert.ok((await b.c.call('CLUSTER', 'NODES')).includes(`connected 8192-16383 [5061-<-${idA}]\n`));
  assert.equal(await a.c.call('GET', 'bar'), `-ASK 5061 127.0.0.1:${b.srv.port}\r\n`);
  assert.equal(await b.c.call('GET', 'bar'), `-MOVED 5061 127.0.0.1:${a.srv.port}\r\n`);
  assert.equal(await b.c.call('ASKING'), '+OK\r\n');
  assert.equal(await b.c.call('SET', 'bar', 'moved'), '+OK\r\n');
  // ASKING lasts one command.
  assert.equal(await b.c.call('GET', 'bar'), `-MOVED 5061 127.0.0.1:${a.srv.port}\r\n`);
  await b.c.call('ASKING');
  assert.equal(await b.c.call('MGET', 'bar', '{bar}2'), '-TRYAGAIN Multiple keys request during rehashing of slot\r\n');
  // Finish: both nodes assign the slot to B.
  assert.equal(await b.c.call('CLUSTER', 'SETSLOT', '5061', 'NODE', idB), '+OK\r\n');
  assert.equal(await a.c.call('CLUSTER', 'SETSLOT', '5061', 'NODE', idB), '+OK\r\n');
  assert.equal(await b.c.call('GET', 'bar'), '$5\r\nmoved\r\n');
  assert.equal(await a.c.call('GET', 'bar'), `-MOVED 5061 127.0.0.1:${b.srv.port}\r\n`);
  assert.ok((await b.c.call('CLUSTER', 'INFO')).includes('cluster_my_epoch:1\r\n'));
  assert.equal(await a.c.call('CLUSTER', 'SET-CONFIG-EPOCH', '9'), '-ERR The user can assign a config epoch only when the node does not know any other node.\r\n');
  assert.equal(await a.c.call('CLUSTER', 'COUNT-FAILURE-REPORTS', idB), ':0\r\n');
  assert.equal(await a.c.call('CLUSTER', 'FORGET', idB), '+OK\r\n');
  assert.equal(await a.c.call('GET', 'foo'), '-CLUSTERDOWN Hash slot not served\r\n');
});

test('ioredis Redis.Cluster against a single node serving every slot', async () => {
  const { c, srv } = await clusterNode(tempDir(), { 'cluster-announce-ip': '127.0.0.1' });
  await c.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
  const cl = new Cluster([{ host: '127.0.0.1', port: srv.port }], { clusterRetryStrategy: () => null, lazyConnect: false });
  try {
    assert.equal(await cl.set('foo', 'bar'), 'OK');
    assert.equal(await cl.get('foo'), 'bar');
    assert.equal(await cl.mset('{u1}a', '1', '{u1}b', '2'), 'OK');
    assert.deepEqual(await cl.mget('{u1}a', '{u1}b', '{u1}c'), ['1', '2', null]);
    await assert.rejects(cl.mget('a', 'b'), /CROSSSLOT/);
    const p = await cl.pipeline().incr('{u1}n').incr('{u1}n').exec();
    assert.deepEqual(p, [[null, 1], [null, 2]]);
  } finally {
    cl.disconnect();
  }
});

test('WAITAOF and LOLWUT', async () => {
  // Its own dir: CONFIG SET appendonly yes writes an AOF there.
  const srv = await startNodis({ dir: tempDir() });
  closers.push(() => srv.close());
  const c = await RawClient.connect(srv.port);
  closers.push(() => c.close());
  assert.equal(await c.call('WAITAOF', '1', '0', '0'), '-ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.\r\n');
  assert.equal(await c.call('WAITAOF', '0', '0', '0'), '*2\r\n:0\r\n:0\r\n');
  assert.equal(await c.call('WAITAOF', '0', '0', '-1'), '-ERR timeout is negative\r\n');
  assert.equal(await c.call('WAITAOF', '2', '0', '0'), '-ERR value is out of range, value must between 0 and 1\r\n');
  assert.equal(await c.call('WAITAOF', '0', '-1', '0'), '-ERR value is out of range, must be positive\r\n');
  assert.equal(await c.call('WAITAOF', '0', '0', 'x'), '-ERR timeout is not an integer or out of range\r\n');
  // No replica acknowledges: the timeout ends the wait.
  const t0 = Date.now();
  assert.equal(await c.call('WAITAOF', '0', '1', '100'), '*2\r\n:0\r\n:0\r\n');
  assert.ok(Date.now() - t0 >= 90);
  await c.call('CONFIG', 'SET', 'appendonly', 'yes');
  assert.equal(await c.call('WAITAOF', '1', '0', '0'), '*2\r\n:1\r\n:0\r\n');
  // Let the AOF rewrite that turning it on started finish before the server closes.
  for (let i = 0; i < 400 && !/aof_rewrite_in_progress:0\r\n[\s\S]*aof_rewrite_scheduled:0/.test(await c.call('INFO', 'persistence')); i++) await sleep(25);
  assert.equal(await c.call('LOLWUT'), '$17\r\nRedis ver. 7.2.4\n\r\n');
  assert.equal(await c.call('LOLWUT', 'VERSION', '7'), '$17\r\nRedis ver. 7.2.4\n\r\n');
  assert.equal(await c.call('LOLWUT', 'VERSION', 'x'), '-ERR value is not an integer or out of range\r\n');
  const v5 = await c.call('LOLWUT', 'VERSION', '5', '10', '2', '3');
  assert.match(v5, /^\$\d+\r\n[\s\S]+\n\n[^\n]+ Redis ver\. 7\.2\.4\n\r\n$/);
  assert.ok(v5.split('\n').length >= 6);
  assert.match(await c.call('LOLWUT', 'VERSION', '6'), /Redis ver\. 7\.2\.4\n\r\n$/);
  await c.call('HELLO', '3');
  assert.equal(await c.call('LOLWUT'), '=21\r\ntxt:Redis ver. 7.2.4\n\r\n');
});

test('scripts: keys touched by redis.call must be local and in one slot (unless allow-cross-slot-keys)', async () => {
  const { c } = await clusterNode();
  await c.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
  const body = "redis.call('set','a','1'); return redis.call('set','b','2')";
  assert.match(await c.call('EVAL', body, '0'), /^-ERR Script attempted to access keys that do not hash to the same slot script: [0-9a-f]{40}, on @user_script:1\.\r\n$/);
  assert.match(await c.call('EVAL', "return redis.call('mget','a','b')", '0'), /^-ERR Script attempted to access a non local key in a cluster node script: [0-9a-f]{40}, on @user_script:1\.\r\n$/);
  assert.match(await c.call('EVAL', "redis.call('get',KEYS[1]); return redis.call('get','b')", '1', 'a'), /^-ERR Script attempted to access keys that do not hash to the same slot/);
  assert.equal(await c.call('EVAL', `#!lua flags=allow-cross-slot-keys\n${body}`, '0'), '+OK\r\n');
  assert.equal(await c.call('EVAL', "return redis.call('get','{b}x')", '0'), '$-1\r\n');
  await c.call('CLUSTER', 'DELSLOTS', String(keyHashSlot('zz')));
  assert.match(await c.call('EVAL', "return redis.call('get','zz')", '0'), /^-ERR Script attempted to access a non local key in a cluster node script: /);
});

test("scripts and functions flagged no-cluster are refused", async () => {
  const { c } = await clusterNode();
  await c.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
  const err = "-ERR Can not run script on cluster, 'no-cluster' flag is set.\r\n";
  assert.equal(await c.call('EVAL', '#!lua flags=no-cluster\nreturn 1', '0'), err);
  const sha = (await c.call('SCRIPT', 'LOAD', '#!lua flags=no-cluster\nreturn 2')).split('\r\n')[1];
  assert.equal(await c.call('EVALSHA', sha, '0'), err);
  assert.equal(await c.call('EVAL', '#!lua\nreturn 3', '0'), ':3\r\n');
  assert.equal(await c.call('FUNCTION', 'LOAD', "#!lua name=lib\nredis.register_function{function_name='f', callback=function() return 1 end, flags={'no-cluster'}}"), '$3\r\nlib\r\n');
  assert.equal(await c.call('FCALL', 'f', '0'), err);
});

test('sharded pub/sub channels are routed like keys; allow-reads-when-down', async () => {
  const { c } = await clusterNode();
  assert.equal(await c.call('SPUBLISH', 'ch', 'm'), '-CLUSTERDOWN Hash slot not served\r\n');
  await c.call('CLUSTER', 'ADDSLOTSRANGE', '0', '8000');
  const low = ['bar', 'a{bar}'].find((k) => keyHashSlot(k) <= 8000) as string;
  // Not every slot is assigned: the cluster is down, but shard channels are allowed by default.
  assert.equal(await c.call('SPUBLISH', low, 'm'), ':0\r\n');
  assert.equal(await c.call('GET', low), '-CLUSTERDOWN The cluster is down\r\n');
  assert.equal(await c.call('SSUBSCRIBE', 'bar', 'foo'), "-CROSSSLOT Keys in request don't hash to the same slot\r\n");
  await c.call('CONFIG', 'SET', 'cluster-allow-reads-when-down', 'yes');
  assert.equal(await c.call('GET', low), '$-1\r\n');
  assert.equal(await c.call('SET', low, '1'), '-CLUSTERDOWN The cluster is down and only accepts read commands\r\n');
  await c.call('CONFIG', 'SET', 'cluster-allow-pubsubshard-when-down', 'no');
  assert.equal(await c.call('SPUBLISH', low, 'm'), '-CLUSTERDOWN The cluster is down\r\n');
});

test('only db 0: SELECT, MOVE, SWAPDB and COPY to another db are refused', async () => {
  const { c } = await clusterNode();
  await c.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
  await c.call('SET', '{k}a', '1');
  assert.equal(await c.call('SELECT', '1'), '-ERR SELECT is not allowed in cluster mode\r\n');
  assert.equal(await c.call('MOVE', '{k}a', '1'), '-ERR MOVE is not allowed in cluster mode\r\n');
  assert.equal(await c.call('SWAPDB', '0', '1'), '-ERR SWAPDB is not allowed in cluster mode\r\n');
  assert.equal(await c.call('COPY', '{k}a', '{k}b', 'DB', '1'), '-ERR Copying to another database is not allowed in cluster mode\r\n');
  assert.equal(await c.call('COPY', '{k}a', '{k}b', 'BOGUS'), '-ERR syntax error\r\n');
  assert.equal(await c.call('COPY', '{k}a', '{k}b', 'DB', '0'), ':1\r\n');
  assert.equal(await c.call('COPY', '{k}a', 'other', 'DB', '0'), "-CROSSSLOT Keys in request don't hash to the same slot\r\n");
});

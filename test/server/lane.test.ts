/*
 * The dispatcher's lane for plain data commands (Server.runInLane): while
 * the gates and hooks are idle, a read's plain commands skip them. A
 * command that changes that state in the middle of a pipelined read must
 * take effect for the commands after it in the same read, exactly as in
 * Redis. Each sequence is written in one piece, compared byte for byte
 * with redis-server when it is installed.
 */

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServerPair, RawClient, pipeline } from '../helpers';

const pair = new ServerPair();

before(async () => {
  await pair.start();
});

after(async () => {
  await pair.stop();
});

test('maxmemory set in the middle of a pipeline refuses the writes after it', async () => {
  const out = await pair.both([
    ['SET', 'lane:a', '1'],
    ['CONFIG', 'SET', 'maxmemory', '1'],
    ['SET', 'lane:b', '2'],
    ['GET', 'lane:a'],
    ['CONFIG', 'SET', 'maxmemory', '0'],
    ['SET', 'lane:c', '3'],
  ]);
  assert.match(out[2], /^-OOM /);
  assert.equal(out[5], '+OK\r\n');
});

test('a user switched in the middle of a pipeline is checked at once', async () => {
  const out = await pair.both([
    ['ACL', 'SETUSER', 'lane-limited', 'on', 'nopass', '+get', '+auth', '~*'],
    ['SET', 'lane:u', 'v'],
    ['AUTH', 'lane-limited', 'x'],
    ['SET', 'lane:u', 'w'],
    ['GET', 'lane:u'],
    ['AUTH', 'default', 'x'],
    ['SET', 'lane:u', 'z'],
    ['GET', 'lane:u'],
    ['ACL', 'DELUSER', 'lane-limited'],
  ],
  // Redis 7.2 names the user in the NOPERM text, 7.0 (the oracle) does not.
  (cmd) => cmd[0] === 'SET' && cmd[2] === 'w');
  assert.equal(out[3], "-NOPERM User lane-limited has no permissions to run the 'set' command\r\n");
  assert.equal(out[4], '$1\r\nv\r\n');
  assert.equal(out[7], '$1\r\nz\r\n');
});

test('MULTI, reply modes and SELECT inside one read', async () => {
  const out = await pair.both([
    ['SELECT', '1'],
    ['SET', 'lane:m', '1'],
    ['MULTI'],
    ['INCR', 'lane:m'],
    ['GET', 'lane:m'],
    ['EXEC'],
    ['SELECT', '0'],
    ['GET', 'lane:m'],
    ['SELECT', '1'],
    ['DEL', 'lane:m'],
    ['SELECT', '0'],
  ]);
  assert.equal(out[5], '*2\r\n:2\r\n$1\r\n2\r\n');
  assert.equal(out[7], '$-1\r\n');
  // CLIENT REPLY OFF then ON: the commands in between answer nothing.
  const c = pair.n;
  c.write('*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$3\r\nOFF\r\n*3\r\n$3\r\nSET\r\n$6\r\nlane:r\r\n$1\r\n1\r\n*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$2\r\nON\r\n*2\r\n$3\r\nGET\r\n$6\r\nlane:r\r\n');
  assert.equal(await c.read(), '+OK\r\n');
  assert.equal(await c.read(), '$1\r\n1\r\n');
});

test('MONITOR started by another client sees the plain commands that follow', async () => {
  const mon = await RawClient.connect(pair.srv.port);
  assert.equal(await mon.call('MONITOR'), '+OK\r\n');
  const replies = await pipeline(pair.n, [['SET', 'lane:mon', '1'], ['GET', 'lane:mon']]);
  assert.deepEqual(replies, ['+OK\r\n', '$1\r\n1\r\n']);
  const seen = [await mon.read(), await mon.read()];
  assert.match(seen[0], /"SET" "lane:mon" "1"/);
  assert.match(seen[1], /"GET" "lane:mon"/);
  mon.close();
});

test('commandstats count the commands run in the lane', async () => {
  await pair.n.call('CONFIG', 'RESETSTAT');
  await pipeline(pair.n, Array.from({ length: 50 }, (_, i) => ['SET', `lane:s${i}`, 'x']));
  await pipeline(pair.n, [['GET', 'lane:s1'], ['GET', 'lane:s2'], ['GET', 'nosuchkey'], ['INCR', 'lane:s3']]);
  const info = await pair.n.call('INFO', 'commandstats');
  assert.match(info, /cmdstat_set:calls=50,/);
  assert.match(info, /cmdstat_get:calls=3,/);
  assert.match(info, /cmdstat_incr:calls=1,.*failed_calls=1/);
  const stats = await pair.n.call('INFO', 'stats');
  assert.match(stats, /keyspace_hits:2\r\n/);
  assert.match(stats, /keyspace_misses:1\r\n/);
});

test('client tracking turned on in the middle of a read gets invalidations', async () => {
  const t = await RawClient.connect(pair.srv.port);
  assert.match(await t.call('HELLO', '3'), /server/);
  const out = await pipeline(t, [['SET', 'lane:t', '1'], ['CLIENT', 'TRACKING', 'on'], ['GET', 'lane:t']]);
  assert.deepEqual(out, ['+OK\r\n', '+OK\r\n', '$1\r\n1\r\n']);
  assert.equal(await pair.n.call('SET', 'lane:t', '2'), '+OK\r\n');
  assert.equal(await t.read(), '>2\r\n$10\r\ninvalidate\r\n*1\r\n$6\r\nlane:t\r\n');
  t.close();
});

/*
 * Blocking list operations: clients served per key in the order they
 * blocked, timeouts, MULTI (no blocking; pushes wake clients after EXEC),
 * CLIENT UNBLOCK, type changes while waiting (Redis 7.2 re-runs the command),
 * chains of BLMOVEs, and what gets propagated for a served client.
 */

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startNodis, encodeCommand, RawClient, sleep, type RunningServer } from '../helpers';

let srv: RunningServer;
let r: RawClient;
const propagated: string[] = [];

before(async () => {
  srv = await startNodis();
  r = await RawClient.connect(srv.port);
  srv.server.propagateHooks.push((_db, args) => propagated.push(args.join(' ')));
});

after(async () => {
  r.close();
  await srv.close();
});

async function client(): Promise<RawClient> {
  return RawClient.connect(srv.port);
}

/** Wait until INFO reports `n` blocked clients. */
async function waitBlocked(n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const info = await r.call('INFO', 'clients');
    const m = /blocked_clients:(\d+)/.exec(info);
    if (m && Number(m[1]) === n) return;
    await sleep(5);
  }
  throw new Error(`never reached ${n} blocked clients`);
}

function send(c: RawClient, ...args: string[]): void {
  c.write(encodeCommand(args));
}

const bulk = (s: string) => `$${s.length}\r\n${s}\r\n`;
const pair = (k: string, v: string) => `*2\r\n${bulk(k)}${bulk(v)}`;

test('clients are served in the order they blocked', async () => {
  await r.call('DEL', 'q');
  const cs = [await client(), await client(), await client()];
  for (let i = 0; i < cs.length; i++) {
    send(cs[i], 'BLPOP', 'q', '0');
    await waitBlocked(i + 1);
  }
  const list = await r.call('CLIENT', 'LIST');
  assert.equal(list.split('\n').filter((l) => l.includes('flags=b')).length, 3);
  assert.equal(await r.call('RPUSH', 'q', 'a', 'b', 'c'), ':3\r\n');
  assert.equal(await cs[0].read(), pair('q', 'a'));
  assert.equal(await cs[1].read(), pair('q', 'b'));
  assert.equal(await cs[2].read(), pair('q', 'c'));
  await waitBlocked(0);
  assert.equal(await r.call('EXISTS', 'q'), ':0\r\n');
  for (const c of cs) c.close();
});

test('one push serves as many clients as it has elements; the rest keep waiting', async () => {
  await r.call('DEL', 'q');
  const a = await client();
  const b = await client();
  send(a, 'BRPOP', 'q', '0');
  await waitBlocked(1);
  send(b, 'BLMPOP', '0', '1', 'q', 'LEFT', 'COUNT', '5');
  await waitBlocked(2);
  await r.call('RPUSH', 'q', 'x');
  assert.equal(await a.read(), pair('q', 'x'));
  await waitBlocked(1);
  await r.call('RPUSH', 'q', 'y', 'z');
  assert.equal(await b.read(), `*2\r\n${bulk('q')}*2\r\n${bulk('y')}${bulk('z')}`);
  a.close();
  b.close();
});

test('timeouts: decimal seconds, null array in RESP2 and RESP3', async () => {
  const c = await client();
  let t0 = Date.now();
  assert.equal(await c.call('BLPOP', 'nothing', '0.15'), '*-1\r\n');
  const dt = Date.now() - t0;
  assert.ok(dt >= 140 && dt < 5000, `timed out after ${dt} ms`);
  t0 = Date.now();
  assert.equal(await c.call('BRPOPLPUSH', 'nothing', 'dst', '0.05'), '*-1\r\n');
  assert.equal(await c.call('BLMOVE', 'nothing', 'dst', 'LEFT', 'LEFT', '0.05'), '*-1\r\n');
  assert.equal(await c.call('BLMPOP', '0.05', '1', 'nothing', 'LEFT'), '*-1\r\n');
  await c.call('HELLO', '3');
  assert.equal(await c.call('BLPOP', 'nothing', '0.01'), '_\r\n');
  assert.equal(await c.call('BLMOVE', 'nothing', 'dst', 'LEFT', 'LEFT', '0.01'), '_\r\n');
  // A timeout beyond setTimeout's 24.8-day range still blocks.
  send(c, 'BLPOP', 'nothing', '3000000');
  await waitBlocked(1);
  await sleep(20);
  await waitBlocked(1);
  await r.call('RPUSH', 'nothing', 'v');
  assert.equal(await c.read(), `*2\r\n${bulk('nothing')}${bulk('v')}`);
  c.close();
});

test('inside MULTI blocking commands do not block, and pushes wake clients after EXEC', async () => {
  await r.call('DEL', 'm', 'e');
  const c = await client();
  await c.call('MULTI');
  await c.call('BLPOP', 'e', '0');
  await c.call('BLMOVE', 'e', 'x', 'LEFT', 'LEFT', '0');
  await c.call('BLMPOP', '0', '1', 'e', 'LEFT');
  assert.equal(await c.call('EXEC'), '*3\r\n*-1\r\n$-1\r\n*-1\r\n');

  const w = await client();
  send(w, 'BLPOP', 'm', '0');
  await waitBlocked(1);
  await r.call('MULTI');
  await r.call('LPUSH', 'm', 'a');
  await r.call('LPUSH', 'm', 'b');
  await r.call('LPUSH', 'm', 'c');
  assert.equal(await r.call('EXEC'), '*3\r\n:1\r\n:2\r\n:3\r\n');
  assert.equal(await w.read(), pair('m', 'c'));

  // A push undone in the same transaction does not wake anyone.
  send(w, 'BLPOP', 'm2', '0');
  await waitBlocked(1);
  await r.call('MULTI');
  await r.call('LPUSH', 'm2', 'a');
  await r.call('DEL', 'm2');
  await r.call('SET', 'm2', 'foo');
  await r.call('EXEC');
  await r.call('DEL', 'm2');
  await r.call('LPUSH', 'm2', 'b');
  assert.equal(await w.read(), pair('m2', 'b'));
  await r.call('DEL', 'm');
  c.close();
  w.close();
});

test('CLIENT UNBLOCK: TIMEOUT replies as on timeout, ERROR with UNBLOCKED', async () => {
  const c = await client();
  const id = (await c.call('CLIENT', 'ID')).slice(1, -2);
  send(c, 'BLPOP', 'u', '0');
  await waitBlocked(1);
  assert.equal(await r.call('CLIENT', 'UNBLOCK', id), ':1\r\n');
  assert.equal(await c.read(), '*-1\r\n');
  send(c, 'BLMOVE', 'u', 'v', 'LEFT', 'RIGHT', '0');
  await waitBlocked(1);
  assert.equal(await r.call('CLIENT', 'UNBLOCK', id, 'TIMEOUT'), ':1\r\n');
  assert.equal(await c.read(), '*-1\r\n');
  send(c, 'BLMPOP', '0', '1', 'u', 'RIGHT');
  await waitBlocked(1);
  assert.equal(await r.call('CLIENT', 'UNBLOCK', id, 'error'), ':1\r\n');
  assert.equal(await c.read(), '-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n');
  assert.equal(await r.call('CLIENT', 'UNBLOCK', id), ':0\r\n');
  assert.equal(await r.call('CLIENT', 'UNBLOCK', 'abc'), '-ERR value is not an integer or out of range\r\n');
  assert.equal(await r.call('CLIENT', 'UNBLOCK', 'abc', 'foo'), '-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n');
  assert.equal(await r.call('CLIENT', 'UNBLOCK', id, 'timeout', 'x'), "-ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP.\r\n");
  // Still usable afterwards.
  send(c, 'BLPOP', 'u', '0');
  await waitBlocked(1);
  await r.call('LPUSH', 'u', 'foo');
  assert.equal(await c.read(), pair('u', 'foo'));
  c.close();
});

test('a served client re-runs its command: type errors and destination checks as Redis 7.2', async () => {
  await r.call('DEL', 'k1', 'k2', 'src', 'dst', 'dst2');
  const c = await client();
  // k2 turns into a string while the client waits on k2 then k1.
  send(c, 'BLPOP', 'k2', 'k1', '0');
  await waitBlocked(1);
  await r.call('SET', 'k2', 'str');
  await waitBlocked(1);
  await r.call('RPUSH', 'k1', 'x');
  assert.match(await c.read(), /^-WRONGTYPE/);
  assert.equal(await r.call('LRANGE', 'k1', '0', '-1'), `*1\r\n${bulk('x')}`);

  // BRPOPLPUSH to a destination of the wrong type: error, the element stays.
  const d = await client();
  await r.call('SET', 'dst', 'str');
  send(c, 'BRPOPLPUSH', 'src', 'dst', '0');
  await waitBlocked(1);
  send(d, 'BRPOPLPUSH', 'src', 'dst2', '0');
  await waitBlocked(2);
  await r.call('RPUSH', 'src', 'e');
  assert.match(await c.read(), /^-WRONGTYPE/);
  assert.equal(await d.read(), bulk('e'));
  assert.equal(await r.call('LRANGE', 'dst2', '0', '-1'), `*1\r\n${bulk('e')}`);
  c.close();
  d.close();
});

test('an expired key does not serve a waiting client', async () => {
  await r.call('DEL', 'ex');
  await r.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
  const c = await client();
  const id = (await c.call('CLIENT', 'ID')).slice(1, -2);
  send(c, 'BRPOP', 'ex', '0');
  await waitBlocked(1);
  await r.call('MULTI');
  await r.call('RPUSH', 'ex', 'hello');
  await r.call('PEXPIRE', 'ex', '50');
  await r.call('DEBUG', 'SLEEP', '0.1');
  await r.call('EXEC');
  assert.match(await r.call('CLIENT', 'LIST', 'ID', id), /flags=b/);
  await r.call('CLIENT', 'UNBLOCK', id);
  assert.equal(await c.read(), '*-1\r\n');
  assert.equal(await c.call('EXISTS', 'ex'), ':0\r\n');
  await r.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
  c.close();
});

test('chained BLMOVEs are served in one go and propagate as LMOVE', async () => {
  await r.call('DEL', 'l1', 'l2', 'l3', 'k');
  const a = await client();
  const b = await client();
  const w = await client();
  send(a, 'BLMOVE', 'l1', 'l2', 'RIGHT', 'LEFT', '0');
  await waitBlocked(1);
  send(b, 'BLMOVE', 'l2', 'l3', 'LEFT', 'RIGHT', '0');
  await waitBlocked(2);
  propagated.length = 0;
  // The pipeline's SETs must come before and after both moves.
  w.write(Buffer.concat([encodeCommand(['SET', 'k', '1']), encodeCommand(['LPUSH', 'l1', 'foo']), encodeCommand(['SET', 'k', '2'])]));
  assert.equal(await a.read(), bulk('foo'));
  assert.equal(await b.read(), bulk('foo'));
  await w.read();
  await w.read();
  await w.read();
  assert.equal(await r.call('LRANGE', 'l3', '0', '-1'), `*1\r\n${bulk('foo')}`);
  assert.equal(await r.call('EXISTS', 'l1', 'l2'), ':0\r\n');
  assert.deepEqual(
    propagated.filter((p) => !p.startsWith('SELECT')),
    ['SET k 1', 'LPUSH l1 foo', 'LMOVE l1 l2 RIGHT LEFT', 'LMOVE l2 l3 LEFT RIGHT', 'SET k 2'],
  );

  // Served pops propagate as the non-blocking command.
  propagated.length = 0;
  send(a, 'BLMPOP', '0', '1', 'p', 'RIGHT', 'COUNT', '5');
  await waitBlocked(1);
  send(b, 'BRPOPLPUSH', 'p', 'q', '0');
  await waitBlocked(2);
  await r.call('RPUSH', 'p', 'x', 'y');
  await a.read();
  await r.call('RPUSH', 'p', 'z');
  await b.read();
  send(a, 'BLPOP', 'p2', '0');
  await waitBlocked(1);
  await r.call('RPUSH', 'p2', 'v');
  await a.read();
  assert.deepEqual(propagated.filter((p) => !p.startsWith('SELECT')), ['RPUSH p x y', 'RPOP p 2', 'RPUSH p z', 'RPOPLPUSH p q', 'RPUSH p2 v', 'LPOP p2']);
  await r.call('DEL', 'q', 'k');
  a.close();
  b.close();
  w.close();
});

test('fairness while pipelining, circular moves, and dirty accounting', async () => {
  await r.call('DEL', 'f', 'c1', 'c2');
  const a = await client();
  const b = await client();
  send(a, 'BLPOP', 'f', '0');
  await waitBlocked(1);
  b.write('LPUSH f 1\r\nBLPOP f 0\r\n');
  assert.equal(await a.read(), pair('f', '1'));
  assert.equal(await b.read(), ':1\r\n');
  await waitBlocked(1);
  await r.call('LPUSH', 'f', '2');
  assert.equal(await b.read(), pair('f', '2'));

  send(a, 'BRPOPLPUSH', 'c1', 'c2', '0');
  await waitBlocked(1);
  send(b, 'BRPOPLPUSH', 'c2', 'c1', '0');
  await waitBlocked(2);
  await r.call('RPUSH', 'c1', 'foo');
  await a.read();
  await b.read();
  assert.equal(await r.call('LRANGE', 'c1', '0', '-1'), `*1\r\n${bulk('foo')}`);
  assert.equal(await r.call('EXISTS', 'c2'), ':0\r\n');

  const dirty = async () => Number(/rdb_changes_since_last_save:(\d+)/.exec(await r.call('INFO', 'persistence'))?.[1] ?? 'NaN');
  const d0 = await dirty();
  send(a, 'BLPOP', 'dd', '0');
  await waitBlocked(1);
  await r.call('LPUSH', 'dd', 'a');
  await a.read();
  assert.equal((await dirty()) - d0, 2);
  await r.call('DEL', 'c1');
  a.close();
  b.close();
});

test('a key moved into place or created by SORT STORE wakes clients', async () => {
  await r.call('DEL', 'target', 'bob', 'nf');
  const a = await client();
  send(a, 'BLPOP', 'target', '0');
  await waitBlocked(1);
  await r.call('LPUSH', 'bob', 'abc', 'def', 'hij');
  await r.call('RENAME', 'bob', 'target');
  assert.equal(await a.read(), pair('target', 'hij'));
  await r.call('DEL', 'target');
  send(a, 'BLPOP', 'target', '5');
  await waitBlocked(1);
  await r.call('LPUSH', 'nf', 'hello', 'hola', 'aguacate');
  await r.call('SORT', 'nf', 'ALPHA', 'STORE', 'target');
  assert.equal(await a.read(), pair('target', 'aguacate'));
  await r.call('DEL', 'target', 'nf');
  a.close();
});

test('a closed client leaves no trace in the queues', async () => {
  await r.call('DEL', 'gone');
  const a = await client();
  const b = await client();
  send(a, 'BLPOP', 'gone', 'gone', '0');
  await waitBlocked(1);
  send(b, 'BLPOP', 'gone', '0');
  await waitBlocked(2);
  a.close();
  await waitBlocked(1);
  await r.call('RPUSH', 'gone', 'v');
  assert.equal(await b.read(), pair('gone', 'v'));
  b.close();
});

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startNodis, startOracle, RawClient, sleep, type RunningServer, type Oracle } from '../helpers';

let srv: RunningServer;
let oracle: Oracle | null = null;

before(async () => {
  srv = await startNodis();
  oracle = await startOracle();
});

after(async () => {
  await srv.close();
  await oracle?.close();
});

async function differential(name: string, scenario: (port: number) => Promise<string[]>): Promise<void> {
  const ours = await scenario(srv.port);
  if (oracle === null) return;
  const theirs = await scenario(oracle.port);
  assert.deepEqual(ours, theirs, `${name}: transcript differs from redis-server`);
}

/** A CLIENT INFO line with the machine-dependent values masked (Redis 7.0 has no lib-name/lib-ver). */
function mask(line: string): string {
  return line
    .replace(/^\$\d+\r\n/, '')
    .replace(/ lib-name=\S* lib-ver=\S*/, '')
    .replace(/(id|addr|laddr|fd|age|idle|qbuf-free|argv-mem|rbs|rbp|tot-mem)=\S*/g, '$1=*');
}

test('CLIENT INFO / LIST fields match Redis', async () => {
  await differential('info', async (port) => {
    const c = await RawClient.connect(port);
    const out = [mask(await c.call('CLIENT', 'INFO'))];
    await c.call('CLIENT', 'SETNAME', 'me');
    await c.call('SELECT', '3');
    await c.call('SUBSCRIBE', 'x');
    await c.call('UNSUBSCRIBE');
    await c.call('MULTI');
    await c.call('SET', 'a', 'b');
    out.push(mask(await c.call('CLIENT', 'INFO')));
    await c.call('DISCARD');
    out.push(mask(await c.call('CLIENT', 'LIST', 'ID', '999999')));
    out.push(await c.call('CLIENT', 'LIST', 'TYPE', 'bogus'));
    c.close();
    return out;
  });
});

test('CLIENT KILL: argument errors and filters match Redis', async () => {
  await differential('kill errors', async (port) => {
    const c = await RawClient.connect(port);
    const out: string[] = [];
    for (const a of [
      ['KILL'],
      ['KILL', 'id', '10', 'wrong_arg'],
      ['KILL', 'id', 'str'],
      ['KILL', 'id', '-1'],
      ['KILL', 'type', 'wrong_type'],
      ['KILL', 'user', 'wrong_user'],
      ['KILL', 'skipme', 'yes_or_no'],
      ['KILL', 'maxage', 'abc'],
      ['KILL', '1.2.3.4:5'],
      ['KILL', 'laddr', '1.2.3.4:5'],
      ['KILL', 'type', 'pubsub'],
      ['KILL', 'maxage', '100000'],
    ]) {
      out.push(await c.call('CLIENT', ...a));
    }
    c.close();
    return out;
  });
  const a = await RawClient.connect(srv.port);
  const b = await RawClient.connect(srv.port);
  const s = await RawClient.connect(srv.port);
  await s.call('SUBSCRIBE', 'k');
  assert.equal(await a.call('CLIENT', 'KILL', 'TYPE', 'pubsub'), ':1\r\n');
  assert.ok(await s.waitClosed());
  const bid = (await b.call('CLIENT', 'ID')).slice(1, -2);
  assert.equal(await a.call('CLIENT', 'KILL', 'ID', bid), ':1\r\n');
  assert.ok(await b.waitClosed());
  // SKIPME no kills the caller too, after its reply.
  assert.equal(await a.call('CLIENT', 'KILL', 'USER', 'default', 'SKIPME', 'no', 'ID', (await a.call('CLIENT', 'ID')).slice(1, -2)), ':1\r\n');
  assert.ok(await a.waitClosed());
});

test('MONITOR: line format, EXEC after its commands, redacted AUTH', async () => {
  const m = await RawClient.connect(srv.port);
  const c = await RawClient.connect(srv.port);
  assert.equal(await m.call('MONITOR'), '+OK\r\n');
  await c.call('SET', 'k', 'a b"\x01');
  await c.call('MULTI');
  await c.call('GET', 'k');
  await c.call('EXEC');
  await c.call('AUTH', 'secret');
  await c.call('CLIENT', 'LIST'); // admin: not shown
  await c.call('PING');
  const lines: string[] = [];
  for (let i = 0; i < 6; i++) lines.push(await m.read());
  const re = /^\+\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] (.*)\r\n$/;
  const cmds = lines.map((l) => re.exec(l)?.[1]);
  assert.deepEqual(cmds, ['"SET" "k" "a b\\"\\x01"', '"MULTI"', '"GET" "k"', '"EXEC"', '"AUTH" "(redacted)"', '"PING"']);
  m.close();
  c.close();
});

test('CLIENT PAUSE WRITE holds writes (and PUBLISH), not reads; UNPAUSE releases them in order', async () => {
  const ctl = await RawClient.connect(srv.port);
  const w1 = await RawClient.connect(srv.port);
  const w2 = await RawClient.connect(srv.port);
  const r = await RawClient.connect(srv.port);
  assert.equal(await ctl.call('CLIENT', 'PAUSE', '100000', 'WRITE'), '+OK\r\n');
  assert.equal(await r.call('GET', 'nothing'), '$-1\r\n');
  w1.write('*3\r\n$3\r\nSET\r\n$2\r\npk\r\n$1\r\n1\r\n');
  w2.write('*3\r\n$7\r\nPUBLISH\r\n$2\r\nch\r\n$1\r\nm\r\n');
  await sleep(50);
  assert.equal(w1.pending(), '');
  assert.equal(w2.pending(), '');
  assert.match(await ctl.call('INFO', 'clients'), /blocked_clients:2\r\n/);
  // A transaction with a write is held at EXEC; a read-only one is not.
  assert.equal(await r.call('MULTI'), '+OK\r\n');
  assert.equal(await r.call('GET', 'pk'), '+QUEUED\r\n');
  assert.equal(await r.call('EXEC'), '*1\r\n$-1\r\n');
  assert.equal(await ctl.call('CLIENT', 'UNPAUSE'), '+OK\r\n');
  assert.equal(await w1.read(), '+OK\r\n');
  assert.equal(await w2.read(), ':0\r\n');
  assert.equal(await r.call('GET', 'pk'), '$1\r\n1\r\n');
  // Argument errors.
  assert.equal(await ctl.call('CLIENT', 'PAUSE', 'abc'), '-ERR timeout is not an integer or out of range\r\n');
  assert.equal(await ctl.call('CLIENT', 'PAUSE', '-1'), '-ERR timeout is negative\r\n');
  assert.equal(await ctl.call('CLIENT', 'PAUSE', '10', 'foo'), '-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n');
  for (const c of [ctl, w1, w2, r]) c.close();
});

test('a held client that disconnects during CLIENT PAUSE is no longer counted as blocked', async () => {
  const ctl = await RawClient.connect(srv.port);
  const w = await RawClient.connect(srv.port);
  await ctl.call('CLIENT', 'PAUSE', '100000', 'WRITE');
  w.write('*3\r\n$3\r\nSET\r\n$1\r\nq\r\n$1\r\n1\r\n');
  await sleep(30);
  assert.match(await ctl.call('INFO', 'clients'), /blocked_clients:1\r\n/);
  w.close();
  await sleep(30);
  assert.match(await ctl.call('INFO', 'clients'), /blocked_clients:0\r\n/);
  await ctl.call('CLIENT', 'UNPAUSE');
  assert.equal(await ctl.call('EXISTS', 'q'), ':0\r\n');
  ctl.close();
});

test('CLIENT PAUSE ALL holds every command until the time is up; expiry waits too', async () => {
  const ctl = await RawClient.connect(srv.port);
  const c = await RawClient.connect(srv.port);
  await ctl.call('SET', 'shortlived', 'v', 'PX', '10');
  await ctl.call('CLIENT', 'PAUSE', '150', 'ALL');
  const t0 = Date.now();
  assert.equal(await c.call('PING'), '+PONG\r\n');
  assert.ok(Date.now() - t0 >= 120, 'held for the pause');
  assert.equal(await c.call('GET', 'shortlived'), '$-1\r\n');
  c.close();
  ctl.close();
});

test('client-output-buffer-limit: a pubsub client over the hard limit is disconnected', async () => {
  const ctl = await RawClient.connect(srv.port);
  await ctl.call('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 100000 0 0');
  const s = await RawClient.connect(srv.port);
  await s.call('SUBSCRIBE', 'big');
  // The subscriber never reads; socket buffers fill, then the limit applies.
  (s as unknown as { sock: { pause(): void } }).sock.pause();
  const msg = 'x'.repeat(10000);
  let gone = false;
  for (let i = 0; i < 3000 && !gone; i++) {
    const n = await ctl.call('PUBLISH', 'big', msg);
    gone = n === ':0\r\n';
  }
  assert.ok(gone, 'subscriber was disconnected');
  assert.match(await ctl.call('INFO', 'stats'), /client_output_buffer_limit_disconnections:[1-9]/);
  await ctl.call('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 33554432 8388608 60');
  s.close();
  ctl.close();
});

test('client-output-buffer-limit: a normal reply over the hard limit closes the client without a byte of it', async () => {
  const ctl = await RawClient.connect(srv.port);
  await ctl.call('SET', 'big', 'y'.repeat(200000));
  await ctl.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 100000 0 0');
  const c = await RawClient.connect(srv.port);
  c.write('*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n');
  assert.ok(await c.waitClosed());
  assert.equal(c.pending(), '');
  await ctl.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0');
  ctl.close();
});

test('CLIENT NO-EVICT and NO-TOUCH flags', async () => {
  const c = await RawClient.connect(srv.port);
  assert.equal(await c.call('CLIENT', 'NO-EVICT', 'on'), '+OK\r\n');
  assert.match(await c.call('CLIENT', 'INFO'), / flags=e /);
  assert.equal(await c.call('CLIENT', 'NO-EVICT', 'maybe'), '-ERR syntax error\r\n');
  assert.equal(await c.call('CLIENT', 'NO-EVICT', 'off'), '+OK\r\n');
  assert.match(await c.call('CLIENT', 'INFO'), / flags=N /);
  c.close();
});

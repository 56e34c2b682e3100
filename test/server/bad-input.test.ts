/*
 * Bad input: malformed protocol, huge headers, garbage and pathological
 * patterns get a Redis-style error (and a closed connection where Redis
 * closes it), while the server keeps serving other clients with data intact.
 */

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startNodis, RawClient, type RunningServer } from '../helpers';

let srv: RunningServer;
let witness: RawClient;

before(async () => {
  srv = await startNodis();
  witness = await RawClient.connect(srv.port);
  assert.equal(await witness.call('SET', 'precious', 'data'), '+OK\r\n');
});

after(async () => {
  witness.close();
  await srv.close();
});

async function stillHealthy(): Promise<void> {
  assert.equal(await witness.call('GET', 'precious'), '$4\r\ndata\r\n');
  assert.equal(await witness.call('PING'), '+PONG\r\n');
}

async function expectProtocolError(payload: string | Buffer, text: string): Promise<void> {
  const c = await RawClient.connect(srv.port);
  c.write(payload);
  const reply = await c.read();
  assert.equal(reply, `-ERR ${text}\r\n`);
  assert.ok(await c.waitClosed(), 'connection closed after protocol error');
  await stillHealthy();
}

test('malformed multibulk lengths are rejected and the connection closed', async () => {
  await expectProtocolError('*abc\r\n', 'Protocol error: invalid multibulk length');
  await expectProtocolError('*1\r\n$-5\r\n', 'Protocol error: invalid bulk length');
  await expectProtocolError('*1\r\n$x\r\n', 'Protocol error: invalid bulk length');
  await expectProtocolError('*1\r\n+OK\r\n', "Protocol error: expected '$', got '+'");
  await expectProtocolError('*99999999999\r\n', 'Protocol error: invalid multibulk length');
});

test('a 10 GB bulk header gets an error, not an allocation', async () => {
  const before = process.memoryUsage().rss;
  await expectProtocolError('*2\r\n$3\r\nSET\r\n$10737418240\r\n', 'Protocol error: invalid bulk length');
  assert.ok(process.memoryUsage().rss - before < 200 * 1024 * 1024);
});

test('proto-max-bulk-len is enforced and configurable', async () => {
  const c = await RawClient.connect(srv.port);
  assert.equal(await c.call('CONFIG', 'SET', 'proto-max-bulk-len', '1mb'), '+OK\r\n');
  c.close();
  await expectProtocolError('*2\r\n$3\r\nGET\r\n$2000000\r\n', 'Protocol error: invalid bulk length');
  const d = await RawClient.connect(srv.port);
  assert.equal(await d.call('CONFIG', 'SET', 'proto-max-bulk-len', '512mb'), '+OK\r\n');
  d.close();
});

test('an endless inline line or length line is cut off at 64 KB', async () => {
  await expectProtocolError('x'.repeat(70 * 1024), 'Protocol error: too big inline request');
  await expectProtocolError('*' + '1'.repeat(70 * 1024), 'Protocol error: too big mbulk count string');
  await expectProtocolError('*1\r\n$' + '1'.repeat(70 * 1024), 'Protocol error: too big bulk count string');
});

test('unbalanced quotes in inline commands', async () => {
  await expectProtocolError('SET "a b\r\n', 'Protocol error: unbalanced quotes in request');
});

test('binary garbage and half frames split across packets', async () => {
  const c = await RawClient.connect(srv.port);
  const req = Buffer.from('*3\r\n$3\r\nSET\r\n$4\r\nk\x00\r\n\r\n$6\r\n\xff\xfe\x00\x01\r\n\r\n', 'latin1');
  for (let i = 0; i < req.length; i++) {
    c.write(req.subarray(i, i + 1));
    await new Promise((r) => setImmediate(r));
  }
  assert.equal(await c.read(), '+OK\r\n');
  assert.equal(await c.call('GET', Buffer.from('k\x00\r\n', 'latin1')), '$6\r\n\xff\xfe\x00\x01\r\n\r\n');
  c.close();
  // Random bytes: whatever the server answers, it stays up.
  let seed = 7;
  for (let round = 0; round < 20; round++) {
    const g = await RawClient.connect(srv.port);
    const junk = Buffer.alloc(512);
    for (let i = 0; i < junk.length; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      junk[i] = seed & 0xff;
    }
    g.write(junk);
    await new Promise((r) => setTimeout(r, 5));
    g.close();
  }
  await stillHealthy();
});

test('glob patterns built to backtrack return quickly', async () => {
  const c = await RawClient.connect(srv.port);
  for (let i = 0; i < 100; i++) await c.call('SET', 'a'.repeat(50) + i, 'v');
  const t0 = Date.now();
  const pattern = '*'.repeat(5000) + 'b';
  const reply = await c.call('KEYS', pattern);
  assert.equal(reply, '*0\r\n');
  const pattern2 = 'a*'.repeat(30) + 'b';
  assert.equal(await c.call('KEYS', pattern2), '*0\r\n');
  assert.ok(Date.now() - t0 < 10000, `took ${Date.now() - t0} ms`);
  c.close();
  await stillHealthy();
});

test('wrong types, huge numbers and bad arguments answer errors without side effects', async () => {
  const c = await RawClient.connect(srv.port);
  assert.equal(await c.call('INCR', 'precious'), '-ERR value is not an integer or out of range\r\n');
  assert.equal(await c.call('SETRANGE', 'precious', '99999999999', 'x'), '-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n');
  assert.equal(await c.call('EXPIRE', 'precious', '99999999999999999999'), '-ERR value is not an integer or out of range\r\n');
  assert.equal(await c.call('SELECT', '99999999999999999999'), '-ERR value is not an integer or out of range\r\n');
  c.close();
  await stillHealthy();
});

test('client-query-buffer-limit closes a client that floods without completing a request', async () => {
  const c = await RawClient.connect(srv.port);
  assert.equal(await c.call('CONFIG', 'SET', 'client-query-buffer-limit', '1mb'), '+OK\r\n');
  c.write('*2\r\n$3\r\nGET\r\n$10000000\r\n');
  const chunk = Buffer.alloc(256 * 1024, 'a');
  for (let i = 0; i < 8 && !c.closed; i++) {
    c.write(chunk);
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.ok(await c.waitClosed(), 'flooding client disconnected');
  const d = await RawClient.connect(srv.port);
  assert.equal(await d.call('CONFIG', 'SET', 'client-query-buffer-limit', '1gb'), '+OK\r\n');
  d.close();
  await stillHealthy();
});

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

/** The numeric id in a `:N\r\n` reply. */
function intOf(r: string): string {
  return r.slice(1, -2);
}

const inv = (keys: string[] | null): string =>
  '>2\r\n$10\r\ninvalidate\r\n' + (keys === null ? '_\r\n' : `*${keys.length}\r\n` + keys.map((k) => `$${k.length}\r\n${k}\r\n`).join(''));

test('CLIENT TRACKING option errors, CACHING, GETREDIR and TRACKINGINFO match Redis', async () => {
  await differential('options', async (port) => {
    const c = await RawClient.connect(port);
    const out: string[] = [];
    const calls: string[][] = [
      ['CLIENT', 'TRACKING', 'on', 'REDIRECT', '999999'],
      ['CLIENT', 'TRACKING', 'on', 'REDIRECT', 'abc'],
      ['CLIENT', 'TRACKING', 'on', 'PREFIX', 'a'],
      ['CLIENT', 'TRACKING', 'on', 'BCAST', 'OPTIN'],
      ['CLIENT', 'TRACKING', 'on', 'OPTIN', 'OPTOUT'],
      ['CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'foobar', 'PREFIX', 'foo'],
      ['CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'foo', 'PREFIX', 'foobar'],
      ['CLIENT', 'TRACKING', 'maybe'],
      ['CLIENT', 'TRACKING', 'on', 'bogus'],
      ['CLIENT', 'CACHING', 'yes'],
      ['CLIENT', 'GETREDIR'],
      ['CLIENT', 'TRACKINGINFO'],
      ['CLIENT', 'TRACKING', 'on', 'OPTOUT'],
      ['CLIENT', 'CACHING', 'yes'],
      ['CLIENT', 'CACHING', 'maybe'],
      ['CLIENT', 'CACHING', 'no'],
      ['CLIENT', 'TRACKINGINFO'],
      ['CLIENT', 'TRACKING', 'on', 'BCAST'],
      ['CLIENT', 'TRACKING', 'on', 'OPTIN'],
      ['CLIENT', 'GETREDIR'],
      ['CLIENT', 'TRACKING', 'off'],
      ['CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'foo'],
      ['CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'fo'],
      ['CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'foo'],
      ['CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'bar', 'NOLOOP'],
      ['CLIENT', 'TRACKINGINFO'],
      ['CLIENT', 'TRACKING', 'off'],
      ['CLIENT', 'TRACKINGINFO'],
      ['CLIENT', 'TRACKING', 'on', 'OPTIN', 'NOLOOP'],
      ['CLIENT', 'CACHING', 'yes'],
      ['CLIENT', 'TRACKINGINFO'],
      ['CLIENT', 'TRACKING', 'off'],
    ];
    for (const a of calls) out.push(await c.call(...a));
    // TRACKINGINFO in RESP3 (a map holding a set).
    await c.call('HELLO', '3');
    await c.call('CLIENT', 'TRACKING', 'on', 'BCAST');
    out.push(await c.call('CLIENT', 'TRACKINGINFO'));
    c.close();
    return out;
  });
});

test('RESP3: reading a key then changing it sends one invalidation, after the writer reply', async () => {
  const r = await RawClient.connect(srv.port);
  const w = await RawClient.connect(srv.port);
  await r.call('HELLO', '3');
  assert.equal(await r.call('CLIENT', 'TRACKING', 'on'), '+OK\r\n');
  await w.call('SET', 'k1', 'a');
  assert.equal(await r.call('GET', 'k1'), '$1\r\na\r\n');
  await w.call('SET', 'k1', 'b');
  assert.equal(await r.read(), inv(['k1']));
  // Not read since: no second message.
  await w.call('SET', 'k1', 'c');
  assert.equal(await r.call('PING'), '+PONG\r\n');
  // Its own write: the invalidation follows its reply.
  await r.call('GET', 'k1');
  assert.equal(await r.call('SET', 'k1', 'd'), '+OK\r\n');
  assert.equal(await r.read(), inv(['k1']));
  // In a transaction, after the EXEC reply.
  await r.call('GET', 'k1');
  await r.call('MULTI');
  await r.call('INCR', 'n');
  await r.call('SET', 'k1', 'e');
  assert.equal(await r.call('EXEC'), '*2\r\n:1\r\n+OK\r\n');
  assert.equal(await r.read(), inv(['k1']));
  // FLUSHALL: a null key list.
  await r.call('GET', 'k1');
  await w.call('FLUSHALL');
  assert.equal(await r.read(), inv(null));
  r.close();
  w.close();
});

test('RESP2 REDIRECT to a subscriber of __redis__:invalidate, NOLOOP and OPTIN/OPTOUT', async () => {
  const red = await RawClient.connect(srv.port);
  const redir = intOf(await red.call('CLIENT', 'ID'));
  await red.call('SUBSCRIBE', '__redis__:invalidate');
  const r = await RawClient.connect(srv.port);
  const w = await RawClient.connect(srv.port);
  const msg = (k: string) => `*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$${k.length}\r\n${k}\r\n`;
  assert.equal(await r.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', redir, 'NOLOOP'), '+OK\r\n');
  assert.equal(await r.call('CLIENT', 'GETREDIR'), `:${redir}\r\n`);
  await r.call('MGET', 'a', 'b');
  await r.call('SET', 'a', '1'); // its own write: not sent (NOLOOP)
  await w.call('SET', 'b', '1');
  assert.equal(await red.read(), msg('b'));
  await r.call('CLIENT', 'TRACKING', 'off');
  // OPTIN: only after CLIENT CACHING yes.
  await r.call('CLIENT', 'TRACKING', 'on', 'OPTIN', 'REDIRECT', redir);
  await r.call('GET', 'x1');
  await r.call('CLIENT', 'CACHING', 'yes');
  await r.call('GET', 'x2');
  await r.call('GET', 'x3');
  await w.call('MSET', 'x1', '1', 'x2', '1', 'x3', '1');
  assert.equal(await red.read(), msg('x2'));
  await r.call('CLIENT', 'TRACKING', 'off');
  // OPTOUT: everything but after CLIENT CACHING no.
  await r.call('CLIENT', 'TRACKING', 'on', 'OPTOUT', 'REDIRECT', redir);
  await r.call('CLIENT', 'CACHING', 'no');
  await r.call('GET', 'y1');
  await r.call('GET', 'y2');
  await w.call('MSET', 'y1', '1', 'y2', '1');
  assert.equal(await red.read(), msg('y2'));
  await r.call('CLIENT', 'TRACKING', 'off');
  // Redirect target gone: RESP3 client gets tracking-redir-broken.
  await r.call('HELLO', '3');
  await r.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', redir);
  await r.call('GET', 'z');
  red.close();
  await sleep(30);
  await w.call('SET', 'z', '1');
  assert.equal(await r.read(), `>2\r\n$21\r\ntracking-redir-broken\r\n:${redir}\r\n`);
  assert.match(await r.call('CLIENT', 'TRACKINGINFO'), /broken_redirect/);
  r.close();
  w.close();
});

test('BCAST: one message per prefix with the keys changed in a turn; NOLOOP filters own writes', async () => {
  const r = await RawClient.connect(srv.port);
  const w = await RawClient.connect(srv.port);
  await r.call('HELLO', '3');
  assert.equal(await r.call('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'a:', 'PREFIX', 'b:', 'NOLOOP'), '+OK\r\n');
  await w.call('MSET', 'a:1', '1', 'a:2', '2', 'b:1', '1', 'c:1', '1');
  const got = [await r.read(), await r.read()].sort();
  assert.deepEqual(got, [inv(['a:1', 'a:2']), inv(['b:1'])].sort());
  await r.call('SET', 'a:3', 'mine');
  await w.call('SET', 'a:4', 'theirs');
  assert.equal(await r.read(), inv(['a:4']));
  const info = await w.call('INFO', 'stats');
  assert.match(info, /tracking_total_prefixes:2\r\n/);
  r.close();
  w.close();
});

test('expired keys are invalidated, and tracking-table-max-keys evicts entries', async () => {
  const r = await RawClient.connect(srv.port);
  const w = await RawClient.connect(srv.port);
  await r.call('HELLO', '3');
  await r.call('CLIENT', 'TRACKING', 'on');
  await w.call('SET', 'exp', 'v', 'PX', '300');
  await r.call('GET', 'exp');
  assert.equal(await r.read(2000), inv(['exp']));
  await r.call('MGET', 'e1', 'e2', 'e3');
  assert.match(await w.call('INFO', 'stats'), /tracking_total_keys:3\r\n/);
  await w.call('CONFIG', 'SET', 'tracking-table-max-keys', '1');
  assert.equal(await r.call('PING'), inv(['e1']));
  assert.equal(await r.read(), inv(['e2']));
  assert.equal(await r.read(), '+PONG\r\n');
  await w.call('CONFIG', 'SET', 'tracking-table-max-keys', '1000000');
  r.close();
  w.close();
});

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

/**
 * Run the same scenario against Nodis and (when installed) the real Redis,
 * and compare the transcripts byte for byte.
 */
async function differential(name: string, scenario: (port: number) => Promise<string[]>): Promise<void> {
  const ours = await scenario(srv.port);
  if (oracle === null) return;
  const theirs = await scenario(oracle.port);
  assert.deepEqual(ours, theirs, `${name}: transcript differs from redis-server`);
}

test('SUBSCRIBE / PUBLISH / UNSUBSCRIBE replies match Redis in RESP2 and RESP3', async () => {
  for (const proto of ['2', '3']) {
    await differential(`subscribe resp${proto}`, async (port) => {
      const sub = await RawClient.connect(port);
      const pub = await RawClient.connect(port);
      const out: string[] = [];
      if (proto === '3') await sub.call('HELLO', '3');
      sub.write('*3\r\n$9\r\nSUBSCRIBE\r\n$2\r\nc1\r\n$2\r\nc2\r\n');
      out.push(await sub.read(), await sub.read());
      out.push(await sub.call('SUBSCRIBE', 'c1'));
      out.push(await pub.call('PUBLISH', 'c1', 'hello'));
      out.push(await sub.read());
      out.push(await sub.call('PING'));
      out.push(await sub.call('PING', 'x'));
      out.push(await sub.call('GET', 'k'));
      out.push(await sub.call('PSUBSCRIBE', 'c*'));
      out.push(await pub.call('PUBLISH', 'c2', 'w\x00rld'));
      out.push(await sub.read(), await sub.read());
      out.push(await pub.call('PUBSUB', 'NUMSUB', 'c1', 'zz'));
      out.push(await pub.call('PUBSUB', 'NUMPAT'));
      out.push(await pub.call('PUBSUB', 'CHANNELS', 'c1*'));
      // (UNSUBSCRIBE without arguments goes in hash order in Redis: leave one channel.)
      out.push(await sub.call('UNSUBSCRIBE', 'c1'));
      out.push(await sub.call('UNSUBSCRIBE'));
      out.push(await sub.call('PUNSUBSCRIBE'));
      out.push(await sub.call('UNSUBSCRIBE'));
      out.push(await sub.call('PUNSUBSCRIBE', 'nope'));
      out.push(await sub.call('PING'));
      sub.close();
      pub.close();
      return out;
    });
  }
});

test('shard channels: SSUBSCRIBE / SPUBLISH / SUNSUBSCRIBE / PUBSUB SHARD*', async () => {
  await differential('shard', async (port) => {
    const sub = await RawClient.connect(port);
    const pub = await RawClient.connect(port);
    const out: string[] = [];
    out.push(await sub.call('SSUBSCRIBE', 's1'));
    out.push(await sub.call('SUBSCRIBE', 'n1'));
    out.push(await sub.call('SSUBSCRIBE', 's2'));
    out.push(await pub.call('SPUBLISH', 's1', 'm'));
    out.push(await sub.read());
    out.push(await pub.call('PUBLISH', 's1', 'm'));
    out.push(await pub.call('PUBSUB', 'SHARDNUMSUB', 's1', 's3'));
    // (Redis lists channels in hash order: compare as a set.)
    out.push((await pub.call('PUBSUB', 'SHARDCHANNELS')).split('\r\n').sort().join(','));
    out.push(await sub.call('SUNSUBSCRIBE', 's1'));
    sub.write('*1\r\n$12\r\nSUNSUBSCRIBE\r\n');
    out.push(await sub.read());
    out.push(await sub.call('SUNSUBSCRIBE'));
    out.push(await sub.call('UNSUBSCRIBE'));
    sub.close();
    pub.close();
    return out;
  });
});

test('PUBSUB HELP and argument errors match Redis', async () => {
  await differential('help', async (port) => {
    const c = await RawClient.connect(port);
    // Redis 7.0 ends HELP with "Prints this help."; 7.2 with "Print this help.": compare the rest.
    const help = (await c.call('PUBSUB', 'HELP')).replace(/\+    Prints? this help\.\r\n$/, '');
    const out = [
      help,
      await c.call('PUBSUB', 'NUMPAT', 'x'),
      await c.call('PUBSUB', 'FOO'),
      await c.call('PUBSUB'),
      await c.call('PUBLISH', 'a'),
      await c.call('SUBSCRIBE'),
    ];
    c.close();
    return out;
  });
});

test('a message published to itself arrives after the command reply (Redis 7.2, RESP3)', async () => {
  // Redis 7.0 interleaves the message inside the EXEC reply; 7.2 sends it after.
  const c = await RawClient.connect(srv.port);
  await c.call('HELLO', '3');
  assert.equal(await c.call('SUBSCRIBE', 'foo'), '>3\r\n$9\r\nsubscribe\r\n$3\r\nfoo\r\n:1\r\n');
  assert.equal(await c.call('MULTI'), '+OK\r\n');
  assert.equal(await c.call('PUBLISH', 'foo', 'bar'), '+QUEUED\r\n');
  assert.equal(await c.call('PING', 'x'), '+QUEUED\r\n');
  assert.equal(await c.call('EXEC'), '*2\r\n:1\r\n$1\r\nx\r\n');
  assert.equal(await c.read(), '>3\r\n$7\r\nmessage\r\n$3\r\nfoo\r\n$3\r\nbar\r\n');
  assert.equal(await c.call('PUBLISH', 'foo', 'direct'), ':1\r\n');
  assert.equal(await c.read(), '>3\r\n$7\r\nmessage\r\n$3\r\nfoo\r\n$6\r\ndirect\r\n');
  c.close();
});

test('subscription confirmations and messages are delivered under CLIENT REPLY OFF', async () => {
  await differential('reply off', async (port) => {
    const c = await RawClient.connect(port);
    const p = await RawClient.connect(port);
    const out: string[] = [];
    c.write('*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$3\r\nOFF\r\n');
    c.write('*1\r\n$4\r\nPING\r\n');
    out.push(await c.call('SUBSCRIBE', 'ch'));
    out.push(await p.call('PUBLISH', 'ch', 'hi'));
    out.push(await c.read());
    out.push(await c.call('UNSUBSCRIBE', 'ch'));
    c.close();
    p.close();
    return out;
  });
});

test('keyspace notifications: events, CONFIG round trip and new-key events', async () => {
  await differential('notify', async (port) => {
    const c = await RawClient.connect(port);
    const s = await RawClient.connect(port);
    const out: string[] = [];
    for (const v of ['KA', 'EA', 'gKE', '$lshzxeKE', 'AKEn', 'nKEm', 'ndtexg', 'xyz']) {
      out.push(await c.call('CONFIG', 'SET', 'notify-keyspace-events', v));
      out.push(await c.call('CONFIG', 'GET', 'notify-keyspace-events'));
    }
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', 'KEAn');
    await c.call('FLUSHALL');
    out.push(await s.call('PSUBSCRIBE', '*'));
    const cmds = [
      ['SET', 'k', '1'], ['INCRBY', 'k', '2'], ['INCRBYFLOAT', 'k', '1.5'], ['APPEND', 'k', 'x'], ['SETRANGE', 'k', '0', 'y'],
      ['EXPIRE', 'k', '100'], ['PERSIST', 'k'], ['RENAME', 'k', 'k2'], ['COPY', 'k2', 'k3'], ['MOVE', 'k3', '1'], ['DEL', 'k2'],
      ['MSET', 'm1', '1', 'm2', '2'], ['SETEX', 'sx', '100', 'v'], ['PSETEX', 'px', '100000', 'v'], ['SETNX', 'nx', 'v'],
      ['SET', 'm1', 'x', 'GET'], ['GETDEL', 'm1'], ['GETEX', 'm2', 'EX', '100'], ['GETEX', 'm2', 'PERSIST'], ['GETSET', 'm2', 'y'],
      ['INCR', 'i'], ['DECR', 'i'], ['DECRBY', 'i', '5'], ['EXPIRE', 'i', '0'], ['PEXPIREAT', 'm2', '1'], ['MSETNX', 'q1', '1'],
      ['SET', 'r1', 'v'], ['RENAMENX', 'r1', 'r2'], ['EXPIREAT', 'r2', '99999999999'], ['UNLINK', 'r2', 'nothing'], ['SETRANGE', 'sr', '2', 'ab'],
      ['APPEND', 'ap', 'x'], ['COPY', 'ap', 'sr', 'REPLACE'],
    ];
    let expected = 0;
    for (const cmd of cmds) {
      await c.call(...cmd);
      expected++;
    }
    await c.call('SET', 'last', 'x');
    // Read until the notification of the marker command.
    for (;;) {
      const r = await s.read();
      out.push(r);
      if (r.includes('__keyevent@0__:set') && r.includes('last')) break;
    }
    assert.ok(expected > 0);
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', '');
    c.close();
    s.close();
    return out;
  });
});

test('expired events are published when a key expires', async () => {
  const c = await RawClient.connect(srv.port);
  const s = await RawClient.connect(srv.port);
  await c.call('CONFIG', 'SET', 'notify-keyspace-events', 'Ex');
  assert.equal(await s.call('SUBSCRIBE', '__keyevent@0__:expired'), '*3\r\n$9\r\nsubscribe\r\n$22\r\n__keyevent@0__:expired\r\n:1\r\n');
  await c.call('SET', 'gone', 'v', 'PX', '20');
  assert.equal(await s.read(2000), '*3\r\n$7\r\nmessage\r\n$22\r\n__keyevent@0__:expired\r\n$4\r\ngone\r\n');
  await c.call('CONFIG', 'SET', 'notify-keyspace-events', '');
  c.close();
  s.close();
});

test('publish to many subscribers delivers to all, and closed subscribers are removed', async () => {
  const subs: RawClient[] = [];
  for (let i = 0; i < 20; i++) {
    const s = await RawClient.connect(srv.port);
    await s.call('SUBSCRIBE', 'fan');
    subs.push(s);
  }
  const p = await RawClient.connect(srv.port);
  assert.equal(await p.call('PUBLISH', 'fan', 'x'), ':20\r\n');
  for (const s of subs) assert.equal(await s.read(), '*3\r\n$7\r\nmessage\r\n$3\r\nfan\r\n$1\r\nx\r\n');
  for (const s of subs.slice(0, 10)) s.close();
  await sleep(50);
  assert.equal(await p.call('PUBLISH', 'fan', 'y'), ':10\r\n');
  assert.equal(await p.call('PUBSUB', 'NUMSUB', 'fan'), '*2\r\n$3\r\nfan\r\n:10\r\n');
  for (const s of subs.slice(10)) s.close();
  p.close();
});

import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startNodis, startOracle, RawClient, encodeCommand, sleep, type RunningServer, type Oracle } from '../helpers';
import { Stream, PendingList, parseStreamId, type NACK } from '../../src/types/stream';

let srv: RunningServer;
let c: RawClient;

before(async () => {
  srv = await startNodis({ manualClock: true });
  c = await RawClient.connect(srv.port);
});

after(async () => {
  c.close();
  await srv.close();
});

/** Bulk reply text. */
const bulk = (s: string): string => `$${s.length}\r\n${s}\r\n`;
/** One entry in RESP2: [id, [f, v, ...]]. */
const entry = (id: string, ...fv: string[]): string => `*2\r\n${bulk(id)}*${fv.length}\r\n${fv.map(bulk).join('')}`;

// ----------------------------------------------------------------------------
// Data structure
// ----------------------------------------------------------------------------

test('stream IDs parse as Redis does (64-bit, partial, strtoull quirks)', () => {
  assert.deepEqual(parseStreamId('18446744073709551615-18446744073709551615', 0n, true), {
    ms: 18446744073709551615n, seq: 18446744073709551615n, seqGiven: true,
  });
  assert.equal(parseStreamId('18446744073709551616', 0n, true), null);
  assert.deepEqual(parseStreamId('5', 7n, true), { ms: 5n, seq: 7n, seqGiven: true });
  assert.deepEqual(parseStreamId('5-*', 0n, true, true), { ms: 5n, seq: 0n, seqGiven: false });
  assert.equal(parseStreamId('5-*', 0n, true, false), null);
  assert.equal(parseStreamId('-', 0n, true), null);
  assert.deepEqual(parseStreamId('+', 0n, false), { ms: 18446744073709551615n, seq: 18446744073709551615n, seqGiven: true });
  assert.equal(parseStreamId('-1', 0n, true), null);
  assert.deepEqual(parseStreamId(' 12', 0n, true), { ms: 12n, seq: 0n, seqGiven: true });
  assert.equal(parseStreamId('1-2-3', 0n, true), null);
});

test('blocks split at stream-node-max-entries and tombstones stay until a block is empty', () => {
  const s = new Stream();
  const lim = { maxEntries: 3, maxBytes: 4096 };
  for (let i = 1; i <= 7; i++) s.appendEntry({ ms: BigInt(i), seq: 0n }, ['f', String(i)], 0, 2, lim);
  assert.equal(s.blocks.length, 3);
  assert.equal(s.length, 7);
  assert.ok(s.deleteEntry({ ms: 2n, seq: 0n }));
  assert.equal(s.blocks.length, 3);
  assert.ok(s.deleteEntry({ ms: 1n, seq: 0n }));
  assert.ok(s.deleteEntry({ ms: 3n, seq: 0n }));
  assert.equal(s.blocks.length, 2);
  assert.deepEqual(s.firstId(), { ms: 4n, seq: 0n });
  const seen: string[] = [];
  s.range({ ms: 0n, seq: 0n }, { ms: 100n, seq: 0n }, true, (b, i) => {
    seen.push(b.value(i, 0));
    return true;
  });
  assert.deepEqual(seen, ['7', '6', '5', '4']);
});

test('pending lists keep order through inserts and removals in chunks', () => {
  const p = new PendingList();
  const mk = (n: number): NACK => ({ ms: BigInt(n), seq: 0n, deliveryTime: 0, deliveryCount: 1, consumer: null });
  for (let i = 0; i < 3000; i += 2) p.insert(mk(i));
  for (let i = 1; i < 3000; i += 2) p.insert(mk(i));
  assert.equal(p.size, 3000);
  assert.equal(p.insert(mk(10)), false);
  for (let i = 0; i < 3000; i += 3) assert.ok(p.remove(BigInt(i), 0n));
  let prev = -1n;
  let n = 0;
  for (const x of p) {
    assert.ok(x.ms > prev);
    prev = x.ms;
    n++;
  }
  assert.equal(n, p.size);
  assert.equal(p.ceiling(3n, 0n)?.ms, 4n);
  assert.equal(p.higher(4n, 0n)?.ms, 5n);
});

// ----------------------------------------------------------------------------
// Commands
// ----------------------------------------------------------------------------

test('XADD with explicit, partial and generated IDs; 64-bit edges', async () => {
  await c.call('DEL', 's');
  assert.equal(await c.call('XADD', 's', '123-456', 'a', '1'), bulk('123-456'));
  assert.equal(await c.call('XADD', 's', '123-*', 'a', '2'), bulk('123-457'));
  assert.equal(await c.call('XADD', 's', '789-*', 'a', '3'), bulk('789-0'));
  assert.equal(await c.call('XADD', 's', '42-*', 'a', '4'), '-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n');
  assert.equal(await c.call('XADD', 's', '0-0', 'a', '4'), '-ERR The ID specified in XADD must be greater than 0-0\r\n');
  assert.equal(await c.call('XADD', 's', '*', 'a'), "-ERR wrong number of arguments for 'xadd' command\r\n");
  const now = srv.clock.now();
  assert.equal(await c.call('XADD', 's', '*', 'a', '5'), bulk(`${now}-0`));
  assert.equal(await c.call('XADD', 's', '*', 'a', '6'), bulk(`${now}-1`));
  await c.call('DEL', 'big');
  await c.call('XADD', 'big', '18446744073709551615-18446744073709551615', 'a', 'b');
  assert.equal(await c.call('XADD', 'big', '*', 'c', 'd'), '-ERR The stream has exhausted the last possible ID, unable to add more items\r\n');
  await c.call('DEL', 'big');
  await c.call('XADD', 'big', '1-18446744073709551615', 'a', 'b');
  assert.equal(await c.call('XADD', 'big', '1-*', 'c', 'd'), '-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n');
  assert.equal(await c.call('XADD', 'big', '*', 'c', 'd'), bulk(`${now}-0`));
  assert.equal(await c.call('XADD', 'nos', 'NOMKSTREAM', '*', 'a', 'b'), '$-1\r\n');
  assert.equal(await c.call('EXISTS', 'nos'), ':0\r\n');
});

test('XRANGE/XREVRANGE with exclusive bounds and COUNT', async () => {
  await c.call('DEL', 'v');
  const ids = ['0-1', '0-18446744073709551615', '1-0', '42-0', '42-42', '18446744073709551615-18446744073709551614', '18446744073709551615-18446744073709551615'];
  for (const id of ids) await c.call('XADD', 'v', id, 'foo', 'bar');
  assert.equal(await c.call('XRANGE', 'v', '(0-1', '(1-0'), `*1\r\n${entry('0-18446744073709551615', 'foo', 'bar')}`);
  assert.equal(await c.call('XRANGE', 'v', '(1-0', '(42-42'), `*1\r\n${entry('42-0', 'foo', 'bar')}`);
  assert.equal(await c.call('XREVRANGE', 'v', '+', '-', 'COUNT', '1'), `*1\r\n${entry('18446744073709551615-18446744073709551615', 'foo', 'bar')}`);
  assert.equal(await c.call('XRANGE', 'v', '(-', '+'), '-ERR Invalid stream ID specified as stream command argument\r\n');
  assert.equal(await c.call('XRANGE', 'v', '(18446744073709551615-18446744073709551615', '+'), '-ERR invalid start ID for the interval\r\n');
  assert.equal(await c.call('XRANGE', 'v', '-', '(0-0'), '-ERR invalid end ID for the interval\r\n');
  assert.equal(await c.call('XRANGE', 'v', '-', '+', 'COUNT', '0'), '*-1\r\n');
  assert.equal(await c.call('XRANGE', 'nokey', '-', '+'), '*0\r\n');
  assert.equal(await c.call('XLEN', 'v'), ':7\r\n');
});

test('XTRIM and XADD trimming: exact, approximate by whole nodes, LIMIT', async () => {
  await c.call('CONFIG', 'SET', 'stream-node-max-entries', '100');
  await c.call('DEL', 't');
  for (let i = 1; i <= 1000; i++) c.write(encodeCommand(['XADD', 't', `${i}-0`, 'x', String(i)]));
  for (let i = 1; i <= 1000; i++) await c.read();
  assert.equal(await c.call('XTRIM', 't', 'MAXLEN', '~', '555'), ':400\r\n');
  assert.equal(await c.call('XLEN', 't'), ':600\r\n');
  assert.equal(await c.call('XTRIM', 't', 'MAXLEN', '=', '555'), ':45\r\n');
  assert.equal(await c.call('XTRIM', 't', 'MINID', '500'), ':54\r\n');
  assert.equal(await c.call('XTRIM', 't', 'MAXLEN', '1', 'LIMIT', '30'), '-ERR syntax error, LIMIT cannot be used without the special ~ option\r\n');
  // The first node holds one live entry (500-0) and its tombstones: it goes whole.
  assert.equal(await c.call('XTRIM', 't', 'MAXLEN', '~', '0', 'LIMIT', '99'), ':1\r\n');
  assert.equal(await c.call('XTRIM', 't', 'MAXLEN', '~', '0', 'LIMIT', '99'), ':0\r\n');
  assert.equal(await c.call('XTRIM', 't', 'MAXLEN', '~', '0', 'LIMIT', '100'), ':100\r\n');
  await c.call('CONFIG', 'SET', 'stream-node-max-entries', '10');
  await c.call('DEL', 'l');
  for (let i = 0; i < 100; i++) await c.call('XADD', 'l', '*', 'xitem', 'v');
  await c.call('XADD', 'l', 'MAXLEN', '~', '55', 'LIMIT', '30', '*', 'xitem', 'v');
  assert.equal(await c.call('XLEN', 'l'), ':71\r\n');
  await c.call('CONFIG', 'SET', 'stream-node-max-entries', '100');
});

test('XDEL, XSETID and the XINFO STREAM counters', async () => {
  await c.call('DEL', 'x');
  for (const id of ['1-0', '2-0', '3-0', '4-0', '5-0']) await c.call('XADD', 'x', id, 'data', 'a');
  assert.equal(await c.call('XDEL', 'x', '2-0', '9-9'), ':1\r\n');
  assert.equal(await c.call('XDEL', 'x', '1-0'), ':1\r\n');
  const info = await c.call('XINFO', 'STREAM', 'x');
  assert.ok(info.includes(`${bulk('max-deleted-entry-id')}${bulk('2-0')}`));
  assert.ok(info.includes(`${bulk('recorded-first-entry-id')}${bulk('3-0')}`));
  assert.ok(info.includes(`${bulk('entries-added')}:5\r\n`));
  assert.equal(await c.call('XSETID', 'x', '1-0'), '-ERR The ID specified in XSETID is smaller than the target stream top item\r\n');
  assert.equal(await c.call('XSETID', 'x', '9-0', 'ENTRIESADDED', '2'), '-ERR The entries_added specified in XSETID is smaller than the target stream length\r\n');
  assert.equal(await c.call('XSETID', 'x', '9-0', 'ENTRIESADDED', '9', 'MAXDELETEDID', '8-0'), '+OK\r\n');
  assert.equal(await c.call('XSETID', 'nokey', '1-0'), '-ERR no such key\r\n');
  assert.equal(await c.call('XSETID', 'x', '1-1', '0'), '-ERR syntax error\r\n');
});

test('consumer groups: XREADGROUP, XPENDING, XACK, XCLAIM, XAUTOCLAIM', async () => {
  await c.call('DEL', 'x');
  for (const id of ['1-0', '2-0', '3-0']) await c.call('XADD', 'x', id, 'f', 'v');
  assert.equal(await c.call('XGROUP', 'CREATE', 'x', 'grp', '0'), '+OK\r\n');
  assert.equal(await c.call('XGROUP', 'CREATE', 'x', 'grp', '0'), '-BUSYGROUP Consumer Group name already exists\r\n');
  assert.equal(
    await c.call('XREADGROUP', 'GROUP', 'grp', 'Alice', 'STREAMS', 'x', '>'),
    `*1\r\n*2\r\n${bulk('x')}*3\r\n${entry('1-0', 'f', 'v')}${entry('2-0', 'f', 'v')}${entry('3-0', 'f', 'v')}`,
  );
  srv.clock.advance(100);
  assert.equal(await c.call('XPENDING', 'x', 'grp'), `*4\r\n:3\r\n${bulk('1-0')}${bulk('3-0')}*1\r\n*2\r\n${bulk('Alice')}${bulk('3')}`);
  assert.equal(await c.call('XPENDING', 'x', 'grp', 'IDLE', '50', '-', '+', '1'), `*1\r\n*4\r\n${bulk('1-0')}${bulk('Alice')}:100\r\n:1\r\n`);
  await c.call('XDEL', 'x', '2-0');
  assert.equal(await c.call('XCLAIM', 'x', 'grp', 'Bob', '0', '1-0', '2-0', '3-0'), `*2\r\n${entry('1-0', 'f', 'v')}${entry('3-0', 'f', 'v')}`);
  assert.equal(await c.call('XPENDING', 'x', 'grp', '-', '+', '10', 'Alice'), '*0\r\n');
  assert.equal(await c.call('XACK', 'x', 'grp', '1-0', 'bad'), '-ERR Invalid stream ID specified as stream command argument\r\n');
  assert.equal(await c.call('XACK', 'x', 'grp', '1-0'), ':1\r\n');
  await c.call('DEL', 'y');
  for (const id of ['1-0', '2-0', '3-0']) await c.call('XADD', 'y', id, 'f', 'v');
  await c.call('XGROUP', 'CREATE', 'y', 'grp', '0');
  await c.call('XREADGROUP', 'GROUP', 'grp', 'Alice', 'STREAMS', 'y', '>');
  await c.call('XDEL', 'y', '1-0', '2-0');
  assert.equal(await c.call('XAUTOCLAIM', 'y', 'grp', 'Bob', '0', '0-0', 'COUNT', '1'), `*3\r\n${bulk('2-0')}*0\r\n*1\r\n${bulk('1-0')}`);
  assert.equal(await c.call('XAUTOCLAIM', 'y', 'grp', 'Bob', '0', '2-0', 'COUNT', '1'), `*3\r\n${bulk('3-0')}*0\r\n*1\r\n${bulk('2-0')}`);
  assert.equal(await c.call('XAUTOCLAIM', 'y', 'grp', 'Bob', '0', '3-0', 'COUNT', '1'), `*3\r\n${bulk('0-0')}*1\r\n${entry('3-0', 'f', 'v')}*0\r\n`);
  assert.equal(await c.call('XAUTOCLAIM', 'y', 'grp', 'Bob', '0', '3-0', 'COUNT', '0'), '-ERR COUNT must be > 0\r\n');
  assert.equal(await c.call('XREADGROUP', 'GROUP', 'nogrp', 'a', 'STREAMS', 'y', '>'), "-NOGROUP No such key 'y' or consumer group 'nogrp' in XREADGROUP with GROUP option\r\n");
});

test('XINFO GROUPS reports entries-read and lag as Redis 7', async () => {
  await c.call('DEL', 'x');
  for (const id of ['1-0', '2-0', '3-0', '4-0', '5-0']) await c.call('XADD', 'x', id, 'data', 'a');
  await c.call('XGROUP', 'CREATE', 'x', 'g1', '0');
  const info = async (): Promise<string> => c.call('XINFO', 'GROUPS', 'x');
  assert.ok((await info()).endsWith(`${bulk('entries-read')}$-1\r\n${bulk('lag')}:5\r\n`));
  await c.call('XREADGROUP', 'GROUP', 'g1', 'c1', 'COUNT', '1', 'STREAMS', 'x', '>');
  assert.ok((await info()).endsWith(`${bulk('entries-read')}:1\r\n${bulk('lag')}:4\r\n`));
  await c.call('XDEL', 'x', '3-0');
  assert.ok((await info()).endsWith(`${bulk('entries-read')}:1\r\n${bulk('lag')}$-1\r\n`));
  await c.call('XREADGROUP', 'GROUP', 'g1', 'c1', 'STREAMS', 'x', '>');
  assert.ok((await info()).endsWith(`${bulk('entries-read')}:5\r\n${bulk('lag')}:0\r\n`));
  const cons = await c.call('XINFO', 'CONSUMERS', 'x', 'g1');
  assert.ok(cons.startsWith(`*1\r\n*8\r\n${bulk('name')}${bulk('c1')}${bulk('pending')}:4\r\n${bulk('idle')}:0\r\n${bulk('inactive')}:0\r\n`));
});

test('blocking XREAD: woken in blocking order by XADD, inside MULTI too; $ resolved at block time', async () => {
  await c.call('DEL', 'b');
  const r1 = await RawClient.connect(srv.port);
  const r2 = await RawClient.connect(srv.port);
  r1.write(encodeCommand(['XREAD', 'BLOCK', '0', 'STREAMS', 'b', '$']));
  await sleep(20);
  r2.write(encodeCommand(['XREAD', 'COUNT', '1', 'BLOCK', '0', 'STREAMS', 'b', '$']));
  await sleep(20);
  await c.call('MULTI');
  await c.call('XADD', 'b', '1-0', 'k', 'one');
  await c.call('XADD', 'b', '2-0', 'k', 'two');
  await c.call('EXEC');
  assert.equal(await r1.read(), `*1\r\n*2\r\n${bulk('b')}*2\r\n${entry('1-0', 'k', 'one')}${entry('2-0', 'k', 'two')}`);
  assert.equal(await r2.read(), `*1\r\n*2\r\n${bulk('b')}*1\r\n${entry('1-0', 'k', 'one')}`);
  // A timeout replies a null array.
  r1.write(encodeCommand(['XREAD', 'BLOCK', '30', 'STREAMS', 'b', '$']));
  assert.equal(await r1.read(), '*-1\r\n');
  // XADD + DEL in a transaction does not wake; a later XADD does.
  r1.write(encodeCommand(['XREAD', 'BLOCK', '0', 'STREAMS', 'nb', '$']));
  await sleep(20);
  await c.call('MULTI');
  await c.call('XADD', 'nb', '5-0', 'old', 'x');
  await c.call('DEL', 'nb');
  await c.call('EXEC');
  await c.call('XADD', 'nb', '6-0', 'new', 'y');
  assert.equal(await r1.read(), `*1\r\n*2\r\n${bulk('nb')}*1\r\n${entry('6-0', 'new', 'y')}`);
  r1.close();
  r2.close();
});

test('blocking XREADGROUP: one entry per waiter in order; -NOGROUP on DEL and DESTROY; WRONGTYPE on SET', async () => {
  await c.call('DEL', 'g');
  await c.call('XGROUP', 'CREATE', 'g', 'grp', '$', 'MKSTREAM');
  const rs = await Promise.all([0, 1, 2].map(() => RawClient.connect(srv.port)));
  for (let i = 0; i < 3; i++) {
    rs[i].write(encodeCommand(['XREADGROUP', 'GROUP', 'grp', `c${i}`, 'COUNT', '1', 'BLOCK', '0', 'STREAMS', 'g', '>']));
    await sleep(15);
  }
  await c.call('XADD', 'g', '1-0', 'n', '1');
  await c.call('XADD', 'g', '2-0', 'n', '2');
  assert.equal(await rs[0].read(), `*1\r\n*2\r\n${bulk('g')}*1\r\n${entry('1-0', 'n', '1')}`);
  assert.equal(await rs[1].read(), `*1\r\n*2\r\n${bulk('g')}*1\r\n${entry('2-0', 'n', '2')}`);
  await c.call('DEL', 'g');
  assert.equal(await rs[2].read(), "-NOGROUP No such key 'g' or consumer group 'grp' in XREADGROUP with GROUP option\r\n");
  await c.call('XGROUP', 'CREATE', 'g', 'grp', '$', 'MKSTREAM');
  rs[0].write(encodeCommand(['XREADGROUP', 'GROUP', 'grp', 'a', 'BLOCK', '0', 'STREAMS', 'g', '>']));
  await sleep(20);
  await c.call('XGROUP', 'DESTROY', 'g', 'grp');
  assert.match(await rs[0].read(), /^-NOGROUP /);
  await c.call('XGROUP', 'CREATE', 'g', 'grp', '$');
  rs[1].write(encodeCommand(['XREADGROUP', 'GROUP', 'grp', 'a', 'BLOCK', '0', 'STREAMS', 'g', '>']));
  await sleep(20);
  await c.call('SET', 'g', 'str');
  assert.match(await rs[1].read(), /^-WRONGTYPE /);
  for (const r of rs) r.close();
});

test('blocking XREAD is woken by an XADD from a script, and replies a RESP3 map', async (t) => {
  if (!(await c.call('COMMAND', 'INFO', 'EVAL')).startsWith('*1\r\n*')) {
    t.skip('no scripting');
    return;
  }
  await c.call('DEL', 'sc');
  const r = await RawClient.connect(srv.port);
  await r.call('HELLO', '3');
  r.write(encodeCommand(['XREAD', 'BLOCK', '0', 'STREAMS', 'sc', '$']));
  await sleep(20);
  await c.call('EVAL', "return redis.call('XADD', KEYS[1], '7-0', 'from', 'lua')", '1', 'sc');
  assert.equal(await r.read(), `%1\r\n${bulk('sc')}*1\r\n${entry('7-0', 'from', 'lua')}`);
  assert.match(
    await c.call('EVAL', "return redis.call('XREAD', 'BLOCK', '0', 'STREAMS', KEYS[1], '$')", '1', 'sc'),
    /^-ERR XREAD command is not allowed with BLOCK option from scripts/,
  );
  r.close();
});

test('propagation: generated IDs, exact trims and XREADGROUP effects', async () => {
  const seen: string[][] = [];
  const hook = (_db: number, args: string[]): void => {
    seen.push(args.slice());
  };
  srv.server.propagateHooks.push(hook);
  try {
    await c.call('DEL', 'p');
    const now = srv.clock.now();
    await c.call('XADD', 'p', 'MAXLEN', '~', '10', '*', 'a', 'b');
    assert.deepEqual(seen.at(-1), ['XADD', 'p', 'MAXLEN', '=', '1', `${now}-0`, 'a', 'b']);
    await c.call('XGROUP', 'CREATE', 'p', 'g', '0');
    seen.length = 0;
    await c.call('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 'p', '>');
    // Redis 7.2 (upstream unit/multi "MULTI propagation of XREADGROUP"): the XCLAIM alone carries the
    // new consumer and the group's last ID.
    assert.deepEqual(seen, [
      ['XCLAIM', 'p', 'g', 'alice', '0', `${now}-0`, 'TIME', String(now), 'RETRYCOUNT', '1', 'FORCE', 'JUSTID', 'LASTID', `${now}-0`],
    ]);
  } finally {
    srv.server.propagateHooks.splice(srv.server.propagateHooks.indexOf(hook), 1);
  }
});

test('a 1M-entry stream: bounded memory and time', async () => {
  const s = new Stream();
  const lim = { maxEntries: 100, maxBytes: 4096 };
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = Date.now();
  const pair = ['item', ''];
  for (let i = 0; i < 1_000_000; i++) {
    pair[1] = String(i);
    s.appendEntry({ ms: 1700000000000n + BigInt(i >> 4), seq: BigInt(i & 15) }, pair, 0, 2, lim);
  }
  const tAdd = Date.now() - t0;
  const heap = process.memoryUsage().heapUsed - heap0;
  assert.equal(s.length, 1_000_000);
  assert.equal(s.blocks.length, 10_000);
  // Far below a per-entry object layout (well under 100 bytes an entry).
  assert.ok(heap < 100 * 1_000_000, `heap grew by ${heap} bytes`);
  const t1 = Date.now();
  let n = 0;
  s.range({ ms: 1700000000000n + 30000n, seq: 0n }, { ms: 1700000000000n + 30000n + 625n, seq: 15n }, false, () => {
    n++;
    return true;
  });
  assert.equal(n, 626 * 16);
  for (let i = 0; i < 10_000; i++) s.deleteEntry({ ms: 1700000000000n + BigInt(i * 6), seq: 3n });
  const trimmed = s.trim({ strategy: 1, maxlen: 500_000, minid: { ms: 0n, seq: 0n }, approx: true, limit: 0 });
  assert.ok(trimmed > 480_000);
  const tOps = Date.now() - t1;
  assert.ok(tAdd < 60000 && tOps < 30000, `add ${tAdd} ms, ops ${tOps} ms`);
});

test('differential: XADD/XRANGE/XREADGROUP/XPENDING sequences match redis-server', async (t) => {
  const oracle: Oracle | null = await startOracle();
  if (oracle === null) {
    t.skip('redis-server not installed');
    return;
  }
  const r = await RawClient.connect(oracle.port);
  const mine = await RawClient.connect(srv.port);
  const seqs: string[][] = [];
  const q = (...a: string[]): number => seqs.push(a);
  q('DEL', 'd', 'e');
  for (let i = 1; i <= 250; i++) q('XADD', 'd', `${i}-${i % 3}`, 'f', `v${i}`, ...(i % 10 === 0 ? ['g', String(i)] : []));
  q('XLEN', 'd');
  q('XRANGE', 'd', '100', '120', 'COUNT', '5');
  q('XREVRANGE', 'd', '(200-2', '190');
  q('XINFO', 'STREAM', 'd');
  q('XTRIM', 'd', 'MAXLEN', '~', '120');
  q('XTRIM', 'd', 'MINID', '140');
  q('XDEL', 'd', '141-0', '150-0', '250-1', '9999');
  q('XINFO', 'STREAM', 'd', 'FULL', 'COUNT', '3');
  q('XGROUP', 'CREATE', 'd', 'g1', '0');
  q('XGROUP', 'CREATE', 'd', 'g2', '$', 'ENTRIESREAD', '3');
  q('XGROUP', 'CREATE', 'e', 'g', '$');
  q('XGROUP', 'CREATE', 'e', 'g', '$', 'MKSTREAM');
  q('XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '3', 'STREAMS', 'd', '>');
  q('XREADGROUP', 'GROUP', 'g1', 'bob', 'COUNT', '2', 'STREAMS', 'd', 'e', '>', '>');
  q('XREADGROUP', 'GROUP', 'g1', 'alice', 'STREAMS', 'd', '0');
  q('XREADGROUP', 'GROUP', 'g1', 'alice', 'NOACK', 'COUNT', '2', 'STREAMS', 'd', '>');
  q('XPENDING', 'd', 'g1');
  q('XPENDING', 'd', 'g1', '-', '+', '10', 'nobody');
  q('XACK', 'd', 'g1', '140-2', '142-1', '1-0');
  q('XPENDING', 'd', 'g1');
  q('XCLAIM', 'd', 'g1', 'carol', '0', '143-2', '144-0', 'JUSTID');
  q('XCLAIM', 'd', 'g1', 'carol', '0', '145-1', 'RETRYCOUNT', '7', 'FORCE', 'LASTID', '150-0');
  q('XCLAIM', 'd', 'g1', 'carol', '0', '145-1', 'BOGUS');
  q('XINFO', 'GROUPS', 'd');
  q('XGROUP', 'SETID', 'd', 'g1', '$');
  q('XGROUP', 'DELCONSUMER', 'd', 'g1', 'bob');
  q('XGROUP', 'CREATECONSUMER', 'd', 'g1', 'bob');
  q('XGROUP', 'DESTROY', 'd', 'g2');
  q('XINFO', 'GROUPS', 'd');
  q('XREAD', 'COUNT', '2', 'STREAMS', 'd', 'e', '200', '0');
  q('XREAD', 'STREAMS', 'd', '$');
  q('XREAD', 'STREAMS', 'd');
  q('XADD', 'd', 'MAXLEN', '5', 'MINID', '5', '*', 'a', 'b');
  q('XADD', 'd', 'LIMIT', '5', '*', 'a', 'b');
  q('XSETID', 'd', '300-0', 'ENTRIESADDED', '500', 'MAXDELETEDID', '260-0');
  q('XINFO', 'STREAM', 'd');
  try {
    for (const cmd of seqs) {
      const a = await mine.call(...cmd);
      const b = await r.call(...cmd);
      assert.equal(a, b, `reply to ${cmd.join(' ')}`);
    }
  } finally {
    mine.close();
    r.close();
    await oracle.close();
  }
});

/*
 * RDB and DUMP interoperability with Debian's redis-server 7.0, every type.
 *
 * One dataset (strings incl. integers and large values, lists, hashes, sets
 * and sorted sets in small and large encodings, streams with consumer groups
 * and pending entries, expiries, keys in several databases) is written to
 * one server, persisted, and loaded by the other; the contents are compared
 * through commands (TYPE, PTTL within a tolerance, the full value per type,
 * XINFO STREAM/GROUPS/CONSUMERS and XPENDING for streams).
 *
 * Redis 7.0 reads RDB version <= 10 only; Nodis writes 11 unless started with
 * NODIS_RDB_VERSION=10. Both are exercised: version 11 must be refused by
 * 7.0 (as it refuses real 7.2 files), version 10 must load.
 *
 * Both servers are real processes (bin/nodis-server, redis-server) on temp
 * dirs. Skipped when redis-server is not installed.
 */

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RawClient, freePort, haveRedisServer, sleep } from '../helpers';
import { cmd, pipeline, type Resp } from './util';

const HAVE_REDIS = haveRedisServer();
const BIN = join(__dirname, '..', '..', '..', 'bin', 'nodis-server');
const DBS = [0, 3, 15];
/** PTTLs of the two sides may differ by the time spent copying and restarting. */
const TTL_TOLERANCE_MS = 120000;

const dirs: string[] = [];
const children = new Set<ChildProcess>();
after(() => {
  for (const c of children) c.kill('SIGKILL');
  if (process.env.NODIS_KEEP_TEST_DIRS === undefined) for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

function tempDir(tag: string): string {
  const d = mkdtempSync(join(tmpdir(), `nodis-interop-${tag}-`));
  dirs.push(d);
  return d;
}

interface Proc {
  port: number;
  child: ChildProcess;
  log: () => string;
  stop(): Promise<void>;
}

/** Start nodis-server or redis-server on `dir`; resolves once it logged readiness, rejects if it exits. */
async function startProc(kind: 'nodis' | 'redis', dir: string, env: Record<string, string> = {}): Promise<Proc> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--enable-debug-command', 'yes'];
  const child = kind === 'nodis' ? spawn(BIN, [...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } }) : spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 60000;
  while (!out.includes('Ready to accept connections')) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${kind} exited with ${child.exitCode}:\n${out}`);
    if (Date.now() > deadline) throw new Error(`${kind} did not become ready:\n${out}`);
    await sleep(20);
  }
  const stop = (): Promise<void> =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise((r) => {
          child.once('exit', () => r());
          child.kill('SIGKILL');
        });
  return { port, child, log: () => out, stop };
}

/** Run a server on `dir` expecting it to refuse to start; resolves with its output. */
function expectRefusal(kind: 'redis', dir: string): Promise<{ code: number | null; log: string }> {
  return new Promise((res) => {
    void freePort().then((port) => {
      const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.add(child);
      let out = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        children.delete(child);
        res({ code, log: `${kind}: ${out}` });
      });
    });
  });
}

/* ------------------------------------------------------------------ */
/* The dataset                                                          */

/** Deterministic bytes: incompressible when `noisy`. */
function bytes(n: number, seed: number, noisy: boolean): string {
  let s = '';
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    s += String.fromCharCode(noisy ? x & 255 : 97 + (i % 3));
  }
  return s;
}

/** Commands that fill one database with every type; `p` prefixes the keys. */
function dataset(db: number): string[][] {
  const p = `db${db}:`;
  const c: string[][] = [];
  // Strings: integer encodings (8/16/32 bit and beyond), text, binary, LZF-compressible and incompressible large values.
  c.push(['SET', p + 'i8', '12'], ['SET', p + 'i16', '-1234'], ['SET', p + 'i32', '2000000000'], ['SET', p + 'i64', '9223372036854775807'], ['SET', p + 'imin', '-9223372036854775808']);
  c.push(['SET', p + 'not-canonical-int', '007'], ['SET', p + 'float', '3.14159'], ['SET', p + 'empty', ''], ['SET', p + 'text', 'hello world']);
  let bin = '';
  for (let i = 0; i < 256; i++) bin += String.fromCharCode(i);
  c.push(['SET', p + 'binary', bin]);
  c.push(['SET', p + 'large-compressible', bytes(200000, db + 1, false)], ['SET', p + 'large-random', bytes(300000, db + 7, true)]);
  c.push(['INCRBY', p + 'counter', String(1000 + db)], ['APPEND', p + 'appended', 'abc'], ['APPEND', p + 'appended', 'def']);
  // Lists: listpack, multi-node quicklist, a node with one big element, ints.
  c.push(['RPUSH', p + 'list-small', 'a', '1', '-2', 'bb', '']);
  for (let i = 0; i < 5000; i += 500) {
    const cmd = ['RPUSH', p + 'list-large'];
    for (let j = i; j < i + 500; j++) cmd.push(j % 7 === 0 ? String(j * 1000) : j % 11 === 0 ? 'long-' + 'z'.repeat(100 + (j % 50)) : 'e' + j);
    c.push(cmd);
  }
  c.push(['LPUSH', p + 'list-large', 'head'], ['LREM', p + 'list-large', '3', 'e1']);
  c.push(['RPUSH', p + 'list-bigelem', 'x', bytes(20000, 99, true), 'y']);
  // Hashes: listpack, hashtable by count, hashtable by value length.
  c.push(['HSET', p + 'hash-small', 'a', '1', 'b', 'two', 'c', '-3', 'empty', '']);
  for (let i = 0; i < 1000; i += 250) {
    const cmd = ['HSET', p + 'hash-large'];
    for (let j = i; j < i + 250; j++) cmd.push('field:' + j, j % 2 ? String(j) : 'val:' + j);
    c.push(cmd);
  }
  c.push(['HDEL', p + 'hash-large', 'field:10', 'field:11']);
  c.push(['HSET', p + 'hash-longval', 'f', 'v'.repeat(200), 'g', '1']);
  // Sets: intset (16/32/64-bit), large intset -> hashtable, small strings, large strings.
  c.push(['SADD', p + 'intset16', '1', '2', '3', '-100']);
  c.push(['SADD', p + 'intset64', '1', '70000', '5000000000', '-9223372036854775808']);
  const bigInts = ['SADD', p + 'intset-large'];
  for (let i = 0; i < 1000; i++) bigInts.push(String(i * 7 - 3000));
  c.push(bigInts);
  c.push(['SADD', p + 'set-small', 'a', 'b', 'c', '1', '']);
  const bigSet = ['SADD', p + 'set-large'];
  for (let i = 0; i < 1000; i++) bigSet.push('member:' + i);
  c.push(bigSet);
  c.push(['SREM', p + 'set-large', 'member:5']);
  // Sorted sets: listpack (odd scores incl. inf), skiplist by count, skiplist by member length.
  c.push(['ZADD', p + 'zset-small', '1', 'one', '2.5', 'two.five', '-3', 'minus', 'inf', 'top', '-inf', 'bottom', '0', 'zero', '1e-10', 'tiny', '1234567.125', 'exact']);
  const bigZ = ['ZADD', p + 'zset-large'];
  for (let i = 0; i < 600; i++) bigZ.push(String((i * 37) % 101 + i / 7), 'm' + i);
  c.push(bigZ);
  c.push(['ZADD', p + 'zset-longmember', '1', 'x'.repeat(100), '2', 'y']);
  c.push(['ZINCRBY', p + 'zset-large', '0.1', 'm3']);
  // Streams: entries with varying fields, deletions, trims, groups, consumers, pending entries.
  for (let i = 1; i <= 300; i++) {
    if (i % 10 === 0) c.push(['XADD', p + 'stream', `${1000 + i}-${i % 3}`, 'other', String(i), 'extra', 'e' + i]);
    else c.push(['XADD', p + 'stream', `${1000 + i}-${i % 3}`, 'field', String(i), 'name', 'n' + (i % 13)]);
  }
  c.push(['XDEL', p + 'stream', '1005-2', '1006-0', '1150-0']);
  c.push(['XGROUP', 'CREATE', p + 'stream', 'g1', '0']);
  c.push(['XGROUP', 'CREATE', p + 'stream', 'g2', '1150-0', 'ENTRIESREAD', '148']);
  c.push(['XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '10', 'STREAMS', p + 'stream', '>']);
  c.push(['XREADGROUP', 'GROUP', 'g1', 'bob', 'COUNT', '5', 'STREAMS', p + 'stream', '>']);
  c.push(['XACK', p + 'stream', 'g1', '1001-1', '1003-0']);
  c.push(['XCLAIM', p + 'stream', 'g1', 'bob', '0', '1002-2']);
  c.push(['XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '2', 'STREAMS', p + 'stream', '0']);
  c.push(['XREADGROUP', 'GROUP', 'g2', 'carol', 'COUNT', '3', 'STREAMS', p + 'stream', '>']);
  c.push(['XGROUP', 'CREATECONSUMER', p + 'stream', 'g1', 'dave']);
  c.push(['XADD', p + 'stream-trimmed', '1-1', 'a', '1'], ['XADD', p + 'stream-trimmed', '1-2', 'a', '2'], ['XADD', p + 'stream-trimmed', '5-0', 'b', '3'], ['XTRIM', p + 'stream-trimmed', 'MAXLEN', '2']);
  c.push(['XGROUP', 'CREATE', p + 'stream-empty', 'lonely', '$', 'MKSTREAM']);
  for (let i = 0; i < 1000; i += 200) {
    for (let j = i; j < i + 200; j++) c.push(['XADD', p + 'stream-large', '*', 'k', String(j), 'v', j % 5 === 0 ? 'big-' + 'q'.repeat(80) : 's' + j]);
  }
  c.push(['XGROUP', 'CREATE', p + 'stream-large', 'workers', '0']);
  c.push(['XREADGROUP', 'GROUP', 'workers', 'w1', 'COUNT', '150', 'STREAMS', p + 'stream-large', '>']);
  // Expiries on every type (far enough not to expire during the test).
  c.push(['SET', p + 'ttl-ex', 'v', 'EX', '100000'], ['SET', p + 'ttl-px', 'v', 'PX', '5000000'], ['SET', p + 'ttl-at', 'v', 'EXAT', '4102444800']);
  for (const k of ['list-small', 'hash-large', 'intset16', 'set-large', 'zset-small', 'stream', 'large-random']) c.push(['PEXPIRE', p + k, String(3000000 + db * 1000)]);
  return c;
}

async function fill(port: number): Promise<number> {
  const c = await RawClient.connect(port);
  let n = 0;
  for (const db of DBS) {
    await cmd(c, 'SELECT', String(db));
    const cmds = dataset(db);
    const replies = await pipeline(c, cmds);
    replies.forEach((r, i) => assert.ok(!(typeof r === 'string' && r.startsWith('ERR:')), `${cmds[i].join(' ').slice(0, 100)} -> ${String(r)}`));
    n += cmds.length;
  }
  c.close();
  return n;
}

/* ------------------------------------------------------------------ */
/* Comparable contents                                                 */

interface KeyState {
  type: string;
  pttl: number;
  value: string;
}

function pick(flat: Resp, names: string[]): Resp[] {
  const a = flat as Resp[];
  const out: Resp[] = [];
  for (let i = 0; i + 1 < a.length; i += 2) if (names.includes(a[i] as string)) out.push(a[i], a[i + 1]);
  return out;
}

/** Every key of the DBS databases: type, PTTL, full contents in a canonical form. */
async function snapshot(port: number): Promise<Map<string, KeyState>> {
  const c = await RawClient.connect(port);
  const out = new Map<string, KeyState>();
  for (const db of DBS) {
    await cmd(c, 'SELECT', String(db));
    const keys = ((await cmd(c, 'KEYS', '*')) as string[]).sort();
    for (const k of keys) {
      const type = (await cmd(c, 'TYPE', k)) as string;
      const pttl = (await cmd(c, 'PTTL', k)) as number;
      let v: Resp;
      switch (type) {
        case 'string':
          v = await cmd(c, 'GET', k);
          break;
        case 'list':
          v = await cmd(c, 'LRANGE', k, '0', '-1');
          break;
        case 'hash': {
          const a = (await cmd(c, 'HGETALL', k)) as string[];
          const pairs: string[] = [];
          for (let i = 0; i < a.length; i += 2) pairs.push(JSON.stringify([a[i], a[i + 1]]));
          v = pairs.sort();
          break;
        }
        case 'set':
          v = ((await cmd(c, 'SMEMBERS', k)) as string[]).sort();
          break;
        case 'zset':
          // Scores as numbers: 7.0 prints %.17g, 7.2 the shortest round-trip form.
          v = ((await cmd(c, 'ZRANGE', k, '0', '-1', 'WITHSCORES')) as string[]).map((x, i) => (i % 2 ? String(Number(x)) : x));
          break;
        case 'stream': {
          const groups: Resp[] = [];
          for (const g of (await cmd(c, 'XINFO', 'GROUPS', k)) as Resp[][]) {
            const name = g[1] as string;
            const summary = (await cmd(c, 'XPENDING', k, name)) as Resp[];
            const pel = ((await cmd(c, 'XPENDING', k, name, '-', '+', '100000')) as Resp[][]).map((e) => [e[0], e[1], e[3]]); // id, consumer, delivery count (not idle)
            const consumers = ((await cmd(c, 'XINFO', 'CONSUMERS', k, name)) as Resp[]).map((x) => pick(x, ['name', 'pending']));
            groups.push([pick(g, ['name', 'consumers', 'pending', 'last-delivered-id', 'entries-read', 'lag']), summary, pel, consumers]);
          }
          v = [
            await cmd(c, 'XRANGE', k, '-', '+'),
            await cmd(c, 'XLEN', k),
            pick(await cmd(c, 'XINFO', 'STREAM', k), ['length', 'last-generated-id', 'max-deleted-entry-id', 'entries-added', 'recorded-first-entry-id', 'groups', 'first-entry', 'last-entry']),
            groups,
          ];
          break;
        }
        default:
          v = `unexpected type ${type}`;
      }
      out.set(`${db}/${k}`, { type, pttl, value: JSON.stringify(v) });
    }
  }
  c.close();
  return out;
}

/** Assert `actual` holds exactly the keys of `expected` with the same types, values and TTLs (within tolerance). */
function assertSame(actual: Map<string, KeyState>, expected: Map<string, KeyState>, what: string): void {
  const problems: string[] = [];
  const cut = (s: string): string => (s.length > 300 ? s.slice(0, 300) + `... (${s.length} chars)` : s);
  for (const [k, e] of expected) {
    const a = actual.get(k);
    if (a === undefined) problems.push(`${k}: missing`);
    else if (a.type !== e.type) problems.push(`${k}: type ${a.type}, expected ${e.type}`);
    else if (a.value !== e.value) problems.push(`${k}: value\n    actual:   ${cut(a.value)}\n    expected: ${cut(e.value)}`);
    else if ((a.pttl < 0 || e.pttl < 0) && a.pttl !== e.pttl) problems.push(`${k}: pttl ${a.pttl}, expected ${e.pttl}`);
    else if (Math.abs(a.pttl - e.pttl) > TTL_TOLERANCE_MS) problems.push(`${k}: pttl ${a.pttl}, expected ${e.pttl} +- ${TTL_TOLERANCE_MS}`);
  }
  for (const k of actual.keys()) if (!expected.has(k)) problems.push(`${k}: unexpected key`);
  assert.equal(problems.length, 0, `${what}: ${problems.length} keys differ\n  ${problems.slice(0, 8).join('\n  ')}`);
}

function census(m: Map<string, KeyState>): string {
  const by = new Map<string, number>();
  let ttl = 0;
  for (const s of m.values()) {
    by.set(s.type, (by.get(s.type) ?? 0) + 1);
    if (s.pttl > 0) ttl++;
  }
  return `${m.size} keys in dbs ${DBS.join(',')} (${[...by].map(([t, n]) => `${n} ${t}`).join(', ')}; ${ttl} with TTL)`;
}

function rdbVersion(file: string): string {
  return readFileSync(file).subarray(0, 9).toString('latin1');
}

/* ------------------------------------------------------------------ */

test('redis-server 7.0 SAVE -> Nodis loads every type (start-up and DEBUG RELOAD)', { skip: !HAVE_REDIS, timeout: 180000 }, async (t) => {
  const rdir = tempDir('r');
  const r = await startProc('redis', rdir);
  const nCmds = await fill(r.port);
  const rc = await RawClient.connect(r.port);
  assert.equal(await rc.call('SAVE'), '+OK\r\n');
  rc.close();
  const expected = await snapshot(r.port);
  await r.stop();
  t.diagnostic(`redis-server filled with ${nCmds} commands: ${census(expected)}; file ${rdbVersion(join(rdir, 'dump.rdb'))}`);

  const ndir = tempDir('r2n');
  copyFileSync(join(rdir, 'dump.rdb'), join(ndir, 'dump.rdb'));
  const n = await startProc('nodis', ndir);
  assert.match(n.log(), /DB loaded from disk/);
  assertSame(await snapshot(n.port), expected, 'Nodis after loading redis-server 7.0 dump.rdb');
  // (A regression check too: DEBUG RELOAD after a start-up load that yielded to the event loop
  // used to leave the LOADING gate calling itself: stack overflow on every later command.)
  const nc = await RawClient.connect(n.port);
  assert.equal(await nc.call('DEBUG', 'RELOAD'), '+OK\r\n');
  assert.equal(await nc.call('PING'), '+PONG\r\n');
  nc.close();
  assertSame(await snapshot(n.port), expected, 'Nodis after DEBUG RELOAD');
  await n.stop();
  t.diagnostic(`Nodis loaded all ${expected.size} keys identically, and again after DEBUG RELOAD`);
});

test('Nodis SAVE -> redis-server 7.0 loads every type (version 10); version 11 refused by 7.0', { skip: !HAVE_REDIS, timeout: 180000 }, async (t) => {
  // Default writer: version 11 (Redis 7.2 format).
  const ndir = tempDir('n');
  const n11 = await startProc('nodis', ndir);
  await fill(n11.port);
  let c = await RawClient.connect(n11.port);
  assert.equal(await c.call('SAVE'), '+OK\r\n');
  c.close();
  const expected = await snapshot(n11.port);
  await n11.stop();
  assert.equal(rdbVersion(join(ndir, 'dump.rdb')), 'REDIS0011');
  const check11 = spawnSync('redis-check-rdb', [join(ndir, 'dump.rdb')], { encoding: 'utf8' });
  const r11dir = tempDir('n2r-11');
  copyFileSync(join(ndir, 'dump.rdb'), join(r11dir, 'dump.rdb'));
  const refused = await expectRefusal('redis', r11dir);
  assert.notEqual(refused.code, 0, 'redis-server 7.0 is expected to refuse an RDB version 11 file');
  assert.match(refused.log, /Can't handle RDB format version 11/);
  t.diagnostic(`version 11 file: redis-check-rdb exit ${check11.status} (${/RDB format version 11|Can't handle[^\n]*/.exec(check11.stdout + check11.stderr)?.[0] ?? 'no message'}), redis-server 7.0 refuses it: "Can't handle RDB format version 11" (expected, as for real 7.2 files)`);

  // Nodis loads its own version 11 file, then writes version 10.
  const n10 = await startProc('nodis', ndir, { NODIS_RDB_VERSION: '10' });
  assertSame(await snapshot(n10.port), expected, 'Nodis after loading its own version 11 file');
  c = await RawClient.connect(n10.port);
  assert.equal(await c.call('SAVE'), '+OK\r\n');
  c.close();
  await n10.stop();
  assert.equal(rdbVersion(join(ndir, 'dump.rdb')), 'REDIS0010');
  const check10 = spawnSync('redis-check-rdb', [join(ndir, 'dump.rdb')], { encoding: 'utf8' });
  assert.equal(check10.status, 0, `redis-check-rdb refused the version 10 file:\n${check10.stdout}${check10.stderr}`);
  assert.match(check10.stdout, /RDB looks OK/);

  const rdir = tempDir('n2r');
  copyFileSync(join(ndir, 'dump.rdb'), join(rdir, 'dump.rdb'));
  const r = await startProc('redis', rdir);
  assert.match(r.log(), /DB loaded from disk/);
  assertSame(await snapshot(r.port), expected, 'redis-server 7.0 after loading Nodis dump.rdb (version 10)');
  await r.stop();
  t.diagnostic(`Nodis dump.rdb version 10: redis-check-rdb OK, redis-server 7.0 loaded all ${expected.size} keys identically (${census(expected)})`);
});

test('DUMP/RESTORE payloads of every type, both directions', { skip: !HAVE_REDIS, timeout: 180000 }, async (t) => {
  const r = await startProc('redis', tempDir('dr'));
  await fill(r.port);
  const fromRedis = await snapshot(r.port);
  const n = await startProc('nodis', tempDir('dn'), { NODIS_RDB_VERSION: '10' });
  const n11 = await startProc('nodis', tempDir('dn11'));
  const rc = await RawClient.connect(r.port);
  const nc = await RawClient.connect(n.port);
  const n11c = await RawClient.connect(n11.port);

  // redis-server -> Nodis
  let moved = 0;
  for (const db of DBS) {
    for (const x of [rc, nc]) await cmd(x, 'SELECT', String(db));
    for (const k of ((await cmd(rc, 'KEYS', '*')) as string[]).sort()) {
      const payload = (await cmd(rc, 'DUMP', k)) as string;
      const pttl = (await cmd(rc, 'PTTL', k)) as number;
      assert.equal(await nc.call('RESTORE', k, String(pttl > 0 ? pttl : 0), payload), '+OK\r\n', `Nodis RESTORE ${db}/${k}`);
      moved++;
    }
  }
  assertSame(await snapshot(n.port), fromRedis, 'Nodis after RESTORE of redis-server payloads');
  t.diagnostic(`redis-server 7.0 -> Nodis: ${moved} DUMP payloads restored, contents identical`);

  // Nodis (version 10 payloads) -> redis-server, into an emptied server.
  assert.equal(await rc.call('FLUSHALL'), '+OK\r\n');
  const fromNodis = await snapshot(n.port);
  moved = 0;
  let refused11 = 0;
  let sample11 = '';
  for (const db of DBS) {
    for (const x of [rc, nc, n11c]) await cmd(x, 'SELECT', String(db));
    for (const k of ((await cmd(nc, 'KEYS', '*')) as string[]).sort()) {
      const payload = (await cmd(nc, 'DUMP', k)) as string;
      assert.equal(payload.charCodeAt(payload.length - 10), 10, `${k}: payload version 10`);
      const pttl = (await cmd(nc, 'PTTL', k)) as number;
      assert.equal(await rc.call('RESTORE', k, String(pttl > 0 ? pttl : 0), payload), '+OK\r\n', `redis RESTORE ${db}/${k}`);
      moved++;
      // The same value from a Nodis writing version 11: 7.0 must refuse it cleanly (as a 7.2 payload).
      assert.equal(await n11c.call('RESTORE', k, '0', payload), '+OK\r\n', `Nodis (v11) RESTORE of a v10 payload ${k}`);
      const p11 = (await cmd(n11c, 'DUMP', k)) as string;
      assert.equal(p11.charCodeAt(p11.length - 10), 11);
      const r11 = await rc.call('RESTORE', `${k}:v11`, '0', p11);
      if (r11.startsWith('-')) {
        refused11++;
        sample11 = r11.trim();
      }
    }
  }
  assertSame(await snapshot(r.port), fromNodis, 'redis-server after RESTORE of Nodis payloads');
  assert.equal(refused11, moved, 'redis-server 7.0 refuses every version 11 payload');
  assert.equal(sample11, '-ERR DUMP payload version or checksum are wrong');
  t.diagnostic(`Nodis -> redis-server 7.0: ${moved} version 10 payloads restored, contents identical; ${refused11} version 11 payloads refused with "${sample11.slice(1)}"`);
  for (const x of [rc, nc, n11c]) x.close();
  await Promise.all([r.stop(), n.stop(), n11.stop()]);
});

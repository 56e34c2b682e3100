/*
 * Corrupt RESTORE payloads: refused with "Bad data format" and the reason in
 * the log, nothing stored, the server alive; without deep sanitization a
 * stream or hash whose inside is broken is quarantined (commands on it are
 * refused, the assertion Redis would crash on is logged once, DUMP gives
 * the original bytes back).
 */

import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNodis, RawClient, type RunningServer } from '../helpers';
import { Crc64 } from '../../src/persistence/crc64';
import { lpBuild } from '../../src/persistence/encodings';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function start(config: Record<string, string> = {}): Promise<{ n: RunningServer; c: RawClient; log: () => string }> {
  const dir = mkdtempSync(join(tmpdir(), 'nodis-corrupt-'));
  const logfile = join(dir, 'log');
  const n = await startNodis({ logfile, loglevel: 'verbose', rdbcompression: 'no', ...config });
  const c = await RawClient.connect(n.port);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => n.close());
  cleanups.push(() => c.close());
  return {
    n,
    c,
    log: () => {
      try {
        return readFileSync(logfile, 'latin1');
      } catch {
        return '';
      }
    },
  };
}

/** A DUMP payload: type byte, value bytes, RDB version 11, CRC-64. */
function payload(type: number, value: Buffer): string {
  const body = Buffer.concat([Buffer.from([type]), value, Buffer.from([11, 0])]);
  return Buffer.concat([body, new Crc64().update(body).digestLE()]).toString('latin1');
}

/** An RDB string of fewer than 64 bytes. */
function rdbString(b: Buffer): Buffer {
  assert.ok(b.length < 64);
  return Buffer.concat([Buffer.from([b.length]), b]);
}

/** A ziplist of one-byte-length strings; `prevlenOf(i, right)` may lie about an entry's prevlen. */
function ziplist(items: string[], prevlenOf: (i: number, right: number) => number = (_i, r) => r): Buffer {
  const entries: Buffer[] = [];
  let prev = 0;
  let tail = 10;
  let off = 10;
  items.forEach((s, i) => {
    const e = Buffer.concat([Buffer.from([prevlenOf(i, prev), s.length]), Buffer.from(s, 'latin1')]);
    entries.push(e);
    tail = off;
    off += e.length;
    prev = e.length;
  });
  const total = off + 1;
  const h = Buffer.alloc(10);
  h.writeUInt32LE(total, 0);
  h.writeUInt32LE(tail, 4);
  h.writeUInt16LE(items.length, 8);
  return Buffer.concat([h, ...entries, Buffer.from([0xff])]);
}

test('a ziplist with a wrong prevlen is refused whatever the sanitization, with the reason logged', async () => {
  for (const sanitize of ['no', 'yes']) {
    const { c, log } = await start({ 'sanitize-dump-payload': sanitize });
    const good = payload(13, rdbString(ziplist(['f', 'v'])));
    assert.equal(await c.call('RESTORE', 'ok', '0', good), '+OK\r\n');
    assert.equal(await c.call('HGET', 'ok', 'f'), '$1\r\nv\r\n');
    const bad = payload(13, rdbString(ziplist(['f', 'v'], (i, r) => (i === 1 ? r + 2 : r))));
    assert.equal(await c.call('RESTORE', 'h', '0', bad), '-ERR Bad data format\r\n');
    assert.equal(await c.call('EXISTS', 'h'), ':0\r\n');
    assert.equal(await c.call('PING'), '+PONG\r\n');
    assert.match(log(), /Hash ziplist integrity check failed/);
  }
});

test('duplicate hash fields: refused when sanitizing; quarantined or refused (when converted) when not', async () => {
  const dup = payload(16, rdbString(lpBuild(['a', '1', 'a', '2'])));
  {
    const { c } = await start({ 'sanitize-dump-payload': 'yes' });
    assert.equal(await c.call('RESTORE', 'h', '0', dup), '-ERR Bad data format\r\n');
    assert.equal(await c.call('EXISTS', 'h'), ':0\r\n');
  }
  {
    const { c, log } = await start({ 'sanitize-dump-payload': 'no', 'hash-max-listpack-entries': '1' });
    assert.equal(await c.call('RESTORE', 'h', '0', dup), '-ERR Bad data format\r\n');
    assert.equal(await c.call('EXISTS', 'h'), ':0\r\n');
    assert.equal(log().split('\n').filter((l) => l.includes('listpack with dup elements')).length, 1);
    assert.match(log(), /ASSERTION FAILED/);
  }
  {
    const { c, log } = await start({ 'sanitize-dump-payload': 'no' });
    assert.equal(await c.call('RESTORE', 'h', '0', dup), '+OK\r\n');
    assert.equal(await c.call('TYPE', 'h'), '+hash\r\n');
    assert.match(await c.call('HGET', 'h', 'a'), /^-ERR The value of this key is corrupt/);
    assert.match(await c.call('HSET', 'h', 'b', '1'), /^-ERR The value of this key is corrupt/);
    assert.equal(log().split('\n').filter((l) => l.includes('=== ASSERTION FAILED ===')).length, 1);
    assert.equal(await c.call('DEL', 'h'), ':1\r\n');
    assert.equal(await c.call('PING'), '+PONG\r\n');
  }
});

test('a stream with a wrong lp-count: refused when sanitizing, quarantined when not (DUMP gives its bytes back)', async () => {
  // Take a real stream's payload (uncompressed) and break the lp-count of its only entry.
  const src = await start();
  await src.c.call('XADD', 's', '1-1', 'field', 'value');
  const { cmdBulk } = await bulkOf(src.c, 'DUMP', 's');
  const raw = Buffer.from(cmdBulk, 'latin1');
  const body = raw.subarray(0, raw.length - 10);
  const at = body.indexOf(Buffer.from([0x04, 0x01, 0xff]));
  assert.ok(at > 0, 'lp-count of the entry found');
  const broken = Buffer.from(body);
  broken[at] = 0x05;
  const p = payload(broken[0], broken.subarray(1));

  {
    const { c, log } = await start({ 'sanitize-dump-payload': 'yes' });
    assert.equal(await c.call('RESTORE', 's', '0', p), '-ERR Bad data format\r\n');
    assert.equal(await c.call('EXISTS', 's'), ':0\r\n');
    assert.match(log(), /Stream listpack integrity check failed/);
  }
  {
    const { c, log } = await start({ 'sanitize-dump-payload': 'no' });
    assert.equal(await c.call('RESTORE', 's', '0', p), '+OK\r\n');
    assert.equal(await c.call('TYPE', 's'), '+stream\r\n');
    assert.match(await c.call('XRANGE', 's', '-', '+'), /^-ERR The value of this key is corrupt/);
    assert.match(await c.call('XADD', 's', '*', 'a', 'b'), /^-ERR The value of this key is corrupt/);
    assert.match(await c.call('XREAD', 'STREAMS', 's', '0'), /^-ERR The value of this key is corrupt/);
    const lines = log().split('\n');
    assert.equal(lines.filter((l) => l.includes('=== ASSERTION FAILED ===')).length, 1);
    assert.equal(lines.filter((l) => l.includes('Guru Meditation')).length, 1);
    // DUMP writes the original bytes back; the copy restores as quarantined too.
    const again = await bulkOf(c, 'DUMP', 's');
    assert.deepEqual(Buffer.from(again.cmdBulk, 'latin1').subarray(0, -10), Buffer.from(p, 'latin1').subarray(0, -10));
    assert.equal(await c.call('RESTORE', 's2', '0', again.cmdBulk), '+OK\r\n');
    assert.match(await c.call('XLEN', 's2'), /^-ERR The value of this key is corrupt/);
    assert.equal(await c.call('DEL', 's', 's2'), ':2\r\n');
    assert.equal(await c.call('PING'), '+PONG\r\n');
  }
});

test('fuzzed payloads never crash the server nor leave a key behind when refused', async () => {
  const { c } = await start({ 'sanitize-dump-payload': 'yes' });
  await c.call('HSET', 'h', 'a', '1', 'b', '2');
  await c.call('RPUSH', 'l', 'x', 'y', '3');
  await c.call('ZADD', 'z', '1', 'a', '2', 'b');
  await c.call('SADD', 's', '1', '2', 'x');
  await c.call('SADD', 'i', '1', '2', '3');
  await c.call('XADD', 'st', '1-1', 'f', 'v');
  await c.call('XADD', 'st', '1-2', 'f', 'w', 'g', 'x');
  await c.call('XGROUP', 'CREATE', 'st', 'g', '0');
  await c.call('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '1', 'STREAMS', 'st', '>');
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (const k of ['h', 'l', 'z', 's', 'i', 'st']) {
    const raw = Buffer.from((await bulkOf(c, 'DUMP', k)).cmdBulk, 'latin1');
    const body = raw.subarray(0, raw.length - 10);
    for (let i = 0; i < 150; i++) {
      const b = Buffer.from(body);
      b[rnd(b.length - 1) + 1] = rnd(256);
      const reply = await c.call('RESTORE', 'target', '0', payload(b[0], b.subarray(1)), 'REPLACE');
      if (reply === '+OK\r\n') {
        // Whatever was accepted is consistent enough to be read back and dumped.
        assert.match(await c.call('DUMP', 'target'), /^\$\d+\r\n/);
        await c.call('DEL', 'target');
      } else {
        assert.equal(reply, '-ERR Bad data format\r\n');
        assert.equal(await c.call('EXISTS', 'target'), ':0\r\n');
      }
    }
  }
  assert.equal(await c.call('PING'), '+PONG\r\n');
});

async function bulkOf(c: RawClient, ...args: string[]): Promise<{ cmdBulk: string }> {
  const r = await c.call(...args);
  const nl = r.indexOf('\r\n');
  assert.equal(r[0], '$', r);
  const len = Number(r.slice(1, nl));
  return { cmdBulk: r.slice(nl + 2, nl + 2 + len) };
}

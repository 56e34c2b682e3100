/*
 * RDB files: checksum and LZF primitives; files written by redis-server 7.0
 * load into Nodis with the same contents; files Nodis writes pass
 * redis-check-rdb and load into redis-server with the same contents;
 * corrupt files are refused with Redis's log lines.
 */

import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startNodis, RawClient } from '../helpers';
import { crc64 } from '../../src/persistence/crc64';
import { lzfCompress, lzfDecompress } from '../../src/persistence/lzf';
import { setRdbWriteVersion } from '../../src/persistence/manager';
import { later, runCleanups, sameContents, contents, haveRedis, pipeline, runNodisUntilExit, startRedis, tempDir, cmd } from './util';
import { fillCommands } from './fill';

afterEach(runCleanups);

test('crc64 (Jones) check value and LZF round trips', () => {
  assert.equal(crc64(Buffer.from('123456789')).hex(), 'e9c6d914c4b8d9ca');
  for (let t = 0; t < 200; t++) {
    const n = 5 + ((t * 37) % 2000);
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = i % 7 === 0 ? (i * 31) & 255 : 97 + (i % (1 + (t % 5)));
    const c = lzfCompress(b, n - 4);
    if (c !== null) assert.ok(lzfDecompress(c, n)?.equals(b));
  }
});

test('a dump.rdb written by redis-server 7.0 loads into Nodis with the same contents', { skip: !haveRedis() }, async () => {
  const dir = tempDir('rdb-r2n');
  const r = later(await startRedis(dir));
  const rc = later(await RawClient.connect(r.port));
  for (const db of [0, 1, 5]) {
    await cmd(rc, 'SELECT', String(db));
    await pipeline(rc, fillCommands(db));
  }
  assert.equal(await rc.call('SAVE'), '+OK\r\n');
  const expected = await contents(r.port);
  rc.close();
  await r.close();

  const ndir = tempDir('rdb-r2n-n');
  copyFileSync(join(dir, 'dump.rdb'), join(ndir, 'dump.rdb'));
  const n = later(await startNodis({ dir: ndir }));
  const load = n.server.ext.loadDataFromDisk as () => Promise<boolean>;
  assert.equal(await load(), true);
  sameContents(await contents(n.port), expected);
  await n.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(ndir, { recursive: true, force: true });
});

test('a dump.rdb written by Nodis passes redis-check-rdb and loads into redis-server 7.0', { skip: !haveRedis() }, async () => {
  const dir = tempDir('rdb-n2r');
  const n = later(await startNodis({ dir }));
  const c = later(await RawClient.connect(n.port));
  for (const db of [0, 2, 15]) {
    await cmd(c, 'SELECT', String(db));
    await pipeline(c, fillCommands(db));
  }
  const expected = await contents(n.port);
  setRdbWriteVersion(10); // Redis 7.0 reads versions up to 10
  try {
    assert.equal(await c.call('SAVE'), '+OK\r\n');
  } finally {
    setRdbWriteVersion(11);
  }
  c.close();
  await n.close();
  const check = spawnSync('redis-check-rdb', [join(dir, 'dump.rdb')], { encoding: 'utf8' });
  assert.match(check.stdout, /RDB looks OK/, check.stdout);
  const r = later(await startRedis(dir));
  sameContents(await contents(r.port), expected);
  await r.close();
  rmSync(dir, { recursive: true, force: true });
});

test('version 11 files round trip through Nodis (DEBUG RELOAD keeps contents)', async () => {
  const dir = tempDir('rdb-reload');
  const n = later(await startNodis({ dir }));
  const c = later(await RawClient.connect(n.port));
  await pipeline(c, fillCommands(0));
  const before = await contents(n.port, 1);
  assert.equal(await c.call('DEBUG', 'RELOAD'), '+OK\r\n');
  sameContents(await contents(n.port, 1), before);
  const head = readFileSync(join(dir, 'dump.rdb')).subarray(0, 9).toString('latin1');
  assert.equal(head, 'REDIS0011');
  c.close();
  await n.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a truncated file or a bad checksum is refused with Redis log lines, no crash', async () => {
  const dir = tempDir('rdb-corrupt');
  const n = later(await startNodis({ dir }));
  const c = later(await RawClient.connect(n.port));
  await pipeline(c, fillCommands(0));
  assert.equal(await c.call('SAVE'), '+OK\r\n');
  c.close();
  await n.close();
  const good = readFileSync(join(dir, 'dump.rdb'));
  // Bad CRC.
  const bad = Buffer.from(good);
  bad.write('foobar00', bad.length - 8, 'latin1');
  writeFileSync(join(dir, 'dump.rdb'), bad);
  let r = await runNodisUntilExit(dir);
  assert.equal(r.code, 1, r.log);
  assert.match(r.log, /Wrong RDB checksum expected: \([0-9a-f]+\) got \([0-9a-f]+\)\. Aborting now\./);
  assert.match(r.log, /CRC error/);
  assert.match(r.log, /Terminating server after rdb file reading failure\./);
  // Truncated.
  writeFileSync(join(dir, 'dump.rdb'), good.subarray(0, Math.floor(good.length / 2)));
  r = await runNodisUntilExit(dir);
  assert.equal(r.code, 1, r.log);
  assert.match(r.log, /Internal error in RDB reading offset \d+, function at rdb\.c:\d+ -> Unexpected EOF reading RDB file/);
  assert.doesNotMatch(r.log, /Ready to accept/);
  rmSync(dir, { recursive: true, force: true });
});

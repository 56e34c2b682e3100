/*
 * BGSAVE without fork: the file reflects the dataset as of the moment the
 * save started, whatever clients write meanwhile (copy-on-write at key
 * level), and the server keeps answering while it runs.
 */

import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startNodis, RawClient } from '../helpers';
import { cmd, contents, later, pipeline, runCleanups, sameContents, tempDir } from './util';

afterEach(runCleanups);

async function waitBgsave(c: RawClient): Promise<string> {
  for (let i = 0; i < 500; i++) {
    const info = (await cmd(c, 'INFO', 'persistence')) as string;
    if (info.includes('rdb_bgsave_in_progress:0')) return info;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('BGSAVE did not finish');
}

test('BGSAVE writes the dataset as of its start while clients keep writing', async () => {
  const dir = tempDir('bgsave');
  const n = later(await startNodis({ dir }));
  const c = later(await RawClient.connect(n.port));
  const fill: string[][] = [];
  for (let i = 0; i < 3000; i++) fill.push(['SET', `k${i}`, `v${i}`]);
  for (let i = 0; i < 50; i++) fill.push(['RPUSH', `list${i}`, 'a', 'b', 'c'], ['HSET', `hash${i}`, 'f', String(i)], ['SADD', `set${i}`, 'x', 'y']);
  fill.push(['SELECT', '3'], ['SET', 'in3', 'old'], ['SET', 'gone3', 'old'], ['SELECT', '4'], ['SET', 'in4', 'old'], ['SELECT', '0']);
  fill.push(['EXPIRE', 'k1', '100000'], ['EXPIRE', 'k2', '100000']);
  await pipeline(c, fill);
  const before = await contents(n.port);
  // Pace the walk: 1 ms per key, about 3 s for the whole dataset, while the writes below take a fraction of that.
  assert.equal(await c.call('CONFIG', 'SET', 'rdb-key-save-delay', '1000'), '+OK\r\n');
  assert.equal(await c.call('BGSAVE'), '+Background saving started\r\n');
  assert.equal(await c.call('BGSAVE'), '-ERR Background save already in progress\r\n');
  // Writes of every kind while the snapshot runs.
  const writes: string[][] = [];
  for (let i = 0; i < 3000; i += 7) writes.push(['SET', `k${i}`, 'changed']);
  for (let i = 1; i < 3000; i += 11) writes.push(['DEL', `k${i}`]);
  for (let i = 0; i < 50; i += 3) writes.push(['RPUSH', `list${i}`, 'd'], ['HSET', `hash${i}`, 'g', 'new'], ['SREM', `set${i}`, 'x']);
  for (let i = 0; i < 500; i++) writes.push(['SET', `new${i}`, 'created after the start']);
  writes.push(['PERSIST', 'k2'], ['EXPIRE', 'k3', '5000'], ['RENAME', 'k4', 'renamed'], ['SELECT', '3'], ['FLUSHDB'], ['SET', 'after3', 'x'], ['SELECT', '0'], ['SWAPDB', '4', '5']);
  writes.push(['DEL', 'list1'], ['RPUSH', 'list1', 'recreated']);
  await pipeline(c, writes);
  const during = (await cmd(c, 'INFO', 'persistence')) as string;
  assert.match(during, /rdb_bgsave_in_progress:1/);
  assert.match(during, /current_save_keys_total:\d+/);
  assert.equal(await c.call('PING'), '+PONG\r\n');
  const info = await waitBgsave(c);
  assert.match(info, /rdb_last_bgsave_status:ok/);
  // Load the file into a fresh server: it must hold the start-time contents.
  const dir2 = tempDir('bgsave-load');
  copyFileSync(join(dir, 'dump.rdb'), join(dir2, 'dump.rdb'));
  const m = later(await startNodis({ dir: dir2 }));
  assert.equal(await (m.server.ext.loadDataFromDisk as () => Promise<boolean>)(), true);
  sameContents(await contents(m.port), before);
});

test('BGSAVE SCHEDULE, LASTSAVE, changes counter and save points', async () => {
  const dir = tempDir('bgsave2');
  const n = later(await startNodis({ dir, manualClock: true }));
  const c = later(await RawClient.connect(n.port));
  await pipeline(c, [['SET', 'a', '1'], ['SET', 'b', '2']]);
  assert.match((await cmd(c, 'INFO', 'persistence')) as string, /rdb_changes_since_last_save:2/);
  assert.equal(await c.call('BGSAVE', 'BOGUS'), '-ERR syntax error\r\n');
  assert.equal(await c.call('BGSAVE'), '+Background saving started\r\n');
  await waitBgsave(c);
  assert.match((await cmd(c, 'INFO', 'persistence')) as string, /rdb_changes_since_last_save:0/);
  const last = (await cmd(c, 'LASTSAVE')) as number;
  assert.ok(Math.abs(last - Date.now() / 1000) < 5);
  // A save point: 1 change in 1 second, driven by the cron.
  assert.equal(await c.call('CONFIG', 'SET', 'save', '1 1'), '+OK\r\n');
  await c.call('SET', 'c', '3');
  n.clock.advance(3000);
  let saved = false;
  for (let i = 0; i < 100 && !saved; i++) {
    await new Promise((r) => setTimeout(r, 20));
    saved = /rdb_changes_since_last_save:0/.test((await cmd(c, 'INFO', 'persistence')) as string);
  }
  assert.ok(saved, 'the save point triggered a BGSAVE');
});

test('COW size: the first change of each key during a BGSAVE counts, written to the file yet or not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nodis-cow-'));
  const n = await startNodis({ dir, save: '' });
  const c = await RawClient.connect(n.port);
  try {
    for (let i = 0; i < 200; i++) await c.call('SET', `key${i}`, 'A'.repeat(500));
    await c.call('CONFIG', 'SET', 'rdb-key-save-delay', '2000');
    assert.equal(await c.call('BGSAVE'), '+Background saving started\r\n');
    const field = (info: string, name: string): number => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1]);
    const before = field(await c.call('INFO', 'persistence'), 'current_cow_size');
    // key0..key15 are the first keys walked: most are in the file already, and still count.
    for (let i = 0; i < 16; i++) await c.call('SETRANGE', `key${i}`, '0', 'B'.repeat(500));
    const info = await c.call('INFO', 'persistence');
    assert.equal(field(info, 'rdb_bgsave_in_progress'), 1);
    assert.ok(field(info, 'current_cow_size') >= before + 16 * 500, info);
    // A second change of the same keys adds nothing; reads add nothing.
    for (let i = 0; i < 16; i++) await c.call('SETRANGE', `key${i}`, '0', 'C');
    for (let i = 16; i < 32; i++) await c.call('GET', `key${i}`);
    assert.equal(field(await c.call('INFO', 'persistence'), 'current_cow_size'), field(info, 'current_cow_size'));
    await c.call('CONFIG', 'SET', 'rdb-key-save-delay', '0');
  } finally {
    c.close();
    await n.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

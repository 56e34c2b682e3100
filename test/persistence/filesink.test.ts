/*
 * FileSink: abort() while writes are queued or in flight stops the writing
 * without touching a closed (or reused) descriptor; toggling appendonly
 * during an AOF rewrite leaves the server running.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSink } from '../../src/persistence/snapshot';
import { startNodis, RawClient, sleep } from '../helpers';

test('abort() with writes in flight and writes after it: no error, file removed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nodis-sink-'));
  try {
    const path = join(dir, 'f');
    const sink = new FileSink(path);
    for (let i = 0; i < 50; i++) sink.write(Buffer.alloc(64 * 1024, i));
    sink.abort();
    sink.write(Buffer.from('after'));
    await sink.drained();
    await sleep(50);
    assert.equal(existsSync(path), false);
    await assert.rejects(sink.commit(null));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('appendonly toggled during a rewrite: the server goes on', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nodis-aoftoggle-'));
  const n = await startNodis({ dir, appendonly: 'yes', 'aof-use-rdb-preamble': 'no' });
  const c = await RawClient.connect(n.port);
  try {
    const args: string[] = ['MSET'];
    for (let i = 0; i < 2000; i++) args.push(`k${i}`, 'x'.repeat(200));
    assert.equal(await c.call(...args), '+OK\r\n');
    for (let round = 0; round < 10; round++) {
      await c.call('CONFIG', 'SET', 'rdb-key-save-delay', String(round % 2 === 0 ? 100 : 0));
      await c.call('BGREWRITEAOF');
      await sleep(round * 3);
      assert.equal(await c.call('CONFIG', 'SET', 'appendonly', 'no'), '+OK\r\n');
      assert.equal(await c.call('CONFIG', 'SET', 'appendonly', 'yes'), '+OK\r\n');
      assert.equal(await c.call('SET', 'x', String(round)), '+OK\r\n');
    }
    await c.call('CONFIG', 'SET', 'rdb-key-save-delay', '0');
    await sleep(200);
    assert.equal(await c.call('PING'), '+PONG\r\n');
  } finally {
    c.close();
    await n.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

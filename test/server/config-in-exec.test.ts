/*
 * CONFIG SET inside MULTI/EXEC: turning AOF on within a transaction schedules
 * the rewrite for the cron, with Redis's log line, instead of starting it there.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNodis, RawClient, sleep } from '../helpers';

test('CONFIG SET appendonly yes in MULTI schedules the AOF rewrite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nodis-exec-'));
  const log = join(dir, 'log.txt');
  const srv = await startNodis({ dir, logfile: log });
  const c = await RawClient.connect(srv.port);
  try {
    assert.equal(await c.call('MULTI'), '+OK\r\n');
    await c.call('SET', 'foo', 'bar');
    await c.call('CONFIG', 'SET', 'appendonly', 'yes');
    assert.equal(await c.call('EXEC'), '*2\r\n+OK\r\n+OK\r\n');
    assert.match(readFileSync(log, 'latin1'), /AOF was enabled during a transaction\. An AOF background was scheduled to start when possible\./);
    let done = false;
    for (let i = 0; i < 100 && !done; i++) {
      const info = await c.call('INFO', 'persistence');
      done = /aof_rewrite_in_progress:0/.test(info) && /aof_rewrite_scheduled:0/.test(info) && /aof_last_bgrewrite_status:ok/.test(info);
      if (!done) await sleep(50);
    }
    assert.ok(done, 'the scheduled rewrite ran');
  } finally {
    c.close();
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SHUTDOWN refuses while the first AOF is being written, unless FORCE', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nodis-exec-'));
  const log = join(dir, 'log.txt');
  const srv = await startNodis({ dir, logfile: log });
  const c = await RawClient.connect(srv.port);
  try {
    for (let i = 0; i < 10; i++) await c.call('SET', String(i), String(i));
    await c.call('CONFIG', 'SET', 'rdb-key-save-delay', '10000000');
    assert.equal(await c.call('CONFIG', 'SET', 'appendonly', 'yes'), '+OK\r\n');
    let running = false;
    for (let i = 0; i < 100 && !running; i++) {
      running = /aof_rewrite_in_progress:1/.test(await c.call('INFO', 'persistence'));
      if (!running) await sleep(20);
    }
    assert.ok(running, 'the initial AOF rewrite runs');
    assert.equal(await c.call('SHUTDOWN', 'NOSAVE'), '-ERR Errors trying to SHUTDOWN. Check logs.\r\n');
    assert.match(readFileSync(log, 'latin1'), /Writing initial AOF, can't exit\./);
    assert.equal(await c.call('PING'), '+PONG\r\n');
    await c.call('CONFIG', 'SET', 'appendonly', 'no');
  } finally {
    c.close();
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

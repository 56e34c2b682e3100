// Scripts and the server's state: writes refused when the last BGSAVE failed (MISCONF),
// DEBUG RELOAD NOFLUSH with function libraries, clients that leave while a script runs.
// Checked against redis-server 7.0 where the behaviour exists there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { startNodis, startOracle, RawClient, sleep, encodeCommand } from '../helpers';
import { Persistence } from '../../src/persistence/manager';

const MISCONF =
  "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.\r\n";

test('a failed BGSAVE refuses writes from scripts (MISCONF), reads still run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nodis-misconf-'));
  const srv = await startNodis({ quiet: true, dir });
  const c = await RawClient.connect(srv.port);
  try {
    assert.equal(await c.call('SET', 'x', 'x'), '+OK\r\n');
    assert.equal(await c.call('CONFIG', 'SET', 'save', '900 1'), '+OK\r\n');
    // As if the last background save had failed (the suite kills the child).
    Persistence.of(srv.server).lastBgsaveStatus = 'err';
    assert.equal(await c.call('SET', 'x', 'y'), MISCONF);
    // No shebang: refused when the script calls the write.
    const r = await c.call('EVAL', "return redis.call('set','x',1)", '1', 'x');
    assert.ok(r.startsWith('-MISCONF Redis is configured to save RDB snapshots'), r);
    assert.equal(await c.call('EVAL', "return redis.call('get','x')", '1', 'x'), '$1\r\nx\r\n');
    // redis.pcall gets the error as a table.
    assert.equal(await c.call('EVAL', "local e = redis.pcall('set','x',1) return e['err']:sub(1,7)", '1', 'x'), '$7\r\nMISCONF\r\n');
    // Shebang without no-writes: refused before running.
    assert.equal(await c.call('EVAL', "#!lua\nreturn redis.call('set','x',1)", '1', 'x'), MISCONF);
    assert.equal(await c.call('EVAL', "#!lua flags=no-writes\nreturn redis.call('get','x')", '1', 'x'), '$1\r\nx\r\n');
    assert.equal(await c.call('GET', 'x'), '$1\r\nx\r\n');
    Persistence.of(srv.server).lastBgsaveStatus = 'ok';
    assert.equal(await c.call('EVAL', "return redis.call('set','x','z')", '1', 'x'), '+OK\r\n');
  } finally {
    c.close();
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

const LIB = "#!lua name=test\nredis.register_function('test', function() return 1 end)";

async function reloadScenario(port: number): Promise<string[]> {
  const c = await RawClient.connect(port);
  try {
    const out: string[] = [];
    out.push(await c.call('FUNCTION', 'LOAD', LIB));
    out.push(await c.call('DEBUG', 'RELOAD', 'NOFLUSH'));
    out.push(await c.call('DEBUG', 'RELOAD', 'NOFLUSH', 'MERGE'));
    out.push(await c.call('FCALL', 'test', '0'));
    out.push(await c.call('DEBUG', 'RELOAD'));
    out.push(await c.call('FUNCTION', 'LIST'));
    return out;
  } finally {
    c.close();
  }
}

test('DEBUG RELOAD NOFLUSH fails when a library already exists, unless MERGE', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nodis-reload-'));
  const srv = await startNodis({ quiet: true, dir });
  try {
    const got = await reloadScenario(srv.port);
    assert.deepEqual(got.slice(0, 5), [
      '$4\r\ntest\r\n',
      '-ERR Error trying to load the RDB dump, check server logs.\r\n',
      '+OK\r\n',
      ':1\r\n',
      '+OK\r\n',
    ]);
    assert.match(got[5], /library_name\r\n\$4\r\ntest\r\n/);
    const oracle = await startOracle();
    if (oracle !== null) {
      try {
        const want = await reloadScenario(oracle.port);
        // 7.0's reply lacks 7.2's ", check server logs."
        assert.equal(want[1], '-ERR Error trying to load the RDB dump\r\n');
        assert.deepEqual([got[0], ...got.slice(2)], [want[0], ...want.slice(2)]);
      } finally {
        await oracle.close();
      }
    }
  } finally {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * A long script that waits for the other client to be gone; that client (another process, as
 * the server may run in this one) closes meanwhile.
 */
async function leaveDuringScript(port: number): Promise<string> {
  const a = await RawClient.connect(port);
  const child = spawn(process.execPath, [
    '-e',
    `const s = require('net').connect(${port}, '127.0.0.1', () => s.write('PING\\r\\n'));
     s.on('data', () => setTimeout(() => process.exit(0), 300));`,
  ]);
  const exited = new Promise((r) => child.once('exit', r));
  try {
    assert.equal(await a.call('CONFIG', 'SET', 'lua-time-limit', '10'), '+OK\r\n');
    for (let i = 0; i < 100 && !/connected_clients:2\r/.test(await a.call('INFO', 'clients')); i++) await sleep(20);
    a.write(encodeCommand(['EVAL', "for i = 1, 1000000 do if string.match(redis.call('info','clients'), 'connected_clients:1\\r') then return 'alone' end end return 'still there'", '0']));
    return await a.read(5000);
  } finally {
    a.close();
    child.kill();
    await exited;
  }
}

test('a client that disconnects while a script runs is freed (the script sees it go)', async () => {
  const srv = await startNodis({ quiet: true });
  try {
    assert.equal(await leaveDuringScript(srv.port), '$5\r\nalone\r\n');
  } finally {
    await srv.close();
  }
  const oracle = await startOracle();
  if (oracle !== null) {
    try {
      assert.equal(await leaveDuringScript(oracle.port), '$5\r\nalone\r\n');
    } finally {
      await oracle.close();
    }
  }
});

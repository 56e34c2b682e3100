/*
 * Restarts (RDB and AOF), the multi-part AOF layout, MULTI/EXEC in the AOF,
 * appendfsync always, turning AOF on at runtime, and truncated AOF files.
 */

import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { RawClient } from '../helpers';
import { cmd, later, runCleanups, runNodisUntilExit, startNodisProcess, tempDir } from './util';

afterEach(runCleanups);

function exited(child: import('node:child_process').ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

async function waitFor(c: RawClient, section: string, re: RegExp): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (re.test(String(await cmd(c, 'INFO', section)))) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timeout waiting for ${re}`);
}

test('RDB restart: data written, SHUTDOWN (save points), started again: data present', async () => {
  const dir = tempDir('restart-rdb');
  let s = later(await startNodisProcess(dir, ['--save', '900', '1']));
  let c = later(await RawClient.connect(s.port));
  await cmd(c, 'SET', 'k', 'v');
  await cmd(c, 'RPUSH', 'l', 'a', 'b');
  await cmd(c, 'SELECT', '7');
  await cmd(c, 'SET', 'in7', 'x', 'EX', '1000');
  c.write('*1\r\n$8\r\nSHUTDOWN\r\n');
  await c.waitClosed();
  await exited(s.child);
  assert.match(s.log(), /Saving the final RDB snapshot before exiting\.[\s\S]*DB saved on disk/);
  s = later(await startNodisProcess(dir, ['--save', '900', '1']));
  c = later(await RawClient.connect(s.port));
  assert.equal(await cmd(c, 'GET', 'k'), 'v');
  assert.deepEqual(await cmd(c, 'LRANGE', 'l', '0', '-1'), ['a', 'b']);
  await cmd(c, 'SELECT', '7');
  assert.ok(((await cmd(c, 'TTL', 'in7')) as number) > 990);
  assert.match(s.log(), /Done loading RDB, keys loaded: 3, keys expired: 0\.[\s\S]*DB loaded from disk/);
});

test('AOF restart: manifest, base and incr files, MULTI/EXEC recorded, data present after SHUTDOWN NOSAVE', async () => {
  const dir = tempDir('restart-aof');
  let s = later(await startNodisProcess(dir, ['--appendonly', 'yes', '--save', '']));
  let c = later(await RawClient.connect(s.port));
  await cmd(c, 'SET', 'a', '1');
  await cmd(c, 'SELECT', '2');
  await cmd(c, 'MULTI');
  await cmd(c, 'INCR', 'n');
  await cmd(c, 'INCR', 'n');
  assert.deepEqual(await cmd(c, 'EXEC'), [1, 2]);
  const adir = join(dir, 'appendonlydir');
  assert.equal(readFileSync(join(adir, 'appendonly.aof.manifest'), 'latin1'), 'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
  const incr = readFileSync(join(adir, 'appendonly.aof.1.incr.aof'), 'latin1');
  assert.equal(
    incr,
    '*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n' +
      '*1\r\n$5\r\nMULTI\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n*1\r\n$4\r\nEXEC\r\n',
  );
  assert.equal(readFileSync(join(adir, 'appendonly.aof.1.base.rdb')).subarray(0, 5).toString(), 'REDIS');
  // A rewrite: new base and incr, old files removed.
  assert.equal(await cmd(c, 'BGREWRITEAOF'), 'Background append only file rewriting started');
  await waitFor(c, 'persistence', /aof_rewrite_in_progress:0/);
  await cmd(c, 'SELECT', '0');
  await cmd(c, 'SET', 'after', 'rewrite');
  assert.equal(readFileSync(join(adir, 'appendonly.aof.manifest'), 'latin1'), 'file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n');
  assert.deepEqual(readdirSync(adir).sort(), ['appendonly.aof.2.base.rdb', 'appendonly.aof.2.incr.aof', 'appendonly.aof.manifest']);
  c.write('*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n');
  await c.waitClosed();
  await exited(s.child);
  assert.ok(!existsSync(join(dir, 'dump.rdb')));
  s = later(await startNodisProcess(dir, ['--appendonly', 'yes', '--save', '']));
  c = later(await RawClient.connect(s.port));
  assert.equal(await cmd(c, 'GET', 'a'), '1');
  assert.equal(await cmd(c, 'GET', 'after'), 'rewrite');
  await cmd(c, 'SELECT', '2');
  assert.equal(await cmd(c, 'GET', 'n'), '2');
  assert.match(s.log(), /DB loaded from base file appendonly\.aof\.2\.base\.rdb[\s\S]*DB loaded from incr file appendonly\.aof\.2\.incr\.aof[\s\S]*DB loaded from append only file/);
});

test('CONFIG SET appendonly yes writes a base by rewrite; appendfsync always; RESP base without preamble', async () => {
  const dir = tempDir('aof-runtime');
  const s = later(await startNodisProcess(dir, ['--save', '', '--aof-use-rdb-preamble', 'no']));
  const c = later(await RawClient.connect(s.port));
  await cmd(c, 'RPUSH', 'l', 'x', 'y');
  await cmd(c, 'SET', 'ttl', 'v', 'PX', '100000');
  assert.equal(await cmd(c, 'CONFIG', 'SET', 'appendonly', 'yes'), 'OK');
  await waitFor(c, 'persistence', /aof_rewrite_in_progress:0[\s\S]*aof_last_bgrewrite_status:ok/);
  await waitFor(c, 'persistence', /aof_enabled:1/);
  const adir = join(dir, 'appendonlydir');
  assert.equal(readFileSync(join(adir, 'appendonly.aof.manifest'), 'latin1'), 'file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
  const base = readFileSync(join(adir, 'appendonly.aof.1.base.aof'), 'latin1');
  assert.ok(base.startsWith('*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n'), base);
  assert.ok(base.includes('*4\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\nx\r\n$1\r\ny\r\n'), base);
  assert.match(base, /\*3\r\n\$9\r\nPEXPIREAT\r\n\$3\r\nttl\r\n\$13\r\n\d{13}\r\n/);
  // appendfsync always: the reply comes after the write is in the file.
  assert.equal(await cmd(c, 'CONFIG', 'SET', 'appendfsync', 'always'), 'OK');
  for (let i = 0; i < 20; i++) {
    assert.equal(await cmd(c, 'SET', `k${i}`, 'v'), 'OK');
    assert.ok(readFileSync(join(adir, 'appendonly.aof.1.incr.aof'), 'latin1').includes(`$${String(`k${i}`).length}\r\nk${i}\r\n`));
  }
  assert.match(String(await cmd(c, 'INFO', 'persistence')), /aof_current_size:\d+\r\naof_base_size:\d+\r\n/);
});

test('a truncated AOF loads with aof-load-truncated yes (and is truncated), refuses to start with no', async () => {
  const dir = tempDir('aof-trunc');
  const adir = join(dir, 'appendonlydir');
  mkdirSync(adir);
  writeFileSync(join(adir, 'appendonly.aof.manifest'), 'file appendonly.aof.1.incr.aof seq 1 type i\n');
  const good = '*3\r\n$3\r\nset\r\n$3\r\nfoo\r\n$5\r\nhello\r\n';
  writeFileSync(join(adir, 'appendonly.aof.1.incr.aof'), good + '*3\r\n$3\r\nset\r\n$3\r\nbar');
  const r = await runNodisUntilExit(dir, ['--appendonly', 'yes', '--aof-load-truncated', 'no']);
  assert.equal(r.code, 1);
  assert.match(r.log, /Unexpected end of file reading the append only file appendonly\.aof\.1\.incr\.aof\. You can: 1\) Make a backup/);
  const s = later(await startNodisProcess(dir, ['--appendonly', 'yes', '--aof-load-truncated', 'yes']));
  const c = later(await RawClient.connect(s.port));
  assert.equal(await cmd(c, 'GET', 'foo'), 'hello');
  assert.equal(await cmd(c, 'EXISTS', 'bar'), 0);
  assert.match(s.log(), /!!! Warning: short read while loading the AOF file appendonly\.aof\.1\.incr\.aof!!![\s\S]*!!! Truncating the AOF appendonly\.aof\.1\.incr\.aof at offset 33 !!![\s\S]*AOF appendonly\.aof\.1\.incr\.aof loaded anyway because aof-load-truncated is enabled/);
  assert.ok(readFileSync(join(adir, 'appendonly.aof.1.incr.aof'), 'latin1').startsWith(good));
  // Bad manifest: refused with Redis's message.
  writeFileSync(join(adir, 'appendonly.aof.manifest'), 'file appendonly.aof.1.incr.aof seq 1 type x\n');
  const bad = await runNodisUntilExit(dir, ['--appendonly', 'yes']);
  assert.equal(bad.code, 1);
  assert.match(bad.log, /Unknown AOF file type/);
});

/*
 * bin/nodis-server as a redis-server replacement: arguments, config files,
 * fatal config errors, logs, signals.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RawClient, freePort, sleep } from '../helpers';

const BIN = join(__dirname, '..', '..', '..', 'bin', 'nodis-server');

test('--version and --help', () => {
  const v = spawnSync(BIN, ['--version'], { encoding: 'utf8' });
  assert.equal(v.status, 0);
  assert.match(v.stdout, /v=7\.2\.4/);
  const h = spawnSync(BIN, ['--help'], { encoding: 'utf8' });
  assert.equal(h.status, 0);
  assert.match(h.stderr, /Usage: \.\/nodis-server/);
});

test('an unknown directive is a fatal config error with exit code 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nodis-cli-'));
  const conf = join(dir, 'bad.conf');
  writeFileSync(conf, 'port 0\nno-such-directive yes\n');
  const r = spawnSync(BIN, [conf], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /\*\*\* FATAL CONFIG FILE ERROR \(Redis 7\.2\.4\) \*\*\*/);
  assert.match(r.stderr, /Reading the configuration file, at line 2/);
  assert.match(r.stderr, />>> 'no-such-directive yes'/);
  assert.match(r.stderr, /Bad directive or wrong number of arguments/);
  rmSync(dir, { recursive: true, force: true });
});

test('config file with include and quotes, command-line overrides, Redis-format log, SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nodis-cli-'));
  const port = await freePort();
  writeFileSync(join(dir, 'inc.conf'), 'maxmemory-policy allkeys-lru\n');
  const conf = join(dir, 'redis.conf');
  const log = join(dir, 'server.log');
  writeFileSync(conf, `# comment\nport 1\nbind 127.0.0.1\ninclude ${join(dir, 'inc.conf')}\nlogfile "${log}"\nloglevel verbose\ndir "${dir}"\nsave ""\n`);
  const child = spawn(BIN, [conf, '--port', String(port), '--notify-keyspace-events', 'KEA'], { stdio: 'ignore' });
  let c: RawClient | null = null;
  for (let i = 0; i < 100 && !c; i++) {
    try {
      c = await RawClient.connect(port);
    } catch {
      await sleep(50);
    }
  }
  assert.ok(c, 'server accepts connections');
  assert.equal(await c.call('CONFIG', 'GET', 'maxmemory-policy'), '*2\r\n$16\r\nmaxmemory-policy\r\n$11\r\nallkeys-lru\r\n');
  assert.equal(await c.call('CONFIG', 'GET', 'notify-keyspace-events'), '*2\r\n$22\r\nnotify-keyspace-events\r\n$3\r\nAKE\r\n');
  c.close();
  const text = readFileSync(log, 'utf8');
  assert.match(text, /^\d+:M \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d\.\d{3} \* Server initialized$/m);
  assert.match(text, /Ready to accept connections tcp/);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.match(readFileSync(log, 'utf8'), /ready to exit, bye bye/);
  rmSync(dir, { recursive: true, force: true });
});

test('SHUTDOWN stops the server', async () => {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'nodis-cli-'));
  const child = spawn(BIN, ['--port', String(port), '--save', '', '--dir', dir], { stdio: 'ignore' });
  let c: RawClient | null = null;
  for (let i = 0; i < 100 && !c; i++) {
    try {
      c = await RawClient.connect(port);
    } catch {
      await sleep(50);
    }
  }
  assert.ok(c);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  c.write('*1\r\n$8\r\nSHUTDOWN\r\n');
  assert.equal(await exited, 0);
  c.close();
  rmSync(dir, { recursive: true, force: true });
});

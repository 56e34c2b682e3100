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

/** Start bin/nodis-server with `args`, wait until it answers; returns the child and a client. */
async function launch(args: string[], port: number): Promise<{ child: ReturnType<typeof spawn>; c: RawClient }> {
  const child = spawn(BIN, args, { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      return { child, c: await RawClient.connect(port) };
    } catch {
      await sleep(50);
    }
  }
  child.kill('SIGKILL');
  throw new Error('server did not start');
}

async function stop(s: { child: ReturnType<typeof spawn>; c: RawClient }): Promise<void> {
  const exited = new Promise((r) => s.child.once('exit', r));
  s.c.write('*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n');
  await exited;
  s.c.close();
}

test('replicaof on the command line: argument count and port are checked in order', () => {
  const err = (args: string[]) => spawnSync(BIN, args, { encoding: 'utf8', timeout: 5000 }).stderr;
  assert.match(err(['--replicaof', '127.0.0.1', 'abc']), /'replicaof "127\.0\.0\.1" "abc"'\nInvalid master port/);
  assert.match(err(['--replicaof', '--127.0.0.1', 'abc']), /'replicaof "--127\.0\.0\.1" "abc"'\nInvalid master port/);
  assert.match(err(['--replicaof', '--127.0.0.1', '--abc']), /at line 1\n>>> 'replicaof "--127\.0\.0\.1"'\nwrong number of arguments/);
  assert.match(err(['--shutdown-on-sigint']), /'shutdown-on-sigint'\nargument\(s\) must be one of the following: default, save, nosave, now, force/);
});

test('save lines: the first replaces the defaults, later ones add, an empty one clears', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nodis-cli-'));
  const conf = join(dir, 'r.conf');
  writeFileSync(conf, `save 900 1\ndir "${dir}"\n`);
  const port = await freePort();
  let s = await launch([conf, '--port', String(port), '--save', '100', '100', '--shutdown-on-sigint', 'nosave force now'], port);
  assert.equal(await s.c.call('CONFIG', 'GET', 'save'), '*2\r\n$4\r\nsave\r\n$13\r\n900 1 100 100\r\n');
  // Multi-flag enums print their flags in Redis's table order.
  assert.equal(await s.c.call('CONFIG', 'GET', 'shutdown-on-sigint'), '*2\r\n$18\r\nshutdown-on-sigint\r\n$16\r\nnosave now force\r\n');
  await stop(s);
  s = await launch([conf, '--port', String(port), '--save', ''], port);
  assert.equal(await s.c.call('CONFIG', 'GET', 'save'), '*2\r\n$4\r\nsave\r\n$0\r\n\r\n');
  await stop(s);
  writeFileSync(conf, `dir "${dir}"\n`);
  s = await launch([conf, '--port', String(port)], port);
  assert.equal(await s.c.call('CONFIG', 'GET', 'save'), '*2\r\n$4\r\nsave\r\n$23\r\n3600 1 300 100 60 10000\r\n');
  await stop(s);
  rmSync(dir, { recursive: true, force: true });
});

test('DEBUG CONFIG-REWRITE-FORCE-ALL writes every parameter and the server restarts with the same values', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nodis-cli-'));
  const conf = join(dir, 'r.conf');
  const port = await freePort();
  writeFileSync(conf, `port ${port}\nbind 127.0.0.1\ndir "${dir}"\nsave ""\nnotify-keyspace-events KEA\nlogfile ""\nenable-debug-command yes\nunixsocketperm 755\nmaxmemory-clients 5%\n`);
  let s = await launch([conf], port);
  const before = await s.c.call('CONFIG', 'GET', '*');
  assert.equal(await s.c.call('DEBUG', 'CONFIG-REWRITE-FORCE-ALL'), '+OK\r\n');
  await stop(s);
  const text = readFileSync(conf, 'latin1');
  assert.match(text, /^hz 10$/m);
  assert.match(text, /^unixsocketperm 755$/m);
  assert.doesNotMatch(text, /^replicaof/m);
  s = await launch([conf], port);
  assert.equal(await s.c.call('CONFIG', 'GET', '*'), before);
  await stop(s);
  rmSync(dir, { recursive: true, force: true });
});

test('a busy port: the server says it failed listening and exits with status 1', async () => {
  const net = await import('node:net');
  const port = await freePort();
  const holder = net.createServer();
  await new Promise<void>((r) => holder.listen(port, '127.0.0.1', () => r()));
  try {
    const r = spawnSync(BIN, ['--port', String(port), '--bind', '127.0.0.1', '--save', ''], { encoding: 'utf8', timeout: 10000 });
    assert.equal(r.status, 1);
    assert.match(r.stdout, /# Warning: Could not create server TCP listening socket 127\.0\.0\.1:\d+: .*address already in use/);
    assert.match(r.stdout, new RegExp(`# Failed listening on port ${port} \\(tcp\\), aborting\\.`));
  } finally {
    holder.close();
  }
});

test('oom-score-adj: relative and absolute scores, restored when disabled or rolled back (Linux)', async (t) => {
  if (process.platform !== 'linux') return t.skip('Linux only');
  const dir = mkdtempSync(join(tmpdir(), 'nodis-cli-'));
  const port = await freePort();
  const s = await launch(['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir], port);
  const score = () => Number(readFileSync(`/proc/${s.child.pid}/oom_score_adj`, 'latin1'));
  try {
    const base = score();
    assert.equal(await s.c.call('CONFIG', 'SET', 'oom-score-adj-values', '9 9 9', 'oom-score-adj', 'relative'), '+OK\r\n');
    assert.equal(score(), base + 9);
    assert.equal(await s.c.call('CONFIG', 'GET', 'oom-score-adj'), '*2\r\n$13\r\noom-score-adj\r\n$3\r\nyes\r\n');
    assert.equal(await s.c.call('CONFIG', 'SET', 'oom-score-adj', 'absolute'), '+OK\r\n');
    assert.equal(score(), 9);
    assert.equal(await s.c.call('CONFIG', 'SET', 'oom-score-adj', 'no'), '+OK\r\n');
    assert.equal(score(), base);
    // A later parameter failing to apply (a busy port) rolls the score back too.
    const net = await import('node:net');
    const busy = await freePort();
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(busy, '127.0.0.1', () => r()));
    const r = await s.c.call('CONFIG', 'SET', 'oom-score-adj', 'yes', 'oom-score-adj-values', '1 1 1', 'port', String(busy));
    holder.close();
    assert.match(r, /^-ERR CONFIG SET failed \(possibly related to argument 'port'\) - Unable to listen on this port/);
    assert.equal(score(), base);
    assert.equal(await s.c.call('CONFIG', 'GET', 'oom-score-adj'), '*2\r\n$13\r\noom-score-adj\r\n$2\r\nno\r\n');
    assert.equal(
      await s.c.call('CONFIG', 'SET', 'oom-score-adj-values', '-2001 -2001 -2001'),
      "-ERR CONFIG SET failed (possibly related to argument 'oom-score-adj-values') - Invalid oom-score-adj-values, elements must be between -2000 and 2000.\r\n",
    );
  } finally {
    await stop(s);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a signal schedules the shutdown: SHUTDOWN ABORT cancels it while the cron is paused; shutdown-on-sigterm flags apply', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nodis-cli-'));
  const log = join(dir, 'log.txt');
  const port = await freePort();
  const s = await launch(['--port', String(port), '--bind', '127.0.0.1', '--save', '900 1', '--dir', dir, '--logfile', log, '--enable-debug-command', 'yes'], port);
  try {
    assert.equal(await s.c.call('SHUTDOWN', 'ABORT'), '-ERR No shutdown in progress.\r\n');
    assert.equal(await s.c.call('DEBUG', 'PAUSE-CRON', '1'), '+OK\r\n');
    s.child.kill('SIGTERM');
    await sleep(200);
    assert.equal(await s.c.call('SHUTDOWN', 'ABORT'), '+OK\r\n');
    assert.match(readFileSync(log, 'latin1'), /Received SIGTERM scheduling shutdown\.\.\.[\s\S]*Shutdown manually aborted\./);
    assert.equal(await s.c.call('DEBUG', 'PAUSE-CRON', '0'), '+OK\r\n');
    await sleep(200);
    assert.equal(await s.c.call('PING'), '+PONG\r\n');
    // nosave: the save points are not honoured on the way out.
    assert.equal(await s.c.call('SET', 'k', 'v'), '+OK\r\n');
    assert.equal(await s.c.call('CONFIG', 'SET', 'shutdown-on-sigterm', 'nosave'), '+OK\r\n');
    const exited = new Promise<number | null>((r) => s.child.once('exit', (code) => r(code)));
    s.child.kill('SIGTERM');
    assert.equal(await exited, 0);
    const text = readFileSync(log, 'latin1');
    assert.doesNotMatch(text, /Saving the final RDB snapshot/);
    assert.match(text, /ready to exit, bye bye/);
  } finally {
    s.c.close();
    s.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

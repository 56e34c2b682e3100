// EVAL / FUNCTION behaviour that the differential test cannot show: propagation of effects,
// atomicity towards blocked clients, -BUSY and SCRIPT KILL, DUMP/RESTORE, script cache.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startNodis, RawClient, freePort, encodeCommand, type RunningServer } from '../helpers';

let srv: RunningServer;
before(async () => {
  srv = await startNodis({ quiet: true });
});
after(async () => {
  await srv.close();
});

function capture(): { log: string[][]; stop: () => void } {
  const log: string[][] = [];
  const hook = (_db: number, args: string[]) => log.push(args);
  srv.server.propagateHooks.push(hook);
  return { log, stop: () => srv.server.propagateHooks.splice(srv.server.propagateHooks.indexOf(hook), 1) };
}

test('effects are propagated (MULTI/EXEC when several), never EVAL', async () => {
  const c = await RawClient.connect(srv.port);
  const cap = capture();
  try {
    assert.equal(await c.call('EVAL', "redis.call('set',KEYS[1],'1'); redis.call('incr',KEYS[1]); return 1", '1', 'k'), ':1\r\n');
    assert.equal(await c.call('EVAL', "return redis.call('set',KEYS[1],'x')", '1', 'k2'), '+OK\r\n');
    assert.equal(await c.call('EVAL', "return redis.call('get',KEYS[1])", '1', 'k2'), '$1\r\nx\r\n');
    assert.equal(await c.call('EVAL', "redis.set_repl(redis.REPL_NONE); redis.call('set','k3','y'); return 1", '0'), ':1\r\n');
  } finally {
    cap.stop();
    c.close();
  }
  assert.deepEqual(cap.log, [['MULTI'], ['set', 'k', '1'], ['incr', 'k'], ['EXEC'], ['set', 'k2', 'x']]);
});

test('blocked clients are served after the whole script', async () => {
  const a = await RawClient.connect(srv.port);
  const b = await RawClient.connect(srv.port);
  b.write('*3\r\n$5\r\nBLPOP\r\n$2\r\nbq\r\n$1\r\n0\r\n');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(await a.call('EVAL', "redis.call('rpush','bq','first'); redis.call('rpush','bq','second'); return redis.call('lrange','bq',0,-1)", '1', 'bq'), '*2\r\n$5\r\nfirst\r\n$6\r\nsecond\r\n');
  assert.equal(await b.read(), '*2\r\n$2\r\nbq\r\n$5\r\nfirst\r\n');
  assert.equal(await a.call('LRANGE', 'bq', '0', '-1'), '*1\r\n$6\r\nsecond\r\n');
  a.close();
  b.close();
});

test('script cache: SCRIPT LOAD, EXISTS, FLUSH, EVALSHA', async () => {
  const c = await RawClient.connect(srv.port);
  const sha = (await c.call('SCRIPT', 'LOAD', 'return ARGV[1]')).split('\r\n')[1];
  assert.match(sha, /^[0-9a-f]{40}$/);
  assert.equal(await c.call('EVALSHA', sha, '0', 'hi'), '$2\r\nhi\r\n');
  assert.equal(await c.call('EVALSHA', sha.toUpperCase(), '0', 'hi'), '$2\r\nhi\r\n');
  assert.equal(await c.call('SCRIPT', 'EXISTS', sha, 'x'), '*2\r\n:1\r\n:0\r\n');
  assert.equal(await c.call('SCRIPT', 'FLUSH'), '+OK\r\n');
  assert.equal(await c.call('EVALSHA', sha, '0'), '-NOSCRIPT No matching script. Please use EVAL.\r\n');
  assert.equal(await c.call('COMMAND', 'GETKEYS', 'EVAL', 'return 1', '2', 'a', 'b', 'c'), '*2\r\n$1\r\na\r\n$1\r\nb\r\n');
  c.close();
});

// The server must run in its own process: a script blocks the thread it runs on.
async function startChild(): Promise<{ port: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(__dirname, '..', '..', 'src', 'cli.js'), '--port', String(port), '--bind', '127.0.0.1', '--save', ''], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      const c = await RawClient.connect(port);
      c.close();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    port,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

test('long script: -BUSY for others, SCRIPT KILL / FUNCTION KILL stop it, UNKILLABLE after a write', async () => {
  const child = await startChild();
  const c = await RawClient.connect(child.port);
  const other = await RawClient.connect(child.port);
  assert.equal(await other.call('CONFIG', 'SET', 'lua-time-limit', '20'), '+OK\r\n');
  c.write(encodeCommand(['EVAL', 'while true do end', '0']));
  await new Promise((r) => setTimeout(r, 100));
  assert.match(await other.call('PING'), /^-BUSY Redis is busy running a script/);
  assert.equal(await other.call('SCRIPT', 'KILL'), '+OK\r\n');
  assert.match(await c.read(), /killed by user/);
  assert.equal(await other.call('PING'), '+PONG\r\n');
  assert.equal(await other.call('SCRIPT', 'KILL'), '-NOTBUSY No scripts in execution right now.\r\n');
  // A script that wrote cannot be killed: it is stopped by a hard error after FUNCTION KILL fails here.
  assert.equal(await other.call('FUNCTION', 'LOAD', "#!lua name=spin\nredis.register_function('spin', function() local i = 0 while i < 30000000 do i = i + 1 end return i end)"), '$4\r\nspin\r\n');
  c.write(encodeCommand(['FCALL', 'spin', '0']));
  await new Promise((r) => setTimeout(r, 60));
  assert.match(await other.call('PING'), /^-BUSY .*FUNCTION KILL/);
  assert.equal(await other.call('FUNCTION', 'KILL'), '+OK\r\n');
  assert.match(await c.read(), /killed by user/);
  // After a write the script cannot be killed.
  c.write(encodeCommand(['EVAL', "redis.call('set',KEYS[1],'y'); while true do end", '1', 'x']));
  await new Promise((r) => setTimeout(r, 100));
  assert.match(await other.call('SCRIPT', 'KILL'), /^-UNKILLABLE Sorry the script already executed write commands/);
  assert.match(await other.call('GET', 'x'), /^-BUSY/);
  c.close();
  other.close();
  await child.stop();
});

test('FUNCTION DUMP / RESTORE round trip and policies', async () => {
  const c = await RawClient.connect(srv.port);
  await c.call('FUNCTION', 'FLUSH');
  assert.equal(await c.call('FUNCTION', 'LOAD', "#!lua name=l1\nredis.register_function('one', function() return 1 end)"), '$2\r\nl1\r\n');
  const dumpRaw = await c.call('FUNCTION', 'DUMP');
  const body = dumpRaw.slice(dumpRaw.indexOf('\r\n') + 2, -2);
  assert.equal(await c.call('FUNCTION', 'RESTORE', Buffer.from(body, 'latin1')), "-ERR Library l1 already exists\r\n");
  assert.equal(await c.call('FUNCTION', 'RESTORE', Buffer.from(body, 'latin1'), 'REPLACE'), '+OK\r\n');
  assert.equal(await c.call('FUNCTION', 'FLUSH'), '+OK\r\n');
  assert.equal(await c.call('FCALL', 'one', '0'), '-ERR Function not found\r\n');
  assert.equal(await c.call('FUNCTION', 'RESTORE', Buffer.from(body, 'latin1'), 'FLUSH'), '+OK\r\n');
  assert.equal(await c.call('FCALL', 'one', '0'), ':1\r\n');
  assert.equal(await c.call('FUNCTION', 'RESTORE', Buffer.from(body.slice(0, -1) + 'x', 'latin1')), '-ERR DUMP payload version or checksum are wrong\r\n');
  c.close();
});

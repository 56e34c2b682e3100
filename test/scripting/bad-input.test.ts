// Bad scripts: syntax errors, unbounded recursion, a 100 MB string, redis.call with wrong
// arguments, infinite loops. Each must give Redis's error text (compared byte for byte with the
// real redis-server when it is installed), and the server must keep serving other clients with
// their data intact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startNodis, RawClient, freePort, encodeCommand, startOracle, sleep } from '../helpers';

/** Data that every bad script must leave alone. */
const SEED: string[][] = [
  ['SET', 'keep:str', 'hello'],
  ['RPUSH', 'keep:list', 'a', 'b', 'c'],
  ['HSET', 'keep:hash', 'f1', 'v1', 'f2', 'v2'],
  ['ZADD', 'keep:zset', '1', 'one', '2', 'two'],
];
const CHECK: string[][] = [
  ['GET', 'keep:str'],
  ['LRANGE', 'keep:list', '0', '-1'],
  ['HGETALL', 'keep:hash'],
  ['ZRANGE', 'keep:zset', '0', '-1', 'WITHSCORES'],
  ['EXISTS', 'keep:str', 'keep:list', 'keep:hash', 'keep:zset'],
];
const CHECK_EXPECTED = [
  '$5\r\nhello\r\n',
  '*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n',
  '*4\r\n$2\r\nf1\r\n$2\r\nv1\r\n$2\r\nf2\r\n$2\r\nv2\r\n',
  '*4\r\n$3\r\none\r\n$1\r\n1\r\n$3\r\ntwo\r\n$1\r\n2\r\n',
  ':4\r\n',
];

async function checkIntact(c: RawClient, what: string): Promise<void> {
  for (let i = 0; i < CHECK.length; i++) assert.equal(await c.call(...CHECK[i]), CHECK_EXPECTED[i], `${what}: ${CHECK[i].join(' ')}`);
}

// ----------------------------------------------------------------------------
// Errors that end the script at once: same reply bytes as redis-server.
// ----------------------------------------------------------------------------

const SYNTAX: string[][] = [
  ['EVAL', 'return (', '0'],
  ['EVAL', 'local x = = 1', '0'],
  ['EVAL', 'retur 1', '0'],
  ['EVAL', 'if true then return 1', '0'],
  ['EVAL', "return 'unfinished", '0'],
  ['EVAL', 'return 1 end', '0'],
  ['EVAL', 'for i = 1 do end', '0'],
  ['EVAL', '\x00\x01binary', '0'],
  ['SCRIPT', 'LOAD', 'return (('],
  ['FUNCTION', 'LOAD', "#!lua name=badlib\nredis.register_function('f', function() return ( end)"],
  ['FUNCTION', 'LOAD', '#!lua name=badlib2\nthis is not lua'],
  ['EVAL', 'x = 1', '0'],
  ['EVAL', 'return undefinedvar.field', '0'],
  ['EVAL', "error('my error')", '0'],
  ['EVAL', "error({err='MYERR custom'})", '0'],
  ['EVAL', 'error()', '0'],
  ['EVAL', "return 1 + {}", '0'],
  ['EVAL', "return #nil", '0'],
];

const RECURSION: string[][] = [
  ['EVAL', 'local function f(n) return f(n + 1) + 1 end return f(1)', '0'],
  ['EVAL', 'local function f(n) return 1 + f(n + 1) end return f(1)', '0'],
  ['EVAL', 'local function f(n) return pcall(f, n + 1) end return tostring(f(1))', '0'],
  ['EVAL', 'local function f(t) t[1] = {} local r = f(t[1]) return r end return f({})', '0'],
  ['EVAL', "local function f(s) return #f(s .. 'x') end return f('')", '0'],
];

const WRONG_CALLS: string[][] = [
  ['EVAL', "return redis.call('get')", '0'],
  ['EVAL', "return redis.call('get', 'a', 'b')", '0'],
  ['EVAL', 'return redis.call()', '0'],
  ['EVAL', "return redis.call('nosuchcmd', 'a')", '0'],
  ['EVAL', "return redis.call('get', {})", '0'],
  ['EVAL', "return redis.call('get', nil)", '0'],
  ['EVAL', "return redis.call('set', 'a', 1.5)", '0'],
  ['EVAL', "return redis.call({}, 'a')", '0'],
  ['EVAL', "return redis.call('set', 'a', 'b', 'nx', 'xx')", '0'],
  ['EVAL', "return redis.call('expire', 'a', 'notanumber')", '0'],
  ['EVAL', "return redis.call('incr', 'keep:str')", '0'],
  ['EVAL', "return redis.call('lpush', 'keep:str', 'x')", '0'],
  ['EVAL', "return redis.pcall('lpush', 'keep:str', 'x')", '0'],
  ['EVAL', "local r = redis.pcall('hset', 'keep:list', 'f', 'v') return r.err", '0'],
  ['EVAL', "return redis.call('eval', 'return 1', '0')", '0'],
  ['EVAL', "return redis.call('multi')", '0'],
  ['EVAL', "return redis.call('subscribe', 'x')", '0'],
  ['EVAL', "return redis.call('select', 100)", '0'],
  ['EVAL', "return redis.call('ping', string.rep('z', 10))", '0'],
  ['EVAL', 'return 1', 'x'],
  ['EVAL', 'return 1', '-1'],
  ['EVAL', 'return 1', '5', 'a'],
  ['EVALSHA', 'ffffffffffffffffffffffffffffffffffffffff', '0'],
  ['EVALSHA', 'nothex', '0'],
  ['EVAL', "return redis.error_reply('E1 boom')", '0'],
  ['EVAL', "return {err='X'}", '0'],
  ['EVAL', "return string.rep('x', -1)", '0'],
  ['EVAL', "redis.setresp(4)", '0'],
  ['EVAL', "redis.set_repl(99)", '0'],
  ['EVAL', "return redis.sha1hex()", '0'],
];

const BIG: string[][] = [
  // 100 MB built by string.rep, stored in a key and read back; a 10 MB table.concat.
  ['EVAL', "local s = string.rep('ab', 50 * 1024 * 1024) redis.call('SET', KEYS[1], s) return {#s, redis.call('STRLEN', KEYS[1])}", '1', 'big'],
  ['GETRANGE', 'big', '104857590', '-1'],
  ['EVAL', "local t = {} for i = 1, 10 do t[i] = string.rep(string.char(96 + i), 1024 * 1024) end local s = table.concat(t) return {#s, s:sub(1, 3), s:sub(-3)}", '0'],
  ['DEL', 'big'],
];

/** Nodis (in this process, or as its own process with `child`) and redis-server when installed. */
async function startPair(child: boolean): Promise<{ n: RawClient; r: RawClient | null; port: number; both: (cmd: string[]) => Promise<string>; stop: () => Promise<void> }> {
  let port: number;
  let stopNodis: () => Promise<void>;
  if (child) {
    const ch = await startNodisChild();
    port = ch.port;
    stopNodis = ch.stop;
  } else {
    const srv = await startNodis({ quiet: true });
    port = srv.port;
    stopNodis = () => srv.close();
  }
  const n = await RawClient.connect(port);
  const oracle = await startOracle();
  const r = oracle !== null ? await RawClient.connect(oracle.port) : null;
  const both = async (cmd: string[]): Promise<string> => {
    n.write(encodeCommand(cmd));
    const a = await n.read(30000);
    if (r !== null) {
      r.write(encodeCommand(cmd));
      const b = await r.read(30000);
      assert.equal(a, b, `reply to ${JSON.stringify(cmd)}`);
    }
    return a;
  };
  return {
    n, r, port, both,
    stop: async () => {
      n.close();
      r?.close();
      await stopNodis();
      await oracle?.close();
    },
  };
}

async function runGroup(name: string, cmds: string[][], child = false): Promise<void> {
  const p = await startPair(child);
  try {
    for (const s of SEED) await p.both(s);
    const other = await RawClient.connect(p.port);
    try {
      for (const cmd of cmds) {
        const reply = await p.both(cmd);
        // Every syntax case is an error (the other groups are compared with redis-server).
        if (name === 'syntax') assert.match(reply, /^-/, `${cmd.join(' ')} -> ${reply}`);
        // Another client is served at once and sees its data unchanged.
        assert.equal(await other.call('PING'), '+PONG\r\n');
        await checkIntact(other, `after ${name}: ${JSON.stringify(cmd).slice(0, 80)}`);
        if (p.r !== null) await checkIntact(p.r, 'redis-server');
      }
      // The script cache still works.
      assert.equal(await p.n.call('EVAL', "return redis.call('GET', KEYS[1])", '1', 'keep:str'), '$5\r\nhello\r\n');
    } finally {
      other.close();
    }
  } finally {
    await p.stop();
  }
}

test('syntax and runtime errors: Redis error text, server keeps serving', { timeout: 60000 }, async () => {
  await runGroup('syntax', SYNTAX);
});

test('unbounded recursion: stack overflow error, server keeps serving', { timeout: 60000 }, async () => {
  // In its own process, as deployed: the JS stack is then the server's alone. (Inside the test
  // runner's process, V8 was seen aborting the process when a stack overflow hit a RegExp
  // compilation; see the report of this test's author.)
  await runGroup('recursion', [...SYNTAX.slice(0, 3), ...RECURSION], true);
  // Recursion through metamethods or pcall: Lua 5.1 reports its C-stack limit ("C stack
  // overflow"); Nodis's engine has one stack and reports "stack overflow". Both end the script.
  const p = await startPair(true);
  try {
    const scripts = [
      'local t = setmetatable({}, {__index = function(t, k) return t[k + 1] end}) return t[1]',
      "local function f(n) local ok, e = pcall(f, n + 1) if not ok then error(e, 0) end return 1 end return f(1)",
    ];
    for (const script of scripts) {
      p.n.write(encodeCommand(['EVAL', script, '0']));
      const n = await p.n.read(30000);
      assert.match(n, /^-ERR (user_script:1: )?(C )?stack overflow script: [0-9a-f]{40}, on @user_script:1\.\r\n$/);
      assert.equal(await p.n.call('PING'), '+PONG\r\n');
    }
  } finally {
    await p.stop();
  }
});

test('redis.call with wrong arguments: Redis error text, data intact', { timeout: 60000 }, async () => {
  await runGroup('wrong-calls', WRONG_CALLS);
});

test('a 100 MB string built in Lua', { timeout: 120000 }, async () => {
  await runGroup('big', BIG);
});

// ----------------------------------------------------------------------------
// Infinite loops: the server must be in its own process (a script blocks its thread).
// ----------------------------------------------------------------------------

async function startNodisChild(): Promise<{ port: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(__dirname, '..', '..', 'src', 'cli.js'), '--port', String(port), '--bind', '127.0.0.1', '--save', ''], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    try {
      const c = await RawClient.connect(port);
      c.close();
      break;
    } catch {
      await sleep(50);
    }
  }
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  return {
    port,
    stop: async () => {
      if (exited) return;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** Send PING until the server answers -BUSY (the script may not have started yet). */
async function untilBusy(c: RawClient): Promise<string> {
  const end = Date.now() + 30000;
  for (;;) {
    const r = await c.call('PING');
    if (r.startsWith('-BUSY')) return r;
    assert.equal(r, '+PONG\r\n');
    if (Date.now() > end) throw new Error('the script never made the server busy');
    await sleep(5);
  }
}

/**
 * The infinite-loop scenario on one server; returns every reply (they must be the same on
 * Nodis and redis-server).
 */
async function loopScenario(port: number): Promise<{ replies: string[] }> {
  const out: string[] = [];
  const c = await RawClient.connect(port);
  const other = await RawClient.connect(port);
  try {
    for (const s of SEED) await other.call(...s);
    out.push(await other.call('CONFIG', 'SET', 'busy-reply-threshold', '50'));

    // 1. A plain infinite loop: BUSY to others, then SCRIPT KILL.
    c.write(encodeCommand(['EVAL', 'local i = 0 while true do i = i + 1 end', '0']));
    out.push(await untilBusy(other));
    out.push(await other.call('GET', 'keep:str'));
    out.push(await other.call('SET', 'keep:str', 'changed'));
    out.push(await other.call('FUNCTION', 'KILL'));
    out.push(await other.call('SCRIPT', 'KILL'));
    out.push(await c.read(30000));
    out.push(await other.call('SCRIPT', 'KILL'));
    await checkIntact(other, 'after SCRIPT KILL');
    await checkIntact(c, 'caller after SCRIPT KILL');

    // 2. pcall cannot swallow the kill.
    c.write(encodeCommand(['EVAL', 'while true do pcall(function() while true do end end) end', '0']));
    out.push(await untilBusy(other));
    out.push(await other.call('SCRIPT', 'KILL'));
    out.push(await c.read(30000));
    await checkIntact(other, 'after killing a pcall loop');

    // 3. A loop of reads (redis.call) is still killable.
    c.write(encodeCommand(['EVAL', "while true do redis.call('GET', KEYS[1]) redis.call('LRANGE', KEYS[2], 0, -1) end", '2', 'keep:str', 'keep:list']));
    out.push(await untilBusy(other));
    out.push(await other.call('SCRIPT', 'KILL'));
    out.push(await c.read(30000));

    // 4. A function: FUNCTION KILL; SCRIPT KILL is refused.
    out.push(await other.call('FUNCTION', 'LOAD', "#!lua name=spinlib\nredis.register_function('spin', function() while true do end end)"));
    c.write(encodeCommand(['FCALL', 'spin', '0']));
    out.push(await untilBusy(other));
    out.push(await other.call('SCRIPT', 'KILL'));
    out.push(await other.call('FUNCTION', 'KILL'));
    out.push(await c.read(30000));
    await checkIntact(other, 'after FUNCTION KILL');

    // 5. Serving continues normally, including scripts.
    out.push(await c.call('EVAL', "return redis.call('HGET', KEYS[1], 'f2')", '1', 'keep:hash'));
    out.push(await other.call('PING'));

    // 6. A loop after a write cannot be killed: only SHUTDOWN NOSAVE ends it.
    c.write(encodeCommand(['EVAL', "redis.call('SET', KEYS[1], 'w') while true do end", '1', 'other:key']));
    out.push(await untilBusy(other));
    out.push(await other.call('SCRIPT', 'KILL'));
    out.push(await other.call('GET', 'keep:str'));
    other.write(encodeCommand(['SHUTDOWN', 'NOSAVE']));
    out.push((await c.waitClosed(30000)) ? 'caller closed' : 'caller still open');
    out.push((await other.waitClosed(30000)) ? 'other closed' : 'other still open');
    return { replies: out };
  } finally {
    c.close();
    other.close();
  }
}

test('infinite loop: BUSY after busy-reply-threshold, SCRIPT KILL / FUNCTION KILL, SHUTDOWN NOSAVE', { timeout: 90000 }, async () => {
  const nodis = await startNodisChild();
  let n: { replies: string[] };
  try {
    n = await loopScenario(nodis.port);
  } finally {
    await nodis.stop();
  }
  const expected = [
    '+OK\r\n',
    '-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n',
    '-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n',
    '-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n',
  ];
  assert.deepEqual(n.replies.slice(0, 4), expected);
  assert.match(n.replies[6], /^-ERR Script killed by user with SCRIPT KILL\.\.\. script: [0-9a-f]{40}, on @user_script:1\.\r\n$/);
  assert.equal(n.replies[7], '-NOTBUSY No scripts in execution right now.\r\n');
  assert.match(n.replies[n.replies.length - 4], /^-UNKILLABLE/);
  assert.deepEqual(n.replies.slice(-2), ['caller closed', 'other closed']);

  const oracle = await startOracle();
  if (oracle === null) return;
  let r: { replies: string[] };
  try {
    r = await loopScenario(oracle.port);
  } finally {
    // The scenario ends with SHUTDOWN NOSAVE: the oracle has exited already, and its close()
    // waits for an exit event that has passed. Do not wait for it for long.
    await Promise.race([oracle.close(), sleep(2000)]);
  }
  // Where a killed script was stopped: Redis reports the line running when its hook fired;
  // Nodis reports the line of the last call made (line 1 when none), so the line is not compared.
  const norm = (s: string): string => s.replace(/[0-9a-f]{40}/g, '<sha>').replace(/(on @user_(script|function)):\d+\./, '$1:N.');
  assert.deepEqual(n.replies.map(norm), r.replies.map(norm));
});

test('a connection opened while a script is busy is served once the script ends', { timeout: 60000 }, async () => {
  const nodis = await startNodisChild();
  const c = await RawClient.connect(nodis.port);
  const other = await RawClient.connect(nodis.port);
  try {
    await other.call('CONFIG', 'SET', 'busy-reply-threshold', '50');
    c.write(encodeCommand(['EVAL', 'while true do end', '0']));
    await untilBusy(other);
    // Redis accepts the connection and answers -BUSY; Nodis accepts it when the script ends
    // (the Lua loop holds the event loop that accepts connections). Either way it is served.
    const late = connectLate(nodis.port);
    await sleep(100);
    assert.equal(await other.call('SCRIPT', 'KILL'), '+OK\r\n');
    assert.match(await c.read(30000), /killed by user/);
    const lc = await late;
    const r = await lc.call('PING');
    assert.ok(r === '+PONG\r\n' || r.startsWith('-BUSY'), r);
    assert.equal(await lc.call('PING'), '+PONG\r\n');
    lc.close();
  } finally {
    c.close();
    other.close();
    await nodis.stop();
  }
});

function connectLate(port: number): Promise<RawClient> {
  return RawClient.connect(port);
}

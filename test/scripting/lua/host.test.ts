import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LuaEngine, LuaError, LuaInterrupt, LuaTable, LuaValue } from '../../../src/scripting/lua';

function errOf(f: () => unknown): LuaError {
  try {
    f();
  } catch (e) {
    if (e instanceof LuaError) return e;
    throw e;
  }
  throw new Error('no error');
}

test('host functions receive and return Lua values; errors carry any value', () => {
  const e = new LuaEngine();
  const calls: LuaValue[][] = [];
  e.register('redis.call', (...args) => {
    calls.push(args);
    if (args[0] === 'fail') {
      const t = new LuaTable();
      t.set('err', 'ERR something');
      throw new LuaError(t);
    }
    return [args.length, 'ok'];
  });
  assert.deepEqual(e.run('return redis.call("set", KEYS and 1 or 2, "v")', '=s'), [3, 'ok']);
  assert.deepEqual(calls[0], ['set', 2, 'v']);
  assert.deepEqual(e.run('local ok, err = pcall(redis.call, "fail") return ok, err.err', '=s'), [false, 'ERR something']);
  const err = errOf(() => e.run('redis.call("fail")', '=s'));
  assert.ok(err.value instanceof LuaTable);
  assert.equal(err.message, 'ERR something');
});

test('global protection (Redis texts)', () => {
  const e = new LuaEngine();
  e.setGlobal('KEYS', e.tableFromArray(['a']));
  e.protectGlobals();
  assert.equal(errOf(() => e.run('x = 1', '@user_script')).message, "user_script:1: Script attempted to create global variable 'x'");
  assert.equal(errOf(() => e.run('return y', '@user_script')).message, "user_script:1: Script attempted to access nonexistent global variable 'y'");
  assert.deepEqual(e.run('local t = {} t.x = 1 return KEYS[1], t.x, rawget(_G, "nope")', '@user_script'), ['a', 1, undefined]);
  assert.deepEqual(e.run('return pcall(function() return undefined_var end)', '@user_script'), [
    false,
    "user_script:1: Script attempted to access nonexistent global variable 'undefined_var'",
  ]);
});

test('deadline interrupts infinite loops and pcall cannot swallow it', () => {
  const e = new LuaEngine();
  for (const src of [
    'while true do end',
    'local function f() return f() end f()',
    'while true do pcall(function() while true do end end) end',
    'repeat local x = {} until false',
    'for i = 1, math.huge do end',
    'local t = {} for k, v in function() return 1, 1 end do end',
    'while true do pcall(error, "x") end',
    'local t = {} for i = 1, 1e9 do t[#t % 100 + 1] = i end',
    'local s = string.rep("a", 1000) while true do s:gsub("a", "b") end',
    // pathological backtracking inside one library call
    'return string.rep("a", 30000):find(".-.-.-b")',
    'return string.rep("a", 1e6):find("a*b")',
    'return (string.rep("a", 5000) .. "c"):gsub("(a-)(a-)b", "")',
    'local t = {} for i = 1, 3e5 do t[i] = (i * 7919) % 1000 end table.sort(t, function(a, b) return a < b end) while true do end',
  ]) {
    e.setDeadline(50);
    const t0 = Date.now();
    assert.throws(() => e.run(src, '=s'), (x: unknown) => x instanceof LuaInterrupt || (x instanceof LuaError && /stack overflow/.test(x.message)), src);
    assert.ok(Date.now() - t0 < 2000, 'interrupt took too long for ' + src);
  }
  e.clearDeadline();
  assert.deepEqual(e.run('return 1'), [1]);
});

test('kill flag from a host function / tick hook', () => {
  const e = new LuaEngine();
  let n = 0;
  e.onTick = () => {
    if (++n > 5) e.kill('SCRIPT KILL');
  };
  assert.throws(() => e.run('while true do end'), (x: unknown) => x instanceof LuaInterrupt && x.reason === 'SCRIPT KILL');
  e.onTick = null;
  e.clearDeadline();
  assert.deepEqual(e.run('return 2'), [2]);
});

test('stack overflow is a Lua error', () => {
  const e = new LuaEngine();
  const err = errOf(() => e.run('local function f() return 1 + f() end return f()', '=s'));
  assert.match(err.message, /^s:1: stack overflow$/);
  assert.deepEqual(e.run('local function f() return 1 + f() end local ok, m = pcall(f) return ok, m', '=s'), [false, 's:1: stack overflow']);
  // metamethod recursion
  const err2 = errOf(() => e.run('local t = setmetatable({}, {}) getmetatable(t).__index = function(t, k) return t[k] end return t.x', '=s'));
  assert.match(err2.message, /stack overflow/);
});

test('huge strings and tables fail with not enough memory', () => {
  const e = new LuaEngine();
  assert.match(errOf(() => e.run('local s = "x" while true do s = s .. s end', '=s')).message, /not enough memory/);
  assert.match(errOf(() => e.run('return string.rep("x", 2^40)', '=s')).message, /not enough memory/);
  assert.deepEqual(e.run('return pcall(string.rep, "abc", 1e12)', '=s'), [false, 'not enough memory']);
});

test('byte strings round-trip all bytes including NUL', () => {
  const e = new LuaEngine();
  let all = '';
  for (let i = 0; i < 256; i++) all += String.fromCharCode(i);
  const [r, n] = e.run('local s = ... return s:upper():lower(), #s', '=s', all);
  assert.equal(n, 256);
  assert.equal((r as string).length, 256);
  assert.deepEqual(e.run('return ("\\0a\\0"):byte(1, -1)', '=s'), [0, 97, 0]);
});

test('table helpers and varargs from host', () => {
  const e = new LuaEngine();
  const t = e.tableFromObject({ a: 1, b: 'x' });
  const fn = e.compile('local t, n = ... return t.a + n, t.b', '=s');
  assert.deepEqual(e.call(fn, t, 41), [42, 'x']);
  const arr = e.run('return {1, 2, 3, nil, 5}', '=s')[0] as LuaTable;
  assert.deepEqual(e.tableToArray(arr), [1, 2, 3, undefined, 5]);
  assert.equal(e.tableEntries(e.tableFromArray(['p', 'q'])).length, 2);
});

test('math.random is deterministic and seedable', () => {
  const e = new LuaEngine();
  e.seedRandom(0);
  const a = e.run('return math.random(), math.random(100)');
  e.seedRandom(0);
  const b = e.run('return math.random(), math.random(100)');
  assert.deepEqual(a, b);
});

test('cmsgpack round trip and encodings', () => {
  const e = new LuaEngine();
  const r = e.run(`
    local t = {1, 2.5, "str", true, false, {a = 1}, {}, -1, -200, 70000, 2^40, -2^40, string.rep("x", 40), string.rep("y", 300)}
    local p = cmsgpack.pack(t)
    local u = cmsgpack.unpack(p)
    local ok = true
    for i = 1, 5 do if u[i] ~= t[i] then ok = false end end
    if u[6].a ~= 1 or next(u[7]) ~= nil or u[8] ~= -1 or u[9] ~= -200 or u[10] ~= 70000 or u[11] ~= 2^40 or u[12] ~= -2^40 then ok = false end
    if u[13] ~= t[13] or u[14] ~= t[14] then ok = false end
    local a, b, c = cmsgpack.unpack(cmsgpack.pack(1, "two", nil))
    return ok, cmsgpack.pack(1), cmsgpack.pack(-1), cmsgpack.pack("ab"), cmsgpack.pack({}), cmsgpack.pack(0.5), cmsgpack.pack(0.1):byte(1), a, b, c
  `);
  assert.deepEqual(r, [true, '\x01', '\xff', '\xa2ab', '\x90', '\xca\x3f\x00\x00\x00', 0xcb, 1, 'two', undefined]);
  assert.match(errOf(() => e.run('return cmsgpack.unpack("\\205")')).message, /Missing bytes in input\.$/);
});

test('struct pack/unpack/size', () => {
  const e = new LuaEngine();
  const r = e.run(`
    local p = struct.pack(">I2i4", 258, -2)
    local a, b, nxt = struct.unpack(">I2i4", p)
    return #p, a, b, nxt, struct.size("<i4hb"), struct.pack("<h", 1), struct.unpack("s", "abc\\0rest"), struct.pack("c3", "abcdef")
  `);
  assert.deepEqual(r, [6, 258, -2, 7, 7, '\x01\x00', 'abc', 'abc']);
});

test('resumable form: pauses on time slices and gives the same results', () => {
  const e = new LuaEngine();
  const src = `
    local t = {}
    for i = 1, 200000 do t[#t + 1] = i % 13 end
    local ok, s = pcall(function() local s = 0 for i = 1, #t do s = s + t[i] end return s end)
    local co = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end)
    return s, co() + co() + co(), #t`;
  const plain = e.run(src, '=r');
  const fn = e.compileResumable(src, '=r');
  const call = e.startCall(fn);
  let steps = 0;
  const other = new LuaEngine();
  while (!call.step(1)) {
    steps++;
    // the host is free to do other work between slices
    assert.deepEqual(other.run('return 1 + 1'), [2]);
  }
  assert.deepEqual(call.results, plain);
  assert.ok(call.pauses >= 0 && steps === call.pauses);
});

test('resumable form: long loops pause, deadline still interrupts', () => {
  const e = new LuaEngine();
  const fn = e.compileResumable('local n = 0 for i = 1, 2e7 do n = n + 1 end return n', '=r');
  const call = e.startCall(fn);
  while (!call.step(2)) {
    /* spin */
  }
  assert.deepEqual(call.results, [2e7]);
  assert.ok(call.pauses > 0, 'expected pauses, got ' + call.pauses);
  const inf = e.startCall(e.compileResumable('while true do end', '=r'));
  e.setDeadline(30);
  assert.throws(() => {
    while (!inf.step(5)) {
      /* spin */
    }
  }, (x: unknown) => x instanceof LuaInterrupt);
  e.clearDeadline();
});

test('heap limit: building a huge table fails with not enough memory', () => {
  const { getHeapStatistics } = require('node:v8') as typeof import('node:v8');
  const e = new LuaEngine();
  e.heapLimit = getHeapStatistics().used_heap_size + 64 * 1024 * 1024;
  const err = errOf(() => e.run('local t = {} local i = 0 while true do i = i + 1 t[i] = {i} end', '=m'));
  assert.equal(err.message, 'not enough memory');
  assert.deepEqual(e.run('local ok, m = pcall(function() local t = {} for i = 1, 1e9 do t[i] = "x" .. i end end) return ok, m', '=m'), [false, 'not enough memory']);
});

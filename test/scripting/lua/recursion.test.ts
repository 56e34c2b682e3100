// Runaway and deep recursion of every shape (Lua calls, metamethods, pcall/xpcall, gsub and sort
// callbacks, __tostring, coroutines, iterators) ends in lua5.1's "stack overflow" / "C stack
// overflow" Lua error, never in a crashed process, even when the innermost frame makes V8
// compile a RegExp: a call-depth limit leaves JS stack to spare at the deepest Lua frame.
// The hammering runs in child processes (a V8 abort would kill the test runner otherwise).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { LuaEngine, LuaError } from '../../../src/scripting/lua';

interface Tally {
  runs: number;
  ok: number;
  overflow: number;
  atLimit: number;
  minRemainingPct: number;
  bad: string[];
  maxDepth: Record<string, number>;
}

function runChild(seed: number, rounds: number): Promise<{ code: number | null; signal: string | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(__dirname, 'recursion-child.js'), String(seed), String(rounds)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code, signal) => resolve({ code, signal, out, err }));
  });
}

test('recursion hammer: random depths at the limit, fresh RegExps at the deepest frame, process survives', { timeout: 300000 }, async () => {
  const seed = (Date.now() & 0xffff) * 7 + 1;
  // two children at a time (the machine may be shared); random seeds, reported on failure
  for (let batch = 0; batch < 2; batch++) {
    const seeds = [seed + batch * 2, seed + batch * 2 + 1];
    const results = await Promise.all(seeds.map((s) => runChild(s, 2)));
    results.forEach((r, i) => {
      const ctx = 'seed ' + seeds[i] + ': ' + r.err.slice(0, 2000);
      assert.equal(r.signal, null, ctx);
      assert.equal(r.code, 0, ctx);
      const t = JSON.parse(r.out.trim()) as Tally;
      assert.deepEqual(t.bad, [], ctx);
      assert.ok(t.runs > 1500, ctx);
      assert.ok(t.overflow > 300 && t.ok > 300, ctx + JSON.stringify(t));
      // deepest-level calls (a fresh RegExp compiled there) did run
      assert.ok(t.atLimit > 200, ctx + JSON.stringify(t));
      // JS stack left at the deepest Lua frame, with up to 120 extra JS frames below the script
      assert.ok(t.minRemainingPct >= 5, ctx + JSON.stringify(t));
      // legitimate depth: 5000 levels of a one-parameter function work in lua5.1 and here
      assert.ok(t.maxDepth.plain >= 4000, ctx + JSON.stringify(t.maxDepth));
      assert.equal(t.maxDepth.pcall, 199);
    });
  }
});

function errOf(e: LuaEngine, src: string): string {
  try {
    e.run(src, '@user_script');
  } catch (x) {
    if (x instanceof LuaError) return String(x.value);
    throw x;
  }
  return 'no error';
}

test('overflow messages as lua5.1 (and Redis) report them', () => {
  const e = new LuaEngine();
  const cases: [string, string][] = [
    ['local function f() return 1 + f() end return f()', 'user_script:1: stack overflow'],
    ['local t = setmetatable({}, {__call = function(self) return 1 + self() end}) return t()', 'user_script:1: stack overflow'],
    ['local t = setmetatable({}, {__index = function(t, k) return t[k] end}) return t.x', 'user_script:1: C stack overflow'],
    ['local t = setmetatable({}, {__newindex = function(t, k, v) t[k] = v end}) t.x = 1', 'user_script:1: C stack overflow'],
    ['local mt = {} mt.__concat = function(a, b) return a .. b end local t = setmetatable({}, mt) return t .. "x"', 'user_script:1: C stack overflow'],
    ['local mt = {} mt.__add = function(a, b) return a + b end local t = setmetatable({}, mt) return t + 1', 'user_script:1: C stack overflow'],
    ['local t = setmetatable({}, {__tostring = function(self) return tostring(self) end}) return tostring(t)', 'C stack overflow'],
    ['local function f(s) return (string.gsub(s, ".", f)) end return f("a")', 'C stack overflow'],
    ['local function f() table.sort({3, 1, 2}, function(a, b) f() return a < b end) end f()', 'C stack overflow'],
    ['local function f() local ok, e = pcall(f) error(e, 0) end f()', 'C stack overflow'],
    ['local function f() local ok, e = coroutine.resume(coroutine.create(f)) error(e, 0) end f()', 'C stack overflow'],
    ['local function it(s, c) for k in it, s, c do end end it()', 'user_script:1: C stack overflow'],
  ];
  for (const [src, msg] of cases) assert.equal(errOf(e, src), msg, src);
  // pcall sees the error; the counters are restored after it
  assert.deepEqual(e.run('local function f() return 1 + f() end return pcall(f)', '@user_script'), [false, 'user_script:1: stack overflow']);
  // nested pcalls stop near LUAI_MAXCCALLS (lua5.1: 198 levels, its own C calls counted too)
  const [levels] = e.run('local n = 0 local function f() n = n + 1 local ok = pcall(f) return n end return f()', '@user_script') as number[];
  assert.ok(levels >= 190 && levels <= 200, String(levels));
  assert.deepEqual(e.run('local function f(n) if n == 0 then return 0 end return 1 + f(n - 1) end return f(5000)', '@user_script'), [5000]);
  // deep pcall nesting that lua5.1 allows (LUAI_MAXCCALLS 200)
  assert.deepEqual(e.run('local function f(n) if n == 0 then return 0 end local ok, v = pcall(f, n - 1) return v + 1 end return f(190)', '@user_script'), [190]);
});

test('depth counters: restored after errors, yields and abandoned coroutines', () => {
  const e = new LuaEngine();
  const R = e.R;
  const deep = 'local function f(n) if n == 0 then return 0 end return 1 + f(n - 1) end return f(4500)';
  for (let i = 0; i < 50; i++) {
    errOf(e, 'local function f() return 1 + f() end return f()');
    errOf(e, 'local t = setmetatable({}, {__index = function(t, k) return t[k] end}) return t.x');
    errOf(e, 'error("x")');
  }
  assert.equal(R.ctl.d, 0);
  assert.equal(R.ctl.c, 0);
  assert.deepEqual(e.run(deep, '=d'), [4500]);
  // a coroutine suspended at depth 100, resumed, abandoned; a wrap that errors
  const r = e.run(
    'local function g(n) if n == 0 then coroutine.yield(1) return 0 end return 1 + g(n - 1) end ' +
      'local co = coroutine.create(g) coroutine.resume(co, 100) local ok, v = coroutine.resume(co) ' +
      'local co2 = coroutine.create(g) coroutine.resume(co2, 100) ' +
      'local w = coroutine.wrap(function() error("boom") end) local ok2 = pcall(w) ' +
      'return v, ok2',
    '=co',
  );
  assert.deepEqual(r, [100, false]);
  assert.equal(R.ctl.d, 0);
  assert.equal(R.ctl.c, 0);
  assert.deepEqual(e.run(deep, '=d'), [4500]);
  // resumable (time-sliced) form: paused frames are accounted for across steps
  const fn = e.compileResumable('local function f(n) if n == 0 then local x = 0 for i = 1, 3e6 do x = x + i end return x end return f(n - 1) end return f(200)', '=res');
  const call = e.startCall(fn);
  while (!call.step(1)) assert.equal(R.ctl.c, 0);
  assert.equal(call.results[0], 4500001500000);
  assert.equal(R.ctl.d, 0);
});

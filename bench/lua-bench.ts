// Lua engine benchmarks, side by side with the reference lua5.1 (if installed).
// Run: npm run bench:lua
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { LuaEngine, LuaValue } from '../src/scripting/lua';

const LUA51 = ['/usr/bin/lua5.1', '/usr/local/bin/lua5.1'].find((p) => existsSync(p)) ?? null;
const REPS = 5;

/** CPU time in ms (user+system), comparable with lua5.1's os.clock() */
function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

interface Work {
  name: string;
  ours: string; // body run by our engine, `hostfn` is a JS host function
  ref?: string; // body for lua5.1 (defaults to ours); `hostfn` stands for a C function there
}

const works: Work[] = [
  {
    name: 'table+string workload',
    ours: `
      local t = {}
      for i = 1, 200000 do t[i] = "item" .. i end
      local m = {}
      for i = 1, #t do m[t[i]] = i end
      local s = 0
      for k, v in pairs(m) do s = s + #k + v end
      local parts = {}
      for i = 1, 20000 do parts[#parts + 1] = t[i]:upper():sub(2, 5) end
      local r = table.concat(parts, ",")
      local nums = {}
      for i = 1, 50000 do nums[i] = (i * 7919) % 100003 end
      table.sort(nums)
      return s + #r + nums[1]`,
  },
  {
    name: 'tostring/string.format',
    ours: `
      local acc = 0
      for i = 1, 100000 do
        local a = tostring(i * 1.5)
        local b = string.format("%d:%s:%.2f:%5.1f", i, "k", i / 7, i / 3)
        acc = acc + #a + #b
      end
      return acc`,
  },
  {
    name: 'patterns (find/gsub/gmatch)',
    ours: `
      local text = string.rep("the quick brown fox jumps over the lazy dog 12345 ", 200)
      local n = 0
      for i = 1, 50 do
        for w in text:gmatch("%a+") do n = n + 1 end
        local r = text:gsub("(%w+) (%w+)", "%2 %1")
        n = n + #r + (text:find("lazy dog 1234", 1, true) or 0)
      end
      return n`,
  },
  {
    name: 'function calls (fib 27)',
    ours: `
      local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
      return fib(27)`,
  },
  {
    name: 'closures/metatables/OOP',
    ours: `
      local V = {} V.__index = V
      V.__add = function(a, b) return setmetatable({x = a.x + b.x, y = a.y + b.y}, V) end
      function V.new(x, y) return setmetatable({x = x, y = y}, V) end
      function V:len2() return self.x * self.x + self.y * self.y end
      local acc = V.new(0, 0)
      for i = 1, 300000 do acc = acc + V.new(i % 7, i % 3) end
      return acc:len2()`,
  },
  {
    name: '100k host calls',
    ours: `local f = hostfn local x for i = 1, 100000 do x = f(i) end return x`,
    ref: `local f = type local x for i = 1, 100000 do x = f(i) end return x`,
  },
];

function refTime(body: string): number | null {
  if (!LUA51) return null;
  const prog = `local function w() ${body}\nend\nlocal best = 1e9\nfor r = 1, ${REPS} do local t0 = os.clock() w() local dt = os.clock() - t0 if dt < best then best = dt end end\nio.write(string.format("%.6f", best))`;
  const r = spawnSync(LUA51, ['-'], { input: prog, encoding: 'latin1' });
  if (r.status !== 0) throw new Error(r.stderr);
  return parseFloat(r.stdout) * 1000;
}

const coldTimes: string[] = [];
function ourTime(body: string): number {
  const e = new LuaEngine();
  e.register('hostfn', (x: LuaValue) => x);
  const fn = e.compile(body, '=bench');
  let best = Infinity;
  for (let r = 0; r < REPS; r++) {
    const t0 = cpuNow();
    e.call(fn);
    const dt = cpuNow() - t0;
    if (r === 0) coldTimes.push(dt.toFixed(1) + ' ms');
    best = Math.min(best, dt);
  }
  return best;
}

function fmt(ms: number | null): string {
  return ms === null ? 'n/a' : ms.toFixed(1) + ' ms';
}

const rows: string[][] = [];
for (const w of works) {
  const ours = ourTime(w.ours);
  const ref = refTime(w.ref ?? w.ours);
  rows.push([w.name, fmt(ours), fmt(ref), ref === null ? '' : (ref / ours).toFixed(2) + 'x', coldTimes[coldTimes.length - 1]]);
}

// script invocation overhead: 10k invocations of a small script with KEYS/ARGV set per call
{
  const N = 10000;
  const src = 'return KEYS[1] .. ARGV[1]';
  const e = new LuaEngine();
  const fn = e.compile(src, '@user_script');
  let best = Infinity;
  for (let r = 0; r < REPS; r++) {
    const t0 = cpuNow();
    for (let i = 0; i < N; i++) {
      e.setGlobal('KEYS', e.tableFromArray(['k' + i]));
      e.setGlobal('ARGV', e.tableFromArray(['v']));
      e.call(fn);
    }
    best = Math.min(best, cpuNow() - t0);
  }
  const ref = refTime(
    `local f = loadstring(${JSON.stringify(src)}) for i = 1, ${N} do KEYS = {"k" .. i} ARGV = {"v"} pcall(f) end`,
  );
  rows.push([`${N / 1000}k script invocations`, fmt(best), fmt(ref), ref === null ? '' : (ref / best).toFixed(2) + 'x', '']);
}

// compile time of a real-size script
{
  const src = works.map((w) => 'do local function _w() ' + w.ours + ' end end').join('\n').concat('\n').repeat(10);
  const e = new LuaEngine();
  const t0 = cpuNow();
  for (let i = 0; i < 10; i++) e.compile(src, '=c' + i);
  rows.push([`compile ${(src.length / 1024).toFixed(0)} KB source`, fmt((cpuNow() - t0) / 10), '', '', '']);
}

// resumable (generator) form vs plain form
{
  for (const w of works.filter((x) => /fib|OOP|table/.test(x.name))) {
    const e = new LuaEngine();
    e.register('hostfn', (x: LuaValue) => x);
    const plain = e.compile(w.ours, '=p');
    const res = e.compileResumable(w.ours, '=r');
    let bp = Infinity,
      br = Infinity,
      pauses = 0;
    for (let r = 0; r < REPS; r++) {
      let t0 = cpuNow();
      e.call(plain);
      bp = Math.min(bp, cpuNow() - t0);
      t0 = cpuNow();
      const c = e.startCall(res);
      while (!c.step(5)) {
        /* host would serve other clients here */
      }
      br = Math.min(br, cpuNow() - t0);
      pauses = c.pauses;
    }
    rows.push([`resumable ${w.name} (5ms slices, ${pauses} pauses)`, fmt(br), fmt(bp) + '*', (bp / br).toFixed(2) + 'x', '']);
  }
}

console.log(`lua5.1: ${LUA51 ?? 'not installed'}; CPU time (ours: process.cpuUsage, lua5.1: os.clock), best of ${REPS}; ratio = lua5.1 time / our time (>1 means we are faster)`);
const w0 = Math.max(...rows.map((r) => r[0].length)) + 2;
console.log('workload'.padEnd(w0) + 'ours'.padStart(12) + 'lua5.1'.padStart(12) + 'ratio'.padStart(9) + '  ours first run (cold JIT)');
for (const r of rows) console.log(r[0].padEnd(w0) + r[1].padStart(12) + r[2].padStart(12) + r[3].padStart(9) + '  ' + r[4]);
console.log('* resumable rows compare against our plain (non-resumable) form, not lua5.1');

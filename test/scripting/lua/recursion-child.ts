// Child process for recursion.test.ts: runs unbounded and deep recursion of many shapes, with a
// library call (string.find/match/gsub/gmatch/format, table.sort, tostring) in the innermost
// frame using a pattern never compiled before, so V8 compiles a RegExp at the deepest point.
// Usage: node recursion-child.js <seed> <rounds>. Prints one JSON line with the tallies; any
// V8 abort (the bug this guards against) kills the process with a signal instead.
import { LuaEngine, LuaError, LuaValue } from '../../../src/scripting/lua';
import { mulberry32 as rng } from '../../prng';


// Innermost operations: PAT is a fresh pattern, SUBJ a subject it matches.
const INNER: Record<string, string> = {
  find: 'string.find(SUBJ, PAT)',
  match: 'string.match(SUBJ, PAT)',
  gsub: 'string.gsub(SUBJ, PAT, "%1")',
  gmatch: 'string.gmatch(SUBJ, PAT)()',
  format: 'string.format("%5.2f|%-8s|%x|%q|%g", 3.25, PAT, 255, SUBJ, 1e300)',
  sort: 'table.sort({5, 3, 9, 1, PAT, SUBJ}, function(a, b) return tostring(a) < tostring(b) end)',
  tostring: 'tostring(setmetatable({}, {__tostring = function() return PAT .. SUBJ end}))',
  probe: 'probe()',
};

// Recursion shapes: define `f(n)` that recurses n levels (unbounded when n is huge), marks the
// depth reached in DEPTH and evaluates INNER() at the bottom.
const SHAPES: Record<string, string> = {
  plain: 'local function f(n) DEPTH = n if n <= 0 then return INNER() and 1 or 0 end return 1 + f(n - 1) end',
  locals: 'local function f(n) DEPTH = n local a, b, c, d, e, g, h = n, n, n, n, n, n, n if n <= 0 then return INNER() and 1 or 0 end return a + f(n - 1) + h end',
  generator: '-- coroutine mode\nlocal function f(n) DEPTH = n if n <= 0 then return INNER() and 1 or 0 end return 1 + f(n - 1) end',
  index: 'local t = setmetatable({}, {__index = function(t, n) DEPTH = n if n <= 0 then return INNER() and 1 or 0 end return t[n - 1] end}) local function f(n) return t[n] end',
  newindex: 'local t = setmetatable({}, {__newindex = function(t, n, v) DEPTH = n if n <= 0 then INNER() return end t[n - 1] = v end}) local function f(n) t[n] = 1 return 1 end',
  call: 'local c = setmetatable({}, {__call = function(self, n) DEPTH = n if n <= 0 then return INNER() and 1 or 0 end return 1 + self(n - 1) end}) local function f(n) return c(n) end',
  concat: 'local mt = {} mt.__concat = function(a, b) local n = b DEPTH = n if n <= 0 then return INNER() and "x" or "y" end return a .. (n - 1) end local o = setmetatable({}, mt) local function f(n) return o .. n end',
  add: 'local mt = {} mt.__add = function(a, n) DEPTH = n if n <= 0 then return INNER() and 1 or 0 end return a + (n - 1) end local o = setmetatable({}, mt) local function f(n) return o + n end',
  lt: 'local mt = {} local L = 0 mt.__lt = function(a, b) local n = L DEPTH = n if n <= 0 then return INNER() and true or false end L = n - 1 return a < b end local o, p = setmetatable({}, mt), setmetatable({}, mt) local function f(n) L = n return o < p end',
  pcall: 'local function f(n) DEPTH = n if n <= 0 then return INNER() and 1 or 0 end local ok, v = pcall(f, n - 1) if not ok then error(v, 0) end return v end',
  xpcall: 'local function f(n) DEPTH = n if n <= 0 then return INNER() and 1 or 0 end local ok, v = xpcall(function() return f(n - 1) end, function(m) return m end) if not ok then error(v, 0) end return v end',
  gsubcb: 'local function f(n) DEPTH = n if n <= 0 then return INNER() and 1 or 0 end local r r = string.gsub("a", ".", function() r = f(n - 1) return "" end) return r end',
  sortcmp: 'local function f(n) DEPTH = n if n <= 0 then return INNER() and 1 or 0 end local r = 0 table.sort({2, 1}, function(a, b) r = f(n - 1) return a < b end) return r end',
  tostr: 'local function f(n) DEPTH = n if n <= 0 then return INNER() and "1" or "0" end return tostring(setmetatable({}, {__tostring = function() return f(n - 1) end})) end',
  resume: 'local function f(n) DEPTH = n if n <= 0 then return INNER() and 1 or 0 end local ok, v = coroutine.resume(coroutine.create(f), n - 1) if not ok then error(v, 0) end return v end',
  wrap: 'local function f(n) DEPTH = n if n <= 0 then return INNER() and 1 or 0 end return coroutine.wrap(f)(n - 1) end',
  iter: 'local function f(n) DEPTH = n if n <= 0 then return INNER() and 1 or 0 end local r = 0 for v in function(s, c) if c then return nil end return f(n - 1) end do r = v end return r end',
  mixed: 'local function g(k, n) if k > 0 then return g(k - 1, n) + 0 end return f(n) end function f(n) DEPTH = n if n <= 0 then return INNER() and 1 or 0 end local ok, v = pcall(g, n % 7, n - 1) if not ok then error(v, 0) end return v end',
};

/** the error texts lua5.1 gives for runaway recursion (5.1 prefixes wrap's rethrows) */
const OVERFLOW = /^([^:]+:\d+: )*(C )?stack overflow$/;

let cnt = 0;
function rec(): void {
  cnt++;
  rec();
}
function remainingFrames(): number {
  cnt = 0;
  try {
    rec();
  } catch {
    /* RangeError: the count is the answer */
  }
  return cnt;
}

/** run fn with about `frames` extra JS frames under it (a caller that is already deep) */
function atDepth<T>(frames: number, fn: () => T): T {
  const go = (k: number): T => (k <= 0 ? fn() : go(k - 1));
  return go(frames);
}

function main(): void {
  const seed = Number(process.argv[2] ?? 1);
  const rounds = Number(process.argv[3] ?? 2);
  const r = rng(seed);
  remainingFrames();
  const fullStack = remainingFrames();
  let seq = 0;
  const tally = { runs: 0, ok: 0, overflow: 0, atLimit: 0, minRemainingPct: 100, bad: [] as string[], maxDepth: {} as Record<string, number> };
  for (let round = 0; round < rounds; round++) {
    for (const [shape, def] of Object.entries(SHAPES)) {
      for (const [iname, inner] of Object.entries(INNER)) {
        const e = new LuaEngine();
        e.register('probe', (): LuaValue => {
          const pct = (remainingFrames() / fullStack) * 100;
          if (pct < tally.minRemainingPct) tally.minRemainingPct = Math.round(pct * 10) / 10;
          return true;
        });
        const src = 'local PAT, SUBJ, N = ...\nlocal f\nlocal function INNER() return ' + inner + ' end\n' + def + '\nreturn f(N)';
        const fn = e.compile(src, '@user_script');
        const run = (n: number, extraFrames: number): { ok: boolean; msg: string } => {
          seq++;
          const pat = '(%a+)' + 'q' + seq + '[%d]*%.?' + (seq % 3 === 0 ? '(%s*)' : '[^%c]-') + 'z$';
          const subj = 'abc' + 'q' + seq + '12.  z';
          try {
            atDepth(extraFrames, () => e.call(fn, pat, subj, n));
            return { ok: true, msg: '' };
          } catch (err) {
            if (err instanceof LuaError) return { ok: false, msg: String(err.value) };
            throw err;
          }
        };
        // unbounded: must end in the overflow error; DEPTH then tells the deepest level reached
        e.setGlobal('DEPTH', 0);
        const big = 1e9;
        const u = run(big, 0);
        tally.runs++;
        if (u.ok || !OVERFLOW.test(u.msg)) tally.bad.push(shape + '/' + iname + ' unbounded: ' + (u.ok ? 'no error' : u.msg.slice(0, 200)));
        else tally.overflow++;
        const reached = big - (e.getGlobal('DEPTH') as number);
        tally.maxDepth[shape] = reached;
        // random depths: mostly at or just past the deepest level, some anywhere below it,
        // called from random extra JS depth (as from the server's dispatch)
        for (let k = 0; k < 6; k++) {
          const x = r();
          const n = x < 0.5 ? reached - Math.floor(r() * 4) : x < 0.7 ? reached + 1 + Math.floor(r() * 3) : Math.floor(r() * reached);
          const extra = Math.floor(r() * 120);
          const v = run(Math.max(0, n), extra);
          tally.runs++;
          if (v.ok) {
            tally.ok++;
            if (n >= reached - 3) tally.atLimit++;
          } else if (OVERFLOW.test(v.msg)) tally.overflow++;
          else tally.bad.push(shape + '/' + iname + ' n=' + n + ': ' + v.msg.slice(0, 200));
        }
        // the engine is still usable and its depth counters are back to zero
        const again = e.run('local function g(n) if n == 0 then return 0 end return 1 + g(n - 1) end return g(3000)', '=again');
        if (again[0] !== 3000) tally.bad.push(shape + '/' + iname + ': engine unusable after overflow: ' + String(again[0]));
      }
    }
  }
  // sweep: every depth over the last levels before the limit, a fresh pattern each time
  for (const shape of ['plain', 'generator', 'index', 'gsubcb', 'call']) {
    const e = new LuaEngine();
    const inner = seq % 2 === 0 ? INNER.find : INNER.match;
    const fn = e.compile('local PAT, SUBJ, N = ...\nlocal f\nlocal function INNER() return ' + inner + ' end\n' + SHAPES[shape] + '\nreturn f(N)', '@user_script');
    const reached = tally.maxDepth[shape];
    for (let n = Math.max(0, reached - 150); n <= reached + 2; n++) {
      seq++;
      try {
        e.call(fn, '(%a+)q' + seq + '[%d]*%.?[^%c]-z$', 'abcq' + seq + '12.  z', n);
        tally.ok++;
      } catch (err) {
        if (err instanceof LuaError && OVERFLOW.test(String(err.value))) tally.overflow++;
        else tally.bad.push(shape + ' sweep n=' + n + ': ' + String(err instanceof LuaError ? err.value : err).slice(0, 200));
      }
      tally.runs++;
    }
  }
  process.stdout.write(JSON.stringify(tally) + '\n');
}

main();

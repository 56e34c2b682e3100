/**
 * Nodis Lua 5.1 engine — public API (module: src/scripting/lua, this file).
 *
 * A self-contained Lua 5.1 (no dependency on the rest of the server). Lua source is parsed with
 * the exact 5.1 grammar and error texts (parser.ts, lexer.ts) and translated to JavaScript source
 * (compiler.ts), evaluated once with `new Function` and returned as a callable; the host caches
 * the callable (e.g. by SHA1 of the script body).
 *
 * VALUES (value.ts): nil = undefined, booleans, numbers (doubles), strings are BYTE strings held
 * as latin1 JS strings (one char per byte, 0..255; NUL is fine), tables are `LuaTable`
 * (array part `arr` = 5.1's sizearray, string keys of small tables in a fast object, and a
 * shadow of ltable.c's node vector, so `#` borders, rehash points and pairs()/next() order are
 * those of lua5.1), functions are JS functions, userdata `LuaUserdata` (cjson.null), threads
 * `LuaCoroutine`. Convert text with `fromUtf8` / `toUtf8`.
 *
 * CALLING CONVENTION for every Lua-callable function (compiled Lua, library, host):
 *     (...args: LuaValue[]) => LuaValue | LuaValue[]
 * A non-array return is exactly one result; an array is the full result list (treat returned
 * arrays as immutable). Missing arguments are `undefined`.
 *
 * MAIN API
 *   new LuaEngine({ print?, redisLibs? })          one Lua state; base, string, table, math,
 *                                                  os.clock, coroutine, cjson, cmsgpack, bit, struct
 *   engine.compile(src, chunkname): LuaFunction    throws LuaError("chunk:line: msg near 'x'")
 *   engine.call(fn, ...args): LuaValue[]           throws LuaError | LuaInterrupt
 *   engine.run(src, chunkname, ...args)            compile + call
 *   engine.setGlobal(name, v) / getGlobal(name)
 *   engine.register('redis.call', hostFn)          dotted paths create tables; a host function
 *                                                  raises a Lua error with `throw new LuaError(v)`
 *                                                  (v may be any value, e.g. a table {err="..."})
 *   engine.newTable() / tableFromArray(a) / tableFromObject(o) / tableToArray(t) / tableEntries(t)
 *   engine.protectGlobals()                        Redis global protection: reading an undefined
 *       global raises "Script attempted to access nonexistent global variable 'x'", creating one
 *       raises "Script attempted to create global variable 'x'" (rawget/rawset bypass it)
 *   engine.setDeadline(ms) / clearDeadline() / kill(reason) / onTick = fn
 *       UNCATCHABLE interruption: compiled code decrements a counter on every function entry
 *       and loop back-edge; every 1000 steps it checks the kill flag, the deadline and calls
 *       `onTick` (e.g. to poll SCRIPT KILL). It throws `LuaInterrupt`, which pcall/xpcall/
 *       coroutine.resume rethrow.
 *   engine.heapLimit = bytes                       "not enough memory" Lua error when the JS heap
 *       exceeds it (checked periodically; default 75% of V8's heap limit). Huge strings
 *       (RangeError: Invalid string length), arrays and Maps also become "not enough memory".
 *   engine.seedRandom(n)                           math.random uses Redis's lrand48-style generator
 *   engine.compileResumable(src, name) + engine.startCall(fn, ...args).step(sliceMs)
 *       resumable form (generators): the script hands control back to the host when its time
 *       slice is over, so the server can keep serving; see bench for its cost.
 *
 * PATTERNS: Lua patterns are translated to JS RegExps when their worst-case backtracking is
 * bounded for the subject length (RegExp execution cannot be interrupted); otherwise a pattern
 * interpreter (lstrlib.c semantics) runs and checks the interruption counter.
 *
 * STACK DEPTH: runaway recursion is a Lua error with lua5.1's texts, raised before the JS stack
 * runs out (V8 aborts the process, rather than throwing, when its RegExp compiler meets the
 * stack limit). Compiled functions add their estimated JS frame size to a depth counter on
 * entry (runtime.ts DEPTH_BUDGET: 104K 8-byte slots, about 5000 levels of a small function,
 * 2300 in generator mode) -> "chunk:line: stack overflow"; calls made by native code
 * (metamethods, pcall/xpcall, gsub/sort/foreach callbacks, tostring, for-in iterators,
 * coroutine.resume) are also limited to 200 nested (LUAI_MAXCCALLS) -> "C stack overflow",
 * positioned when a Lua operation made the call. About 100 KB of JS stack remain at the
 * limit beyond the caller's; a JS RangeError still becomes "stack overflow" as a last resort.
 *
 * Chunk names follow 5.1: "=name" -> "name", "@file" -> "file", otherwise [string "..."];
 * Redis uses "@user_script".
 *
 * COROUTINES: chunks whose source mentions `coroutine` are compiled in generator mode (each Lua
 * function is a generator kept as `.G` on a plain wrapper); calls between Lua functions use
 * `yield*`, so coroutine.yield suspends the Lua call chain. As in 5.1, yielding across pcall,
 * metamethods, for-in iterators, sort comparators or gsub callbacks is an error. Functions
 * compiled from chunks that never mention `coroutine` run inside coroutines but cannot yield.
 *
 * KNOWN DIFFERENCES from lua5.1: no proper tail calls and a lower recursion limit (see STACK
 * DEPTH; lua5.1 allows ~16000 Lua levels); pairs()/next() order equals lua5.1's for string, number and boolean keys (so cjson
 * object key order matches Redis), but keys that are tables/functions hash by an internal id
 * instead of an address; error(msg, level) supports levels 0..2 (higher levels get no
 * position); function environments work for getfenv/setfenv on functions and on levels 0 and 1
 * (level 1 is known when the callee is named getfenv/setfenv at the call site), not level >= 2;
 * __mode (weak tables) and __gc are ignored; string.dump is unsupported; the constant-folding
 * quirk that prints `0*-1` as "0" is not reproduced; %s in string.format is not locale-aware.
 * No io/os (except os.clock)/debug/package libraries, as in Redis.
 */
import { compileChunk, Helpers, makeHelpers } from './engine';
import { openBase, makeIpairsAux, makeNext } from './lib-base';
import { openString } from './lib-string';
import { openMath, openTable, Rand48 } from './lib-table-math';
import { openExtras } from './lib-extra';
import { LuaCoroutine, markNative, openCoroutine } from './lib-coroutine';
import { PAUSE, Ret, Runtime, mv } from './runtime';
import { LuaError, LuaFunction, LuaInterrupt, LuaTable, LuaUserdata, LuaValue, fromUtf8, rawToString, toUtf8, typeName } from './value';

export { LuaError, LuaInterrupt, LuaTable, LuaUserdata, LuaCoroutine, fromUtf8, toUtf8, typeName };
export type { LuaValue, LuaFunction };

type Gen = Generator<LuaValue[], Ret, LuaValue[]>;

/** A script run in slices: call step(ms) until it returns true, then read `results`. */
export class ResumableCall {
  results: LuaValue[] = [];
  done = false;
  pauses = 0;
  private gen: Gen | null = null;
  /** call depth of the paused Lua frames (see LuaCoroutine.depth) */
  private depth = 0;
  constructor(private R: Runtime, private fn: LuaFunction, private args: LuaValue[]) {}

  /** Run for about `sliceMs` milliseconds. Returns true when finished. Throws LuaError/LuaInterrupt. */
  step(sliceMs: number): boolean {
    if (this.done) return true;
    const R = this.R;
    const saved = R.cs;
    const m = R.mark();
    const d0 = R.ctl.d;
    R.sliceEnd = performance.now() + sliceMs;
    try {
      R.cs = null;
      R.ctl.d += this.depth;
      let r: IteratorResult<LuaValue[], Ret>;
      if (this.gen === null) {
        const g = (this.fn as LuaFunction & { G?: (...a: LuaValue[]) => Gen }).G;
        if (g === undefined) {
          this.results = mv(this.fn(...this.args));
          this.done = true;
          return true;
        }
        this.gen = g(...this.args);
        r = this.gen.next();
      } else r = this.gen.next([]);
      if (r.done) {
        this.results = mv(r.value);
        this.done = true;
        return true;
      }
      if (r.value !== PAUSE) throw new LuaError('attempt to yield across metamethod/C-call boundary');
      this.depth = R.ctl.d - d0;
      this.pauses++;
      return false;
    } catch (e) {
      this.done = true;
      throw R.toLuaError(e);
    } finally {
      R.restore(m);
      R.sliceEnd = Infinity;
      R.cs = saved;
    }
  }
}

export interface LuaEngineOptions {
  /** sink for print(); default: discard */
  print?: (line: string) => void;
  /** load Redis extra libraries cjson, cmsgpack, bit, struct (default true) */
  redisLibs?: boolean;
}

export type HostFunction = (...args: LuaValue[]) => LuaValue | LuaValue[];

export class LuaEngine {
  readonly R: Runtime;
  readonly G: LuaTable;
  private H: Helpers;
  private rng = new Rand48();
  private printFn: (line: string) => void;
  /** generated JS of the last compile (debugging aid) */
  lastJs = '';

  constructor(opts: LuaEngineOptions = {}) {
    const R = (this.R = new Runtime());
    this.G = R.G;
    this.printFn = opts.print ?? (() => undefined);
    const nextFn = makeNext(R);
    const ipairsAux = makeIpairsAux();
    this.H = makeHelpers(R, nextFn, ipairsAux);
    openBase(this.G, {
      R,
      nextFn,
      ipairsAux,
      load: (src, name) => this.compile(src, name),
      print: (l) => this.printFn(l),
    });
    openString(R, this.G);
    openTable(R, this.G);
    openMath(R, this.G, this.rng);
    openCoroutine(R, this.G);
    if (opts.redisLibs !== false) openExtras(R, this.G);
    // remember library functions as natives (coroutine.create requires a Lua function)
    const mark = (t: LuaTable, depth: number): void => {
      let k: LuaValue = undefined;
      for (;;) {
        k = t.next(k);
        if (k === undefined) break;
        const v = t.nextValue;
        if (typeof v === 'function') markNative(v, R);
        else if (v instanceof LuaTable && depth < 1 && v !== t) mark(v, depth + 1);
      }
    };
    mark(this.G, 0);
  }

  set print(fn: (line: string) => void) {
    this.printFn = fn;
  }

  /** Compile a chunk (latin1 byte string) into a callable. Throws LuaError with 5.1 syntax messages. */
  compile(src: string, chunkname = src): LuaFunction {
    const { fn, js } = compileChunk(this.R, this.H, src, chunkname, this.R.threadEnv);
    this.lastJs = js;
    return fn;
  }

  /**
   * Compile in resumable form: every function is a generator that hands control back to the
   * host when its time slice is over (checked on loop back-edges and calls). Run it with
   * `startCall(fn, ...args)` and `step(sliceMs)`. Slower than `compile` (see bench); pauses
   * happen only while no coroutine is running and not inside calls made by library functions
   * (pcall, sort comparators, metamethods...), which simply run on.
   */
  compileResumable(src: string, chunkname = src): LuaFunction {
    const { fn, js } = compileChunk(this.R, this.H, src, chunkname, this.R.threadEnv, true);
    this.lastJs = js;
    return fn;
  }

  /** Start a call of a resumable function (plain functions run to completion on the first step). */
  startCall(fn: LuaFunction, ...args: LuaValue[]): ResumableCall {
    return new ResumableCall(this.R, fn, args);
  }

  /** Call a Lua value with arguments; returns all results. Throws LuaError or LuaInterrupt. */
  call(fn: LuaValue, ...args: LuaValue[]): LuaValue[] {
    const R = this.R;
    const saved = R.cs;
    const m = R.mark();
    try {
      R.cs = null;
      const r: Ret = typeof fn === 'function' ? fn(...args) : R.call(fn, args);
      return mv(r);
    } catch (e) {
      throw R.toLuaError(e);
    } finally {
      R.restore(m);
      R.cs = saved;
    }
  }

  /** compile + call */
  run(src: string, chunkname = src, ...args: LuaValue[]): LuaValue[] {
    let f: LuaFunction;
    try {
      f = this.compile(src, chunkname);
    } catch (e) {
      throw this.R.toLuaError(e);
    }
    return this.call(f, ...args);
  }

  setGlobal(name: string, v: LuaValue): void {
    this.G.set(name, v);
  }
  getGlobal(name: string): LuaValue {
    return this.G.get(name);
  }

  /** Register a host function under a global name or dotted path ("redis.call"); creates tables on the way. */
  register(path: string, fn: HostFunction): void {
    const parts = path.split('.');
    let t = this.G;
    for (let i = 0; i < parts.length - 1; i++) {
      let next = t.get(parts[i]);
      if (!(next instanceof LuaTable)) {
        next = new LuaTable();
        t.set(parts[i], next);
      }
      t = next;
    }
    markNative(fn as LuaFunction, this.R);
    t.set(parts[parts.length - 1], fn as LuaFunction);
  }

  // ----------------------------------------------------------------- table helpers
  newTable(): LuaTable {
    return new LuaTable();
  }
  tableFromArray(a: LuaValue[]): LuaTable {
    let n = a.length;
    while (n > 0 && a[n - 1] === undefined) n--;
    return new LuaTable(a.slice(0, n));
  }
  tableFromObject(o: Record<string, LuaValue>): LuaTable {
    const t = new LuaTable();
    for (const k of Object.keys(o)) t.set(k, o[k]);
    return t;
  }
  /** t[1..#t] */
  tableToArray(t: LuaTable): LuaValue[] {
    const n = t.length();
    const out: LuaValue[] = [];
    for (let i = 1; i <= n; i++) out.push(t.get(i));
    return out;
  }
  /** all key/value pairs in next() order */
  tableEntries(t: LuaTable): [LuaValue, LuaValue][] {
    const out: [LuaValue, LuaValue][] = [];
    let k: LuaValue = undefined;
    for (;;) {
      k = t.next(k);
      if (k === undefined) break;
      out.push([k, t.nextValue]);
    }
    return out;
  }
  tostring(v: LuaValue): string {
    return rawToString(v);
  }

  // ----------------------------------------------------------------- sandbox / limits
  /**
   * Redis-style global protection: afterwards reading an undefined global raises
   * "Script attempted to access nonexistent global variable 'x'" and creating one raises
   * "Script attempted to create global variable 'x'". rawset/rawget bypass it.
   */
  protectGlobals(): void {
    const R = this.R;
    const mt = new LuaTable();
    mt.set('__index', (_t: LuaValue, k: LuaValue): Ret => {
      return R.error("Script attempted to access nonexistent global variable '" + rawToString(k) + "'");
    });
    mt.set('__newindex', (_t: LuaValue, k: LuaValue): Ret => {
      return R.error("Script attempted to create global variable '" + rawToString(k) + "'");
    });
    this.G.mt = mt;
  }
  unprotectGlobals(): void {
    this.G.mt = null;
  }

  /** Interrupt the running script after `ms` milliseconds (uncatchable by pcall). */
  setDeadline(ms: number): void {
    this.R.killed = null;
    this.R.deadline = performance.now() + ms;
  }
  clearDeadline(): void {
    this.R.deadline = Infinity;
    this.R.killed = null;
  }
  /** Ask the running script to stop at its next check (call from a hook or a host function). */
  kill(reason = 'killed'): void {
    this.R.killed = reason;
    this.R.ctl.n = 0;
  }
  /** Called periodically while scripts run (e.g. to poll for SCRIPT KILL); may call kill(). */
  set onTick(fn: (() => void) | null) {
    this.R.onTick = fn;
  }
  /** Raise "not enough memory" when the JS heap exceeds this many bytes (checked periodically). */
  set heapLimit(bytes: number) {
    this.R.heapLimit = bytes;
  }
  /** Seed math.random (Redis reseeds with 0 before each script). */
  seedRandom(seed: number): void {
    this.rng.seed(seed);
  }
}



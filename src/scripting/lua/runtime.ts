// Runtime support for compiled Lua code: metamethod-aware operations, error reporting with
// 5.1 texts, interruption checks. One Runtime per engine (lua_State equivalent).
import { getHeapStatistics } from 'node:v8';
import {
  LuaError,
  LuaFunction,
  LuaInterrupt,
  LuaTable,
  LuaUserdata,
  LuaValue,
  numberToString,
  str2number,
  typeName,
  rawToString,
  fbRound,
} from './value';

/** static information about one operation in compiled code (for error messages) */
export interface Site {
  chunk: string;
  line: number;
  d1: string; // description of first operand / called value ("local 'x'") or ''
  d2: string;
}

export type Ret = LuaValue | LuaValue[];
/** site of operations performed on behalf of native code (no position) */
export const NOSITE: Site = { chunk: '?', line: 0, d1: '', d2: '' };
export const EMPTY: LuaValue[] = [];
Object.freeze(EMPTY);
/** value yielded by resumable code to hand control back to the host */
export const PAUSE: LuaValue[] = Object.freeze([]) as unknown as LuaValue[];

export function one(r: Ret): LuaValue {
  return Array.isArray(r) ? r[0] : r;
}
export function mv(r: Ret): LuaValue[] {
  return Array.isArray(r) ? r : [r];
}

const TICK = 1000;

/**
 * Call-depth limits (see index.ts, STACK DEPTH). Compiled functions add their estimated JS
 * frame size (8-byte slots, compiler.ts FRAME_SLOTS) to ctl.d on entry, and calls made by
 * native code (metamethods, pcall, callbacks, resume) add the size of the native frames they
 * put in between; past ctl.m a call fails with "stack overflow", before V8's own stack limit,
 * so that whatever runs at the deepest Lua frame (RegExp compilation, sort, string.format, a
 * redis.call into the server) still has JS stack to spare: V8 aborts the whole process,
 * instead of throwing RangeError, when some of its internals (the RegExp compiler) run out of
 * stack. DEPTH_BUDGET = 104K slots (832 KB of Node's default 984 KB stack): 5000 levels of a
 * one-parameter function (21 slots) as lua5.1 runs them (test corpus), while the measured JS
 * stack in use at the limit stays under ~890 KB for any recursion shape, leaving ~90 KB beyond
 * the server's own ~20 KB of frames below the script.
 */
export const DEPTH_BUDGET = 104 * 1024;
/** depth weight of the JS frames that call a __call handler (see Runtime.callable) */
const CALL_SLOTS = 40;
/** nested calls made by native code (metamethods, pcall, gsub/sort callbacks, resume): 5.1's LUAI_MAXCCALLS */
export const MAXCCALLS = 200;
/** depth weight of the native frames between a library function and the Lua function it calls */
export const CCALL_SLOTS = 80;

export class Runtime {
  /** current call site id (set by compiled code before calls); -1 when called from native code */
  cs: Site | null = null;
  /** caller's call site, set only before error(msg, 2) calls */
  cs2: Site | null = null;
  /** n: interruption countdown; d: call depth in frame slots, m: its limit; c: nested native->Lua calls */
  ctl = { n: TICK, d: 0, m: DEPTH_BUDGET, c: 0 };
  G: LuaTable = new LuaTable();
  stringMeta: LuaTable | null = null;
  // interruption
  deadline = Infinity; // performance.now() based
  killed: string | null = null;
  onTick: (() => void) | null = null;
  /** bytes of JS heap above which scripts fail with "not enough memory" (0 = no check) */
  heapLimit = Math.floor(getHeapStatistics().heap_size_limit * 0.75);
  private tickCount = 0;
  // memory limits
  maxStringLength = 512 * 1024 * 1024;
  // metatables for non-table types (userdata carry their own)
  nativeNames = new WeakMap<LuaFunction, string>();
  /** coroutine currently running (null = main) and the coroutine.yield native */
  currentCo: { status: string } | null = null;
  /** function that last called getfenv/setfenv (level 1), set by compiled code */
  curFn: LuaFunction | null = null;
  /** environment for newly loaded chunks (setfenv(0, t) changes it) */
  threadEnv: LuaTable = this.G;
  /** library and host functions (not Lua closures) */
  natives = new WeakSet<object>();
  yieldFn: LuaFunction | null = null;
  depth = 0;

  // ---------------------------------------------------------------- errors
  addSite(chunk: string, line: number, d1: string, d2: string): Site {
    return { chunk, line, d1, d2 };
  }

  /** "chunk:line:" prefix for errors raised by native functions at level 1 */
  where(s = this.cs): string {
    if (s === null) return '';
    return s.chunk + ':' + s.line + ': ';
  }

  /** raise an error from a native function (luaL_error semantics) */
  error(msg: string): never {
    throw new LuaError(this.where() + msg);
  }

  rtError(s: Site, msg: string): never {
    throw new LuaError(s.chunk + ':' + s.line + ': ' + msg);
  }

  typeError(s: Site, v: LuaValue, d: string, op: string): never {
    const t = typeName(v);
    if (d) this.rtError(s, 'attempt to ' + op + ' ' + d + ' (a ' + t + ' value)');
    this.rtError(s, 'attempt to ' + op + ' a ' + t + ' value');
  }

  /** end of the current time slice for resumable calls (performance.now() based) */
  sliceEnd = Infinity;

  /** tick for resumable code: returns true when the time slice is over (caller yields PAUSE) */
  tickP(): boolean {
    this.tick();
    return performance.now() > this.sliceEnd;
  }

  tick(): void {
    this.ctl.n = TICK;
    if (this.killed !== null) throw new LuaInterrupt(this.killed);
    if (this.deadline !== Infinity && performance.now() > this.deadline) {
      this.killed = 'deadline exceeded';
      throw new LuaInterrupt(this.killed);
    }
    if (this.onTick !== null) this.onTick();
    if (this.heapLimit > 0 && (++this.tickCount & 15) === 0) {
      if (getHeapStatistics().used_heap_size > this.heapLimit) throw new LuaError('not enough memory');
    }
  }

  // ---------------------------------------------------------------- depth limits
  /** a compiled function whose entry passed the depth budget: undo its weight, raise 5.1's error */
  stackOverflow(w: number): never {
    this.ctl.d -= w;
    throw new LuaError(this.where() + 'stack overflow');
  }

  /**
   * Enter a call made on behalf of native code (lua5.1's luaD_call): at LUAI_MAXCCALLS nested
   * ones, "C stack overflow", positioned at `s` when a Lua operation (metamethod, for-in
   * iterator) makes the call, unpositioned when a library function does. Pair with
   * `leaveC()` after a normal return; catch points restore the counters (see `mark`).
   */
  enterC(s: Site | null): void {
    const c = this.ctl;
    if (++c.c >= MAXCCALLS) {
      c.c--;
      throw new LuaError((s === null || s === NOSITE ? '' : this.where(s)) + 'C stack overflow');
    }
    c.d += CCALL_SLOTS;
  }
  /** end of a call made by native code (after a normal return; see enterC) */
  leaveC(): void {
    const c = this.ctl;
    c.c--;
    c.d -= CCALL_SLOTS;
  }

  /** depth counters to restore after catching an error thrown by Lua code (see `restore`) */
  mark(): number {
    return this.ctl.d * 256 + this.ctl.c;
  }
  restore(m: number): void {
    this.ctl.c = m % 256;
    this.ctl.d = (m - this.ctl.c) / 256;
  }

  // ---------------------------------------------------------------- metatables
  getMetatable(v: LuaValue): LuaTable | null {
    if (v instanceof LuaTable) return v.mt;
    if (typeof v === 'string') return this.stringMeta;
    if (v instanceof LuaUserdata) return v.mt;
    return null;
  }

  metaOf(v: LuaValue, ev: string): LuaValue {
    const mt = this.getMetatable(v);
    return mt === null ? undefined : mt.getStr(ev);
  }

  // ---------------------------------------------------------------- calls
  call(f: LuaValue, args: LuaValue[]): Ret {
    if (typeof f === 'function') return f(...args);
    const h = this.metaOf(f, '__call');
    if (typeof h === 'function') return h(f, ...args);
    if (h !== undefined) return this.call(h, [f, ...args]);
    this.error('attempt to call a ' + typeName(f) + ' value');
  }

  /** call a metamethod handler (counts as a nested native call, see enterC) */
  callMeta(h: LuaValue, args: LuaValue[], s: Site | null): LuaValue {
    this.enterC(s);
    const r = one(this.call(h, args));
    this.leaveC();
    return r;
  }

  call1(f: LuaValue, ...args: LuaValue[]): LuaValue {
    return one(this.call(f, args));
  }

  // ---------------------------------------------------------------- index
  index(o: LuaValue, k: LuaValue, s: Site): LuaValue {
    for (let loop = 0; loop < 100; loop++) {
      let h: LuaValue;
      if (o instanceof LuaTable) {
        const v = o.get(k);
        if (v !== undefined) return v;
        const mt = o.mt;
        if (mt === null) return undefined;
        h = mt.getStr('__index');
        if (h === undefined) return undefined;
      } else {
        h = this.metaOf(o, '__index');
        if (h === undefined) this.typeError(s, o, loop === 0 ? s.d1 : '', 'index');
      }
      if (typeof h === 'function') {
        this.cs = s;
        this.enterC(s);
        const r = one(h(o, k));
        this.leaveC();
        return r;
      }
      o = h;
    }
    this.rtError(s, 'loop in gettable');
  }

  setIndex(o: LuaValue, k: LuaValue, v: LuaValue, s: Site): void {
    for (let loop = 0; loop < 100; loop++) {
      let h: LuaValue;
      if (o instanceof LuaTable) {
        const mt = o.mt;
        if (mt === null || (h = mt.getStr('__newindex')) === undefined || o.get(k) !== undefined) {
          if (k === undefined) this.rtError(s, 'table index is nil');
          if (k !== k) this.rtError(s, 'table index is NaN');
          o.set(k, v);
          return;
        }
      } else {
        h = this.metaOf(o, '__newindex');
        if (h === undefined) this.typeError(s, o, loop === 0 ? s.d1 : '', 'index');
      }
      if (typeof h === 'function') {
        this.cs = s;
        this.enterC(s);
        h(o, k, v);
        this.leaveC();
        return;
      }
      o = h;
    }
    this.rtError(s, 'loop in settable');
  }

  // ---------------------------------------------------------------- arithmetic
  arith(a: LuaValue, b: LuaValue, ev: string, s: Site): LuaValue {
    const x = typeof a === 'number' ? a : typeof a === 'string' ? str2number(a) : undefined;
    const y = typeof b === 'number' ? b : typeof b === 'string' ? str2number(b) : undefined;
    if (x !== undefined && y !== undefined) return arithOp(ev, x, y);
    let h = this.metaOf(a, ev);
    if (h === undefined) h = this.metaOf(b, ev);
    if (h !== undefined) {
      this.cs = s;
      return this.callMeta(h, [a, b], s);
    }
    const st = s;
    if (x === undefined) this.typeError(s, a, st.d1, 'perform arithmetic on');
    this.typeError(s, b, st.d2, 'perform arithmetic on');
  }

  unm(a: LuaValue, s: Site): LuaValue {
    const x = typeof a === 'number' ? a : typeof a === 'string' ? str2number(a) : undefined;
    if (x !== undefined) return -x;
    const h = this.metaOf(a, '__unm');
    if (h !== undefined) {
      this.cs = s;
      return this.callMeta(h, [a, a], s);
    }
    this.typeError(s, a, s.d1, 'perform arithmetic on');
  }

  concat(a: LuaValue, b: LuaValue, s: Site): LuaValue {
    const ta = typeof a, tb = typeof b;
    if ((ta === 'string' || ta === 'number') && (tb === 'string' || tb === 'number')) {
      const r = (ta === 'number' ? numberToString(a as number) : (a as string)) + (tb === 'number' ? numberToString(b as number) : (b as string));
      if (r.length > this.maxStringLength) this.rtError(s, 'not enough memory');
      return r;
    }
    let h = this.metaOf(a, '__concat');
    if (h === undefined) h = this.metaOf(b, '__concat');
    if (h !== undefined) {
      this.cs = s;
      return this.callMeta(h, [a, b], s);
    }
    const st = s;
    if (ta === 'string' || ta === 'number') this.typeError(s, b, st.d2, 'concatenate');
    this.typeError(s, a, st.d1, 'concatenate');
  }

  len(a: LuaValue, s: Site): LuaValue {
    if (typeof a === 'string') return a.length;
    if (a instanceof LuaTable) return a.length();
    const h = this.metaOf(a, '__len');
    if (h !== undefined) {
      this.cs = s;
      return this.callMeta(h, [a, undefined], s);
    }
    this.typeError(s, a, s.d1, 'get length of');
  }

  // ---------------------------------------------------------------- comparison
  eqMeta(a: LuaValue, b: LuaValue): boolean {
    if (typeof a !== 'object' || typeof b !== 'object') return false;
    const ma = (a as LuaTable | LuaUserdata).mt, mb = (b as LuaTable | LuaUserdata).mt;
    if (ma === null || mb === null) return false;
    if (a instanceof LuaTable !== b instanceof LuaTable) return false;
    const h1 = ma.getStr('__eq');
    if (h1 === undefined) return false;
    const h2 = ma === mb ? h1 : mb.getStr('__eq');
    if (h1 !== h2) return false;
    const r = this.callMeta(h1, [a, b], this.cs);
    return r !== undefined && r !== false;
  }

  compareError(a: LuaValue, b: LuaValue, s: Site): never {
    const t1 = typeName(a), t2 = typeName(b);
    if (t1 === t2) this.rtError(s, 'attempt to compare two ' + t1 + ' values');
    this.rtError(s, 'attempt to compare ' + t1 + ' with ' + t2);
  }

  orderMeta(a: LuaValue, b: LuaValue, ev: string): boolean | undefined {
    if (typeName(a) !== typeName(b)) return undefined;
    const h1 = this.metaOf(a, ev);
    if (h1 === undefined) return undefined;
    const h2 = this.metaOf(b, ev);
    if (h1 !== h2) return undefined;
    const r = this.callMeta(h1, [a, b], this.cs);
    return r !== undefined && r !== false;
  }

  lt(a: LuaValue, b: LuaValue, s: Site): boolean {
    const ta = typeof a;
    if (ta === typeof b) {
      if (ta === 'number' || ta === 'string') return (a as number) < (b as number);
    }
    this.cs = s;
    const r = this.orderMeta(a, b, '__lt');
    if (r !== undefined) return r;
    this.compareError(a, b, s);
  }

  le(a: LuaValue, b: LuaValue, s: Site): boolean {
    const ta = typeof a;
    if (ta === typeof b) {
      if (ta === 'number' || ta === 'string') return (a as number) <= (b as number);
    }
    this.cs = s;
    let r = this.orderMeta(a, b, '__le');
    if (r !== undefined) return r;
    r = this.orderMeta(b, a, '__lt');
    if (r !== undefined) return !r;
    this.compareError(a, b, s);
  }

  // ---------------------------------------------------------------- tostring
  tostring(v: LuaValue): string {
    const h = this.metaOf(v, '__tostring');
    if (h !== undefined) {
      const r = this.callMeta(h, [v], null);
      if (typeof r !== 'string') {
        if (typeof r === 'number') return numberToString(r);
        this.error("'__tostring' must return a string");
      }
      return r;
    }
    return rawToString(v);
  }

  // ---------------------------------------------------------------- calls with metamethod
  callable(f: LuaValue, s: Site): LuaFunction {
    const h = this.metaOf(f, '__call');
    if (h !== undefined) {
      // the adapter's frames (and R.call's) come on top of the handler's own: counted as depth
      return (...args: LuaValue[]) => {
        const c = this.ctl;
        if ((c.d += CALL_SLOTS) > c.m) this.stackOverflow(CALL_SLOTS);
        const r = this.call(h, [f, ...args]);
        c.d -= CALL_SLOTS;
        return r;
      };
    }
    return this.typeError(s, f, s.d1, 'call');
  }

  forNum(v: LuaValue, what: string, s: Site): number {
    if (typeof v === 'number') return v;
    if (typeof v === 'string') {
      const n = str2number(v);
      if (n !== undefined) return n;
    }
    this.rtError(s, "'for' " + what + ' must be a number');
  }

  /** Convert any JS exception to a Lua error value (pcall / host boundary). Rethrows interrupts. */
  toLuaError(e: unknown): LuaError {
    if (e instanceof LuaError) return e;
    if (e instanceof LuaInterrupt) throw e;
    if (e instanceof RangeError) {
      const m = String(e.message);
      if (m.indexOf('call stack') >= 0) return new LuaError(this.where() + 'stack overflow');
      return new LuaError('not enough memory');
    }
    // No RegExp here: this runs at the deepest point of a stack overflow, where V8 compiling
    // (or tiering up) a RegExp aborts the whole process instead of throwing.
    if (e instanceof Error) {
      const m = String(e.message).toLowerCase();
      if (m.indexOf('memory') >= 0 || m.indexOf('allocation') >= 0) return new LuaError('not enough memory');
    }
    return new LuaError('internal error: ' + (e instanceof Error ? e.message : String(e)));
  }
}

export function arithOp(ev: string, x: number, y: number): number {
  switch (ev) {
    case '__add':
      return x + y;
    case '__sub':
      return x - y;
    case '__mul':
      return x * y;
    case '__div':
      return x / y;
    case '__mod':
      return x - Math.floor(x / y) * y;
    case '__pow':
      return Math.pow(x, y);
  }
  return NaN;
}

export function mktab(arr: LuaValue[], nhash: number): LuaTable {
  const n = arr.length;
  const r = fbRound(n);
  for (let i = n; i < r; i++) arr.push(undefined);
  return new LuaTable(arr, nhash);
}

export type { LuaValue, LuaFunction };

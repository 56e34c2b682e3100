// Engine: owns a Runtime, compiles chunks, provides the hot helpers used by generated code.
import { Compiler } from './compiler';
import { parse } from './parser';
import { EMPTY, PAUSE, Ret, Runtime, Site, arithOp, mktab, mv, one } from './runtime';
import { LuaError, LuaFunction, LuaTable, LuaValue, STR_PROTO, fbRound, numberToString } from './value';

export type Helpers = ReturnType<typeof makeHelpers>;

export function luaPow(x: number, y: number): number {
  if (x === 1 || y === 0) return 1;
  if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
  return Math.pow(x, y);
}

export function luaMod(a: number, b: number): number {
  return a - Math.floor(a / b) * b;
}

/** generic-for iterators: step() sets a (first var), b (second) and r (all results). */
interface ForIter {
  a: LuaValue;
  b: LuaValue;
  r: LuaValue[];
  step(): boolean;
}

class NextIter implements ForIter {
  a: LuaValue = undefined;
  b: LuaValue = undefined;
  r: LuaValue[] = EMPTY;
  private i = 0;
  private inNodes = false;
  constructor(private t: LuaTable) {}
  step(): boolean {
    const t = this.t;
    if (!this.inNodes) {
      const arr = t.arr;
      while (this.i < arr.length) {
        const v = arr[this.i++];
        if (v !== undefined) {
          this.a = this.i;
          this.b = v;
          return true;
        }
      }
      this.inNodes = true;
      this.i = 0;
    }
    const n = t.nodeCount();
    while (this.i < n) {
      const i = this.i++;
      const v = t.nodeValue(i);
      if (v !== undefined) {
        this.a = t.nodeKey(i);
        this.b = v;
        return true;
      }
    }
    return false;
  }
}

class IpairsIter implements ForIter {
  a: LuaValue = undefined;
  b: LuaValue = undefined;
  r: LuaValue[] = EMPTY;
  private i = 0;
  constructor(private t: LuaTable) {}
  step(): boolean {
    const v = this.t.getInt(++this.i);
    if (v === undefined) return false;
    this.a = this.i;
    this.b = v;
    return true;
  }
}

class CallIter implements ForIter {
  a: LuaValue = undefined;
  b: LuaValue = undefined;
  r: LuaValue[] = EMPTY;
  constructor(private R: Runtime, private f: LuaValue, private s: LuaValue, private c: LuaValue, private site: Site) {}
  step(): boolean {
    const R = this.R;
    const f = this.f;
    R.cs = this.site;
    R.enterC(this.site);
    const res = typeof f === 'function' ? f(this.s, this.c) : R.call(f === undefined ? R.callable(f, this.site) : f, [this.s, this.c]);
    R.leaveC();
    if (Array.isArray(res)) {
      this.a = res[0];
      this.b = res[1];
      this.r = res;
    } else {
      this.a = res;
      this.b = undefined;
      this.r = EMPTY;
    }
    if (this.a === undefined) return false;
    this.c = this.a;
    return true;
  }
}

type Gen = Generator<LuaValue[], Ret, LuaValue[]>;
type GenFn = ((...a: LuaValue[]) => Gen) & { G?: unknown };

export function makeHelpers(R: Runtime, nextFn: LuaFunction, ipairsAux: LuaFunction) {
  const ctl = R.ctl;
  /** run a generator-compiled function to completion from a plain (non-yieldable) call */
  const drive = (g: Gen): Ret => {
    let r = g.next();
    // time-slice pauses cannot leave a plain call: continue immediately
    while (!r.done && r.value === PAUSE) r = g.next();
    if (r.done) return r.value;
    if (R.currentCo === null) throw new LuaError('attempt to yield across metamethod/C-call boundary');
    throw new LuaError('attempt to yield across metamethod/C-call boundary');
  };
  return {
    PAUSE,
    /** a new closure inherits a custom environment of the function creating it */
    inh(f: LuaFunction, p: { E?: LuaTable }): LuaFunction {
      const e = p.E;
      if (e !== undefined) {
        const fe = f as LuaFunction & { E?: LuaTable; G?: { E?: LuaTable } };
        fe.E = e;
        if (fe.G !== undefined) fe.G.E = e;
      }
      return f;
    },
    SP: STR_PROTO,
    rec(strs: Record<string, LuaValue>, keys: readonly string[]): LuaTable {
      return LuaTable.fromRecord(strs, keys);
    },
    /** wrap a generator function as a plain Lua function; the generator is kept as .G */
    co(g: (...a: LuaValue[]) => Gen): LuaFunction {
      const f = function (this: unknown, ...args: LuaValue[]): Ret {
        return drive(g(...args));
      } as LuaFunction & { G?: unknown };
      f.G = g;
      (g as unknown as { W: LuaFunction }).W = f;
      return f;
    },
    /** call from generator code: delegates to generator twins, performs coroutine.yield */
    *cg(f: LuaValue, s: Site, args: LuaValue[]): Gen {
      R.cs = s;
      if (typeof f !== 'function') f = R.callable(f, s);
      const g = (f as unknown as GenFn).G;
      if (g !== undefined) return yield* (g as (...a: LuaValue[]) => Gen)(...args);
      if (f === R.yieldFn) {
        if (R.currentCo === null) throw new LuaError('attempt to yield across metamethod/C-call boundary');
        return yield args;
      }
      return f(...args);
    },
    one,
    mv,
    E: EMPTY,
    C: ctl,
    LT: LuaTable,
    idx(o: LuaValue, k: LuaValue, s: Site): LuaValue {
      if (o instanceof LuaTable) {
        const v = o.get(k);
        if (v !== undefined || o.mt === null) return v;
      }
      return R.index(o, k, s);
    },
    idxs(o: LuaValue, k: string, s: Site): LuaValue {
      if (o instanceof LuaTable) {
        const v = o.getStr(k);
        if (v !== undefined || o.mt === null) return v;
      } else if (typeof o === 'string') {
        const mt = R.stringMeta;
        if (mt !== null) {
          const ix = mt.getStr('__index');
          if (ix instanceof LuaTable) {
            const v = ix.getStr(k);
            if (v !== undefined) return v;
          }
        }
      }
      return R.index(o, k, s);
    },
    seti(o: LuaValue, k: LuaValue, v: LuaValue, s: Site): void {
      if (o instanceof LuaTable && o.mt === null && (typeof k === 'string' || (typeof k === 'number' && k === k))) o.set(k, v);
      else R.setIndex(o, k, v, s);
    },
    sets(o: LuaValue, k: string, v: LuaValue, s: Site): void {
      if (o instanceof LuaTable && o.mt === null) o.setStr(k, v);
      else R.setIndex(o, k, v, s);
    },
    gget(env: LuaTable, k: string, s: Site): LuaValue {
      const v = env.getStr(k);
      if (v !== undefined || env.mt === null) return v;
      return R.index(env, k, s);
    },
    gset(env: LuaTable, k: string, v: LuaValue, s: Site): void {
      if (env.mt === null) env.setStr(k, v);
      else R.setIndex(env, k, v, s);
    },
    fn(f: LuaValue, s: Site): LuaFunction {
      R.cs = s;
      return typeof f === 'function' ? f : R.callable(f, s);
    },
    ls(v: LuaValue, s: Site): LuaValue {
      R.cs = s;
      return v;
    },
    lsm(r: Ret, s: Site): LuaValue[] {
      R.cs = s;
      return Array.isArray(r) ? r : [r];
    },
    add(a: LuaValue, b: LuaValue, s: Site): LuaValue {
      return typeof a === 'number' && typeof b === 'number' ? a + b : R.arith(a, b, '__add', s);
    },
    sub(a: LuaValue, b: LuaValue, s: Site): LuaValue {
      return typeof a === 'number' && typeof b === 'number' ? a - b : R.arith(a, b, '__sub', s);
    },
    mul(a: LuaValue, b: LuaValue, s: Site): LuaValue {
      return typeof a === 'number' && typeof b === 'number' ? a * b : R.arith(a, b, '__mul', s);
    },
    div(a: LuaValue, b: LuaValue, s: Site): LuaValue {
      return typeof a === 'number' && typeof b === 'number' ? a / b : R.arith(a, b, '__div', s);
    },
    mod(a: LuaValue, b: LuaValue, s: Site): LuaValue {
      return typeof a === 'number' && typeof b === 'number' ? a - Math.floor(a / b) * b : R.arith(a, b, '__mod', s);
    },
    pow(a: LuaValue, b: LuaValue, s: Site): LuaValue {
      return typeof a === 'number' && typeof b === 'number' ? luaPow(a, b) : R.arith(a, b, '__pow', s);
    },
    unm(a: LuaValue, s: Site): LuaValue {
      return typeof a === 'number' ? -a : R.unm(a, s);
    },
    cat(a: LuaValue, b: LuaValue, s: Site): LuaValue {
      if (typeof a === 'string') {
        if (typeof b === 'string') return a + b;
        if (typeof b === 'number') return a + numberToString(b);
      } else if (typeof a === 'number' && typeof b === 'string') return numberToString(a) + b;
      return R.concat(a, b, s);
    },
    len(a: LuaValue, s: Site): LuaValue {
      if (typeof a === 'string') return a.length;
      if (a instanceof LuaTable) return a.length();
      return R.len(a, s);
    },
    eq(a: LuaValue, b: LuaValue): boolean {
      if (a === b) return true;
      if (typeof a !== 'object' || typeof b !== 'object') return false;
      R.cs = null;
      return R.eqMeta(a, b);
    },
    lt(a: LuaValue, b: LuaValue, s: Site): boolean {
      if (typeof a === 'number' && typeof b === 'number') return a < b;
      return R.lt(a, b, s);
    },
    le(a: LuaValue, b: LuaValue, s: Site): boolean {
      if (typeof a === 'number' && typeof b === 'number') return a <= b;
      return R.le(a, b, s);
    },
    T(v: LuaValue): boolean {
      return v !== undefined && v !== false;
    },
    forIter(r: Ret, s: Site): ForIter {
      let f: LuaValue, st: LuaValue, c: LuaValue;
      if (Array.isArray(r)) {
        f = r[0];
        st = r[1];
        c = r[2];
      } else f = r;
      if (f === nextFn && st instanceof LuaTable && c === undefined) return new NextIter(st);
      if (f === ipairsAux && st instanceof LuaTable && c === 0) return new IpairsIter(st);
      return new CallIter(R, f, st, c, s);
    },
    mktab(arr: LuaValue[], nh: number, fixed?: number): LuaTable {
      if (fixed === undefined) return mktab(arr, nh);
      const size = fbRound(fixed);
      for (let i = arr.length; i < size; i++) arr.push(undefined);
      return new LuaTable(arr, nh);
    },
    mktabf(arr: LuaValue[], flat: LuaValue[], s: Site, fixed?: number): LuaTable {
      const nitems = arr.length;
      const nf = flat.length / 2;
      const size = fbRound(fixed === undefined ? nitems : fixed);
      for (let i = arr.length; i < size; i++) arr.push(undefined);
      const t = new LuaTable(arr, fbRound(nf));
      for (let i = 0; i < flat.length; i += 2) {
        const k = flat[i];
        if (typeof k === 'number' && k >= 1 && k <= nitems && (k | 0) === k) continue;
        if (k === undefined) R.rtError(s, 'table index is nil');
        if (k !== k) R.rtError(s, 'table index is NaN');
        t.set(k, flat[i + 1]);
      }
      return t;
    },
    argTable(va: LuaValue[]): LuaTable {
      const t = mktab(va.slice(), 1);
      t.set('n', va.length);
      return t;
    },
  };
}

let forceCoMode = false;
/** Tests: compile every chunk in coroutine (generator) mode. */
export function setForceCoroutineMode(on: boolean): void {
  forceCoMode = on;
}

/** Compile Lua source to a JS function (the chunk's main function). Throws LuaError on syntax errors. */
export function compileChunk(
  R: Runtime,
  H: Helpers,
  src: string,
  chunkname: string,
  env: LuaTable,
  resumable = false,
): { fn: LuaFunction; js: string } {
  let ast;
  try {
    ast = parse(src, chunkname);
  } catch (e) {
    if (e instanceof RangeError) throw new LuaError(chunkIdOf(chunkname) + ': chunk has too many syntax levels');
    throw e;
  }
  // chunks that mention `coroutine` are compiled in generator mode so their functions can yield
  const comp = new Compiler(R, chunkIdOf(chunkname), forceCoMode || /\bcoroutine\b/.test(src), resumable);
  const js = comp.compileMain(ast);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const factory = new Function('R', 'H', 'ENV', 'SITES', js) as (R: Runtime, H: Helpers, ENV: LuaTable, SITES: Site[]) => LuaFunction;
  const fn = factory(R, H, env, comp.sites);
  return { fn, js };
}

import { chunkId } from './lexer';
function chunkIdOf(name: string): string {
  return chunkId(name);
}

export { arithOp };

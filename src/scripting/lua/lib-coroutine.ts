// Coroutines. Chunks whose source mentions `coroutine` are compiled in generator mode: each Lua
// function is a JS generator (kept as `.G` on a plain wrapper used for ordinary calls), and calls
// between Lua functions use `yield*`, so coroutine.yield can suspend the whole Lua call chain.
// As in Lua 5.1, yielding across pcall, metamethods, iterators of a generic for, table.sort
// comparators or gsub callbacks is an error ("attempt to yield across metamethod/C-call boundary").
// Functions compiled in plain mode (chunks that never mention `coroutine`) can run inside a
// coroutine but cannot yield.
import { argError } from './args';
import { EMPTY, PAUSE, Ret, Runtime, mv } from './runtime';
import { LuaError, LuaFunction, LuaTable, LuaThreadLike, LuaValue, typeName } from './value';

type Gen = Generator<LuaValue[], Ret, LuaValue[]>;

/** depth weight (see runtime.ts DEPTH_BUDGET) of resume's frames beyond a native call's */
const RESUME_SLOTS = 60;

export class LuaCoroutine implements LuaThreadLike {
  readonly isLuaThread = true as const;
  status: 'suspended' | 'running' | 'normal' | 'dead' = 'suspended';
  gen: Gen | null = null;
  /** call depth (frame slots, Runtime ctl.d) of its Lua frames while suspended in a yield */
  depth = 0;
  constructor(public fn: LuaFunction) {}
}

export function openCoroutine(R: Runtime, G: LuaTable): void {
  const C = new LuaTable();
  const resume = (co: LuaCoroutine, args: LuaValue[]): [boolean, LuaValue[]] => {
    if (co.status !== 'suspended') return [false, ['cannot resume ' + co.status + ' coroutine']];
    const prev = R.currentCo as LuaCoroutine | null;
    if (prev !== null) prev.status = 'normal';
    R.currentCo = co;
    co.status = 'running';
    const cs = R.cs;
    const m = R.mark();
    let d0 = 0;
    try {
      R.cs = null;
      R.enterC(null);
      // generator resumption frames; the frames of a suspended coroutine are back on the JS
      // stack while it runs
      d0 = R.ctl.d += RESUME_SLOTS;
      R.ctl.d += co.depth;
      let r: IteratorResult<LuaValue[], Ret>;
      if (co.gen === null) {
        const g = (co.fn as LuaFunction & { G?: (...a: LuaValue[]) => Gen }).G;
        if (g === undefined) {
          const res = co.fn(...args);
          co.status = 'dead';
          return [true, mv(res)];
        }
        co.gen = g(...args);
        r = co.gen.next();
      } else r = co.gen.next(args);
      // host time-slice pauses do not cross a coroutine boundary
      while (!r.done && r.value === PAUSE) r = co.gen.next();
      if (r.done) {
        co.status = 'dead';
        co.gen = null;
        return [true, mv(r.value)];
      }
      co.status = 'suspended';
      co.depth = R.ctl.d - d0;
      return [true, r.value];
    } catch (e) {
      co.status = 'dead';
      co.gen = null;
      return [false, [R.toLuaError(e).value]];
    } finally {
      R.restore(m);
      R.cs = cs;
      R.currentCo = prev;
      if (prev !== null) prev.status = 'running';
    }
  };
  const checkCo = (v: LuaValue, n: number): LuaCoroutine => {
    if (!(v instanceof LuaCoroutine)) argError(R, 1, n === 0 ? 'coroutine expected' : 'coroutine expected');
    return v;
  };
  C.set('create', function create(f: LuaValue): Ret {
    if (typeof f !== 'function' || (f as { G?: unknown }).G === undefined && isNative(f)) argError(R, 1, 'Lua function expected');
    return new LuaCoroutine(f as LuaFunction) as unknown as LuaValue;
  });
  C.set('resume', function (co: LuaValue, ...args: LuaValue[]): Ret {
    const c = checkCo(co, arguments.length);
    const [ok, vals] = resume(c, args);
    return [ok, ...vals];
  });
  const yieldFn = function yield_(): Ret {
    throw new LuaError('attempt to yield across metamethod/C-call boundary');
  };
  R.yieldFn = yieldFn;
  C.set('yield', yieldFn);
  C.set('status', function status(co: LuaValue): Ret {
    return checkCo(co, arguments.length).status;
  });
  C.set('running', function running(): Ret {
    return (R.currentCo as unknown as LuaValue) ?? undefined;
  });
  C.set('wrap', function wrap(f: LuaValue): Ret {
    if (typeof f !== 'function' || ((f as { G?: unknown }).G === undefined && isNative(f))) argError(R, 1, 'Lua function expected');
    const co = new LuaCoroutine(f as LuaFunction);
    return function wrapped(...args: LuaValue[]): Ret {
      const where = R.where();
      const [ok, vals] = resume(co, args);
      if (!ok) {
        const e = vals[0];
        if (typeof e === 'string' || typeof e === 'number') throw new LuaError(where + e);
        throw new LuaError(e);
      }
      return vals.length === 1 ? vals[0] : vals;
    };
  });
  G.set('coroutine', C);
  void EMPTY;
  void typeName;
}

/** natives are registered library/host functions; Lua functions are compiled closures */
let nativeSet = new WeakSet<object>();
export function markNative(f: LuaFunction, R?: Runtime): void {
  nativeSet.add(f);
  if (R) R.natives.add(f);
}
function isNative(f: LuaValue): boolean {
  return typeof f === 'function' && nativeSet.has(f);
}
export function resetNativeSet(): void {
  nativeSet = new WeakSet<object>();
}

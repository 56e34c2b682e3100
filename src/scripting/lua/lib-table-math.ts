// table, math and os libraries (ltablib.c / lmathlib.c / os.clock).
import { argError, checkInt, checkNumber, checkTable, optInt, optString, typeError } from './args';
import { luaPow } from './engine';
import { EMPTY, Ret, Runtime, one } from './runtime';
import { LuaError, LuaTable, LuaValue, numberToString, typeName } from './value';

/** lua_lessthan from native code: errors carry no position (the running function is C). */
function lessThan(R: Runtime, a: LuaValue, b: LuaValue): boolean {
  const ta = typeof a;
  if (ta === typeof b && (ta === 'number' || ta === 'string')) return (a as number) < (b as number);
  const r = R.orderMeta(a, b, '__lt');
  if (r !== undefined) return r;
  const t1 = typeName(a), t2 = typeName(b);
  if (t1 === t2) throw new LuaError('attempt to compare two ' + t1 + ' values');
  throw new LuaError('attempt to compare ' + t1 + ' with ' + t2);
}

export function openTable(R: Runtime, G: LuaTable): void {
  const T = new LuaTable();
  const reg = (name: string, f: (...a: LuaValue[]) => Ret): void => T.set(name, f);

  reg('insert', function insert(t: LuaValue, a2: LuaValue, a3: LuaValue): Ret {
    const n = arguments.length;
    const tt = checkTable(R, t, 1, n);
    let e = tt.length() + 1;
    if (n === 2) {
      tt.setInt(e, a2);
      return EMPTY;
    }
    if (n !== 3) R.error("wrong number of arguments to 'insert'");
    const pos = checkInt(R, a2, 2, n);
    if (pos > e) e = pos;
    for (let i = e; i > pos; i--) tt.setInt(i, tt.getInt(i - 1));
    tt.set(pos, a3);
    return EMPTY;
  });

  reg('remove', function remove(t: LuaValue, p: LuaValue): Ret {
    const n = arguments.length;
    const tt = checkTable(R, t, 1, n);
    const e = tt.length();
    let pos = optInt(R, p, 2, n, e);
    if (!(1 <= pos && pos <= e)) return EMPTY;
    const res = tt.getInt(pos);
    for (; pos < e; pos++) tt.setInt(pos, tt.getInt(pos + 1));
    tt.setInt(e, undefined);
    return res;
  });

  reg('concat', function concat(t: LuaValue, sep: LuaValue, i: LuaValue, j: LuaValue): Ret {
    const n = arguments.length;
    const s = optString(R, sep, 2, n, '');
    const tt = checkTable(R, t, 1, n);
    const a = optInt(R, i, 3, n, 1);
    const b = j === undefined ? tt.length() : checkInt(R, j, 4, n);
    const parts: string[] = [];
    let total = 0;
    for (let k = a; k <= b; k++) {
      const v = tt.get(k);
      if (typeof v === 'string') parts.push(v);
      else if (typeof v === 'number') parts.push(numberToString(v));
      else R.error('invalid value (' + typeName(v) + ') at index ' + k + " in table for 'concat'");
      total += parts[parts.length - 1].length + s.length;
      if (total > R.maxStringLength) R.error('not enough memory');
    }
    return parts.join(s);
  });

  reg('maxn', function maxn(t: LuaValue): Ret {
    const tt = checkTable(R, t, 1, arguments.length);
    let max = 0;
    let k: LuaValue = undefined;
    for (;;) {
      k = tt.next(k);
      if (k === undefined) break;
      if (typeof k === 'number' && k > max) max = k;
    }
    return max;
  });

  reg('getn', function getn(t: LuaValue): Ret {
    return checkTable(R, t, 1, arguments.length).length();
  });

  reg('setn', function setn(t: LuaValue): Ret {
    checkTable(R, t, 1, arguments.length);
    R.error("'setn' is obsolete");
  });

  reg('foreachi', function foreachi(t: LuaValue, f: LuaValue): Ret {
    const n = arguments.length;
    const tt = checkTable(R, t, 1, n);
    if (typeof f !== 'function') typeError(R, 2, 'function', f, n);
    const len = tt.length();
    for (let i = 1; i <= len; i++) {
      R.enterC(null);
      const r = one(f(i, tt.getInt(i)));
      R.leaveC();
      if (r !== undefined) return r;
    }
    return EMPTY;
  });

  reg('foreach', function foreach(t: LuaValue, f: LuaValue): Ret {
    const n = arguments.length;
    const tt = checkTable(R, t, 1, n);
    if (typeof f !== 'function') typeError(R, 2, 'function', f, n);
    let k: LuaValue = undefined;
    for (;;) {
      k = tt.next(k);
      if (k === undefined) break;
      R.enterC(null);
      const r = one(f(k, tt.nextValue));
      R.leaveC();
      if (r !== undefined) return r;
    }
    return EMPTY;
  });

  reg('sort', function sort(t: LuaValue, cmp: LuaValue): Ret {
    const nargs = arguments.length;
    const tt = checkTable(R, t, 1, nargs);
    const n = tt.length();
    if (cmp !== undefined && typeof cmp !== 'function') typeError(R, 2, 'function', cmp, nargs);
    const cs = R.cs;
    const lt =
      cmp === undefined
        ? (a: LuaValue, b: LuaValue): boolean => lessThan(R, a, b)
        : (a: LuaValue, b: LuaValue): boolean => {
            R.enterC(null);
            const r = one((cmp as (...x: LuaValue[]) => Ret)(a, b));
            R.leaveC();
            return r !== undefined && r !== false;
          };
    const get = (i: number): LuaValue => tt.getInt(i);
    const set = (i: number, v: LuaValue): void => tt.setInt(i, v);
    const fail = (): never => {
      R.cs = cs;
      R.error('invalid order function for sorting');
    };
    const auxsort = (l: number, u: number): void => {
      while (l < u) {
        if (--R.ctl.n < 0) R.tick();
        let al = get(l), au = get(u);
        if (lt(au, al)) {
          set(l, au);
          set(u, al);
        }
        if (u - l === 1) break;
        let i = (l + u) >>> 1;
        let ai = get(i);
        al = get(l);
        if (lt(ai, al)) {
          set(i, al);
          set(l, ai);
        } else {
          au = get(u);
          if (lt(au, ai)) {
            set(i, au);
            set(u, ai);
          }
        }
        if (u - l === 2) break;
        const P = get(i);
        const au1 = get(u - 1);
        set(i, au1);
        set(u - 1, P);
        i = l;
        let j = u - 1;
        for (;;) {
          while (lt(get(++i), P)) {
            if (i > u) fail();
          }
          while (lt(P, get(--j))) {
            if (j < l) fail();
          }
          if (j < i) break;
          const x = get(i), y = get(j);
          set(i, y);
          set(j, x);
        }
        const a1 = get(u - 1), a2 = get(i);
        set(u - 1, a2);
        set(i, a1);
        if (i - l < u - i) {
          j = l;
          i = i - 1;
          l = i + 2;
        } else {
          j = i + 1;
          i = u;
          u = j - 2;
        }
        auxsort(j, i);
      }
    };
    try {
      auxsort(1, n);
    } catch (e) {
      if (e instanceof LuaError && typeof e.value === 'string' && e.value.startsWith('attempt to compare')) {
        R.cs = null;
      }
      throw e;
    }
    return EMPTY;
  });
  G.set('table', T);
}

export class Rand48 {
  x = 0n;
  constructor() {
    this.seed(0);
  }
  seed(s: number): void {
    this.x = ((BigInt.asUintN(32, BigInt(Math.trunc(s))) << 16n) | 0x330en) & 0xffffffffffffn;
  }
  next(): number {
    this.x = (this.x * 0x5deece66dn + 0xbn) & 0xffffffffffffn;
    return Number(this.x >> 17n);
  }
}

export function openMath(R: Runtime, G: LuaTable, rng: Rand48): void {
  const M = new LuaTable();
  const f1 = (name: string, fn: (x: number) => number): void => {
    M.set(name, function (x: LuaValue): Ret {
      return fn(checkNumber(R, x, 1, arguments.length));
    });
  };
  f1('abs', Math.abs);
  f1('ceil', Math.ceil);
  f1('floor', Math.floor);
  f1('sqrt', Math.sqrt);
  f1('sin', Math.sin);
  f1('cos', Math.cos);
  f1('tan', Math.tan);
  f1('asin', Math.asin);
  f1('acos', Math.acos);
  f1('atan', Math.atan);
  f1('exp', Math.exp);
  f1('log', Math.log);
  f1('log10', Math.log10);
  f1('sinh', Math.sinh);
  f1('cosh', Math.cosh);
  f1('tanh', Math.tanh);
  f1('deg', (x) => x * (180 / Math.PI));
  f1('rad', (x) => x * (Math.PI / 180));
  const f2 = (name: string, fn: (x: number, y: number) => number): void => {
    M.set(name, function (x: LuaValue, y: LuaValue): Ret {
      const n = arguments.length;
      return fn(checkNumber(R, x, 1, n), checkNumber(R, y, 2, n));
    });
  };
  f2('atan2', Math.atan2);
  f2('pow', luaPow);
  f2('fmod', (a, b) => a % b);
  f2('mod', (a, b) => a % b);
  f2('ldexp', (m, e) => m * Math.pow(2, Math.trunc(e)));
  M.set('frexp', function frexp(x: LuaValue): Ret {
    const v = checkNumber(R, x, 1, arguments.length);
    if (v === 0 || v !== v || v === Infinity || v === -Infinity) return [v, 0];
    let e = Math.max(-1073, Math.floor(Math.log2(Math.abs(v))) + 1);
    let m = v * Math.pow(2, -e);
    while (Math.abs(m) < 0.5) {
      m *= 2;
      e--;
    }
    while (Math.abs(m) >= 1) {
      m /= 2;
      e++;
    }
    return [m, e];
  });
  M.set('modf', function modf(x: LuaValue): Ret {
    const v = checkNumber(R, x, 1, arguments.length);
    const ip = v >= 0 ? Math.floor(v) : Math.ceil(v);
    const fp = v === Infinity || v === -Infinity ? 0 : v - ip;
    return [ip, fp];
  });
  M.set('max', function max(...a: LuaValue[]): Ret {
    let m = checkNumber(R, a[0], 1, a.length);
    for (let i = 1; i < a.length; i++) {
      const d = checkNumber(R, a[i], i + 1, a.length);
      if (d > m) m = d;
    }
    return m;
  });
  M.set('min', function min(...a: LuaValue[]): Ret {
    let m = checkNumber(R, a[0], 1, a.length);
    for (let i = 1; i < a.length; i++) {
      const d = checkNumber(R, a[i], i + 1, a.length);
      if (d < m) m = d;
    }
    return m;
  });
  M.set('random', function random(a: LuaValue, b: LuaValue): Ret {
    const n = arguments.length;
    const r = (rng.next() % 2147483647) / 2147483647;
    if (n === 0) return r;
    if (n === 1) {
      const u = checkInt(R, a, 1, n);
      if (!(1 <= u)) argError(R, 1, 'interval is empty');
      return Math.floor(r * u) + 1;
    }
    if (n === 2) {
      const l = checkInt(R, a, 1, n), u = checkInt(R, b, 2, n);
      if (!(l <= u)) argError(R, 2, 'interval is empty');
      return Math.floor(r * (u - l + 1)) + l;
    }
    R.error('wrong number of arguments');
  });
  M.set('randomseed', function randomseed(s: LuaValue): Ret {
    rng.seed(checkInt(R, s, 1, arguments.length));
    return EMPTY;
  });
  M.set('pi', Math.PI);
  M.set('huge', Infinity);
  G.set('math', M);

  const O = new LuaTable();
  const t0 = process.cpuUsage();
  O.set('clock', function clock(): Ret {
    const u = process.cpuUsage(t0);
    return (u.user + u.system) / 1e6;
  });
  G.set('os', O);
}

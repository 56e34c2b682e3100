// Base library (lbaselib.c as Redis exposes it).
import { argError, checkAny, checkInt, checkString, checkTable, optInt, typeError } from './args';
import { EMPTY, Ret, Runtime, mv, one } from './runtime';
import { LuaError, LuaFunction, LuaInterrupt, LuaTable, LuaUserdata, LuaValue, numberToString, rawToString, str2number, typeName } from './value';

export interface BaseHost {
  R: Runtime;
  load(src: string, chunkname: string): LuaFunction;
  print(line: string): void;
  nextFn: LuaFunction;
  ipairsAux: LuaFunction;
}

export function reg(t: LuaTable, name: string, f: LuaFunction): void {
  t.set(name, f);
}

export function makeNext(R: Runtime): LuaFunction {
  return function next(t: LuaValue, k: LuaValue): Ret {
    if (!(t instanceof LuaTable)) typeError(R, 1, 'table', t, arguments.length);
    let nk: LuaValue;
    try {
      nk = t.next(k);
    } catch (e) {
      if (e instanceof LuaError) R.error(String(e.value));
      throw e;
    }
    if (nk === undefined) return undefined;
    return [nk, t.nextValue];
  };
}

export function makeIpairsAux(): LuaFunction {
  return function ipairsAux(t: LuaValue, i: LuaValue): Ret {
    const n = (i as number) + 1;
    const v = t instanceof LuaTable ? t.getInt(n) : undefined;
    if (v === undefined) return undefined;
    return [n, v];
  };
}

export function openBase(G: LuaTable, host: BaseHost): void {
  const R = host.R;
  const nextFn = host.nextFn;
  const ipairsAux = host.ipairsAux;
  G.set('_G', G);
  G.set('_VERSION', 'Lua 5.1');

  reg(G, 'assert', function assert(...a: LuaValue[]): Ret {
    if (a.length === 0) argError(R, 1, 'value expected');
    const v = a[0];
    if (v === undefined || v === false) {
      const m = a[1] === undefined ? 'assertion failed!' : checkString(R, a[1], 2, a.length);
      R.error(m);
    }
    return a;
  });

  reg(G, 'error', function error(m: LuaValue, level: LuaValue): Ret {
    const lv = optInt(R, level, 2, arguments.length, 1);
    if ((typeof m === 'string' || typeof m === 'number') && (lv === 1 || lv === 2)) {
      const w = lv === 1 ? R.where() : R.where(R.cs2);
      if (w) m = w + (typeof m === 'number' ? numberToString(m) : m);
    }
    R.cs2 = null;
    throw new LuaError(m);
  });

  reg(G, 'getmetatable', function getmetatable(v: LuaValue): Ret {
    checkAny(R, 1, arguments.length);
    const mt = R.getMetatable(v);
    if (mt === null) return undefined;
    const p = mt.getStr('__metatable');
    return p !== undefined ? p : mt;
  });

  reg(G, 'setmetatable', function setmetatable(t: LuaValue, mt: LuaValue): Ret {
    const n = arguments.length;
    if (!(t instanceof LuaTable)) typeError(R, 1, 'table', t, n);
    if ((mt !== undefined && !(mt instanceof LuaTable)) || n < 2) argError(R, 2, 'nil or table expected');
    if (t.mt !== null && t.mt.getStr('__metatable') !== undefined) R.error('cannot change a protected metatable');
    t.mt = mt === undefined ? null : mt;
    return t;
  });

  reg(G, 'ipairs', function ipairs(t: LuaValue): Ret {
    if (!(t instanceof LuaTable)) typeError(R, 1, 'table', t, arguments.length);
    return [ipairsAux, t, 0];
  });

  reg(G, 'pairs', function pairs(t: LuaValue): Ret {
    if (!(t instanceof LuaTable)) typeError(R, 1, 'table', t, arguments.length);
    return [nextFn, t, undefined];
  });

  reg(G, 'next', nextFn);

  const pcall = function pcall(f: LuaValue, ...args: LuaValue[]): Ret {
    if (arguments.length === 0) argError(R, 1, 'value expected');
    const cs = R.cs;
    const m = R.mark();
    try {
      R.cs = null;
      R.enterC(null);
      const r = typeof f === 'function' ? f(...args) : R.call(f, args);
      R.leaveC();
      if (Array.isArray(r)) return [true, ...r];
      return [true, r];
    } catch (e) {
      const le = R.toLuaError(e);
      R.restore(m);
      R.cs = cs;
      return [false, le.value];
    }
  };
  reg(G, 'pcall', pcall);

  reg(G, 'xpcall', function xpcall(f: LuaValue, h: LuaValue): Ret {
    checkAny(R, 2, arguments.length);
    const cs = R.cs;
    const m = R.mark();
    try {
      R.cs = null;
      R.enterC(null);
      const r = R.call(f, []);
      R.leaveC();
      if (Array.isArray(r)) return [true, ...r];
      return [true, r];
    } catch (e) {
      const le = R.toLuaError(e);
      R.restore(m);
      R.cs = null;
      try {
        // called once unwound (5.1 calls it at the error point, with some C-stack slack)
        const hv = one(R.call(h, [le.value]));
        return [false, hv];
      } catch (e2) {
        R.toLuaError(e2); // rethrows interrupts
        R.restore(m);
        return [false, 'error in error handling'];
      } finally {
        R.cs = cs;
      }
    }
  });

  reg(G, 'rawequal', function rawequal(a: LuaValue, b: LuaValue): Ret {
    const n = arguments.length;
    checkAny(R, 1, n);
    checkAny(R, 2, n);
    return a === b || (a !== a && b !== b && false);
  });

  reg(G, 'rawget', function rawget(t: LuaValue, k: LuaValue): Ret {
    const tt = checkTable(R, t, 1, arguments.length);
    checkAny(R, 2, arguments.length);
    return tt.get(k);
  });

  reg(G, 'rawset', function rawset(t: LuaValue, k: LuaValue, v: LuaValue): Ret {
    const n = arguments.length;
    const tt = checkTable(R, t, 1, n);
    checkAny(R, 2, n);
    checkAny(R, 3, n);
    tt.set(k, v);
    return tt;
  });

  reg(G, 'select', function select(n: LuaValue, ...a: LuaValue[]): Ret {
    if (n === '#') return a.length;
    let i = checkInt(R, n, 1, arguments.length);
    const top = a.length + 1;
    if (i < 0) i = top + i;
    else if (i > top) i = top;
    if (i < 1) argError(R, 1, 'index out of range');
    if (i === 1) return a;
    return a.slice(i - 1);
  });

  reg(G, 'tonumber', function tonumber(v: LuaValue, base: LuaValue): Ret {
    const b = optInt(R, base, 2, arguments.length, 10);
    if (b === 10) {
      checkAny(R, 1, arguments.length);
      if (typeof v === 'number') return v;
      if (typeof v === 'string') return str2number(v);
      return undefined;
    }
    const s = checkString(R, v, 1, arguments.length);
    if (b < 2 || b > 36) argError(R, 2, 'base out of range');
    // strtoul semantics
    let i = 0;
    while (i < s.length && /\s/.test(s[i]) && s.charCodeAt(i) < 128) i++;
    let neg = false;
    if (s[i] === '-' || s[i] === '+') {
      neg = s[i] === '-';
      i++;
    }
    if (b === 16 && s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X')) i += 2;
    const st = i;
    let val = 0;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      let d: number;
      if (c >= 48 && c <= 57) d = c - 48;
      else if (c >= 97 && c <= 122) d = c - 87;
      else if (c >= 65 && c <= 90) d = c - 55;
      else break;
      if (d >= b) break;
      val = val * b + d;
    }
    if (i === st) return undefined;
    while (i < s.length && (s.charCodeAt(i) === 32 || (s.charCodeAt(i) >= 9 && s.charCodeAt(i) <= 13))) i++;
    if (i !== s.length) return undefined;
    if (val >= 18446744073709551615) val = 18446744073709551615;
    if (neg && val !== 0) val = 18446744073709551616 - val;
    return val;
  });

  reg(G, 'tostring', function tostring(v: LuaValue): Ret {
    checkAny(R, 1, arguments.length);
    const h = R.metaOf(v, '__tostring');
    // 5.1 returns whatever __tostring returns (print then insists on a string)
    if (h !== undefined) return R.callMeta(h, [v], null);
    return rawToString(v);
  });

  reg(G, 'type', function type(v: LuaValue): Ret {
    if (arguments.length === 0) argError(R, 1, 'value expected');
    return typeName(v);
  });

  reg(G, 'unpack', function unpack(t: LuaValue, i: LuaValue, j: LuaValue): Ret {
    const n = arguments.length;
    const tt = checkTable(R, t, 1, n);
    const a = optInt(R, i, 2, n, 1);
    const b = j === undefined ? tt.length() : checkInt(R, j, 3, n);
    if (a > b) return EMPTY;
    const cnt = b - a + 1;
    if (cnt >= 8000 || cnt <= 0) R.error('too many results to unpack');
    const out = new Array<LuaValue>(cnt);
    for (let k = 0; k < cnt; k++) out[k] = tt.get(a + k);
    return out;
  });

  reg(G, 'loadstring', function loadstring(s: LuaValue, name: LuaValue): Ret {
    const n = arguments.length;
    const src = checkString(R, s, 1, n);
    const cn = name === undefined ? src : checkString(R, name, 2, n);
    try {
      return host.load(src, cn);
    } catch (e) {
      if (e instanceof LuaError) return [undefined, e.value];
      if (e instanceof LuaInterrupt) throw e;
      return [undefined, R.toLuaError(e).value];
    }
  });

  reg(G, 'load', function load(f: LuaValue, name: LuaValue): Ret {
    const n = arguments.length;
    if (typeof f !== 'function') typeError(R, 1, 'function', f, n);
    const cn = name === undefined ? '=(load)' : checkString(R, name, 2, n);
    let src = '';
    const m = R.mark();
    try {
      for (;;) {
        const piece = R.callMeta(f, [], null);
        if (piece === undefined || piece === '') break;
        if (typeof piece !== 'string') return [undefined, 'reader function must return a string'];
        src += piece;
      }
      return host.load(src, cn);
    } catch (e) {
      if (e instanceof LuaInterrupt) throw e;
      R.restore(m);
      return [undefined, R.toLuaError(e).value];
    }
  });

  reg(G, 'newproxy', function newproxy(m: LuaValue): Ret {
    const u = new LuaUserdata('proxy');
    if (m === true) u.mt = new LuaTable();
    else if (m instanceof LuaUserdata) u.mt = m.mt;
    return u;
  });

  type EnvFn = LuaFunction & { E?: LuaTable; G?: { E?: LuaTable }; W?: EnvFn };
  /** function for getfenv/setfenv argument 1: a function, or level 1 (the calling function) */
  const envTarget = (f: LuaValue, name: string, nargs: number): EnvFn | 0 | null => {
    if (typeof f === 'function') return f as EnvFn;
    const lvl = f === undefined ? 1 : checkInt(R, f, 1, nargs);
    if (lvl < 0) argError(R, 1, 'level must be non-negative');
    if (lvl === 0) return 0;
    if (lvl === 1) {
      const c = R.curFn as EnvFn | null;
      if (c === null) return null;
      return c.W ?? c;
    }
    return null; // deeper levels are not tracked (no call stack)
  };
  reg(G, 'getfenv', function getfenv(f: LuaValue): Ret {
    const t = envTarget(f, 'getfenv', arguments.length);
    if (t === 0 || t === null) return R.threadEnv;
    return t.E ?? (R.natives.has(t) ? R.threadEnv : G);
  });
  reg(G, 'setfenv', function setfenv(f: LuaValue, e: LuaValue): Ret {
    const n = arguments.length;
    const env = checkTable(R, e, 2, n);
    const t = envTarget(f, 'setfenv', n);
    if (t === 0) {
      R.threadEnv = env;
      return EMPTY;
    }
    if (t === null || R.natives.has(t)) return R.error("'setfenv' cannot change environment of given object");
    t.E = env;
    if (t.G !== undefined) t.G.E = env;
    return t as LuaFunction;
  });

  reg(G, 'gcinfo', function gcinfo(): Ret {
    return Math.floor(process.memoryUsage().heapUsed / 1024);
  });

  reg(G, 'collectgarbage', function collectgarbage(opt: LuaValue, _arg: LuaValue): Ret {
    const o = opt === undefined ? 'collect' : checkString(R, opt, 1, arguments.length);
    switch (o) {
      case 'collect':
      case 'stop':
      case 'restart':
        return 0;
      case 'count':
        return process.memoryUsage().heapUsed / 1024;
      case 'step':
        return false;
      case 'setpause':
        return 200;
      case 'setstepmul':
        return 200;
      default:
        argError(R, 1, "invalid option '" + o + "'");
    }
  });

  reg(G, 'print', function print(...a: LuaValue[]): Ret {
    const ts = G.get('tostring');
    let out = '';
    for (let i = 0; i < a.length; i++) {
      let s = one(R.call(ts, [a[i]]));
      if (typeof s === 'string') {
        const z = s.indexOf('\0');
        if (z >= 0) s = s.slice(0, z); // fputs semantics
      }
      if (typeof s !== 'string') {
        if (typeof s === 'number') {
          out += (i ? '\t' : '') + numberToString(s);
          continue;
        }
        R.error("'tostring' must return a string to 'print'");
      }
      out += (i ? '\t' : '') + s;
    }
    host.print(out);
    return EMPTY;
  });
  void mv;
}

// Lua 5.1 values as JavaScript values.
//   nil      -> undefined
//   boolean  -> boolean
//   number   -> number (double)
//   string   -> JS string holding one byte per char (latin1, codes 0..255)
//   table    -> LuaTable
//   function -> JS function (Lua closures and host/native functions share one calling convention)
//   userdata -> LuaUserdata (e.g. cjson.null)
//   thread   -> LuaCoroutine (see coroutine.ts)
//
// Calling convention: a Lua-callable function is a plain JS function receiving its Lua
// arguments positionally. It returns either a single Lua value (exactly one result) or a
// JS array holding the complete list of results (zero, two or more, or any count). Lua
// values are never JS arrays, so the two cases are unambiguous. Returned arrays are
// treated as immutable by everyone (they may be shared, e.g. the empty result).

export type LuaFunction = (...args: LuaValue[]) => LuaValue | LuaValue[];
export type LuaValue = undefined | boolean | number | string | LuaTable | LuaFunction | LuaUserdata | LuaThreadLike;

/** Marker interface for coroutine objects (type() == "thread"). */
export interface LuaThreadLike {
  readonly isLuaThread: true;
}

export class LuaUserdata {
  mt: LuaTable | null = null;
  constructor(public readonly tag: string, public data?: unknown) {}
}

/** A Lua error: `value` is the Lua error object (usually a string "chunk:line: msg"). */
export class LuaError {
  traceback?: string;
  constructor(public value: LuaValue) {}
  get message(): string {
    const v = this.value;
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return numberToString(v);
    if (v instanceof LuaTable) {
      const e = v.get('err');
      if (typeof e === 'string') return e;
    }
    return '(error object is a ' + typeName(v) + ' value)';
  }
  toString(): string {
    return 'LuaError: ' + this.message;
  }
}

/** Thrown when the host interrupts a script (deadline / kill). pcall/error cannot catch it. */
export class LuaInterrupt extends Error {
  constructor(public reason: string) {
    super(reason);
    this.name = 'LuaInterrupt';
  }
}

// ---------------------------------------------------------------------------------------
// Tables. The array part emulates Lua 5.1's `sizearray` (arr.length is exactly 5.1's array
// size, holes are undefined) so that `#` borders match the reference on tables with holes;
// the hash part is a Map (insertion ordered), whose emulated node capacity `hcap` decides when
// a "rehash" recomputes the array size like ltable.c's computesizes().
// ---------------------------------------------------------------------------------------

const MAXBITS = 26;

function ceilLog2(x: number): number {
  let l = 0;
  x--;
  while (x > 0) {
    l++;
    x >>= 1;
  }
  return l;
}

type StrPart = Record<string, LuaValue>;
interface NextState {
  itKey: LuaValue;
  it: Iterator<[LuaValue, LuaValue]> | null;
  skeys: string[] | null;
  spos: number;
}
/** fast-mode objects without Object.prototype in the chain (Object.create(null) is dictionary mode) */
const StrObj = function (this: StrPart) {} as unknown as { new (): StrPart };
/** prototype of string-key objects (also used by compiled record constructors) */
export const STR_PROTO: object = Object.freeze(Object.create(null));
StrObj.prototype = STR_PROTO;

export class LuaTable {
  arr: LuaValue[];
  /** string keys (null-prototype object; nil'ed keys stay as undefined until the next rehash) */
  strs: StrPart | null = null;
  /** all other keys (numbers outside the array part, booleans, tables, functions, ...) */
  hash: Map<LuaValue, LuaValue> | null = null;
  hcap = 0; // emulated number of hash nodes (0 or a power of two)
  hused = 0; // emulated number of occupied nodes since last rehash (includes dead keys)
  nstr = 0; // keys present in `strs` (live or dead)
  /** big tables keep string keys in `hash` (strs === null) instead of an object */
  strMap = false;
  ndead = 0; // dead keys in `strs` (assigned nil, awaiting the next rehash)
  mt: LuaTable | null = null;
  // cached traversal state for next() (allocated on first use)
  private ni: NextState | null = null;
  private st(): NextState {
    let n = this.ni;
    if (n === null) n = this.ni = { itKey: undefined, it: null, skeys: null, spos: 0 };
    return n;
  }

  constructor(arr?: LuaValue[], nhash = 0) {
    this.arr = arr ?? [];
    if (nhash > 0) this.hcap = 1 << ceilLog2(nhash);
  }

  /** table whose string part is a prebuilt object with n distinct keys (record constructors) */
  static fromRecord(strs: Record<string, LuaValue>, n: number): LuaTable {
    const t = new LuaTable();
    t.strs = strs;
    t.hcap = 1 << ceilLog2(n);
    t.hused = n;
    t.nstr = n;
    return t;
  }

  get(k: LuaValue): LuaValue {
    if (typeof k === 'string') {
      const s = this.strs;
      if (s !== null) return s[k];
      const h = this.hash;
      return h === null ? undefined : h.get(k);
    }
    if (typeof k === 'number') {
      const a = this.arr;
      if (k > 0 && k <= a.length && (k | 0) === k) return a[k - 1];
    }
    const h = this.hash;
    return h === null ? undefined : h.get(k);
  }

  getStr(k: string): LuaValue {
    const s = this.strs;
    if (s !== null) return s[k];
    const h = this.hash;
    return h === null ? undefined : h.get(k);
  }

  getInt(k: number): LuaValue {
    const a = this.arr;
    if (k > 0 && k <= a.length) return a[k - 1];
    const h = this.hash;
    return h === null ? undefined : h.get(k);
  }

  /** Raw set. Throws LuaError for nil/NaN keys (without position: callers add it). */
  set(k: LuaValue, v: LuaValue): void {
    if (typeof k === 'string' && !this.strMap) return this.setStr(k, v);
    if (typeof k === 'number') {
      const a = this.arr;
      if (k > 0 && k <= a.length && (k | 0) === k) {
        a[k - 1] = v;
        return;
      }
      if (k !== k) throw new LuaError('table index is NaN');
    } else if (k === undefined) {
      throw new LuaError('table index is nil');
    }
    let h = this.hash;
    if (h !== null && h.has(k)) {
      if (v === undefined) h.delete(k);
      else h.set(k, v);
      return;
    }
    if (v === undefined) return;
    if (this.hused >= this.hcap) {
      this.rehash(k);
      if (typeof k === 'number') {
        const a = this.arr;
        if (k > 0 && k <= a.length && (k | 0) === k) {
          a[k - 1] = v;
          return;
        }
      }
    }
    h = this.hash;
    if (h === null) h = this.hash = new Map();
    this.hused++;
    h.set(k, v);
  }

  setStr(k: string, v: LuaValue): void {
    if (this.strMap) return this.set(k, v);
    let s = this.strs;
    if (s !== null) {
      const old = s[k];
      if (old !== undefined) {
        // assigning nil keeps the key (dead) until the next rehash, so next() can continue
        if (v === undefined) this.ndead++;
        s[k] = v;
        return;
      }
      if (v === undefined) return;
      if (this.ndead > 0 && k in s) {
        // dead key being revived: reuses its node
        this.ndead--;
        s[k] = v;
        return;
      }
    } else if (v === undefined) return;
    if (this.hused >= this.hcap) this.rehash(k);
    if (this.nstr >= 128) {
      this.toStrMap();
      return this.set(k, v);
    }
    s = this.strs;
    if (s === null) s = this.strs = new StrObj();
    this.hused++;
    this.nstr++;
    s[k] = v;
  }

  setInt(k: number, v: LuaValue): void {
    const a = this.arr;
    if (k > 0 && k <= a.length) {
      a[k - 1] = v;
      return;
    }
    this.set(k, v);
  }

  /** move string keys into the Map (large dictionaries are faster there) */
  private toStrMap(): void {
    const s = this.strs;
    let h = this.hash;
    if (h === null) h = this.hash = new Map();
    if (s !== null) {
      for (const k in s) {
        const v = s[k];
        if (v !== undefined) h.set(k, v);
      }
    }
    this.strs = null;
    this.nstr = 0;
    this.ndead = 0;
    this.strMap = true;
    if (this.ni !== null) {
      this.ni.skeys = null;
      this.ni.it = null;
    }
  }

  private rehash(extra: LuaValue): void {
    const nums = new Array<number>(MAXBITS + 1).fill(0);
    const a = this.arr;
    let nasize = 0;
    // count keys in array part
    let lg = 0,
      ttlg = 1,
      i = 1;
    for (; lg <= MAXBITS; lg++, ttlg *= 2) {
      let lc = 0;
      let lim = ttlg;
      if (lim > a.length) {
        lim = a.length;
        if (i > lim) break;
      }
      for (; i <= lim; i++) if (a[i - 1] !== undefined) lc++;
      nums[lg] += lc;
      nasize += lc;
    }
    let totaluse = nasize;
    const h = this.hash;
    if (h !== null) {
      for (const k of h.keys()) {
        totaluse++;
        nasize += countInt(k, nums);
      }
    }
    const s = this.strs;
    if (s !== null) {
      if (this.ndead > 0) {
        const ns = new StrObj();
        let live = 0;
        for (const k in s) {
          const v = s[k];
          if (v !== undefined) {
            ns[k] = v;
            live++;
          }
        }
        this.strs = ns;
        this.nstr = live;
        this.ndead = 0;
        if (this.ni !== null) this.ni.skeys = null;
      }
      totaluse += this.nstr - this.ndead;
    }
    nasize += countInt(extra, nums);
    totaluse++;
    // computesizes
    let acc = 0,
      na = 0,
      n = 0;
    for (let j = 0, twotoi = 1; twotoi / 2 < nasize; j++, twotoi *= 2) {
      if (nums[j] > 0) {
        acc += nums[j];
        if (acc > twotoi / 2) {
          n = twotoi;
          na = acc;
        }
      }
      if (acc === nasize) break;
    }
    this.resize(n, totaluse - na);
  }

  /** Resize array part to `nasize` slots and hash capacity to hold `nhsize` keys. */
  resize(nasize: number, nhsize: number): void {
    const a = this.arr;
    const old = a.length;
    let h = this.hash;
    if (nasize < old) {
      if (h === null) h = this.hash = new Map();
      for (let i = nasize; i < old; i++) if (a[i] !== undefined) h.set(i + 1, a[i]);
      a.length = nasize;
    } else if (nasize > old) {
      for (let i = old; i < nasize; i++) a.push(undefined);
      if (h !== null) {
        for (const [k, v] of h) {
          if (typeof k === 'number' && k > old && k <= nasize && (k | 0) === k) {
            a[k - 1] = v;
            h.delete(k);
          }
        }
      }
    }
    this.hcap = nhsize > 0 ? 1 << ceilLog2(nhsize) : 0;
    this.hused = (h === null ? 0 : h.size) + this.nstr - this.ndead;
    if (this.ni !== null) this.ni.it = null;
  }

  /** Lua 5.1 luaH_getn. */
  length(): number {
    const a = this.arr;
    let j = a.length;
    if (j > 0 && a[j - 1] === undefined) {
      let i = 0;
      while (j - i > 1) {
        const m = (i + j) >>> 1;
        if (a[m - 1] === undefined) j = m;
        else i = m;
      }
      return i;
    }
    const h = this.hash;
    if (h === null || this.hcap === 0) return j;
    let i = j;
    j++;
    while (h.get(j) !== undefined) {
      i = j;
      j *= 2;
      if (j > 2147483647) {
        i = 1;
        while (this.get(i) !== undefined) i++;
        return i - 1;
      }
    }
    while (j - i > 1) {
      const m = Math.floor((i + j) / 2);
      if (h.get(m) === undefined) j = m;
      else i = m;
    }
    return i;
  }

  /**
   * Lua next(): returns the next key after `k` (undefined key = start), or undefined at the
   * end; the value is stored in `nextValue`. Order: array part, string keys, other keys.
   */
  nextValue: LuaValue = undefined;
  next(k: LuaValue): LuaValue {
    const a = this.arr;
    let i = 0;
    if (k !== undefined) {
      if (typeof k === 'number' && k > 0 && k <= a.length && (k | 0) === k) i = k;
      else if (typeof k === 'string') return this.nextStr(k);
      else return this.nextHash(k);
    }
    for (; i < a.length; i++) {
      if (a[i] !== undefined) {
        this.nextValue = a[i];
        return i + 1;
      }
    }
    return this.strsFrom(0);
  }

  /** iterate string keys from snapshot position p */
  private strsFrom(p: number): LuaValue {
    const s = this.strs;
    if (s !== null) {
      const n = this.st();
      if (p === 0 || n.skeys === null) n.skeys = Object.keys(s);
      const ks = n.skeys;
      for (; p < ks.length; p++) {
        const v = s[ks[p]];
        if (v !== undefined) {
          this.st().spos = p;
          this.nextValue = v;
          return ks[p];
        }
      }
    }
    return this.hashStart();
  }

  private nextStr(k: string): LuaValue {
    if (this.strMap) return this.nextHash(k);
    const s = this.strs;
    if (s === null || !(k in s)) throw new LuaError("invalid key to 'next'");
    let ks = this.st().skeys;
    let p = this.st().spos;
    if (ks === null || ks[p] !== k) {
      if (ks === null) ks = this.st().skeys = Object.keys(s);
      p = ks.indexOf(k);
      if (p < 0) {
        ks = this.st().skeys = Object.keys(s);
        p = ks.indexOf(k);
      }
    }
    return this.strsFrom(p + 1);
  }

  private hashStart(): LuaValue {
    const h = this.hash;
    if (h === null) return undefined;
    this.st().it = h.entries();
    return this.stepIt();
  }

  private stepIt(): LuaValue {
    const it = this.st().it!;
    for (;;) {
      const r = it.next();
      if (r.done) {
        this.st().it = null;
        this.st().itKey = undefined;
        return undefined;
      }
      const [key, val] = r.value;
      if (val === undefined) continue;
      this.st().itKey = key;
      this.nextValue = val;
      return key;
    }
  }

  private nextHash(k: LuaValue): LuaValue {
    const h = this.hash;
    if (this.st().it !== null && this.st().itKey === k) return this.stepIt();
    if (h === null) throw new LuaError("invalid key to 'next'");
    const it = h.entries();
    for (;;) {
      const r = it.next();
      if (r.done) throw new LuaError("invalid key to 'next'");
      if (r.value[0] === k || (k !== k && r.value[0] !== r.value[0])) break;
    }
    this.st().it = it;
    return this.stepIt();
  }
}

function countInt(k: LuaValue, nums: number[]): number {
  if (typeof k === 'number' && (k | 0) === k && k >= 1 && k <= 1 << MAXBITS) {
    nums[ceilLog2(k)]++;
    return 1;
  }
  return 0;
}

/** luaO_int2fb / fb2int rounding of constructor sizes (as OP_NEWTABLE encodes them). */
export function fbRound(x: number): number {
  if (x < 8) return x;
  let e = 0;
  while (x >= 16) {
    x = (x + 1) >> 1;
    e++;
  }
  const fb = ((e + 1) << 3) | (x - 8);
  const ee = (fb >> 3) & 31;
  return ee === 0 ? fb : ((fb & 7) + 8) * 2 ** (ee - 1);
}

// ---------------------------------------------------------------------------------------
// Type names and conversions
// ---------------------------------------------------------------------------------------

export function typeName(v: LuaValue): string {
  switch (typeof v) {
    case 'undefined':
      return 'nil';
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'function':
      return 'function';
    default:
      if (v instanceof LuaTable) return 'table';
      if (v instanceof LuaUserdata) return 'userdata';
      return 'thread';
  }
}

const f64 = new Float64Array(1);
const u8 = new Uint8Array(f64.buffer);

/** C printf("%.{prec}g") for finite x, with round-half-even on exact ties like glibc. */
export function fmtG(x: number, prec: number, alt = false): string {
  if (prec === 0) prec = 1;
  if (x === 0) {
    const z = Object.is(x, -0) ? '-0' : '0';
    return alt ? z + '.' + '0'.repeat(prec - 1) : z;
  }
  let s = exactPrecision(x, prec); // d.ddddde[+-]x form digits
  // s is like "-1.2345e+14"
  const ei = s.indexOf('e');
  let exp = parseInt(s.slice(ei + 1), 10);
  let mant = s.slice(0, ei);
  if (exp < -4 || exp >= prec) {
    if (!alt && mant.indexOf('.') >= 0) mant = mant.replace(/\.?0+$/, '');
    const ae = Math.abs(exp);
    return mant + 'e' + (exp < 0 ? '-' : '+') + (ae < 10 ? '0' + ae : String(ae));
  }
  // fixed notation with prec - 1 - exp decimals
  const neg = mant[0] === '-';
  const digits = mant.replace('-', '').replace('.', '');
  let out: string;
  if (exp >= 0) {
    const ip = digits.slice(0, exp + 1);
    const fp = digits.slice(exp + 1);
    out = fp.length ? ip + '.' + fp : ip;
  } else {
    out = '0.' + '0'.repeat(-exp - 1) + digits;
  }
  if (!alt && out.indexOf('.') >= 0) out = out.replace(/\.?0+$/, '');
  return (neg ? '-' : '') + out;
  void exp;
}

/** x.toExponential(prec-1) but rounding exact ties to even (glibc behaviour). */
export function exactPrecision(x: number, prec: number): string {
  const s = x.toExponential(prec - 1);
  // possible tie only if the exact value has exactly prec+1 significant digits ending in 5
  const t = x.toExponential(Math.min(prec, 100));
  const ti = t.indexOf('e');
  if (t.charCodeAt(ti - 1) !== 53 /* '5' */) return s;
  const full = x.toPrecision(100);
  // digits of full (without sign / point / exponent)
  const fd = full.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '');
  if (fd.length < prec + 1 || fd[prec] !== '5' || !/^0*$/.test(fd.slice(prec + 1))) return s;
  // exact tie: round half to even on digit prec-1
  const lastKept = fd.charCodeAt(prec - 1) - 48;
  if (lastKept % 2 === 1) return s; // JS rounded up (away), which is to even here
  // round down: truncate
  const neg = x < 0;
  const kept = fd.slice(0, prec);
  const exp = parseInt(t.slice(ti + 1), 10);
  const m = kept.length > 1 ? kept[0] + '.' + kept.slice(1) : kept;
  return (neg ? '-' : '') + m + 'e' + (exp < 0 ? '-' : '+') + Math.abs(exp);
}

const POW10: number[] = [];
for (let i = 0; i <= 22; i++) POW10.push(Math.pow(10, i));

/** C printf("%.{prec}f"), ties to even. */
export function fmtF(x: number, prec: number): string {
  if (Math.abs(x) >= 1e21) {
    // toFixed switches to exponent form; build from exact digits
    return bigFixed(x, prec);
  }
  const s = x.toFixed(prec);
  if (prec <= 15) {
    // cheap filter: a tie needs x * 10^prec to end in exactly .5
    const y = Math.abs(x) * POW10[prec];
    const fr = y - Math.floor(y);
    if (fr < 0.4999 || fr > 0.5001) return fixNegZero(x, s);
  }
  const t = x.toFixed(Math.min(prec + 1, 100));
  if (t.charCodeAt(t.length - 1) !== 53) return fixNegZero(x, s);
  const full = x.toFixed(100);
  const dot = full.indexOf('.');
  const frac = full.slice(dot + 1);
  if (frac[prec] !== '5' || !/^0*$/.test(frac.slice(prec + 1))) return fixNegZero(x, s);
  // tie: digit before
  const intPart = full.slice(0, dot).replace('-', '');
  const lastDigitStr = prec === 0 ? intPart[intPart.length - 1] : frac[prec - 1];
  const lastKept = lastDigitStr.charCodeAt(0) - 48;
  if (lastKept % 2 === 1) return s;
  const neg = x < 0;
  const r = intPart + (prec > 0 ? '.' + frac.slice(0, prec) : '');
  return (neg ? '-' : '') + r;
}

function fixNegZero(x: number, s: string): string {
  if (x < 0 && s[0] !== '-') return '-' + s;
  if (Object.is(x, -0)) return '-' + s;
  return s;
}

function bigFixed(x: number, prec: number): string {
  let b = BigInt(x);
  const neg = b < 0n;
  if (neg) b = -b;
  return (neg ? '-' : '') + b.toString() + (prec > 0 ? '.' + '0'.repeat(prec) : '');
}

/** %e with precision (ties to even). */
export function fmtE(x: number, prec: number, upper = false): string {
  let s = exactPrecision(x, prec + 1);
  if (Object.is(x, -0)) s = '-' + s;
  const ei = s.indexOf('e');
  const exp = parseInt(s.slice(ei + 1), 10);
  const ae = Math.abs(exp);
  let m = s.slice(0, ei);
  if (prec === 0) m = m.replace('.', '');
  const r = m + 'e' + (exp < 0 ? '-' : '+') + (ae < 10 ? '0' + ae : String(ae));
  return upper ? r.toUpperCase() : r;
}

export function nanSign(x: number): boolean {
  f64[0] = x;
  return (u8[7] & 0x80) !== 0;
}

export function fmtSpecial(x: number): string {
  if (x !== x) return nanSign(x) ? '-nan' : 'nan';
  return x > 0 ? 'inf' : '-inf';
}

/** lua_number2str: "%.14g". */
export function numberToString(x: number): string {
  if (Number.isInteger(x) && x < 1e14 && x > -1e14) {
    if (x === 0 && 1 / x < 0) return '-0';
    return String(x);
  }
  if (x !== x || x === Infinity || x === -Infinity) return fmtSpecial(x);
  return (x > 1e-300 || x < -1e-300 ? fastG(x, 14) : null) ?? fmtG(x, 14);
}

/**
 * %.{prec}g via the shortest round-trip representation: when it has at most `prec`
 * significant digits, C's rounding of the exact value gives the same digits.
 */
export function fastG(x: number, prec: number): string | null {
  const s = String(x);
  const neg = s.charCodeAt(0) === 45;
  const body = neg ? s.slice(1) : s;
  const ei = body.indexOf('e');
  const mant = ei < 0 ? body : body.slice(0, ei);
  const exp10 = ei < 0 ? 0 : +body.slice(ei + 1);
  const dot = mant.indexOf('.');
  const intp = dot < 0 ? mant : mant.slice(0, dot);
  let digits = dot < 0 ? mant : intp + mant.slice(dot + 1);
  let z = 0;
  while (z < digits.length - 1 && digits.charCodeAt(z) === 48) z++;
  const X = intp.length + exp10 - z - 1;
  digits = digits.slice(z);
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) === 48) end--;
  if (end > prec) return null;
  digits = digits.slice(0, end);
  let out: string;
  if (X < -4 || X >= prec) {
    const ax = X < 0 ? -X : X;
    out = digits[0] + (digits.length > 1 ? '.' + digits.slice(1) : '') + (X < 0 ? 'e-' : 'e+') + (ax < 10 ? '0' + ax : String(ax));
  } else if (X >= 0) {
    const ip = digits.length >= X + 1 ? digits.slice(0, X + 1) : digits + '0'.repeat(X + 1 - digits.length);
    const fp = digits.slice(X + 1);
    out = fp.length ? ip + '.' + fp : ip;
  } else out = '0.' + '0'.repeat(-X - 1) + digits;
  return neg ? '-' + out : out;
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** luaO_str2d: strtod (decimal, hex, hex float, inf/nan) with only whitespace around. */
export function str2number(s: string): number | undefined {
  let i = 0;
  const n = s.length;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  let j = n;
  while (j > i && isSpace(s.charCodeAt(j - 1))) j--;
  if (i >= j) return undefined;
  const body = s.slice(i, j);
  const m = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.exec(body);
  if (m) return Number(body);
  const hx = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/.exec(body);
  if (hx) {
    const ip = hx[2] ?? '';
    const fp = hx[3] ?? '';
    if (ip.length + fp.length === 0) return undefined;
    let v = 0;
    for (const c of ip) v = v * 16 + parseInt(c, 16);
    let scale = 1 / 16;
    for (const c of fp) {
      v += parseInt(c, 16) * scale;
      scale /= 16;
    }
    if (hx[4] !== undefined) v *= Math.pow(2, parseInt(hx[4], 10));
    return hx[1] === '-' ? -v : v;
  }
  const sp = /^([+-]?)(inf|infinity|nan(\([0-9a-zA-Z_]*\))?)$/i.exec(body);
  if (sp) {
    const isNan = sp[2][0] === 'n' || sp[2][0] === 'N';
    const v = isNan ? NaN : Infinity;
    return sp[1] === '-' ? -v : v;
  }
  return undefined;
}

export function toNumber(v: LuaValue): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return str2number(v);
  return undefined;
}

/** tostring for primitive (non-metamethod) conversion. */
const fnIds = new WeakMap<object, number>();
let nextId = 0x55550000;
export function addressOf(v: object): string {
  let id = fnIds.get(v);
  if (id === undefined) {
    id = nextId;
    nextId += 0x28;
    fnIds.set(v, id);
  }
  return '0x' + id.toString(16).padStart(8, '0');
}

export function rawToString(v: LuaValue): string {
  switch (typeof v) {
    case 'undefined':
      return 'nil';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return numberToString(v);
    case 'string':
      return v;
    case 'function':
      return 'function: ' + addressOf(v);
    default:
      if (v instanceof LuaTable) return 'table: ' + addressOf(v);
      if (v instanceof LuaUserdata) return 'userdata: ' + addressOf(v);
      return 'thread: ' + addressOf(v as object);
  }
}

/** Convert a JS (UTF-16) string to a Lua byte string (UTF-8 encoded, latin1-held). */
export function fromUtf8(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}
/** Convert a Lua byte string holding UTF-8 to a JS string. */
export function toUtf8(s: string): string {
  return Buffer.from(s, 'latin1').toString('utf8');
}

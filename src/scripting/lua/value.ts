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
// Tables: see LuaTable below (array part = 5.1's sizearray, node vector = ltable.c's layout,
// rehash = computesizes(), so `#`, next() order and rehash points follow lua5.1).
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
/** fast-mode objects without Object.prototype in the chain (Object.create(null) is dictionary mode) */
const StrObj = function (this: StrPart) {} as unknown as { new (): StrPart };
/** prototype of string-key objects (also used by compiled record constructors) */
export const STR_PROTO: object = Object.freeze(Object.create(null));
StrObj.prototype = STR_PROTO;

const hf64 = new Float64Array(1);
const hu32 = new Uint32Array(hf64.buffer);
/** luaS_hash of Lua 5.1 (seed = length; long strings sample at most ~32 chars) */
export function luaStrHash(s: string): number {
  const l = s.length;
  let h = l >>> 0;
  const step = (l >>> 5) + 1;
  for (let l1 = l; l1 >= step; l1 -= step) h = (h ^ (((h << 5) >>> 0) + (h >>> 2) + s.charCodeAt(l1 - 1))) >>> 0;
  return h;
}
const objIds = new WeakMap<object, number>();
let nextObjId = 1;
function objHash(o: object): number {
  let id = objIds.get(o);
  if (id === undefined) {
    id = nextObjId++ * 8;
    objIds.set(o, id);
  }
  return id;
}

/**
 * Lua 5.1 table. Values live in fast JS structures: `arr` (the array part, exactly 5.1's
 * sizearray; holes are undefined), `strs` (string keys of small tables, a fast-mode object) and
 * the node vector, which mirrors ltable.c: `nk` keys, `nv` values (for keys not kept in `strs`),
 * `nn` collision chains and `lastfree`; those keys are found by walking their chain. This
 * reproduces 5.1's placement, rehash points and therefore its next()/pairs() order and `#`
 * borders. Keys set to nil stay (dead) until the next rehash, as in 5.1, so traversal continues.
 */
export class LuaTable {
  arr: LuaValue[];
  strs: StrPart | null = null;
  /** large tables keep string keys in the node vector too (strs === null) */
  strMap = false;
  /** node vector size (0 = 5.1's dummynode) */
  hcap = 0;
  private nk: LuaValue[] | null = null;
  private nv: LuaValue[] | null = null;
  private nn: Int32Array | null = null;
  /** raw 5.1 hash of each node's key (reused when nodes move or the vector is rebuilt) */
  private nh: Uint32Array | null = null;
  private lastfree = 0;
  /** record constructor keys not yet placed in the node vector (lazy) */
  private pending: readonly string[] | null = null;
  mt: LuaTable | null = null;
  nextValue: LuaValue = undefined;

  constructor(arr?: LuaValue[], nhash = 0) {
    this.arr = arr ?? [];
    if (nhash > 0) this.setNodeVector(nhash);
  }

  /** table whose string part is a prebuilt object (record constructors); keys in source order */
  static fromRecord(strs: Record<string, LuaValue>, keys: readonly string[]): LuaTable {
    const t = new LuaTable();
    t.strs = strs;
    t.hcap = 1 << ceilLog2(keys.length);
    t.pending = keys;
    return t;
  }

  private setNodeVector(n: number): void {
    if (n === 0) {
      this.hcap = 0;
      this.nk = null;
      this.nv = null;
      this.nn = null;
      this.nh = null;
      this.lastfree = 0;
      return;
    }
    const size = 1 << ceilLog2(n);
    this.hcap = size;
    this.nk = new Array<LuaValue>(size).fill(undefined);
    this.nv = new Array<LuaValue>(size).fill(undefined);
    this.nn = new Int32Array(size).fill(-1);
    this.nh = new Uint32Array(size);
    this.lastfree = size;
  }

  /** build the node vector for pending record keys */
  private materialize(): void {
    const keys = this.pending;
    if (keys === null) return;
    this.pending = null;
    this.setNodeVector(this.hcap);
    for (let i = 0; i < keys.length; i++) this.place(keys[i]);
  }

  // ------------------------------------------------------------------ lookups
  get(k: LuaValue): LuaValue {
    if (typeof k === 'string') {
      const s = this.strs;
      if (s !== null) return s[k];
    } else if (typeof k === 'number') {
      const a = this.arr;
      if (k > 0 && k <= a.length && (k | 0) === k) return a[k - 1];
    }
    if (this.nv === null) return undefined;
    const i = this.findIdx(k);
    return i < 0 ? undefined : this.nv[i];
  }

  getStr(k: string): LuaValue {
    const s = this.strs;
    if (s !== null) return s[k];
    if (this.nv === null) return undefined;
    const i = this.findIdx(k);
    return i < 0 ? undefined : this.nv[i];
  }

  getInt(k: number): LuaValue {
    const a = this.arr;
    if (k > 0 && k <= a.length) return a[k - 1];
    if (this.nv === null) return undefined;
    const i = this.findIdx(k);
    return i < 0 ? undefined : this.nv[i];
  }

  /** node holding key k (kept in the node vector, not in `strs`), or -1 */
  private findIdx(k: LuaValue): number {
    if (this.pending !== null || this.hcap === 0) return -1;
    const nk = this.nk!, nn = this.nn!;
    let i = this.mainPosition(k);
    do {
      if (nk[i] === k) return i;
      i = nn[i];
    } while (i >= 0);
    return -1;
  }

  /** value of node i (undefined = free or dead) */
  private valueAt(i: number): LuaValue {
    const k = this.nk![i];
    if (k === undefined) return undefined;
    if (typeof k === 'string' && !this.strMap) return this.strs![k];
    return this.nv![i];
  }

  // ------------------------------------------------------------------ stores
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
    if (this.nv !== null) {
      const i = this.findIdx(k);
      if (i >= 0) {
        this.nv[i] = v; // nil keeps the (dead) key until the next rehash
        return;
      }
    }
    if (v === undefined) return;
    const at = this.newKey(k);
    if (at < 0) return this.set(k, v); // rehashed: retry
    this.nv![at] = v;
  }

  setStr(k: string, v: LuaValue): void {
    if (this.strMap) return this.set(k, v);
    let s = this.strs;
    if (s !== null) {
      if (s[k] !== undefined || k in s) {
        s[k] = v; // nil keeps the (dead) key until the next rehash
        return;
      }
    }
    if (v === undefined) return;
    if (this.newKey(k) < 0) return this.set(k, v);
    s = this.strs;
    if (s === null) s = this.strs = new StrObj();
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

  // ------------------------------------------------------------------ ltable.c emulation
  /** hash of a key as ltable.c computes it before reducing it to a node index */
  private rawHash(k: LuaValue): number {
    switch (typeof k) {
      case 'string':
        return luaStrHash(k);
      case 'number': {
        if (k === 0) return 0;
        hf64[0] = k;
        return (hu32[0] + hu32[1]) >>> 0;
      }
      case 'boolean':
        return k ? 1 : 0;
      default:
        return objHash(k as object);
    }
  }

  /** main position from a raw hash: strings/booleans mask (hashpow2), numbers/objects use mod */
  private posOf(k: LuaValue, raw: number): number {
    const size = this.hcap;
    const t = typeof k;
    return t === 'string' || t === 'boolean' ? raw & (size - 1) : raw % ((size - 1) | 1);
  }

  private mainPosition(k: LuaValue): number {
    return this.posOf(k, this.rawHash(k));
  }

  private getFreePos(): number {
    const nk = this.nk!;
    while (this.lastfree > 0) {
      this.lastfree--;
      if (nk[this.lastfree] === undefined) return this.lastfree;
    }
    return -1;
  }

  /** luaH_newkey: node index for a new key, or -1 if a rehash happened instead */
  private newKey(k: LuaValue): number {
    this.materialize();
    const at = this.hcap === 0 ? -1 : this.placeOrFail(k);
    if (at < 0) this.rehash(k);
    return at;
  }

  /** place k in the node vector (5.1 collision handling); returns its node or -1 */
  private placeOrFail(k: LuaValue, raw = this.rawHash(k)): number {
    const nk = this.nk!, nn = this.nn!, nv = this.nv!, nh = this.nh!;
    let mp = this.posOf(k, raw);
    const old = nk[mp];
    if (old !== undefined && this.valueAt(mp) !== undefined) {
      const n = this.getFreePos();
      if (n < 0) return -1;
      let othern = this.posOf(old, nh[mp]);
      if (othern !== mp) {
        // colliding node is out of its main position: move it to the free node
        while (nn[othern] !== mp) othern = nn[othern];
        nn[othern] = n;
        nk[n] = old;
        nv[n] = nv[mp];
        nh[n] = nh[mp];
        nn[n] = nn[mp];
        nn[mp] = -1;
        nv[mp] = undefined;
      } else {
        nn[n] = nn[mp];
        nn[mp] = n;
        mp = n;
      }
    } else if (old !== undefined) {
      // dead key in the main position: its node is reused
      this.dropDead(old);
    }
    nk[mp] = k;
    nv[mp] = undefined;
    nh[mp] = raw;
    return mp;
  }

  /** placement while (re)building: the vector is sized to fit */
  private place(k: LuaValue, raw = this.rawHash(k)): number {
    const at = this.placeOrFail(k, raw);
    if (at < 0) throw new Error('lua table: node vector overflow');
    return at;
  }

  private dropDead(k: LuaValue): void {
    if (typeof k === 'string' && !this.strMap) {
      const s = this.strs;
      if (s !== null && s[k] === undefined) delete s[k];
    }
  }

  private rehash(extra: LuaValue): void {
    this.materialize();
    const nums = new Array<number>(MAXBITS + 1).fill(0);
    const a = this.arr;
    let nasize = 0;
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
    const nk = this.nk;
    if (nk !== null) {
      for (let j = 0; j < nk.length; j++) {
        if (nk[j] !== undefined && this.valueAt(j) !== undefined) {
          totaluse++;
          nasize += countInt(nk[j], nums);
        }
      }
    }
    nasize += countInt(extra, nums);
    totaluse++;
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

  /** ltable.c resize(): new array size and node vector, re-inserting keys in 5.1's order */
  private resize(nasize: number, nhsize: number): void {
    const a = this.arr;
    const oldasize = a.length;
    const oldk = this.nk;
    const oldh = this.nh;
    const oldsize = oldk === null ? 0 : oldk.length;
    const oldv: LuaValue[] = new Array(oldsize);
    for (let i = 0; i < oldsize; i++) oldv[i] = this.valueAt(i);
    const oldStrs = this.strs;
    this.strMap = this.strMap || (oldStrs !== null && nhsize > 128);
    this.strs = null;
    if (nasize > oldasize) for (let i = oldasize; i < nasize; i++) a.push(undefined);
    this.setNodeVector(nhsize);
    if (nasize < oldasize) {
      const moved = a.splice(nasize, oldasize - nasize);
      for (let i = 0; i < moved.length; i++) if (moved[i] !== undefined) this.reinsert(nasize + i + 1, moved[i]);
    }
    if (oldk !== null) {
      for (let i = oldsize - 1; i >= 0; i--) {
        const v = oldv[i];
        if (v !== undefined) this.reinsert(oldk[i], v, oldh![i]);
      }
    }
  }

  private reinsert(k: LuaValue, v: LuaValue, raw?: number): void {
    if (typeof k === 'number') {
      const a = this.arr;
      if (k > 0 && k <= a.length && (k | 0) === k) {
        a[k - 1] = v;
        return;
      }
    }
    const at = this.place(k, raw === undefined ? this.rawHash(k) : raw);
    if (typeof k === 'string' && !this.strMap) {
      let s = this.strs;
      if (s === null) s = this.strs = new StrObj();
      s[k] = v;
    } else this.nv![at] = v;
  }

  // ------------------------------------------------------------------ length
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
    if (this.hcap === 0) return j;
    let i = j;
    j++;
    while (this.getInt(j) !== undefined) {
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
      if (this.getInt(m) === undefined) j = m;
      else i = m;
    }
    return i;
  }

  // ------------------------------------------------------------------ traversal
  /** number of nodes (materializes pending record keys) */
  nodeCount(): number {
    this.materialize();
    return this.hcap === 0 ? 0 : this.nk!.length;
  }
  /** key of node i (undefined if free) */
  nodeKey(i: number): LuaValue {
    return this.nk![i];
  }
  /** value of node i (undefined if free or dead) */
  nodeValue(i: number): LuaValue {
    return this.valueAt(i);
  }

  /**
   * Lua next(): returns the next key after `k` (undefined key = start), or undefined at the
   * end; the value is stored in `nextValue`. Order: array part, then the node vector.
   */
  next(k: LuaValue): LuaValue {
    const a = this.arr;
    let i = 0;
    if (k !== undefined) {
      if (typeof k === 'number' && k > 0 && k <= a.length && (k | 0) === k) i = k;
      else return this.nodesFrom(this.findNode(k) + 1);
    }
    for (; i < a.length; i++) {
      if (a[i] !== undefined) {
        this.nextValue = a[i];
        return i + 1;
      }
    }
    return this.nodesFrom(0);
  }

  private nodesFrom(p: number): LuaValue {
    this.materialize();
    const nk = this.nk;
    if (nk === null || this.hcap === 0) return undefined;
    for (; p < nk.length; p++) {
      const v = this.valueAt(p);
      if (v !== undefined) {
        this.nextValue = v;
        return nk[p];
      }
    }
    return undefined;
  }

  private findNode(k: LuaValue): number {
    this.materialize();
    const nk = this.nk, nn = this.nn;
    if (nk !== null && nn !== null && this.hcap > 0 && k === k) {
      let i = this.mainPosition(k);
      while (i >= 0) {
        if (nk[i] === k) return i;
        i = nn[i];
      }
    }
    throw new LuaError("invalid key to 'next'");
  }
}

function countKeys(o: object): number {
  let n = 0;
  for (const _ in o) n++;
  return n;
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

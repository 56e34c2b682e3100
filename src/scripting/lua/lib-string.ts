// String library (lstrlib.c semantics): byte strings held as latin1 JS strings.
import { argError, checkInt, checkNumber, checkString, optInt, typeError } from './args';
import { EMPTY, NOSITE, Ret, Runtime, one } from './runtime';
import { LuaTable, LuaValue, fmtE, fmtF, fmtG, nanSign, numberToString, typeName } from './value';

const MAXCAPTURES = 32;
const CAP_UNFINISHED = -1;
const CAP_POSITION = -2;
const SPECIALS = /[\^$*+?.(\[%-]/;

function posrelat(pos: number, len: number): number {
  return pos >= 0 ? pos : -pos > len ? 0 : len + pos + 1;
}

function classMatch(c: number, cl: number): boolean {
  let res: boolean;
  switch (cl | 0x20) {
    case 97: // a
      res = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
      break;
    case 99: // c
      res = c < 32 || c === 127;
      break;
    case 100: // d
      res = c >= 48 && c <= 57;
      break;
    case 108: // l
      res = c >= 97 && c <= 122;
      break;
    case 112: // p
      res = (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
      break;
    case 115: // s
      res = c === 32 || (c >= 9 && c <= 13);
      break;
    case 117: // u
      res = c >= 65 && c <= 90;
      break;
    case 119: // w
      res = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
      break;
    case 120: // x
      res = (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
      break;
    case 122: // z
      res = c === 0;
      break;
    default:
      return cl === c;
  }
  if (cl >= 65 && cl <= 90) return !res;
  return res;
}

class MatchState {
  level = 0;
  capStart: number[] = [];
  capLen: number[] = [];
  constructor(public R: Runtime, public src: string, public pat: string) {}

  error(msg: string): never {
    return this.R.error(msg);
  }

  classEnd(p: number): number {
    const pat = this.pat;
    const c = pat.charCodeAt(p++);
    if (c === 37) {
      if (p >= pat.length) this.error("malformed pattern (ends with '%')");
      return p + 1;
    }
    if (c === 91) {
      if (pat.charCodeAt(p) === 94) p++;
      do {
        if (p >= pat.length) this.error("malformed pattern (missing ']')");
        const cc = pat.charCodeAt(p++);
        if (cc === 37 && p < pat.length) p++;
      } while (pat.charCodeAt(p) !== 93);
      return p + 1;
    }
    return p;
  }

  matchClass(c: number, p: number, ec: number): boolean {
    // p points at '[', ec at ']'
    const pat = this.pat;
    let sig = true;
    p++;
    if (pat.charCodeAt(p) === 94) {
      sig = false;
      p++;
    }
    while (p < ec) {
      const pc = pat.charCodeAt(p);
      if (pc === 37) {
        p++;
        if (classMatch(c, pat.charCodeAt(p))) return sig;
        p++;
      } else if (pat.charCodeAt(p + 1) === 45 && p + 2 < ec) {
        if (pc <= c && c <= pat.charCodeAt(p + 2)) return sig;
        p += 3;
      } else {
        if (pc === c) return sig;
        p++;
      }
    }
    return !sig;
  }

  singleMatch(s: number, p: number, ep: number): boolean {
    if (s >= this.src.length) return false;
    const c = this.src.charCodeAt(s);
    const pc = this.pat.charCodeAt(p);
    switch (pc) {
      case 46:
        return true;
      case 37:
        return classMatch(c, this.pat.charCodeAt(p + 1));
      case 91:
        return this.matchClass(c, p, ep - 1);
      default:
        return pc === c;
    }
  }

  match(s: number, p: number): number {
    const pat = this.pat;
    const src = this.src;
    for (;;) {
      if (p >= pat.length) return s;
      const pc = pat.charCodeAt(p);
      switch (pc) {
        case 40: // '('
          if (pat.charCodeAt(p + 1) === 41) return this.startCapture(s, p + 2, CAP_POSITION);
          return this.startCapture(s, p + 1, CAP_UNFINISHED);
        case 41: // ')'
          return this.endCapture(s, p + 1);
        case 37: {
          const nc = pat.charCodeAt(p + 1);
          if (nc === 98) {
            // %b
            s = this.matchBalance(s, p + 2);
            if (s === -1) return -1;
            p += 4;
            continue;
          }
          if (nc === 102) {
            // %f
            p += 2;
            if (pat.charCodeAt(p) !== 91) this.error("missing '[' after '%f' in pattern");
            const ep = this.classEnd(p);
            const prev = s === 0 ? 0 : src.charCodeAt(s - 1);
            const cur = s < src.length ? src.charCodeAt(s) : 0;
            if (!this.matchClass(prev, p, ep - 1) && this.matchClass(cur, p, ep - 1)) {
              p = ep;
              continue;
            }
            return -1;
          }
          if (nc >= 48 && nc <= 57) {
            s = this.matchCapture(s, nc);
            if (s === -1) return -1;
            p += 2;
            continue;
          }
          break; // default
        }
        case 36: // '$'
          if (p + 1 === pat.length) return s === src.length ? s : -1;
          break;
      }
      // default
      const ep = this.classEnd(p);
      const m = this.singleMatch(s, p, ep);
      const epc = pat.charCodeAt(ep);
      switch (epc) {
        case 63: {
          // '?'
          if (m) {
            const r = this.match(s + 1, ep + 1);
            if (r !== -1) return r;
          }
          p = ep + 1;
          continue;
        }
        case 42:
          return this.maxExpand(s, p, ep);
        case 43:
          return m ? this.maxExpand(s + 1, p, ep) : -1;
        case 45:
          return this.minExpand(s, p, ep);
        default:
          if (!m) return -1;
          s++;
          p = ep;
          continue;
      }
    }
  }

  maxExpand(s: number, p: number, ep: number): number {
    let i = 0;
    while (this.singleMatch(s + i, p, ep)) i++;
    const ctl = this.R.ctl;
    while (i >= 0) {
      if (--ctl.n < 0) this.R.tick();
      const r = this.match(s + i, ep + 1);
      if (r !== -1) return r;
      i--;
    }
    return -1;
  }

  minExpand(s: number, p: number, ep: number): number {
    const ctl = this.R.ctl;
    for (;;) {
      if (--ctl.n < 0) this.R.tick();
      const r = this.match(s, ep + 1);
      if (r !== -1) return r;
      if (this.singleMatch(s, p, ep)) s++;
      else return -1;
    }
  }

  startCapture(s: number, p: number, what: number): number {
    const level = this.level;
    if (level >= MAXCAPTURES) this.error('too many captures');
    this.capStart[level] = s;
    this.capLen[level] = what;
    this.level = level + 1;
    const r = this.match(s, p);
    if (r === -1) this.level--;
    return r;
  }

  endCapture(s: number, p: number): number {
    const l = this.captureToClose();
    this.capLen[l] = s - this.capStart[l];
    const r = this.match(s, p);
    if (r === -1) this.capLen[l] = CAP_UNFINISHED;
    return r;
  }

  captureToClose(): number {
    let level = this.level;
    for (level--; level >= 0; level--) if (this.capLen[level] === CAP_UNFINISHED) return level;
    return this.error('invalid pattern capture');
  }

  matchBalance(s: number, p: number): number {
    const pat = this.pat;
    if (p + 1 >= pat.length) this.error('unbalanced pattern');
    const src = this.src;
    if (s >= src.length || src.charCodeAt(s) !== pat.charCodeAt(p)) return -1;
    const b = pat.charCodeAt(p), e = pat.charCodeAt(p + 1);
    let cont = 1;
    let i = s + 1;
    while (i < src.length) {
      const c = src.charCodeAt(i);
      if (c === e) {
        if (--cont === 0) return i + 1;
      } else if (c === b) cont++;
      i++;
    }
    return -1;
  }

  checkCapture(l: number): number {
    l -= 49;
    if (l < 0 || l >= this.level || this.capLen[l] === CAP_UNFINISHED) return this.error('invalid capture index');
    return l;
  }

  matchCapture(s: number, l: number): number {
    const i = this.checkCapture(l);
    const len = this.capLen[i];
    const cap = this.src.substr(this.capStart[i], len);
    if (this.src.length - s >= len && this.src.substr(s, len) === cap) return s + len;
    return -1;
  }

  getCapture(i: number, s: number, e: number): LuaValue {
    if (i >= this.level) {
      if (i === 0) return this.src.slice(s, e);
      this.error('invalid capture index');
    }
    const l = this.capLen[i];
    if (l === CAP_UNFINISHED) this.error('unfinished capture');
    if (l === CAP_POSITION) return this.capStart[i] + 1;
    return this.src.substr(this.capStart[i], l);
  }

  captures(s: number, e: number, wholeIfNone: boolean): LuaValue[] {
    const n = this.level === 0 && wholeIfNone ? 1 : this.level;
    const out: LuaValue[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.getCapture(i, s, e);
    return out;
  }
}


// ---------------------------------------------------------------------------------------
// Fast path: translate a Lua pattern to an equivalent JS RegExp when it only uses single-char
// classes, sets, quantifiers (* + - ?), captures and anchors (the backtracking order of both
// engines is the same for such patterns). %b, %f and back-references use the interpreter.
// ---------------------------------------------------------------------------------------
interface CompiledPat {
  /** unbounded quantifiers (* + -): backtracking can cost up to n^(q+1) steps */
  q: number;
  g: RegExp;
  y: RegExp;
  ncap: number;
  pos: boolean[];
  hasPos: boolean;
}
const CLASS_RANGES: Record<string, [number, number][]> = {
  a: [[65, 90], [97, 122]],
  c: [[0, 31], [127, 127]],
  d: [[48, 57]],
  l: [[97, 122]],
  p: [[33, 47], [58, 64], [91, 96], [123, 126]],
  s: [[9, 13], [32, 32]],
  u: [[65, 90]],
  w: [[48, 57], [65, 90], [97, 122]],
  x: [[48, 57], [65, 70], [97, 102]],
  z: [[0, 0]],
};
function hx(c: number): string {
  return '\\x' + (c < 16 ? '0' : '') + c.toString(16);
}
function rangesRe(r: [number, number][]): string {
  let o = '';
  for (const [a, b] of r) o += a === b ? hx(a) : hx(a) + '-' + hx(b);
  return o;
}
function complement(r: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  let lo = 0;
  for (const [a, b] of r) {
    if (a > lo) out.push([lo, a - 1]);
    lo = b + 1;
  }
  if (lo <= 255) out.push([lo, 255]);
  return out;
}
/** ranges for %x (class letter or literal char) */
function escRanges(ch: string): [number, number][] {
  const lower = ch.toLowerCase();
  const r = CLASS_RANGES[lower];
  if (r === undefined || !/[a-zA-Z]/.test(ch)) return [[ch.charCodeAt(0), ch.charCodeAt(0)]];
  return ch === lower ? r : complement(r);
}
const patCache = new Map<string, CompiledPat | null>();
let regexFastPath = true;
/** Enable/disable the RegExp translation (tests run the pattern corpus through both paths). */
export function setRegexFastPath(on: boolean): void {
  regexFastPath = on;
}
/**
 * RegExp for pattern p on a subject of length n, or null to use the interpreter. RegExp
 * execution cannot be interrupted, so it is only used when the worst-case backtracking cost
 * (about n^(q+1) for q unbounded quantifiers) stays small; the interpreter checks the
 * interruption counter and can always be killed.
 */
function patternFor(p: string, n: number): CompiledPat | null {
  const cp = compilePattern(p);
  if (cp === null || cp.q === 0 || n <= 1) return cp;
  return (cp.q + 1) * Math.log10(n) <= 9 ? cp : null;
}

export function compilePattern(p: string): CompiledPat | null {
  if (!regexFastPath) return null;
  let c = patCache.get(p);
  if (c !== undefined) return c;
  c = translatePattern(p);
  if (patCache.size > 500) patCache.clear();
  patCache.set(p, c);
  return c;
}
function translatePattern(p: string): CompiledPat | null {
  let out = '';
  let i = 0;
  const n = p.length;
  let ncap = 0;
  let depth = 0;
  let nq = 0;
  const pos: boolean[] = [];
  const items: { set: Uint8Array; quant: string }[] = [];
  const setOf = (r: [number, number][], neg: boolean): Uint8Array => {
    const m = new Uint8Array(256);
    for (const [a, b] of r) for (let c = a; c <= b && c < 256; c++) m[c] = 1;
    if (neg) for (let c = 0; c < 256; c++) m[c] ^= 1;
    return m;
  };
  while (i < n) {
    const c = p[i];
    if (c === '(') {
      if (p[i + 1] === ')') {
        out += '()';
        pos.push(true);
        ncap++;
        i += 2;
        continue;
      }
      out += '(';
      pos.push(false);
      ncap++;
      depth++;
      i++;
      continue;
    }
    if (c === ')') {
      if (--depth < 0) return null;
      out += ')';
      i++;
      continue;
    }
    if (c === '$' && i === n - 1) {
      out += '$';
      i++;
      continue;
    }
    let cls: string;
    let j: number;
    if (c === '%') {
      const d = p[i + 1];
      if (d === undefined || d === 'b' || d === 'f' || (d >= '0' && d <= '9')) return null;
      cls = '[' + rangesRe(escRanges(d)) + ']';
      items.push({ set: setOf(escRanges(d), false), quant: '' });
      j = i + 2;
    } else if (c === '[') {
      let q = i + 1;
      if (p[q] === '^') q++;
      do {
        if (q >= n) return null;
        if (p[q++] === '%') {
          if (q >= n) return null;
          q++;
        }
      } while (p[q] !== ']');
      const ec = q;
      let k = i;
      let neg = false;
      if (p[k + 1] === '^') {
        neg = true;
        k++;
      }
      const ranges: [number, number][] = [];
      while (++k < ec) {
        if (p[k] === '%') {
          k++;
          for (const r of escRanges(p[k])) ranges.push(r);
        } else if (p[k + 1] === '-' && k + 2 < ec) {
          const a = p.charCodeAt(k), b = p.charCodeAt(k + 2);
          if (a <= b) ranges.push([a, b]);
          k += 2;
        } else ranges.push([p.charCodeAt(k), p.charCodeAt(k)]);
      }
      cls = '[' + (neg ? '^' : '') + rangesRe(ranges) + ']';
      items.push({ set: setOf(ranges, neg), quant: '' });
      j = ec + 1;
    } else if (c === '.') {
      cls = '[^]';
      items.push({ set: setOf([[0, 255]], false), quant: '' });
      j = i + 1;
    } else {
      cls = hx(c.charCodeAt(0));
      items.push({ set: setOf([[c.charCodeAt(0), c.charCodeAt(0)]], false), quant: '' });
      j = i + 1;
    }
    const q = p[j];
    if (q === '*' || q === '+' || q === '?' || q === '-') items[items.length - 1].quant = q;
    if (q === '*' || q === '+' || q === '?') {
      out += cls + q;
      if (q !== '?') nq++;
      j++;
    } else if (q === '-') {
      out += cls + '*?';
      nq++;
      j++;
    } else out += cls;
    i = j;
  }
  if (depth !== 0 || ncap > MAXCAPTURES) return null;
  const hasPos = pos.some((x) => x);
  try {
    // backtracking exponent: an unbounded quantifier whose following item is a single char
    // class disjoint from it (or that ends the pattern) enters the rest of the pattern once
    // per attempt instead of once per run position, so it does not multiply the work
    let overlapping = 0;
    for (let k = 0; k < items.length; k++) {
      const it = items[k];
      if (it.quant === '' || it.quant === '?') continue;
      const nx = items[k + 1];
      if (nx === undefined) continue;
      let disjoint = nx.quant === '' || nx.quant === '+';
      if (disjoint) for (let c = 0; c < 256; c++) if (it.set[c] & nx.set[c]) disjoint = false;
      if (!disjoint) overlapping++;
    }
    // worst case ~ n (start positions) * n^overlapping * n (the last run): exponent q + 1
    nq = nq === 0 ? 0 : overlapping + 1;
    return { q: nq, g: new RegExp(out, hasPos ? 'gd' : 'g'), y: new RegExp(out, hasPos ? 'yd' : 'y'), ncap, pos, hasPos };
  } catch {
    return null;
  }
}
/** capture i (0-based) of a regexp match, with Lua's rules for "no captures" */
function reCap(R: Runtime, cp: CompiledPat, m: RegExpExecArray, i: number): LuaValue {
  if (i >= cp.ncap) {
    if (i === 0) return m[0];
    R.error('invalid capture index');
  }
  if (cp.pos[i]) return (m as RegExpExecArray & { indices: [number, number][] }).indices[i + 1][0] + 1;
  return m[i + 1];
}
function reCaps(R: Runtime, cp: CompiledPat, m: RegExpExecArray, wholeIfNone: boolean): LuaValue[] {
  const n = cp.ncap === 0 && wholeIfNone ? 1 : cp.ncap;
  const out: LuaValue[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = reCap(R, cp, m, i);
  return out;
}

export function openString(R: Runtime, G: LuaTable): LuaTable {
  const S = new LuaTable();
  const reg = (name: string, f: (...a: LuaValue[]) => Ret): void => S.set(name, f);

  reg('len', function len(s: LuaValue): Ret {
    return checkString(R, s, 1, arguments.length).length;
  });
  reg('sub', function sub(s: LuaValue, i: LuaValue, j: LuaValue): Ret {
    const n = arguments.length;
    const str = checkString(R, s, 1, n);
    const l = str.length;
    let a = posrelat(optInt(R, i, 2, n, 1), l);
    let b = posrelat(optInt(R, j, 3, n, -1), l);
    if (a < 1) a = 1;
    if (b > l) b = l;
    if (a > b) return '';
    return str.slice(a - 1, b);
  });
  reg('upper', function upper(s: LuaValue): Ret {
    const str = checkString(R, s, 1, arguments.length);
    return str.replace(/[a-z]+/g, (m) => m.toUpperCase());
  });
  reg('lower', function lower(s: LuaValue): Ret {
    const str = checkString(R, s, 1, arguments.length);
    return str.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  });
  reg('rep', function rep(s: LuaValue, n: LuaValue): Ret {
    const str = checkString(R, s, 1, arguments.length);
    const k = checkInt(R, n, 2, arguments.length);
    if (k <= 0 || str.length === 0) return '';
    if (str.length * k > R.maxStringLength) R.error('not enough memory');
    return str.repeat(k);
  });
  reg('reverse', function reverse(s: LuaValue): Ret {
    const str = checkString(R, s, 1, arguments.length);
    let out = '';
    for (let i = str.length - 1; i >= 0; i--) out += str[i];
    return out;
  });
  reg('byte', function byte(s: LuaValue, i: LuaValue, j: LuaValue): Ret {
    const n = arguments.length;
    const str = checkString(R, s, 1, n);
    const l = str.length;
    const a0 = optInt(R, i, 2, n, 1);
    let a = posrelat(a0, l);
    let b = posrelat(j === undefined ? a0 : checkInt(R, j, 3, n), l);
    if (a <= 0) a = 1;
    if (b > l) b = l;
    if (a > b) return EMPTY;
    const cnt = b - a + 1;
    if (cnt >= 8000) R.error('string slice too long');
    if (cnt === 1) return str.charCodeAt(a - 1);
    const out: LuaValue[] = new Array(cnt);
    for (let k = 0; k < cnt; k++) out[k] = str.charCodeAt(a - 1 + k);
    return out;
  });
  reg('char', function char(...a: LuaValue[]): Ret {
    let out = '';
    for (let i = 0; i < a.length; i++) {
      const c = checkInt(R, a[i], i + 1, a.length);
      if (c < 0 || c > 255) argError(R, i + 1, 'invalid value');
      out += String.fromCharCode(c);
    }
    return out;
  });
  reg('format', function format(...a: LuaValue[]): Ret {
    return strFormat(R, a);
  });

  const findAux = (find: boolean, a: LuaValue[]): Ret => {
    const n = a.length;
    const s = checkString(R, a[0], 1, n);
    const p = checkString(R, a[1], 2, n);
    let init = posrelat(optInt(R, a[2], 3, n, 1), s.length) - 1;
    if (init < 0) init = 0;
    else if (init > s.length) init = s.length;
    if (find && (T(a[3]) || !SPECIALS.test(p))) {
      const idx = s.indexOf(p, init);
      if (idx < 0) return undefined;
      return [idx + 1, idx + p.length];
    }
    const anchor = p.charCodeAt(0) === 94;
    const cp = patternFor(anchor ? p.slice(1) : p, s.length);
    if (cp !== null) {
      const re = anchor ? cp.y : cp.g;
      re.lastIndex = init;
      const m = re.exec(s);
      if (m === null) return undefined;
      if (find) {
        const st = m.index;
        if (cp.ncap === 0) return [st + 1, st + m[0].length];
        return [st + 1, st + m[0].length, ...reCaps(R, cp, m, false)];
      }
      if (cp.ncap <= 1) return reCap(R, cp, m, 0);
      return reCaps(R, cp, m, true);
    }
    const ms = new MatchState(R, s, p);
    const pstart = anchor ? 1 : 0;
    let s1 = init;
    do {
      ms.level = 0;
      const e = ms.match(s1, pstart);
      if (e !== -1) {
        if (find) return [s1 + 1, e, ...ms.captures(-1, -1, false)];
        const caps = ms.captures(s1, e, true);
        return caps.length === 1 ? caps[0] : caps;
      }
      s1++;
      if (--R.ctl.n < 0) R.tick();
    } while (s1 <= s.length && !anchor);
    return undefined;
  };
  reg('find', function find(...a: LuaValue[]): Ret {
    return findAux(true, a);
  });
  reg('match', function match(...a: LuaValue[]): Ret {
    return findAux(false, a);
  });

  reg('gmatch', function gmatch(s0: LuaValue, p0: LuaValue): Ret {
    const n = arguments.length;
    const s = checkString(R, s0, 1, n);
    const p = checkString(R, p0, 2, n);
    let pos = 0;
    const cp = patternFor(p, s.length);
    if (cp !== null) {
      return function gmatchIter(): Ret {
        if (pos > s.length) return EMPTY;
        cp.g.lastIndex = pos;
        const m = cp.g.exec(s);
        if (m === null) {
          pos = s.length + 1;
          return EMPTY;
        }
        const e = m.index + m[0].length;
        pos = e === m.index ? e + 1 : e;
        if (cp.ncap <= 1) return reCap(R, cp, m, 0);
        return reCaps(R, cp, m, true);
      };
    }
    return function gmatchIter(): Ret {
      const ms = new MatchState(R, s, p);
      for (let src = pos; src <= s.length; src++) {
        if (--R.ctl.n < 0) R.tick();
        ms.level = 0;
        const e = ms.match(src, 0);
        if (e !== -1) {
          pos = e === src ? e + 1 : e;
          const caps = ms.captures(src, e, true);
          return caps.length === 1 ? caps[0] : caps;
        }
      }
      return EMPTY;
    };
  });

  reg('gsub', function gsub(s0: LuaValue, p0: LuaValue, repl: LuaValue, max: LuaValue): Ret {
    const n = arguments.length;
    const src = checkString(R, s0, 1, n);
    const p = checkString(R, p0, 2, n);
    const tr = typeof repl;
    if (!(tr === 'number' || tr === 'string' || tr === 'function' || repl instanceof LuaTable)) {
      argError(R, 3, 'string/function/table expected');
    }
    const maxS = optInt(R, max, 4, n, src.length + 1);
    const cs = R.cs;
    const anchor = p.charCodeAt(0) === 94;
    const pstart = anchor ? 1 : 0;
    const rs = tr === 'string' || tr === 'number' ? (tr === 'number' ? numberToString(repl as number) : (repl as string)) : '';
    const cp = patternFor(anchor ? p.slice(1) : p, src.length);
    if (cp !== null) {
      const re = anchor ? cp.y : cp.g;
      const simpleRepl = (tr === 'string' || tr === 'number') && rs.indexOf('%') < 0;
      let replParts: (string | number)[] | null = null;
      let out = '';
      let s = 0;
      let pend = 0;
      let count = 0;
      while (count < maxS) {
        re.lastIndex = s;
        const m = re.exec(src);
        if (m === null) break;
        const ms0 = m.index;
        const e = ms0 + m[0].length;
        count++;
        if (pend < ms0) out += src.slice(pend, ms0);
        if (simpleRepl) out += rs;
        else if (tr === 'string' || tr === 'number') {
          if (replParts === null) replParts = parseRepl(rs);
          for (let i = 0; i < replParts.length; i++) {
            const part = replParts[i];
            if (typeof part === 'string') out += part;
            else if (part === -1) out += m[0];
            else {
              const v = reCap(R, cp, m, part);
              out += typeof v === 'number' ? numberToString(v) : (v as string);
            }
          }
        } else {
          const caps = reCaps(R, cp, m, true);
          let val: LuaValue;
          if (typeof repl === 'function') {
            R.enterC(null);
            val = one(repl(...caps));
            R.leaveC();
            R.cs = cs;
          } else val = R.index(repl, caps[0], NOSITE);
          if (val === undefined || val === false) val = m[0];
          else if (typeof val === 'number') val = numberToString(val);
          else if (typeof val !== 'string') R.error('invalid replacement value (a ' + typeName(val) + ')');
          out += val as string;
        }
        pend = e;
        if (e > ms0) s = e;
        else {
          if (ms0 >= src.length) break;
          s = ms0 + 1;
        }
        if (anchor) break;
      }
      if (pend < src.length) out += src.slice(pend);
      return [out, count];
    }
    const ms = new MatchState(R, src, p);
    let out = '';
    let s = 0;
    let count = 0;
    let pend = 0; // start of unmatched text not yet copied to out
    while (count < maxS) {
      if (--R.ctl.n < 0) R.tick();
      ms.level = 0;
      const e = ms.match(s, pstart);
      if (e !== -1) {
        count++;
        if (pend < s) out += src.slice(pend, s);
        // add_value
        let val: LuaValue;
        if (tr === 'string' || tr === 'number') {
          let r = '';
          for (let i = 0; i < rs.length; i++) {
            const c = rs.charCodeAt(i);
            if (c === 37) {
              i++;
              const d = rs.charCodeAt(i);
              if (!(d >= 48 && d <= 57)) r += i < rs.length ? rs[i] : '';
              else if (d === 48) r += src.slice(s, e);
              else {
                const v = ms.getCapture(d - 49, s, e);
                r += typeof v === 'number' ? numberToString(v) : (v as string);
              }
            } else r += rs[i];
          }
          val = r;
        } else {
          const caps = ms.captures(s, e, true);
          if (typeof repl === 'function') {
            R.enterC(null);
            val = one(repl(...caps));
            R.leaveC();
            R.cs = cs;
          } else val = R.index(repl, caps[0], NOSITE);
          if (val === undefined || val === false) val = src.slice(s, e);
          else if (typeof val === 'number') val = numberToString(val);
          else if (typeof val !== 'string') R.error('invalid replacement value (a ' + typeName(val) + ')');
        }
        out += val as string;
        pend = e;
      }
      if (e !== -1 && e > s) s = e;
      else if (s < src.length) s++;
      else break;
      if (anchor) break;
    }
    if (pend < src.length) out += src.slice(pend);
    return [out, count];
  });

  S.set('gfind', S.get('gmatch'));
  reg('dump', function dump(): Ret {
    R.error('unable to dump given function');
  });

  G.set('string', S);
  const meta = new LuaTable();
  meta.set('__index', S);
  R.stringMeta = meta;
  return S;
}

/** gsub replacement string as literal parts and capture indexes (-1 = whole match) */
function parseRepl(rs: string): (string | number)[] {
  const parts: (string | number)[] = [];
  let lit = '';
  for (let i = 0; i < rs.length; i++) {
    const c = rs.charCodeAt(i);
    if (c !== 37) {
      lit += rs[i];
      continue;
    }
    i++;
    const d = rs.charCodeAt(i);
    if (!(d >= 48 && d <= 57)) {
      lit += i < rs.length ? rs[i] : '';
      continue;
    }
    if (lit) parts.push(lit);
    lit = '';
    parts.push(d === 48 ? -1 : d - 49);
  }
  if (lit) parts.push(lit);
  return parts;
}

function T(v: LuaValue): boolean {
  return v !== undefined && v !== false;
}

function pad(body: string, prefix: string, flags: string, width: number, zeroOk: boolean): string {
  const total = prefix.length + body.length;
  if (width <= total) return prefix + body;
  const fill = width - total;
  if (flags.indexOf('-') >= 0) return prefix + body + ' '.repeat(fill);
  if (zeroOk && flags.indexOf('0') >= 0) return prefix + '0'.repeat(fill) + body;
  return ' '.repeat(fill) + prefix + body;
}

function signPrefix(neg: boolean, flags: string): string {
  if (neg) return '-';
  if (flags.indexOf('+') >= 0) return '+';
  if (flags.indexOf(' ') >= 0) return ' ';
  return '';
}

function toLong(x: number): bigint {
  if (x !== x || x >= 9223372036854775807 || x < -9223372036854775808) return -9223372036854775808n;
  return BigInt(Math.trunc(x));
}

interface FmtItem {
  lit: string; // literal text before the spec
  flags: string;
  width: number;
  prec: number;
  conv: string; // '' for trailing literal
  err?: string;
}
const fmtCache = new Map<string, FmtItem[]>();

function isD(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function parseFormat(fmt: string): FmtItem[] {
  const items: FmtItem[] = [];
  let lit = '';
  const n = fmt.length;
  for (let i = 0; i < n; i++) {
    const c = fmt.charCodeAt(i);
    if (c !== 37) {
      lit += fmt[i];
      continue;
    }
    i++;
    if (fmt.charCodeAt(i) === 37) {
      lit += '%';
      continue;
    }
    const st = i;
    while (i < n && '-+ #0'.indexOf(fmt[i]) >= 0) i++;
    if (i - st >= 6) {
      items.push({ lit, flags: '', width: 0, prec: -1, conv: '', err: 'invalid format (repeated flags)' });
      return items;
    }
    const flags = fmt.slice(st, i);
    let ws = '';
    if (isD(fmt[i])) ws += fmt[i++];
    if (isD(fmt[i])) ws += fmt[i++];
    let prec = -1;
    if (fmt[i] === '.') {
      i++;
      let ps = '';
      if (isD(fmt[i])) ps += fmt[i++];
      if (isD(fmt[i])) ps += fmt[i++];
      prec = ps === '' ? 0 : parseInt(ps, 10);
    }
    if (isD(fmt[i])) {
      items.push({ lit, flags: '', width: 0, prec: -1, conv: '', err: 'invalid format (width or precision too long)' });
      return items;
    }
    items.push({ lit, flags, width: ws === '' ? 0 : parseInt(ws, 10), prec, conv: fmt[i] ?? '\0' });
    lit = '';
  }
  items.push({ lit, flags: '', width: 0, prec: -1, conv: '' });
  return items;
}

export function strFormat(R: Runtime, a: LuaValue[]): string {
  const fmt = checkString(R, a[0], 1, a.length);
  let items = fmtCache.get(fmt);
  if (items === undefined) {
    items = parseFormat(fmt);
    if (fmtCache.size > 1000) fmtCache.clear();
    fmtCache.set(fmt, items);
  }
  let out = '';
  let arg = 0;
  for (let it = 0; it < items.length; it++) {
    const item = items[it];
    out += item.lit;
    if (item.err !== undefined) R.error(item.err);
    const conv = item.conv;
    if (conv === '') break;
    const flags = item.flags, width = item.width, prec = item.prec;
    arg++;
    if (arg >= a.length) argError(R, arg + 1, 'no value');
    const v = a[arg];
    switch (conv) {
      case 'c': {
        const x = checkNumber(R, v, arg + 1, a.length);
        out += pad(String.fromCharCode(Number(BigInt.asUintN(8, toLong(x)))), '', flags, width, false);
        break;
      }
      case 'd':
      case 'i': {
        if (typeof v === 'number' && flags === '' && prec < 0 && v > -2147483648 && v < 2147483648) {
          const iv = Math.trunc(v);
          const ds = iv === 0 ? '0' : String(iv);
          out += width > ds.length ? ' '.repeat(width - ds.length) + ds : ds;
          break;
        }
        const x = toLong(checkNumber(R, v, arg + 1, a.length));
        const neg = x < 0n;
        let digits = (neg ? -x : x).toString();
        if (prec >= 0) {
          if (prec === 0 && x === 0n) digits = '';
          else if (digits.length < prec) digits = '0'.repeat(prec - digits.length) + digits;
        }
        out += pad(digits, signPrefix(neg, flags), flags, width, prec < 0);
        break;
      }
      case 'o':
      case 'u':
      case 'x':
      case 'X': {
        const x = BigInt.asUintN(64, toLong(checkNumber(R, v, arg + 1, a.length)));
        let digits = conv === 'o' ? x.toString(8) : conv === 'u' ? x.toString() : x.toString(16);
        if (conv === 'X') digits = digits.toUpperCase();
        if (prec >= 0) {
          if (prec === 0 && x === 0n) digits = '';
          else if (digits.length < prec) digits = '0'.repeat(prec - digits.length) + digits;
        }
        let prefix = '';
        if (flags.indexOf('#') >= 0) {
          if (conv === 'o' && digits[0] !== '0') digits = '0' + digits;
          if ((conv === 'x' || conv === 'X') && x !== 0n) prefix = conv === 'x' ? '0x' : '0X';
        }
        out += pad(digits, prefix, flags, width, prec < 0);
        break;
      }
      case 'e':
      case 'E':
      case 'f':
      case 'g':
      case 'G': {
        const x = checkNumber(R, v, arg + 1, a.length);
        const neg = x < 0 || (x === 0 && 1 / x < 0) || (x !== x && nanSign(x));
        const ax = Math.abs(x);
        let body: string;
        if (ax === Infinity || x !== x) {
          body = x !== x ? 'nan' : 'inf';
          if (conv === 'E' || conv === 'G') body = body.toUpperCase();
          out += pad(body, signPrefix(neg, flags), flags, width, false);
          break;
        }
        const p = prec < 0 ? 6 : prec;
        if (conv === 'f') {
          body = fmtF(ax, p);
          if (p === 0 && flags.indexOf('#') >= 0) body += '.';
        } else if (conv === 'e' || conv === 'E') {
          body = fmtE(ax, p, conv === 'E');
          if (p === 0 && flags.indexOf('#') >= 0) body = body.replace(/e/i, (m) => '.' + m);
        } else {
          body = fmtG(ax, p === 0 ? 1 : p, flags.indexOf('#') >= 0);
          if (conv === 'G') body = body.toUpperCase();
        }
        out += pad(body, signPrefix(neg, flags), flags, width, true);
        break;
      }
      case 'q': {
        const s = checkString(R, v, arg + 1, a.length);
        let q = '"';
        for (let k = 0; k < s.length; k++) {
          const ch = s.charCodeAt(k);
          if (ch === 34 || ch === 92 || ch === 10) q += '\\' + s[k];
          else if (ch === 13) q += '\\r';
          else if (ch === 0) q += '\\000';
          else q += s[k];
        }
        out += q + '"';
        break;
      }
      case 's': {
        if (typeof v === 'string' && prec < 0 && width === 0 && v.indexOf('\0') < 0) {
          out += v;
          break;
        }
        let s = checkString(R, v, arg + 1, a.length);
        if (prec < 0 && s.length >= 100) {
          out += s;
          break;
        }
        const z = s.indexOf('\0');
        if (z >= 0) s = s.slice(0, z);
        if (prec >= 0) s = s.slice(0, prec);
        out += pad(s, '', flags, width, false);
        break;
      }
      default:
        R.error("invalid option '%" + conv + "' to 'format'");
    }
  }
  return out;
}

export { typeError };

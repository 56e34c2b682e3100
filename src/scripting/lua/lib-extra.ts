// Redis extra libraries: bit (LuaBitOp), struct (lua_struct), cjson (lua_cjson 2.1), cmsgpack.
import { argError, checkInt, checkNumber, checkString, optInt, typeError } from './args';
import { EMPTY, Ret, Runtime } from './runtime';
import { LuaError, LuaTable, LuaUserdata, LuaValue, fmtG, numberToString, typeName } from './value';

type NF = (...a: LuaValue[]) => Ret;

// ------------------------------------------------------------------------------ bit
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function tobit(n: number): number {
  f64[0] = n + 6755399441055744.0;
  return u32[0] | 0;
}

function openBit(R: Runtime, G: LuaTable): void {
  const B = new LuaTable();
  const barg = (v: LuaValue, i: number, n: number): number => {
    if (typeof v === 'number') return tobit(v);
    return tobit(checkNumber(R, v, i, n));
  };
  const reg = (name: string, f: NF): void => B.set(name, f);
  reg('tobit', function (x: LuaValue): Ret {
    return barg(x, 1, arguments.length);
  });
  reg('bnot', function (x: LuaValue): Ret {
    return ~barg(x, 1, arguments.length);
  });
  const variadic = (name: string, op: (a: number, b: number) => number): void =>
    reg(name, function (...a: LuaValue[]): Ret {
      let r = barg(a[0], 1, a.length);
      for (let i = 1; i < a.length; i++) r = op(r, barg(a[i], i + 1, a.length));
      return r;
    });
  variadic('band', (a, b) => a & b);
  variadic('bor', (a, b) => a | b);
  variadic('bxor', (a, b) => a ^ b);
  const shift = (name: string, op: (a: number, n: number) => number): void =>
    reg(name, function (x: LuaValue, n: LuaValue): Ret {
      const c = arguments.length;
      return op(barg(x, 1, c), barg(n, 2, c) & 31) | 0;
    });
  shift('lshift', (a, n) => a << n);
  shift('rshift', (a, n) => a >>> n);
  shift('arshift', (a, n) => a >> n);
  shift('rol', (a, n) => (a << n) | (a >>> (32 - n)));
  shift('ror', (a, n) => (a >>> n) | (a << (32 - n)));
  reg('bswap', function (x: LuaValue): Ret {
    const b = barg(x, 1, arguments.length);
    return ((b >>> 24) | ((b >> 8) & 0xff00) | ((b & 0xff00) << 8) | (b << 24)) | 0;
  });
  reg('tohex', function (x: LuaValue, n: LuaValue): Ret {
    const c = arguments.length;
    let b = barg(x, 1, c) >>> 0;
    let k = n === undefined ? 8 : barg(n, 2, c);
    let upper = false;
    if (k < 0) {
      k = -k;
      upper = true;
    }
    if (k > 8) k = 8;
    let s = '';
    for (let i = 0; i < k; i++) {
      s = '0123456789abcdef'[b & 15] + s;
      b >>>= 4;
    }
    return upper ? s.toUpperCase() : s;
  });
  G.set('bit', B);
}

// ------------------------------------------------------------------------------ struct
function openStruct(R: Runtime, G: LuaTable): void {
  const S = new LuaTable();
  const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
  interface St {
    fmt: string;
    i: number;
    little: boolean;
    align: number;
  }
  const getnum = (st: St, df: number): number => {
    if (!isDigit(st.fmt[st.i])) return df;
    let a = 0;
    do {
      const d = st.fmt.charCodeAt(st.i) - 48;
      if (a > 214748364 || a * 10 > 2147483647 - d) R.error('integral size overflow');
      a = a * 10 + d;
      st.i++;
    } while (isDigit(st.fmt[st.i]));
    return a;
  };
  const optsize = (st: St, opt: string): number => {
    switch (opt) {
      case 'B':
      case 'b':
        return 1;
      case 'H':
      case 'h':
        return 2;
      case 'L':
      case 'l':
      case 'T':
        return 8;
      case 'f':
        return 4;
      case 'd':
        return 8;
      case 'x':
        return 1;
      case 'c':
        return getnum(st, 1);
      case 'i':
      case 'I': {
        const sz = getnum(st, 4);
        if (sz > 32) R.error('integral size ' + sz + ' is larger than limit of 32');
        return sz;
      }
      default:
        return 0;
    }
  };
  const toalign = (len: number, st: St, opt: string, size: number): number => {
    if (size === 0 || opt === 'c') return 0;
    if (size > st.align) size = st.align;
    return (size - (len & (size - 1))) & (size - 1);
  };
  const control = (st: St, opt: string): void => {
    switch (opt) {
      case ' ':
        return;
      case '>':
        st.little = false;
        return;
      case '<':
        st.little = true;
        return;
      case '!': {
        const a = getnum(st, 8);
        if ((a & (a - 1)) !== 0 || a === 0) R.error('alignment ' + a + ' is not a power of 2');
        st.align = a;
        return;
      }
      default:
        argError(R, 1, "invalid format option '" + opt + "'");
    }
  };
  const fbuf = new DataView(new ArrayBuffer(8));
  S.set('pack', function pack(...a: LuaValue[]): Ret {
    const fmt = checkString(R, a[0], 1, a.length);
    const st: St = { fmt, i: 0, little: true, align: 1 };
    let arg = 1;
    let out = '';
    let total = 0;
    while (st.i < fmt.length) {
      const opt = fmt[st.i++];
      let size = optsize(st, opt);
      const ta = toalign(total, st, opt, size);
      total += ta;
      out += '\0'.repeat(ta);
      switch (opt) {
        case 'b':
        case 'B':
        case 'h':
        case 'H':
        case 'l':
        case 'L':
        case 'T':
        case 'i':
        case 'I': {
          const n = checkNumber(R, a[arg], arg + 1, a.length);
          arg++;
          let v: bigint;
          if (n !== n || n === Infinity || n === -Infinity) v = 0x8000000000000000n;
          else v = BigInt.asUintN(64, BigInt(Math.trunc(n)));
          const bytes: number[] = [];
          for (let k = 0; k < size; k++) {
            bytes.push(Number(v & 0xffn));
            v >>= 8n;
          }
          if (!st.little) bytes.reverse();
          out += String.fromCharCode(...bytes);
          break;
        }
        case 'x':
          out += '\0';
          break;
        case 'f':
        case 'd': {
          const n = checkNumber(R, a[arg], arg + 1, a.length);
          arg++;
          if (opt === 'f') fbuf.setFloat32(0, n, st.little);
          else fbuf.setFloat64(0, n, st.little);
          for (let k = 0; k < size; k++) out += String.fromCharCode(fbuf.getUint8(k));
          break;
        }
        case 'c':
        case 's': {
          const s = checkString(R, a[arg], arg + 1, a.length);
          arg++;
          if (size === 0) size = s.length;
          if (s.length < size) argError(R, arg, 'string too short');
          out += s.slice(0, size);
          if (opt === 's') {
            out += '\0';
            size++;
          }
          break;
        }
        default:
          control(st, opt);
      }
      total += size;
    }
    return out;
  });
  S.set('unpack', function unpack(f: LuaValue, d: LuaValue, p: LuaValue): Ret {
    const nargs = arguments.length;
    const fmt = checkString(R, f, 1, nargs);
    const data = checkString(R, d, 2, nargs);
    const ld = data.length;
    let pos = optInt(R, p, 3, nargs, 1) - 1;
    if (!(pos >= 0 && pos <= ld)) argError(R, 3, 'offset must be 1 or greater');
    const st: St = { fmt, i: 0, little: true, align: 1 };
    const res: LuaValue[] = [];
    while (st.i < fmt.length) {
      const opt = fmt[st.i++];
      let size = optsize(st, opt);
      pos += toalign(pos, st, opt, size);
      if (!(size <= ld && pos <= ld - size)) argError(R, 2, 'data string too short');
      switch (opt) {
        case 'b':
        case 'B':
        case 'h':
        case 'H':
        case 'l':
        case 'L':
        case 'T':
        case 'i':
        case 'I': {
          let l = 0n;
          for (let k = 0; k < size; k++) {
            const idx = st.little ? pos + size - 1 - k : pos + k;
            l = BigInt.asUintN(64, (l << 8n) | BigInt(data.charCodeAt(idx)));
          }
          if (opt === opt.toLowerCase() && size > 0) {
            const bits = Math.min(size * 8, 64);
            const mask = BigInt.asUintN(64, ~0n << BigInt(size * 8 - 1 >= 64 ? 63 : size * 8 - 1));
            if (l & mask) l |= mask;
            res.push(Number(BigInt.asIntN(64, l)));
            void bits;
          } else res.push(Number(l));
          break;
        }
        case 'x':
          break;
        case 'f':
        case 'd': {
          for (let k = 0; k < size; k++) fbuf.setUint8(k, data.charCodeAt(pos + k));
          res.push(opt === 'f' ? fbuf.getFloat32(0, st.little) : fbuf.getFloat64(0, st.little));
          break;
        }
        case 'c': {
          if (size === 0) {
            const prev = res[res.length - 1];
            if (res.length === 0 || typeof prev !== 'number') R.error("format 'c0' needs a previous size");
            size = prev as number;
            res.pop();
            if (!(size <= ld && pos <= ld - size)) argError(R, 2, 'data string too short');
          }
          res.push(data.substr(pos, size));
          break;
        }
        case 's': {
          const e = data.indexOf('\0', pos);
          if (e < 0) R.error('unfinished string in data');
          size = e - pos + 1;
          res.push(data.slice(pos, e));
          break;
        }
        default:
          control(st, opt);
      }
      pos += size;
    }
    res.push(pos + 1);
    return res;
  });
  S.set('size', function size(f: LuaValue): Ret {
    const fmt = checkString(R, f, 1, arguments.length);
    const st: St = { fmt, i: 0, little: true, align: 1 };
    let pos = 0;
    while (st.i < fmt.length) {
      const opt = fmt[st.i++];
      const sz = optsize(st, opt);
      pos += toalign(pos, st, opt, sz);
      if (opt === 's') argError(R, 1, "options 's' has no fixed size");
      else if (opt === 'c' && sz === 0) argError(R, 1, "option 'c0' has no fixed size");
      if (!/[A-Za-z0-9]/.test(opt)) control(st, opt);
      pos += sz;
    }
    return pos;
  });
  G.set('struct', S);
}

// ------------------------------------------------------------------------------ cjson
const ESC: (string | null)[] = [];
for (let i = 0; i < 256; i++) ESC.push(null);
for (let i = 0; i < 32; i++) ESC[i] = '\\u' + i.toString(16).padStart(4, '0');
ESC[8] = '\\b';
ESC[9] = '\\t';
ESC[10] = '\\n';
ESC[12] = '\\f';
ESC[13] = '\\r';
ESC[34] = '\\"';
ESC[47] = '\\/';
ESC[92] = '\\\\';
ESC[127] = '\\u007f';

export function jsonQuote(s: string): string {
  let out = '"';
  let st = 0;
  for (let i = 0; i < s.length; i++) {
    const e = ESC[s.charCodeAt(i)];
    if (e !== null) {
      out += s.slice(st, i) + e;
      st = i + 1;
    }
  }
  return out + s.slice(st) + '"';
}

function openCjson(R: Runtime, G: LuaTable): void {
  const J = new LuaTable();
  const NULL = new LuaUserdata('cjson.null');
  const cfg = {
    sparseConvert: false,
    sparseRatio: 2,
    sparseSafe: 10,
    encodeMaxDepth: 1000,
    decodeMaxDepth: 1000,
    precision: 14,
    encodeInvalid: false,
    decodeInvalid: true,
  };
  const fmtNum = (n: number): string => {
    if (n !== n || n === Infinity || n === -Infinity) {
      if (!cfg.encodeInvalid) R.error('Cannot serialise number: must not be NaN or Inf');
      return n !== n ? 'nan' : n > 0 ? 'inf' : '-inf';
    }
    if (cfg.precision === 14) return numberToString(n);
    return fmtG(n, cfg.precision);
  };
  const arrayLength = (t: LuaTable): number => {
    let max = 0;
    let items = 0;
    let k: LuaValue = undefined;
    for (;;) {
      k = t.next(k);
      if (k === undefined) break;
      if (typeof k === 'number' && k !== 0 && Math.floor(k) === k && k >= 1) {
        if (k > max) max = k;
        items++;
        continue;
      }
      return -1;
    }
    if (cfg.sparseRatio > 0 && max > items * cfg.sparseRatio && max > cfg.sparseSafe) {
      if (!cfg.sparseConvert) R.error('Cannot serialise table: excessively sparse array');
      return -1;
    }
    return max;
  };
  const encode = (v: LuaValue, depth: number, parts: string[]): void => {
    switch (typeof v) {
      case 'string':
        parts.push(jsonQuote(v));
        return;
      case 'number':
        parts.push(fmtNum(v));
        return;
      case 'boolean':
        parts.push(v ? 'true' : 'false');
        return;
      case 'undefined':
        parts.push('null');
        return;
    }
    if (v === NULL) {
      parts.push('null');
      return;
    }
    if (v instanceof LuaTable) {
      depth++;
      if (depth > cfg.encodeMaxDepth) R.error('Cannot serialise, excessive nesting (' + depth + ')');
      const len = arrayLength(v);
      if (len > 0) {
        parts.push('[');
        for (let i = 1; i <= len; i++) {
          if (i > 1) parts.push(',');
          encode(v.get(i), depth, parts);
        }
        parts.push(']');
      } else {
        parts.push('{');
        let first = true;
        let k: LuaValue = undefined;
        for (;;) {
          k = v.next(k);
          if (k === undefined) break;
          const val = v.nextValue;
          if (!first) parts.push(',');
          first = false;
          if (typeof k === 'string') parts.push(jsonQuote(k));
          else if (typeof k === 'number') parts.push('"' + fmtNum(k) + '"');
          else R.error('Cannot serialise ' + typeName(k) + ': table key must be a number or string');
          parts.push(':');
          encode(val, depth, parts);
        }
        parts.push('}');
      }
      return;
    }
    R.error('Cannot serialise ' + typeName(v) + ': type not supported');
  };
  J.set('encode', function (v: LuaValue): Ret {
    if (arguments.length !== 1) argError(R, 1, 'expected 1 argument');
    const parts: string[] = [];
    encode(v, 0, parts);
    return parts.join('');
  });

  // decoder
  J.set('decode', function (s0: LuaValue): Ret {
    if (arguments.length !== 1) argError(R, 1, 'expected 1 argument');
    const s = checkString(R, s0, 1, 1);
    let i = 0;
    const n = s.length;
    type Tok = { t: string; v?: LuaValue; idx: number };
    const ws = (): void => {
      while (i < n) {
        const c = s.charCodeAt(i);
        if (c === 32 || c === 9 || c === 10 || c === 13) i++;
        else break;
      }
    };
    const perr = (exp: string, tok: Tok): never => {
      const found = tok.t === 'T_ERROR' ? (tok.v as string) : tok.t;
      return R.error('Expected ' + exp + ' but found ' + found + ' at character ' + (tok.idx + 1));
    };
    const next = (): Tok => {
      ws();
      const idx = i;
      if (i >= n) return { t: 'T_END', idx };
      const c = s[i];
      switch (c) {
        case '{':
          i++;
          return { t: 'T_OBJ_BEGIN', idx };
        case '}':
          i++;
          return { t: 'T_OBJ_END', idx };
        case '[':
          i++;
          return { t: 'T_ARR_BEGIN', idx };
        case ']':
          i++;
          return { t: 'T_ARR_END', idx };
        case ':':
          i++;
          return { t: 'T_COLON', idx };
        case ',':
          i++;
          return { t: 'T_COMMA', idx };
        case '"':
          return str(idx);
      }
      if (s.startsWith('true', i)) {
        i += 4;
        return { t: 'T_BOOLEAN', v: true, idx };
      }
      if (s.startsWith('false', i)) {
        i += 5;
        return { t: 'T_BOOLEAN', v: false, idx };
      }
      if (s.startsWith('null', i)) {
        i += 4;
        return { t: 'T_NULL', idx };
      }
      const m = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(s.slice(i, i + 400));
      if (m && (c === '-' || (c >= '0' && c <= '9'))) {
        const txt = m[0];
        // leading zeros are invalid JSON ("invalid number" unless decode_invalid_numbers)
        if (/^-?0\d/.test(txt) && !cfg.decodeInvalid) return { t: 'T_ERROR', v: 'invalid number', idx };
        i += txt.length;
        return { t: 'T_NUMBER', v: Number(txt), idx };
      }
      if (cfg.decodeInvalid) {
        const m2 = /^[-+]?(?:inf|nan|infinity|0x[0-9a-fA-F]+)/i.exec(s.slice(i, i + 40));
        if (m2) {
          i += m2[0].length;
          const t = m2[0].toLowerCase().replace('+', '');
          const v = t.indexOf('nan') >= 0 ? NaN : t.indexOf('inf') >= 0 ? (t[0] === '-' ? -Infinity : Infinity) : parseInt(t, 16);
          return { t: 'T_NUMBER', v, idx };
        }
      }
      return { t: 'T_ERROR', v: 'invalid token', idx };
    };
    const str = (idx: number): Tok => {
      i++;
      let out = '';
      for (;;) {
        if (i >= n) return { t: 'T_ERROR', v: 'unexpected end of string', idx: i };
        const c = s.charCodeAt(i);
        if (c === 34) {
          i++;
          return { t: 'T_STRING', v: out, idx };
        }
        if (c === 92) {
          const e = s[i + 1];
          switch (e) {
            case '"':
            case '\\':
            case '/':
              out += e;
              i += 2;
              continue;
            case 'b':
              out += '\b';
              i += 2;
              continue;
            case 'f':
              out += '\f';
              i += 2;
              continue;
            case 'n':
              out += '\n';
              i += 2;
              continue;
            case 'r':
              out += '\r';
              i += 2;
              continue;
            case 't':
              out += '\t';
              i += 2;
              continue;
            case 'u': {
              const h = s.slice(i + 2, i + 6);
              if (!/^[0-9a-fA-F]{4}$/.test(h)) return { t: 'T_ERROR', v: 'invalid unicode escape code', idx: i };
              let cp = parseInt(h, 16);
              i += 6;
              if (cp >= 0xd800 && cp <= 0xdbff) {
                const h2 = s.slice(i + 2, i + 6);
                if (s[i] !== '\\' || s[i + 1] !== 'u' || !/^[0-9a-fA-F]{4}$/.test(h2)) return { t: 'T_ERROR', v: 'invalid unicode escape code', idx: i };
                const lo = parseInt(h2, 16);
                if (lo < 0xdc00 || lo > 0xdfff) return { t: 'T_ERROR', v: 'invalid unicode escape code', idx: i };
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                i += 6;
              } else if (cp >= 0xdc00 && cp <= 0xdfff) return { t: 'T_ERROR', v: 'invalid unicode escape code', idx: i };
              out += Buffer.from(String.fromCodePoint(cp), 'utf8').toString('latin1');
              continue;
            }
            default:
              return { t: 'T_ERROR', v: 'invalid escape code', idx: i };
          }
        }
        out += s[i++];
      }
    };
    let depth = 0;
    const value = (tok: Tok): LuaValue => {
      switch (tok.t) {
        case 'T_STRING':
        case 'T_NUMBER':
        case 'T_BOOLEAN':
          return tok.v;
        case 'T_NULL':
          return NULL;
        case 'T_OBJ_BEGIN': {
          if (++depth > cfg.decodeMaxDepth) R.error('Found too many nested data structures (' + depth + ') at character ' + (tok.idx + 1));
          const t = new LuaTable();
          let k = next();
          if (k.t === 'T_OBJ_END') {
            depth--;
            return t;
          }
          for (;;) {
            if (k.t !== 'T_STRING') perr('object key string', k);
            const c = next();
            if (c.t !== 'T_COLON') perr('colon', c);
            const v = value(next());
            t.set(k.v, v);
            const d = next();
            if (d.t === 'T_OBJ_END') break;
            if (d.t !== 'T_COMMA') perr('comma or object end', d);
            k = next();
          }
          depth--;
          return t;
        }
        case 'T_ARR_BEGIN': {
          if (++depth > cfg.decodeMaxDepth) R.error('Found too many nested data structures (' + depth + ') at character ' + (tok.idx + 1));
          const t = new LuaTable();
          let e = next();
          if (e.t === 'T_ARR_END') {
            depth--;
            return t;
          }
          for (let idx = 1; ; idx++) {
            t.set(idx, value(e));
            const d = next();
            if (d.t === 'T_ARR_END') break;
            if (d.t !== 'T_COMMA') perr('comma or array end', d);
            e = next();
          }
          depth--;
          return t;
        }
        default:
          return perr('value', tok);
      }
    };
    const v = value(next());
    const end = next();
    if (end.t !== 'T_END') perr('the end', end);
    return v;
  });
  J.set('null', NULL);
  J.set('_NAME', 'cjson');
  J.set('_VERSION', '2.1.0');
  const boolOpt = (v: LuaValue): boolean => v === true || v === 'on' || v === 1;
  J.set('encode_sparse_array', function (c: LuaValue, r: LuaValue, s: LuaValue): Ret {
    if (c !== undefined) cfg.sparseConvert = boolOpt(c);
    if (r !== undefined) cfg.sparseRatio = checkInt(R, r, 2, 3);
    if (s !== undefined) cfg.sparseSafe = checkInt(R, s, 3, 3);
    return [cfg.sparseConvert, cfg.sparseRatio, cfg.sparseSafe];
  });
  J.set('encode_max_depth', function (d: LuaValue): Ret {
    if (d !== undefined) cfg.encodeMaxDepth = checkInt(R, d, 1, 1);
    return cfg.encodeMaxDepth;
  });
  J.set('decode_max_depth', function (d: LuaValue): Ret {
    if (d !== undefined) cfg.decodeMaxDepth = checkInt(R, d, 1, 1);
    return cfg.decodeMaxDepth;
  });
  J.set('encode_number_precision', function (d: LuaValue): Ret {
    if (d !== undefined) {
      const p = checkInt(R, d, 1, 1);
      if (p < 1 || p > 14) argError(R, 1, 'expected integer between 1 and 14');
      cfg.precision = p;
    }
    return cfg.precision;
  });
  J.set('encode_keep_buffer', function (d: LuaValue): Ret {
    return d === undefined ? true : boolOpt(d);
  });
  J.set('encode_invalid_numbers', function (d: LuaValue): Ret {
    if (d !== undefined) cfg.encodeInvalid = boolOpt(d);
    return cfg.encodeInvalid;
  });
  J.set('decode_invalid_numbers', function (d: LuaValue): Ret {
    if (d !== undefined) cfg.decodeInvalid = boolOpt(d);
    return cfg.decodeInvalid;
  });
  G.set('cjson', J);
}

// ------------------------------------------------------------------------------ cmsgpack
function openCmsgpack(R: Runtime, G: LuaTable): void {
  const M = new LuaTable();
  const MAX_NESTING = 16;
  const dv = new DataView(new ArrayBuffer(8));
  const bytes = (k: number): string => {
    let s = '';
    for (let i = 0; i < k; i++) s += String.fromCharCode(dv.getUint8(i));
    return s;
  };
  const encInt = (n: number): string => {
    if (n >= 0) {
      if (n <= 127) return String.fromCharCode(n);
      if (n <= 0xff) return '\xcc' + String.fromCharCode(n);
      if (n <= 0xffff) {
        dv.setUint16(0, n);
        return '\xcd' + bytes(2);
      }
      if (n <= 0xffffffff) {
        dv.setUint32(0, n);
        return '\xce' + bytes(4);
      }
      dv.setBigUint64(0, BigInt(n));
      return '\xcf' + bytes(8);
    }
    if (n >= -32) return String.fromCharCode(0x100 + n);
    if (n >= -128) return '\xd0' + String.fromCharCode(0x100 + n);
    if (n >= -32768) {
      dv.setInt16(0, n);
      return '\xd1' + bytes(2);
    }
    if (n >= -2147483648) {
      dv.setInt32(0, n);
      return '\xd2' + bytes(4);
    }
    dv.setBigInt64(0, BigInt(n));
    return '\xd3' + bytes(8);
  };
  const encNum = (n: number): string => {
    if (n === Math.trunc(n) && n >= -9223372036854775808 && n < 9223372036854775808) return encInt(n);
    if (Math.fround(n) === n || n !== n) {
      if (n === n) {
        dv.setFloat32(0, n);
        return '\xca' + bytes(4);
      }
    }
    dv.setFloat64(0, n);
    return '\xcb' + bytes(8);
  };
  const encLen = (len: number, fix: number, fixMax: number, c16: string, c32: string): string => {
    if (len < fixMax) return String.fromCharCode(fix | len);
    if (len <= 0xffff) {
      dv.setUint16(0, len);
      return c16 + bytes(2);
    }
    dv.setUint32(0, len);
    return c32 + bytes(4);
  };
  const encStr = (s: string): string => {
    const len = s.length;
    if (len < 32) return String.fromCharCode(0xa0 | len) + s;
    if (len <= 0xff) return '\xd9' + String.fromCharCode(len) + s;
    if (len <= 0xffff) {
      dv.setUint16(0, len);
      return '\xda' + bytes(2) + s;
    }
    dv.setUint32(0, len);
    return '\xdb' + bytes(4) + s;
  };
  const isArray = (t: LuaTable): number => {
    let count = 0,
      max = 0;
    let k: LuaValue = undefined;
    for (;;) {
      k = t.next(k);
      if (k === undefined) break;
      if (typeof k !== 'number' || k !== Math.trunc(k) || k < 1) return -1;
      if (k > max) max = k;
      count++;
    }
    return max === count ? count : -1;
  };
  const enc = (v: LuaValue, level: number, out: string[]): void => {
    if (v instanceof LuaTable && level === MAX_NESTING) v = undefined;
    switch (typeof v) {
      case 'string':
        out.push(encStr(v));
        return;
      case 'boolean':
        out.push(v ? '\xc3' : '\xc2');
        return;
      case 'number':
        out.push(encNum(v));
        return;
    }
    if (v instanceof LuaTable) {
      const n = isArray(v);
      if (n >= 0) {
        out.push(encLen(n, 0x90, 16, '\xdc', '\xdd'));
        for (let i = 1; i <= n; i++) enc(v.get(i), level + 1, out);
      } else {
        let cnt = 0;
        let k: LuaValue = undefined;
        for (;;) {
          k = v.next(k);
          if (k === undefined) break;
          cnt++;
        }
        out.push(encLen(cnt, 0x80, 16, '\xde', '\xdf'));
        k = undefined;
        for (;;) {
          k = v.next(k);
          if (k === undefined) break;
          const val = v.nextValue;
          enc(k, level + 1, out);
          enc(val, level + 1, out);
        }
      }
      return;
    }
    out.push('\xc0');
  };
  M.set('pack', function pack(...a: LuaValue[]): Ret {
    if (a.length === 0) argError(R, 1, 'MessagePack pack needs input.');
    const out: string[] = [];
    for (const v of a) enc(v, 0, out);
    return out.join('');
  });
  // decoder
  class Dec {
    p = 0;
    constructor(public s: string) {}
    need(k: number): void {
      if (this.p + k > this.s.length) throw new LuaError('Missing bytes in input.');
    }
    u8(): number {
      this.need(1);
      return this.s.charCodeAt(this.p++);
    }
    view(k: number): DataView {
      this.need(k);
      for (let i = 0; i < k; i++) dv.setUint8(i, this.s.charCodeAt(this.p + i));
      this.p += k;
      return dv;
    }
    str(k: number): string {
      this.need(k);
      const r = this.s.substr(this.p, k);
      this.p += k;
      return r;
    }
    arr(n: number, depth: number): LuaTable {
      const t = new LuaTable();
      for (let i = 1; i <= n; i++) t.set(i, this.obj(depth));
      return t;
    }
    map(n: number, depth: number): LuaTable {
      const t = new LuaTable();
      for (let i = 0; i < n; i++) {
        const k = this.obj(depth);
        const v = this.obj(depth);
        if (k === undefined || k !== k) continue;
        t.set(k, v);
      }
      return t;
    }
    obj(depth: number): LuaValue {
      if (depth > 1000) throw new LuaError('Bad data format in input.');
      const c = this.u8();
      if (c <= 0x7f) return c;
      if (c >= 0xe0) return c - 256;
      if ((c & 0xe0) === 0xa0) return this.str(c & 0x1f);
      if ((c & 0xf0) === 0x90) return this.arr(c & 0x0f, depth + 1);
      if ((c & 0xf0) === 0x80) return this.map(c & 0x0f, depth + 1);
      switch (c) {
        case 0xc0:
          return undefined;
        case 0xc2:
          return false;
        case 0xc3:
          return true;
        case 0xcc:
          return this.u8();
        case 0xcd:
          return this.view(2).getUint16(0);
        case 0xce:
          return this.view(4).getUint32(0);
        case 0xcf:
          return Number(this.view(8).getBigUint64(0));
        case 0xd0:
          return this.view(1).getInt8(0);
        case 0xd1:
          return this.view(2).getInt16(0);
        case 0xd2:
          return this.view(4).getInt32(0);
        case 0xd3:
          return Number(this.view(8).getBigInt64(0));
        case 0xca:
          return this.view(4).getFloat32(0);
        case 0xcb:
          return this.view(8).getFloat64(0);
        case 0xc4:
        case 0xd9:
          return this.str(this.u8());
        case 0xc5:
        case 0xda:
          return this.str(this.view(2).getUint16(0));
        case 0xc6:
        case 0xdb:
          return this.str(this.view(4).getUint32(0));
        case 0xdc:
          return this.arr(this.view(2).getUint16(0), depth + 1);
        case 0xdd:
          return this.arr(this.view(4).getUint32(0), depth + 1);
        case 0xde:
          return this.map(this.view(2).getUint16(0), depth + 1);
        case 0xdf:
          return this.map(this.view(4).getUint32(0), depth + 1);
      }
      throw new LuaError('Bad data format in input.');
    }
  }
  const unpackN = (s: string, limit: number, offset: number, withOffset: boolean): Ret => {
    const d = new Dec(s);
    d.p = offset;
    const out: LuaValue[] = [];
    try {
      while (d.p < s.length && (limit <= 0 || out.length < limit)) {
        if (out.length > 8000) R.error('too many results to unpack');
        out.push(d.obj(0));
      }
    } catch (e) {
      if (e instanceof LuaError && typeof e.value === 'string' && !e.value.includes(':')) R.error(e.value);
      throw e;
    }
    if (!withOffset) return out;
    return [d.p >= s.length ? -1 : d.p, ...out];
  };
  M.set('unpack', function unpack(s: LuaValue): Ret {
    const str = checkString(R, s, 1, arguments.length);
    return unpackN(str, 0, 0, false);
  });
  M.set('unpack_one', function unpack_one(s: LuaValue, o: LuaValue): Ret {
    const n = arguments.length;
    const str = checkString(R, s, 1, n);
    const off = optInt(R, o, 2, n, 0);
    return unpackN(str, 1, off < 0 ? 0 : off, true);
  });
  M.set('unpack_limit', function unpack_limit(s: LuaValue, l: LuaValue, o: LuaValue): Ret {
    const n = arguments.length;
    const str = checkString(R, s, 1, n);
    const lim = checkInt(R, l, 2, n);
    const off = optInt(R, o, 3, n, 0);
    return unpackN(str, lim, off < 0 ? 0 : off, true);
  });
  M.set('_NAME', 'cmsgpack');
  M.set('_VERSION', 'lua-cmsgpack 0.4.0');
  G.set('cmsgpack', M);
}

export function openExtras(R: Runtime, G: LuaTable): void {
  openBit(R, G);
  openStruct(R, G);
  openCjson(R, G);
  openCmsgpack(R, G);
  void EMPTY;
  void typeError;
}

/*
 * The JSON data type (Redis 8's core JSON, RedisJSON 2.x): the value tree,
 * a strict JSON parser with serde_json's error texts, and the serialiser.
 *
 * Representation: strings (object keys and string values) are kept as
 * latin1 JS strings holding the UTF-8 bytes, exactly as arguments arrive, so
 * STRLEN counts bytes as RedisJSON does and replies need no re-encoding.
 * Integers are bigints (RedisJSON keeps i64/u64 apart from f64); floats are
 * JS numbers; objects are Maps (insertion order is kept).
 */

import type { RObject } from './value';

export type JObject = Map<string, JValue>;
export type JValue = null | boolean | string | bigint | number | JValue[] | JObject;

export const I64_MIN = -(2n ** 63n);
export const I64_MAX = 2n ** 63n - 1n;
const U64_MAX = 2n ** 64n - 1n;

/** Nesting limit of the parser (serde_json's recursion limit). */
const MAX_DEPTH = 128;

export function isObject(v: JValue): v is JObject {
  return v instanceof Map;
}

export function isArray(v: JValue): v is JValue[] {
  return Array.isArray(v);
}

/** RedisJSON's type name of a value (JSON.TYPE, error texts). */
export function jsonTypeName(v: JValue): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return 'boolean';
    case 'string':
      return 'string';
    case 'bigint':
      return 'integer';
    case 'number':
      return 'number';
    default:
      return Array.isArray(v) ? 'array' : 'object';
  }
}

// ----------------------------------------------------------------------------
// Parser
// ----------------------------------------------------------------------------

export class JsonParseError extends Error {}

/** True when the latin1 string `s` holds well-formed UTF-8. */
export function isValidUtf8(s: string): boolean {
  // Fast path: pure ASCII.
  // eslint-disable-next-line no-control-regex
  if (!/[\x80-\xff]/.test(s)) return true;
  const b = Buffer.from(s, 'latin1');
  return Buffer.from(b.toString('utf8'), 'utf8').equals(b);
}

/** UTF-8 bytes (as a latin1 string) of one code point. */
function utf8Of(cp: number): string {
  return Buffer.from(String.fromCodePoint(cp), 'utf8').toString('latin1');
}

class Parser {
  pos = 0;
  constructor(readonly s: string) {}

  /** serde_json's "<msg> at line L column C" with the column of the byte before `pos`. */
  fail(msg: string, at = this.pos): never {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at && i < this.s.length; i++) {
      if (this.s.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    throw new JsonParseError(`${msg} at line ${line} column ${Math.max(0, at - lineStart)}`);
  }

  ws(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.pos++;
      else break;
    }
  }

  parseTop(): JValue {
    this.ws();
    const v = this.value(0);
    this.ws();
    if (this.pos < this.s.length) this.fail('trailing characters', this.pos + 1);
    return v;
  }

  value(depth: number): JValue {
    const s = this.s;
    if (this.pos >= s.length) this.fail('EOF while parsing a value');
    const c = s[this.pos];
    switch (c) {
      case '{':
        return this.object(depth + 1);
      case '[':
        return this.array(depth + 1);
      case '"':
        this.pos++;
        return this.string();
      case 't':
        this.ident('true');
        return true;
      case 'f':
        this.ident('false');
        return false;
      case 'n':
        this.ident('null');
        return null;
      default:
        if (c === '-' || (c >= '0' && c <= '9')) return this.number();
        return this.fail('expected value', this.pos + 1);
    }
  }

  ident(word: string): void {
    const s = this.s;
    for (let i = 0; i < word.length; i++) {
      if (this.pos >= s.length) this.fail('EOF while parsing a value');
      if (s[this.pos] !== word[i]) this.fail(i === 0 ? 'expected value' : 'expected ident', this.pos + 1);
      this.pos++;
    }
  }

  number(): JValue {
    const s = this.s;
    const start = this.pos;
    if (s[this.pos] === '-') this.pos++;
    const digit = (): boolean => this.pos < s.length && s.charCodeAt(this.pos) >= 48 && s.charCodeAt(this.pos) <= 57;
    if (this.pos >= s.length) this.fail('EOF while parsing a value');
    if (!digit()) this.fail('invalid number', this.pos + 1);
    if (s[this.pos] === '0') {
      this.pos++;
      if (digit()) this.fail('invalid number', this.pos + 1);
    } else while (digit()) this.pos++;
    let isFloat = false;
    if (s[this.pos] === '.') {
      isFloat = true;
      this.pos++;
      if (this.pos >= s.length) this.fail('EOF while parsing a value');
      if (!digit()) this.fail('invalid number', this.pos + 1);
      while (digit()) this.pos++;
    }
    if (s[this.pos] === 'e' || s[this.pos] === 'E') {
      isFloat = true;
      this.pos++;
      if (s[this.pos] === '+' || s[this.pos] === '-') this.pos++;
      if (this.pos >= s.length) this.fail('EOF while parsing a value');
      if (!digit()) this.fail('invalid number', this.pos + 1);
      while (digit()) this.pos++;
    }
    const text = s.slice(start, this.pos);
    if (!isFloat) {
      const b = BigInt(text);
      if (b >= I64_MIN && b <= U64_MAX) return b;
    }
    const d = Number(text);
    if (!Number.isFinite(d)) this.fail('number out of range');
    return d;
  }

  /** A string body after the opening quote; returns its UTF-8 bytes as latin1. */
  string(): string {
    const s = this.s;
    let out = '';
    let runStart = this.pos;
    for (;;) {
      if (this.pos >= s.length) this.fail('EOF while parsing a string');
      const c = s.charCodeAt(this.pos);
      if (c === 34) {
        out += s.slice(runStart, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) this.fail('control character (\\u0000-\\u001F) found while parsing a string', this.pos + 1);
      if (c !== 92) {
        this.pos++;
        continue;
      }
      out += s.slice(runStart, this.pos);
      this.pos++;
      if (this.pos >= s.length) this.fail('EOF while parsing a string');
      const e = s[this.pos++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          let cp = this.hex4();
          if (cp >= 0xdc00 && cp <= 0xdfff) this.fail('lone leading surrogate in hex escape');
          if (cp >= 0xd800 && cp <= 0xdbff) {
            if (s[this.pos] !== '\\' || s[this.pos + 1] !== 'u') this.fail('unexpected end of hex escape', this.pos + 1);
            this.pos += 2;
            const lo = this.hex4();
            if (lo < 0xdc00 || lo > 0xdfff) this.fail('lone leading surrogate in hex escape');
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          }
          out += utf8Of(cp);
          break;
        }
        default:
          this.fail('invalid escape');
      }
      runStart = this.pos;
    }
  }

  hex4(): number {
    let n = 0;
    for (let i = 0; i < 4; i++) {
      if (this.pos >= this.s.length) this.fail('EOF while parsing a string');
      const h = parseInt(this.s[this.pos], 16);
      this.pos++;
      if (Number.isNaN(h)) this.fail('invalid escape');
      n = n * 16 + h;
    }
    return n;
  }

  array(depth: number): JValue[] {
    if (depth > MAX_DEPTH) this.fail('recursion limit exceeded', this.pos + 1);
    this.pos++;
    const out: JValue[] = [];
    this.ws();
    if (this.pos >= this.s.length) this.fail('EOF while parsing a list');
    if (this.s[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth));
      this.ws();
      if (this.pos >= this.s.length) this.fail('EOF while parsing a list');
      const c = this.s[this.pos++];
      if (c === ']') return out;
      if (c !== ',') this.fail('expected `,` or `]`');
      this.ws();
      if (this.s[this.pos] === ']') this.fail('trailing comma', this.pos + 1);
    }
  }

  object(depth: number): JObject {
    if (depth > MAX_DEPTH) this.fail('recursion limit exceeded', this.pos + 1);
    this.pos++;
    const out: JObject = new Map();
    this.ws();
    if (this.pos >= this.s.length) this.fail('EOF while parsing an object');
    if (this.s[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      if (this.pos >= this.s.length) this.fail('EOF while parsing an object');
      if (this.s[this.pos] !== '"') this.fail('key must be a string', this.pos + 1);
      this.pos++;
      const k = this.string();
      this.ws();
      if (this.pos >= this.s.length) this.fail('EOF while parsing an object');
      if (this.s[this.pos] !== ':') this.fail('expected `:`', this.pos + 1);
      this.pos++;
      this.ws();
      out.set(k, this.value(depth));
      this.ws();
      if (this.pos >= this.s.length) this.fail('EOF while parsing an object');
      const c = this.s[this.pos++];
      if (c === '}') return out;
      if (c !== ',') this.fail('expected `,` or `}`');
      this.ws();
      if (this.s[this.pos] === '}') this.fail('trailing comma', this.pos + 1);
    }
  }
}

/**
 * Parse JSON text given as UTF-8 bytes in a latin1 string. Throws
 * JsonParseError with serde_json's message ("expected value at line 1 column 1").
 */
export function parseJson(text: string): JValue {
  return new Parser(text).parseTop();
}

// ----------------------------------------------------------------------------
// Serialiser
// ----------------------------------------------------------------------------

/** A float as serde_json prints it (ryu's shortest form: "1.0", "0.1", "1e20", "1.5e-7"). */
export function formatJsonFloat(d: number): string {
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  if (!Number.isFinite(d)) return 'null';
  const neg = d < 0;
  const [mant, expStr] = Math.abs(d).toExponential().split('e');
  const digits = mant.replace('.', '');
  const len = digits.length;
  const kk = Number(expStr) + 1; // position of the decimal point after the digits' start
  const k = kk - len;
  let out: string;
  if (k >= 0 && kk <= 16) out = digits + '0'.repeat(k) + '.0';
  else if (kk > 0 && kk <= 16) out = digits.slice(0, kk) + '.' + digits.slice(kk);
  else if (kk > -5 && kk <= 0) out = '0.' + '0'.repeat(-kk) + digits;
  else if (len === 1) out = digits + 'e' + (kk - 1);
  else out = digits[0] + '.' + digits.slice(1) + 'e' + (kk - 1);
  return neg ? '-' + out : out;
}

/** A JSON string literal (bytes in, bytes out), escaped as serde_json does. */
export function quoteJson(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/["\\\x00-\x1f]/.test(s)) return '"' + s + '"';
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) out += '\\"';
    else if (c === 92) out += '\\\\';
    else if (c < 0x20) {
      if (c === 8) out += '\\b';
      else if (c === 12) out += '\\f';
      else if (c === 10) out += '\\n';
      else if (c === 13) out += '\\r';
      else if (c === 9) out += '\\t';
      else out += '\\u00' + c.toString(16).padStart(2, '0');
    } else out += s[i];
  }
  return out + '"';
}

export interface JsonFormat {
  indent: string;
  newline: string;
  space: string;
}

function scalarText(v: JValue): string | null {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'string':
      return quoteJson(v);
    case 'bigint':
      return v.toString();
    case 'number':
      return formatJsonFloat(v);
    default:
      return null;
  }
}

/** Compact serialisation ({"a":1,"b":[true,null]}). */
export function serializeJson(v: JValue): string {
  const parts: string[] = [];
  writeCompact(v, parts);
  return parts.join('');
}

function writeCompact(v: JValue, out: string[]): void {
  const sc = scalarText(v);
  if (sc !== null) {
    out.push(sc);
    return;
  }
  if (Array.isArray(v)) {
    out.push('[');
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out.push(',');
      writeCompact(v[i], out);
    }
    out.push(']');
    return;
  }
  out.push('{');
  let first = true;
  for (const [k, x] of v as JObject) {
    if (!first) out.push(',');
    first = false;
    out.push(quoteJson(k), ':');
    writeCompact(x, out);
  }
  out.push('}');
}

/** Serialisation with JSON.GET's INDENT / NEWLINE / SPACE strings. */
export function serializeJsonPretty(v: JValue, f: JsonFormat): string {
  if (f.indent === '' && f.newline === '' && f.space === '') return serializeJson(v);
  const out: string[] = [];
  writePretty(v, f, 0, out);
  return out.join('');
}

function writePretty(v: JValue, f: JsonFormat, depth: number, out: string[]): void {
  const sc = scalarText(v);
  if (sc !== null) {
    out.push(sc);
    return;
  }
  const isArr = Array.isArray(v);
  const n = isArr ? v.length : (v as JObject).size;
  if (n === 0) {
    out.push(isArr ? '[]' : '{}');
    return;
  }
  out.push(isArr ? '[' : '{');
  const inner = f.newline + f.indent.repeat(depth + 1);
  let first = true;
  const item = (x: JValue, k: string | null): void => {
    out.push(first ? inner : ',' + inner);
    first = false;
    if (k !== null) out.push(quoteJson(k), ':', f.space);
    writePretty(x, f, depth + 1, out);
  };
  if (isArr) for (const x of v) item(x, null);
  else for (const [k, x] of v as JObject) item(x, k);
  out.push(f.newline + f.indent.repeat(depth), isArr ? ']' : '}');
}

// ----------------------------------------------------------------------------
// Helpers over values
// ----------------------------------------------------------------------------

export function deepClone(v: JValue): JValue {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(deepClone);
  const m: JObject = new Map();
  for (const [k, x] of v) m.set(k, deepClone(x));
  return m;
}

/**
 * JSON equality. Numbers compare by value whatever their kind, unless
 * `strict` (JSON.ARRINDEX: an integer never equals a float, as RedisJSON).
 */
export function jsonEquals(a: JValue, b: JValue, strict = false): boolean {
  if (a === b) return true;
  const ta = typeof a;
  const tb = typeof b;
  if ((ta === 'bigint' || ta === 'number') && (tb === 'bigint' || tb === 'number')) {
    if (ta === tb) return a === b;
    if (strict) return false;
    return Number(a) === Number(b) && (ta === 'bigint' ? BigInt(Math.trunc(b as number)) === a : BigInt(Math.trunc(a as number)) === b);
  }
  if (a === null || b === null || ta !== 'object' || tb !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEquals(a[i], b[i], strict)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ma = a as JObject;
  const mb = b as JObject;
  if (ma.size !== mb.size) return false;
  for (const [k, x] of ma) {
    if (!mb.has(k)) return false;
    if (!jsonEquals(x, mb.get(k) as JValue, strict)) return false;
  }
  return true;
}

/**
 * Bytes used by a value (JSON.DEBUG MEMORY, MEMORY USAGE), by RedisJSON's
 * formula for its ijson values: 8 per value, plus 16 for floats and large
 * integers (4 for 24-bit ones, 0 for -128..383), the bytes of strings, and
 * 8 * (n + 2) for arrays or 8 * (3n + 2) plus member name bytes for objects
 * (capacity taken as the length).
 */
export function jsonMemory(v: JValue): number {
  let n = 8;
  if (typeof v === 'number') n += 16;
  else if (typeof v === 'bigint') n += v >= -128n && v <= 383n ? 0 : v > -8388608n && v <= 8388607n ? 4 : 16;
  else if (typeof v === 'string') n += v.length;
  else if (Array.isArray(v)) {
    if (v.length > 0) n += 8 * (v.length + 2);
    for (const x of v) n += jsonMemory(x);
  } else if (v instanceof Map) {
    if (v.size > 0) n += 8 * (v.size * 3 + 2);
    for (const [k, x] of v) n += k.length + jsonMemory(x);
  }
  return n;
}

/** Number of values in a tree (scalars count 1). */
export function jsonSize(v: JValue): number {
  if (v === null || typeof v !== 'object') return 1;
  let n = 1;
  if (Array.isArray(v)) for (const x of v) n += jsonSize(x);
  else for (const x of v.values()) n += jsonSize(x);
  return n;
}

// ----------------------------------------------------------------------------
// The keyspace object
// ----------------------------------------------------------------------------

/** TYPE of a JSON key, as Redis reports the RedisJSON module type. */
export const JSON_TYPE_NAME = 'ReJSON-RL';

export class JsonObject implements RObject {
  readonly type = JSON_TYPE_NAME;
  constructor(public root: JValue) {}

  encoding(): string {
    // Module values report OBJ_ENCODING_RAW.
    return 'raw';
  }

  clone(): JsonObject {
    return new JsonObject(deepClone(this.root));
  }

  size(): number {
    const r = this.root;
    if (Array.isArray(r)) return r.length;
    if (r instanceof Map) return r.size;
    return 1;
  }

  digest(): string {
    return serializeJson(this.root);
  }

  memoryUsage(): number {
    return jsonMemory(this.root);
  }
}

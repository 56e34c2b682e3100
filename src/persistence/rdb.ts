/*
 * RDB primitives: the format's constants, a writer that builds RDB bytes in a
 * growable buffer, and a reader over a Buffer that throws RdbError on
 * anything malformed.
 *
 * Layout of a file: "REDIS" + 4 ASCII digits of version, then opcodes
 * (AUX fields, FUNCTION2 libraries, SELECTDB, RESIZEDB, and key/value
 * records optionally preceded by EXPIRETIME_MS / IDLE / FREQ), then EOF and
 * an 8-byte little-endian CRC-64 of everything before it (zero when written
 * with rdbchecksum no).
 *
 * Lengths use a 1/2/5/9-byte encoding selected by the top two bits of the
 * first byte; the top-bits value 3 announces a "special" string encoding
 * (8/16/32-bit integer, or LZF-compressed data).
 */

import { lzfCompress, lzfDecompress } from './lzf';

/** The RDB version Nodis writes by default (Redis 7.2). */
export const RDB_VERSION = 11;
/** Highest version the reader accepts. */
export const RDB_MAX_READ_VERSION = 11;

// Value types (the byte before a key).
export const T = {
  STRING: 0,
  LIST: 1,
  SET: 2,
  ZSET: 3,
  HASH: 4,
  ZSET_2: 5,
  MODULE_PRE_GA: 6,
  MODULE_2: 7,
  HASH_ZIPMAP: 9,
  LIST_ZIPLIST: 10,
  SET_INTSET: 11,
  ZSET_ZIPLIST: 12,
  HASH_ZIPLIST: 13,
  LIST_QUICKLIST: 14,
  STREAM_LISTPACKS: 15,
  HASH_LISTPACK: 16,
  ZSET_LISTPACK: 17,
  LIST_QUICKLIST_2: 18,
  STREAM_LISTPACKS_2: 19,
  SET_LISTPACK: 20,
  STREAM_LISTPACKS_3: 21,
} as const;

// Opcodes.
export const OP = {
  FUNCTION_PRE_GA: 0xf5,
  FUNCTION2: 0xf6,
  FREQ: 0xf7,
  IDLE: 0xf8,
  MODULE_AUX: 0xf9,
  AUX: 0xfa,
  RESIZEDB: 0xfb,
  EXPIRETIME_MS: 0xfc,
  EXPIRETIME: 0xfd,
  SELECTDB: 0xfe,
  EOF: 0xff,
} as const;

// Special string encodings (low 6 bits after the 0b11 prefix).
const ENC_INT8 = 0;
const ENC_INT16 = 1;
const ENC_INT32 = 2;
const ENC_LZF = 3;

// Quicklist 2 node containers.
export const QUICKLIST_NODE_PLAIN = 1;
export const QUICKLIST_NODE_PACKED = 2;

// Module value opcodes (to skip module data).
const MODULE_OPCODE_EOF = 0;
const MODULE_OPCODE_SINT = 1;
const MODULE_OPCODE_UINT = 2;
const MODULE_OPCODE_FLOAT = 3;
const MODULE_OPCODE_DOUBLE = 4;
const MODULE_OPCODE_STRING = 5;

/** A malformed or truncated RDB (or DUMP payload). */
export class RdbError extends Error {
  /**
   * `plain`: report the message alone (a refusal such as an unsupported
   * version), rather than as an internal reading error; `reason`: the short
   * reason Redis appends to "Internal error in RDB reading" lines.
   */
  constructor(message: string, readonly plain = false, readonly reason?: string) {
    super(message);
  }
}

/** Strings longer than this are kept as Buffers (V8 string length limits). */
const MAX_JS_STRING = 256 * 1024 * 1024;

/** Is `s` a canonical integer text that fits in 32 bits (Redis's rdbTryIntegerEncoding)? */
function smallIntOf(s: string): number | null {
  const n = s.length;
  if (n === 0 || n > 11) return null;
  let i = 0;
  const c0 = s.charCodeAt(0);
  if (c0 === 45) {
    if (n === 1) return null;
    i = 1;
  }
  const f = s.charCodeAt(i);
  if (f === 48) return n === 1 ? 0 : null;
  if (f < 49 || f > 57) return null;
  for (let j = i + 1; j < n; j++) {
    const ch = s.charCodeAt(j);
    if (ch < 48 || ch > 57) return null;
  }
  const v = Number(s);
  if (v < -2147483648 || v > 2147483647) return null;
  return v;
}

// ----------------------------------------------------------------------------
// Writer
// ----------------------------------------------------------------------------

export class RdbWriter {
  buf: Buffer;
  pos = 0;
  /** Compress strings longer than 20 bytes with LZF (rdbcompression). */
  compress: boolean;

  constructor(compress = true, initial = 64 * 1024) {
    this.compress = compress;
    this.buf = Buffer.allocUnsafe(initial);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const nb = Buffer.allocUnsafe(size);
    this.buf.copy(nb, 0, 0, this.pos);
    this.buf = nb;
  }

  /** The bytes written so far (a copy), and reset. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    if (this.buf.length > 4 * 1024 * 1024) this.buf = Buffer.allocUnsafe(64 * 1024);
    return out;
  }

  /** The bytes written so far, without copying (valid until the next write). */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  u32le(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }

  /** A millisecond time: 8 bytes little-endian. */
  millis(ms: number): void {
    this.ensure(8);
    this.buf.writeBigInt64LE(BigInt(Math.trunc(ms)), this.pos);
    this.pos += 8;
  }

  /** A double as 8 bytes little-endian IEEE 754 (ZSET_2 scores). */
  binaryDouble(d: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(d, this.pos);
    this.pos += 8;
  }

  len(n: number): void {
    this.ensure(9);
    const b = this.buf;
    if (n < 64) b[this.pos++] = n;
    else if (n < 16384) {
      b[this.pos++] = 0x40 | (n >> 8);
      b[this.pos++] = n & 0xff;
    } else if (n <= 0xffffffff) {
      b[this.pos++] = 0x80;
      b.writeUInt32BE(n, this.pos);
      this.pos += 4;
    } else {
      b[this.pos++] = 0x81;
      b.writeBigUInt64BE(BigInt(n), this.pos);
      this.pos += 8;
    }
  }

  /** A length given as a bigint (64-bit stream ids). */
  lenBig(n: bigint): void {
    if (n <= 0xffffffffn) {
      this.len(Number(n));
      return;
    }
    this.ensure(9);
    this.buf[this.pos++] = 0x81;
    this.buf.writeBigUInt64BE(n, this.pos);
    this.pos += 8;
  }

  /** An integer written with the string integer encodings (or as text when too big). */
  intString(v: number): void {
    if (v >= -128 && v <= 127) {
      this.ensure(2);
      this.buf[this.pos++] = 0xc0 | ENC_INT8;
      this.buf.writeInt8(v, this.pos);
      this.pos += 1;
    } else if (v >= -32768 && v <= 32767) {
      this.ensure(3);
      this.buf[this.pos++] = 0xc0 | ENC_INT16;
      this.buf.writeInt16LE(v, this.pos);
      this.pos += 2;
    } else if (v >= -2147483648 && v <= 2147483647) {
      this.ensure(5);
      this.buf[this.pos++] = 0xc0 | ENC_INT32;
      this.buf.writeInt32LE(v, this.pos);
      this.pos += 4;
    } else this.rawString(String(v));
  }

  /** A string without integer or LZF encoding. */
  rawString(s: string | Uint8Array): void {
    const n = s.length;
    this.len(n);
    this.ensure(n);
    if (typeof s === 'string') this.buf.latin1Write(s, this.pos, n);
    else this.buf.set(s, this.pos);
    this.pos += n;
  }

  /** A string with the encodings Redis uses: small integers, LZF when it pays, else raw. */
  string(s: string | Uint8Array): void {
    const n = s.length;
    if (n <= 11) {
      const v = smallIntOf(typeof s === 'string' ? s : Buffer.from(s).latin1Slice(0, n));
      if (v !== null) {
        this.intString(v);
        return;
      }
    }
    if (this.compress && n > 20) {
      const src = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
      const c = lzfCompress(src, n - 4);
      if (c !== null) {
        this.ensure(1);
        this.buf[this.pos++] = 0xc0 | ENC_LZF;
        this.len(c.length);
        this.len(n);
        this.bytes(c);
        return;
      }
      this.len(n);
      this.bytes(src);
      return;
    }
    this.rawString(s);
  }

  /** An old-style double: 1-byte length then its text (253 NaN, 254 +inf, 255 -inf). */
  textDouble(d: number): void {
    if (Number.isNaN(d)) this.byte(253);
    else if (d === Infinity) this.byte(254);
    else if (d === -Infinity) this.byte(255);
    else {
      const s = formatG17(d);
      this.byte(s.length);
      this.bytes(Buffer.from(s, 'latin1'));
    }
  }
}

/** %.17g formatting. */
export function formatG17(d: number): string {
  if (Number.isInteger(d) && Math.abs(d) < 1e17) return String(d);
  let s = d.toPrecision(17);
  if (s.includes('e')) {
    let [m, e] = s.split('e');
    if (m.includes('.')) m = m.replace(/0+$/, '').replace(/\.$/, '');
    const ev = Number(e);
    e = (ev < 0 ? '-' : '+') + String(Math.abs(ev)).padStart(2, '0');
    return `${m}e${e}`;
  }
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

// ----------------------------------------------------------------------------
// Reader
// ----------------------------------------------------------------------------

export class RdbReader {
  pos = 0;

  constructor(readonly buf: Buffer, start = 0, readonly end = buf.length) {
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  need(n: number): void {
    if (this.pos + n > this.end) throw new RdbError('Unexpected EOF reading RDB file');
  }

  byte(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  u32le(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  millis(): number {
    this.need(8);
    const v = this.buf.readBigInt64LE(this.pos);
    this.pos += 8;
    return Number(v);
  }

  binaryDouble(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** A length, or an encoded-string marker: returns [value, isEncoded]. */
  lenOrEnc(): [number, boolean] {
    const b = this.byte();
    const type = b >> 6;
    if (type === 0) return [b & 0x3f, false];
    if (type === 1) return [((b & 0x3f) << 8) | this.byte(), false];
    if (type === 3) return [b & 0x3f, true];
    if (b === 0x80) {
      this.need(4);
      const v = this.buf.readUInt32BE(this.pos);
      this.pos += 4;
      return [v, false];
    }
    if (b === 0x81) {
      this.need(8);
      const v = this.buf.readBigUInt64BE(this.pos);
      this.pos += 8;
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RdbError('Length too large');
      return [Number(v), false];
    }
    throw new RdbError(`Unknown length encoding ${b >> 6} in rdbLoadLen()`);
  }

  len(): number {
    const [v, enc] = this.lenOrEnc();
    if (enc) throw new RdbError('Unexpected encoded length');
    return v;
  }

  /** A 64-bit length as a bigint (stream ids). */
  lenBig(): bigint {
    const b = this.buf[this.pos];
    if (b === 0x81) {
      this.pos++;
      this.need(8);
      const v = this.buf.readBigUInt64BE(this.pos);
      this.pos += 8;
      return v;
    }
    return BigInt(this.len());
  }

  /** A string as raw bytes (a view when not compressed). */
  stringBytes(): Buffer {
    const [v, enc] = this.lenOrEnc();
    if (!enc) return this.bytes(v);
    switch (v) {
      case ENC_INT8:
      case ENC_INT16:
      case ENC_INT32:
        return Buffer.from(String(this.encInt(v)), 'latin1');
      case ENC_LZF:
        return this.lzf();
      default:
        throw new RdbError(`Unknown RDB string encoding type ${v}`);
    }
  }

  private encInt(v: number): number {
    if (v === ENC_INT8) {
      this.need(1);
      return this.buf.readInt8(this.pos++);
    }
    if (v === ENC_INT16) {
      this.need(2);
      const r = this.buf.readInt16LE(this.pos);
      this.pos += 2;
      return r;
    }
    this.need(4);
    const r = this.buf.readInt32LE(this.pos);
    this.pos += 4;
    return r;
  }

  private lzf(): Buffer {
    const clen = this.len();
    const len = this.len();
    const src = this.bytes(clen);
    if (len === 0) throw new RdbError('Invalid LZF compressed string');
    const out = lzfDecompress(src, len);
    if (out === null) throw new RdbError('Invalid LZF compressed string');
    return out;
  }

  /** A string as a latin1 JS string (a Buffer when huge). */
  string(): string {
    const [v, enc] = this.lenOrEnc();
    if (!enc) {
      this.need(v);
      const s = this.buf.latin1Slice(this.pos, this.pos + v);
      this.pos += v;
      return s;
    }
    if (v === ENC_LZF) {
      const b = this.lzf();
      return b.latin1Slice(0, b.length);
    }
    if (v <= ENC_INT32) return String(this.encInt(v));
    throw new RdbError(`Unknown RDB string encoding type ${v}`);
  }

  /** A string value: latin1 string, or a Buffer beyond JS string limits. */
  stringValue(): string | Buffer {
    const save = this.pos;
    const [v, enc] = this.lenOrEnc();
    if (!enc && v > MAX_JS_STRING) return Buffer.from(this.bytes(v));
    this.pos = save;
    return this.string();
  }

  /** An old-style text double. */
  textDouble(): number {
    const n = this.byte();
    if (n === 253) return NaN;
    if (n === 254) return Infinity;
    if (n === 255) return -Infinity;
    const s = this.bytes(n).latin1Slice(0, n);
    const d = Number(s);
    if (Number.isNaN(d) && !/^\s*nan\s*$/i.test(s)) {
      if (/^[+-]?inf/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
      throw new RdbError('Invalid double value');
    }
    return d;
  }

  /** Skip a module value (a sequence of typed opcodes up to EOF). */
  skipModuleValue(): void {
    for (;;) {
      const op = this.len();
      if (op === MODULE_OPCODE_EOF) return;
      if (op === MODULE_OPCODE_SINT || op === MODULE_OPCODE_UINT) this.len();
      else if (op === MODULE_OPCODE_STRING) this.stringBytes();
      else if (op === MODULE_OPCODE_FLOAT) this.bytes(4);
      else if (op === MODULE_OPCODE_DOUBLE) this.bytes(8);
      else throw new RdbError('Unknown module opcode');
    }
  }
}

/** A module id (64-bit) → its 9-character name (for error messages). */
export function moduleTypeName(id: bigint): string {
  const charset = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let name = '';
  let x = id >> 10n;
  const chars: string[] = [];
  for (let i = 0; i < 9; i++) {
    chars.unshift(charset[Number(x & 63n)]);
    x >>= 6n;
  }
  name = chars.join('');
  return name;
}

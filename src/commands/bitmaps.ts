/*
 * Bitmap commands: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and
 * BITFIELD_RO.
 *
 * Bitmaps are string values. Bit 0 is the most significant bit of byte 0.
 * Writes turn the value into a Buffer (a "raw" string, as in Redis) and then
 * work on it in place; Buffers grown by writes keep spare room. Counting and
 * searching skip runs of all-zero / all-one bytes with native compares of
 * 4 KB blocks, and count the rest 32 bits at a time.
 */

import { constants as bufferConstants } from 'node:buffer';
import type { Client } from '../server/client';
import { command, type CommandDef } from './types';
import { E } from '../errors';
import { NOTIFY, keyChanged, lookupRead, lookupWrite, is } from './util';
import { isString, type StringValue, type Value } from '../types/value';
import { INT64_MIN, parseInt64, parseInt64Num } from '../util/numbers';

// ----------------------------------------------------------------------------
// Byte-level helpers
// ----------------------------------------------------------------------------

/** Block size for the skip-by-compare scans. */
const BLOCK = 4096;
const ZEROS = Buffer.alloc(BLOCK);
const ONES = Buffer.alloc(BLOCK, 0xff);

/** Bits set in each byte value. */
const POP8 = new Uint8Array(256);
for (let i = 1; i < 256; i++) POP8[i] = (i & 1) + POP8[i >> 1];

/** A read-only byte view of a string value. */
function bytesOf(v: StringValue): Buffer {
  return typeof v === 'string' ? Buffer.from(v, 'latin1') : v;
}

/** Set bits in the words w[from, to). */
function popcountWords(w: Int32Array, from: number, to: number): number {
  let n = 0;
  let k = from;
  // Four words at a time: 2-bit sums, 4-bit sums of two words, then byte sums of all four.
  for (const quads = to - ((to - from) & 3); k < quads; k += 4) {
    let a = w[k];
    let b = w[k + 1];
    let x = w[k + 2];
    let y = w[k + 3];
    a = (a - ((a >>> 1) & 0x55555555)) | 0;
    b = (b - ((b >>> 1) & 0x55555555)) | 0;
    x = (x - ((x >>> 1) & 0x55555555)) | 0;
    y = (y - ((y >>> 1) & 0x55555555)) | 0;
    a = ((a & 0x33333333) + ((a >>> 2) & 0x33333333) + (b & 0x33333333) + ((b >>> 2) & 0x33333333)) | 0;
    x = ((x & 0x33333333) + ((x >>> 2) & 0x33333333) + (y & 0x33333333) + ((y >>> 2) & 0x33333333)) | 0;
    a = ((a & 0x0f0f0f0f) + ((a >>> 4) & 0x0f0f0f0f) + (x & 0x0f0f0f0f) + ((x >>> 4) & 0x0f0f0f0f)) | 0;
    n += Math.imul(a, 0x01010101) >>> 24;
  }
  for (; k < to; k++) {
    let x = w[k];
    x = (x - ((x >>> 1) & 0x55555555)) | 0;
    x = ((x & 0x33333333) + ((x >>> 2) & 0x33333333)) | 0;
    x = ((x + (x >>> 4)) & 0x0f0f0f0f) | 0;
    n += Math.imul(x, 0x01010101) >>> 24;
  }
  return n;
}

/** Number of set bits in the bytes buf[from, to). */
function popcount(buf: Buffer, from: number, to: number): number {
  let n = 0;
  let i = from;
  if (to - from >= 64) {
    // Bytes up to a 4-aligned address, then whole words.
    while (((buf.byteOffset + i) & 3) !== 0) n += POP8[buf[i++]];
    const words = (to - i) >> 2;
    const w = new Int32Array(buf.buffer, buf.byteOffset + i, words);
    const blockWords = BLOCK >> 2;
    for (let k = 0; k < words; k += blockWords) {
      const end = Math.min(k + blockWords, words);
      const at = i + k * 4;
      // All-zero and all-one blocks are recognized by a native compare.
      if (end - k === blockWords) {
        if (buf.compare(ZEROS, 0, BLOCK, at, at + BLOCK) === 0) continue;
        if (buf.compare(ONES, 0, BLOCK, at, at + BLOCK) === 0) {
          n += BLOCK * 8;
          continue;
        }
      }
      n += popcountWords(w, k, end);
    }
    i += words * 4;
  }
  while (i < to) n += POP8[buf[i++]];
  return n;
}

/** Index of the first byte in buf[from, to) that is not `skip` (0x00 or 0xff), or `to`. */
function firstByteNot(buf: Buffer, from: number, to: number, skip: number): number {
  const pattern = skip === 0 ? ZEROS : ONES;
  let i = from;
  while (to - i >= BLOCK && buf.compare(pattern, 0, BLOCK, i, i + BLOCK) === 0) i += BLOCK;
  while (i < to && buf[i] === skip) i++;
  return i;
}

/**
 * Position of the first bit equal to `bit` among the bits [sbit, ebit] of
 * buf (which must cover them), or -1.
 */
function findBit(buf: Buffer, bit: number, sbit: number, ebit: number): number {
  const sb = Math.floor(sbit / 8);
  const eb = Math.floor(ebit / 8);
  const flip = bit === 1 ? 0 : 0xff;
  const headMask = 0xff >> (sbit - sb * 8);
  const tailMask = (0xff << (7 - (ebit - eb * 8))) & 0xff;
  // First (possibly partial) byte.
  let t = (buf[sb] ^ flip) & headMask;
  if (sb === eb) t &= tailMask;
  if (t !== 0) return sb * 8 + Math.clz32(t) - 24;
  if (sb === eb) return -1;
  // Whole bytes in between.
  const i = firstByteNot(buf, sb + 1, eb, flip);
  if (i < eb) return i * 8 + Math.clz32(buf[i] ^ flip) - 24;
  // Last (possibly partial) byte.
  t = (buf[eb] ^ flip) & tailMask;
  return t !== 0 ? eb * 8 + Math.clz32(t) - 24 : -1;
}

/** Number of set bits among the bits [sbit, ebit] of buf. */
function countBitRange(buf: Buffer, sbit: number, ebit: number): number {
  const sb = Math.floor(sbit / 8);
  const eb = Math.floor(ebit / 8);
  const headMask = 0xff >> (sbit - sb * 8);
  const tailMask = (0xff << (7 - (ebit - eb * 8))) & 0xff;
  if (sb === eb) return POP8[buf[sb] & headMask & tailMask];
  return POP8[buf[sb] & headMask] + popcount(buf, sb + 1, eb) + POP8[buf[eb] & tailMask];
}

// ----------------------------------------------------------------------------
// Argument parsing
// ----------------------------------------------------------------------------

/** An int64 argument: a number when exact, a BigInt beyond 2^53. Null after replying. */
function int64ArgOrReply(c: Client, s: string): number | bigint | null {
  const n = parseInt64Num(s);
  if (n === null) {
    c.w.error(E.NOT_INTEGER);
    return null;
  }
  if (Number.isSafeInteger(n)) return n;
  return parseInt64(s) as bigint;
}

/** Exact a > b for int64 arguments. */
function greater(a: number | bigint, b: number | bigint): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a > b;
  return BigInt(a) > BigInt(b);
}

/** An int64 argument as a number; magnitudes beyond 2^53 only need to stay beyond any length. */
function approx(a: number | bigint): number {
  return typeof a === 'number' ? a : Number(a);
}

let bulkLimitText = '';
let bulkLimit = 0;

/** proto-max-bulk-len in bytes (parsed again only when its text changes). */
function maxBulkLen(c: Client): number {
  const text = c.server.config.get('proto-max-bulk-len');
  if (text !== bulkLimitText) {
    bulkLimit = c.server.config.num('proto-max-bulk-len');
    bulkLimitText = text;
  }
  return bulkLimit;
}

/**
 * A bit offset (SETBIT/GETBIT/BITFIELD). With `bits` > 0 a "#N" offset means
 * N * bits. Limited to proto-max-bulk-len bytes. Null after replying.
 */
function bitOffsetOrReply(c: Client, s: string, bits: number): number | null {
  const hash = bits > 0 && s.length > 1 && s.charCodeAt(0) === 35;
  const digits = hash ? s.slice(1) : s;
  let off = parseInt64Num(digits);
  if (off !== null && hash) {
    const prod = off * bits;
    if (Number.isSafeInteger(prod)) off = prod;
    // The product is computed in 64-bit two's complement, as Redis does.
    else off = Number(BigInt.asIntN(64, (parseInt64(digits) as bigint) * BigInt(bits)));
  }
  if (off === null || off < 0 || Math.floor(off / 8) >= maxBulkLen(c)) {
    c.w.error(E.BIT_OFFSET);
    return null;
  }
  return off;
}

// ----------------------------------------------------------------------------
// Writable bitmaps
// ----------------------------------------------------------------------------

/** A zero-filled Buffer (small ones come from Node's shared pool, 8-byte aligned). */
function zeroed(n: number): Buffer {
  return n < 4096 ? Buffer.allocUnsafe(n).fill(0) : Buffer.alloc(n);
}

/** Backing store with spare room behind Buffers grown by SETBIT/BITFIELD (keyed by the visible Buffer). */
const spare = new WeakMap<Buffer, Buffer>();

/** `cur` extended with zero bytes to `need` bytes (in its spare room when there is some). */
function growBuffer(cur: Buffer, need: number): Buffer {
  const backing = spare.get(cur);
  if (backing !== undefined && backing.length >= need && backing.buffer === cur.buffer && backing.byteOffset === cur.byteOffset) {
    const grown = backing.subarray(0, need);
    grown.fill(0, cur.length);
    spare.set(grown, backing);
    return grown;
  }
  // Greedy growth as Redis's sds: double below 1 MB, then 1 MB more at a time.
  let cap = need < 1 << 20 ? need * 2 : need + (1 << 20);
  if (cap > bufferConstants.MAX_LENGTH) cap = need;
  const nb = zeroed(cap);
  cur.copy(nb, 0);
  const grown = nb.subarray(0, need);
  spare.set(grown, nb);
  return grown;
}

/** A bitmap opened for writing. */
interface Writable {
  /** At least the requested bytes; it becomes the key's value on `commit`. */
  buf: Buffer;
  /** The key was created or grew. */
  grew: boolean;
}

/**
 * Open key's string for writing as a Buffer zero-extended to `need` bytes
 * (a string value is converted, as Redis turns it into a raw string).
 * Replies WRONGTYPE (or a size error) and returns null when it cannot.
 */
function openForWrite(c: Client, v: Value | undefined, need: number): Writable | null {
  if (v !== undefined && !isString(v)) {
    c.w.error(E.WRONGTYPE);
    return null;
  }
  if (need > bufferConstants.MAX_LENGTH) {
    c.w.error(E.STRING_TOO_LONG);
    return null;
  }
  try {
    // A new key gets exactly the bytes it needs; existing ones grow greedily.
    if (v === undefined) return { buf: zeroed(need), grew: true };
    const cur = typeof v === 'string' ? Buffer.from(v, 'latin1') : v;
    if (need <= cur.length) return { buf: cur, grew: false };
    return { buf: growBuffer(cur, need), grew: true };
  } catch (e) {
    // ArrayBuffer allocation failed: refuse the command rather than stop the server.
    if (!(e instanceof RangeError)) throw e;
    c.w.error(E.OOM);
    return null;
  }
}

/** Make the opened Buffer the key's value (when it is not already). */
function commit(c: Client, key: string, v: Value | undefined, wb: Writable): void {
  if (wb.buf === v) return;
  if (v === undefined) c.db.set(key, wb.buf);
  else c.db.update(key, wb.buf);
}

// ----------------------------------------------------------------------------
// SETBIT / GETBIT
// ----------------------------------------------------------------------------

/* SETBIT key offset value */
function setbitCommand(c: Client, args: string[]): void {
  const key = args[1];
  const off = bitOffsetOrReply(c, args[2], 0);
  if (off === null) return;
  const a = args[3];
  let on: number;
  if (a === '0' || a === '1') on = a === '1' ? 1 : 0;
  else {
    const n = parseInt64Num(a);
    if (n === null || (n !== 0 && n !== 1)) {
      c.w.error(E.BIT_VALUE);
      return;
    }
    on = n;
  }
  const byte = Math.floor(off / 8);
  const mask = 0x80 >> (off - byte * 8);
  const v = lookupWrite(c, key);
  // Fast path: a Buffer that already covers the offset is changed in place.
  if (v !== undefined && typeof v !== 'string' && isString(v) && byte < v.length) {
    const old = v[byte] & mask ? 1 : 0;
    if (old !== on) {
      v[byte] ^= mask;
      keyChanged(c, c.db, key, NOTIFY.STRING, 'setbit');
    }
    c.w.int(old);
    return;
  }
  const wb = openForWrite(c, v, byte + 1);
  if (wb === null) return;
  const buf = wb.buf;
  const old = buf[byte] & mask ? 1 : 0;
  if (on) buf[byte] |= mask;
  else buf[byte] &= ~mask;
  commit(c, key, v, wb);
  if (wb.grew || old !== on) keyChanged(c, c.db, key, NOTIFY.STRING, 'setbit');
  c.w.int(old);
}

/* GETBIT key offset */
function getbitCommand(c: Client, args: string[]): void {
  const off = bitOffsetOrReply(c, args[2], 0);
  if (off === null) return;
  const v = lookupRead(c, args[1]);
  if (v === undefined) {
    c.w.int(0);
    return;
  }
  if (!isString(v)) {
    c.w.error(E.WRONGTYPE);
    return;
  }
  const byte = Math.floor(off / 8);
  if (byte >= v.length) {
    c.w.int(0);
    return;
  }
  const b = typeof v === 'string' ? v.charCodeAt(byte) : v[byte];
  c.w.int((b >> (7 - (off - byte * 8))) & 1);
}

// ----------------------------------------------------------------------------
// BITCOUNT / BITPOS
// ----------------------------------------------------------------------------

/** BYTE or BIT unit argument: true for BIT, false for BYTE, null after a syntax error. */
function unitOrReply(c: Client, s: string): boolean | null {
  if (is(s, 'bit')) return true;
  if (is(s, 'byte')) return false;
  c.w.error(E.SYNTAX);
  return null;
}

/** The key's string for BITCOUNT/BITPOS: undefined when missing, null after WRONGTYPE. */
function readStringOrReply(c: Client, key: string): StringValue | undefined | null {
  const v = lookupRead(c, key);
  if (v !== undefined && !isString(v)) {
    c.w.error(E.WRONGTYPE);
    return null;
  }
  return v;
}

/* BITCOUNT key [start end [BYTE | BIT]] */
function bitcountCommand(c: Client, args: string[]): void {
  const argc = args.length;
  if (argc === 2) {
    const v = readStringOrReply(c, args[1]);
    if (v === null) return;
    if (v === undefined || v.length === 0) {
      c.w.int(0);
      return;
    }
    c.w.int(typeof v === 'string' && v.length < 64 ? countString(v) : popcount(bytesOf(v), 0, v.length));
    return;
  }
  if (argc !== 4 && argc !== 5) {
    c.w.error(E.SYNTAX);
    return;
  }
  const s0 = int64ArgOrReply(c, args[2]);
  if (s0 === null) return;
  const e0 = int64ArgOrReply(c, args[3]);
  if (e0 === null) return;
  let isBit = false;
  if (argc === 5) {
    const u = unitOrReply(c, args[4]);
    if (u === null) return;
    isBit = u;
  }
  const v = readStringOrReply(c, args[1]);
  if (v === null) return;
  if (v === undefined) {
    c.w.int(0);
    return;
  }
  if (approx(s0) < 0 && approx(e0) < 0 && greater(s0, e0)) {
    c.w.int(0);
    return;
  }
  const total = isBit ? v.length * 8 : v.length;
  let start = approx(s0);
  let end = approx(e0);
  if (start < 0) start += total;
  if (end < 0) end += total;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  if (start > end) {
    c.w.int(0);
    return;
  }
  const buf = bytesOf(v);
  if (isBit) c.w.int(countBitRange(buf, start, end));
  else c.w.int(popcount(buf, start, end + 1));
}

function countString(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) n += POP8[s.charCodeAt(i)];
  return n;
}

/* BITPOS key bit [start [end [BYTE | BIT]]] */
function bitposCommand(c: Client, args: string[]): void {
  const argc = args.length;
  const b = parseInt64Num(args[2]);
  if (b === null) {
    c.w.error(E.NOT_INTEGER);
    return;
  }
  if (b !== 0 && b !== 1) {
    c.w.error('ERR The bit argument must be 1 or 0.');
    return;
  }
  if (argc > 6) {
    c.w.error(E.SYNTAX);
    return;
  }
  let s0: number | bigint = 0;
  let e0: number | bigint = -1;
  let endGiven = false;
  let isBit = false;
  if (argc >= 4) {
    const s = int64ArgOrReply(c, args[3]);
    if (s === null) return;
    s0 = s;
    if (argc === 6) {
      const u = unitOrReply(c, args[5]);
      if (u === null) return;
      isBit = u;
    }
    if (argc >= 5) {
      const e = int64ArgOrReply(c, args[4]);
      if (e === null) return;
      e0 = e;
      endGiven = true;
    }
  }
  const v = readStringOrReply(c, args[1]);
  if (v === null) return;
  if (v === undefined) {
    // A missing key is an endless run of zeros.
    c.w.int(b ? -1 : 0);
    return;
  }
  const total = isBit ? v.length * 8 : v.length;
  let start = approx(s0);
  let end = approx(e0);
  if (start < 0) start += total;
  if (end < 0) end += total;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  if (start > end) {
    c.w.int(-1);
    return;
  }
  const sbit = isBit ? start : start * 8;
  const ebit = isBit ? end : end * 8 + 7;
  const pos = findBit(bytesOf(v), b, sbit, ebit);
  if (pos >= 0) c.w.int(pos);
  // Without an explicit end, the string is seen as padded with zeros on the right.
  else if (b === 0 && !endGiven) c.w.int(ebit + 1);
  else c.w.int(-1);
}

// ----------------------------------------------------------------------------
// BITOP
// ----------------------------------------------------------------------------

const OP_AND = 0;
const OP_OR = 1;
const OP_XOR = 2;
const OP_NOT = 3;

/** A 4-aligned Int32Array over the whole words of `b` (copying `b` when it is not aligned). */
function wordsOf(b: Buffer): Int32Array {
  const words = b.length >> 2;
  if ((b.byteOffset & 3) === 0) return new Int32Array(b.buffer, b.byteOffset, words);
  const copy = new Int32Array(words);
  Buffer.from(copy.buffer).set(b.subarray(0, words << 2));
  return copy;
}

/* BITOP <AND | OR | XOR | NOT> destkey key [key ...] */
function bitopCommand(c: Client, args: string[]): void {
  const name = args[1];
  let op: number;
  if (is(name, 'and')) op = OP_AND;
  else if (is(name, 'or')) op = OP_OR;
  else if (is(name, 'xor')) op = OP_XOR;
  else if (is(name, 'not')) op = OP_NOT;
  else {
    c.w.error(E.SYNTAX);
    return;
  }
  if (op === OP_NOT && args.length !== 4) {
    c.w.error('ERR BITOP NOT must be called with a single source key.');
    return;
  }
  const srcs: Buffer[] = [];
  let maxlen = 0;
  let minlen = Infinity;
  for (let i = 3; i < args.length; i++) {
    const v = lookupRead(c, args[i]);
    if (v === undefined) {
      srcs.push(ZEROS.subarray(0, 0));
      minlen = 0;
      continue;
    }
    if (!isString(v)) {
      c.w.error(E.WRONGTYPE);
      return;
    }
    srcs.push(bytesOf(v));
    if (v.length > maxlen) maxlen = v.length;
    if (v.length < minlen) minlen = v.length;
  }
  const dest = args[2];
  const db = c.db;
  if (maxlen === 0) {
    if (db.delete(dest)) keyChanged(c, db, dest, NOTIFY.GENERIC, 'del');
    c.w.int(0);
    return;
  }
  let res: Buffer;
  try {
    res = zeroed(maxlen);
    // The word loops below write through an Int32Array view of `res`.
    if ((res.byteOffset & 3) !== 0) res = Buffer.alloc(maxlen);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    c.w.error(E.OOM);
    return;
  }
  if (op === OP_NOT) {
    const src = srcs[0];
    const rw = wordsOf(res);
    const sw = wordsOf(src);
    for (let k = 0; k < sw.length; k++) rw[k] = ~sw[k];
    for (let i = sw.length << 2; i < maxlen; i++) res[i] = ~src[i] & 0xff;
  } else if (op === OP_AND) {
    // Bytes past the shortest source are zero (already).
    if (minlen > 0) {
      srcs[0].copy(res, 0, 0, minlen);
      const rw = wordsOf(res.subarray(0, minlen));
      const nw = rw.length;
      for (let j = 1; j < srcs.length; j++) {
        const s = srcs[j];
        const sw = wordsOf(s.subarray(0, nw << 2));
        for (let k = 0; k < nw; k++) rw[k] &= sw[k];
        for (let i = nw << 2; i < minlen; i++) res[i] &= s[i];
      }
    }
  } else {
    srcs[0].copy(res, 0);
    const rw = wordsOf(res);
    for (let j = 1; j < srcs.length; j++) {
      const s = srcs[j];
      const sw = wordsOf(s);
      const nw = sw.length;
      if (op === OP_OR) {
        for (let k = 0; k < nw; k++) rw[k] |= sw[k];
        for (let i = nw << 2; i < s.length; i++) res[i] |= s[i];
      } else {
        for (let k = 0; k < nw; k++) rw[k] ^= sw[k];
        for (let i = nw << 2; i < s.length; i++) res[i] ^= s[i];
      }
    }
  }
  db.set(dest, res);
  keyChanged(c, db, dest, NOTIFY.STRING, 'set');
  c.w.int(maxlen);
}

// ----------------------------------------------------------------------------
// BITFIELD
// ----------------------------------------------------------------------------

const BF_GET = 0;
const BF_SET = 1;
const BF_INCRBY = 2;

const OW_WRAP = 0;
const OW_SAT = 1;
const OW_FAIL = 2;

interface FieldOp {
  op: number;
  signed: boolean;
  bits: number;
  offset: number;
  /** SET value or INCRBY increment. */
  value: number | bigint;
  overflow: number;
}

const BF_TYPE_ERR = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';

/** Parse i1..i64 / u1..u63 into [signed, bits]; null after replying. */
function fieldTypeOrReply(c: Client, s: string): [boolean, number] | null {
  const t = s.charCodeAt(0);
  if (t === 105 || t === 117) {
    // The width is read as a C string: it stops at a NUL byte.
    const nul = s.indexOf('\0');
    const n = parseInt64Num(nul < 0 ? s.slice(1) : s.slice(1, nul));
    const signed = t === 105;
    if (n !== null && n >= 1 && n <= (signed ? 64 : 63)) return [signed, n];
  }
  c.w.error(BF_TYPE_ERR);
  return null;
}

/** Read `bits` (<= 48) bits at bit `off` as an unsigned number; bytes past `len` read as zero. */
function readBits(buf: Buffer, len: number, off: number, bits: number): number {
  let v = 0;
  let pos = off;
  let left = bits;
  while (left > 0) {
    const idx = Math.floor(pos / 8);
    const avail = 8 - (pos - idx * 8);
    const take = avail < left ? avail : left;
    const byte = idx < len ? buf[idx] : 0;
    v = v * (1 << take) + ((byte >> (avail - take)) & ((1 << take) - 1));
    left -= take;
    pos += take;
  }
  return v;
}

/** Write the low `bits` (<= 48) bits of the non-negative number `v` at bit `off`. */
function writeBits(buf: Buffer, off: number, bits: number, v: number): void {
  let pos = off + bits;
  let left = bits;
  let rest = v;
  // From the least significant end backwards.
  while (left > 0) {
    const idx = Math.floor((pos - 1) / 8);
    const endInByte = pos - idx * 8; // 1..8: bits of this byte up to pos
    const take = endInByte < left ? endInByte : left;
    const shift = 8 - endInByte;
    const unit = 1 << take;
    const chunk = rest % unit;
    rest = Math.floor(rest / unit);
    const mask = ((unit - 1) << shift) & 0xff;
    buf[idx] = (buf[idx] & ~mask) | (chunk << shift);
    left -= take;
    pos -= take;
  }
}

/** Unsigned value of the field (a BigInt beyond 48 bits). */
function getUnsigned(buf: Buffer, len: number, off: number, bits: number): number | bigint {
  if (bits <= 48) return readBits(buf, len, off, bits);
  const hi = readBits(buf, len, off, bits - 32);
  const lo = readBits(buf, len, off + bits - 32, 32);
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Write `v` (in range for the field, signed or not) into the field as its two's complement pattern. */
function setField(buf: Buffer, off: number, bits: number, v: number | bigint): void {
  if (typeof v === 'number' && bits <= 48) {
    writeBits(buf, off, bits, v < 0 ? v + 2 ** bits : v);
    return;
  }
  const u = BigInt.asUintN(bits, BigInt(v));
  writeBits(buf, off, bits - 32, Number(u >> 32n));
  writeBits(buf, off + bits - 32, 32, Number(u & 0xffffffffn));
}

/** The field as the number type of its type (signed or unsigned). */
function getField(buf: Buffer, len: number, off: number, bits: number, signed: boolean): number | bigint {
  let u = getUnsigned(buf, len, off, bits);
  if (typeof u === 'bigint') u = norm(u);
  if (!signed) return u;
  if (typeof u === 'number' && bits <= 48) {
    const half = 2 ** (bits - 1);
    return u >= half ? u - half * 2 : u;
  }
  return norm(BigInt.asIntN(bits, BigInt(u)));
}

/**
 * Result of a SET/INCRBY on a field: the new value (in range) or null when
 * the overflow policy is FAIL and the value does not fit. `raw` is the exact
 * wanted value (old + increment, or the SET value).
 */
function applyOverflow(raw: number | bigint, bits: number, signed: boolean, ow: number): { v: number | bigint; over: boolean } | null {
  if (typeof raw === 'number' && bits <= 48) {
    const range = 2 ** bits;
    const min = signed ? -(range / 2) : 0;
    const max = min + range - 1;
    if (raw >= min && raw <= max) return { v: raw, over: false };
    if (ow === OW_FAIL) return null;
    if (ow === OW_SAT) return { v: raw > max ? max : min, over: true };
    let u = raw % range;
    if (u < 0) u += range;
    if (signed && u >= range / 2) u -= range;
    return { v: u, over: true };
  }
  const r = BigInt(raw);
  const b = BigInt(bits);
  const min = signed ? -(1n << (b - 1n)) : 0n;
  const max = signed ? (1n << (b - 1n)) - 1n : (1n << b) - 1n;
  if (r >= min && r <= max) return { v: norm(r), over: false };
  if (ow === OW_FAIL) return null;
  if (ow === OW_SAT) return { v: norm(r > max ? max : min), over: true };
  return { v: norm(signed ? BigInt.asIntN(bits, r) : BigInt.asUintN(bits, r)), over: true };
}

/** A BigInt back to a number when exact. */
function norm(v: bigint): number | bigint {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

/** old + incr, exact. */
function addExact(a: number | bigint, b: number | bigint): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') {
    const s = a + b;
    if (Number.isSafeInteger(s)) return s;
  }
  return BigInt(a) + BigInt(b);
}

/**
 * BITFIELD and BITFIELD_RO: every operation is parsed (and checked) before
 * the key is looked up; a write creates or zero-extends the string up to the
 * highest bit written.
 */
function bitfieldGeneric(c: Client, args: string[], readonlyCmd: boolean): void {
  const ops: FieldOp[] = [];
  let overflow = OW_WRAP;
  let readonly = true;
  let highest = 0;
  for (let j = 2; j < args.length; j++) {
    const rem = args.length - j - 1;
    const sub = args[j];
    let op: number;
    if (is(sub, 'get') && rem >= 2) op = BF_GET;
    else if (is(sub, 'set') && rem >= 3) op = BF_SET;
    else if (is(sub, 'incrby') && rem >= 3) op = BF_INCRBY;
    else if (is(sub, 'overflow') && rem >= 1) {
      const t = args[++j];
      if (is(t, 'wrap')) overflow = OW_WRAP;
      else if (is(t, 'sat')) overflow = OW_SAT;
      else if (is(t, 'fail')) overflow = OW_FAIL;
      else {
        c.w.error('ERR Invalid OVERFLOW type specified');
        return;
      }
      continue;
    } else {
      c.w.error(E.SYNTAX);
      return;
    }
    const type = fieldTypeOrReply(c, args[j + 1]);
    if (type === null) return;
    const [signed, bits] = type;
    const offset = bitOffsetOrReply(c, args[j + 2], bits);
    if (offset === null) return;
    let value: number | bigint = 0;
    if (op !== BF_GET) {
      readonly = false;
      if (offset + bits - 1 > highest) highest = offset + bits - 1;
      const n = int64ArgOrReply(c, args[j + 3]);
      if (n === null) return;
      value = n;
    }
    ops.push({ op, signed, bits, offset, value, overflow });
    j += op === BF_GET ? 2 : 3;
  }

  const key = args[1];
  let src: Buffer | null = null;
  let len = 0;
  let wb: Writable | null = null;
  let v: Value | undefined;
  if (readonly) {
    v = lookupRead(c, key);
    if (v !== undefined) {
      if (!isString(v)) {
        c.w.error(E.WRONGTYPE);
        return;
      }
      src = bytesOf(v);
      len = v.length;
    }
  } else {
    if (readonlyCmd) {
      c.w.error('ERR BITFIELD_RO only supports the GET subcommand');
      return;
    }
    v = lookupWrite(c, key);
    wb = openForWrite(c, v, Math.floor(highest / 8) + 1);
    if (wb === null) return;
    src = wb.buf;
    len = src.length;
  }

  c.w.arrayHeader(ops.length);
  let changes = 0;
  for (const o of ops) {
    if (o.op === BF_GET) {
      c.w.int(src === null ? 0 : getField(src, len, o.offset, o.bits, o.signed));
      continue;
    }
    const buf = (wb as Writable).buf;
    const old = getField(buf, len, o.offset, o.bits, o.signed);
    let raw: number | bigint;
    if (o.op === BF_INCRBY) raw = addExact(old, o.value);
    // An unsigned SET takes the value's 64-bit pattern, so negative values overflow high.
    else raw = !o.signed && approx(o.value) < 0 ? BigInt.asUintN(64, BigInt(o.value)) : o.value;
    let res = applyOverflow(raw, o.bits, o.signed, o.overflow);
    // Redis's signed check computes max - value in 64 bits: for a SET value within
    // max of INT64_MIN that wraps, and SAT saturates to the maximum, not the minimum.
    if (res !== null && o.op === BF_SET && o.signed && o.overflow === OW_SAT && o.bits < 64 && typeof raw === 'bigint' && raw <= INT64_MIN + (1n << BigInt(o.bits - 1)) - 1n) {
      res = { v: norm((1n << BigInt(o.bits - 1)) - 1n), over: true };
    }
    if (res === null) {
      c.w.nullBulk();
      continue;
    }
    const nv = res.v;
    c.w.int(o.op === BF_INCRBY ? nv : old);
    setField(buf, o.offset, o.bits, nv);
    if ((wb as Writable).grew || old !== nv) changes++;
  }
  if (wb !== null) {
    // Created or grown keys are stored even when no field changed.
    commit(c, key, v, wb);
    if (changes > 0) {
      keyChanged(c, c.db, key, NOTIFY.STRING, 'setbit');
      c.server.dirty += changes - 1;
    }
  }
}

/* BITFIELD key [GET encoding offset | [OVERFLOW <WRAP | SAT | FAIL>] <SET encoding offset value | INCRBY encoding offset increment> ...] */
function bitfieldCommand(c: Client, args: string[]): void {
  bitfieldGeneric(c, args, false);
}

/* BITFIELD_RO key [GET encoding offset [GET encoding offset ...]] */
function bitfieldRoCommand(c: Client, args: string[]): void {
  bitfieldGeneric(c, args, true);
}

export const commands: CommandDef[] = [
  command('setbit', 4, 'write denyoom', [1, 1, 1], 'bitmap', setbitCommand, { since: '2.2.0' }),
  command('getbit', 3, 'readonly fast', [1, 1, 1], 'bitmap', getbitCommand, { since: '2.2.0' }),
  command('bitcount', -2, 'readonly', [1, 1, 1], 'bitmap', bitcountCommand, { since: '2.6.0' }),
  command('bitpos', -3, 'readonly', [1, 1, 1], 'bitmap', bitposCommand, { since: '2.8.7' }),
  command('bitop', -4, 'write denyoom', [2, -1, 1], 'bitmap', bitopCommand, { since: '2.6.0' }),
  command('bitfield', -2, 'write denyoom', [1, 1, 1], 'bitmap', bitfieldCommand, { since: '3.2.0' }),
  command('bitfield_ro', -2, 'readonly fast', [1, 1, 1], 'bitmap', bitfieldRoCommand, { since: '6.0.0' }),
];

/*
 * The compact blob encodings found inside RDB strings: listpack (read and
 * write), ziplist, intset (read and write) and zipmap (read). Elements come
 * out as latin1 JS strings; integer entries become their decimal text.
 *
 * listpack:  u32 total bytes, u16 count (65535 = unknown), entries, 0xFF.
 *            entry = encoding [+ data] + backlen (size of encoding+data in a
 *            1..5 byte big-endian base-128 form, continuation bit on all
 *            but the first byte).
 * ziplist:   u32 total bytes, u32 tail offset, u16 count, entries, 0xFF.
 *            entry = prevlen (1 byte, or 0xFE + u32) + encoding [+ data].
 * intset:    u32 element width (2/4/8), u32 count, sorted LE integers.
 * zipmap:    u8 count, then (len key len free value [free bytes])*, 0xFF.
 */

import { RdbError } from './rdb';

function corrupt(what: string): never {
  throw new RdbError(`${what} integrity check failed.`);
}

// ----------------------------------------------------------------------------
// listpack
// ----------------------------------------------------------------------------

/** Entries of a listpack as strings. */
export function lpParse(b: Buffer): string[] {
  if (b.length < 7) corrupt('Listpack');
  const total = b.readUInt32LE(0);
  if (total !== b.length) corrupt('Listpack');
  const declared = b.readUInt16LE(4);
  const out: string[] = [];
  let p = 6;
  const end = b.length - 1;
  while (p < end) {
    const e = b[p];
    let hdr: number;
    let dataLen: number;
    let str = false;
    let v = 0;
    if ((e & 0x80) === 0) {
      hdr = 1;
      dataLen = 0;
      v = e & 0x7f;
    } else if ((e & 0xc0) === 0x80) {
      hdr = 1;
      dataLen = e & 0x3f;
      str = true;
    } else if ((e & 0xe0) === 0xc0) {
      hdr = 2;
      dataLen = 0;
      if (p + 1 >= end) corrupt('Listpack');
      v = ((e & 0x1f) << 8) | b[p + 1];
      if (v >= 4096) v -= 8192;
    } else if ((e & 0xf0) === 0xe0) {
      hdr = 2;
      if (p + 1 >= end) corrupt('Listpack');
      dataLen = ((e & 0x0f) << 8) | b[p + 1];
      str = true;
    } else if (e === 0xf0) {
      hdr = 5;
      if (p + 4 >= end) corrupt('Listpack');
      dataLen = b.readUInt32LE(p + 1);
      str = true;
    } else if (e === 0xf1) {
      hdr = 1;
      dataLen = 2;
    } else if (e === 0xf2) {
      hdr = 1;
      dataLen = 3;
    } else if (e === 0xf3) {
      hdr = 1;
      dataLen = 4;
    } else if (e === 0xf4) {
      hdr = 1;
      dataLen = 8;
    } else corrupt('Listpack');
    const entryLen = hdr + dataLen;
    const backLen = entryLen < 128 ? 1 : entryLen < 16384 ? 2 : entryLen < 2097152 ? 3 : entryLen < 268435456 ? 4 : 5;
    if (p + entryLen + backLen > end) corrupt('Listpack');
    const d = p + hdr;
    if (str) out.push(b.latin1Slice(d, d + dataLen));
    else if (e === 0xf1) out.push(String(b.readInt16LE(d)));
    else if (e === 0xf2) out.push(String(b.readIntLE(d, 3)));
    else if (e === 0xf3) out.push(String(b.readInt32LE(d)));
    else if (e === 0xf4) out.push(b.readBigInt64LE(d).toString());
    else out.push(String(v));
    p += entryLen + backLen;
  }
  if (p !== end || b[end] !== 0xff) corrupt('Listpack');
  if (declared !== 65535 && declared !== out.length) corrupt('Listpack');
  return out;
}

/** The int64 value of a canonical integer text, or null. */
function int64Of(s: string): bigint | number | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
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
  if (n - i < 16) return Number(s);
  const b = BigInt(s);
  if (b > 9223372036854775807n || b < -9223372036854775808n) return null;
  return b;
}

function backlenBytes(l: number, out: number[]): void {
  if (l <= 127) out.push(l);
  else if (l < 16383) out.push(l >> 7, (l & 127) | 128);
  else if (l < 2097151) out.push(l >> 14, ((l >> 7) & 127) | 128, (l & 127) | 128);
  else if (l < 268435455) out.push(l >> 21, ((l >> 14) & 127) | 128, ((l >> 7) & 127) | 128, (l & 127) | 128);
  else out.push(Math.floor(l / 2 ** 28), ((l >> 21) & 127) | 128, ((l >> 14) & 127) | 128, ((l >> 7) & 127) | 128, (l & 127) | 128);
}

/** Build a listpack of `items` (integer-looking strings are stored as integers, as Redis does). */
export function lpBuild(items: Iterable<string>): Buffer {
  const parts: Buffer[] = [];
  let total = 7;
  let count = 0;
  const small: number[] = [];
  const flushSmall = () => {
    if (small.length) {
      const b = Buffer.from(small);
      parts.push(b);
      total += b.length;
      small.length = 0;
    }
  };
  for (const s of items) {
    count++;
    const iv = int64Of(s);
    if (iv !== null) {
      const v = iv;
      if (typeof v === 'number' && v >= 0 && v <= 127) {
        small.push(v, 1);
        continue;
      }
      if (typeof v === 'number' && v >= -4096 && v <= 4095) {
        const u = v < 0 ? v + 8192 : v;
        small.push(0xc0 | (u >> 8), u & 0xff, 2);
        continue;
      }
      let enc: Buffer;
      if (typeof v === 'number' && v >= -32768 && v <= 32767) {
        enc = Buffer.allocUnsafe(4);
        enc[0] = 0xf1;
        enc.writeInt16LE(v, 1);
        enc[3] = 3;
      } else if (typeof v === 'number' && v >= -8388608 && v <= 8388607) {
        enc = Buffer.allocUnsafe(5);
        enc[0] = 0xf2;
        enc.writeIntLE(v, 1, 3);
        enc[4] = 4;
      } else if (typeof v === 'number' && v >= -2147483648 && v <= 2147483647) {
        enc = Buffer.allocUnsafe(6);
        enc[0] = 0xf3;
        enc.writeInt32LE(v, 1);
        enc[5] = 5;
      } else {
        enc = Buffer.allocUnsafe(10);
        enc[0] = 0xf4;
        enc.writeBigInt64LE(BigInt(v), 1);
        enc[9] = 9;
      }
      flushSmall();
      parts.push(enc);
      total += enc.length;
      continue;
    }
    const n = s.length;
    flushSmall();
    let hdr: Buffer;
    if (n < 64) hdr = Buffer.from([0x80 | n]);
    else if (n < 4096) hdr = Buffer.from([0xe0 | (n >> 8), n & 0xff]);
    else {
      hdr = Buffer.allocUnsafe(5);
      hdr[0] = 0xf0;
      hdr.writeUInt32LE(n, 1);
    }
    const bl: number[] = [];
    backlenBytes(hdr.length + n, bl);
    const e = Buffer.allocUnsafe(hdr.length + n + bl.length);
    hdr.copy(e, 0);
    e.latin1Write(s, hdr.length, n);
    for (let i = 0; i < bl.length; i++) e[hdr.length + n + i] = bl[i];
    parts.push(e);
    total += e.length;
  }
  flushSmall();
  const head = Buffer.allocUnsafe(6);
  head.writeUInt32LE(total, 0);
  head.writeUInt16LE(count < 65535 ? count : 65535, 4);
  return Buffer.concat([head, ...parts, Buffer.from([0xff])], total);
}

// ----------------------------------------------------------------------------
// ziplist
// ----------------------------------------------------------------------------

export function zlParse(b: Buffer): string[] {
  if (b.length < 11) corrupt('Ziplist');
  const total = b.readUInt32LE(0);
  if (total !== b.length) corrupt('Ziplist');
  const declared = b.readUInt16LE(8);
  const out: string[] = [];
  let p = 10;
  const end = b.length - 1;
  while (p < end) {
    // prevlen
    if (b[p] === 0xfe) p += 5;
    else p += 1;
    if (p >= end) corrupt('Ziplist');
    const e = b[p];
    const t = e >> 6;
    if (t === 0) {
      const n = e & 0x3f;
      if (p + 1 + n > end) corrupt('Ziplist');
      out.push(b.latin1Slice(p + 1, p + 1 + n));
      p += 1 + n;
    } else if (t === 1) {
      if (p + 1 >= end) corrupt('Ziplist');
      const n = ((e & 0x3f) << 8) | b[p + 1];
      if (p + 2 + n > end) corrupt('Ziplist');
      out.push(b.latin1Slice(p + 2, p + 2 + n));
      p += 2 + n;
    } else if (e === 0x80) {
      if (p + 4 >= end) corrupt('Ziplist');
      const n = b.readUInt32BE(p + 1);
      if (p + 5 + n > end) corrupt('Ziplist');
      out.push(b.latin1Slice(p + 5, p + 5 + n));
      p += 5 + n;
    } else if (e === 0xc0) {
      out.push(String(b.readInt16LE(p + 1)));
      p += 3;
    } else if (e === 0xd0) {
      out.push(String(b.readInt32LE(p + 1)));
      p += 5;
    } else if (e === 0xe0) {
      out.push(b.readBigInt64LE(p + 1).toString());
      p += 9;
    } else if (e === 0xf0) {
      out.push(String(b.readIntLE(p + 1, 3)));
      p += 4;
    } else if (e === 0xfe) {
      out.push(String(b.readInt8(p + 1)));
      p += 2;
    } else if (e >= 0xf1 && e <= 0xfd) {
      out.push(String((e & 0x0f) - 1));
      p += 1;
    } else corrupt('Ziplist');
    if (p > end) corrupt('Ziplist');
  }
  if (p !== end || b[end] !== 0xff) corrupt('Ziplist');
  if (declared !== 65535 && declared !== out.length) corrupt('Ziplist');
  return out;
}

// ----------------------------------------------------------------------------
// intset
// ----------------------------------------------------------------------------

export function intsetParse(b: Buffer): string[] {
  if (b.length < 8) corrupt('Intset');
  const width = b.readUInt32LE(0);
  const n = b.readUInt32LE(4);
  if ((width !== 2 && width !== 4 && width !== 8) || 8 + width * n !== b.length) corrupt('Intset');
  const out: string[] = new Array(n);
  let prev: bigint | number | null = null;
  for (let i = 0; i < n; i++) {
    const p = 8 + i * width;
    const v: bigint | number = width === 2 ? b.readInt16LE(p) : width === 4 ? b.readInt32LE(p) : b.readBigInt64LE(p);
    if (prev !== null && !(v > prev)) corrupt('Intset');
    prev = v;
    out[i] = String(v);
  }
  return out;
}

/** An intset of canonical integer texts (sorted here). */
export function intsetBuild(items: Iterable<string>): Buffer {
  const vals: bigint[] = [];
  for (const s of items) vals.push(BigInt(s));
  vals.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let width = 2;
  for (const v of vals) {
    if (v < -2147483648n || v > 2147483647n) {
      width = 8;
      break;
    }
    if (v < -32768n || v > 32767n) width = 4;
  }
  const b = Buffer.allocUnsafe(8 + width * vals.length);
  b.writeUInt32LE(width, 0);
  b.writeUInt32LE(vals.length, 4);
  for (let i = 0; i < vals.length; i++) {
    const p = 8 + i * width;
    if (width === 2) b.writeInt16LE(Number(vals[i]), p);
    else if (width === 4) b.writeInt32LE(Number(vals[i]), p);
    else b.writeBigInt64LE(vals[i], p);
  }
  return b;
}

// ----------------------------------------------------------------------------
// zipmap (hashes written by Redis < 2.6)
// ----------------------------------------------------------------------------

export function zipmapParse(b: Buffer): string[] {
  const out: string[] = [];
  let p = 1;
  const readLen = (): number => {
    if (p >= b.length) corrupt('Zipmap');
    const x = b[p];
    if (x < 254) {
      p += 1;
      return x;
    }
    if (x === 254) {
      if (p + 5 > b.length) corrupt('Zipmap');
      const v = b.readUInt32LE(p + 1);
      p += 5;
      return v;
    }
    return -1;
  };
  for (;;) {
    if (p >= b.length) corrupt('Zipmap');
    if (b[p] === 0xff) break;
    const kl = readLen();
    if (kl < 0 || p + kl > b.length) corrupt('Zipmap');
    const k = b.latin1Slice(p, p + kl);
    p += kl;
    const vl = readLen();
    if (vl < 0 || p + 1 + vl > b.length) corrupt('Zipmap');
    const free = b[p++];
    const v = b.latin1Slice(p, p + vl);
    p += vl + free;
    out.push(k, v);
  }
  if (p !== b.length - 1) corrupt('Zipmap');
  return out;
}

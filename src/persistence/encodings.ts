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

/** The size in bytes of the backlen of an entry of `l` bytes. */
function backlenSize(l: number): number {
  return l < 128 ? 1 : l < 16384 ? 2 : l < 2097152 ? 3 : l < 268435456 ? 4 : 5;
}

/** Does the backlen of `l` bytes stored at `p` decode (reading backwards) to `l`? */
function backlenOk(b: Buffer, p: number, size: number, l: number): boolean {
  let v = 0;
  let shift = 1;
  for (let i = p + size - 1; i >= p; i--) {
    const x = b[i];
    const last = i === p;
    // Every byte but the first one written (the last one read) has the continuation bit.
    if (last === ((x & 0x80) !== 0)) return false;
    v += (x & 0x7f) * shift;
    shift *= 128;
  }
  return v === l;
}

/**
 * The header and data sizes of the listpack entry at `p` (`end` is the
 * offset of the terminator), or null when the entry is malformed or
 * reaches past the end.
 */
function lpEntryAt(b: Buffer, p: number, end: number): { hdr: number; data: number } | null {
  const e = b[p];
  let hdr: number;
  let data: number;
  if ((e & 0x80) === 0) {
    hdr = 1;
    data = 0;
  } else if ((e & 0xc0) === 0x80) {
    hdr = 1;
    data = e & 0x3f;
  } else if ((e & 0xe0) === 0xc0) {
    hdr = 2;
    data = 0;
  } else if ((e & 0xf0) === 0xe0) {
    hdr = 2;
    if (p + 1 >= end) return null;
    data = ((e & 0x0f) << 8) | b[p + 1];
  } else if (e === 0xf0) {
    hdr = 5;
    if (p + 4 >= end) return null;
    data = b.readUInt32LE(p + 1);
  } else if (e === 0xf1) {
    hdr = 1;
    data = 2;
  } else if (e === 0xf2) {
    hdr = 1;
    data = 3;
  } else if (e === 0xf3) {
    hdr = 1;
    data = 4;
  } else if (e === 0xf4) {
    hdr = 1;
    data = 8;
  } else return null;
  const l = hdr + data;
  const bl = backlenSize(l);
  if (p + l + bl > end) return null;
  if (!backlenOk(b, p + l, bl, l)) return null;
  return { hdr, data };
}

/**
 * The checks Redis makes on a listpack without deep sanitization: the
 * header's total size is the blob's size and the blob ends with the
 * terminator.
 */
export function lpShallowOk(b: Buffer): boolean {
  return b.length >= 7 && b.readUInt32LE(0) === b.length && b[b.length - 1] === 0xff;
}

/** Is the first entry of a (shallow-valid) listpack well formed (or is the listpack empty)? */
export function lpFirstEntryOk(b: Buffer): boolean {
  if (b[6] === 0xff) return true;
  return lpEntryAt(b, 6, b.length - 1) !== null;
}

/** Is a (shallow-valid) listpack empty? */
export function lpIsEmpty(b: Buffer): boolean {
  return b[6] === 0xff;
}

/**
 * Entries of a listpack as strings, with deep validation (every entry's
 * encoding, size and backlen, the terminator, the element count); `what`
 * names the container in the error ("Hash listpack integrity check failed.").
 */
export function lpParse(b: Buffer, what = 'Listpack'): string[] {
  const r = lpParsePartial(b);
  if (!r.ok) corrupt(what);
  return r.items;
}

/**
 * The entries of a listpack up to the first malformed one; `ok` is false
 * when the listpack is malformed anywhere (entries, terminator, count).
 */
export function lpParsePartial(b: Buffer): { items: string[]; ok: boolean } {
  const out: string[] = [];
  if (!lpShallowOk(b)) return { items: out, ok: false };
  const declared = b.readUInt16LE(4);
  let p = 6;
  const end = b.length - 1;
  while (p < end) {
    if (b[p] === 0xff) return { items: out, ok: false };
    const ent = lpEntryAt(b, p, end);
    if (ent === null) return { items: out, ok: false };
    const e = b[p];
    const d = p + ent.hdr;
    if ((e & 0x80) === 0) out.push(String(e & 0x7f));
    else if ((e & 0xc0) === 0x80 || (e & 0xf0) === 0xe0 || e === 0xf0) out.push(b.latin1Slice(d, d + ent.data));
    else if ((e & 0xe0) === 0xc0) {
      let v = ((e & 0x1f) << 8) | b[p + 1];
      if (v >= 4096) v -= 8192;
      out.push(String(v));
    } else if (e === 0xf1) out.push(String(b.readInt16LE(d)));
    else if (e === 0xf2) out.push(String(b.readIntLE(d, 3)));
    else if (e === 0xf3) out.push(String(b.readInt32LE(d)));
    else out.push(b.readBigInt64LE(d).toString());
    const l = ent.hdr + ent.data;
    p += l + backlenSize(l);
  }
  const ok = p === end && (declared === 65535 || declared === out.length);
  return { items: out, ok };
}

/** The int64 value of a canonical integer text, or null. */
export function int64Of(s: string): bigint | number | null {
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

/**
 * Entries of a ziplist as strings, with deep validation (each entry's
 * prevlen equals the previous entry's size, encodings, bounds, the tail
 * offset, the element count, the terminator).
 */
export function zlParse(b: Buffer, what = 'Ziplist'): string[] {
  if (b.length < 11) corrupt(what);
  if (b.readUInt32LE(0) !== b.length || b[b.length - 1] !== 0xff) corrupt(what);
  const tail = b.readUInt32LE(4);
  const declared = b.readUInt16LE(8);
  const end = b.length - 1;
  if (tail > end) corrupt(what);
  const out: string[] = [];
  let p = 10;
  let prevRaw = 0;
  let last = 10;
  while (b[p] !== 0xff) {
    const start = p;
    // prevlen: one byte, or 0xFE and a 32-bit length
    let plen: number;
    if (b[p] < 0xfe) {
      plen = b[p];
      p += 1;
    } else {
      if (p + 5 > end) corrupt(what);
      plen = b.readUInt32LE(p + 1);
      p += 5;
    }
    if (plen !== prevRaw || p >= end) corrupt(what);
    const e = b[p];
    const t = e >> 6;
    let hdr: number;
    let len: number;
    if (t === 0) {
      hdr = 1;
      len = e & 0x3f;
    } else if (t === 1) {
      hdr = 2;
      if (p + 1 >= end) corrupt(what);
      len = ((e & 0x3f) << 8) | b[p + 1];
    } else if (e === 0x80) {
      hdr = 5;
      if (p + 4 >= end) corrupt(what);
      len = b.readUInt32BE(p + 1);
    } else {
      hdr = 1;
      if (e === 0xc0) len = 2;
      else if (e === 0xd0) len = 4;
      else if (e === 0xe0) len = 8;
      else if (e === 0xf0) len = 3;
      else if (e === 0xfe) len = 1;
      else if (e >= 0xf1 && e <= 0xfd) len = 0;
      else corrupt(what);
    }
    const d = p + hdr;
    if (d + len > end) corrupt(what);
    if (t <= 1 || e === 0x80) out.push(b.latin1Slice(d, d + len));
    else if (e === 0xc0) out.push(String(b.readInt16LE(d)));
    else if (e === 0xd0) out.push(String(b.readInt32LE(d)));
    else if (e === 0xe0) out.push(b.readBigInt64LE(d).toString());
    else if (e === 0xf0) out.push(String(b.readIntLE(d, 3)));
    else if (e === 0xfe) out.push(String(b.readInt8(d)));
    else out.push(String((e & 0x0f) - 1));
    p = d + len;
    prevRaw = p - start;
    last = start;
  }
  if (p !== end) corrupt(what);
  if (tail !== last) corrupt(what);
  if (declared !== 65535 && declared !== out.length) corrupt(what);
  return out;
}

// ----------------------------------------------------------------------------
// intset
// ----------------------------------------------------------------------------

export function intsetParse(b: Buffer, what = 'Intset'): string[] {
  if (b.length < 8) corrupt(what);
  const width = b.readUInt32LE(0);
  const n = b.readUInt32LE(4);
  if ((width !== 2 && width !== 4 && width !== 8) || 8 + width * n !== b.length) corrupt(what);
  const out: string[] = new Array(n);
  let prev: bigint | number | null = null;
  for (let i = 0; i < n; i++) {
    const p = 8 + i * width;
    const v: bigint | number = width === 2 ? b.readInt16LE(p) : width === 4 ? b.readInt32LE(p) : b.readBigInt64LE(p);
    if (prev !== null && !(v > prev)) corrupt(what);
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

export function zipmapParse(b: Buffer, what = 'Zipmap'): string[] {
  if (b.length < 2 || b[b.length - 1] !== 0xff) corrupt(what);
  const out: string[] = [];
  const last = b.length - 1;
  let p = 1;
  const readLen = (): number => {
    if (p > last) corrupt(what);
    const x = b[p];
    if (x < 254) {
      p += 1;
      return x;
    }
    if (x === 254) {
      if (p + 5 > last) corrupt(what);
      const v = b.readUInt32LE(p + 1);
      p += 5;
      return v;
    }
    return corrupt(what);
  };
  while (b[p] !== 0xff) {
    const kl = readLen();
    if (p + kl > last) corrupt(what);
    const k = b.latin1Slice(p, p + kl);
    p += kl;
    const vl = readLen();
    if (p + 1 + vl > last) corrupt(what);
    const free = b[p++];
    const v = b.latin1Slice(p, p + vl);
    p += vl + free;
    if (p > last) corrupt(what);
    out.push(k, v);
  }
  if (p !== last || out.length === 0) corrupt(what);
  if (b[0] < 254 && b[0] !== out.length / 2) corrupt(what);
  return out;
}

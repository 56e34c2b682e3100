/*
 * HyperLogLog with Redis's exact representation.
 *
 * The value is a plain string: a 16-byte header ("HYLL", encoding byte, three
 * unused bytes, the cached cardinality as a little-endian 64-bit integer whose
 * top bit marks the cache as stale) followed by the registers, either dense
 * (16384 registers of 6 bits, little-endian bit packing) or sparse (a run
 * length encoding with three opcodes: ZERO 00xxxxxx, XZERO 01xxxxxx yyyyyyyy,
 * VAL 1vvvvvxx). Elements are hashed with MurmurHash64A (seed 0xadc83b19): the
 * low 14 bits pick the register, the position of the first set bit in the
 * remaining 50 bits (plus one) is the candidate value.
 *
 * Everything here works on bytes (Buffers); nothing knows the protocol.
 */

export const HLL_P = 14;
export const HLL_Q = 64 - HLL_P;
export const HLL_REGISTERS = 1 << HLL_P;
const HLL_P_MASK = HLL_REGISTERS - 1;
const HLL_BITS = 6;
const HLL_REGISTER_MAX = (1 << HLL_BITS) - 1;
export const HLL_HDR_SIZE = 16;
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + ((HLL_REGISTERS * HLL_BITS + 7) >> 3);
export const HLL_DENSE = 0;
export const HLL_SPARSE = 1;
const HLL_MAX_ENCODING = 1;

const SPARSE_VAL_MAX_VALUE = 32;
const SPARSE_VAL_MAX_LEN = 4;
const SPARSE_ZERO_MAX_LEN = 64;
const SPARSE_XZERO_MAX_LEN = 16384;

const HLL_ALPHA_INF = 0.721347520444481703680;
const HASH_SEED = 0xadc83b19;

// ----------------------------------------------------------------------------
// MurmurHash64A on 32-bit halves (no BigInt on the hot path)
// ----------------------------------------------------------------------------

// m = 0xc6a4a7935bd1e995
const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;

// Result registers of mul64 (avoids allocating a pair per call).
let rHi = 0;
let rLo = 0;

/** (ah:al) * (bh:bl) mod 2^64 into rHi:rLo. */
function mul64(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  let t = a0 * b0;
  const w0 = t & 0xffff;
  t = a1 * b0 + (t >>> 16);
  let w1 = t & 0xffff;
  let high = Math.floor(t / 65536);
  t = a0 * b1 + w1;
  w1 = t & 0xffff;
  high += Math.floor(t / 65536);
  high += a1 * b1;
  rLo = ((w1 << 16) | w0) >>> 0;
  rHi = (high + Math.imul(al, bh) + Math.imul(ah, bl)) >>> 0;
}

/** Byte `i` of an element given as latin1 string or bytes. */
type Bytes = string | Uint8Array;

function byteAt(s: Bytes, i: number): number {
  return typeof s === 'string' ? s.charCodeAt(i) & 0xff : s[i];
}

/**
 * MurmurHash64A of `data` with `seed`, as [hi, lo] unsigned 32-bit halves
 * (written into hashHi/hashLo to avoid allocation).
 */
let hashHi = 0;
let hashLo = 0;

export function murmurHash64A(data: Bytes, seed: number): [number, number] {
  murmur(data, seed);
  return [hashHi, hashLo];
}

function murmur(data: Bytes, seed: number): void {
  const len = data.length;
  // h = seed ^ (len * m)
  mul64(0, len >>> 0, M_HI, M_LO);
  let hHi = rHi;
  let hLo = (rLo ^ seed) >>> 0;
  const nblocks = len - (len & 7);
  for (let i = 0; i < nblocks; i += 8) {
    const kLo = (byteAt(data, i) | (byteAt(data, i + 1) << 8) | (byteAt(data, i + 2) << 16) | (byteAt(data, i + 3) << 24)) >>> 0;
    const kHi = (byteAt(data, i + 4) | (byteAt(data, i + 5) << 8) | (byteAt(data, i + 6) << 16) | (byteAt(data, i + 7) << 24)) >>> 0;
    mul64(kHi, kLo, M_HI, M_LO);
    // k ^= k >> 47
    let kh = rHi;
    let kl = (rLo ^ (kh >>> 15)) >>> 0;
    mul64(kh, kl, M_HI, M_LO);
    kh = rHi;
    kl = rLo;
    hHi = (hHi ^ kh) >>> 0;
    hLo = (hLo ^ kl) >>> 0;
    mul64(hHi, hLo, M_HI, M_LO);
    hHi = rHi;
    hLo = rLo;
  }
  const rem = len & 7;
  if (rem > 0) {
    const b = nblocks;
    if (rem >= 7) hHi ^= byteAt(data, b + 6) << 16;
    if (rem >= 6) hHi ^= byteAt(data, b + 5) << 8;
    if (rem >= 5) hHi ^= byteAt(data, b + 4);
    if (rem >= 4) hLo ^= byteAt(data, b + 3) << 24;
    if (rem >= 3) hLo ^= byteAt(data, b + 2) << 16;
    if (rem >= 2) hLo ^= byteAt(data, b + 1) << 8;
    hLo ^= byteAt(data, b);
    hHi >>>= 0;
    hLo >>>= 0;
    mul64(hHi, hLo, M_HI, M_LO);
    hHi = rHi;
    hLo = rLo;
  }
  // h ^= h >> 47; h *= m; h ^= h >> 47
  hLo = (hLo ^ (hHi >>> 15)) >>> 0;
  mul64(hHi, hLo, M_HI, M_LO);
  hHi = rHi;
  hLo = (rLo ^ (rHi >>> 15)) >>> 0;
  hashHi = hHi;
  hashLo = hLo;
}

/** Register index of the last hllPatLen call. */
let patIndex = 0;

/**
 * The register index (into patIndex) and the run length of zeros plus one
 * (returned) for an element, as Redis's hllPatLen.
 */
function patLen(ele: Bytes): number {
  murmur(ele, HASH_SEED);
  patIndex = hashLo & HLL_P_MASK;
  // hash >>= P; hash |= 1 << Q
  const lo = ((hashLo >>> HLL_P) | (hashHi << (32 - HLL_P))) >>> 0;
  const hi = ((hashHi >>> HLL_P) | (1 << (HLL_Q - 32))) >>> 0;
  if (lo !== 0) return 32 - Math.clz32(lo & -lo);
  return 32 + 32 - Math.clz32(hi & -hi);
}

/** [index, count] for an element (exported for tests and PFSELFTEST). */
export function hllPatLen(ele: Bytes): [number, number] {
  const n = patLen(ele);
  return [patIndex, n];
}

// ----------------------------------------------------------------------------
// Dense registers
// ----------------------------------------------------------------------------

/** Register `i` of dense registers starting at `off` in `p`. */
export function denseGet(p: Uint8Array, off: number, i: number): number {
  const bit = i * HLL_BITS;
  const byte = off + (bit >> 3);
  const fb = bit & 7;
  const b0 = p[byte];
  const b1 = byte + 1 < p.length ? p[byte + 1] : 0;
  return ((b0 >> fb) | (b1 << (8 - fb))) & HLL_REGISTER_MAX;
}

export function denseSetRaw(p: Uint8Array, off: number, i: number, val: number): void {
  const bit = i * HLL_BITS;
  const byte = off + (bit >> 3);
  const fb = bit & 7;
  const fb8 = 8 - fb;
  p[byte] = (p[byte] & ~(HLL_REGISTER_MAX << fb)) | (val << fb);
  if (byte + 1 < p.length) p[byte + 1] = (p[byte + 1] & ~(HLL_REGISTER_MAX >> fb8)) | (val >> fb8);
}

/** Set register i to count if greater. Returns 1 when changed. */
function denseSet(p: Uint8Array, i: number, count: number): number {
  if (count > denseGet(p, HLL_HDR_SIZE, i)) {
    denseSetRaw(p, HLL_HDR_SIZE, i, count);
    return 1;
  }
  return 0;
}

// ----------------------------------------------------------------------------
// A growable working copy of an HLL value
// ----------------------------------------------------------------------------

/** Working copy: `buf` may be larger than `len` (room to grow a sparse value). */
export class HllBuf {
  buf: Buffer;
  len: number;

  constructor(buf: Buffer, len: number) {
    this.buf = buf;
    this.len = len;
  }

  /** A working copy of a stored value (strings are copied; Buffers are used in place when dense). */
  static from(v: string | Buffer): HllBuf {
    if (typeof v === 'string') {
      const b = Buffer.allocUnsafe(v.length + 64);
      b.latin1Write(v, 0);
      return new HllBuf(b, v.length);
    }
    if (v.length === HLL_DENSE_SIZE && v[4] === HLL_DENSE) return new HllBuf(v, v.length);
    const b = Buffer.allocUnsafe(v.length + 64);
    v.copy(b, 0);
    return new HllBuf(b, v.length);
  }

  get encoding(): number {
    return this.buf[4];
  }

  ensureRoom(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    const nb = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + extra + 64));
    this.buf.copy(nb, 0, 0, this.len);
    this.buf = nb;
  }

  /** The final value to store: an exact-size Buffer. */
  value(): Buffer {
    if (this.buf.length === this.len) return this.buf;
    return Buffer.from(this.buf.subarray(0, this.len));
  }

  invalidateCache(): void {
    this.buf[15] |= 0x80;
  }

  cacheValid(): boolean {
    return (this.buf[15] & 0x80) === 0;
  }

  cachedCard(): number {
    const b = this.buf;
    let n = 0;
    for (let i = 7; i >= 0; i--) n = n * 256 + b[8 + i];
    return n;
  }

  setCachedCard(card: number): void {
    let n = card;
    for (let i = 0; i < 8; i++) {
      this.buf[8 + i] = n % 256;
      n = Math.floor(n / 256);
    }
  }
}

/** A new empty HLL (sparse: one XZERO opcode covering every register). */
export function createHll(): Buffer {
  const b = Buffer.alloc(HLL_HDR_SIZE + 2);
  b.latin1Write('HYLL', 0);
  b[4] = HLL_SPARSE;
  const len = HLL_REGISTERS - 1;
  b[16] = 0x40 | (len >> 8);
  b[17] = len & 0xff;
  return b;
}

/** Redis's isHLLObject test on a string value's bytes. */
export function isValidHll(v: string | Buffer): boolean {
  if (v.length < HLL_HDR_SIZE) return false;
  const at = (i: number): number => (typeof v === 'string' ? v.charCodeAt(i) : v[i]);
  if (at(0) !== 72 || at(1) !== 89 || at(2) !== 76 || at(3) !== 76) return false;
  const enc = at(4);
  if (enc > HLL_MAX_ENCODING) return false;
  if (enc === HLL_DENSE && v.length !== HLL_DENSE_SIZE) return false;
  return true;
}

// ----------------------------------------------------------------------------
// Sparse representation
// ----------------------------------------------------------------------------

const isZero = (b: number): boolean => (b & 0xc0) === 0;
const isXZero = (b: number): boolean => (b & 0xc0) === 0x40;
const zeroLen = (b: number): number => (b & 0x3f) + 1;
const xzeroLen = (b0: number, b1: number): number => (((b0 & 0x3f) << 8) | b1) + 1;
const valValue = (b: number): number => ((b >> 2) & 0x1f) + 1;
const valLen = (b: number): number => (b & 0x3) + 1;
const valByte = (val: number, len: number): number => 0x80 | ((val - 1) << 2) | (len - 1);

/** Convert a sparse working copy to dense. Returns false when the sparse data is corrupt. */
export function sparseToDense(h: HllBuf): boolean {
  if (h.encoding === HLL_DENSE) return true;
  const src = h.buf;
  const end = h.len;
  const dense = Buffer.alloc(HLL_DENSE_SIZE);
  src.copy(dense, 0, 0, HLL_HDR_SIZE);
  dense[4] = HLL_DENSE;
  let idx = 0;
  let p = HLL_HDR_SIZE;
  while (p < end) {
    const b = src[p];
    if (isZero(b)) {
      idx += zeroLen(b);
      p++;
    } else if (isXZero(b)) {
      idx += xzeroLen(b, p + 1 < end ? src[p + 1] : 0);
      p += 2;
    } else {
      let runlen = valLen(b);
      const regval = valValue(b);
      if (runlen + idx > HLL_REGISTERS) break;
      while (runlen--) denseSetRaw(dense, HLL_HDR_SIZE, idx++, regval);
      p++;
    }
  }
  if (idx !== HLL_REGISTERS) return false;
  h.buf = dense;
  h.len = HLL_DENSE_SIZE;
  return true;
}

/**
 * Set register `index` to `count` if greater, in a sparse HLL, keeping the
 * opcode sequence exactly as Redis builds it. Promotes to dense when the
 * value would pass `maxBytes` or `count` does not fit a VAL opcode.
 * Returns 1 if changed, 0 if not, -1 if the data is corrupt.
 */
export function sparseSet(h: HllBuf, index: number, count: number, maxBytes: number): number {
  if (count > SPARSE_VAL_MAX_VALUE) return promote(h, index, count);
  h.ensureRoom(3);
  let b = h.buf;
  const sparse = HLL_HDR_SIZE;
  let end = h.len;
  let p = sparse;
  let first = 0;
  let prev = -1;
  let span = 0;
  while (p < end) {
    let oplen = 1;
    const op = b[p];
    if (isZero(op)) span = zeroLen(op);
    else if (!isXZero(op)) span = valLen(op);
    else {
      span = xzeroLen(op, p + 1 < end ? b[p + 1] : 0);
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span === 0 || p >= end) return -1;
  const op = b[p];
  let next = isXZero(op) ? p + 2 : p + 1;
  if (next >= end) next = -1;
  let isZ = false;
  let isXZ = false;
  let isV = false;
  let runlen: number;
  if (isZero(op)) {
    isZ = true;
    runlen = zeroLen(op);
  } else if (isXZero(op)) {
    isXZ = true;
    runlen = xzeroLen(op, b[p + 1]);
  } else {
    isV = true;
    runlen = valLen(op);
  }
  let updated = false;
  if (isV) {
    const old = valValue(op);
    if (old >= count) return 0;
    if (runlen === 1) {
      b[p] = valByte(count, 1);
      updated = true;
    }
  }
  if (!updated && isZ && runlen === 1) {
    b[p] = valByte(count, 1);
    updated = true;
  }
  if (!updated) {
    // General case: split the opcode into up to three.
    const seq: number[] = [];
    const last = first + span - 1;
    if (isZ || isXZ) {
      if (index !== first) pushZeros(seq, index - first);
      seq.push(valByte(count, 1));
      if (index !== last) pushZeros(seq, last - index);
    } else {
      const cur = valValue(op);
      if (index !== first) seq.push(valByte(cur, index - first));
      seq.push(valByte(count, 1));
      if (index !== last) seq.push(valByte(cur, last - index));
    }
    const oldlen = isXZ ? 2 : 1;
    const delta = seq.length - oldlen;
    if (delta > 0 && h.len + delta > maxBytes) return promote(h, index, count);
    if (delta !== 0 && next >= 0) b.copyWithin(next + delta, next, end);
    h.len += delta;
    for (let i = 0; i < seq.length; i++) b[p + i] = seq[i];
    end += delta;
  }
  // Merge adjacent VAL opcodes with the same value, scanning up to 5 opcodes from prev.
  b = h.buf;
  p = prev >= 0 ? prev : sparse;
  let scanlen = 5;
  while (p < end && scanlen--) {
    const o = b[p];
    if (isXZero(o)) {
      p += 2;
      continue;
    } else if (isZero(o)) {
      p++;
      continue;
    }
    if (p + 1 < end && !isZero(b[p + 1]) && !isXZero(b[p + 1])) {
      const v1 = valValue(o);
      const v2 = valValue(b[p + 1]);
      if (v1 === v2) {
        const len = valLen(o) + valLen(b[p + 1]);
        if (len <= SPARSE_VAL_MAX_LEN) {
          b[p + 1] = valByte(v1, len);
          b.copyWithin(p, p + 1, end);
          h.len--;
          end--;
          continue;
        }
      }
    }
    p++;
  }
  h.invalidateCache();
  return 1;
}

function pushZeros(seq: number[], len: number): void {
  if (len > SPARSE_ZERO_MAX_LEN) {
    const l = len - 1;
    seq.push(0x40 | (l >> 8), l & 0xff);
  } else seq.push(len - 1);
}

function promote(h: HllBuf, index: number, count: number): number {
  if (!sparseToDense(h)) return -1;
  denseSet(h.buf, index, count);
  return 1;
}

// ----------------------------------------------------------------------------
// Adding, counting, merging
// ----------------------------------------------------------------------------

/** Add an element. Returns 1 if a register changed, 0 if not, -1 if corrupt. */
export function hllAdd(h: HllBuf, ele: Bytes, maxBytes: number): number {
  const count = patLen(ele);
  const index = patIndex;
  const enc = h.encoding;
  if (enc === HLL_DENSE) return denseSet(h.buf, index, count);
  if (enc === HLL_SPARSE) return sparseSet(h, index, count, maxBytes);
  return -1;
}

/** Set register `index` to max(current, count) in either encoding (PFMERGE's write). */
export function hllSetRegister(h: HllBuf, index: number, count: number, maxBytes: number): number {
  if (h.encoding === HLL_DENSE) return denseSet(h.buf, index, count);
  return sparseSet(h, index, count, maxBytes);
}

/**
 * Merge registers of an HLL value into `max` (max[i] = MAX(max[i], reg[i])).
 * Returns false when the sparse data is corrupt.
 */
export function hllMerge(max: Uint8Array, p: Uint8Array, len: number): boolean {
  if (p[4] === HLL_DENSE) {
    // Four 6-bit registers every three bytes.
    for (let i = 0, q = HLL_HDR_SIZE; i < HLL_REGISTERS; i += 4, q += 3) {
      const b0 = p[q];
      const b1 = p[q + 1];
      const b2 = p[q + 2];
      const r0 = b0 & 63;
      const r1 = (b0 >> 6) | ((b1 & 15) << 2);
      const r2 = (b1 >> 4) | ((b2 & 3) << 4);
      const r3 = b2 >> 2;
      if (r0 > max[i]) max[i] = r0;
      if (r1 > max[i + 1]) max[i + 1] = r1;
      if (r2 > max[i + 2]) max[i + 2] = r2;
      if (r3 > max[i + 3]) max[i + 3] = r3;
    }
    return true;
  }
  let i = 0;
  let q = HLL_HDR_SIZE;
  while (q < len) {
    const b = p[q];
    if (isZero(b)) {
      i += zeroLen(b);
      q++;
    } else if (isXZero(b)) {
      i += xzeroLen(b, q + 1 < len ? p[q + 1] : 0);
      q += 2;
    } else {
      let runlen = valLen(b);
      const regval = valValue(b);
      if (runlen + i > HLL_REGISTERS) break;
      while (runlen--) {
        if (regval > max[i]) max[i] = regval;
        i++;
      }
      q++;
    }
  }
  return i === HLL_REGISTERS;
}

function sigma(x0: number): number {
  if (x0 === 1) return Infinity;
  let x = x0;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function tau(x0: number): number {
  if (x0 === 0 || x0 === 1) return 0;
  let x = x0;
  let zPrime: number;
  let y = 1.0;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y;
  } while (zPrime !== z);
  return z / 3;
}

/** Cardinality estimate from a register histogram (Ertl's improved estimator, as Redis 7). */
function countFromHisto(reghisto: Int32Array): number {
  const m = HLL_REGISTERS;
  let z = m * tau((m - reghisto[HLL_Q + 1]) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += reghisto[j];
    z *= 0.5;
  }
  z += m * sigma(reghisto[0] / m);
  return Math.round((HLL_ALPHA_INF * m * m) / z);
}

/** Cardinality of an HLL value; null when the sparse data is corrupt. */
export function hllCount(p: Uint8Array, len: number): number | null {
  const histo = new Int32Array(64);
  if (p[4] === HLL_DENSE) {
    for (let q = HLL_HDR_SIZE; q < HLL_DENSE_SIZE; q += 3) {
      const b0 = p[q];
      const b1 = p[q + 1];
      const b2 = p[q + 2];
      histo[b0 & 63]++;
      histo[(b0 >> 6) | ((b1 & 15) << 2)]++;
      histo[(b1 >> 4) | ((b2 & 3) << 4)]++;
      histo[b2 >> 2]++;
    }
  } else {
    let idx = 0;
    let q = HLL_HDR_SIZE;
    while (q < len) {
      const b = p[q];
      if (isZero(b)) {
        const r = zeroLen(b);
        idx += r;
        histo[0] += r;
        q++;
      } else if (isXZero(b)) {
        const r = xzeroLen(b, q + 1 < len ? p[q + 1] : 0);
        idx += r;
        histo[0] += r;
        q += 2;
      } else {
        const r = valLen(b);
        idx += r;
        histo[valValue(b)] += r;
        q++;
      }
    }
    if (idx !== HLL_REGISTERS) return null;
  }
  return countFromHisto(histo);
}

/** Cardinality of raw registers (one byte per register), as PFCOUNT of several keys. */
export function hllCountRaw(regs: Uint8Array): number {
  const histo = new Int32Array(64);
  for (let i = 0; i < HLL_REGISTERS; i++) histo[regs[i]]++;
  return countFromHisto(histo);
}

/** PFDEBUG DECODE text of a sparse HLL. */
export function sparseDecode(p: Uint8Array, len: number): string {
  const parts: string[] = [];
  let q = HLL_HDR_SIZE;
  while (q < len) {
    const b = p[q];
    if (isZero(b)) {
      parts.push(`z:${zeroLen(b)}`);
      q++;
    } else if (isXZero(b)) {
      parts.push(`Z:${xzeroLen(b, q + 1 < len ? p[q + 1] : 0)}`);
      q += 2;
    } else {
      parts.push(`v:${valValue(b)},${valLen(b)}`);
      q++;
    }
  }
  return parts.join(' ');
}

/**
 * PFSELFTEST: register packing round-trips, and the estimate error of dense
 * and sparse HLLs (which must agree exactly) stays within bounds.
 * Returns null when fine, or the failure text.
 */
export function hllSelfTest(maxBytes: number, rand: () => number = Math.random): string | null {
  // 1) Register set/get round trip.
  const regs = Buffer.alloc(HLL_DENSE_SIZE);
  const ref = new Uint8Array(HLL_REGISTERS);
  for (let cycle = 0; cycle < 100; cycle++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const r = Math.floor(rand() * 256) & HLL_REGISTER_MAX;
      ref[i] = r;
      denseSetRaw(regs, HLL_HDR_SIZE, i, r);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const v = denseGet(regs, HLL_HDR_SIZE, i);
      if (v !== ref[i]) return `TESTFAILED Register error at ${i}`;
    }
  }
  // 2) Approximation error at cardinalities 10^k, sparse vs dense agreement.
  const dense = new HllBuf(createHll(), HLL_HDR_SIZE + 2);
  sparseToDense(dense);
  const sparse = new HllBuf(Buffer.alloc(256), 0);
  const init = createHll();
  init.copy(sparse.buf, 0);
  sparse.len = init.length;
  const relerr = 1.04 / Math.sqrt(HLL_REGISTERS);
  let checkpoint = 1;
  const ele = Buffer.alloc(8);
  for (let j = 1; j <= 100_000; j++) {
    ele.writeUInt32LE(j >>> 0, 0);
    ele.writeUInt32LE(Math.floor(j / 0x100000000), 4);
    hllAdd(dense, ele, maxBytes);
    hllAdd(sparse, ele, maxBytes);
    if (j === checkpoint && j < maxBytes / 2) {
      const a = hllCount(dense.buf, dense.len);
      const b = hllCount(sparse.buf, sparse.len);
      if (a !== b) return `TESTFAILED sparse/dense mismatch at card ${j}: ${a} vs ${b}`;
    }
    if (j === checkpoint) {
      const count = hllCount(dense.buf, dense.len) ?? 0;
      const abserr = Math.abs(checkpoint - count);
      let maxerr = Math.ceil(relerr * 6 * checkpoint);
      if (j === 10) maxerr = 1;
      if (abserr > maxerr) return `TESTFAILED Too big error. card:${checkpoint} abserr:${abserr.toFixed(6)}`;
      checkpoint *= 10;
    }
  }
  return null;
}

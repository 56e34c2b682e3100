/*
 * Scalable Bloom filter (the BF.* commands), as RedisBloom lays it out: a
 * chain of fixed-size Bloom filters ("links"). Items go into the newest
 * link; when it holds `capacity` items a new link is added with
 * capacity * expansion and half the error rate (tightening ratio 0.5), so
 * the compound false-positive rate stays below the requested one. A
 * NONSCALING filter refuses items once its single link is full.
 *
 * Also home of the hashing and binary (de)serialisation helpers shared by
 * the probabilistic types (cuckoo.ts, cms.ts, topk.ts, tdigest.ts):
 * - MurmurHash64A with a 64-bit seed (Bloom and Cuckoo filters, as RedisBloom),
 * - MurmurHash2 (32-bit; Count-Min sketch and Top-K, as RedisBloom),
 * - Ser/De: a little-endian byte writer/reader for persistence and COPY.
 */

import type { RObject } from './value';

// ----------------------------------------------------------------------------
// 64-bit arithmetic on (hi, lo) pairs of unsigned 32-bit numbers
// ----------------------------------------------------------------------------

let rHi = 0;
let rLo = 0;

/** (aHi:aLo * bHi:bLo) mod 2^64 into rHi:rLo. */
function mul64(aHi: number, aLo: number, bHi: number, bLo: number): void {
  const a48 = aHi >>> 16;
  const a32 = aHi & 0xffff;
  const a16 = aLo >>> 16;
  const a00 = aLo & 0xffff;
  const b48 = bHi >>> 16;
  const b32 = bHi & 0xffff;
  const b16 = bLo >>> 16;
  const b00 = bLo & 0xffff;
  let c00 = a00 * b00;
  let c16 = c00 >>> 16;
  c00 &= 0xffff;
  c16 += a16 * b00;
  let c32 = Math.floor(c16 / 65536);
  c16 &= 0xffff;
  c16 += a00 * b16;
  c32 += Math.floor(c16 / 65536);
  c16 &= 0xffff;
  c32 += a32 * b00;
  let c48 = Math.floor(c32 / 65536);
  c32 &= 0xffff;
  c32 += a16 * b16;
  c48 += Math.floor(c32 / 65536);
  c32 &= 0xffff;
  c32 += a00 * b32;
  c48 += Math.floor(c32 / 65536);
  c32 &= 0xffff;
  c48 += a48 * b00 + a32 * b16 + a16 * b32 + a00 * b48;
  c48 = c48 % 65536;
  rHi = ((c48 << 16) | c32) >>> 0;
  rLo = ((c16 << 16) | c00) >>> 0;
}

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;

/** Result of the last murmur64 call. */
export let hashHi = 0;
export let hashLo = 0;

/**
 * MurmurHash64A (Austin Appleby) of a latin1 string with a 64-bit seed
 * (seedHi:seedLo). The result is left in `hashHi`/`hashLo`.
 */
export function murmur64(s: string, seedHi: number, seedLo: number): void {
  const len = s.length;
  mul64(0, len >>> 0, M_HI, M_LO);
  let hHi = (rHi ^ seedHi) >>> 0;
  let hLo = (rLo ^ seedLo) >>> 0;
  const nblocks = len - (len & 7);
  for (let i = 0; i < nblocks; i += 8) {
    const kLo = (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24)) >>> 0;
    const kHi = (s.charCodeAt(i + 4) | (s.charCodeAt(i + 5) << 8) | (s.charCodeAt(i + 6) << 16) | (s.charCodeAt(i + 7) << 24)) >>> 0;
    mul64(kHi, kLo, M_HI, M_LO);
    const kh = rHi;
    const kl = (rLo ^ (kh >>> 15)) >>> 0;
    mul64(kh, kl, M_HI, M_LO);
    hHi = (hHi ^ rHi) >>> 0;
    hLo = (hLo ^ rLo) >>> 0;
    mul64(hHi, hLo, M_HI, M_LO);
    hHi = rHi;
    hLo = rLo;
  }
  const rem = len & 7;
  if (rem > 0) {
    const b = nblocks;
    if (rem >= 7) hHi ^= s.charCodeAt(b + 6) << 16;
    if (rem >= 6) hHi ^= s.charCodeAt(b + 5) << 8;
    if (rem >= 5) hHi ^= s.charCodeAt(b + 4);
    if (rem >= 4) hLo ^= s.charCodeAt(b + 3) << 24;
    if (rem >= 3) hLo ^= s.charCodeAt(b + 2) << 16;
    if (rem >= 2) hLo ^= s.charCodeAt(b + 1) << 8;
    hLo ^= s.charCodeAt(b);
    mul64(hHi >>> 0, hLo >>> 0, M_HI, M_LO);
    hHi = rHi;
    hLo = rLo;
  }
  hLo = (hLo ^ (hHi >>> 15)) >>> 0;
  mul64(hHi, hLo, M_HI, M_LO);
  hashHi = rHi;
  hashLo = (rLo ^ (rHi >>> 15)) >>> 0;
}

/** MurmurHash2 (32-bit, Austin Appleby) of a latin1 string. */
export function murmur2(s: string, seed: number): number {
  const m = 0x5bd1e995;
  let len = s.length;
  let h = (seed ^ len) >>> 0;
  let i = 0;
  while (len >= 4) {
    let k = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
    i += 4;
    len -= 4;
  }
  if (len >= 3) h ^= s.charCodeAt(i + 2) << 16;
  if (len >= 2) h ^= s.charCodeAt(i + 1) << 8;
  if (len >= 1) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h >>> 0;
}

// ----------------------------------------------------------------------------
// Serialisation helpers
// ----------------------------------------------------------------------------

/** Little-endian byte writer. */
export class Ser {
  private buf = Buffer.allocUnsafe(256);
  private len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const nb = Buffer.allocUnsafe(size);
    this.buf.copy(nb, 0, 0, this.len);
    this.buf = nb;
  }

  u8(n: number): this {
    this.ensure(1);
    this.buf[this.len++] = n;
    return this;
  }

  /** A non-negative integer up to 2^53. */
  num(n: number): this {
    this.ensure(8);
    this.buf.writeDoubleLE(n, this.len);
    this.len += 8;
    return this;
  }

  f64(n: number): this {
    return this.num(n);
  }

  bytes(b: Uint8Array): this {
    this.num(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  str(s: string): this {
    this.num(s.length);
    this.ensure(s.length);
    this.len += this.buf.latin1Write(s, this.len);
    return this;
  }

  take(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.len));
  }
}

/** Reader of what Ser wrote; throws on truncated input. */
export class De {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new Error('truncated probabilistic value');
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  num(): number {
    this.need(8);
    const d = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return d;
  }

  f64(): number {
    return this.num();
  }

  /** A length or count: a non-negative integer. */
  count(max = 2 ** 40): number {
    const n = this.num();
    if (!Number.isInteger(n) || n < 0 || n > max) throw new Error('bad probabilistic value');
    return n;
  }

  bytes(): Uint8Array {
    const n = this.count();
    this.need(n);
    const out = new Uint8Array(n);
    out.set(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }

  str(): string {
    const n = this.count();
    this.need(n);
    const s = this.buf.latin1Slice(this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  end(): void {
    if (this.pos !== this.buf.length) throw new Error('trailing bytes in probabilistic value');
  }
}

// ----------------------------------------------------------------------------
// Bloom filter
// ----------------------------------------------------------------------------

/** Error-rate tightening of each new link (RedisBloom's ERROR_TIGHTENING_RATIO). */
const TIGHTENING = 0.5;
/** Seed of the first hash (RedisBloom hashes with MurmurHash64A, seed 0xc6a4a7935bd1e995). */
const SEED_HI = 0xc6a4a793;
const SEED_LO = 0x5bd1e995;

/** (hi * 2^32 + lo) mod m, exact for m < 2^44. */
function mod64(hi: number, lo: number, m: number): number {
  let r = hi % m;
  for (let i = 0; i < 4; i++) r = (r * 256) % m;
  return (r + lo) % m;
}

/** One fixed-size Bloom filter of the chain. */
export class BloomLink {
  /** Number of bits (a multiple of 64). */
  readonly bits: number;
  readonly hashes: number;
  readonly bitArray: Uint8Array;
  /** Items added to this link. */
  size = 0;

  constructor(
    /** Capacity (RedisBloom's `entries`). */
    readonly entries: number,
    readonly error: number,
    bitArray?: Uint8Array,
  ) {
    const ln2 = Math.LN2;
    const bpe = Math.abs(Math.log(error) / (ln2 * ln2));
    let bits = Math.floor(entries * bpe);
    if (bits === 0) bits = 1;
    const bytes = bits % 64 !== 0 ? (Math.floor(bits / 64) + 1) * 8 : bits / 8;
    this.bits = bytes * 8;
    this.hashes = Math.ceil(ln2 * bpe);
    this.bitArray = bitArray ?? new Uint8Array(bytes);
    if (this.bitArray.length !== bytes) throw new Error('bad bloom link');
  }

  get bytes(): number {
    return this.bitArray.length;
  }

  /** Test (and with `set`, set) the bits of the hash pair; returns true when all were already set. */
  probe(aHi: number, aLo: number, bHi: number, bLo: number, set: boolean): boolean {
    const m = this.bits;
    // x_i = (a + i*b) mod m, computed incrementally on reduced values.
    let x = mod64(aHi, aLo, m);
    const step = mod64(bHi, bLo, m);
    const arr = this.bitArray;
    let found = true;
    for (let i = 0; i < this.hashes; i++) {
      const byte = Math.floor(x / 8);
      const mask = 1 << (x % 8);
      if ((arr[byte] & mask) === 0) {
        found = false;
        if (!set) return false;
        arr[byte] |= mask;
      }
      x += step;
      if (x >= m) x -= m;
    }
    return found;
  }
}

/** Result of ScalingBloom.add: 1 added, 0 already present, -2 full (non-scaling). */
export type BloomAddResult = 1 | 0 | -2;

export class ScalingBloom implements RObject {
  readonly type = 'MBbloom--' as const;
  links: BloomLink[] = [];
  /** Items added in all (BF.CARD). */
  items = 0;

  constructor(
    readonly capacity: number,
    readonly errorRate: number,
    /** Expansion factor; ignored when nonScaling. */
    readonly expansion: number,
    readonly nonScaling: boolean,
    empty = false,
  ) {
    if (!empty) this.links.push(new BloomLink(capacity, errorRate * (nonScaling ? 1 : TIGHTENING)));
  }

  private static hash(item: string): [number, number, number, number] {
    murmur64(item, SEED_HI, SEED_LO);
    const aHi = hashHi;
    const aLo = hashLo;
    murmur64(item, aHi, aLo);
    return [aHi, aLo, hashHi, hashLo];
  }

  exists(item: string): boolean {
    const [aHi, aLo, bHi, bLo] = ScalingBloom.hash(item);
    for (let i = this.links.length - 1; i >= 0; i--) if (this.links[i].probe(aHi, aLo, bHi, bLo, false)) return true;
    return false;
  }

  add(item: string): BloomAddResult {
    const [aHi, aLo, bHi, bLo] = ScalingBloom.hash(item);
    for (let i = this.links.length - 1; i >= 0; i--) if (this.links[i].probe(aHi, aLo, bHi, bLo, false)) return 0;
    let cur = this.links[this.links.length - 1];
    if (cur.size >= cur.entries) {
      if (this.nonScaling) return -2;
      cur = new BloomLink(cur.entries * this.expansion, cur.error * TIGHTENING);
      this.links.push(cur);
    }
    cur.probe(aHi, aLo, bHi, bLo, true);
    cur.size++;
    this.items++;
    return 1;
  }

  /** Total capacity of the links (BF.INFO Capacity). */
  totalCapacity(): number {
    let n = 0;
    for (const l of this.links) n += l.entries;
    return n;
  }

  /** RedisBloom's memory usage figure: chain header + link headers + bit arrays. */
  memoryUsage(): number {
    let n = 32 + 64 * this.links.length;
    for (const l of this.links) n += l.bytes;
    return n;
  }

  encoding(): string {
    return 'raw';
  }

  size(): number {
    return this.items;
  }

  serialize(): Buffer {
    const w = new Ser();
    w.num(this.capacity).f64(this.errorRate).num(this.expansion).u8(this.nonScaling ? 1 : 0).num(this.items).num(this.links.length);
    for (const l of this.links) w.num(l.entries).f64(l.error).num(l.size).bytes(l.bitArray);
    return w.take();
  }

  static deserialize(b: Buffer): ScalingBloom {
    const r = new De(b);
    const capacity = r.count();
    const errorRate = r.f64();
    const expansion = r.count();
    const nonScaling = r.u8() === 1;
    const sb = new ScalingBloom(capacity, errorRate, expansion, nonScaling, true);
    sb.items = r.count();
    const n = r.count(1 << 16);
    for (let i = 0; i < n; i++) {
      const entries = r.count();
      const error = r.f64();
      const size = r.count();
      if (!(error > 0 && error < 1)) throw new Error('bad bloom link');
      const link = new BloomLink(entries, error, r.bytes());
      link.size = size;
      sb.links.push(link);
    }
    r.end();
    if (sb.links.length === 0) throw new Error('empty bloom filter');
    return sb;
  }

  clone(): ScalingBloom {
    return ScalingBloom.deserialize(this.serialize());
  }

  digest(): string {
    return this.serialize().latin1Slice();
  }
}

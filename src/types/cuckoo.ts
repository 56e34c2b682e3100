/*
 * Cuckoo filter (the CF.* commands), laid out as RedisBloom's: a chain of
 * sub-filters, each `numBuckets` (a power of two) buckets of `bucketSize`
 * one-byte fingerprints. An item hashes (MurmurHash64A, seed 0) to h; its
 * fingerprint is h % 255 + 1 and its two candidate buckets are h and
 * h ^ (fp * 0x5bd1e995), modulo the bucket count. When both buckets of the
 * newest sub-filter are full, up to `maxIterations` fingerprints are kicked
 * to their alternate buckets (rolled back on failure); then a new
 * sub-filter `expansion` times larger is added (none when expansion is 0).
 */

import type { RObject } from './value';
import { De, Ser, hashHi, hashLo, murmur64 } from './bloom';

export type CuckooInsertStatus = 'inserted' | 'exists' | 'nospace';

interface SubFilter {
  numBuckets: number;
  data: Uint8Array;
}

const ALT_MUL = 0x5bd1e995;

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Fingerprint and primary index of an item (h mod 2^32 is enough for ≤ 2^30 buckets). */
function hashItem(item: string): [number, number] {
  murmur64(item, 0, 0);
  // h % 255, using 2^32 ≡ 1 (mod 255).
  const fp = ((hashHi % 255) + (hashLo % 255)) % 255 + 1;
  return [fp, hashLo];
}

export class CuckooFilter implements RObject {
  readonly type = 'MBbloomCF' as const;
  filters: SubFilter[] = [];
  numItems = 0;
  numDeletes = 0;
  /** Bucket count of the first sub-filter. */
  readonly numBuckets: number;

  constructor(
    readonly capacity: number,
    readonly bucketSize: number,
    readonly maxIterations: number,
    readonly expansion: number,
    empty = false,
  ) {
    this.numBuckets = nextPow2(Math.max(1, Math.floor(capacity / bucketSize)));
    if (!empty) this.addFilter(this.numBuckets);
  }

  private addFilter(numBuckets: number): void {
    this.filters.push({ numBuckets, data: new Uint8Array(numBuckets * this.bucketSize) });
  }

  private bucketHas(f: SubFilter, idx: number, fp: number): boolean {
    const base = idx * this.bucketSize;
    for (let j = 0; j < this.bucketSize; j++) if (f.data[base + j] === fp) return true;
    return false;
  }

  private bucketCount(f: SubFilter, idx: number, fp: number): number {
    const base = idx * this.bucketSize;
    let n = 0;
    for (let j = 0; j < this.bucketSize; j++) if (f.data[base + j] === fp) n++;
    return n;
  }

  private bucketPut(f: SubFilter, idx: number, fp: number): boolean {
    const base = idx * this.bucketSize;
    for (let j = 0; j < this.bucketSize; j++) {
      if (f.data[base + j] === 0) {
        f.data[base + j] = fp;
        return true;
      }
    }
    return false;
  }

  private bucketDel(f: SubFilter, idx: number, fp: number): boolean {
    const base = idx * this.bucketSize;
    for (let j = 0; j < this.bucketSize; j++) {
      if (f.data[base + j] === fp) {
        f.data[base + j] = 0;
        return true;
      }
    }
    return false;
  }

  private static indexes(f: SubFilter, fp: number, h: number): [number, number] {
    const mask = f.numBuckets - 1;
    const i1 = h & mask;
    const i2 = (i1 ^ Math.imul(fp, ALT_MUL)) & mask;
    return [i1 >>> 0, i2 >>> 0];
  }

  check(item: string): boolean {
    const [fp, h] = hashItem(item);
    for (const f of this.filters) {
      const [i1, i2] = CuckooFilter.indexes(f, fp, h);
      if (this.bucketHas(f, i1, fp) || this.bucketHas(f, i2, fp)) return true;
    }
    return false;
  }

  count(item: string): number {
    const [fp, h] = hashItem(item);
    let n = 0;
    for (const f of this.filters) {
      const [i1, i2] = CuckooFilter.indexes(f, fp, h);
      n += this.bucketCount(f, i1, fp);
      if (i2 !== i1) n += this.bucketCount(f, i2, fp);
    }
    return n;
  }

  delete(item: string): boolean {
    const [fp, h] = hashItem(item);
    for (let k = this.filters.length - 1; k >= 0; k--) {
      const f = this.filters[k];
      const [i1, i2] = CuckooFilter.indexes(f, fp, h);
      if (this.bucketDel(f, i1, fp) || this.bucketDel(f, i2, fp)) {
        this.numItems--;
        this.numDeletes++;
        return true;
      }
    }
    return false;
  }

  insert(item: string, unique: boolean): CuckooInsertStatus {
    if (unique && this.check(item)) return 'exists';
    const [fp, h] = hashItem(item);
    for (const f of this.filters) {
      const [i1, i2] = CuckooFilter.indexes(f, fp, h);
      if (this.bucketPut(f, i1, fp) || this.bucketPut(f, i2, fp)) {
        this.numItems++;
        return 'inserted';
      }
    }
    const last = this.filters[this.filters.length - 1];
    if (this.kickInsert(last, fp, h)) {
      this.numItems++;
      return 'inserted';
    }
    if (this.expansion === 0) return 'nospace';
    this.addFilter(last.numBuckets * nextPow2(this.expansion));
    const nf = this.filters[this.filters.length - 1];
    const [i1] = CuckooFilter.indexes(nf, fp, h);
    this.bucketPut(nf, i1, fp);
    this.numItems++;
    return 'inserted';
  }

  /** Cuckoo relocation in `f`; undone when it fails after maxIterations. */
  private kickInsert(f: SubFilter, fp: number, h: number): boolean {
    const mask = f.numBuckets - 1;
    const bs = this.bucketSize;
    let idx = CuckooFilter.indexes(f, fp, h)[0];
    let cur = fp;
    const undo: number[] = [];
    let victimSlot = 0;
    for (let n = 0; n < this.maxIterations; n++) {
      const slot = idx * bs + victimSlot;
      const old = f.data[slot];
      f.data[slot] = cur;
      undo.push(slot, old);
      cur = old;
      idx = ((idx ^ Math.imul(cur, ALT_MUL)) & mask) >>> 0;
      if (this.bucketPut(f, idx, cur)) return true;
      victimSlot = (victimSlot + 1) % bs;
    }
    for (let i = undo.length - 2; i >= 0; i -= 2) f.data[undo[i]] = undo[i + 1];
    return false;
  }

  memoryUsage(): number {
    let n = 40 + 16 * this.filters.length;
    for (const f of this.filters) n += f.data.length;
    return n;
  }

  /** Buckets in all sub-filters (CF.INFO "Number of buckets" reports the first's). */
  encoding(): string {
    return 'raw';
  }

  size(): number {
    return this.numItems;
  }

  serialize(): Buffer {
    const w = new Ser();
    w.num(this.capacity).num(this.bucketSize).num(this.maxIterations).num(this.expansion);
    w.num(this.numItems).num(this.numDeletes).num(this.filters.length);
    for (const f of this.filters) w.num(f.numBuckets).bytes(f.data);
    return w.take();
  }

  static deserialize(b: Buffer): CuckooFilter {
    const r = new De(b);
    const cf = new CuckooFilter(r.count(), r.count(255), r.count(65535), r.count(32768), true);
    if (cf.bucketSize < 1) throw new Error('bad cuckoo filter');
    cf.numItems = r.count();
    cf.numDeletes = r.count();
    const n = r.count(1 << 16);
    for (let i = 0; i < n; i++) {
      const numBuckets = r.count();
      const data = r.bytes();
      if (numBuckets < 1 || (numBuckets & (numBuckets - 1)) !== 0 || data.length !== numBuckets * cf.bucketSize) throw new Error('bad cuckoo filter');
      cf.filters.push({ numBuckets, data });
    }
    r.end();
    if (cf.filters.length === 0) throw new Error('empty cuckoo filter');
    return cf;
  }

  clone(): CuckooFilter {
    return CuckooFilter.deserialize(this.serialize());
  }

  digest(): string {
    return this.serialize().latin1Slice();
  }
}

/*
 * Count-Min sketch (the CMS.* commands), as RedisBloom's: `depth` rows of
 * `width` unsigned 32-bit counters; row i hashes an item with MurmurHash2
 * seeded i. Counters saturate at 2^32-1; a query returns the minimum of the
 * item's counters, so it never under-counts.
 */

import type { RObject } from './value';
import { De, Ser, murmur2 } from './bloom';

export const CMS_COUNTER_MAX = 0xffffffff;

export class CountMinSketch implements RObject {
  readonly type = 'CMSk-TYPE' as const;
  readonly counters: Uint32Array;
  /** Sum of all increments (CMS.INFO count). */
  count = 0;

  constructor(
    readonly width: number,
    readonly depth: number,
    counters?: Uint32Array,
  ) {
    this.counters = counters ?? new Uint32Array(width * depth);
  }

  /** Dimensions for an overestimation `error` with probability `prob` (RedisBloom's CMS_DimFromProb). */
  static dimFromProb(error: number, prob: number): [number, number] {
    const width = Math.ceil(2 / error);
    const depth = Math.ceil(Math.fround(Math.log10(prob)) / Math.fround(Math.log10(0.5)));
    return [width, depth];
  }

  /** Add `value` to the item's counters; returns the new estimate (CMS_COUNTER_MAX when saturated). */
  incrBy(item: string, value: number): number {
    let min = Infinity;
    const w = this.width;
    for (let i = 0; i < this.depth; i++) {
      const loc = (murmur2(item, i) % w) + i * w;
      let c = this.counters[loc] + value;
      if (c > CMS_COUNTER_MAX) c = CMS_COUNTER_MAX;
      this.counters[loc] = c;
      if (c < min) min = c;
    }
    this.count += value;
    return min;
  }

  query(item: string): number {
    let min = Infinity;
    const w = this.width;
    for (let i = 0; i < this.depth; i++) {
      const c = this.counters[(murmur2(item, i) % w) + i * w];
      if (c < min) min = c;
    }
    return min;
  }

  /**
   * Overwrite this sketch with the weighted sum of `src` (same dimensions).
   * Returns false, changing nothing, when a counter or the total would fall
   * outside [0, 2^32-1] (counters) or go negative (total).
   */
  mergeFrom(src: CountMinSketch[], weights: number[]): boolean {
    const n = this.counters.length;
    const out = new Float64Array(n);
    for (let k = 0; k < src.length; k++) {
      const a = src[k].counters;
      const wk = weights[k];
      for (let j = 0; j < n; j++) out[j] += a[j] * wk;
    }
    for (let j = 0; j < n; j++) if (out[j] < 0 || out[j] > CMS_COUNTER_MAX || !Number.isFinite(out[j])) return false;
    let total = 0;
    for (let k = 0; k < src.length; k++) total += src[k].count * weights[k];
    if (total < 0 || !Number.isFinite(total)) return false;
    this.counters.set(out);
    this.count = total;
    return true;
  }

  memoryUsage(): number {
    return 32 + this.counters.length * 4;
  }

  encoding(): string {
    return 'raw';
  }

  size(): number {
    return this.counters.length;
  }

  serialize(): Buffer {
    return new Ser()
      .num(this.width)
      .num(this.depth)
      .num(this.count)
      .bytes(new Uint8Array(this.counters.buffer, this.counters.byteOffset, this.counters.byteLength))
      .take();
  }

  static deserialize(b: Buffer): CountMinSketch {
    const r = new De(b);
    const width = r.count();
    const depth = r.count();
    const count = r.count(Number.MAX_SAFE_INTEGER);
    const raw = r.bytes();
    r.end();
    if (width < 1 || depth < 1 || raw.length !== width * depth * 4) throw new Error('bad count-min sketch');
    const counters = new Uint32Array(width * depth);
    new Uint8Array(counters.buffer).set(raw);
    const cms = new CountMinSketch(width, depth, counters);
    cms.count = count;
    return cms;
  }

  clone(): CountMinSketch {
    const c = new CountMinSketch(this.width, this.depth, this.counters.slice());
    c.count = this.count;
    return c;
  }

  digest(): string {
    return this.serialize().latin1Slice();
  }
}

/*
 * Top-K (the TOPK.* commands): HeavyKeeper as RedisBloom implements it. A
 * `depth` x `width` array of (fingerprint, counter) buckets; row i hashes
 * the item with MurmurHash2 seeded i, the fingerprint is MurmurHash2 seeded
 * 1919. Adding to a bucket owned by another fingerprint decays its counter
 * with probability decay^counter per unit; a bucket reaching 0 is taken
 * over. A min-heap of k (item, count) entries holds the current top items;
 * an item whose estimate reaches the heap minimum replaces the minimum (the
 * expelled item is returned to TOPK.ADD / TOPK.INCRBY).
 */

import type { RObject } from './value';
import { De, Ser, murmur2 } from './bloom';

const GA = 1919;
const DECAY_TABLE = 256;

interface HeapEntry {
  count: number;
  fp: number;
  item: string | null;
  /** Position in the heap array. */
  pos: number;
}

export class TopK implements RObject {
  readonly type = 'TopK-TYPE' as const;
  readonly fps: Uint32Array;
  readonly counts: Uint32Array;
  /** Min-heap by count; entries with item null are empty. */
  heap: HeapEntry[];
  /** Heap entries by item (RedisBloom scans the heap; a Map keeps large k cheap). */
  private readonly byItem = new Map<string, HeapEntry>();
  private readonly lookup: Float64Array;

  constructor(
    readonly k: number,
    readonly width: number,
    readonly depth: number,
    readonly decay: number,
  ) {
    this.fps = new Uint32Array(width * depth);
    this.counts = new Uint32Array(width * depth);
    this.heap = [];
    for (let i = 0; i < k; i++) this.heap.push({ count: 0, fp: 0, item: null, pos: i });
    this.lookup = new Float64Array(DECAY_TABLE);
    for (let i = 0; i < DECAY_TABLE; i++) this.lookup[i] = Math.pow(decay, i);
  }

  private decayOf(count: number): number {
    if (count < DECAY_TABLE) return this.lookup[count];
    return Math.pow(this.lookup[DECAY_TABLE - 1], Math.floor(count / (DECAY_TABLE - 1))) * this.lookup[count % (DECAY_TABLE - 1)];
  }

  private heapifyDown(start: number): void {
    const a = this.heap;
    const len = a.length;
    let i = start;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= len) break;
      if (child + 1 < len && a[child + 1].count < a[child].count) child++;
      if (a[child].count >= a[i].count) break;
      const t = a[i];
      a[i] = a[child];
      a[child] = t;
      a[i].pos = i;
      t.pos = child;
      i = child;
    }
  }

  private findInHeap(item: string, fp: number): number {
    const e = this.byItem.get(item);
    return e !== undefined && e.fp === fp ? e.pos : -1;
  }

  private setSlot(i: number, e: HeapEntry): void {
    const old = this.heap[i];
    if (old.item !== null) this.byItem.delete(old.item);
    e.pos = i;
    this.heap[i] = e;
    if (e.item !== null) this.byItem.set(e.item, e);
  }

  /** Count `item` `incr` times; returns the item expelled from the top list, if any. */
  add(item: string, incr: number): string | null {
    const fp = murmur2(item, GA);
    const heapMin = this.heap[0].count;
    let maxCount = 0;
    const w = this.width;
    for (let i = 0; i < this.depth; i++) {
      const loc = i * w + (murmur2(item, i) % w);
      const c = this.counts[loc];
      if (c === 0) {
        this.fps[loc] = fp;
        this.counts[loc] = incr;
        if (incr > maxCount) maxCount = incr;
      } else if (this.fps[loc] === fp) {
        const n = Math.min(c + incr, 0xffffffff);
        this.counts[loc] = n;
        if (n > maxCount) maxCount = n;
      } else {
        for (let left = incr; left > 0; left--) {
          if (Math.random() < this.decayOf(this.counts[loc])) {
            this.counts[loc]--;
            if (this.counts[loc] === 0) {
              this.fps[loc] = fp;
              this.counts[loc] = left;
              if (left > maxCount) maxCount = left;
              break;
            }
          }
        }
      }
    }
    if (maxCount >= heapMin) {
      const at = this.findInHeap(item, fp);
      if (at >= 0) {
        this.heap[at].count = maxCount;
        this.heapifyDown(at);
      } else {
        const expelled = this.heap[0].item;
        this.setSlot(0, { count: maxCount, fp, item, pos: 0 });
        this.heapifyDown(0);
        return expelled;
      }
    }
    return null;
  }

  query(item: string): boolean {
    return this.findInHeap(item, murmur2(item, GA)) >= 0;
  }

  count(item: string): number {
    const fp = murmur2(item, GA);
    const heapMin = this.heap[0].count;
    const inHeap = this.findInHeap(item, fp) >= 0;
    let res = 0;
    const w = this.width;
    for (let i = 0; i < this.depth; i++) {
      const loc = i * w + (murmur2(item, i) % w);
      if (this.fps[loc] === fp && (!inHeap || this.counts[loc] >= heapMin)) res = Math.max(res, this.counts[loc]);
    }
    return res;
  }

  /** The top items, highest count first (empty slots omitted). */
  list(): { item: string; count: number }[] {
    const out: { item: string; count: number }[] = [];
    for (const e of this.heap) if (e.item !== null && e.count > 0) out.push({ item: e.item, count: e.count });
    out.sort((a, b) => b.count - a.count);
    return out;
  }

  memoryUsage(): number {
    let n = 64 + this.fps.length * 8 + this.k * 24;
    for (const e of this.heap) if (e.item !== null) n += e.item.length + 1;
    return n;
  }

  encoding(): string {
    return 'raw';
  }

  size(): number {
    return this.k;
  }

  serialize(): Buffer {
    const w = new Ser().num(this.k).num(this.width).num(this.depth).f64(this.decay);
    w.bytes(new Uint8Array(this.fps.buffer, this.fps.byteOffset, this.fps.byteLength));
    w.bytes(new Uint8Array(this.counts.buffer, this.counts.byteOffset, this.counts.byteLength));
    for (const e of this.heap) {
      w.num(e.count).num(e.fp).u8(e.item === null ? 0 : 1);
      if (e.item !== null) w.str(e.item);
    }
    return w.take();
  }

  static deserialize(b: Buffer): TopK {
    const r = new De(b);
    const k = r.count(0xffffffff);
    const width = r.count(0xffffffff);
    const depth = r.count(0xffffffff);
    const decay = r.f64();
    if (k < 1 || width < 1 || depth < 1 || !(decay > 0 && decay <= 1)) throw new Error('bad topk');
    const t = new TopK(k, width, depth, decay);
    const fps = r.bytes();
    const counts = r.bytes();
    if (fps.length !== width * depth * 4 || counts.length !== fps.length) throw new Error('bad topk');
    new Uint8Array(t.fps.buffer).set(fps);
    new Uint8Array(t.counts.buffer).set(counts);
    for (let i = 0; i < k; i++) {
      const count = r.count(0xffffffff);
      const fp = r.count(0xffffffff);
      const has = r.u8() === 1;
      t.setSlot(i, { count, fp, item: has ? r.str() : null, pos: i });
    }
    r.end();
    return t;
  }

  clone(): TopK {
    return TopK.deserialize(this.serialize());
  }

  digest(): string {
    return this.serialize().latin1Slice();
  }
}

/*
 * The candidate pool of the approximated LRU / LFU / TTL policies: a small
 * array (16 entries) of sampled keys sorted by score, ascending. Each
 * eviction round samples a few keys per database and offers them; the best
 * (highest score) entry that still exists is evicted. Keeping good
 * candidates across rounds makes a small sample size behave much closer to
 * exact LRU than sampling alone.
 *
 * Keys are sampled with a rotating cursor per database (a live Map or
 * KeyDict iterator, which stays valid while the dictionary changes), so that successive rounds see
 * different keys; a random skip spreads the samples.
 */

export const POOL_SIZE = 16;

export class EvictionPool {
  readonly scores: number[] = [];
  readonly keys: string[] = [];
  readonly dbs: number[] = [];

  get size(): number {
    return this.keys.length;
  }

  clear(): void {
    this.scores.length = 0;
    this.keys.length = 0;
    this.dbs.length = 0;
  }

  /** Offer a sampled key; kept when the pool has room or it beats the worst entry. */
  offer(score: number, key: string, dbid: number): void {
    const n = this.keys.length;
    for (let i = 0; i < n; i++) {
      if (this.keys[i] === key && this.dbs[i] === dbid) {
        // Already pooled: refresh its score (it may have been accessed since).
        this.removeAt(i);
        this.offer(score, key, dbid);
        return;
      }
    }
    let pos = 0;
    while (pos < n && this.scores[pos] < score) pos++;
    if (n >= POOL_SIZE) {
      if (pos === 0) return; // worse than everything pooled
      // Drop the worst (first) entry to make room.
      this.removeAt(0);
      pos--;
    }
    this.scores.splice(pos, 0, score);
    this.keys.splice(pos, 0, key);
    this.dbs.splice(pos, 0, dbid);
  }

  /** Remove and return the best entry, or null. */
  takeBest(): { key: string; dbid: number } | null {
    const n = this.keys.length;
    if (n === 0) return null;
    const key = this.keys[n - 1];
    const dbid = this.dbs[n - 1];
    this.removeAt(n - 1);
    return { key, dbid };
  }

  private removeAt(i: number): void {
    this.scores.splice(i, 1);
    this.keys.splice(i, 1);
    this.dbs.splice(i, 1);
  }
}

/** What a KeyCursor walks: a Map or a KeyDict (whose iterators are live too). */
export interface KeySource {
  readonly size: number;
  keys(): Iterator<string>;
}

/** A rotating cursor over the keys of one Map. */
export class KeyCursor {
  private it: Iterator<string> | null = null;
  constructor(private map: KeySource) {}

  /** Rebind to another Map (after FLUSHDB or SWAPDB). */
  bind(map: KeySource): void {
    if (map !== this.map) {
      this.map = map;
      this.it = null;
    }
  }

  /** The next key, wrapping around; undefined when the Map is empty. */
  next(): string | undefined {
    if (this.map.size === 0) return undefined;
    for (let pass = 0; pass < 2; pass++) {
      if (this.it === null) this.it = this.map.keys();
      const r = this.it.next();
      if (r.done !== true) return r.value;
      this.it = null;
    }
    return undefined;
  }
}

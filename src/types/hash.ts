/*
 * The hash type.
 *
 * Fields and values live in a JS Map of latin1 strings. Insertion order is
 * kept and an update leaves a field in place, as in the listpack Redis uses
 * for small hashes, so small hashes reply in the same order as Redis. The
 * OBJECT ENCODING Redis would report (listpack, or hashtable once a
 * threshold of hash-max-listpack-entries/value is crossed; one way) is
 * tracked beside it.
 *
 * Per-field expiry (Redis 7.4): `ttl` maps the fields that have one to
 * their absolute expiry time in ms, and `minTtl` is a lower bound of the
 * earliest of them (Infinity when none), so that "is anything due?" costs
 * one comparison. Removing due fields is the caller's job (it knows the key,
 * the clock and how to notify).
 */

import type { RObject } from './value';
import { RandomIndex } from './set';

/** The encoding thresholds (hash-max-listpack-entries/value). */
export interface HashLimits {
  maxEntries: number;
  maxValue: number;
}

const RANDOM_INDEX_MIN = 64;

export class HashObject implements RObject {
  readonly type = 'hash' as const;
  readonly map: Map<string, string>;
  /** hashtable encoding (else listpack). */
  big: boolean;
  /** A listpack that has seen field expiry commands (Redis 7.4's listpackex). */
  ex = false;
  /** Expiry time (ms) of the fields that have one; null when none ever had. */
  ttl: Map<string, number> | null = null;
  /** Lower bound of the earliest field expiry (Infinity when none). */
  minTtl = Infinity;
  private rnd: RandomIndex | null = null;

  constructor(map?: Map<string, string>, big = false) {
    this.map = map ?? new Map();
    this.big = big;
  }

  /** Build a hash from field/value pairs with the encoding Redis would pick for them. */
  static from(entries: Iterable<[string, string]>, lim: HashLimits): HashObject {
    const h = new HashObject();
    for (const [f, v] of entries) h.set(f, v, lim);
    return h;
  }

  encoding(): string {
    if (this.big) return 'hashtable';
    return this.ex ? 'listpackex' : 'listpack';
  }

  size(): number {
    return this.map.size;
  }

  get(field: string): string | undefined {
    return this.map.get(field);
  }

  has(field: string): boolean {
    return this.map.has(field);
  }

  /**
   * Before writing `pairs` field/value pairs taken from args[first..]:
   * convert when there are more pairs than a listpack holds or any
   * argument is too long (Redis's hashTypeTryConversion).
   */
  prepareWrite(args: string[], first: number, last: number, lim: HashLimits): void {
    if (this.big) return;
    if ((last - first + 1) >> 1 > lim.maxEntries) {
      this.big = true;
      return;
    }
    for (let i = first; i <= last; i++) {
      if (args[i].length > lim.maxValue) {
        this.big = true;
        return;
      }
    }
  }

  /**
   * Set a field. Returns true when the field is new. A TTL on the field is
   * dropped unless `keepTtl` (HINCRBY keeps it, HSET does not).
   */
  set(field: string, value: string, lim: HashLimits, keepTtl = false): boolean {
    if (!this.big && (field.length > lim.maxValue || value.length > lim.maxValue)) this.big = true;
    const m = this.map;
    const size = m.size;
    m.set(field, value);
    if (m.size === size) {
      if (!keepTtl && this.ttl !== null) this.ttl.delete(field);
      return false;
    }
    if (!this.big && m.size > lim.maxEntries) this.big = true;
    if (this.rnd !== null) this.rnd.add(field);
    return true;
  }

  delete(field: string): boolean {
    if (!this.map.delete(field)) return false;
    if (this.ttl !== null) this.ttl.delete(field);
    if (this.rnd !== null) this.rnd.remove(field);
    return true;
  }

  /** A uniformly random field (the hash must not be empty). */
  randomField(): string {
    const m = this.map;
    if (m.size < RANDOM_INDEX_MIN) {
      let i = Math.floor(Math.random() * m.size);
      for (const k of m.keys()) if (i-- === 0) return k;
    }
    if (this.rnd === null) this.rnd = new RandomIndex(m.keys());
    return this.rnd.random();
  }

  // --------------------------------------------------------------------------
  // Field expiry
  // --------------------------------------------------------------------------

  /** Expiry time of a field, or undefined when it has none. */
  getTtl(field: string): number | undefined {
    return this.ttl === null ? undefined : this.ttl.get(field);
  }

  /** Number of fields with an expiry time. */
  get volatileCount(): number {
    return this.ttl === null ? 0 : this.ttl.size;
  }

  setTtl(field: string, at: number): void {
    if (this.ttl === null) this.ttl = new Map();
    this.ttl.set(field, at);
    if (at < this.minTtl) this.minTtl = at;
  }

  /** Drop a field's expiry; returns whether it had one. */
  persist(field: string): boolean {
    return this.ttl !== null && this.ttl.delete(field);
  }

  /** Is `field` due (its expiry time reached) at `now`? */
  isDue(field: string, now: number): boolean {
    if (this.minTtl > now || this.ttl === null) return false;
    const at = this.ttl.get(field);
    return at !== undefined && at <= now;
  }

  /** Could some field be due at `now`? */
  hasDue(now: number): boolean {
    return this.minTtl <= now;
  }

  /**
   * Delete the fields due at `now` (at most `max`), returning their names, and
   * tighten `minTtl`. Fields are visited in the order their TTL was set.
   */
  removeDue(now: number, max = Infinity): string[] {
    const out: string[] = [];
    const t = this.ttl;
    if (t === null) {
      this.minTtl = Infinity;
      return out;
    }
    let min = Infinity;
    let complete = true;
    for (const [f, at] of t) {
      if (at <= now) {
        if (out.length >= max) {
          complete = false;
          min = at;
          break;
        }
        out.push(f);
        continue;
      }
      if (at < min) min = at;
    }
    for (const f of out) this.delete(f);
    // An interrupted walk only knows that something is still due.
    this.minTtl = complete ? min : Math.min(min, this.minTtl);
    return out;
  }

  clone(): HashObject {
    const h = new HashObject(new Map(this.map), this.big);
    h.ex = this.ex;
    if (this.ttl !== null && this.ttl.size !== 0) {
      h.ttl = new Map(this.ttl);
      h.minTtl = this.minTtl;
    }
    return h;
  }

  /** Order-independent text of the contents (DEBUG DIGEST). */
  digest(): string {
    const fields = [...this.map.keys()].sort();
    let out = '';
    for (const f of fields) {
      const v = this.map.get(f) as string;
      out += f.length + ':' + f + v.length + ':' + v;
      const at = this.ttl === null ? undefined : this.ttl.get(f);
      if (at !== undefined) out += '@' + at;
      out += ',';
    }
    return out;
  }

  /** Rough byte estimate in the spirit of Redis's MEMORY USAGE. */
  memoryUsage(): number {
    let bytes = 0;
    for (const [f, v] of this.map) bytes += f.length + v.length;
    const n = this.map.size;
    if (!this.big) return 16 + bytes + n * 4;
    return 64 + bytes + n * 48;
  }
}

export function isHashObject(v: unknown): v is HashObject {
  return v instanceof HashObject;
}

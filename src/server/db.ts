/*
 * One numbered database: the key dictionary and the expiry dictionary.
 *
 * Keys are latin1 strings. Expiry times live in a second Map (keys with a TTL
 * only), as in Redis. Reads go through `lookup`, which deletes a key whose
 * time has passed (lazy expiry); the active expiry cycle in the server samples
 * `expires` in the background. Every mutation reports to the owner through
 * the KeyspaceHooks so that WATCH, blocking pops, notifications, client
 * tracking and persistence learn about it without the data layer knowing them.
 */

import type { Value } from '../types/value';

export interface KeyspaceHooks {
  /** A key was expired lazily or actively: propagate, notify, invalidate. */
  onExpired(db: Database, key: string): void;
  /** Current time in ms (the server's clock). */
  now(): number;
  /** True while the server must not expire keys (e.g. a replica, or a paused expiry). */
  expiryPaused(): boolean;
  /** Optional: keys never count as expired right now (a replica applying its master's stream). */
  expiryIgnored?(): boolean;
  /** True when added keys must be reported to onNewKey ('new' keyspace events). */
  readonly newKeyEvents?: boolean;
  onNewKey?(db: Database, key: string): void;
}

export class Database {
  dict = new Map<string, Value>();
  expires = new Map<string, number>();
  /** Stats for INFO keyspace avg_ttl and active expiry. */
  avgTtl = 0;
  /** Keys are waited on by blocked clients (maintained by the blocking module). */
  blockingKeys: Map<string, unknown[]> | null = null;
  /** WATCHed keys → clients (maintained by the transactions module). */
  watchedKeys = new Map<string, Set<unknown>>();
  /**
   * Set by a running background snapshot (BGSAVE, AOF rewrite): called
   * before a key's value or TTL may change (`creating`: from set/update,
   * the key may be new; `read`: from a lookup, the value may still be
   * changed in place). Null otherwise, so it costs one check.
   */
  cowHook: ((db: Database, key: string, creating: boolean, read?: boolean) => void) | null = null;
  /** Per-key access data (LRU clock / LFU counter), kept by src/features/eviction.ts; null when unused. */
  meta: Map<string, number> | null = null;
  /** Estimated bytes of this db's keys and values (kept through memHook). */
  dataBytes = 0;
  /** Called before a key's value changes (`before`/`after` undefined: absent); null when unused. */
  memHook: ((db: Database, key: string, before: Value | undefined, after: Value | undefined) => void) | null = null;
  /** Called when a lookup finds a live key (LRU/LFU access tracking); null when unused. */
  touchHook: ((db: Database, key: string) => void) | null = null;

  constructor(public readonly id: number, private readonly hooks: KeyspaceHooks) {}

  get size(): number {
    return this.dict.size;
  }

  /** Is `key`'s time up? Deletes it if so (and reports it). */
  expireIfNeeded(key: string): boolean {
    const when = this.expires.get(key);
    if (when === undefined) return false;
    if (when > this.hooks.now()) return false;
    if (this.hooks.expiryPaused()) return this.hooks.expiryIgnored?.() !== true; // logically expired, but kept
    if (this.cowHook !== null) this.cowHook(this, key, false);
    if (this.memHook !== null) this.memHook(this, key, this.dict.get(key), undefined);
    this.dict.delete(key);
    this.expires.delete(key);
    this.hooks.onExpired(this, key);
    return true;
  }

  /** Value of `key`, or undefined when missing or expired. */
  lookup(key: string): Value | undefined {
    const v = this.dict.get(key);
    if (v === undefined) return undefined;
    if (this.cowHook !== null) this.cowHook(this, key, false, true);
    if (this.expires.size !== 0 && this.expires.has(key) && this.expireIfNeeded(key)) return undefined;
    if (this.touchHook !== null) this.touchHook(this, key);
    return v;
  }

  has(key: string): boolean {
    return this.lookup(key) !== undefined;
  }

  /** Store `value`, removing any TTL unless keepTtl. */
  set(key: string, value: Value, keepTtl = false): void {
    if (this.cowHook !== null) this.cowHook(this, key, true);
    if (this.memHook !== null) this.memHook(this, key, this.dict.get(key), value);
    if (this.hooks.newKeyEvents === true && !this.dict.has(key)) {
      this.dict.set(key, value);
      this.hooks.onNewKey?.(this, key);
    } else this.dict.set(key, value);
    if (!keepTtl && this.expires.size !== 0) this.expires.delete(key);
  }

  /** Replace the value of an existing key, keeping its TTL. */
  update(key: string, value: Value): void {
    if (this.cowHook !== null) this.cowHook(this, key, true);
    if (this.memHook !== null) this.memHook(this, key, this.dict.get(key), value);
    this.dict.set(key, value);
  }

  /** Remove a key. Returns whether it existed (live). */
  delete(key: string): boolean {
    const v = this.lookup(key);
    if (v === undefined) return false;
    if (this.memHook !== null) this.memHook(this, key, v, undefined);
    this.dict.delete(key);
    if (this.expires.size !== 0) this.expires.delete(key);
    return true;
  }

  setExpire(key: string, when: number): void {
    if (this.cowHook !== null) this.cowHook(this, key, false);
    this.expires.set(key, when);
  }

  getExpire(key: string): number | undefined {
    return this.expires.get(key);
  }

  persist(key: string): boolean {
    if (this.cowHook !== null) this.cowHook(this, key, false);
    return this.expires.delete(key);
  }

  clear(): number {
    const n = this.dict.size;
    this.dict = new Map();
    this.expires = new Map();
    this.dataBytes = 0;
    if (this.meta !== null) this.meta = new Map();
    return n;
  }

  /** Swap contents with another db (SWAPDB). */
  swapWith(other: Database): void {
    const d = this.dict;
    const e = this.expires;
    this.dict = other.dict;
    this.expires = other.expires;
    other.dict = d;
    other.expires = e;
    const m = this.meta;
    this.meta = other.meta;
    other.meta = m;
    const b = this.dataBytes;
    this.dataBytes = other.dataBytes;
    other.dataBytes = b;
  }
}

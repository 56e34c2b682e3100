/*
 * One numbered database: the key dictionary and the expiry dictionary.
 *
 * Keys are latin1 strings, kept in a KeyDict (src/server/keydict.ts: small
 * string entries off the V8 heap, with a per-key access field for LRU/LFU).
 * Expiry times live in a second Map (keys with a TTL
 * only), as in Redis. Reads go through `lookup`, which deletes a key whose
 * time has passed (lazy expiry); the active expiry cycle in the server samples
 * `expires` in the background. Every mutation reports to the owner through
 * the KeyspaceHooks so that WATCH, blocking pops, notifications, client
 * tracking and persistence learn about it without the data layer knowing them.
 */

import type { Value } from '../types/value';
import { KeyDict } from './keydict';

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
  dict = new KeyDict();
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
  /** Estimated bytes of this db's keys and values (kept through memHook). */
  dataBytes = 0;
  /**
   * Called when a key's value changes (`before`/`after` undefined: absent):
   * before a removal, after a store (so that the key exists). `before` may
   * be the length of a string value instead of the value (KeyDict.peek).
   * Null when unused.
   */
  memHook: ((db: Database, key: string, before: Value | number | undefined, after: Value | undefined) => void) | null = null;
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
    if (this.memHook !== null) this.memHook(this, key, this.dict.peek(key), undefined);
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

  /** As lookup(key) !== undefined, without making the value. */
  has(key: string): boolean {
    if (!this.dict.has(key)) return false;
    if (this.cowHook !== null) this.cowHook(this, key, false, true);
    if (this.expires.size !== 0 && this.expires.has(key) && this.expireIfNeeded(key)) return false;
    if (this.touchHook !== null) this.touchHook(this, key);
    return true;
  }

  /** Store `value`, removing any TTL unless keepTtl. */
  set(key: string, value: Value, keepTtl = false): void {
    if (this.cowHook !== null) this.cowHook(this, key, true);
    const before = this.dict.put(key, value);
    if (this.memHook !== null) this.memHook(this, key, before, value);
    if (before === undefined && this.hooks.newKeyEvents === true) this.hooks.onNewKey?.(this, key);
    if (!keepTtl && this.expires.size !== 0) this.expires.delete(key);
  }

  /** Replace the value of an existing key, keeping its TTL. */
  update(key: string, value: Value): void {
    if (this.cowHook !== null) this.cowHook(this, key, true);
    const before = this.dict.put(key, value);
    if (this.memHook !== null) this.memHook(this, key, before, value);
  }

  /** Remove a key. Returns whether it existed (live). */
  delete(key: string): boolean {
    if (!this.has(key)) return false;
    if (this.memHook !== null) this.memHook(this, key, this.dict.peek(key), undefined);
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
    this.dict = new KeyDict();
    this.expires = new Map();
    this.dataBytes = 0;
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
    const b = this.dataBytes;
    this.dataBytes = other.dataBytes;
    other.dataBytes = b;
  }
}

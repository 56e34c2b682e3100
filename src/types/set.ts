/*
 * The set type.
 *
 * Members live in a JS Set of latin1 strings (insertion ordered, like the
 * listpack Redis uses for small sets). The OBJECT ENCODING that Redis would
 * report is tracked beside it, with Redis 7.2's one-way conversion rules:
 * intset (only canonical int64 members, kept in ascending order), listpack
 * (small), hashtable (anything else). Random picks (SPOP, SRANDMEMBER) use a
 * swap-remove index that is built on first use for big sets, so they cost
 * O(1) instead of a walk.
 */

import type { RObject } from './value';

export const ENC_INTSET = 0;
export const ENC_LISTPACK = 1;
export const ENC_HASHTABLE = 2;
export type SetEncoding = typeof ENC_INTSET | typeof ENC_LISTPACK | typeof ENC_HASHTABLE;

const ENC_NAMES = ['intset', 'listpack', 'hashtable'];

/** The encoding thresholds (set-max-intset-entries, set-max-listpack-entries/value). */
export interface SetLimits {
  maxIntset: number;
  maxListpack: number;
  maxListpackValue: number;
}

/** Sizes at which walking the collection for a random pick is cheaper than keeping an index. */
const RANDOM_INDEX_MIN = 64;

/**
 * Uniform random access over a changing collection of strings: an array
 * plus positions, with swap-remove on delete.
 */
export class RandomIndex {
  private arr: string[] = [];
  private pos = new Map<string, number>();

  constructor(items: Iterable<string>) {
    for (const k of items) this.add(k);
  }

  /** Add an item that is not present. */
  add(k: string): void {
    this.pos.set(k, this.arr.length);
    this.arr.push(k);
  }

  remove(k: string): void {
    const i = this.pos.get(k);
    if (i === undefined) return;
    const last = this.arr.pop() as string;
    if (last !== k) {
      this.arr[i] = last;
      this.pos.set(last, i);
    }
    this.pos.delete(k);
  }

  random(): string {
    return this.arr[Math.floor(Math.random() * this.arr.length)];
  }
}

/** Is `s` the canonical text of an int64 (what Redis's string2ll accepts)? */
export function isInt64Text(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 20) return false;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return false;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 48) return n === 1; // "0" only, no leading zeros, no "-0"
  if (first < 49 || first > 57) return false;
  for (let j = i + 1; j < n; j++) {
    const ch = s.charCodeAt(j);
    if (ch < 48 || ch > 57) return false;
  }
  if (n - i < 19) return true;
  const b = BigInt(s);
  return b <= 9223372036854775807n && b >= -9223372036854775808n;
}

/** Ascending numeric order of canonical integer texts. */
function sortInts(items: string[]): string[] {
  let short = true;
  for (const s of items) {
    if (s.length > 15) {
      short = false;
      break;
    }
  }
  if (short) return items.sort((a, b) => Number(a) - Number(b));
  return items.sort((a, b) => {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/**
 * `count` distinct items out of `size` (count < size). Small or dense
 * samples draw positions (kept in collection order when `ordered`, as Redis
 * does for listpacks); sparse samples of big collections draw random items.
 */
export function sampleUnique(items: Iterable<string>, size: number, count: number, ordered: boolean, random: () => string): string[] {
  if (!ordered && count * 3 <= size) {
    const picked = new Set<string>();
    while (picked.size < count) picked.add(random());
    return [...picked];
  }
  const all = Array.isArray(items) ? (items as string[]).slice() : [...items];
  if (ordered) {
    // Choose which positions to drop or keep, then walk in order.
    const keep = new Uint8Array(size);
    const idx = new Int32Array(size);
    for (let i = 0; i < size; i++) idx[i] = i;
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (size - i));
      const t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
      keep[idx[i]] = 1;
    }
    const out: string[] = [];
    for (let i = 0; i < size; i++) if (keep[i]) out.push(all[i]);
    return out;
  }
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(Math.random() * (size - i));
    const t = all[i];
    all[i] = all[j];
    all[j] = t;
  }
  all.length = count;
  return all;
}

export class SetObject implements RObject {
  readonly type = 'set' as const;
  members: Set<string>;
  enc: SetEncoding;
  /** Intsets iterate in ascending order: cached sorted members (null = stale). */
  private sorted: string[] | null = null;
  private rnd: RandomIndex | null = null;

  constructor(enc: SetEncoding = ENC_LISTPACK, members?: Set<string>) {
    this.enc = enc;
    this.members = members ?? new Set();
  }

  /**
   * A new empty set able to hold `first`, sized for about `hint` members
   * (Redis's setTypeCreate).
   */
  static create(first: string, hint: number, lim: SetLimits): SetObject {
    if (hint <= intsetMax(lim) && isInt64Text(first)) return new SetObject(ENC_INTSET);
    if (hint <= lim.maxListpack) return new SetObject(ENC_LISTPACK);
    return new SetObject(ENC_HASHTABLE);
  }

  /** Build a set from members with the encoding Redis would pick when loading it. */
  static from(items: Iterable<string>, lim: SetLimits): SetObject {
    const s = new SetObject(ENC_INTSET);
    for (const m of items) s.add(m, lim);
    return s;
  }

  encoding(): string {
    return ENC_NAMES[this.enc];
  }

  size(): number {
    return this.members.size;
  }

  has(m: string): boolean {
    return this.members.has(m);
  }

  /** Convert ahead of adding about `hint` members (Redis's setTypeMaybeConvert). */
  maybeConvert(hint: number, lim: SetLimits): void {
    if ((this.enc === ENC_LISTPACK && hint > lim.maxListpack) || (this.enc === ENC_INTSET && hint > intsetMax(lim))) {
      this.enc = ENC_HASHTABLE;
      this.sorted = null;
    }
  }

  /** Add a member; returns false when it was already there. */
  add(m: string, lim: SetLimits): boolean {
    const ms = this.members;
    if (ms.has(m)) return false;
    if (this.enc === ENC_INTSET) {
      if (isInt64Text(m)) {
        ms.add(m);
        this.sorted = null;
        if (ms.size > intsetMax(lim)) this.enc = ENC_HASHTABLE;
      } else {
        // Listpack only if every present member and the new one fit.
        let maxLen = 0;
        for (const x of ms) if (x.length > maxLen) maxLen = x.length;
        if (ms.size < lim.maxListpack && m.length <= lim.maxListpackValue && maxLen <= lim.maxListpackValue) {
          // The listpack gets the intset's members in ascending order.
          this.members = new Set(sortInts([...ms]));
          this.enc = ENC_LISTPACK;
        } else this.enc = ENC_HASHTABLE;
        this.sorted = null;
        this.members.add(m);
      }
    } else if (this.enc === ENC_LISTPACK) {
      if (ms.size >= lim.maxListpack || m.length > lim.maxListpackValue) this.enc = ENC_HASHTABLE;
      ms.add(m);
    } else ms.add(m);
    if (this.rnd !== null) this.rnd.add(m);
    return true;
  }

  remove(m: string): boolean {
    if (!this.members.delete(m)) return false;
    if (this.sorted !== null) this.sorted = null;
    if (this.rnd !== null) this.rnd.remove(m);
    return true;
  }

  /** Members in Redis's iteration order (ascending for intsets). */
  iter(): Iterable<string> {
    if (this.enc !== ENC_INTSET) return this.members;
    if (this.sorted === null) this.sorted = sortInts([...this.members]);
    return this.sorted;
  }

  /** A uniformly random member (the set must not be empty). */
  random(): string {
    const ms = this.members;
    if (ms.size < RANDOM_INDEX_MIN) {
      let i = Math.floor(Math.random() * ms.size);
      for (const m of ms) if (i-- === 0) return m;
    }
    if (this.rnd === null) this.rnd = new RandomIndex(ms);
    return this.rnd.random();
  }

  /** Remove and return a random member (the set must not be empty). */
  pop(): string {
    const m = this.random();
    this.remove(m);
    return m;
  }

  /** Become an intset when every member is an integer and they are few enough (Redis's maybeConvertToIntset). */
  maybeToIntset(lim: SetLimits): void {
    if (this.enc === ENC_INTSET || this.members.size > intsetMax(lim)) return;
    for (const m of this.members) if (!isInt64Text(m)) return;
    this.enc = ENC_INTSET;
    this.sorted = null;
  }

  clone(): SetObject {
    const s = new SetObject(this.enc, new Set(this.members));
    return s;
  }

  /** Order-independent text of the contents (DEBUG DIGEST). */
  digest(): string {
    const all = [...this.members].sort();
    let out = '';
    for (const m of all) out += m.length + ':' + m + ',';
    return out;
  }

  /** Rough byte estimate in the spirit of Redis's MEMORY USAGE. */
  memoryUsage(): number {
    let bytes = 0;
    for (const m of this.members) bytes += m.length;
    const n = this.members.size;
    if (this.enc === ENC_INTSET) return 16 + n * 8;
    if (this.enc === ENC_LISTPACK) return 16 + bytes + n * 2;
    return 64 + bytes + n * 40;
  }
}

/** The intset size limit (capped at 2^30 as Redis does). */
export function intsetMax(lim: SetLimits): number {
  return lim.maxIntset >= 1 << 30 ? 1 << 30 : lim.maxIntset;
}

export function isSetObject(v: unknown): v is SetObject {
  return v instanceof SetObject;
}

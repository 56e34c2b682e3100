/*
 * KeyDict: the key dictionary of a database (a drop-in for the
 * Map<string, Value> it replaces), built to keep millions of small string
 * keys cheap in memory.
 *
 * Layout. Every entry has an id (its position in insertion order) that
 * indexes three typed arrays: `offs` (where its record lives in the arena),
 * `hashes` (its 30-bit hash plus two flag bits) and `access` (a 32-bit field
 * for the LRU clock / LFU counter, see src/eviction/access.ts). An
 * open-addressing table (linear probing, backward-shift deletion, no
 * tombstones) maps a key's hash to the ids of live entries.
 *
 * - An inline entry (a string value of at most INLINE_VALUE_MAX chars and a
 *   key of at most INLINE_KEY_MAX chars) is one record in the arena:
 *   [key length][value length][key bytes][value bytes], lengths on 1 byte
 *   (< 255) or 3 bytes (255, then 16 bits). Keys and values are latin1: one
 *   char per byte, so any binary string round-trips.
 * - A side-value entry (a Buffer, a collection object or a bigger string)
 *   keeps its key in the arena (a record with value length 0) and its value
 *   in the `sideVals` Map, by id.
 * - A side-key entry (a key longer than INLINE_KEY_MAX, or no arena address
 *   space left) has no record: key and value live in `sideKeys` / `sideVals`.
 *
 * The arena is a list of Buffers (chunks, up to CHUNK bytes each, addressed
 * as chunk index << CHUNK_BITS | offset), appended to: growth never copies
 * it. A record is rewritten in place when the new one is not longer,
 * otherwise appended and the old bytes become waste; deleted records too.
 * When the waste exceeds the live bytes (and 1 MB), the arena is compacted
 * (ids do not change). Deleted ids stay dead until the id arrays fill up (or
 * become mostly dead): then the live entries are renumbered in order and the
 * table rebuilt.
 *
 * Iteration is in insertion order, and iterators are live as Map's are: an
 * entry deleted before it is reached is skipped, an entry added later is
 * reached, overwriting does not move an entry, and a key present throughout
 * is returned exactly once. An iterator is a position (an id); renumbering
 * moves the positions of the iterators still in use (they are registered
 * through WeakRefs, so abandoned ones cost nothing).
 */

import type { Value } from '../types/value';

const CHUNK_BITS = 20;
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;
/** Chunk indices available: addresses stay below 0xFFF00000, clear of the sentinels. */
const MAX_CHUNKS = 4095;
const FIRST_CHUNK = 4096;

/** Longest key kept in the arena. */
export const INLINE_KEY_MAX = 1024;
/** Longest string value kept in the arena (longer ones are returned as is, with no copy). */
export const INLINE_VALUE_MAX = 512;

/** `offs` of a deleted id. */
const DEAD = 0xffffffff;
/** `offs` of a side-key entry (no record). */
const NOREC = 0xfffffffe;

const HASH_MASK = 0x3fffffff;
/** Flag bits in `hashes`. */
const SIDE_VAL = 0x40000000;
const SIDE_KEY = 0x80000000 | 0;

/** Bytes compacted only when the waste is at least this much. */
const MIN_WASTE = 1 << 20;

/**
 * The 30-bit hash of a key: MurmurHash3-style, four latin1 chars per round
 * (chars are bytes, so four fit in 32 bits), then the final avalanche.
 */
export function hashKey(s: string): number {
  const n = s.length;
  let h = n;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    let k = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (i < n) {
    let k = s.charCodeAt(i);
    if (i + 1 < n) k |= s.charCodeAt(i + 1) << 8;
    if (i + 2 < n) k |= s.charCodeAt(i + 2) << 16;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & HASH_MASK;
}

/** Where the length header read by the last lenAt() ends. */
let lenEnd = 0;

/** A record's key or value length: one byte, or 255 then two bytes little-endian. Sets lenEnd. */
function lenAt(b: Buffer, p: number): number {
  if (b[p] === 255) {
    lenEnd = p + 3;
    return b[p + 1] | (b[p + 2] << 8);
  }
  lenEnd = p + 1;
  return b[p];
}

/** Size in bytes of the record at b[p]: both headers, key and value. */
function recordBytes(b: Buffer, p: number): number {
  const klen = lenAt(b, p);
  const vlen = lenAt(b, lenEnd);
  return lenEnd - p + klen + vlen;
}

/** A latin1 string of `n` bytes of `b` from `p` (short ones without a native call). */
function str(b: Buffer, p: number, n: number): string {
  switch (n) {
    case 0:
      return '';
    case 1:
      return String.fromCharCode(b[p]);
    case 2:
      return String.fromCharCode(b[p], b[p + 1]);
    case 3:
      return String.fromCharCode(b[p], b[p + 1], b[p + 2]);
    case 4:
      return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3]);
    case 5:
      return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4]);
    case 6:
      return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5]);
    case 7:
      return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6]);
    case 8:
      return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7]);
    case 9:
      return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8]);
    case 10:
      return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9]);
    case 11:
      return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10]);
    case 12:
      return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11]);
    case 13:
      return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12]);
    case 14:
      return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13]);
    case 15:
      return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14]);
    case 16:
      return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15]);
    case 17:
      return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15], b[p + 16]);
    case 18:
      return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15], b[p + 16], b[p + 17]);
    case 19:
      return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15], b[p + 16], b[p + 17], b[p + 18]);
    case 20:
      return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15], b[p + 16], b[p + 17], b[p + 18], b[p + 19]);
    case 21:
      return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15], b[p + 16], b[p + 17], b[p + 18], b[p + 19], b[p + 20]);
    case 22:
      return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15], b[p + 16], b[p + 17], b[p + 18], b[p + 19], b[p + 20], b[p + 21]);
    case 23:
      return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15], b[p + 16], b[p + 17], b[p + 18], b[p + 19], b[p + 20], b[p + 21], b[p + 22]);
    case 24:
      return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9], b[p + 10], b[p + 11], b[p + 12], b[p + 13], b[p + 14], b[p + 15], b[p + 16], b[p + 17], b[p + 18], b[p + 19], b[p + 20], b[p + 21], b[p + 22], b[p + 23]);
    default:
      return b.latin1Slice(p, p + n);
  }
}

function putStr(b: Buffer, p: number, s: string): void {
  const n = s.length;
  if (n <= 32) for (let i = 0; i < n; i++) b[p + i] = s.charCodeAt(i);
  else b.latin1Write(s, p, n);
}

const hdrLen = (n: number): number => (n < 255 ? 1 : 3);

type Kind = 0 | 1 | 2;

/** A live iterator over a KeyDict (keys, values or [key, value] pairs). */
export class KeyDictIterator<T> implements IterableIterator<T> {
  /** Next id to look at; -1 when finished. */
  pos = 0;
  ref: WeakRef<KeyDictIterator<T>> | null = null;
  constructor(
    private readonly d: KeyDict,
    private readonly kind: Kind,
  ) {}

  next(): IteratorResult<T, undefined> {
    const d = this.d;
    let id = this.pos;
    if (id >= 0) {
      const end = d.nextId;
      const offs = d.offs;
      while (id < end) {
        if (offs[id] !== DEAD) {
          this.pos = id + 1;
          const k = this.kind;
          const value = (k === 0 ? d.keyAt(id) : k === 1 ? d.valueAt(id) : [d.keyAt(id), d.valueAt(id)]) as T;
          return { value, done: false };
        }
        id++;
      }
      this.finish();
    }
    return { value: undefined, done: true };
  }

  return(): IteratorResult<T, undefined> {
    this.finish();
    return { value: undefined, done: true };
  }

  private finish(): void {
    this.pos = -1;
    if (this.ref !== null) {
      this.d.unregister(this.ref as unknown as WeakRef<KeyDictIterator<unknown>>);
      this.ref = null;
    }
  }

  [Symbol.iterator](): this {
    return this;
  }
}

export class KeyDict {
  // Per-id arrays (public for the iterator; not part of the API).
  offs = new Uint32Array(8);
  hashes = new Int32Array(8);
  access = new Uint32Array(8);
  /** Ids handed out so far (live and dead). */
  nextId = 0;
  private count = 0;
  private dead = 0;

  private table = new Int32Array(16);
  private tmask = 15;

  private chunks: Buffer[] = [];
  /** Address of the first free byte of the last chunk, and the end of that chunk. */
  private top = 0;
  private topEnd = 0;
  private liveBytes = 0;
  private wasteBytes = 0;

  private sideVals = new Map<number, Value>();
  private sideKeys = new Map<number, string>();

  /** The last key found by get/set, for the access-data calls that follow. */
  private lastKey: string | null = null;
  private lastId = -1;

  private compacting = false;
  private iters: Set<WeakRef<KeyDictIterator<unknown>>> | null = null;
  private pruneAt = 64;

  get size(): number {
    return this.count;
  }

  // ---------------------------------------------------------------------------
  // Records
  // ---------------------------------------------------------------------------

  /** Slot of `key` in the table, or ~(the empty slot where it would go). */
  private findSlot(key: string, h: number): number {
    const table = this.table;
    const mask = this.tmask;
    const hashes = this.hashes;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = table[i];
      if (e === 0) return ~i;
      const id = e - 1;
      if ((hashes[id] & HASH_MASK) === h && this.keyIs(id, key)) return i;
    }
  }

  private keyIs(id: number, key: string): boolean {
    const off = this.offs[id];
    if (off === NOREC) return this.sideKeys.get(id) === key;
    const b = this.chunks[off >>> CHUNK_BITS];
    const klen = lenAt(b, off & CHUNK_MASK);
    if (klen !== key.length) return false;
    lenAt(b, lenEnd);
    const p = lenEnd;
    for (let i = 0; i < klen; i++) if (b[p + i] !== key.charCodeAt(i)) return false;
    return true;
  }

  /** The id of `key`, or -1. */
  private idOf(key: string): number {
    if (key === this.lastKey) return this.lastId;
    if (this.count === 0) return -1;
    const s = this.findSlot(key, hashKey(key));
    return s < 0 ? -1 : this.table[s] - 1;
  }

  /** Key of live id `id` (materialized from the arena). */
  keyAt(id: number): string {
    const off = this.offs[id];
    if (off === NOREC) return this.sideKeys.get(id) as string;
    const b = this.chunks[off >>> CHUNK_BITS];
    const klen = lenAt(b, off & CHUNK_MASK);
    lenAt(b, lenEnd);
    return str(b, lenEnd, klen);
  }

  /** Value of live id `id`. */
  valueAt(id: number): Value {
    if ((this.hashes[id] & SIDE_VAL) !== 0) return this.sideVals.get(id) as Value;
    const off = this.offs[id];
    const b = this.chunks[off >>> CHUNK_BITS];
    const klen = lenAt(b, off & CHUNK_MASK);
    const vlen = lenAt(b, lenEnd);
    return str(b, lenEnd + klen, vlen);
  }

  /** Length in bytes of the record at `off`. */
  private recordSize(off: number): number {
    return recordBytes(this.chunks[off >>> CHUNK_BITS], off & CHUNK_MASK);
  }

  /** Room for `n` bytes; returns the address, or -1 when the address space is used up. */
  private alloc(n: number): number {
    if (this.top + n > this.topEnd) {
      if (this.chunks.length >= MAX_CHUNKS) {
        if (this.wasteBytes > 0) this.compactArena();
        if (this.top + n > this.topEnd && this.chunks.length >= MAX_CHUNKS) return -1;
      }
      if (this.top + n > this.topEnd) {
        const last = this.chunks.length === 0 ? 0 : this.chunks[this.chunks.length - 1].length;
        const size = Math.max(n, Math.min(CHUNK, Math.max(FIRST_CHUNK, last * 2)));
        // The tail of the previous chunk stays unused.
        this.wasteBytes += this.topEnd - this.top;
        const idx = this.chunks.length;
        this.chunks.push(Buffer.allocUnsafeSlow(size));
        this.top = idx * CHUNK;
        this.topEnd = this.top + size;
      }
    }
    const at = this.top;
    this.top += n;
    this.liveBytes += n;
    return at;
  }

  /** Write a record at `at`: key, and the value when `v` is not null. */
  private writeRecord(at: number, key: string, v: string | null): void {
    const b = this.chunks[at >>> CHUNK_BITS];
    let p = at & CHUNK_MASK;
    const klen = key.length;
    const vlen = v === null ? 0 : v.length;
    if (klen < 255) b[p++] = klen;
    else {
      b[p] = 255;
      b[p + 1] = klen & 0xff;
      b[p + 2] = klen >>> 8;
      p += 3;
    }
    if (vlen < 255) b[p++] = vlen;
    else {
      b[p] = 255;
      b[p + 1] = vlen & 0xff;
      b[p + 2] = vlen >>> 8;
      p += 3;
    }
    putStr(b, p, key);
    if (v !== null) putStr(b, p + klen, v);
  }

  // ---------------------------------------------------------------------------
  // Map API
  // ---------------------------------------------------------------------------

  get(key: string): Value | undefined {
    // A hot key (a counter, a cache entry read in a pipeline) skips the hash and the probe.
    if (key === this.lastKey) return this.valueAt(this.lastId);
    if (this.count === 0) return undefined;
    const s = this.findSlot(key, hashKey(key));
    if (s < 0) return undefined;
    const id = this.table[s] - 1;
    this.lastKey = key;
    this.lastId = id;
    return this.valueAt(id);
  }

  has(key: string): boolean {
    if (this.count === 0) return false;
    return this.findSlot(key, hashKey(key)) >= 0;
  }

  /**
   * What an existing key holds, cheaply: the value itself when it is kept as
   * an object, or the length of an inline string (no string is made).
   * Undefined when the key is absent.
   */
  peek(key: string): Value | number | undefined {
    if (this.count === 0) return undefined;
    const s = this.findSlot(key, hashKey(key));
    if (s < 0) return undefined;
    const id = this.table[s] - 1;
    if ((this.hashes[id] & SIDE_VAL) !== 0) return this.sideVals.get(id);
    const off = this.offs[id];
    const b = this.chunks[off >>> CHUNK_BITS];
    lenAt(b, off & CHUNK_MASK);
    return lenAt(b, lenEnd);
  }

  set(key: string, v: Value): this {
    this.put(key, v);
    return this;
  }

  /**
   * set(), returning what the key held before as peek() would have: the
   * old value when it was kept as an object, the old length of an inline
   * string, undefined for a new key.
   */
  put(key: string, v: Value): Value | number | undefined {
    const inline = typeof v === 'string' && v.length <= INLINE_VALUE_MAX && key.length <= INLINE_KEY_MAX;
    if (key === this.lastKey) return this.overwrite(this.lastId, key, v, inline);
    const h = hashKey(key);
    let s = this.findSlot(key, h);
    if (s >= 0) {
      const id = this.table[s] - 1;
      this.lastKey = key;
      this.lastId = id;
      return this.overwrite(id, key, v, inline);
    }
    if (this.nextId === this.offs.length) {
      this.makeRoom();
      s = this.findSlot(key, h);
    }
    if ((this.count + 1) * 4 > this.table.length * 3) {
      this.rebuildTable(this.table.length * 2);
      s = this.findSlot(key, h);
    }
    const id = this.nextId++;
    this.count++;
    this.table[~s] = id + 1;
    this.access[id] = 0;
    this.lastKey = key;
    this.lastId = id;
    let at = -1;
    if (key.length <= INLINE_KEY_MAX) {
      const klen = key.length;
      const vlen = inline ? (v as string).length : 0;
      at = this.alloc(hdrLen(klen) + hdrLen(vlen) + klen + vlen);
      if (at >= 0) this.writeRecord(at, key, inline ? (v as string) : null);
    }
    if (at < 0) {
      this.offs[id] = NOREC;
      this.hashes[id] = h | SIDE_VAL | SIDE_KEY;
      this.sideKeys.set(id, key);
      this.sideVals.set(id, v);
    } else if (inline) {
      this.offs[id] = at;
      this.hashes[id] = h;
    } else {
      this.offs[id] = at;
      this.hashes[id] = h | SIDE_VAL;
      this.sideVals.set(id, v);
    }
    return undefined;
  }

  /** New value for live id `id` (same position in the order). */
  private overwrite(id: number, key: string, v: Value, inline: boolean): Value | number {
    const off = this.offs[id];
    const f = this.hashes[id];
    if (off === NOREC) {
      const prev = this.sideVals.get(id) as Value;
      this.sideVals.set(id, v);
      return prev;
    }
    let prev: Value | number;
    if ((f & SIDE_VAL) !== 0) prev = this.sideVals.get(id) as Value;
    else {
      const b = this.chunks[off >>> CHUNK_BITS];
      const klen = lenAt(b, off & CHUNK_MASK);
      let p = lenEnd;
      const ovlen = lenAt(b, p);
      prev = ovlen;
      if (inline) {
        const vlen = (v as string).length;
        if (vlen <= ovlen && (vlen < 255) === (ovlen < 255)) {
          // Same header layout, no longer: only the value changes.
          if (vlen < 255) b[p++] = vlen;
          else {
            b[p + 1] = vlen & 0xff;
            b[p + 2] = vlen >>> 8;
            p += 3;
          }
          putStr(b, p + klen, v as string);
          this.liveBytes -= ovlen - vlen;
          this.wasteBytes += ovlen - vlen;
          return prev;
        }
      }
    }
    if (!inline) {
      if ((f & SIDE_VAL) === 0) {
        // Inline → side: rewrite the record without its value (it shrinks in place).
        const old = this.recordSize(off);
        this.writeRecord(off, key, null);
        const now = this.recordSize(off);
        this.liveBytes -= old - now;
        this.wasteBytes += old - now;
        this.hashes[id] = f | SIDE_VAL;
      }
      this.sideVals.set(id, v);
      return prev;
    }
    const sv = v as string;
    const old = this.recordSize(off);
    const klen = key.length;
    const need = hdrLen(klen) + hdrLen(sv.length) + klen + sv.length;
    if ((f & SIDE_VAL) !== 0) {
      this.sideVals.delete(id);
      this.hashes[id] = f & ~SIDE_VAL;
    }
    if (need <= old) {
      this.writeRecord(off, key, sv);
      this.liveBytes -= old - need;
      this.wasteBytes += old - need;
      return prev;
    }
    const at = this.alloc(need);
    this.liveBytes -= old;
    this.wasteBytes += old;
    if (at < 0) {
      this.offs[id] = NOREC;
      this.hashes[id] = f | SIDE_VAL | SIDE_KEY;
      this.sideKeys.set(id, key);
      this.sideVals.set(id, v);
    } else {
      this.writeRecord(at, key, sv);
      this.offs[id] = at;
    }
    this.maybeCompact();
    return prev;
  }

  delete(key: string): boolean {
    if (this.count === 0) return false;
    const s = this.findSlot(key, hashKey(key));
    if (s < 0) return false;
    const id = this.table[s] - 1;
    this.removeSlot(s);
    const off = this.offs[id];
    if (off !== NOREC) {
      const n = this.recordSize(off);
      this.liveBytes -= n;
      this.wasteBytes += n;
    } else this.sideKeys.delete(id);
    if ((this.hashes[id] & SIDE_VAL) !== 0) this.sideVals.delete(id);
    this.offs[id] = DEAD;
    this.count--;
    this.dead++;
    if (this.lastId === id) {
      this.lastKey = null;
      this.lastId = -1;
    }
    if (this.count === 0) {
      // Empty: start afresh (live iterators move to the start, where new keys will be).
      this.clear();
      return true;
    }
    if (this.offs.length > 1024 && this.count * 8 < this.offs.length) this.renumber(this.offs.length >>> 1);
    this.maybeCompact();
    return true;
  }

  /** Backward-shift deletion of table slot `i`. */
  private removeSlot(i: number): void {
    const table = this.table;
    const mask = this.tmask;
    const hashes = this.hashes;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const e = table[j];
      if (e === 0) break;
      const home = hashes[e - 1] & mask;
      // The entry at j may move to i unless its home lies cyclically in (i, j].
      const stays = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!stays) {
        table[i] = e;
        i = j;
      }
    }
    table[i] = 0;
  }

  clear(): void {
    this.reset();
    if (this.iters !== null) {
      for (const r of this.iters) {
        const it = r.deref();
        if (it !== undefined && it.pos > 0) it.pos = 0;
      }
    }
  }

  private reset(): void {
    this.offs = new Uint32Array(8);
    this.hashes = new Int32Array(8);
    this.access = new Uint32Array(8);
    this.nextId = 0;
    this.count = 0;
    this.dead = 0;
    this.table = new Int32Array(16);
    this.tmask = 15;
    this.chunks = [];
    this.top = 0;
    this.topEnd = 0;
    this.liveBytes = 0;
    this.wasteBytes = 0;
    this.sideVals = new Map();
    this.sideKeys = new Map();
    this.lastKey = null;
    this.lastId = -1;
  }

  keys(): KeyDictIterator<string> {
    return this.register(new KeyDictIterator<string>(this, 0));
  }

  values(): KeyDictIterator<Value> {
    return this.register(new KeyDictIterator<Value>(this, 1));
  }

  entries(): KeyDictIterator<[string, Value]> {
    return this.register(new KeyDictIterator<[string, Value]>(this, 2));
  }

  [Symbol.iterator](): KeyDictIterator<[string, Value]> {
    return this.entries();
  }

  forEach(fn: (value: Value, key: string, dict: KeyDict) => void): void {
    for (const [k, v] of this.entries()) fn(v, k, this);
  }

  /** A uniformly random key, or undefined when empty. */
  randomKey(): string | undefined {
    if (this.count === 0) return undefined;
    if (this.dead * 2 <= this.nextId) {
      for (;;) {
        const id = Math.floor(Math.random() * this.nextId);
        if (this.offs[id] !== DEAD) return this.keyAt(id);
      }
    }
    let i = Math.floor(Math.random() * this.count);
    for (let id = 0; id < this.nextId; id++) if (this.offs[id] !== DEAD && i-- === 0) return this.keyAt(id);
    return undefined;
  }

  // ---------------------------------------------------------------------------
  // Access data (LRU clock / LFU counter), one 32-bit field per key
  // ---------------------------------------------------------------------------

  /** The access field of `key`, or undefined when the key is absent. */
  getAccess(key: string): number | undefined {
    const id = this.idOf(key);
    return id < 0 ? undefined : this.access[id];
  }

  /** Set the access field of an existing key; false when the key is absent. */
  setAccess(key: string, n: number): boolean {
    const id = this.idOf(key);
    if (id < 0) return false;
    this.access[id] = n;
    return true;
  }

  // ---------------------------------------------------------------------------
  // Memory figures
  // ---------------------------------------------------------------------------

  /** Bytes held outside the V8 heap's objects: arena chunks, table and per-id arrays. */
  get storeBytes(): number {
    let n = this.table.byteLength + this.offs.byteLength + this.hashes.byteLength + this.access.byteLength;
    for (const c of this.chunks) n += c.length;
    return n;
  }

  /** Entries kept in the side maps (values that are not small strings). */
  get sideCount(): number {
    return this.sideVals.size;
  }

  // ---------------------------------------------------------------------------
  // Growth and compaction
  // ---------------------------------------------------------------------------

  /** The id arrays are full: renumber when a quarter is dead, else grow them. */
  private makeRoom(): void {
    const cap = this.offs.length;
    if (this.dead * 4 >= cap) {
      this.renumber(this.count * 4 < cap && cap > 8 ? cap >>> 1 : cap);
      return;
    }
    const n = cap * 2;
    const o = new Uint32Array(n);
    o.set(this.offs);
    this.offs = o;
    const h = new Int32Array(n);
    h.set(this.hashes);
    this.hashes = h;
    const a = new Uint32Array(n);
    a.set(this.access);
    this.access = a;
  }

  private rebuildTable(cap: number): void {
    const table = new Int32Array(cap);
    const mask = cap - 1;
    const offs = this.offs;
    const hashes = this.hashes;
    for (let id = 0; id < this.nextId; id++) {
      if (offs[id] === DEAD) continue;
      let i = hashes[id] & mask;
      while (table[i] !== 0) i = (i + 1) & mask;
      table[i] = id + 1;
    }
    this.table = table;
    this.tmask = mask;
  }

  /** Give the live entries ids 0..count-1 (in order) in arrays of `cap`, moving live iterators along. */
  private renumber(cap: number): void {
    cap = Math.max(8, cap, this.count);
    const its: KeyDictIterator<unknown>[] = [];
    if (this.iters !== null) {
      for (const r of this.iters) {
        const it = r.deref();
        if (it === undefined || it.pos < 0) this.iters.delete(r);
        else its.push(it);
      }
      its.sort((a, b) => a.pos - b.pos);
    }
    const offs = new Uint32Array(cap);
    const hashes = new Int32Array(cap);
    const access = new Uint32Array(cap);
    const sideVals = new Map<number, Value>();
    const sideKeys = new Map<number, string>();
    const oo = this.offs;
    const oh = this.hashes;
    const oa = this.access;
    let n = 0;
    let k = 0;
    for (let id = 0; id < this.nextId; id++) {
      while (k < its.length && its[k].pos <= id) its[k++].pos = n;
      const off = oo[id];
      if (off === DEAD) continue;
      offs[n] = off;
      hashes[n] = oh[id];
      access[n] = oa[id];
      if ((oh[id] & SIDE_VAL) !== 0) sideVals.set(n, this.sideVals.get(id) as Value);
      if (off === NOREC) sideKeys.set(n, this.sideKeys.get(id) as string);
      n++;
    }
    while (k < its.length) its[k++].pos = n;
    this.offs = offs;
    this.hashes = hashes;
    this.access = access;
    this.sideVals = sideVals;
    this.sideKeys = sideKeys;
    this.nextId = n;
    this.dead = 0;
    this.lastKey = null;
    this.lastId = -1;
    let tcap = 16;
    while (tcap * 3 < (n + 1) * 4) tcap *= 2;
    this.rebuildTable(tcap);
  }

  private maybeCompact(): void {
    if (this.wasteBytes > MIN_WASTE && this.wasteBytes > this.liveBytes) this.compactArena();
  }

  /** Copy the live records into fresh chunks (ids do not change). */
  private compactArena(): void {
    if (this.compacting) return;
    this.compacting = true;
    const old = this.chunks;
    this.chunks = [];
    this.top = 0;
    this.topEnd = 0;
    this.liveBytes = 0;
    this.wasteBytes = 0;
    const offs = this.offs;
    for (let id = 0; id < this.nextId; id++) {
      const off = offs[id];
      if (off === DEAD || off === NOREC) continue;
      const src = old[off >>> CHUNK_BITS];
      const p = off & CHUNK_MASK;
      // recordSize reads through this.chunks: measure in the old chunk directly.
      const n = recordBytes(src, p);
      const at = this.alloc(n);
      const dst = this.chunks[at >>> CHUNK_BITS];
      const d0 = at & CHUNK_MASK;
      if (n <= 64) for (let i = 0; i < n; i++) dst[d0 + i] = src[p + i];
      else src.copy(dst, d0, p, p + n);
      offs[id] = at;
    }
    this.compacting = false;
  }

  // ---------------------------------------------------------------------------
  // Iterator registry
  // ---------------------------------------------------------------------------

  private register<T>(it: KeyDictIterator<T>): KeyDictIterator<T> {
    if (this.iters === null) this.iters = new Set();
    const r = new WeakRef(it);
    it.ref = r;
    this.iters.add(r as unknown as WeakRef<KeyDictIterator<unknown>>);
    if (this.iters.size > this.pruneAt) {
      for (const x of this.iters) {
        const i = x.deref();
        if (i === undefined || i.pos < 0) this.iters.delete(x);
      }
      this.pruneAt = Math.max(64, this.iters.size * 2);
    }
    return it;
  }

  /** An iterator is finished (called by the iterator). */
  unregister(r: WeakRef<KeyDictIterator<unknown>>): void {
    this.iters?.delete(r);
  }
}

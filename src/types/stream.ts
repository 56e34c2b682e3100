/*
 * The stream type: an append-only log of entries (ID + field/value pairs)
 * with consumer groups.
 *
 * Storage. Entries live in blocks (the equivalent of Redis's listpack nodes),
 * kept in a sorted array searched by binary search on each block's first ID
 * (its "master" ID, the radix tree key in Redis). A block holds its IDs in a
 * BigUint64Array (ms, seq pairs: IDs are unsigned 64-bit numbers), one flags
 * byte per entry (deleted, same-fields), and its strings in one flat array: an
 * entry whose field names equal the block's master fields (those of the first
 * entry added to the block) stores only its values. A block is closed when it
 * reaches stream-node-max-entries (live + deleted) or when its estimated
 * listpack size would reach stream-node-max-bytes, exactly when Redis would
 * start a new node, so approximate trimming (which removes whole nodes) and
 * XINFO's node counts behave as in Redis. Deleted entries stay as tombstones
 * until their block has no live entry left, as in Redis.
 *
 * Consumer groups keep their pending entries (NACKs) in a PendingList: a
 * chunked sorted list keyed by ID, shared by the group and its consumers (the
 * same NACK object sits in the group list and in its consumer's list).
 *
 * For persistence (RDB/AOF writers): `blocks` (with `idMs/idSeq/isDeleted/
 * numFields/field/value`), `length`, `lastId`, `maxDeletedId`, `entriesAdded`,
 * `firstId()`, `groups` (name → ConsumerGroup with `lastId`, `entriesRead`,
 * `pel`, `consumers`) are the whole state; `appendEntry`, `createGroup` and
 * the PendingList methods rebuild it.
 *
 * Nothing here knows the protocol.
 */

import type { RObject } from './value';

// ----------------------------------------------------------------------------
// Stream IDs
// ----------------------------------------------------------------------------

export interface StreamID {
  ms: bigint;
  seq: bigint;
}

export const U64_MAX = 0xffffffffffffffffn;
export const MIN_ID: StreamID = Object.freeze({ ms: 0n, seq: 0n }) as StreamID;
export const MAX_ID: StreamID = Object.freeze({ ms: U64_MAX, seq: U64_MAX }) as StreamID;

export function cmpId(a: StreamID, b: StreamID): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

function cmpRaw(ams: bigint, aseq: bigint, bms: bigint, bseq: bigint): number {
  if (ams !== bms) return ams < bms ? -1 : 1;
  if (aseq !== bseq) return aseq < bseq ? -1 : 1;
  return 0;
}

export function idStr(id: StreamID): string {
  return `${id.ms}-${id.seq}`;
}

export function isZeroId(id: StreamID): boolean {
  return id.ms === 0n && id.seq === 0n;
}

/** The ID right after `id`, or null when `id` is the largest possible. */
export function incrId(id: StreamID): StreamID | null {
  if (id.seq === U64_MAX) {
    if (id.ms === U64_MAX) return null;
    return { ms: id.ms + 1n, seq: 0n };
  }
  return { ms: id.ms, seq: id.seq + 1n };
}

/** The ID right before `id`, or null when `id` is 0-0. */
export function decrId(id: StreamID): StreamID | null {
  if (id.seq === 0n) {
    if (id.ms === 0n) return null;
    return { ms: id.ms - 1n, seq: U64_MAX };
  }
  return { ms: id.ms, seq: id.seq - 1n };
}

function isSpace(ch: number): boolean {
  return ch === 32 || (ch >= 9 && ch <= 13);
}

/**
 * Parse an unsigned 64-bit integer as Redis's string2ull: canonical int64
 * first (negative refused), then strtoull rules (leading spaces, a sign,
 * digits to the end; a '-' wraps modulo 2^64; overflow refused).
 */
export function parseU64(s: string): bigint | null {
  const n = s.length;
  if (n === 0) return null;
  // Fast path: plain digits.
  let plain = n <= 15;
  for (let i = 0; plain && i < n; i++) {
    const ch = s.charCodeAt(i);
    if (ch < 48 || ch > 57) plain = false;
  }
  if (plain) return BigInt(s);
  let i = 0;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  let neg = false;
  if (i < n && (s[i] === '+' || s[i] === '-')) {
    neg = s[i] === '-';
    i++;
  }
  const start = i;
  while (i < n) {
    const ch = s.charCodeAt(i);
    if (ch < 48 || ch > 57) return null;
    i++;
  }
  if (i === start) return null;
  let v = BigInt(s.slice(start));
  if (v > U64_MAX) return null;
  if (neg) {
    // A canonical negative int64 is refused by string2ll before strtoull sees it.
    if (v <= 9223372036854775808n && /^-[1-9][0-9]*$/.test(s)) return null;
    v = (U64_MAX + 1n - v) & U64_MAX;
  }
  return v;
}

export interface ParsedID extends StreamID {
  /** False for the `<ms>-*` form (sequence to be generated). */
  seqGiven: boolean;
}

/**
 * Parse a stream ID argument. `-` and `+` are the smallest and largest IDs
 * (refused when `strict`); `<ms>` alone takes `missingSeq`; `<ms>-*` is
 * accepted only when `allowSeqWildcard`. Null when invalid.
 */
export function parseStreamId(s: string, missingSeq: bigint, strict: boolean, allowSeqWildcard = false): ParsedID | null {
  if (s.length > 127) return null;
  // Redis copies the argument as a C string: an embedded NUL ends it.
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  if (s === '-' || s === '+') {
    if (strict) return null;
    return s === '-' ? { ms: 0n, seq: 0n, seqGiven: true } : { ms: U64_MAX, seq: U64_MAX, seqGiven: true };
  }
  const dash = s.indexOf('-');
  const ms = parseU64(dash >= 0 ? s.slice(0, dash) : s);
  if (ms === null) return null;
  if (dash < 0) return { ms, seq: missingSeq, seqGiven: true };
  const rest = s.slice(dash + 1);
  if (allowSeqWildcard && rest === '*') return { ms, seq: 0n, seqGiven: false };
  const seq = parseU64(rest);
  if (seq === null) return null;
  return { ms, seq, seqGiven: true };
}

// ----------------------------------------------------------------------------
// Listpack size estimates (to split blocks where Redis splits nodes)
// ----------------------------------------------------------------------------

function lpIntSize(v: number): number {
  if (v >= 0 && v <= 127) return 2;
  if (v >= -4096 && v <= 4095) return 3;
  if (v >= -32768 && v <= 32767) return 4;
  if (v >= -8388608 && v <= 8388607) return 5;
  if (v >= -2147483648 && v <= 2147483647) return 6;
  return 10;
}

function lpBigIntSize(v: bigint): number {
  if (v >= -2147483648n && v <= 2147483647n) return lpIntSize(Number(v));
  return 10;
}

function backlenSize(l: number): number {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

/** Is `s` stored as an integer by listpack (canonical int64 text)? */
function lpIntValue(s: string): number | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return null;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 48) return n === 1 ? 0 : null;
  for (; i < n; i++) {
    const ch = s.charCodeAt(i);
    if (ch < 48 || ch > 57) return null;
  }
  if (n >= 19) {
    const b = BigInt(s);
    if (b > 9223372036854775807n || b < -9223372036854775808n) return null;
    return b >= -2147483648n && b <= 2147483647n ? Number(b) : 2 ** 40;
  }
  return Number(s);
}

function lpStrSize(s: string): number {
  const iv = lpIntValue(s);
  if (iv !== null) return lpIntSize(iv);
  const l = s.length;
  const enc = l < 64 ? 1 + l : l < 4096 ? 2 + l : 5 + l;
  return enc + backlenSize(enc);
}

// ----------------------------------------------------------------------------
// Blocks
// ----------------------------------------------------------------------------

const F_DELETED = 1;
const F_SAMEFIELDS = 2;

export class StreamBlock {
  /** ms, seq of each entry. */
  ids: BigUint64Array;
  flags: Uint8Array;
  /** Entry i's strings are items[starts[i] .. starts[i+1]). */
  starts: Uint32Array;
  items: string[] = [];
  /** Entries in the block, deleted ones included. */
  n = 0;
  /** Live entries. */
  live = 0;
  /** Field names of the first entry added (the master entry). */
  readonly masterFields: string[];
  /** The master ID (first entry's ID). */
  readonly masterMs: bigint;
  readonly masterSeq: bigint;
  /** Estimated size of the equivalent listpack. */
  lpBytes: number;

  constructor(masterMs: bigint, masterSeq: bigint, masterFields: string[], cap = 4) {
    this.masterMs = masterMs;
    this.masterSeq = masterSeq;
    this.masterFields = masterFields;
    this.ids = new BigUint64Array(cap * 2);
    this.flags = new Uint8Array(cap);
    this.starts = new Uint32Array(cap + 1);
    // Header + end byte, master count/deleted/num-fields, fields, terminator.
    let b = 7 + 2 + 2 + lpIntSize(masterFields.length) + 2;
    for (const f of masterFields) b += lpStrSize(f);
    this.lpBytes = b;
  }

  private grow(): void {
    const cap = this.flags.length * 2;
    const ids = new BigUint64Array(cap * 2);
    ids.set(this.ids);
    this.ids = ids;
    const flags = new Uint8Array(cap);
    flags.set(this.flags);
    this.flags = flags;
    const starts = new Uint32Array(cap + 1);
    starts.set(this.starts);
    this.starts = starts;
  }

  idMs(i: number): bigint {
    return this.ids[2 * i];
  }

  idSeq(i: number): bigint {
    return this.ids[2 * i + 1];
  }

  id(i: number): StreamID {
    return { ms: this.ids[2 * i], seq: this.ids[2 * i + 1] };
  }

  isDeleted(i: number): boolean {
    return (this.flags[i] & F_DELETED) !== 0;
  }

  numFields(i: number): number {
    const cnt = this.starts[i + 1] - this.starts[i];
    return this.flags[i] & F_SAMEFIELDS ? cnt : cnt >> 1;
  }

  field(i: number, k: number): string {
    if (this.flags[i] & F_SAMEFIELDS) return this.masterFields[k];
    return this.items[this.starts[i] + 2 * k];
  }

  value(i: number, k: number): string {
    if (this.flags[i] & F_SAMEFIELDS) return this.items[this.starts[i] + k];
    return this.items[this.starts[i] + 2 * k + 1];
  }

  /** The fields and values of entry i, flat. */
  entryPairs(i: number): string[] {
    const nf = this.numFields(i);
    const out = new Array<string>(nf * 2);
    for (let k = 0; k < nf; k++) {
      out[2 * k] = this.field(i, k);
      out[2 * k + 1] = this.value(i, k);
    }
    return out;
  }

  /** Index of the entry with this ID (deleted or not), or -1. */
  indexOf(ms: bigint, seq: bigint): number {
    let lo = 0;
    let hi = this.n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = cmpRaw(this.ids[2 * mid], this.ids[2 * mid + 1], ms, seq);
      if (c === 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** First index whose ID is >= (ms, seq) (n when none). */
  lowerBound(ms: bigint, seq: bigint): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmpRaw(this.ids[2 * mid], this.ids[2 * mid + 1], ms, seq) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Last index whose ID is <= (ms, seq) (-1 when none). */
  upperBoundIncl(ms: bigint, seq: bigint): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmpRaw(this.ids[2 * mid], this.ids[2 * mid + 1], ms, seq) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** Do `pairs[from..to)` (field, value, ...) use exactly the master fields? */
  sameFields(pairs: readonly string[], from: number, to: number): boolean {
    const mf = this.masterFields;
    if ((to - from) >> 1 !== mf.length) return false;
    for (let k = 0; k < mf.length; k++) if (pairs[from + 2 * k] !== mf[k]) return false;
    return true;
  }

  /** Append an entry (the caller checked it belongs here). */
  append(ms: bigint, seq: bigint, pairs: readonly string[], from: number, to: number): void {
    if (this.n === this.flags.length) this.grow();
    const i = this.n;
    this.ids[2 * i] = ms;
    this.ids[2 * i + 1] = seq;
    const same = this.sameFields(pairs, from, to);
    this.flags[i] = same ? F_SAMEFIELDS : 0;
    const items = this.items;
    let bytes = 2 + lpBigIntSize(ms - this.masterMs) + lpBigIntSize(seq - this.masterSeq);
    let elems = 3;
    if (same) {
      for (let k = from + 1; k < to; k += 2) {
        items.push(pairs[k]);
        bytes += lpStrSize(pairs[k]);
      }
      elems += (to - from) >> 1;
    } else {
      const nf = (to - from) >> 1;
      bytes += lpIntSize(nf);
      for (let k = from; k < to; k++) {
        items.push(pairs[k]);
        bytes += lpStrSize(pairs[k]);
      }
      elems += 1 + (to - from);
    }
    bytes += lpIntSize(elems);
    // The master count grows by one (its encoding may widen).
    bytes += lpIntSize(this.live + 1) - lpIntSize(this.live);
    this.lpBytes += bytes;
    this.n++;
    this.live++;
    this.starts[this.n] = items.length;
  }

  /** Mark entry i deleted (it must be live). */
  markDeleted(i: number): void {
    const deletedBefore = this.n - this.live;
    this.flags[i] |= F_DELETED;
    this.lpBytes += lpIntSize(this.live - 1) - lpIntSize(this.live);
    this.lpBytes += lpIntSize(deletedBefore + 1) - lpIntSize(deletedBefore);
    this.live--;
    // Release the strings of the tombstone.
    const items = this.items;
    for (let k = this.starts[i]; k < this.starts[i + 1]; k++) items[k] = '';
  }

  /** First live index >= i, or -1. */
  nextLive(i: number): number {
    for (; i < this.n; i++) if (!(this.flags[i] & F_DELETED)) return i;
    return -1;
  }

  /** Last live index <= i, or -1. */
  prevLive(i: number): number {
    for (; i >= 0; i--) if (!(this.flags[i] & F_DELETED)) return i;
    return -1;
  }

  clone(): StreamBlock {
    const b = new StreamBlock(this.masterMs, this.masterSeq, this.masterFields, 1);
    b.ids = this.ids.slice();
    b.flags = this.flags.slice();
    b.starts = this.starts.slice();
    b.items = this.items.slice();
    b.n = this.n;
    b.live = this.live;
    b.lpBytes = this.lpBytes;
    return b;
  }

  memoryUsage(): number {
    let m = 120 + this.ids.byteLength + this.flags.byteLength + this.starts.byteLength + this.items.length * 8;
    for (const s of this.items) m += s.length + 16;
    return m;
  }
}

// ----------------------------------------------------------------------------
// Pending entries lists
// ----------------------------------------------------------------------------

export interface NACK {
  ms: bigint;
  seq: bigint;
  /** Last delivery time (ms). */
  deliveryTime: number;
  deliveryCount: number;
  /** Null only transiently (XCLAIM FORCE creates an unowned NACK). */
  consumer: Consumer | null;
}

const CHUNK_MAX = 512;

/** NACKs sorted by ID, in chunks (cheap inserts and deletes anywhere). */
export class PendingList {
  private chunks: NACK[][] = [];
  size = 0;

  /** Index of the chunk that may hold (ms, seq): the last whose first <= key. */
  private chunkFor(ms: bigint, seq: bigint): number {
    const ch = this.chunks;
    let lo = 0;
    let hi = ch.length - 1;
    let ans = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const f = ch[mid][0];
      if (cmpRaw(f.ms, f.seq, ms, seq) <= 0) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans;
  }

  private static lowerBound(a: NACK[], ms: bigint, seq: bigint): number {
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmpRaw(a[mid].ms, a[mid].seq, ms, seq) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get(ms: bigint, seq: bigint): NACK | undefined {
    if (this.size === 0) return undefined;
    const a = this.chunks[this.chunkFor(ms, seq)];
    const i = PendingList.lowerBound(a, ms, seq);
    if (i < a.length && a[i].ms === ms && a[i].seq === seq) return a[i];
    return undefined;
  }

  /** Insert; false (nothing done) when the ID is already present. */
  insert(nack: NACK): boolean {
    if (this.size === 0) {
      this.chunks.push([nack]);
      this.size = 1;
      return true;
    }
    const ci = this.chunkFor(nack.ms, nack.seq);
    const a = this.chunks[ci];
    const last = a[a.length - 1];
    let i: number;
    if (cmpRaw(last.ms, last.seq, nack.ms, nack.seq) < 0) i = a.length;
    else {
      i = PendingList.lowerBound(a, nack.ms, nack.seq);
      if (i < a.length && a[i].ms === nack.ms && a[i].seq === nack.seq) return false;
    }
    if (i === a.length) a.push(nack);
    else a.splice(i, 0, nack);
    this.size++;
    if (a.length > CHUNK_MAX) {
      const half = a.splice(a.length >> 1);
      this.chunks.splice(ci + 1, 0, half);
    }
    return true;
  }

  remove(ms: bigint, seq: bigint): NACK | undefined {
    if (this.size === 0) return undefined;
    const ci = this.chunkFor(ms, seq);
    const a = this.chunks[ci];
    const i = PendingList.lowerBound(a, ms, seq);
    if (i >= a.length || a[i].ms !== ms || a[i].seq !== seq) return undefined;
    const [n] = a.splice(i, 1);
    this.size--;
    if (a.length === 0) this.chunks.splice(ci, 1);
    return n;
  }

  first(): NACK | undefined {
    return this.size === 0 ? undefined : this.chunks[0][0];
  }

  last(): NACK | undefined {
    if (this.size === 0) return undefined;
    const a = this.chunks[this.chunks.length - 1];
    return a[a.length - 1];
  }

  /** First NACK with ID >= (ms, seq). */
  ceiling(ms: bigint, seq: bigint): NACK | undefined {
    if (this.size === 0) return undefined;
    let ci = this.chunkFor(ms, seq);
    const a = this.chunks[ci];
    const i = PendingList.lowerBound(a, ms, seq);
    if (i < a.length) return a[i];
    ci++;
    return ci < this.chunks.length ? this.chunks[ci][0] : undefined;
  }

  /** First NACK with ID > (ms, seq). */
  higher(ms: bigint, seq: bigint): NACK | undefined {
    const n = this.ceiling(ms, seq);
    if (n !== undefined && n.ms === ms && n.seq === seq) {
      const nx = incrId(n);
      return nx === null ? undefined : this.ceiling(nx.ms, nx.seq);
    }
    return n;
  }

  /** Visit NACKs in ID order from >= (ms, seq); stop when `fn` returns false. */
  forEachFrom(ms: bigint, seq: bigint, fn: (n: NACK) => boolean): void {
    if (this.size === 0) return;
    let ci = this.chunkFor(ms, seq);
    let i = PendingList.lowerBound(this.chunks[ci], ms, seq);
    for (; ci < this.chunks.length; ci++, i = 0) {
      const a = this.chunks[ci];
      for (; i < a.length; i++) if (!fn(a[i])) return;
    }
  }

  *[Symbol.iterator](): IterableIterator<NACK> {
    for (const a of this.chunks) yield* a;
  }
}

// ----------------------------------------------------------------------------
// Consumers and groups
// ----------------------------------------------------------------------------

export class Consumer {
  /** Last time the consumer attempted an interaction (ms). */
  seenTime: number;
  /** Last successful interaction (ms), -1 when none yet. */
  activeTime = -1;
  readonly pel = new PendingList();

  constructor(readonly name: string, now: number) {
    this.seenTime = now;
  }
}

/** entries_read value meaning "unknown". */
export const ENTRIES_READ_INVALID = -1n;

export class ConsumerGroup {
  readonly pel = new PendingList();
  readonly consumers = new Map<string, Consumer>();

  constructor(readonly name: string, public lastId: StreamID, public entriesRead: bigint) {}

  /** Consumers sorted by name (byte order), as Redis lists them. */
  sortedConsumers(): Consumer[] {
    return [...this.consumers.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  createConsumer(name: string, now: number): Consumer | null {
    if (this.consumers.has(name)) return null;
    const c = new Consumer(name, now);
    this.consumers.set(name, c);
    return c;
  }

  /** Delete a consumer and its pending entries. Returns its pending count. */
  deleteConsumer(c: Consumer): number {
    const n = c.pel.size;
    for (const nack of c.pel) this.pel.remove(nack.ms, nack.seq);
    this.consumers.delete(c.name);
    return n;
  }
}

// ----------------------------------------------------------------------------
// The stream
// ----------------------------------------------------------------------------

export interface BlockLimits {
  /** stream-node-max-entries (0 = unlimited). */
  maxEntries: number;
  /** stream-node-max-bytes (0 = unlimited). */
  maxBytes: number;
}

export const TRIM_MAXLEN = 1;
export const TRIM_MINID = 2;

export interface TrimArgs {
  strategy: number;
  maxlen: number;
  minid: StreamID;
  approx: boolean;
  /** Max entries removed (0 = no limit). */
  limit: number;
}

const LISTPACK_MAX_SIZE = 1 << 30;

export class Stream implements RObject {
  readonly type = 'stream' as const;
  blocks: StreamBlock[] = [];
  /** Live entries. */
  length = 0;
  lastId: StreamID = { ms: 0n, seq: 0n };
  maxDeletedId: StreamID = { ms: 0n, seq: 0n };
  entriesAdded = 0n;
  /** Consumer groups by name (null until the first is created). */
  groups: Map<string, ConsumerGroup> | null = null;

  encoding(): string {
    return 'stream';
  }

  size(): number {
    return this.length;
  }

  // --------------------------------------------------------------------------
  // Appending
  // --------------------------------------------------------------------------

  /** Append an entry with the given ID (already validated as > lastId). */
  appendEntry(id: StreamID, pairs: readonly string[], from: number, to: number, lim: BlockLimits): void {
    let tail = this.blocks.length ? this.blocks[this.blocks.length - 1] : null;
    if (tail !== null) {
      let maxBytes = lim.maxBytes;
      if (maxBytes === 0 || maxBytes > LISTPACK_MAX_SIZE) maxBytes = LISTPACK_MAX_SIZE;
      let tot = 0;
      for (let k = from; k < to; k++) tot += pairs[k].length;
      if (tail.lpBytes + tot >= maxBytes) tail = null;
      else if (lim.maxEntries && tail.n >= lim.maxEntries) tail = null;
    }
    if (tail === null) {
      const fields: string[] = [];
      for (let k = from; k < to; k += 2) fields.push(pairs[k]);
      tail = new StreamBlock(id.ms, id.seq, fields);
      this.blocks.push(tail);
    }
    tail.append(id.ms, id.seq, pairs, from, to);
    this.length++;
    this.entriesAdded++;
    this.lastId = { ms: id.ms, seq: id.seq };
  }

  // --------------------------------------------------------------------------
  // Lookups
  // --------------------------------------------------------------------------

  /** Index of the block that may contain (ms, seq): the last whose master ID <= it (0 when none). */
  blockFor(ms: bigint, seq: bigint): number {
    const b = this.blocks;
    let lo = 0;
    let hi = b.length - 1;
    let ans = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (cmpRaw(b[mid].masterMs, b[mid].masterSeq, ms, seq) <= 0) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans;
  }

  /** Is there a live entry with this ID? */
  has(id: StreamID): boolean {
    if (this.blocks.length === 0) return false;
    const blk = this.blocks[this.blockFor(id.ms, id.seq)];
    const i = blk.indexOf(id.ms, id.seq);
    return i >= 0 && !blk.isDeleted(i);
  }

  /** First live entry's ID (the recorded first ID), 0-0 when empty. */
  firstId(): StreamID {
    for (const b of this.blocks) {
      const i = b.nextLive(0);
      if (i >= 0) return b.id(i);
    }
    return { ms: 0n, seq: 0n };
  }

  /** Last live entry's ID, 0-0 when empty (Redis's streamLastValidID). */
  lastValidId(): StreamID {
    for (let k = this.blocks.length - 1; k >= 0; k--) {
      const b = this.blocks[k];
      const i = b.prevLive(b.n - 1);
      if (i >= 0) return b.id(i);
    }
    return { ms: 0n, seq: 0n };
  }

  /**
   * Visit live entries with start <= ID <= end, ascending (or descending when
   * `rev`). `fn` gets the block and index; returning false stops.
   */
  range(start: StreamID, end: StreamID, rev: boolean, fn: (b: StreamBlock, i: number) => boolean): void {
    const blocks = this.blocks;
    if (blocks.length === 0 || cmpId(start, end) > 0) return;
    if (!rev) {
      let bi = this.blockFor(start.ms, start.seq);
      let i = blocks[bi].lowerBound(start.ms, start.seq);
      for (; bi < blocks.length; bi++, i = 0) {
        const b = blocks[bi];
        for (; i < b.n; i++) {
          const ms = b.ids[2 * i];
          const seq = b.ids[2 * i + 1];
          if (cmpRaw(ms, seq, end.ms, end.seq) > 0) return;
          if (b.flags[i] & F_DELETED) continue;
          if (!fn(b, i)) return;
        }
      }
    } else {
      let bi = this.blockFor(end.ms, end.seq);
      let i = blocks[bi].upperBoundIncl(end.ms, end.seq);
      for (; bi >= 0; bi--, i = bi >= 0 ? blocks[bi].n - 1 : 0) {
        const b = blocks[bi];
        for (; i >= 0; i--) {
          const ms = b.ids[2 * i];
          const seq = b.ids[2 * i + 1];
          if (cmpRaw(ms, seq, start.ms, start.seq) < 0) return;
          if (b.flags[i] & F_DELETED) continue;
          if (!fn(b, i)) return;
        }
      }
    }
  }

  // --------------------------------------------------------------------------
  // Deleting and trimming
  // --------------------------------------------------------------------------

  /** XDEL one ID. Returns whether a live entry was deleted. */
  deleteEntry(id: StreamID): boolean {
    if (this.blocks.length === 0) return false;
    const bi = this.blockFor(id.ms, id.seq);
    const b = this.blocks[bi];
    const i = b.indexOf(id.ms, id.seq);
    if (i < 0 || b.isDeleted(i)) return false;
    if (b.live === 1) this.blocks.splice(bi, 1);
    else b.markDeleted(i);
    this.length--;
    return true;
  }

  /** Trim as Redis's streamTrim. Returns the number of entries removed. */
  trim(a: TrimArgs): number {
    if (a.strategy === 0) return 0;
    let deleted = 0;
    let removeBlocks = 0;
    const blocks = this.blocks;
    for (let bi = 0; bi < blocks.length; bi++) {
      if (a.strategy === TRIM_MAXLEN && this.length <= a.maxlen) break;
      const b = blocks[bi];
      const entries = b.live;
      if (a.limit && deleted + entries > a.limit) break;
      let removeNode: boolean;
      if (a.strategy === TRIM_MAXLEN) removeNode = this.length - entries >= a.maxlen;
      else {
        // The node's last ID (tombstones included) below MINID.
        const last = b.n - 1;
        removeNode = cmpRaw(b.ids[2 * last], b.ids[2 * last + 1], a.minid.ms, a.minid.seq) < 0;
      }
      if (removeNode) {
        removeBlocks++;
        this.length -= entries;
        deleted += entries;
        continue;
      }
      if (a.approx) break;
      // Trim inside this node, then stop.
      for (let i = 0; i < b.n; i++) {
        let stop: boolean;
        if (a.strategy === TRIM_MAXLEN) stop = this.length <= a.maxlen;
        else stop = cmpRaw(b.ids[2 * i], b.ids[2 * i + 1], a.minid.ms, a.minid.seq) >= 0;
        if (stop) break;
        if (!b.isDeleted(i)) {
          b.markDeleted(i);
          this.length--;
          deleted++;
        }
      }
      break;
    }
    if (removeBlocks) blocks.splice(0, removeBlocks);
    return deleted;
  }

  // --------------------------------------------------------------------------
  // Consumer groups
  // --------------------------------------------------------------------------

  lookupGroup(name: string): ConsumerGroup | undefined {
    return this.groups === null ? undefined : this.groups.get(name);
  }

  /** Create a group; null when the name is taken. */
  createGroup(name: string, lastId: StreamID, entriesRead: bigint): ConsumerGroup | null {
    if (this.groups === null) this.groups = new Map();
    if (this.groups.has(name)) return null;
    const g = new ConsumerGroup(name, { ms: lastId.ms, seq: lastId.seq }, entriesRead);
    this.groups.set(name, g);
    return g;
  }

  destroyGroup(name: string): boolean {
    return this.groups !== null && this.groups.delete(name);
  }

  /** Groups sorted by name (byte order), as Redis lists them. */
  sortedGroups(): ConsumerGroup[] {
    if (this.groups === null) return [];
    return [...this.groups.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  // --------------------------------------------------------------------------
  // Lag and read counters (Redis 7's logic)
  // --------------------------------------------------------------------------

  /** Does [start, end] (end open when null) contain the last tombstone? */
  rangeHasTombstones(start: StreamID | null, end: StreamID | null): boolean {
    if (this.length === 0 || isZeroId(this.maxDeletedId)) return false;
    if (cmpId(this.firstId(), this.maxDeletedId) > 0) return false;
    const s = start ?? MIN_ID;
    const e = end ?? MAX_ID;
    return cmpId(s, this.maxDeletedId) <= 0 && cmpId(this.maxDeletedId, e) <= 0;
  }

  /** The logical read counter of `id`, or -1 (unknown). */
  estimateDistanceFromFirstEverEntry(id: StreamID): bigint {
    if (this.entriesAdded === 0n) return 0n;
    if (this.length === 0 && cmpId(id, this.lastId) < 1) return this.entriesAdded;
    const cmpLast = cmpId(id, this.lastId);
    if (cmpLast === 0) return this.entriesAdded;
    if (cmpLast > 0) return ENTRIES_READ_INVALID;
    const first = this.firstId();
    const cmpFirst = cmpId(id, first);
    const cmpXdelFirst = cmpId(this.maxDeletedId, first);
    if (isZeroId(this.maxDeletedId) || cmpXdelFirst < 0) {
      if (cmpFirst < 0) return this.entriesAdded - BigInt(this.length);
      if (cmpFirst === 0) return this.entriesAdded - BigInt(this.length) + 1n;
    }
    return ENTRIES_READ_INVALID;
  }

  /** A group's lag, or null when it cannot be known. */
  groupLag(g: ConsumerGroup): bigint | null {
    if (this.entriesAdded === 0n) return 0n;
    if (g.entriesRead !== ENTRIES_READ_INVALID && !this.rangeHasTombstones(g.lastId, null)) {
      return this.entriesAdded - g.entriesRead;
    }
    const er = this.estimateDistanceFromFirstEverEntry(g.lastId);
    if (er !== ENTRIES_READ_INVALID) return this.entriesAdded - er;
    return null;
  }

  /** Advance a group's last delivered ID to `id` (reading it), updating entries_read. */
  groupDelivered(g: ConsumerGroup, id: StreamID): void {
    if (g.entriesRead !== ENTRIES_READ_INVALID && !this.rangeHasTombstones(id, null)) g.entriesRead++;
    else if (this.entriesAdded) g.entriesRead = this.estimateDistanceFromFirstEverEntry(id);
    g.lastId = { ms: id.ms, seq: id.seq };
  }

  // --------------------------------------------------------------------------
  // Introspection
  // --------------------------------------------------------------------------

  /** Number of radix tree nodes Redis would use for this many node keys (XINFO). */
  radixTreeNodes(): number {
    const keys: Uint8Array[] = this.blocks.map((b) => {
      const k = new Uint8Array(16);
      const v = new DataView(k.buffer);
      v.setBigUint64(0, b.masterMs);
      v.setBigUint64(8, b.masterSeq);
      return k;
    });
    if (keys.length === 0) return 1;
    const count = (lo: number, hi: number, d: number): number => {
      // keys[lo..hi) share bytes [0, d).
      if (hi - lo === 1) return d < 16 ? 2 : 1;
      let p = d;
      while (p < 16 && keys[lo][p] === keys[hi - 1][p]) p++;
      let n = p > d ? 1 : 0;
      n++; // the branching node at p
      let i = lo;
      while (i < hi) {
        let j = i + 1;
        while (j < hi && keys[j][p] === keys[i][p]) j++;
        n += count(i, j, p + 1);
        i = j;
      }
      return n;
    };
    return count(0, keys.length, 0);
  }

  clone(): Stream {
    const s = new Stream();
    s.blocks = this.blocks.map((b) => b.clone());
    s.length = this.length;
    s.lastId = { ...this.lastId };
    s.maxDeletedId = { ...this.maxDeletedId };
    s.entriesAdded = this.entriesAdded;
    if (this.groups !== null) {
      for (const g of this.groups.values()) {
        const ng = s.createGroup(g.name, g.lastId, g.entriesRead) as ConsumerGroup;
        const map = new Map<NACK, NACK>();
        for (const n of g.pel) {
          const nn: NACK = { ms: n.ms, seq: n.seq, deliveryTime: n.deliveryTime, deliveryCount: n.deliveryCount, consumer: null };
          map.set(n, nn);
          ng.pel.insert(nn);
        }
        for (const c of g.consumers.values()) {
          const nc = new Consumer(c.name, c.seenTime);
          nc.activeTime = c.activeTime;
          ng.consumers.set(c.name, nc);
          for (const n of c.pel) {
            const nn = map.get(n);
            if (nn === undefined) continue;
            nn.consumer = nc;
            nc.pel.insert(nn);
          }
        }
      }
    }
    return s;
  }

  /** Deterministic text of the whole contents (DEBUG DIGEST). */
  digest(): string {
    const parts: string[] = [];
    this.range(MIN_ID, MAX_ID, false, (b, i) => {
      parts.push(`${b.idMs(i)}-${b.idSeq(i)}`);
      const nf = b.numFields(i);
      for (let k = 0; k < nf; k++) parts.push(`${b.field(i, k).length}:${b.field(i, k)}${b.value(i, k).length}:${b.value(i, k)}`);
      return true;
    });
    parts.push(`last:${idStr(this.lastId)}`);
    for (const g of this.sortedGroups()) {
      parts.push(`g:${g.name}:${idStr(g.lastId)}`);
      for (const n of g.pel) parts.push(`p:${n.ms}-${n.seq}:${n.consumer?.name ?? ''}`);
    }
    return parts.join('\0');
  }

  memoryUsage(): number {
    let m = 128;
    for (const b of this.blocks) m += b.memoryUsage();
    if (this.groups !== null) {
      for (const g of this.groups.values()) {
        m += 128 + g.name.length + g.pel.size * 64;
        for (const c of g.consumers.values()) m += 96 + c.name.length + c.pel.size * 16;
      }
    }
    return m;
  }
}

/*
 * Per-type serialisation, table driven: one TypeCodec per value type says
 * which RDB type byte a value gets, how its payload is written, and which
 * commands recreate it in an AOF rewrite without an RDB preamble; READERS
 * maps every RDB type byte Redis 7.x can write to a function building the
 * value. A type module that lands later is supported by adding its entry.
 *
 * Encodings written: what Redis 7.2 writes (listpacks for small hashes,
 * sets, sorted sets; quicklist 2 for lists; intsets), except that with
 * `ver` < 11 (a file meant for Redis 7.0) small non-integer sets are
 * written as plain sets, since SET_LISTPACK is a version 11 type.
 */

import type { Config } from '../server/config';
import { isString, type TypeName, type Value } from '../types/value';
import { HashObject, type HashLimits } from '../types/hash';
import { SetObject, ENC_INTSET, ENC_LISTPACK, ENC_HASHTABLE, type SetLimits } from '../types/set';
import { ZSet, type ZsetLimits } from '../types/zset';
import { Stream, ENTRIES_READ_INVALID, idStr, type BlockLimits, type NACK, type StreamBlock, type StreamID } from '../types/stream';
import { RdbError, RdbReader, RdbWriter, RDB_VERSION, T, formatG17 } from './rdb';
import { int64Of, intsetBuild, intsetParse, lpBuild, lpFirstEntryOk, lpIsEmpty, lpParse, lpParsePartial, lpShallowOk, zipmapParse, zlParse } from './encodings';
import { RdbAssertion, quarantine, quarantined, type Quarantine } from './corrupt';
import { Crc64 } from './crc64';

/** What loading needs to pick encodings (the *-max-* parameters). */
export interface LoadContext {
  hash: HashLimits;
  set: SetLimits;
  zset: ZsetLimits;
  listMaxSize: number;
  listCompressDepth: number;
  stream: BlockLimits;
  /** RDB version of the file or payload being read. */
  ver: number;
  /**
   * Deep sanitization (sanitize-dump-payload): when false, only the checks
   * Redis makes without it refuse a value; what only deep checks find is
   * quarantined or reported as the assertion Redis would crash on (see
   * corrupt.ts).
   */
  deep: boolean;
}

export function loadContext(cfg: Config, ver: number, deep = cfg.get('sanitize-dump-payload') === 'yes'): LoadContext {
  return {
    hash: { maxEntries: cfg.num('hash-max-listpack-entries'), maxValue: cfg.num('hash-max-listpack-value') },
    set: { maxIntset: cfg.num('set-max-intset-entries'), maxListpack: cfg.num('set-max-listpack-entries'), maxListpackValue: cfg.num('set-max-listpack-value') },
    zset: { maxListpackEntries: cfg.num('zset-max-listpack-entries'), maxListpackValue: cfg.num('zset-max-listpack-value') },
    listMaxSize: cfg.num('list-max-listpack-size'),
    listCompressDepth: cfg.num('list-compress-depth'),
    stream: { maxEntries: cfg.num('stream-node-max-entries'), maxBytes: cfg.num('stream-node-max-bytes') },
    ver,
    deep,
  };
}

/** Emits one command of an AOF rewrite. */
export type EmitCommand = (args: string[]) => void;

export interface TypeCodec {
  type: TypeName;
  /** The RDB type byte for `v` in a file of version `ver`. */
  rdbType(v: Value, ver: number): number;
  /** Write the payload of `v` (after the type byte and the key). */
  write(w: RdbWriter, v: Value, ver: number): void;
  /** Commands that recreate `key` (AOF rewrite without RDB preamble). */
  rewrite(key: string, v: Value, emit: EmitCommand): void;
}

/** Items per command in AOF rewrites (as Redis: AOF_REWRITE_ITEMS_PER_CMD). */
export const REWRITE_ITEMS_PER_CMD = 64;

/** Emit `cmd key item...` in batches of REWRITE_ITEMS_PER_CMD items (an item may be several args). */
export function emitBatched(emit: EmitCommand, cmd: string, key: string, items: Iterable<string[]>): void {
  let args: string[] = [cmd, key];
  let n = 0;
  for (const it of items) {
    for (const a of it) args.push(a);
    if (++n === REWRITE_ITEMS_PER_CMD) {
      emit(args);
      args = [cmd, key];
      n = 0;
    }
  }
  if (n > 0) emit(args);
}

/** Reads one value of the given RDB type; null means an empty collection (skipped). */
export type ValueReader = (r: RdbReader, ctx: LoadContext, type: number) => Value | null;

export const CODECS = new Map<TypeName, TypeCodec>();
export const READERS = new Map<number, ValueReader>();

export function codecFor(v: Value): TypeCodec {
  const t: TypeName = isString(v) ? 'string' : v.type;
  const q = quarantined(v);
  if (q !== undefined) return quarantineCodec(t, q);
  const c = CODECS.get(t);
  if (c === undefined) throw new RdbError(`No RDB codec for type ${t}`);
  return c;
}

/** Write type byte? No: write only the payload. Returns the type byte to use. */
export function rdbTypeOf(v: Value, ver: number): number {
  return codecFor(v).rdbType(v, ver);
}

/** A quarantined value is written back as the bytes it was loaded from. */
function quarantineCodec(t: TypeName, q: Quarantine): TypeCodec {
  return {
    type: t,
    rdbType: () => q.rdbType,
    write: (w) => w.bytes(q.payload),
    rewrite(key, _v, emit) {
      const w = new RdbWriter(false, q.payload.length + 16);
      w.byte(q.rdbType);
      w.bytes(q.payload);
      w.byte(RDB_VERSION & 0xff);
      w.byte(RDB_VERSION >> 8);
      w.bytes(new Crc64().update(w.view()).digestLE());
      const p = w.take();
      emit(['RESTORE', key, '0', p.latin1Slice(0, p.length), 'REPLACE']);
    },
  };
}

/** The payload bytes of the value read from `start` to the reader's position (a copy). */
function payloadSince(r: RdbReader, start: number): Buffer {
  return Buffer.from(r.buf.subarray(start, r.pos));
}

function integrity(what: string): RdbError {
  return new RdbError(`${what} integrity check failed.`);
}

/**
 * Entries of a listpack of a type that is never quarantined: shallow
 * failures are refused; deep ones too, as the assertion Redis would crash
 * on when not sanitizing.
 */
function lpItems(b: Buffer, what: string, ctx: LoadContext): string[] {
  if (!lpShallowOk(b)) throw integrity(what);
  // Without deep checks Redis takes the header's element count: 0 is an empty value.
  if (!ctx.deep && b.readUInt16LE(4) === 0) return [];
  try {
    return lpParse(b, what);
  } catch (e) {
    if (!ctx.deep && e instanceof RdbError) throw new RdbAssertion(e.message);
    throw e;
  }
}

function dupCheck(set: Set<string> | Map<string, unknown>, size: number, what: string): void {
  if (set.size !== size) throw new RdbError(`Duplicate ${what} detected`);
}

/** Pairs [a, b, c, d] → Map a→b, c→d; an odd count or a duplicate fails the container's integrity check. */
function pairsToMap(items: string[], what: string): Map<string, string> {
  if (items.length % 2 !== 0) throw integrity(what);
  const m = new Map<string, string>();
  for (let i = 0; i < items.length; i += 2) m.set(items[i], items[i + 1]);
  if (m.size !== items.length / 2) throw integrity(what);
  return m;
}

// ----------------------------------------------------------------------------
// string
// ----------------------------------------------------------------------------

CODECS.set('string', {
  type: 'string',
  rdbType: () => T.STRING,
  write(w, v) {
    w.string(v as string | Buffer);
  },
  rewrite(key, v, emit) {
    emit(['SET', key, typeof v === 'string' ? v : (v as Buffer).latin1Slice(0, (v as Buffer).length)]);
  },
});

READERS.set(T.STRING, (r) => r.stringValue());

// ----------------------------------------------------------------------------
// hash
// ----------------------------------------------------------------------------

function hashFromMap(m: Map<string, string>, ctx: LoadContext): HashObject | null {
  if (m.size === 0) return null;
  let big = m.size > ctx.hash.maxEntries;
  if (!big) {
    for (const [f, v] of m) {
      if (f.length > ctx.hash.maxValue || v.length > ctx.hash.maxValue) {
        big = true;
        break;
      }
    }
  }
  return new HashObject(m, big);
}

CODECS.set('hash', {
  type: 'hash',
  rdbType: (v) => ((v as HashObject).big ? T.HASH : T.HASH_LISTPACK),
  write(w, v) {
    const h = v as HashObject;
    if (h.big) {
      w.len(h.map.size);
      for (const [f, val] of h.map) {
        w.string(f);
        w.string(val);
      }
      return;
    }
    const items: string[] = [];
    for (const [f, val] of h.map) items.push(f, val);
    w.string(lpBuild(items));
  },
  rewrite(key, v, emit) {
    const h = v as HashObject;
    function* pairs(): Generator<string[]> {
      for (const [f, val] of h.map) yield [f, val];
    }
    emitBatched(emit, 'HMSET', key, pairs());
  },
});

READERS.set(T.HASH, (r, ctx) => {
  const n = r.len();
  const m = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const f = r.string();
    const v = r.string();
    m.set(f, v);
  }
  dupCheck(m, n, 'hash fields');
  return hashFromMap(m, ctx);
});
READERS.set(T.HASH_ZIPMAP, (r, ctx) => hashFromMap(pairsToMap(zipmapParse(r.stringBytes()), 'Zipmap'), ctx));
READERS.set(T.HASH_ZIPLIST, (r, ctx) => hashFromMap(pairsToMap(zlParse(r.stringBytes(), 'Hash ziplist'), 'Hash ziplist'), ctx));
READERS.set(T.HASH_LISTPACK, (r, ctx, type) => {
  const start = r.pos;
  const b = r.stringBytes();
  const what = 'Hash listpack';
  if (!lpShallowOk(b)) throw integrity(what);
  if (lpIsEmpty(b) || (!ctx.deep && b.readUInt16LE(4) === 0)) return null;
  const q = (reason: string): HashObject => quarantine(new HashObject(), { reason, rdbType: type, payload: payloadSince(r, start) });
  let items: string[];
  try {
    items = lpParse(b, what);
  } catch (e) {
    if (ctx.deep || !(e instanceof RdbError)) throw e;
    return q(e.message);
  }
  if (items.length % 2 !== 0) {
    if (ctx.deep) throw integrity(what);
    return q('Hash listpack with an odd number of elements');
  }
  const m = new Map<string, string>();
  let longest = 0;
  for (let i = 0; i < items.length; i += 2) {
    m.set(items[i], items[i + 1]);
    longest = Math.max(longest, items[i].length, items[i + 1].length);
  }
  if (m.size !== items.length / 2) {
    if (ctx.deep) throw integrity(what);
    // Redis converts a listpack over the limits to a hash table at once, and panics on the duplicate.
    if (items.length / 2 > ctx.hash.maxEntries || longest > ctx.hash.maxValue) {
      throw new RdbAssertion('Listpack corruption detected', [`listpack with dup elements dump (hexdump of ${b.length} bytes):`, b.toString('hex')]);
    }
    return q('Hash listpack with dup elements');
  }
  return hashFromMap(m, ctx);
});

// ----------------------------------------------------------------------------
// set
// ----------------------------------------------------------------------------

CODECS.set('set', {
  type: 'set',
  rdbType(v, ver) {
    const s = v as SetObject;
    if (s.enc === ENC_INTSET) return T.SET_INTSET;
    if (s.enc === ENC_LISTPACK && ver >= 11) return T.SET_LISTPACK;
    return T.SET;
  },
  write(w, v, ver) {
    const s = v as SetObject;
    if (s.enc === ENC_INTSET) {
      w.string(intsetBuild(s.members));
      return;
    }
    if (s.enc === ENC_LISTPACK && ver >= 11) {
      w.string(lpBuild(s.members));
      return;
    }
    w.len(s.members.size);
    for (const m of s.members) w.string(m);
  },
  rewrite(key, v, emit) {
    const s = v as SetObject;
    function* items(): Generator<string[]> {
      for (const m of s.iter()) yield [m];
    }
    emitBatched(emit, 'SADD', key, items());
  },
});

READERS.set(T.SET, (r, ctx) => {
  const n = r.len();
  if (n === 0) return null;
  const items: string[] = new Array(n);
  for (let i = 0; i < n; i++) items[i] = r.string();
  if (n > ctx.set.maxListpack && n > ctx.set.maxIntset) {
    const s = new SetObject(ENC_HASHTABLE, new Set(items));
    dupCheck(s.members, n, 'set members');
    return s;
  }
  const s = SetObject.from(items, ctx.set);
  dupCheck(s.members, n, 'set members');
  return s;
});
READERS.set(T.SET_INTSET, (r, ctx) => {
  const items = intsetParse(r.stringBytes(), 'Intset');
  if (items.length === 0) return null;
  const enc = items.length > ctx.set.maxIntset ? ENC_HASHTABLE : ENC_INTSET;
  return new SetObject(enc, new Set(items));
});
READERS.set(T.SET_LISTPACK, (r, ctx) => {
  const items = lpItems(r.stringBytes(), 'Set listpack', ctx);
  if (items.length === 0) return null;
  const s = new SetObject(items.length > ctx.set.maxListpack ? ENC_HASHTABLE : ENC_LISTPACK, new Set(items));
  if (s.members.size !== items.length) {
    if (ctx.deep) throw integrity('Set listpack');
    throw new RdbAssertion('Set listpack with dup elements');
  }
  return s;
});

// ----------------------------------------------------------------------------
// zset
// ----------------------------------------------------------------------------

/** A score as Redis stores it in listpacks and AOF rewrites (integers plainly, else %.17g). */
export function scoreText(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Number.isNaN(d)) return 'nan';
  if (Number.isInteger(d) && Math.abs(d) < 2 ** 53) return Object.is(d, -0) ? '-0' : String(d);
  return formatG17(d);
}

function parseScore(s: string): number {
  const l = s.toLowerCase();
  if (l === 'inf' || l === '+inf') return Infinity;
  if (l === '-inf') return -Infinity;
  const d = Number(s);
  if (Number.isNaN(d) || s.trim() === '') throw new RdbError('Zset with NAN score detected');
  return d;
}

function zsetFrom(entries: [string, number][], ctx: LoadContext): ZSet | null {
  if (entries.length === 0) return null;
  for (const [, sc] of entries) if (Number.isNaN(sc)) throw new RdbError('Zset with NAN score detected');
  const z = ZSet.from(entries, ctx.zset);
  if (z.size() !== entries.length) throw new RdbError('Duplicate zset fields detected');
  return z;
}

function zsetFromFlat(items: string[], ctx: LoadContext, what: string): ZSet | null {
  if (items.length % 2 !== 0) throw integrity(what);
  const seen = new Set<string>();
  for (let i = 0; i < items.length; i += 2) seen.add(items[i]);
  if (seen.size !== items.length / 2) throw integrity(what);
  const entries: [string, number][] = [];
  for (let i = 0; i < items.length; i += 2) entries.push([items[i], parseScore(items[i + 1])]);
  return zsetFrom(entries, ctx);
}

CODECS.set('zset', {
  type: 'zset',
  rdbType: (v) => ((v as ZSet).listpack ? T.ZSET_LISTPACK : T.ZSET_2),
  write(w, v) {
    const z = v as ZSet;
    if (z.listpack) {
      const items: string[] = [];
      for (const [m, sc] of z.entries()) items.push(m, scoreText(sc));
      w.string(lpBuild(items));
      return;
    }
    // Greatest to smallest, as Redis writes skiplists.
    w.len(z.size());
    z.forEach((m, sc) => {
      w.string(m);
      w.binaryDouble(sc);
    }, true);
  },
  rewrite(key, v, emit) {
    const z = v as ZSet;
    function* items(): Generator<string[]> {
      for (const [m, sc] of z.entries()) yield [scoreText(sc), m];
    }
    emitBatched(emit, 'ZADD', key, items());
  },
});

READERS.set(T.ZSET, (r, ctx) => {
  const n = r.len();
  const entries: [string, number][] = new Array(n);
  for (let i = 0; i < n; i++) {
    const m = r.string();
    entries[i] = [m, r.textDouble()];
  }
  return zsetFrom(entries, ctx);
});
READERS.set(T.ZSET_2, (r, ctx) => {
  const n = r.len();
  const entries: [string, number][] = new Array(n);
  for (let i = 0; i < n; i++) {
    const m = r.string();
    entries[i] = [m, r.binaryDouble()];
  }
  return zsetFrom(entries, ctx);
});
READERS.set(T.ZSET_ZIPLIST, (r, ctx) => zsetFromFlat(zlParse(r.stringBytes(), 'Zset ziplist'), ctx, 'Zset ziplist'));
READERS.set(T.ZSET_LISTPACK, (r, ctx) => {
  const items = lpItems(r.stringBytes(), 'Zset listpack', ctx);
  try {
    return zsetFromFlat(items, ctx, 'Zset listpack');
  } catch (e) {
    if (!ctx.deep && e instanceof RdbError) throw new RdbAssertion(e.message);
    throw e;
  }
});

// ----------------------------------------------------------------------------
// list: its codec lives with the type's commands (src/commands/lists.ts),
// which registers it in CODECS and READERS.
// ----------------------------------------------------------------------------

// ----------------------------------------------------------------------------
// stream
// ----------------------------------------------------------------------------

const STREAM_ITEM_FLAG_DELETED = 1;
const STREAM_ITEM_FLAG_SAMEFIELDS = 2;
const U64_MAX = 0xffffffffffffffffn;

function rawId(ms: bigint, seq: bigint): Buffer {
  const b = Buffer.allocUnsafe(16);
  b.writeBigUInt64BE(ms, 0);
  b.writeBigUInt64BE(seq, 8);
  return b;
}

/** One stream node as Redis lays it out in a listpack (master entry, then entries). */
function streamNodeListpack(b: StreamBlock): Buffer {
  const items: string[] = [];
  const deleted = b.n - b.live;
  items.push(String(b.live), String(deleted), String(b.masterFields.length), ...b.masterFields, '0');
  const mf = b.masterFields;
  for (let i = 0; i < b.n; i++) {
    const nf = b.numFields(i);
    let same = nf === mf.length;
    for (let k = 0; same && k < nf; k++) if (b.field(i, k) !== mf[k]) same = false;
    let flags = same ? STREAM_ITEM_FLAG_SAMEFIELDS : 0;
    if (b.isDeleted(i)) flags |= STREAM_ITEM_FLAG_DELETED;
    items.push(String(flags), BigInt.asIntN(64, b.idMs(i) - b.masterMs).toString(), BigInt.asIntN(64, b.idSeq(i) - b.masterSeq).toString());
    if (same) {
      for (let k = 0; k < nf; k++) items.push(b.value(i, k));
      items.push(String(nf + 3));
    } else {
      items.push(String(nf));
      for (let k = 0; k < nf; k++) items.push(b.field(i, k), b.value(i, k));
      items.push(String(2 * nf + 4));
    }
  }
  return lpBuild(items);
}

function writeIdLen(w: RdbWriter, id: StreamID): void {
  w.lenBig(id.ms);
  w.lenBig(id.seq);
}

CODECS.set('stream', {
  type: 'stream',
  rdbType: (_v, ver) => (ver >= 11 ? T.STREAM_LISTPACKS_3 : T.STREAM_LISTPACKS_2),
  write(w, v, ver) {
    const s = v as Stream;
    const blocks = s.blocks.filter((b) => b.live > 0);
    w.len(blocks.length);
    for (const b of blocks) {
      w.rawString(rawId(b.masterMs, b.masterSeq));
      w.string(streamNodeListpack(b));
    }
    w.len(s.length);
    writeIdLen(w, s.lastId);
    writeIdLen(w, s.firstId());
    writeIdLen(w, s.maxDeletedId);
    w.lenBig(s.entriesAdded);
    const groups = s.sortedGroups();
    w.len(groups.length);
    for (const g of groups) {
      w.string(g.name);
      writeIdLen(w, g.lastId);
      w.lenBig(g.entriesRead < 0n ? U64_MAX : g.entriesRead);
      w.len(g.pel.size);
      for (const n of g.pel) {
        w.bytes(rawId(n.ms, n.seq));
        w.millis(n.deliveryTime);
        w.len(n.deliveryCount);
      }
      const consumers = g.sortedConsumers();
      w.len(consumers.length);
      for (const c of consumers) {
        w.string(c.name);
        w.millis(c.seenTime);
        if (ver >= 11) w.millis(c.activeTime);
        w.len(c.pel.size);
        for (const n of c.pel) w.bytes(rawId(n.ms, n.seq));
      }
    }
  },
  rewrite(key, v, emit) {
    const s = v as Stream;
    const last = idStr(s.lastId);
    if (s.length > 0) {
      for (const b of s.blocks) {
        for (let i = 0; i < b.n; i++) {
          if (b.isDeleted(i)) continue;
          emit(['XADD', key, `${b.idMs(i)}-${b.idSeq(i)}`, ...b.entryPairs(i)]);
        }
      }
    } else {
      emit(['XADD', key, 'MAXLEN', '0', '0-1', 'x', 'y']);
    }
    emit(['XSETID', key, last, 'ENTRIESADDED', s.entriesAdded.toString(), 'MAXDELETEDID', idStr(s.maxDeletedId)]);
    for (const g of s.sortedGroups()) {
      emit(['XGROUP', 'CREATE', key, g.name, idStr(g.lastId), 'ENTRIESREAD', g.entriesRead.toString()]);
      for (const c of g.sortedConsumers()) {
        if (c.pel.size === 0) {
          emit(['XGROUP', 'CREATECONSUMER', key, g.name, c.name]);
          continue;
        }
        for (const n of c.pel) {
          emit(['XCLAIM', key, g.name, c.name, '0', `${n.ms}-${n.seq}`, 'TIME', String(n.deliveryTime), 'RETRYCOUNT', String(n.deliveryCount), 'JUSTID', 'FORCE']);
        }
      }
    }
  },
});

function readRawId(r: RdbReader): StreamID {
  const b = r.bytes(16);
  return { ms: b.readBigUInt64BE(0), seq: b.readBigUInt64BE(8) };
}

interface DecodedEntry {
  id: StreamID;
  pairs: string[];
}

/** An integer entry of a stream listpack (as Redis's lpGetIntegerIfValid), or null. */
function lpInt(s: string | undefined): bigint | null {
  if (s === undefined) return null;
  const v = int64Of(s);
  return v === null ? null : BigInt(v);
}

/** Where a stream's decoding is: has a live entry's ID been read yet? */
interface StreamScan {
  liveIdRead: boolean;
}

/**
 * The live entries of one stream node (a listpack laid out as Redis writes
 * it: master entry, then entries with their lp-count), checked as Redis's
 * deep stream validation does. Returns the reason when malformed, and
 * whether the fault lies before the first live entry's ID (where Redis's
 * own reads of a freshly loaded stream stop).
 */
function decodeStreamNode(lp: Buffer, master: StreamID, out: DecodedEntry[], scan: StreamScan): { reason: string; early: boolean } | null {
  const parsed = lpParsePartial(lp);
  const items = parsed.items;
  const bad = (reason: string): { reason: string; early: boolean } => ({ reason: parsed.ok ? reason : 'Stream listpack integrity check failed.', early: !scan.liveIdRead });
  let p = 0;
  const count = lpInt(items[p++]);
  const deleted = lpInt(items[p++]);
  const nmf = lpInt(items[p++]);
  if (count === null || deleted === null || nmf === null || count < 0n || deleted < 0n || nmf < 0n) return bad('Stream listpack master entry counts');
  if (BigInt(items.length - p) < nmf) return bad('Stream listpack master fields');
  const mf = items.slice(p, p + Number(nmf));
  p += mf.length;
  if (lpInt(items[p++]) !== 0n) return bad('Stream listpack master entry terminator');
  let total = count + deleted;
  while (total-- > 0n) {
    const flags = lpInt(items[p++]);
    const msDiff = lpInt(items[p++]);
    const seqDiff = lpInt(items[p++]);
    if (flags === null || msDiff === null || seqDiff === null) return bad('Stream listpack entry header');
    const same = (flags & 2n) !== 0n;
    const live = (flags & 1n) === 0n;
    let nf: number;
    if (same) nf = mf.length;
    else {
      const n = lpInt(items[p++]);
      if (n === null || n < 0n || BigInt(items.length - p) < n) return bad('Stream listpack entry fields');
      nf = Number(n);
    }
    if (live) scan.liveIdRead = true;
    const need = same ? nf : 2 * nf;
    if (items.length - p < need + 1) return bad('Stream listpack entry values');
    const pairs: string[] = [];
    if (same) for (let k = 0; k < nf; k++) pairs.push(mf[k], items[p + k]);
    else for (let k = 0; k < nf; k++) pairs.push(items[p + 2 * k], items[p + 2 * k + 1]);
    p += need;
    if (lpInt(items[p++]) !== BigInt(same ? nf + 3 : 2 * nf + 4)) return bad('Stream listpack entry lp-count');
    if (live) out.push({ id: { ms: BigInt.asUintN(64, master.ms + msDiff), seq: BigInt.asUintN(64, master.seq + seqDiff) }, pairs });
  }
  if (p !== items.length || !parsed.ok) return bad('Stream listpack trailing data');
  return null;
}

function idLess(a: StreamID, b: StreamID): boolean {
  return a.ms < b.ms || (a.ms === b.ms && a.seq < b.seq);
}

function readStream(r: RdbReader, ctx: LoadContext, type: number): Stream {
  const start = r.pos;
  const s = new Stream();
  // Why the stream is quarantined (a deep check failed without deep sanitization).
  let bad: string | null = null;
  const fail = (reason: string, deepMessage = 'Stream listpack integrity check failed.'): void => {
    if (ctx.deep) throw new RdbError(deepMessage);
    if (bad === null) bad = reason;
  };
  const nodes = r.len();
  const keys = new Set<string>();
  const entries: DecodedEntry[] = [];
  const scan: StreamScan = { liveIdRead: false };
  for (let n = 0; n < nodes; n++) {
    const key = r.stringBytes();
    if (key.length !== 16) throw new RdbError('Stream node key entry is not the size of a stream ID');
    const kh = key.latin1Slice(0, 16);
    if (keys.has(kh)) throw new RdbError('Listpack re-added with existing key');
    keys.add(kh);
    const master = { ms: key.readBigUInt64BE(0), seq: key.readBigUInt64BE(8) };
    const lp = r.stringBytes();
    if (!lpShallowOk(lp)) throw new RdbError('Stream listpack integrity check failed.');
    if (lpIsEmpty(lp)) throw new RdbError('Empty listpack inside stream');
    // Redis reads the first entry right away (lpFirst), asserting it is well formed.
    if (!ctx.deep && !lpFirstEntryOk(lp)) throw new RdbAssertion('Stream listpack first entry');
    if (bad !== null) continue;
    const why = decodeStreamNode(lp, master, entries, scan);
    if (why === null) continue;
    // Loading a version 1 stream reads up to its first entry (its first ID): Redis asserts there.
    if (!ctx.deep && why.early && type === T.STREAM_LISTPACKS) throw new RdbAssertion(why.reason);
    fail(why.reason);
  }
  if (bad === null) {
    for (let i = 1; i < entries.length; i++) {
      if (!idLess(entries[i - 1].id, entries[i].id)) {
        fail('Stream entries out of order');
        break;
      }
    }
  }
  const length = r.len();
  if (length !== 0 && nodes === 0) throw new RdbError('Stream length inconsistent with rax entries');
  if (bad === null && length !== entries.length) fail('Stream length inconsistent with the entries', 'Stream length inconsistent with the entries');
  const lastId = { ms: r.lenBig(), seq: r.lenBig() };
  if (bad === null && entries.length > 0 && idLess(lastId, entries[entries.length - 1].id)) fail('Stream last ID smaller than its last entry', 'Stream last ID smaller than its last entry');
  if (bad === null) {
    for (const e of entries) s.appendEntry(e.id, e.pairs, 0, e.pairs.length, ctx.stream);
  }
  if (type >= T.STREAM_LISTPACKS_2) {
    r.lenBig();
    r.lenBig(); // first id: recomputed from the entries
    s.maxDeletedId = { ms: r.lenBig(), seq: r.lenBig() };
    s.entriesAdded = r.lenBig();
  } else {
    s.maxDeletedId = { ms: 0n, seq: 0n };
    s.entriesAdded = BigInt(length);
  }
  s.lastId = lastId;
  const ngroups = r.len();
  for (let gi = 0; gi < ngroups; gi++) {
    const name = r.string();
    const gLast = { ms: r.lenBig(), seq: r.lenBig() };
    let entriesRead: bigint;
    if (type >= T.STREAM_LISTPACKS_2) {
      const er = r.lenBig();
      entriesRead = er === U64_MAX ? ENTRIES_READ_INVALID : er;
    } else entriesRead = s.estimateDistanceFromFirstEverEntry(gLast);
    const g = s.createGroup(name, gLast, entriesRead);
    if (g === null) throw new RdbError('Duplicated consumer group name');
    const npel = r.len();
    for (let i = 0; i < npel; i++) {
      const id = readRawId(r);
      const nack: NACK = { ms: id.ms, seq: id.seq, deliveryTime: r.millis(), deliveryCount: r.len(), consumer: null };
      if (!g.pel.insert(nack)) throw new RdbError('Duplicated global PEL entry loading stream consumer group');
    }
    const nconsumers = r.len();
    for (let ci = 0; ci < nconsumers; ci++) {
      const cname = r.string();
      const seen = r.millis();
      const c = g.createConsumer(cname, seen);
      if (c === null) throw new RdbError('Duplicate stream consumer detected.');
      c.seenTime = seen;
      c.activeTime = type >= T.STREAM_LISTPACKS_3 ? r.millis() : seen;
      const n = r.len();
      for (let i = 0; i < n; i++) {
        const id = readRawId(r);
        const nack = g.pel.get(id.ms, id.seq);
        if (nack === undefined) throw new RdbError('Consumer entry not found in group global PEL');
        if (nack.consumer !== null) throw new RdbError('Duplicated consumer PEL entry loading a stream consumer group');
        nack.consumer = c;
        if (!c.pel.insert(nack)) throw new RdbError('Duplicated consumer PEL entry loading a stream consumer group');
      }
    }
    // Deep sanitization: every pending entry has a consumer.
    for (const nack of g.pel) {
      if (nack.consumer === null) {
        fail('Stream CG PEL entry without consumer', 'Stream CG PEL entry without consumer');
        break;
      }
    }
  }
  if (bad !== null) {
    const q = new Stream();
    q.lastId = s.lastId;
    return quarantine(q, { reason: bad, rdbType: type, payload: payloadSince(r, start) });
  }
  return s;
}

READERS.set(T.STREAM_LISTPACKS, readStream);
READERS.set(T.STREAM_LISTPACKS_2, readStream);
READERS.set(T.STREAM_LISTPACKS_3, readStream);

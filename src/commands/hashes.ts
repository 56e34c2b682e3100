/*
 * Hash commands: field access, counters, random fields, HSCAN, and the
 * per-field expiry of Redis 7.4 (HEXPIRE and friends, with lazy removal on
 * access and an active sweep from the server cron).
 *
 * Lazy field expiry follows Redis 7.4: a command that reads one field
 * (HGET, HEXISTS, HINCRBY...) deletes that field when it is due; commands
 * that walk the hash (HGETALL, HKEYS, HSCAN...) skip due fields without
 * deleting them; HLEN still counts them; HRANDFIELD deletes them all first.
 */

import type { Client } from '../server/client';
import type { Database } from '../server/db';
import type { KeyDict } from '../server/keydict';
import type { Server } from '../server/server';
import { command, type CommandDef } from './types';
import { E } from '../errors';
import { NOTIFY, keyChanged, lookupRead, lookupWrite, is } from './util';
import { refuseQuarantined } from '../persistence/corrupt';
import { HashObject, type HashLimits } from '../types/hash';
import { sampleUnique } from '../types/set';
import type { Value } from '../types/value';
import { scanGeneric } from './keyspace';
import { parseCursor } from '../util/scan-cursors';
import { parseInt64, parseInt64Num, INT64_MAX, INT64_MIN } from '../util/numbers';
import { addLongDouble, formatLongDoubleHuman, parseLongDoubleExact, type LongDouble } from '../util/longdouble';

// ----------------------------------------------------------------------------
// Errors
// ----------------------------------------------------------------------------

const ERR_HASH_NOT_INT = 'ERR hash value is not an integer';
const ERR_HASH_NOT_FLOAT = 'ERR hash value is not a float';
const ERR_NAN_INCR = 'ERR value is NaN or Infinity';
const ERR_OUT_OF_RANGE = 'ERR value is out of range';
const ERR_COUNT_RANGE = 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807';
const ERR_INVALID_CURSOR = 'ERR invalid cursor';
const ERR_EXPIRE_NEGATIVE = 'ERR invalid expire time, must be >= 0';
const ERR_FIELDS_MISSING = 'ERR Mandatory argument FIELDS is missing or not at the right position';
const ERR_NUMFIELDS_EXPIRE = 'ERR Parameter `numFields` should be greater than 0';
const ERR_NUMFIELDS_READ = 'ERR Number of fields must be a positive integer';
const ERR_NUMFIELDS_MISMATCH = 'ERR The `numfields` parameter must match the number of arguments';

/** Largest absolute field expiry time accepted, in ms (Redis 7.4's HFE_MAX_ABS_TIME_MSEC). */
const HFE_MAX_ABS_MS = 70368744177663;

// ----------------------------------------------------------------------------
// Helpers
// ----------------------------------------------------------------------------

interface CachedLimits extends HashLimits {
  stale: boolean;
}

const limitsCache = new WeakMap<Server, CachedLimits>();

/** hash-max-listpack-entries/value, cached and refreshed when CONFIG SET changes them. */
export function hashLimits(srv: Server): HashLimits {
  let l = limitsCache.get(srv);
  if (l === undefined) {
    const lim: CachedLimits = { maxEntries: 0, maxValue: 0, stale: true };
    const mark = (): undefined => {
      lim.stale = true;
      return undefined;
    };
    srv.config.onChange('hash-max-listpack-entries', mark);
    srv.config.onChange('hash-max-listpack-value', mark);
    limitsCache.set(srv, lim);
    l = lim;
  }
  if (l.stale) {
    l.maxEntries = srv.config.num('hash-max-listpack-entries');
    l.maxValue = srv.config.num('hash-max-listpack-value');
    l.stale = false;
  }
  return l;
}

/**
 * Remove the fields of `h` (at `key`) whose time has come: propagate HDELs,
 * emit `hexpired` (and `del` when the hash empties, which deletes the key).
 * Returns true when the key was deleted. `fromCron`: counts as a change.
 */
function expireDueFields(srv: Server, db: Database, key: string, h: HashObject, max = Infinity, fromCron = false): boolean {
  const fields = h.removeDue(srv.clock.now(), max);
  if (fields.length === 0) return false;
  for (const f of fields) srv.propagate(db.id, ['HDEL', key, f]);
  hfeState(srv).expiredFields += fields.length;
  if (fromCron) srv.dirty += fields.length;
  srv.notify(NOTIFY.HASH, 'hexpired', key, db.id);
  let deleted = false;
  if (h.size() === 0) {
    db.dict.delete(key);
    db.expires.delete(key);
    srv.notify(NOTIFY.GENERIC, 'del', key, db.id);
    deleted = true;
  }
  srv.signalModifiedKey(db, key);
  return deleted;
}

/** Delete every due field of `h` first (HRANDFIELD). Returns true when the key went away. */
function expireAllDue(c: Client, key: string, h: HashObject): boolean {
  if (h.minTtl > c.server.clock.now() || c.server.expiryPaused()) return false;
  return expireDueFields(c.server, c.db, key, h);
}

/**
 * The value of `field` for a command that accesses it (Redis's
 * HFE_LAZY_EXPIRE): a due field is deleted (with `hexpired`, and the key
 * with `del` when it was the last one) and reads as missing.
 */
function accessField(c: Client, key: string, h: HashObject, field: string): string | undefined {
  const v = h.get(field);
  if (v === undefined || h.minTtl === Infinity) return v;
  const now = c.server.clock.now();
  if (!h.isDue(field, now)) return v;
  if (c.server.expiryPaused()) return undefined;
  const srv = c.server;
  const db = c.db;
  h.delete(field);
  srv.propagate(db.id, ['HDEL', key, field]);
  hfeState(srv).expiredFields++;
  srv.notify(NOTIFY.HASH, 'hexpired', key, db.id);
  if (h.size() === 0) {
    db.dict.delete(key);
    db.expires.delete(key);
    srv.notify(NOTIFY.GENERIC, 'del', key, db.id);
  }
  srv.signalModifiedKey(db, key);
  return undefined;
}

/** The field/value pairs of `h` that are not due, for commands that walk the hash. */
function liveEntries(c: Client, h: HashObject): Iterable<[string, string]> {
  const now = c.server.clock.now();
  if (h.minTtl > now) return h.map;
  const out: [string, string][] = [];
  for (const e of h.map) if (!h.isDue(e[0], now)) out.push(e);
  // Nothing was due: the bound was stale (a TTL was dropped); tighten it.
  if (out.length === h.map.size) {
    h.removeDue(now);
    return h.map;
  }
  return out;
}

/**
 * The hash at `key` for reading: undefined when missing, null after
 * replying WRONGTYPE.
 */
function readHashOrReply(c: Client, key: string): HashObject | undefined | null {
  const v = lookupRead(c, key);
  if (v === undefined) return undefined;
  if (!(v instanceof HashObject)) {
    c.w.error(E.WRONGTYPE);
    return null;
  }
  if (refuseQuarantined(c, key, v)) return null;
  return v;
}

/** The hash at `key` for writing: undefined when missing, null after replying WRONGTYPE. */
function writeHashOrReply(c: Client, key: string): HashObject | undefined | null {
  const v = lookupWrite(c, key);
  if (v === undefined) return undefined;
  if (!(v instanceof HashObject)) {
    c.w.error(E.WRONGTYPE);
    return null;
  }
  if (refuseQuarantined(c, key, v)) return null;
  return v;
}

/** Create an empty hash at `key`. */
function createHash(c: Client, key: string): HashObject {
  const h = new HashObject();
  c.db.set(key, h);
  return h;
}

/** A signed 64-bit argument as a bigint (null after replying). */
function parseLongOrReply(c: Client, s: string, err: string = E.NOT_INTEGER): bigint | null {
  const n = parseInt64(s);
  if (n === null) {
    c.w.error(err);
    return null;
  }
  return n;
}

// ----------------------------------------------------------------------------
// HSET, HSETNX, HMSET, HGET, HMGET, HDEL
// ----------------------------------------------------------------------------

/* HSET key field value [field value ...] / HMSET key field value [field value ...] */
function hsetCommand(c: Client, args: string[]): void {
  if (args.length % 2 === 1) {
    c.w.error(E.WRONG_ARITY(args[0].toLowerCase()));
    return;
  }
  const key = args[1];
  let h = writeHashOrReply(c, key);
  if (h === null) return;
  if (h === undefined) h = createHash(c, key);
  const lim = hashLimits(c.server);
  h.prepareWrite(args, 2, args.length - 1, lim);
  let created = 0;
  for (let i = 2; i < args.length; i += 2) if (h.set(args[i], args[i + 1], lim)) created++;
  keyChanged(c, c.db, key, NOTIFY.HASH, 'hset');
  c.server.dirty += (args.length - 2) / 2 - 1;
  const name = args[0];
  if (name.charCodeAt(1) === 115 || name.charCodeAt(1) === 83) c.w.int(created); // hSet
  else c.w.ok();
}

/* HSETNX key field value */
function hsetnxCommand(c: Client, args: string[]): void {
  const key = args[1];
  let h = writeHashOrReply(c, key);
  if (h === null) return;
  if (h !== undefined && accessField(c, key, h, args[2]) !== undefined) {
    c.w.int(0);
    return;
  }
  // A missing key, or one whose last field just expired.
  if (h === undefined || h.size() === 0) h = createHash(c, key);
  const lim = hashLimits(c.server);
  h.prepareWrite(args, 2, 3, lim);
  h.set(args[2], args[3], lim);
  keyChanged(c, c.db, key, NOTIFY.HASH, 'hset');
  c.w.int(1);
}

/* HGET key field */
function hgetCommand(c: Client, args: string[]): void {
  const h = readHashOrReply(c, args[1]);
  if (h === null) return;
  const v = h === undefined ? undefined : accessField(c, args[1], h, args[2]);
  if (v === undefined) c.w.nullBulk();
  else c.w.bulk(v);
}

/* HMGET key field [field ...] */
function hmgetCommand(c: Client, args: string[]): void {
  const h = readHashOrReply(c, args[1]);
  if (h === null) return;
  c.w.arrayHeader(args.length - 2);
  for (let i = 2; i < args.length; i++) {
    const v = h === undefined ? undefined : accessField(c, args[1], h, args[i]);
    if (v === undefined) c.w.nullBulk();
    else c.w.bulk(v);
  }
}

/* HDEL key field [field ...] */
function hdelCommand(c: Client, args: string[]): void {
  const key = args[1];
  const h = writeHashOrReply(c, key);
  if (h === null) return;
  if (h === undefined) {
    c.w.int(0);
    return;
  }
  let deleted = 0;
  let removed = false;
  for (let i = 2; i < args.length; i++) {
    if (h.delete(args[i])) {
      deleted++;
      if (h.size() === 0) {
        c.db.delete(key);
        removed = true;
        break;
      }
    }
  }
  if (deleted > 0) {
    keyChanged(c, c.db, key, NOTIFY.HASH, 'hdel');
    c.server.dirty += deleted - 1;
    if (removed) c.server.notify(NOTIFY.GENERIC, 'del', key, c.db.id);
  }
  c.w.int(deleted);
}

// ----------------------------------------------------------------------------
// HLEN, HEXISTS, HSTRLEN, HKEYS, HVALS, HGETALL
// ----------------------------------------------------------------------------

/* HLEN key (counts due fields not yet deleted, as Redis 7.4 does) */
function hlenCommand(c: Client, args: string[]): void {
  const h = readHashOrReply(c, args[1]);
  if (h === null) return;
  c.w.int(h === undefined ? 0 : h.size());
}

/* HEXISTS key field */
function hexistsCommand(c: Client, args: string[]): void {
  const h = readHashOrReply(c, args[1]);
  if (h === null) return;
  c.w.int(h !== undefined && accessField(c, args[1], h, args[2]) !== undefined ? 1 : 0);
}

/* HSTRLEN key field */
function hstrlenCommand(c: Client, args: string[]): void {
  const h = readHashOrReply(c, args[1]);
  if (h === null) return;
  const v = h === undefined ? undefined : accessField(c, args[1], h, args[2]);
  c.w.int(v === undefined ? 0 : v.length);
}

const KEYS = 1;
const VALUES = 2;

/* HKEYS key / HVALS key / HGETALL key */
function hgetallGeneric(c: Client, args: string[], what: number): void {
  const h = readHashOrReply(c, args[1]);
  if (h === null) return;
  const w = c.w;
  const both = what === (KEYS | VALUES);
  if (h === undefined) {
    if (both) w.mapHeader(0);
    else w.arrayHeader(0);
    return;
  }
  const entries = liveEntries(c, h);
  const n = entries instanceof Map ? entries.size : (entries as [string, string][]).length;
  if (both) {
    w.mapHeader(n);
    for (const [f, v] of entries) {
      w.bulk(f);
      w.bulk(v);
    }
  } else {
    w.arrayHeader(n);
    if (what === KEYS) for (const e of entries) w.bulk(e[0]);
    else for (const e of entries) w.bulk(e[1]);
  }
}

// ----------------------------------------------------------------------------
// Counters
// ----------------------------------------------------------------------------

/* HINCRBY key field increment */
function hincrbyCommand(c: Client, args: string[]): void {
  const incN = parseInt64Num(args[3]);
  if (incN === null) {
    c.w.error(E.NOT_INTEGER);
    return;
  }
  const key = args[1];
  const field = args[2];
  let h = writeHashOrReply(c, key);
  if (h === null) return;
  let result: number | bigint = incN;
  const cur = h === undefined ? undefined : accessField(c, key, h, field);
  if (cur !== undefined) {
    const oldN = parseInt64Num(cur);
    if (oldN === null) {
      c.w.error(ERR_HASH_NOT_INT);
      return;
    }
    result = oldN + incN;
    if (!Number.isSafeInteger(result) || !Number.isSafeInteger(oldN) || !Number.isSafeInteger(incN)) {
      const big = (parseInt64(cur) as bigint) + (parseInt64(args[3]) as bigint);
      if (big > INT64_MAX || big < INT64_MIN) {
        c.w.error(E.OVERFLOW);
        return;
      }
      result = big;
    }
  } else if (!Number.isSafeInteger(incN)) result = parseInt64(args[3]) as bigint;
  if (h === undefined || h.size() === 0) h = createHash(c, key);
  const s = String(result);
  h.set(field, s, hashLimits(c.server), true);
  keyChanged(c, c.db, key, NOTIFY.HASH, 'hincrby');
  c.w.int(result);
}

/** Literal infinities, which strtold accepts (overflowing numbers it rejects). */
const INF_TEXT = /^[+-]?(inf|infinity)$/i;
/** Longest number text Redis's string2ld parses. */
const MAX_LONG_DOUBLE_CHARS = 5 * 1024;

/** A number text as strtold reads it: 'inf' for a literal infinity, null when invalid or overflowing. */
function parseLongDoubleArg(s: string): LongDouble | 'inf' | null {
  if (s.length === 0 || s.length >= MAX_LONG_DOUBLE_CHARS) return null;
  if (INF_TEXT.test(s)) return 'inf';
  const d = parseLongDoubleExact(s);
  return d === 'inf' ? null : d;
}

/* HINCRBYFLOAT key field increment (80-bit long double arithmetic, as Redis) */
function hincrbyfloatCommand(c: Client, args: string[]): void {
  const inc = parseLongDoubleArg(args[3]);
  if (inc === null) {
    c.w.error(E.NOT_FLOAT);
    return;
  }
  if (inc === 'inf') {
    c.w.error(ERR_NAN_INCR);
    return;
  }
  const key = args[1];
  const field = args[2];
  let h = writeHashOrReply(c, key);
  if (h === null) return;
  let value: LongDouble | 'inf' = { mant: 0n, exp: 0 };
  const cur = h === undefined ? undefined : accessField(c, key, h, field);
  if (cur !== undefined) {
    const d = parseLongDoubleArg(cur);
    if (d === null) {
      c.w.error(ERR_HASH_NOT_FLOAT);
      return;
    }
    value = d;
  }
  const sum = value === 'inf' ? null : addLongDouble(value, inc);
  if (sum === null) {
    c.w.error(E.INCR_NAN);
    return;
  }
  if (h === undefined || h.size() === 0) h = createHash(c, key);
  const s = formatLongDoubleHuman(sum);
  h.set(field, s, hashLimits(c.server), true);
  keyChanged(c, c.db, key, NOTIFY.HASH, 'hincrbyfloat');
  // Replicated as HSET with the final value, so replicas never recompute floats.
  c.propagateArgs = ['HSET', key, field, s];
  c.w.bulk(s);
}

// ----------------------------------------------------------------------------
// HRANDFIELD
// ----------------------------------------------------------------------------

/** Stop streaming a huge reply when the output grows past this (the client would be dropped anyway). */
const REPLY_GUARD_BYTES = 1 << 30;

/* HRANDFIELD key [count [WITHVALUES]] */
function hrandfieldCommand(c: Client, args: string[]): void {
  if (args.length >= 3) {
    const l = parseLongOrReply(c, args[2]);
    if (l === null) return;
    if (l < -INT64_MAX) {
      c.w.error(ERR_COUNT_RANGE);
      return;
    }
    let withValues = false;
    if (args.length > 4 || (args.length === 4 && !is(args[3], 'withvalues'))) {
      c.w.error(E.SYNTAX);
      return;
    } else if (args.length === 4) {
      withValues = true;
      if (l < -INT64_MAX / 2n || l > INT64_MAX / 2n) {
        c.w.error(ERR_OUT_OF_RANGE);
        return;
      }
    }
    hrandfieldWithCount(c, args[1], l, withValues);
    return;
  }
  const h = readHashOrReply(c, args[1]);
  if (h === null) return;
  if (h === undefined || expireAllDue(c, args[1], h)) {
    c.w.nullBulk();
    return;
  }
  c.w.bulk(h.randomField());
}

function hrandfieldWithCount(c: Client, key: string, l: bigint, withValues: boolean): void {
  const h = readHashOrReply(c, key);
  if (h === null) return;
  const w = c.w;
  if (h === undefined || expireAllDue(c, key, h) || l === 0n) {
    w.arrayHeader(0);
    return;
  }
  const size = h.size();
  const m = h.map;
  const resp3 = w.proto === 3;
  const emit = (f: string): void => {
    if (withValues && resp3) w.arrayHeader(2);
    w.bulk(f);
    if (withValues) w.bulk(m.get(f) as string);
  };
  const header = (n: number): void => w.arrayHeader(withValues && !resp3 ? n * 2 : n);
  // Negative count: repetitions allowed, random order.
  if (l < 0n || l === 1n) {
    const count = Number(l < 0n ? -l : l);
    header(count);
    for (let i = 0; i < count; i++) {
      emit(h.randomField());
      if ((i & 1023) === 1023 && w.len > REPLY_GUARD_BYTES) {
        c.closeAfterReply = true;
        return;
      }
    }
    return;
  }
  const count = l > BigInt(size) ? size : Number(l);
  header(count);
  // The whole hash.
  if (count >= size) {
    for (const f of m.keys()) emit(f);
    return;
  }
  for (const f of sampleUnique(m.keys(), size, count, !h.big, () => h.randomField())) emit(f);
}

// ----------------------------------------------------------------------------
// HSCAN
// ----------------------------------------------------------------------------

/* HSCAN key cursor [MATCH pattern] [COUNT count] [NOVALUES] */
function hscanCommand(c: Client, args: string[]): void {
  if (parseCursor(args[2]) === null) {
    c.w.error(ERR_INVALID_CURSOR);
    return;
  }
  const h = readHashOrReply(c, args[1]);
  if (h === null) return;
  if (h === undefined) {
    c.w.arrayHeader(2);
    c.w.bulk('0');
    c.w.arrayHeader(0);
    return;
  }
  const m = h.map;
  let noValues = false;
  scanGeneric(
    c,
    args,
    2,
    m,
    () => m.keys(),
    (f, out) => {
      const v = m.get(f);
      if (v === undefined || (h.minTtl !== Infinity && h.isDue(f, c.server.clock.now()))) return false;
      out.push(f);
      if (!noValues) out.push(v);
      return true;
    },
    false,
    !h.big,
    (opt) => {
      if (opt !== 'novalues') return false;
      noValues = true;
      return true;
    },
  );
}

// ----------------------------------------------------------------------------
// Field expiry: HEXPIRE family, HTTL family, HPERSIST
// ----------------------------------------------------------------------------

/** A database's key dictionary (swapped by SWAPDB, replaced by FLUSHDB and loads). */
type Dict = KeyDict;

/**
 * Active field expiry state of one server. Tracking is keyed by the key
 * dictionary rather than the database, so it follows SWAPDB; a dictionary
 * never seen before (after FLUSHDB, a reload...) is searched once for
 * hashes with TTLs, a bounded slice per tick.
 */
interface HfeState {
  /** Keys (per dictionary) whose hash has, or recently had, fields with a TTL. */
  keys: WeakMap<Dict, Set<string>>;
  /** Where the sweep of each dictionary stopped last tick. */
  iters: WeakMap<Dict, Iterator<string>>;
  /** Dictionaries already searched, or being searched. */
  known: WeakSet<Dict>;
  /** Searches under way. */
  rescans: Map<Dict, Iterator<[string, Value]>>;
  expiredFields: number;
}

const hfeStates = new WeakMap<Server, HfeState>();

/** Fields removed per cron tick at most, keys looked at, and entries searched. */
const CRON_FIELDS_PER_TICK = 1000;
const CRON_KEYS_PER_TICK = 500;
const CRON_RESCAN_PER_TICK = 2000;

/** State of field expiry for `srv`, hooking the cron and keyspace signals on first use. */
function hfeState(srv: Server): HfeState {
  let st = hfeStates.get(srv);
  if (st !== undefined) return st;
  const state: HfeState = { keys: new WeakMap(), iters: new WeakMap(), known: new WeakSet(), rescans: new Map(), expiredFields: 0 };
  hfeStates.set(srv, state);
  st = state;
  // A hash with TTLs that lands under a new name (RENAME, MOVE, COPY, RESTORE...) is tracked again.
  srv.keyModifiedHooks.push((db, key) => {
    const v = db.dict.peek(key);
    if (v instanceof HashObject && v.volatileCount !== 0) trackKey(state, db, key);
  });
  srv.cronHooks.push(() => activeExpireFields(srv, state));
  return st;
}

function trackKey(st: HfeState, db: Database, key: string): void {
  let s = st.keys.get(db.dict);
  if (s === undefined) {
    s = new Set();
    st.keys.set(db.dict, s);
  }
  s.add(key);
}

/** Make sure the active sweep knows about a hash with field TTLs (for persistence loaders too). */
export function trackHashFieldExpiry(srv: Server, db: Database, key: string): void {
  trackKey(hfeState(srv), db, key);
}

/**
 * Field expiry statistics for INFO (Redis 7.4's `expired_subkeys` in stats and
 * `subexpiry` per db in keyspace): fields expired so far, and hashes of `db`
 * that have fields with a TTL.
 */
export function hashFieldExpiryInfo(srv: Server, db?: Database): { expiredSubkeys: number; volatileHashes: number } {
  const st = hfeStates.get(srv);
  if (st === undefined) return { expiredSubkeys: 0, volatileHashes: 0 };
  let n = 0;
  for (const d of db === undefined ? srv.dbs : [db]) {
    const keys = st.keys.get(d.dict);
    if (keys === undefined) continue;
    for (const k of keys) {
      const v = d.dict.get(k);
      if (v instanceof HashObject && v.volatileCount !== 0) n++;
    }
  }
  return { expiredSubkeys: st.expiredFields, volatileHashes: n };
}

/** Search new dictionaries for hashes with TTLs, a bounded slice per tick. */
function rescanDicts(srv: Server, st: HfeState): void {
  for (const db of srv.dbs) {
    const d = db.dict;
    if (st.known.has(d)) continue;
    st.known.add(d);
    if (d.size !== 0) st.rescans.set(d, d.entries());
  }
  let budget = CRON_RESCAN_PER_TICK;
  for (const [d, it] of st.rescans) {
    const db = srv.dbs.find((x) => x.dict === d);
    if (db === undefined) {
      st.rescans.delete(d); // replaced meanwhile
      continue;
    }
    for (;;) {
      if (budget-- <= 0) return;
      const r = it.next();
      if (r.done) {
        st.rescans.delete(d);
        break;
      }
      const v = r.value[1];
      if (v instanceof HashObject && v.volatileCount !== 0) trackKey(st, db, r.value[0]);
    }
  }
}

/** Cron: remove due fields from tracked hashes, with bounded work per tick. */
function activeExpireFields(srv: Server, st: HfeState): void {
  if (!srv.activeExpireEnabled || srv.expiryPausedFlag) return;
  rescanDicts(srv, st);
  const now = srv.clock.now();
  let fieldBudget = CRON_FIELDS_PER_TICK;
  let keyBudget = CRON_KEYS_PER_TICK;
  for (const db of srv.dbs) {
    const keys = st.keys.get(db.dict);
    if (keys === undefined || keys.size === 0) continue;
    let it = st.iters.get(db.dict);
    let wrapped = false;
    while (keyBudget > 0 && fieldBudget > 0) {
      if (it === undefined) {
        if (wrapped) break;
        it = keys.values();
        wrapped = true;
      }
      const r = it.next();
      if (r.done) {
        it = undefined;
        continue;
      }
      keyBudget--;
      const key = r.value;
      const v = db.dict.get(key);
      if (!(v instanceof HashObject) || v.volatileCount === 0) {
        keys.delete(key);
        continue;
      }
      if (v.minTtl > now) continue;
      const when = db.expires.get(key);
      if (when !== undefined && when <= now) continue; // the whole key goes first
      const before = v.size();
      if (expireDueFields(srv, db, key, v, fieldBudget, true)) keys.delete(key);
      fieldBudget -= before - v.size();
    }
    if (it !== undefined) st.iters.set(db.dict, it);
    else st.iters.delete(db.dict);
    if (keyBudget <= 0 || fieldBudget <= 0) break;
  }
}

const COND_NONE = 0;
const COND_NX = 1;
const COND_XX = 2;
const COND_GT = 3;
const COND_LT = 4;

/** Reply codes of HEXPIRE and friends. */
const HFE_NO_FIELD = -2;
const HFE_NOT_MET = 0;
const HFE_SET = 1;
const HFE_DELETED = 2;

/**
 * Check `FIELDS numfields field...` at args[at-1..]. Returns the number of
 * fields, or null after replying.
 */
function parseFieldsOrReply(c: Client, args: string[], at: number, numErr: string): number | null {
  if (at - 1 >= args.length || !is(args[at - 1], 'fields')) {
    c.w.error(ERR_FIELDS_MISSING);
    return null;
  }
  const n = at < args.length ? parseInt64(args[at]) : null;
  if (n === null || n < 1n) {
    c.w.error(numErr);
    return null;
  }
  if (n !== BigInt(args.length - at - 1)) {
    c.w.error(ERR_NUMFIELDS_MISMATCH);
    return null;
  }
  return Number(n);
}

/*
 * HEXPIRE key seconds [NX | XX | GT | LT] FIELDS numfields field [field ...]
 * (and HPEXPIRE, HEXPIREAT, HPEXPIREAT). `unitMs`: the time is in ms;
 * `absolute`: it is a unix time.
 */
function hexpireGeneric(c: Client, args: string[], unitMs: boolean, absolute: boolean): void {
  const key = args[1];
  const h = writeHashOrReply(c, key);
  if (h === null) return;
  let t = parseLongOrReply(c, args[2]);
  if (t === null) return;
  if (t < 0n) {
    c.w.error(ERR_EXPIRE_NEGATIVE);
    return;
  }
  const name = args[0].toLowerCase();
  const maxAbs = BigInt(HFE_MAX_ABS_MS);
  if (!unitMs) {
    if (t > maxAbs / 1000n) {
      c.w.error(E.INVALID_EXPIRE(name));
      return;
    }
    t *= 1000n;
  }
  const now = c.server.clock.now();
  const base = absolute ? 0n : BigInt(now);
  if (t > maxAbs - base) {
    c.w.error(E.INVALID_EXPIRE(name));
    return;
  }
  const at = Number(t + base);
  let cond = COND_NONE;
  let numAt = 4;
  const opt = args[3].toLowerCase();
  if (opt === 'nx') cond = COND_NX;
  else if (opt === 'xx') cond = COND_XX;
  else if (opt === 'gt') cond = COND_GT;
  else if (opt === 'lt') cond = COND_LT;
  if (cond !== COND_NONE) numAt++;
  const n = parseFieldsOrReply(c, args, numAt, ERR_NUMFIELDS_EXPIRE);
  if (n === null) return;
  const w = c.w;
  w.arrayHeader(n);
  if (h === undefined) {
    for (let i = 0; i < n; i++) w.int(HFE_NO_FIELD);
    return;
  }
  if (!h.big) h.ex = true;
  const db = c.db;
  const srv = c.server;
  const past = at <= now && !srv.expiryPaused();
  const updated: string[] = [];
  let deleted = 0;
  for (let i = numAt + 1; i < args.length; i++) {
    const f = args[i];
    if (!h.has(f)) {
      w.int(HFE_NO_FIELD);
      continue;
    }
    const prev = h.getTtl(f);
    let ok: boolean;
    if (prev === undefined) ok = cond === COND_NONE || cond === COND_NX || cond === COND_LT;
    else if (cond === COND_NX) ok = false;
    else if (cond === COND_GT) ok = at > prev;
    else if (cond === COND_LT) ok = at < prev;
    else ok = true;
    if (!ok) {
      w.int(HFE_NOT_MET);
      continue;
    }
    if (past) {
      h.delete(f);
      srv.propagate(db.id, ['HDEL', key, f]);
      deleted++;
      w.int(HFE_DELETED);
      continue;
    }
    h.setTtl(f, at);
    updated.push(f);
    w.int(HFE_SET);
  }
  if (updated.length + deleted === 0) {
    c.propagateArgs = false;
    return;
  }
  if (deleted !== 0 && h.size() === 0) {
    db.delete(key);
    keyChanged(c, db, key, NOTIFY.HASH, 'hdel');
    srv.notify(NOTIFY.GENERIC, 'del', key, db.id);
  } else keyChanged(c, db, key, NOTIFY.HASH, deleted !== 0 ? 'hdel' : 'hexpire');
  srv.dirty += updated.length + deleted - 1;
  if (updated.length === 0) {
    c.propagateArgs = false;
    return;
  }
  trackHashFieldExpiry(srv, db, key);
  const prop = ['HPEXPIREAT', key, String(at)];
  if (cond !== COND_NONE) prop.push(args[3]);
  prop.push(args[numAt - 1], String(updated.length), ...updated);
  c.propagateArgs = prop;
}

/* HTTL key FIELDS numfields field [field ...] (and HPTTL, HEXPIRETIME, HPEXPIRETIME) */
function httlGeneric(c: Client, args: string[], unitMs: boolean, absolute: boolean): void {
  const h = readHashOrReply(c, args[1]);
  if (h === null) return;
  const n = parseFieldsOrReply(c, args, 3, ERR_NUMFIELDS_READ);
  if (n === null) return;
  const w = c.w;
  w.arrayHeader(n);
  const now = c.server.clock.now();
  const base = absolute ? 0 : now;
  for (let i = 4; i < args.length; i++) {
    const f = args[i];
    if (h === undefined || !h.has(f)) {
      w.int(HFE_NO_FIELD);
      continue;
    }
    const at = h.getTtl(f);
    if (at === undefined) w.int(-1);
    else if (at <= now) w.int(HFE_NO_FIELD);
    else if (unitMs) w.int(at - base);
    else w.int(Math.floor((at + 999 - base) / 1000));
  }
}

/* HPERSIST key FIELDS numfields field [field ...] */
function hpersistCommand(c: Client, args: string[]): void {
  const key = args[1];
  const h = writeHashOrReply(c, key);
  if (h === null) return;
  const n = parseFieldsOrReply(c, args, 3, ERR_NUMFIELDS_READ);
  if (n === null) return;
  const w = c.w;
  w.arrayHeader(n);
  let changed = false;
  const now = c.server.clock.now();
  for (let i = 4; i < args.length; i++) {
    const f = args[i];
    if (h === undefined || !h.has(f) || h.isDue(f, now)) w.int(HFE_NO_FIELD);
    else if (h.persist(f)) {
      w.int(1);
      changed = true;
    } else w.int(-1);
  }
  if (changed) keyChanged(c, c.db, key, NOTIFY.HASH, 'hpersist');
}

export const commands: CommandDef[] = [
  command('hset', -4, 'write denyoom fast', [1, 1, 1], 'hash', hsetCommand, { since: '2.0.0' }),
  command('hsetnx', 4, 'write denyoom fast', [1, 1, 1], 'hash', hsetnxCommand, { since: '2.0.0' }),
  command('hmset', -4, 'write denyoom fast', [1, 1, 1], 'hash', hsetCommand, { since: '2.0.0' }),
  command('hget', 3, 'readonly fast', [1, 1, 1], 'hash', hgetCommand, { since: '2.0.0' }),
  command('hmget', -3, 'readonly fast', [1, 1, 1], 'hash', hmgetCommand, { since: '2.0.0' }),
  command('hdel', -3, 'write fast', [1, 1, 1], 'hash', hdelCommand, { since: '2.0.0' }),
  command('hlen', 2, 'readonly fast', [1, 1, 1], 'hash', hlenCommand, { since: '2.0.0' }),
  command('hexists', 3, 'readonly fast', [1, 1, 1], 'hash', hexistsCommand, { since: '2.0.0' }),
  command('hstrlen', 3, 'readonly fast', [1, 1, 1], 'hash', hstrlenCommand, { since: '3.2.0' }),
  command('hkeys', 2, 'readonly', [1, 1, 1], 'hash', (c, a) => hgetallGeneric(c, a, KEYS), { since: '2.0.0' }),
  command('hvals', 2, 'readonly', [1, 1, 1], 'hash', (c, a) => hgetallGeneric(c, a, VALUES), { since: '2.0.0' }),
  command('hgetall', 2, 'readonly', [1, 1, 1], 'hash', (c, a) => hgetallGeneric(c, a, KEYS | VALUES), { since: '2.0.0' }),
  command('hincrby', 4, 'write denyoom fast', [1, 1, 1], 'hash', hincrbyCommand, { since: '2.0.0' }),
  command('hincrbyfloat', 4, 'write denyoom fast', [1, 1, 1], 'hash', hincrbyfloatCommand, { since: '2.6.0' }),
  command('hrandfield', -2, 'readonly', [1, 1, 1], 'hash', hrandfieldCommand, { since: '6.2.0' }),
  command('hscan', -3, 'readonly', [1, 1, 1], 'hash', hscanCommand, { since: '2.8.0' }),
  command('hexpire', -6, 'write denyoom fast', [1, 1, 1], 'hash', (c, a) => hexpireGeneric(c, a, false, false), { since: '7.4.0' }),
  command('hpexpire', -6, 'write denyoom fast', [1, 1, 1], 'hash', (c, a) => hexpireGeneric(c, a, true, false), { since: '7.4.0' }),
  command('hexpireat', -6, 'write denyoom fast', [1, 1, 1], 'hash', (c, a) => hexpireGeneric(c, a, false, true), { since: '7.4.0' }),
  command('hpexpireat', -6, 'write denyoom fast', [1, 1, 1], 'hash', (c, a) => hexpireGeneric(c, a, true, true), { since: '7.4.0' }),
  command('httl', -5, 'readonly fast', [1, 1, 1], 'hash', (c, a) => httlGeneric(c, a, false, false), { since: '7.4.0' }),
  command('hpttl', -5, 'readonly fast', [1, 1, 1], 'hash', (c, a) => httlGeneric(c, a, true, false), { since: '7.4.0' }),
  command('hexpiretime', -5, 'readonly fast', [1, 1, 1], 'hash', (c, a) => httlGeneric(c, a, false, true), { since: '7.4.0' }),
  command('hpexpiretime', -5, 'readonly fast', [1, 1, 1], 'hash', (c, a) => httlGeneric(c, a, true, true), { since: '7.4.0' }),
  command('hpersist', -5, 'write fast', [1, 1, 1], 'hash', hpersistCommand, { since: '7.4.0' }),
];

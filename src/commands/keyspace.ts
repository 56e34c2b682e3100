/*
 * Keyspace commands: existence, deletion, renaming, moving between databases,
 * expiry, iteration (KEYS, SCAN, RANDOMKEY) and OBJECT.
 */

import type { Client } from '../server/client';
import type { Database } from '../server/db';
import { command, noParentHandler, type CommandDef } from './types';
import { E } from '../errors';
import { NOTIFY, keyChanged, lookupRead, is, parseIntOrReply } from './util';
import { globMatch } from '../util/glob';
import { parseCursor } from '../util/scan-cursors';
import { parseInt64, parseInt64Num, isCanonicalInt } from '../util/numbers';
import { isBuffer, isString, typeOf, type Value } from '../types/value';

// ----------------------------------------------------------------------------
// Shared operations
// ----------------------------------------------------------------------------

/** Delete `key` from `db`, with notification. Returns whether it existed. */
export function opDelete(c: Client, db: Database, key: string): boolean {
  if (!db.delete(key)) return false;
  keyChanged(c, db, key, NOTIFY.GENERIC, 'del');
  return true;
}

/** Deep copy of a value. */
export function cloneValue(v: Value): Value {
  if (typeof v === 'string') return v;
  if (isBuffer(v)) return Buffer.from(v);
  return v.clone();
}

/** OBJECT ENCODING of a value. */
export function encodingOf(v: Value): string {
  if (typeof v === 'string') {
    if (v.length <= 20 && isCanonicalInt(v)) return 'int';
    return v.length <= 44 ? 'embstr' : 'raw';
  }
  if (isBuffer(v)) return 'raw';
  return v.encoding();
}

// ----------------------------------------------------------------------------
// DEL, UNLINK, EXISTS, TYPE, TOUCH
// ----------------------------------------------------------------------------

/**
 * Redis frees a deleted value in a background thread when freeing it is
 * costly (more than 64 allocations: elements of hash tables and skiplists,
 * stream nodes). Nodis frees memory through V8's collector, so nothing runs
 * in the background, but the `lazyfreed_objects` statistic counts the same
 * values, so tools that watch it behave the same.
 */
const LAZYFREE_THRESHOLD = 64;

function freeEffort(c: Client, v: Value): number {
  if (isString(v)) return 1;
  const enc = v.encoding();
  if (enc === 'listpack' || enc === 'intset' || enc === 'listpackex') return 1;
  if (v.type === 'stream') {
    const perNode = Math.max(1, c.server.config.num('stream-node-max-entries') || 100);
    return Math.ceil(v.size() / perNode) + ((v as unknown as { groups?: Map<unknown, unknown> }).groups?.size ?? 0);
  }
  if (v.type === 'list') return Math.ceil(v.size() / 128);
  return v.size();
}

/* DEL key [key ...] / UNLINK key [key ...] */
function delGenericCommand(c: Client, args: string[]): void {
  const lazy = args[0].length === 6 || c.server.config.bool('lazyfree-lazy-user-del'); // UNLINK, or DEL made lazy
  let n = 0;
  for (let i = 1; i < args.length; i++) {
    const v = lazy ? c.db.lookup(args[i]) : undefined;
    if (opDelete(c, c.db, args[i])) {
      n++;
      if (v !== undefined && freeEffort(c, v) > LAZYFREE_THRESHOLD) c.server.stats.lazyfreedObjects++;
    }
  }
  c.w.int(n);
}

/* EXISTS key [key ...] */
function existsCommand(c: Client, args: string[]): void {
  let n = 0;
  for (let i = 1; i < args.length; i++) if (lookupRead(c, args[i]) !== undefined) n++;
  c.w.int(n);
}

/* TYPE key */
function typeCommand(c: Client, args: string[]): void {
  const v = lookupRead(c, args[1]);
  c.w.simple(v === undefined ? 'none' : typeOf(v));
}

/* TOUCH key [key ...] */
function touchCommand(c: Client, args: string[]): void {
  let n = 0;
  for (let i = 1; i < args.length; i++) if (c.db.lookup(args[i]) !== undefined) n++;
  c.w.int(n);
}

// ----------------------------------------------------------------------------
// KEYS, SCAN, RANDOMKEY, DBSIZE
// ----------------------------------------------------------------------------

/* KEYS pattern */
function keysCommand(c: Client, args: string[]): void {
  const pat = args[1];
  const all = pat === '*';
  const db = c.db;
  const now = c.server.clock.now();
  const out: string[] = [];
  for (const key of db.dict.keys()) {
    if (!all && !globMatch(pat, key)) continue;
    const when = db.expires.size ? db.expires.get(key) : undefined;
    if (when !== undefined && when <= now) continue;
    out.push(key);
  }
  c.w.bulkArray(out);
}

/**
 * Shared SCAN loop: parses `cursor [MATCH p] [COUNT n] [TYPE t]` from
 * args[first..], walks `source` with a parked iterator, and replies.
 */
export function scanGeneric(
  c: Client,
  args: string[],
  first: number,
  source: object,
  iterate: () => Iterator<string>,
  emit: (item: string, out: string[]) => boolean,
  typeFilter: boolean,
  allInOne = false,
  extraOption?: (opt: string) => boolean,
): void {
  const cursor = parseCursor(args[first]);
  if (cursor === null) {
    c.w.error('ERR invalid cursor');
    return;
  }
  let count = 10;
  let pattern: string | null = null;
  let type: string | null = null;
  for (let i = first + 1; i < args.length; i++) {
    const opt = args[i].toLowerCase();
    const more = i + 1 < args.length;
    if (opt === 'count' && more) {
      const n = parseIntOrReply(c, args[++i]);
      if (n === null) return;
      if (n < 1) {
        c.w.error(E.SYNTAX);
        return;
      }
      count = n;
    } else if (opt === 'match' && more) {
      pattern = args[++i];
      if (pattern === '*') pattern = null;
    } else if (opt === 'type' && more && typeFilter) {
      type = args[++i].toLowerCase();
    } else if (extraOption !== undefined && extraOption(opt)) {
      continue;
    } else {
      c.w.error(E.SYNTAX);
      return;
    }
  }
  const it = c.server.cursors.resume(cursor, source, iterate);
  const out: string[] = [];
  let visited = 0;
  let done = false;
  const limit = allInOne ? Infinity : count;
  while (visited < limit) {
    const n = it.next();
    if (n.done) {
      done = true;
      break;
    }
    visited++;
    const item = n.value;
    if (pattern !== null && !globMatch(pattern, item)) continue;
    if (type !== null) {
      // A lookup, as Redis does: it also removes the key if it has expired.
      const v = c.db.lookup(item);
      if (v === undefined || typeOf(v).toLowerCase() !== type) continue;
    }
    emit(item, out);
  }
  const next = done ? 0 : c.server.cursors.park(source, it);
  c.w.arrayHeader(2);
  c.w.bulk(String(next));
  c.w.bulkArray(out);
}

/* SCAN cursor [MATCH pattern] [COUNT count] [TYPE type] */
function scanCommand(c: Client, args: string[]): void {
  const db = c.db;
  const dict = db.dict;
  scanGeneric(c, args, 1, dict, () => dict.keys(), (key, out) => {
    if (db.lookup(key) === undefined) return false; // expired: deleted lazily
    out.push(key);
    return true;
  }, true);
}

/* RANDOMKEY */
function randomkeyCommand(c: Client): void {
  const db = c.db;
  for (let tries = 0; tries < 100 && db.dict.size > 0; tries++) {
    const key = db.dict.randomKey();
    if (key === undefined) break;
    if (db.lookup(key) !== undefined) {
      c.w.bulk(key);
      return;
    }
  }
  c.w.nullBulk();
}

/** A random key of a Map (uniform). */
export function randomKeyOf<K>(m: Map<K, unknown> | Set<K>): K | undefined {
  const n = m.size;
  if (n === 0) return undefined;
  let i = Math.floor(Math.random() * n);
  for (const k of m.keys()) if (i-- === 0) return k;
  return undefined;
}

/* DBSIZE */
function dbsizeCommand(c: Client): void {
  c.w.int(c.db.size);
}

// ----------------------------------------------------------------------------
// RENAME, RENAMENX, MOVE, COPY, SWAPDB
// ----------------------------------------------------------------------------

/* RENAME key newkey / RENAMENX key newkey */
function renameGeneric(c: Client, args: string[], nx: boolean): void {
  const [, src, dst] = args;
  const db = c.db;
  const v = db.lookup(src);
  if (v === undefined) {
    c.w.error(E.NO_SUCH_KEY);
    return;
  }
  if (src === dst) {
    if (nx) c.w.int(0);
    else c.w.ok();
    return;
  }
  const ttl = db.getExpire(src);
  if (db.lookup(dst) !== undefined) {
    if (nx) {
      c.w.int(0);
      return;
    }
    db.delete(dst);
  }
  if (db.memHook !== null) db.memHook(db, src, v, undefined);
  db.dict.delete(src);
  db.expires.delete(src);
  db.set(dst, v);
  if (ttl !== undefined) db.setExpire(dst, ttl);
  c.server.signalModifiedKey(db, src);
  c.server.signalModifiedKey(db, dst);
  c.server.signalKeyAsReady(db, dst);
  c.server.dirty++;
  c.server.notify(NOTIFY.GENERIC, 'rename_from', src, db.id);
  c.server.notify(NOTIFY.GENERIC, 'rename_to', dst, db.id);
  if (nx) c.w.int(1);
  else c.w.ok();
}

function selectDbOrReply(c: Client, s: string): Database | null {
  const n = parseInt64Num(s);
  if (n === null) {
    c.w.error(E.NOT_INTEGER);
    return null;
  }
  if (n < 0 || n >= c.server.dbs.length) {
    c.w.error(E.INVALID_DB);
    return null;
  }
  return c.server.dbs[n];
}

/* MOVE key db */
function moveCommand(c: Client, args: string[]): void {
  const dst = selectDbOrReply(c, args[2]);
  if (dst === null) return;
  const src = c.db;
  if (dst === src) {
    c.w.error(E.SAME_OBJECT);
    return;
  }
  const key = args[1];
  const v = src.lookup(key);
  if (v === undefined || dst.lookup(key) !== undefined) {
    c.w.int(0);
    return;
  }
  const ttl = src.getExpire(key);
  if (src.memHook !== null) src.memHook(src, key, v, undefined);
  src.dict.delete(key);
  src.expires.delete(key);
  dst.set(key, v);
  if (ttl !== undefined) dst.setExpire(key, ttl);
  c.server.signalModifiedKey(src, key);
  c.server.signalModifiedKey(dst, key);
  c.server.signalKeyAsReady(dst, key);
  c.server.dirty++;
  c.server.notify(NOTIFY.GENERIC, 'move_from', key, src.id);
  c.server.notify(NOTIFY.GENERIC, 'move_to', key, dst.id);
  c.w.int(1);
}

/* COPY source destination [DB destination-db] [REPLACE] */
function copyCommand(c: Client, args: string[]): void {
  let dst = c.db;
  let replace = false;
  for (let i = 3; i < args.length; i++) {
    if (is(args[i], 'replace')) replace = true;
    else if (is(args[i], 'db') && i + 1 < args.length) {
      const d = selectDbOrReply(c, args[++i]);
      if (d === null) return;
      dst = d;
    } else {
      c.w.error(E.SYNTAX);
      return;
    }
  }
  const [, srcKey, dstKey] = args;
  if (srcKey === dstKey && dst === c.db) {
    c.w.error(E.SAME_OBJECT);
    return;
  }
  const v = c.db.lookup(srcKey);
  if (v === undefined) {
    c.w.int(0);
    return;
  }
  if (dst.lookup(dstKey) !== undefined) {
    if (!replace) {
      c.w.int(0);
      return;
    }
    dst.delete(dstKey);
  }
  dst.set(dstKey, cloneValue(v));
  const ttl = c.db.getExpire(srcKey);
  if (ttl !== undefined) dst.setExpire(dstKey, ttl);
  c.server.signalModifiedKey(dst, dstKey);
  c.server.signalKeyAsReady(dst, dstKey);
  keyChanged(c, dst, dstKey, NOTIFY.GENERIC, 'copy_to');
  c.w.int(1);
}

/* SWAPDB index1 index2 */
function swapdbCommand(c: Client, args: string[]): void {
  const a = parseInt64Num(args[1]);
  if (a === null) {
    c.w.error('ERR invalid first DB index');
    return;
  }
  const b = parseInt64Num(args[2]);
  if (b === null) {
    c.w.error('ERR invalid second DB index');
    return;
  }
  const n = c.server.dbs.length;
  if (a < 0 || a >= n || b < 0 || b >= n) {
    c.w.error(E.INVALID_DB);
    return;
  }
  if (a !== b) {
    const da = c.server.dbs[a];
    const db = c.server.dbs[b];
    da.swapWith(db);
    c.server.signalSwappedDb(da, db);
    // Clients blocked on either db may now be served.
    for (const d of [da, db]) {
      if (d.blockingKeys) for (const k of d.blockingKeys.keys()) if (d.dict.has(k)) c.server.signalKeyAsReady(d, k);
    }
    c.server.dirty++;
  }
  c.w.ok();
}

// ----------------------------------------------------------------------------
// FLUSHDB, FLUSHALL
// ----------------------------------------------------------------------------

function flushFlagsOrReply(c: Client, args: string[]): boolean {
  if (args.length > 2) {
    c.w.error(E.SYNTAX);
    return false;
  }
  if (args.length === 2 && !is(args[1], 'sync') && !is(args[1], 'async')) {
    c.w.error(E.SYNTAX);
    return false;
  }
  return true;
}

/* FLUSHDB [ASYNC|SYNC] */
function flushdbCommand(c: Client, args: string[]): void {
  if (!flushFlagsOrReply(c, args)) return;
  c.server.signalFlushedDb(c.db.id);
  const n = c.db.clear();
  c.server.dirty += n;
  if (isAsyncFlush(c, args)) c.server.stats.lazyfreedObjects += n;
  // Replicated and logged even when the db was already empty (as Redis 7.2).
  c.forcePropagation = true;
  c.w.ok();
}

function isAsyncFlush(c: Client, args: string[]): boolean {
  return args.length === 2 ? is(args[1], 'async') : c.server.config.bool('lazyfree-lazy-user-flush');
}

/* FLUSHALL [ASYNC|SYNC] */
function flushallCommand(c: Client, args: string[]): void {
  if (!flushFlagsOrReply(c, args)) return;
  c.server.signalFlushedDb(-1);
  let n = 0;
  for (const db of c.server.dbs) n += db.clear();
  c.server.dirty += n;
  if (isAsyncFlush(c, args)) c.server.stats.lazyfreedObjects += n;
  // With save points the hooks save an empty snapshot (which resets the dirty counter).
  for (const h of c.server.flushAllHooks) h();
  // Replicated and logged even when every db was already empty.
  c.forcePropagation = true;
  c.w.ok();
}

// ----------------------------------------------------------------------------
// Expiry
// ----------------------------------------------------------------------------

const LLONG_MAX = 9223372036854775807n;
const LLONG_MIN = -9223372036854775808n;

/*
 * EXPIRE key seconds [NX|XX|GT|LT] (and PEXPIRE, EXPIREAT, PEXPIREAT).
 * `unitMs`: the argument is in ms; `absolute`: it is a unix time.
 */
function expireGeneric(c: Client, args: string[], absolute: boolean, unitMs: boolean): void {
  const name = args[0].toLowerCase();
  let nx = false;
  let xx = false;
  let gt = false;
  let lt = false;
  for (let i = 3; i < args.length; i++) {
    const o = args[i].toLowerCase();
    if (o === 'nx') nx = true;
    else if (o === 'xx') xx = true;
    else if (o === 'gt') gt = true;
    else if (o === 'lt') lt = true;
    else {
      c.w.error(`ERR Unsupported option ${args[i]}`);
      return;
    }
  }
  if (nx && (xx || gt || lt)) {
    c.w.error('ERR NX and XX, GT or LT options at the same time are not compatible');
    return;
  }
  if (gt && lt) {
    c.w.error('ERR GT and LT options at the same time are not compatible');
    return;
  }
  let when = parseInt64(args[2]);
  if (when === null) {
    c.w.error(E.NOT_INTEGER);
    return;
  }
  const base = absolute ? 0n : BigInt(c.server.clock.now());
  if (!unitMs) {
    if (when > LLONG_MAX / 1000n || when < LLONG_MIN / 1000n) {
      c.w.error(E.INVALID_EXPIRE(name));
      return;
    }
    when *= 1000n;
  }
  if (when > LLONG_MAX - base) {
    c.w.error(E.INVALID_EXPIRE(name));
    return;
  }
  when += base;
  const key = args[1];
  const db = c.db;
  if (db.lookup(key) === undefined) {
    c.w.int(0);
    return;
  }
  const cur = db.getExpire(key);
  const whenMs = Number(when);
  if (nx && cur !== undefined) return c.w.int(0);
  if (xx && cur === undefined) return c.w.int(0);
  if (gt && (cur === undefined || whenMs <= cur)) return c.w.int(0);
  if (lt && cur !== undefined && whenMs >= cur) return c.w.int(0);
  if (whenMs <= c.server.clock.now() && !c.server.expiryPausedFlag) {
    db.delete(key);
    c.propagateArgs = ['DEL', key];
    keyChanged(c, db, key, NOTIFY.GENERIC, 'del');
    c.w.int(1);
    return;
  }
  db.setExpire(key, whenMs);
  c.propagateArgs = ['PEXPIREAT', key, String(when)];
  keyChanged(c, db, key, NOTIFY.GENERIC, 'expire');
  c.w.int(1);
}

/* TTL key / PTTL key / EXPIRETIME key / PEXPIRETIME key */
function ttlGeneric(c: Client, args: string[], ms: boolean, abs: boolean): void {
  const key = args[1];
  if (lookupRead(c, key) === undefined) {
    c.w.int(-2);
    return;
  }
  const when = c.db.getExpire(key);
  if (when === undefined) {
    c.w.int(-1);
    return;
  }
  if (abs) {
    c.w.int(ms ? when : Math.floor((when + 500) / 1000));
    return;
  }
  let ttl = when - c.server.clock.now();
  if (ttl < 0) ttl = 0;
  c.w.int(ms ? ttl : Math.floor((ttl + 500) / 1000));
}

/* PERSIST key */
function persistCommand(c: Client, args: string[]): void {
  const key = args[1];
  if (c.db.lookup(key) === undefined || !c.db.persist(key)) {
    c.w.int(0);
    return;
  }
  keyChanged(c, c.db, key, NOTIFY.GENERIC, 'persist');
  c.w.int(1);
}

// ----------------------------------------------------------------------------
// OBJECT
// ----------------------------------------------------------------------------

/* OBJECT ENCODING key */
function objectEncodingCommand(c: Client, args: string[]): void {
  const v = c.db.lookup(args[2]);
  if (v === undefined) c.w.nullBulk();
  else c.w.bulk(encodingOf(v));
}

/* OBJECT REFCOUNT key */
function objectRefcountCommand(c: Client, args: string[]): void {
  const v = c.db.lookup(args[2]);
  if (v === undefined) c.w.nullBulk();
  else c.w.int(typeof v === 'string' && c.server.ext.sharedIntegers !== false && isCanonicalInt(v) && Number(v) >= 0 && Number(v) < 10000 ? 2147483647 : 1);
}

/* OBJECT IDLETIME key */
function objectIdletimeCommand(c: Client, args: string[]): void {
  const v = c.db.lookup(args[2]);
  if (v === undefined) return c.w.nullBulk();
  if (c.server.config.get('maxmemory-policy').includes('lfu')) {
    c.w.error('ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.');
    return;
  }
  const access = c.server.ext.keyAccessTime as ((db: Database, key: string) => number | undefined) | undefined;
  const t = access?.(c.db, args[2]);
  c.w.int(t === undefined ? 0 : Math.floor((c.server.clock.now() - t) / 1000));
}

/* OBJECT FREQ key */
function objectFreqCommand(c: Client, args: string[]): void {
  const v = c.db.lookup(args[2]);
  if (v === undefined) return c.w.nullBulk();
  if (!c.server.config.get('maxmemory-policy').includes('lfu')) {
    c.w.error('ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.');
    return;
  }
  const freq = c.server.ext.keyFreq as ((db: Database, key: string) => number | undefined) | undefined;
  c.w.int(freq?.(c.db, args[2]) ?? 0);
}

/* OBJECT HELP */
function objectHelpCommand(c: Client): void {
  replyHelp(c, 'OBJECT', [
    'ENCODING <key>',
    '    Return the kind of internal representation used in order to store the value',
    '    associated with a <key>.',
    'FREQ <key>',
    '    Return the access frequency index of the <key>. The returned integer is',
    '    proportional to the logarithm of the recent access frequency of the key.',
    'IDLETIME <key>',
    '    Return the idle time of the <key>, that is the approximated number of',
    '    seconds elapsed since the last access to the key.',
    'REFCOUNT <key>',
    '    Return the number of references of the value associated with the specified',
    '    <key>.',
  ]);
}

/** The HELP reply layout shared by every container command. */
export function replyHelp(c: Client, cmd: string, lines: string[]): void {
  const all = [`${cmd} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`, ...lines, 'HELP', '    Print this help.'];
  c.w.arrayHeader(all.length);
  for (const l of all) c.w.simple(l);
}

/* WAIT numreplicas timeout */
function waitCommand(c: Client, args: string[]): void {
  const n = parseIntOrReply(c, args[1]);
  if (n === null) return;
  const t = parseIntOrReply(c, args[2], 'ERR timeout is not an integer or out of range');
  if (t === null) return;
  if (t < 0) {
    c.w.error(E.TIMEOUT_NEG);
    return;
  }
  const wait = c.server.ext.waitReplicas as ((c: Client, n: number, t: number) => void) | undefined;
  if (wait) wait(c, n, t);
  else c.w.int(0);
}

export const commands: CommandDef[] = [
  command('del', -2, 'write', [1, -1, 1], 'keyspace', delGenericCommand),
  command('unlink', -2, 'write fast', [1, -1, 1], 'keyspace', delGenericCommand),
  command('exists', -2, 'readonly fast', [1, -1, 1], 'keyspace', existsCommand),
  command('type', 2, 'readonly fast', [1, 1, 1], 'keyspace', typeCommand),
  command('touch', -2, 'readonly fast', [1, -1, 1], 'keyspace', touchCommand),
  command('keys', 2, 'readonly', [0, 0, 0], 'keyspace dangerous', keysCommand),
  command('scan', -2, 'readonly', [0, 0, 0], 'keyspace', scanCommand),
  command('randomkey', 1, 'readonly', [0, 0, 0], 'keyspace', randomkeyCommand),
  command('dbsize', 1, 'readonly fast', [0, 0, 0], 'keyspace', dbsizeCommand),
  command('rename', 3, 'write', [1, 2, 1], 'keyspace', (c, a) => renameGeneric(c, a, false)),
  command('renamenx', 3, 'write fast', [1, 2, 1], 'keyspace', (c, a) => renameGeneric(c, a, true)),
  command('move', 3, 'write fast', [1, 1, 1], 'keyspace', moveCommand),
  command('copy', -3, 'write denyoom', [1, 2, 1], 'keyspace', copyCommand),
  command('swapdb', 3, 'write fast', [0, 0, 0], 'keyspace dangerous', swapdbCommand),
  command('flushdb', -1, 'write', [0, 0, 0], 'keyspace dangerous', flushdbCommand),
  command('flushall', -1, 'write', [0, 0, 0], 'keyspace dangerous', flushallCommand),
  command('expire', -3, 'write fast', [1, 1, 1], 'keyspace', (c, a) => expireGeneric(c, a, false, false)),
  command('pexpire', -3, 'write fast', [1, 1, 1], 'keyspace', (c, a) => expireGeneric(c, a, false, true)),
  command('expireat', -3, 'write fast', [1, 1, 1], 'keyspace', (c, a) => expireGeneric(c, a, true, false)),
  command('pexpireat', -3, 'write fast', [1, 1, 1], 'keyspace', (c, a) => expireGeneric(c, a, true, true)),
  command('ttl', 2, 'readonly fast', [1, 1, 1], 'keyspace', (c, a) => ttlGeneric(c, a, false, false)),
  command('pttl', 2, 'readonly fast', [1, 1, 1], 'keyspace', (c, a) => ttlGeneric(c, a, true, false)),
  command('expiretime', 2, 'readonly fast', [1, 1, 1], 'keyspace', (c, a) => ttlGeneric(c, a, false, true)),
  command('pexpiretime', 2, 'readonly fast', [1, 1, 1], 'keyspace', (c, a) => ttlGeneric(c, a, true, true)),
  command('persist', 2, 'write fast', [1, 1, 1], 'keyspace', persistCommand),
  command('object', -2, '', [0, 0, 0], 'keyspace', noParentHandler, {
    subcommands: [
      command('encoding', 3, 'readonly', [2, 2, 1], 'keyspace', objectEncodingCommand),
      command('refcount', 3, 'readonly', [2, 2, 1], 'keyspace', objectRefcountCommand),
      command('idletime', 3, 'readonly', [2, 2, 1], 'keyspace', objectIdletimeCommand),
      command('freq', 3, 'readonly', [2, 2, 1], 'keyspace', objectFreqCommand),
      command('help', 2, 'loading stale', [0, 0, 0], 'keyspace', objectHelpCommand),
    ],
  }),
  command('wait', 3, '', [0, 0, 0], 'connection', waitCommand),
];

// Referenced for type checks by other families.
export { isString };

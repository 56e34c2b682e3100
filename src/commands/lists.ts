/*
 * List commands: pushes and pops at both ends, indexes and ranges, LINSERT,
 * LREM, LTRIM, LPOS, moves between lists (LMOVE, RPOPLPUSH), LMPOP, and the
 * blocking variants (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP).
 *
 * Blocking follows Redis 7.2: a client that finds nothing to pop parks on
 * its keys; when one of them is signalled ready and holds a list, the
 * client's command is attempted again from the start (so it sees the keys in
 * their current state, type errors included) and, if it still finds nothing,
 * it stays blocked with its original deadline. A served pop is propagated as
 * the non-blocking command (LPOP/RPOP [count], LMOVE, RPOPLPUSH).
 */

import type { Client } from '../server/client';
import type { Database } from '../server/db';
import { command, type CommandDef } from './types';
import { E } from '../errors';
import {
  NOTIFY,
  is,
  keyChanged,
  lookupRead,
  lookupWrite,
  parseIntOrReply,
  parseTimeoutOrReply,
} from './util';
import { List, isList } from '../types/list';
import { parseInt64, parseInt64Num } from '../util/numbers';
import { CODECS, READERS, emitBatched, type LoadContext } from '../persistence/codecs';
import { T, QUICKLIST_NODE_PACKED, QUICKLIST_NODE_PLAIN, RdbError, type RdbReader } from '../persistence/rdb';
import { lpBuild, lpParse, lpShallowOk, zlParse } from '../persistence/encodings';
import { RdbAssertion } from '../persistence/corrupt';

const ERR_RANK_ZERO =
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
const ERR_RANK_RANGE = 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807';
const ERR_LPOS_COUNT = "ERR COUNT can't be negative";
const ERR_LPOS_MAXLEN = "ERR MAXLEN can't be negative";
const ERR_NUMKEYS = 'ERR numkeys should be greater than 0';
const ERR_MPOP_COUNT = 'ERR count should be greater than 0';

const HEAD = 0;
const TAIL = 1;
type Where = typeof HEAD | typeof TAIL;

const LLONG_MIN = -9223372036854775808n;

// ----------------------------------------------------------------------------
// Helpers
// ----------------------------------------------------------------------------

/** list-max-listpack-size, which drives the listpack/quicklist encoding. */
function fillOf(c: Client): number {
  return c.server.config.num('list-max-listpack-size');
}

/** The list at `key` for writing: undefined when missing, null after replying WRONGTYPE. */
function writableList(c: Client, key: string): List | undefined | null {
  const v = lookupWrite(c, key);
  if (v === undefined) return undefined;
  if (!isList(v)) {
    c.w.error(E.WRONGTYPE);
    return null;
  }
  return v;
}

/** The list at `key` for reading (counts hits/misses): undefined when missing, null after WRONGTYPE. */
function readableList(c: Client, key: string): List | undefined | null {
  const v = lookupRead(c, key);
  if (v === undefined) return undefined;
  if (!isList(v)) {
    c.w.error(E.WRONGTYPE);
    return null;
  }
  return v;
}

/** Create an empty list at `key` (a new key: clients blocked on it may be served). */
function createList(c: Client, db: Database, key: string): List {
  const l = new List();
  db.set(key, l);
  const srv = c.server;
  if (srv.notifyFlags & NOTIFY.NEW) srv.notify(NOTIFY.NEW, 'new', key, db.id);
  srv.signalKeyAsReady(db, key);
  return l;
}

function notifyList(c: Client, db: Database, event: string, key: string): void {
  if (c.server.notifyFlags !== 0) c.server.notify(NOTIFY.LIST, event, key, db.id);
}

/**
 * After `n` elements were popped from `where`: notify, delete the key when the
 * list is empty (or try the smaller encoding), invalidate WATCH, count changes.
 */
function elementsRemoved(c: Client, db: Database, key: string, list: List, where: Where, n: number): void {
  const srv = c.server;
  notifyList(c, db, where === HEAD ? 'lpop' : 'rpop', key);
  if (list.length === 0) {
    db.delete(key);
    if (srv.notifyFlags !== 0) srv.notify(NOTIFY.GENERIC, 'del', key, db.id);
  } else list.tryConvertToListpack(fillOf(c), true);
  srv.signalModifiedKey(db, key);
  srv.dirty += n;
}

/** After LREM/LTRIM emptied or shrank a list: delete it or try the smaller encoding. */
function deleteIfEmpty(c: Client, db: Database, key: string, list: List): void {
  if (list.length === 0) {
    db.delete(key);
    if (c.server.notifyFlags !== 0) c.server.notify(NOTIFY.GENERIC, 'del', key, db.id);
  } else list.tryConvertToListpack(fillOf(c), true);
}

/** LEFT / RIGHT. Replies a syntax error and returns null otherwise. */
function parseWhereOrReply(c: Client, s: string): Where | null {
  if (is(s, 'left')) return HEAD;
  if (is(s, 'right')) return TAIL;
  c.w.error(E.SYNTAX);
  return null;
}

/**
 * What to propagate for a pop or move: while the command runs, through the
 * dispatcher (it replaces the command's own arguments); when a blocked
 * client is served later, directly.
 */
function replicate(c: Client, args: string[], served: boolean): void {
  if (served) c.server.propagate(c.db.id, args);
  else c.propagateArgs = args;
}

/** Blocking commands do not block inside MULTI/EXEC, scripts or internal clients. */
function mayBlock(c: Client): boolean {
  return !c.inExec && !c.fake;
}

/**
 * Does `key` hold a list a blocked client could be served from? Looks the key
 * up without side effects: an expired key counts as missing but is not
 * deleted here (as Redis does when it wakes blocked clients).
 */
function holdsList(c: Client, key: string): boolean {
  const db = c.db;
  const v = db.dict.get(key);
  if (v === undefined || !isList(v)) return false;
  if (db.expires.size !== 0) {
    const when = db.expires.get(key);
    if (when !== undefined && when <= c.server.clock.now()) return false;
  }
  return true;
}

/**
 * Park `c` on `keys`. `attempt` re-runs the command against the current data
 * and returns true when it replied (served or failed); false keeps it blocked.
 */
function blockOnLists(c: Client, keys: string[], timeoutMs: number, attempt: () => boolean): void {
  c.server.blockClient(
    c,
    c.db,
    keys,
    timeoutMs,
    'list',
    (key) => holdsList(c, key) && attempt(),
    () => c.w.nullArray(),
  );
}

// ----------------------------------------------------------------------------
// Pushes
// ----------------------------------------------------------------------------

/* LPUSH key element [element ...] / RPUSH / LPUSHX / RPUSHX */
function pushGeneric(c: Client, args: string[], where: Where, onlyExisting: boolean): void {
  const key = args[1];
  const db = c.db;
  let list = writableList(c, key);
  if (list === null) return;
  if (list === undefined) {
    if (onlyExisting) {
      c.w.int(0);
      return;
    }
    list = createList(c, db, key);
  }
  const n = args.length - 2;
  if (!list.quicklist) {
    let bytes = 0;
    for (let i = 2; i < args.length; i++) bytes += args[i].length;
    list.growFor(fillOf(c), n, bytes);
  }
  if (where === HEAD) for (let i = 2; i < args.length; i++) list.pushHead(args[i]);
  else for (let i = 2; i < args.length; i++) list.pushTail(args[i]);
  c.w.int(list.length);
  keyChanged(c, db, key, NOTIFY.LIST, where === HEAD ? 'lpush' : 'rpush');
  c.server.dirty += n - 1;
}

/* LINSERT key BEFORE|AFTER pivot element */
function linsertCommand(c: Client, args: string[]): void {
  let after: boolean;
  if (is(args[2], 'after')) after = true;
  else if (is(args[2], 'before')) after = false;
  else {
    c.w.error(E.SYNTAX);
    return;
  }
  const key = args[1];
  const list = writableList(c, key);
  if (list === null) return;
  if (list === undefined) {
    c.w.int(0);
    return;
  }
  const pivot = args[3];
  const value = args[4];
  // As Redis: the encoding grows before we know whether the pivot exists.
  list.growFor(fillOf(c), 1, value.length);
  const len = list.length;
  let i = 0;
  while (i < len && list.at(i) !== pivot) i++;
  if (i === len) {
    c.w.int(-1);
    return;
  }
  list.insertAt(after ? i + 1 : i, value);
  keyChanged(c, c.db, key, NOTIFY.LIST, 'linsert');
  c.w.int(list.length);
}

// ----------------------------------------------------------------------------
// Pops
// ----------------------------------------------------------------------------

/* LPOP key [count] / RPOP key [count] */
function popGeneric(c: Client, args: string[], where: Where): void {
  if (args.length > 3) {
    c.w.error(E.WRONG_ARITY(where === HEAD ? 'lpop' : 'rpop'));
    return;
  }
  const hasCount = args.length === 3;
  let count = 0;
  if (hasCount) {
    // Redis gives the range error for non-numbers too.
    const n = parseInt64Num(args[2]);
    if (n === null || n < 0) {
      c.w.error(E.NEG_LENGTH);
      return;
    }
    count = n;
  }
  const key = args[1];
  const list = writableList(c, key);
  if (list === null) return;
  if (list === undefined) {
    if (hasCount) c.w.nullArray();
    else c.w.nullBulk();
    return;
  }
  if (hasCount && count === 0) {
    c.w.arrayHeader(0);
    return;
  }
  if (!hasCount) {
    c.w.bulk((where === HEAD ? list.popHead() : list.popTail()) as string);
    elementsRemoved(c, c.db, key, list, where, 1);
    return;
  }
  const n = Math.min(count, list.length);
  replyPopped(c, list, where, n);
  elementsRemoved(c, c.db, key, list, where, n);
}

/** Pop `n` elements from `where`, replying them as an array. */
function replyPopped(c: Client, list: List, where: Where, n: number): void {
  const w = c.w;
  w.arrayHeader(n);
  if (where === HEAD) for (let i = 0; i < n; i++) w.bulk(list.popHead() as string);
  else for (let i = 0; i < n; i++) w.bulk(list.popTail() as string);
}

/**
 * Pop from the first non-empty list of `keys`: one element replied as
 * [key, element] (count -1, BLPOP/BRPOP), or up to `count` as
 * [key, [elements]] (LMPOP/BLMPOP). Returns false when every list is empty
 * (nothing replied), true when it replied (served, or WRONGTYPE).
 */
function popFirstNonEmpty(c: Client, keys: string[], where: Where, count: number, served: boolean): boolean {
  const db = c.db;
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k];
    const list = writableList(c, key);
    if (list === null) return true;
    if (list === undefined || list.length === 0) continue;
    const w = c.w;
    const cmd = where === HEAD ? 'LPOP' : 'RPOP';
    if (count < 0) {
      w.arrayHeader(2);
      w.bulk(key);
      w.bulk((where === HEAD ? list.popHead() : list.popTail()) as string);
      elementsRemoved(c, db, key, list, where, 1);
      replicate(c, [cmd, key], served);
    } else {
      const n = Math.min(count, list.length);
      w.arrayHeader(2);
      w.bulk(key);
      replyPopped(c, list, where, n);
      elementsRemoved(c, db, key, list, where, n);
      replicate(c, [cmd, key, String(n)], served);
    }
    return true;
  }
  return false;
}

/* BLPOP key [key ...] timeout / BRPOP key [key ...] timeout */
function blockingPopGeneric(c: Client, args: string[], where: Where): void {
  const timeout = parseTimeoutOrReply(c, args[args.length - 1]);
  if (timeout === null) return;
  const keys = args.slice(1, args.length - 1);
  if (popFirstNonEmpty(c, keys, where, -1, false)) return;
  if (!mayBlock(c)) {
    c.w.nullArray();
    return;
  }
  blockOnLists(c, keys, timeout, () => popFirstNonEmpty(c, keys, where, -1, true));
}

interface MpopArgs {
  keys: string[];
  where: Where;
  count: number;
}

/** Parse `numkeys key [key ...] LEFT|RIGHT [COUNT count]` starting at `numkeysIdx`. */
function parseMpopOrReply(c: Client, args: string[], numkeysIdx: number): MpopArgs | null {
  const numkeys = parseInt64Num(args[numkeysIdx]);
  if (numkeys === null || numkeys < 1) {
    c.w.error(ERR_NUMKEYS);
    return null;
  }
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= args.length) {
    c.w.error(E.SYNTAX);
    return null;
  }
  const where = parseWhereOrReply(c, args[whereIdx]);
  if (where === null) return null;
  let count = -1;
  for (let j = whereIdx + 1; j < args.length; j++) {
    if (count === -1 && is(args[j], 'count') && j + 1 < args.length) {
      const n = parseInt64Num(args[++j]);
      if (n === null || n < 1) {
        c.w.error(ERR_MPOP_COUNT);
        return null;
      }
      count = n;
    } else {
      c.w.error(E.SYNTAX);
      return null;
    }
  }
  return { keys: args.slice(numkeysIdx + 1, whereIdx), where, count: count === -1 ? 1 : count };
}

/* LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count] */
function lmpopCommand(c: Client, args: string[]): void {
  const p = parseMpopOrReply(c, args, 1);
  if (p === null) return;
  if (!popFirstNonEmpty(c, p.keys, p.where, p.count, false)) c.w.nullArray();
}

/* BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count] */
function blmpopCommand(c: Client, args: string[]): void {
  const p = parseMpopOrReply(c, args, 2);
  if (p === null) return;
  const timeout = parseTimeoutOrReply(c, args[1]);
  if (timeout === null) return;
  if (popFirstNonEmpty(c, p.keys, p.where, p.count, false)) return;
  if (!mayBlock(c)) {
    c.w.nullArray();
    return;
  }
  blockOnLists(c, p.keys, timeout, () => popFirstNonEmpty(c, p.keys, p.where, p.count, true));
}

/** Key positions of LMPOP (numkeys at 1) and BLMPOP (numkeys at 2). */
function mpopKeys(numkeysIdx: number): (args: string[]) => number[] {
  return (args) => {
    const n = parseInt64Num(args[numkeysIdx] ?? '');
    if (n === null || n < 1 || numkeysIdx + n >= args.length) return [];
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(numkeysIdx + 1 + i);
    return out;
  };
}

// ----------------------------------------------------------------------------
// Moves
// ----------------------------------------------------------------------------

const MOVED = 1;
const EMPTY = 0;
const FAILED = -1;

/**
 * Move one element from `src` (end `from`) to `dst` (end `to`), replying the
 * element. Returns EMPTY without replying when the source has nothing,
 * FAILED after a WRONGTYPE reply.
 */
function moveOne(c: Client, srcKey: string, dstKey: string, from: Where, to: Where): number {
  const db = c.db;
  const src = writableList(c, srcKey);
  if (src === null) return FAILED;
  if (src === undefined || src.length === 0) return EMPTY;
  let dst = writableList(c, dstKey);
  if (dst === null) return FAILED;
  const v = (from === HEAD ? src.popHead() : src.popTail()) as string;
  if (dst === undefined) dst = createList(c, db, dstKey);
  if (!dst.quicklist) dst.growFor(fillOf(c), 1, v.length);
  if (to === HEAD) dst.pushHead(v);
  else dst.pushTail(v);
  c.server.signalModifiedKey(db, dstKey);
  notifyList(c, db, to === HEAD ? 'lpush' : 'rpush', dstKey);
  c.w.bulk(v);
  elementsRemoved(c, db, srcKey, src, from, 1);
  return MOVED;
}

/* LMOVE source destination LEFT|RIGHT LEFT|RIGHT */
function lmoveCommand(c: Client, args: string[]): void {
  const from = parseWhereOrReply(c, args[3]);
  if (from === null) return;
  const to = parseWhereOrReply(c, args[4]);
  if (to === null) return;
  if (moveOne(c, args[1], args[2], from, to) === EMPTY) c.w.nullBulk();
}

/* RPOPLPUSH source destination */
function rpoplpushCommand(c: Client, args: string[]): void {
  if (moveOne(c, args[1], args[2], TAIL, HEAD) === EMPTY) c.w.nullBulk();
}

/** BLMOVE / BRPOPLPUSH once their arguments are parsed; `prop` is the non-blocking equivalent. */
function blockingMove(c: Client, args: string[], from: Where, to: Where, timeout: number, prop: string[]): void {
  const src = args[1];
  const dst = args[2];
  const r = moveOne(c, src, dst, from, to);
  if (r === MOVED) {
    c.propagateArgs = prop;
    return;
  }
  if (r === FAILED) return;
  if (!mayBlock(c)) {
    c.w.nullBulk();
    return;
  }
  blockOnLists(c, [src], timeout, () => {
    const again = moveOne(c, src, dst, from, to);
    if (again === EMPTY) return false;
    if (again === MOVED) replicate(c, prop, true);
    return true;
  });
}

/* BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout */
function blmoveCommand(c: Client, args: string[]): void {
  const from = parseWhereOrReply(c, args[3]);
  if (from === null) return;
  const to = parseWhereOrReply(c, args[4]);
  if (to === null) return;
  const timeout = parseTimeoutOrReply(c, args[5]);
  if (timeout === null) return;
  blockingMove(c, args, from, to, timeout, ['LMOVE', args[1], args[2], args[3], args[4]]);
}

/* BRPOPLPUSH source destination timeout */
function brpoplpushCommand(c: Client, args: string[]): void {
  const timeout = parseTimeoutOrReply(c, args[3]);
  if (timeout === null) return;
  blockingMove(c, args, TAIL, HEAD, timeout, ['RPOPLPUSH', args[1], args[2]]);
}

// ----------------------------------------------------------------------------
// Indexes and ranges
// ----------------------------------------------------------------------------

/* LLEN key */
function llenCommand(c: Client, args: string[]): void {
  const list = readableList(c, args[1]);
  if (list === null) return;
  c.w.int(list === undefined ? 0 : list.length);
}

/* LINDEX key index */
function lindexCommand(c: Client, args: string[]): void {
  const list = readableList(c, args[1]);
  if (list === null) return;
  if (list === undefined) {
    c.w.nullBulk();
    return;
  }
  let i = parseIntOrReply(c, args[2]);
  if (i === null) return;
  if (i < 0) i += list.length;
  if (i < 0 || i >= list.length) c.w.nullBulk();
  else c.w.bulk(list.at(i));
}

/* LSET key index element */
function lsetCommand(c: Client, args: string[]): void {
  const key = args[1];
  const list = writableList(c, key);
  if (list === null) return;
  if (list === undefined) {
    c.w.error(E.NO_SUCH_KEY);
    return;
  }
  let i = parseIntOrReply(c, args[2]);
  if (i === null) return;
  const value = args[3];
  const fill = fillOf(c);
  list.growFor(fill, 1, value.length);
  if (i < 0) i += list.length;
  if (i < 0 || i >= list.length) {
    c.w.error(E.OUT_OF_RANGE);
    return;
  }
  list.setAt(i, value);
  c.w.ok();
  keyChanged(c, c.db, key, NOTIFY.LIST, 'lset');
  list.tryConvertToListpack(fill, true);
}

/** Normalise start/end of a range over `len` elements; null when the range is empty. */
function clampRange(start: number, end: number, len: number): [number, number] | null {
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) return null;
  if (end >= len) end = len - 1;
  return [start, end];
}

/* LRANGE key start stop */
function lrangeCommand(c: Client, args: string[]): void {
  const start = parseIntOrReply(c, args[2]);
  if (start === null) return;
  const end = parseIntOrReply(c, args[3]);
  if (end === null) return;
  const list = readableList(c, args[1]);
  if (list === null) return;
  const r = list === undefined ? null : clampRange(start, end, list.length);
  if (list === undefined || r === null) {
    c.w.arrayHeader(0);
    return;
  }
  const w = c.w;
  w.arrayHeader(r[1] - r[0] + 1);
  for (let i = r[0]; i <= r[1]; i++) w.bulk(list.at(i));
}

/* LTRIM key start stop */
function ltrimCommand(c: Client, args: string[]): void {
  const start = parseIntOrReply(c, args[2]);
  if (start === null) return;
  const end = parseIntOrReply(c, args[3]);
  if (end === null) return;
  const key = args[1];
  const list = writableList(c, key);
  if (list === null) return;
  if (list === undefined) {
    c.w.ok();
    return;
  }
  const len = list.length;
  const r = clampRange(start, end, len);
  if (r === null) list.trim(1, 0);
  else list.trim(r[0], r[1]);
  const removed = len - list.length;
  notifyList(c, c.db, 'ltrim', key);
  deleteIfEmpty(c, c.db, key, list);
  c.server.signalModifiedKey(c.db, key);
  c.server.dirty += removed;
  c.w.ok();
}

/* LREM key count element */
function lremCommand(c: Client, args: string[]): void {
  const count = parseIntOrReply(c, args[2]);
  if (count === null) return;
  const key = args[1];
  const list = writableList(c, key);
  if (list === null) return;
  if (list === undefined) {
    c.w.int(0);
    return;
  }
  const removed = list.removeValue(args[3], Math.abs(count), count < 0);
  if (removed > 0) {
    notifyList(c, c.db, 'lrem', key);
    deleteIfEmpty(c, c.db, key, list);
    c.server.signalModifiedKey(c.db, key);
    c.server.dirty += removed;
  }
  c.w.int(removed);
}

/* LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len] */
function lposCommand(c: Client, args: string[]): void {
  let rank = 1;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < args.length; j++) {
    const more = j + 1 < args.length;
    if (is(args[j], 'rank') && more) {
      const r = parseInt64(args[++j]);
      if (r === null) {
        c.w.error(E.NOT_INTEGER);
        return;
      }
      if (r === LLONG_MIN) {
        c.w.error(ERR_RANK_RANGE);
        return;
      }
      rank = Number(r);
      if (rank === 0) {
        c.w.error(ERR_RANK_ZERO);
        return;
      }
    } else if (is(args[j], 'count') && more) {
      const n = parseInt64Num(args[++j]);
      if (n === null || n < 0) {
        c.w.error(ERR_LPOS_COUNT);
        return;
      }
      count = n;
    } else if (is(args[j], 'maxlen') && more) {
      const n = parseInt64Num(args[++j]);
      if (n === null || n < 0) {
        c.w.error(ERR_LPOS_MAXLEN);
        return;
      }
      maxlen = n;
    } else {
      c.w.error(E.SYNTAX);
      return;
    }
  }
  const list = readableList(c, args[1]);
  if (list === null) return;
  if (list === undefined) {
    if (count !== -1) c.w.arrayHeader(0);
    else c.w.nullBulk();
    return;
  }
  const ele = args[2];
  const fromTail = rank < 0;
  if (fromTail) rank = -rank;
  const len = list.length;
  const limit = maxlen === 0 ? len : Math.min(maxlen, len);
  let matches = 0;
  const found: number[] = [];
  for (let k = 0; k < limit; k++) {
    const idx = fromTail ? len - 1 - k : k;
    if (list.at(idx) !== ele) continue;
    matches++;
    if (matches < rank) continue;
    found.push(idx);
    if (count === -1) break;
    if (count !== 0 && found.length >= count) break;
  }
  if (count !== -1) {
    c.w.arrayHeader(found.length);
    for (const i of found) c.w.int(i);
  } else if (found.length !== 0) c.w.int(found[0]);
  else c.w.nullBulk();
}

// ----------------------------------------------------------------------------
// Persistence: RDB and AOF-rewrite codec of the list type
// ----------------------------------------------------------------------------

/**
 * A loaded list: empty lists are dropped; one packed node (or an old
 * single-container type) becomes a listpack when it fits, as Redis 7.2 loads.
 */
function loadedList(nodes: string[][], packedSingle: boolean, ctx: LoadContext): List | null {
  const l = new List();
  for (const node of nodes) for (const e of node) l.pushTail(e);
  if (l.length === 0) return null;
  l.quicklist = true;
  if (packedSingle) l.tryConvertToListpack(ctx.listMaxSize, false);
  else l.growFor(ctx.listMaxSize, 0, 0);
  return l;
}

CODECS.set('list', {
  type: 'list',
  rdbType: () => T.LIST_QUICKLIST_2,
  write(w, v) {
    const nodes = (v as List).nodes();
    w.len(nodes.length);
    for (const node of nodes) {
      w.len(QUICKLIST_NODE_PACKED);
      w.string(lpBuild(node));
    }
  },
  rewrite(key, v, emit) {
    const l = v as List;
    function* items(): Generator<string[]> {
      for (let i = 0; i < l.length; i++) yield [l.at(i)];
    }
    emitBatched(emit, 'RPUSH', key, items());
  },
});

READERS.set(T.LIST, (r, ctx) => {
  const n = r.len();
  const items: string[] = [];
  for (let i = 0; i < n; i++) items.push(r.string());
  return loadedList([items], true, ctx);
});
READERS.set(T.LIST_ZIPLIST, (r, ctx) => loadedList([zlParse(r.stringBytes(), 'List ziplist')], true, ctx));
READERS.set(T.LIST_QUICKLIST, (r, ctx) => {
  const n = r.len();
  const nodes: string[][] = [];
  for (let i = 0; i < n; i++) {
    const node = zlParse(r.stringBytes(), 'Ziplist');
    if (node.length !== 0) nodes.push(node);
  }
  return loadedList(nodes, nodes.length === 1, ctx);
});
READERS.set(T.LIST_QUICKLIST_2, (r: RdbReader, ctx) => {
  const n = r.len();
  const nodes: string[][] = [];
  let plain = false;
  for (let i = 0; i < n; i++) {
    const container = r.len();
    if (container === QUICKLIST_NODE_PLAIN) {
      const e = r.string();
      if (e.length === 0) throw new RdbError('Quicklist integrity check failed.');
      nodes.push([e]);
      plain = true;
    } else if (container === QUICKLIST_NODE_PACKED) {
      const node = listpackNode(r.stringBytes(), ctx);
      if (node.length !== 0) nodes.push(node);
    } else throw new RdbError(`Quicklist integrity check failed: unknown container ${container}`);
  }
  return loadedList(nodes, nodes.length === 1 && !plain, ctx);
});

/** A quicklist listpack node: refused on a header mismatch; a deeper fault without deep sanitization is the assertion Redis would crash on. */
function listpackNode(b: Buffer, ctx: LoadContext): string[] {
  if (!lpShallowOk(b)) throw new RdbError('Listpack integrity check failed.');
  if (!ctx.deep && b.readUInt16LE(4) === 0) return [];
  try {
    return lpParse(b, 'Listpack');
  } catch (e) {
    if (!ctx.deep && e instanceof RdbError) throw new RdbAssertion(e.message);
    throw e;
  }
}

// ----------------------------------------------------------------------------
// Table
// ----------------------------------------------------------------------------

export const commands: CommandDef[] = [
  command('lpush', -3, 'write denyoom fast', [1, 1, 1], 'list', (c, a) => pushGeneric(c, a, HEAD, false)),
  command('rpush', -3, 'write denyoom fast', [1, 1, 1], 'list', (c, a) => pushGeneric(c, a, TAIL, false)),
  command('lpushx', -3, 'write denyoom fast', [1, 1, 1], 'list', (c, a) => pushGeneric(c, a, HEAD, true), { since: '2.2.0' }),
  command('rpushx', -3, 'write denyoom fast', [1, 1, 1], 'list', (c, a) => pushGeneric(c, a, TAIL, true), { since: '2.2.0' }),
  command('linsert', 5, 'write denyoom', [1, 1, 1], 'list', linsertCommand, { since: '2.2.0' }),
  command('lpop', -2, 'write fast', [1, 1, 1], 'list', (c, a) => popGeneric(c, a, HEAD)),
  command('rpop', -2, 'write fast', [1, 1, 1], 'list', (c, a) => popGeneric(c, a, TAIL)),
  command('lmpop', -4, 'write', [0, 0, 0], 'list', lmpopCommand, { getKeys: mpopKeys(1), since: '7.0.0' }),
  command('blpop', -3, 'write blocking', [1, -2, 1], 'list', (c, a) => blockingPopGeneric(c, a, HEAD), { since: '2.0.0' }),
  command('brpop', -3, 'write blocking', [1, -2, 1], 'list', (c, a) => blockingPopGeneric(c, a, TAIL), { since: '2.0.0' }),
  command('blmpop', -5, 'write blocking', [0, 0, 0], 'list', blmpopCommand, { getKeys: mpopKeys(2), since: '7.0.0' }),
  command('lmove', 5, 'write denyoom', [1, 2, 1], 'list', lmoveCommand, { since: '6.2.0' }),
  command('rpoplpush', 3, 'write denyoom', [1, 2, 1], 'list', rpoplpushCommand, { since: '1.2.0' }),
  command('blmove', 6, 'write denyoom blocking', [1, 2, 1], 'list', blmoveCommand, { since: '6.2.0' }),
  command('brpoplpush', 4, 'write denyoom blocking', [1, 2, 1], 'list', brpoplpushCommand, { since: '2.2.0' }),
  command('llen', 2, 'readonly fast', [1, 1, 1], 'list', llenCommand),
  command('lindex', 3, 'readonly', [1, 1, 1], 'list', lindexCommand),
  command('lset', 4, 'write denyoom', [1, 1, 1], 'list', lsetCommand),
  command('lrange', 4, 'readonly', [1, 1, 1], 'list', lrangeCommand),
  command('ltrim', 4, 'write', [1, 1, 1], 'list', ltrimCommand),
  command('lrem', 4, 'write', [1, 1, 1], 'list', lremCommand),
  command('lpos', -3, 'readonly', [1, 1, 1], 'list', lposCommand, { since: '6.0.6' }),
];

/*
 * Set commands: membership, random members and pops, moves, the algebra
 * (SINTER/SUNION/SDIFF, their STORE forms and SINTERCARD) and SSCAN.
 */

import type { Client } from '../server/client';
import type { Server } from '../server/server';
import { command, type CommandDef } from './types';
import { E } from '../errors';
import { NOTIFY, keyChanged, lookupRead, lookupWrite, is } from './util';
import { ENC_HASHTABLE, ENC_INTSET, ENC_LISTPACK, SetObject, isInt64Text, sampleUnique, type SetLimits } from '../types/set';
import { scanGeneric } from './keyspace';
import { parseCursor } from '../util/scan-cursors';
import { parseInt64, INT64_MAX } from '../util/numbers';

// ----------------------------------------------------------------------------
// Errors
// ----------------------------------------------------------------------------

const ERR_COUNT_RANGE = 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807';
const ERR_NUMKEYS = 'ERR numkeys should be greater than 0';
const ERR_NUMKEYS_ARGS = "ERR Number of keys can't be greater than number of args";
const ERR_LIMIT = "ERR LIMIT can't be negative";
const ERR_INVALID_CURSOR = 'ERR invalid cursor';

// ----------------------------------------------------------------------------
// Helpers
// ----------------------------------------------------------------------------

interface CachedLimits extends SetLimits {
  stale: boolean;
}

const limitsCache = new WeakMap<Server, CachedLimits>();

/** set-max-intset-entries, set-max-listpack-entries/value, refreshed on CONFIG SET. */
export function setLimits(srv: Server): SetLimits {
  let l = limitsCache.get(srv);
  if (l === undefined) {
    const lim: CachedLimits = { maxIntset: 0, maxListpack: 0, maxListpackValue: 0, stale: true };
    const mark = (): undefined => {
      lim.stale = true;
      return undefined;
    };
    srv.config.onChange('set-max-intset-entries', mark);
    srv.config.onChange('set-max-listpack-entries', mark);
    srv.config.onChange('set-max-listpack-value', mark);
    limitsCache.set(srv, lim);
    l = lim;
  }
  if (l.stale) {
    l.maxIntset = srv.config.num('set-max-intset-entries');
    l.maxListpack = srv.config.num('set-max-listpack-entries');
    l.maxListpackValue = srv.config.num('set-max-listpack-value');
    l.stale = false;
  }
  return l;
}

/** The set at `key` for reading: undefined when missing, null after replying WRONGTYPE. */
function readSetOrReply(c: Client, key: string): SetObject | undefined | null {
  const v = lookupRead(c, key);
  if (v === undefined) return undefined;
  if (!(v instanceof SetObject)) {
    c.w.error(E.WRONGTYPE);
    return null;
  }
  return v;
}

/** The set at `key` for writing: undefined when missing, null after replying WRONGTYPE. */
function writeSetOrReply(c: Client, key: string): SetObject | undefined | null {
  const v = lookupWrite(c, key);
  if (v === undefined) return undefined;
  if (!(v instanceof SetObject)) {
    c.w.error(E.WRONGTYPE);
    return null;
  }
  return v;
}

/** The empty set reply (`~0` in RESP3, `*0` in RESP2). */
function emptySet(c: Client): void {
  c.w.setHeader(0);
}

/** Reply with the members of `s` as a set. */
function replyMembers(c: Client, s: SetObject): void {
  const w = c.w;
  w.setHeader(s.size());
  for (const m of s.iter()) w.bulk(m);
}

/** Delete the key emptied by a removal and emit `del`. */
function deleteEmptied(c: Client, key: string): void {
  c.db.delete(key);
  c.server.notify(NOTIFY.GENERIC, 'del', key, c.db.id);
}

// ----------------------------------------------------------------------------
// SADD, SREM, SMOVE
// ----------------------------------------------------------------------------

/* SADD key member [member ...] */
function saddCommand(c: Client, args: string[]): void {
  const key = args[1];
  const v = writeSetOrReply(c, key);
  if (v === null) return;
  const lim = setLimits(c.server);
  let s: SetObject;
  if (v === undefined) {
    s = SetObject.create(args[2], args.length - 2, lim);
    c.db.set(key, s);
  } else {
    s = v;
    s.maybeConvert(args.length - 2, lim);
  }
  let added = 0;
  for (let i = 2; i < args.length; i++) if (s.add(args[i], lim)) added++;
  if (added > 0) {
    keyChanged(c, c.db, key, NOTIFY.SET, 'sadd');
    c.server.dirty += added - 1;
  }
  c.w.int(added);
}

/* SREM key member [member ...] */
function sremCommand(c: Client, args: string[]): void {
  const key = args[1];
  const s = writeSetOrReply(c, key);
  if (s === null) return;
  if (s === undefined) {
    c.w.int(0);
    return;
  }
  let deleted = 0;
  let removed = false;
  for (let i = 2; i < args.length; i++) {
    if (s.remove(args[i])) {
      deleted++;
      if (s.size() === 0) {
        c.db.delete(key);
        removed = true;
        break;
      }
    }
  }
  if (deleted > 0) {
    keyChanged(c, c.db, key, NOTIFY.SET, 'srem');
    c.server.dirty += deleted - 1;
    if (removed) c.server.notify(NOTIFY.GENERIC, 'del', key, c.db.id);
  }
  c.w.int(deleted);
}

/* SMOVE source destination member */
function smoveCommand(c: Client, args: string[]): void {
  const [, srcKey, dstKey, member] = args;
  const src = lookupWrite(c, srcKey);
  const dst = lookupWrite(c, dstKey);
  if (src === undefined) {
    c.w.int(0);
    return;
  }
  if (!(src instanceof SetObject) || (dst !== undefined && !(dst instanceof SetObject))) {
    c.w.error(E.WRONGTYPE);
    return;
  }
  if (src === dst) {
    c.w.int(src.has(member) ? 1 : 0);
    return;
  }
  if (!src.remove(member)) {
    c.w.int(0);
    return;
  }
  const srv = c.server;
  const db = c.db;
  srv.notify(NOTIFY.SET, 'srem', srcKey, db.id);
  if (src.size() === 0) deleteEmptied(c, srcKey);
  const lim = setLimits(srv);
  let d = dst;
  if (d === undefined) {
    d = SetObject.create(member, 1, lim);
    db.set(dstKey, d);
  }
  srv.signalModifiedKey(db, srcKey);
  srv.dirty++;
  if (d.add(member, lim)) keyChanged(c, db, dstKey, NOTIFY.SET, 'sadd');
  c.w.int(1);
}

// ----------------------------------------------------------------------------
// SISMEMBER, SMISMEMBER, SCARD, SMEMBERS
// ----------------------------------------------------------------------------

/* SISMEMBER key member */
function sismemberCommand(c: Client, args: string[]): void {
  const s = readSetOrReply(c, args[1]);
  if (s === null) return;
  c.w.int(s !== undefined && s.has(args[2]) ? 1 : 0);
}

/* SMISMEMBER key member [member ...] */
function smismemberCommand(c: Client, args: string[]): void {
  const s = readSetOrReply(c, args[1]);
  if (s === null) return;
  c.w.arrayHeader(args.length - 2);
  for (let i = 2; i < args.length; i++) c.w.int(s !== undefined && s.has(args[i]) ? 1 : 0);
}

/* SCARD key */
function scardCommand(c: Client, args: string[]): void {
  const s = readSetOrReply(c, args[1]);
  if (s === null) return;
  c.w.int(s === undefined ? 0 : s.size());
}

/* SMEMBERS key */
function smembersCommand(c: Client, args: string[]): void {
  const s = readSetOrReply(c, args[1]);
  if (s === null) return;
  if (s === undefined) emptySet(c);
  else replyMembers(c, s);
}

// ----------------------------------------------------------------------------
// SPOP, SRANDMEMBER
// ----------------------------------------------------------------------------

/** When the remainder times this is at most the count, SPOP rebuilds the set from the remainder. */
const SPOP_MOVE_STRATEGY_MUL = 5;
/** SREMs propagated for SPOP carry at most this many members. */
const SPOP_PROPAGATE_BATCH = 1024;
/** Stop streaming a huge reply when the output grows past this (the client would be dropped anyway). */
const REPLY_GUARD_BYTES = 1 << 30;

/* SPOP key [count] */
function spopCommand(c: Client, args: string[]): void {
  if (args.length === 3) {
    spopWithCount(c, args);
    return;
  }
  if (args.length > 3) {
    c.w.error(E.SYNTAX);
    return;
  }
  const key = args[1];
  const s = writeSetOrReply(c, key);
  if (s === null) return;
  if (s === undefined) {
    c.w.nullBulk();
    return;
  }
  const m = s.pop();
  keyChanged(c, c.db, key, NOTIFY.SET, 'spop');
  c.propagateArgs = ['SREM', key, m];
  c.w.bulk(m);
  if (s.size() === 0) deleteEmptied(c, key);
}

function spopWithCount(c: Client, args: string[]): void {
  const n = parseInt64(args[2]);
  if (n === null || n < 0n) {
    c.w.error(E.NEG_LENGTH);
    return;
  }
  const key = args[1];
  const s = writeSetOrReply(c, key);
  if (s === null) return;
  if (s === undefined || n === 0n) {
    emptySet(c);
    return;
  }
  const srv = c.server;
  const db = c.db;
  const size = s.size();
  const w = c.w;
  srv.notify(NOTIFY.SET, 'spop', key, db.id);
  // Everything: reply with the whole set and delete it.
  if (n >= BigInt(size)) {
    srv.dirty += size;
    // Replied as SUNION would (a fresh set built from the members).
    const lim = setLimits(srv);
    const all = new SetObject(ENC_INTSET);
    for (const m of s.iter()) all.add(m, lim);
    replyMembers(c, all);
    db.delete(key);
    srv.notify(NOTIFY.GENERIC, 'del', key, db.id);
    c.propagateArgs = [srv.config.bool('lazyfree-lazy-server-del') ? 'UNLINK' : 'DEL', key];
    srv.signalModifiedKey(db, key);
    return;
  }
  const count = Number(n);
  srv.dirty += count;
  w.setHeader(count);
  let batch: string[] = ['SREM', key];
  const emit = (m: string): void => {
    w.bulk(m);
    batch.push(m);
    if (batch.length === 2 + SPOP_PROPAGATE_BATCH) {
      srv.propagate(db.id, batch);
      batch = ['SREM', key];
    }
  };
  const remaining = size - count;
  if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
    // Few members to pop: draw them one by one.
    for (let i = 0; i < count; i++) emit(s.pop());
  } else {
    // Most of the set goes: draw the members that stay into a new set and return the rest.
    const lim = setLimits(srv);
    const keep = sampleUnique(s.iter(), size, remaining, s.enc !== ENC_HASHTABLE, () => s.random());
    let fresh: SetObject | null = null;
    if (s.enc === ENC_LISTPACK) fresh = new SetObject(ENC_LISTPACK);
    for (const m of keep) {
      if (fresh === null) fresh = new SetObject(isInt64Text(m) ? ENC_INTSET : ENC_LISTPACK);
      fresh.add(m, lim);
      s.remove(m);
    }
    for (const m of s.iter()) emit(m);
    db.update(key, fresh as SetObject);
  }
  if (batch.length > 2) srv.propagate(db.id, batch);
  // The SREMs above replace the command in the replication stream.
  c.propagateArgs = false;
  srv.signalModifiedKey(db, key);
}

/* SRANDMEMBER key [count] */
function srandmemberCommand(c: Client, args: string[]): void {
  if (args.length === 3) {
    srandmemberWithCount(c, args);
    return;
  }
  if (args.length > 3) {
    c.w.error(E.SYNTAX);
    return;
  }
  const s = readSetOrReply(c, args[1]);
  if (s === null) return;
  if (s === undefined) c.w.nullBulk();
  else c.w.bulk(s.random());
}

function srandmemberWithCount(c: Client, args: string[]): void {
  const l = parseInt64(args[2]);
  if (l === null) {
    c.w.error(E.NOT_INTEGER);
    return;
  }
  if (l < -INT64_MAX) {
    c.w.error(ERR_COUNT_RANGE);
    return;
  }
  const s = readSetOrReply(c, args[1]);
  if (s === null) return;
  const w = c.w;
  if (s === undefined || l === 0n) {
    w.arrayHeader(0);
    return;
  }
  const size = s.size();
  // Negative count: repetitions allowed.
  if (l < 0n || l === 1n) {
    const count = Number(l < 0n ? -l : l);
    w.arrayHeader(count);
    for (let i = 0; i < count; i++) {
      w.bulk(s.random());
      if ((i & 1023) === 1023 && w.len > REPLY_GUARD_BYTES) {
        c.closeAfterReply = true;
        return;
      }
    }
    return;
  }
  if (l >= BigInt(size)) {
    w.arrayHeader(size);
    for (const m of s.iter()) w.bulk(m);
    return;
  }
  const count = Number(l);
  w.bulkArray(sampleUnique(s.iter(), size, count, s.enc !== ENC_HASHTABLE, () => s.random()));
}

// ----------------------------------------------------------------------------
// SINTER, SINTERCARD, SINTERSTORE
// ----------------------------------------------------------------------------

/**
 * Look up the sets at `keys` (missing keys are null). Returns null after
 * replying WRONGTYPE.
 */
function lookupSetsOrReply(c: Client, args: string[], first: number, count: number): (SetObject | null)[] | null {
  const sets: (SetObject | null)[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const v = lookupRead(c, args[first + i]);
    if (v === undefined) sets[i] = null;
    else if (v instanceof SetObject) sets[i] = v;
    else {
      c.w.error(E.WRONGTYPE);
      return null;
    }
  }
  return sets;
}

/** Store a computed set at `dst` (or delete `dst` when it is empty) and reply with its size. */
function storeResult(c: Client, dst: string, result: SetObject, event: string): void {
  const db = c.db;
  if (result.size() > 0) {
    db.set(dst, result);
    keyChanged(c, db, dst, NOTIFY.SET, event);
    c.w.int(result.size());
    return;
  }
  c.w.int(0);
  if (db.delete(dst)) keyChanged(c, db, dst, NOTIFY.GENERIC, 'del');
}

const MODE_REPLY = 0;
const MODE_STORE = 1;
const MODE_CARD = 2;

/** SINTER / SINTERSTORE / SINTERCARD over args[first..first+count). */
function sinterGeneric(c: Client, args: string[], first: number, count: number, mode: number, dst: string, limit: number): void {
  const found = lookupSetsOrReply(c, args, first, count);
  if (found === null) return;
  if (found.includes(null)) {
    if (mode === MODE_STORE) {
      c.w.int(0);
      if (c.db.delete(dst)) keyChanged(c, c.db, dst, NOTIFY.GENERIC, 'del');
    } else if (mode === MODE_CARD) c.w.int(0);
    else emptySet(c);
    return;
  }
  const sets = (found as SetObject[]).slice().sort((a, b) => a.size() - b.size());
  const smallest = sets[0];
  const n = sets.length;
  const out: string[] = [];
  let card = 0;
  for (const m of smallest.iter()) {
    let j = 1;
    for (; j < n; j++) {
      const o = sets[j];
      if (o !== smallest && !o.has(m)) break;
    }
    if (j !== n) continue;
    if (mode === MODE_CARD) {
      card++;
      if (limit !== 0 && card >= limit) break;
    } else out.push(m);
  }
  if (mode === MODE_CARD) {
    c.w.int(card);
  } else if (mode === MODE_REPLY) {
    c.w.setHeader(out.length);
    for (const m of out) c.w.bulk(m);
  } else {
    const lim = setLimits(c.server);
    const result = new SetObject(smallest.enc === ENC_INTSET ? ENC_INTSET : ENC_LISTPACK);
    for (const m of out) result.add(m, lim);
    result.maybeToIntset(lim);
    storeResult(c, dst, result, 'sinterstore');
  }
}

/* SINTER key [key ...] */
function sinterCommand(c: Client, args: string[]): void {
  sinterGeneric(c, args, 1, args.length - 1, MODE_REPLY, '', 0);
}

/* SINTERSTORE destination key [key ...] */
function sinterstoreCommand(c: Client, args: string[]): void {
  sinterGeneric(c, args, 2, args.length - 2, MODE_STORE, args[1], 0);
}

/* SINTERCARD numkeys key [key ...] [LIMIT limit] */
function sintercardCommand(c: Client, args: string[]): void {
  const nk = parseInt64(args[1]);
  if (nk === null || nk < 1n) {
    c.w.error(ERR_NUMKEYS);
    return;
  }
  if (nk > BigInt(args.length - 2)) {
    c.w.error(ERR_NUMKEYS_ARGS);
    return;
  }
  const numkeys = Number(nk);
  let limit = 0;
  for (let i = 2 + numkeys; i < args.length; i++) {
    if (is(args[i], 'limit') && i + 1 < args.length) {
      const l = parseInt64(args[++i]);
      if (l === null || l < 0n) {
        c.w.error(ERR_LIMIT);
        return;
      }
      limit = l > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(l);
    } else {
      c.w.error(E.SYNTAX);
      return;
    }
  }
  sinterGeneric(c, args, 2, numkeys, MODE_CARD, '', limit);
}

/** Key positions of SINTERCARD (numkeys at 1). */
function sintercardKeys(args: string[]): number[] {
  const n = args.length > 1 ? parseInt64(args[1]) : null;
  if (n === null || n < 1n || n > BigInt(args.length - 2)) return [];
  const out: number[] = [];
  for (let i = 0; i < Number(n); i++) out.push(2 + i);
  return out;
}

// ----------------------------------------------------------------------------
// SUNION, SDIFF and their STORE forms
// ----------------------------------------------------------------------------

/** SUNION / SDIFF (and STORE forms when `dst` is given) over args[first..]. */
function sunionDiffGeneric(c: Client, args: string[], first: number, diff: boolean, dst: string | null): void {
  const sets = lookupSetsOrReply(c, args, first, args.length - first);
  if (sets === null) return;
  const lim = setLimits(c.server);
  const result = new SetObject(ENC_INTSET);
  const head = sets[0];
  if (!diff) {
    for (const s of sets) if (s !== null) for (const m of s.iter()) result.add(m, lim);
  } else if (head !== null && !sets.includes(head, 1)) {
    // Like Redis, pick the cheaper algorithm: probe each member of the first
    // set, or copy the first set and remove the others from it.
    let probeWork = 0;
    let copyWork = 0;
    for (const s of sets) {
      if (s === null) continue;
      probeWork += head.size();
      copyWork += s.size();
    }
    probeWork = Math.floor(probeWork / 2);
    if (probeWork <= copyWork) {
      const others = sets.slice(1).filter((s): s is SetObject => s !== null);
      for (const m of head.iter()) {
        let j = 0;
        for (; j < others.length; j++) if (others[j].has(m)) break;
        if (j === others.length) result.add(m, lim);
      }
    } else {
      for (const m of head.iter()) result.add(m, lim);
      for (let i = 1; i < sets.length && result.size() > 0; i++) {
        const s = sets[i];
        if (s !== null) for (const m of s.iter()) result.remove(m);
      }
    }
  }
  if (dst === null) replyMembers(c, result);
  else storeResult(c, dst, result, diff ? 'sdiffstore' : 'sunionstore');
}

// ----------------------------------------------------------------------------
// SSCAN
// ----------------------------------------------------------------------------

/* SSCAN key cursor [MATCH pattern] [COUNT count] */
function sscanCommand(c: Client, args: string[]): void {
  if (parseCursor(args[2]) === null) {
    c.w.error(ERR_INVALID_CURSOR);
    return;
  }
  const s = readSetOrReply(c, args[1]);
  if (s === null) return;
  if (s === undefined) {
    c.w.arrayHeader(2);
    c.w.bulk('0');
    c.w.arrayHeader(0);
    return;
  }
  const members = s.members;
  scanGeneric(
    c,
    args,
    2,
    members,
    () => s.iter()[Symbol.iterator](),
    (m, out) => {
      if (!members.has(m)) return false;
      out.push(m);
      return true;
    },
    false,
    s.enc !== ENC_HASHTABLE,
  );
}

export const commands: CommandDef[] = [
  command('sadd', -3, 'write denyoom fast', [1, 1, 1], 'set', saddCommand),
  command('srem', -3, 'write fast', [1, 1, 1], 'set', sremCommand),
  command('smove', 4, 'write fast', [1, 2, 1], 'set', smoveCommand),
  command('sismember', 3, 'readonly fast', [1, 1, 1], 'set', sismemberCommand),
  command('smismember', -3, 'readonly fast', [1, 1, 1], 'set', smismemberCommand, { since: '6.2.0' }),
  command('scard', 2, 'readonly fast', [1, 1, 1], 'set', scardCommand),
  command('smembers', 2, 'readonly', [1, 1, 1], 'set', smembersCommand),
  command('spop', -2, 'write fast', [1, 1, 1], 'set', spopCommand),
  command('srandmember', -2, 'readonly', [1, 1, 1], 'set', srandmemberCommand),
  command('sinter', -2, 'readonly', [1, -1, 1], 'set', sinterCommand),
  command('sintercard', -3, 'readonly', [0, 0, 0], 'set', sintercardCommand, { getKeys: sintercardKeys, since: '7.0.0' }),
  command('sinterstore', -3, 'write denyoom', [1, -1, 1], 'set', sinterstoreCommand),
  command('sunion', -2, 'readonly', [1, -1, 1], 'set', (c, a) => sunionDiffGeneric(c, a, 1, false, null)),
  command('sunionstore', -3, 'write denyoom', [1, -1, 1], 'set', (c, a) => sunionDiffGeneric(c, a, 2, false, a[1])),
  command('sdiff', -2, 'readonly', [1, -1, 1], 'set', (c, a) => sunionDiffGeneric(c, a, 1, true, null)),
  command('sdiffstore', -3, 'write denyoom', [1, -1, 1], 'set', (c, a) => sunionDiffGeneric(c, a, 2, true, a[1])),
  command('sscan', -3, 'readonly', [1, 1, 1], 'set', sscanCommand, { since: '2.8.0' }),
];

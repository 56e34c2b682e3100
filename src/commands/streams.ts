/*
 * Stream commands: XADD, XLEN, XRANGE/XREVRANGE, XDEL, XTRIM, XSETID, XREAD,
 * the consumer group commands (XGROUP, XREADGROUP, XACK, XPENDING, XCLAIM,
 * XAUTOCLAIM) and XINFO.
 *
 * Blocking XREAD/XREADGROUP park the client on its keys; XADD signals the key
 * ready and the blocked command is re-run against the current data (with `$`
 * resolved at block time), as Redis 7.2 does. An XREADGROUP blocked on a key
 * is also re-run when the key is deleted, changes type, or its group is
 * destroyed, so it gets -NOGROUP or -WRONGTYPE.
 *
 * Propagation follows Redis: XADD with the generated ID (and the exact trim
 * argument when trimming was approximate), XREADGROUP/XCLAIM/XAUTOCLAIM as
 * their effects (XCLAIM ... FORCE JUSTID, XGROUP SETID, XGROUP
 * CREATECONSUMER), never as themselves.
 */

import type { Client } from '../server/client';
import type { Database } from '../server/db';
import type { Server } from '../server/server';
import { command, noParentHandler, type CommandDef } from './types';
import { E } from '../errors';
import { NOTIFY, keyChanged, lookupRead, lookupWrite, is } from './util';
import { refuseQuarantined } from '../persistence/corrupt';
import { replyHelp } from './keyspace';
import type { Value } from '../types/value';
import { parseInt64, parseInt64Num } from '../util/numbers';
import {
  Stream,
  ConsumerGroup,
  Consumer,
  ENTRIES_READ_INVALID,
  MAX_ID,
  MIN_ID,
  TRIM_MAXLEN,
  TRIM_MINID,
  U64_MAX,
  cmpId,
  decrId,
  idStr,
  incrId,
  parseStreamId,
  type NACK,
  type StreamBlock,
  type StreamID,
  type TrimArgs,
  type BlockLimits,
  type ParsedID,
} from '../types/stream';

const ERR_INVALID_ID = 'ERR Invalid stream ID specified as stream command argument';
const ERR_XADD_SMALLER = 'ERR The ID specified in XADD is equal or smaller than the target stream top item';
const ERR_XADD_ZERO = 'ERR The ID specified in XADD must be greater than 0-0';
const ERR_EXHAUSTED = 'ERR The stream has exhausted the last possible ID, unable to add more items';
const ERR_START_ID = 'ERR invalid start ID for the interval';
const ERR_END_ID = 'ERR invalid end ID for the interval';
const ERR_XGROUP_NOKEY =
  'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.';
const ERR_BUSYGROUP = 'BUSYGROUP Consumer Group name already exists';
const ERR_ENTRIESREAD = 'ERR value for ENTRIESREAD must be positive or -1';
const ERR_DOLLAR_XREADGROUP =
  'ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.';
const ERR_GT_XREAD = 'ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.';
const ERR_XREAD_TIMEOUT = 'ERR timeout is not an integer or out of range';

const NOGROUP_KEY = (key: string, group: string): string => `NOGROUP No such key '${key}' or consumer group '${group}'`;
const NOGROUP_XREADGROUP = (key: string, group: string): string =>
  `NOGROUP No such key '${key}' or consumer group '${group}' in XREADGROUP with GROUP option`;
const NOGROUP_FOR_KEY = (group: string, key: string): string => `NOGROUP No such consumer group '${group}' for key name '${key}'`;
const SUBCMD_SYNTAX = (sub: string, cmd: string): string =>
  `ERR unknown subcommand or wrong number of arguments for '${sub.slice(0, 128)}'. Try ${cmd} HELP.`;

// ----------------------------------------------------------------------------
// Helpers
// ----------------------------------------------------------------------------

function isStream(v: Value | undefined): v is Stream {
  return v instanceof Stream;
}

/** The stream at `key`: undefined when missing, null after replying WRONGTYPE. */
function streamOrReply(c: Client, key: string, write: boolean): Stream | undefined | null {
  const v = write ? lookupWrite(c, key) : lookupRead(c, key);
  if (v === undefined) return undefined;
  if (!isStream(v)) {
    c.w.error(E.WRONGTYPE);
    return null;
  }
  if (refuseQuarantined(c, key, v)) return null;
  return v;
}

/** Parse a stream ID argument, replying the invalid-ID error on failure. */
function idOrReply(c: Client, s: string, missingSeq: bigint, strict: boolean): ParsedID | null {
  const id = parseStreamId(s, missingSeq, strict);
  if (id === null) c.w.error(ERR_INVALID_ID);
  return id;
}

/** An interval bound: `(id` is exclusive. Returns [id, exclusive] or null after replying. */
function intervalIdOrReply(c: Client, s: string, missingSeq: bigint): [StreamID, boolean] | null {
  const exclude = s.length > 1 && s[0] === '(';
  const id = exclude ? idOrReply(c, s.slice(1), missingSeq, true) : idOrReply(c, s, missingSeq, false);
  return id === null ? null : [id, exclude];
}

/** Node size limits per server, re-read when CONFIG SET changes them. */
const limitsCache = new WeakMap<Server, BlockLimits | null>();

function limitsOf(c: Client): BlockLimits {
  const srv = c.server;
  let l = limitsCache.get(srv);
  if (l === undefined) {
    const drop = (): undefined => {
      limitsCache.set(srv, null);
      return undefined;
    };
    srv.config.onChange('stream-node-max-entries', drop);
    srv.config.onChange('stream-node-max-bytes', drop);
    l = null;
  }
  if (l === null) {
    const cfg = srv.config;
    l = { maxEntries: cfg.num('stream-node-max-entries'), maxBytes: cfg.num('stream-node-max-bytes') };
    limitsCache.set(srv, l);
  }
  return l;
}

function replyId(c: Client, ms: bigint, seq: bigint): void {
  c.w.bulk(`${ms}-${seq}`);
}

/** One entry: [id, [field, value, ...]]. */
function replyEntry(c: Client, b: StreamBlock, i: number): void {
  const w = c.w;
  w.arrayHeader(2);
  w.bulk(`${b.idMs(i)}-${b.idSeq(i)}`);
  const nf = b.numFields(i);
  w.arrayHeader(nf * 2);
  for (let k = 0; k < nf; k++) {
    w.bulk(b.field(i, k));
    w.bulk(b.value(i, k));
  }
}

/** Reply the single live entry with `id`; false when it does not exist. */
function replyEntryById(c: Client, s: Stream, id: StreamID): boolean {
  let found = false;
  s.range(id, id, false, (b, i) => {
    replyEntry(c, b, i);
    found = true;
    return false;
  });
  return found;
}

/** Parse a signed 64-bit integer argument (exact), replying `err` when invalid. */
function int64OrReply(c: Client, s: string, err: string = E.NOT_INTEGER): bigint | null {
  const v = parseInt64(s);
  if (v === null) c.w.error(err);
  return v;
}

function notifyStream(c: Client, db: Database, event: string, key: string): void {
  if (c.server.notifyFlags !== 0) c.server.notify(NOTIFY.STREAM, event, key, db.id);
}

/** Clients that must obey (replication master, AOF loading): no trim LIMIT enforced. */
function mustObey(c: Client): boolean {
  return c.ext.master === true || (c.fake && c.ext.lua === undefined);
}

/** Blocking commands do not block inside MULTI/EXEC, scripts or internal clients. */
function mayBlock(c: Client): boolean {
  return !c.inExec && !c.fake;
}

// ----------------------------------------------------------------------------
// Propagation of consumer group effects
// ----------------------------------------------------------------------------

function propagateXclaim(c: Client, key: string, group: ConsumerGroup, groupName: string, id: string, nack: NACK): void {
  const srv = c.server;
  srv.dirty++;
  if (srv.propagateHooks.length === 0) return;
  srv.propagate(c.db.id, [
    'XCLAIM', key, groupName, nack.consumer === null ? '' : nack.consumer.name, '0', id,
    'TIME', String(nack.deliveryTime), 'RETRYCOUNT', String(nack.deliveryCount),
    'FORCE', 'JUSTID', 'LASTID', idStr(group.lastId),
  ]);
}

function propagateGroupId(c: Client, key: string, group: ConsumerGroup, groupName: string): void {
  const srv = c.server;
  srv.dirty++;
  if (srv.propagateHooks.length === 0) return;
  srv.propagate(c.db.id, ['XGROUP', 'SETID', key, groupName, idStr(group.lastId), 'ENTRIESREAD', String(group.entriesRead)]);
}

/** Look up a consumer, creating it (with notification and propagation) when missing. */
function consumerOf(c: Client, g: ConsumerGroup, key: string, name: string, propagate: boolean): Consumer {
  let cons = g.consumers.get(name);
  if (cons === undefined) {
    cons = g.createConsumer(name, c.server.clock.now()) as Consumer;
    c.server.dirty++;
    notifyStream(c, c.db, 'xgroup-createconsumer', key);
    if (propagate && c.server.propagateHooks.length !== 0) c.server.propagate(c.db.id, ['XGROUP', 'CREATECONSUMER', key, g.name, name]);
  }
  return cons;
}

// ----------------------------------------------------------------------------
// XADD, XTRIM (option parsing shared)
// ----------------------------------------------------------------------------

interface AddTrimArgs extends TrimArgs {
  /** Position of the ID argument (XADD). */
  idpos: number;
  /** Position of the MAXLEN/MINID value. */
  trimArgIdx: number;
  noMkstream: boolean;
  idGiven: boolean;
  seqGiven: boolean;
  id: StreamID;
}

/** Parse XADD/XTRIM options as Redis's streamParseAddOrTrimArgsOrReply. Null after replying. */
function parseAddTrimOrReply(c: Client, args: string[], xadd: boolean): AddTrimArgs | null {
  const a: AddTrimArgs = {
    strategy: 0, maxlen: 0, minid: MIN_ID, approx: false, limit: 0,
    idpos: 0, trimArgIdx: 0, noMkstream: false, idGiven: false, seqGiven: true, id: MIN_ID,
  };
  let limitGiven = false;
  let i = 2;
  for (; i < args.length; i++) {
    const more = args.length - 1 - i;
    const opt = args[i];
    if (xadd && opt === '*') break;
    const lo = opt.toLowerCase();
    if ((lo === 'maxlen' || lo === 'minid') && more) {
      if (a.strategy !== 0) {
        c.w.error('ERR syntax error, MAXLEN and MINID options at the same time are not compatible');
        return null;
      }
      a.approx = false;
      const next = args[i + 1];
      if (more >= 2 && next === '~') {
        a.approx = true;
        i++;
      } else if (more >= 2 && next === '=') i++;
      if (lo === 'maxlen') {
        const n = parseInt64Num(args[i + 1]);
        if (n === null) {
          c.w.error(E.NOT_INTEGER);
          return null;
        }
        if (n < 0) {
          c.w.error('ERR The MAXLEN argument must be >= 0.');
          return null;
        }
        a.maxlen = n;
        a.strategy = TRIM_MAXLEN;
      } else {
        const id = idOrReply(c, args[i + 1], 0n, true);
        if (id === null) return null;
        a.minid = id;
        a.strategy = TRIM_MINID;
      }
      i++;
      a.trimArgIdx = i;
    } else if (lo === 'limit' && more) {
      const n = parseInt64Num(args[i + 1]);
      if (n === null) {
        c.w.error(E.NOT_INTEGER);
        return null;
      }
      if (n < 0) {
        c.w.error('ERR The LIMIT argument must be >= 0.');
        return null;
      }
      a.limit = n;
      limitGiven = true;
      i++;
    } else if (xadd && lo === 'nomkstream') {
      a.noMkstream = true;
    } else if (xadd) {
      const id = parseStreamId(opt, 0n, true, true);
      if (id === null) {
        c.w.error(ERR_INVALID_ID);
        return null;
      }
      a.id = id;
      a.seqGiven = id.seqGiven;
      a.idGiven = true;
      break;
    } else {
      c.w.error(E.SYNTAX);
      return null;
    }
  }
  a.idpos = i;
  if (a.limit && a.strategy === 0) {
    c.w.error('ERR syntax error, LIMIT cannot be used without specifying a trimming strategy');
    return null;
  }
  if (!xadd && a.strategy === 0) {
    c.w.error('ERR syntax error, XTRIM must be called with a trimming strategy');
    return null;
  }
  if (mustObey(c)) a.limit = 0;
  else if (limitGiven) {
    if (!a.approx) {
      c.w.error('ERR syntax error, LIMIT cannot be used without the special ~ option');
      return null;
    }
  } else if (a.approx) {
    let lim = 100 * c.server.config.num('stream-node-max-entries');
    if (lim <= 0) lim = 10000;
    if (lim > 1000000) lim = 1000000;
    a.limit = lim;
  } else a.limit = 0;
  return a;
}

/** Rewrite an approximate trim as the exact one that happened (for propagation). */
function rewriteTrim(prop: string[], s: Stream, a: AddTrimArgs): void {
  prop[a.trimArgIdx - 1] = '=';
  if (a.strategy === TRIM_MAXLEN) prop[a.trimArgIdx] = String(s.length);
  else {
    // The first entry, tombstones included (Redis's streamGetEdgeID without skipping).
    const first = s.blocks.length ? s.blocks[0].id(0) : MAX_ID;
    prop[a.trimArgIdx] = idStr(first);
  }
}

/* XADD key [NOMKSTREAM] [MAXLEN | MINID [= | ~] threshold [LIMIT count]] * | id field value [field value ...] */
function xaddCommand(c: Client, args: string[]): void {
  const a = parseAddTrimOrReply(c, args, true);
  if (a === null) return;
  const fieldPos = a.idpos + 1;
  const nargs = args.length - fieldPos;
  if (nargs < 2 || nargs % 2 === 1) {
    c.w.error(E.WRONG_ARITY('xadd'));
    return;
  }
  if (a.idGiven && a.seqGiven && a.id.ms === 0n && a.id.seq === 0n) {
    c.w.error(ERR_XADD_ZERO);
    return;
  }
  const key = args[1];
  const db = c.db;
  const srv = c.server;
  let s = streamOrReply(c, key, true);
  if (s === null) return;
  let created = false;
  if (s === undefined) {
    if (a.noMkstream) {
      c.w.nullBulk();
      return;
    }
    s = new Stream();
    db.set(key, s);
    created = true;
  }
  const last = s.lastId;
  if (last.ms === U64_MAX && last.seq === U64_MAX) {
    c.w.error(ERR_EXHAUSTED);
    return;
  }
  let id: StreamID;
  if (a.idGiven) {
    if (a.seqGiven) id = a.id;
    else if (last.ms === a.id.ms) {
      if (last.seq === U64_MAX) {
        c.w.error(ERR_XADD_SMALLER);
        return;
      }
      id = { ms: last.ms, seq: last.seq + 1n };
    } else id = { ms: a.id.ms, seq: 0n };
    if (cmpId(id, last) <= 0) {
      c.w.error(ERR_XADD_SMALLER);
      return;
    }
  } else {
    const now = BigInt(srv.clock.now());
    id = now > last.ms ? { ms: now, seq: 0n } : (incrId(last) as StreamID);
  }
  s.appendEntry(id, args, fieldPos, args.length, limitsOf(c));
  const ids = `${id.ms}-${id.seq}`;
  c.w.bulk(ids);
  if (created && srv.notifyFlags & NOTIFY.NEW) srv.notify(NOTIFY.NEW, 'new', key, db.id);
  keyChanged(c, db, key, NOTIFY.STREAM, 'xadd');
  let prop: string[] | null = null;
  // What to propagate (only built when someone listens: AOF, replicas).
  const propagating = srv.propagateHooks.length !== 0;
  if (a.strategy !== 0) {
    if (s.trim(a)) notifyStream(c, db, 'xtrim', key);
    if (a.approx && propagating) {
      prop = args.slice();
      rewriteTrim(prop, s, a);
    }
  }
  if ((!a.idGiven || !a.seqGiven) && propagating) {
    if (prop === null) prop = args.slice();
    prop[a.idpos] = ids;
  }
  if (prop !== null) c.propagateArgs = prop;
  srv.signalKeyAsReady(db, key);
}

/* XTRIM key MAXLEN | MINID [= | ~] threshold [LIMIT count] */
function xtrimCommand(c: Client, args: string[]): void {
  const a = parseAddTrimOrReply(c, args, false);
  if (a === null) return;
  const key = args[1];
  const s = streamOrReply(c, key, true);
  if (s === null) return;
  if (s === undefined) {
    c.w.int(0);
    return;
  }
  const deleted = s.trim(a);
  if (deleted) {
    notifyStream(c, c.db, 'xtrim', key);
    if (a.approx) {
      const prop = args.slice();
      rewriteTrim(prop, s, a);
      c.propagateArgs = prop;
    }
    c.server.signalModifiedKey(c.db, key);
    c.server.dirty += deleted;
  }
  c.w.int(deleted);
}

// ----------------------------------------------------------------------------
// XLEN, XRANGE, XREVRANGE, XDEL, XSETID
// ----------------------------------------------------------------------------

/* XLEN key */
function xlenCommand(c: Client, args: string[]): void {
  const s = streamOrReply(c, args[1], false);
  if (s === null) return;
  c.w.int(s === undefined ? 0 : s.length);
}

/* XRANGE key start end [COUNT count] / XREVRANGE key end start [COUNT count] */
function xrangeGeneric(c: Client, args: string[], rev: boolean): void {
  const startArg = rev ? args[3] : args[2];
  const endArg = rev ? args[2] : args[3];
  const st = intervalIdOrReply(c, startArg, 0n);
  if (st === null) return;
  let start: StreamID | null = st[0];
  if (st[1]) {
    start = incrId(start);
    if (start === null) {
      c.w.error(ERR_START_ID);
      return;
    }
  }
  const en = intervalIdOrReply(c, endArg, U64_MAX);
  if (en === null) return;
  let end: StreamID | null = en[0];
  if (en[1]) {
    end = decrId(end);
    if (end === null) {
      c.w.error(ERR_END_ID);
      return;
    }
  }
  let count = -1;
  for (let j = 4; j < args.length; j++) {
    if (is(args[j], 'count') && j + 1 < args.length) {
      const n = parseInt64Num(args[j + 1]);
      if (n === null) {
        c.w.error(E.NOT_INTEGER);
        return;
      }
      count = n < 0 ? 0 : n;
      j++;
    } else {
      c.w.error(E.SYNTAX);
      return;
    }
  }
  if (count === 0) {
    c.w.nullArray();
    return;
  }
  const s = streamOrReply(c, args[1], false);
  if (s === null) return;
  if (s === undefined) {
    c.w.arrayHeader(0);
    return;
  }
  const mark = c.w.deferred();
  let n = 0;
  s.range(start, end, rev, (b, i) => {
    replyEntry(c, b, i);
    n++;
    return count < 0 || n < count;
  });
  c.w.setDeferred(mark, n);
}

/* XDEL key id [id ...] */
function xdelCommand(c: Client, args: string[]): void {
  const key = args[1];
  const s = streamOrReply(c, key, true);
  if (s === null) return;
  if (s === undefined) {
    c.w.int(0);
    return;
  }
  const ids: StreamID[] = [];
  for (let j = 2; j < args.length; j++) {
    const id = idOrReply(c, args[j], 0n, true);
    if (id === null) return;
    ids.push(id);
  }
  let deleted = 0;
  for (const id of ids) {
    if (s.deleteEntry(id)) {
      if (cmpId(id, s.maxDeletedId) > 0) s.maxDeletedId = { ms: id.ms, seq: id.seq };
      deleted++;
    }
  }
  if (deleted) {
    keyChanged(c, c.db, key, NOTIFY.STREAM, 'xdel');
    c.server.dirty += deleted - 1;
  }
  c.w.int(deleted);
}

/* XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id] */
function xsetidCommand(c: Client, args: string[]): void {
  const id = idOrReply(c, args[2], 0n, true);
  if (id === null) return;
  let entriesAdded = -1n;
  let maxXdel: StreamID = MIN_ID;
  for (let i = 3; i < args.length; ) {
    const more = args.length - 1 - i;
    if (is(args[i], 'entriesadded') && more) {
      const n = int64OrReply(c, args[i + 1]);
      if (n === null) return;
      if (n < 0n) {
        c.w.error('ERR entries_added must be positive');
        return;
      }
      entriesAdded = n;
      i += 2;
    } else if (is(args[i], 'maxdeletedid') && more) {
      const m = idOrReply(c, args[i + 1], 0n, true);
      if (m === null) return;
      if (cmpId(id, m) < 0) {
        c.w.error('ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id');
        return;
      }
      maxXdel = m;
      i += 2;
    } else {
      c.w.error(E.SYNTAX);
      return;
    }
  }
  const key = args[1];
  const s = streamOrReply(c, key, true);
  if (s === null) return;
  if (s === undefined) {
    c.w.error(E.NO_SUCH_KEY);
    return;
  }
  if (s.length > 0) {
    if (cmpId(id, s.lastValidId()) < 0) {
      c.w.error('ERR The ID specified in XSETID is smaller than the target stream top item');
      return;
    }
    if (entriesAdded !== -1n && BigInt(s.length) > entriesAdded) {
      c.w.error('ERR The entries_added specified in XSETID is smaller than the target stream length');
      return;
    }
  }
  if (cmpId(id, s.maxDeletedId) < 0) {
    c.w.error('ERR The ID specified in XSETID is smaller than current max_deleted_entry_id');
    return;
  }
  s.lastId = { ms: id.ms, seq: id.seq };
  if (entriesAdded !== -1n) s.entriesAdded = entriesAdded;
  if (maxXdel.ms !== 0n || maxXdel.seq !== 0n) s.maxDeletedId = { ms: maxXdel.ms, seq: maxXdel.seq };
  keyChanged(c, c.db, key, NOTIFY.STREAM, 'xsetid');
  c.w.ok();
}

// ----------------------------------------------------------------------------
// XREAD, XREADGROUP (and blocking)
// ----------------------------------------------------------------------------

interface XReadState {
  group: boolean;
  /** Command name as typed (for the BLOCK-in-scripts error). */
  name: string;
  keys: string[];
  /** Resolved IDs; null marks `>`. Raw texts until the first run resolves `$`. */
  idArgs: string[];
  ids: (StreamID | null)[];
  count: number;
  noack: boolean;
  groupName: string;
  consumerName: string;
  timeout: number;
}

/** Parse XREAD/XREADGROUP arguments. Null after replying. */
function parseXreadOrReply(c: Client, args: string[], group: boolean): XReadState | null {
  const st: XReadState = {
    group, name: args[0], keys: [], idArgs: [], ids: [], count: 0, noack: false,
    groupName: '', consumerName: '', timeout: -1,
  };
  let streamsArg = 0;
  let haveGroup = false;
  for (let i = 1; i < args.length; i++) {
    const more = args.length - i - 1;
    const o = args[i].toLowerCase();
    if (o === 'block' && more) {
      if (c.ext.lua !== undefined) {
        c.w.error(`ERR ${args[0]} command is not allowed with BLOCK option from scripts`);
        return null;
      }
      i++;
      const t = parseInt64Num(args[i]);
      if (t === null) {
        c.w.error(ERR_XREAD_TIMEOUT);
        return null;
      }
      if (t < 0) {
        c.w.error(E.TIMEOUT_NEG);
        return null;
      }
      if (t > 0 && t > Number.MAX_SAFE_INTEGER - c.server.clock.now()) {
        c.w.error('ERR timeout is out of range');
        return null;
      }
      st.timeout = t;
    } else if (o === 'count' && more) {
      i++;
      const n = parseInt64Num(args[i]);
      if (n === null) {
        c.w.error(E.NOT_INTEGER);
        return null;
      }
      st.count = n < 0 ? 0 : n;
    } else if (o === 'streams' && more) {
      streamsArg = i + 1;
      const n = args.length - streamsArg;
      if (n % 2 !== 0) {
        const sym = group ? '>' : '$';
        c.w.error(`ERR Unbalanced '${group ? 'xreadgroup' : 'xread'}' list of streams: for each stream key an ID or '${sym}' must be specified.`);
        return null;
      }
      break;
    } else if (o === 'group' && more >= 2) {
      if (!group) {
        c.w.error('ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.');
        return null;
      }
      st.groupName = args[i + 1];
      st.consumerName = args[i + 2];
      haveGroup = true;
      i += 2;
    } else if (o === 'noack') {
      if (!group) {
        c.w.error('ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.');
        return null;
      }
      st.noack = true;
    } else {
      c.w.error(E.SYNTAX);
      return null;
    }
  }
  if (streamsArg === 0) {
    c.w.error(E.SYNTAX);
    return null;
  }
  if (group && !haveGroup) {
    c.w.error('ERR Missing GROUP option for XREADGROUP');
    return null;
  }
  const n = (args.length - streamsArg) / 2;
  st.keys = args.slice(streamsArg, streamsArg + n);
  st.idArgs = args.slice(streamsArg + n);
  return st;
}

/**
 * Check keys and groups and resolve IDs (the first run resolves `$` and `+`;
 * later runs reuse them). Returns the streams (undefined for missing keys) or
 * null after replying an error.
 */
function xreadResolveOrReply(c: Client, st: XReadState, first: boolean): (Stream | undefined)[] | null {
  const out: (Stream | undefined)[] = [];
  for (let k = 0; k < st.keys.length; k++) {
    const key = st.keys[k];
    const v = first ? lookupRead(c, key) : c.db.lookup(key);
    if (v !== undefined && !isStream(v)) {
      c.w.error(E.WRONGTYPE);
      return null;
    }
    if (v !== undefined && refuseQuarantined(c, key, v)) return null;
    const s = v;
    if (st.group && (s === undefined || s.lookupGroup(st.groupName) === undefined)) {
      c.w.error(NOGROUP_XREADGROUP(key, st.groupName));
      return null;
    }
    out.push(s);
    if (!first) continue;
    const a = st.idArgs[k];
    if (a === '$') {
      if (st.group) {
        c.w.error(ERR_DOLLAR_XREADGROUP);
        return null;
      }
      st.ids.push(s === undefined ? { ms: 0n, seq: 0n } : { ...s.lastId });
    } else if (a === '>') {
      if (!st.group) {
        c.w.error(ERR_GT_XREAD);
        return null;
      }
      st.ids.push(null);
    } else if (a === '+' && !st.group) {
      // The last entry (Redis 7.4's XREAD +): read from just before it.
      if (s === undefined || s.length === 0) st.ids.push({ ms: 0n, seq: 0n });
      else st.ids.push(decrId(s.lastValidId()) ?? { ms: 0n, seq: 0n });
    } else {
      const id = idOrReply(c, a, 0n, true);
      if (id === null) return null;
      st.ids.push({ ms: id.ms, seq: id.seq });
    }
  }
  return out;
}

/**
 * Run XREAD/XREADGROUP once: serve what is available. Returns true when it
 * replied (data or error), false when there is nothing to serve.
 */
function xreadRun(c: Client, st: XReadState, first: boolean): boolean {
  const streams = xreadResolveOrReply(c, st, first);
  if (streams === null) return true;
  const w = c.w;
  const now = c.server.clock.now();
  let mark: { pos: number; len: number } | null = null;
  let served = 0;
  for (let k = 0; k < st.keys.length; k++) {
    const s = c.db.lookup(st.keys[k]);
    if (!isStream(s)) continue;
    const key = st.keys[k];
    let gt: StreamID | null = st.ids[k];
    let serve = false;
    let history = false;
    let g: ConsumerGroup | undefined;
    let consumer: Consumer | undefined;
    if (st.group) {
      g = s.lookupGroup(st.groupName) as ConsumerGroup;
      if (gt !== null) {
        serve = true;
        history = true;
      } else if (s.length) {
        if (cmpId(s.lastValidId(), g.lastId) > 0) {
          serve = true;
          gt = g.lastId;
        }
      }
      // A new consumer reaches replicas through the XCLAIMs of the entries it gets; only a read
      // that claims nothing propagates XGROUP CREATECONSUMER (as Redis 7.2).
      consumer = consumerOf(c, g, key, st.consumerName, !serve || history || st.noack);
      consumer.seenTime = now;
    } else if (s.length && gt !== null) {
      if (cmpId(s.lastValidId(), gt) > 0) serve = true;
    }
    if (!serve || gt === null) continue;
    served++;
    if (mark === null) mark = w.deferred();
    if (w.proto === 2) w.arrayHeader(2);
    w.bulk(key);
    const start = incrId(gt) ?? MAX_ID;
    if (g !== undefined && consumer !== undefined) {
      if (history) replyFromConsumerPel(c, s, start, st.count, consumer);
      else replyGroupRange(c, s, key, start, st.count, g, st.groupName, consumer, st.noack);
      c.server.dirty++;
    } else {
      const m2 = w.deferred();
      let n = 0;
      s.range(start, MAX_ID, false, (b, i) => {
        replyEntry(c, b, i);
        n++;
        return st.count === 0 || n < st.count;
      });
      w.setDeferred(m2, n);
    }
  }
  if (mark !== null) {
    w.setDeferred(mark, served, w.proto === 2 ? '*' : '%');
    return true;
  }
  return false;
}

/** New entries for a group (the `>` ID): deliver, track in the PELs, propagate. */
function replyGroupRange(
  c: Client, s: Stream, key: string, start: StreamID, count: number, g: ConsumerGroup,
  groupName: string, consumer: Consumer, noack: boolean,
): void {
  const w = c.w;
  const now = c.server.clock.now();
  const mark = w.deferred();
  let n = 0;
  let propagateLastId = false;
  s.range(start, MAX_ID, false, (b, i) => {
    const ms = b.idMs(i);
    const seq = b.idSeq(i);
    const id = { ms, seq };
    if (cmpId(id, g.lastId) > 0) {
      s.groupDelivered(g, id);
      propagateLastId = true;
    }
    replyEntry(c, b, i);
    if (!noack) {
      let nack = g.pel.get(ms, seq);
      if (nack === undefined) {
        nack = { ms, seq, deliveryTime: now, deliveryCount: 1, consumer };
        g.pel.insert(nack);
        consumer.pel.insert(nack);
      } else {
        if (nack.consumer !== null) nack.consumer.pel.remove(ms, seq);
        nack.consumer = consumer;
        nack.deliveryTime = now;
        nack.deliveryCount = 1;
        consumer.pel.insert(nack);
      }
      consumer.activeTime = now;
      propagateXclaim(c, key, g, groupName, `${ms}-${seq}`, nack);
    }
    n++;
    return count === 0 || n < count;
  });
  // The XCLAIMs carry LASTID; without them (NOACK) the group's new last ID goes out as XGROUP SETID.
  if (propagateLastId && noack) propagateGroupId(c, key, g, groupName);
  else if (propagateLastId) c.server.dirty++;
  w.setDeferred(mark, n);
}

/** A consumer's own pending entries from `start` (history read). */
function replyFromConsumerPel(c: Client, s: Stream, start: StreamID, count: number, consumer: Consumer): void {
  const w = c.w;
  const now = c.server.clock.now();
  const mark = w.deferred();
  let n = 0;
  consumer.pel.forEachFrom(start.ms, start.seq, (nack) => {
    if (count && n >= count) return false;
    const id = { ms: nack.ms, seq: nack.seq };
    if (!replyEntryById(c, s, id)) {
      w.arrayHeader(2);
      replyId(c, nack.ms, nack.seq);
      w.nullArray();
    } else {
      nack.deliveryTime = now;
      nack.deliveryCount++;
    }
    n++;
    return true;
  });
  w.setDeferred(mark, n);
}

/** Block states of clients parked in XREADGROUP (woken when their key is deleted or changes). */
const groupBlocks = new WeakSet<object>();

/** Does a client blocked in XREADGROUP wait on `key`? */
function hasGroupWaiter(db: Database, key: string): boolean {
  const q = db.blockingKeys?.get(key) as Client[] | undefined;
  if (q === undefined) return false;
  for (const cl of q) if (cl.blocked !== null && groupBlocks.has(cl.blocked)) return true;
  return false;
}

/**
 * Install (once per server) the hooks that wake XREADGROUP waiters when their
 * key is modified in any way (deleted, overwritten, renamed over) or flushed:
 * re-run, the command answers -NOGROUP or -WRONGTYPE when the group is gone.
 */
function installGroupWakeHooks(srv: Server): void {
  if (srv.ext.streamWakeHooks === true) return;
  srv.ext.streamWakeHooks = true;
  // INFO total_blocking_keys_on_nokey: keys with a client blocked in XREADGROUP.
  srv.ext.blockingKeysOnNokey = (): number => {
    let n = 0;
    for (const db of srv.dbs) {
      if (db.blockingKeys === null) continue;
      for (const key of db.blockingKeys.keys()) if (hasGroupWaiter(db, key)) n++;
    }
    return n;
  };
  srv.keyModifiedHooks.push((db, key) => {
    if (db.blockingKeys !== null && hasGroupWaiter(db, key)) srv.signalKeyAsReady(db, key);
  });
  const wakeAll = (db: Database): void => {
    if (db.blockingKeys === null) return;
    for (const key of db.blockingKeys.keys()) if (hasGroupWaiter(db, key)) srv.signalKeyAsReady(db, key);
  };
  srv.flushHooks.push((dbid) => {
    for (const db of srv.dbs) if (dbid === -1 || db.id === dbid) wakeAll(db);
  });
  srv.swapHooks.push((a, b) => {
    wakeAll(a);
    wakeAll(b);
  });
}

/** Count a failed call of a blocked command (as Redis does when it fails on wake-up). */
function countFailedCall(c: Client, name: string): void {
  const def = c.server.commands.get(name);
  if (def !== undefined) def.failedCalls++;
}

/* XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...] */
/* XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...] */
function xreadGeneric(c: Client, args: string[], group: boolean): void {
  const st = parseXreadOrReply(c, args, group);
  if (st === null) return;
  if (group) c.propagateArgs = false;
  if (xreadRun(c, st, true)) return;
  if (st.timeout === -1 || !mayBlock(c)) {
    c.w.nullArray();
    return;
  }
  const srv = c.server;
  const db = c.db;
  if (group) installGroupWakeHooks(srv);
  srv.blockClient(
    c, db, [...new Set(st.keys)], st.timeout, 'stream',
    (key) => {
      // XREAD waits for stream data only; XREADGROUP re-runs on any change of its key.
      if (!group && !isStream(db.lookup(key))) return false;
      const errs = srv.stats.totalErrorReplies;
      const replied = xreadRun(c, st, false);
      if (replied && srv.stats.totalErrorReplies !== errs) countFailedCall(c, group ? 'xreadgroup' : 'xread');
      return replied;
    },
    () => c.w.nullArray(),
  );
  if (group && c.blocked !== null) groupBlocks.add(c.blocked);
}

/** Keys of XREAD/XREADGROUP: the first half of the arguments after STREAMS. */
function xreadKeys(args: string[]): number[] {
  for (let i = 1; i < args.length; i++) {
    if (is(args[i], 'streams')) {
      const num = args.length - i - 1;
      if (num === 0 || num % 2 !== 0) return [];
      const out: number[] = [];
      for (let k = i + 1; k <= i + num / 2; k++) out.push(k);
      return out;
    }
  }
  return [];
}

// ----------------------------------------------------------------------------
// XGROUP
// ----------------------------------------------------------------------------

/** Common XGROUP checks: the key must exist (unless MKSTREAM) and hold a stream. */
function xgroupStreamOrReply(c: Client, key: string, mkstream: boolean): Stream | undefined | null {
  const s = streamOrReply(c, key, true);
  if (s === null) return null;
  if (s === undefined && !mkstream) {
    c.w.error(ERR_XGROUP_NOKEY);
    return null;
  }
  return s;
}

function entriesReadOrReply(c: Client, s: string): bigint | null {
  const n = int64OrReply(c, s);
  if (n === null) return null;
  if (n < 0n && n !== -1n) {
    c.w.error(ERR_ENTRIESREAD);
    return null;
  }
  return n;
}

/* XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD entries-read] */
function xgroupCreateCommand(c: Client, args: string[]): void {
  let mkstream = false;
  let entriesRead = ENTRIES_READ_INVALID;
  for (let i = 5; i < args.length; ) {
    if (is(args[i], 'mkstream')) {
      mkstream = true;
      i++;
    } else if (is(args[i], 'entriesread') && i + 1 < args.length) {
      const n = entriesReadOrReply(c, args[i + 1]);
      if (n === null) return;
      entriesRead = n;
      i += 2;
    } else {
      c.w.error(SUBCMD_SYNTAX(args[1], 'XGROUP'));
      return;
    }
  }
  const key = args[2];
  let s = xgroupStreamOrReply(c, key, mkstream);
  if (s === null) return;
  let id: StreamID;
  if (args[4] === '$') id = s === undefined ? { ms: 0n, seq: 0n } : s.lastId;
  else {
    const p = idOrReply(c, args[4], 0n, true);
    if (p === null) return;
    id = p;
  }
  const db = c.db;
  if (s === undefined) {
    s = new Stream();
    db.set(key, s);
    c.server.signalModifiedKey(db, key);
    if (c.server.notifyFlags & NOTIFY.NEW) c.server.notify(NOTIFY.NEW, 'new', key, db.id);
  }
  if (s.createGroup(args[3], id, entriesRead) === null) {
    c.w.error(ERR_BUSYGROUP);
    return;
  }
  c.w.ok();
  c.server.dirty++;
  notifyStream(c, db, 'xgroup-create', key);
}

/** The stream and group for SETID/CREATECONSUMER/DELCONSUMER/DESTROY; null after replying. */
function xgroupTargetOrReply(c: Client, args: string[], needGroup: boolean): [Stream, ConsumerGroup | undefined] | null {
  const s = xgroupStreamOrReply(c, args[2], false);
  if (s === null || s === undefined) return null;
  const g = s.lookupGroup(args[3]);
  if (g === undefined && needGroup) {
    c.w.error(NOGROUP_FOR_KEY(args[3], args[2]));
    return null;
  }
  return [s, g];
}

/* XGROUP SETID key group id|$ [ENTRIESREAD entries-read] */
function xgroupSetidCommand(c: Client, args: string[]): void {
  let entriesRead = ENTRIES_READ_INVALID;
  if (args.length === 7) {
    if (!is(args[5], 'entriesread')) {
      c.w.error(SUBCMD_SYNTAX(args[1], 'XGROUP'));
      return;
    }
    const n = entriesReadOrReply(c, args[6]);
    if (n === null) return;
    entriesRead = n;
  } else if (args.length !== 5) {
    c.w.error(SUBCMD_SYNTAX(args[1], 'XGROUP'));
    return;
  }
  const t = xgroupTargetOrReply(c, args, true);
  if (t === null) return;
  const [s, g] = t as [Stream, ConsumerGroup];
  let id: StreamID;
  if (args[4] === '$') id = s.lastId;
  else {
    const p = idOrReply(c, args[4], 0n, false);
    if (p === null) return;
    id = p;
  }
  g.lastId = { ms: id.ms, seq: id.seq };
  g.entriesRead = entriesRead;
  c.w.ok();
  c.server.dirty++;
  notifyStream(c, c.db, 'xgroup-setid', args[2]);
}

/* XGROUP DESTROY key group */
function xgroupDestroyCommand(c: Client, args: string[]): void {
  const t = xgroupTargetOrReply(c, args, false);
  if (t === null) return;
  const [s, g] = t;
  if (g === undefined) {
    c.w.int(0);
    return;
  }
  s.destroyGroup(g.name);
  c.w.int(1);
  c.server.dirty++;
  notifyStream(c, c.db, 'xgroup-destroy', args[2]);
  // Unblock XREADGROUP clients of this key: they get -NOGROUP.
  c.server.signalKeyAsReady(c.db, args[2]);
}

/* XGROUP CREATECONSUMER key group consumer */
function xgroupCreateconsumerCommand(c: Client, args: string[]): void {
  const t = xgroupTargetOrReply(c, args, true);
  if (t === null) return;
  const g = t[1] as ConsumerGroup;
  const created = g.createConsumer(args[4], c.server.clock.now());
  if (created !== null) {
    c.server.dirty++;
    notifyStream(c, c.db, 'xgroup-createconsumer', args[2]);
  }
  c.w.int(created ? 1 : 0);
}

/* XGROUP DELCONSUMER key group consumer */
function xgroupDelconsumerCommand(c: Client, args: string[]): void {
  const t = xgroupTargetOrReply(c, args, true);
  if (t === null) return;
  const g = t[1] as ConsumerGroup;
  const cons = g.consumers.get(args[4]);
  let pending = 0;
  if (cons !== undefined) {
    pending = g.deleteConsumer(cons);
    c.server.dirty++;
    notifyStream(c, c.db, 'xgroup-delconsumer', args[2]);
  }
  c.w.int(pending);
}

/* XGROUP HELP */
function xgroupHelpCommand(c: Client): void {
  replyHelp(c, 'XGROUP', [
    'CREATE <key> <groupname> <id|$> [option]',
    '    Create a new consumer group. Options are:',
    '    * MKSTREAM',
    '      Create the empty stream if it does not exist.',
    '    * ENTRIESREAD entries_read',
    "      Set the group's entries_read counter (internal use).",
    'CREATECONSUMER <key> <groupname> <consumer>',
    '    Create a new consumer in the specified group.',
    'DELCONSUMER <key> <groupname> <consumer>',
    '    Remove the specified consumer.',
    'DESTROY <key> <groupname>',
    '    Remove the specified group.',
    'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
    '    Set the current group ID and entries_read counter.',
  ]);
}

// ----------------------------------------------------------------------------
// XACK, XPENDING
// ----------------------------------------------------------------------------

/* XACK key group id [id ...] */
function xackCommand(c: Client, args: string[]): void {
  const s = streamOrReply(c, args[1], false);
  if (s === null) return;
  const g = s === undefined ? undefined : s.lookupGroup(args[2]);
  if (g === undefined) {
    c.w.int(0);
    return;
  }
  const ids: StreamID[] = [];
  for (let j = 3; j < args.length; j++) {
    const id = idOrReply(c, args[j], 0n, true);
    if (id === null) return;
    ids.push(id);
  }
  let acked = 0;
  for (const id of ids) {
    const nack = g.pel.remove(id.ms, id.seq);
    if (nack !== undefined) {
      if (nack.consumer !== null) nack.consumer.pel.remove(id.ms, id.seq);
      acked++;
      c.server.dirty++;
    }
  }
  c.w.int(acked);
}

/* XPENDING key group [[IDLE min-idle-time] start end count [consumer]] */
function xpendingCommand(c: Client, args: string[]): void {
  const justInfo = args.length === 3;
  const key = args[1];
  const groupName = args[2];
  if (args.length !== 3 && (args.length < 6 || args.length > 9)) {
    c.w.error(E.SYNTAX);
    return;
  }
  let start: StreamID = MIN_ID;
  let end: StreamID = MAX_ID;
  let count = 0;
  let minIdle = 0;
  let consumerName: string | null = null;
  if (args.length >= 6) {
    let startIdx = 3;
    if (is(args[3], 'idle')) {
      const n = parseInt64Num(args[4]);
      if (n === null) {
        c.w.error(E.NOT_INTEGER);
        return;
      }
      minIdle = n;
      if (args.length < 8) {
        c.w.error(E.SYNTAX);
        return;
      }
      startIdx += 2;
    }
    const cnt = parseInt64Num(args[startIdx + 2]);
    if (cnt === null) {
      c.w.error(E.NOT_INTEGER);
      return;
    }
    count = cnt < 0 ? 0 : cnt;
    const st = intervalIdOrReply(c, args[startIdx], 0n);
    if (st === null) return;
    if (st[1]) {
      const x = incrId(st[0]);
      if (x === null) {
        c.w.error(ERR_START_ID);
        return;
      }
      start = x;
    } else start = st[0];
    const en = intervalIdOrReply(c, args[startIdx + 1], U64_MAX);
    if (en === null) return;
    if (en[1]) {
      const x = decrId(en[0]);
      if (x === null) {
        c.w.error(ERR_END_ID);
        return;
      }
      end = x;
    } else end = en[0];
    if (startIdx + 3 < args.length) consumerName = args[startIdx + 3];
  }
  const s = streamOrReply(c, key, false);
  if (s === null) return;
  const g = s === undefined ? undefined : s.lookupGroup(groupName);
  if (g === undefined) {
    c.w.error(NOGROUP_KEY(key, groupName));
    return;
  }
  const w = c.w;
  if (justInfo) {
    w.arrayHeader(4);
    w.int(g.pel.size);
    const first = g.pel.first();
    const last = g.pel.last();
    if (first === undefined || last === undefined) {
      w.nullBulk();
      w.nullBulk();
      w.nullArray();
      return;
    }
    replyId(c, first.ms, first.seq);
    replyId(c, last.ms, last.seq);
    const withPending = g.sortedConsumers().filter((x) => x.pel.size > 0);
    w.arrayHeader(withPending.length);
    for (const cons of withPending) {
      w.arrayHeader(2);
      w.bulk(cons.name);
      w.bulk(String(cons.pel.size));
    }
    return;
  }
  let pel = g.pel;
  if (consumerName !== null) {
    const cons = g.consumers.get(consumerName);
    if (cons === undefined) {
      w.arrayHeader(0);
      return;
    }
    pel = cons.pel;
  }
  const now = c.server.clock.now();
  const mark = w.deferred();
  let n = 0;
  if (count > 0) {
    pel.forEachFrom(start.ms, start.seq, (nack) => {
      if (nack.ms > end.ms || (nack.ms === end.ms && nack.seq > end.seq)) return false;
      if (minIdle && now - nack.deliveryTime < minIdle) return true;
      n++;
      w.arrayHeader(4);
      replyId(c, nack.ms, nack.seq);
      w.bulk(nack.consumer === null ? '' : nack.consumer.name);
      const elapsed = now - nack.deliveryTime;
      w.int(elapsed < 0 ? 0 : elapsed);
      w.int(nack.deliveryCount);
      return n < count;
    });
  }
  w.setDeferred(mark, n);
}

// ----------------------------------------------------------------------------
// XCLAIM, XAUTOCLAIM
// ----------------------------------------------------------------------------

/* XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid] */
function xclaimCommand(c: Client, args: string[]): void {
  const key = args[1];
  const groupName = args[2];
  const s = streamOrReply(c, key, false);
  if (s === null) return;
  const g = s === undefined ? undefined : s.lookupGroup(groupName);
  if (s === undefined || g === undefined) {
    c.w.error(NOGROUP_KEY(key, groupName));
    return;
  }
  let minIdle = parseInt64Num(args[4]);
  if (minIdle === null) {
    c.w.error('ERR Invalid min-idle-time argument for XCLAIM');
    return;
  }
  if (minIdle < 0) minIdle = 0;
  const ids: StreamID[] = [];
  let j = 5;
  for (; j < args.length; j++) {
    const id = parseStreamId(args[j], 0n, true);
    if (id === null) break;
    ids.push(id);
  }
  const now = c.server.clock.now();
  let force = false;
  let justid = false;
  let retrycount = -1;
  let deliverytime = -1;
  let lastId: StreamID = MIN_ID;
  for (; j < args.length; j++) {
    const more = args.length - 1 - j;
    const opt = args[j].toLowerCase();
    if (opt === 'force') force = true;
    else if (opt === 'justid') justid = true;
    else if (opt === 'idle' && more) {
      const n = parseInt64Num(args[++j]);
      if (n === null) {
        c.w.error('ERR Invalid IDLE option argument for XCLAIM');
        return;
      }
      deliverytime = now - n;
    } else if (opt === 'time' && more) {
      const n = parseInt64Num(args[++j]);
      if (n === null) {
        c.w.error('ERR Invalid TIME option argument for XCLAIM');
        return;
      }
      deliverytime = n;
    } else if (opt === 'retrycount' && more) {
      const n = parseInt64Num(args[++j]);
      if (n === null) {
        c.w.error('ERR Invalid RETRYCOUNT option argument for XCLAIM');
        return;
      }
      retrycount = n;
    } else if (opt === 'lastid' && more) {
      const id = idOrReply(c, args[++j], 0n, true);
      if (id === null) return;
      lastId = id;
    } else {
      c.w.error(`ERR Unrecognized XCLAIM option '${args[j]}'`);
      return;
    }
  }
  let propagateLastId = false;
  if (cmpId(lastId, g.lastId) > 0) {
    g.lastId = { ms: lastId.ms, seq: lastId.seq };
    propagateLastId = true;
  }
  if (deliverytime !== -1) {
    if (deliverytime < 0 || deliverytime > now) deliverytime = now;
  } else deliverytime = now;
  const consumer = consumerOf(c, g, key, args[3], false);
  consumer.seenTime = now;
  const claimed: StreamID[] = [];
  for (const id of ids) {
    let nack = g.pel.get(id.ms, id.seq);
    const idText = `${id.ms}-${id.seq}`;
    if (!s.has(id)) {
      if (nack !== undefined) {
        propagateXclaim(c, key, g, groupName, idText, nack);
        propagateLastId = false;
        g.pel.remove(id.ms, id.seq);
        if (nack.consumer !== null) nack.consumer.pel.remove(id.ms, id.seq);
      }
      continue;
    }
    if (force && nack === undefined) {
      nack = { ms: id.ms, seq: id.seq, deliveryTime: now, deliveryCount: 1, consumer: null };
      g.pel.insert(nack);
    }
    if (nack === undefined) continue;
    if (nack.consumer !== null && minIdle) {
      if (now - nack.deliveryTime < minIdle) continue;
    }
    if (consumer !== nack.consumer && nack.consumer !== null) nack.consumer.pel.remove(id.ms, id.seq);
    nack.deliveryTime = deliverytime;
    if (retrycount >= 0) nack.deliveryCount = retrycount;
    else if (!justid) nack.deliveryCount++;
    if (nack.consumer !== consumer) {
      consumer.pel.insert(nack);
      nack.consumer = consumer;
    }
    claimed.push(id);
    consumer.activeTime = now;
    propagateXclaim(c, key, g, groupName, idText, nack);
    propagateLastId = false;
  }
  if (propagateLastId) propagateGroupId(c, key, g, groupName);
  c.w.arrayHeader(claimed.length);
  for (const id of claimed) {
    if (justid) replyId(c, id.ms, id.seq);
    else replyEntryById(c, s, id);
  }
  c.propagateArgs = false;
}

const XAUTOCLAIM_MAX_COUNT = 576460752303423487;

/* XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID] */
function xautoclaimCommand(c: Client, args: string[]): void {
  const key = args[1];
  const groupName = args[2];
  let minIdle = parseInt64Num(args[4]);
  if (minIdle === null) {
    c.w.error('ERR Invalid min-idle-time argument for XAUTOCLAIM');
    return;
  }
  if (minIdle < 0) minIdle = 0;
  const st = intervalIdOrReply(c, args[5], 0n);
  if (st === null) return;
  let start: StreamID = st[0];
  if (st[1]) {
    const x = incrId(start);
    if (x === null) {
      c.w.error(ERR_START_ID);
      return;
    }
    start = x;
  }
  let count = 100;
  let justid = false;
  for (let j = 6; j < args.length; j++) {
    const more = args.length - 1 - j;
    if (is(args[j], 'count') && more) {
      const n = parseInt64Num(args[j + 1]);
      if (n === null || n < 1 || n > XAUTOCLAIM_MAX_COUNT) {
        c.w.error('ERR COUNT must be > 0');
        return;
      }
      count = n;
      j++;
    } else if (is(args[j], 'justid')) justid = true;
    else {
      c.w.error(E.SYNTAX);
      return;
    }
  }
  const s = streamOrReply(c, key, false);
  if (s === null) return;
  const g = s === undefined ? undefined : s.lookupGroup(groupName);
  if (s === undefined || g === undefined) {
    c.w.error(NOGROUP_KEY(key, groupName));
    return;
  }
  const now = c.server.clock.now();
  const consumer = consumerOf(c, g, key, args[3], false);
  consumer.seenTime = now;
  let attempts = count * 10;
  const claimed: StreamID[] = [];
  const deleted: string[] = [];
  let cur = g.pel.ceiling(start.ms, start.seq);
  let lastVisited: NACK | undefined;
  while (attempts-- > 0 && count > 0 && cur !== undefined) {
    const nack = cur;
    lastVisited = nack;
    const id = { ms: nack.ms, seq: nack.seq };
    const idText = `${nack.ms}-${nack.seq}`;
    if (!s.has(id)) {
      propagateXclaim(c, key, g, groupName, idText, nack);
      g.pel.remove(nack.ms, nack.seq);
      if (nack.consumer !== null) nack.consumer.pel.remove(nack.ms, nack.seq);
      deleted.push(idText);
      count--;
      cur = g.pel.higher(nack.ms, nack.seq);
      continue;
    }
    cur = g.pel.higher(nack.ms, nack.seq);
    if (minIdle && now - nack.deliveryTime < minIdle) continue;
    if (nack.consumer !== consumer && nack.consumer !== null) nack.consumer.pel.remove(nack.ms, nack.seq);
    nack.deliveryTime = now;
    if (!justid) nack.deliveryCount++;
    if (nack.consumer !== consumer) {
      consumer.pel.insert(nack);
      nack.consumer = consumer;
    }
    claimed.push(id);
    count--;
    consumer.activeTime = now;
    propagateXclaim(c, key, g, groupName, idText, nack);
  }
  // The cursor: the pending entry after the last one visited (0-0 at the end).
  const next = lastVisited === undefined ? cur : g.pel.higher(lastVisited.ms, lastVisited.seq);
  const w = c.w;
  w.arrayHeader(3);
  w.bulk(next === undefined ? '0-0' : `${next.ms}-${next.seq}`);
  w.arrayHeader(claimed.length);
  for (const id of claimed) {
    if (justid) replyId(c, id.ms, id.seq);
    else replyEntryById(c, s, id);
  }
  w.arrayHeader(deleted.length);
  for (const d of deleted) w.bulk(d);
  c.propagateArgs = false;
}

// ----------------------------------------------------------------------------
// XINFO
// ----------------------------------------------------------------------------

function replyLag(c: Client, s: Stream, g: ConsumerGroup): void {
  const lag = s.groupLag(g);
  if (lag === null) c.w.nullBulk();
  else c.w.int(lag);
}

function replyEntriesRead(c: Client, g: ConsumerGroup): void {
  if (g.entriesRead !== ENTRIES_READ_INVALID) c.w.int(g.entriesRead);
  else c.w.nullBulk();
}

/** The stream at args[2] for XINFO: "no such key" when missing. */
function xinfoStreamOrReply(c: Client, key: string): Stream | null {
  const s = streamOrReply(c, key, false);
  if (s === null) return null;
  if (s === undefined) {
    c.w.error(E.NO_SUCH_KEY);
    return null;
  }
  return s;
}

/* XINFO CONSUMERS key group */
function xinfoConsumersCommand(c: Client, args: string[]): void {
  const s = xinfoStreamOrReply(c, args[2]);
  if (s === null) return;
  const g = s.lookupGroup(args[3]);
  if (g === undefined) {
    c.w.error(NOGROUP_FOR_KEY(args[3], args[2]));
    return;
  }
  const now = c.server.clock.now();
  const list = g.sortedConsumers();
  const w = c.w;
  w.arrayHeader(list.length);
  for (const cons of list) {
    const inactive = cons.activeTime !== -1 ? now - cons.activeTime : -1;
    let idle = now - cons.seenTime;
    if (idle < 0) idle = 0;
    w.mapHeader(4);
    w.bulk('name');
    w.bulk(cons.name);
    w.bulk('pending');
    w.int(cons.pel.size);
    w.bulk('idle');
    w.int(idle);
    w.bulk('inactive');
    w.int(inactive);
  }
}

/* XINFO GROUPS key */
function xinfoGroupsCommand(c: Client, args: string[]): void {
  const s = xinfoStreamOrReply(c, args[2]);
  if (s === null) return;
  const groups = s.sortedGroups();
  const w = c.w;
  w.arrayHeader(groups.length);
  for (const g of groups) {
    w.mapHeader(6);
    w.bulk('name');
    w.bulk(g.name);
    w.bulk('consumers');
    w.int(g.consumers.size);
    w.bulk('pending');
    w.int(g.pel.size);
    w.bulk('last-delivered-id');
    replyId(c, g.lastId.ms, g.lastId.seq);
    w.bulk('entries-read');
    replyEntriesRead(c, g);
    w.bulk('lag');
    replyLag(c, s, g);
  }
}

/* XINFO STREAM key [FULL [COUNT count]] */
function xinfoStreamCommand(c: Client, args: string[]): void {
  const s = xinfoStreamOrReply(c, args[2]);
  if (s === null) return;
  let full = false;
  let count = 10;
  const extra = args.length - 3;
  if (extra > 0) {
    if (!is(args[3], 'full') || extra === 2 || extra > 3 || (extra === 3 && !is(args[4], 'count'))) {
      c.w.error(SUBCMD_SYNTAX(args[1], 'XINFO'));
      return;
    }
    full = true;
    if (extra === 3) {
      const n = parseInt64Num(args[5]);
      if (n === null) {
        c.w.error(E.NOT_INTEGER);
        return;
      }
      count = n < 0 ? 10 : n;
    }
  }
  const w = c.w;
  w.mapHeader(full ? 9 : 10);
  w.bulk('length');
  w.int(s.length);
  w.bulk('radix-tree-keys');
  w.int(s.blocks.length);
  w.bulk('radix-tree-nodes');
  w.int(s.radixTreeNodes());
  w.bulk('last-generated-id');
  replyId(c, s.lastId.ms, s.lastId.seq);
  w.bulk('max-deleted-entry-id');
  replyId(c, s.maxDeletedId.ms, s.maxDeletedId.seq);
  w.bulk('entries-added');
  w.int(s.entriesAdded);
  w.bulk('recorded-first-entry-id');
  const first = s.firstId();
  replyId(c, first.ms, first.seq);
  if (!full) {
    w.bulk('groups');
    w.int(s.groups === null ? 0 : s.groups.size);
    w.bulk('first-entry');
    let emitted = false;
    s.range(MIN_ID, MAX_ID, false, (b, i) => {
      replyEntry(c, b, i);
      emitted = true;
      return false;
    });
    if (!emitted) w.nullBulk();
    w.bulk('last-entry');
    emitted = false;
    s.range(MIN_ID, MAX_ID, true, (b, i) => {
      replyEntry(c, b, i);
      emitted = true;
      return false;
    });
    if (!emitted) w.nullBulk();
    return;
  }
  w.bulk('entries');
  const mark = w.deferred();
  let n = 0;
  s.range(MIN_ID, MAX_ID, false, (b, i) => {
    replyEntry(c, b, i);
    n++;
    return count === 0 || n < count;
  });
  w.setDeferred(mark, n);
  w.bulk('groups');
  const groups = s.sortedGroups();
  w.arrayHeader(groups.length);
  for (const g of groups) {
    w.mapHeader(7);
    w.bulk('name');
    w.bulk(g.name);
    w.bulk('last-delivered-id');
    replyId(c, g.lastId.ms, g.lastId.seq);
    w.bulk('entries-read');
    replyEntriesRead(c, g);
    w.bulk('lag');
    replyLag(c, s, g);
    w.bulk('pel-count');
    w.int(g.pel.size);
    w.bulk('pending');
    let shown = 0;
    const pm = w.deferred();
    for (const nack of g.pel) {
      if (count && shown >= count) break;
      w.arrayHeader(4);
      replyId(c, nack.ms, nack.seq);
      w.bulk(nack.consumer === null ? '' : nack.consumer.name);
      w.int(nack.deliveryTime);
      w.int(nack.deliveryCount);
      shown++;
    }
    w.setDeferred(pm, shown);
    w.bulk('consumers');
    const consumers = g.sortedConsumers();
    w.arrayHeader(consumers.length);
    for (const cons of consumers) {
      w.mapHeader(5);
      w.bulk('name');
      w.bulk(cons.name);
      w.bulk('seen-time');
      w.int(cons.seenTime);
      w.bulk('active-time');
      w.int(cons.activeTime);
      w.bulk('pel-count');
      w.int(cons.pel.size);
      w.bulk('pending');
      let cshown = 0;
      const cm = w.deferred();
      for (const nack of cons.pel) {
        if (count && cshown >= count) break;
        w.arrayHeader(3);
        replyId(c, nack.ms, nack.seq);
        w.int(nack.deliveryTime);
        w.int(nack.deliveryCount);
        cshown++;
      }
      w.setDeferred(cm, cshown);
    }
  }
}

/* XINFO HELP */
function xinfoHelpCommand(c: Client): void {
  replyHelp(c, 'XINFO', [
    'CONSUMERS <key> <groupname>',
    '    Show consumers of <groupname>.',
    'GROUPS <key>',
    '    Show the stream consumer groups.',
    'STREAM <key> [FULL [COUNT <count>]',
    '    Show information about the stream.',
  ]);
}

// ----------------------------------------------------------------------------
// Table
// ----------------------------------------------------------------------------

const X = { group: 'stream', since: '5.0.0' };

export const commands: CommandDef[] = [
  command('xadd', -5, 'write denyoom fast', [1, 1, 1], 'stream', xaddCommand, X),
  command('xlen', 2, 'readonly fast', [1, 1, 1], 'stream', xlenCommand, X),
  command('xrange', -4, 'readonly', [1, 1, 1], 'stream', (c, a) => xrangeGeneric(c, a, false), X),
  command('xrevrange', -4, 'readonly', [1, 1, 1], 'stream', (c, a) => xrangeGeneric(c, a, true), X),
  command('xdel', -3, 'write fast', [1, 1, 1], 'stream', xdelCommand, X),
  command('xtrim', -4, 'write', [1, 1, 1], 'stream', xtrimCommand, X),
  command('xsetid', -3, 'write denyoom fast', [1, 1, 1], 'stream', xsetidCommand, X),
  command('xread', -4, 'readonly blocking', [0, 0, 0], 'stream', (c, a) => xreadGeneric(c, a, false), { ...X, getKeys: xreadKeys }),
  command('xreadgroup', -7, 'write blocking', [0, 0, 0], 'stream', (c, a) => xreadGeneric(c, a, true), { ...X, getKeys: xreadKeys }),
  command('xack', -4, 'write fast', [1, 1, 1], 'stream', xackCommand, X),
  command('xpending', -3, 'readonly', [1, 1, 1], 'stream', xpendingCommand, X),
  command('xclaim', -6, 'write fast', [1, 1, 1], 'stream', xclaimCommand, X),
  command('xautoclaim', -6, 'write fast', [1, 1, 1], 'stream', xautoclaimCommand, { ...X, since: '6.2.0' }),
  command('xgroup', -2, '', [0, 0, 0], 'stream', noParentHandler, {
    ...X,
    subcommands: [
      command('create', -5, 'write denyoom', [2, 2, 1], 'stream', xgroupCreateCommand, X),
      command('setid', -5, 'write', [2, 2, 1], 'stream', xgroupSetidCommand, X),
      command('destroy', 4, 'write', [2, 2, 1], 'stream', xgroupDestroyCommand, X),
      command('createconsumer', 5, 'write denyoom', [2, 2, 1], 'stream', xgroupCreateconsumerCommand, { ...X, since: '6.2.0' }),
      command('delconsumer', 5, 'write', [2, 2, 1], 'stream', xgroupDelconsumerCommand, X),
      command('help', 2, 'loading stale', [0, 0, 0], 'stream', xgroupHelpCommand, X),
    ],
  }),
  command('xinfo', -2, '', [0, 0, 0], 'stream', noParentHandler, {
    ...X,
    subcommands: [
      command('consumers', 4, 'readonly', [2, 2, 1], 'stream', xinfoConsumersCommand, X),
      command('groups', 3, 'readonly', [2, 2, 1], 'stream', xinfoGroupsCommand, X),
      command('stream', -3, 'readonly', [2, 2, 1], 'stream', xinfoStreamCommand, X),
      command('help', 2, 'loading stale', [0, 0, 0], 'stream', xinfoHelpCommand, X),
    ],
  }),
];


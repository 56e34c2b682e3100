/*
 * Sorted set commands: ZADD and friends, ranges by rank, score and lex,
 * range removal, set algebra (ZUNION, ZINTER, ZDIFF and their STORE forms,
 * ZINTERCARD), pops and blocking pops, ZRANDMEMBER and ZSCAN.
 */

import type { Client } from '../server/client';
import type { Database } from '../server/db';
import type { Server } from '../server/server';
import { command, type CommandDef } from './types';
import { E } from '../errors';
import { NOTIFY, is, keyChanged, lookupRead, lookupWrite, parseIntOrReply, parseTimeoutOrReply } from './util';
import { scanGeneric } from './keyspace';
import { parseCursor } from '../util/scan-cursors';
import { formatDouble, formatG17, parseDouble, parseInt64, parseInt64Num } from '../util/numbers';
import type { Value } from '../types/value';
import { SetObject } from '../types/set';
import {
  LEX_MINUS, LEX_PLUS, LEX_VALUE, ZSet, type LexRange, type ScoreRange, type ZsetLimits,
} from '../types/zset';

const ERR_NAN = 'ERR resulting score is not a number (NaN)';
const ERR_MINMAX_FLOAT = 'ERR min or max is not a float';
const ERR_MINMAX_LEX = 'ERR min or max not valid string range item';
const ERR_XX_NX = 'ERR XX and NX options at the same time are not compatible';
const ERR_GT_LT_NX = 'ERR GT, LT, and/or NX options at the same time are not compatible';
const ERR_INCR_PAIR = 'ERR INCR option supports a single increment-element pair';
const ERR_WEIGHT = 'ERR weight value is not a float';
const ERR_LIMIT_NEG = "ERR LIMIT can't be negative";
const ERR_NUMKEYS = 'ERR numkeys should be greater than 0';
const ERR_COUNT_POS = 'ERR count should be greater than 0';
const ERR_LIMIT_RANK = 'ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX';
const ERR_WITHSCORES_LEX = 'ERR syntax error, WITHSCORES not supported in combination with BYLEX';
const ERR_RANGE_LONG = 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807';
const ERR_OUT_OF_RANGE = 'ERR value is out of range';
const ERR_NEED_KEY = (cmd: string): string => `ERR at least 1 input key is needed for '${cmd}' command`;

const LONG_MAX = 9223372036854775807n;

// ----------------------------------------------------------------------------
// Helpers
// ----------------------------------------------------------------------------

interface CachedLimits extends ZsetLimits {
  stale: boolean;
}

const limitsCache = new WeakMap<Server, CachedLimits>();

/** zset-max-listpack-entries/value, refreshed on CONFIG SET. */
export function zsetLimits(srv: Server): ZsetLimits {
  let l = limitsCache.get(srv);
  if (l === undefined) {
    const lim: CachedLimits = { maxListpackEntries: 0, maxListpackValue: 0, stale: true };
    const mark = (): undefined => {
      lim.stale = true;
      return undefined;
    };
    srv.config.onChange('zset-max-listpack-entries', mark);
    srv.config.onChange('zset-max-listpack-value', mark);
    limitsCache.set(srv, lim);
    l = lim;
  }
  if (l.stale) {
    l.maxListpackEntries = srv.config.num('zset-max-listpack-entries');
    l.maxListpackValue = srv.config.num('zset-max-listpack-value');
    l.stale = false;
  }
  return l;
}

/** Check that `v` (if present) is a sorted set; replies WRONGTYPE and returns null otherwise. */
function asZsetOrReply(c: Client, v: Value | undefined): ZSet | undefined | null {
  if (v === undefined) return undefined;
  if (!(v instanceof ZSet)) {
    c.w.error(E.WRONGTYPE);
    return null;
  }
  return v;
}

/** The sorted set at `key` for reading: undefined when missing, null after replying WRONGTYPE. */
export function readZsetOrReply(c: Client, key: string): ZSet | undefined | null {
  return asZsetOrReply(c, lookupRead(c, key));
}

/** The sorted set at `key` for writing: undefined when missing, null after replying WRONGTYPE. */
function writeZsetOrReply(c: Client, key: string): ZSet | undefined | null {
  return asZsetOrReply(c, lookupWrite(c, key));
}

/** Redis's `long` argument (getLongFromObjectOrReply). */
function parseLongOrReply(c: Client, s: string, err: string = E.NOT_INTEGER): number | null {
  return parseIntOrReply(c, s, err);
}

/** A long within [min, max] (getRangeLongFromObjectOrReply with a message). */
function parseRangeLongOrReply(c: Client, s: string, min: number, err: string): number | null {
  const n = parseInt64Num(s);
  if (n === null || n < min) {
    c.w.error(err);
    return null;
  }
  return n;
}

const STRTOD_DEC = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const STRTOD_HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?$/;
const STRTOD_INF = /^[+-]?inf(?:inity)?$/i;

/**
 * C's strtod over the whole text (as zslParseRange uses it): leading
 * white space is skipped, the text ends at a NUL byte, an empty text is 0,
 * hexadecimal and inf are accepted, NaN is not. Null when invalid.
 */
export function parseStrtod(str: string): number | null {
  let s = str;
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  if (s.length === 0) return 0;
  let i = 0;
  while (i < s.length) {
    const ch = s.charCodeAt(i);
    if (ch === 32 || (ch >= 9 && ch <= 13)) i++;
    else break;
  }
  if (i > 0) s = s.slice(i);
  if (STRTOD_DEC.test(s)) return Number(s);
  if (STRTOD_INF.test(s)) return s.charCodeAt(0) === 45 ? -Infinity : Infinity;
  const h = STRTOD_HEX.exec(s);
  if (h !== null && (h[2].length > 0 || (h[3] !== undefined && h[3].length > 0))) {
    let v = h[2].length > 0 ? parseInt(h[2], 16) : 0;
    if (h[3]) v += parseInt(h[3], 16) / Math.pow(16, h[3].length);
    if (h[4] !== undefined) v *= Math.pow(2, Number(h[4]));
    return h[1] === '-' ? -v : v;
  }
  return null;
}

/** Parse a ZRANGEBYSCORE-style interval ("(" = exclusive). Null when invalid. */
export function parseScoreRange(minArg: string, maxArg: string): ScoreRange | null {
  const r: ScoreRange = { min: 0, max: 0, minex: false, maxex: false };
  let s = minArg;
  if (s.charCodeAt(0) === 40) {
    r.minex = true;
    s = s.slice(1);
  }
  const min = parseStrtod(s);
  if (min === null) return null;
  s = maxArg;
  if (s.charCodeAt(0) === 40) {
    r.maxex = true;
    s = s.slice(1);
  }
  const max = parseStrtod(s);
  if (max === null) return null;
  r.min = min;
  r.max = max;
  return r;
}

/** Parse a ZRANGEBYLEX-style interval ("[x", "(x", "-", "+"). Null when invalid. */
export function parseLexRange(minArg: string, maxArg: string): LexRange | null {
  const r: LexRange = { min: '', max: '', minKind: LEX_VALUE, maxKind: LEX_VALUE, minex: false, maxex: false };
  const a = parseLexItem(minArg);
  if (a === null) return null;
  const b = parseLexItem(maxArg);
  if (b === null) return null;
  [r.minKind, r.min, r.minex] = a;
  [r.maxKind, r.max, r.maxex] = b;
  return r;
}

function parseLexItem(s: string): [number, string, boolean] | null {
  switch (s.charCodeAt(0)) {
    case 43: // '+'
      return s.length === 1 || s.charCodeAt(1) === 0 ? [LEX_PLUS, '', true] : null;
    case 45: // '-'
      return s.length === 1 || s.charCodeAt(1) === 0 ? [LEX_MINUS, '', true] : null;
    case 40: // '('
      return [LEX_VALUE, s.slice(1), true];
    case 91: // '['
      return [LEX_VALUE, s.slice(1), false];
    default:
      return null;
  }
}

/** Write a (member, score) element of a WITHSCORES reply: a pair in RESP3, flat in RESP2. */
function replyScored(c: Client, member: string, score: number, withScores: boolean): void {
  const w = c.w;
  if (withScores && w.proto === 3) w.arrayHeader(2);
  w.bulk(member);
  if (withScores) w.double(score);
}

/** Array header for `n` elements of a possibly WITHSCORES reply. */
function replyScoredHeader(c: Client, n: number, withScores: boolean): void {
  c.w.arrayHeader(withScores && c.w.proto === 2 ? n * 2 : n);
}

/**
 * Replace `dst` with the result sorted set `zs` (or delete it when empty),
 * with signals and the keyspace event `event`. Replies the result size.
 */
export function storeResult(c: Client, dst: string, zs: ZSet, event: string, maxMemberLen: number, dirty = 1): void {
  const db = c.db;
  const n = zs.size();
  if (n > 0) {
    zs.toListpackIfFits(maxMemberLen, zsetLimits(c.server));
    db.set(dst, zs);
    keyChanged(c, db, dst, NOTIFY.ZSET, event);
    c.server.dirty += dirty - 1;
    c.server.signalKeyAsReady(db, dst);
    c.w.int(n);
  } else {
    if (db.delete(dst)) keyChanged(c, db, dst, NOTIFY.GENERIC, 'del');
    c.w.int(0);
  }
}

/** Delete `key` when its sorted set became empty (with the 'del' event). Returns whether it did. */
function deleteIfEmpty(c: Client, db: Database, key: string, zs: ZSet): boolean {
  if (zs.size() !== 0) return false;
  db.delete(key);
  c.server.notify(NOTIFY.GENERIC, 'del', key, db.id);
  return true;
}

// ----------------------------------------------------------------------------
// ZADD, ZINCRBY, ZREM
// ----------------------------------------------------------------------------

const Z_NX = 1;
const Z_XX = 2;
const Z_GT = 4;
const Z_LT = 8;
const Z_INCR = 16;
const Z_CH = 32;

/* ZADD key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...] */
export function zaddCommand(c: Client, args: string[]): void {
  zaddGeneric(c, args, 0);
}

/* ZINCRBY key increment member */
function zincrbyCommand(c: Client, args: string[]): void {
  zaddGeneric(c, args, Z_INCR);
}

function zaddGeneric(c: Client, args: string[], initFlags: number): void {
  const key = args[1];
  let flags = initFlags;
  let idx = 2;
  for (; idx < args.length; idx++) {
    const o = args[idx];
    if (o.length > 4) break;
    const l = o.toLowerCase();
    if (l === 'nx') flags |= Z_NX;
    else if (l === 'xx') flags |= Z_XX;
    else if (l === 'ch') flags |= Z_CH;
    else if (l === 'incr') flags |= Z_INCR;
    else if (l === 'gt') flags |= Z_GT;
    else if (l === 'lt') flags |= Z_LT;
    else break;
  }
  const incr = (flags & Z_INCR) !== 0;
  const nx = (flags & Z_NX) !== 0;
  const xx = (flags & Z_XX) !== 0;
  const gt = (flags & Z_GT) !== 0;
  const lt = (flags & Z_LT) !== 0;
  const rest = args.length - idx;
  if (rest === 0 || rest % 2 !== 0) {
    c.w.error(E.SYNTAX);
    return;
  }
  const elements = rest / 2;
  if (nx && xx) {
    c.w.error(ERR_XX_NX);
    return;
  }
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    c.w.error(ERR_GT_LT_NX);
    return;
  }
  if (incr && elements > 1) {
    c.w.error(ERR_INCR_PAIR);
    return;
  }
  const scores = new Array<number>(elements);
  let maxLen = 0;
  for (let j = 0; j < elements; j++) {
    const d = parseDouble(args[idx + j * 2]);
    if (d === null) {
      c.w.error(E.NOT_FLOAT);
      return;
    }
    scores[j] = d;
    const m = args[idx + j * 2 + 1];
    if (m.length > maxLen) maxLen = m.length;
  }
  const db = c.db;
  let zs = writeZsetOrReply(c, key);
  if (zs === null) return;
  let added = 0;
  let updated = 0;
  let processed = 0;
  let score = 0;
  let created = false;
  const lim = zsetLimits(c.server);
  if (zs === undefined) {
    if (xx) {
      replyZadd(c, incr, processed, score, (flags & Z_CH) !== 0 ? added + updated : added);
      return;
    }
    zs = ZSet.create(elements, maxLen, lim);
    db.set(key, zs);
    created = true;
  } else zs.maybeConvert(elements, lim);
  let error = false;
  for (let j = 0; j < elements; j++) {
    score = scores[j];
    const member = args[idx + j * 2 + 1];
    const cur = zs.score(member);
    if (cur !== undefined) {
      if (nx) continue;
      if (incr) {
        score += cur;
        if (Number.isNaN(score)) {
          error = true;
          break;
        }
      }
      if ((lt && score >= cur) || (gt && score <= cur)) continue;
      processed++;
      if (score !== cur) {
        zs.set(member, score);
        updated++;
      }
    } else if (!xx) {
      zs.set(member, score);
      added++;
      processed++;
    }
  }
  if (added > 0) zs.checkEncoding(lim);
  if (created && zs.size() === 0) db.delete(key);
  if (added + updated > 0) {
    keyChanged(c, db, key, NOTIFY.ZSET, incr ? 'zincr' : 'zadd');
    c.server.dirty += added + updated - 1;
    if (created) c.server.signalKeyAsReady(db, key);
  }
  if (error) {
    c.w.error(ERR_NAN);
    return;
  }
  replyZadd(c, incr, processed, score, (flags & Z_CH) !== 0 ? added + updated : added);
}

function replyZadd(c: Client, incr: boolean, processed: number, score: number, n: number): void {
  if (incr) {
    if (processed > 0) c.w.double(score);
    else c.w.nullBulk();
  } else c.w.int(n);
}

/* ZREM key member [member ...] */
function zremCommand(c: Client, args: string[]): void {
  const key = args[1];
  const zs = writeZsetOrReply(c, key);
  if (zs === null) return;
  if (zs === undefined) {
    c.w.int(0);
    return;
  }
  const db = c.db;
  let deleted = 0;
  let keyRemoved = false;
  for (let j = 2; j < args.length; j++) {
    if (zs.remove(args[j])) deleted++;
    if (zs.size() === 0) {
      db.delete(key);
      keyRemoved = true;
      break;
    }
  }
  if (deleted > 0) {
    keyChanged(c, db, key, NOTIFY.ZSET, 'zrem');
    if (keyRemoved) c.server.notify(NOTIFY.GENERIC, 'del', key, db.id);
    c.server.dirty += deleted - 1;
  }
  c.w.int(deleted);
}

// ----------------------------------------------------------------------------
// ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK, ZCOUNT, ZLEXCOUNT
// ----------------------------------------------------------------------------

/* ZCARD key */
function zcardCommand(c: Client, args: string[]): void {
  const zs = readZsetOrReply(c, args[1]);
  if (zs === null) return;
  c.w.int(zs === undefined ? 0 : zs.size());
}

/* ZSCORE key member */
function zscoreCommand(c: Client, args: string[]): void {
  const zs = readZsetOrReply(c, args[1]);
  if (zs === null) return;
  const s = zs === undefined ? undefined : zs.score(args[2]);
  if (s === undefined) c.w.nullBulk();
  else c.w.double(s);
}

/* ZMSCORE key member [member ...] */
function zmscoreCommand(c: Client, args: string[]): void {
  const zs = readZsetOrReply(c, args[1]);
  if (zs === null) return;
  c.w.arrayHeader(args.length - 2);
  for (let j = 2; j < args.length; j++) {
    const s = zs === undefined ? undefined : zs.score(args[j]);
    if (s === undefined) c.w.nullBulk();
    else c.w.double(s);
  }
}

/* ZRANK key member [WITHSCORE] / ZREVRANK key member [WITHSCORE] */
function zrankGeneric(c: Client, args: string[], reverse: boolean): void {
  if (args.length > 4) {
    c.w.error(E.WRONG_ARITY(reverse ? 'zrevrank' : 'zrank'));
    return;
  }
  let withScore = false;
  if (args.length === 4) {
    if (!is(args[3], 'withscore')) {
      c.w.error(E.SYNTAX);
      return;
    }
    withScore = true;
  }
  const zs = readZsetOrReply(c, args[1]);
  if (zs === null) return;
  const rank = zs === undefined ? -1 : zs.rank(args[2], reverse);
  if (rank < 0) {
    if (withScore) c.w.nullArray();
    else c.w.nullBulk();
    return;
  }
  if (withScore) {
    c.w.arrayHeader(2);
    c.w.int(rank);
    c.w.double((zs as ZSet).score(args[2]) as number);
  } else c.w.int(rank);
}

/* ZCOUNT key min max */
function zcountCommand(c: Client, args: string[]): void {
  const r = parseScoreRange(args[2], args[3]);
  if (r === null) {
    c.w.error(ERR_MINMAX_FLOAT);
    return;
  }
  const zs = readZsetOrReply(c, args[1]);
  if (zs === null) return;
  c.w.int(zs === undefined ? 0 : zs.countInScoreRange(r));
}

/* ZLEXCOUNT key min max */
function zlexcountCommand(c: Client, args: string[]): void {
  const r = parseLexRange(args[2], args[3]);
  if (r === null) {
    c.w.error(ERR_MINMAX_LEX);
    return;
  }
  const zs = readZsetOrReply(c, args[1]);
  if (zs === null) return;
  c.w.int(zs === undefined ? 0 : zs.countInLexRange(r));
}

// ----------------------------------------------------------------------------
// ZRANGE family
// ----------------------------------------------------------------------------

const BY_AUTO = 0;
const BY_RANK = 1;
const BY_SCORE = 2;
const BY_LEX = 3;
const DIR_AUTO = 0;
const DIR_FORWARD = 1;
const DIR_REVERSE = 2;

/** Where range results go: the client's reply, or a new sorted set (ZRANGESTORE). */
interface RangeSink {
  /** `n` elements follow. */
  begin(n: number): void;
  emit(member: string, score: number): void;
  end(n: number): void;
}

class ClientSink implements RangeSink {
  constructor(private c: Client, private withScores: boolean) {}
  begin(n: number): void {
    replyScoredHeader(this.c, n, this.withScores);
  }
  emit(member: string, score: number): void {
    replyScored(this.c, member, score, this.withScores);
  }
  end(): void {
    /* the length was known up front */
  }
}

class StoreSink implements RangeSink {
  private zs: ZSet | null = null;
  private maxLen = 0;
  constructor(private c: Client, private dst: string) {}
  begin(n: number): void {
    this.zs = ZSet.create(n, 0, zsetLimits(this.c.server));
  }
  emit(member: string, score: number): void {
    (this.zs as ZSet).set(member, score);
    if (member.length > this.maxLen) this.maxLen = member.length;
  }
  end(): void {
    const zs = this.zs ?? new ZSet();
    zs.checkEncoding(zsetLimits(this.c.server));
    storeRange(this.c, this.dst, zs);
  }
}

/** ZRANGESTORE's final step: the destination keeps the encoding it was built with. */
function storeRange(c: Client, dst: string, zs: ZSet): void {
  const db = c.db;
  const n = zs.size();
  if (n > 0) {
    db.set(dst, zs);
    keyChanged(c, db, dst, NOTIFY.ZSET, 'zrangestore');
    c.server.signalKeyAsReady(db, dst);
    c.w.int(n);
  } else {
    c.w.int(0);
    if (db.delete(dst)) keyChanged(c, db, dst, NOTIFY.GENERIC, 'del');
  }
}

/**
 * The shared ZRANGE engine. `first` is the index of the source key; the
 * min/max (or start/stop) follow it, then the options.
 */
function zrangeGeneric(c: Client, args: string[], first: number, dst: string | null, by0: number, dir0: number): void {
  let by = by0;
  let dir = dir0;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = first + 3; j < args.length; j++) {
    const left = args.length - j - 1;
    const o = args[j].toLowerCase();
    if (dst === null && o === 'withscores') withScores = true;
    else if (o === 'limit' && left >= 2) {
      const off = parseLongOrReply(c, args[j + 1]);
      if (off === null) return;
      const lim = parseLongOrReply(c, args[j + 2]);
      if (lim === null) return;
      offset = off;
      limit = lim;
      j += 2;
    } else if (dir === DIR_AUTO && o === 'rev') dir = DIR_REVERSE;
    else if (by === BY_AUTO && o === 'bylex') by = BY_LEX;
    else if (by === BY_AUTO && o === 'byscore') by = BY_SCORE;
    else {
      c.w.error(E.SYNTAX);
      return;
    }
  }
  if (dir === DIR_AUTO) dir = DIR_FORWARD;
  if (by === BY_AUTO) by = BY_RANK;
  if (limit !== -1 && by === BY_RANK) {
    c.w.error(ERR_LIMIT_RANK);
    return;
  }
  if (withScores && by === BY_LEX) {
    c.w.error(ERR_WITHSCORES_LEX);
    return;
  }
  const reverse = dir === DIR_REVERSE;
  let minIdx = first + 1;
  let maxIdx = first + 2;
  if (reverse && by !== BY_RANK) {
    minIdx = first + 2;
    maxIdx = first + 1;
  }
  let start = 0;
  let end = 0;
  let srange: ScoreRange | null = null;
  let lrange: LexRange | null = null;
  if (by === BY_RANK) {
    const a = parseLongOrReply(c, args[minIdx]);
    if (a === null) return;
    const b = parseLongOrReply(c, args[maxIdx]);
    if (b === null) return;
    start = a;
    end = b;
  } else if (by === BY_SCORE) {
    srange = parseScoreRange(args[minIdx], args[maxIdx]);
    if (srange === null) {
      c.w.error(ERR_MINMAX_FLOAT);
      return;
    }
  } else {
    lrange = parseLexRange(args[minIdx], args[maxIdx]);
    if (lrange === null) {
      c.w.error(ERR_MINMAX_LEX);
      return;
    }
  }
  const sink: RangeSink = dst === null ? new ClientSink(c, withScores) : new StoreSink(c, dst);
  const zs = readZsetOrReply(c, args[first]);
  if (zs === null) return;
  if (zs === undefined) {
    sink.begin(0);
    sink.end(0);
    return;
  }
  if (by === BY_RANK) rangeByRank(zs, start, end, reverse, sink);
  else if (by === BY_SCORE) rangeByScoreOrLex(zs, srange, null, offset, limit, reverse, sink);
  else rangeByScoreOrLex(zs, null, lrange, offset, limit, reverse, sink);
}

function rangeByRank(zs: ZSet, start0: number, end0: number, reverse: boolean, sink: RangeSink): void {
  const llen = zs.size();
  let start = start0;
  let end = end0;
  if (start < 0) start = llen + start;
  if (end < 0) end = llen + end;
  if (start < 0) start = 0;
  if (start > end || start >= llen) {
    sink.begin(0);
    sink.end(0);
    return;
  }
  if (end >= llen) end = llen - 1;
  const n = end - start + 1;
  sink.begin(n);
  zs.range(reverse ? llen - 1 - start : start, n, reverse, (m, s) => sink.emit(m, s));
  sink.end(n);
}

/** BYSCORE / BYLEX ranges with LIMIT offset count (negative count = all, negative offset = none). */
function rangeByScoreOrLex(zs: ZSet, sr: ScoreRange | null, lr: LexRange | null, offset: number, limit: number, reverse: boolean, sink: RangeSink): void {
  const size = zs.size();
  if ((offset > 0 && offset >= size) || offset < 0 || limit === 0) {
    sink.begin(0);
    sink.end(0);
    return;
  }
  const rr = sr !== null ? zs.scoreRangeRanks(sr) : zs.lexRangeRanks(lr as LexRange);
  if (rr === null) {
    sink.begin(0);
    sink.end(0);
    return;
  }
  const [first, last] = rr;
  const start = reverse ? last - offset : first + offset;
  let avail = reverse ? start - first + 1 : last - start + 1;
  if (avail < 0) avail = 0;
  const n = limit < 0 ? avail : Math.min(limit, avail);
  sink.begin(n);
  if (n > 0) zs.range(start, n, reverse, (m, s) => sink.emit(m, s));
  sink.end(n);
}

// ----------------------------------------------------------------------------
// ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX
// ----------------------------------------------------------------------------

/* ZREMRANGEBYRANK key start stop / ZREMRANGEBYSCORE key min max / ZREMRANGEBYLEX key min max */
function zremrangeGeneric(c: Client, args: string[], by: number): void {
  const key = args[1];
  let start = 0;
  let end = 0;
  let sr: ScoreRange | null = null;
  let lr: LexRange | null = null;
  let event: string;
  if (by === BY_RANK) {
    event = 'zremrangebyrank';
    const a = parseLongOrReply(c, args[2]);
    if (a === null) return;
    const b = parseLongOrReply(c, args[3]);
    if (b === null) return;
    start = a;
    end = b;
  } else if (by === BY_SCORE) {
    event = 'zremrangebyscore';
    sr = parseScoreRange(args[2], args[3]);
    if (sr === null) {
      c.w.error(ERR_MINMAX_FLOAT);
      return;
    }
  } else {
    event = 'zremrangebylex';
    lr = parseLexRange(args[2], args[3]);
    if (lr === null) {
      c.w.error(ERR_MINMAX_LEX);
      return;
    }
  }
  const zs = writeZsetOrReply(c, key);
  if (zs === null) return;
  if (zs === undefined) {
    c.w.int(0);
    return;
  }
  let deleted = 0;
  if (by === BY_RANK) {
    const llen = zs.size();
    if (start < 0) start = llen + start;
    if (end < 0) end = llen + end;
    if (start < 0) start = 0;
    if (start > end || start >= llen) {
      c.w.int(0);
      return;
    }
    if (end >= llen) end = llen - 1;
    deleted = zs.removeRangeByRank(start, end);
  } else if (sr !== null) {
    deleted = zs.removeRangeByScore(sr);
  } else {
    deleted = zs.removeRangeByLex(lr as LexRange);
  }
  const db = c.db;
  if (deleted > 0) {
    const removed = zs.size() === 0;
    if (removed) db.delete(key);
    keyChanged(c, db, key, NOTIFY.ZSET, event);
    if (removed) c.server.notify(NOTIFY.GENERIC, 'del', key, db.id);
    c.server.dirty += deleted - 1;
  }
  c.w.int(deleted);
}

// ----------------------------------------------------------------------------
// ZUNION, ZINTER, ZDIFF, their STORE forms, ZINTERCARD
// ----------------------------------------------------------------------------

const OP_UNION = 0;
const OP_INTER = 1;
const OP_DIFF = 2;
const AGG_SUM = 0;
const AGG_MIN = 1;
const AGG_MAX = 2;

/** One input of a set operation: a sorted set, a plain set (scores 1), or nothing. */
interface OpSource {
  z: ZSet | null;
  s: SetObject | null;
  weight: number;
  size: number;
}

function srcFind(src: OpSource, member: string): number | undefined {
  if (src.z !== null) return src.z.score(member);
  if (src.s !== null) return src.s.has(member) ? 1 : undefined;
  return undefined;
}

function srcForEach(src: OpSource, fn: (member: string, score: number) => boolean | void): void {
  if (src.z !== null) src.z.forEach(fn);
  else if (src.s !== null) {
    for (const m of src.s.iter()) if (fn(m, 1) === false) return;
  }
}

function aggregate(target: number, val: number, agg: number): number {
  if (agg === AGG_SUM) {
    const r = target + val;
    return Number.isNaN(r) ? 0 : r;
  }
  if (agg === AGG_MIN) return val < target ? val : target;
  return val > target ? val : target;
}

/** Keys of a `numkeys key...` command: numkeys at `at`. */
function numkeysKeys(at: number, extraFirst: number[] = []): (args: string[]) => number[] {
  return (args) => {
    const out = [...extraFirst];
    const n = parseInt64Num(args[at] ?? '');
    if (n === null || n < 1) return out;
    for (let i = 0; i < n && at + 1 + i < args.length; i++) out.push(at + 1 + i);
    return out;
  };
}

/**
 * ZUNION/ZINTER/ZDIFF numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
 * and the STORE forms (destination first), and ZINTERCARD numkeys key ... [LIMIT n].
 */
function zsetOpGeneric(c: Client, args: string[], dst: string | null, numkeysIdx: number, op: number, cardOnly: boolean): void {
  const cmdName = args[0].toLowerCase();
  const setnum = parseLongOrReply(c, args[numkeysIdx]);
  if (setnum === null) return;
  if (setnum < 1) {
    c.w.error(ERR_NEED_KEY(cmdName));
    return;
  }
  if (setnum > args.length - (numkeysIdx + 1)) {
    c.w.error(E.SYNTAX);
    return;
  }
  const srcs: OpSource[] = new Array<OpSource>(setnum);
  let j = numkeysIdx + 1;
  for (let i = 0; i < setnum; i++, j++) {
    const v = lookupRead(c, args[j]);
    const src: OpSource = { z: null, s: null, weight: 1, size: 0 };
    if (v !== undefined) {
      if (v instanceof ZSet) src.z = v;
      else if (v instanceof SetObject) src.s = v;
      else {
        c.w.error(E.WRONGTYPE);
        return;
      }
      src.size = v.size();
    }
    srcs[i] = src;
  }
  let agg = AGG_SUM;
  let withScores = false;
  let limit = 0;
  while (j < args.length) {
    const remaining = args.length - j;
    const o = args[j].toLowerCase();
    if (op !== OP_DIFF && !cardOnly && remaining >= setnum + 1 && o === 'weights') {
      j++;
      for (let i = 0; i < setnum; i++, j++) {
        const w = parseDouble(args[j]);
        if (w === null) {
          c.w.error(ERR_WEIGHT);
          return;
        }
        srcs[i].weight = w;
      }
    } else if (op !== OP_DIFF && !cardOnly && remaining >= 2 && o === 'aggregate') {
      const a = args[j + 1].toLowerCase();
      if (a === 'sum') agg = AGG_SUM;
      else if (a === 'min') agg = AGG_MIN;
      else if (a === 'max') agg = AGG_MAX;
      else {
        c.w.error(E.SYNTAX);
        return;
      }
      j += 2;
    } else if (dst === null && !cardOnly && o === 'withscores') {
      withScores = true;
      j++;
    } else if (cardOnly && remaining >= 2 && o === 'limit') {
      const n = parseInt64Num(args[j + 1]);
      if (n === null || n < 0) {
        c.w.error(ERR_LIMIT_NEG);
        return;
      }
      limit = n;
      j += 2;
    } else {
      c.w.error(E.SYNTAX);
      return;
    }
  }
  // Smallest inputs first (stable, as Redis's merge sort based qsort).
  if (op !== OP_DIFF) srcs.sort((a, b) => a.size - b.size);

  const result = new ZSet(false);
  let maxLen = 0;
  let cardinality = 0;
  if (op === OP_INTER) {
    if (srcs[0].size > 0) {
      const s0 = srcs[0];
      srcForEach(s0, (member, sc) => {
        let score = s0.weight * sc;
        if (Number.isNaN(score)) score = 0;
        let k = 1;
        for (; k < setnum; k++) {
          const sk = srcs[k];
          const v = sk.z === s0.z && sk.s === s0.s ? sc : srcFind(sk, member);
          if (v === undefined) break;
          score = aggregate(score, v * sk.weight, agg);
        }
        if (k !== setnum) return true;
        if (cardOnly) {
          cardinality++;
          if (limit > 0 && cardinality >= limit) return false;
          return true;
        }
        result.set(member, score);
        if (member.length > maxLen) maxLen = member.length;
        return true;
      });
    }
  } else if (op === OP_UNION) {
    const acc = new Map<string, number>();
    for (const src of srcs) {
      if (src.size === 0) continue;
      srcForEach(src, (member, sc) => {
        let score = src.weight * sc;
        if (Number.isNaN(score)) score = 0;
        const cur = acc.get(member);
        if (cur === undefined) {
          acc.set(member, score);
          if (member.length > maxLen) maxLen = member.length;
        } else acc.set(member, aggregate(cur, score, agg));
      });
    }
    for (const [m, s] of acc) result.set(m, s);
  } else {
    const s0 = srcs[0];
    if (s0.size > 0) {
      srcForEach(s0, (member, sc) => {
        for (let k = 1; k < setnum; k++) {
          const sk = srcs[k];
          if (sk.size === 0) continue;
          if ((sk.z !== null && sk.z === s0.z) || (sk.s !== null && sk.s === s0.s)) return true;
          if (srcFind(sk, member) !== undefined) return true;
        }
        result.set(member, sc);
        if (member.length > maxLen) maxLen = member.length;
        return true;
      });
    }
  }

  if (dst !== null) {
    storeResult(c, dst, result, op === OP_UNION ? 'zunionstore' : op === OP_INTER ? 'zinterstore' : 'zdiffstore', maxLen);
  } else if (cardOnly) {
    c.w.int(cardinality);
  } else {
    const n = result.size();
    replyScoredHeader(c, n, withScores);
    result.forEach((m, s) => replyScored(c, m, s, withScores));
  }
}

// ----------------------------------------------------------------------------
// ZPOPMIN, ZPOPMAX, ZMPOP, BZPOPMIN, BZPOPMAX, BZMPOP
// ----------------------------------------------------------------------------

const POP_FLAT = 0; // ZPOPMIN/ZPOPMAX in RESP2, or without COUNT
const POP_NESTED = 1; // ZPOPMIN/ZPOPMAX with COUNT in RESP3
const POP_KEYED = 2; // BZPOPMIN/BZPOPMAX: key, member, score
const POP_KEYED_NESTED = 3; // ZMPOP/BZMPOP: key, [[member, score], ...]

/**
 * Pop up to `count` elements from the sorted set at `key` (present and
 * non-empty) and reply in `mode`. Returns how many were popped.
 */
function popAndReply(c: Client, db: Database, key: string, zs: ZSet, max: boolean, count: number, mode: number): number {
  const w = c.w;
  const n = Math.min(count, zs.size());
  if (mode === POP_FLAT) w.arrayHeader(n * 2);
  else if (mode === POP_NESTED) w.arrayHeader(n);
  else if (mode === POP_KEYED) {
    w.arrayHeader(n * 2 + 1);
    w.bulk(key);
  } else {
    w.arrayHeader(2);
    w.bulk(key);
    w.arrayHeader(n);
  }
  const nested = mode === POP_NESTED || mode === POP_KEYED_NESTED;
  for (let i = 0; i < n; i++) {
    const e = zs.pop(max) as [string, number];
    if (nested) w.arrayHeader(2);
    w.bulk(e[0]);
    w.double(e[1]);
  }
  const srv = c.server;
  srv.dirty += n;
  srv.notify(NOTIFY.ZSET, max ? 'zpopmax' : 'zpopmin', key, db.id);
  deleteIfEmpty(c, db, key, zs);
  srv.signalModifiedKey(db, key);
  return n;
}

/* ZPOPMIN key [count] / ZPOPMAX key [count] */
function zpopGeneric(c: Client, args: string[], max: boolean): void {
  if (args.length > 3) {
    c.w.error(E.SYNTAX);
    return;
  }
  let count = -1;
  if (args.length === 3) {
    const n = parseInt64Num(args[2]);
    if (n === null) {
      c.w.error(E.NOT_INTEGER);
      return;
    }
    if (n < 0) {
      c.w.error(E.NEG_LENGTH);
      return;
    }
    count = n;
  }
  const zs = writeZsetOrReply(c, args[1]);
  if (zs === null) return;
  if (zs === undefined || count === 0) {
    c.w.arrayHeader(0);
    return;
  }
  const mode = c.w.proto === 3 && count !== -1 ? POP_NESTED : POP_FLAT;
  popAndReply(c, c.db, args[1], zs, max, count === -1 ? 1 : count, mode);
}

/** Parsed `numkeys key... MIN|MAX [COUNT n]` of ZMPOP/BZMPOP. */
interface MpopArgs {
  keys: string[];
  max: boolean;
  count: number;
}

function parseMpopOrReply(c: Client, args: string[], numkeysIdx: number): MpopArgs | null {
  const numkeys = parseRangeLongOrReply(c, args[numkeysIdx], 1, ERR_NUMKEYS);
  if (numkeys === null) return null;
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= args.length) {
    c.w.error(E.SYNTAX);
    return null;
  }
  let max: boolean;
  const where = args[whereIdx].toLowerCase();
  if (where === 'min') max = false;
  else if (where === 'max') max = true;
  else {
    c.w.error(E.SYNTAX);
    return null;
  }
  let count = -1;
  for (let j = whereIdx + 1; j < args.length; j++) {
    const more = args.length - 1 - j;
    if (count === -1 && is(args[j], 'count') && more > 0) {
      j++;
      const n = parseRangeLongOrReply(c, args[j], 1, ERR_COUNT_POS);
      if (n === null) return null;
      count = n;
    } else {
      c.w.error(E.SYNTAX);
      return null;
    }
  }
  return { keys: args.slice(numkeysIdx + 1, whereIdx), max, count: count === -1 ? 1 : count };
}

/* ZMPOP numkeys key [key ...] MIN|MAX [COUNT count] */
function zmpopCommand(c: Client, args: string[]): void {
  const p = parseMpopOrReply(c, args, 1);
  if (p === null) return;
  for (const key of p.keys) {
    const zs = writeZsetOrReply(c, key);
    if (zs === null) return;
    if (zs === undefined) continue;
    const n = popAndReply(c, c.db, key, zs, p.max, p.count, POP_KEYED_NESTED);
    c.propagateArgs = [p.max ? 'zpopmax' : 'zpopmin', key, String(n)];
    return;
  }
  c.w.nullArray();
}

/** Blocking commands do not block inside MULTI/EXEC and scripts. */
function cannotBlock(c: Client): boolean {
  return c.inExec || c.fake;
}

/**
 * The body of BZPOPMIN/BZPOPMAX/BZMPOP: pop from the first non-empty key,
 * or block until one of `keys` gets elements.
 */
function blockingPopGeneric(c: Client, keys: string[], max: boolean, count: number, timeoutMs: number, mpop: boolean): void {
  const mode = mpop ? POP_KEYED_NESTED : POP_KEYED;
  for (const key of keys) {
    const zs = writeZsetOrReply(c, key);
    if (zs === null) return;
    if (zs === undefined || zs.size() === 0) continue;
    const n = popAndReply(c, c.db, key, zs, max, count, mode);
    c.propagateArgs = mpop ? [max ? 'zpopmax' : 'zpopmin', key, String(n)] : [max ? 'zpopmax' : 'zpopmin', key];
    return;
  }
  if (cannotBlock(c)) {
    c.w.nullArray();
    return;
  }
  const db = c.db;
  const unique = [...new Set(keys)];
  c.server.blockClient(c, db, unique, timeoutMs, 'zset', (key) => {
    const v = db.lookup(key);
    if (!(v instanceof ZSet) || v.size() === 0) return false;
    const n = popAndReply(c, db, key, v, max, count, mode);
    c.server.propagate(db.id, mpop ? [max ? 'zpopmax' : 'zpopmin', key, String(n)] : [max ? 'zpopmax' : 'zpopmin', key]);
    return true;
  }, () => {
    c.w.nullArray();
  });
}

/* BZPOPMIN key [key ...] timeout / BZPOPMAX key [key ...] timeout */
function bzpopGeneric(c: Client, args: string[], max: boolean): void {
  const timeout = parseTimeoutOrReply(c, args[args.length - 1]);
  if (timeout === null) return;
  blockingPopGeneric(c, args.slice(1, args.length - 1), max, 1, timeout, false);
}

/* BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count] */
function bzmpopCommand(c: Client, args: string[]): void {
  const p = parseMpopOrReply(c, args, 2);
  if (p === null) return;
  const timeout = parseTimeoutOrReply(c, args[1]);
  if (timeout === null) return;
  blockingPopGeneric(c, p.keys, p.max, p.count, timeout, true);
}

// ----------------------------------------------------------------------------
// ZRANDMEMBER, ZSCAN
// ----------------------------------------------------------------------------

/* ZRANDMEMBER key [count [WITHSCORES]] */
function zrandmemberCommand(c: Client, args: string[]): void {
  if (args.length >= 3) {
    const big = parseInt64(args[2]);
    if (big === null) {
      c.w.error(E.NOT_INTEGER);
      return;
    }
    if (big < -LONG_MAX) {
      c.w.error(ERR_RANGE_LONG);
      return;
    }
    let withScores = false;
    if (args.length > 4 || (args.length === 4 && !is(args[3], 'withscores'))) {
      c.w.error(E.SYNTAX);
      return;
    }
    if (args.length === 4) {
      withScores = true;
      if (big < -LONG_MAX / 2n || big > LONG_MAX / 2n) {
        c.w.error(ERR_OUT_OF_RANGE);
        return;
      }
    }
    zrandmemberWithCount(c, args[1], Number(big), withScores);
    return;
  }
  const zs = readZsetOrReply(c, args[1]);
  if (zs === null) return;
  if (zs === undefined) {
    c.w.nullBulk();
    return;
  }
  c.w.bulk(zs.memberAt(zs.randomRank()) as string);
}

function zrandmemberWithCount(c: Client, key: string, l: number, withScores: boolean): void {
  const zs = readZsetOrReply(c, key);
  if (zs === null) return;
  if (zs === undefined || l === 0) {
    c.w.arrayHeader(0);
    return;
  }
  const size = zs.size();
  const uniq = l > 0;
  const count = Math.abs(l);
  // Repetitions allowed (or a single element): independent picks.
  if (!uniq || count === 1) {
    replyScoredHeader(c, count, withScores);
    for (let i = 0; i < count; i++) {
      const e = zs.at(zs.randomRank()) as [string, number];
      replyScored(c, e[0], e[1], withScores);
    }
    return;
  }
  // The whole set.
  if (count >= size) {
    replyScoredHeader(c, size, withScores);
    zs.forEach((m, s) => replyScored(c, m, s, withScores));
    return;
  }
  // Distinct random ranks.
  replyScoredHeader(c, count, withScores);
  let ranks: number[];
  if (count * 3 > size) {
    // Partial Fisher-Yates over all ranks.
    const all = new Array<number>(size);
    for (let i = 0; i < size; i++) all[i] = i;
    for (let i = 0; i < count; i++) {
      const k = i + Math.floor(Math.random() * (size - i));
      const t = all[i];
      all[i] = all[k];
      all[k] = t;
    }
    ranks = all.slice(0, count);
  } else {
    const picked = new Set<number>();
    while (picked.size < count) picked.add(Math.floor(Math.random() * size));
    ranks = [...picked];
  }
  for (const r of ranks) {
    const e = zs.at(r) as [string, number];
    replyScored(c, e[0], e[1], withScores);
  }
}

/* ZSCAN key cursor [MATCH pattern] [COUNT count] */
function zscanCommand(c: Client, args: string[]): void {
  if (parseCursor(args[2]) === null) {
    c.w.error('ERR invalid cursor');
    return;
  }
  const zs = readZsetOrReply(c, args[1]);
  if (zs === null) return;
  if (zs === undefined) {
    c.w.arrayHeader(2);
    c.w.bulk('0');
    c.w.arrayHeader(0);
    return;
  }
  const dict = zs.dict;
  // A listpack is returned whole, with scores as stored (shortest form); a
  // skiplist's scores are printed as %.17Lg.
  const listpack = zs.listpack;
  scanGeneric(c, args, 2, dict, () => dict.keys(), (member, out) => {
    const s = dict.get(member);
    if (s === undefined) return false;
    out.push(member, listpack ? formatDouble(s) : formatG17(s));
    return true;
  }, false, listpack);
}

// ----------------------------------------------------------------------------
// Table
// ----------------------------------------------------------------------------

const ZOPTS = { group: 'sorted-set' };

export const commands: CommandDef[] = [
  command('zadd', -4, 'write denyoom fast', [1, 1, 1], 'sortedset', zaddCommand, { ...ZOPTS, since: '1.2.0' }),
  command('zincrby', 4, 'write denyoom fast', [1, 1, 1], 'sortedset', zincrbyCommand, { ...ZOPTS, since: '1.2.0' }),
  command('zrem', -3, 'write fast', [1, 1, 1], 'sortedset', zremCommand, { ...ZOPTS, since: '1.2.0' }),
  command('zcard', 2, 'readonly fast', [1, 1, 1], 'sortedset', zcardCommand, { ...ZOPTS, since: '1.2.0' }),
  command('zscore', 3, 'readonly fast', [1, 1, 1], 'sortedset', zscoreCommand, { ...ZOPTS, since: '1.2.0' }),
  command('zmscore', -3, 'readonly fast', [1, 1, 1], 'sortedset', zmscoreCommand, { ...ZOPTS, since: '6.2.0' }),
  command('zrank', -3, 'readonly fast', [1, 1, 1], 'sortedset', (c, a) => zrankGeneric(c, a, false), { ...ZOPTS, since: '2.0.0' }),
  command('zrevrank', -3, 'readonly fast', [1, 1, 1], 'sortedset', (c, a) => zrankGeneric(c, a, true), { ...ZOPTS, since: '2.0.0' }),
  command('zcount', 4, 'readonly fast', [1, 1, 1], 'sortedset', zcountCommand, { ...ZOPTS, since: '2.0.0' }),
  command('zlexcount', 4, 'readonly fast', [1, 1, 1], 'sortedset', zlexcountCommand, { ...ZOPTS, since: '2.8.9' }),
  command('zrange', -4, 'readonly', [1, 1, 1], 'sortedset', (c, a) => zrangeGeneric(c, a, 1, null, BY_AUTO, DIR_AUTO), { ...ZOPTS, since: '1.2.0' }),
  command('zrangestore', -5, 'write denyoom', [1, 2, 1], 'sortedset', (c, a) => zrangeGeneric(c, a, 2, a[1], BY_AUTO, DIR_AUTO), { ...ZOPTS, since: '6.2.0' }),
  command('zrevrange', -4, 'readonly', [1, 1, 1], 'sortedset', (c, a) => zrangeGeneric(c, a, 1, null, BY_RANK, DIR_REVERSE), { ...ZOPTS, since: '1.2.0' }),
  command('zrangebyscore', -4, 'readonly', [1, 1, 1], 'sortedset', (c, a) => zrangeGeneric(c, a, 1, null, BY_SCORE, DIR_FORWARD), { ...ZOPTS, since: '1.0.5' }),
  command('zrevrangebyscore', -4, 'readonly', [1, 1, 1], 'sortedset', (c, a) => zrangeGeneric(c, a, 1, null, BY_SCORE, DIR_REVERSE), { ...ZOPTS, since: '2.2.0' }),
  command('zrangebylex', -4, 'readonly', [1, 1, 1], 'sortedset', (c, a) => zrangeGeneric(c, a, 1, null, BY_LEX, DIR_FORWARD), { ...ZOPTS, since: '2.8.9' }),
  command('zrevrangebylex', -4, 'readonly', [1, 1, 1], 'sortedset', (c, a) => zrangeGeneric(c, a, 1, null, BY_LEX, DIR_REVERSE), { ...ZOPTS, since: '2.8.9' }),
  command('zremrangebyrank', 4, 'write', [1, 1, 1], 'sortedset', (c, a) => zremrangeGeneric(c, a, BY_RANK), { ...ZOPTS, since: '2.0.0' }),
  command('zremrangebyscore', 4, 'write', [1, 1, 1], 'sortedset', (c, a) => zremrangeGeneric(c, a, BY_SCORE), { ...ZOPTS, since: '1.2.0' }),
  command('zremrangebylex', 4, 'write', [1, 1, 1], 'sortedset', (c, a) => zremrangeGeneric(c, a, BY_LEX), { ...ZOPTS, since: '2.8.9' }),
  command('zunion', -3, 'readonly', [0, 0, 0], 'sortedset', (c, a) => zsetOpGeneric(c, a, null, 1, OP_UNION, false), { ...ZOPTS, since: '6.2.0', getKeys: numkeysKeys(1) }),
  command('zinter', -3, 'readonly', [0, 0, 0], 'sortedset', (c, a) => zsetOpGeneric(c, a, null, 1, OP_INTER, false), { ...ZOPTS, since: '6.2.0', getKeys: numkeysKeys(1) }),
  command('zdiff', -3, 'readonly', [0, 0, 0], 'sortedset', (c, a) => zsetOpGeneric(c, a, null, 1, OP_DIFF, false), { ...ZOPTS, since: '6.2.0', getKeys: numkeysKeys(1) }),
  command('zintercard', -3, 'readonly', [0, 0, 0], 'sortedset', (c, a) => zsetOpGeneric(c, a, null, 1, OP_INTER, true), { ...ZOPTS, since: '7.0.0', getKeys: numkeysKeys(1) }),
  command('zunionstore', -4, 'write denyoom', [1, 1, 1], 'sortedset', (c, a) => zsetOpGeneric(c, a, a[1], 2, OP_UNION, false), { ...ZOPTS, since: '2.0.0', getKeys: numkeysKeys(2, [1]) }),
  command('zinterstore', -4, 'write denyoom', [1, 1, 1], 'sortedset', (c, a) => zsetOpGeneric(c, a, a[1], 2, OP_INTER, false), { ...ZOPTS, since: '2.0.0', getKeys: numkeysKeys(2, [1]) }),
  command('zdiffstore', -4, 'write denyoom', [1, 1, 1], 'sortedset', (c, a) => zsetOpGeneric(c, a, a[1], 2, OP_DIFF, false), { ...ZOPTS, since: '6.2.0', getKeys: numkeysKeys(2, [1]) }),
  command('zpopmin', -2, 'write fast', [1, 1, 1], 'sortedset', (c, a) => zpopGeneric(c, a, false), { ...ZOPTS, since: '5.0.0' }),
  command('zpopmax', -2, 'write fast', [1, 1, 1], 'sortedset', (c, a) => zpopGeneric(c, a, true), { ...ZOPTS, since: '5.0.0' }),
  command('zmpop', -4, 'write', [0, 0, 0], 'sortedset', zmpopCommand, { ...ZOPTS, since: '7.0.0', getKeys: numkeysKeys(1) }),
  command('bzpopmin', -3, 'write fast blocking', [1, -2, 1], 'sortedset', (c, a) => bzpopGeneric(c, a, false), { ...ZOPTS, since: '5.0.0' }),
  command('bzpopmax', -3, 'write fast blocking', [1, -2, 1], 'sortedset', (c, a) => bzpopGeneric(c, a, true), { ...ZOPTS, since: '5.0.0' }),
  command('bzmpop', -5, 'write blocking', [0, 0, 0], 'sortedset', bzmpopCommand, { ...ZOPTS, since: '7.0.0', getKeys: numkeysKeys(2) }),
  command('zrandmember', -2, 'readonly', [1, 1, 1], 'sortedset', zrandmemberCommand, { ...ZOPTS, since: '6.2.0' }),
  command('zscan', -3, 'readonly', [1, 1, 1], 'sortedset', zscanCommand, { ...ZOPTS, since: '2.8.0' }),
];

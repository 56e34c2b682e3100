/*
 * String commands: SET and its variants, GET and its variants, ranges,
 * counters, APPEND, LCS.
 */

import type { Client } from '../server/client';
import { command, type CommandDef } from './types';
import { E } from '../errors';
import { NOTIFY, getStringOrReply, keyChanged, lookupRead, lookupWrite, parseIntOrReply, is } from './util';
import { isString, strOf, type StringValue } from '../types/value';
import { parseDouble, parseInt64, parseInt64Num, INT64_MAX, INT64_MIN } from '../util/numbers';
import { incrByFloatText } from '../util/longdouble';

// ----------------------------------------------------------------------------
// Helpers
// ----------------------------------------------------------------------------

/** Largest string allowed (proto-max-bulk-len); replies and returns false when `len` exceeds it. */
export function checkStringLengthOrReply(c: Client, len: number): boolean {
  if (len > c.server.config.num('proto-max-bulk-len')) {
    c.w.error(E.STRING_TOO_LONG);
    return false;
  }
  return true;
}

const LLONG_MAX = 9223372036854775807n;

/**
 * Parse an expire argument (EX/PX/EXAT/PXAT value) into an absolute ms time.
 * Replies and returns null when invalid.
 */
export function parseExpireOrReply(c: Client, cmd: string, s: string, unitMs: boolean, absolute: boolean): number | null {
  const v = parseInt64(s);
  if (v === null) {
    c.w.error(E.NOT_INTEGER);
    return null;
  }
  if (v <= 0n) {
    c.w.error(E.INVALID_EXPIRE(cmd));
    return null;
  }
  let when = v;
  if (!unitMs) {
    if (when > LLONG_MAX / 1000n) {
      c.w.error(E.INVALID_EXPIRE(cmd));
      return null;
    }
    when *= 1000n;
  }
  if (!absolute) {
    const now = BigInt(c.server.clock.now());
    if (when > LLONG_MAX - now) {
      c.w.error(E.INVALID_EXPIRE(cmd));
      return null;
    }
    when += now;
  }
  return Number(when);
}

// ----------------------------------------------------------------------------
// SET family
// ----------------------------------------------------------------------------

const F_NX = 1;
const F_XX = 2;
const F_GET = 4;
const F_KEEPTTL = 8;
const F_EXP = 16;
const F_PERSIST = 32;

/**
 * Parse the flags of SET (isSet) or GETEX. Returns [flags, expireAt] or null after replying.
 */
function parseExtendedOrReply(c: Client, args: string[], first: number, isSet: boolean, deferExpire = false): [number, number, string, string] | null {
  let flags = 0;
  let at = 0;
  let expUnit = '';
  let expArg = '';
  const cmd = isSet ? 'set' : 'getex';
  for (let i = first; i < args.length; i++) {
    const o = args[i].toLowerCase();
    const next = i + 1 < args.length;
    if (isSet && o === 'nx' && !(flags & F_XX)) flags |= F_NX;
    else if (isSet && o === 'xx' && !(flags & F_NX)) flags |= F_XX;
    else if (isSet && o === 'get') flags |= F_GET;
    else if (isSet && o === 'keepttl' && !(flags & F_EXP)) flags |= F_KEEPTTL;
    else if (!isSet && o === 'persist' && !(flags & F_EXP)) flags |= F_PERSIST;
    else if ((o === 'ex' || o === 'px' || o === 'exat' || o === 'pxat') && next && !(flags & (F_EXP | F_KEEPTTL | F_PERSIST))) {
      flags |= F_EXP;
      expUnit = o;
      expArg = args[++i];
      if (deferExpire) continue;
      const t = parseExpireOrReply(c, cmd, expArg, o === 'px' || o === 'pxat', o === 'exat' || o === 'pxat');
      if (t === null) return null;
      at = t;
    } else {
      c.w.error(E.SYNTAX);
      return null;
    }
  }
  return [flags, at, expUnit, expArg];
}

/** Store a string value and signal it; `at` > 0 sets a TTL, keepTtl keeps the old one. */
export function opSetString(c: Client, key: string, value: StringValue, at: number, keepTtl: boolean): void {
  const db = c.db;
  db.set(key, value, keepTtl);
  if (at > 0) db.setExpire(key, at);
  keyChanged(c, db, key, NOTIFY.STRING, 'set');
  if (at > 0) c.server.notify(NOTIFY.GENERIC, 'expire', key, db.id);
}

/* SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL] */
function setCommand(c: Client, args: string[]): void {
  const key = args[1];
  const value = args[2];
  if (args.length === 3) {
    // Fast path: plain SET.
    c.db.set(key, value);
    keyChanged(c, c.db, key, NOTIFY.STRING, 'set');
    c.w.ok();
    return;
  }
  const parsed = parseExtendedOrReply(c, args, 3, true);
  if (parsed === null) return;
  const [flags, at] = parsed;
  let old: StringValue | undefined;
  if (flags & F_GET) {
    const o = getStringOrReply(c, key);
    if (o === null) return;
    old = o;
  }
  const exists = flags & F_GET ? old !== undefined : lookupWrite(c, key) !== undefined;
  if ((flags & F_NX && exists) || (flags & F_XX && !exists)) {
    if (flags & F_GET) replyValueOrNull(c, old);
    else c.w.nullBulk();
    return;
  }
  opSetString(c, key, value, at, (flags & F_KEEPTTL) !== 0);
  // A relative or second-based expiry is propagated as an absolute PXAT, as Redis does;
  // anything else (PXAT itself, KEEPTTL, GET) goes out as the client sent it.
  if (at > 0 && parsed[2] !== 'pxat') c.propagateArgs = [args[0], key, value, 'PXAT', String(at)];
  if (flags & F_GET) replyValueOrNull(c, old);
  else c.w.ok();
}

function replyValueOrNull(c: Client, v: StringValue | undefined): void {
  if (v === undefined) c.w.nullBulk();
  else c.w.bulkValue(v);
}

/* SETNX key value */
function setnxCommand(c: Client, args: string[]): void {
  if (lookupWrite(c, args[1]) !== undefined) {
    c.w.int(0);
    return;
  }
  opSetString(c, args[1], args[2], 0, false);
  c.w.int(1);
}

/* SETEX key seconds value / PSETEX key milliseconds value */
function setexGeneric(c: Client, args: string[], ms: boolean): void {
  const at = parseExpireOrReply(c, ms ? 'psetex' : 'setex', args[2], ms, false);
  if (at === null) return;
  opSetString(c, args[1], args[3], at, false);
  c.propagateArgs = ['SET', args[1], args[3], 'PXAT', String(at)];
  c.w.ok();
}

/* MSET key value [key value ...] / MSETNX */
function msetGeneric(c: Client, args: string[], nx: boolean): void {
  if (args.length % 2 === 0) {
    c.w.error(E.WRONG_ARITY(args[0].toLowerCase()));
    return;
  }
  if (nx) {
    for (let i = 1; i < args.length; i += 2) {
      if (lookupWrite(c, args[i]) !== undefined) {
        c.w.int(0);
        return;
      }
    }
  }
  for (let i = 1; i < args.length; i += 2) opSetString(c, args[i], args[i + 1], 0, false);
  if (nx) c.w.int(1);
  else c.w.ok();
}

// ----------------------------------------------------------------------------
// GET family
// ----------------------------------------------------------------------------

/* GET key */
function getCommand(c: Client, args: string[]): void {
  const v = getStringOrReply(c, args[1]);
  if (v === null) return;
  if (v === undefined) c.w.nullBulk();
  else if (typeof v === 'string') c.w.bulk(v);
  else c.w.bulkBuf(v);
}

/* MGET key [key ...] */
function mgetCommand(c: Client, args: string[]): void {
  c.w.arrayHeader(args.length - 1);
  for (let i = 1; i < args.length; i++) {
    const v = lookupRead(c, args[i]);
    if (v === undefined || !isString(v)) c.w.nullBulk();
    else c.w.bulkValue(v);
  }
}

/* GETDEL key */
function getdelCommand(c: Client, args: string[]): void {
  const v = getStringOrReply(c, args[1]);
  if (v === null) return;
  if (v === undefined) {
    c.w.nullBulk();
    return;
  }
  c.w.bulkValue(v);
  c.db.delete(args[1]);
  c.propagateArgs = ['DEL', args[1]];
  keyChanged(c, c.db, args[1], NOTIFY.GENERIC, 'del');
}

/* GETSET key value */
function getsetCommand(c: Client, args: string[]): void {
  const v = getStringOrReply(c, args[1]);
  if (v === null) return;
  replyValueOrNull(c, v);
  opSetString(c, args[1], args[2], 0, false);
  c.propagateArgs = ['SET', args[1], args[2]];
}

/* GETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | PERSIST] */
function getexCommand(c: Client, args: string[]): void {
  const parsed = parseExtendedOrReply(c, args, 2, false, true);
  if (parsed === null) return;
  const [flags, , unit, expArg] = parsed;
  const key = args[1];
  const v = getStringOrReply(c, key);
  if (v === null) return;
  if (v === undefined) {
    c.w.nullBulk();
    return;
  }
  let at = 0;
  if (flags & F_EXP) {
    const t = parseExpireOrReply(c, 'getex', expArg, unit === 'px' || unit === 'pxat', unit === 'exat' || unit === 'pxat');
    if (t === null) return;
    at = t;
  }
  c.w.bulkValue(v);
  const db = c.db;
  if (flags & F_EXP) {
    if (at <= c.server.clock.now() && !c.server.expiryPausedFlag) {
      db.delete(key);
      c.propagateArgs = ['DEL', key];
      keyChanged(c, db, key, NOTIFY.GENERIC, 'del');
    } else {
      db.setExpire(key, at);
      c.propagateArgs = ['PEXPIREAT', key, String(at)];
      keyChanged(c, db, key, NOTIFY.GENERIC, 'expire');
    }
  } else if (flags & F_PERSIST) {
    if (db.persist(key)) {
      c.propagateArgs = ['PERSIST', key];
      keyChanged(c, db, key, NOTIFY.GENERIC, 'persist');
    }
  }
}

// ----------------------------------------------------------------------------
// Ranges and length
// ----------------------------------------------------------------------------

/* STRLEN key */
function strlenCommand(c: Client, args: string[]): void {
  const v = getStringOrReply(c, args[1]);
  if (v === null) return;
  c.w.int(v === undefined ? 0 : v.length);
}

/* APPEND key value */
function appendCommand(c: Client, args: string[]): void {
  const key = args[1];
  const v = lookupWrite(c, key);
  let out: StringValue;
  if (v === undefined) {
    out = args[2];
    c.db.set(key, out);
  } else {
    if (!isString(v)) {
      c.w.error(E.WRONGTYPE);
      return;
    }
    const total = v.length + args[2].length;
    if (!checkStringLengthOrReply(c, total)) return;
    if (typeof v === 'string' && total < 65536) out = v + args[2];
    else {
      // Large values grow in place in a Buffer with spare capacity.
      out = appendToBuffer(v, args[2]);
    }
    c.db.update(key, out);
  }
  keyChanged(c, c.db, key, NOTIFY.STRING, 'append');
  c.w.int(out.length);
}

/** Spare capacity behind Buffers that grow by APPEND (keyed by the visible Buffer). */
const capacity = new WeakMap<Buffer, Buffer>();

function appendToBuffer(v: StringValue, add: string): Buffer {
  const cur = typeof v === 'string' ? Buffer.from(v, 'latin1') : v;
  const total = cur.length + add.length;
  const backing = capacity.get(cur);
  if (backing !== undefined && backing.length >= total && cur.buffer === backing.buffer && cur.byteOffset === backing.byteOffset) {
    backing.latin1Write(add, cur.length);
    const grown = backing.subarray(0, total);
    capacity.set(grown, backing);
    return grown;
  }
  const nb = Buffer.allocUnsafe(Math.max(total * 2, 1024));
  cur.copy(nb, 0);
  nb.latin1Write(add, cur.length);
  const grown = nb.subarray(0, total);
  capacity.set(grown, nb);
  return grown;
}

/* SETRANGE key offset value */
function setrangeCommand(c: Client, args: string[]): void {
  const key = args[1];
  const offset = parseIntOrReply(c, args[2]);
  if (offset === null) return;
  if (offset < 0) {
    c.w.error('ERR offset is out of range');
    return;
  }
  const value = args[3];
  const v = lookupWrite(c, key);
  if (v !== undefined && !isString(v)) {
    c.w.error(E.WRONGTYPE);
    return;
  }
  if (value.length === 0) {
    c.w.int(v === undefined ? 0 : v.length);
    return;
  }
  if (!checkStringLengthOrReply(c, offset + value.length)) return;
  const cur = v === undefined ? '' : v;
  const need = Math.max(cur.length, offset + value.length);
  let buf: Buffer;
  if (typeof cur !== 'string' && cur.length >= need) buf = cur;
  else {
    buf = Buffer.alloc(need);
    if (typeof cur === 'string') buf.latin1Write(cur, 0);
    else cur.copy(buf, 0);
  }
  buf.latin1Write(value, offset);
  const stored: StringValue = need <= 64 ? buf.latin1Slice(0, need) : buf;
  if (v === undefined) c.db.set(key, stored);
  else c.db.update(key, stored);
  keyChanged(c, c.db, key, NOTIFY.STRING, 'setrange');
  c.w.int(need);
}

/* GETRANGE key start end (and SUBSTR) */
function getrangeCommand(c: Client, args: string[]): void {
  const s0 = parseIntOrReply(c, args[2]);
  if (s0 === null) return;
  const e0 = parseIntOrReply(c, args[3]);
  if (e0 === null) return;
  const v = getStringOrReply(c, args[1]);
  if (v === null) return;
  if (v === undefined) {
    c.w.bulk('');
    return;
  }
  const len = v.length;
  let start = s0;
  let end = e0;
  if (start < 0 && end < 0 && start > end) {
    c.w.bulk('');
    return;
  }
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) {
    c.w.bulk('');
    return;
  }
  if (typeof v === 'string') c.w.bulk(v.slice(start, end + 1));
  else c.w.bulkBuf(v.subarray(start, end + 1));
}

// ----------------------------------------------------------------------------
// Counters
// ----------------------------------------------------------------------------

/** Current integer value of a string key, or null after replying. */
function counterValueOrReply(c: Client, v: StringValue | undefined): bigint | number | null {
  if (v === undefined) return 0;
  const s = strOf(v);
  const n = parseInt64Num(s);
  if (n === null) {
    c.w.error(E.NOT_INTEGER);
    return null;
  }
  if (Number.isSafeInteger(n)) return n;
  return parseInt64(s);
}

/* INCR/DECR/INCRBY/DECRBY: shared by all four. */
function incrDecr(c: Client, key: string, by: number | bigint): void {
  const v = lookupWrite(c, key);
  if (v !== undefined && !isString(v)) {
    c.w.error(E.WRONGTYPE);
    return;
  }
  const cur = counterValueOrReply(c, v);
  if (cur === null) return;
  let result: number | bigint;
  if (typeof cur === 'number' && typeof by === 'number') {
    result = cur + by;
    if (!Number.isSafeInteger(result)) result = BigInt(cur) + BigInt(by);
  } else result = BigInt(cur) + BigInt(by);
  if (typeof result === 'bigint') {
    if (result > INT64_MAX || result < INT64_MIN) {
      c.w.error(E.OVERFLOW);
      return;
    }
  }
  const s = String(result);
  if (v === undefined) c.db.set(key, s);
  else c.db.update(key, s);
  keyChanged(c, c.db, key, NOTIFY.STRING, 'incrby');
  c.w.int(result);
}

function incrbyArgOrReply(c: Client, s: string): number | bigint | null {
  const n = parseInt64Num(s);
  if (n === null) {
    c.w.error(E.NOT_INTEGER);
    return null;
  }
  if (Number.isSafeInteger(n)) return n;
  return parseInt64(s);
}

/* DECRBY key decrement */
function decrbyCommand(c: Client, args: string[]): void {
  const n = incrbyArgOrReply(c, args[2]);
  if (n === null) return;
  if (typeof n === 'bigint' && n === INT64_MIN) {
    c.w.error('ERR decrement would overflow');
    return;
  }
  incrDecr(c, args[1], typeof n === 'bigint' ? -n : -n);
}

/* INCRBYFLOAT key increment */
function incrbyfloatCommand(c: Client, args: string[]): void {
  const key = args[1];
  const v = lookupWrite(c, key);
  if (v !== undefined && !isString(v)) {
    c.w.error(E.WRONGTYPE);
    return;
  }
  const cur = v === undefined ? '0' : strOf(v);
  if (cur.length > 5000 || cur !== cur.trim() || cur === '') {
    c.w.error(E.NOT_FLOAT);
    return;
  }
  const r = incrByFloatText(cur, args[2]);
  if (r === 'bad-current' || r === 'bad-incr') {
    c.w.error(E.NOT_FLOAT);
    return;
  }
  if (r === 'nan-or-inf') {
    c.w.error(E.INCR_NAN);
    return;
  }
  if (v === undefined) c.db.set(key, r);
  else c.db.update(key, r);
  keyChanged(c, c.db, key, NOTIFY.STRING, 'incrbyfloat');
  c.propagateArgs = ['SET', key, r, 'KEEPTTL'];
  c.w.bulk(r);
}

/** Parse as Redis's string2ld: like strtold, no spaces, no NaN (infinities pass: the sum is checked). */
export function parseLongDouble(s: string): number | null {
  if (s.length === 0 || s.length > 5000) return null;
  return parseDouble(s);
}

// ----------------------------------------------------------------------------
// LCS
// ----------------------------------------------------------------------------

/* LCS key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN] */
function lcsCommand(c: Client, args: string[]): void {
  let getLen = false;
  let getIdx = false;
  let withLen = false;
  let minLen = 0;
  for (let i = 3; i < args.length; i++) {
    const o = args[i].toLowerCase();
    if (o === 'idx') getIdx = true;
    else if (o === 'len') getLen = true;
    else if (o === 'withmatchlen') withLen = true;
    else if (o === 'minmatchlen' && i + 1 < args.length) {
      const n = parseIntOrReply(c, args[++i]);
      if (n === null) return;
      minLen = n < 0 ? 0 : n;
    } else {
      c.w.error(E.SYNTAX);
      return;
    }
  }
  const va = lookupRead(c, args[1]);
  const vb = lookupRead(c, args[2]);
  if ((va !== undefined && !isString(va)) || (vb !== undefined && !isString(vb))) {
    c.w.error(E.LCS_STRINGS);
    return;
  }
  if (getIdx && getLen) {
    c.w.error('ERR If you want both the length and indexes, please just use IDX.');
    return;
  }
  const a = va === undefined ? '' : strOf(va);
  const b = vb === undefined ? '' : strOf(vb);
  const alen = a.length;
  const blen = b.length;
  if ((alen + 1) * (blen + 1) * 4 > c.server.config.num('proto-max-bulk-len') || (alen + 1) * (blen + 1) > 2 ** 31) {
    c.w.error('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
    return;
  }
  // DP table: tbl[i*(blen+1)+j] = LCS length of a[0..i) and b[0..j).
  const w = blen + 1;
  const tbl = new Uint32Array((alen + 1) * w);
  for (let i = 1; i <= alen; i++) {
    const ac = a.charCodeAt(i - 1);
    for (let j = 1; j <= blen; j++) {
      if (ac === b.charCodeAt(j - 1)) tbl[i * w + j] = tbl[(i - 1) * w + j - 1] + 1;
      else {
        const l = tbl[(i - 1) * w + j];
        const r = tbl[i * w + j - 1];
        tbl[i * w + j] = l > r ? l : r;
      }
    }
  }
  const len = tbl[alen * w + blen];
  if (getLen) {
    c.w.int(len);
    return;
  }
  // Walk back to build the string and the match ranges.
  const res: string[] = new Array(len);
  let idx = len;
  let i = alen;
  let j = blen;
  const matches: [number, number, number, number][] = [];
  let arStart = alen;
  let arEnd = 0;
  let brStart = 0;
  let brEnd = 0;
  while (i > 0 && j > 0) {
    let emitRange = false;
    if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
      res[idx - 1] = a[i - 1];
      if (arStart === alen) {
        arStart = arEnd = i - 1;
        brStart = brEnd = j - 1;
      } else if (arStart === i && brStart === j) {
        arStart--;
        brStart--;
      } else emitRange = true;
      if (arStart === 0 || brStart === 0) emitRange = true;
      idx--;
      i--;
      j--;
    } else {
      const lcs1 = tbl[(i - 1) * w + j];
      const lcs2 = tbl[i * w + j - 1];
      if (lcs1 > lcs2) i--;
      else j--;
      if (arStart !== alen) emitRange = true;
    }
    if (emitRange) {
      const ml = arEnd - arStart + 1;
      if (minLen === 0 || ml >= minLen) matches.push([arStart, arEnd, brStart, brEnd]);
      arStart = alen;
    }
  }
  if (!getIdx) {
    c.w.bulk(res.join(''));
    return;
  }
  c.w.mapHeader(2);
  c.w.bulk('matches');
  c.w.arrayHeader(matches.length);
  for (const [as, ae, bs, be] of matches) {
    c.w.arrayHeader(withLen ? 3 : 2);
    c.w.arrayHeader(2);
    c.w.int(as);
    c.w.int(ae);
    c.w.arrayHeader(2);
    c.w.int(bs);
    c.w.int(be);
    if (withLen) c.w.int(ae - as + 1);
  }
  c.w.bulk('len');
  c.w.int(len);
}

export const commands: CommandDef[] = [
  command('get', 2, 'readonly fast', [1, 1, 1], 'string', getCommand),
  command('set', -3, 'write denyoom', [1, 1, 1], 'string', setCommand),
  command('setnx', 3, 'write denyoom fast', [1, 1, 1], 'string', setnxCommand),
  command('setex', 4, 'write denyoom', [1, 1, 1], 'string', (c, a) => setexGeneric(c, a, false)),
  command('psetex', 4, 'write denyoom', [1, 1, 1], 'string', (c, a) => setexGeneric(c, a, true)),
  command('mset', -3, 'write denyoom', [1, -1, 2], 'string', (c, a) => msetGeneric(c, a, false)),
  command('msetnx', -3, 'write denyoom', [1, -1, 2], 'string', (c, a) => msetGeneric(c, a, true)),
  command('mget', -2, 'readonly fast', [1, -1, 1], 'string', mgetCommand),
  command('getdel', 2, 'write fast', [1, 1, 1], 'string', getdelCommand),
  command('getset', 3, 'write denyoom fast', [1, 1, 1], 'string', getsetCommand),
  command('getex', -2, 'write fast', [1, 1, 1], 'string', getexCommand),
  command('strlen', 2, 'readonly fast', [1, 1, 1], 'string', strlenCommand),
  command('append', 3, 'write denyoom fast', [1, 1, 1], 'string', appendCommand),
  command('setrange', 4, 'write denyoom', [1, 1, 1], 'string', setrangeCommand),
  command('getrange', 4, 'readonly', [1, 1, 1], 'string', getrangeCommand),
  command('substr', 4, 'readonly', [1, 1, 1], 'string', getrangeCommand),
  command('incr', 2, 'write denyoom fast', [1, 1, 1], 'string', (c, a) => incrDecr(c, a[1], 1)),
  command('decr', 2, 'write denyoom fast', [1, 1, 1], 'string', (c, a) => incrDecr(c, a[1], -1)),
  command('incrby', 3, 'write denyoom fast', [1, 1, 1], 'string', (c, a) => {
    const n = incrbyArgOrReply(c, a[2]);
    if (n !== null) incrDecr(c, a[1], n);
  }),
  command('decrby', 3, 'write denyoom fast', [1, 1, 1], 'string', decrbyCommand),
  command('incrbyfloat', 3, 'write denyoom fast', [1, 1, 1], 'string', incrbyfloatCommand),
  command('lcs', -3, 'readonly', [1, 2, 1], 'string', lcsCommand),
];

export { is };

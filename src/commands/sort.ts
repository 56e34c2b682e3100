/*
 * SORT and SORT_RO: sort the elements of a list, set or sorted set,
 * numerically or lexicographically (ALPHA), by the elements themselves or by
 * weights found through a pattern (BY weight_* or BY hash_*->field), with
 * LIMIT, DESC, GET patterns (GET # for the element itself) and, for SORT
 * only, STORE into a list.
 *
 * BY with a pattern without '*' ("nosort") skips sorting: lists and sorted
 * sets keep their own order (reversed by DESC), and LIMIT picks the range
 * directly; a set is still sorted (ALPHA) when the result is stored or the
 * caller is a script, so that replicas and scripts see a deterministic order.
 */

import type { Client } from '../server/client';
import { command, type CommandDef } from './types';
import { E } from '../errors';
import { NOTIFY, is, lookupRead, lookupWrite } from './util';
import { List, isList } from '../types/list';
import { isSetObject, type SetObject } from '../types/set';
import { isZSet, type ZSet } from '../types/zset';
import { isHashObject } from '../types/hash';
import { isString, strOf } from '../types/value';
import { parseInt64Num } from '../util/numbers';

const ERR_SCORES = "ERR One or more scores can't be converted into double";
const ERR_BY_CLUSTER = 'ERR BY option of SORT denied in Cluster mode when keys formed by the pattern may be in different slots.';
const ERR_GET_CLUSTER = 'ERR GET option of SORT denied in Cluster mode when keys formed by the pattern may be in different slots.';

// ----------------------------------------------------------------------------
// Patterns
// ----------------------------------------------------------------------------

/**
 * The value a BY/GET pattern points at for element `ele`: "#" is the element
 * itself; otherwise the first '*' is replaced by the element and the key is
 * read as a string, or as a hash field when the pattern continues with
 * "->field". Null when there is no '*', the key is missing or of another type.
 */
function lookupByPattern(c: Client, pattern: string, ele: string): string | null {
  if (pattern === '#') return ele;
  const star = pattern.indexOf('*');
  if (star < 0) return null;
  const arrow = pattern.indexOf('->', star + 1);
  const hasField = arrow >= 0 && arrow + 2 < pattern.length;
  const key = pattern.slice(0, star) + ele + pattern.slice(star + 1, hasField ? arrow : pattern.length);
  const v = lookupRead(c, key);
  if (v === undefined) return null;
  if (hasField) {
    if (!isHashObject(v)) return null;
    const field = pattern.slice(arrow + 2);
    const f = v.get(field);
    if (f === undefined || v.isDue(field, c.server.clock.now())) return null;
    return f;
  }
  if (!isString(v)) return null;
  return strOf(v);
}

// ----------------------------------------------------------------------------
// Scores: strtod's grammar (leading spaces, hex, inf), a whole-string match
// ----------------------------------------------------------------------------

const LEADING_SPACE = /^[ \t\n\v\f\r]*/;
const DECIMAL = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/;
const HEXADECIMAL = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)(?:[pP]([+-]?[0-9]+))?/;
const INFINITY = /^[+-]?(?:infinity|inf)/i;
const MIN_NORMAL = 2.2250738585072014e-308;

/** The score of a sort weight as Redis's strtod check reads it; null when it is not a valid double. */
export function parseSortScore(text: string): number | null {
  // strtod stops at a NUL byte.
  const nul = text.indexOf('\0');
  const s = nul >= 0 ? text.slice(0, nul) : text;
  if (s.length === 0) return 0;
  const sp = LEADING_SPACE.exec(s)![0].length;
  const t = sp ? s.slice(sp) : s;
  let m = HEXADECIMAL.exec(t);
  if (m !== null && (m[2].length > 0 || m[3].length > 0)) {
    if (m[0].length !== t.length) return null;
    let v = 0;
    for (const ch of m[2]) v = v * 16 + parseInt(ch, 16);
    let scale = 1 / 16;
    for (const ch of m[3]) {
      v += parseInt(ch, 16) * scale;
      scale /= 16;
    }
    v *= Math.pow(2, m[4] === undefined ? 0 : Number(m[4]));
    if (m[1] === '-') v = -v;
    return Number.isFinite(v) ? v : null;
  }
  m = DECIMAL.exec(t);
  if (m !== null) {
    if (m[0].length !== t.length) return null;
    const v = Number(m[0]);
    if (!Number.isFinite(v)) return null; // overflow (ERANGE)
    // Underflow to zero or a subnormal also sets ERANGE.
    if (v === 0 ? /[1-9]/.test(m[0].split(/[eE]/)[0]) : Math.abs(v) < MIN_NORMAL) return null;
    return v;
  }
  m = INFINITY.exec(t);
  if (m !== null && m[0].length === t.length) return t[0] === '-' ? -Infinity : Infinity;
  return null; // includes NaN, which Redis rejects
}

// ----------------------------------------------------------------------------
// Cluster key slots (for the cross-slot BY/GET check)
// ----------------------------------------------------------------------------

const CRC16_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 8;
    for (let j = 0; j < 8; j++) r = r & 0x8000 ? ((r << 1) ^ 0x1021) & 0xffff : (r << 1) & 0xffff;
    t[i] = r;
  }
  return t;
})();

function crc16(s: string, from: number, to: number): number {
  let crc = 0;
  for (let i = from; i < to; i++) crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ s.charCodeAt(i)) & 0xff];
  return crc;
}

function keySlot(key: string): number {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) return crc16(key, open + 1, close) & 0x3fff;
  }
  return crc16(key, 0, key.length) & 0x3fff;
}

/** Slot of every key a pattern can produce, or -1 when they may fall in different slots. */
function patternSlot(p: string): number {
  let open = -1;
  for (let i = 0; i < p.length; i++) {
    const ch = p[i];
    if (ch === '*' || ch === '?' || ch === '[' || ch === '\\') return -1;
    if (open === -1 && ch === '{') open = i;
    else if (open >= 0 && ch === '}') {
      if (i === open + 1) open = -2; // "{}": the whole pattern is hashed
      else return crc16(p, open + 1, i) & 0x3fff;
    }
  }
  return crc16(p, 0, p.length) & 0x3fff;
}

// ----------------------------------------------------------------------------
// SORT
// ----------------------------------------------------------------------------

interface SortOptions {
  desc: boolean;
  alpha: boolean;
  limitStart: number;
  limitCount: number;
  by: string | null;
  dontsort: boolean;
  store: string | null;
  gets: string[];
}

/** May the client's user read any key (BY/GET patterns name keys ACL cannot check up front)? */
function aclFullRead(c: Client): boolean {
  const f = c.server.ext.aclCanReadAllKeys as ((c: Client) => boolean) | undefined;
  return f === undefined || f(c);
}

/** Parse the options after the key; replies and returns null on error. */
function parseSortOptions(c: Client, args: string[], readonly: boolean): SortOptions | null {
  const o: SortOptions = { desc: false, alpha: false, limitStart: 0, limitCount: -1, by: null, dontsort: false, store: null, gets: [] };
  const cluster = c.server.config.bool('cluster-enabled');
  for (let j = 2; j < args.length; j++) {
    const left = args.length - j - 1;
    const a = args[j];
    if (is(a, 'asc')) o.desc = false;
    else if (is(a, 'desc')) o.desc = true;
    else if (is(a, 'alpha')) o.alpha = true;
    else if (is(a, 'limit') && left >= 2) {
      const start = parseInt64Num(args[j + 1]);
      const count = start === null ? null : parseInt64Num(args[j + 2]);
      if (start === null || count === null) {
        c.w.error(E.NOT_INTEGER);
        return null;
      }
      o.limitStart = start;
      o.limitCount = count;
      j += 2;
    } else if (!readonly && is(a, 'store') && left >= 1) {
      o.store = args[++j];
    } else if (is(a, 'by') && left >= 1) {
      const by = args[++j];
      o.by = by;
      if (by.indexOf('*') < 0) o.dontsort = true;
      else if (cluster && patternSlot(by) !== keySlot(args[1])) {
        c.w.error(ERR_BY_CLUSTER);
        return null;
      } else if (!aclFullRead(c)) {
        c.w.error('ERR BY option of SORT denied due to insufficient ACL permissions.');
        return null;
      }
    } else if (is(a, 'get') && left >= 1) {
      const p = args[++j];
      if (cluster && p !== '#' && patternSlot(p) !== keySlot(args[1])) {
        c.w.error(ERR_GET_CLUSTER);
        return null;
      }
      if (!aclFullRead(c)) {
        c.w.error('ERR GET option of SORT denied due to insufficient ACL permissions.');
        return null;
      }
      o.gets.push(p);
    } else {
      c.w.error(E.SYNTAX);
      return null;
    }
  }
  return o;
}

/** Binary comparison of latin1 strings (memcmp, then length). */
function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/* SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA] [STORE destination] */
function sortGeneric(c: Client, args: string[], readonly: boolean): void {
  const o = parseSortOptions(c, args, readonly);
  if (o === null) return;
  const v = lookupRead(c, args[1]);
  let kind: 'list' | 'set' | 'zset' = 'list';
  if (v !== undefined) {
    if (isList(v)) kind = 'list';
    else if (isSetObject(v)) kind = 'set';
    else if (isZSet(v)) kind = 'zset';
    else {
      c.w.error(E.WRONGTYPE);
      return;
    }
  }
  let { dontsort, alpha } = o;
  let by = o.by;
  // A set has no order of its own: sort it when the result must be deterministic.
  if (dontsort && kind === 'set' && (o.store !== null || c.ext.lua !== undefined)) {
    dontsort = false;
    alpha = true;
    by = null;
  }
  const len = v === undefined ? 0 : (v as { size(): number }).size();
  let start = Math.min(Math.max(o.limitStart, 0), len);
  const limitCount = Math.min(Math.max(o.limitCount, -1), len);
  let end = limitCount < 0 ? len - 1 : start + limitCount - 1;
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;

  // Load the elements to sort (or, without sorting, just the range wanted).
  let vec: string[] = [];
  if (v !== undefined) {
    if (kind === 'list' && dontsort) {
      const l = v as List;
      if (end >= start) {
        if (o.desc) for (let i = len - 1 - start; i >= len - 1 - end; i--) vec.push(l.at(i));
        else vec = l.slice(start, end);
        end -= start;
        start = 0;
      }
    } else if (kind === 'list') {
      vec = (v as List).slice(0, len - 1);
    } else if (kind === 'zset' && dontsort) {
      if (end >= start) {
        const z = v as ZSet;
        z.range(o.desc ? len - 1 - start : start, end - start + 1, o.desc, (m) => {
          vec.push(m);
        });
        end -= start;
        start = 0;
      }
    } else if (kind === 'zset') {
      for (const m of (v as ZSet).members()) vec.push(m);
    } else {
      for (const m of (v as SetObject).iter()) vec.push(m);
    }
  }

  if (!dontsort) {
    const n = vec.length;
    let cmp: (a: number, b: number) => number;
    if (!alpha) {
      // Every weight must be a number, even when there is nothing to reorder.
      const scores = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const w = by !== null ? lookupByPattern(c, by, vec[i]) : vec[i];
        if (w === null) continue;
        const sc = parseSortScore(w);
        if (sc === null) {
          c.w.error(ERR_SCORES);
          return;
        }
        scores[i] = sc;
      }
      cmp = (a, b) => (scores[a] > scores[b] ? 1 : scores[a] < scores[b] ? -1 : cmpStr(vec[a], vec[b]));
    } else if (by !== null) {
      const keys: (string | null)[] = new Array<string | null>(n);
      for (let i = 0; i < n; i++) keys[i] = lookupByPattern(c, by, vec[i]);
      cmp = (a, b) => {
        const ka = keys[a];
        const kb = keys[b];
        if (ka === null || kb === null) return ka === kb ? 0 : ka === null ? -1 : 1;
        return cmpStr(ka, kb);
      };
    } else {
      cmp = (a, b) => cmpStr(vec[a], vec[b]);
    }
    if (n > 1) {
      const order = new Array<number>(n);
      for (let i = 0; i < n; i++) order[i] = i;
      const sign = o.desc ? -1 : 1;
      order.sort((a, b) => sign * cmp(a, b));
      vec = order.map((i) => vec[i]);
    }
  }

  const count = end - start + 1;
  const outputLen = o.gets.length ? o.gets.length * count : count;
  if (o.store === null) {
    const w = c.w;
    w.arrayHeader(Math.max(0, outputLen));
    for (let j = start; j <= end; j++) {
      if (o.gets.length === 0) {
        w.bulk(vec[j]);
        continue;
      }
      for (const p of o.gets) {
        const val = lookupByPattern(c, p, vec[j]);
        if (val === null) w.nullBulk();
        else w.bulk(val);
      }
    }
    return;
  }
  storeResult(c, o.store, vec, start, end, o.gets, Math.max(0, outputLen));
}

/** SORT ... STORE: the result becomes a list at `dst` (or deletes `dst` when empty). */
function storeResult(c: Client, dst: string, vec: string[], start: number, end: number, gets: string[], outputLen: number): void {
  const db = c.db;
  const srv = c.server;
  if (outputLen > 0) {
    const list = new List(outputLen);
    for (let j = start; j <= end; j++) {
      if (gets.length === 0) list.pushTail(vec[j]);
      else for (const p of gets) list.pushTail(lookupByPattern(c, p, vec[j]) ?? '');
    }
    // Built as a quicklist; small results go back to a listpack, as Redis does.
    list.quicklist = true;
    list.tryConvertToListpack(srv.config.num('list-max-listpack-size'), false);
    const existed = lookupWrite(c, dst) !== undefined;
    db.set(dst, list);
    srv.signalModifiedKey(db, dst);
    srv.signalKeyAsReady(db, dst);
    if (srv.notifyFlags !== 0) {
      if (!existed) srv.notify(NOTIFY.NEW, 'new', dst, db.id);
      srv.notify(NOTIFY.LIST, 'sortstore', dst, db.id);
    }
    srv.dirty += outputLen;
  } else if (db.delete(dst)) {
    srv.signalModifiedKey(db, dst);
    if (srv.notifyFlags !== 0) srv.notify(NOTIFY.GENERIC, 'del', dst, db.id);
    srv.dirty++;
  }
  c.w.int(outputLen);
}

/** Key positions of SORT: the key, and the destination of the last STORE. */
function sortKeys(args: string[]): number[] {
  const keys = [1];
  let store = -1;
  for (let i = 2; i < args.length; i++) {
    if (is(args[i], 'limit')) i += 2;
    else if (is(args[i], 'get') || is(args[i], 'by')) i += 1;
    else if (is(args[i], 'store') && i + 1 < args.length) store = i + 1;
  }
  if (store >= 0) keys.push(store);
  return keys;
}

export const commands: CommandDef[] = [
  command('sort', -2, 'write denyoom', [1, 1, 1], 'set sortedset list dangerous', (c, a) => sortGeneric(c, a, false), {
    getKeys: sortKeys,
    group: 'generic',
  }),
  command('sort_ro', -2, 'readonly', [1, 1, 1], 'set sortedset list dangerous', (c, a) => sortGeneric(c, a, true), {
    getKeys: () => [1],
    group: 'generic',
    since: '7.0.0',
  }),
];

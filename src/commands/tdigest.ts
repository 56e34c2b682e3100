/*
 * t-digest commands (RedisBloom's TDIGEST.*, core in Redis 8), with
 * RedisBloom's default compression (100), replies and error texts. Values
 * are doubles (RESP3 `,`, RESP2 bulk strings, "nan"/"inf" as Redis prints).
 */

import type { Client } from '../server/client';
import { command, type CommandDef } from './types';
import { NOTIFY, keyChanged, lookupRead, lookupWrite } from './util';
import { TD_DEFAULT_COMPRESSION, TDigest } from '../types/tdigest';
import { argIndex, registerProbabilisticType, toDouble, toLongLong, typed, wrongArity } from './bloom';

registerProbabilisticType('TDIS-TYPE', (b) => TDigest.deserialize(b));

const ERR_NO_KEY = 'ERR T-Digest: key does not exist';
const TD_MAX_COMPRESSION = 100_000;

function getTd(c: Client, key: string, write: boolean): TDigest | null {
  const v = typed<TDigest>(c, write ? lookupWrite(c, key) : lookupRead(c, key), 'TDIS-TYPE');
  if (v === undefined) {
    c.w.error(ERR_NO_KEY);
    return null;
  }
  return v;
}

/** Compression argument; null after replying. */
function parseCompression(c: Client, s: string): number | null {
  const n = toLongLong(s);
  if (n === null) {
    c.w.error('ERR T-Digest: error parsing compression parameter');
    return null;
  }
  if (n <= 0) {
    c.w.error('ERR T-Digest: compression parameter needs to be a positive integer');
    return null;
  }
  // Nodis limit: the node buffer (6 * compression + 10 centroids) is sorted on
  // every compression, which must not block the event loop for long.
  if (n > TD_MAX_COMPRESSION) {
    c.w.error('ERR T-Digest: allocation failed');
    return null;
  }
  return n;
}

/** A double reply as RedisBloom's (RedisModule_ReplyWithDouble: RESP2 prints "nan", "inf", "-inf"). */
function replyDouble(c: Client, d: number): void {
  if (c.w.proto === 2 && !Number.isFinite(d)) c.w.bulk(Number.isNaN(d) ? 'nan' : d > 0 ? 'inf' : '-inf');
  else c.w.double(d);
}

/* TDIGEST.CREATE key [COMPRESSION compression] */
function tdCreateCommand(c: Client, args: string[]): void {
  if (args.length !== 2 && args.length !== 4) return wrongArity(c, args);
  const key = args[1];
  const cur = typed<TDigest>(c, lookupWrite(c, key), 'TDIS-TYPE');
  if (cur === null) return;
  if (cur !== undefined) return c.w.error('ERR T-Digest: key already exists');
  let compression = TD_DEFAULT_COMPRESSION;
  if (args.length === 4) {
    if (argIndex(args, 'compression', 2) === -1) return c.w.error('ERR T-Digest: wrong keyword');
    const n = parseCompression(c, args[3]);
    if (n === null) return;
    compression = n;
  }
  c.db.set(key, new TDigest(compression));
  keyChanged(c, c.db, key, NOTIFY.MODULE, 'tdigest.create');
  c.w.ok();
}

/* TDIGEST.RESET key */
function tdResetCommand(c: Client, args: string[]): void {
  const td = getTd(c, args[1], true);
  if (td === null) return;
  td.reset();
  keyChanged(c, c.db, args[1], NOTIFY.MODULE, 'tdigest.reset');
  c.w.ok();
}

/* TDIGEST.ADD key value [value ...] */
function tdAddCommand(c: Client, args: string[]): void {
  const td = getTd(c, args[1], true);
  if (td === null) return;
  const vals: number[] = [];
  for (let i = 2; i < args.length; i++) {
    const d = toDouble(args[i]);
    if (d === null) return c.w.error('ERR T-Digest: error parsing val parameter');
    if (!Number.isFinite(d)) return c.w.error('ERR T-Digest: val parameter needs to be a finite number');
    vals.push(d);
  }
  for (const v of vals) td.add(v);
  keyChanged(c, c.db, args[1], NOTIFY.MODULE, 'tdigest.add');
  c.w.ok();
}

/* TDIGEST.MERGE destination numkeys source [source ...] [COMPRESSION compression] [OVERRIDE] */
function tdMergeCommand(c: Client, args: string[]): void {
  const destKey = args[1];
  const start = typed<TDigest>(c, lookupWrite(c, destKey), 'TDIS-TYPE');
  if (start === null) return;
  const numKeys = toLongLong(args[2]);
  if (numKeys === null) return c.w.error('ERR T-Digest: error parsing numkeys');
  if (numKeys <= 0) return c.w.error('ERR T-Digest: numkeys needs to be a positive integer');
  if (numKeys > args.length - 3) return wrongArity(c, args);
  let compression = start !== undefined ? start.compression : 0;
  let useMax = start === undefined;
  let override = false;
  const rest = 3 + numKeys;
  if (rest < args.length) {
    const cl = argIndex(args, 'compression', rest);
    if (cl !== -1) {
      useMax = false;
      if (cl + 1 >= args.length) return wrongArity(c, args);
      const n = parseCompression(c, args[cl + 1]);
      if (n === null) return;
      compression = n;
    }
    const ol = argIndex(args, 'override', rest);
    if (ol !== -1) {
      override = true;
      if (cl === -1) {
        useMax = true;
        compression = 0;
      }
    }
    if (cl === -1 && ol === -1) return c.w.error('ERR T-Digest: wrong keyword');
  }
  const srcs: TDigest[] = [];
  for (let i = 0; i < numKeys; i++) {
    const k = args[3 + i];
    let s: TDigest;
    if (k !== destKey) {
      const v = getTd(c, k, false);
      if (v === null) return;
      s = v;
    } else {
      if (start === undefined) return c.w.error(ERR_NO_KEY);
      s = start;
    }
    srcs.push(s);
    if (useMax && s.compression > compression) compression = s.compression;
  }
  const out = new TDigest(compression);
  if (start !== undefined && !override) out.mergeFrom(start);
  for (const s of srcs) out.mergeFrom(s);
  out.compress();
  // The destination keeps its TTL as RedisModule_ModuleTypeSetValue does.
  if (start !== undefined) c.db.update(destKey, out);
  else c.db.set(destKey, out);
  keyChanged(c, c.db, destKey, NOTIFY.MODULE, 'tdigest.merge');
  c.w.ok();
}

/* TDIGEST.MIN key  /  TDIGEST.MAX key */
function tdMinMaxGeneric(c: Client, args: string[], max: boolean): void {
  const td = getTd(c, args[1], false);
  if (td === null) return;
  replyDouble(c, td.total > 0 ? (max ? td.max : td.min) : NaN);
}

/* TDIGEST.QUANTILE key quantile [quantile ...] */
function tdQuantileCommand(c: Client, args: string[]): void {
  const td = getTd(c, args[1], false);
  if (td === null) return;
  const qs: number[] = [];
  for (let i = 2; i < args.length; i++) {
    const q = toDouble(args[i]);
    if (q === null) return c.w.error('ERR T-Digest: error parsing quantile');
    if (q < 0 || q > 1) return c.w.error('ERR T-Digest: quantile should be in [0,1]');
    qs.push(q);
  }
  c.w.arrayHeader(qs.length);
  for (const q of qs) replyDouble(c, td.quantile(q));
}

/* TDIGEST.CDF key value [value ...] */
function tdCdfCommand(c: Client, args: string[]): void {
  const td = getTd(c, args[1], false);
  if (td === null) return;
  const xs: number[] = [];
  for (let i = 2; i < args.length; i++) {
    const x = toDouble(args[i]);
    if (x === null) return c.w.error('ERR T-Digest: error parsing cdf');
    xs.push(x);
  }
  c.w.arrayHeader(xs.length);
  for (const x of xs) replyDouble(c, td.cdf(x));
}

/** modf-based rounding: halves go toward zero. */
function halfRoundDown(f: number): number {
  const ip = Math.trunc(f);
  const frac = f - ip;
  if (Math.abs(frac) <= 0.5) return ip;
  return ip >= 0 ? ip + 1 : ip - 1;
}

/** C's round(): halves away from zero. */
function cRound(f: number): number {
  return f < 0 ? -Math.round(-f) : Math.round(f);
}

/* TDIGEST.RANK key value [value ...]  /  TDIGEST.REVRANK key value [value ...] */
function tdRankGeneric(c: Client, args: string[], reverse: boolean): void {
  const td = getTd(c, args[1], false);
  if (td === null) return;
  const xs: number[] = [];
  for (let i = 2; i < args.length; i++) {
    const x = toDouble(args[i]);
    if (x === null) return c.w.error('ERR T-Digest: error parsing value');
    xs.push(x);
  }
  const size = td.total;
  c.w.arrayHeader(xs.length);
  for (const x of xs) {
    let r: number;
    if (size === 0) r = -2;
    else if (x < td.min) r = reverse ? size : -1;
    else if (x > td.max) r = reverse ? -1 : size;
    else {
      const abs = td.cdf(x) * size;
      r = reverse ? cRound(size - cRound(abs)) : halfRoundDown(abs);
    }
    c.w.int(Math.trunc(r));
  }
}

/* TDIGEST.BYRANK key rank [rank ...]  /  TDIGEST.BYREVRANK key rank [rank ...] */
function tdByRankGeneric(c: Client, args: string[], reverse: boolean): void {
  const td = getTd(c, args[1], false);
  if (td === null) return;
  const ranks: number[] = [];
  for (let i = 2; i < args.length; i++) {
    const r = toLongLong(args[i]);
    if (r === null) return c.w.error('ERR T-Digest: error parsing rank');
    if (r < 0) return c.w.error('ERR T-Digest: rank needs to be non negative');
    ranks.push(r);
  }
  const size = td.total;
  c.w.arrayHeader(ranks.length);
  for (const r of ranks) {
    let v: number;
    if (size === 0) v = NaN;
    else if (r === 0) v = reverse ? td.max : td.min;
    else if (r >= size) v = reverse ? -Infinity : Infinity;
    else v = td.quantile((reverse ? size - r - 1 : r) / size);
    replyDouble(c, v);
  }
}

/* TDIGEST.TRIMMED_MEAN key low_cut_quantile high_cut_quantile */
function tdTrimmedMeanCommand(c: Client, args: string[]): void {
  const td = getTd(c, args[1], false);
  if (td === null) return;
  const lo = toDouble(args[2]);
  if (lo === null) return c.w.error('ERR T-Digest: error parsing low_cut_percentile');
  const hi = toDouble(args[3]);
  if (hi === null) return c.w.error('ERR T-Digest: error parsing high_cut_percentile');
  if (lo < 0 || lo > 1 || hi < 0 || hi > 1) return c.w.error('ERR T-Digest: low_cut_percentile and high_cut_percentile should be in [0,1]');
  if (lo >= hi) return c.w.error('ERR T-Digest: low_cut_percentile should be lower than high_cut_percentile');
  replyDouble(c, td.trimmedMean(lo, hi));
}

/* TDIGEST.INFO key */
function tdInfoCommand(c: Client, args: string[]): void {
  const td = getTd(c, args[1], false);
  if (td === null) return;
  const fields: [string, number][] = [
    ['Compression', td.compression],
    ['Capacity', td.cap],
    ['Merged nodes', td.mergedNodes],
    ['Unmerged nodes', td.unmergedNodes],
    ['Merged weight', Math.trunc(td.mergedWeight)],
    ['Unmerged weight', Math.trunc(td.unmergedWeight)],
    ['Observations', Math.trunc(td.mergedWeight + td.unmergedWeight)],
    ['Total compressions', td.totalCompressions],
    ['Memory usage', td.memoryUsage()],
  ];
  c.w.mapHeader(fields.length);
  for (const [k, v] of fields) {
    c.w.simple(k);
    c.w.int(v);
  }
}

// ----------------------------------------------------------------------------
// Table
// ----------------------------------------------------------------------------

const extra = { group: 'tdigest', since: '2.4.0' };

function mergeKeys(args: string[]): number[] {
  const out = [1];
  const n = Number(args[2]);
  if (Number.isInteger(n) && n > 0) for (let i = 0; i < n && 3 + i < args.length; i++) out.push(3 + i);
  return out;
}

export const commands: CommandDef[] = [
  command('tdigest.create', -2, 'write denyoom fast', [1, 1, 1], 'tdigest', tdCreateCommand, extra),
  command('tdigest.add', -3, 'write denyoom', [1, 1, 1], 'tdigest', tdAddCommand, extra),
  command('tdigest.reset', 2, 'write denyoom fast', [1, 1, 1], 'tdigest', tdResetCommand, extra),
  command('tdigest.merge', -4, 'write denyoom', [1, 1, 1], 'tdigest', tdMergeCommand, { ...extra, getKeys: mergeKeys }),
  command('tdigest.min', 2, 'readonly fast', [1, 1, 1], 'tdigest', (c, a) => tdMinMaxGeneric(c, a, false), extra),
  command('tdigest.max', 2, 'readonly fast', [1, 1, 1], 'tdigest', (c, a) => tdMinMaxGeneric(c, a, true), extra),
  command('tdigest.quantile', -3, 'readonly fast', [1, 1, 1], 'tdigest', tdQuantileCommand, extra),
  command('tdigest.cdf', -3, 'readonly fast', [1, 1, 1], 'tdigest', tdCdfCommand, extra),
  command('tdigest.rank', -3, 'readonly fast', [1, 1, 1], 'tdigest', (c, a) => tdRankGeneric(c, a, false), extra),
  command('tdigest.revrank', -3, 'readonly fast', [1, 1, 1], 'tdigest', (c, a) => tdRankGeneric(c, a, true), extra),
  command('tdigest.byrank', -3, 'readonly fast', [1, 1, 1], 'tdigest', (c, a) => tdByRankGeneric(c, a, false), extra),
  command('tdigest.byrevrank', -3, 'readonly fast', [1, 1, 1], 'tdigest', (c, a) => tdByRankGeneric(c, a, true), extra),
  command('tdigest.trimmed_mean', 4, 'readonly', [1, 1, 1], 'tdigest', tdTrimmedMeanCommand, extra),
  command('tdigest.info', 2, 'readonly fast', [1, 1, 1], 'tdigest', tdInfoCommand, extra),
];

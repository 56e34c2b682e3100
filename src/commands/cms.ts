/*
 * Count-Min sketch commands (RedisBloom's CMS.*, core in Redis 8), with
 * RedisBloom's replies and error texts.
 */

import type { Client } from '../server/client';
import { command, type CommandDef } from './types';
import { NOTIFY, keyChanged, lookupRead, lookupWrite } from './util';
import { CMS_COUNTER_MAX, CountMinSketch } from '../types/cms';
import { argIndex, registerProbabilisticType, toDouble, toLongLong, typed, wrongArity } from './bloom';

registerProbabilisticType('CMSk-TYPE', (b) => CountMinSketch.deserialize(b));

const ERR_NO_KEY = 'CMS: key does not exist';

/** The sketch at `key`; null after replying (missing key or WRONGTYPE). */
function getCms(c: Client, key: string, write: boolean): CountMinSketch | null {
  const v = typed<CountMinSketch>(c, write ? lookupWrite(c, key) : lookupRead(c, key), 'CMSk-TYPE');
  if (v === undefined) {
    c.w.error(ERR_NO_KEY);
    return null;
  }
  return v;
}

/* CMS.INITBYDIM key width depth  /  CMS.INITBYPROB key error probability */
function cmsInitGeneric(c: Client, args: string[], byProb: boolean): void {
  const key = args[1];
  if (lookupWrite(c, key) !== undefined) return c.w.error('CMS: key already exists');
  let width: number;
  let depth: number;
  if (!byProb) {
    const w = toLongLong(args[2]);
    if (w === null || w < 1) return c.w.error('CMS: invalid width');
    const d = toLongLong(args[3]);
    if (d === null || d < 1) return c.w.error('CMS: invalid depth');
    width = w;
    depth = d;
  } else {
    const err = toDouble(args[2]);
    if (err === null || err <= 0 || err >= 1) return c.w.error('CMS: invalid overestimation value');
    const prob = toDouble(args[3]);
    if (prob === null || prob <= 0 || prob >= 1) return c.w.error('CMS: invalid prob value');
    [width, depth] = CountMinSketch.dimFromProb(err, prob);
  }
  if (width < 1 || depth < 1 || width > Number.MAX_SAFE_INTEGER / depth) return c.w.error('CMS: invalid init arguments');
  // Typed arrays stop at 2^32 elements (16 GB of counters: far beyond any sane sketch).
  if (width * depth > 2 ** 32 - 1) return c.w.error('CMS: Insufficient memory to create the key');
  let cms: CountMinSketch;
  try {
    cms = new CountMinSketch(width, depth);
  } catch {
    return c.w.error('CMS: Insufficient memory to create the key');
  }
  c.db.set(key, cms);
  keyChanged(c, c.db, key, NOTIFY.MODULE, byProb ? 'cms.initbyprob' : 'cms.initbydim');
  c.w.ok();
}

/* CMS.INCRBY key item increment [item increment ...] */
function cmsIncrbyCommand(c: Client, args: string[]): void {
  if (args.length % 2 === 1) return wrongArity(c, args);
  const cms = getCms(c, args[1], true);
  if (cms === null) return;
  const pairs: [string, number][] = [];
  for (let i = 2; i < args.length; i += 2) {
    const n = toLongLong(args[i + 1]);
    if (n === null) return c.w.error('CMS: Cannot parse number');
    if (n < 0) return c.w.error('CMS: Number cannot be negative');
    pairs.push([args[i], n]);
  }
  c.w.arrayHeader(pairs.length);
  for (const [item, n] of pairs) {
    const est = cms.incrBy(item, n);
    if (est !== CMS_COUNTER_MAX) c.w.int(est);
    else c.w.error('CMS: INCRBY overflow');
  }
  keyChanged(c, c.db, args[1], NOTIFY.MODULE, 'cms.incrby');
}

/* CMS.QUERY key item [item ...] */
function cmsQueryCommand(c: Client, args: string[]): void {
  const cms = getCms(c, args[1], false);
  if (cms === null) return;
  c.w.arrayHeader(args.length - 2);
  for (let i = 2; i < args.length; i++) c.w.int(cms.query(args[i]));
}

/* CMS.MERGE destination numKeys source [source ...] [WEIGHTS weight [weight ...]] */
function cmsMergeCommand(c: Client, args: string[]): void {
  const dest = getCms(c, args[1], true);
  if (dest === null) return;
  const numKeys = toLongLong(args[2]);
  if (numKeys === null) return c.w.error('CMS: invalid numkeys');
  if (numKeys <= 0) return c.w.error('CMS: Number of keys must be positive');
  const rest = args.length - 3;
  const wpos = argIndex(args, 'weights', 3);
  if (wpos < 0) {
    if (numKeys !== rest) return c.w.error('CMS: wrong number of keys');
  } else if (wpos - 3 !== numKeys || rest !== 1 + numKeys * 2) {
    return c.w.error('CMS: wrong number of keys/weights');
  }
  const srcs: CountMinSketch[] = [];
  const weights: number[] = [];
  for (let i = 0; i < numKeys; i++) {
    let w = 1;
    if (wpos >= 0) {
      const n = toLongLong(args[3 + numKeys + 1 + i]);
      if (n === null) return c.w.error('CMS: invalid weight value');
      w = n;
    }
    const s = getCms(c, args[3 + i], false);
    if (s === null) return;
    if (s.width !== dest.width || s.depth !== dest.depth) return c.w.error('CMS: width/depth is not equal');
    srcs.push(s);
    weights.push(w);
  }
  if (!dest.mergeFrom(srcs, weights)) return c.w.error('CMS: MERGE overflow');
  keyChanged(c, c.db, args[1], NOTIFY.MODULE, 'cms.merge');
  c.w.ok();
}

/* CMS.INFO key */
function cmsInfoCommand(c: Client, args: string[]): void {
  const cms = getCms(c, args[1], false);
  if (cms === null) return;
  c.w.mapHeader(3);
  c.w.simple('width');
  c.w.int(cms.width);
  c.w.simple('depth');
  c.w.int(cms.depth);
  c.w.simple('count');
  c.w.int(cms.count);
}

// ----------------------------------------------------------------------------
// Table
// ----------------------------------------------------------------------------

const extra = { group: 'cms', since: '2.0.0' };

function mergeKeys(args: string[]): number[] {
  const out = [1];
  const n = Number(args[2]);
  if (Number.isInteger(n) && n > 0) for (let i = 0; i < n && 3 + i < args.length; i++) out.push(3 + i);
  return out;
}

export const commands: CommandDef[] = [
  command('cms.initbydim', 4, 'write denyoom fast', [1, 1, 1], 'cms', (c, a) => cmsInitGeneric(c, a, false), extra),
  command('cms.initbyprob', 4, 'write denyoom fast', [1, 1, 1], 'cms', (c, a) => cmsInitGeneric(c, a, true), extra),
  command('cms.incrby', -4, 'write denyoom', [1, 1, 1], 'cms', cmsIncrbyCommand, extra),
  command('cms.query', -3, 'readonly', [1, 1, 1], 'cms', cmsQueryCommand, extra),
  command('cms.merge', -4, 'write denyoom', [1, 1, 1], 'cms', cmsMergeCommand, { ...extra, getKeys: mergeKeys }),
  command('cms.info', 2, 'readonly fast', [1, 1, 1], 'cms', cmsInfoCommand, extra),
];

/*
 * Top-K commands (RedisBloom's TOPK.*, core in Redis 8): HeavyKeeper with
 * RedisBloom's defaults (width 8, depth 7, decay 0.9), replies and error
 * texts.
 */

import type { Client } from '../server/client';
import { command, type CommandDef } from './types';
import { NOTIFY, keyChanged, lookupRead, lookupWrite, is } from './util';
import { TopK } from '../types/topk';
import { registerProbabilisticType, replyBool, toDouble, toLongLong, typed, wrongArity } from './bloom';

registerProbabilisticType('TopK-TYPE', (b) => TopK.deserialize(b));

const U32_MAX = 0xffffffff;
const TOPK_MAX_K = 2 ** 20;
// RedisBloom's text, including the run of spaces its C line continuation leaves.
const ERR_INCREMENT = 'TopK: increment must be an integer greater or equal to 0' + ' '.repeat(28) + 'and smaller or equal to 100,000';

function getTopK(c: Client, key: string, write: boolean): TopK | null {
  const v = typed<TopK>(c, write ? lookupWrite(c, key) : lookupRead(c, key), 'TopK-TYPE');
  if (v === undefined) {
    c.w.error('TopK: key does not exist');
    return null;
  }
  return v;
}

/* TOPK.RESERVE key topk [width depth decay] */
function topkReserveCommand(c: Client, args: string[]): void {
  if (args.length !== 3 && args.length !== 6) return wrongArity(c, args);
  const key = args[1];
  if (lookupWrite(c, key) !== undefined) return c.w.error('TopK: key already exists');
  const k = toLongLong(args[2]);
  if (k === null || k < 1 || k > U32_MAX) return c.w.error('TopK: invalid k');
  let width = 8;
  let depth = 7;
  let decay = 0.9;
  if (args.length === 6) {
    const w = toLongLong(args[3]);
    if (w === null || w < 1 || w > U32_MAX) return c.w.error('TopK: invalid width');
    const d = toLongLong(args[4]);
    if (d === null || d < 1 || d > U32_MAX) return c.w.error('TopK: invalid depth');
    const dc = toDouble(args[5]);
    if (dc === null || dc <= 0 || dc > 1) return c.w.error("TopK: invalid decay value. must be '<= 1' & '> 0'");
    width = w;
    depth = d;
    decay = dc;
  }
  let t: TopK;
  try {
    // Nodis limit: the heap is scanned on every add, so k is kept to 2^20.
    if (width * depth > 2 ** 32 - 1 || k > TOPK_MAX_K) throw new RangeError('too large');
    t = new TopK(k, width, depth, decay);
  } catch {
    return c.w.error('ERR Insufficient memory to create topk data structure');
  }
  c.db.set(key, t);
  keyChanged(c, c.db, key, NOTIFY.MODULE, 'topk.reserve');
  c.w.ok();
}

function replyExpelled(c: Client, e: string | null): void {
  if (e === null) c.w.nullBulk();
  else c.w.bulk(e);
}

/* TOPK.ADD key item [item ...] */
function topkAddCommand(c: Client, args: string[]): void {
  const t = getTopK(c, args[1], true);
  if (t === null) return;
  c.w.arrayHeader(args.length - 2);
  for (let i = 2; i < args.length; i++) replyExpelled(c, t.add(args[i], 1));
  keyChanged(c, c.db, args[1], NOTIFY.MODULE, 'topk.add');
}

/* TOPK.INCRBY key item increment [item increment ...] */
function topkIncrbyCommand(c: Client, args: string[]): void {
  if (args.length % 2 === 1) return wrongArity(c, args);
  const t = getTopK(c, args[1], true);
  if (t === null) return;
  const n = (args.length - 2) / 2;
  c.w.arrayHeader(n);
  // As RedisBloom: pairs before a bad increment are applied; the bad one ends the (short) reply with an error.
  for (let i = 0; i < n; i++) {
    const incr = toLongLong(args[3 + i * 2]);
    if (incr === null || incr < 0 || incr > 100000) {
      c.w.error(ERR_INCREMENT);
      for (let j = i + 1; j < n; j++) c.w.nullBulk();
      break;
    }
    replyExpelled(c, t.add(args[2 + i * 2], incr));
  }
  keyChanged(c, c.db, args[1], NOTIFY.MODULE, 'topk.incrby');
}

/* TOPK.QUERY key item [item ...] */
function topkQueryCommand(c: Client, args: string[]): void {
  const t = getTopK(c, args[1], false);
  if (t === null) return;
  c.w.arrayHeader(args.length - 2);
  for (let i = 2; i < args.length; i++) replyBool(c, t.query(args[i]));
}

/* TOPK.COUNT key item [item ...] */
function topkCountCommand(c: Client, args: string[]): void {
  const t = getTopK(c, args[1], false);
  if (t === null) return;
  c.w.arrayHeader(args.length - 2);
  for (let i = 2; i < args.length; i++) c.w.int(t.count(args[i]));
}

/* TOPK.LIST key [WITHCOUNT] */
function topkListCommand(c: Client, args: string[]): void {
  if (args.length > 3) return wrongArity(c, args);
  let withCount = false;
  if (args.length === 3) {
    if (!is(args[2], 'withcount')) return c.w.error('WITHCOUNT keyword expected');
    withCount = true;
  }
  const t = getTopK(c, args[1], false);
  if (t === null) return;
  const list = t.list();
  c.w.arrayHeader(list.length * (withCount ? 2 : 1));
  for (const e of list) {
    c.w.bulk(e.item);
    if (withCount) c.w.int(e.count);
  }
}

/* TOPK.INFO key */
function topkInfoCommand(c: Client, args: string[]): void {
  const t = getTopK(c, args[1], false);
  if (t === null) return;
  c.w.mapHeader(4);
  c.w.simple('k');
  c.w.int(t.k);
  c.w.simple('width');
  c.w.int(t.width);
  c.w.simple('depth');
  c.w.int(t.depth);
  c.w.simple('decay');
  c.w.double(t.decay);
}

// ----------------------------------------------------------------------------
// Table
// ----------------------------------------------------------------------------

const extra = { group: 'topk', since: '2.0.0' };

export const commands: CommandDef[] = [
  command('topk.reserve', -3, 'write denyoom fast', [1, 1, 1], 'topk', topkReserveCommand, extra),
  command('topk.add', -3, 'write denyoom', [1, 1, 1], 'topk', topkAddCommand, extra),
  command('topk.incrby', -4, 'write denyoom', [1, 1, 1], 'topk', topkIncrbyCommand, extra),
  command('topk.query', -3, 'readonly', [1, 1, 1], 'topk', topkQueryCommand, extra),
  command('topk.count', -3, 'readonly', [1, 1, 1], 'topk', topkCountCommand, extra),
  command('topk.list', -2, 'readonly', [1, 1, 1], 'topk', topkListCommand, extra),
  command('topk.info', 2, 'readonly', [1, 1, 1], 'topk', topkInfoCommand, extra),
];

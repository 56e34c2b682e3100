/*
 * Cuckoo filter commands (RedisBloom's CF.*, core in Redis 8), with
 * RedisBloom's defaults (capacity 1024, bucket size 2, max iterations 20,
 * expansion 1, at most 32 sub-filters), replies and error texts.
 */

import type { Client } from '../server/client';
import { command, type CommandDef } from './types';
import { NOTIFY, keyChanged, lookupRead, lookupWrite } from './util';
import { CuckooFilter } from '../types/cuckoo';
import { isString } from '../types/value';
import { argIndex, registerProbabilisticType, replyBool, toLongLong, typed, wrongArity } from './bloom';

registerProbabilisticType('MBbloomCF', (b) => CuckooFilter.deserialize(b));

// ----------------------------------------------------------------------------
// Limits
// ----------------------------------------------------------------------------

const CF_DEFAULT_CAPACITY = 1024;
const CF_CAPACITY_MAX = 2 ** 30;
const CF_DEFAULT_BUCKETSIZE = 2;
const CF_BUCKETSIZE_MAX = 255;
const CF_DEFAULT_MAXITERATIONS = 20;
const CF_MAXITERATIONS_MAX = 65535;
const CF_DEFAULT_EXPANSION = 1;
const CF_EXPANSION_MAX = 32768;
const CF_MAX_EXPANSIONS = 32;

/** A new filter; null after replying when it cannot be allocated. */
function newCuckoo(c: Client, capacity: number, bucketSize: number, maxIterations: number, expansion: number): CuckooFilter | null {
  try {
    return new CuckooFilter(capacity, bucketSize, maxIterations, expansion);
  } catch {
    c.w.error('ERR Insufficient memory to create filter');
    return null;
  }
}

/** The filter at `key`, a key of another type reading as none (CF.EXISTS/MEXISTS/COUNT/DEL, as RedisBloom). */
function cuckooOrNothing(c: Client, key: string, write: boolean): CuckooFilter | undefined {
  const v = write ? lookupWrite(c, key) : lookupRead(c, key);
  return v !== undefined && !isString(v) && v.type === 'MBbloomCF' ? (v as CuckooFilter) : undefined;
}

function getCuckoo(c: Client, key: string, write: boolean): CuckooFilter | undefined | null {
  return typed<CuckooFilter>(c, write ? lookupWrite(c, key) : lookupRead(c, key), 'MBbloomCF');
}

// ----------------------------------------------------------------------------
// Commands
// ----------------------------------------------------------------------------

/* CF.RESERVE key capacity [BUCKETSIZE bucketsize] [MAXITERATIONS maxiterations] [EXPANSION expansion] */
function cfReserveCommand(c: Client, args: string[]): void {
  if (args.length % 2 === 0) return wrongArity(c, args);
  const capacity = toLongLong(args[2]);
  if (capacity === null) return c.w.error('Bad capacity');
  let maxIterations = CF_DEFAULT_MAXITERATIONS;
  const mi = argIndex(args, 'maxiterations', 3);
  if (mi !== -1) {
    const n = mi + 1 < args.length ? toLongLong(args[mi + 1]) : null;
    if (n === null) return c.w.error("Couldn't parse MAXITERATIONS");
    if (n < 1 || n > CF_MAXITERATIONS_MAX) return c.w.error(`MAXITERATIONS: value must be in the range [1, ${CF_MAXITERATIONS_MAX}]`);
    maxIterations = n;
  }
  let bucketSize = CF_DEFAULT_BUCKETSIZE;
  const bs = argIndex(args, 'bucketsize', 3);
  if (bs !== -1) {
    const n = bs + 1 < args.length ? toLongLong(args[bs + 1]) : null;
    if (n === null) return c.w.error("Couldn't parse BUCKETSIZE");
    if (n < 1 || n > CF_BUCKETSIZE_MAX) return c.w.error(`BUCKETSIZE: value must be in the range [1, ${CF_BUCKETSIZE_MAX}]`);
    bucketSize = n;
  }
  let expansion = CF_DEFAULT_EXPANSION;
  const ex = argIndex(args, 'expansion', 3);
  if (ex !== -1) {
    const n = ex + 1 < args.length ? toLongLong(args[ex + 1]) : null;
    if (n === null) return c.w.error("Couldn't parse EXPANSION");
    if (n < 0 || n > CF_EXPANSION_MAX) return c.w.error(`EXPANSION: value must be in the range [0, ${CF_EXPANSION_MAX}]`);
    expansion = n;
  }
  if (bucketSize * 2 > capacity || capacity > CF_CAPACITY_MAX) {
    return c.w.error(`Capacity must be in the range [2 * BUCKETSIZE, ${CF_CAPACITY_MAX}]`);
  }
  const key = args[1];
  const cur = getCuckoo(c, key, true);
  if (cur === null) return;
  if (cur !== undefined) return c.w.error('ERR item exists');
  const cf = newCuckoo(c, capacity, bucketSize, maxIterations, expansion);
  if (cf === null) return;
  c.db.set(key, cf);
  keyChanged(c, c.db, key, NOTIFY.MODULE, 'cf.reserve');
  c.w.ok();
}

interface InsertOptions {
  nx: boolean;
  autocreate: boolean;
  multi: boolean;
  capacity: number;
}

function cfInsertCommon(c: Client, key: string, items: string[], o: InsertOptions, event: string): void {
  let cf = getCuckoo(c, key, true);
  if (cf === null) return;
  if (cf === undefined) {
    if (!o.autocreate) return c.w.error('ERR not found');
    if (o.capacity < CF_DEFAULT_BUCKETSIZE * 2) return c.w.error('ERR Could not create filter');
    cf = newCuckoo(c, o.capacity, CF_DEFAULT_BUCKETSIZE, CF_DEFAULT_MAXITERATIONS, CF_DEFAULT_EXPANSION);
    if (cf === null) return;
    c.db.set(key, cf);
  }
  if (cf.filters.length >= CF_MAX_EXPANSIONS) return c.w.error('Maximum expansions reached');
  const resp3 = c.w.proto === 3;
  // CF.INSERTNX answers integers in RESP3 too; the others booleans.
  const boolReplies = resp3 && (!o.nx || !o.multi);
  if (o.multi) c.w.arrayHeader(items.length);
  let changed = false;
  for (const item of items) {
    let st: ReturnType<CuckooFilter['insert']> | 'oom';
    try {
      st = cf.insert(item, o.nx);
    } catch {
      st = 'oom'; // a new sub-filter could not be allocated
    }
    if (st === 'oom') {
      if (!o.multi) {
        c.w.error('ERR Insufficient memory');
        break;
      }
      if (resp3 && !o.nx) replyBool(c, false);
      else c.w.int(-1);
      continue;
    }
    if (st === 'inserted') {
      changed = true;
      if (boolReplies) replyBool(c, true);
      else c.w.int(1);
    } else if (st === 'exists') {
      if (boolReplies) replyBool(c, false);
      else c.w.int(0);
    } else if (!o.multi) {
      c.w.error('Filter is full');
      break;
    } else if (resp3 && !o.nx) replyBool(c, false);
    else c.w.int(-1);
  }
  if (changed || items.length > 0) keyChanged(c, c.db, key, NOTIFY.MODULE, event);
}

/* CF.ADD key item */
function cfAddCommand(c: Client, args: string[]): void {
  cfInsertCommon(c, args[1], [args[2]], { nx: false, autocreate: true, multi: false, capacity: CF_DEFAULT_CAPACITY }, 'cf.add');
}

/* CF.ADDNX key item */
function cfAddnxCommand(c: Client, args: string[]): void {
  cfInsertCommon(c, args[1], [args[2]], { nx: true, autocreate: true, multi: false, capacity: CF_DEFAULT_CAPACITY }, 'cf.addnx');
}

/* CF.INSERT key [CAPACITY capacity] [NOCREATE] ITEMS item [item ...]  (and CF.INSERTNX) */
function cfInsertGeneric(c: Client, args: string[], nx: boolean): void {
  const o: InsertOptions = { nx, autocreate: true, multi: true, capacity: CF_DEFAULT_CAPACITY };
  let pos = 2;
  let itemsAt = -1;
  while (pos < args.length && itemsAt < 0) {
    switch (args[pos][0]?.toLowerCase()) {
      case 'c': {
        if (++pos === args.length) return wrongArity(c, args);
        const n = toLongLong(args[pos++]);
        if (n === null) return c.w.error('Bad capacity');
        if (n < 4 || n > CF_CAPACITY_MAX) return c.w.error(`Capacity must be in the range [${CF_DEFAULT_BUCKETSIZE} * 2, ${CF_CAPACITY_MAX}]`);
        o.capacity = n;
        break;
      }
      case 'i':
        itemsAt = ++pos;
        break;
      case 'n':
        o.autocreate = false;
        pos++;
        break;
      default:
        return c.w.error('Unknown argument received');
    }
  }
  if (itemsAt < 0 || itemsAt === args.length) return wrongArity(c, args);
  cfInsertCommon(c, args[1], args.slice(itemsAt), o, nx ? 'cf.insertnx' : 'cf.insert');
}

/* CF.EXISTS key item, CF.MEXISTS key item [item ...], CF.COUNT key item */
function cfCheckGeneric(c: Client, args: string[], multi: boolean, count: boolean): void {
  const cf = cuckooOrNothing(c, args[1], false);
  if (multi) c.w.arrayHeader(args.length - 2);
  const resp3 = c.w.proto === 3;
  for (let i = 2; i < args.length; i++) {
    if (count) c.w.int(cf === undefined ? 0 : cf.count(args[i]));
    else if (resp3) replyBool(c, cf !== undefined && cf.check(args[i]));
    else c.w.int(cf !== undefined && cf.check(args[i]) ? 1 : 0);
  }
}

/* CF.DEL key item */
function cfDelCommand(c: Client, args: string[]): void {
  const cf = cuckooOrNothing(c, args[1], true);
  if (cf === undefined) return c.w.error('Not found');
  const ok = cf.delete(args[2]);
  if (ok) keyChanged(c, c.db, args[1], NOTIFY.MODULE, 'cf.del');
  replyBool(c, ok);
}

/* CF.INFO key */
function cfInfoCommand(c: Client, args: string[]): void {
  const cf = getCuckoo(c, args[1], false);
  if (cf === null) return;
  if (cf === undefined) return c.w.error('ERR not found');
  const fields: [string, number][] = [
    ['Size', cf.memoryUsage()],
    ['Number of buckets', cf.numBuckets],
    ['Number of filters', cf.filters.length],
    ['Number of items inserted', cf.numItems],
    ['Number of items deleted', cf.numDeletes],
    ['Bucket size', cf.bucketSize],
    ['Expansion rate', cf.expansion],
    ['Max iterations', cf.maxIterations],
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

const extra = { group: 'cf', since: '1.0.0' };

export const commands: CommandDef[] = [
  command('cf.reserve', -3, 'write denyoom fast', [1, 1, 1], 'cuckoo', cfReserveCommand, extra),
  command('cf.add', 3, 'write denyoom', [1, 1, 1], 'cuckoo', cfAddCommand, extra),
  command('cf.addnx', 3, 'write denyoom', [1, 1, 1], 'cuckoo', cfAddnxCommand, extra),
  command('cf.insert', -4, 'write denyoom', [1, 1, 1], 'cuckoo', (c, a) => cfInsertGeneric(c, a, false), extra),
  command('cf.insertnx', -4, 'write denyoom', [1, 1, 1], 'cuckoo', (c, a) => cfInsertGeneric(c, a, true), extra),
  command('cf.exists', 3, 'readonly fast', [1, 1, 1], 'cuckoo', (c, a) => cfCheckGeneric(c, a, false, false), extra),
  command('cf.mexists', -3, 'readonly fast', [1, 1, 1], 'cuckoo', (c, a) => cfCheckGeneric(c, a, true, false), extra),
  command('cf.count', 3, 'readonly fast', [1, 1, 1], 'cuckoo', (c, a) => cfCheckGeneric(c, a, false, true), extra),
  command('cf.del', 3, 'write fast', [1, 1, 1], 'cuckoo', cfDelCommand, extra),
  command('cf.info', 2, 'readonly fast', [1, 1, 1], 'cuckoo', cfInfoCommand, extra),
];

/*
 * Bloom filter commands (RedisBloom's BF.*, core in Redis 8): scalable
 * Bloom filters with RedisBloom's defaults (error rate 0.01, capacity 100,
 * expansion 2), replies and error texts.
 *
 * Also the helpers shared by the probabilistic families (cuckoo.ts,
 * cms.ts, topk.ts, tdigest.ts): strict number parsing as the module API,
 * boolean replies, and persistence. The five types are saved as RDB module
 * values (type MODULE_2) under RedisBloom's module type names, with encver
 * NODIS_ENCVER (1023) marking Nodis's own layout: one STRING opcode holding
 * the type's serialize() bytes, then EOF. A module value of another
 * name/encver is left to a previously registered MODULE_2 reader or refused
 * like Redis does without the module. AOF rewrites emit RESTORE with a
 * DUMP payload.
 */

import type { Client } from '../server/client';
import { command, type CommandDef } from './types';
import { E } from '../errors';
import { NOTIFY, keyChanged, lookupRead, lookupWrite, is } from './util';
import { ScalingBloom } from '../types/bloom';
import { isString, type TypeName, type Value } from '../types/value';
import { parseDouble, parseInt64Num } from '../util/numbers';
import { CODECS, READERS } from '../persistence/codecs';
import { RdbError, T, moduleTypeName } from '../persistence/rdb';
import { dumpPayload } from './dump';

// ----------------------------------------------------------------------------
// Shared helpers
// ----------------------------------------------------------------------------

/** RedisModule_StringToLongLong: a strict 64-bit integer (as a JS number), or null. */
export function toLongLong(s: string): number | null {
  return parseInt64Num(s);
}

/** RedisModule_StringToDouble: a strict double, or null (NaN is refused). */
export function toDouble(s: string): number | null {
  const d = parseDouble(s);
  return d === null || Number.isNaN(d) ? null : d;
}

/** A boolean: `#t/#f` in RESP3, `:1/:0` in RESP2. */
export function replyBool(c: Client, b: boolean): void {
  c.w.bool(b);
}

export function wrongArity(c: Client, args: string[]): void {
  c.w.error(E.WRONG_ARITY(args[0].toLowerCase()));
}

/** Type check of a looked-up value; null after replying WRONGTYPE. */
export function typed<V>(c: Client, v: Value | undefined, type: TypeName): V | undefined | null {
  if (v === undefined) return undefined;
  if (isString(v) || v.type !== type) {
    c.w.error(E.WRONGTYPE);
    return null;
  }
  return v as unknown as V;
}

/** Index of `word` (case-insensitive) in args[from..], or -1 (RMUtil_ArgIndex). */
export function argIndex(args: string[], word: string, from: number): number {
  for (let i = from; i < args.length; i++) if (is(args[i], word)) return i;
  return -1;
}

/** C's printf("%f"). */
export function fmtF(d: number): string {
  return d.toFixed(6);
}

const NODIS_ENCVER = 1023;
const MODULE_OPCODE_EOF = 0;
const MODULE_OPCODE_STRING = 5;
const MODULE_CHARSET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The 64-bit module type id of a 9-character name and an encoding version. */
function moduleId(name: string, encver: number): bigint {
  let id = 0n;
  for (let i = 0; i < 9; i++) id = (id << 6n) | BigInt(MODULE_CHARSET.indexOf(name[i]));
  return (id << 10n) | BigInt(encver);
}

interface Serializable {
  serialize(): Buffer;
}

const moduleLoaders = new Map<string, (b: Buffer) => Value>();
let previousModuleReader: ReturnType<typeof READERS.get> | null = null;

/** Register RDB/AOF persistence of a probabilistic type. */
export function registerProbabilisticType(name: TypeName, load: (b: Buffer) => Value): void {
  moduleLoaders.set(name, load);
  CODECS.set(name, {
    type: name,
    rdbType: () => T.MODULE_2,
    write(w, v) {
      w.lenBig(moduleId(name, NODIS_ENCVER));
      w.len(MODULE_OPCODE_STRING);
      w.string((v as unknown as Serializable).serialize());
      w.len(MODULE_OPCODE_EOF);
    },
    rewrite(key, v, emit) {
      const p = dumpPayload(v, false);
      emit(['RESTORE', key, '0', p.latin1Slice(0, p.length), 'REPLACE']);
    },
  });
  if (previousModuleReader === null) {
    previousModuleReader = READERS.get(T.MODULE_2);
    const prev = previousModuleReader;
    READERS.set(T.MODULE_2, (r, ctx, type) => {
      const start = r.pos;
      const id = r.lenBig();
      const name = moduleTypeName(id);
      const load = moduleLoaders.get(name);
      if (load === undefined || Number(id & 1023n) !== NODIS_ENCVER) {
        if (prev !== undefined) {
          r.pos = start;
          return prev(r, ctx, type);
        }
        throw new RdbError(`The RDB file contains module data I can't load: no matching module type '${name}'`, true);
      }
      if (r.len() !== MODULE_OPCODE_STRING) throw new RdbError(`Bad ${name} value`);
      const body = r.stringBytes();
      if (r.len() !== MODULE_OPCODE_EOF) throw new RdbError(`Bad ${name} value`);
      try {
        return load(Buffer.from(body));
      } catch (e) {
        throw new RdbError(`Bad ${name} value: ${(e as Error).message}`);
      }
    });
  }
}

registerProbabilisticType('MBbloom--', (b) => ScalingBloom.deserialize(b));

// ----------------------------------------------------------------------------
// Errors and limits
// ----------------------------------------------------------------------------

const ERR_NOT_FOUND = 'ERR not found';
const ERR_ITEM_EXISTS = 'ERR item exists';
const ERR_FULL = 'ERR non scaling filter is full';

const BF_DEFAULT_ERROR = 0.01;
const BF_DEFAULT_CAPACITY = 100;
const BF_DEFAULT_EXPANSION = 2;
const BF_ERROR_RATE_CAP = 0.25;
const BF_CAPACITY_MAX = 2 ** 30;
const BF_EXPANSION_MAX = 32768;

function validErrorRate(e: number): boolean {
  return e > 0 && e < 1;
}

function validCapacity(n: number): boolean {
  return n >= 1 && n <= BF_CAPACITY_MAX;
}

function validExpansion(n: number): boolean {
  return n >= 0 && n <= BF_EXPANSION_MAX;
}

/** A new filter; null after replying when its bit array cannot be allocated. */
function newBloom(c: Client, capacity: number, error: number, expansion: number, nonScaling: boolean): ScalingBloom | null {
  try {
    return new ScalingBloom(capacity, error, expansion, nonScaling);
  } catch {
    c.w.error('ERR Insufficient memory to create filter');
    return null;
  }
}

/** The filter at `key` for reading: undefined when missing, null after WRONGTYPE. */
function getBloom(c: Client, key: string, write: boolean): ScalingBloom | undefined | null {
  return typed<ScalingBloom>(c, write ? lookupWrite(c, key) : lookupRead(c, key), 'MBbloom--');
}

// ----------------------------------------------------------------------------
// Commands
// ----------------------------------------------------------------------------

/* BF.RESERVE key error_rate capacity [EXPANSION expansion] [NONSCALING] */
function bfReserveCommand(c: Client, args: string[]): void {
  if (args.length > 7) return wrongArity(c, args);
  let error = toDouble(args[2]);
  if (error === null) return c.w.error('ERR bad error rate');
  if (!validErrorRate(error)) return c.w.error(`ERR error rate must be in the range (${fmtF(0)}, ${fmtF(1)})`);
  if (error > BF_ERROR_RATE_CAP) error = BF_ERROR_RATE_CAP;
  const capacity = toLongLong(args[3]);
  if (capacity === null) return c.w.error('ERR bad capacity');
  if (!validCapacity(capacity)) return c.w.error(`ERR capacity must be in the range [1, ${BF_CAPACITY_MAX}]`);
  let nonScaling = argIndex(args, 'nonscaling', 4) !== -1;
  let expansion = BF_DEFAULT_EXPANSION;
  const ex = argIndex(args, 'expansion', 4);
  if (ex + 1 === args.length) return c.w.error('ERR no expansion');
  if (ex !== -1) {
    const e = toLongLong(args[ex + 1]);
    if (e === null) return c.w.error('ERR bad expansion');
    if (e === 0) nonScaling = true;
    else if (nonScaling) return c.w.error('Nonscaling filters cannot expand');
    if (!validExpansion(e)) return c.w.error(`ERR expansion must be in the range [0, ${BF_EXPANSION_MAX}]`);
    expansion = e;
  }
  const key = args[1];
  const cur = getBloom(c, key, true);
  if (cur === null) return;
  if (cur !== undefined) return c.w.error(ERR_ITEM_EXISTS);
  const sb = newBloom(c, capacity, error, expansion, nonScaling);
  if (sb === null) return;
  c.db.set(key, sb);
  keyChanged(c, c.db, key, NOTIFY.MODULE, 'bf.reserve');
  c.w.ok();
}

interface InsertOptions {
  capacity: number;
  error: number;
  expansion: number;
  nonScaling: boolean;
  autocreate: boolean;
  multi: boolean;
}

function defaultInsertOptions(multi: boolean): InsertOptions {
  return { capacity: BF_DEFAULT_CAPACITY, error: BF_DEFAULT_ERROR, expansion: BF_DEFAULT_EXPANSION, nonScaling: false, autocreate: true, multi };
}

function bfInsertCommon(c: Client, key: string, items: string[], o: InsertOptions, event: string): void {
  let sb = getBloom(c, key, true);
  if (sb === null) return;
  if (sb === undefined) {
    if (!o.autocreate) return c.w.error(ERR_NOT_FOUND);
    sb = newBloom(c, o.capacity, o.error, o.expansion, o.nonScaling);
    if (sb === null) return;
    c.db.set(key, sb);
  }
  const results: number[] = [];
  for (const item of items) {
    let rv: number;
    try {
      rv = sb.add(item);
    } catch {
      rv = -1; // a new link could not be allocated
    }
    results.push(rv);
    if (rv < 0) break;
  }
  if (o.multi) c.w.arrayHeader(results.length);
  for (const rv of results) {
    if (rv === -2) c.w.error(ERR_FULL);
    else if (rv === -1) c.w.error('ERR problem inserting into filter');
    else replyBool(c, rv === 1);
  }
  keyChanged(c, c.db, key, NOTIFY.MODULE, event);
}

/* BF.ADD key item */
function bfAddCommand(c: Client, args: string[]): void {
  bfInsertCommon(c, args[1], [args[2]], defaultInsertOptions(false), 'bf.add');
}

/* BF.MADD key item [item ...] */
function bfMaddCommand(c: Client, args: string[]): void {
  bfInsertCommon(c, args[1], args.slice(2), defaultInsertOptions(true), 'bf.madd');
}

/* BF.INSERT key [CAPACITY capacity] [ERROR error] [EXPANSION expansion] [NOCREATE] [NONSCALING] ITEMS item [item ...] */
function bfInsertCommand(c: Client, args: string[]): void {
  const o = defaultInsertOptions(true);
  let itemsAt = -1;
  let pos = 2;
  while (pos < args.length && itemsAt < 0) {
    const a = args[pos].toLowerCase();
    switch (a[0]) {
      case 'i':
        itemsAt = ++pos;
        break;
      case 'e': {
        if (++pos === args.length) return wrongArity(c, args);
        if (a[1] === 'r') {
          const e = toDouble(args[pos++]);
          if (e === null || !validErrorRate(e)) return c.w.error('Bad error rate');
          o.error = Math.min(e, BF_ERROR_RATE_CAP);
        } else {
          const e = toLongLong(args[pos++]);
          if (e === null || !validExpansion(e)) return c.w.error('Bad expansion');
          o.expansion = e;
        }
        break;
      }
      case 'c': {
        if (++pos === args.length) return wrongArity(c, args);
        const n = toLongLong(args[pos++]);
        if (n === null || !validCapacity(n)) return c.w.error('Bad capacity');
        o.capacity = n;
        break;
      }
      case 'n':
        if (a[2] === 'c') o.autocreate = false;
        else o.nonScaling = true;
        pos++;
        break;
      default:
        return c.w.error('Unknown argument received');
    }
  }
  if (o.expansion === 0) o.nonScaling = true;
  if (itemsAt < 0 || itemsAt === args.length) return wrongArity(c, args);
  bfInsertCommon(c, args[1], args.slice(itemsAt), o, 'bf.insert');
}

/** The filter at `key` for BF.EXISTS/MEXISTS: a key of another type reads as no filter (as RedisBloom). */
function bloomForCheck(c: Client, key: string): ScalingBloom | undefined {
  const v = lookupRead(c, key);
  return v !== undefined && !isString(v) && v.type === 'MBbloom--' ? (v as ScalingBloom) : undefined;
}

/* BF.EXISTS key item */
function bfExistsCommand(c: Client, args: string[]): void {
  const sb = bloomForCheck(c, args[1]);
  replyBool(c, sb !== undefined && sb.exists(args[2]));
}

/* BF.MEXISTS key item [item ...] */
function bfMexistsCommand(c: Client, args: string[]): void {
  const sb = bloomForCheck(c, args[1]);
  c.w.arrayHeader(args.length - 2);
  for (let i = 2; i < args.length; i++) replyBool(c, sb !== undefined && sb.exists(args[i]));
}

const INFO_FIELDS: Record<string, [string, (sb: ScalingBloom) => number | null]> = {
  capacity: ['Capacity', (sb) => sb.totalCapacity()],
  size: ['Size', (sb) => sb.memoryUsage()],
  filters: ['Number of filters', (sb) => sb.links.length],
  items: ['Number of items inserted', (sb) => sb.items],
  expansion: ['Expansion rate', (sb) => (sb.nonScaling ? null : sb.expansion)],
};

function intOrNull(c: Client, n: number | null): void {
  if (n === null) c.w.nullBulk();
  else c.w.int(n);
}

/* BF.INFO key [CAPACITY | SIZE | FILTERS | ITEMS | EXPANSION] */
function bfInfoCommand(c: Client, args: string[]): void {
  if (args.length > 3) return wrongArity(c, args);
  const sb = getBloom(c, args[1], false);
  if (sb === null) return;
  if (sb === undefined) return c.w.error(ERR_NOT_FOUND);
  if (args.length === 3) {
    const f = INFO_FIELDS[args[2].toLowerCase()];
    if (f === undefined) return c.w.error('Invalid information value');
    if (c.w.proto === 3) {
      c.w.mapHeader(1);
      c.w.simple(f[0]);
    } else c.w.arrayHeader(1);
    intOrNull(c, f[1](sb));
    return;
  }
  const names = Object.keys(INFO_FIELDS);
  c.w.mapHeader(names.length);
  for (const n of names) {
    const f = INFO_FIELDS[n];
    c.w.simple(f[0]);
    intOrNull(c, f[1](sb));
  }
}

/* BF.CARD key */
function bfCardCommand(c: Client, args: string[]): void {
  const sb = getBloom(c, args[1], false);
  if (sb === null) return;
  c.w.int(sb === undefined ? 0 : sb.items);
}

// ----------------------------------------------------------------------------
// Table
// ----------------------------------------------------------------------------

const extra = { group: 'bf', since: '1.0.0' };

export const commands: CommandDef[] = [
  command('bf.reserve', -4, 'write denyoom fast', [1, 1, 1], 'bloom', bfReserveCommand, extra),
  command('bf.add', 3, 'write denyoom', [1, 1, 1], 'bloom', bfAddCommand, extra),
  command('bf.madd', -3, 'write denyoom', [1, 1, 1], 'bloom', bfMaddCommand, extra),
  command('bf.insert', -4, 'write denyoom', [1, 1, 1], 'bloom', bfInsertCommand, extra),
  command('bf.exists', 3, 'readonly fast', [1, 1, 1], 'bloom', bfExistsCommand, extra),
  command('bf.mexists', -3, 'readonly fast', [1, 1, 1], 'bloom', bfMexistsCommand, extra),
  command('bf.info', -2, 'readonly fast', [1, 1, 1], 'bloom', bfInfoCommand, extra),
  command('bf.card', 2, 'readonly fast', [1, 1, 1], 'bloom', bfCardCommand, { group: 'bf', since: '2.4.4' }),
];

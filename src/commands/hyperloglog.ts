/*
 * HyperLogLog commands: PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST.
 *
 * An HLL is a plain string value (GET/SET/APPEND see its bytes) in Redis's
 * exact format (src/types/hyperloglog.ts). Values are read through a Buffer
 * view and written back as Buffers.
 */

import type { Client } from '../server/client';
import { command, type CommandDef } from './types';
import { E } from '../errors';
import { NOTIFY, keyChanged, lookupRead, lookupWrite } from './util';
import { isString, type StringValue } from '../types/value';
import {
  HLL_DENSE,
  HLL_HDR_SIZE,
  HLL_REGISTERS,
  HLL_SPARSE,
  HllBuf,
  createHll,
  denseGet,
  hllAdd,
  hllCount,
  hllCountRaw,
  hllMerge,
  hllSelfTest,
  hllSetRegister,
  isValidHll,
  sparseDecode,
  sparseToDense,
} from '../types/hyperloglog';

const ERR_INVALID_HLL = 'INVALIDOBJ Corrupted HLL object detected';
const ERR_NOT_HLL = 'WRONGTYPE Key is not a valid HyperLogLog string value.';

// ----------------------------------------------------------------------------
// Helpers
// ----------------------------------------------------------------------------

/**
 * The HLL string at `key` for a command: undefined when missing, null after
 * replying WRONGTYPE (another type, or a string that is not an HLL).
 */
function hllValueOrReply(c: Client, key: string, write: boolean): StringValue | undefined | null {
  const v = write ? lookupWrite(c, key) : lookupRead(c, key);
  if (v === undefined) return undefined;
  if (!isString(v)) {
    c.w.error(E.WRONGTYPE);
    return null;
  }
  if (!isValidHll(v)) {
    c.w.error(ERR_NOT_HLL);
    return null;
  }
  return v;
}

function bytesOf(v: StringValue): Buffer {
  return typeof v === 'string' ? Buffer.from(v, 'latin1') : v;
}

function sparseMax(c: Client): number {
  return c.server.config.num('hll-sparse-max-bytes');
}

/** Store a working copy back under `key` (keeping the TTL). */
function storeHll(c: Client, key: string, h: HllBuf, existed: boolean): void {
  const out = h.value();
  if (existed) c.db.update(key, out);
  else c.db.set(key, out);
}

// ----------------------------------------------------------------------------
// PFADD, PFCOUNT, PFMERGE
// ----------------------------------------------------------------------------

/* PFADD key [element [element ...]] */
function pfaddCommand(c: Client, args: string[]): void {
  const key = args[1];
  const v = hllValueOrReply(c, key, true);
  if (v === null) return;
  let updated = 0;
  const h = v === undefined ? HllBuf.from(createHll()) : HllBuf.from(v);
  if (v === undefined) updated++;
  const max = sparseMax(c);
  for (let j = 2; j < args.length; j++) {
    const r = hllAdd(h, args[j], max);
    if (r === 1) updated++;
    else if (r === -1) {
      c.w.error(ERR_INVALID_HLL);
      return;
    }
  }
  if (updated) {
    h.invalidateCache();
    storeHll(c, key, h, v !== undefined);
    keyChanged(c, c.db, key, NOTIFY.STRING, 'pfadd');
    c.server.dirty += updated - 1;
  }
  c.w.int(updated ? 1 : 0);
}

/* PFCOUNT key [key ...] */
function pfcountCommand(c: Client, args: string[]): void {
  if (args.length > 2) {
    const max = new Uint8Array(HLL_REGISTERS);
    for (let j = 1; j < args.length; j++) {
      const v = hllValueOrReply(c, args[j], false);
      if (v === null) return;
      if (v === undefined) continue;
      const b = bytesOf(v);
      if (!hllMerge(max, b, b.length)) {
        c.w.error(ERR_INVALID_HLL);
        return;
      }
    }
    c.w.int(hllCountRaw(max));
    return;
  }
  const key = args[1];
  const v = hllValueOrReply(c, key, false);
  if (v === null) return;
  if (v === undefined) {
    c.w.int(0);
    return;
  }
  const h = HllBuf.from(v);
  if (h.cacheValid()) {
    c.w.int(h.cachedCard());
    return;
  }
  const card = hllCount(h.buf, h.len);
  if (card === null) {
    c.w.error(ERR_INVALID_HLL);
    return;
  }
  h.setCachedCard(card);
  storeHll(c, key, h, true);
  // A read-only command that modifies the cached value: signal and propagate it.
  c.server.signalModifiedKey(c.db, key);
  c.server.dirty++;
  c.w.int(card);
}

/* PFMERGE destkey [sourcekey [sourcekey ...]] */
function pfmergeCommand(c: Client, args: string[]): void {
  const max = new Uint8Array(HLL_REGISTERS);
  let useDense = false;
  for (let j = 1; j < args.length; j++) {
    const v = hllValueOrReply(c, args[j], false);
    if (v === null) return;
    if (v === undefined) continue;
    const b = bytesOf(v);
    if (b[4] === HLL_DENSE) useDense = true;
    if (!hllMerge(max, b, b.length)) {
      c.w.error(ERR_INVALID_HLL);
      return;
    }
  }
  const key = args[1];
  const cur = lookupWrite(c, key);
  const existed = cur !== undefined;
  const h = existed ? HllBuf.from(cur as StringValue) : HllBuf.from(createHll());
  if (useDense && !sparseToDense(h)) {
    c.w.error(ERR_INVALID_HLL);
    return;
  }
  const maxBytes = sparseMax(c);
  for (let j = 0; j < HLL_REGISTERS; j++) {
    if (max[j] === 0) continue;
    hllSetRegister(h, j, max[j], maxBytes);
  }
  h.invalidateCache();
  storeHll(c, key, h, existed);
  keyChanged(c, c.db, key, NOTIFY.STRING, 'pfadd');
  c.w.ok();
}

// ----------------------------------------------------------------------------
// PFDEBUG, PFSELFTEST
// ----------------------------------------------------------------------------

/* PFDEBUG subcommand key */
function pfdebugCommand(c: Client, args: string[]): void {
  const sub = args[1];
  const cmd = sub.toLowerCase();
  const key = args[2];
  const v = lookupWrite(c, key);
  if (v === undefined) {
    c.w.error('ERR The specified key does not exist');
    return;
  }
  const hv = hllValueOrReply(c, key, true);
  if (hv === null || hv === undefined) return;
  const h = HllBuf.from(hv);
  if (cmd === 'getreg') {
    if (h.encoding === HLL_SPARSE) {
      if (!sparseToDense(h)) {
        c.w.error(ERR_INVALID_HLL);
        return;
      }
      storeHll(c, key, h, true);
      c.server.dirty++;
    }
    c.w.arrayHeader(HLL_REGISTERS);
    for (let j = 0; j < HLL_REGISTERS; j++) c.w.int(denseGet(h.buf, HLL_HDR_SIZE, j));
  } else if (cmd === 'decode') {
    if (h.encoding !== HLL_SPARSE) {
      c.w.error('ERR HLL encoding is not sparse');
      return;
    }
    c.w.bulk(sparseDecode(h.buf, h.len));
  } else if (cmd === 'encoding') {
    c.w.simple(h.encoding === HLL_DENSE ? 'dense' : 'sparse');
  } else if (cmd === 'todense') {
    let conv = 0;
    if (h.encoding === HLL_SPARSE) {
      if (!sparseToDense(h)) {
        c.w.error(ERR_INVALID_HLL);
        return;
      }
      storeHll(c, key, h, true);
      conv = 1;
      c.server.dirty++;
    }
    c.w.int(conv);
  } else {
    c.w.error(`ERR Unknown PFDEBUG subcommand '${sub}'`);
  }
}

/* PFSELFTEST */
function pfselftestCommand(c: Client): void {
  const err = hllSelfTest(c.server.config.num('hll-sparse-max-bytes'));
  if (err === null) c.w.ok();
  else c.w.error(err);
}

export const commands: CommandDef[] = [
  command('pfadd', -2, 'write denyoom fast', [1, 1, 1], 'hyperloglog', pfaddCommand, { since: '2.8.9' }),
  command('pfcount', -2, 'readonly may_replicate', [1, -1, 1], 'hyperloglog', pfcountCommand, { since: '2.8.9' }),
  command('pfmerge', -2, 'write denyoom', [1, -1, 1], 'hyperloglog', pfmergeCommand, { since: '2.8.9' }),
  command('pfdebug', 3, 'write denyoom admin', [2, 2, 1], 'hyperloglog', pfdebugCommand, { since: '2.8.9' }),
  command('pfselftest', 1, 'admin', [0, 0, 0], 'hyperloglog', pfselftestCommand, { since: '2.8.9' }),
];

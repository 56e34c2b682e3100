/*
 * Size estimates for the memory accounting (see docs/MEMORY.md).
 *
 * A key costs a fixed overhead (its dict entry, its access-data entry and
 * string headers) plus its name and its value. Strings and Buffers are
 * measured exactly by length. Collections report their own estimate
 * (memoryUsage()), which walks their elements; to keep each write O(1) that
 * figure is cached per object and scaled by the element count until the
 * count has halved or doubled since the last walk (amortised O(1) per
 * element added or removed).
 */

import type { Value } from '../types/value';

/** Bytes charged for a key besides its name and value. */
export const KEY_OVERHEAD = 72;
const SMALL = 64;

interface Measured {
  n: number;
  bytes: number;
}

const measured = new WeakMap<object, Measured>();

/** Estimated bytes of value `v` (no key overhead). */
export function valueBytes(v: Value): number {
  if (typeof v === 'string') return 16 + v.length;
  if (Buffer.isBuffer(v)) return 96 + v.length;
  const o = v as { memoryUsage?: () => number; size(): number };
  const n = o.size();
  if (typeof o.memoryUsage !== 'function') return 48 + 64 * n;
  if (n <= SMALL) return o.memoryUsage();
  const m = measured.get(o);
  if (m !== undefined && n <= m.n * 2 && n * 2 >= m.n) return Math.round((m.bytes * n) / m.n);
  const bytes = o.memoryUsage();
  measured.set(o, { n, bytes });
  return bytes;
}

/** Forget the cached walk of a collection (the next estimate walks it again). */
export function remeasure(v: Value): void {
  if (typeof v === 'object' && !Buffer.isBuffer(v)) measured.delete(v);
}

/** Estimated bytes of a key holding a string of `len` bytes (as keyBytes would say). */
export function stringKeyBytes(key: string, len: number): number {
  return KEY_OVERHEAD + key.length + 16 + len;
}

/** Estimated bytes of a key holding `v`. */
export function keyBytes(key: string, v: Value): number {
  return KEY_OVERHEAD + key.length + valueBytes(v);
}

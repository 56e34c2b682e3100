/*
 * The values stored in the keyspace.
 *
 * A string value is a latin1 JS string (one char per byte), or a Buffer once
 * it has been mutated in place (SETRANGE, SETBIT, APPEND on large values), so
 * bitmaps and growing strings are not copied on every write. Every other type
 * is an object with a `type` tag, defined in its own module under src/types/.
 */

export type TypeName = 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream' | 'ReJSON-RL'
  // Probabilistic types (TYPE reports RedisBloom's module type names).
  | 'MBbloom--' | 'MBbloomCF' | 'CMSk-TYPE' | 'TopK-TYPE' | 'TDIS-TYPE';

/** Base shape of every non-string value. */
export interface RObject {
  readonly type: Exclude<TypeName, 'string'>;
  /** OBJECT ENCODING name for the current contents. */
  encoding(): string;
  /** A deep copy (COPY, snapshots). */
  clone(): RObject;
  /** Number of elements (for lazy-free decisions and MEMORY USAGE estimates). */
  size(): number;
}

export type StringValue = string | Buffer;
export type Value = StringValue | RObject;

export function typeOf(v: Value): TypeName {
  if (isString(v)) return 'string';
  return v.type;
}

export function isString(v: Value): v is StringValue {
  return typeof v === 'string' || Buffer.isBuffer(v);
}

export function isBuffer(v: Value): v is Buffer {
  return Buffer.isBuffer(v);
}

/** A string value as a latin1 JS string. */
export function strOf(v: StringValue): string {
  return typeof v === 'string' ? v : v.latin1Slice(0, v.length);
}

export function strLen(v: StringValue): number {
  return v.length;
}

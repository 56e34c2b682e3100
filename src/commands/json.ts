/*
 * JSON commands (Redis 8's core JSON type, the RedisJSON 2.x command set):
 * JSON.SET/GET/MGET/MSET/DEL/FORGET/TYPE, string, number, boolean, array and
 * object commands, JSON.MERGE, JSON.RESP and JSON.DEBUG MEMORY.
 *
 * Paths: a path starting with `$` is JSONPath and commands reply with one
 * entry per match (null where the match has the wrong type); any other path
 * is legacy and commands reply with a single value, failing with
 * "ERR Path '...' does not exist" or "WRONGTYPE wrong type of path value"
 * errors. When a path is optional it defaults to the legacy root ".".
 *
 * Values are JsonObject (src/types/json.ts); they are persisted as a module
 * value of type "ReJSON-RL" (see the codec at the end of this file).
 */

import type { Client } from '../server/client';
import { command, type CommandDef } from './types';
import { E } from '../errors';
import { NOTIFY, keyChanged, lookupRead, lookupWrite, is } from './util';
import { isString } from '../types/value';
import {
  JsonObject,
  JsonParseError,
  I64_MAX,
  I64_MIN,
  deepClone,
  isArray,
  isObject,
  isValidUtf8,
  jsonEquals,
  jsonMemory,
  jsonTypeName,
  parseJson,
  serializeJson,
  serializeJsonPretty,
  type JObject,
  type JValue,
} from '../types/json';
import { PathError, evalSegments, evaluate, isRootPath, isStaticPath, parsePath, splitLastName, type Match, type ParsedPath } from '../json/path';
import { CODECS, READERS } from '../persistence/codecs';
import { RdbError } from '../persistence/rdb';

// ----------------------------------------------------------------------------
// Errors
// ----------------------------------------------------------------------------

const ERR_NEW_AT_ROOT = 'ERR new objects must be created at the root';
const ERR_NO_KEY = "ERR could not perform this operation on a key that doesn't exist";
const ERR_INDEX_OOB = 'ERR index out of bounds';
const ERR_INDEX_RANGE = 'ERR array index out of range';
const ERR_STATIC_PATH = 'Err wrong static path';
// redis-module errors without a code are sent as given (no "ERR").
const ERR_PARSE_INT = "Couldn't parse as integer";
// RedisJSON sends these without an error code (RedisModule_ReplyWithError "-%s").
const ERR_NOT_NUMBER = 'result is not a number';
const ERR_BAD_NUMBER = 'bad input number';
const ERR_UTF8 = "Couldn't parse as UTF-8 string";

const errPath = (p: string): string => `ERR Path '${p}' does not exist`;
const errPathOr = (p: string, or: string): string => `ERR Path '${p}' does not exist or ${or}`;
const errExpected = (expected: string, v: JValue): string => `WRONGTYPE wrong type of path value - expected ${expected} but found ${jsonTypeName(v)}`;
const errArity = (name: string): string => `ERR wrong number of arguments for '${name}' command`;

// ----------------------------------------------------------------------------
// Helpers
// ----------------------------------------------------------------------------

/** The JSON value at `key`: undefined when missing, null after replying WRONGTYPE. */
function getJson(c: Client, key: string, write: boolean): JsonObject | undefined | null {
  const v = write ? lookupWrite(c, key) : lookupRead(c, key);
  if (v === undefined) return undefined;
  if (isString(v) || !(v instanceof JsonObject)) {
    c.w.error(E.WRONGTYPE);
    return null;
  }
  return v;
}

function pathOrReply(c: Client, s: string): ParsedPath | null {
  if (!isValidUtf8(s)) {
    c.w.error(ERR_UTF8);
    return null;
  }
  try {
    return parsePath(s);
  } catch (e) {
    if (e instanceof PathError) {
      c.w.error(e.message);
      return null;
    }
    throw e;
  }
}

/** Parse a JSON argument; undefined after replying the parse error. */
function jsonOrReply(c: Client, s: string): JValue | undefined {
  if (!isValidUtf8(s)) {
    c.w.error(ERR_UTF8);
    return undefined;
  }
  try {
    return parseJson(s);
  } catch (e) {
    if (e instanceof JsonParseError) {
      // serde_json's message as is: "expected value at line 1 column 1".
      c.w.error(e.message);
      return undefined;
    }
    throw e;
  }
}

function intOrReply(c: Client, s: string): number | null {
  if (!/^[+-]?\d{1,19}$/.test(s)) {
    c.w.error(ERR_PARSE_INT);
    return null;
  }
  return Number(s);
}

/** Replace the value of a match in its container (or the root). */
function setAt(doc: JsonObject, m: Match, v: JValue): void {
  m.value = v;
  if (m.parent === null) doc.root = v;
  else if (isArray(m.parent)) m.parent[m.key as number] = v;
  else (m.parent as JObject).set(m.key as string, v);
}

function bulkJson(c: Client, v: JValue): void {
  c.w.bulk(serializeJson(v));
}

function changed(c: Client, key: string, event: string): void {
  keyChanged(c, c.db, key, NOTIFY.MODULE, event);
}

/** Store a new document, or replace the root of an existing one. */
function storeRoot(c: Client, key: string, doc: JsonObject | undefined, v: JValue): void {
  if (doc === undefined) c.db.set(key, new JsonObject(v));
  else doc.root = v;
}

/**
 * How a legacy path reports problems (RedisJSON has two code paths):
 * - 'first': the first match only; none → "ERR Path '$.x' does not exist",
 *   wrong type → "WRONGTYPE wrong type of path value - expected T but found U".
 * - 'filter' (writers): every match of the right type; none →
 *   "ERR Path '<path>' does not exist or <or>" (the `$` form, or the path as
 *   given when `original`).
 */
type LegacyRule = { kind: 'first'; expected: string } | { kind: 'filter'; or: string; original?: boolean };

/**
 * Per-match command core. JSONPath: one result per match, null for matches
 * of the wrong type. Legacy: see LegacyRule; null after replying an error.
 */
function perMatch<T>(c: Client, doc: JsonObject, p: ParsedPath, test: (v: JValue) => boolean, rule: LegacyRule, fn: (m: Match) => T): (T | null)[] | null {
  const ms = evaluate(p, doc.root);
  if (!p.legacy) return ms.map((m) => (test(m.value) ? fn(m) : null));
  if (rule.kind === 'first') {
    if (ms.length === 0) {
      c.w.error(errPath(p.text));
      return null;
    }
    if (!test(ms[0].value)) {
      c.w.error(errExpected(rule.expected, ms[0].value));
      return null;
    }
    return [fn(ms[0])];
  }
  const ok = ms.filter((m) => test(m.value));
  if (ok.length === 0) {
    c.w.error(errPathOr(rule.original === true ? p.original : p.text, rule.or));
    return null;
  }
  return ok.map(fn);
}

/** Reply: integers (JSONPath, with nulls) or the last integer (legacy). */
function replyInts(c: Client, p: ParsedPath, res: (number | null)[]): void {
  if (p.legacy) {
    c.w.int(res[res.length - 1] as number);
    return;
  }
  c.w.arrayHeader(res.length);
  for (const r of res) {
    if (r === null) c.w.nullBulk();
    else c.w.int(r);
  }
}

const isStr = (v: JValue): boolean => typeof v === 'string';
const isArr = (v: JValue): boolean => Array.isArray(v);
const isNumber = (v: JValue): boolean => typeof v === 'number' || typeof v === 'bigint';
const isBool = (v: JValue): boolean => typeof v === 'boolean';

/**
 * Why a path without matches cannot be created (null: it can, or it is a
 * no-op): not static, or ending with an array index (out of range, unless
 * NX on a value that is present).
 */
function addPathError(doc: JsonObject, p: ParsedPath, nx: boolean): string | null {
  if (!isStaticPath(p)) return ERR_STATIC_PATH;
  if (splitLastName(p) === null) return nx && evaluate(p, doc.root).length > 0 ? null : ERR_INDEX_RANGE;
  return null;
}

/**
 * Set a value at path `p` (not the root) of an existing document
 * (JSON.SET/MSET/MERGE): replace every match (unless NX), else add a member
 * to the parent objects when the path is static and ends with a name.
 * `make(old)` builds the value for one place (undefined: delete it).
 * Returns whether anything was written, or the error to reply.
 */
function setInDoc(doc: JsonObject, p: ParsedPath, make: (old: JValue | undefined) => JValue | undefined, nx: boolean, xx: boolean): boolean | string {
  if (!nx) {
    const ms = evaluate(p, doc.root);
    if (ms.length > 0) {
      // Deepest first, and array members from the end, so deletions keep indexes valid.
      for (let i = ms.length - 1; i >= 0; i--) {
        const m = ms[i];
        const v = make(m.value);
        if (v === undefined) {
          if (m.parent === null) continue;
          if (isArray(m.parent)) m.parent.splice(m.key as number, 1);
          else (m.parent as JObject).delete(m.key as string);
        } else setAt(doc, m, v);
      }
      return true;
    }
  }
  if (xx) return false;
  const e = addPathError(doc, p, nx);
  if (e !== null) return e;
  const split = splitLastName(p);
  if (split === null) return false;
  const parents = evalSegments(split.parent, { value: doc.root, parent: null, key: '' }, doc.root);
  let done = false;
  for (const pm of parents) {
    if (!isObject(pm.value) || pm.value.has(split.name)) continue;
    const v = make(undefined);
    if (v === undefined) continue;
    pm.value.set(split.name, v);
    done = true;
  }
  return done;
}

// ----------------------------------------------------------------------------
// JSON.SET, JSON.GET, JSON.MGET, JSON.MSET, JSON.DEL, JSON.TYPE
// ----------------------------------------------------------------------------

/* JSON.SET key path value [NX | XX] */
function jsonSetCommand(c: Client, args: string[]): void {
  const key = args[1];
  let nx = false;
  let xx = false;
  for (let i = 4; i < args.length; i++) {
    if (is(args[i], 'nx') && !nx && !xx) nx = true;
    else if (is(args[i], 'xx') && !nx && !xx) xx = true;
    else {
      c.w.error(E.SYNTAX);
      return;
    }
  }
  const p = pathOrReply(c, args[2]);
  if (p === null) return;
  const doc = getJson(c, key, true);
  if (doc === null) return;
  const v = jsonOrReply(c, args[3]);
  if (v === undefined) return;
  if (doc === undefined) {
    if (xx) {
      c.w.nullBulk();
      return;
    }
    if (!isRootPath(p)) {
      c.w.error(ERR_NEW_AT_ROOT);
      return;
    }
    c.db.set(key, new JsonObject(v));
  } else if (isRootPath(p)) {
    if (nx) {
      c.w.nullBulk();
      return;
    }
    doc.root = v;
  } else {
    let first = true;
    const make = (): JValue => {
      const out = first ? v : deepClone(v);
      first = false;
      return out;
    };
    const r = setInDoc(doc, p, make, nx, xx);
    if (typeof r === 'string') {
      c.w.error(r);
      return;
    }
    if (!r) {
      c.w.nullBulk();
      return;
    }
  }
  changed(c, key, 'json.set');
  c.w.ok();
}

interface GetFormat {
  indent: string;
  newline: string;
  space: string;
  expand: 0 | 1 | 2;
}

/** A JSON value as native RESP3 (JSON.GET FORMAT EXPAND). */
function replyExpanded(c: Client, v: JValue, depth: number): void {
  if (v === null) c.w.nullBulk();
  else if (typeof v === 'boolean') c.w.bool(v);
  else if (typeof v === 'bigint') c.w.int(v);
  else if (typeof v === 'number') c.w.double(v);
  else if (typeof v === 'string') c.w.bulk(v);
  else if (depth === 0) c.w.bulk(serializeJson(v));
  else if (Array.isArray(v)) {
    c.w.arrayHeader(v.length);
    for (const x of v) replyExpanded(c, x, depth - 1);
  } else {
    c.w.mapHeader(v.size);
    for (const [k, x] of v) {
      c.w.bulk(k);
      replyExpanded(c, x, depth - 1);
    }
  }
}

/* JSON.GET key [INDENT indent] [NEWLINE newline] [SPACE space] [FORMAT STRING|EXPAND1|EXPAND] [path ...] */
function jsonGetCommand(c: Client, args: string[]): void {
  const f: GetFormat = { indent: '', newline: '', space: '', expand: 0 };
  const paths: ParsedPath[] = [];
  for (let i = 2; i < args.length; i++) {
    const a = args[i];
    const opt = a.length <= 8 ? a.toLowerCase() : '';
    if (opt === 'indent' || opt === 'newline' || opt === 'space' || opt === 'format') {
      if (i + 1 >= args.length) {
        c.w.error(errArity(args[0]));
        return;
      }
      const val = args[++i];
      if (opt === 'indent') f.indent = val;
      else if (opt === 'newline') f.newline = val;
      else if (opt === 'space') f.space = val;
      else {
        if (c.w.proto !== 3) {
          c.w.error('ERR FORMAT argument is not supported on RESP2');
          return;
        }
        const fv = val.toLowerCase();
        if (fv === 'string') f.expand = 0;
        else if (fv === 'expand1') f.expand = 1;
        else if (fv === 'expand') f.expand = 2;
        else {
          c.w.error('ERR wrong reply format');
          return;
        }
      }
    } else if (opt === 'noescape') {
      continue;
    } else {
      const p = pathOrReply(c, a);
      if (p === null) return;
      paths.push(p);
    }
  }
  if (paths.length === 0) paths.push(parsePath('.'));
  const doc = getJson(c, args[1], false);
  if (doc === null) return;
  if (doc === undefined) {
    c.w.nullBulk();
    return;
  }
  const legacy = paths.every((p) => p.legacy);
  const depth = f.expand === 2 ? Infinity : 1;
  if (paths.length === 1) {
    const p = paths[0];
    const ms = evaluate(p, doc.root);
    if (legacy) {
      if (ms.length === 0) {
        c.w.error(errPath(p.text));
        return;
      }
      if (f.expand !== 0) replyExpanded(c, ms[0].value, depth);
      else c.w.bulk(serializeJsonPretty(ms[0].value, f));
      return;
    }
    const vals = ms.map((m) => m.value);
    if (f.expand !== 0) replyExpanded(c, vals, depth === 1 ? 1 : depth);
    else c.w.bulk(serializeJsonPretty(vals, f));
    return;
  }
  const out: JObject = new Map();
  for (const p of paths) {
    const ms = evaluate(p, doc.root);
    if (legacy) {
      if (ms.length === 0) {
        c.w.error(errPath(p.text));
        return;
      }
      out.set(p.original, ms[0].value);
    } else out.set(p.original, ms.map((m) => m.value));
  }
  if (f.expand !== 0) replyExpanded(c, out, depth === 1 ? 2 : depth);
  else c.w.bulk(serializeJsonPretty(out, f));
}

/* JSON.MGET key [key ...] path */
function jsonMgetCommand(c: Client, args: string[]): void {
  const p = pathOrReply(c, args[args.length - 1]);
  if (p === null) return;
  const n = args.length - 2;
  c.w.arrayHeader(n);
  for (let i = 1; i <= n; i++) {
    const v = lookupRead(c, args[i]);
    if (!(v instanceof JsonObject)) {
      c.w.nullBulk();
      continue;
    }
    const ms = evaluate(p, v.root);
    if (p.legacy) {
      if (ms.length === 0) c.w.nullBulk();
      else bulkJson(c, ms[0].value);
    } else bulkJson(c, ms.map((m) => m.value));
  }
}

/* JSON.MSET key path value [key path value ...] */
function jsonMsetCommand(c: Client, args: string[]): void {
  if ((args.length - 1) % 3 !== 0) {
    c.w.error(errArity(args[0]));
    return;
  }
  interface Op {
    key: string;
    p: ParsedPath;
    v: JValue;
  }
  const ops: Op[] = [];
  // Validate everything first: the command applies all or nothing.
  for (let i = 1; i < args.length; i += 3) {
    const p = pathOrReply(c, args[i + 1]);
    if (p === null) return;
    const doc = getJson(c, args[i], true);
    if (doc === null) return;
    const v = jsonOrReply(c, args[i + 2]);
    if (v === undefined) return;
    if (!isRootPath(p)) {
      if (doc === undefined) {
        c.w.error(ERR_NEW_AT_ROOT);
        return;
      }
      if (evaluate(p, doc.root).length === 0) {
        const e = addPathError(doc, p, false);
        if (e !== null) {
          c.w.error(e);
          return;
        }
      }
    }
    ops.push({ key: args[i], p, v });
  }
  for (const op of ops) {
    const doc = getJson(c, op.key, true) as JsonObject | undefined;
    let updated = true;
    if (isRootPath(op.p)) storeRoot(c, op.key, doc, op.v);
    else if (doc !== undefined) {
      let first = true;
      updated = true === setInDoc(
        doc,
        op.p,
        () => {
          const out = first ? op.v : deepClone(op.v);
          first = false;
          return out;
        },
        false,
        false,
      );
    }
    if (updated) changed(c, op.key, 'json.mset');
  }
  c.w.ok();
}

/**
 * Delete the matches of `p`; returns how many values were removed (the
 * root deletes the key). A match inside another match is not counted: only
 * the top-most one is deleted, as RedisJSON does.
 */
function deleteMatches(c: Client, key: string, doc: JsonObject, p: ParsedPath): number {
  const ms = evaluate(p, doc.root);
  if (ms.some((m) => m.parent === null)) {
    c.db.delete(key);
    return 1;
  }
  if (ms.length === 0) return 0;
  const marked = new Map<JValue[] | JObject, Set<number | string>>();
  for (const m of ms) {
    const parent = m.parent as JValue[] | JObject;
    let set = marked.get(parent);
    if (set === undefined) marked.set(parent, (set = new Set()));
    set.add(m.key);
  }
  // Walk the document: delete the top-most marked places, skip what is under them.
  const arrays: [JValue[], number[]][] = [];
  const objects: [JObject, string][] = [];
  const walk = (v: JValue): void => {
    if (isArray(v)) {
      const set = marked.get(v);
      const del: number[] = [];
      for (let i = 0; i < v.length; i++) {
        if (set !== undefined && set.has(i)) del.push(i);
        else walk(v[i]);
      }
      if (del.length > 0) arrays.push([v, del]);
    } else if (isObject(v)) {
      const set = marked.get(v);
      for (const [k, x] of v) {
        if (set !== undefined && set.has(k)) objects.push([v, k]);
        else walk(x);
      }
    }
  };
  walk(doc.root);
  for (const [o, k] of objects) o.delete(k);
  for (const [a, idx] of arrays) for (let i = idx.length - 1; i >= 0; i--) a.splice(idx[i], 1);
  return objects.length + arrays.reduce((n, [, idx]) => n + idx.length, 0);
}

/* JSON.DEL key [path] */
function jsonDelCommand(c: Client, args: string[]): void {
  if (args.length > 3) {
    c.w.error(errArity(args[0]));
    return;
  }
  const p = pathOrReply(c, args[2] ?? '.');
  if (p === null) return;
  const doc = getJson(c, args[1], true);
  if (doc === null) return;
  if (doc === undefined) {
    c.w.int(0);
    return;
  }
  const n = deleteMatches(c, args[1], doc, p);
  if (n > 0) changed(c, args[1], 'json.del');
  c.w.int(n);
}

/* JSON.TYPE key [path] */
function jsonTypeCommand(c: Client, args: string[]): void {
  if (args.length > 3) {
    c.w.error(errArity(args[0]));
    return;
  }
  const p = pathOrReply(c, args[2] ?? '.');
  if (p === null) return;
  const doc = getJson(c, args[1], false);
  if (doc === null) return;
  // RESP3 wraps the reply in one more array, whatever it is.
  if (c.w.proto === 3) c.w.arrayHeader(1);
  if (doc === undefined) {
    c.w.nullBulk();
    return;
  }
  const ms = evaluate(p, doc.root);
  if (p.legacy) {
    if (ms.length === 0) c.w.nullBulk();
    else c.w.bulk(jsonTypeName(ms[0].value));
    return;
  }
  c.w.arrayHeader(ms.length);
  for (const m of ms) c.w.bulk(jsonTypeName(m.value));
}

// ----------------------------------------------------------------------------
// Strings, numbers, booleans, CLEAR
// ----------------------------------------------------------------------------

/** Common start of STRLEN/ARRLEN/OBJLEN: the path and the document (undefined: missing). */
function lenStart(c: Client, args: string[]): { p: ParsedPath; doc: JsonObject | undefined } | null {
  if (args.length > 3) {
    c.w.error(errArity(args[0]));
    return null;
  }
  const p = pathOrReply(c, args[2] ?? '.');
  if (p === null) return null;
  const doc = getJson(c, args[1], false);
  if (doc === null) return null;
  return { p, doc };
}

/* JSON.STRLEN key [path] */
function jsonStrlenCommand(c: Client, args: string[]): void {
  const st = lenStart(c, args);
  if (st === null) return;
  const { p, doc } = st;
  if (doc === undefined) {
    if (p.legacy) c.w.nullBulk();
    else c.w.error(ERR_NO_KEY);
    return;
  }
  const res = perMatch(c, doc, p, isStr, { kind: 'first', expected: 'string' }, (m) => (m.value as string).length);
  if (res !== null) replyInts(c, p, res);
}

/* JSON.ARRLEN key [path] */
function jsonArrlenCommand(c: Client, args: string[]): void {
  const st = lenStart(c, args);
  if (st === null) return;
  const { p, doc } = st;
  if (doc === undefined) {
    if (p.legacy) c.w.nullBulk();
    else c.w.error(ERR_NO_KEY);
    return;
  }
  const ms = evaluate(p, doc.root);
  if (p.legacy) {
    if (ms.length === 0) c.w.error(errPath(p.original));
    else if (!Array.isArray(ms[0].value)) c.w.error(errPathOr(p.original, 'not an array'));
    else c.w.int(ms[0].value.length);
    return;
  }
  replyInts(c, p, ms.map((m) => (Array.isArray(m.value) ? m.value.length : null)));
}

/* JSON.OBJLEN key [path] */
function jsonObjlenCommand(c: Client, args: string[]): void {
  const st = lenStart(c, args);
  if (st === null) return;
  const { p, doc } = st;
  if (doc === undefined) {
    if (p.legacy) c.w.nullBulk();
    else c.w.error(errPathOr(p.original, 'not an object'));
    return;
  }
  const ms = evaluate(p, doc.root);
  if (p.legacy) {
    if (ms.length === 0) c.w.nullBulk();
    else if (!(ms[0].value instanceof Map)) c.w.error(errExpected('object', ms[0].value));
    else c.w.int(ms[0].value.size);
    return;
  }
  replyInts(c, p, ms.map((m) => (m.value instanceof Map ? m.value.size : null)));
}

/* JSON.STRAPPEND key [path] value */
function jsonStrappendCommand(c: Client, args: string[]): void {
  if (args.length > 4) {
    c.w.error(errArity(args[0]));
    return;
  }
  const p = pathOrReply(c, args.length === 4 ? args[2] : '.');
  if (p === null) return;
  const doc = getJson(c, args[1], true);
  if (doc === null) return;
  const v = jsonOrReply(c, args[args.length - 1]);
  if (v === undefined) return;
  if (typeof v !== 'string') {
    // RedisJSON names the argument itself as the "found" type.
    c.w.error(`WRONGTYPE wrong type of path value - expected string but found ${args[args.length - 1]}`);
    return;
  }
  if (doc === undefined) {
    c.w.error(ERR_NO_KEY);
    return;
  }
  const res = perMatch(c, doc, p, isStr, { kind: 'filter', or: 'not a string' }, (m) => {
    const s = (m.value as string) + v;
    setAt(doc, m, s);
    return s.length;
  });
  if (res === null) return;
  if (res.some((r) => r !== null)) changed(c, args[1], 'json.strappend');
  replyInts(c, p, res);
}

/**
 * One NUMINCRBY/NUMMULTBY step as RedisJSON: integer by integer wraps
 * around in i64; anything else is a float operation. null: not finite.
 */
function numOp(a: bigint | number, b: bigint | number, mul: boolean): bigint | number | null {
  if (typeof a === 'bigint' && typeof b === 'bigint' && a >= I64_MIN && a <= I64_MAX && b >= I64_MIN && b <= I64_MAX) {
    return BigInt.asIntN(64, mul ? a * b : a + b);
  }
  const r = mul ? Number(a) * Number(b) : Number(a) + Number(b);
  return Number.isFinite(r) ? r : null;
}

/* JSON.NUMINCRBY key path value, JSON.NUMMULTBY key path value */
function numGeneric(c: Client, args: string[], mul: boolean): void {
  const p = pathOrReply(c, args[2]);
  if (p === null) return;
  const doc = getJson(c, args[1], true);
  if (doc === null) return;
  const by = jsonOrReply(c, args[3]);
  if (by === undefined) return;
  if (typeof by !== 'number' && typeof by !== 'bigint') {
    c.w.error(ERR_BAD_NUMBER);
    return;
  }
  if (doc === undefined) {
    c.w.error(ERR_NO_KEY);
    return;
  }
  // Compute first: an overflow fails the whole command without writing.
  const ms = evaluate(p, doc.root);
  if (p.legacy && !ms.some((m) => isNumber(m.value))) {
    c.w.error(errPathOr(p.text, 'does not contains a number'));
    return;
  }
  const res: (bigint | number | null)[] = [];
  for (const m of ms) {
    if (!isNumber(m.value)) {
      res.push(null);
      continue;
    }
    const r = numOp(m.value as bigint | number, by, mul);
    if (r === null) {
      c.w.error(ERR_NOT_NUMBER);
      return;
    }
    res.push(r);
  }
  let any = false;
  ms.forEach((m, i) => {
    const r = res[i];
    if (r !== null) {
      setAt(doc, m, r);
      any = true;
    }
  });
  if (any) changed(c, args[1], mul ? 'json.nummultby' : 'json.numincrby');
  if (p.legacy) {
    const nums = res.filter((r) => r !== null);
    bulkJson(c, nums[nums.length - 1] as JValue);
  } else if (c.w.proto === 3) {
    c.w.arrayHeader(res.length);
    for (const r of res) {
      if (r === null) c.w.nullBulk();
      else if (typeof r === 'bigint') c.w.int(r);
      else c.w.double(r);
    }
  } else bulkJson(c, res);
}

/* JSON.TOGGLE key path */
function jsonToggleCommand(c: Client, args: string[]): void {
  if (args.length > 3) {
    c.w.error(errArity(args[0]));
    return;
  }
  const p = pathOrReply(c, args[2] ?? '.');
  if (p === null) return;
  const doc = getJson(c, args[1], true);
  if (doc === null) return;
  if (doc === undefined) {
    c.w.error(ERR_NO_KEY);
    return;
  }
  const res = perMatch(c, doc, p, isBool, { kind: 'filter', or: 'not a bool' }, (m) => {
    const b = !(m.value as boolean);
    setAt(doc, m, b);
    return b;
  });
  if (res === null) return;
  if (res.some((r) => r !== null)) changed(c, args[1], 'json.toggle');
  if (p.legacy) {
    c.w.bulk(res[res.length - 1] ? 'true' : 'false');
    return;
  }
  replyInts(c, p, res.map((r) => (r === null ? null : r ? 1 : 0)));
}

/* JSON.CLEAR key [path ...] */
function jsonClearCommand(c: Client, args: string[]): void {
  // Only the first path counts; the default is the root.
  const p = pathOrReply(c, args[2] ?? '$');
  if (p === null) return;
  const doc = getJson(c, args[1], true);
  if (doc === null) return;
  if (doc === undefined) {
    c.w.error(ERR_NO_KEY);
    return;
  }
  // Values already empty (or zero) are not counted.
  let n = 0;
  for (const m of evaluate(p, doc.root)) {
    const v = m.value;
    if (Array.isArray(v) && v.length > 0) setAt(doc, m, []);
    else if (v instanceof Map && v.size > 0) setAt(doc, m, new Map());
    else if (isNumber(v) && Number(v) !== 0) setAt(doc, m, 0n);
    else continue;
    n++;
  }
  if (n > 0) changed(c, args[1], 'json.clear');
  c.w.int(n);
}

// ----------------------------------------------------------------------------
// Arrays
// ----------------------------------------------------------------------------

/* JSON.ARRAPPEND key path value [value ...] */
function jsonArrappendCommand(c: Client, args: string[]): void {
  const p = pathOrReply(c, args[2]);
  if (p === null) return;
  const doc = getJson(c, args[1], true);
  if (doc === null) return;
  const vals: JValue[] = [];
  for (let i = 3; i < args.length; i++) {
    const v = jsonOrReply(c, args[i]);
    if (v === undefined) return;
    vals.push(v);
  }
  if (doc === undefined) {
    c.w.error(ERR_NO_KEY);
    return;
  }
  let first = true;
  const res = perMatch(c, doc, p, isArr, { kind: 'filter', or: 'not an array', original: true }, (m) => {
    const arr = m.value as JValue[];
    for (const v of vals) arr.push(first ? v : deepClone(v));
    first = false;
    return arr.length;
  });
  if (res === null) return;
  if (res.some((r) => r !== null)) changed(c, args[1], 'json.arrappend');
  replyInts(c, p, res);
}

/* JSON.ARRINDEX key path value [start [stop]] */
function jsonArrindexCommand(c: Client, args: string[]): void {
  if (args.length > 6) {
    c.w.error(errArity(args[0]));
    return;
  }
  const p = pathOrReply(c, args[2]);
  if (p === null) return;
  const needle = jsonOrReply(c, args[3]);
  if (needle === undefined) return;
  let start = 0;
  let stop = 0;
  if (args.length > 4) {
    const s = intOrReply(c, args[4]);
    if (s === null) return;
    start = s;
  }
  if (args.length > 5) {
    const s = intOrReply(c, args[5]);
    if (s === null) return;
    stop = s;
  }
  const doc = getJson(c, args[1], false);
  if (doc === null) return;
  if (doc === undefined) {
    c.w.error(errPath(p.original));
    return;
  }
  const res = perMatch(c, doc, p, isArr, { kind: 'first', expected: 'array' }, (m) => {
    const arr = m.value as JValue[];
    const len = arr.length;
    let from = start < 0 ? Math.max(0, len + start) : start;
    let to = stop === 0 ? len : stop < 0 ? len + stop : Math.min(stop, len);
    if (from > len) from = len;
    if (to < 0) to = 0;
    for (let i = from; i < to; i++) if (jsonEquals(arr[i], needle, true)) return i;
    return -1;
  });
  if (res !== null) replyInts(c, p, res);
}

/* JSON.ARRINSERT key path index value [value ...] */
function jsonArrinsertCommand(c: Client, args: string[]): void {
  const p = pathOrReply(c, args[2]);
  if (p === null) return;
  const index = intOrReply(c, args[3]);
  if (index === null) return;
  const doc = getJson(c, args[1], true);
  if (doc === null) return;
  const vals: JValue[] = [];
  for (let i = 4; i < args.length; i++) {
    const v = jsonOrReply(c, args[i]);
    if (v === undefined) return;
    vals.push(v);
  }
  if (doc === undefined) {
    c.w.error(ERR_NO_KEY);
    return;
  }
  // Check the bounds of every target before changing any.
  const ms = evaluate(p, doc.root);
  for (const m of ms) {
    if (!Array.isArray(m.value)) continue;
    const len = m.value.length;
    const at = index < 0 ? len + index : index;
    if (at < 0 || at > len) {
      if (!p.legacy || m === ms[0]) {
        c.w.error(ERR_INDEX_OOB);
        return;
      }
    }
  }
  let first = true;
  const res = perMatch(c, doc, p, isArr, { kind: 'filter', or: 'not an array' }, (m) => {
    const arr = m.value as JValue[];
    const at = index < 0 ? arr.length + index : index;
    arr.splice(at, 0, ...(first ? vals : vals.map(deepClone)));
    first = false;
    return arr.length;
  });
  if (res === null) return;
  if (res.some((r) => r !== null)) changed(c, args[1], 'json.arrinsert');
  replyInts(c, p, res);
}

/* JSON.ARRPOP key [path [index]] */
function jsonArrpopCommand(c: Client, args: string[]): void {
  if (args.length > 4) {
    c.w.error(errArity(args[0]));
    return;
  }
  const p = pathOrReply(c, args[2] ?? '.');
  if (p === null) return;
  let index = -1;
  // An index that is not an integer is ignored, as RedisJSON does.
  if (args.length > 3 && /^[+-]?\d{1,19}$/.test(args[3])) index = Number(args[3]);
  const doc = getJson(c, args[1], true);
  if (doc === null) return;
  if (doc === undefined) {
    c.w.error(ERR_NO_KEY);
    return;
  }
  const popped: (string | null)[] = [];
  const res = perMatch(c, doc, p, isArr, { kind: 'filter', or: 'not an array' }, (m) => {
    const arr = m.value as JValue[];
    if (arr.length === 0) {
      popped.push(null);
      return null;
    }
    let at = index < 0 ? arr.length + index : index;
    if (at < 0) at = 0;
    if (at >= arr.length) at = arr.length - 1;
    const [v] = arr.splice(at, 1);
    const s = serializeJson(v);
    popped.push(s);
    return s;
  });
  if (res === null) return;
  if (popped.some((r) => r !== null)) changed(c, args[1], 'json.arrpop');
  if (p.legacy) {
    const last = res[res.length - 1];
    if (last === null) c.w.nullBulk();
    else c.w.bulk(last);
    return;
  }
  c.w.arrayHeader(res.length);
  for (const r of res) {
    if (r === null) c.w.nullBulk();
    else c.w.bulk(r);
  }
}

/* JSON.ARRTRIM key path start stop */
function jsonArrtrimCommand(c: Client, args: string[]): void {
  const p = pathOrReply(c, args[2]);
  if (p === null) return;
  const start = intOrReply(c, args[3]);
  if (start === null) return;
  const stop = intOrReply(c, args[4]);
  if (stop === null) return;
  const doc = getJson(c, args[1], true);
  if (doc === null) return;
  if (doc === undefined) {
    c.w.error(ERR_NO_KEY);
    return;
  }
  const res = perMatch(c, doc, p, isArr, { kind: 'filter', or: 'not an array' }, (m) => {
    const arr = m.value as JValue[];
    const len = arr.length;
    let from = start < 0 ? Math.max(0, len + start) : start;
    let to = stop < 0 ? len + stop : Math.min(stop, len - 1);
    if (from >= len || from > to || to < 0) {
      arr.length = 0;
      return 0;
    }
    if (from < 0) from = 0;
    if (to >= len) to = len - 1;
    arr.splice(to + 1);
    arr.splice(0, from);
    return arr.length;
  });
  if (res === null) return;
  if (res.some((r) => r !== null)) changed(c, args[1], 'json.arrtrim');
  replyInts(c, p, res);
}

// ----------------------------------------------------------------------------
// Objects
// ----------------------------------------------------------------------------

/* JSON.OBJKEYS key [path] */
function jsonObjkeysCommand(c: Client, args: string[]): void {
  if (args.length > 3) {
    c.w.error(errArity(args[0]));
    return;
  }
  const p = pathOrReply(c, args[2] ?? '.');
  if (p === null) return;
  const doc = getJson(c, args[1], false);
  if (doc === null) return;
  if (doc === undefined) {
    if (p.legacy) c.w.nullBulk();
    else c.w.error(ERR_NO_KEY);
    return;
  }
  if (p.legacy) {
    const ms = evaluate(p, doc.root);
    if (ms.length === 0) c.w.nullBulk();
    else if (!(ms[0].value instanceof Map)) c.w.error(errPathOr(p.text, 'not an object'));
    else c.w.bulkArray([...ms[0].value.keys()]);
    return;
  }
  const res = evaluate(p, doc.root).map((m) => (m.value instanceof Map ? [...m.value.keys()] : null));
  c.w.arrayHeader(res.length);
  for (const r of res) {
    if (r === null) c.w.nullArray();
    else c.w.bulkArray(r);
  }
}

/**
 * RFC 7396 merge of `patch` into `target`, as RedisJSON: a patch that is not
 * an object replaces the target (null included); members whose patch value
 * is null are removed.
 */
function mergePatch(target: JValue | undefined, patch: JValue): JValue {
  if (!isObject(patch)) return deepClone(patch);
  const base: JObject = target !== undefined && isObject(target) ? target : new Map();
  for (const [k, pv] of patch) {
    if (pv === null) base.delete(k);
    else base.set(k, mergePatch(base.get(k), pv));
  }
  return base;
}

/* JSON.MERGE key path value */
function jsonMergeCommand(c: Client, args: string[]): void {
  if (args.length > 4) {
    c.w.error(E.SYNTAX);
    return;
  }
  const key = args[1];
  const p = pathOrReply(c, args[2]);
  if (p === null) return;
  const doc = getJson(c, key, true);
  if (doc === null) return;
  const patch = jsonOrReply(c, args[3]);
  if (patch === undefined) return;
  if (doc === undefined) {
    if (!isRootPath(p)) {
      c.w.error(ERR_NEW_AT_ROOT);
      return;
    }
    // Nothing to merge with: the value is stored as given.
    c.db.set(key, new JsonObject(patch));
  } else if (isRootPath(p)) {
    doc.root = mergePatch(doc.root, patch);
  } else {
    // Existing places are merged into; a new member takes the value as given.
    const r = setInDoc(doc, p, (old) => (old === undefined ? deepClone(patch) : mergePatch(old, patch)), false, false);
    if (typeof r === 'string') {
      c.w.error(r);
      return;
    }
    if (!r) {
      c.w.nullBulk();
      return;
    }
  }
  changed(c, key, 'json.merge');
  c.w.ok();
}

// ----------------------------------------------------------------------------
// JSON.RESP, JSON.DEBUG
// ----------------------------------------------------------------------------

function replyResp(c: Client, v: JValue): void {
  if (v === null) c.w.nullBulk();
  else if (typeof v === 'boolean') c.w.simple(v ? 'true' : 'false');
  else if (typeof v === 'bigint') c.w.int(v);
  else if (typeof v === 'number') bulkJson(c, v);
  else if (typeof v === 'string') c.w.bulk(v);
  else if (Array.isArray(v)) {
    c.w.arrayHeader(v.length + 1);
    c.w.simple('[');
    for (const x of v) replyResp(c, x);
  } else {
    c.w.arrayHeader(v.size * 2 + 1);
    c.w.simple('{');
    for (const [k, x] of v) {
      c.w.bulk(k);
      replyResp(c, x);
    }
  }
}

/* JSON.RESP key [path] */
function jsonRespCommand(c: Client, args: string[]): void {
  if (args.length > 3) {
    c.w.error(errArity(args[0]));
    return;
  }
  const p = pathOrReply(c, args[2] ?? '.');
  if (p === null) return;
  const doc = getJson(c, args[1], false);
  if (doc === null) return;
  if (doc === undefined) {
    c.w.nullBulk();
    return;
  }
  const ms = evaluate(p, doc.root);
  if (p.legacy) {
    if (ms.length === 0) c.w.error(errPath(p.text));
    else replyResp(c, ms[0].value);
    return;
  }
  c.w.arrayHeader(ms.length);
  for (const m of ms) replyResp(c, m.value);
}

/* JSON.DEBUG MEMORY key [path] | JSON.DEBUG HELP */
function jsonDebugCommand(c: Client, args: string[]): void {
  const sub = args[1].toLowerCase();
  if (sub === 'help' && args.length === 2) {
    c.w.bulkArray(['MEMORY <key> [path] - reports memory usage', 'HELP                - this message']);
    return;
  }
  if (sub !== 'memory') {
    c.w.error('ERR unknown subcommand - try `JSON.DEBUG HELP`');
    return;
  }
  if (args.length < 3 || args.length > 4) {
    c.w.error(errArity(args[0]));
    return;
  }
  const p = pathOrReply(c, args[3] ?? '.');
  if (p === null) return;
  const doc = getJson(c, args[2], false);
  if (doc === null) return;
  if (doc === undefined) {
    if (p.legacy) c.w.int(0);
    else c.w.arrayHeader(0);
    return;
  }
  const ms = evaluate(p, doc.root);
  if (p.legacy) {
    if (ms.length === 0) c.w.error(errPath(p.text));
    else c.w.int(jsonMemory(ms[0].value));
    return;
  }
  c.w.arrayHeader(ms.length);
  for (const m of ms) c.w.int(jsonMemory(m.value));
}

// ----------------------------------------------------------------------------
// Persistence: a module value of type "ReJSON-RL"
// ----------------------------------------------------------------------------
//
// Written as Redis writes module values (RDB type MODULE_2): the 64-bit
// module type id of "ReJSON-RL" (encoding version 3), then one STRING opcode
// holding the compact JSON text, then the EOF opcode. RedisJSON itself stores
// a different payload, so these files load back into Nodis only.

const MODULE_TYPE_NAME = 'ReJSON-RL';
const MODULE_ENCVER = 3n;
const MODULE_OPCODE_EOF = 0;
const MODULE_OPCODE_STRING = 5;
const RDB_TYPE_MODULE_2 = 7;

const MODULE_ID: bigint = (() => {
  const charset = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let id = 0n;
  for (const ch of MODULE_TYPE_NAME) id = (id << 6n) | BigInt(charset.indexOf(ch));
  return (id << 10n) | MODULE_ENCVER;
})();

CODECS.set('ReJSON-RL', {
  type: 'ReJSON-RL',
  rdbType: () => RDB_TYPE_MODULE_2,
  write(w, v) {
    w.lenBig(MODULE_ID);
    w.len(MODULE_OPCODE_STRING);
    w.string(serializeJson((v as JsonObject).root));
    w.len(MODULE_OPCODE_EOF);
  },
  rewrite(key, v, emit) {
    emit(['JSON.SET', key, '$', serializeJson((v as JsonObject).root)]);
  },
});

const previousModuleReader = READERS.get(RDB_TYPE_MODULE_2);
READERS.set(RDB_TYPE_MODULE_2, (r, ctx, type) => {
  const save = r.pos;
  const id = r.lenBig();
  if (id >> 10n !== MODULE_ID >> 10n) {
    if (previousModuleReader !== undefined) {
      r.pos = save;
      return previousModuleReader(r, ctx, type);
    }
    throw new RdbError(`The RDB file contains module data I can't load: no matching module type '${moduleName(id)}'`, true);
  }
  let text: string | null = null;
  for (;;) {
    const op = r.len();
    if (op === MODULE_OPCODE_EOF) break;
    if (op !== MODULE_OPCODE_STRING || text !== null) throw new RdbError('Unexpected ReJSON-RL module value');
    text = r.string();
  }
  if (text === null) throw new RdbError('Empty ReJSON-RL module value');
  try {
    return new JsonObject(parseJson(text));
  } catch {
    throw new RdbError('Invalid ReJSON-RL module value');
  }
});

function moduleName(id: bigint): string {
  const charset = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let x = id >> 10n;
  let name = '';
  for (let i = 0; i < 9; i++) {
    name = charset[Number(x & 63n)] + name;
    x >>= 6n;
  }
  return name;
}


// ----------------------------------------------------------------------------
// Command table
// ----------------------------------------------------------------------------

const J = { group: 'json', since: '1.0.0' };

export const commands: CommandDef[] = [
  command('json.set', -4, 'write denyoom', [1, 1, 1], 'json', jsonSetCommand, J),
  command('json.get', -2, 'readonly', [1, 1, 1], 'json', jsonGetCommand, J),
  command('json.mget', -3, 'readonly', [1, -2, 1], 'json', jsonMgetCommand, J),
  command('json.mset', -4, 'write denyoom', [1, -3, 3], 'json', jsonMsetCommand, { group: 'json', since: '2.6.0' }),
  command('json.del', -2, 'write', [1, 1, 1], 'json', jsonDelCommand, J),
  command('json.forget', -2, 'write', [1, 1, 1], 'json', jsonDelCommand, J),
  command('json.type', -2, 'readonly', [1, 1, 1], 'json', jsonTypeCommand, J),
  command('json.strlen', -2, 'readonly', [1, 1, 1], 'json', jsonStrlenCommand, J),
  command('json.strappend', -3, 'write denyoom', [1, 1, 1], 'json', jsonStrappendCommand, J),
  command('json.numincrby', 4, 'write', [1, 1, 1], 'json', (c, a) => numGeneric(c, a, false), J),
  command('json.nummultby', 4, 'write', [1, 1, 1], 'json', (c, a) => numGeneric(c, a, true), J),
  command('json.toggle', -3, 'write', [1, 1, 1], 'json', jsonToggleCommand, { group: 'json', since: '2.0.0' }),
  command('json.clear', -2, 'write', [1, 1, 1], 'json', jsonClearCommand, { group: 'json', since: '2.0.0' }),
  command('json.arrappend', -4, 'write denyoom', [1, 1, 1], 'json', jsonArrappendCommand, J),
  command('json.arrindex', -4, 'readonly', [1, 1, 1], 'json', jsonArrindexCommand, J),
  command('json.arrinsert', -5, 'write denyoom', [1, 1, 1], 'json', jsonArrinsertCommand, J),
  command('json.arrlen', -2, 'readonly', [1, 1, 1], 'json', jsonArrlenCommand, J),
  command('json.arrpop', -2, 'write', [1, 1, 1], 'json', jsonArrpopCommand, J),
  command('json.arrtrim', 5, 'write', [1, 1, 1], 'json', jsonArrtrimCommand, J),
  command('json.objkeys', -2, 'readonly', [1, 1, 1], 'json', jsonObjkeysCommand, J),
  command('json.objlen', -2, 'readonly', [1, 1, 1], 'json', jsonObjlenCommand, J),
  command('json.merge', -4, 'write denyoom', [1, 1, 1], 'json', jsonMergeCommand, { group: 'json', since: '2.6.0' }),
  command('json.resp', -2, 'readonly', [1, 1, 1], 'json', jsonRespCommand, J),
  command('json.debug', -2, 'readonly', [2, 2, 1], 'json', jsonDebugCommand, J),
];

/*
 * Helpers shared by the command families: keyspace lookups that count hits
 * and misses, argument parsing that replies with Redis's errors (the
 * ...OrReply helpers return null after replying), and change signalling.
 */

import type { Client } from '../server/client';
import type { Database } from '../server/db';
import { NOTIFY as NOTIFY_CLASSES } from '../server/notify-flags';
import { E } from '../errors';
import { isString, type StringValue, type Value } from '../types/value';
import { parseDouble, parseInt64Num } from '../util/numbers';

/** Keyspace notification classes (a plain binding: a re-export would compile to a getter called on every use). */
export const NOTIFY = NOTIFY_CLASSES;

/** Lookup for reading: counts keyspace hits/misses (and emits the key-miss event). */
export function lookupRead(c: Client, key: string): Value | undefined {
  const v = c.db.lookup(key);
  const s = c.server.stats;
  if (v === undefined) {
    s.keyspaceMisses++;
    if (c.server.notifyFlags & NOTIFY.KEY_MISS) c.server.notify(NOTIFY.KEY_MISS, 'keymiss', key, c.db.id);
  } else s.keyspaceHits++;
  return v;
}

/** Lookup for writing: no hit/miss accounting. */
export function lookupWrite(c: Client, key: string): Value | undefined {
  return c.db.lookup(key);
}

/**
 * A string value for reading. Returns undefined when the key is missing, and
 * null after replying WRONGTYPE when it holds another type.
 */
export function getStringOrReply(c: Client, key: string): StringValue | undefined | null {
  const v = lookupRead(c, key);
  if (v === undefined) return undefined;
  if (!isString(v)) {
    c.w.error(E.WRONGTYPE);
    return null;
  }
  return v;
}

/** Check the type of `v` (if present); replies WRONGTYPE and returns false on mismatch. */
export function checkTypeOrReply(c: Client, v: Value | undefined, type: string): boolean {
  if (v === undefined) return true;
  const t = isString(v) ? 'string' : v.type;
  if (t !== type) {
    c.w.error(E.WRONGTYPE);
    return false;
  }
  return true;
}

export function parseIntOrReply(c: Client, s: string, err: string = E.NOT_INTEGER): number | null {
  const n = parseInt64Num(s);
  if (n === null) {
    c.w.error(err);
    return null;
  }
  return n;
}

/** A non-negative integer argument (for COUNT and the like). */
export function parsePositiveOrReply(c: Client, s: string, err: string = E.NEG_LENGTH): number | null {
  const n = parseInt64Num(s);
  if (n === null) {
    c.w.error(E.NOT_INTEGER);
    return null;
  }
  if (n < 0) {
    c.w.error(err);
    return null;
  }
  return n;
}

export function parseDoubleOrReply(c: Client, s: string, err: string = E.NOT_FLOAT): number | null {
  const n = parseDouble(s);
  if (n === null) {
    c.w.error(err);
    return null;
  }
  return n;
}

/**
 * Parse a blocking timeout in seconds (decimal allowed) into milliseconds;
 * 0 = forever. Replies and returns null when invalid.
 */
export function parseTimeoutOrReply(c: Client, s: string): number | null {
  // strtold also reads hexadecimal ("0x1F"); parseDouble covers the rest.
  let d = parseDouble(s);
  if (d === null && /^[+-]?0[xX][0-9a-fA-F]+$/.test(s)) d = s[0] === '-' ? -Number(s.slice(1)) : Number(s.replace('+', ''));
  if (d === null) {
    c.w.error(E.TIMEOUT_INVALID);
    return null;
  }
  // Seconds to ms, rounded up (to the µs first, to absorb binary noise such as 0.07 * 1000).
  const ms = Math.ceil(Math.round(d * 1e6) / 1000);
  if (!(ms <= 9223372036854775807)) {
    c.w.error(E.TIMEOUT_RANGE);
    return null;
  }
  if (ms < 0) {
    c.w.error(E.TIMEOUT_NEG);
    return null;
  }
  if (ms > 0 && ms > 9223372036854775807 - c.server.clock.now()) {
    c.w.error(E.TIMEOUT_RANGE);
    return null;
  }
  return ms === 0 ? 0 : ms;
}

/**
 * A key was written by a command: invalidate WATCH/tracking, count a change,
 * and emit the keyspace notification `event` of class `cls`.
 */
export function keyChanged(c: Client, db: Database, key: string, cls: number, event: string): void {
  const srv = c.server;
  srv.dirty++;
  srv.signalModifiedKey(db, key);
  if (srv.notifyFlags !== 0) srv.notify(cls, event, key, db.id);
}

/** Case-insensitive compare of an argument with a lowercase word. */
export function is(arg: string, word: string): boolean {
  return arg.length === word.length && arg.toLowerCase() === word;
}

/**
 * Hide arguments [from, to) of the current command from the slow log and
 * MONITOR (passwords and the like): they show as "(redacted)".
 */
export function redactArgs(c: Client, from: number, to: number): void {
  const r = c.redacted ?? [];
  for (let i = from; i < to; i++) r.push(i);
  c.redacted = r;
}

/*
 * Conversions between Redis replies and Lua values, as Redis's scripting
 * layer does them.
 *
 * Redis -> Lua: a command run by a script writes its reply into the fake
 * client's ReplyWriter; `readReply` decodes those RESP bytes straight into
 * Lua values (integer -> number, bulk -> string, null -> false, status ->
 * {ok=}, error -> {err=}, array -> table; with RESP3: map -> {map=},
 * set -> {set=}, double -> {double=}, big number -> {big_number=},
 * verbatim -> {verbatim_string={format=,string=}}, boolean, null -> nil).
 *
 * Lua -> Redis: `writeLuaReply` writes a Lua value into the caller's writer.
 */

import type { ReplyWriter } from '../protocol/writer';
import { LuaTable, type LuaValue } from './lua';

// ----------------------------------------------------------------------------
// Redis -> Lua
// ----------------------------------------------------------------------------

/** An error reply as Lua sees it: {err="CODE msg"}; from a command, stats are already counted. */
export function errorTable(msg: string, ignoreStats: boolean): LuaTable {
  const t = new LuaTable();
  t.set('err', msg);
  if (ignoreStats) t.set('ignore_error_stats_update', true);
  return t;
}

/** Normalise an error text the way Redis stores it in a Lua error table ("-CODE msg" or "msg"). */
export function errorText(raw: string): string {
  let code = 'ERR';
  let msg = raw;
  if (raw.charCodeAt(0) === 45 /* - */) {
    const sp = raw.indexOf(' ');
    if (sp < 0) msg = raw.slice(1);
    else {
      code = raw.slice(1, sp);
      msg = raw.slice(sp + 1);
    }
  }
  msg = msg.replace(/^[\r\n]+|[\r\n]+$/g, '');
  return code + ' ' + msg;
}

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer, readonly end: number) {}

  line(): string {
    const b = this.buf;
    let i = this.pos;
    while (i < this.end && b[i] !== 13) i++;
    const s = b.latin1Slice(this.pos, i);
    this.pos = i + 2;
    return s;
  }

  value(): LuaValue {
    const b = this.buf;
    const type = b[this.pos++];
    switch (type) {
      case 36: /* $ */ {
        const n = this.int();
        if (n < 0) return false;
        const s = b.latin1Slice(this.pos, this.pos + n);
        this.pos += n + 2;
        return s;
      }
      case 58: /* : */
        return Number(this.line());
      case 43: /* + */ {
        const t = new LuaTable();
        t.set('ok', this.line());
        return t;
      }
      case 45: /* - */
        return errorTable(errorText('-' + this.line()), true);
      case 42: /* * */ {
        const n = this.int();
        if (n < 0) return false;
        const arr: LuaValue[] = new Array(n);
        for (let i = 0; i < n; i++) arr[i] = this.value();
        return tableFromList(arr);
      }
      case 37: /* % */ {
        const n = this.int();
        const m = new LuaTable();
        for (let i = 0; i < n; i++) {
          const k = this.value();
          const v = this.value();
          if (k !== undefined && k !== null) m.set(k, v);
        }
        const t = new LuaTable();
        t.set('map', m);
        return t;
      }
      case 126: /* ~ */ {
        const n = this.int();
        const s = new LuaTable();
        for (let i = 0; i < n; i++) {
          const k = this.value();
          if (k !== undefined) s.set(k, true);
        }
        const t = new LuaTable();
        t.set('set', s);
        return t;
      }
      case 95: /* _ */
        this.pos += 2;
        return undefined;
      case 35: /* # */ {
        const v = this.line();
        return v === 't';
      }
      case 44: /* , */ {
        const s = this.line();
        const t = new LuaTable();
        t.set('double', s === 'inf' ? Infinity : s === '-inf' ? -Infinity : s === 'nan' ? NaN : Number(s));
        return t;
      }
      case 40: /* ( */ {
        const t = new LuaTable();
        t.set('big_number', this.line());
        return t;
      }
      case 61: /* = */ {
        const n = this.int();
        const s = b.latin1Slice(this.pos, this.pos + n);
        this.pos += n + 2;
        const v = new LuaTable();
        v.set('format', s.slice(0, 3));
        v.set('string', s.slice(4));
        const t = new LuaTable();
        t.set('verbatim_string', v);
        return t;
      }
      case 124: /* | attribute: skipped */ {
        const n = this.int();
        for (let i = 0; i < 2 * n; i++) this.value();
        return this.value();
      }
      case 62: /* > push */ {
        const n = this.int();
        const arr: LuaValue[] = new Array(n);
        for (let i = 0; i < n; i++) arr[i] = this.value();
        return tableFromList(arr);
      }
      default:
        return this.line();
    }
  }

  private int(): number {
    const b = this.buf;
    let i = this.pos;
    let neg = false;
    if (b[i] === 45) {
      neg = true;
      i++;
    }
    let n = 0;
    while (b[i] !== 13) n = n * 10 + (b[i++] - 48);
    this.pos = i + 2;
    return neg ? -n : n;
  }
}

/** A Lua sequence from values (a nil inside keeps later elements reachable by index only, as Lua). */
function tableFromList(arr: LuaValue[]): LuaTable {
  for (let i = 0; i < arr.length; i++) {
    if (arr[i] === undefined) {
      const t = new LuaTable();
      for (let j = 0; j < arr.length; j++) if (arr[j] !== undefined) t.set(j + 1, arr[j]);
      return t;
    }
  }
  return new LuaTable(arr);
}

/** Decode the one reply held in buf[0..end). */
export function readReply(buf: Buffer, end: number): LuaValue {
  if (end === 0) return false;
  return new Reader(buf, end).value();
}

// ----------------------------------------------------------------------------
// Lua -> Redis
// ----------------------------------------------------------------------------

/** Lua number to a Redis integer: C's (long long) cast. */
function toInteger(n: number): number | bigint {
  if (Number.isNaN(n) || n >= 9223372036854775807 || n < -9223372036854775808) return -9223372036854775808n;
  const t = Math.trunc(n);
  if (Number.isSafeInteger(t)) return t === 0 ? 0 : t;
  return BigInt(t);
}

function noNewlines(s: string): string {
  return s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0 ? s.replace(/[\r\n]/g, ' ') : s;
}

/** Nesting limit of a reply built from Lua tables (Redis stops at its Lua stack limit). */
const MAX_DEPTH = 1000;

export interface ErrorSink {
  /** Reply an error; `countStats` false when the command that produced it already counted it. */
  (w: ReplyWriter, msg: string, countStats: boolean): void;
}

/** Write a Lua error-reply text: Redis adds no code (the text is sent as is after '-'). */
/** Error replies written without counting them (the script's host marks its command failed). */
export const uncountedErrors = { n: 0 };

export function replyErrorRaw(w: ReplyWriter, msg: string, countStats: boolean): void {
  msg = noNewlines(msg);
  if (countStats) w.error(msg);
  else {
    w.rawStr('-' + msg + '\r\n');
    uncountedErrors.n++;
  }
}

/**
 * Write Lua value `v` as a reply. `scriptResp` is the RESP version the script
 * selected with redis.setresp (it decides how booleans are sent).
 */
export function writeLuaReply(w: ReplyWriter, v: LuaValue, scriptResp: number, depth = 0): void {
  switch (typeof v) {
    case 'string':
      w.bulk(v);
      return;
    case 'number':
      w.int(toInteger(v));
      return;
    case 'boolean':
      if (scriptResp === 2) {
        if (v) w.int(1);
        else w.nullBulk();
      } else w.bool(v);
      return;
    default:
      break;
  }
  if (v instanceof LuaTable && depth >= MAX_DEPTH) {
    w.error('ERR reached lua stack limit');
    return;
  }
  if (!(v instanceof LuaTable)) {
    w.nullBulk();
    return;
  }
  const err = v.get('err');
  if (typeof err === 'string') {
    replyErrorRaw(w, err, v.get('ignore_error_stats_update') !== true);
    return;
  }
  const ok = v.get('ok');
  if (typeof ok === 'string') {
    w.simple(noNewlines(ok));
    return;
  }
  const dbl = v.get('double');
  if (typeof dbl === 'number') {
    w.double(dbl);
    return;
  }
  const big = v.get('big_number');
  if (typeof big === 'string') {
    w.bigNumber(noNewlines(big));
    return;
  }
  const verb = v.get('verbatim_string');
  if (verb instanceof LuaTable) {
    const fmt = verb.get('format');
    const str = verb.get('string');
    if (typeof fmt === 'string' && typeof str === 'string') {
      w.verbatim(str, fmt);
      return;
    }
  }
  const map = v.get('map');
  if (map instanceof LuaTable) {
    const entries: [LuaValue, LuaValue][] = [];
    let k: LuaValue = undefined;
    for (;;) {
      k = map.next(k);
      if (k === undefined) break;
      entries.push([k, map.nextValue]);
    }
    w.mapHeader(entries.length);
    for (const [ek, ev] of entries) {
      writeLuaReply(w, ek, scriptResp, depth + 1);
      writeLuaReply(w, ev, scriptResp, depth + 1);
    }
    return;
  }
  const set = v.get('set');
  if (set instanceof LuaTable) {
    const keys: LuaValue[] = [];
    let k: LuaValue = undefined;
    for (;;) {
      k = set.next(k);
      if (k === undefined) break;
      keys.push(k);
    }
    w.setHeader(keys.length);
    for (const ek of keys) writeLuaReply(w, ek, scriptResp, depth + 1);
    return;
  }
  // Array: elements 1.. up to the first nil.
  let n = 0;
  while (v.get(n + 1) !== undefined) n++;
  w.arrayHeader(n);
  for (let i = 1; i <= n; i++) writeLuaReply(w, v.get(i), scriptResp, depth + 1);
}

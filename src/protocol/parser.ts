/*
 * RESP request parser.
 *
 * Parses client requests (RESP multibulk `*N\r\n$len\r\n...` and inline
 * commands) straight from the socket's Buffers, scanning with offsets. Each
 * argument becomes a latin1 JS string: one char per byte, so any binary key or
 * value round-trips unchanged, and V8 stores it as a compact one-byte string.
 *
 * The parser knows nothing about commands or data. It reports complete
 * requests through a callback, and protocol errors as a string with Redis's
 * exact text, after which the connection must be closed.
 */

import { latin1 } from './latin1';

const CR = 13;
const LF = 10;

/** Largest inline request or length line before the buffer is considered abusive (PROTO_INLINE_MAX_SIZE). */
export const PROTO_INLINE_MAX_SIZE = 64 * 1024;
/** Bulks at least this large are collected into a buffer of their exact size (PROTO_MBULK_BIG_ARG). */
const BIG_ARG = 32 * 1024;

export interface ParserLimits {
  /** proto-max-bulk-len */
  maxBulkLen: number;
  /** client-query-buffer-limit */
  queryBufferLimit: number;
}

export type ProtoError = string;

/**
 * Incremental parser for one connection. `feed` returns after every complete
 * request has been handed to `onCommand`; partial input is kept.
 */
export class RespParser {
  private buf: Buffer | null = null; // unparsed input
  private pos = 0;
  private args: string[] = [];
  private multibulkLeft = 0; // args still expected in the current multibulk
  private bulkLen = -1; // length of the bulk being read, -1 = need header
  private big: Buffer | null = null; // collector for a big bulk
  private bigFill = 0;
  /** Set by the owner: is the client allowed large requests (authenticated)? */
  authenticated = true;
  /** Bytes currently held for incomplete requests (for CLIENT LIST qbuf). */
  pending = 0;

  constructor(public limits: ParserLimits) {}

  /**
   * Parse `chunk`. Calls `onCommand(args)` for each complete request, in order.
   * Returns null, or a protocol error text (the caller replies and closes).
   * `onCommand` may return false to stop parsing (the client is closing or blocked);
   * the rest of the input is kept for `resume`.
   */
  feed(chunk: Buffer, onCommand: (args: string[]) => boolean): ProtoError | null {
    if (this.big !== null) {
      // Copy straight into the big-argument collector.
      const need = this.bulkLen + 2 - this.bigFill;
      if (chunk.length < need) {
        chunk.copy(this.big, this.bigFill);
        this.bigFill += chunk.length;
        this.pending = this.bigFill;
        return null;
      }
      chunk.copy(this.big, this.bigFill, 0, need);
      this.args.push(this.big.latin1Slice(0, this.bulkLen));
      this.big = null;
      this.bigFill = 0;
      this.bulkLen = -1;
      this.multibulkLeft--;
      chunk = chunk.subarray(need);
      if (this.multibulkLeft === 0) {
        const args = this.args;
        this.args = [];
        if (!onCommand(args)) {
          this.buf = chunk;
          this.pos = 0;
          this.pending = chunk.length;
          return null;
        }
      }
      if (chunk.length === 0) {
        this.pending = 0;
        return null;
      }
    }
    if (this.buf === null || this.pos >= this.buf.length) {
      this.buf = chunk;
      this.pos = 0;
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
      this.pos = 0;
    }
    return this.run(onCommand);
  }

  /** Continue parsing input kept after `onCommand` returned false. */
  resume(onCommand: (args: string[]) => boolean): ProtoError | null {
    if (this.buf === null) return null;
    return this.run(onCommand);
  }

  /**
   * The caller's input buffer (`shared`, an ArrayBuffer) is about to be
   * reused: keep a private copy of any unparsed input that lives in it.
   */
  detach(shared: ArrayBufferLike): void {
    if (this.buf !== null && this.buf.buffer === shared) {
      this.buf = this.pos < this.buf.length ? Buffer.from(this.buf.subarray(this.pos)) : null;
      this.pos = 0;
    }
  }

  hasPending(): boolean {
    return this.buf !== null && this.pos < this.buf.length;
  }

  private run(onCommand: (args: string[]) => boolean): ProtoError | null {
    const buf = this.buf as Buffer;
    const end = buf.length;
    let pos = this.pos;
    for (;;) {
      if (pos >= end) {
        this.buf = null;
        this.pos = 0;
        this.pending = 0;
        return null;
      }
      if (this.multibulkLeft === 0) {
        if (buf[pos] === 42 /* '*' */) {
          // Fast path: a whole small request is in the buffer.
          const fast = this.authenticated ? tryWhole(buf, pos, end, this.limits.maxBulkLen) : null;
          if (fast !== null) {
            pos = fastEnd;
            this.pos = pos;
            if (!onCommand(fast)) {
              this.pending = end - pos;
              return null;
            }
            continue;
          }
          const nl = buf.indexOf(LF, pos);
          if (nl < 0) {
            if (end - pos > PROTO_INLINE_MAX_SIZE) return 'Protocol error: too big mbulk count string';
            break;
          }
          const n = parseLen(buf, pos + 1, nl > pos && buf[nl - 1] === CR ? nl - 1 : nl);
          if (n === null || n > 2147483647) return 'Protocol error: invalid multibulk length';
          if (n > 1024 * 1024 && !this.authenticated) return 'Protocol error: unauthenticated multibulk length';
          if (n > 10 && !this.authenticated) return 'Protocol error: unauthenticated multibulk length';
          pos = nl + 1;
          if (n <= 0) continue; // empty request: ignored
          this.multibulkLeft = n;
          this.bulkLen = -1;
          this.args = [];
        } else {
          // Inline command.
          const nl = buf.indexOf(LF, pos);
          if (nl < 0) {
            if (end - pos > PROTO_INLINE_MAX_SIZE) return 'Protocol error: too big inline request';
            break;
          }
          const lineEnd = nl > pos && buf[nl - 1] === CR ? nl - 1 : nl;
          const line = buf.latin1Slice(pos, lineEnd);
          pos = nl + 1;
          const args = splitArgs(line);
          if (args === null) return 'Protocol error: unbalanced quotes in request';
          if (args.length === 0) continue;
          this.pos = pos;
          if (!onCommand(args)) {
            this.pending = end - pos;
            return null;
          }
          continue;
        }
      }
      // Inside a multibulk: read bulks.
      while (this.multibulkLeft > 0) {
        if (this.bulkLen < 0) {
          if (pos >= end) break;
          // Fast path: "$<digits>\r\n" scanned inline.
          if (buf[pos] === 36) {
            let p = pos + 1;
            let n = 0;
            let c = buf[p];
            while (c >= 48 && c <= 57 && p - pos < 12) {
              n = n * 10 + (c - 48);
              c = buf[++p];
            }
            if (c === CR && p > pos + 1 && p + 1 < end && buf[p + 1] === LF && !(buf[pos + 1] === 48 && p > pos + 2)) {
              if (n > this.limits.maxBulkLen) return 'Protocol error: invalid bulk length';
              if (n > 16384 && !this.authenticated) return 'Protocol error: unauthenticated bulk length';
              if (end - (p + 2) >= n + 2) {
                this.args.push(this.args.length === 0 ? commandName(buf, p + 2, n) : latin1(buf, p + 2, p + 2 + n));
                pos = p + 4 + n;
                this.multibulkLeft--;
                continue;
              }
            }
          }
          const nl = buf.indexOf(LF, pos);
          if (nl < 0) {
            if (end - pos > PROTO_INLINE_MAX_SIZE) return 'Protocol error: too big bulk count string';
            break;
          }
          if (buf[pos] !== 36 /* '$' */) {
            return `Protocol error: expected '$', got '${String.fromCharCode(buf[pos])}'`;
          }
          const n = parseLen(buf, pos + 1, nl > pos && buf[nl - 1] === CR ? nl - 1 : nl);
          if (n === null || n < 0 || n > this.limits.maxBulkLen) return 'Protocol error: invalid bulk length';
          if (n > 16384 && !this.authenticated) return 'Protocol error: unauthenticated bulk length';
          pos = nl + 1;
          this.bulkLen = n;
          if (n >= BIG_ARG && end - pos < n + 2) {
            // Big argument: collect it in a buffer of its own size.
            if (n + 2 > this.limits.queryBufferLimit) return 'QUERYBUF';
            this.big = Buffer.allocUnsafe(n + 2);
            buf.copy(this.big, 0, pos, end);
            this.bigFill = end - pos;
            this.pending = this.bigFill;
            this.buf = null;
            this.pos = 0;
            return null;
          }
        }
        const n = this.bulkLen;
        if (end - pos < n + 2) break;
        this.args.push(this.args.length === 0 ? commandName(buf, pos, n) : latin1(buf, pos, pos + n));
        pos += n + 2;
        this.bulkLen = -1;
        this.multibulkLeft--;
      }
      if (this.multibulkLeft > 0) break;
      const args = this.args;
      this.args = [];
      this.pos = pos;
      if (!onCommand(args)) {
        this.pending = end - pos;
        return null;
      }
    }
    // Incomplete request: keep the tail.
    this.buf = pos === 0 ? buf : buf.subarray(pos);
    this.pos = 0;
    this.pending = this.buf.length;
    if (this.pending > this.limits.queryBufferLimit) return 'QUERYBUF';
    return null;
  }
}

/*
 * Command names: a pipeline repeats a handful of them, so the last string
 * made for each name is reused (a small direct-mapped cache). Besides saving
 * the allocation, a reused string keeps the hash V8 computed for it on the
 * first command-table lookup.
 */
const NAME_CACHE_SIZE = 256;
const nameCache: string[] = new Array<string>(NAME_CACHE_SIZE).fill('');

function commandName(b: Buffer, s: number, len: number): string {
  if (len === 0 || len > 24) return latin1(b, s, s + len);
  const h = (len * 7 + b[s] * 31 + b[s + len - 1] + b[s + (len >> 1)] * 3) & (NAME_CACHE_SIZE - 1);
  const cached = nameCache[h];
  if (cached.length === len) {
    let i = 0;
    while (i < len && cached.charCodeAt(i) === b[s + i]) i++;
    if (i === len) return cached;
  }
  const name = latin1(b, s, s + len);
  nameCache[h] = name;
  return name;
}

/** End offset of the request parsed by the last successful tryWhole. */
let fastEnd = 0;

/**
 * Parse one complete `*N\r\n($len\r\n<bytes>\r\n){N}` request at `pos` with
 * small canonical lengths, entirely in local variables. Returns null when the
 * request is incomplete or unusual (the general state machine then handles
 * it, errors included).
 */
function tryWhole(buf: Buffer, pos: number, end: number, maxBulk: number): string[] | null {
  let p = pos + 1;
  let n = 0;
  let c = buf[p];
  if (c < 49 || c > 57) return null; // 1-9: no zero, sign or empty count here
  while (c >= 48 && c <= 57) {
    n = n * 10 + (c - 48);
    c = buf[++p];
    if (p - pos > 8) return null;
  }
  if (c !== CR || buf[p + 1] !== LF) return null;
  p += 2;
  const args = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    if (p >= end || buf[p] !== 36) return null;
    let q = p + 1;
    let len = 0;
    c = buf[q];
    if (c < 48 || c > 57) return null;
    if (c === 48 && buf[q + 1] !== CR) return null;
    while (c >= 48 && c <= 57) {
      len = len * 10 + (c - 48);
      c = buf[++q];
      if (q - p > 11) return null;
    }
    if (c !== CR || q + 1 >= end || buf[q + 1] !== LF || len > maxBulk) return null;
    const start = q + 2;
    if (start + len + 2 > end) return null;
    args[i] = i === 0 ? commandName(buf, start, len) : latin1(buf, start, start + len);
    p = start + len + 2;
  }
  fastEnd = p;
  return args;
}

/** Parse a decimal length in buf[start, end). Null if malformed (as string2ll). */
function parseLen(buf: Buffer, start: number, end: number): number | null {
  if (start >= end || end - start > 20) return null;
  let neg = false;
  let i = start;
  if (buf[i] === 45) {
    neg = true;
    i++;
    if (i === end) return null;
  }
  let n = 0;
  if (buf[i] === 48 && end - i > 1) return null;
  for (; i < end; i++) {
    const c = buf[i] - 48;
    if (c < 0 || c > 9) return null;
    n = n * 10 + c;
  }
  return neg ? -n : n;
}

function isHex(c: string): boolean {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/**
 * Split an inline request into arguments the way redis-cli and Redis's inline
 * protocol do: whitespace separated, "double quotes" with \n \r \t \b \a \xHH
 * escapes, 'single quotes' with \' only. Null on unbalanced quotes.
 */
export function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && (line[i] === ' ' || line[i] === '\n' || line[i] === '\r' || line[i] === '\t' || line[i] === '\v' || line[i] === '\f')) i++;
    if (i >= n) return out;
    let cur = '';
    let inq = false;
    let insq = false;
    let done = false;
    while (!done) {
      if (inq) {
        if (i >= n) return null;
        const c = line[i];
        if (c === '\\' && line[i + 1] === 'x' && i + 3 < n && isHex(line[i + 2]) && isHex(line[i + 3])) {
          cur += String.fromCharCode(parseInt(line.substr(i + 2, 2), 16));
          i += 3;
        } else if (c === '\\' && i + 1 < n) {
          i++;
          const e = line[i];
          cur += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (c === '"') {
          if (i + 1 < n && !/\s/.test(line[i + 1])) return null;
          done = true;
        } else cur += c;
      } else if (insq) {
        if (i >= n) return null;
        const c = line[i];
        if (c === '\\' && line[i + 1] === "'") {
          i++;
          cur += "'";
        } else if (c === "'") {
          if (i + 1 < n && !/\s/.test(line[i + 1])) return null;
          done = true;
        } else cur += c;
      } else {
        if (i >= n) {
          done = true;
          break;
        }
        const c = line[i];
        if (c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '\0') done = true;
        else if (c === '"') inq = true;
        else if (c === "'") insq = true;
        else cur += c;
      }
      if (i < n) i++;
    }
    out.push(cur);
  }
}

/*
 * RESP reply writer.
 *
 * Each client owns one ReplyWriter. Handlers append replies into its growable
 * Buffer; the network layer takes the bytes once per read batch (`take`) and
 * writes them to the socket in one call, so pipelined requests cost one
 * syscall. The writer knows the protocol version (2 or 3) and maps RESP3 types
 * onto RESP2 the way Redis does (maps become flat arrays, doubles become bulk
 * strings, booleans become integers, null becomes a null bulk).
 */

import { formatDouble } from '../util/numbers';

const CRLF = '\r\n';
const INITIAL = 1024;

// Pre-encoded replies for the commonest small integers and headers, as Redis's shared objects.
const SHARED_MAX = 10000;
const sharedInts: Buffer[] = [];
const sharedBulkHdr: Buffer[] = [];
const sharedArrHdr: Buffer[] = [];
for (let i = 0; i < SHARED_MAX; i++) {
  sharedInts.push(Buffer.from(`:${i}\r\n`, 'latin1'));
  if (i < 1024) {
    sharedBulkHdr.push(Buffer.from(`$${i}\r\n`, 'latin1'));
    sharedArrHdr.push(Buffer.from(`*${i}\r\n`, 'latin1'));
  }
}
const OK = Buffer.from('+OK\r\n');
const NULL_BULK = Buffer.from('$-1\r\n');
const NULL_ARRAY = Buffer.from('*-1\r\n');
const NULL3 = Buffer.from('_\r\n');

export type RespVersion = 2 | 3;

/** Write a non-negative integer's decimal digits at b[p]; returns the new offset. */
function writeDecimal(b: Buffer, p: number, n: number): number {
  if (n < 10) {
    b[p] = 48 + n;
    return p + 1;
  }
  if (n < 100) {
    b[p] = 48 + ((n / 10) | 0);
    b[p + 1] = 48 + (n % 10);
    return p + 2;
  }
  if (n < 1e15) {
    // Digits written backwards from the end of the number: no string, no native call.
    let digits = 3;
    for (let x = 1000; x <= n; x *= 10) digits++;
    let q = p + digits;
    let v = n;
    while (v > 2147483647) {
      const d = v % 10;
      b[--q] = 48 + d;
      v = (v - d) / 10;
    }
    // Small integer arithmetic from here on.
    let w = v | 0;
    while (w !== 0) {
      const x = (w / 10) | 0;
      b[--q] = 48 + (w - x * 10);
      w = x;
    }
    return p + digits;
  }
  return p + b.latin1Write(String(n), p);
}

export class ReplyWriter {
  /** Observer of every error reply (the server counts them for INFO errorstats). */
  onError: ((msg: string) => void) | null = null;
  buf: Buffer;
  len = 0;
  proto: RespVersion = 2;
  /** Bytes written since creation (for stats). */
  total = 0;

  constructor() {
    this.buf = Buffer.allocUnsafe(INITIAL);
  }

  /** Make room for `n` more bytes. */
  private ensure(n: number): void {
    const need = this.len + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const nb = Buffer.allocUnsafe(size);
    this.buf.copy(nb, 0, 0, this.len);
    this.buf = nb;
  }

  /**
   * Hand over the pending bytes and reset. The returned Buffer belongs to the
   * caller (it is a copy for small replies, the buffer itself for big ones).
   */
  take(): Buffer | null {
    const n = this.len;
    if (n === 0) return null;
    this.total += n;
    this.len = 0;
    if (n > 16384) {
      const out = this.buf.subarray(0, n);
      this.buf = Buffer.allocUnsafe(INITIAL);
      return out;
    }
    return Buffer.from(this.buf.subarray(0, n));
  }

  raw(b: Buffer): void {
    const n = b.length;
    this.ensure(n);
    if (n <= 16) {
      // Shared replies are tiny: copying bytes beats Buffer.copy's argument checks.
      const d = this.buf;
      let p = this.len;
      for (let i = 0; i < n; i++) d[p++] = b[i];
      this.len = p;
      return;
    }
    b.copy(this.buf, this.len);
    this.len += n;
  }

  /** Append a latin1 string as raw protocol bytes. */
  rawStr(s: string): void {
    const n = s.length;
    this.ensure(n);
    if (n < 32) {
      // Short replies: a byte loop beats the native call's fixed cost.
      const b = this.buf;
      let p = this.len;
      for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
      this.len = p;
      return;
    }
    this.len += this.buf.latin1Write(s, this.len);
  }

  ok(): void {
    this.raw(OK);
  }

  simple(s: string): void {
    this.rawStr('+' + s + CRLF);
  }

  /** Error reply. `msg` is the full text including its code, e.g. "ERR syntax error". */
  error(msg: string): void {
    // Newlines inside an error would break the protocol: Redis replaces them with spaces.
    if (msg.indexOf('\n') >= 0 || msg.indexOf('\r') >= 0) msg = msg.replace(/[\r\n]/g, ' ');
    if (this.onError !== null) this.onError(msg);
    this.rawStr('-' + msg + CRLF);
  }

  int(n: number | bigint): void {
    if (typeof n === 'number' && Number.isSafeInteger(n)) {
      if (n >= 0 && n < SHARED_MAX) {
        this.raw(sharedInts[n]);
        return;
      }
      this.ensure(24);
      const b = this.buf;
      let p = this.len;
      b[p++] = 58; // ':'
      if (n < 0) {
        b[p++] = 45;
        n = -n;
      }
      p = writeDecimal(b, p, n);
      b[p++] = 13;
      b[p++] = 10;
      this.len = p;
      return;
    }
    this.rawStr(':' + String(n) + CRLF);
  }

  /** Bulk string from a latin1 string. */
  bulk(s: string): void {
    const n = s.length;
    this.ensure(n + 24);
    const b = this.buf;
    let p = this.len;
    b[p++] = 36; // '$'
    p = writeDecimal(b, p, n);
    b[p++] = 13;
    b[p++] = 10;
    // Short values: a byte loop beats the native call's fixed cost.
    if (n < 24) for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
    else p += b.latin1Write(s, p);
    b[p++] = 13;
    b[p++] = 10;
    this.len = p;
  }

  /** Bulk string from bytes. */
  bulkBuf(v: Buffer): void {
    const n = v.length;
    this.ensure(n + 16);
    this.len += this.buf.latin1Write('$' + n + CRLF, this.len);
    v.copy(this.buf, this.len);
    this.len += n;
    this.buf[this.len++] = 13;
    this.buf[this.len++] = 10;
  }

  /** Bulk string from a string or Buffer value. */
  bulkValue(v: string | Buffer): void {
    if (typeof v === 'string') this.bulk(v);
    else this.bulkBuf(v);
  }

  /** Bulk string of a number, as Redis's addReplyBulkLongLong. */
  bulkInt(n: number | bigint): void {
    this.bulk(String(n));
  }

  /** The null bulk string in RESP2, `_` in RESP3. */
  nullBulk(): void {
    this.raw(this.proto === 3 ? NULL3 : NULL_BULK);
  }

  /** The null array in RESP2, `_` in RESP3. */
  nullArray(): void {
    this.raw(this.proto === 3 ? NULL3 : NULL_ARRAY);
  }

  arrayHeader(n: number): void {
    if (n < 1024 && n >= 0) this.raw(sharedArrHdr[n]);
    else this.rawStr('*' + n + CRLF);
  }

  /** A map of `n` pairs: `%n` in RESP3, an array of 2n in RESP2. */
  mapHeader(n: number): void {
    if (this.proto === 3) this.rawStr('%' + n + CRLF);
    else this.arrayHeader(n * 2);
  }

  setHeader(n: number): void {
    if (this.proto === 3) this.rawStr('~' + n + CRLF);
    else this.arrayHeader(n);
  }

  pushHeader(n: number): void {
    if (this.proto === 3) this.rawStr('>' + n + CRLF);
    else this.arrayHeader(n);
  }

  /** A double: `,` in RESP3, a bulk string in RESP2 (shortest round-trip form, as Redis 7.2). */
  double(d: number): void {
    if (this.proto === 3) {
      const s = Number.isNaN(d) ? 'nan' : d === Infinity ? 'inf' : d === -Infinity ? '-inf' : formatDouble(d);
      this.rawStr(',' + s + CRLF);
    } else this.bulk(formatDouble(d));
  }

  bool(b: boolean): void {
    if (this.proto === 3) this.rawStr(b ? '#t\r\n' : '#f\r\n');
    else this.raw(sharedInts[b ? 1 : 0]);
  }

  /** Verbatim string (`=` in RESP3, bulk in RESP2). `fmt` is the 3-letter format, e.g. "txt". */
  verbatim(s: string, fmt = 'txt'): void {
    if (this.proto === 3) {
      this.rawStr('=' + (s.length + 4) + CRLF + fmt + ':');
      this.rawStr(s + CRLF);
    } else this.bulk(s);
  }

  bigNumber(s: string): void {
    if (this.proto === 3) this.rawStr('(' + s + CRLF);
    else this.bulk(s);
  }

  /** An array of bulk strings. */
  bulkArray(items: readonly (string | Buffer)[]): void {
    this.arrayHeader(items.length);
    for (let i = 0; i < items.length; i++) this.bulkValue(items[i]);
  }

  /** Reserve a spot for an array header whose length is known later (deferred length). */
  deferred(): { pos: number; len: number } {
    // Reserve 12 bytes: enough for "*4294967295\r\n" minus one; filled by setDeferred.
    this.ensure(16);
    const mark = { pos: this.len, len: 0 };
    this.len += 16;
    return mark;
  }

  /** Fill a deferred header: `type` '*' array, '%' map (pairs), '~' set. */
  setDeferred(mark: { pos: number }, n: number, type: '*' | '%' | '~' = '*'): void {
    let t = type;
    let count = n;
    if (this.proto === 2 && t !== '*') {
      if (t === '%') count = n * 2;
      t = '*';
    }
    const hdr = Buffer.from(t + count + CRLF, 'latin1');
    // Shift the content written after the reserved spot left to close the gap.
    const gapEnd = mark.pos + 16;
    const contentLen = this.len - gapEnd;
    hdr.copy(this.buf, mark.pos);
    this.buf.copy(this.buf, mark.pos + hdr.length, gapEnd, gapEnd + contentLen);
    this.len = mark.pos + hdr.length + contentLen;
  }
}

/*
 * Out-of-band messages (pub/sub messages, client-side caching invalidations)
 * encoded once into a Buffer, so that a message going to many receivers is
 * encoded at most once per protocol version and then copied as raw bytes.
 * In RESP3 these are push frames ('>'); in RESP2 plain arrays ('*').
 */

/** One item of a push frame: a bulk string, a null, an integer, or an array of bulk strings. */
export type PushItem = string | null | number | readonly string[];

const CRLF = '\r\n';

function itemSize(it: PushItem): number {
  if (it === null) return 5;
  if (typeof it === 'number') return 24;
  if (typeof it === 'string') return it.length + 16;
  let n = 16;
  for (const s of it) n += s.length + 16;
  return n;
}

function writeBulk(b: Buffer, p: number, s: string): number {
  p += b.latin1Write('$' + s.length + CRLF, p);
  p += b.latin1Write(s, p);
  b[p++] = 13;
  b[p++] = 10;
  return p;
}

/** Encode a push frame of `items` for protocol `proto`. */
export function encodePush(proto: 2 | 3, items: readonly PushItem[]): Buffer {
  let size = 16;
  for (const it of items) size += itemSize(it);
  const b = Buffer.allocUnsafe(size);
  let p = b.latin1Write((proto === 3 ? '>' : '*') + items.length + CRLF, 0);
  for (const it of items) {
    if (it === null) p += b.latin1Write(proto === 3 ? '_\r\n' : '$-1\r\n', p);
    else if (typeof it === 'number') p += b.latin1Write(':' + it + CRLF, p);
    else if (typeof it === 'string') p = writeBulk(b, p, it);
    else {
      p += b.latin1Write('*' + it.length + CRLF, p);
      for (const s of it) p = writeBulk(b, p, s);
    }
  }
  return b.subarray(0, p);
}

/**
 * A message encoded lazily for each protocol version: `get(proto)` encodes on
 * first use and returns the same Buffer to every later receiver.
 */
export class SharedPush {
  private r2: Buffer | null = null;
  private r3: Buffer | null = null;
  constructor(private readonly items: readonly PushItem[]) {}

  get(proto: 2 | 3): Buffer {
    if (proto === 3) return (this.r3 ??= encodePush(3, this.items));
    return (this.r2 ??= encodePush(2, this.items));
  }
}

/*
 * The replication backlog: a ring buffer holding the latest bytes of the
 * replication stream, so that a replica that lost its link for a while can
 * ask for what it missed (PSYNC replid offset → +CONTINUE) instead of a full
 * transfer. Offsets are stream offsets: the first byte ever fed is offset 1.
 */

export class Backlog {
  private buf: Buffer;
  /** Position in `buf` where the next byte goes. */
  private idx = 0;
  /** Bytes held (≤ buf.length). */
  histlen = 0;
  /** Stream offset of the last byte held (the master offset). */
  endOffset: number;

  constructor(size: number, endOffset: number) {
    this.buf = Buffer.alloc(Math.max(16 * 1024, size));
    this.endOffset = endOffset;
  }

  get size(): number {
    return this.buf.length;
  }

  /** Stream offset of the first byte held. */
  get firstOffset(): number {
    return this.endOffset - this.histlen + 1;
  }

  feed(data: Buffer): void {
    const size = this.buf.length;
    this.endOffset += data.length;
    let src = data;
    if (src.length > size) src = src.subarray(src.length - size);
    const first = Math.min(src.length, size - this.idx);
    src.copy(this.buf, this.idx, 0, first);
    if (first < src.length) src.copy(this.buf, 0, first);
    this.idx = (this.idx + src.length) % size;
    this.histlen = Math.min(size, this.histlen + src.length);
  }

  /** Can the stream be served from `offset` (the first byte the replica wants)? */
  covers(offset: number): boolean {
    return offset >= this.firstOffset && offset <= this.endOffset + 1;
  }

  /** The bytes from stream offset `offset` to the end. */
  readFrom(offset: number): Buffer {
    const n = this.endOffset + 1 - offset;
    if (n <= 0) return Buffer.alloc(0);
    const size = this.buf.length;
    const start = (this.idx - n + size * 2) % size;
    if (start + n <= size) return Buffer.from(this.buf.subarray(start, start + n));
    return Buffer.concat([this.buf.subarray(start), this.buf.subarray(0, n - (size - start))]);
  }

  /** A backlog of another size holding the latest bytes of this one. */
  resized(size: number): Backlog {
    const keep = Math.min(this.histlen, Math.max(16 * 1024, size));
    const b = new Backlog(size, this.endOffset - keep);
    b.feed(this.readFrom(this.endOffset + 1 - keep));
    return b;
  }
}

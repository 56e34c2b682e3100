/*
 * Cursors for SCAN, HSCAN, SSCAN and ZSCAN.
 *
 * Collections live in JS Maps and Sets, whose iterators stay valid while the
 * collection changes: entries deleted before they are reached are skipped and
 * entries added later are reached. So a cursor is a parked live iterator,
 * named by a number. A full iteration returns every element present
 * throughout, exactly once (stronger than Redis's guarantee). Parked
 * iterators are bounded (oldest dropped first); an unknown cursor restarts
 * the iteration, which still returns a superset.
 */

const MAX_PARKED = 8192;

export class CursorTable {
  private parked = new Map<number, { source: object; it: Iterator<unknown> }>();
  private next = 1;

  /** Iterator for `cursor` over `source` (a fresh one for cursor 0 or unknown cursors). */
  resume<T>(cursor: number, source: object, fresh: () => Iterator<T>): Iterator<T> {
    if (cursor !== 0) {
      const p = this.parked.get(cursor);
      if (p !== undefined) {
        this.parked.delete(cursor);
        if (p.source === source) return p.it as Iterator<T>;
      }
    }
    return fresh();
  }

  /** Park an unfinished iterator; returns the cursor to hand to the client. */
  park(source: object, it: Iterator<unknown>): number {
    if (this.parked.size >= MAX_PARKED) {
      const oldest = this.parked.keys().next().value as number;
      this.parked.delete(oldest);
    }
    let id = this.next++;
    if (this.next > 2 ** 52) this.next = 1;
    if (id === 0) id = this.next++;
    this.parked.set(id, { source, it });
    return id;
  }
}

/** Parse a cursor argument as Redis does (unsigned 64-bit decimal). Null when invalid. */
export function parseCursor(s: string): number | null {
  if (!/^[0-9]{1,20}$/.test(s)) return null;
  const b = BigInt(s);
  if (b > 18446744073709551615n) return null;
  return Number(b);
}

/*
 * The list type.
 *
 * Elements live in a ring buffer (a power-of-two array with a head offset),
 * so pushes and pops at both ends are O(1) amortised and index access is
 * O(1); inserting or removing in the middle shifts the shorter side. The
 * buffer doubles when full and halves when mostly empty.
 *
 * The OBJECT ENCODING reported follows Redis 7.2: a small list is a
 * "listpack" and becomes a "quicklist" when one listpack would exceed
 * list-max-listpack-size; a quicklist goes back to a listpack when it shrinks
 * to what would fit in half a node. To decide, the list keeps the byte size
 * its contents would take as a single listpack (exact entry sizes).
 */

import type { RObject } from './value';
import { parseInt64Num } from '../util/numbers';

/** Bytes of an empty listpack (header and end marker). */
const LP_EMPTY = 7;
/** Largest node a count-limited quicklist accepts (bytes). */
const SIZE_SAFETY_LIMIT = 8192;
/** Node size limits for list-max-listpack-size -1 .. -5. */
const SIZE_LEVELS = [4096, 8192, 16384, 32768, 65536];
const MIN_CAPACITY = 4;
/**
 * Above this many elements no listpack can hold the list (its smallest entry
 * takes 2 bytes, its largest node 64 KB), so the byte size stops being kept
 * up to date and is recomputed only if the list shrinks back below it.
 */
const TRACK_LIMIT = 40000;

/** Bytes one element takes inside a listpack (encoding header, payload, back-length). */
export function listpackEntrySize(s: string): number {
  const n = s.length;
  if (n > 0 && n <= 20) {
    const c0 = s.charCodeAt(0);
    if ((c0 >= 48 && c0 <= 57) || c0 === 45) {
      const v = parseInt64Num(s);
      if (v !== null) {
        if (v >= 0 && v <= 127) return 2;
        if (v >= -4096 && v <= 4095) return 3;
        if (v >= -32768 && v <= 32767) return 4;
        if (v >= -8388608 && v <= 8388607) return 5;
        if (v >= -2147483648 && v <= 2147483647) return 6;
        return 10;
      }
    }
  }
  const l = (n < 64 ? 1 : n < 4096 ? 2 : 5) + n;
  return l + (l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5);
}

/** Size and count limits of one quicklist node for a list-max-listpack-size value. */
function nodeLimits(fill: number): { size: number; count: number } {
  if (fill >= 0) return { size: Infinity, count: fill === 0 ? 1 : fill };
  const level = Math.min(-fill - 1, SIZE_LEVELS.length - 1);
  return { size: SIZE_LEVELS[level], count: Infinity };
}

/** Would one node of `bytes` bytes and `count` elements exceed the limits of `fill`? */
function exceedsNodeLimit(fill: number, bytes: number, count: number): boolean {
  const lim = nodeLimits(fill);
  if (lim.size !== Infinity) return bytes > lim.size;
  if (bytes > SIZE_SAFETY_LIMIT) return true;
  return count > lim.count;
}

export class List implements RObject {
  readonly type = 'list' as const;
  private items: string[];
  private head = 0;
  private count = 0;
  private mask: number;
  /** Size of the contents as one listpack, in bytes. */
  private lpBytes = LP_EMPTY;
  /** Is lpBytes up to date? (Not for long lists: see TRACK_LIMIT.) */
  private tracked = true;
  /** Encoded as a quicklist (true) or a listpack (false). */
  quicklist = false;
  /** list-max-listpack-size seen by the last encoding decision (for splitting into nodes). */
  private fill = -2;

  constructor(capacity = MIN_CAPACITY) {
    let cap = MIN_CAPACITY;
    while (cap < capacity) cap *= 2;
    this.items = newSlots(cap);
    this.mask = cap - 1;
  }

  /** A list holding `elements` in order. */
  static from(elements: readonly string[]): List {
    const l = new List(elements.length);
    for (let i = 0; i < elements.length; i++) l.pushTail(elements[i]);
    return l;
  }

  get length(): number {
    return this.count;
  }

  size(): number {
    return this.count;
  }

  encoding(): string {
    return this.quicklist ? 'quicklist' : 'listpack';
  }

  clone(): List {
    const l = new List(this.count);
    for (let i = 0; i < this.count; i++) l.pushTail(this.at(i));
    l.quicklist = this.quicklist;
    return l;
  }

  /** Deterministic text of the contents (DEBUG DIGEST). */
  digest(): string {
    let s = '';
    for (let i = 0; i < this.count; i++) {
      const e = this.at(i);
      s += e.length + ':' + e;
    }
    return s;
  }

  /** Approximate memory used, in bytes (MEMORY USAGE). */
  memoryUsage(): number {
    const bytes = this.tracked ? this.lpBytes : this.count * 12;
    return 48 + this.items.length * 8 + bytes + this.count * 16;
  }

  // --------------------------------------------------------------------------
  // Encoding
  // --------------------------------------------------------------------------

  /**
   * Before adding `addCount` elements totalling `addBytes` bytes: become a
   * quicklist if one listpack would no longer do (Redis's growing check).
   */
  growFor(fill: number, addCount: number, addBytes: number): void {
    this.fill = fill;
    if (!this.quicklist && exceedsNodeLimit(fill, this.lpBytes + addBytes, this.count + addCount)) this.quicklist = true;
  }

  /**
   * After the contents changed: a quicklist that fits in one node (half of
   * one when `shrinking`, to avoid flapping) goes back to a listpack.
   */
  tryConvertToListpack(fill: number, shrinking: boolean): void {
    this.fill = fill;
    if (!this.quicklist) return;
    const lim = nodeLimits(fill);
    let size = lim.size;
    let count = lim.count;
    if (shrinking) {
      size = Math.floor(size / 2);
      count = Math.floor(count / 2);
    }
    if (!this.tracked) {
      if (this.count > TRACK_LIMIT) return;
      let b = LP_EMPTY;
      for (let i = 0; i < this.count; i++) b += listpackEntrySize(this.at(i));
      this.lpBytes = b;
      this.tracked = true;
    }
    // A count-limited quicklist splits nodes at the safety size too.
    if (lim.size === Infinity && this.lpBytes > SIZE_SAFETY_LIMIT) return;
    if (this.lpBytes > size || this.count > count) return;
    this.quicklist = false;
  }

  /**
   * The elements cut into quicklist nodes as Redis fills them (each node as
   * large as the fill limits allow); a listpack is one node.
   */
  nodes(): string[][] {
    if (!this.quicklist) return [this.slice(0, this.count - 1)];
    const out: string[][] = [];
    let cur: string[] = [];
    let bytes = LP_EMPTY;
    for (let i = 0; i < this.count; i++) {
      const e = this.at(i);
      const sz = listpackEntrySize(e);
      if (cur.length !== 0 && exceedsNodeLimit(this.fill, bytes + sz, cur.length + 1)) {
        out.push(cur);
        cur = [];
        bytes = LP_EMPTY;
      }
      cur.push(e);
      bytes += sz;
    }
    if (cur.length !== 0) out.push(cur);
    return out;
  }

  // --------------------------------------------------------------------------
  // Access
  // --------------------------------------------------------------------------

  /** Element at index `i` (0 <= i < length). */
  at(i: number): string {
    return this.items[(this.head + i) & this.mask];
  }

  /** Replace the element at index `i`; returns the old one. */
  setAt(i: number, v: string): string {
    const p = (this.head + i) & this.mask;
    const old = this.items[p];
    this.items[p] = v;
    if (this.tracked) this.lpBytes += listpackEntrySize(v) - listpackEntrySize(old);
    return old;
  }

  /** Elements from `start` to `end` inclusive (valid indexes), in order. */
  slice(start: number, end: number): string[] {
    const out: string[] = [];
    for (let i = start; i <= end; i++) out.push(this.items[(this.head + i) & this.mask]);
    return out;
  }

  // --------------------------------------------------------------------------
  // Ends
  // --------------------------------------------------------------------------

  pushTail(v: string): void {
    if (this.count === this.items.length) this.resize(this.items.length * 2);
    this.items[(this.head + this.count) & this.mask] = v;
    this.count++;
    if (this.tracked) this.track(listpackEntrySize(v));
  }

  pushHead(v: string): void {
    if (this.count === this.items.length) this.resize(this.items.length * 2);
    this.head = (this.head - 1) & this.mask;
    this.items[this.head] = v;
    this.count++;
    if (this.tracked) this.track(listpackEntrySize(v));
  }

  /** Remove and return the first element (undefined when empty). */
  popHead(): string | undefined {
    if (this.count === 0) return undefined;
    const v = this.items[this.head];
    this.items[this.head] = '';
    this.head = (this.head + 1) & this.mask;
    this.count--;
    if (this.tracked) this.lpBytes -= listpackEntrySize(v);
    this.maybeShrink();
    return v;
  }

  /** Remove and return the last element (undefined when empty). */
  popTail(): string | undefined {
    if (this.count === 0) return undefined;
    const p = (this.head + this.count - 1) & this.mask;
    const v = this.items[p];
    this.items[p] = '';
    this.count--;
    if (this.tracked) this.lpBytes -= listpackEntrySize(v);
    this.maybeShrink();
    return v;
  }

  // --------------------------------------------------------------------------
  // Middle
  // --------------------------------------------------------------------------

  /** Insert `v` so that it ends up at index `i` (0 <= i <= length). */
  insertAt(i: number, v: string): void {
    if (this.count === this.items.length) this.resize(this.items.length * 2);
    const items = this.items;
    const m = this.mask;
    if (i < this.count - i) {
      // Shift the first i elements one slot to the left.
      this.head = (this.head - 1) & m;
      for (let k = 0; k < i; k++) items[(this.head + k) & m] = items[(this.head + k + 1) & m];
    } else {
      // Shift the elements from i one slot to the right.
      for (let k = this.count; k > i; k--) items[(this.head + k) & m] = items[(this.head + k - 1) & m];
    }
    items[(this.head + i) & m] = v;
    this.count++;
    if (this.tracked) this.track(listpackEntrySize(v));
  }

  /** Remove `n` elements starting at index `start` (a valid range). */
  removeRange(start: number, n: number): void {
    if (n <= 0) return;
    const items = this.items;
    const m = this.mask;
    if (this.tracked) for (let k = start; k < start + n; k++) this.lpBytes -= listpackEntrySize(items[(this.head + k) & m]);
    const after = this.count - start - n;
    if (start < after) {
      // Move the head part right by n.
      for (let k = start - 1; k >= 0; k--) items[(this.head + k + n) & m] = items[(this.head + k) & m];
      for (let k = 0; k < n; k++) items[(this.head + k) & m] = '';
      this.head = (this.head + n) & m;
    } else {
      // Move the tail part left by n.
      for (let k = start; k < start + after; k++) items[(this.head + k) & m] = items[(this.head + k + n) & m];
      for (let k = start + after; k < this.count; k++) items[(this.head + k) & m] = '';
    }
    this.count -= n;
    this.maybeShrink();
  }

  /** Keep only indexes start..end inclusive (start > end empties the list). */
  trim(start: number, end: number): void {
    if (start > end || start >= this.count) {
      this.removeRange(0, this.count);
      return;
    }
    if (end < this.count - 1) this.removeRange(end + 1, this.count - end - 1);
    if (start > 0) this.removeRange(0, start);
  }

  /**
   * Remove elements equal to `v`: up to `limit` of them (0 = all), scanning
   * from the head, or from the tail when `fromTail`. Returns how many.
   */
  removeValue(v: string, limit: number, fromTail: boolean): number {
    const n = this.count;
    const keep = new Uint8Array(n);
    let removed = 0;
    if (fromTail) {
      for (let i = n - 1; i >= 0; i--) {
        if ((limit === 0 || removed < limit) && this.at(i) === v) removed++;
        else keep[i] = 1;
      }
    } else {
      for (let i = 0; i < n; i++) {
        if ((limit === 0 || removed < limit) && this.at(i) === v) removed++;
        else keep[i] = 1;
      }
    }
    if (removed === 0) return 0;
    // Compact in place towards the head.
    const items = this.items;
    const m = this.mask;
    let w = 0;
    for (let i = 0; i < n; i++) {
      if (keep[i]) {
        if (w !== i) items[(this.head + w) & m] = items[(this.head + i) & m];
        w++;
      }
    }
    for (let i = w; i < n; i++) items[(this.head + i) & m] = '';
    this.count = w;
    if (this.tracked) this.lpBytes -= removed * listpackEntrySize(v);
    this.maybeShrink();
    return removed;
  }

  // --------------------------------------------------------------------------
  // Storage
  // --------------------------------------------------------------------------

  /** Account for an added entry of `size` bytes; stop tracking once the list is too long to matter. */
  private track(size: number): void {
    this.lpBytes += size;
    if (this.count > TRACK_LIMIT && this.quicklist) this.tracked = false;
  }

  private maybeShrink(): void {
    const cap = this.items.length;
    if (cap > 64 && this.count < cap >>> 2) this.resize(cap >>> 1);
  }

  private resize(cap: number): void {
    const next: string[] = [];
    for (let i = 0; i < this.count; i++) next.push(this.items[(this.head + i) & this.mask]);
    for (let i = this.count; i < cap; i++) next.push('');
    this.items = next;
    this.head = 0;
    this.mask = cap - 1;
  }
}

function newSlots(n: number): string[] {
  const a: string[] = [];
  for (let i = 0; i < n; i++) a.push('');
  return a;
}

/** Is `v` a list value? */
export function isList(v: unknown): v is List {
  return v instanceof List;
}

/*
 * The sorted set type.
 *
 * A Map member → node gives O(1) score lookups; the nodes are also linked in
 * a skiplist ordered by (score, member) whose forward links carry spans (the
 * number of level-0 steps each link jumps), which makes rank queries,
 * rank-based access and range operations O(log n).
 *
 * Redis keeps small sorted sets in a listpack. Here the structure is the same
 * at every size; the OBJECT ENCODING Redis would report is tracked beside it
 * with Redis 7.2's rules (listpack while the set holds at most
 * zset-max-listpack-entries members of at most zset-max-listpack-value
 * bytes, one-way conversion to skiplist on growth, and back only when a
 * result set is built from scratch).
 *
 * Members are latin1 strings, so JS string comparison is byte order
 * (memcmp), as Redis compares members with equal scores.
 */

import type { RObject } from './value';

/** The encoding thresholds (zset-max-listpack-entries / zset-max-listpack-value). */
export interface ZsetLimits {
  maxListpackEntries: number;
  maxListpackValue: number;
}

/** A score interval; `minex`/`maxex` make a bound exclusive. */
export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

/** Kinds of a lexicographic bound: a string, or the '-' / '+' infinities. */
export const LEX_VALUE = 0;
export const LEX_MINUS = -1;
export const LEX_PLUS = 1;

/** A lexicographic interval (ZRANGEBYLEX): bounds are strings or '-'/'+'. */
export interface LexRange {
  min: string;
  max: string;
  minKind: number;
  maxKind: number;
  minex: boolean;
  maxex: boolean;
}

const MAX_LEVEL = 32;
const P = 0.25;

/** One element: its member, score and skiplist links. */
export class ZNode {
  member: string;
  score: number;
  backward: ZNode | null = null;
  next: (ZNode | null)[];
  span: number[];

  constructor(level: number, score: number, member: string) {
    this.member = member;
    this.score = score;
    this.next = new Array<ZNode | null>(level).fill(null);
    this.span = new Array<number>(level).fill(0);
  }

  /** The following element in ascending order. */
  get forward(): ZNode | null {
    return this.next[0];
  }
}

/** (s1, m1) < (s2, m2) in sorted set order. */
function lessThan(s1: number, m1: string, s2: number, m2: string): boolean {
  return s1 < s2 || (s1 === s2 && m1 < m2);
}

export function scoreGteMin(v: number, r: ScoreRange): boolean {
  return r.minex ? v > r.min : v >= r.min;
}

export function scoreLteMax(v: number, r: ScoreRange): boolean {
  return r.maxex ? v < r.max : v <= r.max;
}

/** Is the score interval empty by construction? */
export function scoreRangeEmpty(r: ScoreRange): boolean {
  return r.min > r.max || (r.min === r.max && (r.minex || r.maxex));
}

export function lexGteMin(v: string, r: LexRange): boolean {
  if (r.minKind === LEX_MINUS) return true;
  if (r.minKind === LEX_PLUS) return false;
  return r.minex ? v > r.min : v >= r.min;
}

export function lexLteMax(v: string, r: LexRange): boolean {
  if (r.maxKind === LEX_PLUS) return true;
  if (r.maxKind === LEX_MINUS) return false;
  return r.maxex ? v < r.max : v <= r.max;
}

/** Is the lex interval empty by construction? */
export function lexRangeEmpty(r: LexRange): boolean {
  let cmp: number;
  if (r.minKind !== LEX_VALUE || r.maxKind !== LEX_VALUE) cmp = r.minKind === r.maxKind ? 0 : r.minKind < r.maxKind ? -1 : 1;
  else cmp = r.min < r.max ? -1 : r.min > r.max ? 1 : 0;
  return cmp > 0 || (cmp === 0 && (r.minex || r.maxex));
}

// Scratch arrays for insert/delete paths (one command runs at a time).
const UPDATE: ZNode[] = new Array<ZNode>(MAX_LEVEL);
const RANK = new Float64Array(MAX_LEVEL);

function randomLevel(): number {
  let level = 1;
  while (level < MAX_LEVEL && Math.random() < P) level++;
  return level;
}

export class ZSet implements RObject {
  readonly type = 'zset' as const;
  /** member → node. */
  readonly dict = new Map<string, ZNode>();
  private readonly header = new ZNode(MAX_LEVEL, 0, '');
  private tail: ZNode | null = null;
  private level = 1;
  /** Reported encoding: true = listpack, false = skiplist. */
  listpack: boolean;
  /** Longest member added while in listpack encoding. */
  private maxMemberLen = 0;

  constructor(listpack = true) {
    this.listpack = listpack;
  }

  /**
   * A new empty sorted set sized for about `sizeHint` members of up to
   * `valueLenHint` bytes (Redis's zsetTypeCreate).
   */
  static create(sizeHint: number, valueLenHint: number, lim: ZsetLimits): ZSet {
    return new ZSet(sizeHint <= lim.maxListpackEntries && valueLenHint <= lim.maxListpackValue);
  }

  /** Build a sorted set from (member, score) pairs, with the encoding Redis picks on load. */
  static from(entries: Iterable<[string, number]>, lim: ZsetLimits): ZSet {
    const z = new ZSet(false);
    let maxLen = 0;
    for (const [m, s] of entries) {
      z.set(m, s);
      if (m.length > maxLen) maxLen = m.length;
    }
    z.toListpackIfFits(maxLen, lim);
    return z;
  }

  // --------------------------------------------------------------------------
  // RObject
  // --------------------------------------------------------------------------

  encoding(): string {
    return this.listpack ? 'listpack' : 'skiplist';
  }

  size(): number {
    return this.dict.size;
  }

  clone(): ZSet {
    const z = new ZSet(this.listpack);
    z.maxMemberLen = this.maxMemberLen;
    // Appending in order: every insert lands at the tail.
    for (let x = this.header.next[0]; x !== null; x = x.next[0]) z.dict.set(x.member, z.insertNode(x.score, x.member));
    return z;
  }

  /** Deterministic text of the contents (DEBUG DIGEST), in order. */
  digest(): string {
    let out = '';
    for (let x = this.header.next[0]; x !== null; x = x.next[0]) out += x.member.length + ':' + x.member + '=' + String(x.score) + ',';
    return out;
  }

  /** Rough byte estimate in the spirit of Redis's MEMORY USAGE. */
  memoryUsage(): number {
    let bytes = 0;
    for (const m of this.dict.keys()) bytes += m.length;
    const n = this.dict.size;
    if (this.listpack) return 16 + bytes + n * 12;
    return 96 + bytes + n * 80;
  }

  // --------------------------------------------------------------------------
  // Encoding
  // --------------------------------------------------------------------------

  /** Switch to skiplist when the contents outgrow the listpack limits. */
  checkEncoding(lim: ZsetLimits): void {
    if (this.listpack && (this.dict.size > lim.maxListpackEntries || this.maxMemberLen > lim.maxListpackValue)) {
      this.listpack = false;
    }
  }

  /** Convert ahead of adding about `hint` members (Redis's zsetTypeMaybeConvert). */
  maybeConvert(hint: number, lim: ZsetLimits): void {
    if (this.listpack && hint > lim.maxListpackEntries) this.listpack = false;
  }

  /** Become a listpack when a freshly built result fits (Redis's zsetConvertToListpackIfNeeded). */
  toListpackIfFits(maxMemberLen: number, lim: ZsetLimits): void {
    if (!this.listpack && this.dict.size <= lim.maxListpackEntries && maxMemberLen <= lim.maxListpackValue) {
      this.listpack = true;
      this.maxMemberLen = maxMemberLen;
    }
  }

  // --------------------------------------------------------------------------
  // Lookups
  // --------------------------------------------------------------------------

  score(member: string): number | undefined {
    const n = this.dict.get(member);
    return n === undefined ? undefined : n.score;
  }

  has(member: string): boolean {
    return this.dict.has(member);
  }

  /** First (lowest) element. */
  first(): ZNode | null {
    return this.header.next[0];
  }

  /** Last (highest) element. */
  last(): ZNode | null {
    return this.tail;
  }

  /** Elements in ascending order as [member, score] pairs. */
  *entries(): IterableIterator<[string, number]> {
    for (let x = this.header.next[0]; x !== null; x = x.next[0]) yield [x.member, x.score];
  }

  /** Members in ascending order. */
  *members(): IterableIterator<string> {
    for (let x = this.header.next[0]; x !== null; x = x.next[0]) yield x.member;
  }

  [Symbol.iterator](): IterableIterator<[string, number]> {
    return this.entries();
  }

  /** Visit elements in order (`reverse` = descending). Stop when `fn` returns false. */
  forEach(fn: (member: string, score: number) => boolean | void, reverse = false): void {
    if (reverse) {
      for (let x = this.tail; x !== null; x = x.backward) if (fn(x.member, x.score) === false) return;
    } else {
      for (let x = this.header.next[0]; x !== null; x = x.next[0]) if (fn(x.member, x.score) === false) return;
    }
  }

  /** 0-based rank of `member` in ascending (or descending) order, -1 when absent. */
  rank(member: string, reverse = false): number {
    const n = this.dict.get(member);
    if (n === undefined) return -1;
    const r = this.rankOf(n.score, n.member); // 1-based
    return reverse ? this.dict.size - r : r - 1;
  }

  /** 1-based rank of an element known to be present. */
  private rankOf(score: number, member: string): number {
    let x = this.header;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = x.next[i];
      while (f !== null && (f.score < score || (f.score === score && f.member <= member))) {
        rank += x.span[i];
        x = f;
        f = x.next[i];
      }
      if (x !== this.header && x.member === member) return rank;
    }
    return 0;
  }

  /** The element at 0-based `rank` in ascending order, or null. */
  at(rank: number): ZNode | null {
    if (rank < 0 || rank >= this.dict.size) return null;
    const target = rank + 1;
    let x = this.header;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      while (x.next[i] !== null && traversed + x.span[i] <= target) {
        traversed += x.span[i];
        x = x.next[i] as ZNode;
      }
      if (traversed === target) return x;
    }
    return null;
  }

  /** A uniformly random element (the set must not be empty). */
  random(): ZNode {
    return this.at(Math.floor(Math.random() * this.dict.size)) as ZNode;
  }

  // --------------------------------------------------------------------------
  // Updates
  // --------------------------------------------------------------------------

  /**
   * Insert or update `member` with `score`. Returns 1 when added, 2 when the
   * score changed, 0 when nothing changed.
   */
  set(member: string, score: number): 0 | 1 | 2 {
    const n = this.dict.get(member);
    if (n === undefined) {
      this.dict.set(member, this.insertNode(score, member));
      if (this.listpack && member.length > this.maxMemberLen) this.maxMemberLen = member.length;
      return 1;
    }
    if (n.score === score) return 0;
    this.updateScore(n, score);
    return 2;
  }

  /** Remove `member`; returns whether it was present. */
  remove(member: string): boolean {
    const n = this.dict.get(member);
    if (n === undefined) return false;
    this.dict.delete(member);
    this.deleteNode(n.score, member);
    return true;
  }

  /** Remove and return the lowest (or highest) element. */
  pop(max: boolean): ZNode | null {
    const n = max ? this.tail : this.header.next[0];
    if (n === null) return null;
    this.remove(n.member);
    return n;
  }

  /** Insert a node for (score, member), which must be absent. */
  private insertNode(score: number, member: string): ZNode {
    const update = UPDATE;
    const rank = RANK;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      rank[i] = i === this.level - 1 ? 0 : rank[i + 1];
      let f = x.next[i];
      while (f !== null && lessThan(f.score, f.member, score, member)) {
        rank[i] += x.span[i];
        x = f;
        f = x.next[i];
      }
      update[i] = x;
    }
    const level = randomLevel();
    const size = this.dict.size; // the new node is not in dict yet
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rank[i] = 0;
        update[i] = this.header;
        this.header.span[i] = size;
      }
      this.level = level;
    }
    const node = new ZNode(level, score, member);
    for (let i = 0; i < level; i++) {
      const u = update[i];
      node.next[i] = u.next[i];
      u.next[i] = node;
      node.span[i] = u.span[i] - (rank[0] - rank[i]);
      u.span[i] = rank[0] - rank[i] + 1;
    }
    for (let i = level; i < this.level; i++) update[i].span[i]++;
    node.backward = update[0] === this.header ? null : update[0];
    if (node.next[0] !== null) (node.next[0] as ZNode).backward = node;
    else this.tail = node;
    return node;
  }

  /** Unlink `node` given the update path. */
  private unlink(node: ZNode, update: ZNode[]): void {
    for (let i = 0; i < this.level; i++) {
      const u = update[i];
      if (u.next[i] === node) {
        u.span[i] += node.span[i] - 1;
        u.next[i] = node.next[i];
      } else {
        u.span[i] -= 1;
      }
    }
    if (node.next[0] !== null) (node.next[0] as ZNode).backward = node.backward;
    else this.tail = node.backward;
    while (this.level > 1 && this.header.next[this.level - 1] === null) this.level--;
  }

  /** Delete the node (score, member) from the skiplist (not from dict). */
  private deleteNode(score: number, member: string): void {
    const update = UPDATE;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = x.next[i];
      while (f !== null && lessThan(f.score, f.member, score, member)) {
        x = f;
        f = x.next[i];
      }
      update[i] = x;
    }
    const n = x.next[0];
    if (n !== null && n.score === score && n.member === member) this.unlink(n, update);
  }

  /** Move node `n` to `score`, in place when its position does not change. */
  private updateScore(n: ZNode, score: number): void {
    const prev = n.backward;
    const next = n.next[0];
    if ((prev === null || lessThan(prev.score, prev.member, score, n.member)) && (next === null || lessThan(score, n.member, next.score, next.member))) {
      n.score = score;
      return;
    }
    this.deleteNode(n.score, n.member);
    this.dict.set(n.member, this.insertNodeFor(n.member, score));
  }

  private insertNodeFor(member: string, score: number): ZNode {
    // dict.size still counts the member while it is re-inserted: insertNode
    // only uses it to size new levels' header spans, which must exclude it.
    this.dict.delete(member);
    const node = this.insertNode(score, member);
    return node;
  }

  // --------------------------------------------------------------------------
  // Ranges
  // --------------------------------------------------------------------------

  /** Does some element fall in the score range? */
  private inScoreRange(r: ScoreRange): boolean {
    if (scoreRangeEmpty(r)) return false;
    const t = this.tail;
    if (t === null || !scoreGteMin(t.score, r)) return false;
    const h = this.header.next[0];
    if (h === null || !scoreLteMax(h.score, r)) return false;
    return true;
  }

  /** First element within the score range, or null. */
  firstInScoreRange(r: ScoreRange): ZNode | null {
    if (!this.inScoreRange(r)) return null;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = x.next[i];
      while (f !== null && !scoreGteMin(f.score, r)) {
        x = f;
        f = x.next[i];
      }
    }
    const n = x.next[0] as ZNode;
    return scoreLteMax(n.score, r) ? n : null;
  }

  /** Last element within the score range, or null. */
  lastInScoreRange(r: ScoreRange): ZNode | null {
    if (!this.inScoreRange(r)) return null;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = x.next[i];
      while (f !== null && scoreLteMax(f.score, r)) {
        x = f;
        f = x.next[i];
      }
    }
    return scoreGteMin(x.score, r) ? x : null;
  }

  private inLexRange(r: LexRange): boolean {
    if (lexRangeEmpty(r)) return false;
    const t = this.tail;
    if (t === null || !lexGteMin(t.member, r)) return false;
    const h = this.header.next[0];
    if (h === null || !lexLteMax(h.member, r)) return false;
    return true;
  }

  /** First element within the lex range, or null (meaningful when all scores are equal). */
  firstInLexRange(r: LexRange): ZNode | null {
    if (!this.inLexRange(r)) return null;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = x.next[i];
      while (f !== null && !lexGteMin(f.member, r)) {
        x = f;
        f = x.next[i];
      }
    }
    const n = x.next[0] as ZNode;
    return lexLteMax(n.member, r) ? n : null;
  }

  /** Last element within the lex range, or null. */
  lastInLexRange(r: LexRange): ZNode | null {
    if (!this.inLexRange(r)) return null;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = x.next[i];
      while (f !== null && lexLteMax(f.member, r)) {
        x = f;
        f = x.next[i];
      }
    }
    return lexGteMin(x.member, r) ? x : null;
  }

  /** 0-based rank of an element node of this set. */
  rankOfNode(n: ZNode): number {
    return this.rankOf(n.score, n.member) - 1;
  }

  /** Number of elements in the score range. */
  countInScoreRange(r: ScoreRange): number {
    const f = this.firstInScoreRange(r);
    if (f === null) return 0;
    const l = this.lastInScoreRange(r) as ZNode;
    return this.rankOf(l.score, l.member) - this.rankOf(f.score, f.member) + 1;
  }

  /** Number of elements in the lex range. */
  countInLexRange(r: LexRange): number {
    const f = this.firstInLexRange(r);
    if (f === null) return 0;
    const l = this.lastInLexRange(r);
    if (l === null) return 0;
    const n = this.rankOf(l.score, l.member) - this.rankOf(f.score, f.member) + 1;
    return n < 0 ? 0 : n;
  }

  /** Remove the elements in the score range; returns how many. `onDelete` sees each. */
  removeRangeByScore(r: ScoreRange, onDelete?: (member: string, score: number) => void): number {
    const update = UPDATE;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = x.next[i];
      while (f !== null && !scoreGteMin(f.score, r)) {
        x = f;
        f = x.next[i];
      }
      update[i] = x;
    }
    let n = x.next[0];
    let removed = 0;
    while (n !== null && scoreLteMax(n.score, r)) {
      const next = n.next[0];
      this.unlink(n, update);
      this.dict.delete(n.member);
      if (onDelete) onDelete(n.member, n.score);
      removed++;
      n = next;
    }
    return removed;
  }

  /** Remove the elements in the lex range; returns how many. */
  removeRangeByLex(r: LexRange, onDelete?: (member: string, score: number) => void): number {
    const update = UPDATE;
    let x = this.header;
    for (let i = this.level - 1; i >= 0; i--) {
      let f = x.next[i];
      while (f !== null && !lexGteMin(f.member, r)) {
        x = f;
        f = x.next[i];
      }
      update[i] = x;
    }
    let n = x.next[0];
    let removed = 0;
    while (n !== null && lexLteMax(n.member, r)) {
      const next = n.next[0];
      this.unlink(n, update);
      this.dict.delete(n.member);
      if (onDelete) onDelete(n.member, n.score);
      removed++;
      n = next;
    }
    return removed;
  }

  /** Remove the elements with 0-based ranks start..end (inclusive, valid); returns how many. */
  removeRangeByRank(start: number, end: number, onDelete?: (member: string, score: number) => void): number {
    const update = UPDATE;
    const first = start + 1;
    const last = end + 1;
    let x = this.header;
    let traversed = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      while (x.next[i] !== null && traversed + x.span[i] < first) {
        traversed += x.span[i];
        x = x.next[i] as ZNode;
      }
      update[i] = x;
    }
    traversed++;
    let n = x.next[0];
    let removed = 0;
    while (n !== null && traversed <= last) {
      const next = n.next[0];
      this.unlink(n, update);
      this.dict.delete(n.member);
      if (onDelete) onDelete(n.member, n.score);
      removed++;
      traversed++;
      n = next;
    }
    return removed;
  }
}

export function isZSet(v: unknown): v is ZSet {
  return v instanceof ZSet;
}

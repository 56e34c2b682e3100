/*
 * The sorted set type.
 *
 * A Map member → score gives O(1) score lookups. The order (by score, then
 * member) lives in a list of sorted blocks of at most BLOCK_MAX elements
 * (parallel arrays of scores and members, contiguous in memory), with a
 * Fenwick tree over the block sizes: finding an element is a binary search
 * over the blocks then inside one, its rank is a prefix sum, and the element
 * at a rank is a Fenwick descent, all O(log n); inserting or removing moves
 * at most BLOCK_MAX entries. Iteration walks the arrays. Far fewer pointer
 * hops than a skiplist, which matters at millions of members.
 *
 * Redis keeps small sorted sets in a listpack. Here the structure is the same
 * at every size (a small set is a single block); the OBJECT ENCODING Redis
 * would report is tracked beside it with Redis 7.2's rules: listpack while
 * the set holds at most zset-max-listpack-entries members of at most
 * zset-max-listpack-value bytes, one-way conversion to skiplist on growth,
 * and back only when a result set is built from scratch.
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

/** Block capacity; a full block splits in two halves. */
const BLOCK_MAX = 256;
/** A block this small is merged with its successor when they fit in one. */
const BLOCK_MERGE = 64;

/** A run of consecutive elements in order. */
class Block {
  scores: number[];
  members: string[];
  constructor(scores: number[] = [], members: string[] = []) {
    this.scores = scores;
    this.members = members;
  }
}

/** Index of the first element of `b` not less than (score, member). */
function lowerBoundInBlock(b: Block, score: number, member: string): number {
  const sc = b.scores;
  const ms = b.members;
  let lo = 0;
  let hi = sc.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const s = sc[mid];
    if (s < score || (s === score && ms[mid] < member)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class ZSet implements RObject {
  readonly type = 'zset' as const;
  /** member → score. */
  readonly dict = new Map<string, number>();
  private blocks: Block[] = [new Block()];
  /** First score and member of each block (a dense copy for the block search). */
  private firstScores: number[] = [0];
  private firstMembers: string[] = [''];
  /** Fenwick tree over block sizes (1-based). */
  private fen: number[] = [0, 0];
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
    z.blocks = this.blocks.map((b) => new Block(b.scores.slice(), b.members.slice()));
    z.fen = this.fen.slice();
    z.firstScores = this.firstScores.slice();
    z.firstMembers = this.firstMembers.slice();
    for (const [m, s] of this.dict) z.dict.set(m, s);
    return z;
  }

  /** Deterministic text of the contents (DEBUG DIGEST), in order. */
  digest(): string {
    let out = '';
    this.forEach((m, s) => {
      out += m.length + ':' + m + '=' + String(s) + ',';
    });
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
  // Fenwick tree over block sizes
  // --------------------------------------------------------------------------

  private fenAdd(blockIdx: number, delta: number): void {
    const f = this.fen;
    for (let i = blockIdx + 1; i < f.length; i += i & -i) f[i] += delta;
  }

  /** Number of elements in blocks [0, blockIdx). */
  private fenPrefix(blockIdx: number): number {
    const f = this.fen;
    let s = 0;
    for (let i = blockIdx; i > 0; i -= i & -i) s += f[i];
    return s;
  }

  /** Rebuild the tree after blocks were added or removed. */
  private fenRebuild(): void {
    const n = this.blocks.length;
    const f = new Array<number>(n + 1).fill(0);
    for (let i = 1; i <= n; i++) {
      f[i] += this.blocks[i - 1].scores.length;
      const j = i + (i & -i);
      if (j <= n) f[j] += f[i];
    }
    this.fen = f;
  }

  /** [block index, offset] of the element at 0-based `rank` (which must be valid). */
  private locate(rank: number): [number, number] {
    const f = this.fen;
    const n = f.length - 1;
    let pos = 0;
    let rem = rank;
    let step = 1;
    while (step * 2 <= n) step *= 2;
    for (; step > 0; step >>= 1) {
      const next = pos + step;
      if (next <= n && f[next] <= rem) {
        pos = next;
        rem -= f[next];
      }
    }
    return [pos, rem];
  }

  // --------------------------------------------------------------------------
  // Lookups
  // --------------------------------------------------------------------------

  score(member: string): number | undefined {
    return this.dict.get(member);
  }

  has(member: string): boolean {
    return this.dict.has(member);
  }

  /** Index of the block where (score, member) is or would be inserted. */
  private blockFor(score: number, member: string): number {
    const fs = this.firstScores;
    const fm = this.firstMembers;
    // The last block whose first element is <= (score, member).
    let lo = 0;
    let hi = fs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      const s = fs[mid];
      if (s < score || (s === score && fm[mid] <= member)) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Member at 0-based `rank` in ascending order, or undefined. */
  memberAt(rank: number): string | undefined {
    if (rank < 0 || rank >= this.dict.size) return undefined;
    const [b, o] = this.locate(rank);
    return this.blocks[b].members[o];
  }

  /** [member, score] at 0-based `rank` in ascending order, or null. */
  at(rank: number): [string, number] | null {
    if (rank < 0 || rank >= this.dict.size) return null;
    const [b, o] = this.locate(rank);
    const blk = this.blocks[b];
    return [blk.members[o], blk.scores[o]];
  }

  /** Score at 0-based `rank` in ascending order, or undefined. */
  scoreAt(rank: number): number | undefined {
    if (rank < 0 || rank >= this.dict.size) return undefined;
    const [b, o] = this.locate(rank);
    return this.blocks[b].scores[o];
  }

  /** 0-based rank of `member` in ascending (or descending) order, -1 when absent. */
  rank(member: string, reverse = false): number {
    const s = this.dict.get(member);
    if (s === undefined) return -1;
    const b = this.blockFor(s, member);
    const r = this.fenPrefix(b) + lowerBoundInBlock(this.blocks[b], s, member);
    return reverse ? this.dict.size - 1 - r : r;
  }

  /** A uniformly random 0-based rank (the set must not be empty). */
  randomRank(): number {
    return Math.floor(Math.random() * this.dict.size);
  }

  /** Visit elements in order (`reverse` = descending). Stop when `fn` returns false. */
  forEach(fn: (member: string, score: number) => boolean | void, reverse = false): void {
    const bl = this.blocks;
    if (reverse) {
      for (let i = bl.length - 1; i >= 0; i--) {
        const { scores, members } = bl[i];
        for (let j = scores.length - 1; j >= 0; j--) if (fn(members[j], scores[j]) === false) return;
      }
    } else {
      for (let i = 0; i < bl.length; i++) {
        const { scores, members } = bl[i];
        for (let j = 0; j < scores.length; j++) if (fn(members[j], scores[j]) === false) return;
      }
    }
  }

  /**
   * Visit `count` elements from 0-based `rank`, ascending, or descending
   * (towards lower ranks) when `reverse`. Stops early when `fn` returns false.
   */
  range(rank: number, count: number, reverse: boolean, fn: (member: string, score: number) => boolean | void): void {
    if (count <= 0 || rank < 0 || rank >= this.dict.size) return;
    let [b, o] = this.locate(rank);
    const bl = this.blocks;
    let left = count;
    if (reverse) {
      while (b >= 0) {
        const { scores, members } = bl[b];
        for (; o >= 0; o--) {
          if (fn(members[o], scores[o]) === false || --left === 0) return;
        }
        b--;
        if (b >= 0) o = bl[b].scores.length - 1;
      }
    } else {
      while (b < bl.length) {
        const { scores, members } = bl[b];
        for (; o < scores.length; o++) {
          if (fn(members[o], scores[o]) === false || --left === 0) return;
        }
        b++;
        o = 0;
      }
    }
  }

  /** Elements in ascending order as [member, score] pairs. */
  *entries(): IterableIterator<[string, number]> {
    for (const b of this.blocks) {
      const { scores, members } = b;
      for (let j = 0; j < scores.length; j++) yield [members[j], scores[j]];
    }
  }

  /** Members in ascending order. */
  *members(): IterableIterator<string> {
    for (const b of this.blocks) yield* b.members;
  }

  [Symbol.iterator](): IterableIterator<[string, number]> {
    return this.entries();
  }

  // --------------------------------------------------------------------------
  // Updates
  // --------------------------------------------------------------------------

  /**
   * Insert or update `member` with `score`. Returns 1 when added, 2 when the
   * score changed, 0 when nothing changed.
   */
  set(member: string, score: number): 0 | 1 | 2 {
    const cur = this.dict.get(member);
    if (cur === undefined) {
      this.dict.set(member, score);
      this.insertOrdered(score, member);
      if (this.listpack && member.length > this.maxMemberLen) this.maxMemberLen = member.length;
      return 1;
    }
    if (cur === score) return 0;
    this.removeOrdered(cur, member);
    this.dict.set(member, score);
    this.insertOrdered(score, member);
    return 2;
  }

  /** Remove `member`; returns whether it was present. */
  remove(member: string): boolean {
    const s = this.dict.get(member);
    if (s === undefined) return false;
    this.dict.delete(member);
    this.removeOrdered(s, member);
    return true;
  }

  /** Remove and return the lowest (or highest) element as [member, score]. */
  pop(max: boolean): [string, number] | null {
    const n = this.dict.size;
    if (n === 0) return null;
    const bl = this.blocks;
    const bi = max ? bl.length - 1 : 0;
    const b = bl[bi];
    const o = max ? b.scores.length - 1 : 0;
    const out: [string, number] = [b.members[o], b.scores[o]];
    this.dict.delete(out[0]);
    this.removeAt(bi, o);
    return out;
  }

  private insertOrdered(score: number, member: string): void {
    const bi = this.blockFor(score, member);
    const b = this.blocks[bi];
    const pos = lowerBoundInBlock(b, score, member);
    const sc = b.scores;
    const ms = b.members;
    let j = sc.length;
    sc.push(score);
    ms.push(member);
    // Shift the tail right by one (cheaper than splice for short arrays).
    for (; j > pos; j--) {
      sc[j] = sc[j - 1];
      ms[j] = ms[j - 1];
    }
    sc[pos] = score;
    ms[pos] = member;
    if (pos === 0) {
      this.firstScores[bi] = score;
      this.firstMembers[bi] = member;
    }
    if (b.scores.length > BLOCK_MAX) {
      const half = b.scores.length >>> 1;
      const nb = new Block(b.scores.splice(half), b.members.splice(half));
      this.blocks.splice(bi + 1, 0, nb);
      this.firstScores.splice(bi + 1, 0, nb.scores[0]);
      this.firstMembers.splice(bi + 1, 0, nb.members[0]);
      this.fenRebuild();
    } else this.fenAdd(bi, 1);
  }

  private removeOrdered(score: number, member: string): void {
    const bi = this.blockFor(score, member);
    const pos = lowerBoundInBlock(this.blocks[bi], score, member);
    this.removeAt(bi, pos);
  }

  /** Remove the element at offset `o` of block `bi`, keeping blocks compact. */
  private removeAt(bi: number, o: number): void {
    const bl = this.blocks;
    const b = bl[bi];
    if (o === 0) {
      b.scores.shift();
      b.members.shift();
    } else if (o === b.scores.length - 1) {
      b.scores.pop();
      b.members.pop();
    } else {
      const sc = b.scores;
      const ms = b.members;
      const last = sc.length - 1;
      for (let j = o; j < last; j++) {
        sc[j] = sc[j + 1];
        ms[j] = ms[j + 1];
      }
      sc.pop();
      ms.pop();
    }
    const len = b.scores.length;
    if (o === 0 && len > 0) {
      this.firstScores[bi] = b.scores[0];
      this.firstMembers[bi] = b.members[0];
    }
    if (len === 0 && bl.length > 1) {
      bl.splice(bi, 1);
      this.firstScores.splice(bi, 1);
      this.firstMembers.splice(bi, 1);
      this.fenRebuild();
    } else if (len < BLOCK_MERGE && bi + 1 < bl.length && len + bl[bi + 1].scores.length <= BLOCK_MAX) {
      const nx = bl[bi + 1];
      for (let j = 0; j < nx.scores.length; j++) {
        b.scores.push(nx.scores[j]);
        b.members.push(nx.members[j]);
      }
      bl.splice(bi + 1, 1);
      this.firstScores.splice(bi + 1, 1);
      this.firstMembers.splice(bi + 1, 1);
      if (len === 0) {
        this.firstScores[bi] = b.scores[0];
        this.firstMembers[bi] = b.members[0];
      }
      this.fenRebuild();
    } else this.fenAdd(bi, -1);
  }

  // --------------------------------------------------------------------------
  // Ranges (ranks are 0-based)
  // --------------------------------------------------------------------------

  /**
   * The first rank whose element satisfies `pred` (which must be false then
   * true along the order), or size() when none does.
   */
  private lowerBound(pred: (score: number, member: string) => boolean): number {
    const bl = this.blocks;
    // The first block whose last element satisfies pred.
    let lo = 0;
    let hi = bl.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const b = bl[mid];
      const last = b.scores.length - 1;
      if (last >= 0 && pred(b.scores[last], b.members[last])) hi = mid;
      else lo = mid + 1;
    }
    if (lo === bl.length) return this.dict.size;
    const b = bl[lo];
    let a = 0;
    let z = b.scores.length;
    while (a < z) {
      const mid = (a + z) >>> 1;
      if (pred(b.scores[mid], b.members[mid])) z = mid;
      else a = mid + 1;
    }
    return this.fenPrefix(lo) + a;
  }

  /** [first, last] ranks of the elements in the score range, or null when none. */
  scoreRangeRanks(r: ScoreRange): [number, number] | null {
    if (scoreRangeEmpty(r) || this.dict.size === 0) return null;
    const first = this.lowerBound((s) => scoreGteMin(s, r));
    const last = this.lowerBound((s) => !scoreLteMax(s, r)) - 1;
    return first <= last ? [first, last] : null;
  }

  /** [first, last] ranks of the elements in the lex range, or null (meaningful when all scores are equal). */
  lexRangeRanks(r: LexRange): [number, number] | null {
    if (lexRangeEmpty(r) || this.dict.size === 0) return null;
    const first = this.lowerBound((_s, m) => lexGteMin(m, r));
    const last = this.lowerBound((_s, m) => !lexLteMax(m, r)) - 1;
    return first <= last ? [first, last] : null;
  }

  /** Number of elements in the score range. */
  countInScoreRange(r: ScoreRange): number {
    const rr = this.scoreRangeRanks(r);
    return rr === null ? 0 : rr[1] - rr[0] + 1;
  }

  /** Number of elements in the lex range. */
  countInLexRange(r: LexRange): number {
    const rr = this.lexRangeRanks(r);
    return rr === null ? 0 : rr[1] - rr[0] + 1;
  }

  /** Remove the elements with ranks start..end (inclusive, valid); returns how many. */
  removeRangeByRank(start: number, end: number): number {
    let n = end - start + 1;
    if (n <= 0) return 0;
    const removed = n;
    const [bi0, o0] = this.locate(start);
    let bi = bi0;
    let o = o0;
    const bl = this.blocks;
    // Cut the run out block by block; empty blocks are dropped afterwards.
    while (n > 0 && bi < bl.length) {
      const b = bl[bi];
      const take = Math.min(n, b.scores.length - o);
      const gone = b.members.splice(o, take);
      b.scores.splice(o, take);
      for (const m of gone) this.dict.delete(m);
      n -= take;
      bi++;
      o = 0;
    }
    this.compact();
    return removed;
  }

  /** Remove the elements in the score range; returns how many. */
  removeRangeByScore(r: ScoreRange): number {
    const rr = this.scoreRangeRanks(r);
    return rr === null ? 0 : this.removeRangeByRank(rr[0], rr[1]);
  }

  /** Remove the elements in the lex range; returns how many. */
  removeRangeByLex(r: LexRange): number {
    const rr = this.lexRangeRanks(r);
    return rr === null ? 0 : this.removeRangeByRank(rr[0], rr[1]);
  }

  /** Drop empty blocks, merge small neighbours, rebuild the tree. */
  private compact(): void {
    const out: Block[] = [];
    for (const b of this.blocks) {
      if (b.scores.length === 0) continue;
      const prev = out.length > 0 ? out[out.length - 1] : null;
      if (prev !== null && (prev.scores.length < BLOCK_MERGE || b.scores.length < BLOCK_MERGE) && prev.scores.length + b.scores.length <= BLOCK_MAX) {
        for (let j = 0; j < b.scores.length; j++) {
          prev.scores.push(b.scores[j]);
          prev.members.push(b.members[j]);
        }
      } else out.push(b);
    }
    if (out.length === 0) out.push(new Block());
    this.blocks = out;
    this.firstScores = out.map((b) => (b.scores.length > 0 ? b.scores[0] : 0));
    this.firstMembers = out.map((b) => (b.members.length > 0 ? b.members[0] : ''));
    this.fenRebuild();
  }
}

export function isZSet(v: unknown): v is ZSet {
  return v instanceof ZSet;
}

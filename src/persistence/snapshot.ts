/*
 * Fork-less background snapshots (BGSAVE, BGREWRITEAOF).
 *
 * A SnapshotJob walks every database in slices of about `sliceMs` between
 * event-loop turns (setImmediate), handing each key to an emitter that
 * serialises it. Consistency as of the moment the job started comes from
 * copy-on-write at key level:
 *
 * - At start the job records, for each database, the Map objects holding its
 *   keys and TTLs. FLUSHDB/FLUSHALL replace those Maps and SWAPDB exchanges
 *   them, so the recorded Maps stay exactly as they were; the job finds the
 *   section of a Map by identity.
 * - Database.cowHook is called before a key's value or TTL may change (and
 *   on lookups, since values are mutated in place after a lookup). If the key
 *   belongs to a section not finished yet and has not been written, the job
 *   writes it right away, with its current (= start-time) value, and marks
 *   it as visited; a key being created is only marked, so that the walk skips
 *   it. The RDB stream simply switches databases (SELECTDB) when needed.
 * - The walk uses the live Map iterator (which tolerates insertions and
 *   deletions) and skips visited keys.
 *
 * Memory: one Set of visited keys for the sections in progress (references
 * to existing key strings), plus the bytes waiting for the disk.
 */

import { openSync, writev, fsync, close, renameSync, unlinkSync, closeSync } from 'node:fs';
import type { Database } from '../server/db';
import type { KeyDict } from '../server/keydict';
import type { Value } from '../types/value';
import { valueBytes } from '../eviction/estimate';

export interface SnapshotEmitter {
  /** Start of a database in the walk (RDB: SELECTDB + RESIZEDB). */
  dbStart(dbid: number, size: number, expires: number): void;
  /** One key, with its start-time value and TTL. */
  key(dbid: number, key: string, v: Value, expire: number | undefined): void;
  /** Bytes produced since the last call (checksummed as needed). */
  drain(): Buffer;
  /** Final bytes (trailer). */
  end(): Buffer;
}

/**
 * Keys the walk wrote, spread over this many Sets by a hash of the key: one
 * Set lookup per hook call, and each Set stays small enough that growing it
 * (a rehash) never holds the event loop for long.
 */
const WALKED_PARTS = 512;

/** Partition of a key: a few of its characters (key names differ mostly at the end) and its length. */
function walkedPart(key: string): number {
  const n = key.length;
  if (n === 0) return 0;
  let h = Math.imul(n, 0x9e3779b1);
  h = Math.imul(h ^ key.charCodeAt(n - 1), 0x01000193);
  if (n > 1) h = Math.imul(h ^ key.charCodeAt(n - 2), 0x01000193);
  if (n > 2) h = Math.imul(h ^ key.charCodeAt(n - 3), 0x01000193);
  if (n > 3) h = Math.imul(h ^ key.charCodeAt(n >> 1), 0x01000193);
  if (n > 4) h = Math.imul(h ^ key.charCodeAt(0), 0x01000193);
  return (h ^ (h >>> 15)) & (WALKED_PARTS - 1);
}

interface Section {
  dbid: number;
  dict: KeyDict;
  expires: Map<string, number>;
  /** Keys written because a client touched them first, or created after the start: the walk skips them. */
  visited: Set<string>;
  /** Keys whose first change was counted in cowBytes. */
  counted: Set<string>;
  /** Keys the walk wrote, by walkedPart (checked by the hook only); empty until the walk starts. */
  walked: Set<string>[];
  done: boolean;
  started: boolean;
  /** The walk's position: keys only, so that each step allocates no [key, value] pair. */
  iter: Iterator<string> | null;
}

/** Sequential asynchronous writes to a file (one in flight), with fsync at the end. */
export class FileSink {
  private fd: number;
  private queue: Buffer[] = [];
  private queued = 0;
  private busy = false;
  private error: Error | null = null;
  private drainWaiters: (() => void)[] = [];
  /** abort() came while a write was in flight: the fd is closed when it completes (never reused under it). */
  private closeWhenIdle = false;
  bytes = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w', 0o644);
  }

  get pending(): number {
    return this.queued;
  }

  get failed(): Error | null {
    return this.error;
  }

  write(b: Buffer): void {
    if (b.length === 0 || this.error || this.fd < 0) return;
    this.queue.push(b);
    this.queued += b.length;
    this.pump();
  }

  private pump(): void {
    if (this.busy || this.queue.length === 0) {
      if (!this.busy && this.queue.length === 0) {
        const w = this.drainWaiters;
        this.drainWaiters = [];
        for (const f of w) f();
      }
      return;
    }
    // writev: no concatenation of the queued chunks (a large copy would stall the event loop).
    const bufs = this.queue;
    this.queue = [];
    this.busy = true;
    const writeAll = (): void => {
      writev(this.fd, bufs, (err, n) => {
        if (this.closeWhenIdle) {
          this.busy = false;
          this.closeFd();
          return;
        }
        if (err) {
          this.error = err;
          this.busy = false;
          this.queued = 0;
          this.queue = [];
          const w = this.drainWaiters;
          this.drainWaiters = [];
          for (const f of w) f();
          return;
        }
        this.bytes += n;
        this.queued -= n;
        // Partial write: drop what was written and go on with the rest.
        let left = n;
        while (left > 0 && bufs.length) {
          if (bufs[0].length <= left) {
            left -= bufs[0].length;
            bufs.shift();
          } else {
            bufs[0] = bufs[0].subarray(left);
            left = 0;
          }
        }
        if (bufs.length) return writeAll();
        this.busy = false;
        this.pump();
      });
    };
    writeAll();
  }

  /** Resolves when every queued byte is written. */
  drained(): Promise<void> {
    if ((!this.busy && this.queue.length === 0) || this.error) return Promise.resolve();
    return new Promise((r) => this.drainWaiters.push(r));
  }

  /** Wait for the writes, fsync, close; then rename to `finalPath` (if given). */
  async commit(finalPath: string | null): Promise<void> {
    await this.drained();
    if (this.error) throw this.error;
    await new Promise<void>((res, rej) => fsync(this.fd, (e) => (e ? rej(e) : res())));
    await new Promise<void>((res, rej) => close(this.fd, (e) => (e ? rej(e) : res())));
    this.fd = -1;
    if (finalPath !== null) renameSync(this.path, finalPath);
  }

  /** Give up: close and remove the temporary file. */
  abort(): void {
    this.error ??= new Error('aborted');
    this.queue = [];
    this.queued = 0;
    if (this.busy) this.closeWhenIdle = true;
    else this.closeFd();
    const w = this.drainWaiters;
    this.drainWaiters = [];
    for (const f of w) f();
    try {
      unlinkSync(this.path);
    } catch {
      /* already gone */
    }
  }

  private closeFd(): void {
    if (this.fd < 0) return;
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
    this.fd = -1;
  }
}

export interface SnapshotOptions {
  /** Time budget per slice (ms). */
  sliceMs?: number;
  /** rdb-key-save-delay: microseconds per key (test knob; paces the walk). */
  keyDelayUs?: () => number;
  /** Pause the walk while this many bytes wait for the disk. */
  maxPending?: number;
  /**
   * Called before each slice: the server writes the replies of the commands
   * run since the last slice, so that they do not wait for the slice too.
   */
  beforeSlice?: () => void;
}

export class SnapshotJob {
  private sections: Section[] = [];
  private byDict = new Map<KeyDict, Section>();
  private cur = 0;
  private timer: NodeJS.Immediate | NodeJS.Timeout | null = null;
  private finished = false;
  private aborted = false;
  readonly startedAt = performance.now();
  keysTotal = 0;
  keysDone = 0;
  /** Estimated bytes of the keys changed during the save (reported as the "COW size"). */
  cowBytes = 0;
  /** Slices run, and the longest one (ms): the time the walk held the event loop. */
  slices = 0;
  maxSliceMs = 0;
  private sliceMs: number;
  private maxPending: number;
  private resolve!: (v: void) => void;
  private reject!: (e: Error) => void;
  readonly done: Promise<void>;
  private hook = (db: Database, key: string, creating: boolean, read?: boolean): void => this.beforeWrite(db, key, creating, read);

  constructor(
    private readonly dbs: Database[],
    private readonly emitter: SnapshotEmitter,
    private readonly sink: FileSink | null,
    private readonly opts: SnapshotOptions = {},
    /** Receives the bytes when there is no file sink (in-memory snapshots). */
    private readonly collect: Buffer[] | null = null,
  ) {
    this.sliceMs = opts.sliceMs ?? 0.5;
    this.maxPending = opts.maxPending ?? 32 * 1024 * 1024;
    this.done = new Promise((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
    this.done.catch(() => undefined);
    for (const db of dbs) {
      const s: Section = { dbid: db.id, dict: db.dict, expires: db.expires, visited: new Set(), counted: new Set(), walked: [], done: db.dict.size === 0, started: false, iter: null };
      this.keysTotal += db.dict.size;
      this.sections.push(s);
      if (!s.done) this.byDict.set(db.dict, s);
    }
  }

  start(): void {
    for (const db of this.dbs) db.cowHook = this.hook;
    this.schedule(0);
  }

  get running(): boolean {
    return !this.finished;
  }

  /** Stop the walk; the caller deals with the file. */
  abort(reason: string): void {
    if (this.finished) return;
    this.aborted = true;
    this.cleanup();
    this.sink?.abort();
    this.reject(new Error(reason));
  }

  private cleanup(): void {
    this.finished = true;
    if (this.timer !== null) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = null;
    }
    for (const db of this.dbs) if (db.cowHook === this.hook) db.cowHook = null;
    this.sections = [];
    this.byDict.clear();
  }

  private beforeWrite(db: Database, key: string, creating: boolean, read = false): void {
    const s = this.byDict.get(db.dict);
    if (s === undefined || s.done) return;
    if (!read && !s.counted.has(key)) {
      // Copy-on-write size as a forked child would see it: the first change of
      // each existing key during the save, written to the file yet or not.
      const old = s.dict.get(key);
      if (old !== undefined) {
        s.counted.add(key);
        this.cowBytes += valueBytes(old) + key.length;
      }
    }
    if (s.visited.has(key)) return;
    if (s.walked.length !== 0 && s.walked[walkedPart(key)].has(key)) return;
    const v = s.dict.get(key);
    if (v === undefined) {
      if (creating) s.visited.add(key);
      return;
    }
    s.visited.add(key);
    this.emitter.key(s.dbid, key, v, s.expires.get(key));
    this.keysDone++;
  }

  private schedule(delayMs: number): void {
    if (this.finished) return;
    if (delayMs > 0) this.timer = setTimeout(() => this.slice(), delayMs);
    else this.timer = setImmediate(() => this.slice());
  }

  private output(b: Buffer): void {
    if (b.length === 0) return;
    if (this.sink) this.sink.write(b);
    else this.collect?.push(b);
  }

  private slice(): void {
    this.timer = null;
    if (this.finished) return;
    if (this.sink && this.sink.failed) {
      this.abort(this.sink.failed.message);
      return;
    }
    if (this.sink && this.sink.pending > this.maxPending) {
      void this.sink.drained().then(() => this.schedule(0));
      return;
    }
    const delayUs = this.opts.keyDelayUs?.() ?? 0;
    let allowed = Infinity;
    if (delayUs > 0) {
      const elapsedUs = (performance.now() - this.startedAt) * 1000;
      allowed = Math.floor(elapsedUs / delayUs) + 1 - this.keysDone;
      if (allowed <= 0) {
        this.output(this.emitter.drain());
        this.schedule(Math.max(1, Math.min(100, Math.ceil((delayUs - (elapsedUs % delayUs)) / 1000))));
        return;
      }
    }
    this.opts.beforeSlice?.();
    const sliceStart = performance.now();
    const deadline = sliceStart + this.sliceMs;
    let n = 0;
    while (this.cur < this.sections.length) {
      const s = this.sections[this.cur];
      if (s.done) {
        this.endSection(s);
        continue;
      }
      if (!s.started) {
        s.started = true;
        s.iter = s.dict.keys();
        for (let i = 0; i < WALKED_PARTS; i++) s.walked.push(new Set());
        this.emitter.dbStart(s.dbid, s.dict.size, s.expires.size);
      }
      const it = s.iter as Iterator<string>;
      const r = it.next();
      if (r.done) {
        this.endSection(s);
        continue;
      }
      const key = r.value;
      const v = s.dict.get(key) as Value;
      if (s.visited.size !== 0 && s.visited.has(key)) continue;
      s.walked[walkedPart(key)].add(key);
      this.emitter.key(s.dbid, key, v, s.expires.size === 0 ? undefined : s.expires.get(key));
      this.keysDone++;
      if (--allowed <= 0) break;
      if ((++n & 15) === 0 && performance.now() >= deadline) break;
    }
    this.output(this.emitter.drain());
    this.slices++;
    const took = performance.now() - sliceStart;
    if (took > this.maxSliceMs) this.maxSliceMs = took;
    if (this.cur >= this.sections.length) {
      this.finish();
      return;
    }
    this.schedule(0);
  }

  private endSection(s: Section): void {
    s.done = true;
    s.visited = new Set();
    s.counted = new Set();
    s.walked = [];
    s.iter = null;
    this.byDict.delete(s.dict);
    this.cur++;
  }

  private finish(): void {
    const tail = this.emitter.end();
    this.output(tail);
    this.cleanup();
    if (this.aborted) return;
    if (this.sink === null) {
      this.resolve();
      return;
    }
    this.resolve();
  }

  /** Run the whole walk synchronously (SAVE, DEBUG RELOAD, shutdown). */
  static runSync(dbs: Database[], emitter: SnapshotEmitter, out: (b: Buffer) => void): void {
    for (const db of dbs) {
      if (db.dict.size === 0) continue;
      emitter.dbStart(db.id, db.dict.size, db.expires.size);
      const exp = db.expires;
      let n = 0;
      for (const [key, v] of db.dict) {
        emitter.key(db.id, key, v, exp.size === 0 ? undefined : exp.get(key));
        if ((++n & 1023) === 0) out(emitter.drain());
      }
      out(emitter.drain());
    }
    out(emitter.end());
  }
}

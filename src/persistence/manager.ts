/*
 * The persistence manager: one per server (server.ext.persistence). It owns
 * RDB saving (SAVE, BGSAVE, save points, shutdown, FLUSHALL), loading at
 * start-up and for DEBUG RELOAD, the single "background child" slot shared
 * with AOF rewrites, INFO persistence, and the MISCONF/LOADING command gate.
 *
 * There is no fork: background jobs are SnapshotJobs (see snapshot.ts). For
 * test suites that kill "the child" (`pgrep -P <pid>` then kill -9), a
 * stand-in child process is started while rdb-key-save-delay is set (the
 * only situation where a job lives long enough to be killed); its death
 * aborts the job as a killed fork would.
 */

import { existsSync, openSync, writeSync, fsyncSync, closeSync, renameSync, unlinkSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import type { Server } from '../server/server';
import type { Client } from '../server/client';
import type { CommandDef } from '../commands/types';
import type { Value } from '../types/value';
import { REDIS_VERSION } from '../server/config';
import { RDB_VERSION, RdbError } from './rdb';
import { RdbEmitter, RdbParser, type RdbSink } from './rdb-file';
import { loadContext } from './codecs';
import { RdbAssertion, logLoadError } from './corrupt';
import { FileSink, SnapshotJob, type SnapshotEmitter } from './snapshot';

export const MISCONF_RDB =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";

const BGSAVE_RETRY_DELAY = 5; // seconds

type Gate = (c: Client, cmd: CommandDef, args: string[]) => string | null;

/** Write version used for RDB files and DUMP payloads (tests may lower it to 10 for Redis 7.0). */
let writeVersion = Number(process.env.NODIS_RDB_VERSION) || RDB_VERSION;
export function setRdbWriteVersion(v: number): void {
  writeVersion = v;
}
export function rdbWriteVersion(): number {
  return writeVersion;
}

export interface BgTask {
  kind: 'rdb' | 'aof';
  job: SnapshotJob;
  sink: FileSink;
  startMs: number;
  dirtyBefore: number;
  pid: number;
  child: ChildProcess | null;
  /** Called when the job ends (success or not); set by the owner. */
  killed: boolean;
}

/** Something that can receive an AOF: implemented by aof.ts. */
export interface AofHandle {
  info(): string[];
  infoExtra(): string[];
  enabled(): boolean;
  lastWriteError(): string | null;
  /** Start a rewrite (BGREWRITEAOF or automatic). Returns an error text or null. */
  rewrite(reason: 'user' | 'auto' | 'scheduled'): string | null;
  rewriteScheduled: boolean;
  /** 'wait_rewrite' while the first AOF of CONFIG SET appendonly yes is being written. */
  state: string;
  /** Flush and fsync everything (shutdown, DEBUG LOADAOF). */
  flushSync(): void;
  cron(): void;
  /** Read the manifest (start-up); false after logging a fatal error. */
  loadManifest(): boolean;
  /** Load at start-up; returns false on a fatal error (already logged). */
  load(): Promise<boolean>;
  /** DEBUG LOADAOF. */
  reload(): Promise<boolean>;
  /** BGREWRITEAOF while another job runs. */
  schedule(): void;
  shutdown(): void;
  /** A background task ended (the slot is free). */
  onBgDone(): void;
}

export class Persistence {
  lastBgsaveStatus: 'ok' | 'err' = 'ok';
  lastBgsaveTry = 0;
  lastBgsaveTimeSec = -1;
  rdbSaves = 0;
  lastCowSize = 0;
  lastLoadKeysLoaded = 0;
  lastLoadKeysExpired = 0;
  bgsaveScheduled = false;
  bg: BgTask | null = null;
  loading = false;
  loadingStart = 0;
  loadingTotal = 0;
  loadingLoaded = 0;
  aof: AofHandle | null = null;
  /** Function libraries read from an RDB when no functions engine took them. */
  storedFunctions: string[] = [];
  private lastCronSec = 0;
  /** Background jobs started (INFO total_forks) and the time the last start took. */
  totalForks = 0;
  latestForkUsec = 0;

  constructor(readonly server: Server) {}

  static of(server: Server): Persistence {
    let p = server.ext.persistence as Persistence | undefined;
    if (p === undefined) {
      p = new Persistence(server);
      server.ext.persistence = p;
    }
    return p;
  }

  // --------------------------------------------------------------------------
  // Paths and parameters
  // --------------------------------------------------------------------------

  dir(): string {
    const d = this.server.config.get('dir');
    return d !== '' && isAbsolute(d) ? d : process.cwd();
  }

  rdbPath(): string {
    return join(this.dir(), this.server.config.get('dbfilename'));
  }

  saveParams(): [number, number][] {
    const parts = this.server.config.get('save').split(/\s+/).filter(Boolean).map(Number);
    const out: [number, number][] = [];
    for (let i = 0; i + 1 < parts.length; i += 2) out.push([parts[i], parts[i + 1]]);
    return out;
  }

  nowSec(): number {
    return Math.floor(this.server.clock.now() / 1000);
  }

  functionLibraries(): string[] {
    const dump = this.server.ext.functionsDump as (() => string[]) | undefined;
    return dump ? dump() : this.storedFunctions;
  }

  newRdbEmitter(aofBase: boolean, ver = writeVersion): RdbEmitter {
    const cfg = this.server.config;
    const em = new RdbEmitter(ver, cfg.bool('rdbcompression'), cfg.bool('rdbchecksum'));
    em.header(
      {
        redisVer: REDIS_VERSION,
        ctime: this.nowSec(),
        usedMem: process.memoryUsage().rss,
        replId: this.server.runId,
        replOffset: 0,
        aofBase,
      },
      this.functionLibraries(),
    );
    return em;
  }

  /** The whole dataset as an RDB in memory (replication full sync). */
  snapshotBuffer(): Buffer {
    const em = this.newRdbEmitter(false);
    const parts: Buffer[] = [];
    SnapshotJob.runSync(this.server.dbs, em, (b) => parts.push(b));
    return Buffer.concat(parts);
  }

  // --------------------------------------------------------------------------
  // Synchronous save (SAVE, shutdown, FLUSHALL, DEBUG RELOAD)
  // --------------------------------------------------------------------------

  /** Write a snapshot with `emitter` into `path` via a temporary file. Throws on I/O errors. */
  writeFileSync(path: string, tmp: string, emitter: SnapshotEmitter): void {
    const fd = openSync(tmp, 'w', 0o644);
    try {
      const out = (b: Buffer) => {
        let off = 0;
        while (off < b.length) off += writeSync(fd, b, off, b.length - off);
      };
      out(emitter.drain());
      SnapshotJob.runSync(this.server.dbs, emitter, out);
      fsyncSync(fd);
    } catch (e) {
      closeSync(fd);
      try {
        unlinkSync(tmp);
      } catch {
        /* gone */
      }
      throw e;
    }
    closeSync(fd);
    renameSync(tmp, path);
  }

  saveSync(): boolean {
    const log = this.server.log;
    const tmpName = `temp-${process.pid}.rdb`;
    const tmp = join(this.dir(), tmpName);
    try {
      this.writeFileSync(this.rdbPath(), tmp, this.newRdbEmitter(false));
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.syscall === 'open') log.warning(`Failed opening the temp RDB file ${tmpName} (in server root dir ${this.dir()}) for saving: ${err.message}`);
      else if (err.syscall === 'rename') log.warning(`Error moving temp DB file ${tmpName} on the final destination ${this.server.config.get('dbfilename')} (in server root dir ${this.dir()}): ${err.message}`);
      else log.warning(`Write error saving DB on disk: ${err.message}`);
      this.lastBgsaveStatus = 'err';
      return false;
    }
    log.notice('DB saved on disk');
    this.server.dirty = 0;
    this.server.lastSave = this.nowSec();
    this.lastBgsaveStatus = 'ok';
    this.rdbSaves++;
    return true;
  }

  // --------------------------------------------------------------------------
  // Background jobs
  // --------------------------------------------------------------------------

  hasActiveChild(): boolean {
    return this.bg !== null;
  }

  /** Start a stand-in child process when a test may want to kill the job. */
  private startStandInChild(task: BgTask, onKilled: (sig: string) => void): void {
    if (this.server.config.num('rdb-key-save-delay') === 0) return;
    try {
      const child = spawn(process.execPath, ['-e', 'setInterval(()=>{},1e9)'], { stdio: 'ignore' });
      task.child = child;
      if (child.pid !== undefined) task.pid = child.pid;
      child.on('exit', (_code, sig) => {
        if (task.killed || this.bg !== task) return;
        onKilled(sig ?? 'SIGKILL');
      });
      child.on('error', () => undefined);
    } catch {
      /* no stand-in: the job still runs */
    }
  }

  private stopStandInChild(task: BgTask): void {
    task.killed = true;
    if (task.child && task.child.exitCode === null) task.child.kill('SIGKILL');
  }

  /**
   * Start a background job writing `emitter` to `tmp`, then renaming to
   * `final` (null: the owner renames). `onEnd(ok, bySignal)` runs when done.
   */
  startBgJob(kind: 'rdb' | 'aof', tmp: string, final: string | null, emitter: SnapshotEmitter, onEnd: (task: BgTask, ok: boolean, err: string | null, bySignal: string | null) => void): BgTask {
    const t0 = performance.now();
    const sink = new FileSink(tmp);
    sink.write(emitter.drain());
    // rdb-key-save-delay is read once, as a forked child would have its own copy of the configuration.
    const keyDelay = this.server.config.num('rdb-key-save-delay');
    const job = new SnapshotJob(this.server.dbs, emitter, sink, { keyDelayUs: () => keyDelay, beforeSlice: () => this.server.flushPendingReplies() });
    const task: BgTask = { kind, job, sink, startMs: performance.now(), dirtyBefore: this.server.dirty, pid: process.pid, child: null, killed: false };
    this.bg = task;
    this.startStandInChild(task, (sig) => {
      job.abort('killed');
      this.endBg(task);
      onEnd(task, false, null, sig);
    });
    job.start();
    this.totalForks++;
    this.latestForkUsec = Math.round((performance.now() - t0) * 1000);
    job.done
      .then(() => sink.commit(final))
      .then(
        () => {
          if (this.bg !== task) return;
          this.server.log.debug(`Background ${kind === 'rdb' ? 'save' : 'AOF rewrite'}: ${task.job.keysDone} keys in ${task.job.slices} slices, longest slice ${task.job.maxSliceMs.toFixed(2)} ms`);
          this.endBg(task);
          onEnd(task, true, null, null);
        },
        (e: Error) => {
          if (this.bg !== task) return;
          sink.abort();
          this.endBg(task);
          onEnd(task, false, e.message, null);
        },
      );
    return task;
  }

  private endBg(task: BgTask): void {
    this.stopStandInChild(task);
    if (this.bg === task) this.bg = null;
    // Start what was waiting for the slot on a later turn.
    setImmediate(() => this.afterBg());
  }

  private afterBg(): void {
    if (this.bg !== null) return;
    this.aof?.onBgDone();
    if (this.bg === null && this.bgsaveScheduled && (this.nowSec() - this.lastBgsaveTry > BGSAVE_RETRY_DELAY || this.lastBgsaveStatus === 'ok')) {
      if (this.bgsaveBackground() === null) this.bgsaveScheduled = false;
    }
  }

  /** Kill the running job (FLUSHALL, SHUTDOWN, appendonly no...). Not an error for the status. */
  killBg(kind?: 'rdb' | 'aof'): void {
    const task = this.bg;
    if (task === null || (kind !== undefined && task.kind !== kind)) return;
    task.job.abort('killed');
    task.sink.abort();
    this.stopStandInChild(task);
    this.bg = null;
    if (task.kind === 'rdb') this.server.log.warning('Background saving terminated by signal 10');
    setImmediate(() => this.afterBg());
  }

  /** Start BGSAVE. Returns null, or an error text. */
  bgsaveBackground(): string | null {
    if (this.bg !== null) return 'ERR Background save already in progress';
    const log = this.server.log;
    this.lastBgsaveTry = this.nowSec();
    const tmpName = `temp-${process.pid}.rdb`;
    let task: BgTask;
    try {
      task = this.startBgJob('rdb', join(this.dir(), tmpName), this.rdbPath(), this.newRdbEmitter(false), (t, ok, err, sig) => this.bgsaveDone(t, ok, err, sig));
    } catch (e) {
      this.lastBgsaveStatus = 'err';
      log.warning(`Can't save in background: fork: ${(e as Error).message}`);
      return 'ERR';
    }
    log.notice(`Background saving started by pid ${task.pid}`);
    return null;
  }

  private bgsaveDone(task: BgTask, ok: boolean, err: string | null, sig: string | null): void {
    const log = this.server.log;
    this.lastBgsaveTimeSec = Math.round((performance.now() - task.startMs) / 1000);
    if (ok) {
      log.notice('DB saved on disk');
      log.notice('Background saving terminated with success');
      this.server.dirty -= task.dirtyBefore;
      if (this.server.dirty < 0) this.server.dirty = 0;
      this.server.lastSave = this.nowSec();
      this.lastBgsaveStatus = 'ok';
      this.rdbSaves++;
      this.lastCowSize = task.job.cowBytes;
    } else if (sig !== null) {
      log.warning(`Background saving terminated by signal ${signalNumber(sig)}`);
      this.lastBgsaveStatus = 'err';
    } else {
      log.warning(`Write error saving DB on disk: ${err ?? 'unknown error'}`);
      log.warning('Background saving error');
      this.lastBgsaveStatus = 'err';
    }
  }

  // --------------------------------------------------------------------------
  // Loading
  // --------------------------------------------------------------------------

  /** A sink that stores keys into the server's databases. */
  private loadSink(opts: { preamble: boolean; allowDup: boolean }, stats: { loaded: number; expired: number; empty: number }): RdbSink {
    const srv = this.server;
    const log = srv.log;
    const now = srv.clock.now();
    const keyDelay = srv.config.num('key-load-delay');
    return {
      aux: (k, v) => {
        if (k === 'redis-ver') log.notice(`Loading RDB produced by version ${v}`);
        else if (k === 'ctime') {
          let age = this.nowSec() - Number(v);
          if (age < 0) age = 0;
          log.notice(`RDB age ${age} seconds`);
        } else if (k === 'used-mem') log.notice(`RDB memory usage when created ${(Number(v) / (1024 * 1024)).toFixed(2)} Mb`);
        else if (k === 'aof-base' || k === 'aof-preamble' || k === 'redis-bits' || k === 'repl-id' || k === 'repl-offset' || k === 'repl-stream-db' || k === 'lua' || k === 'aof_base') return;
        else log.debug(`Unrecognized RDB AUX field: '${k}'`);
      },
      func: (code) => {
        const load = srv.ext.functionsLoadFromRdb as ((code: string, replace: boolean) => string | null) | undefined;
        if (load) {
          // A library that already exists is an error, unless merging (DEBUG RELOAD NOFLUSH MERGE).
          const err = load(code, opts.allowDup);
          if (err !== null) throw new RdbError(`Failed loading library: ${err}`, true);
        } else this.storedFunctions.push(code);
      },
      resizeDb: () => undefined,
      key: (dbid, key, v: Value, expire) => {
        if (dbid >= srv.dbs.length) throw new RdbError(`FATAL: Data file was created with a Redis server configured to handle more than ${srv.dbs.length} databases. Exiting\n`, true);
        if (keyDelay > 0) busyWaitUs(keyDelay);
        if (expire !== undefined && expire < now && !opts.preamble) {
          stats.expired++;
          return;
        }
        const db = srv.dbs[dbid];
        if (db.dict.has(key)) {
          if (!opts.allowDup) {
            log.warning(`RDB has duplicated key '${key}' in DB ${dbid}`);
            throw new RdbError('Duplicated key found in RDB file', true);
          }
          db.expires.delete(key);
        }
        db.dict.set(key, v);
        if (expire !== undefined) db.expires.set(key, expire);
        stats.loaded++;
      },
      emptyKey: (_dbid, key) => {
        if (stats.empty++ < 10) log.notice(`rdbLoadObject skipping empty key: ${key}`);
      },
    };
  }

  /** Report a load failure with Redis's lines. */
  reportLoadError(e: unknown, offset: number): void {
    const log = this.server.log;
    if (e instanceof RdbError) {
      if (e.plain) {
        log.warning(e.message);
        return;
      }
      if (e.reason !== undefined) log.warning(e.message);
      if (e instanceof RdbAssertion) logLoadError(log, e, false);
      this.reportCorruptRdb(e.reason ?? e.message, offset);
      return;
    }
    this.reportCorruptRdb((e as Error).message, offset);
  }

  /** The lines Redis logs when it stops on a corrupt RDB: the error, then its RDB check's summary. */
  private reportCorruptRdb(reason: string, offset: number): void {
    const log = this.server.log;
    const line = `Internal error in RDB reading offset ${offset}, function at rdb.c:0 -> ${reason}`;
    log.warning(line);
    log.warning('--- RDB ERROR DETECTED ---');
    log.warning(`[offset ${offset}] ${line}`);
    log.warning('Terminating server after rdb file reading failure.');
  }

  /**
   * Parse an RDB held in `buf` (from `start`) into the databases. With
   * `yieldMs`, yields to the event loop between slices. Returns the parser
   * (its offset is where the RDB ended) or throws.
   */
  async loadRdbBuffer(buf: Buffer, opts: { preamble?: boolean; allowDup?: boolean; yieldMs?: number; start?: number } = {}): Promise<{ parser: RdbParser; loaded: number; expired: number }> {
    const stats = { loaded: 0, expired: 0, empty: 0 };
    const parser = this.newParser(buf, opts.start ?? 0);
    parser.header();
    const sink = this.loadSink({ preamble: !!opts.preamble, allowDup: !!opts.allowDup }, stats);
    const slice = opts.yieldMs ?? 0;
    for (;;) {
      const deadline = performance.now() + (slice || Infinity);
      const done = parser.run(sink, () => {
        this.loadingLoaded = parser.offset;
        return slice > 0 && performance.now() >= deadline;
      });
      if (done) break;
      await new Promise((r) => setImmediate(r));
    }
    if (stats.empty > 0) this.server.log.notice(`Done loading RDB, keys loaded: ${stats.loaded}, keys expired: ${stats.expired}, empty keys skipped: ${stats.empty}.`);
    else this.server.log.notice(`Done loading RDB, keys loaded: ${stats.loaded}, keys expired: ${stats.expired}.`);
    return { parser, loaded: stats.loaded, expired: stats.expired };
  }

  /** Synchronous variant (DEBUG RELOAD). */
  loadRdbBufferSync(buf: Buffer, opts: { preamble?: boolean; allowDup?: boolean; start?: number } = {}): { parser: RdbParser; loaded: number; expired: number } {
    const stats = { loaded: 0, expired: 0, empty: 0 };
    const parser = this.newParser(buf, opts.start ?? 0);
    parser.header();
    parser.run(this.loadSink({ preamble: !!opts.preamble, allowDup: !!opts.allowDup }, stats), () => false);
    if (stats.empty > 0) this.server.log.notice(`Done loading RDB, keys loaded: ${stats.loaded}, keys expired: ${stats.expired}, empty keys skipped: ${stats.empty}.`);
    else this.server.log.notice(`Done loading RDB, keys loaded: ${stats.loaded}, keys expired: ${stats.expired}.`);
    return { parser, loaded: stats.loaded, expired: stats.expired };
  }

  private newParser(buf: Buffer, start: number): RdbParser {
    const cfg = this.server.config;
    const skip = this.server.ext.skipChecksumValidation === true;
    return new RdbParser(buf, (ver) => loadContext(cfg, ver), cfg.bool('rdbchecksum') && !skip, start);
  }

  beginLoading(total: number): void {
    // LOADING comes before every other refusal (busy scripts included):
    // wrap whatever gate the other features installed, for the load's duration.
    const ext = this.server.ext;
    const prev = ext.commandGate as Gate | undefined;
    if (this.loadingGate === null || prev !== this.loadingGate) {
      // A new closure per installation, each with its own `prev`: a gate that another
      // feature wrapped around an earlier one (installed during a start-up load that
      // yielded) stays in the chain and must not be made to call the new outer gate.
      const gate: Gate = (c, cmd, args) => {
        if (this.loading && !cmd.flags.has('loading') && !c.fake) return 'LOADING Redis is loading the dataset in memory';
        return prev !== undefined ? prev(c, cmd, args) : null;
      };
      this.gateBeforeLoading = prev;
      this.loadingGate = gate;
      ext.commandGate = gate;
    }
    this.loading = true;
    this.loadingStart = this.nowSec();
    this.loadingTotal = total;
    this.loadingLoaded = 0;
  }

  endLoading(): void {
    this.loading = false;
    const ext = this.server.ext;
    if (ext.commandGate === this.loadingGate) ext.commandGate = this.gateBeforeLoading;
  }

  private gateBeforeLoading: Gate | undefined;
  private loadingGate: Gate | null = null;

  /** Load dump.rdb at start-up. Returns false on a fatal error (logged). */
  async loadRdbAtStartup(): Promise<boolean> {
    const path = this.rdbPath();
    let buf: Buffer;
    try {
      buf = readFileSync(path);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ENOENT') return true;
      this.server.log.warning(`Fatal error loading the DB, check server logs. Exiting.`);
      return false;
    }
    const t0 = performance.now();
    this.beginLoading(buf.length);
    let parser: RdbParser | null = null;
    try {
      const r = await this.loadRdbBuffer(buf, { yieldMs: 20 });
      parser = r.parser;
      this.lastLoadKeysLoaded = r.loaded;
      this.lastLoadKeysExpired = r.expired;
      if (parser.checksumSkipped) this.server.log.notice('RDB file was saved with checksum disabled: no check performed.');
    } catch (e) {
      this.endLoading();
      this.reportLoadError(e, parser?.offset ?? 0);
      if (e instanceof RdbError && e.plain && !e.message.startsWith('FATAL')) this.server.log.warning('Fatal error loading the DB, check server logs. Exiting.');
      return false;
    }
    this.endLoading();
    this.server.log.notice(`DB loaded from disk: ${((performance.now() - t0) / 1000).toFixed(3)} seconds`);
    return true;
  }

  /** Start-up loading: the AOF when enabled, else the RDB. */
  async loadDataFromDisk(): Promise<boolean> {
    if (this.aof !== null) {
      if (!this.aof.loadManifest()) return false;
      if (this.aof.enabled()) return this.aof.load();
    }
    return this.loadRdbAtStartup();
  }

  /** DEBUG RELOAD: save, flush, load (each optional). Returns an error text or null. */
  debugReload(save: boolean, flush: boolean, merge: boolean): string | null {
    if (save && !this.saveSync()) return 'ERR Error trying to save the DB';
    if (flush) this.emptyData();
    const path = this.rdbPath();
    let buf: Buffer;
    try {
      buf = readFileSync(path);
    } catch (e) {
      return `ERR Error trying to load the RDB dump, check server logs.`;
    }
    this.beginLoading(buf.length);
    try {
      const r = this.loadRdbBufferSync(buf, { allowDup: merge });
      this.lastLoadKeysLoaded = r.loaded;
      this.lastLoadKeysExpired = r.expired;
    } catch (e) {
      this.endLoading();
      this.reportLoadError(e, 0);
      return 'ERR Error trying to load the RDB dump, check server logs.';
    }
    this.endLoading();
    this.server.log.notice('DB reloaded by DEBUG RELOAD');
    return null;
  }

  /** Remove every key of every database (before a reload), keeping watchers informed. */
  emptyData(): void {
    this.server.signalFlushedDb(-1);
    for (const db of this.server.dbs) db.clear();
    // Function libraries go too (as Redis's emptyData): the data loaded next brings its own.
    (this.server.ext.functionsFlush as (() => void) | undefined)?.();
  }

  // --------------------------------------------------------------------------
  // Hooks: cron, shutdown, FLUSHALL, command gate
  // --------------------------------------------------------------------------

  cron(): void {
    if (this.loading) return;
    const now = this.nowSec();
    if (this.bg === null) {
      const srv = this.server;
      for (const [secs, changes] of this.saveParams()) {
        if (srv.dirty >= changes && now - srv.lastSave > secs && (now - this.lastBgsaveTry > BGSAVE_RETRY_DELAY || this.lastBgsaveStatus === 'ok')) {
          srv.log.notice(`${changes} changes in ${secs} seconds. Saving...`);
          this.bgsaveBackground();
          break;
        }
      }
    }
    this.aof?.cron();
    if (this.bg === null && this.bgsaveScheduled && (now - this.lastBgsaveTry > BGSAVE_RETRY_DELAY || this.lastBgsaveStatus === 'ok')) {
      if (this.bgsaveBackground() === null) this.bgsaveScheduled = false;
    }
    this.lastCronSec = now;
  }

  /** SHUTDOWN: returns an error text to refuse. */
  onShutdown(flags: { save: boolean; nosave: boolean; force: boolean }): string | null {
    const log = this.server.log;
    if (this.bg !== null && this.bg.kind === 'aof' && this.aof !== null && this.aof.state === 'wait_rewrite') {
      // As Redis: the first AOF is still being written, exiting now would lose the dataset.
      if (!flags.force) {
        log.warning("Writing initial AOF, can't exit.");
        return 'ERR Errors trying to SHUTDOWN. Check logs.';
      }
      log.warning('Writing initial AOF. Exit anyway.');
    }
    if (this.bg !== null) {
      if (this.bg.kind === 'rdb') log.warning('There is a child saving an .rdb. Killing it!');
      else log.warning('There is a child rewriting the AOF. Killing it!');
      const kind = this.bg.kind;
      this.killBg();
      if (kind === 'rdb') {
        try {
          unlinkSync(join(this.dir(), `temp-${process.pid}.rdb`));
        } catch {
          /* gone */
        }
      }
    }
    if (this.aof !== null) this.aof.shutdown();
    if ((this.saveParams().length > 0 && !flags.nosave) || flags.save) {
      log.notice('Saving the final RDB snapshot before exiting.');
      if (!this.saveSync()) {
        if (flags.force) {
          log.warning('Error trying to save the DB. Exit anyway.');
          return null;
        }
        log.warning('Error trying to save the DB, can\'t exit.');
        return 'ERR Errors trying to SHUTDOWN. Check logs.';
      }
    }
    return null;
  }

  onFlushAll(): void {
    if (this.bg !== null && this.bg.kind === 'rdb') this.killBg('rdb');
    if (this.saveParams().length > 0) this.saveSync();
  }

  /** Why writes are refused (MISCONF), or null. */
  writeDeniedReason(): string | null {
    const cfg = this.server.config;
    if (cfg.get('replicaof') !== '') return null;
    if (cfg.bool('stop-writes-on-bgsave-error') && this.lastBgsaveStatus === 'err' && this.saveParams().length > 0) return MISCONF_RDB;
    if (this.aof !== null) {
      const e = this.aof.lastWriteError();
      if (e !== null) return `MISCONF Errors writing to the AOF file: ${e}`;
    }
    return null;
  }

  /** True while commandGate refuses nothing (not loading, no failed save or AOF write). */
  gateIdle(): boolean {
    return !this.loading && this.lastBgsaveStatus === 'ok' && (this.aof === null || this.aof.lastWriteError() === null);
  }

  /** The dispatcher's gate: LOADING and MISCONF (for writes, scripts that may write, EXEC of writes, PING). */
  commandGate(c: Client, cmd: CommandDef, args: string[]): string | null {
    if (this.loading && !cmd.flags.has('loading') && !c.fake) return 'LOADING Redis is loading the dataset in memory';
    if (this.lastBgsaveStatus === 'ok' && (this.aof === null || this.aof.lastWriteError() === null)) return null;
    if (cmd.name === 'ping' || this.mayWrite(c, cmd, args)) return this.writeDeniedReason();
    return null;
  }

  private mayWrite(c: Client, cmd: CommandDef, args: string[]): boolean {
    const dyn = this.server.ext.dynamicCommandFlags as ((c: Client, cmd: CommandDef, args: string[]) => Set<string> | null) | undefined;
    if (cmd.name === 'exec' && c.multi !== null) return c.multi.some((q) => this.mayWrite(c, q.cmd, q.args));
    if (args === undefined) return cmd.flags.has('write');
    // (args may be missing when another feature's gate calls this one without them)
    const flags = (args !== undefined && dyn !== undefined ? dyn(c, cmd, args) : null) ?? cmd.flags;
    return flags.has('write');
  }

  // --------------------------------------------------------------------------
  // INFO persistence
  // --------------------------------------------------------------------------

  info(): string[] {
    const srv = this.server;
    const now = this.nowSec();
    const bg = this.bg;
    const rdbBg = bg !== null && bg.kind === 'rdb';
    const aofBg = bg !== null && bg.kind === 'aof';
    const job = bg?.job;
    const lines = [
      `loading:${this.loading ? 1 : 0}`,
      'async_loading:0',
      `current_cow_peak:${job ? job.cowBytes : 0}`,
      `current_cow_size:${job ? job.cowBytes : 0}`,
      `current_cow_size_age:0`,
      `current_fork_perc:${job && job.keysTotal > 0 ? ((job.keysDone * 100) / job.keysTotal).toFixed(2) : '0.00'}`,
      `current_save_keys_processed:${job ? job.keysDone : 0}`,
      `current_save_keys_total:${job ? job.keysTotal : 0}`,
      `rdb_changes_since_last_save:${srv.dirty}`,
      `rdb_bgsave_in_progress:${rdbBg ? 1 : 0}`,
      `rdb_last_save_time:${srv.lastSave}`,
      `rdb_last_bgsave_status:${this.lastBgsaveStatus}`,
      `rdb_last_bgsave_time_sec:${this.lastBgsaveTimeSec}`,
      `rdb_current_bgsave_time_sec:${rdbBg && bg ? Math.round((performance.now() - bg.startMs) / 1000) : -1}`,
      `rdb_saves:${this.rdbSaves}`,
      `rdb_last_cow_size:${this.lastCowSize}`,
      `rdb_last_load_keys_expired:${this.lastLoadKeysExpired}`,
      `rdb_last_load_keys_loaded:${this.lastLoadKeysLoaded}`,
    ];
    if (this.aof !== null) lines.push(...this.aof.info());
    else {
      lines.push(
        `aof_enabled:0`,
        `aof_rewrite_in_progress:${aofBg ? 1 : 0}`,
        'aof_rewrite_scheduled:0',
        'aof_last_rewrite_time_sec:-1',
        'aof_current_rewrite_time_sec:-1',
        'aof_last_bgrewrite_status:ok',
        'aof_rewrites:0',
        'aof_rewrites_consecutive_failures:0',
        'aof_last_write_status:ok',
        'aof_last_cow_size:0',
      );
    }
    lines.push('module_fork_in_progress:0', 'module_fork_last_cow_size:0');
    if (this.aof !== null) lines.push(...this.aof.infoExtra());
    if (this.loading) {
      const elapsed = now - this.loadingStart;
      const perc = this.loadingTotal > 0 ? (this.loadingLoaded * 100) / this.loadingTotal : 0;
      const eta = perc > 0 && elapsed > 0 ? Math.round((elapsed * (100 - perc)) / perc) : 1;
      lines.push(
        `loading_start_time:${this.loadingStart}`,
        `loading_total_bytes:${this.loadingTotal}`,
        `loading_rdb_used_mem:0`,
        `loading_loaded_bytes:${this.loadingLoaded}`,
        `loading_loaded_perc:${perc.toFixed(2)}`,
        `loading_eta_seconds:${eta}`,
      );
    }
    return lines;
  }
}

function signalNumber(sig: string): number {
  const map: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGTERM: 15 };
  return map[sig] ?? 9;
}

/** key-load-delay: a busy wait of `us` microseconds (a test knob, like Redis's debugDelay). */
function busyWaitUs(us: number): void {
  const end = performance.now() + us / 1000;
  while (performance.now() < end) {
    /* spin */
  }
}

export { existsSync, statSync };

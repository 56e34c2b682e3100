/*
 * The append-only file, in Redis 7's multi-part layout.
 *
 * Inside `dir`/`appenddirname` live a BASE file (an RDB when
 * aof-use-rdb-preamble is yes, else RESP commands), INCR files of RESP
 * commands, and the manifest listing them, one line per file:
 *
 *   file appendonly.aof.1.base.rdb seq 1 type b
 *   file appendonly.aof.1.incr.aof seq 1 type i
 *
 * (type h marks history files waiting for deletion). Every write the server
 * propagates is appended to the last INCR file (with SELECT when the db
 * changes). A rewrite (BGREWRITEAOF, auto-aof-rewrite-*, or turning
 * appendonly on) first opens a new INCR file, then writes a new BASE from a
 * fork-less snapshot (snapshot.ts) of the dataset as of that moment; when it
 * is done, the new BASE replaces the old one and the INCR files before the
 * switch become history.
 *
 * Durability: writes are appended to the OS before replies are sent; with
 * appendfsync always, a client's reply is held (server.ext.replyGate) until
 * an fdatasync covering its writes completes; fsyncs are grouped (one
 * in flight, covering everything written before it started) and run in
 * libuv's thread pool, so the event loop never waits for the disk. With
 * everysec, an fdatasync runs in the background once a second.
 */

import { closeSync, existsSync, fdatasync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, truncateSync, unlinkSync, write, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Server } from '../server/server';
import type { Client } from '../server/client';
import type { Value } from '../types/value';
import { reprArg } from '../server/server';
import { encodeCommand } from '../protocol/encode';
import { Client as ClientClass } from '../server/client';
import { RdbError } from './rdb';
import { codecFor } from './codecs';
import type { AofHandle, BgTask, Persistence } from './manager';
import type { SnapshotEmitter } from './snapshot';

const MANIFEST_MAX_LINE = 1024;
const REWRITE_LIMIT_THRESHOLD = 3;
const REWRITE_LIMIT_MAX_MINUTES = 60;

type FileType = 'b' | 'h' | 'i';

interface AofInfo {
  name: string;
  seq: number;
  type: FileType;
}

/** A fatal start-up problem: logged as is, then the server exits. */
class AofFatal extends Error {}

// ----------------------------------------------------------------------------
// Manifest
// ----------------------------------------------------------------------------

/** Does a file name need quoting in the manifest (Redis's sdsneedsrepr)? */
function needsRepr(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92 || c === 34 || c <= 32 || c >= 127) return true;
  }
  return false;
}

/** Split a manifest line into arguments (quotes as in redis.conf). Null when unbalanced. */
function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && /\s/.test(line[i])) i++;
    if (i >= n) break;
    let cur = '';
    if (line[i] === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const ch = line[i];
        if (ch === '\\' && i + 1 < n) {
          const nx = line[i + 1];
          if (nx === 'x' && i + 3 < n && /^[0-9a-fA-F]{2}$/.test(line.slice(i + 2, i + 4))) {
            cur += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
            i += 4;
            continue;
          }
          const map: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07' };
          cur += map[nx] ?? nx;
          i += 2;
          continue;
        }
        if (ch === '"') {
          closed = true;
          i++;
          break;
        }
        cur += ch;
        i++;
      }
      if (!closed || (i < n && !/\s/.test(line[i]))) return null;
    } else if (line[i] === "'") {
      i++;
      let closed = false;
      while (i < n) {
        if (line[i] === '\\' && line[i + 1] === "'") {
          cur += "'";
          i += 2;
          continue;
        }
        if (line[i] === "'") {
          closed = true;
          i++;
          break;
        }
        cur += line[i++];
      }
      if (!closed || (i < n && !/\s/.test(line[i]))) return null;
    } else {
      while (i < n && !/\s/.test(line[i])) cur += line[i++];
    }
    out.push(cur);
  }
  return out;
}

export class AofManifest {
  base: AofInfo | null = null;
  history: AofInfo[] = [];
  incrs: AofInfo[] = [];
  baseSeq = 0;
  incrSeq = 0;
  dirty = false;

  static parse(text: string): AofManifest {
    const am = new AofManifest();
    let maxSeq = 0;
    let linenum = 0;
    let p = 0;
    for (;;) {
      if (p >= text.length) {
        if (linenum === 0) throw new AofFatal('Found an empty AOF manifest');
        break;
      }
      const nl = text.indexOf('\n', p);
      const rawLine = nl < 0 ? text.slice(p) : text.slice(p, nl + 1);
      if (rawLine.length > MANIFEST_MAX_LINE) throw new AofFatal('The AOF manifest file contains too long line');
      p += rawLine.length;
      linenum++;
      if (rawLine[0] === '#') continue;
      if (nl < 0) throw new AofFatal('The AOF manifest file contains too long line');
      const line = rawLine.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
      if (line.length === 0) throw new AofFatal('Invalid AOF manifest file format');
      const argv = splitArgs(line);
      if (argv === null || argv.length < 6 || argv.length % 2) throw new AofFatal('Invalid AOF manifest file format');
      let name: string | null = null;
      let seq = 0;
      let type = '';
      for (let i = 0; i < argv.length; i += 2) {
        const k = argv[i].toLowerCase();
        if (k === 'file') {
          name = argv[i + 1];
          if (basename(name) !== name) throw new AofFatal("File can't be a path, just a filename");
        } else if (k === 'seq') seq = parseInt(argv[i + 1], 10) || 0;
        else if (k === 'type') type = argv[i + 1][0] ?? '';
      }
      if (name === null || !seq || !type) throw new AofFatal('Invalid AOF manifest file format');
      const ai: AofInfo = { name, seq, type: type as FileType };
      if (type === 'b') {
        if (am.base) throw new AofFatal('Found duplicate base file information');
        am.base = ai;
        am.baseSeq = seq;
      } else if (type === 'h') am.history.push(ai);
      else if (type === 'i') {
        if (seq <= maxSeq) throw new AofFatal('Found a non-monotonic sequence number');
        am.incrs.push(ai);
        am.incrSeq = seq;
        maxSeq = seq;
      } else throw new AofFatal('Unknown AOF file type');
    }
    return am;
  }

  toString(): string {
    const fmt = (ai: AofInfo) => `file ${needsRepr(ai.name) ? reprArg(ai.name) : ai.name} seq ${ai.seq} type ${ai.type}\n`;
    let s = '';
    if (this.base) s += fmt(this.base);
    for (const h of this.history) s += fmt(h);
    for (const i of this.incrs) s += fmt(i);
    return s;
  }

  dup(): AofManifest {
    const am = new AofManifest();
    am.base = this.base ? { ...this.base } : null;
    am.history = this.history.map((x) => ({ ...x }));
    am.incrs = this.incrs.map((x) => ({ ...x }));
    am.baseSeq = this.baseSeq;
    am.incrSeq = this.incrSeq;
    am.dirty = this.dirty;
    return am;
  }

  /** A new BASE name; the previous BASE becomes history. */
  newBase(filename: string, rdb: boolean): string {
    if (this.base) {
      this.base.type = 'h';
      this.history.unshift(this.base);
    }
    this.baseSeq++;
    this.base = { name: `${filename}.${this.baseSeq}.base.${rdb ? 'rdb' : 'aof'}`, seq: this.baseSeq, type: 'b' };
    this.dirty = true;
    return this.base.name;
  }

  newIncr(filename: string): string {
    this.incrSeq++;
    const ai: AofInfo = { name: `${filename}.${this.incrSeq}.incr.aof`, seq: this.incrSeq, type: 'i' };
    this.incrs.push(ai);
    this.dirty = true;
    return ai.name;
  }

  lastIncr(filename: string): string {
    if (this.incrs.length === 0) return this.newIncr(filename);
    return this.incrs[this.incrs.length - 1].name;
  }

  /** INCR files before the current one become history (`keepLast`: the one being written). */
  markRewrittenIncrsAsHistory(keepLast: boolean): void {
    if (this.incrs.length === 0) return;
    const keep = keepLast ? this.incrs.slice(-1) : [];
    const moved = keepLast ? this.incrs.slice(0, -1) : this.incrs.slice();
    for (const ai of moved.reverse()) this.history.unshift({ ...ai, type: 'h' });
    this.incrs = keep;
    this.dirty = true;
  }
}

// ----------------------------------------------------------------------------
// RESP emitter for rewrites without an RDB preamble
// ----------------------------------------------------------------------------

class AofRewriteEmitter implements SnapshotEmitter {
  private parts: string[] = [];
  private size = 0;
  private curDb = -1;

  constructor(head: string) {
    if (head) this.push(head);
  }

  private push(s: string): void {
    this.parts.push(s);
    this.size += s.length;
  }

  /** Bytes buffered (for COW accounting). */
  get w(): { pos: number } {
    return { pos: this.size };
  }

  dbStart(dbid: number): void {
    this.select(dbid);
  }

  private select(dbid: number): void {
    if (dbid === this.curDb) return;
    this.push(encodeCommand(['SELECT', String(dbid)]));
    this.curDb = dbid;
  }

  key(dbid: number, key: string, v: Value, expire: number | undefined): void {
    this.select(dbid);
    codecFor(v).rewrite(key, v, (args) => this.push(encodeCommand(args)));
    if (expire !== undefined) this.push(encodeCommand(['PEXPIREAT', key, String(expire)]));
  }

  drain(): Buffer {
    const b = Buffer.from(this.parts.join(''), 'latin1');
    this.parts = [];
    this.size = 0;
    return b;
  }

  end(): Buffer {
    return this.drain();
  }
}

// ----------------------------------------------------------------------------
// Loading
// ----------------------------------------------------------------------------

const enum LoadResult {
  OK,
  NOT_EXIST,
  EMPTY,
  OPEN_ERR,
  FAILED,
  TRUNCATED,
}

// ----------------------------------------------------------------------------
// The AOF
// ----------------------------------------------------------------------------

type AofState = 'off' | 'on' | 'wait_rewrite';

export class Aof implements AofHandle {
  state: AofState = 'off';
  manifest = new AofManifest();
  private fd = -1;
  /** Pending bytes (latin1 RESP), not yet written to the file. */
  private buf: string[] = [];
  private bufLen = 0;
  private selectedDb = -1;
  /** Total bytes appended / written / known to be on disk (monotonic). */
  private appended = 0;
  private written = 0;
  private synced = 0;
  private fsyncInFlight = false;
  private parked = new Set<Client>();
  private flushScheduled = false;
  private lastFsync = 0;
  private curTimestamp = 0;
  currentSize = 0;
  baseSize = 0;
  lastIncrSize = 0;
  private writeError: string | null = null;
  rewriteScheduled = false;
  private rewriteStart = -1;
  private lastRewriteTimeSec = -1;
  private rewrites = 0;
  private consecutiveFailures = 0;
  private lastBgrewriteStatus: 'ok' | 'err' = 'ok';
  private lastCowSize = 0;
  private loadingAof = false;
  private limitDelayMinutes = 0;
  private limitNextTime = 0;
  private everysecTimer: NodeJS.Timeout | null = null;

  constructor(readonly p: Persistence) {}

  get server(): Server {
    return this.p.server;
  }

  private cfg(name: string): string {
    return this.server.config.get(name);
  }

  filename(): string {
    return this.cfg('appendfilename');
  }

  dirPath(): string {
    return join(this.p.dir(), this.cfg('appenddirname'));
  }

  private path(name: string): string {
    return join(this.dirPath(), name);
  }

  private useRdbPreamble(): boolean {
    return this.server.config.bool('aof-use-rdb-preamble');
  }

  enabled(): boolean {
    return this.state !== 'off';
  }

  lastWriteError(): string | null {
    return this.state === 'off' ? null : this.writeError;
  }

  // --------------------------------------------------------------------------
  // Manifest persistence
  // --------------------------------------------------------------------------

  private persistManifest(am: AofManifest): boolean {
    if (!am.dirty) return true;
    const name = `${this.filename()}.manifest`;
    const tmp = this.path(`temp-${name}`);
    try {
      const fd = openSync(tmp, 'w', 0o644);
      try {
        writeSync(fd, Buffer.from(am.toString(), 'latin1'));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.path(name));
    } catch (e) {
      this.server.log.warning(`Can't persist the AOF manifest file ${name}: ${(e as Error).message}`);
      return false;
    }
    am.dirty = false;
    return true;
  }

  /** Read the manifest at start-up (and for DEBUG LOADAOF). Throws AofFatal. */
  loadManifestFromDisk(): void {
    this.manifest = new AofManifest();
    const dir = this.dirPath();
    if (!existsSync(dir)) return;
    const mpath = this.path(`${this.filename()}.manifest`);
    if (!existsSync(mpath)) return;
    let text: string;
    try {
      text = readFileSync(mpath, 'latin1');
    } catch (e) {
      throw new AofFatal(`Fatal error: can't open the AOF manifest ${mpath} for reading: ${(e as Error).message}`);
    }
    this.manifest = AofManifest.parse(text);
  }

  private delHistoryFiles(): void {
    const am = this.manifest;
    if (this.server.config.bool('aof-disable-auto-gc') || am.history.length === 0) return;
    for (const h of am.history) {
      this.server.log.notice(`Removing the history file ${h.name} in the background`);
      tryUnlink(this.path(h.name));
    }
    am.history = [];
    am.dirty = true;
    this.persistManifest(am);
  }

  // --------------------------------------------------------------------------
  // Loading
  // --------------------------------------------------------------------------

  /** An old single-file appendonly.aof in `dir`: move it into the AOF directory as the BASE. */
  private upgradeIfNeeded(): void {
    const fname = this.filename();
    const old = join(this.p.dir(), fname);
    if (!existsSync(old)) return;
    const am = this.manifest;
    const dirExists = existsSync(this.dirPath());
    if (!(!dirExists || (am.base === null && am.incrs.length === 0) || (am.base !== null && am.incrs.length === 0 && am.base.name === fname && !existsSync(this.path(fname))))) return;
    try {
      mkdirSync(this.dirPath(), { recursive: true });
    } catch (e) {
      throw new AofFatal(`Can't open or create append-only dir ${this.cfg('appenddirname')}: ${(e as Error).message}`);
    }
    am.base = { name: fname, seq: 1, type: 'b' };
    am.baseSeq = 1;
    am.dirty = true;
    if (!this.persistManifest(am)) throw new AofFatal('');
    try {
      renameSync(old, this.path(fname));
    } catch (e) {
      throw new AofFatal(`Error trying to rename the old AOF file ${fname} into dir ${this.cfg('appenddirname')}: ${(e as Error).message}`);
    }
    this.server.log.notice(`Successfully migrated an old-style AOF into the AOF directory ${this.cfg('appenddirname')}.`);
  }

  /** Load every file of the manifest. */
  private async loadFiles(yieldMs: number): Promise<LoadResult> {
    const am = this.manifest;
    const log = this.server.log;
    this.upgradeIfNeeded();
    if (am.base === null && am.incrs.length === 0) return LoadResult.NOT_EXIST;
    const files: AofInfo[] = [...(am.base ? [am.base] : []), ...am.incrs];
    let total = 0;
    for (const f of files) {
      try {
        total += statSync(this.path(f.name)).size;
      } catch (e) {
        log.warning(`Unable to obtain the AOF file ${f.name} length. stat: ${errText(e)}`);
        return LoadResult.FAILED;
      }
    }
    if (total === 0) return LoadResult.EMPTY;
    this.p.beginLoading(total);
    let ret: LoadResult = LoadResult.OK;
    let baseSize = 0;
    // While loading, keys do not expire (Redis's keyIsExpired is false during loading):
    // EXPIRE commands keep past times and lookups see the keys.
    const prevPaused = this.server.expiryPausedFlag;
    this.server.expiryPausedFlag = true;
    const srvHooks = this.server as unknown as { now: () => number };
    srvHooks.now = () => -Infinity;
    this.loadingAof = true;
    try {
      for (let i = 0; i < files.length; i++) {
        const f = files[i];
        const last = i === files.length - 1;
        const t0 = performance.now();
        if (f === am.base) baseSize = statSync(this.path(f.name)).size;
        ret = await this.loadSingle(f.name, yieldMs);
        if (ret === LoadResult.OK || (ret === LoadResult.TRUNCATED && last)) {
          log.notice(`DB loaded from ${f === am.base ? 'base' : 'incr'} file ${f.name}: ${((performance.now() - t0) / 1000).toFixed(3)} seconds`);
        }
        if (ret === LoadResult.EMPTY && f !== am.base) ret = LoadResult.OK;
        if (ret === LoadResult.TRUNCATED && !last) {
          ret = LoadResult.FAILED;
          log.warning('Fatal error: the truncated file is not the last file');
        }
        if (ret === LoadResult.OPEN_ERR || ret === LoadResult.FAILED) break;
      }
    } finally {
      this.loadingAof = false;
      this.server.expiryPausedFlag = prevPaused;
      delete (srvHooks as { now?: () => number }).now;
      this.p.endLoading();
    }
    if (ret !== LoadResult.OPEN_ERR && ret !== LoadResult.FAILED) {
      this.currentSize = total;
      this.baseSize = baseSize;
    }
    return ret;
  }

  /** Load one AOF file: an optional RDB part, then RESP commands. */
  private async loadSingle(name: string, yieldMs: number): Promise<LoadResult> {
    const log = this.server.log;
    const path = this.path(name);
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ENOENT') {
        log.warning(`The append log file ${name} doesn't exist: ${errText(e)}`);
        return LoadResult.NOT_EXIST;
      }
      log.warning(`Fatal error: can't open the append log file ${name} for reading: ${errText(e)}`);
      return LoadResult.OPEN_ERR;
    }
    if (data.length === 0) return LoadResult.EMPTY;
    let pos = 0;
    if (data.length >= 5 && data.latin1Slice(0, 5) === 'REDIS') {
      const oldStyle = name === this.filename();
      log.notice(oldStyle ? 'Reading RDB preamble from AOF file...' : 'Reading RDB base file on AOF loading...');
      try {
        const r = await this.p.loadRdbBuffer(data, { preamble: true, yieldMs });
        pos = r.parser.offset;
      } catch (e) {
        this.p.reportLoadError(e, 0);
        log.warning(oldStyle ? `Error reading the RDB preamble of the AOF file ${name}, AOF loading aborted` : `Error reading the RDB base file ${name}, AOF loading aborted`);
        return LoadResult.FAILED;
      }
      if (oldStyle) log.notice('Reading the remaining AOF tail...');
    }
    const srv = this.server;
    const fake = new ClientClass(srv, null, 0, '', '');
    fake.ext.aofLoading = true;
    let validUpTo = pos;
    let validBeforeMulti = pos;
    const n = data.length;
    let deadline = performance.now() + (yieldMs || Infinity);
    let loops = 0;
    const keyDelay = srv.config.num('key-load-delay');
    /* Read a line up to and including '\n' (or to EOF); null at EOF. */
    const readLine = (): string | null => {
      if (pos >= n) return null;
      let nl = data.indexOf(10, pos);
      if (nl < 0) nl = n - 1;
      const line = data.latin1Slice(pos, nl + 1);
      pos = nl + 1;
      return line;
    };
    let outcome: 'ok' | 'fmt' | 'eof' = 'ok';
    parse: for (;;) {
      if (yieldMs && (++loops & 255) === 0 && performance.now() >= deadline) {
        this.p.loadingLoaded = pos;
        await new Promise((r) => setImmediate(r));
        deadline = performance.now() + yieldMs;
      }
      const line = readLine();
      if (line === null) break;
      if (line[0] === '#') continue;
      if (line[0] !== '*') {
        outcome = 'fmt';
        break;
      }
      if (line.length === 1 || line[1] === '\n') {
        outcome = line.length === 1 && pos >= n ? 'eof' : 'fmt';
        if (line.length === 1) outcome = 'eof';
        break;
      }
      const argc = parseInt(line.slice(1), 10);
      if (!(argc >= 1)) {
        outcome = 'fmt';
        break;
      }
      const args: string[] = new Array(argc);
      for (let j = 0; j < argc; j++) {
        const l = readLine();
        if (l === null) {
          outcome = 'eof';
          break parse;
        }
        if (l[0] !== '$') {
          outcome = 'fmt';
          break parse;
        }
        const len = parseInt(l.slice(1), 10) || 0;
        if (pos + len + 2 > n) {
          outcome = 'eof';
          break parse;
        }
        args[j] = data.latin1Slice(pos, pos + len);
        pos += len + 2;
      }
      const cmd = srv.lookupCommand(args);
      if (cmd === undefined) {
        log.warning(`Unknown command '${args[0]}' reading the append only file ${name}`);
        return LoadResult.FAILED;
      }
      const cname = cmd.parent?.name ?? cmd.name;
      if (cname === 'multi') validBeforeMulti = validUpTo;
      if (fake.multi !== null && cname !== 'exec') fake.multi.push({ cmd, args });
      else {
        try {
          srv.execInternal(fake, cmd, args);
        } catch (e) {
          log.warning(`Error executing '${args[0]}' from the append only file ${name}: ${(e as Error).message}`);
        }
        fake.w.take();
      }
      validUpTo = pos;
      if (keyDelay > 0) busyWaitUs(keyDelay);
    }
    if (outcome === 'fmt') {
      log.warning(`Bad file format reading the append only file ${name}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>`);
      return LoadResult.FAILED;
    }
    if (outcome === 'ok' && fake.multi !== null) {
      log.warning(`Revert incomplete MULTI/EXEC transaction in AOF file ${name}`);
      validUpTo = validBeforeMulti;
      fake.multi = null;
      outcome = 'eof';
    }
    if (outcome === 'eof') {
      if (srv.config.bool('aof-load-truncated')) {
        log.warning(`!!! Warning: short read while loading the AOF file ${name}!!!`);
        log.warning(`!!! Truncating the AOF ${name} at offset ${validUpTo} !!!`);
        try {
          truncateSync(path, validUpTo);
          log.warning(`AOF ${name} loaded anyway because aof-load-truncated is enabled`);
          return LoadResult.TRUNCATED;
        } catch (e) {
          log.warning(`Error truncating the AOF file ${name}: ${errText(e)}`);
        }
      }
      log.warning(`Unexpected end of file reading the append only file ${name}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.`);
      return LoadResult.FAILED;
    }
    return LoadResult.OK;
  }

  /** Start-up: read the manifest, load the files, open the INCR file. */
  async load(): Promise<boolean> {
    const log = this.server.log;
    const t0 = performance.now();
    try {
      const ret = await this.loadFiles(20);
      if (ret === LoadResult.FAILED || ret === LoadResult.OPEN_ERR) return false;
      if (ret !== LoadResult.NOT_EXIST) log.notice(`DB loaded from append only file: ${((performance.now() - t0) / 1000).toFixed(3)} seconds`);
      this.openOnServerStart();
      this.delHistoryFiles();
    } catch (e) {
      if (e instanceof AofFatal) {
        if (e.message) log.warning(e.message);
        return false;
      }
      if (e instanceof RdbError) {
        this.p.reportLoadError(e, 0);
        return false;
      }
      throw e;
    }
    return true;
  }

  /** Read the manifest at start-up; false after logging a fatal error. */
  loadManifest(): boolean {
    try {
      this.loadManifestFromDisk();
      return true;
    } catch (e) {
      if (!(e instanceof AofFatal)) throw e;
      if (e.message) this.server.log.warning(e.message);
      return false;
    }
  }

  /** DEBUG LOADAOF: reload the files listed in the manifest (read again from disk). */
  async reload(): Promise<boolean> {
    if (!this.loadManifest()) return false;
    try {
      this.delHistoryFiles();
      const r = await this.loadFiles(20);
      return r !== LoadResult.FAILED && r !== LoadResult.OPEN_ERR;
    } catch (e) {
      if (e instanceof AofFatal) {
        if (e.message) this.server.log.warning(e.message);
        return false;
      }
      throw e;
    }
  }

  /** Open (or create) the INCR file on start-up when AOF is on. */
  private openOnServerStart(): void {
    if (this.state !== 'on') return;
    const am = this.manifest;
    const fname = this.filename();
    mkdirSync(this.dirPath(), { recursive: true });
    const hadIncr = am.incrs.length > 0;
    if (am.base === null && !hadIncr) {
      const baseName = am.newBase(fname, this.useRdbPreamble());
      this.writeBaseSync(this.path(baseName));
      this.server.log.notice(`Creating AOF base file ${baseName} on server start`);
    }
    const incr = am.lastIncr(fname);
    try {
      this.fd = openSync(this.path(incr), 'a', 0o644);
    } catch (e) {
      throw new AofFatal(`Can't open the append-only file ${incr}: ${errText(e)}`);
    }
    if (!this.persistManifest(am)) throw new AofFatal('');
    this.lastIncrSize = fileSize(this.path(incr));
    if (am.base && this.currentSize === 0) {
      this.currentSize = fileSize(this.path(am.base.name)) + this.lastIncrSize;
      this.baseSize = fileSize(this.path(am.base.name));
    }
    this.server.log.notice(hadIncr ? `Opening AOF incr file ${incr} on server start` : `Creating AOF incr file ${incr} on server start`);
    this.startEverysec();
  }

  /** Write a BASE synchronously (start-up with an empty dataset). */
  private writeBaseSync(path: string): void {
    const em = this.newRewriteEmitter();
    this.p.writeFileSync(path, path + '.tmp', em);
  }

  private newRewriteEmitter(): SnapshotEmitter {
    if (this.useRdbPreamble()) return this.p.newRdbEmitter(true);
    let head = '';
    if (this.server.config.bool('aof-timestamp-enabled')) head += `#TS:${Math.floor(this.server.clock.now() / 1000)}\r\n`;
    for (const code of this.p.functionLibraries()) head += encodeCommand(['FUNCTION', 'LOAD', code]);
    return new AofRewriteEmitter(head);
  }

  // --------------------------------------------------------------------------
  // Appending
  // --------------------------------------------------------------------------

  /** A propagated write: append it (with SELECT when the db changes). */
  feed(dbid: number, args: string[]): void {
    if (this.loadingAof) return;
    if (!(this.state === 'on' || (this.state === 'wait_rewrite' && this.p.bg?.kind === 'aof'))) return;
    let out = '';
    if (this.server.config.bool('aof-timestamp-enabled')) {
      const now = Math.floor(this.server.clock.now() / 1000);
      if (now > this.curTimestamp) {
        out += `#TS:${now}\r\n`;
        this.curTimestamp = now;
      }
    }
    // dbid -1: no SELECT (the MULTI/EXEC around a transaction).
    if (dbid !== -1 && dbid !== this.selectedDb) {
      out += encodeCommand(['SELECT', String(dbid)]);
      this.selectedDb = dbid;
    }
    out += encodeCommand(args);
    this.buf.push(out);
    this.bufLen += out.length;
    this.appended += out.length;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  }

  private fsyncPolicy(): string {
    return this.cfg('appendfsync');
  }

  /** Write the pending buffer to the file (not for `always`, which writes in its sync loop). */
  private flush(): void {
    if (this.bufLen === 0 || this.fd < 0) return;
    if (this.fsyncPolicy() === 'always') {
      this.syncLoop();
      return;
    }
    const sleep = (this.server.ext.aofFlushSleepUs as number | undefined) ?? 0;
    if (sleep > 0) busyWaitUs(sleep);
    this.writeOut(this.takeBuffer());
  }

  private takeBuffer(): Buffer {
    const b = Buffer.from(this.buf.length === 1 ? this.buf[0] : this.buf.join(''), 'latin1');
    this.buf = [];
    this.bufLen = 0;
    return b;
  }

  private writeOut(b: Buffer): void {
    try {
      let off = 0;
      while (off < b.length) off += writeSync(this.fd, b, off, b.length - off);
      this.noteWritten(b.length);
    } catch (e) {
      this.noteWriteError(e);
    }
  }

  private noteWritten(n: number): void {
    this.written += n;
    this.currentSize += n;
    this.lastIncrSize += n;
    if (this.writeError !== null) {
      this.writeError = null;
      this.server.log.warning('AOF write error looks solved, Redis can write again.');
    }
  }

  private noteWriteError(e: unknown): void {
    const msg = errText(e);
    if (this.writeError === null) this.server.log.warning(`Error writing to the AOF file: ${msg}`);
    this.writeError = msg;
  }

  /** appendfsync always: write + fdatasync in the thread pool, one round at a time (group commit). */
  private syncLoop(): void {
    if (this.fsyncInFlight || this.fd < 0) return;
    if (this.bufLen === 0 && this.synced >= this.written) {
      this.releaseParked();
      return;
    }
    this.fsyncInFlight = true;
    const fd = this.fd;
    const data = this.bufLen ? this.takeBuffer() : Buffer.alloc(0);
    const target = this.written + data.length;
    const sleep = (this.server.ext.aofFlushSleepUs as number | undefined) ?? 0;
    const doSync = () => {
      fdatasync(fd, (err) => {
        this.fsyncInFlight = false;
        if (err) this.noteWriteError(err);
        else this.synced = Math.max(this.synced, target);
        this.releaseParked();
        if (this.bufLen > 0 || this.synced < this.written) this.syncLoop();
      });
    };
    const doWrite = () => {
      if (data.length === 0) return doSync();
      const writeAll = (off: number): void => {
        write(fd, data, off, data.length - off, null, (err, n) => {
          if (err) {
            this.fsyncInFlight = false;
            this.noteWriteError(err);
            this.releaseParked();
            return;
          }
          if (off + n < data.length) return writeAll(off + n);
          this.noteWritten(data.length);
          doSync();
        });
      };
      writeAll(0);
    };
    if (sleep > 0) setTimeout(doWrite, Math.ceil(sleep / 1000));
    else doWrite();
  }

  private releaseParked(): void {
    if (this.parked.size === 0) return;
    const ready: Client[] = [];
    for (const c of this.parked) {
      if (c.closed || ((c.ext.aofNeed as number | undefined) ?? 0) <= this.synced || this.writeError !== null) ready.push(c);
    }
    for (const c of ready) {
      this.parked.delete(c);
      c.ext.aofNeed = 0;
      c.ext.aofRelease = true;
      this.server.flushClient(c);
      c.ext.aofRelease = false;
    }
  }

  /**
   * server.ext.replyGate, called before a client's replies are written.
   * appendfsync always: as Redis sends the replies of an event-loop turn
   * only after that turn's writes are fsynced, a reply is held until every
   * write appended before it is on disk. Otherwise pending writes go to the
   * OS first.
   */
  replyGate(c: Client): boolean {
    if (this.state === 'off' || this.fd < 0) return false;
    if (this.fsyncPolicy() !== 'always') {
      if (this.bufLen > 0) this.flush();
      return false;
    }
    if (c.ext.aofRelease === true || c.fake) return false;
    const need = this.appended;
    if (need <= this.synced || this.writeError !== null) return false;
    if (c.w.len === 0 && !this.parked.has(c)) return false;
    const prev = (c.ext.aofNeed as number | undefined) ?? 0;
    c.ext.aofNeed = need > prev ? need : prev;
    this.parked.add(c);
    this.syncLoop();
    return true;
  }

  private startEverysec(): void {
    if (this.everysecTimer !== null) return;
    this.everysecTimer = setInterval(() => {
      if (this.fd < 0 || this.fsyncPolicy() !== 'everysec') return;
      if (this.bufLen > 0) this.flush();
      if (this.written > this.synced && !this.fsyncInFlight) {
        const target = this.written;
        this.fsyncInFlight = true;
        fdatasync(this.fd, (err) => {
          this.fsyncInFlight = false;
          if (!err) this.synced = Math.max(this.synced, target);
          this.lastFsync = Date.now();
        });
      }
    }, 1000);
    this.everysecTimer.unref();
  }

  private stopEverysec(): void {
    if (this.everysecTimer !== null) clearInterval(this.everysecTimer);
    this.everysecTimer = null;
  }

  /** Write and fsync everything now (shutdown, DEBUG LOADAOF, rewrites). */
  flushSync(): void {
    if (this.fd < 0) return;
    if (this.bufLen > 0) this.writeOut(this.takeBuffer());
    try {
      fsyncSync(this.fd);
      this.synced = this.written;
    } catch (e) {
      this.noteWriteError(e);
    }
    this.releaseParked();
  }

  private closeFd(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    try {
      fsyncSync(fd);
    } catch {
      /* closing anyway */
    }
    try {
      closeSync(fd);
    } catch {
      /* already closed */
    }
  }

  // --------------------------------------------------------------------------
  // Turning on and off
  // --------------------------------------------------------------------------

  /** CONFIG SET appendonly yes. Returns an error text or undefined. */
  start(): string | undefined {
    const log = this.server.log;
    this.state = 'wait_rewrite';
    const bg = this.p.bg;
    if (bg !== null && bg.kind !== 'aof') {
      this.rewriteScheduled = true;
      log.notice('AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.');
    } else if (this.server.currentClient?.inExec === true) {
      // As Redis: not from inside MULTI/EXEC; the cron starts the rewrite.
      this.rewriteScheduled = true;
      log.notice('AOF was enabled during a transaction. An AOF background was scheduled to start when possible.');
    } else {
      if (bg !== null && bg.kind === 'aof') {
        log.notice('AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF and starting a rewrite now.');
        this.killRewrite();
      }
      if (this.rewriteBackground() !== null) {
        this.state = 'off';
        log.warning("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.");
        return 'Unable to turn on AOF. Check server logs.';
      }
    }
    this.lastFsync = Date.now();
    return undefined;
  }

  /** CONFIG SET appendonly no. */
  stop(): void {
    this.flushSync();
    this.closeFd();
    this.stopEverysec();
    this.selectedDb = -1;
    this.state = 'off';
    this.rewriteScheduled = false;
    this.lastIncrSize = 0;
    this.killRewrite();
    this.buf = [];
    this.bufLen = 0;
    this.releaseAllParked();
  }

  private releaseAllParked(): void {
    const list = [...this.parked];
    this.parked.clear();
    for (const c of list) this.server.flushClient(c);
  }

  private killRewrite(): void {
    const bg = this.p.bg;
    if (bg === null || bg.kind !== 'aof') return;
    this.server.log.notice(`Killing running AOF rewrite child: ${bg.pid}`);
    this.p.killBg('aof');
    this.removeTempFiles(bg);
    if (this.state === 'wait_rewrite') this.delTempIncr();
  }

  private removeTempFiles(bg: BgTask): void {
    try {
      unlinkSync(bg.sink.path);
    } catch {
      /* gone */
    }
  }

  private tempIncrName(): string {
    return `temp-${this.filename()}.incr`;
  }

  private delTempIncr(): void {
    this.server.log.notice(`Removing the temp incr aof file ${this.tempIncrName()} in the background`);
    // The name is unlinked now (a new rewrite may create the same name right after).
    tryUnlink(this.path(this.tempIncrName()));
  }

  // --------------------------------------------------------------------------
  // Rewrites
  // --------------------------------------------------------------------------

  /** Open a new INCR file for the writes that follow a rewrite's start. */
  private openNewIncr(): boolean {
    if (this.state === 'off') return true;
    const log = this.server.log;
    let name: string;
    let temp: AofManifest | null = null;
    if (this.state === 'wait_rewrite') name = this.tempIncrName();
    else {
      temp = this.manifest.dup();
      name = temp.newIncr(this.filename());
    }
    let fd: number;
    try {
      fd = openSync(this.path(name), 'w', 0o644);
    } catch (e) {
      log.warning(`Can't open the append-only file ${name}: ${errText(e)}`);
      return false;
    }
    if (temp !== null && !this.persistManifest(temp)) {
      closeSync(fd);
      return false;
    }
    log.notice(`Creating AOF incr file ${name} on background rewrite`);
    this.closeFd();
    this.fd = fd;
    this.lastIncrSize = 0;
    if (temp !== null) this.manifest = temp;
    this.startEverysec();
    return true;
  }

  /** Start a background rewrite. Returns null, or an error text. */
  rewriteBackground(): string | null {
    const log = this.server.log;
    if (this.p.bg !== null) return 'ERR';
    try {
      mkdirSync(this.dirPath(), { recursive: true });
    } catch (e) {
      log.warning(`Can't open or create append-only dir ${this.cfg('appenddirname')}: ${errText(e)}`);
      this.lastBgrewriteStatus = 'err';
      return 'ERR';
    }
    this.selectedDb = -1;
    this.flushSync();
    if (!this.openNewIncr()) {
      this.lastBgrewriteStatus = 'err';
      return 'ERR';
    }
    this.rewrites++;
    const tmpName = `temp-rewriteaof-bg-${process.pid}.aof`;
    let task: BgTask;
    try {
      task = this.p.startBgJob('aof', join(this.p.dir(), tmpName), null, this.newRewriteEmitter(), (t, ok, err, sig) => this.rewriteDone(t, ok, err, sig));
    } catch (e) {
      log.warning(`Can't rewrite append only file in background: fork: ${errText(e)}`);
      this.lastBgrewriteStatus = 'err';
      return 'ERR';
    }
    log.notice(`Background append only file rewriting started by pid ${task.pid}`);
    this.rewriteScheduled = false;
    this.rewriteStart = Date.now();
    return null;
  }

  private rewriteDone(task: BgTask, ok: boolean, err: string | null, sig: string | null): void {
    const log = this.server.log;
    const tmp = task.sink.path;
    if (ok) {
      log.notice(`Successfully created the temporary AOF base file ${basename(tmp)}`);
      log.notice('Background AOF rewrite terminated with success');
      this.lastCowSize = task.job.cowBytes;
      this.finishRewrite(tmp);
    } else if (sig !== null) {
      this.lastBgrewriteStatus = 'err';
      this.consecutiveFailures++;
      log.warning(`Background AOF rewrite terminated by signal ${sig === 'SIGKILL' ? 9 : 15}`);
    } else {
      this.lastBgrewriteStatus = 'err';
      this.consecutiveFailures++;
      log.warning(`Background AOF rewrite terminated with error${err ? ': ' + err : ''}`);
    }
    try {
      unlinkSync(tmp);
    } catch {
      /* renamed or gone */
    }
    if (this.state === 'wait_rewrite') {
      this.buf = [];
      this.bufLen = 0;
      this.delTempIncr();
      this.rewriteScheduled = true;
    }
    this.lastRewriteTimeSec = Math.round((Date.now() - this.rewriteStart) / 1000);
    this.rewriteStart = -1;
  }

  private finishRewrite(tmp: string): void {
    const log = this.server.log;
    const am = this.manifest.dup();
    const baseName = am.newBase(this.filename(), this.useRdbPreamble());
    const basePath = this.path(baseName);
    try {
      renameSync(tmp, basePath);
    } catch (e) {
      log.warning(`Error trying to rename the temporary AOF base file ${basename(tmp)} into ${baseName}: ${errText(e)}`);
      this.lastBgrewriteStatus = 'err';
      this.consecutiveFailures++;
      return;
    }
    log.notice(`Successfully renamed the temporary AOF base file ${basename(tmp)} into ${baseName}`);
    let incrPath: string | null = null;
    if (this.state === 'wait_rewrite') {
      // Everything written since the start is in the temporary INCR file.
      if (this.bufLen > 0) this.writeOut(this.takeBuffer());
      const tempName = this.tempIncrName();
      const incrName = am.newIncr(this.filename());
      incrPath = this.path(incrName);
      try {
        renameSync(this.path(tempName), incrPath);
      } catch (e) {
        log.warning(`Error trying to rename the temporary AOF incr file ${tempName} into ${incrName}: ${errText(e)}`);
        tryUnlink(basePath);
        this.lastBgrewriteStatus = 'err';
        this.consecutiveFailures++;
        return;
      }
      log.notice(`Successfully renamed the temporary AOF incr file ${tempName} into ${incrName}`);
    }
    am.markRewrittenIncrsAsHistory(this.fd >= 0);
    if (!this.persistManifest(am)) {
      tryUnlink(basePath);
      if (incrPath) tryUnlink(incrPath);
      this.lastBgrewriteStatus = 'err';
      this.consecutiveFailures++;
      return;
    }
    this.manifest = am;
    if (this.state !== 'off') {
      this.currentSize = fileSize(basePath) + this.lastIncrSize;
      this.baseSize = this.currentSize;
    }
    this.delHistoryFiles();
    this.lastBgrewriteStatus = 'ok';
    this.consecutiveFailures = 0;
    log.notice('Background AOF rewrite finished successfully');
    if (this.state === 'wait_rewrite') this.state = 'on';
  }

  /** BGREWRITEAOF (user), the auto-rewrite cron (auto) or a scheduled one. */
  rewrite(reason: 'user' | 'auto' | 'scheduled'): string | null {
    void reason;
    const err = this.rewriteBackground();
    return err === null ? null : "ERR Can't execute an AOF background rewriting. Please check the server logs for more information.";
  }

  /** BGREWRITEAOF while another job runs: resets the failure counter too. */
  schedule(): void {
    this.rewriteScheduled = true;
    this.consecutiveFailures = 0;
  }

  private rewriteLimited(): boolean {
    if (this.consecutiveFailures < REWRITE_LIMIT_THRESHOLD) {
      this.limitDelayMinutes = 0;
      this.limitNextTime = 0;
      return false;
    }
    const now = Math.floor(Date.now() / 1000);
    if (this.limitNextTime !== 0) {
      if (now < this.limitNextTime) return true;
      this.limitNextTime = 0;
      return false;
    }
    this.limitDelayMinutes = this.limitDelayMinutes === 0 ? 1 : Math.min(REWRITE_LIMIT_MAX_MINUTES, this.limitDelayMinutes * 2);
    this.limitNextTime = now + this.limitDelayMinutes * 60;
    this.server.log.warning(`Background AOF rewrite has repeatedly failed and triggered the limit, will retry in ${this.limitDelayMinutes} minutes`);
    return true;
  }

  cron(): void {
    if (this.p.bg === null && this.state === 'on') {
      const perc = this.server.config.num('auto-aof-rewrite-percentage');
      const min = this.server.config.num('auto-aof-rewrite-min-size');
      if (perc && this.currentSize > min) {
        const base = this.baseSize || 1;
        const growth = Math.floor((this.currentSize * 100) / base) - 100;
        if (growth >= perc && !this.rewriteLimited()) {
          this.server.log.notice(`Starting automatic rewriting of AOF on ${growth}% growth`);
          this.rewriteBackground();
        }
      }
    }
    this.onBgDone();
  }

  /** A background job ended: start a scheduled rewrite if any. */
  onBgDone(): void {
    if (this.p.bg === null && this.rewriteScheduled && !this.rewriteLimited()) this.rewriteBackground();
  }

  shutdown(): void {
    if (this.state === 'off' || this.fd < 0) return;
    this.server.log.notice('Calling fsync() on the AOF file.');
    this.flushSync();
    this.closeFd();
    this.stopEverysec();
  }

  // --------------------------------------------------------------------------
  // INFO
  // --------------------------------------------------------------------------

  info(): string[] {
    const bg = this.p.bg;
    const inProgress = bg !== null && bg.kind === 'aof';
    return [
      `aof_enabled:${this.state !== 'off' ? 1 : 0}`,
      `aof_rewrite_in_progress:${inProgress ? 1 : 0}`,
      `aof_rewrite_scheduled:${this.rewriteScheduled ? 1 : 0}`,
      `aof_last_rewrite_time_sec:${this.lastRewriteTimeSec}`,
      `aof_current_rewrite_time_sec:${inProgress && this.rewriteStart >= 0 ? Math.round((Date.now() - this.rewriteStart) / 1000) : -1}`,
      `aof_last_bgrewrite_status:${this.lastBgrewriteStatus}`,
      `aof_rewrites:${this.rewrites}`,
      `aof_rewrites_consecutive_failures:${this.consecutiveFailures}`,
      `aof_last_write_status:${this.writeError === null ? 'ok' : 'err'}`,
      `aof_last_cow_size:${this.lastCowSize}`,
    ];
  }

  infoExtra(): string[] {
    if (this.state === 'off') return [];
    return [
      `aof_current_size:${this.currentSize}`,
      `aof_base_size:${this.baseSize}`,
      `aof_pending_rewrite:${this.rewriteScheduled ? 1 : 0}`,
      `aof_buffer_length:${this.bufLen}`,
      `aof_pending_bio_fsync:${this.fsyncInFlight ? 1 : 0}`,
      'aof_delayed_fsync:0',
    ];
  }
}

function errText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const map: Record<string, string> = {
    ENOENT: 'No such file or directory',
    EACCES: 'Permission denied',
    ENOSPC: 'No space left on device',
    EISDIR: 'Is a directory',
    ENOTDIR: 'Not a directory',
    EROFS: 'Read-only file system',
  };
  return (err.code && map[err.code]) || err.message;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function tryUnlink(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* gone */
  }
}

function busyWaitUs(us: number): void {
  const end = performance.now() + us / 1000;
  while (performance.now() < end) {
    /* spin: a test knob */
  }
}

/** Attach the AOF to the persistence manager and the server's hooks. */
export function attachAof(p: Persistence): void {
  const aof = new Aof(p);
  p.aof = aof;
  const srv = p.server;
  const cfg = srv.config;
  if (cfg.bool('appendonly')) aof.state = 'on';
  // propagateTarget: the AOF (scripts' redis.set_repl picks targets, see scripting/host.ts).
  srv.propagateHooks.push(Object.assign((dbid: number, args: string[]) => aof.feed(dbid, args), { propagateTarget: 1 }));
  srv.ext.replyGate = (c: Client) => aof.replyGate(c);
  srv.ext.aofManifestLoad = () => aof.loadManifestFromDisk();
  cfg.onChange('appendonly', (v) => {
    if (v === 'no' && aof.state !== 'off') aof.stop();
    else if (v === 'yes' && aof.state === 'off') return aof.start();
    return undefined;
  });
  cfg.onChange('aof-disable-auto-gc', (v) => {
    if (v === 'no') (aof as unknown as { delHistoryFiles(): void }).delHistoryFiles();
  });
}

export { AofFatal };

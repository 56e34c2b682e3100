/*
 * Whole RDB streams: the emitter that writes header, aux fields, function
 * libraries, databases and the trailer; and the parser that reads them back
 * in resumable steps (so loading can yield to the event loop), verifying the
 * CRC-64 as it goes.
 */

import type { Value } from '../types/value';
import { Crc64 } from './crc64';
import { OP, RDB_MAX_READ_VERSION, RdbError, RdbReader, RdbWriter, moduleTypeName } from './rdb';
import { READERS, codecFor, type LoadContext } from './codecs';

export interface AuxInfo {
  redisVer: string;
  ctime: number;
  usedMem: number;
  replId: string;
  replOffset: number;
  replStreamDb?: number;
  aofBase: boolean;
}

/**
 * Builds an RDB stream. Bytes accumulate in `w`; the owner drains them with
 * `drain()` (which also feeds the checksum) whenever convenient.
 */
export class RdbEmitter {
  readonly w: RdbWriter;
  private crc = new Crc64();
  private curDb = -1;
  /** Bytes drained so far. */
  written = 0;
  keys = 0;

  constructor(readonly ver: number, compress: boolean, private readonly checksum: boolean) {
    this.w = new RdbWriter(compress);
  }

  header(aux: AuxInfo, functions: string[]): void {
    const w = this.w;
    w.bytes(Buffer.from('REDIS' + String(this.ver).padStart(4, '0'), 'latin1'));
    this.aux('redis-ver', aux.redisVer);
    this.aux('redis-bits', '64');
    this.aux('ctime', String(aux.ctime));
    this.aux('used-mem', String(aux.usedMem));
    if (aux.replStreamDb !== undefined) this.aux('repl-stream-db', String(aux.replStreamDb));
    this.aux('repl-id', aux.replId);
    this.aux('repl-offset', String(aux.replOffset));
    this.aux('aof-base', aux.aofBase ? '1' : '0');
    for (const code of functions) {
      w.byte(OP.FUNCTION2);
      w.string(code);
    }
  }

  aux(key: string, value: string): void {
    this.w.byte(OP.AUX);
    this.w.string(key);
    this.w.string(value);
  }

  /** Start a database section (SELECTDB + RESIZEDB). */
  dbStart(dbid: number, size: number, expires: number): void {
    this.w.byte(OP.SELECTDB);
    this.w.len(dbid);
    this.w.byte(OP.RESIZEDB);
    this.w.len(size);
    this.w.len(expires);
    this.curDb = dbid;
  }

  key(dbid: number, key: string, v: Value, expire: number | undefined): void {
    const w = this.w;
    if (dbid !== this.curDb) {
      w.byte(OP.SELECTDB);
      w.len(dbid);
      this.curDb = dbid;
    }
    if (expire !== undefined) {
      w.byte(OP.EXPIRETIME_MS);
      w.millis(expire);
    }
    const codec = codecFor(v);
    w.byte(codec.rdbType(v, this.ver));
    w.string(key);
    codec.write(w, v, this.ver);
    this.keys++;
  }

  /** Write EOF and the checksum; returns every byte not drained yet, trailer included. */
  end(): Buffer {
    this.w.byte(OP.EOF);
    const b = this.drain();
    const trailer = this.checksum ? this.crc.digestLE() : Buffer.alloc(8);
    this.written += 8;
    return Buffer.concat([b, trailer]);
  }

  /** Take the bytes produced so far (feeding the checksum). */
  drain(): Buffer {
    const b = this.w.take();
    this.crc.update(b);
    this.written += b.length;
    return b;
  }
}

// ----------------------------------------------------------------------------
// Parsing
// ----------------------------------------------------------------------------

export interface RdbSink {
  aux(key: string, value: string): void;
  func(code: string): void;
  resizeDb(dbid: number, size: number, expires: number): void;
  /** A key read from the file. */
  key(dbid: number, key: string, value: Value, expire: number | undefined, idle: number | undefined, freq: number | undefined): void;
  /** A key whose collection was empty (skipped, as Redis does). */
  emptyKey?(dbid: number, key: string): void;
}

export class RdbParser {
  readonly r: RdbReader;
  ver = 0;
  dbid = 0;
  done = false;
  private crc = new Crc64();
  private crcPos: number;
  /** Set when the file was saved with checksum 0 (nothing to check). */
  checksumSkipped = false;

  constructor(
    buf: Buffer,
    private readonly ctxFor: (ver: number) => LoadContext,
    private readonly verifyChecksum: boolean,
    start = 0,
    end = buf.length,
  ) {
    this.r = new RdbReader(buf, start, end);
    this.crcPos = start;
  }

  private ctx: LoadContext | null = null;

  /** Read the 9-byte header. Throws RdbError with Redis's messages. */
  header(): void {
    const r = this.r;
    if (r.remaining < 9) throw new RdbError('Short read or OOM loading DB. Unrecoverable error, aborting now.');
    const magic = r.bytes(9).latin1Slice(0, 9);
    if (!magic.startsWith('REDIS')) throw new RdbError('Wrong signature trying to load DB from file', true);
    const ver = Number(magic.slice(5));
    if (!/^[0-9]{4}$/.test(magic.slice(5)) || ver < 1 || ver > RDB_MAX_READ_VERSION) throw new RdbError(`Can't handle RDB format version ${magic.slice(5).replace(/^0+/, '')}`, true);
    this.ver = ver;
    this.ctx = this.ctxFor(ver);
  }

  /** Bytes consumed so far. */
  get offset(): number {
    return this.r.pos;
  }

  /**
   * Parse records until EOF or until `shouldStop()` says so (checked between
   * records). Returns true when the EOF trailer has been read and verified.
   */
  run(sink: RdbSink, shouldStop: () => boolean): boolean {
    const r = this.r;
    const ctx = this.ctx as LoadContext;
    let expire: number | undefined;
    let idle: number | undefined;
    let freq: number | undefined;
    let n = 0;
    for (;;) {
      if ((++n & 63) === 0 && expire === undefined && idle === undefined && freq === undefined) {
        this.updateCrc();
        if (shouldStop()) return false;
      }
      const type = r.byte();
      switch (type) {
        case OP.EXPIRETIME:
          expire = r.u32le() * 1000;
          continue;
        case OP.EXPIRETIME_MS:
          expire = r.millis();
          continue;
        case OP.FREQ:
          freq = r.byte();
          continue;
        case OP.IDLE:
          idle = r.len();
          continue;
        case OP.EOF:
          this.updateCrc();
          this.trailer();
          this.done = true;
          return true;
        case OP.SELECTDB:
          this.dbid = r.len();
          continue;
        case OP.RESIZEDB: {
          const size = r.len();
          const exp = r.len();
          sink.resizeDb(this.dbid, size, exp);
          continue;
        }
        case OP.AUX: {
          const k = r.string();
          const v = r.string();
          sink.aux(k, v);
          continue;
        }
        case OP.MODULE_AUX: {
          const id = r.lenBig();
          const name = moduleTypeName(id);
          throw new RdbError(`The RDB file contains AUX module data I can't load: no matching module '${name}'`, true);
        }
        case OP.FUNCTION_PRE_GA:
          throw new RdbError('Pre-release function format not supported.', true);
        case OP.FUNCTION2:
          sink.func(r.string());
          continue;
        default:
          break;
      }
      // A key/value record.
      const key = r.string();
      const reader = READERS.get(type);
      if (reader === undefined) {
        if (type === 6 || type === 7) {
          const id = r.lenBig();
          throw new RdbError(`The RDB file contains module data I can't load: no matching module type '${moduleTypeName(id)}'`, true);
        }
        throw new RdbError(`Unknown RDB encoding type ${type}`);
      }
      const v = reader(r, ctx, type);
      if (v === null) sink.emptyKey?.(this.dbid, key);
      else sink.key(this.dbid, key, v, expire, idle, freq);
      expire = idle = freq = undefined;
    }
  }

  private updateCrc(): void {
    const r = this.r;
    if (this.verifyChecksum && r.pos > this.crcPos) this.crc.update(r.buf, this.crcPos, r.pos);
    this.crcPos = r.pos;
  }

  private trailer(): void {
    if (this.ver < 5) return;
    const r = this.r;
    const got = r.bytes(8);
    if (!this.verifyChecksum) return;
    const expected = this.crc.digestLE();
    if (got.every((b) => b === 0)) {
      this.checksumSkipped = true;
      return;
    }
    if (!got.equals(expected)) {
      throw new RdbError(`Wrong RDB checksum expected: (${got.readBigUInt64LE(0).toString(16)}) got (${expected.readBigUInt64LE(0).toString(16)}). Aborting now.`, false, 'RDB CRC error');
    }
  }
}

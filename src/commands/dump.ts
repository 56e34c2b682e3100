/*
 * DUMP, RESTORE, RESTORE-ASKING and MIGRATE.
 *
 * A DUMP payload is a value in RDB encoding (type byte + payload, as in an
 * RDB file), followed by the 2-byte little-endian RDB version and the 8-byte
 * little-endian CRC-64 of everything before it. RESTORE accepts payloads of
 * any version up to the one Nodis writes.
 *
 * MIGRATE does its network I/O without blocking the server: the calling
 * client is parked (as a blocked client) until the target has answered;
 * connections are cached per host:port for 10 seconds, as in Redis.
 */

import * as net from 'node:net';
import type { Client } from '../server/client';
import type { Database } from '../server/db';
import type { Server } from '../server/server';
import { command, type CommandDef } from './types';
import { E } from '../errors';
import { NOTIFY, is, keyChanged, lookupRead, redactArgs } from './util';
import { parseInt64Num } from '../util/numbers';
import { encodeCommand } from '../protocol/encode';
import type { Value } from '../types/value';
import { Crc64 } from '../persistence/crc64';
import { RdbError, RdbReader, RdbWriter, RDB_VERSION } from '../persistence/rdb';
import { logLoadError } from '../persistence/corrupt';
import { READERS, codecFor, loadContext } from '../persistence/codecs';
import { rdbWriteVersion } from '../persistence/manager';

// ----------------------------------------------------------------------------
// Payloads
// ----------------------------------------------------------------------------

/** The DUMP payload of a value. */
export function dumpPayload(v: Value, compress: boolean, ver = rdbWriteVersion()): Buffer {
  const w = new RdbWriter(compress, 256);
  const codec = codecFor(v);
  w.byte(codec.rdbType(v, ver));
  codec.write(w, v, ver);
  w.byte(ver & 0xff);
  w.byte((ver >> 8) & 0xff);
  const body = w.view();
  const crc = new Crc64().update(body).digestLE();
  w.bytes(crc);
  return w.take();
}

/** Is the payload's version supported and its checksum right? */
export function verifyPayload(p: Buffer, skipChecksum: boolean): boolean {
  if (p.length < 10) return false;
  const ver = p[p.length - 10] | (p[p.length - 9] << 8);
  if (ver > RDB_VERSION) return false;
  if (skipChecksum) return true;
  const crc = new Crc64().update(p, 0, p.length - 8).digestLE();
  return crc.equals(p.subarray(p.length - 8));
}

/**
 * Decode a verified payload into a value; null when it holds an empty
 * collection. Throws (RdbError, or any error of a malformed payload) when
 * the payload is refused. `deep`: sanitize the payload deeply.
 */
export function loadPayload(srv: Server, p: Buffer, deep = srv.config.get('sanitize-dump-payload') === 'yes'): Value | null {
  const ver = p[p.length - 10] | (p[p.length - 9] << 8);
  const r = new RdbReader(p, 0, p.length - 10);
  const type = r.byte();
  const reader = READERS.get(type);
  if (reader === undefined) throw new RdbError(`Unknown RDB encoding type ${type}`);
  return reader(r, loadContext(srv.config, ver, deep), type);
}

/**
 * Does RESTORE from `c` sanitize deeply? (sanitize-dump-payload: yes
 * always; clients: unless the client is internal (AOF loading, master
 * stream) or its user has skip-sanitize-payload.)
 */
function deepSanitize(c: Client): boolean {
  const mode = c.server.config.get('sanitize-dump-payload');
  if (mode === 'yes') return true;
  if (mode !== 'clients') return false;
  if (c.fake) return false;
  const acl = c.server.ext.acl as { users?: Map<string, { sanitize?: boolean | null }> } | undefined;
  return acl?.users?.get(c.user)?.sanitize !== false;
}

// ----------------------------------------------------------------------------
// LRU/LFU hints given to RESTORE (IDLETIME / FREQ)
// ----------------------------------------------------------------------------

interface Hints {
  access: Map<Database, Map<string, number>>;
  freq: Map<Database, Map<string, number>>;
}

function hintsOf(srv: Server): Hints {
  let h = srv.ext.restoreHints as Hints | undefined;
  if (h) return h;
  const hints: Hints = { access: new Map(), freq: new Map() };
  h = hints;
  srv.ext.restoreHints = hints;
  const prevAccess = srv.ext.keyAccessTime as ((db: Database, key: string) => number | undefined) | undefined;
  const prevFreq = srv.ext.keyFreq as ((db: Database, key: string) => number | undefined) | undefined;
  srv.ext.keyAccessTime = (db: Database, key: string) => hints.access.get(db)?.get(key) ?? prevAccess?.(db, key);
  srv.ext.keyFreq = (db: Database, key: string) => hints.freq.get(db)?.get(key) ?? prevFreq?.(db, key);
  return hints;
}

function setHint(m: Map<Database, Map<string, number>>, db: Database, key: string, v: number | null): void {
  let d = m.get(db);
  if (v === null) {
    d?.delete(key);
    return;
  }
  if (!d) {
    d = new Map();
    m.set(db, d);
  }
  d.set(key, v);
}

// ----------------------------------------------------------------------------
// DUMP, RESTORE
// ----------------------------------------------------------------------------

/* DUMP key */
function dumpCommand(c: Client, args: string[]): void {
  const v = lookupRead(c, args[1]);
  if (v === undefined) {
    c.w.nullBulk();
    return;
  }
  const p = dumpPayload(v, c.server.config.bool('rdbcompression'));
  c.w.bulk(p.latin1Slice(0, p.length));
}

/* RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency] */
function restoreCommand(c: Client, args: string[]): void {
  const srv = c.server;
  let replace = false;
  let absttl = false;
  let idle = -1;
  let freq = -1;
  for (let j = 4; j < args.length; j++) {
    const more = args.length - j - 1;
    if (is(args[j], 'replace')) replace = true;
    else if (is(args[j], 'absttl')) absttl = true;
    else if (is(args[j], 'idletime') && more >= 1 && freq === -1) {
      const n = parseInt64Num(args[j + 1]);
      if (n === null) {
        c.w.error(E.NOT_INTEGER);
        return;
      }
      if (n < 0) {
        c.w.error('ERR Invalid IDLETIME value, must be >= 0');
        return;
      }
      idle = n;
      j++;
    } else if (is(args[j], 'freq') && more >= 1 && idle === -1) {
      const n = parseInt64Num(args[j + 1]);
      if (n === null) {
        c.w.error(E.NOT_INTEGER);
        return;
      }
      if (n < 0 || n > 255) {
        c.w.error('ERR Invalid FREQ value, must be >= 0 and <= 255');
        return;
      }
      freq = n;
      j++;
    } else {
      c.w.error(E.SYNTAX);
      return;
    }
  }
  const key = args[1];
  const db = c.db;
  if (!replace && db.lookup(key) !== undefined) {
    c.w.error('BUSYKEY Target key name already exists.');
    return;
  }
  const ttlN = parseInt64Num(args[2]);
  if (ttlN === null) {
    c.w.error(E.NOT_INTEGER);
    return;
  }
  if (ttlN < 0) {
    c.w.error('ERR Invalid TTL value, must be >= 0');
    return;
  }
  const payload = Buffer.from(args[3], 'latin1');
  if (!verifyPayload(payload, srv.ext.skipChecksumValidation === true)) {
    c.w.error('ERR DUMP payload version or checksum are wrong');
    return;
  }
  let v: Value | null;
  try {
    v = loadPayload(srv, payload, deepSanitize(c));
  } catch (e) {
    logLoadError(srv.log, e, true);
    c.w.error('ERR Bad data format');
    return;
  }
  if (v === null) {
    c.w.error('ERR Bad data format');
    return;
  }
  let deleted = false;
  if (replace) deleted = db.delete(key);
  let ttl = ttlN;
  if (ttl && !absttl) ttl += srv.clock.now();
  if (ttl && ttl <= srv.clock.now() && !srv.expiryPausedFlag) {
    if (deleted) {
      const unlink = srv.config.bool('lazyfree-lazy-server-del');
      c.propagateArgs = [unlink ? 'UNLINK' : 'DEL', key];
      keyChanged(c, db, key, NOTIFY.GENERIC, 'del');
    } else c.propagateArgs = false;
    c.w.ok();
    return;
  }
  db.set(key, v);
  if (ttl) {
    db.setExpire(key, ttl);
    if (!absttl) {
      const pa = args.slice();
      pa[2] = String(ttl);
      pa.push('ABSTTL');
      c.propagateArgs = pa;
    }
  }
  if (idle >= 0 || freq >= 0 || srv.ext.restoreHints !== undefined) {
    const h = hintsOf(srv);
    setHint(h.access, db, key, idle >= 0 ? srv.clock.now() - idle * 1000 : null);
    setHint(h.freq, db, key, freq >= 0 ? freq : null);
  }
  srv.signalKeyAsReady(db, key);
  keyChanged(c, db, key, NOTIFY.GENERIC, 'restore');
  c.w.ok();
}

// ----------------------------------------------------------------------------
// MIGRATE
// ----------------------------------------------------------------------------

const SOCKET_CACHE_TTL_MS = 10_000;
const SOCKET_CACHE_MAX = 64;

interface CachedSocket {
  sock: net.Socket;
  lastDb: number;
  lastUse: number;
  buf: Buffer;
  waiter: (() => void) | null;
  closed: boolean;
}

function socketCache(srv: Server): Map<string, CachedSocket> {
  let m = srv.ext.migrateSockets as Map<string, CachedSocket> | undefined;
  if (m) return m;
  const cache = new Map<string, CachedSocket>();
  m = cache;
  srv.ext.migrateSockets = cache;
  srv.ext.migrateCachedSockets = () => cache.size;
  srv.cronHooks.push(() => {
    const now = Date.now();
    for (const [k, cs] of cache) {
      if (now - cs.lastUse > SOCKET_CACHE_TTL_MS) {
        cs.sock.destroy();
        cache.delete(k);
      }
    }
  });
  srv.closeHooks.push(() => {
    for (const cs of cache.values()) cs.sock.destroy();
    cache.clear();
  });
  return cache;
}

function connect(srv: Server, host: string, port: number, timeoutMs: number): Promise<CachedSocket | null> {
  const cache = socketCache(srv);
  const name = `${host}:${port}`;
  const hit = cache.get(name);
  if (hit && !hit.closed) {
    hit.lastUse = Date.now();
    return Promise.resolve(hit);
  }
  if (cache.size === SOCKET_CACHE_MAX) {
    const first = cache.keys().next().value as string;
    cache.get(first)?.sock.destroy();
    cache.delete(first);
  }
  return new Promise((res) => {
    const sock = net.connect({ host, port });
    sock.setNoDelay(true);
    const timer = setTimeout(() => {
      sock.destroy();
      res(null);
    }, timeoutMs);
    sock.once('error', () => {
      clearTimeout(timer);
      res(null);
    });
    sock.once('connect', () => {
      clearTimeout(timer);
      const cs: CachedSocket = { sock, lastDb: -1, lastUse: Date.now(), buf: Buffer.alloc(0), waiter: null, closed: false };
      sock.on('data', (d: Buffer) => {
        cs.buf = cs.buf.length ? Buffer.concat([cs.buf, d]) : d;
        cs.waiter?.();
      });
      const onClose = () => {
        cs.closed = true;
        if (cache.get(name) === cs) cache.delete(name);
        cs.waiter?.();
      };
      sock.on('close', onClose);
      sock.on('error', onClose);
      cache.set(name, cs);
      res(cs);
    });
  });
}

function dropSocket(srv: Server, host: string, port: number): void {
  const cache = socketCache(srv);
  const name = `${host}:${port}`;
  const cs = cache.get(name);
  if (cs) {
    cs.sock.destroy();
    cache.delete(name);
  }
}

/** Read one reply line from the target, or null on timeout/close. */
async function readLine(cs: CachedSocket, timeoutMs: number): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const nl = cs.buf.indexOf('\r\n');
    if (nl >= 0) {
      const line = cs.buf.latin1Slice(0, nl);
      cs.buf = cs.buf.subarray(nl + 2);
      return line;
    }
    if (cs.closed) return null;
    const left = deadline - Date.now();
    if (left <= 0) return null;
    await new Promise<void>((r) => {
      const t = setTimeout(() => {
        cs.waiter = null;
        r();
      }, left);
      cs.waiter = () => {
        clearTimeout(t);
        cs.waiter = null;
        r();
      };
    });
  }
}

/* MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH password | AUTH2 username password] [KEYS key [key ...]] */
function migrateCommand(c: Client, args: string[]): void {
  let copy = false;
  let replace = false;
  let user: string | null = null;
  let pass: string | null = null;
  let firstKey = 3;
  let numKeys = 1;
  for (let j = 6; j < args.length; j++) {
    const more = args.length - j - 1;
    const o = args[j].toLowerCase();
    if (o === 'copy') copy = true;
    else if (o === 'replace') replace = true;
    else if (o === 'auth') {
      if (!more) {
        c.w.error(E.SYNTAX);
        return;
      }
      redactArgs(c, j + 1, j + 2);
      pass = args[++j];
    } else if (o === 'auth2') {
      if (more < 2) {
        c.w.error(E.SYNTAX);
        return;
      }
      redactArgs(c, j + 1, j + 3);
      user = args[++j];
      pass = args[++j];
    } else if (o === 'keys') {
      if (args[3].length !== 0) {
        c.w.error('ERR When using MIGRATE KEYS option, the key argument must be set to the empty string');
        return;
      }
      firstKey = j + 1;
      numKeys = args.length - j - 1;
      break;
    } else {
      c.w.error(E.SYNTAX);
      return;
    }
  }
  const port = parseInt64Num(args[2]);
  let timeout = parseInt64Num(args[5]);
  const dbid = parseInt64Num(args[4]);
  if (timeout === null || dbid === null || port === null) {
    c.w.error(E.NOT_INTEGER);
    return;
  }
  if (timeout <= 0) timeout = 1000;
  const srv = c.server;
  const db = c.db;
  // Keys that exist, with their payloads (taken now: the snapshot being moved).
  const items: { key: string; ttl: number; payload: Buffer }[] = [];
  for (let i = 0; i < numKeys; i++) {
    const key = args[firstKey + i];
    const v = db.lookup(key);
    if (v === undefined) continue;
    let ttl = 0;
    const when = db.getExpire(key);
    if (when !== undefined) {
      ttl = when - srv.clock.now();
      if (ttl < 1) ttl = 1;
    }
    items.push({ key, ttl, payload: dumpPayload(v, srv.config.bool('rdbcompression')) });
  }
  if (items.length === 0) {
    c.w.simple('NOKEY');
    return;
  }
  if (c.inExec || c.fake) {
    c.w.error('IOERR MIGRATE is not supported inside a transaction or a script');
    return;
  }
  const host = args[1];
  const tmo = timeout;
  let finished = false;
  srv.blockClientNoKeys(c, 0, 'migrate', () => undefined);
  const finish = (reply: (c: Client) => void, delKeys: string[]) => {
    if (finished) return;
    finished = true;
    if (c.closed) return;
    if (!copy && delKeys.length) {
      for (const k of delKeys) {
        if (db.delete(k)) {
          srv.dirty++;
          srv.signalModifiedKey(db, k);
          srv.notify(NOTIFY.GENERIC, 'del', k, db.id);
        }
      }
      srv.propagate(db.id, ['DEL', ...delKeys]);
    }
    reply(c);
    srv.unblockClient(c, true);
  };
  const attempt = async (retry: boolean): Promise<void> => {
    const cs = await connect(srv, host, port, tmo);
    if (cs === null) {
      finish((cl) => cl.w.error('IOERR error or timeout connecting to the client'), []);
      return;
    }
    const parts: Buffer[] = [];
    if (pass !== null) parts.push(Buffer.from(encodeCommand(user !== null ? ['AUTH', user, pass] : ['AUTH', pass]), 'latin1'));
    const selecting = cs.lastDb !== dbid;
    if (selecting) parts.push(Buffer.from(encodeCommand(['SELECT', String(dbid)]), 'latin1'));
    for (const it of items) {
      const cmd = ['RESTORE', it.key, String(it.ttl), it.payload.latin1Slice(0, it.payload.length)];
      if (replace) cmd.push('REPLACE');
      parts.push(Buffer.from(encodeCommand(cmd), 'latin1'));
    }
    cs.sock.write(Buffer.concat(parts));
    const readErr = () => {
      dropSocket(srv, host, port);
      finish((cl) => cl.w.error('IOERR error or timeout reading to target instance'), []);
    };
    if (pass !== null) {
      const l = await readLine(cs, tmo);
      if (l === null) {
        if (retry && cs.closed) return attempt(false);
        return readErr();
      }
      if (l[0] === '-') {
        dropSocket(srv, host, port);
        finish((cl) => cl.w.error(`ERR Target instance replied with error: ${l.slice(1)}`), []);
        return;
      }
    }
    if (selecting) {
      const l = await readLine(cs, tmo);
      if (l === null) {
        if (retry && cs.closed) return attempt(false);
        return readErr();
      }
      if (l[0] === '-') {
        cs.lastDb = -1;
        finish((cl) => cl.w.error(`ERR Target instance replied with error: ${l.slice(1)}`), []);
        return;
      }
      cs.lastDb = dbid;
    }
    const acked: string[] = [];
    let err: string | null = null;
    for (const it of items) {
      const l = await readLine(cs, tmo);
      if (l === null) {
        if (retry && cs.closed && acked.length === 0 && err === null) return attempt(false);
        dropSocket(srv, host, port);
        finish((cl) => cl.w.error('IOERR error or timeout reading to target instance'), acked);
        return;
      }
      if (l[0] === '-') {
        if (err === null) err = l.slice(1);
      } else acked.push(it.key);
    }
    cs.lastUse = Date.now();
    if (err !== null) {
      const msg = err;
      finish((cl) => cl.w.error(`ERR Target instance replied with error: ${msg}`), acked);
      return;
    }
    finish((cl) => cl.w.ok(), acked);
  };
  attempt(true).catch((e: Error) => finish((cl) => cl.w.error(`IOERR ${e.message}`), []));
}

/** MIGRATE's keys: argv[3], or everything after KEYS. */
function migrateKeys(args: string[]): number[] {
  for (let j = 6; j < args.length; j++) {
    const o = args[j].toLowerCase();
    if (o === 'auth') j++;
    else if (o === 'auth2') j += 2;
    else if (o === 'keys') {
      const out: number[] = [];
      for (let k = j + 1; k < args.length; k++) out.push(k);
      return out;
    }
  }
  return args.length > 3 && args[3] !== '' ? [3] : [];
}

export const commands: CommandDef[] = [
  command('dump', 2, 'readonly', [1, 1, 1], 'keyspace', dumpCommand),
  command('restore', -4, 'write denyoom', [1, 1, 1], 'keyspace dangerous', restoreCommand),
  command('restore-asking', -4, 'write denyoom asking', [1, 1, 1], 'keyspace dangerous', restoreCommand),
  command('migrate', -6, 'write', [3, 3, 1], 'keyspace dangerous', migrateCommand, { getKeys: migrateKeys }),
];

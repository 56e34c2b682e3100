/*
 * maxmemory and the eviction policies (noeviction, allkeys-/volatile- lru,
 * lfu and random, volatile-ttl), per-key access tracking for LRU/LFU and
 * OBJECT IDLETIME / FREQ, and the memory figure they are based on.
 *
 * Memory figure (INFO used_memory; see docs/MEMORY.md): a fixed startup
 * figure + the estimated size of every key (a running total per database,
 * kept up to date by the Database hooks on every write and delete, so it
 * reacts at once, unlike V8's heap which only shrinks after a GC) + client
 * query/output buffers (refreshed by the cron). A background sweep recounts
 * the estimate to heal drift, and major GCs recalibrate a scale factor for
 * large datasets against the measured heap.
 *
 * Access data is the 32-bit access field of each key in its KeyDict
 * (src/server/keydict.ts; format in src/eviction/access.ts; 0 means never
 * set, e.g. a key loaded at start-up); it is updated by `db.lookup` (reads
 * and writes) except during commands that must not touch keys (TTL, TYPE,
 * EXISTS, OBJECT, DEBUG, MEMORY) and for CLIENT NO-TOUCH clients (TOUCH
 * still touches).
 */

import { PerformanceObserver, constants as perfConstants, performance } from 'node:perf_hooks';
import type { Server } from '../server/server';
import type { Database } from '../server/db';
import type { KeyDict } from '../server/keydict';
import type { Client } from '../server/client';
import type { CommandDef } from '../commands/types';
import type { Value } from '../types/value';
import { NOTIFY } from '../server/notify-flags';
import { usedMemory as heapFigure } from '../server/memory';
import { keyBytes, stringKeyBytes } from '../eviction/estimate';
import { LFU_INIT, lfuBump, lfuDecayed, lfuMinutesOf, lfuPack, lruClockOf, lruIdleSeconds } from '../eviction/access';
import { EvictionPool, KeyCursor } from '../eviction/pool';

/** used_memory before any data: what Redis reports for an empty server is close to this. */
export const STARTUP_BYTES = 1 << 20;
/** Keys recounted per cron tick by the drift-healing sweep. */
const SWEEP_PER_TICK = 2000;

export const enum EvictResult {
  Ok,
  Running,
  Fail,
}

/** The eviction engine's state, exposed as `server.ext.eviction` (tests, INFO). */
export interface EvictionState {
  usedMemory(): number;
  datasetBytes(): number;
  clientBytes(): number;
  performEvictions(): EvictResult;
  /** Recount every key's estimate now (tests; after loading). */
  recount(): void;
  scale: number;
}

function isCollection(v: Value): v is Exclude<Value, string | Buffer> {
  return typeof v === 'object' && !Buffer.isBuffer(v);
}

/** The access field of a key, undefined when absent or never set (0). */
function accessOf(dict: KeyDict, key: string): number | undefined {
  const p = dict.getAccess(key);
  return p === 0 ? undefined : p;
}

export function attach(srv: Server): void {
  const cfg = srv.config;
  let maxmemory = cfg.num('maxmemory');
  let policy = cfg.get('maxmemory-policy');
  let lfuMode = policy.includes('lfu');
  let samples = Math.max(1, cfg.num('maxmemory-samples'));
  let tenacity = cfg.num('maxmemory-eviction-tenacity');
  let logFactor = cfg.num('lfu-log-factor');
  let decayTime = cfg.num('lfu-decay-time');
  /** Client buffers (query + output), refreshed by the cron and INFO. */
  let clientMem = 0;
  let replicaMem = 0;
  let lastMeasure = 0;
  /** Dataset scale factor from the GC recalibration (1 = the estimate as is). */
  let scale = 1;
  const heapAtStart = heapFigure();
  /** Bytes accounted for each collection object (they change in place). */
  const acct = new WeakMap<object, number>();

  const sharedIntegers = (): boolean => !(maxmemory !== 0 && (policy.includes('lru') || policy.includes('lfu')));
  srv.ext.sharedIntegers = sharedIntegers();
  const refreshConfig = (): void => {
    maxmemory = cfg.num('maxmemory');
    policy = cfg.get('maxmemory-policy');
    lfuMode = policy.includes('lfu');
    samples = Math.max(1, cfg.num('maxmemory-samples'));
    tenacity = cfg.num('maxmemory-eviction-tenacity');
    logFactor = cfg.num('lfu-log-factor');
    decayTime = cfg.num('lfu-decay-time');
    srv.ext.sharedIntegers = sharedIntegers();
  };
  for (const name of ['maxmemory-samples', 'maxmemory-eviction-tenacity', 'lfu-log-factor', 'lfu-decay-time']) cfg.onChange(name, () => void refreshConfig());
  for (const name of ['maxmemory', 'maxmemory-policy']) {
    cfg.onChange(name, () => {
      refreshConfig();
      // A lower limit applies right away, after the running command (so that
      // evictions never land inside a transaction being propagated).
      if (maxmemory !== 0) scheduleEviction();
    });
  }

  // ---------------------------------------------------------------------------
  // Accounting and access tracking (Database hooks)
  // ---------------------------------------------------------------------------

  const lruNow = (): number => lruClockOf(srv.clock.now());

  /** Bytes accounted for `key` holding `v` (a number: a string value of that length). */
  function accounted(key: string, v: Value | number): number {
    if (typeof v === 'number') return stringKeyBytes(key, v);
    if (isCollection(v)) {
      const b = acct.get(v);
      if (b !== undefined) return b;
    }
    return keyBytes(key, v);
  }

  let lastStringKey: string | null = null;
  let lastStringDb: Database | null = null;

  function memHook(db: Database, key: string, before: Value | number | undefined, after: Value | undefined): void {
    if (before !== undefined) db.dataBytes -= accounted(key, before);
    // A removed key's access field goes with it.
    if (after === undefined) return;
    const b = keyBytes(key, after);
    if (isCollection(after)) acct.set(after, b);
    else {
      // A string cannot change in place: the modified-key hook that follows may skip it.
      lastStringKey = key;
      lastStringDb = db;
    }
    db.dataBytes += b;
    // New keys start fresh; an overwritten key keeps its LFU counter (as Redis does).
    if (!lfuMode) db.dict.setAccess(key, lruNow());
    else if (before === undefined || db.dict.getAccess(key) === 0) db.dict.setAccess(key, lfuPack(lfuMinutesOf(srv.clock.now()), LFU_INIT));
  }

  // Commands that look keys up without touching them.
  const noTouch = new Set<CommandDef>();
  for (const name of ['ttl', 'pttl', 'expiretime', 'pexpiretime', 'type', 'exists', 'object', 'debug', 'memory']) {
    const def = srv.commands.get(name);
    if (def === undefined) continue;
    noTouch.add(def);
    if (def.subcommands) for (const s of def.subcommands.values()) noTouch.add(s);
  }
  const touchDef = srv.commands.get('touch');
  let lastCmd: CommandDef | null = null;
  let lastSkip = false;

  function touchHook(db: Database, key: string): void {
    const cmd = srv.currentCmd;
    if (cmd !== lastCmd) {
      lastCmd = cmd;
      lastSkip = cmd !== null && noTouch.has(cmd);
    }
    if (lastSkip) return;
    if (cmd !== touchDef) {
      const c = srv.currentClient;
      if (c !== null && c.noTouch) return;
    }
    const dict = db.dict;
    if (!lfuMode) {
      dict.setAccess(key, lruClockOf(srv.clock.now()));
      return;
    }
    const nowMin = lfuMinutesOf(srv.clock.now());
    const p = accessOf(dict, key);
    const counter = p === undefined ? LFU_INIT : lfuDecayed(p, nowMin, decayTime);
    dict.setAccess(key, lfuPack(nowMin, lfuBump(counter, logFactor)));
  }

  for (const db of srv.dbs) {
    db.memHook = memHook;
    db.touchHook = touchHook;
  }

  // Collections change in place: re-estimate them when a command reports the change.
  srv.keyModifiedHooks.push((db: Database, key: string) => {
    if (key === lastStringKey && db === lastStringDb) {
      lastStringKey = null;
      return;
    }
    const v = db.dict.peek(key);
    if (v === undefined || typeof v === 'number' || !isCollection(v)) return;
    const b = keyBytes(key, v);
    const old = acct.get(v);
    db.dataBytes += old === undefined ? b : b - old;
    acct.set(v, b);
  });

  // ---------------------------------------------------------------------------
  // The memory figure
  // ---------------------------------------------------------------------------

  function datasetBytes(): number {
    let d = 0;
    for (const db of srv.dbs) d += db.dataBytes;
    return d;
  }

  /** Memory held by one client's buffers. */
  function clientBytes(c: Client): number {
    // Replies still in the writer (c.w) are written out at the end of the
    // current batch; what the socket could not send yet stays in its buffer.
    let n = c.parser.pending + (c.socket !== null ? c.socket.writableLength : 0);
    // Arguments of a request still being received are held by the parser (read only here).
    const partial = (c.parser as unknown as { args?: string[] }).args;
    if (partial !== undefined) for (let i = 0; i < partial.length; i++) n += partial[i].length;
    return n;
  }

  /** Refresh the client buffer figures: normal clients (counted for eviction) and replicas (not counted). */
  function measureClients(): number {
    let n = 0;
    let r = 0;
    for (const c of srv.clients.values()) {
      const bytes = clientBytes(c);
      if (c.ext.replica === true) r += bytes;
      else if (c.ext.master !== true) n += bytes;
    }
    clientMem = n;
    replicaMem = r;
    lastMeasure = srv.clock.now();
    return n;
  }

  /** maxmemory-clients in bytes (a percentage is of maxmemory), 0 = no client eviction. */
  function clientsLimit(): number {
    const v = cfg.get('maxmemory-clients');
    if (v.endsWith('%')) return Math.floor((maxmemory * Number(v.slice(0, -1))) / 100);
    return Number(v);
  }

  /**
   * Client eviction: while the buffers of evictable clients (not NO-EVICT,
   * not replication links) exceed maxmemory-clients, disconnect the biggest.
   */
  function evictClients(running: Client | null): void {
    const limit = clientsLimit();
    if (limit <= 0 || clientMem <= limit) return;
    const cands: { c: Client; bytes: number }[] = [];
    let total = 0;
    for (const c of srv.clients.values()) {
      if (c === running || c.noEvict || c.fake || c.closed || c.ext.replica === true || c.ext.master === true) continue;
      const bytes = clientBytes(c);
      total += bytes;
      cands.push({ c, bytes });
    }
    if (total <= limit) return;
    cands.sort((a, b) => b.bytes - a.bytes);
    const stats = srv.stats as unknown as Record<string, number>;
    for (const { c, bytes } of cands) {
      if (total <= limit) break;
      srv.log.verbose('Evicting client: ' + String(c.id));
      srv.closeClient(c, false);
      stats.evictedClients = (stats.evictedClients ?? 0) + 1;
      total -= bytes;
    }
    measureClients();
  }

  /** The figure compared with maxmemory (replica buffers left out, as Redis does). */
  const usedMemory = (): number => STARTUP_BYTES + Math.round(datasetBytes() * scale) + clientMem;

  srv.ext.usedMemory = (): number => {
    measureClients();
    return usedMemory() + replicaMem;
  };
  /** INFO memory's client and not-counted figures (as of the last usedMemory call). */
  srv.ext.memoryBreakdown = (): { clientsNormal: number; clientsReplicas: number; notCountedForEvict: number } => ({
    clientsNormal: clientMem,
    clientsReplicas: replicaMem,
    notCountedForEvict: replicaMem,
  });

  // Recalibration: after a major GC the heap holds (nearly) only live data.
  // For a large dataset, compare its growth since start with the estimate
  // and move the scale factor a fifth of the way (bounded to [1, 3]).
  let gcObserver: PerformanceObserver | null = null;
  try {
    gcObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const kind = (e as { detail?: { kind?: number } }).detail?.kind;
        if (kind !== perfConstants.NODE_PERFORMANCE_GC_MAJOR) continue;
        const d = datasetBytes();
        if (d < 16 << 20) {
          scale = 1;
          continue;
        }
        const ratio = Math.min(3, Math.max(1, (heapFigure() - heapAtStart) / d));
        scale += (ratio - scale) / 5;
      }
    });
    gcObserver.observe({ entryTypes: ['gc'] });
  } catch {
    gcObserver = null;
  }

  // Drift healing: recount a slice of keys per cron tick; at the end of a
  // full pass, adopt the recount if it differs by more than 1/16.
  let sweepDb = 0;
  let sweepIt: Iterator<[string, Value]> | null = null;
  let sweepDict: KeyDict | null = null;
  let sweepSum = 0;
  let needFullRecount = true;

  function recountDb(db: Database): void {
    let sum = 0;
    for (const [k, v] of db.dict) {
      const b = keyBytes(k, v);
      if (isCollection(v)) acct.set(v, b);
      sum += b;
    }
    db.dataBytes = sum;
  }

  function recount(): void {
    for (const db of srv.dbs) recountDb(db);
    sweepIt = null;
  }

  function sweepStep(): void {
    let budget = SWEEP_PER_TICK;
    while (budget > 0) {
      const db = srv.dbs[sweepDb];
      if (sweepIt === null || sweepDict !== db.dict) {
        sweepDict = db.dict;
        sweepIt = db.dict.entries();
        sweepSum = 0;
      }
      const r = sweepIt.next();
      if (r.done === true) {
        const diff = Math.abs(sweepSum - db.dataBytes);
        if (diff > db.dataBytes / 16 + 4096) db.dataBytes = sweepSum;
        sweepIt = null;
        sweepDb = (sweepDb + 1) % srv.dbs.length;
        return;
      }
      const [k, v] = r.value;
      sweepSum += isCollection(v) ? (acct.get(v) ?? keyBytes(k, v)) : keyBytes(k, v);
      budget--;
    }
  }

  // ---------------------------------------------------------------------------
  // Eviction
  // ---------------------------------------------------------------------------

  const pool = new EvictionPool();
  const cursors = new Map<string, KeyCursor>();
  let nextDb = 0;

  function cursorFor(db: Database, volatile: boolean): KeyCursor {
    const id = (volatile ? 'e' : 'd') + db.id;
    const src = volatile ? db.expires : db.dict;
    let cur = cursors.get(id);
    if (cur === undefined) {
      cur = new KeyCursor(src);
      cursors.set(id, cur);
    } else cur.bind(src);
    return cur;
  }

  function score(db: Database, key: string): number {
    if (policy === 'volatile-ttl') return -(db.expires.get(key) ?? Infinity);
    const p = accessOf(db.dict, key);
    if (lfuMode) return 255 - (p === undefined ? LFU_INIT : lfuDecayed(p, lfuMinutesOf(srv.clock.now()), decayTime));
    return p === undefined ? 0 : lruIdleSeconds(p, lruNow());
  }

  /** The next key to evict under the current policy, or null when there is none. */
  function pickVictim(): { db: Database; key: string } | null {
    const volatile = policy.startsWith('volatile');
    if (policy.endsWith('random')) {
      const n = srv.dbs.length;
      for (let i = 0; i < n; i++) {
        const db = srv.dbs[(nextDb + i) % n];
        const src = volatile ? db.expires : db.dict;
        if (src.size === 0) continue;
        nextDb = (nextDb + i + 1) % n;
        const cur = cursorFor(db, volatile);
        let skip = Math.floor(Math.random() * Math.min(src.size, 64));
        let key = cur.next();
        while (skip-- > 0) key = cur.next();
        if (key !== undefined && db.dict.has(key)) return { db, key };
      }
      return null;
    }
    for (;;) {
      let sampled = false;
      for (const db of srv.dbs) {
        const src = volatile ? db.expires : db.dict;
        if (src.size === 0) continue;
        sampled = true;
        const cur = cursorFor(db, volatile);
        const n = Math.min(samples, src.size);
        for (let i = 0; i < n; i++) {
          const key = cur.next();
          if (key === undefined) break;
          pool.offer(score(db, key), key, db.id);
        }
      }
      if (!sampled) return null;
      for (let best = pool.takeBest(); best !== null; best = pool.takeBest()) {
        const db = srv.dbs[best.dbid];
        if (db.dict.has(best.key) && (!volatile || db.expires.has(best.key))) return { db, key: best.key };
      }
    }
  }

  function evictKey(db: Database, key: string): void {
    const v = db.dict.get(key);
    if (v === undefined) return;
    srv.propagate(db.id, ['DEL', key]);
    if (db.cowHook !== null) db.cowHook(db, key, false);
    memHook(db, key, v, undefined);
    db.dict.delete(key);
    db.expires.delete(key);
    srv.stats.evictedKeys++;
    srv.signalModifiedKey(db, key, null);
    srv.notify(NOTIFY.EVICTED, 'evicted', key, db.id);
  }

  function timeLimitUs(): number {
    if (tenacity <= 10) return 50 * tenacity;
    if (tenacity < 100) return 500 * Math.pow(1.15, tenacity - 10);
    return Infinity;
  }

  let scheduled = false;
  function scheduleEviction(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      performEvictions();
    });
  }

  let inEviction = false;
  function performEvictions(): EvictResult {
    if (maxmemory === 0 || inEviction) return EvictResult.Ok;
    const over = usedMemory() - maxmemory;
    if (over <= 0) return EvictResult.Ok;
    // A replica mirrors its master, which evicts for both (replica-ignore-maxmemory).
    const repl = srv.ext.replicationState as { isReplica?: boolean } | undefined;
    if (repl?.isReplica === true && cfg.bool('replica-ignore-maxmemory')) return EvictResult.Ok;
    if (policy === 'noeviction') {
      measureClients();
      return usedMemory() > maxmemory ? EvictResult.Fail : EvictResult.Ok;
    }
    const limitUs = timeLimitUs();
    const start = performance.now();
    let n = 0;
    inEviction = true;
    try {
      // What must be freed is decided once: memory that grows meanwhile (the
      // invalidation messages evictions send, for one) waits for the next
      // round instead of feeding this one.
      let freed = 0;
      while (freed < over) {
        const victim = pickVictim();
        if (victim === null) {
          // The client figure may be stale (clients gone since the cron): look again before refusing.
          measureClients();
          return usedMemory() > maxmemory ? EvictResult.Fail : EvictResult.Ok;
        }
        const before = victim.db.dataBytes;
        evictKey(victim.db, victim.key);
        freed += (before - victim.db.dataBytes) * scale;
        if ((++n & 15) === 0 && (performance.now() - start) * 1000 > limitUs) {
          // Out of time for this round: go on soon, and let the command run.
          scheduleEviction();
          return EvictResult.Running;
        }
      }
    } finally {
      inEviction = false;
    }
    return EvictResult.Ok;
  }

  // The OOM check and the before-command hook below are idle without maxmemory.
  srv.laneChecks.push(() => maxmemory === 0);
  srv.ext.oomCheck = (c: Client): boolean => {
    if (maxmemory === 0) return false;
    // A replica applies its master's stream as is (the master evicts for it).
    if (c.ext.master === true) return false;
    return performEvictions() === EvictResult.Fail;
  };

  // As Redis does, every command first gives eviction a chance (not only
  // those that may be refused): client buffers are re-measured at most once
  // per millisecond, the dataset figure is always current.
  srv.beforeCommandHooks.push((c: Client) => {
    if (maxmemory === 0 || c.ext.master === true) return;
    if (srv.clock.now() - lastMeasure >= 1) {
      measureClients();
      evictClients(c);
    }
    performEvictions();
  });

  srv.cronHooks.push(() => {
    if (needFullRecount) {
      // Keys loaded at start-up (RDB/AOF) arrived behind the hooks' back.
      needFullRecount = false;
      recount();
    } else sweepStep();
    measureClients();
    evictClients(null);
    if (maxmemory !== 0) performEvictions();
  });
  srv.flushHooks.push(() => {
    pool.clear();
  });

  // ---------------------------------------------------------------------------
  // OBJECT IDLETIME / FREQ, DEBUG OBJECT, RESTORE IDLETIME / FREQ
  // ---------------------------------------------------------------------------

  srv.ext.keyAccessTime = (db: Database, key: string): number | undefined => {
    const p = accessOf(db.dict, key);
    if (p === undefined) return undefined;
    return srv.clock.now() - lruIdleSeconds(p, lruNow()) * 1000;
  };
  srv.ext.keyFreq = (db: Database, key: string): number | undefined => {
    const p = accessOf(db.dict, key);
    return p === undefined ? LFU_INIT : lfuDecayed(p, lfuMinutesOf(srv.clock.now()), decayTime);
  };
  /** DEBUG OBJECT's lru and lru_seconds_idle. */
  srv.ext.keyLruInfo = (db: Database, key: string): { lru: number; idle: number } => {
    const now = lruNow();
    const p = accessOf(db.dict, key) ?? now;
    return { lru: p, idle: lruIdleSeconds(p, now) };
  };

  // RESTORE ... IDLETIME / FREQ: src/commands/dump.ts keeps hints that take
  // precedence over our data; move them into the access data so that later
  // accesses count again.
  const restore = srv.commands.get('restore');
  if (restore !== undefined) {
    const orig = restore.handler;
    restore.handler = (c: Client, args: string[]): void => {
      orig(c, args);
      const hints = srv.ext.restoreHints as { access: Map<Database, Map<string, number>>; freq: Map<Database, Map<string, number>> } | undefined;
      if (hints === undefined || args.length < 2) return;
      const db = c.db;
      const key = args[1];
      const at = hints.access.get(db)?.get(key);
      const fr = hints.freq.get(db)?.get(key);
      hints.access.get(db)?.delete(key);
      hints.freq.get(db)?.delete(key);
      if (!db.dict.has(key)) return;
      if (!lfuMode && at !== undefined) db.dict.setAccess(key, lruClockOf(at));
      if (lfuMode && fr !== undefined) db.dict.setAccess(key, lfuPack(lfuMinutesOf(srv.clock.now()), fr));
    };
  }

  const state: EvictionState = {
    usedMemory: () => srv.ext.usedMemory ? (srv.ext.usedMemory as () => number)() : usedMemory(),
    datasetBytes,
    clientBytes: () => clientMem,
    performEvictions,
    recount,
    get scale() {
      return scale;
    },
    set scale(s: number) {
      scale = s;
    },
  };
  srv.ext.eviction = state;
  srv.shutdownHooks.push(() => {
    gcObserver?.disconnect();
    return null;
  });
}

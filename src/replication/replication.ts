/*
 * Replication state, both sides.
 *
 * Master side: every propagated write is encoded as RESP (preceded by SELECT
 * when the db changes), appended to the backlog and sent to the online
 * replicas; master_repl_offset counts those bytes. SYNC/PSYNC either resume
 * from the backlog (+CONTINUE) or send +FULLRESYNC and an RDB of the dataset.
 * Replicas ACK their processed offset every second; WAIT and
 * min-replicas-to-write are built on those ACKs.
 *
 * Replica side: see link.ts. A replica does not feed its own writes to its
 * replicas: it proxies the stream it applied from its master, byte for byte,
 * so that offsets and the replication ID are the same along a chain.
 */

import type { Server } from '../server/server';
import type { Client } from '../server/client';
import type { CommandDef } from '../commands/types';
import { encodeCommand } from '../protocol/encode';
import { Backlog } from './backlog';
import { MasterLink } from './link';

export const ZERO_REPLID = '0000000000000000000000000000000000000000';
const NOREPLICAS = 'NOREPLICAS Not enough good replicas to write.';
const READONLY = "READONLY You can't write against a read only replica.";
const WAIT_ON_REPLICA =
  'ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.';

export interface ReplicaState {
  c: Client;
  ip: string;
  port: number;
  /** Offset acknowledged by the replica (REPLCONF ACK). */
  ackOffset: number;
  /** When the last ACK arrived (ms). */
  ackTime: number;
  /** Attached with the old SYNC (never ACKs: no timeout). */
  prePsync: boolean;
}

interface Waiter {
  c: Client;
  target: number;
  n: number;
}

type Gate = (c: Client, cmd: CommandDef, args?: string[]) => string | null;
type DynFlags = (c: Client, cmd: CommandDef, args: string[]) => Set<string> | null;

export function randomReplid(): string {
  let s = '';
  while (s.length < 40) s += Math.floor(Math.random() * 16).toString(16);
  return s;
}

export class Replication {
  replid = randomReplid();
  replid2 = ZERO_REPLID;
  secondOffset = -1;
  /** master_repl_offset: bytes of replication stream produced (or, on a replica, applied). */
  offset = 0;
  backlog: Backlog | null = null;
  readonly replicas = new Map<Client, ReplicaState>();
  /** The db the stream last selected (-1: the next command starts with SELECT). */
  lastDb = -1;
  private waiters = new Set<Waiter>();
  private getackScheduled = false;
  private lastPing = 0;
  private lastSecond = 0;
  // Replica side.
  masterHost: string | null = null;
  masterPort = 0;
  link: MasterLink | null = null;
  /** Keys with a TTL written by clients of a writable replica (they expire here). */
  private replicaKeysWithExpire = new Map<number, Set<string>>();

  constructor(readonly server: Server) {
    this.lastPing = server.clock.now();
  }

  static of(server: Server): Replication {
    let r = server.ext.replicationState as Replication | undefined;
    if (r === undefined) {
      r = new Replication(server);
      server.ext.replicationState = r;
      r.install();
    }
    return r;
  }

  get isReplica(): boolean {
    return this.masterHost !== null;
  }

  private install(): void {
    const srv = this.server;
    // propagateTarget: the replicas (scripts' redis.set_repl picks targets, see scripting/host.ts).
    srv.propagateHooks.push(Object.assign((dbid: number, args: string[]) => this.onPropagate(dbid, args), { propagateTarget: 2 }));
    srv.clientClosedHooks.push((c) => this.onClientClosed(c));
    srv.cronHooks.push(() => this.cron());
    srv.closeHooks.push(() => this.link?.close());
    srv.keyModifiedHooks.push((db, key, cause) => {
      if (this.masterHost === null) return;
      const cur = srv.currentClient;
      if (cur !== null && cur.ext.master === true) {
        // The master owns this key again: its TTL is the master's business.
        this.replicaKeysWithExpire.get(db.id)?.delete(key);
      } else if (cause !== null && cause.ext.master !== true && !cause.fake) {
        let s = this.replicaKeysWithExpire.get(db.id);
        if (s === undefined) this.replicaKeysWithExpire.set(db.id, (s = new Set()));
        s.add(key);
      }
    });
    srv.ext.replicationInfo = () => this.info();
    srv.ext.waitReplicas = (c: Client, n: number, t: number) => this.waitCommand(c, n, t);
    srv.ext.role = 'master';
    // The gate is installed once every feature has attached: outermost, it sees the arguments
    // (script flags need them) even when an inner gate does not pass them on.
    setImmediate(() => {
      const prev = srv.ext.commandGate as Gate | undefined;
      const gate: Gate = (c, cmd, args) => {
        const e = prev !== undefined ? prev(c, cmd, args) : null;
        if (e !== null) return e;
        return this.gate(c, cmd, args);
      };
      srv.ext.commandGate = gate;
      // The gate refuses nothing on a master without min-replicas-to-write.
      srv.laneChecks.push(() => this.masterHost === null && this.minReplicasNow() <= 0);
    });
    // Writes from scripts (redis.call) face the same NOREPLICAS / READONLY refusals.
    // The scripting host runs them through execInternal with its fake client (ext.lua).
    srv.ext.scriptWriteDenied = (): string | null => this.scriptWriteDenied();
    const execInternal = srv.execInternal.bind(srv);
    srv.execInternal = (c: Client, cmd: CommandDef, args: string[]): void => {
      if (c.ext.lua === true && c.ext.scriptDirty !== true && cmd.flags.has('write')) {
        const err = this.scriptWriteDenied();
        if (err !== null) {
          c.w.error(err);
          return;
        }
      }
      execInternal(c, cmd, args);
    };
    // DEBUG REPLICATE cmd arg ...: send a command to the replicas only.
    const dbg = (srv.ext.debugExtensions as Record<string, (c: Client, args: string[]) => void> | undefined) ?? {};
    dbg.replicate = (c: Client, args: string[]): void => {
      if (args.length < 3) {
        c.w.error("ERR unknown subcommand or wrong number of arguments for 'replicate'. Try DEBUG HELP.");
        return;
      }
      this.onPropagate(c.db.id, args.slice(2));
      c.w.ok();
    };
    srv.ext.debugExtensions = dbg;
    srv.config.onChange('repl-backlog-size', (v) => {
      if (this.backlog !== null) this.backlog = this.backlog.resized(Number(v));
      return undefined;
    });
    const initial = srv.config.get('replicaof').trim();
    if (initial !== '') {
      const [h, p] = initial.split(/\s+/);
      if (h.toLowerCase() !== 'no' && p !== undefined) {
        // Connect once the server is up (the first cron tick).
        this.pendingInitialMaster = { host: h, port: Number(p) };
      }
    }
  }

  private pendingInitialMaster: { host: string; port: number } | null = null;

  // ---------------------------------------------------------------------------
  // The stream (master side)
  // ---------------------------------------------------------------------------

  private onPropagate(dbid: number, args: string[]): void {
    if (this.masterHost !== null || this.backlog === null) return;
    let s = '';
    // dbid -1: no SELECT (the MULTI/EXEC around a transaction).
    if (dbid !== -1 && dbid !== this.lastDb && args[0] !== 'EXEC' && args[0] !== 'exec') {
      s = encodeCommand(['SELECT', String(dbid)]);
      this.lastDb = dbid;
    }
    s += encodeCommand(args);
    this.feed(Buffer.from(s, 'latin1'));
    const cur = this.server.currentClient;
    if (cur !== null) cur.ext.woff = this.offset;
  }

  /** Append bytes to the stream: backlog and online replicas. */
  feed(data: Buffer): void {
    if (this.backlog === null) return;
    this.backlog.feed(data);
    this.offset = this.backlog.endOffset;
    for (const r of this.replicas.values()) {
      if (r.c.closed) continue;
      r.c.w.raw(data);
      r.c.flushSoon();
    }
  }

  createBacklog(): void {
    this.backlog = new Backlog(this.server.config.num('repl-backlog-size'), this.offset);
  }

  // ---------------------------------------------------------------------------
  // SYNC / PSYNC
  // ---------------------------------------------------------------------------

  replicaName(c: Client): string {
    const ip = (c.ext.announcedIp as string | undefined) ?? hostOf(c.addr);
    const port = (c.ext.listeningPort as string | undefined) ?? portOf(c.addr);
    return `${ip}:${port}`;
  }

  syncCommand(c: Client, args: string[]): void {
    const srv = this.server;
    if (c.ext.replica) return;
    if (this.masterHost !== null && (this.link === null || this.link.state !== 'connected')) {
      c.w.error("NOMASTERLINK Can't SYNC while not connected with my master");
      return;
    }
    if (c.w.len !== 0) {
      c.w.error('ERR SYNC and PSYNC are invalid with pending output');
      return;
    }
    const name = this.replicaName(c);
    srv.log.notice(`Replica ${name} asks for synchronization`);
    const psync = args[0].toLowerCase() === 'psync';
    const capa = (c.ext.capa as Set<string> | undefined) ?? new Set<string>();
    if (psync) {
      const id = args[1];
      const off = Number(args[2]);
      if (this.tryPartial(c, id, off, capa.has('psync2'), name)) return;
    }
    // Full resynchronization.
    if (this.backlog === null) {
      // The first replica: a new history starts here.
      if (this.masterHost === null) {
        this.replid = randomReplid();
        this.replid2 = ZERO_REPLID;
        this.secondOffset = -1;
      }
      this.createBacklog();
      srv.log.notice(`Replication backlog created, my new replication IDs are '${this.replid}' and '${this.replid2}'`);
    }
    const snap = srv.ext.rdbSnapshot as (() => Buffer) | undefined;
    const rdb = snap !== undefined ? snap() : EMPTY_RDB;
    srv.log.notice('Starting BGSAVE for SYNC with target: disk');
    if (psync) c.w.simple(`FULLRESYNC ${this.replid} ${this.offset}`);
    c.w.rawStr(`$${rdb.length}\r\n`);
    c.w.raw(rdb);
    this.lastDb = -1; // the next write starts with SELECT
    this.attachReplica(c, !psync);
    srv.log.notice(`Synchronization with replica ${name} succeeded`);
  }

  private tryPartial(c: Client, id: string, off: number, psync2: boolean, name: string): boolean {
    const srv = this.server;
    if (id === '?') {
      srv.log.notice(`Full resync requested by replica ${name}`);
      return false;
    }
    if (id !== this.replid && (id !== this.replid2 || off > this.secondOffset)) {
      if (id !== this.replid && id !== this.replid2) {
        srv.log.notice(
          `Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '${id}', my replication IDs are '${this.replid}' and '${this.replid2}')`,
        );
      } else {
        srv.log.notice(
          `Partial resynchronization not accepted: Requested offset for second ID was ${off}, but I can reply up to ${this.secondOffset}`,
        );
      }
      return false;
    }
    if (this.backlog === null || !Number.isInteger(off) || !this.backlog.covers(off)) {
      srv.log.notice(`Unable to partial resync with replica ${name} for lack of backlog (Replica request was: ${off}).`);
      return false;
    }
    c.w.rawStr(psync2 ? `+CONTINUE ${this.replid}\r\n` : '+CONTINUE\r\n');
    const missing = this.backlog.readFrom(off);
    c.w.raw(missing);
    this.attachReplica(c, false);
    srv.log.notice(`Partial resynchronization request from ${name} accepted. Sending ${missing.length} bytes of backlog starting from offset ${off}.`);
    return true;
  }

  private attachReplica(c: Client, prePsync: boolean): void {
    c.ext.replica = true;
    const port = Number((c.ext.listeningPort as string | undefined) ?? portOf(c.addr));
    const ip = (c.ext.announcedIp as string | undefined) ?? hostOf(c.addr);
    this.replicas.set(c, { c, ip, port, ackOffset: 0, ackTime: this.server.clock.now(), prePsync });
    c.flushSoon();
  }

  private onClientClosed(c: Client): void {
    if (this.replicas.delete(c)) this.server.log.notice(`Connection with replica ${this.replicaName(c)} lost.`);
    if (c.blocked === null) {
      for (const w of this.waiters) if (w.c === c) this.waiters.delete(w);
    }
  }

  // ---------------------------------------------------------------------------
  // REPLCONF
  // ---------------------------------------------------------------------------

  replconfCommand(c: Client, args: string[]): void {
    if (args.length % 2 === 0) {
      c.w.error('ERR syntax error');
      return;
    }
    for (let i = 1; i < args.length; i += 2) {
      const o = args[i].toLowerCase();
      const v = args[i + 1];
      if (o === 'listening-port') {
        if (!/^-?[0-9]+$/.test(v)) {
          c.w.error('ERR value is not an integer or out of range');
          return;
        }
        c.ext.listeningPort = v;
      } else if (o === 'ip-address') {
        c.ext.announcedIp = v;
      } else if (o === 'capa') {
        let s = c.ext.capa as Set<string> | undefined;
        if (s === undefined) c.ext.capa = s = new Set();
        s.add(v.toLowerCase());
      } else if (o === 'ack') {
        const r = this.replicas.get(c);
        if (r !== undefined) {
          const off = Number(v);
          if (Number.isFinite(off) && off > r.ackOffset) r.ackOffset = off;
          r.ackTime = this.server.clock.now();
          this.serveWaiters();
        }
        return; // never a reply
      } else if (o === 'getack') {
        if (c.ext.master === true && this.link !== null) this.link.sendAck();
        return;
      } else if (o === 'rdb-only' || o === 'rdb-filter-only') {
        /* accepted */
      } else {
        c.w.error(`ERR Unrecognized REPLCONF option: ${args[i]}`);
        return;
      }
    }
    c.w.ok();
  }

  // ---------------------------------------------------------------------------
  // WAIT and min-replicas-to-write
  // ---------------------------------------------------------------------------

  /** Replicas that acknowledged at least `offset`. */
  acked(offset: number): number {
    let n = 0;
    for (const r of this.replicas.values()) if (r.ackOffset >= offset) n++;
    return n;
  }

  private waitCommand(c: Client, n: number, timeoutMs: number): void {
    if (this.masterHost !== null) {
      c.w.error(WAIT_ON_REPLICA);
      return;
    }
    const target = (c.ext.woff as number | undefined) ?? 0;
    const have = this.acked(target);
    if (have >= n || c.inExec || c.fake) {
      c.w.int(have);
      return;
    }
    const w: Waiter = { c, target, n };
    this.waiters.add(w);
    this.server.blockClientNoKeys(c, timeoutMs, 'wait', () => {
      this.waiters.delete(w);
      c.w.int(this.acked(target));
    });
    this.scheduleGetack();
  }

  private scheduleGetack(): void {
    if (this.getackScheduled) return;
    this.getackScheduled = true;
    setImmediate(() => {
      this.getackScheduled = false;
      if (this.waiters.size === 0 || this.masterHost !== null) return;
      this.feed(Buffer.from(encodeCommand(['REPLCONF', 'GETACK', '*']), 'latin1'));
    });
  }

  private serveWaiters(): void {
    if (this.waiters.size === 0) return;
    const srv = this.server;
    for (const w of [...this.waiters]) {
      if (w.c.closed || w.c.blocked === null) {
        this.waiters.delete(w);
        continue;
      }
      const have = this.acked(w.target);
      if (have < w.n) continue;
      this.waiters.delete(w);
      srv.unblockClient(w.c, false);
      w.c.w.int(have);
      srv.resumeAfterUnblock(w.c);
    }
  }

  /** Replicas whose last ACK is recent enough for min-replicas-max-lag. */
  goodReplicas(): number {
    const maxLag = this.server.config.num('min-replicas-max-lag');
    const nowSec = Math.floor(this.server.clock.now() / 1000);
    let n = 0;
    for (const r of this.replicas.values()) {
      if (nowSec - Math.floor(r.ackTime / 1000) <= maxLag) n++;
    }
    return n;
  }

  /** min-replicas-to-write when min-replicas-max-lag allows it (else 0), as of config generation gateConfigGen. */
  private minReplicas = 0;
  private gateConfigGen = -1;

  private minReplicasNow(): number {
    const cfg = this.server.config;
    if (cfg.generation !== this.gateConfigGen) {
      this.gateConfigGen = cfg.generation;
      this.minReplicas = cfg.num('min-replicas-max-lag') > 0 ? cfg.num('min-replicas-to-write') : 0;
    }
    return this.minReplicas;
  }

  private gate(c: Client, cmd: CommandDef, args: string[] | undefined): string | null {
    const srv = this.server;
    if (this.masterHost !== null) {
      if (c.ext.master === true) return null;
      // A stale replica (link down) with replica-serve-stale-data no only runs commands flagged stale;
      // EXEC is judged by the commands it queued.
      if (!srv.config.bool('replica-serve-stale-data') && (this.link === null || this.link.state !== 'connected')) {
        // Scripts and functions declare their own flags (allow-stale): ask for the effective ones.
        const dyn = srv.ext.dynamicCommandFlags as ((c: Client, cmd: CommandDef, args: string[]) => Set<string> | null) | undefined;
        const flagsOf = (d: CommandDef, a: string[] | undefined) => (a !== undefined ? dyn?.(c, d, a) : null) ?? d.flags;
        const denied = (d: CommandDef, a: string[] | undefined) => !flagsOf(d, a).has('stale');
        const stale = cmd.name === 'exec' && c.multi !== null ? c.multi.some((q) => denied(q.cmd, q.args)) : denied(cmd, args);
        if (stale) return MASTERDOWN;
      }
      if (!srv.config.bool('replica-read-only')) return null;
      if (isWrite(srv, c, cmd, args)) return READONLY;
      return null;
    }
    const min = this.minReplicasNow();
    if (min <= 0) return null;
    if (!isWrite(srv, c, cmd, args)) return null;
    return this.goodReplicas() >= min ? null : NOREPLICAS;
  }

  /** Why a write from a script is refused (NOREPLICAS on a master, READONLY on a read-only replica), or null. */
  scriptWriteDenied(): string | null {
    const srv = this.server;
    if (this.masterHost !== null) {
      if (this.link !== null && this.link.applying) return null;
      return srv.config.bool('replica-read-only') ? READONLY : null;
    }
    const min = srv.config.num('min-replicas-to-write');
    if (min <= 0 || srv.config.num('min-replicas-max-lag') <= 0) return null;
    return this.goodReplicas() >= min ? null : NOREPLICAS;
  }

  // ---------------------------------------------------------------------------
  // REPLICAOF
  // ---------------------------------------------------------------------------

  setMaster(host: string, port: number, by: Client | null): void {
    const srv = this.server;
    const wasMaster = this.masterHost === null;
    if (this.link !== null) {
      this.link.close();
      this.link = null;
    }
    this.masterHost = host;
    this.masterPort = port;
    srv.ext.role = 'replica';
    srv.expiryPausedFlag = true;
    srv.config.setInitial('replicaof', [host, String(port)]);
    if (wasMaster) {
      srv.log.notice('Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.');
    }
    if (by !== null) srv.log.notice(`REPLICAOF ${host}:${port} enabled (user request from '${srv.clientInfoLine(by)}')`);
    this.link = new MasterLink(this, host, port);
    this.link.connect();
  }

  unsetMaster(by: Client | null): void {
    const srv = this.server;
    if (this.masterHost === null) return;
    if (this.link !== null) {
      this.link.close();
      this.link = null;
    }
    this.masterHost = null;
    this.masterPort = 0;
    srv.ext.role = 'master';
    srv.expiryPausedFlag = false;
    srv.config.setInitial('replicaof', []);
    // A new history starts here; the old one stays valid up to this offset.
    this.replid2 = this.replid;
    this.secondOffset = this.offset + 1;
    this.replid = randomReplid();
    this.lastDb = -1;
    this.replicaKeysWithExpire.clear();
    srv.log.notice(`Setting secondary replication ID to ${this.replid2}, valid up to offset: ${this.secondOffset}. New replication ID is ${this.replid}`);
    if (by !== null) srv.log.notice(`MASTER MODE enabled (user request from '${srv.clientInfoLine(by)}')`);
  }

  /** Drop the replicas (they reconnect and PSYNC with the new history). */
  disconnectReplicas(): void {
    for (const r of [...this.replicas.values()]) this.server.closeClient(r.c, false);
  }

  // ---------------------------------------------------------------------------
  // Cron
  // ---------------------------------------------------------------------------

  private cron(): void {
    const srv = this.server;
    const now = srv.clock.now();
    if (this.pendingInitialMaster !== null) {
      const m = this.pendingInitialMaster;
      this.pendingInitialMaster = null;
      this.setMaster(m.host, m.port, null);
    }
    if (this.masterHost !== null) this.expireReplicaKeys(now);
    if (now - this.lastSecond < 1000) return;
    this.lastSecond = now;
    if (this.link !== null) this.link.cron(now);
    if (this.replicas.size !== 0) {
      const period = srv.config.num('repl-ping-replica-period') * 1000;
      if (this.masterHost === null && now - this.lastPing >= period && !srv.pauseActive()) {
        this.lastPing = now;
        this.feed(Buffer.from(encodeCommand(['PING']), 'latin1'));
      }
      const timeout = srv.config.num('repl-timeout') * 1000;
      for (const r of [...this.replicas.values()]) {
        if (r.prePsync) continue;
        if (now - r.ackTime > timeout) {
          srv.log.warning(`Disconnecting timedout replica (streaming sync): ${this.replicaName(r.c)}`);
          srv.closeClient(r.c, false);
        }
      }
    } else this.lastPing = now;
  }

  /** On a writable replica, keys written with a TTL by its own clients expire here. */
  private expireReplicaKeys(now: number): void {
    if (this.replicaKeysWithExpire.size === 0) return;
    const srv = this.server;
    for (const [dbid, keys] of this.replicaKeysWithExpire) {
      const db = srv.dbs[dbid];
      for (const key of keys) {
        const when = db.expires.get(key);
        if (when === undefined || !db.dict.has(key)) {
          keys.delete(key);
          continue;
        }
        if (when > now) continue;
        keys.delete(key);
        db.dict.delete(key);
        db.expires.delete(key);
        srv.onExpired(db, key);
      }
      if (keys.size === 0) this.replicaKeysWithExpire.delete(dbid);
    }
  }

  // ---------------------------------------------------------------------------
  // INFO replication, ROLE
  // ---------------------------------------------------------------------------

  info(): string[] {
    const srv = this.server;
    const now = srv.clock.now();
    const lines: string[] = [];
    if (this.masterHost === null) lines.push('role:master');
    else {
      const l = this.link;
      const up = l !== null && l.state === 'connected';
      lines.push(
        'role:slave',
        `master_host:${this.masterHost}`,
        `master_port:${this.masterPort}`,
        `master_link_status:${up ? 'up' : 'down'}`,
        `master_last_io_seconds_ago:${l !== null && l.lastIo > 0 && (up || l.state === 'transfer') ? Math.floor((now - l.lastIo) / 1000) : -1}`,
        `master_sync_in_progress:${l !== null && l.state === 'transfer' ? 1 : 0}`,
        `slave_read_repl_offset:${l !== null ? l.readOffset : this.offset}`,
        `slave_repl_offset:${this.offset}`,
      );
      if (l !== null && l.state === 'transfer') {
        const total = l.transferSize;
        const read = l.transferRead;
        lines.push(
          `master_sync_total_bytes:${total}`,
          `master_sync_read_bytes:${read}`,
          `master_sync_left_bytes:${total > 0 ? total - read : -1}`,
          `master_sync_perc:${total > 0 ? ((read * 100) / total).toFixed(2) : '0.00'}`,
          `master_sync_last_io_seconds_ago:${Math.floor((now - l.lastIo) / 1000)}`,
        );
      }
      if (!up) lines.push(`master_link_down_since_seconds:${l !== null && l.downSince > 0 ? Math.floor((now - l.downSince) / 1000) : -1}`);
      lines.push(
        `slave_priority:${srv.config.num('replica-priority')}`,
        `slave_read_only:${srv.config.bool('replica-read-only') ? 1 : 0}`,
        `replica_announced:${srv.config.bool('replica-announced') ? 1 : 0}`,
      );
    }
    lines.push(`connected_slaves:${this.replicas.size}`);
    let i = 0;
    for (const r of this.replicas.values()) {
      lines.push(`slave${i++}:ip=${r.ip},port=${r.port},state=online,offset=${r.ackOffset},lag=${Math.floor((now - r.ackTime) / 1000)}`);
    }
    const bl = this.backlog;
    lines.push(
      'master_failover_state:no-failover',
      `master_replid:${this.replid}`,
      `master_replid2:${this.replid2}`,
      `master_repl_offset:${this.offset}`,
      `second_repl_offset:${this.secondOffset}`,
      `repl_backlog_active:${bl !== null ? 1 : 0}`,
      `repl_backlog_size:${bl !== null ? bl.size : srv.config.num('repl-backlog-size')}`,
      `repl_backlog_first_byte_offset:${bl !== null ? bl.firstOffset : 0}`,
      `repl_backlog_histlen:${bl !== null ? bl.histlen : 0}`,
    );
    return lines;
  }

  roleCommand(c: Client): void {
    if (this.masterHost !== null) {
      const l = this.link;
      c.w.arrayHeader(5);
      c.w.bulk('slave');
      c.w.bulk(this.masterHost);
      c.w.int(this.masterPort);
      c.w.bulk(l === null ? 'connect' : l.roleState());
      c.w.int(l !== null && l.state === 'connected' ? this.offset : -1);
      return;
    }
    c.w.arrayHeader(3);
    c.w.bulk('master');
    c.w.int(this.offset);
    c.w.arrayHeader(this.replicas.size);
    for (const r of this.replicas.values()) {
      c.w.arrayHeader(3);
      c.w.bulk(r.ip);
      c.w.bulk(String(r.port));
      c.w.bulk(String(r.ackOffset));
    }
  }
}

/** An RDB file with no keys: magic, version 11, EOF, checksum 0 (= not computed). */
const EMPTY_RDB = Buffer.concat([Buffer.from('REDIS0011', 'latin1'), Buffer.from([0xff]), Buffer.alloc(8)]);

function hostOf(addr: string): string {
  const i = addr.lastIndexOf(':');
  return i < 0 ? addr : addr.slice(0, i);
}

function portOf(addr: string): string {
  const i = addr.lastIndexOf(':');
  return i < 0 ? '0' : addr.slice(i + 1);
}

/** Does this command (as the client would run it) write? EXEC counts its queued commands, scripts their flags. */
const MASTERDOWN = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";

function isWrite(srv: Server, c: Client, cmd: CommandDef, args: string[] | undefined): boolean {
  if (cmd.flags.has('write')) return true;
  if (cmd.name === 'exec' && c.multi !== null) {
    for (const q of c.multi) if (isWrite(srv, c, q.cmd, q.args)) return true;
    return false;
  }
  if (args !== undefined && cmd.flags.has('may_replicate')) {
    const dyn = srv.ext.dynamicCommandFlags as DynFlags | undefined;
    const f = dyn?.(c, cmd, args) ?? null;
    if (f !== null) return f.has('write');
  }
  return false;
}

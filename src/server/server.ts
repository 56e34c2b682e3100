/*
 * The server: listeners, clients, the dispatcher and the cron.
 *
 * One thread owns the data: every command runs to completion on the event
 * loop, one at a time. A socket read is parsed into requests, each request is
 * looked up in the command table and run, its reply lands in the client's
 * ReplyWriter, and the whole batch is flushed with one socket write.
 */

import * as net from 'node:net';
import { existsSync, unlinkSync, chmodSync, writeFileSync } from 'node:fs';
import { Config, FatalConfigError, REDIS_VERSION } from './config';
import { Database, type KeyspaceHooks } from './db';
import { Client, type BlockState } from './client';
import { Logger, type LogLevel } from './log';
import { Clock } from '../util/clock';
import { CursorTable } from '../util/scan-cursors';
import { globMatch } from '../util/glob';
import { E } from '../errors';
import { noParentHandler, CMD_ADMIN, CMD_DENYOOM, CMD_FAST, CMD_NOT_LANE, CMD_MAY_REPLICATE, CMD_NO_AUTH, CMD_NO_MULTI, CMD_PROTECTED, CMD_SCRIPTING, CMD_SKIP_MONITOR, CMD_SKIP_SLOWLOG, CMD_WRITE, type CommandDef } from '../commands/types';
import { allowProtectedAction } from '../commands/server';
import { buildCommandTable } from '../commands';
import { NOTIFY, NOTIFY_BAD_CLASS, parseNotifyFlags, notifyFlagsToString } from './notify-flags';
import { SharedPush } from './push';
import { TlsManager, listenNow } from './tls';


/** Replies of a read batch are written at the end of the event-loop turn (NODIS_DEFER_FLUSH=0: at once). */
const DEFER_FLUSH = process.env.NODIS_DEFER_FLUSH !== '0';
/** Replies of at least this many bytes are written at once, not at the end of the turn. */
const DEFER_FLUSH_MAX = Number(process.env.NODIS_DEFER_FLUSH_MAX ?? 2048);
/** Client sockets read into a shared buffer (see onTcpConnection; NODIS_USER_BUFFER=0: the stream path). */
const USER_BUFFER_READS = process.env.NODIS_USER_BUFFER !== '0';

export interface ServerOptions {
  /** Config parameters, as CONFIG SET names and values. */
  config?: Record<string, string | number | boolean>;
  /** Path of a redis.conf to load first. */
  configFile?: string;
  /** Extra `--name value` style directives (already split into name/args). */
  directives?: string[][];
  /** Extra config text appended after the config file (the command line's options, as redis-server builds them). */
  configText?: string;
  /** Use a manual clock: time moves only with `server.clock.advance(ms)`. */
  manualClock?: boolean;
  /** Do not log to stdout (embedded use). Default false for the CLI. */
  quiet?: boolean;
}

export interface Stats {
  connectionsReceived: number;
  commandsProcessed: number;
  expiredKeys: number;
  expiredStalePerc: number;
  expiredTimeCapReached: number;
  evictedKeys: number;
  keyspaceHits: number;
  keyspaceMisses: number;
  rejectedConn: number;
  netInputBytes: number;
  netOutputBytes: number;
  pubsubChannelsMsgs: number;
  totalErrorReplies: number;
  errorCodes: Map<string, number>;
  unexpectedErrorReplies: number;
  totalReadsProcessed: number;
  totalWritesProcessed: number;
  clientQbufLimitDisconnections: number;
  clientOutbufLimitDisconnections: number;
  expireCycleCpuMs: number;
  dumpPayloadSanitizations: number;
  ioThreadedReads: number;
  trackingTotalKeys: number;
  totalBlockingKeys: number;
  eventloopCycles: number;
  eventloopUs: number;
  eventloopCmdUs: number;
  lazyfreedObjects: number;
}

function newStats(): Stats {
  return {
    connectionsReceived: 0, commandsProcessed: 0, expiredKeys: 0, expiredStalePerc: 0, expiredTimeCapReached: 0,
    evictedKeys: 0, keyspaceHits: 0, keyspaceMisses: 0, rejectedConn: 0, netInputBytes: 0, netOutputBytes: 0,
    pubsubChannelsMsgs: 0, totalErrorReplies: 0, errorCodes: new Map(), unexpectedErrorReplies: 0,
    totalReadsProcessed: 0, totalWritesProcessed: 0, clientQbufLimitDisconnections: 0,
    clientOutbufLimitDisconnections: 0, expireCycleCpuMs: 0, dumpPayloadSanitizations: 0, ioThreadedReads: 0,
    trackingTotalKeys: 0, totalBlockingKeys: 0, eventloopCycles: 0, eventloopUs: 0, eventloopCmdUs: 0, lazyfreedObjects: 0,
  };
}

// Keyspace notification classes (see notify-flags.ts).
export { NOTIFY, parseNotifyFlags, notifyFlagsToString };

/** Commands a client may run while a transaction is open without them being queued. */
const MULTI_IMMEDIATE = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);
/** Commands whose reply is a push message (pub/sub confirmations), which CLIENT REPLY OFF does not silence. */
const PUSH_REPLY_COMMANDS = new Set(['subscribe', 'ssubscribe', 'psubscribe', 'unsubscribe', 'sunsubscribe', 'punsubscribe']);
/** Commands allowed in the RESP2 pub/sub context. */
const PUBSUB_ALLOWED = new Set(['ping', 'subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe', 'psubscribe', 'punsubscribe', 'quit', 'reset']);

export class Server implements KeyspaceHooks {
  readonly config = new Config();
  readonly clock: Clock;
  readonly log = new Logger();
  dbs: Database[] = [];
  readonly commands: Map<string, CommandDef>;
  /** Command lookups by the exact name a client sent (see processCommand). */
  private readonly commandByName = new Map<string, CommandDef>();
  readonly clients = new Map<number, Client>();
  private nextClientId = 1;
  stats = newStats();
  /** Changes since the last save (INFO rdb_changes_since_last_save). */
  dirty = 0;
  readonly startTime: number;
  private listeners: net.Server[] = [];
  /** Clients with replies to write at the end of this event-loop turn (see scheduleFlush). */
  private pendingFlush: Client[] = [];
  private flushScheduled = false;
  private readonly flushPendingBound = (): void => this.flushPending();
  /** Keys that became ready for blocked clients during the current command. */
  private readyKeys: { db: Database; key: string }[] = [];
  private readySet = new Set<string>();
  /** Clients blocked on keys (for INFO blocked_clients). */
  blockedClients = 0;
  // Pub/sub registries.
  readonly pubsubChannels = new Map<string, Set<Client>>();
  readonly pubsubPatterns = new Map<string, Set<Client>>();
  readonly pubsubShardChannels = new Map<string, Set<Client>>();
  readonly cursors = new CursorTable();
  /** Listeners for write propagation (AOF, replicas): db index and the command's effect. */
  readonly propagateHooks: ((dbid: number, args: string[]) => void)[] = [];
  /** Listeners for modified keys (client tracking). */
  readonly keyModifiedHooks: ((db: Database, key: string, cause: Client | null) => void)[] = [];
  /** Run before each command is looked at (client tracking keeps its table bounded here). */
  readonly beforeCommandHooks: ((c: Client) => void)[] = [];
  /** Run after each executed command, nested ones included (client tracking records reads here). */
  readonly afterCommandHooks: ((c: Client, cmd: CommandDef, args: string[]) => void)[] = [];
  /** Monitors (MONITOR clients). */
  readonly monitors = new Set<Client>();
  /** Features add INFO sections here: name → lines. */
  readonly infoProviders = new Map<string, () => string[]>();
  /** Feature state that does not belong to the core (keyed by module). */
  readonly ext: Record<string, unknown> = {};
  notifyFlags = 0;
  private cronTimer: NodeJS.Timeout | null = null;
  private cronLoops = 0;
  shuttingDown = false;
  /** Set by DEBUG SET-ACTIVE-EXPIRE 0. */
  activeExpireEnabled = true;
  /** Lazy expiry is suspended (replica, or DEBUG). */
  expiryPausedFlag = false;
  /** Runtime pause (CLIENT PAUSE): until ms, and whether all commands or writes only. */
  pauseUntil = 0;
  pauseAll = false;
  lastSave: number;
  /** Resolved when the server has fully closed. */
  private closedPromise: Promise<void>;
  private resolveClosed!: () => void;
  /** The TCP port actually listened on (useful with port 0 in embedded mode). */
  port = 0;
  runId: string;
  /** Slow log entries (newest first). */
  slowlog: { id: number; time: number; duration: number; args: string[]; addr: string; name: string }[] = [];
  slowlogNextId = 0;
  /** Latency monitor events: name → samples. */
  latencyEvents = new Map<string, { time: number; latency: number }[]>();
  /** Called by SHUTDOWN etc. (the CLI exits the process). */
  onShutdown: ((code: number) => void) | null = null;
  /** Hooks run before shutdown completes (persistence saves here). Return an error text to refuse. */
  readonly shutdownHooks: ((flags: { save: boolean; nosave: boolean; force: boolean }) => string | null)[] = [];
  /** Command currently executing (for MONITOR/slowlog/scripts). */
  currentClient: Client | null = null;
  /** Fake clients execute scripts and AOF loading. */
  private execDepth = 0;

  constructor(opts: ServerOptions = {}) {
    this.clock = new Clock(!!opts.manualClock);
    this.log.quiet = !!opts.quiet;
    if (opts.configFile !== undefined) this.config.loadFile(opts.configFile, opts.configText ?? '');
    else if (opts.configText) this.config.loadText(opts.configText);
    for (const d of opts.directives ?? []) {
      const n = d[0].toLowerCase();
      if (n === 'user') {
        // Handled by the ACL feature, like `user` lines of the config file.
        this.config.directives.push(d);
        continue;
      }
      if (!this.config.has(n)) throw new FatalConfigError(0, d.join(' '), 'Bad directive or wrong number of arguments');
      try {
        this.config.setInitial(n, d.slice(1));
      } catch (e) {
        throw new FatalConfigError(0, d.join(' '), (e as Error).message);
      }
    }
    if (opts.config) {
      for (const [k, v] of Object.entries(opts.config)) {
        const val = typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v);
        this.config.setInitial(k, k === 'save' || k === 'bind' || k === 'client-output-buffer-limit' ? val.split(' ').filter((x) => x !== '') : [val]);
      }
    }
    this.startTime = this.clock.now();
    this.lastSave = Math.floor(this.startTime / 1000);
    this.runId = randomHex(40);
    const ndb = this.config.num('databases');
    for (let i = 0; i < ndb; i++) this.dbs.push(new Database(i, this));
    this.commands = buildCommandTable();
    // rename-command old new (new "" disables the command), from the config file.
    for (const d of this.config.directives) {
      if (d[0].toLowerCase() !== 'rename-command' || d.length !== 3) continue;
      const def = this.commands.get(d[1].toLowerCase());
      if (def === undefined) throw new FatalConfigError(0, d.join(' '), 'No such command in rename-command');
      this.commands.delete(d[1].toLowerCase());
      if (d[2] !== '') this.commands.set(d[2].toLowerCase(), def);
    }
    this.applyConfig();
    this.tls = new TlsManager(this, (s) => this.onConnection(s, false));
    this.closedPromise = new Promise((r) => (this.resolveClosed = r));

  }

  /** Apply parameters that have runtime effects, and hook future changes. */
  private applyConfig(): void {
    const cfg = this.config;
    this.log.level = cfg.get('loglevel') as LogLevel;
    this.log.file = cfg.get('logfile');
    cfg.onChange('loglevel', (v) => {
      this.log.level = v as LogLevel;
    });
    const nf = parseNotifyFlags(cfg.get('notify-keyspace-events'));
    this.notifyFlags = nf ?? 0;
    cfg.onChange('notify-keyspace-events', (v) => {
      const f = parseNotifyFlags(v);
      if (f === null) return NOTIFY_BAD_CLASS;
      this.notifyFlags = f;
      return undefined;
    });
    cfg.onChange('proto-max-bulk-len', (v) => {
      for (const c of this.clients.values()) c.parser.limits.maxBulkLen = Number(v);
    });
    cfg.onChange('client-query-buffer-limit', (v) => {
      for (const c of this.clients.values()) c.parser.limits.queryBufferLimit = Number(v);
    });
    cfg.onChange('requirepass', () => undefined);
    this.slowlogThreshold = cfg.num('slowlog-log-slower-than');
    this.batchTiming = this.slowlogThreshold < 0 || this.slowlogThreshold >= 1000;
    this.latencyThreshold = cfg.num('latency-monitor-threshold');
    cfg.onChange('latency-monitor-threshold', (v) => {
      this.latencyThreshold = Number(v);
    });
    cfg.onChange('slowlog-log-slower-than', (v) => {
      this.slowlogThreshold = Number(v);
      this.batchTiming = this.slowlogThreshold < 0 || this.slowlogThreshold >= 1000;
    });
    cfg.onChange('dir', (v) => {
      try {
        process.chdir(v);
      } catch (e) {
        return (e as Error).message;
      }
      return undefined;
    });
    cfg.onChange('port', (v, old) => {
      if (this.listeners.length === 0 && !this.started) return undefined;
      return this.rebindSync(this.config.get('bind'), Number(v), this.config.get('bind'), Number(old)) === null ? undefined : 'Unable to listen on this port';
    });
    cfg.onChange('bind', (v, old) => {
      if (!this.started) return undefined;
      return this.rebindSync(v, this.config.num('port'), old, this.config.num('port')) === null ? undefined : 'Failed to bind to specified addresses.';
    });
    if (cfg.get('dir')) {
      try {
        process.chdir(cfg.get('dir'));
      } catch {
        /* reported by the CLI */
      }
    }
  }

  private started = false;
  /** The TLS listener and contexts (src/server/tls.ts). */
  readonly tls: TlsManager;

  // ---------------------------------------------------------------------------
  // KeyspaceHooks
  // ---------------------------------------------------------------------------

  now(): number {
    return this.clock.now();
  }

  expiryPaused(): boolean {
    return this.expiryPausedFlag || this.execDepth > 0 && this.pausedExpiryInExec || this.pauseUntil !== 0 && this.clock.now() < this.pauseUntil;
  }

  /** A replica applying its master's stream sees keys as the master does: never expired (the master sends DELs). */
  expiryIgnored(): boolean {
    return this.expiryPausedFlag && this.currentClient !== null && this.currentClient.ext.master === true;
  }

  /** During EXEC and scripts, keys do not expire (time is frozen), as Redis 7 does. */
  pausedExpiryInExec = false;

  onExpired(db: Database, key: string): void {
    this.stats.expiredKeys++;
    this.dirty++;
    this.propagate(db.id, ['DEL', key]);
    this.notify(NOTIFY.EXPIRED, 'expired', key, db.id);
    this.signalModifiedKey(db, key, null);
  }

  // ---------------------------------------------------------------------------
  // Listening
  // ---------------------------------------------------------------------------

  /** Start listening. Resolves when every listener is bound. */
  async start(): Promise<void> {
    const port = this.config.num('port');
    const tlsErr = await this.tls.start();
    if (tlsErr !== null) throw new Error(tlsErr);
    if (port !== 0 || (this.config.get('unixsocket') === '' && this.config.num('tls-port') === 0)) {
      const err = await this.rebindAsync(this.config.get('bind'), port);
      if (err) throw new Error(err);
    }
    const us = this.config.get('unixsocket');
    if (us) {
      if (existsSync(us)) unlinkSync(us);
      const srv: net.Server = net.createServer({ noDelay: true, pauseOnConnect: USER_BUFFER_READS }, (s) => this.onTcpConnection(srv, s, true));
      await new Promise<void>((res, rej) => {
        srv.once('error', rej);
        srv.listen(us, () => res());
      });
      const perm = this.config.num('unixsocketperm');
      if (perm) chmodSync(us, perm);
      this.unixListener = srv;
    }
    const pidfile = this.config.get('pidfile');
    if (pidfile && this.config.bool('daemonize')) {
      try {
        writeFileSync(pidfile, `${process.pid}\n`);
      } catch {
        /* as Redis: a pidfile that cannot be written is not fatal */
      }
    }
    this.started = true;
    this.scheduleCron();
  }

  private unixListener: net.Server | null = null;

  private parseBind(v: string): { addr: string; optional: boolean }[] {
    return v
      .split(/\s+/)
      .filter(Boolean)
      .map((a) => {
        const optional = a.startsWith('-');
        let addr = optional ? a.slice(1) : a;
        if (addr === '*') addr = '0.0.0.0';
        if (addr === '::*') addr = '::';
        return { addr, optional };
      });
  }

  /**
   * Replace the TCP listeners now (CONFIG SET port/bind must answer whether
   * it worked): the old ones are closed, the new ones bound synchronously;
   * when a required address cannot be bound the old configuration is
   * restored and the error returned.
   */
  private rebindSync(bind: string, port: number, oldBind: string, oldPort: number): string | null {
    const old = this.listeners;
    this.listeners = [];
    for (const l of old) l.close();
    const err = this.bindAllSync(bind, port);
    if (err === null) return null;
    for (const l of this.listeners) l.close();
    this.listeners = [];
    const back = this.bindAllSync(oldBind, oldPort);
    if (back !== null) this.log.warning(`Failed to restore the old listeners: ${back}`);
    this.log.warning(err);
    return err;
  }

  /** Bind every address of `bind` on `port` synchronously (Node binds IP addresses at once). */
  private bindAllSync(bind: string, port: number): string | null {
    if (port === 0 && (this.config.get('unixsocket') !== '' || this.config.num('tls-port') !== 0)) return null;
    for (const { addr, optional } of this.parseBind(bind)) {
      const srv: net.Server = net.createServer({ noDelay: true, pauseOnConnect: USER_BUFFER_READS }, (s) => this.onTcpConnection(srv, s, false));
      let failure: string | null = null;
      srv.on('error', (e: NodeJS.ErrnoException) => {
        failure = e.message;
      });
      listenNow(srv, { host: addr, port: port === 0 && this.listeners.length > 0 ? this.port : port, ipv6Only: addr.includes(':'), backlog: this.config.num('tcp-backlog') }, () => undefined);
      if (!srv.listening || failure !== null) {
        srv.close();
        if (optional) continue;
        return `Could not create server TCP listening socket ${addr}:${port}: ${failure ?? 'bind failed'}`;
      }
      const a = srv.address();
      if (a && typeof a === 'object') this.port = a.port;
      this.listeners.push(srv);
    }
    return null;
  }

  private async rebindAsync(bind: string, port: number): Promise<string | null> {
    const old = this.listeners;
    this.listeners = [];
    for (const l of old) l.close();
    if (port === 0 && (this.config.get('unixsocket') !== '' || this.config.num('tls-port') !== 0)) return null;
    let bound = 0;
    for (const { addr, optional } of this.parseBind(bind)) {
      const srv: net.Server = net.createServer({ noDelay: true, pauseOnConnect: USER_BUFFER_READS }, (s) => this.onTcpConnection(srv, s, false));
      const err = await new Promise<string | null>((res) => {
        srv.once('error', (e: NodeJS.ErrnoException) => res(`Warning: Could not create server TCP listening socket ${addr}:${port}: ${e.message}`));
        listenNow(srv, { host: addr, port: port === 0 && bound > 0 ? this.port : port, ipv6Only: addr.includes(':'), backlog: this.config.num('tcp-backlog') }, () => res(null));
      });
      if (err) {
        if (optional) continue;
        for (const l of this.listeners) l.close();
        this.listeners = [];
        return err;
      }
      const a = srv.address();
      if (a && typeof a === 'object') this.port = a.port;
      this.listeners.push(srv);
      bound++;
    }
    if (bound === 0 && this.parseBind(bind).length > 0) return `Failed listening on port ${port} (tcp), aborting.`;
    return null;
  }

  // ---------------------------------------------------------------------------
  // Connections
  // ---------------------------------------------------------------------------

  /**
   * A connection from one of our own net.Servers (TCP or unix socket). Reads
   * go straight into one shared buffer (net.Socket's `onread` option) instead
   * of through the Readable stream: no Buffer allocated and no 'data' event
   * per read, which is a large part of the per-request cost at pipeline 1.
   * The server is created with pauseOnConnect, so nothing was read yet; the
   * handle moves to a socket built with `onread` (net.Socket's documented
   * options; the accepted socket's `_handle`/`_server` fields are the only
   * internals used, and without them the plain stream path is taken).
   * Anything that keeps input past the callback (a partial request, input of
   * a blocked client) copies it out of the shared buffer.
   */
  private onTcpConnection(srv: net.Server, s: net.Socket, unix: boolean): void {
    const raw = s as unknown as { _handle: unknown; _server: unknown };
    if (!USER_BUFFER_READS || raw._handle == null) {
      s.resume();
      this.onConnection(s, unix);
      return;
    }
    const handle = raw._handle;
    raw._handle = null;
    let client: Client | null = null;
    const sock = new net.Socket({
      handle: handle as net.Socket,
      readable: true,
      writable: true,
      onread: {
        buffer: this.readBuffer,
        callback: (n: number, buf: Uint8Array): boolean => {
          if (client !== null) this.onData(client, (buf as Buffer).subarray(0, n), true);
          return true;
        },
      },
    } as net.SocketConstructorOpts);
    // Keeps the server's connection count right when this socket closes.
    (sock as unknown as { _server: unknown; server: unknown })._server = srv;
    (sock as unknown as { _server: unknown; server: unknown }).server = srv;
    client = this.onConnection(sock, unix);
  }

  /** The shared read buffer of onTcpConnection's sockets (input is copied out of it when kept). */
  private readonly readBuffer = Buffer.allocUnsafeSlow(64 * 1024);

  private onConnection(socket: net.Socket, unix: boolean): Client | null {
    this.stats.connectionsReceived++;
    const remote = unix ? `${this.config.get('unixsocket')}:0` : `${fmtAddr(socket.remoteAddress)}:${socket.remotePort}`;
    const local = unix ? `${this.config.get('unixsocket')}:0` : `${fmtAddr(socket.localAddress)}:${socket.localPort}`;
    if (this.clients.size >= this.config.num('maxclients')) {
      this.stats.rejectedConn++;
      socket.end('-ERR max number of clients reached\r\n');
      return null;
    }
    if (!unix && this.protectedModeRefuses(socket)) {
      this.stats.rejectedConn++;
      socket.end(`-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Set up an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n`);
      return null;
    }
    const c = new Client(this, socket, this.nextClientId++, remote, local, unix);
    this.clients.set(c.id, c);
    const ka = this.config.num('tcp-keepalive');
    if (ka > 0 && !unix) socket.setKeepAlive(true, ka * 1000);
    socket.on('data', (chunk: Buffer) => this.onData(c, chunk));
    socket.on('error', () => this.closeClient(c, false));
    socket.on('close', () => this.closeClient(c, false));
    socket.on('drain', () => {
      c.pendingWriteBytes = 0;
    });
    return c;
  }

  private protectedModeRefuses(socket: net.Socket): boolean {
    if (!this.config.bool('protected-mode')) return false;
    // Only while the default user has no password (requirepass, or ACL rules).
    const nopass = this.ext.aclDefaultNopass as (() => boolean) | undefined;
    if (nopass !== undefined ? !nopass() : this.config.get('requirepass') !== '') return false;
    const a = socket.remoteAddress ?? '';
    return !(a === '127.0.0.1' || a === '::1' || a === '::ffff:127.0.0.1' || a.startsWith('127.'));
  }

  authRequired(): boolean {
    const acl = this.ext.aclAuthRequired as (() => boolean) | undefined;
    if (acl !== undefined) return acl();
    return this.config.get('requirepass') !== '';
  }

  /** Input from a client's socket. `shared`: `chunk` is overwritten after this returns (onTcpConnection). */
  private onData(c: Client, chunk: Buffer, shared = false): void {
    if (c.closed) return;
    this.stats.netInputBytes += chunk.length;
    this.stats.totalReadsProcessed++;
    const t0 = performance.now();
    this.stats.eventloopCycles++;
    this.clock.beginBatch();
    c.lastInteraction = this.clock.now();
    if (c.blocked !== null || c.ext.paused === true) {
      // Keep the input for later; parse nothing while blocked.
      c.ext.pendingInput = c.ext.pendingInput ? Buffer.concat([c.ext.pendingInput as Buffer, chunk]) : shared ? Buffer.from(chunk) : chunk;
      const pend = (c.ext.pendingInput as Buffer).length;
      this.clock.endBatch();
      if (pend > this.config.num('client-query-buffer-limit')) this.queryBufOverflow(c);
      return;
    }
    this.batchLen = 0;
    this.inBatch = this.batchTiming;
    this.laneOpen = this.laneQuiet();
    let err: string | null;
    try {
      err = c.parser.feed(chunk, (args) => this.processCommand(c, args));
    } finally {
      this.laneOpen = false;
      this.inBatch = false;
      this.clock.endBatch();
      const dt = performance.now() - t0;
      this.stats.eventloopUs += dt * 1000;
      if (dt * 1000 > this.debugStats.maxCycleUs) this.debugStats.maxCycleUs = dt * 1000;
      if (this.batchLen > this.debugStats.maxCmdsPerCycle) this.debugStats.maxCmdsPerCycle = this.batchLen;
      if (this.batchLen !== 0) this.endBatchTiming(c, dt);
      if (shared) c.parser.detach(chunk.buffer);
    }
    this.afterParse(c, err);
  }

  /**
   * Command timing. Reading a clock costs ~150 ns on virtual machines, so
   * with the default slowlog threshold a batch of pipelined commands is timed
   * as a whole and its duration shared by its commands; with a threshold
   * under 1 ms (tests, diagnosis) every command is timed on its own.
   */
  private batchTiming = true;
  private inBatch = false;
  private batchLen = 0;
  private batchCmds: CommandDef[] = [];
  private batchArgs: string[][] = [];

  private endBatchTiming(c: Client, ms: number): void {
    const n = this.batchLen;
    const us = (ms * 1000) / n;
    for (let i = 0; i < n; i++) this.batchCmds[i].usec += us;
    if (this.slowlogThreshold >= 0 && us >= this.slowlogThreshold) {
      for (let i = 0; i < n; i++) if ((this.batchCmds[i].bits & CMD_SKIP_SLOWLOG) === 0) this.slowlogPush(c, this.batchArgs[i], us);
    }
    if (this.latencyThreshold > 0 && us >= this.latencyThreshold * 1000) this.latencyAddSample('command', us / 1000);
    this.stats.eventloopCmdUs += ms * 1000;
    // A fresh array per batch: storing each command's (young) arguments into a
    // young array skips the write barrier that a long-lived array pays per store.
    this.batchArgs = [];
    this.batchLen = 0;
  }

  private afterParse(c: Client, err: string | null): void {
    if (err !== null) {
      if (err === 'QUERYBUF') this.queryBufOverflow(c);
      else {
        this.log.verbose(`Protocol error (${err}) from client: ${this.clientInfoLine(c)}`);
        c.w.error(`ERR ${err}`);
        c.closeAfterReply = true;
      }
    }
    // A client streaming a deep pipeline gets its replies at once: it refills its window sooner.
    if (DEFER_FLUSH && c.w.len < DEFER_FLUSH_MAX) this.scheduleFlush(c);
    else this.flushClient(c);
  }

  private queryBufOverflow(c: Client): void {
    this.stats.clientQbufLimitDisconnections++;
    this.log.warning(`Closing client that reached max query buffer length: ${this.clientInfoLine(c)}`);
    this.closeClient(c, false);
  }

  flushClient(c: Client): void {
    if (c.closed) return;
    // appendfsync always: replies wait until their writes are on disk (the AOF flushes them later).
    const replyGate = this.ext.replyGate as ((c: Client) => boolean) | undefined;
    if (replyGate !== undefined && replyGate(c)) return;
    if (c.socket !== null && c.w.len !== 0 && this.checkOutputLimit(c, c.w.len)) return;
    const out = c.w.take();
    if (out !== null && c.socket !== null) {
      this.stats.netOutputBytes += out.length;
      this.stats.totalWritesProcessed++;
      c.pendingWriteBytes += out.length;
      c.socket.write(out);
    }
    if (c.closeAfterReply) this.closeClient(c, true);
  }

  private obufParsed: number[] | null = null;
  private obufHooked = false;

  /** client-output-buffer-limit as numbers: [normal hard, soft, secs, replica ..., pubsub ...]. */
  private outputLimits(): number[] {
    if (this.obufParsed === null) {
      if (!this.obufHooked) {
        this.obufHooked = true;
        this.config.onChange('client-output-buffer-limit', () => {
          this.obufParsed = null;
        });
      }
      const parts = this.config.get('client-output-buffer-limit').split(' ');
      this.obufParsed = [1, 2, 3, 5, 6, 7, 9, 10, 11].map((i) => Number(parts[i]) || 0);
    }
    return this.obufParsed;
  }

  /**
   * Enforce client-output-buffer-limit (normal or pubsub class; replicas are
   * the replication module's business). `queued` is output not yet handed to
   * the socket. A client over the hard limit, or over the soft limit for more
   * than its seconds, is disconnected without receiving the rest. Returns
   * true when the client was closed.
   */
  checkOutputLimit(c: Client, queued = 0): boolean {
    if (c.socket === null || c.closed || c.ext.replica || c.ext.master) return false;
    const lim = this.outputLimits();
    const base = c.subscriptionCount > 0 || c.shardChannels.size > 0 ? 6 : 0; // pubsub or normal
    const hard = lim[base];
    const soft = lim[base + 1];
    if (hard === 0 && soft === 0) return false;
    const pending = queued + c.socket.writableLength;
    let over = hard > 0 && pending >= hard;
    if (!over && soft > 0) {
      if (pending >= soft) {
        const now = this.clock.now();
        if (c.obufSoftSince === 0) {
          c.obufSoftSince = now;
          this.obufSoftClients.add(c);
        } else if (now - c.obufSoftSince > lim[base + 2] * 1000) over = true;
      } else if (c.obufSoftSince !== 0) {
        c.obufSoftSince = 0;
        this.obufSoftClients.delete(c);
      }
    }
    if (!over) return false;
    this.stats.clientOutbufLimitDisconnections++;
    c.w.len = 0;
    c.deferredPush = null;
    this.log.warning(`Client ${this.clientInfoLine(c)} scheduled to be closed ASAP for overcoming of output buffer limits.`);
    this.closeClient(c, false);
    return true;
  }

  /** Clients over their soft output limit: the cron re-checks them even when no traffic flows. */
  private readonly obufSoftClients = new Set<Client>();

  private cronCheckOutputLimits(): void {
    for (const c of this.obufSoftClients) {
      if (c.closed) this.obufSoftClients.delete(c);
      else this.checkOutputLimit(c, c.w.len);
    }
  }

  /**
   * Write `c`'s replies once every socket that was readable in this
   * event-loop turn has been read and its commands run (libuv's check phase
   * follows the poll phase), as Redis writes in beforeSleep: replies to many
   * clients go out in one burst instead of waking each client's reader
   * between two reads.
   */
  scheduleFlush(c: Client): void {
    if (c.flushQueued) return;
    c.flushQueued = true;
    this.pendingFlush.push(c);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushPendingBound);
    }
  }

  /**
   * Write now the replies queued for the end of this turn: for code that
   * holds the event loop (a busy script serving other clients), as Redis
   * runs beforeSleep's writes while processing events in a long command.
   */
  flushPendingReplies(): void {
    if (this.pendingFlush.length !== 0) this.flushPending();
  }

  private flushPending(): void {
    this.flushScheduled = false;
    const list = this.pendingFlush;
    this.pendingFlush = [];
    for (let i = 0; i < list.length; i++) {
      const c = list[i];
      c.flushQueued = false;
      this.flushClient(c);
    }
  }

  /** Close a client. `afterReply`: the pending output is flushed first. */
  closeClient(c: Client, afterReply: boolean): void {
    if (c.closed) return;
    c.closed = true;
    this.clients.delete(c.id);
    this.unblockClient(c, false);
    this.unwatchAll(c);
    for (const ch of c.channels) this.removeSub(this.pubsubChannels, ch, c);
    for (const p of c.patterns) this.removeSub(this.pubsubPatterns, p, c);
    for (const ch of c.shardChannels) this.removeSub(this.pubsubShardChannels, ch, c);
    this.monitors.delete(c);
    if (c.ext.paused === true && this.pausedClients.delete(c)) {
      c.ext.paused = false;
      this.blockedClients--;
    }
    for (const h of this.clientClosedHooks) h(c);
    if (c.socket) {
      if (afterReply) {
        // Flush what is pending, then close both ways (like close(2)): a peer
        // that keeps writing gets a reset instead of being ignored forever.
        const sock = c.socket;
        const out = c.w.take();
        if (out !== null) sock.end(out, () => sock.destroy());
        else sock.end(() => sock.destroy());
        setTimeout(() => sock.destroy(), 2000).unref();
      } else c.socket.destroy();
    }
  }

  readonly clientClosedHooks: ((c: Client) => void)[] = [];

  removeSub(map: Map<string, Set<Client>>, name: string, c: Client): void {
    const s = map.get(name);
    if (!s) return;
    s.delete(c);
    if (s.size === 0) map.delete(name);
  }

  // ---------------------------------------------------------------------------
  // Dispatch
  // ---------------------------------------------------------------------------

  /** Look up a command (and subcommand) by its arguments. */
  lookupCommand(args: string[]): CommandDef | undefined {
    const name = args[0];
    let cmd = this.commands.get(name);
    if (cmd === undefined) cmd = this.commands.get(name.toLowerCase());
    if (cmd !== undefined && cmd.subcommands !== undefined && args.length >= 2) {
      return cmd.subcommands.get(args[1].toLowerCase()) ?? cmd;
    }
    return cmd;
  }

  /**
   * Run one request from a client. Returns false when the client must stop
   * processing its input (it blocked, or it is closing).
   */
  processCommand(c: Client, args: string[]): boolean {
    // While the lane is open (see laneQuiet) every before-command hook is a no-op.
    const lane = this.laneOpen;
    if (!lane && this.beforeCommandHooks.length !== 0) for (const h of this.beforeCommandHooks) h(c);
    const name = args[0];
    let cmd = this.commandByName.get(name);
    if (cmd === undefined) {
      cmd = this.commands.get(name) ?? this.commands.get(name.toLowerCase());
      // Names as clients spell them ("GET", "Get"), so the next lookup is one hit.
      if (cmd !== undefined && this.commandByName.size < 4096) this.commandByName.set(name, cmd);
    }
    if (cmd === undefined) {
      this.rejectCommand(c, E.UNKNOWN_CMD(name, args));
      return !c.closeAfterReply;
    }
    if (cmd.subcommands !== undefined) {
      if (args.length >= 2) {
        const sub = cmd.subcommands.get(args[1].toLowerCase());
        if (sub === undefined) {
          if (cmd.handler === noParentHandler) {
            this.rejectCommand(c, E.UNKNOWN_SUBCMD(args[1], name), cmd);
            return true;
          }
        } else cmd = sub;
      } else if (cmd.handler === noParentHandler) {
        this.rejectCommand(c, E.WRONG_ARITY(name.toLowerCase()), cmd);
        return true;
      }
    }
    const arity = cmd.arity;
    if ((arity > 0 && args.length !== arity) || args.length < -arity) {
      cmd.rejectedCalls++;
      this.rejectCommand(c, E.WRONG_ARITY(cmd.name), cmd);
      return true;
    }
    const bits = cmd.bits;
    if (lane) {
      if ((bits & CMD_NOT_LANE) === 0 && cmd.parent === undefined && c.authenticated && c.multi === null && !c.inPubSubContext && c.replyMode === 'on' && c.tracking === null && !c.fake) {
        return this.runInLane(c, cmd, args);
      }
      // Any other command may change what the lane relies on: closed for the rest of this read.
      this.laneOpen = false;
    }
    if (!c.authenticated && (bits & CMD_NO_AUTH) === 0) {
      cmd.rejectedCalls++;
      this.rejectCommand(c, 'NOAUTH Authentication required.', cmd);
      return true;
    }
    if ((bits & CMD_PROTECTED) !== 0 || (cmd.parent !== undefined && (cmd.parent.bits & CMD_PROTECTED) !== 0)) {
      const base = cmd.parent?.name ?? cmd.name;
      const option = base === 'debug' ? 'enable-debug-command' : 'enable-module-command';
      if (!allowProtectedAction(c, this.config.get(option))) {
        cmd.rejectedCalls++;
        this.rejectCommand(c, `ERR ${base.toUpperCase()} command not allowed. If the ${option} option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.`, cmd);
        return true;
      }
    }
    if (this.aclRefusedOrReply(c, cmd, args)) return true;
    // Persistence refusals (LOADING, MISCONF), before MULTI queuing as in Redis.
    const gate = this.ext.commandGate as ((c: Client, cmd: CommandDef, args: string[]) => string | null) | undefined;
    if (gate !== undefined) {
      const err = gate(c, cmd, args);
      if (err !== null) {
        cmd.rejectedCalls++;
        this.rejectCommand(c, err, cmd);
        return true;
      }
    }
    const base = cmd.parent?.name ?? cmd.name;
    const queuing = c.multi !== null && !MULTI_IMMEDIATE.has(base);
    // Flags that decide OOM and pause: EXEC takes those of its queued commands, scripts their own.
    const flags = this.effectiveFlags(c, cmd, args);
    const oom = this.ext.oomCheck as ((c: Client, cmd: CommandDef) => boolean) | undefined;
    if (oom !== undefined) {
      // Queuing in MULTI may use unbounded memory: any queued command is refused when out of memory.
      const denyoom = flags === cmd.flags ? (bits & CMD_DENYOOM) !== 0 : flags.has('denyoom');
      const mayRefuse = denyoom || (c.multi !== null && base !== 'exec' && base !== 'discard' && base !== 'quit' && base !== 'reset');
      if (mayRefuse && oom(c, cmd)) {
        cmd.rejectedCalls++;
        this.rejectCommand(c, E.OOM, cmd);
        return true;
      }
    }
    if (c.inPubSubContext && !PUBSUB_ALLOWED.has(base)) {
      cmd.rejectedCalls++;
      this.rejectCommand(c, E.ONLY_PUBSUB(cmd.name), cmd);
      return true;
    }
    if (c.multi !== null && (bits & CMD_NO_MULTI) !== 0) {
      cmd.rejectedCalls++;
      this.rejectCommand(c, E.NO_MULTI, cmd);
      return true;
    }
    if (this.pausedFor(c, flags)) {
      // Hold this request (and the client's further input) until the pause ends.
      c.ext.pausedArgs = args;
      this.parkPaused(c);
      return false;
    }
    if (queuing) {
      (c.multi as { cmd: CommandDef; args: string[] }[]).push({ cmd, args });
      c.w.simple('QUEUED');
      return true;
    }
    this.call(c, cmd, args);
    if (this.readyKeys.length !== 0) this.handleClientsBlockedOnKeys();
    if (c.blocked !== null || c.closeAfterReply || c.closed) return false;
    return true;
  }

  // ---------------------------------------------------------------------------
  // The lane for plain data commands
  // ---------------------------------------------------------------------------

  /**
   * Features whose hooks or gates act on every command register here a test
   * that is true while they have nothing to do for a plain data command
   * (no busy script, no failed save, not a replica, no maxmemory, no tracking
   * table...). A feature that adds a before/after-command hook, a gate or an
   * OOM check must add its test, or the lane would skip it.
   */
  readonly laneChecks: (() => boolean)[] = [];
  /** True during a socket read while laneQuiet() held and no non-lane command has run since. */
  private laneOpen = false;

  /**
   * Can this read's plain data commands skip the checks and hooks that are
   * idle now? Evaluated once per read (not per command); any command that
   * does not take the lane closes it before running, so a state change made
   * by a command (CONFIG SET, MONITOR, CLIENT PAUSE, SCRIPT...) is seen by the
   * commands after it.
   */
  private laneQuiet(): boolean {
    if (!this.inBatch || this.monitors.size !== 0 || this.pauseUntil !== 0 || this.currentCmd !== null) return false;
    const checks = this.laneChecks;
    for (let i = 0; i < checks.length; i++) if (!checks[i]()) return false;
    return true;
  }

  /**
   * processCommand + call for a plain data command from a plain client (no
   * transaction, pub/sub context, tracking, reply mode or fake client) while
   * the lane is open: the ACL check, the handler, statistics, batch timing
   * and propagation, as call() does them; the gates, hooks, OOM, pause and
   * MONITOR steps are skipped because laneQuiet() found them idle.
   */
  private runInLane(c: Client, cmd: CommandDef, args: string[]): boolean {
    if (this.aclRefusedOrReply(c, cmd, args)) return true;
    const dirtyBefore = this.dirty;
    const errBefore = this.stats.totalErrorReplies;
    const outerNestedErrors = this.nestedErrors;
    this.nestedErrors = 0;
    this.currentCmd = cmd;
    this.currentArgs = args;
    this.currentClient = c;
    if (c.redacted !== null) c.redacted = null;
    if (c.propagateArgs !== null) c.propagateArgs = null;
    this.pushDeferClient = c;
    try {
      cmd.handler(c, args);
    } finally {
      this.pushDeferClient = null;
      if (c.deferredPush !== null) this.flushDeferredPush(c);
      this.currentCmd = null;
      this.currentArgs = null;
      this.currentClient = null;
    }
    const errDelta = this.stats.totalErrorReplies - errBefore;
    const ownErrors = errDelta - this.nestedErrors;
    this.nestedErrors = outerNestedErrors + errDelta;
    const i = this.batchLen++;
    this.batchCmds[i] = cmd;
    this.batchArgs[i] = c.redacted === null ? args : args.map((a, j) => ((c.redacted as number[]).includes(j) ? '(redacted)' : a));
    cmd.calls++;
    if (ownErrors > 0) cmd.failedCalls++;
    this.stats.commandsProcessed++;
    c.commandsProcessed++;
    c.lastCmd = cmd.name;
    const forced = c.forcePropagation;
    if (forced) c.forcePropagation = false;
    if ((this.dirty !== dirtyBefore || forced) && this.propagateHooks.length !== 0 && c.propagateArgs !== false && (c.propagateArgs !== null || (cmd.bits & (CMD_WRITE | CMD_MAY_REPLICATE)) !== 0)) {
      this.propagate(c.db.id, (c.propagateArgs as string[] | null) ?? args);
    }
    if (this.readyKeys.length !== 0) this.handleClientsBlockedOnKeys();
    return !(c.blocked !== null || c.closeAfterReply || c.closed);
  }

  /** The ACL hook: true after replying with the refusal. */
  private aclRefusedOrReply(c: Client, cmd: CommandDef, args: string[]): boolean {
    const aclCheck = this.ext.aclCheck as ((c: Client, cmd: CommandDef, args: string[]) => string | null) | undefined;
    if (aclCheck === undefined) return false;
    const err = aclCheck(c, cmd, args);
    if (err === null) return false;
    cmd.rejectedCalls++;
    this.rejectCommand(c, err, cmd);
    return true;
  }

  /** Reply with an error for a command that could not run (flags the transaction too). */
  rejectCommand(c: Client, err: string, cmd?: CommandDef): void {
    if (c.multi !== null) {
      if (cmd !== undefined && cmd.name === 'exec') {
        // A refused EXEC discards the transaction, telling why.
        c.multi = null;
        c.multiError = false;
        this.unwatchAll(c);
        c.w.error(E.EXECABORT_BECAUSE(err));
        return;
      }
      c.multiError = true;
    }
    c.w.error(err);
  }

  /** The flags deciding OOM refusal and pausing: EXEC has those of its queued commands; scripts may declare theirs. */
  private effectiveFlags(c: Client, cmd: CommandDef, args: string[]): Set<string> {
    if (cmd.name === 'exec' && c.multi !== null) {
      let out: Set<string> | null = null;
      for (const q of c.multi) {
        const f = this.effectiveFlags(c, q.cmd, q.args);
        for (const x of ['write', 'may_replicate', 'denyoom']) {
          if (f.has(x)) (out ??= new Set(cmd.flags)).add(x);
        }
      }
      return out ?? cmd.flags;
    }
    if ((cmd.bits & CMD_SCRIPTING) === 0) return cmd.flags;
    const dyn = this.ext.dynamicCommandFlags as ((c: Client, cmd: CommandDef, args: string[]) => Set<string> | null) | undefined;
    return dyn?.(c, cmd, args) ?? cmd.flags;
  }

  /** Execute a command: stats, slowlog, monitor, propagation. */
  call(c: Client, cmd: CommandDef, args: string[]): void {
    const dirtyBefore = this.dirty;
    const errBefore = this.stats.totalErrorReplies;
    const outerNestedErrors = this.nestedErrors;
    this.nestedErrors = 0;
    const prevCmd = this.currentCmd;
    const prevArgs = this.currentArgs;
    this.currentCmd = cmd;
    this.currentArgs = args;
    if (c.redacted !== null) c.redacted = null;
    const prevClient = this.currentClient;
    this.currentClient = c;
    if (c.propagateArgs !== null) c.propagateArgs = null;
    const top = this.pushDeferClient === null && !c.fake;
    if (top) this.pushDeferClient = c;
    // Scripts (the skip_monitor commands) show before the commands they run; others after they ran.
    const monitorFirst = this.monitors.size !== 0 && (cmd.bits & CMD_SKIP_MONITOR) !== 0;
    if (monitorFirst) this.feedMonitors(c, args);
    const timed = !this.inBatch;
    const t0 = timed ? performance.now() : 0;
    try {
      if (c.replyMode !== 'on') {
        this.callSilenced(c, cmd, args);
      } else {
        cmd.handler(c, args);
      }
    } finally {
      if (top) {
        this.pushDeferClient = null;
        if (c.deferredPush !== null) this.flushDeferredPush(c);
      }
    }
    this.currentCmd = prevCmd;
    this.currentArgs = prevArgs;
    // Errors of commands run inside this one (EXEC, scripts) are theirs, not this command's.
    const errDelta = this.stats.totalErrorReplies - errBefore;
    const ownErrors = errDelta - this.nestedErrors;
    this.nestedErrors = outerNestedErrors + errDelta;
    const blockedNow = c.blocked !== null && c.blocked.cmd === cmd;
    const logArgs = c.redacted === null ? args : args.map((a, i) => ((c.redacted as number[]).includes(i) ? '(redacted)' : a));
    if (!timed && !blockedNow) {
      const i = this.batchLen++;
      this.batchCmds[i] = cmd;
      this.batchArgs[i] = logArgs;
    }
    const us = timed ? (performance.now() - t0) * 1000 : 0;
    if (timed) this.stats.eventloopCmdUs += us;
    if (this.afterCommandHooks.length !== 0) for (const h of this.afterCommandHooks) h(c, cmd, args);
    // Monitors see a command after it ran (so EXEC follows the commands it executed).
    if (this.monitors.size !== 0 && !monitorFirst && (cmd.bits & (CMD_ADMIN | CMD_SKIP_MONITOR)) === 0) this.feedMonitors(c, logArgs);
    this.currentClient = prevClient;
    cmd.calls++;
    cmd.usec += us;
    if (ownErrors > 0) cmd.failedCalls++;
    this.stats.commandsProcessed++;
    c.commandsProcessed++;
    c.lastCmd = cmd.name;
    if (timed && !blockedNow) {
      if (us >= this.slowlogThreshold && this.slowlogThreshold >= 0 && (cmd.bits & CMD_SKIP_SLOWLOG) === 0) this.slowlogPush(c, logArgs, us);
      if (this.latencyThreshold > 0 && us >= this.latencyThreshold * 1000) this.latencyAddSample((cmd.bits & CMD_FAST) !== 0 ? 'fast-command' : 'command', us / 1000);
    }
    const forced = c.forcePropagation;
    if (forced) c.forcePropagation = false;
    if ((this.dirty !== dirtyBefore || forced) && this.propagateHooks.length !== 0 && c.propagateArgs !== false && (c.propagateArgs !== null || (cmd.bits & (CMD_WRITE | CMD_MAY_REPLICATE)) !== 0)) {
      this.propagate(c.db.id, (c.propagateArgs as string[] | null) ?? args);
    }
  }

  private callSilenced(c: Client, cmd: CommandDef, args: string[]): void {
    const saved = c.w.len;
    cmd.handler(c, args);
    // Subscription confirmations are push messages: they are sent even when replies are off.
    if ((c.replyMode === 'off' || c.replyMode === 'skip') && !PUSH_REPLY_COMMANDS.has(cmd.name)) c.w.len = saved;
    if (c.replyMode === 'skip') c.replyMode = 'skipnext';
    else if (c.replyMode === 'skipnext') c.replyMode = 'on';
  }

  propagate(dbid: number, args: string[]): void {
    for (const h of this.propagateHooks) h(dbid, args);
  }

  private feedMonitors(c: Client, args: string[]): void {
    const t = this.clock.nowUs();
    const sec = Math.floor(t / 1e6);
    const usec = String(t % 1e6).padStart(6, '0');
    const who = c.fake ? (c.ext.lua ? `[${c.db.id} lua]` : '[0 unknown]') : `[${c.db.id} ${c.unix ? 'unix:' + c.addr.replace(/:0$/, '') : c.addr}]`;
    const shown = redactArgs(args);
    let line = `+${sec}.${usec} ${who}`;
    for (const a of shown) line += ' ' + reprArg(a);
    const msg = Buffer.from(line + '\r\n', 'latin1');
    for (const m of this.monitors) {
      if (m.closed) continue;
      m.w.raw(msg);
      m.flushSoon();
    }
  }

  /** slowlog-log-slower-than, cached (read on every command). */
  private slowlogThreshold = 10000;
  /** latency-monitor-threshold in ms, cached (0 = off). */
  latencyThreshold = 0;
  /** The command being executed and its arguments (for blocking, errors, logs). */
  currentCmd: CommandDef | null = null;
  currentArgs: string[] | null = null;
  /** Error replies produced by commands nested in the current one (EXEC, scripts). */
  private nestedErrors = 0;

  /** Record a latency sample for `event` (LATENCY LATEST/HISTORY/GRAPH): one per second, the max. */
  latencyAddSample(event: string, ms: number): void {
    const latency = Math.round(ms);
    const time = Math.floor(this.clock.now() / 1000);
    let samples = this.latencyEvents.get(event);
    if (!samples) {
      samples = [];
      this.latencyEvents.set(event, samples);
    }
    const last = samples[samples.length - 1];
    if (last && last.time === time) last.latency = Math.max(last.latency, latency);
    else {
      samples.push({ time, latency });
      if (samples.length > 160) samples.shift();
    }
    const max = this.latencyMax.get(event) ?? 0;
    if (latency > max) this.latencyMax.set(event, latency);
  }

  /** All-time maximum latency per event. */
  readonly latencyMax = new Map<string, number>();

  private slowlogPush(c: Client, args: string[], us: number): void {
    const max = this.config.num('slowlog-max-len');
    const shown = args.slice(0, 32).map((a) => (a.length > 128 ? a.slice(0, 128) + `... (${a.length - 128} more bytes)` : a));
    if (args.length > 32) shown[31] = `... (${args.length - 31} more arguments)`;
    this.slowlog.unshift({ id: this.slowlogNextId++, time: Math.floor(this.clock.now() / 1000), duration: Math.floor(us), args: shown, addr: c.addr, name: c.name });
    while (this.slowlog.length > max) this.slowlog.pop();
  }

  /** Execute a command from an internal client (EXEC, scripts, AOF). Arity must be checked by the caller. */
  execInternal(c: Client, cmd: CommandDef, args: string[]): void {
    this.execDepth++;
    try {
      this.call(c, cmd, args);
    } finally {
      this.execDepth--;
    }
  }

  countError(msg: string): void {
    this.stats.totalErrorReplies++;
    const sp = msg.indexOf(' ');
    const code = sp > 0 ? msg.slice(0, sp) : msg;
    if (this.stats.errorCodes.size < 128 || this.stats.errorCodes.has(code)) {
      this.stats.errorCodes.set(code, (this.stats.errorCodes.get(code) ?? 0) + 1);
    }
  }

  // ---------------------------------------------------------------------------
  // Pausing (CLIENT PAUSE)
  // ---------------------------------------------------------------------------

  /** Is a CLIENT PAUSE in force? (Ends it when its time is up.) */
  pauseActive(): boolean {
    if (this.pauseUntil === 0) return false;
    if (this.clock.now() >= this.pauseUntil) {
      this.unpause();
      return false;
    }
    return true;
  }

  /**
   * Must a command with `flags` from `c` wait for the end of the pause? ALL
   * holds every command (CLIENT UNPAUSE included, as in Redis); WRITE holds
   * writes and commands that may replicate (PUBLISH, EVAL, EXEC of writes).
   * Replicas are never paused.
   */
  pausedFor(c: Client, flags: Set<string>): boolean {
    if (this.pauseUntil === 0 || c.fake || c.ext.replica) return false;
    if (!this.pauseActive()) return false;
    if (this.pauseAll) return true;
    return flags.has('write') || flags.has('may_replicate');
  }

  private pausedClients = new Set<Client>();
  private pauseTimer: NodeJS.Timeout | null = null;

  /** Hold `c` (counted as blocked, as Redis counts postponed clients). */
  private parkPaused(c: Client): void {
    this.pausedClients.add(c);
    c.ext.paused = true;
    this.blockedClients++;
  }

  /** CLIENT PAUSE: the later end time and the more restrictive mode win. */
  pause(ms: number, all: boolean): void {
    const until = this.clock.now() + ms;
    if (until > this.pauseUntil) this.pauseUntil = until;
    if (all) this.pauseAll = true;
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.pauseTimer = setTimeout(() => this.unpause(), Math.max(0, this.pauseUntil - this.clock.now()));
  }

  unpause(): void {
    this.pauseUntil = 0;
    this.pauseAll = false;
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.pauseTimer = null;
    const list = [...this.pausedClients];
    this.pausedClients.clear();
    for (const c of list) {
      c.ext.paused = false;
      this.blockedClients--;
      const args = c.ext.pausedArgs as string[] | undefined;
      c.ext.pausedArgs = undefined;
      if (args && !c.closed) {
        if (this.processCommand(c, args)) this.resumeInput(c);
        this.flushClient(c);
      }
    }
  }

  // ---------------------------------------------------------------------------
  // Blocking operations
  // ---------------------------------------------------------------------------

  /**
   * Block `c` on `keys` until one is signalled ready (and `onReady` serves it)
   * or `timeoutMs` passes (0 = forever). Clients are served per key in the
   * order they blocked.
   */
  blockClient(c: Client, db: Database, keys: string[], timeoutMs: number, kind: string, onReady: (key: string) => boolean, onTimeout: () => void): void {
    // A key named twice (BLPOP k k 0) waits once: one queue entry per key.
    if (keys.length > 1 && new Set(keys).size !== keys.length) keys = [...new Set(keys)];
    const st: BlockState = { db, keys, onReady, onTimeout, timer: null, deadline: timeoutMs > 0 ? this.clock.now() + timeoutMs : 0, kind, cmd: this.currentCmd ?? undefined, args: this.currentArgs ?? undefined };
    c.blocked = st;
    this.blockedClients++;
    if (db.blockingKeys === null) db.blockingKeys = new Map();
    for (const k of keys) {
      let q = db.blockingKeys.get(k) as Client[] | undefined;
      if (!q) {
        q = [];
        db.blockingKeys.set(k, q);
        this.stats.totalBlockingKeys++;
      }
      q.push(c);
    }
    if (timeoutMs > 0) this.armBlockTimer(c, st, timeoutMs);
  }

  /** Time out `st` after `ms`; timers longer than setTimeout's 2^31-1 ms limit are chained. */
  private armBlockTimer(c: Client, st: BlockState, ms: number): void {
    const MAX_TIMER = 0x7fffffff;
    st.timer = setTimeout(() => {
      if (c.blocked !== st) return;
      if (ms > MAX_TIMER) {
        this.armBlockTimer(c, st, ms - MAX_TIMER);
        return;
      }
      this.unblockClient(c, false);
      st.onTimeout();
      this.resumeAfterUnblock(c);
    }, Math.min(ms, MAX_TIMER));
  }

  /** Block without keys (WAIT, CLIENT PAUSE-like waits, module ops). */
  blockClientNoKeys(c: Client, timeoutMs: number, kind: string, onTimeout: () => void): void {
    this.blockClient(c, c.db, [], timeoutMs, kind, () => false, onTimeout);
  }

  /** Remove `c` from blocking queues. `resume`: continue processing its pending input. */
  unblockClient(c: Client, resume: boolean): void {
    const st = c.blocked;
    if (st === null) return;
    c.blocked = null;
    this.blockedClients--;
    if (st.timer) clearTimeout(st.timer);
    const bk = st.db.blockingKeys;
    if (bk) {
      for (const k of st.keys) {
        const q = bk.get(k) as Client[] | undefined;
        if (!q) continue;
        const i = q.indexOf(c);
        if (i >= 0) q.splice(i, 1);
        if (q.length === 0) {
          bk.delete(k);
          this.stats.totalBlockingKeys--;
        }
      }
    }
    if (resume) this.resumeAfterUnblock(c);
  }

  /** After a client is unblocked: flush its reply and run its queued input. */
  resumeAfterUnblock(c: Client): void {
    if (c.closed) return;
    this.flushClient(c);
    // Resume on a later tick so that the unblocking command's client is answered first.
    setImmediate(() => this.resumeInput(c));
  }

  resumeInput(c: Client): void {
    if (c.closed || c.blocked !== null || c.ext.paused) return;
    const pend = c.ext.pendingInput as Buffer | undefined;
    let err: string | null = null;
    if (c.parser.hasPending()) err = c.parser.resume((args) => this.processCommand(c, args));
    if (err === null && pend && c.blocked === null && !c.ext.paused) {
      c.ext.pendingInput = undefined;
      err = c.parser.feed(pend, (args) => this.processCommand(c, args));
    }
    this.afterParse(c, err);
  }

  /** A key may now satisfy blocked clients (called by pushes, ZADD, XADD...). */
  signalKeyAsReady(db: Database, key: string): void {
    if (db.blockingKeys === null || !db.blockingKeys.has(key)) return;
    const id = db.id + ':' + key;
    if (this.readySet.has(id)) return;
    this.readySet.add(id);
    this.readyKeys.push({ db, key });
  }

  /** Serve clients blocked on keys that became ready, in blocking order. */
  handleClientsBlockedOnKeys(): void {
    this.clock.refreshBatch();
    while (this.readyKeys.length !== 0) {
      const list = this.readyKeys;
      this.readyKeys = [];
      this.readySet.clear();
      for (const { db, key } of list) {
        const q = db.blockingKeys?.get(key) as Client[] | undefined;
        if (!q) continue;
        for (const c of [...q]) {
          if (c.blocked === null || c.blocked.db !== db) continue;
          const st = c.blocked;
          const acl = this.ext.aclCheck as ((c: Client, cmd: CommandDef, args: string[]) => string | null) | undefined;
          if (acl !== undefined && st.cmd !== undefined && st.args !== undefined) {
            // Permissions may have changed while it waited: checked again, as when Redis re-runs the command.
            const err = acl(c, st.cmd, st.args);
            if (err !== null) {
              // Rejected, not run: the call counted when it blocked is taken back.
              st.cmd.calls = Math.max(0, st.cmd.calls - 1);
              st.cmd.rejectedCalls++;
              this.unblockClient(c, false);
              c.w.error(err);
              this.resumeAfterUnblock(c);
              continue;
            }
          }
          const prev = this.currentClient;
          const prevPush = this.pushDeferClient;
          this.currentClient = c;
          // The served client's own pushes (e.g. invalidations of what it wrote) follow its reply.
          this.pushDeferClient = c;
          let served = false;
          try {
            served = st.onReady(key);
          } finally {
            this.currentClient = prev;
            this.pushDeferClient = prevPush;
            if (c.deferredPush !== null && prevPush !== c) this.flushDeferredPush(c);
          }
          if (served) {
            if (st.cmd && st.args && this.slowlogThreshold === 0) this.slowlogPush(c, st.args, 0);
            this.unblockClient(c, false);
            this.resumeAfterUnblock(c);
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------------------
  // WATCH
  // ---------------------------------------------------------------------------

  /**
   * WATCH `key` of `db` for `c`. A key that is already logically expired (but
   * not yet deleted) is remembered as such: its deletion is then no change.
   */
  watchKey(c: Client, db: Database, key: string): void {
    for (const w of c.watched) if (w.db === db && w.key === key) return;
    let s = db.watchedKeys.get(key);
    if (!s) {
      s = new Set();
      db.watchedKeys.set(key, s);
    }
    s.add(c);
    c.watched.push({ db, key, expired: keyIsStale(db, key, this.clock.now()) });
  }

  /** Forget every watched key of `c` (and its dirty flag). */
  unwatchAll(c: Client): void {
    this.unwatchKeys(c);
    c.dirtyCas = false;
  }

  private unwatchKeys(c: Client): void {
    for (const { db, key } of c.watched) {
      const s = db.watchedKeys.get(key);
      if (!s) continue;
      s.delete(c);
      if (s.size === 0) db.watchedKeys.delete(key);
    }
    c.watched = [];
  }

  /** A watched key changed under `c`: its transaction will fail, so its keys need no more watching. */
  private touchWatcher(c: Client): void {
    c.dirtyCas = true;
    this.unwatchKeys(c);
  }

  /** At EXEC: did a watched key that was alive at WATCH time expire since (even if not yet deleted)? */
  watchedKeyExpired(c: Client): boolean {
    const now = this.clock.now();
    for (const w of c.watched) if (!w.expired && keyIsStale(w.db, w.key, now)) return true;
    return false;
  }

  /**
   * A key changed: invalidate WATCH and client-side caches. `cause` is the
   * client whose command changed it (default: the running command's client;
   * null for expiry and eviction).
   */
  signalModifiedKey(db: Database, key: string, cause?: Client | null): void {
    if (db.watchedKeys.size !== 0) {
      const s = db.watchedKeys.get(key) as Set<Client> | undefined;
      if (s !== undefined) {
        for (const c of [...s]) {
          const w = c.watched.find((x) => x.db === db && x.key === key);
          if (w !== undefined && w.expired) {
            // Deleting a key that was already expired at WATCH time changes nothing.
            if (!db.dict.has(key)) {
              w.expired = false;
              continue;
            }
          }
          this.touchWatcher(c);
        }
      }
    }
    const by = cause === undefined ? this.pushDeferClient : cause;
    for (const h of this.keyModifiedHooks) h(db, key, by);
  }

  /** Every key of a db changed (FLUSHDB, FLUSHALL with -1). Call before the data is dropped. */
  signalFlushedDb(dbid: number): void {
    for (const db of this.dbs) {
      if (dbid !== -1 && db.id !== dbid) continue;
      this.touchWatchedKeysInDb(db, db, null);
    }
    for (const h of this.flushHooks) h(dbid);
  }

  /** SWAPDB: call after the contents of `a` and `b` were swapped. */
  signalSwappedDb(a: Database, b: Database): void {
    // The watchers stay with their db index: what a's watchers saw is now in b.
    this.touchWatchedKeysInDb(a, b, a);
    this.touchWatchedKeysInDb(b, a, b);
    for (const h of this.swapHooks) h(a, b);
  }

  /** Run after SWAPDB swapped the contents of two dbs (blocked stream readers re-check their keys). */
  readonly swapHooks: ((a: Database, b: Database) => void)[] = [];

  /**
   * The keys watched in `db` lose the contents of `emptied` and, for SWAPDB,
   * get those of `replaced`. Stale (expired) keys that stay stale or vanish
   * are no change; a missing key replaced by a stale one is remembered as stale.
   */
  private touchWatchedKeysInDb(db: Database, emptied: Database, replaced: Database | null): void {
    if (db.watchedKeys.size === 0) return;
    const now = this.clock.now();
    for (const [key, set] of [...db.watchedKeys]) {
      const inEmptied = emptied.dict.has(key);
      const inReplaced = replaced !== null && replaced.dict.has(key);
      if (!inEmptied && !inReplaced) continue;
      for (const c of [...(set as Set<Client>)]) {
        const w = c.watched.find((x) => x.db === db && x.key === key);
        if (w === undefined) continue;
        if (w.expired) {
          if (!inReplaced) {
            w.expired = false;
            continue;
          }
          if (keyIsStale(replaced as Database, key, now)) continue;
        } else if (!inEmptied && replaced !== null && keyIsStale(replaced, key, now)) {
          w.expired = true;
          continue;
        }
        this.touchWatcher(c);
      }
    }
  }

  readonly flushHooks: ((dbid: number) => void)[] = [];
  /** Run after FLUSHALL (persistence saves an empty snapshot when save points are set). */
  readonly flushAllHooks: (() => void)[] = [];

  // ---------------------------------------------------------------------------
  // Pub/sub and keyspace notifications
  // ---------------------------------------------------------------------------

  /**
   * The client whose top-level command is running (Redis's current client).
   * Push messages for it (a PUBLISH to itself, its own invalidations) wait
   * until the command's reply is written, so they never interleave with it.
   */
  pushDeferClient: Client | null = null;

  /** Send a pre-encoded push message to `c`. Pushes bypass CLIENT REPLY OFF|SKIP, as in Redis. */
  sendPush(c: Client, msg: Buffer): void {
    if (c.closed || c.fake) return;
    if (c === this.pushDeferClient) {
      (c.deferredPush ??= []).push(msg);
      return;
    }
    c.w.raw(msg);
    // Small pending output is checked when flushed; a growing backlog right away.
    if ((c.w.len >= 4096 || (c.socket !== null && c.socket.writableLength !== 0)) && this.checkOutputLimit(c, c.w.len)) return;
    c.flushSoon();
  }

  /** Append the pushes held back while `c`'s command ran, after its reply. */
  flushDeferredPush(c: Client): void {
    const list = c.deferredPush;
    if (list === null) return;
    c.deferredPush = null;
    if (c.closed) return;
    for (const m of list) c.w.raw(m);
    if (!c.closeAfterReply) this.checkOutputLimit(c, c.w.len);
  }

  /** Deliver a message to channel and pattern subscribers. Returns the receiver count. */
  publish(channel: string, message: string): number {
    let n = 0;
    const subs = this.pubsubChannels.get(channel);
    if (subs !== undefined) {
      const msg = new SharedPush(['message', channel, message]);
      for (const c of subs) {
        this.sendPush(c, msg.get(c.w.proto));
        n++;
      }
    }
    if (this.pubsubPatterns.size !== 0) {
      for (const [pat, set] of this.pubsubPatterns) {
        if (!globMatch(pat, channel)) continue;
        const msg = new SharedPush(['pmessage', pat, channel, message]);
        for (const c of set) {
          this.sendPush(c, msg.get(c.w.proto));
          n++;
        }
      }
    }
    this.stats.pubsubChannelsMsgs++;
    return n;
  }

  /** Deliver a message to the subscribers of a shard channel (SPUBLISH). */
  publishShard(channel: string, message: string): number {
    const subs = this.pubsubShardChannels.get(channel);
    if (subs === undefined) return 0;
    const msg = new SharedPush(['smessage', channel, message]);
    for (const c of subs) this.sendPush(c, msg.get(c.w.proto));
    return subs.size;
  }

  /** Emit a keyspace notification if `cls` is enabled in notify-keyspace-events. */
  notify(cls: number, event: string, key: string, dbid: number): void {
    const f = this.notifyFlags;
    if ((f & cls) === 0) return;
    if (f & NOTIFY.KEYSPACE) this.publish(`__keyspace@${dbid}__:${key}`, event);
    if (f & NOTIFY.KEYEVENT) this.publish(`__keyevent@${dbid}__:${event}`, key);
    for (const h of this.notifyHooks) h(cls, event, key, dbid);
  }

  readonly notifyHooks: ((cls: number, event: string, key: string, dbid: number) => void)[] = [];

  /** Databases report added keys only while 'n' events are on (KeyspaceHooks). */
  get newKeyEvents(): boolean {
    return (this.notifyFlags & NOTIFY.NEW) !== 0;
  }

  onNewKey(db: Database, key: string): void {
    this.notify(NOTIFY.NEW, 'new', key, db.id);
  }

  // ---------------------------------------------------------------------------
  // Cron: active expiry, client timeouts
  // ---------------------------------------------------------------------------

  private scheduleCron(): void {
    const hz = Math.max(1, Math.min(500, this.config.num('hz') || 10));
    this.cronTimer = setTimeout(() => {
      this.cron();
      if (!this.shuttingDown) this.scheduleCron();
    }, 1000 / hz);
    this.cronTimer.unref?.();
  }

  readonly cronHooks: (() => void)[] = [];

  private cron(): void {
    this.cronLoops++;
    const cronStart = performance.now();
    this.stats.eventloopCycles++;
    this.sampleInstantaneous();
    if (this.activeExpireEnabled && !this.expiryPausedFlag && !this.pauseActive()) this.activeExpireCycle();
    const timeout = this.config.num('timeout');
    if (timeout > 0) {
      const now = this.clock.now();
      for (const c of this.clients.values()) {
        if (c.blocked !== null || c.subscriptionCount > 0 || c.monitor) continue;
        if (now - c.lastInteraction > timeout * 1000) {
          this.log.verbose('Closing idle client');
          this.closeClient(c, false);
        }
      }
    }
    if (this.pauseUntil !== 0 && !this.clock.isManual && this.clock.now() >= this.pauseUntil) this.unpause();
    if (this.obufSoftClients.size !== 0) this.cronCheckOutputLimits();
    for (const h of this.cronHooks) h();
    const cronUs = (performance.now() - cronStart) * 1000;
    this.stats.eventloopUs += cronUs;
    this.debugStats.cronUs += cronUs;
  }

  /** INFO debug counters. */
  readonly debugStats = { cronUs: 0, maxCycleUs: 0, maxCmdsPerCycle: 1, aofUs: 0 };

  /** Samples for the instantaneous_* INFO fields: rates over the last 16 cron ticks. */
  readonly instSamples = new Map<string, { last: number; lastTime: number; values: number[] }>();

  private sampleInstantaneous(): void {
    const now = performance.now();
    const track = (name: string, value: number) => {
      let s = this.instSamples.get(name);
      if (!s) {
        s = { last: value, lastTime: now, values: [] };
        this.instSamples.set(name, s);
        return;
      }
      const dt = now - s.lastTime;
      if (dt <= 0) return;
      s.values.push(((value - s.last) * 1000) / dt);
      if (s.values.length > 16) s.values.shift();
      s.last = value;
      s.lastTime = now;
    };
    const st = this.stats;
    track('ops', st.commandsProcessed);
    track('net_input', st.netInputBytes);
    track('net_output', st.netOutputBytes);
    track('el_cycles', st.eventloopCycles);
    track('el_us', st.eventloopUs);
  }

  /** Mean rate per second of an instantaneous metric. */
  instantaneous(name: string): number {
    const s = this.instSamples.get(name);
    if (!s || s.values.length === 0) return 0;
    return s.values.reduce((a, b) => a + b, 0) / s.values.length;
  }

  /**
   * Adaptive active expiry, in the spirit of Redis's: sample up to 20 keys with
   * a TTL per db, delete the expired ones, and repeat while more than 10% of a
   * sample was expired, within a time budget of 25% of a cron period.
   */
  activeExpireCycle(): void {
    const effort = this.config.num('active-expire-effort') - 1;
    const perLoop = 20 + 5 * effort;
    const acceptableStale = 10 - effort;
    const hz = Math.max(1, this.config.num('hz') || 10);
    const budgetMs = (1000 / hz) * (0.25 + 0.02 * effort);
    const start = performance.now();
    const now = this.clock.now();
    let sampledTotal = 0;
    let expiredTotal = 0;
    for (const db of this.dbs) {
      if (db.expires.size === 0) continue;
      // Iterate from a rotating position: Map order plus a persistent iterator.
      let it = this.expireIters.get(db.id);
      for (;;) {
        let sampled = 0;
        let expired = 0;
        let ttlSum = 0;
        while (sampled < perLoop) {
          if (it === undefined) it = db.expires.entries();
          const n = it.next();
          if (n.done) {
            it = undefined;
            if (sampled === 0 || db.expires.size === 0) break;
            continue;
          }
          const [key, when] = n.value;
          sampled++;
          if (when <= now) {
            if (db.expires.get(key) === when) {
              if (db.memHook !== null) db.memHook(db, key, db.dict.peek(key), undefined);
              db.dict.delete(key);
              db.expires.delete(key);
              this.onExpired(db, key);
            }
            expired++;
          } else ttlSum += when - now;
          if (sampled >= db.expires.size + expired) break;
        }
        if (sampled - expired > 0) {
          const avg = ttlSum / (sampled - expired);
          db.avgTtl = db.avgTtl === 0 ? avg : (db.avgTtl / 50) * 49 + avg / 50;
        }
        sampledTotal += sampled;
        expiredTotal += expired;
        if (performance.now() - start > budgetMs) {
          this.stats.expiredTimeCapReached++;
          break;
        }
        if (sampled === 0 || (expired * 100) / sampled <= acceptableStale) break;
        if (db.expires.size === 0) break;
      }
      if (it) this.expireIters.set(db.id, it);
      else this.expireIters.delete(db.id);
      if (performance.now() - start > budgetMs) break;
    }
    const perc = sampledTotal ? expiredTotal / sampledTotal : 0;
    this.stats.expiredStalePerc = perc * 0.05 + this.stats.expiredStalePerc * 0.95;
    const cycleMs = performance.now() - start;
    this.stats.expireCycleCpuMs += cycleMs;
    if (this.latencyThreshold > 0 && cycleMs >= this.latencyThreshold) this.latencyAddSample('expire-cycle', cycleMs);
    if (this.readyKeys.length) this.handleClientsBlockedOnKeys();
  }

  private expireIters = new Map<number, IterableIterator<[string, number]>>();

  // ---------------------------------------------------------------------------
  // Shutdown
  // ---------------------------------------------------------------------------

  /** SHUTDOWN / SIGTERM. Returns an error text when a hook refused (e.g. save failed). */
  shutdown(flags: { save: boolean; nosave: boolean; force: boolean } = { save: false, nosave: false, force: false }): string | null {
    this.log.warning('User requested shutdown...');
    for (const h of this.shutdownHooks) {
      const err = h(flags);
      if (err && !flags.force) return err;
    }
    const us = this.config.get('unixsocket');
    this.log.notice('Redis is now ready to exit, bye bye...');
    void this.close().then(() => {
      if (us) {
        try {
          unlinkSync(us);
        } catch {
          /* already gone */
        }
      }
      this.onShutdown?.(0);
    });
    return null;
  }

  /** Stop listening and disconnect everyone. */
  async close(): Promise<void> {
    if (this.shuttingDown) return this.closedPromise;
    this.shuttingDown = true;
    if (this.cronTimer) clearTimeout(this.cronTimer);
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    for (const c of [...this.clients.values()]) {
      this.flushClient(c);
      this.closeClient(c, true);
    }
    const all = [...this.listeners, ...(this.unixListener ? [this.unixListener] : [])];
    await Promise.all(all.map((l) => new Promise<void>((r) => l.close(() => r()))));
    await this.tls.close();
    for (const h of this.closeHooks) h();
    this.resolveClosed();
  }

  readonly closeHooks: (() => void)[] = [];

  /** One CLIENT LIST line (also used in log messages). */
  clientInfoLine(c: Client): string {
    const fmt = this.ext.clientInfo as ((c: Client) => string) | undefined;
    if (fmt) return fmt(c);
    return `id=${c.id} addr=${c.addr} laddr=${c.laddr} name=${c.name}`;
  }

  get uptimeMs(): number {
    return this.clock.now() - this.startTime;
  }
}

function fmtAddr(a: string | undefined): string {
  if (!a) return '?';
  if (a.startsWith('::ffff:')) return a.slice(7);
  return a;
}

function randomHex(n: number): string {
  let s = '';
  while (s.length < n) s += Math.floor(Math.random() * 16).toString(16);
  return s;
}

/** Is `key` present in `db` but past its expiry time (logically expired, not yet deleted)? */
function keyIsStale(db: Database, key: string, now: number): boolean {
  const when = db.expires.get(key);
  return when !== undefined && when <= now && db.dict.has(key);
}

/** Secrets never reach MONITOR: AUTH's arguments, HELLO's AUTH pair, MIGRATE's AUTH/AUTH2. */
function redactArgs(args: string[]): string[] {
  const name = args[0].toLowerCase();
  const R = '(redacted)';
  if (name === 'auth') return [args[0], ...args.slice(1).map(() => R)];
  if (name === 'hello' || name === 'migrate') {
    let out: string[] | null = null;
    for (let i = 1; i < args.length; i++) {
      const a = args[i].toLowerCase();
      const n = a === 'auth' ? (name === 'hello' ? 2 : 1) : a === 'auth2' && name === 'migrate' ? 2 : 0;
      if (n === 0) continue;
      out ??= args.slice();
      for (let j = 1; j <= n && i + j < args.length; j++) out[i + j] = R;
      i += n;
    }
    return out ?? args;
  }
  return args;
}

/** Quote an argument for MONITOR as Redis's sdscatrepr does. */
export function reprArg(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    switch (ch) {
      case 92: out += '\\\\'; break;
      case 34: out += '\\"'; break;
      case 10: out += '\\n'; break;
      case 13: out += '\\r'; break;
      case 9: out += '\\t'; break;
      case 7: out += '\\a'; break;
      case 8: out += '\\b'; break;
      default:
        if (ch >= 32 && ch < 127) out += s[i];
        else out += '\\x' + ch.toString(16).padStart(2, '0');
    }
  }
  return out + '"';
}


export { REDIS_VERSION };

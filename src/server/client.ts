/*
 * A connected client: its socket, parser, reply writer and session state
 * (selected db, protocol, name, transaction, subscriptions, blocking).
 */

import type { Socket } from 'node:net';
import { RespParser } from '../protocol/parser';
import { ReplyWriter } from '../protocol/writer';
import type { Database } from './db';
import type { Server } from './server';
import type { CommandDef } from '../commands/types';

export interface BlockState {
  /** The blocked command and its arguments (for statistics and the slow log when it is served). */
  cmd?: CommandDef;
  args?: string[];
  /** Keys waited on, per db. */
  db: Database;
  keys: string[];
  /** Called when a key is ready: return true when the client was served. */
  onReady: (key: string) => boolean;
  /** Called on timeout (reply null and resume). */
  onTimeout: () => void;
  timer: NodeJS.Timeout | null;
  /** Absolute deadline in ms, 0 = forever. */
  deadline: number;
  /** Kind for INFO/CLIENT LIST: 'list' | 'zset' | 'stream' | 'wait' | 'module'. */
  kind: string;
}

export class Client {
  readonly id: number;
  readonly parser: RespParser;
  readonly w = new ReplyWriter();
  db: Database;
  name = '';
  libName = '';
  libVer = '';
  user = 'default';
  /** ACL fast check: `aclUnrestricted` holds for user `aclUserName` as of the ACL's generation `aclGeneration`. */
  aclGeneration = -1;
  aclUserName = '';
  aclUnrestricted = false;
  authenticated: boolean;
  readonly createdAt: number;
  lastInteraction: number;
  /** Last command run (for CLIENT LIST cmd=). */
  lastCmd = 'NULL';
  closed = false;
  /** Close after the pending replies are written (QUIT, protocol error). */
  closeAfterReply = false;
  /** Queued for the end-of-turn flush (Server.scheduleFlush). */
  flushQueued = false;
  /** CLIENT REPLY ON|OFF|SKIP. */
  replyMode: 'on' | 'off' | 'skip' | 'skipnext' = 'on';
  noEvict = false;
  noTouch = false;
  /** Flags letters for CLIENT LIST (computed). */
  // Transaction state.
  multi: { cmd: CommandDef; args: string[] }[] | null = null;
  multiError = false;
  /** WATCHed keys; `expired`: the key was already logically expired when watched. */
  watched: { db: Database; key: string; expired: boolean }[] = [];
  dirtyCas = false;
  // Pub/sub.
  channels = new Set<string>();
  patterns = new Set<string>();
  shardChannels = new Set<string>();
  /** Push messages held back while this client's own command runs (sent after its reply). */
  deferredPush: Buffer[] | null = null;
  /** When the output passed the soft client-output-buffer-limit (ms), 0 = below it. */
  obufSoftSince = 0;
  // Blocking.
  blocked: BlockState | null = null;
  /** Set while running inside EXEC or a script (blocking commands do not block). */
  inExec = false;
  /** Set by a handler that blocked the client: the dispatcher stops parsing input. */
  justBlocked = false;
  /** Monitor mode. */
  monitor = false;
  /** Client tracking state (managed by the tracking module). */
  tracking: unknown = null;
  /** Arbitrary per-module state (keeps Client free of feature knowledge). */
  ext: Record<string, unknown> = {};
  /** Is this an internal (fake) client, e.g. for scripts or AOF loading? */
  readonly fake: boolean;
  /** Commands processed (stats). */
  commandsProcessed = 0;
  /** Output flushed since last read (for obuf stats). */
  pendingWriteBytes = 0;
  lastMemory = 0;
  /** Argument indexes the current command asked to hide from the slow log and MONITOR. */
  redacted: number[] | null = null;
  /** Propagate the current command even if it changed nothing (FLUSHALL on empty dbs). */
  forcePropagation = false;
  /** What to propagate for the current command instead of its arguments (null = as is, false = nothing). */
  propagateArgs: string[] | null | false = null;

  constructor(
    readonly server: Server,
    readonly socket: Socket | null,
    id: number,
    readonly addr: string,
    readonly laddr: string,
    readonly unix = false,
  ) {
    this.id = id;
    this.fake = socket === null;
    this.parser = new RespParser({
      maxBulkLen: server.config.num('proto-max-bulk-len'),
      queryBufferLimit: server.config.num('client-query-buffer-limit'),
    });
    this.db = server.dbs[0];
    this.w.onError = (msg) => server.countError(msg);
    this.authenticated = !server.authRequired();
    this.parser.authenticated = this.authenticated;
    this.createdAt = server.clock.now();
    this.lastInteraction = this.createdAt;
  }

  get resp(): 2 | 3 {
    return this.w.proto;
  }

  get subscriptionCount(): number {
    return this.channels.size + this.patterns.size;
  }

  /** In RESP2, a client with subscriptions may only run subscription commands. */
  get inPubSubContext(): boolean {
    return this.w.proto === 2 && (this.channels.size > 0 || this.patterns.size > 0 || this.shardChannels.size > 0);
  }

  /** Flush pending replies to the socket now. */
  flush(): void {
    this.server.flushClient(this);
  }

  /** Queue a flush at the end of this event-loop turn (replies produced outside a read batch). */
  flushSoon(): void {
    this.server.scheduleFlush(this);
  }
}

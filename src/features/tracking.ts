/*
 * Client-side caching (CLIENT TRACKING): the server remembers which keys a
 * tracking client read, and tells it when they change.
 *
 * Default mode: a table key → ids of the clients that read it. A read-only
 * command run by a tracking client (or by a script it called) records the
 * command's keys; when a key is modified the clients in its entry get one
 * invalidation message each and the entry is dropped. The table is bounded by
 * tracking-table-max-keys: beyond it, keys are invalidated (oldest first)
 * before commands and from the cron, with an effort growing while over.
 *
 * BCAST mode: clients subscribe to key prefixes instead; every modified key
 * matching a prefix is collected, and the collected keys go out as one message
 * per prefix at the end of the event-loop turn (Redis does it before sleeping).
 *
 * Messages go to the client itself in RESP3 (`>2 invalidate [keys]`), or to the
 * REDIRECT client: as a push if it speaks RESP3, or as a `message` on
 * `__redis__:invalidate` if it is a RESP2 subscriber. FLUSHDB/FLUSHALL send a
 * null key list to every tracking client.
 */

import type { Server } from '../server/server';
import type { Client } from '../server/client';
import type { Database } from '../server/db';
import { keyPositions, type CommandDef } from '../commands/types';
import { encodePush, SharedPush } from '../server/push';
import { resetHooks } from '../commands/connection';

/** Per-client tracking state (Client.tracking while tracking is on). */
export interface TrackingState {
  /** Client id invalidations go to; 0 = the client itself. */
  redirect: number;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  /** CLIENT CACHING YES (optin) / NO (optout) for the next command. */
  caching: boolean;
  brokenRedirect: boolean;
  /** BCAST prefixes of this client. */
  prefixes: Set<string>;
}

interface PrefixEntry {
  clients: Set<Client>;
  /** Keys modified since the last broadcast → the client that modified them last (null: expiry, eviction). */
  keys: Map<string, Client | null>;
}

export const TRACKING_CHANNEL = '__redis__:invalidate';

const SCRIPT_RO = new Set(['eval_ro', 'evalsha_ro', 'fcall_ro']);

export class Tracking {
  /** Default mode: key → ids of clients that may cache it. */
  readonly table = new Map<string, Set<number>>();
  /** Sum of the sizes of the table's entries. */
  items = 0;
  readonly prefixes = new Map<string, PrefixEntry>();
  clients = 0;
  private bcastScheduled = false;
  private evictRounds = 0;

  constructor(private readonly srv: Server) {}

  // --------------------------------------------------------------------------
  // Turning tracking on and off
  // --------------------------------------------------------------------------

  enable(c: Client, redirect: number, opts: { bcast: boolean; optin: boolean; optout: boolean; noloop: boolean }, prefixes: string[]): void {
    let st = c.tracking as TrackingState | null;
    if (st === null) {
      st = { redirect: 0, bcast: false, optin: false, optout: false, noloop: false, caching: false, brokenRedirect: false, prefixes: new Set() };
      c.tracking = st;
      this.clients++;
    }
    st.redirect = redirect;
    st.bcast = opts.bcast;
    st.optin = opts.optin;
    st.optout = opts.optout;
    st.noloop = opts.noloop;
    st.brokenRedirect = false;
    c.ext.trackingRedirect = redirect;
    c.ext.trackingBrokenRedir = false;
    c.ext.trackingBcast = opts.bcast;
    if (opts.bcast) {
      if (prefixes.length === 0) this.addPrefix(c, st, '');
      for (const p of prefixes) this.addPrefix(c, st, p);
    }
  }

  private addPrefix(c: Client, st: TrackingState, p: string): void {
    if (st.prefixes.has(p)) return;
    st.prefixes.add(p);
    let e = this.prefixes.get(p);
    if (e === undefined) {
      e = { clients: new Set(), keys: new Map() };
      this.prefixes.set(p, e);
    }
    e.clients.add(c);
  }

  disable(c: Client): void {
    const st = c.tracking as TrackingState | null;
    if (st === null) return;
    for (const p of st.prefixes) {
      const e = this.prefixes.get(p);
      if (e === undefined) continue;
      e.clients.delete(c);
      if (e.clients.size === 0) this.prefixes.delete(p);
    }
    c.tracking = null;
    c.ext.trackingRedirect = undefined;
    c.ext.trackingBrokenRedir = undefined;
    c.ext.trackingBcast = undefined;
    this.clients--;
  }

  // --------------------------------------------------------------------------
  // Remembering keys that were read
  // --------------------------------------------------------------------------

  /** After a command: record the keys a read-only command read for its tracking caller. */
  afterCommand(c: Client, cmd: CommandDef, args: string[]): void {
    // Scripts read on behalf of the client that called them.
    const caller = c.fake ? this.srv.pushDeferClient : c;
    if (caller === null) return;
    const st = caller.tracking as TrackingState | null;
    if (st === null) return;
    // Read-only scripts are not tracked themselves: the commands they run are.
    if (cmd.flags.has('readonly') && !SCRIPT_RO.has(cmd.name) && !st.bcast && (st.optin ? st.caching : st.optout ? !st.caching : true)) {
      for (const i of keyPositions(cmd, args)) this.remember(caller, args[i]);
    }
    // CLIENT CACHING applies to the next command only (a whole transaction counts as one;
    // CLIENT subcommands leave it alone).
    if (st.caching && !c.fake && !c.inExec && c.multi === null && cmd.parent?.name !== 'client') st.caching = false;
  }

  private remember(c: Client, key: string): void {
    let ids = this.table.get(key);
    if (ids === undefined) {
      ids = new Set();
      this.table.set(key, ids);
    }
    if (!ids.has(c.id)) {
      ids.add(c.id);
      this.items++;
    }
  }

  // --------------------------------------------------------------------------
  // Invalidation
  // --------------------------------------------------------------------------

  /** A key was modified; `cause` is the client whose command did it (null for expiry and eviction). */
  keyModified(key: string, cause: Client | null): void {
    if (this.prefixes.size !== 0) this.rememberForBroadcast(key, cause);
    if (this.table.size !== 0) this.invalidateKey(key, true);
  }

  /** Send the invalidation of `key` to the default-mode clients that read it, and forget them. */
  private invalidateKey(key: string, honourNoloop: boolean): void {
    const ids = this.table.get(key);
    if (ids === undefined) return;
    this.table.delete(key);
    this.items -= ids.size;
    let msg: SharedPush | null = null;
    const current = this.srv.pushDeferClient;
    for (const id of ids) {
      const c = this.srv.clients.get(id);
      if (c === undefined) continue;
      const st = c.tracking as TrackingState | null;
      if (st === null || st.bcast) continue;
      if (honourNoloop && st.noloop && c === current) continue;
      msg ??= new SharedPush(['invalidate', [key]]);
      this.send(c, st, msg, [key]);
    }
  }

  private rememberForBroadcast(key: string, cause: Client | null): void {
    for (const [p, e] of this.prefixes) {
      if (p.length > key.length || !key.startsWith(p)) continue;
      e.keys.set(key, cause);
      if (!this.bcastScheduled) {
        this.bcastScheduled = true;
        setImmediate(() => this.broadcast());
      }
    }
  }

  /** Send the keys collected per prefix to the BCAST clients (one message per prefix). */
  broadcast(): void {
    this.bcastScheduled = false;
    for (const e of this.prefixes.values()) {
      if (e.keys.size === 0) continue;
      const all = [...e.keys.keys()];
      let shared: SharedPush | null = null;
      for (const c of e.clients) {
        const st = c.tracking as TrackingState | null;
        if (st === null) continue;
        if (st.noloop) {
          const mine: string[] = [];
          for (const [k, who] of e.keys) if (who !== c) mine.push(k);
          if (mine.length === 0) continue;
          if (mine.length !== all.length) {
            this.send(c, st, new SharedPush(['invalidate', mine]), mine);
            continue;
          }
        }
        shared ??= new SharedPush(['invalidate', all]);
        this.send(c, st, shared, all);
      }
      e.keys.clear();
    }
  }

  /**
   * Deliver an invalidation for `c`: to itself in RESP3, or to its REDIRECT
   * client. `msg` is the RESP3 push (shared by receivers); `keys` rebuild the
   * RESP2 pub/sub form, null meaning "everything" (flush).
   */
  private send(c: Client, st: TrackingState, msg: SharedPush, keys: readonly string[] | null): void {
    const srv = this.srv;
    let target = c;
    if (st.redirect !== 0) {
      const r = srv.clients.get(st.redirect);
      if (r === undefined) {
        st.brokenRedirect = true;
        c.ext.trackingBrokenRedir = true;
        if (c.w.proto === 3) srv.sendPush(c, encodePush(3, ['tracking-redir-broken', st.redirect]));
        return;
      }
      target = r;
    }
    if (target.w.proto === 3) srv.sendPush(target, msg.get(3));
    else if (target !== c && (target.subscriptionCount > 0 || target.shardChannels.size > 0)) {
      srv.sendPush(target, encodePush(2, ['message', TRACKING_CHANNEL, keys]));
    }
  }

  /** FLUSHDB / FLUSHALL: every tracking client drops its whole cache. */
  flushed(): void {
    if (this.clients !== 0) {
      const msg = new SharedPush(['invalidate', null]);
      for (const c of this.srv.clients.values()) {
        const st = c.tracking as TrackingState | null;
        if (st !== null) this.send(c, st, msg, null);
      }
    }
    this.table.clear();
    this.items = 0;
  }

  /** Keep the table within tracking-table-max-keys by invalidating keys (oldest first). */
  limitTable(): void {
    const max = this.srv.config.num('tracking-table-max-keys');
    if (max === 0 || this.table.size <= max) {
      this.evictRounds = 0;
      return;
    }
    let effort = 100 * (this.evictRounds + 1);
    for (const key of this.table.keys()) {
      if (effort-- === 0) break;
      this.invalidateKey(key, false);
      if (this.table.size <= max) {
        this.evictRounds = 0;
        return;
      }
    }
    this.evictRounds++;
  }

  clientClosed(c: Client): void {
    this.disable(c);
  }
}

/** The tracking state of a server (created on first use). */
export function trackingOf(srv: Server): Tracking {
  let t = srv.ext.tracking as Tracking | undefined;
  if (t === undefined) t = attach(srv);
  return t;
}

export function attach(srv: Server): Tracking {
  const existing = srv.ext.tracking as Tracking | undefined;
  if (existing !== undefined) return existing;
  const t = new Tracking(srv);
  srv.ext.tracking = t;
  // INFO reads these.
  Object.defineProperty(srv.ext, 'trackingClients', { get: () => t.clients, enumerable: true, configurable: true });
  Object.defineProperty(srv.ext, 'trackingKeys', { get: () => t.table.size, enumerable: true, configurable: true });
  Object.defineProperty(srv.ext, 'trackingItems', { get: () => t.items, enumerable: true, configurable: true });
  Object.defineProperty(srv.ext, 'trackingPrefixes', { get: () => t.prefixes.size, enumerable: true, configurable: true });
  srv.keyModifiedHooks.push((_db: Database, key: string, cause?: Client | null) => {
    if (t.table.size !== 0 || t.prefixes.size !== 0) t.keyModified(key, cause === undefined ? srv.pushDeferClient : cause);
  });
  srv.flushHooks.push(() => t.flushed());
  srv.clientClosedHooks.push((c) => {
    if (c.tracking !== null) t.clientClosed(c);
  });
  srv.afterCommandHooks.push((c, cmd, args) => {
    if (t.clients !== 0) t.afterCommand(c, cmd, args);
  });
  srv.beforeCommandHooks.push(() => {
    if (t.table.size !== 0) t.limitTable();
  });
  // The two hooks above are idle while no key is tracked and no client tracks.
  srv.laneChecks.push(() => t.table.size === 0 && t.clients === 0);
  srv.cronHooks.push(() => {
    if (t.table.size !== 0) t.limitTable();
  });
  if (!trackingResetHooked) {
    trackingResetHooked = true;
    resetHooks.push((c) => {
      if (c.tracking !== null) trackingOf(c.server).disable(c);
    });
  }
  return t;
}

let trackingResetHooked = false;

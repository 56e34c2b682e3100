/*
 * Transactions: MULTI EXEC DISCARD WATCH UNWATCH.
 *
 * Queuing happens in the dispatcher (processCommand): while `c.multi` is set,
 * every command but these is checked (arity, existence) and queued with
 * +QUEUED; a rejected command flags the transaction so EXEC aborts.
 */

import type { Client } from '../server/client';
import { command, type CommandDef } from './types';
import { E } from '../errors';

/* MULTI */
function multiCommand(c: Client): void {
  if (c.multi !== null) {
    c.w.error(E.MULTI_NESTED);
    return;
  }
  c.multi = [];
  c.multiError = false;
  c.w.ok();
}

function discardTransaction(c: Client): void {
  c.multi = null;
  c.multiError = false;
  c.server.unwatchAll(c);
}

/* DISCARD */
function discardCommand(c: Client): void {
  if (c.multi === null) {
    c.w.error(E.DISCARD_NO_MULTI);
    return;
  }
  discardTransaction(c);
  c.w.ok();
}

/* EXEC */
function execCommand(c: Client): void {
  if (c.multi === null) {
    c.w.error(E.NOT_IN_MULTI);
    return;
  }
  const srv = c.server;
  if (c.multiError) {
    discardTransaction(c);
    c.w.error(E.EXECABORT);
    return;
  }
  // A watched key that expired since WATCH counts as modified, deleted yet or not.
  if (c.dirtyCas || srv.watchedKeyExpired(c)) {
    discardTransaction(c);
    c.w.nullArray();
    return;
  }
  const queue = c.multi;
  c.multi = null;
  srv.unwatchAll(c);
  c.w.arrayHeader(queue.length);
  const wasInExec = c.inExec;
  c.inExec = true;
  // Collect the transaction's effects; more than one goes out wrapped in
  // MULTI/EXEC (to AOF and replicas), a single one as is, none not at all.
  const hooks = srv.propagateHooks.splice(0);
  const effects: [number, string[]][] = [];
  srv.propagateHooks.push((dbid, args) => {
    effects.push([dbid, args]);
  });
  try {
    for (const { cmd, args } of queue) {
      const acl = srv.ext.aclCheck as ((c: Client, cmd: CommandDef, args: string[]) => string | null) | undefined;
      const err = acl?.(c, cmd, args) ?? null;
      if (err !== null) {
        c.w.error(err);
        continue;
      }
      srv.execInternal(c, cmd, args);
    }
  } finally {
    // Keep hooks registered meanwhile (e.g. CONFIG SET appendonly yes inside the transaction).
    const added = srv.propagateHooks.slice(1);
    srv.propagateHooks.length = 0;
    srv.propagateHooks.push(...hooks, ...added);
    c.inExec = wasInExec;
  }
  if (hooks.length !== 0 && effects.length !== 0) {
    const wrap = effects.length > 1;
    // MULTI and EXEC carry no db (-1): the SELECT, if needed, comes after MULTI, as in Redis.
    if (wrap) srv.propagate(-1, ['MULTI']);
    for (const [dbid, args] of effects) srv.propagate(dbid, args);
    if (wrap) srv.propagate(-1, ['EXEC']);
  }
  // EXEC itself is not propagated: its commands were.
  c.propagateArgs = false;
}

/* WATCH key [key ...] */
function watchCommand(c: Client, args: string[]): void {
  if (c.multi !== null) {
    c.w.error(E.WATCH_IN_MULTI);
    return;
  }
  if (c.dirtyCas) {
    // Already failed: no point watching more (Redis does the same).
    c.w.ok();
    return;
  }
  for (let i = 1; i < args.length; i++) c.server.watchKey(c, c.db, args[i]);
  c.w.ok();
}

/* UNWATCH */
function unwatchCommand(c: Client): void {
  c.server.unwatchAll(c);
  c.w.ok();
}

export const commands: CommandDef[] = [
  command('multi', 1, 'noscript loading stale fast allow_busy', [0, 0, 0], 'transaction', multiCommand),
  command('exec', 1, 'noscript loading stale skip_slowlog', [0, 0, 0], 'transaction', execCommand),
  command('discard', 1, 'noscript loading stale fast allow_busy', [0, 0, 0], 'transaction', discardCommand),
  command('watch', -2, 'noscript loading stale fast allow_busy', [1, -1, 1], 'transaction', watchCommand),
  command('unwatch', 1, 'noscript loading stale fast allow_busy', [0, 0, 0], 'transaction', unwatchCommand),
];

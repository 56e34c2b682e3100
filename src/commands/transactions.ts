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
  let propagatedMulti = false;
  const hook = (dbid: number, args: string[]) => {
    if (!propagatedMulti) {
      propagatedMulti = true;
      srv.propagate(dbid, ['MULTI']);
    }
    void args;
  };
  // Wrap the transaction's writes in MULTI/EXEC for AOF and replicas.
  srv.propagateHooks.unshift(hook);
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
    const i = srv.propagateHooks.indexOf(hook);
    if (i >= 0) srv.propagateHooks.splice(i, 1);
    c.inExec = wasInExec;
  }
  if (propagatedMulti) srv.propagate(c.db.id, ['EXEC']);
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

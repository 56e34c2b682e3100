/*
 * Replication commands: SYNC/PSYNC (attach a replica: full or partial
 * resynchronization), REPLCONF, ROLE, REPLICAOF/SLAVEOF. The state and the
 * protocol live in src/replication/.
 */

import type { Client } from '../server/client';
import { command, type CommandDef } from './types';
import { Replication } from '../replication/replication';

/* SYNC / PSYNC replicationid offset */
function syncCommand(c: Client, args: string[]): void {
  if (c.multi !== null) {
    c.w.error("ERR Replica can't be in a transaction");
    return;
  }
  Replication.of(c.server).syncCommand(c, args);
}

/* REPLCONF option value [option value ...] */
function replconfCommand(c: Client, args: string[]): void {
  Replication.of(c.server).replconfCommand(c, args);
}

/* ROLE */
function roleCommand(c: Client): void {
  Replication.of(c.server).roleCommand(c);
}

/* REPLICAOF host port | REPLICAOF NO ONE */
function replicaofCommand(c: Client, args: string[]): void {
  const r = Replication.of(c.server);
  if (args[1].toLowerCase() === 'no' && args[2].toLowerCase() === 'one') {
    if (r.isReplica) r.unsetMaster(c);
    c.w.ok();
    return;
  }
  if (c.ext.replica === true) {
    c.w.error('ERR Command is not valid when client is a replica.');
    return;
  }
  const port = /^-?[0-9]+$/.test(args[2]) ? Number(args[2]) : NaN;
  if (!Number.isSafeInteger(port)) {
    c.w.error('ERR value is not an integer or out of range');
    return;
  }
  if (port < 0 || port > 65535) {
    c.w.error('ERR Invalid master port');
    return;
  }
  if (r.isReplica && r.masterHost === args[1] && r.masterPort === port) {
    c.server.log.notice('REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.');
    c.w.simple('OK Already connected to specified master');
    return;
  }
  r.setMaster(args[1], port, c);
  c.w.ok();
}

export const commands: CommandDef[] = [
  command('sync', 1, 'admin noscript no_async_loading no_multi', [0, 0, 0], 'server', syncCommand),
  command('psync', -3, 'admin noscript no_async_loading no_multi', [0, 0, 0], 'server', syncCommand),
  command('replconf', -1, 'admin noscript loading stale allow_busy', [0, 0, 0], 'server', replconfCommand),
  command('role', 1, 'noscript loading stale fast', [0, 0, 0], 'admin dangerous', roleCommand),
  command('replicaof', 3, 'admin noscript stale no_async_loading', [0, 0, 0], 'server', replicaofCommand),
  command('slaveof', 3, 'admin noscript stale no_async_loading', [0, 0, 0], 'server', replicaofCommand),
];

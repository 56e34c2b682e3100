/*
 * Persistence commands: SAVE, BGSAVE, BGREWRITEAOF. (LASTSAVE stays in the
 * server family: it reads server.lastSave, which persistence maintains.)
 * The work is done by the persistence manager (src/persistence/manager.ts).
 */

import type { Client } from '../server/client';
import { command, type CommandDef } from './types';
import { E } from '../errors';
import { is } from './util';
import { Persistence } from '../persistence/manager';

/* SAVE */
function saveCommand(c: Client): void {
  const p = Persistence.of(c.server);
  if (p.bg !== null && p.bg.kind === 'rdb') {
    c.w.error('ERR Background save already in progress');
    return;
  }
  if (p.saveSync()) c.w.ok();
  else c.w.error('ERR');
}

/* BGSAVE [SCHEDULE] */
function bgsaveCommand(c: Client, args: string[]): void {
  let schedule = false;
  if (args.length > 1) {
    if (args.length === 2 && is(args[1], 'schedule')) schedule = true;
    else {
      c.w.error(E.SYNTAX);
      return;
    }
  }
  const p = Persistence.of(c.server);
  if (p.bg !== null && p.bg.kind === 'rdb') {
    c.w.error('ERR Background save already in progress');
    return;
  }
  if (p.bg !== null || c.inExec) {
    if (schedule || c.inExec) {
      p.bgsaveScheduled = true;
      c.w.simple('Background saving scheduled');
    } else {
      c.w.error('ERR Another child process is active (AOF?): can\'t BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.');
    }
    return;
  }
  const err = p.bgsaveBackground();
  if (err === null) c.w.simple('Background saving started');
  else c.w.error(err);
}

/* BGREWRITEAOF */
function bgrewriteaofCommand(c: Client): void {
  const p = Persistence.of(c.server);
  if (p.bg !== null && p.bg.kind === 'aof') {
    c.w.error('ERR Background append only file rewriting already in progress');
    return;
  }
  if (p.aof === null) {
    c.w.error('ERR Background append only file rewriting is not available');
    return;
  }
  if (p.bg !== null || c.inExec) {
    p.aof.schedule();
    c.w.simple('Background append only file rewriting scheduled');
    return;
  }
  const err = p.aof.rewrite('user');
  if (err === null) c.w.simple('Background append only file rewriting started');
  else c.w.error(err);
}

export const commands: CommandDef[] = [
  command('save', 1, 'admin noscript no_async_loading no_multi', [0, 0, 0], 'server', saveCommand),
  command('bgsave', -1, 'admin noscript no_async_loading', [0, 0, 0], 'server', bgsaveCommand),
  command('bgrewriteaof', 1, 'admin noscript no_async_loading', [0, 0, 0], 'server', bgrewriteaofCommand),
];

/*
 * Replication commands, master side: SYNC/PSYNC attach a replica and stream
 * every propagated write to it as RESP commands (with SELECT when the db
 * changes), REPLCONF, ROLE, REPLICAOF/SLAVEOF (NO ONE only for now).
 *
 * The initial payload is an RDB snapshot produced by the persistence feature
 * when present (server.ext.rdbSnapshot), or an empty RDB otherwise.
 */

import type { Client } from '../server/client';
import type { Server } from '../server/server';
import { command, type CommandDef } from './types';
import { E } from '../errors';
import { encodeCommand } from '../protocol/encode';

interface ReplState {
  replicas: Set<Client>;
  lastDb: number;
  offset: number;
}

/** An RDB file with no keys: magic, version 11, EOF, checksum 0 (= not computed). */
const EMPTY_RDB = Buffer.concat([Buffer.from('REDIS0011', 'latin1'), Buffer.from([0xff]), Buffer.alloc(8)]);

function replState(srv: Server): ReplState {
  let st = srv.ext.replication as ReplState | undefined;
  if (st) return st;
  const state: ReplState = { replicas: new Set(), lastDb: -1, offset: 0 };
  srv.ext.replication = state;
  st = state;
  srv.propagateHooks.push((dbid, args) => {
    if (state.replicas.size === 0) return;
    let out = '';
    if (dbid !== state.lastDb && args[0] !== 'MULTI' && args[0] !== 'EXEC') {
      out += encodeCommand(['SELECT', String(dbid)]);
      state.lastDb = dbid;
    }
    out += encodeCommand(args);
    state.offset += out.length;
    for (const r of state.replicas) {
      r.w.rawStr(out);
      r.flushSoon();
    }
  });
  srv.clientClosedHooks.push((c) => state.replicas.delete(c));
  srv.ext.replicationInfo = () => {
    const lines = ['role:master', `connected_slaves:${state.replicas.size}`];
    let i = 0;
    for (const r of state.replicas) {
      const [ip, port] = r.addr.split(':');
      lines.push(`slave${i++}:ip=${ip},port=${(r.ext.listeningPort as string | undefined) ?? port},state=online,offset=${state.offset},lag=0`);
    }
    lines.push(
      'master_failover_state:no-failover',
      `master_replid:${srv.runId}`,
      'master_replid2:0000000000000000000000000000000000000000',
      `master_repl_offset:${state.offset}`,
      'second_repl_offset:-1',
      `repl_backlog_active:${state.replicas.size > 0 ? 1 : 0}`,
      `repl_backlog_size:${srv.config.num('repl-backlog-size')}`,
      'repl_backlog_first_byte_offset:1',
      `repl_backlog_histlen:${state.offset}`,
    );
    return lines;
  };
  return st;
}

/* SYNC / PSYNC replicationid offset */
function syncCommand(c: Client, args: string[]): void {
  if (c.ext.replica) return;
  if (c.multi !== null) {
    c.w.error('ERR Replica can\'t be in a transaction');
    return;
  }
  const st = replState(c.server);
  const snap = c.server.ext.rdbSnapshot as (() => Buffer) | undefined;
  const rdb = snap ? snap() : EMPTY_RDB;
  if (args[0].toLowerCase() === 'psync') c.w.simple(`FULLRESYNC ${c.server.runId} ${st.offset}`);
  c.w.rawStr(`$${rdb.length}\r\n`);
  c.w.raw(rdb);
  c.ext.replica = true;
  st.replicas.add(c);
  st.lastDb = -1; // the next write starts with SELECT
  c.server.log.notice(`Replica ${c.addr} asks for synchronization`);
  c.server.log.notice(`Synchronization with replica ${c.addr} succeeded`);
}

/* REPLCONF option value [option value ...] */
function replconfCommand(c: Client, args: string[]): void {
  if (args.length % 2 === 0) {
    c.w.error(E.SYNTAX);
    return;
  }
  for (let i = 1; i < args.length; i += 2) {
    const o = args[i].toLowerCase();
    if (o === 'listening-port') c.ext.listeningPort = args[i + 1];
    else if (o === 'ack' || o === 'getack') return; // no reply to ACKs
  }
  c.w.ok();
}

/* ROLE */
function roleCommand(c: Client): void {
  const st = replState(c.server);
  c.w.arrayHeader(3);
  c.w.bulk('master');
  c.w.int(st.offset);
  c.w.arrayHeader(st.replicas.size);
  for (const r of st.replicas) {
    const [ip, port] = r.addr.split(':');
    c.w.arrayHeader(3);
    c.w.bulk(ip);
    c.w.bulk((r.ext.listeningPort as string | undefined) ?? port);
    c.w.bulk(String(st.offset));
  }
}

/* REPLICAOF host port | REPLICAOF NO ONE */
function replicaofCommand(c: Client, args: string[]): void {
  if (args[1].toLowerCase() === 'no' && args[2].toLowerCase() === 'one') {
    c.w.ok();
    return;
  }
  c.w.error('ERR REPLICAOF to another server is not supported yet');
}

export const commands: CommandDef[] = [
  command('sync', 1, 'admin noscript no_async_loading no_multi', [0, 0, 0], 'server', syncCommand),
  command('psync', -3, 'admin noscript no_async_loading no_multi', [0, 0, 0], 'server', syncCommand),
  command('replconf', -1, 'admin noscript loading stale allow_busy', [0, 0, 0], 'server', replconfCommand),
  command('role', 1, 'noscript loading stale fast', [0, 0, 0], 'admin dangerous', roleCommand),
  command('replicaof', 3, 'admin noscript stale no_async_loading', [0, 0, 0], 'server', replicaofCommand),
  command('slaveof', 3, 'admin noscript stale no_async_loading', [0, 0, 0], 'server', replicaofCommand),
];

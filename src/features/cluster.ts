/*
 * Cluster mode (cluster-enabled yes): create the node's cluster state, load
 * or create its config file, keep the per-slot key index of db 0 through the
 * keyspace hooks, and route requests (CROSSSLOT / MOVED / ASK / CLUSTERDOWN)
 * through the command gate. See src/cluster/ and docs/CLUSTER.md.
 */

import type { Server } from '../server/server';
import type { Client } from '../server/client';
import type { CommandDef } from '../commands/types';
import { ClusterState } from '../cluster/state';
import { requestSlot, routeCommand, routeScriptCommand } from '../cluster/routing';
import { getHost, type RunState } from '../scripting/host';
import { getFunctions } from '../scripting/functions';

type Gate = (c: Client, cmd: CommandDef, args: string[]) => string | null;

export function attach(server: Server): void {
  if (!server.config.bool('cluster-enabled')) return;
  const cs = new ClusterState(server);
  if (!cs.load()) server.log.notice(`No cluster configuration found, I'm ${cs.myself.id}`);
  else server.log.notice(`Node configuration loaded, I'm ${cs.myself.id}`);
  cs.save(true);
  server.ext.cluster = cs;

  server.keyModifiedHooks.push((db, key) => cs.keyTouched(db, key));
  // Every command is routed (MOVED, ASK, CROSSSLOT): never the lane.
  server.laneChecks.push(() => false);
  server.flushHooks.push((dbid) => {
    if (dbid === -1 || dbid === 0) cs.resetIndex(true);
  });
  server.swapHooks.push((a, b) => {
    if (a.id === 0 || b.id === 0) cs.resetIndex(true);
  });
  // Only this node's own address changes behind the commands' back (the port is bound after
  // start-up, CONFIG SET cluster-announce-*): keep nodes.conf in step from the cron.
  let addr = '';
  server.cronHooks.push(() => {
    const m = cs.myself;
    const now = `${cs.ipOf(m)}:${cs.portOf(m)}@${cs.cportOf(m)},${cs.hostnameOf(m)}`;
    if (now === addr) return;
    addr = now;
    cs.save();
  });

  // Scripts declaring no-cluster do not run on a cluster node.
  const noCluster = "ERR Can not run script on cluster, 'no-cluster' flag is set.";
  for (const name of ['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro']) {
    const def = server.commands.get(name);
    if (def === undefined) continue;
    const orig = def.handler;
    def.handler = (c: Client, args: string[]): void => {
      let flagged = false;
      if (name.startsWith('fcall')) flagged = getFunctions(server).functions.get(args[1])?.flags.noCluster === true;
      else if (name.startsWith('evalsha')) flagged = getHost(server).scripts.get(args[1].toLowerCase())?.flags.noCluster === true;
      else {
        const s = getHost(server).loadScript(args[1]);
        flagged = typeof s !== 'string' && s.flags.noCluster;
      }
      if (flagged) {
        c.w.error(noCluster);
        return;
      }
      orig(c, args);
    };
  }

  // Only db 0 exists in cluster mode: MOVE, SWAPDB and COPY ... DB <other> are refused, as Redis does.
  const refuse = (name: string, check: (args: string[]) => string | null): void => {
    const def = server.commands.get(name);
    if (def === undefined) return;
    const orig = def.handler;
    def.handler = (c: Client, args: string[]): void => {
      const err = check(args);
      if (err !== null) c.w.error(err);
      else orig(c, args);
    };
  };
  refuse('move', () => 'ERR MOVE is not allowed in cluster mode');
  refuse('swapdb', () => 'ERR SWAPDB is not allowed in cluster mode');
  refuse('copy', (args) => {
    // Only a well-formed request reaches the check (the handler reports bad options first).
    let db = 0;
    for (let j = 3; j < args.length; j++) {
      const opt = args[j].toLowerCase();
      if (opt === 'replace') continue;
      if (opt === 'db' && j + 1 < args.length) {
        const n = Number(args[++j]);
        if (!/^-?\d+$/.test(args[j]) || n < 0 || n >= server.dbs.length) return null;
        db = n;
        continue;
      }
      return null;
    }
    return db !== 0 ? 'ERR Copying to another database is not allowed in cluster mode' : null;
  });

  // Routing runs before the other gates (as Redis checks redirection first), once every feature attached.
  setImmediate(() => {
    const prev = server.ext.commandGate as Gate | undefined;
    const gate: Gate = (c, cmd, args) => {
      const err = routeCommand(cs, c, cmd, args);
      if (err !== null) {
        if (cmd.name === 'exec' && c.multi !== null) {
          // Redis discards the transaction and answers with the redirection itself.
          c.multi = null;
          c.multiError = false;
          server.unwatchAll(c);
        }
        return err;
      }
      return prev !== undefined ? prev(c, cmd, args) : null;
    };
    server.ext.commandGate = gate;

    // Commands run by scripts (the host's fake client, ext.lua): local keys, one slot.
    const host = getHost(server);
    const slots = new WeakMap<RunState, { slot: number; cross: boolean }>();
    const execInternal = server.execInternal.bind(server);
    server.execInternal = (c: Client, cmd: CommandDef, args: string[]): void => {
      const run = host.run;
      if (c.ext.lua === true && run !== null && !run.caller.fake && run.caller.ext.master !== true) {
        let st = slots.get(run);
        if (st === undefined) {
          const flags = run.kind === 'eval' ? (host.scripts.get(run.funcname) ?? host.scripts.get(run.funcname.slice(2)))?.flags : getFunctions(server).functions.get(run.funcname)?.flags;
          const top = run.args.length !== 0 ? server.lookupCommand(run.args) : undefined;
          st = { slot: requestSlot(top, run.args), cross: flags?.allowCrossSlot === true };
          slots.set(run, st);
        }
        const err = routeScriptCommand(cs, cmd, args, st.cross, st);
        if (err !== null) {
          c.w.error(err);
          return;
        }
      }
      execInternal(c, cmd, args);
    };
  });
}

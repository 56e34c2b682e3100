/*
 * Request routing in cluster mode: before a command with keys runs, every key
 * must hash to one slot (else CROSSSLOT), that slot must be served (else
 * CLUSTERDOWN), by this node (else MOVED, or ASK while the slot migrates),
 * and the cluster must be up. EXEC is judged on the keys of all its queued
 * commands, as one request.
 */

import type { Client } from '../server/client';
import type { CommandDef } from '../commands/types';
import { keyPositions } from '../commands/types';
import type { ClusterNode, ClusterState } from './state';
import { keyHashSlot } from './slots';

export const CROSSSLOT = "CROSSSLOT Keys in request don't hash to the same slot";
export const DOWN_UNBOUND = 'CLUSTERDOWN Hash slot not served';
export const DOWN_STATE = 'CLUSTERDOWN The cluster is down';
export const DOWN_RO_STATE = 'CLUSTERDOWN The cluster is down and only accepts read commands';
export const TRYAGAIN = 'TRYAGAIN Multiple keys request during rehashing of slot';

function hasKeys(cmd: CommandDef): boolean {
  return cmd.firstKey !== 0 || cmd.getKeys !== undefined;
}

/** The error text redirecting or refusing this request, or null to run it here. */
export function routeCommand(cs: ClusterState, c: Client, cmd: CommandDef, args: string[]): string | null {
  const asking = c.ext.asking === true;
  if (asking && cmd.name !== 'asking') c.ext.asking = false;
  if (c.fake || c.ext.master === true) return null;
  const isExec = cmd.name === 'exec';
  if (!isExec && !hasKeys(cmd)) return null;
  let queue: { cmd: CommandDef; args: string[] }[];
  if (isExec) {
    if (c.multi === null || c.multi.length === 0) return null;
    queue = c.multi;
  } else queue = [{ cmd, args }];

  let firstKey: string | null = null;
  let slot = -1;
  let owner: ClusterNode | null = null;
  let migratingSlot = false;
  let importingSlot = false;
  let multipleKeys = false;
  let missing = 0;
  let write = false;
  const db = cs.dbZero();
  for (const q of queue) {
    if (q.cmd.flags.has('write')) write = true;
    if (!hasKeys(q.cmd)) continue;
    for (const pos of keyPositions(q.cmd, q.args)) {
      const key = q.args[pos];
      if (key === undefined) continue;
      const s = keyHashSlot(key);
      if (firstKey === null) {
        firstKey = key;
        slot = s;
        owner = cs.slots[s];
        if (owner === null) return DOWN_UNBOUND;
        if (owner === cs.myself && cs.migrating.has(s)) migratingSlot = true;
        else if (cs.importing.has(s)) importingSlot = true;
      } else if (key !== firstKey) {
        if (s !== slot) return CROSSSLOT;
        multipleKeys = true;
      }
      if ((migratingSlot || importingSlot) && !db.dict.has(key)) missing++;
    }
  }
  if (owner === null) return null;
  if (!cs.isOk()) {
    const shardPubsub = cmd.name === 'spublish' || cmd.name === 'ssubscribe' || cmd.name === 'sunsubscribe';
    if (shardPubsub) {
      if (!cs.allowPubsubshardWhenDown()) return DOWN_STATE;
    } else if (!cs.allowReadsWhenDown()) return DOWN_STATE;
    else if (write) return DOWN_RO_STATE;
  }
  if ((migratingSlot || importingSlot) && cmd.name === 'migrate') return null;
  if (migratingSlot && missing > 0) {
    if (multipleKeys) return TRYAGAIN;
    const to = cs.migrating.get(slot) as ClusterNode;
    return `ASK ${slot} ${cs.endpointOf(to)}:${cs.portOf(to)}`;
  }
  if (importingSlot && (asking || cmd.flags.has('asking'))) {
    if (multipleKeys && missing > 0) return TRYAGAIN;
    return null;
  }
  if (owner !== cs.myself) return `MOVED ${slot} ${cs.endpointOf(owner)}:${cs.portOf(owner)}`;
  return null;
}

/** Redis 7.2 reports unserved slots, other owners and cross-slot commands alike from scripts. */
const NON_LOCAL = 'ERR Script attempted to access a non local key in a cluster node';

/**
 * A command run by a script (redis.call) in cluster mode: its keys must be
 * served here, in one slot, and (unless the script declared
 * allow-cross-slot-keys) in the slot of the keys the script touched first or
 * declared. `state.slot` carries that slot across the script's calls
 * (-1: none yet). Returns the error text or null.
 */
export function routeScriptCommand(cs: ClusterState, cmd: CommandDef, args: string[], allowCrossSlot: boolean, state: { slot: number }): string | null {
  if (!hasKeys(cmd)) return null;
  let slot = -1;
  let owner: ClusterNode | null = null;
  for (const pos of keyPositions(cmd, args)) {
    const key = args[pos];
    if (key === undefined) continue;
    const s = keyHashSlot(key);
    if (slot === -1) {
      slot = s;
      owner = cs.slots[s];
      if (owner === null) return NON_LOCAL;
    } else if (s !== slot) {
      return NON_LOCAL;
    }
  }
  if (slot === -1) return null;
  if (!cs.isOk()) {
    if (!cs.allowReadsWhenDown()) return 'ERR Script attempted to execute a command while the cluster is down';
    if (cmd.flags.has('write')) return 'ERR Script attempted to execute a write command while the cluster is down and readonly';
  }
  if (owner !== cs.myself && !(cs.importing.has(slot))) return NON_LOCAL;
  if (!allowCrossSlot) {
    if (state.slot === -1) state.slot = slot;
    else if (state.slot !== slot) return 'ERR Script attempted to access keys that do not hash to the same slot';
  }
  return null;
}

/** The slot of a request's declared keys, -1 when it has none. */
export function requestSlot(cmd: CommandDef | undefined, args: string[]): number {
  if (cmd === undefined || !hasKeys(cmd)) return -1;
  for (const pos of keyPositions(cmd, args)) {
    const key = args[pos];
    if (key !== undefined) return keyHashSlot(key);
  }
  return -1;
}

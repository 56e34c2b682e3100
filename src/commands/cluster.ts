/*
 * CLUSTER and its subcommands, READONLY / READWRITE / ASKING, and two small
 * standalone commands (WAITAOF, LOLWUT). The cluster state lives in
 * src/cluster/state.ts; it exists only with cluster-enabled yes, otherwise
 * CLUSTER answers "This instance has cluster support disabled".
 */

import * as net from 'node:net';
import type { Client } from '../server/client';
import { command, noParentHandler, type CommandDef } from './types';
import { E } from '../errors';
import { parseInt64Num } from '../util/numbers';
import { REDIS_VERSION } from '../server/config';
import { getCluster, type ClusterNode, type ClusterState } from '../cluster/state';
import { CLUSTER_SLOTS, keyHashSlot } from '../cluster/slots';

const DISABLED = 'ERR This instance has cluster support disabled';

/** Run `fn` with the cluster state, or answer that cluster support is off. */
function withCluster(fn: (c: Client, args: string[], cs: ClusterState) => void): (c: Client, args: string[]) => void {
  return (c, args) => {
    const cs = getCluster(c.server);
    if (cs === null) {
      c.w.error(DISABLED);
      return;
    }
    fn(c, args, cs);
  };
}

/** Redis's reply to a subcommand given the wrong number of arguments (checked by the handler). */
function subcommandSyntax(args: string[]): string {
  return `ERR unknown subcommand or wrong number of arguments for '${args[1].slice(0, 128)}'. Try ${args[0].toUpperCase()} HELP.`;
}

/** A slot number argument, or null after replying. */
function slotOrReply(c: Client, s: string): number | null {
  const n = parseInt64Num(s);
  if (n === null || n < 0 || n >= CLUSTER_SLOTS) {
    c.w.error('ERR Invalid or out of range slot');
    return null;
  }
  return n;
}

function saveAndOk(c: Client, cs: ClusterState): void {
  cs.save();
  c.w.ok();
}

// ---------------------------------------------------------------------------
// Slot assignment
// ---------------------------------------------------------------------------

/** Check then apply: ADDSLOTS/DELSLOTS on a list of slots (Redis validates all before changing any). */
function changeSlots(c: Client, cs: ClusterState, slots: number[], del: boolean): void {
  const seen = new Uint8Array(CLUSTER_SLOTS);
  for (const s of slots) {
    if (del && cs.slots[s] === null) {
      c.w.error(`ERR Slot ${s} is already unassigned`);
      return;
    }
    if (!del && cs.slots[s] !== null) {
      c.w.error(`ERR Slot ${s} is already busy`);
      return;
    }
    if (seen[s]++ === 1) {
      c.w.error(`ERR Slot ${s} specified multiple times`);
      return;
    }
  }
  for (const s of slots) {
    if (del) {
      cs.assign(s, null);
      cs.migrating.delete(s);
      cs.importing.delete(s);
    } else {
      cs.importing.delete(s);
      cs.assign(s, cs.myself);
    }
  }
  saveAndOk(c, cs);
}

function addDelSlots(del: boolean) {
  return withCluster((c, args, cs) => {
    const slots: number[] = [];
    for (let i = 2; i < args.length; i++) {
      const s = slotOrReply(c, args[i]);
      if (s === null) return;
      slots.push(s);
    }
    changeSlots(c, cs, slots, del);
  });
}

function addDelSlotsRange(del: boolean) {
  return withCluster((c, args, cs) => {
    if (args.length % 2 === 1) {
      c.w.error(E.WRONG_ARITY(`cluster|${args[1].toLowerCase()}`));
      return;
    }
    const slots: number[] = [];
    for (let i = 2; i < args.length; i += 2) {
      const a = slotOrReply(c, args[i]);
      if (a === null) return;
      const b = slotOrReply(c, args[i + 1]);
      if (b === null) return;
      if (a > b) {
        c.w.error(`ERR start slot number ${a} is greater than end slot number ${b}`);
        return;
      }
      for (let s = a; s <= b; s++) slots.push(s);
    }
    changeSlots(c, cs, slots, del);
  });
}

const flushslots = withCluster((c, _args, cs) => {
  if (cs.dbZero().size !== 0) {
    c.w.error('ERR DB must be empty to perform CLUSTER FLUSHSLOTS.');
    return;
  }
  for (let s = 0; s < CLUSTER_SLOTS; s++) cs.assign(s, null);
  cs.migrating.clear();
  cs.importing.clear();
  saveAndOk(c, cs);
});

const setslot = withCluster((c, args, cs) => {
  const slot = slotOrReply(c, args[2]);
  if (slot === null) return;
  const action = args[3].toLowerCase();
  const node = (id: string, err: string): ClusterNode | null => {
    const n = cs.nodes.get(id);
    if (n === undefined) c.w.error(`${err} ${id}`);
    return n ?? null;
  };
  if (action === 'migrating' && args.length === 5) {
    if (cs.slots[slot] !== cs.myself) {
      c.w.error(`ERR I'm not the owner of hash slot ${slot}`);
      return;
    }
    const n = node(args[4], "ERR I don't know about node");
    if (n === null) return;
    if (n.role !== 'master') {
      c.w.error('ERR Target node is not a master');
      return;
    }
    cs.migrating.set(slot, n);
  } else if (action === 'importing' && args.length === 5) {
    if (cs.slots[slot] === cs.myself) {
      c.w.error(`ERR I'm already the owner of hash slot ${slot}`);
      return;
    }
    const n = node(args[4], "ERR I don't know about node");
    if (n === null) return;
    if (n.role !== 'master') {
      c.w.error('ERR Target node is not a master');
      return;
    }
    cs.importing.set(slot, n);
  } else if (action === 'stable' && args.length === 4) {
    cs.migrating.delete(slot);
    cs.importing.delete(slot);
  } else if (action === 'node' && args.length === 5) {
    const n = node(args[4], 'ERR Unknown node');
    if (n === null) return;
    if (n.role !== 'master') {
      c.w.error('ERR Target node is not a master');
      return;
    }
    if (cs.slots[slot] === cs.myself && n !== cs.myself && cs.countKeysInSlot(slot) !== 0) {
      c.w.error(`ERR Can't assign hashslot ${slot} to a different node while I still hold keys for this hash slot.`);
      return;
    }
    if (cs.migrating.has(slot) && cs.countKeysInSlot(slot) === 0) cs.migrating.delete(slot);
    if (n === cs.myself && cs.importing.has(slot)) {
      cs.importing.delete(slot);
      // Taking over an imported slot: a new config epoch makes this node's claim win.
      if (cs.myself.configEpoch === 0 || cs.myself.configEpoch !== cs.maxEpoch()) {
        cs.currentEpoch++;
        cs.myself.configEpoch = cs.currentEpoch;
      }
    }
    cs.assign(slot, n);
  } else {
    c.w.error('ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP');
    return;
  }
  saveAndOk(c, cs);
});

// ---------------------------------------------------------------------------
// Introspection
// ---------------------------------------------------------------------------

const info = withCluster((c, _args, cs) => {
  const assigned = cs.assignedCount();
  const lines = [
    `cluster_state:${cs.isOk() ? 'ok' : 'fail'}`,
    `cluster_slots_assigned:${assigned}`,
    `cluster_slots_ok:${assigned}`,
    'cluster_slots_pfail:0',
    'cluster_slots_fail:0',
    `cluster_known_nodes:${cs.nodes.size}`,
    `cluster_size:${cs.size()}`,
    `cluster_current_epoch:${cs.currentEpoch}`,
    `cluster_my_epoch:${cs.myself.configEpoch}`,
    'cluster_stats_messages_sent:0',
    'cluster_stats_messages_received:0',
    'total_cluster_links_buffer_limit_exceeded:0',
  ];
  c.w.verbatim(lines.join('\r\n') + '\r\n');
});

const nodes = withCluster((c, _args, cs) => {
  c.w.verbatim(cs.nodesText(false));
});

function nodeEntry(c: Client, cs: ClusterState, n: ClusterNode): void {
  c.w.arrayHeader(4);
  if (c.server.config.get('cluster-preferred-endpoint-type') === 'unknown-endpoint') c.w.nullBulk();
  else c.w.bulk(cs.endpointOf(n));
  c.w.int(cs.portOf(n));
  c.w.bulk(n.id);
  const host = cs.hostnameOf(n);
  const type = c.server.config.get('cluster-preferred-endpoint-type');
  const extra: [string, string][] = [];
  if (type !== 'ip' && cs.ipOf(n) !== '') extra.push(['ip', cs.ipOf(n)]);
  if (type !== 'hostname' && host !== '') extra.push(['hostname', host]);
  c.w.mapHeader(extra.length);
  for (const [k, v] of extra) {
    c.w.bulk(k);
    c.w.bulk(v);
  }
}

const slots = withCluster((c, _args, cs) => {
  // Ranges in slot order, each with its master (no replicas).
  const ranges: [number, number, ClusterNode][] = [];
  let start = -1;
  for (let i = 0; i <= CLUSTER_SLOTS; i++) {
    const n = i < CLUSTER_SLOTS ? cs.slots[i] : null;
    const prev = start >= 0 ? cs.slots[start] : null;
    if (start >= 0 && n !== prev) {
      ranges.push([start, i - 1, prev as ClusterNode]);
      start = -1;
    }
    if (n !== null && start < 0) start = i;
  }
  c.w.arrayHeader(ranges.length);
  for (const [a, b, n] of ranges) {
    c.w.arrayHeader(3);
    c.w.int(a);
    c.w.int(b);
    nodeEntry(c, cs, n);
  }
});

const shards = withCluster((c, _args, cs) => {
  const masters = [...cs.nodes.values()].filter((n) => n.role === 'master');
  c.w.arrayHeader(masters.length);
  for (const n of masters) {
    c.w.mapHeader(2);
    c.w.bulk('slots');
    const ranges = cs.rangesOf(n);
    c.w.arrayHeader(ranges.length * 2);
    for (const [a, b] of ranges) {
      c.w.int(a);
      c.w.int(b);
    }
    c.w.bulk('nodes');
    c.w.arrayHeader(1);
    const host = cs.hostnameOf(n);
    c.w.mapHeader(host !== '' ? 8 : 7);
    c.w.bulk('id');
    c.w.bulk(n.id);
    c.w.bulk('port');
    c.w.int(cs.portOf(n));
    c.w.bulk('ip');
    c.w.bulk(cs.ipOf(n));
    c.w.bulk('endpoint');
    c.w.bulk(cs.endpointOf(n));
    if (host !== '') {
      c.w.bulk('hostname');
      c.w.bulk(host);
    }
    c.w.bulk('role');
    c.w.bulk(n.role === 'master' ? 'master' : 'replica');
    c.w.bulk('replication-offset');
    c.w.int(n === cs.myself ? replOffset(c) : 0);
    c.w.bulk('health');
    c.w.bulk('online');
  }
});

/** This server's master_repl_offset (from the replication feature's INFO lines), 0 if unknown. */
function replOffset(c: Client): number {
  const info = c.server.ext.replicationInfo as (() => string[]) | undefined;
  if (info === undefined) return 0;
  for (const l of info()) if (l.startsWith('master_repl_offset:')) return Number(l.slice(19)) || 0;
  return 0;
}

const myid = withCluster((c, _args, cs) => c.w.bulk(cs.myself.id));
const myshardid = withCluster((c, _args, cs) => c.w.bulk(cs.myself.shardId));

const keyslot = withCluster((c, args) => c.w.int(keyHashSlot(args[2])));

const countkeysinslot = withCluster((c, args, cs) => {
  const n = parseInt64Num(args[2]);
  if (n === null) {
    c.w.error(E.NOT_INTEGER);
    return;
  }
  if (n < 0 || n >= CLUSTER_SLOTS) {
    c.w.error('ERR Invalid slot');
    return;
  }
  c.w.int(cs.countKeysInSlot(n));
});

const getkeysinslot = withCluster((c, args, cs) => {
  const slot = parseInt64Num(args[2]);
  const max = parseInt64Num(args[3]);
  if (slot === null || max === null) {
    c.w.error(E.NOT_INTEGER);
    return;
  }
  if (max < 0 || slot < 0 || slot >= CLUSTER_SLOTS) {
    c.w.error('ERR Invalid slot or number of keys');
    return;
  }
  const set = cs.keysInSlot(slot);
  const n = Math.min(max, set?.size ?? 0);
  c.w.arrayHeader(n);
  if (set === undefined || n === 0) return;
  let i = 0;
  for (const k of set) {
    if (i++ === n) break;
    c.w.bulk(k);
  }
});

// ---------------------------------------------------------------------------
// Epochs, reset, config
// ---------------------------------------------------------------------------

const bumpepoch = withCluster((c, _args, cs) => {
  let bumped = false;
  if (cs.myself.configEpoch === 0 || cs.myself.configEpoch !== cs.maxEpoch()) {
    cs.currentEpoch++;
    cs.myself.configEpoch = cs.currentEpoch;
    bumped = true;
    cs.save();
  }
  c.w.simple(`${bumped ? 'BUMPED' : 'STILL'} ${cs.myself.configEpoch}`);
});

const setConfigEpoch = withCluster((c, args, cs) => {
  const e = parseInt64Num(args[2]);
  if (e === null) {
    c.w.error(E.NOT_INTEGER);
    return;
  }
  if (e < 0) {
    c.w.error(`ERR Invalid config epoch specified: ${e}`);
    return;
  }
  if (cs.nodes.size > 1) {
    c.w.error('ERR The user can assign a config epoch only when the node does not know any other node.');
    return;
  }
  if (cs.myself.configEpoch !== 0) {
    c.w.error('ERR Node config epoch is already non-zero');
    return;
  }
  cs.myself.configEpoch = e;
  if (cs.currentEpoch < e) cs.currentEpoch = e;
  saveAndOk(c, cs);
});

const reset = withCluster((c, args, cs) => {
  let hard = false;
  if (args.length === 3) {
    const m = args[2].toLowerCase();
    if (m === 'hard') hard = true;
    else if (m !== 'soft') {
      c.w.error(E.SYNTAX);
      return;
    }
  } else if (args.length > 3) {
    c.w.error(subcommandSyntax(args));
    return;
  }
  if (cs.dbZero().size !== 0) {
    c.w.error("ERR CLUSTER RESET can't be called with master nodes containing keys");
    return;
  }
  cs.reset(hard);
  saveAndOk(c, cs);
});

const saveconfig = withCluster((c, _args, cs) => {
  const err = cs.save(true);
  if (err !== null) c.w.error(`ERR error saving the cluster node config: ${err}`);
  else c.w.ok();
});

const countFailureReports = withCluster((c, args, cs) => {
  if (!cs.nodes.has(args[2])) {
    c.w.error(`ERR Unknown node ${args[2]}`);
    return;
  }
  c.w.int(0);
});

const forget = withCluster((c, args, cs) => {
  const n = cs.nodes.get(args[2]);
  if (n === undefined) {
    c.w.error(`ERR Unknown node ${args[2]}`);
    return;
  }
  if (n === cs.myself) {
    c.w.error("ERR I tried hard but I can't forget myself...");
    return;
  }
  for (let s = 0; s < CLUSTER_SLOTS; s++) if (cs.slots[s] === n) cs.assign(s, null);
  for (const [s, m] of [...cs.migrating]) if (m === n) cs.migrating.delete(s);
  for (const [s, m] of [...cs.importing]) if (m === n) cs.importing.delete(s);
  cs.nodes.delete(n.id);
  saveAndOk(c, cs);
});

const links = withCluster((c) => c.w.arrayHeader(0));

// ---------------------------------------------------------------------------
// MEET: without a cluster bus, ask the peer who it is over its client port
// ---------------------------------------------------------------------------

/** One request over a short-lived connection; resolves with the raw reply text (a single bulk or error). */
function askPeer(ip: string, port: number, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: ip, port });
    let buf = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error('timeout'));
    }, timeoutMs);
    sock.setEncoding('latin1');
    sock.on('connect', () => {
      let req = `*${args.length}\r\n`;
      for (const a of args) req += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`;
      sock.write(req, 'latin1');
    });
    sock.on('data', (d: string) => {
      buf += d;
      if (buf[0] === '-' || buf[0] === '+') {
        if (!buf.includes('\r\n')) return;
      } else {
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const len = Number(buf.slice(1, nl));
        if (buf.length < nl + 2 + len + 2) return;
        buf = buf.slice(nl + 2, nl + 2 + len);
      }
      clearTimeout(timer);
      sock.end();
      resolve(buf);
    });
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** Learn the node at ip:port: its id, and the slots it claims (its own CLUSTER NODES line). */
async function meetPeer(cs: ClusterState, ip: string, port: number, cport: number): Promise<void> {
  const timeout = Math.max(1000, cs.nodeTimeout());
  const id = await askPeer(ip, port, ['CLUSTER', 'MYID'], timeout);
  if (!/^[0-9a-f]{40}$/.test(id) || id === cs.myself.id) return;
  let n = cs.nodes.get(id);
  if (n === undefined) {
    n = cs.newNode(id);
    cs.nodes.set(id, n);
  }
  n.ip = ip;
  n.port = port;
  n.cport = cport;
  n.pongRecv = Date.now();
  const text = await askPeer(ip, port, ['CLUSTER', 'NODES'], timeout).catch(() => '');
  for (const line of text.split('\n')) {
    const f = line.trim().split(' ');
    if (f[0] !== id || !f[2]?.includes('myself')) continue;
    n.configEpoch = Number(f[6]) || 0;
    if (n.configEpoch > cs.currentEpoch) cs.currentEpoch = n.configEpoch;
    for (const r of f.slice(8)) {
      if (r.startsWith('[')) continue;
      const dash = r.indexOf('-');
      const a = Number(dash < 0 ? r : r.slice(0, dash));
      const b = dash < 0 ? a : Number(r.slice(dash + 1));
      if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b >= CLUSTER_SLOTS) continue;
      // Slots nobody serves here go to the peer; a conflict is won by the higher config epoch.
      for (let s = a; s <= b; s++) {
        const owner = cs.slots[s];
        if (owner === null || (owner !== n && owner.configEpoch < n.configEpoch)) cs.assign(s, n);
      }
    }
  }
  cs.save();
}

const meet = withCluster((c, args, cs) => {
  if (args.length > 5) {
    c.w.error(subcommandSyntax(args));
    return;
  }
  const port = parseInt64Num(args[3]);
  if (port === null) {
    c.w.error(`ERR Invalid base port specified: ${args[3]}`);
    return;
  }
  let cport = port + 10000;
  if (args.length === 5) {
    const p = parseInt64Num(args[4]);
    if (p === null) {
      c.w.error(`ERR Invalid bus port specified: ${args[4]}`);
      return;
    }
    cport = p;
  }
  const ip = args[2];
  if (net.isIP(ip) === 0 || port <= 0 || port > 65535 || cport <= 0 || cport > 65535) {
    c.w.error(`ERR Invalid node address specified: ${ip}:${args[3]}`);
    return;
  }
  // This node's own address, as the peer would report it.
  if (cs.myself.ip === '' && c.socket !== null && c.socket.localAddress !== undefined) {
    cs.myself.ip = c.socket.localAddress.replace(/^::ffff:/, '');
  }
  meetPeer(cs, ip, port, cport).catch((e: Error) => c.server.log.warning(`CLUSTER MEET ${ip}:${port}: ${e.message}`));
  c.w.ok();
});

// ---------------------------------------------------------------------------
// HELP
// ---------------------------------------------------------------------------

const HELP = [
  'CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ADDSLOTS <slot> [<slot> ...]', '    Claim the given slots for this node.',
  'ADDSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]', '    Claim the slots of each inclusive range for this node.',
  'BUMPEPOCH', '    Move this node to a new config epoch when its own is not the highest.',
  'COUNT-FAILURE-REPORTS <node-id>', '    Failure reports about a node (always 0: no cluster bus).',
  'COUNTKEYSINSLOT <slot>', '    Number of keys of a slot on this node.',
  'DELSLOTS <slot> [<slot> ...]', '    Stop serving the given slots.',
  'DELSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]', '    Stop serving the slots of each inclusive range.',
  'FLUSHSLOTS', '    Unassign every slot of this node (the database must be empty).',
  'FORGET <node-id>', '    Drop a node from the known nodes.',
  'GETKEYSINSLOT <slot> <count>', '    Up to <count> key names of a slot.',
  'INFO', '    The cluster state and counters.',
  'KEYSLOT <key>', '    The hash slot of a key.',
  'LINKS', '    Cluster bus links (none).',
  'MEET <ip> <port> [<bus-port>]', '    Learn about the node at this address.',
  'MYID', '    This node id.',
  'MYSHARDID', '    This node shard id.',
  'NODES', '    The known nodes, one line each, in the nodes.conf format.',
  'RESET [HARD|SOFT]', '    Forget every other node and slot; HARD also takes a new id and zeroes the epochs.',
  'SAVECONFIG', '    Write the cluster config file now.',
  'SET-CONFIG-EPOCH <epoch>', '    Set the config epoch of a fresh node.',
  'SETSLOT <slot> (IMPORTING <node-id>|MIGRATING <node-id>|STABLE|NODE <node-id>)', '    Change the state of a slot.',
  'SHARDS', '    The shards: their slot ranges and nodes.',
  'SLOTS', '    Slot ranges and the node serving each.',
  'HELP', '    Print this help.',
];

const help = withCluster((c) => {
  c.w.arrayHeader(HELP.length);
  for (const l of HELP) c.w.simple(l);
});

// ---------------------------------------------------------------------------
// READONLY / READWRITE / ASKING
// ---------------------------------------------------------------------------

const readonly = withCluster((c) => {
  c.ext.readonlyCluster = true;
  c.w.ok();
});
const readwrite = withCluster((c) => {
  c.ext.readonlyCluster = false;
  c.w.ok();
});
const asking = withCluster((c) => {
  c.ext.asking = true;
  c.w.ok();
});

// ---------------------------------------------------------------------------
// WAITAOF, LOLWUT
// ---------------------------------------------------------------------------

function waitaof(c: Client, args: string[]): void {
  const local = parseInt64Num(args[1]);
  if (local === null) {
    c.w.error(E.NOT_INTEGER);
    return;
  }
  if (local < 0 || local > 1) {
    c.w.error('ERR value is out of range, value must between 0 and 1');
    return;
  }
  const replicas = parseInt64Num(args[2]);
  if (replicas === null) {
    c.w.error(E.NOT_INTEGER);
    return;
  }
  if (replicas < 0) {
    c.w.error('ERR value is out of range, must be positive');
    return;
  }
  const timeout = parseInt64Num(args[3]);
  if (timeout === null) {
    c.w.error('ERR timeout is not an integer or out of range');
    return;
  }
  if (timeout < 0) {
    c.w.error('ERR timeout is negative');
    return;
  }
  if (c.server.ext.role === 'replica') {
    c.w.error('ERR WAITAOF cannot be used with replica instances. Please also note that writes to replicas are just local and are not propagated.');
    return;
  }
  const aof = c.server.config.bool('appendonly');
  if (local > 0 && !aof) {
    c.w.error('ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.');
    return;
  }
  // Local: the AOF is on (its writes are flushed per appendfsync). Replicas' AOF acks are not tracked: 0.
  const ackLocal = aof ? 1 : 0;
  const reply = (): void => {
    c.w.arrayHeader(2);
    c.w.int(ackLocal);
    c.w.int(0);
  };
  if (replicas === 0 || c.inExec || c.fake) {
    reply();
    return;
  }
  // Waiting for replicas that will not answer: until the timeout (0: forever), as Redis would.
  c.server.blockClientNoKeys(c, timeout, 'wait', reply);
}

/**
 * LOLWUT [VERSION v] [args]: as Redis 7.2, plain LOLWUT (or a version other
 * than 5 and 6) answers only the version line; versions 5 and 6 draw a
 * picture first (our own generated art, sized by the same arguments:
 * v5 columns squares-per-row squares-per-col, v6 columns rows).
 */
function lolwut(c: Client, args: string[]): void {
  let rest = args.slice(1);
  let ver = 0;
  if (args.length >= 3 && args[1].toLowerCase() === 'version') {
    const v = parseInt64Num(args[2]);
    if (v === null) {
      c.w.error(E.NOT_INTEGER);
      return;
    }
    ver = v;
    rest = args.slice(3);
  }
  const line = `Redis ver. ${REDIS_VERSION}\n`;
  if (ver !== 5 && ver !== 6) {
    c.w.verbatim(line);
    return;
  }
  const defaults = ver === 5 ? [66, 8, 12] : [80, 20];
  const nums: number[] = [];
  for (let i = 0; i < defaults.length; i++) {
    if (i >= rest.length) {
      nums.push(defaults[i]);
      continue;
    }
    const n = parseInt64Num(rest[i]);
    if (n === null) {
      c.w.error(E.NOT_INTEGER);
      return;
    }
    nums.push(n);
  }
  const clamp = (n: number, hi: number): number => Math.max(1, Math.min(hi, n));
  const cols = clamp(nums[0], 1000);
  const rows = ver === 5 ? clamp(nums[2], 200) * 2 : clamp(nums[1], 1000);
  const shades = ver === 5 ? ' .:-=+*#%@' : ' .oO@';
  let out = '';
  for (let y = 0; y < rows; y++) {
    let row = '';
    for (let x = 0; x < cols; x++) {
      // Interference of two slowly tilting wave fields: calm at the top, busier further down.
      const t = y / rows;
      const v = Math.abs(Math.sin(x * 0.31 + y * (0.15 + t)) * Math.cos(y * 0.47 - x * (0.05 + t / 8)));
      row += shades[Math.min(shades.length - 1, Math.floor(v * shades.length))];
    }
    out += row.replace(/\s+$/, '') + '\n';
  }
  out += `\nWave interference study, generated by Nodis. ${line}`;
  c.w.verbatim(out);
}

// ---------------------------------------------------------------------------

function sub(name: string, arity: number, flags: string, handler: (c: Client, args: string[]) => void, keys: readonly [number, number, number] = [0, 0, 0]): CommandDef {
  return command(name, arity, flags, keys, '', handler, { group: 'cluster', since: '3.0.0' });
}

export const commands: CommandDef[] = [
  command('cluster', -2, '', [0, 0, 0], '', noParentHandler, {
    group: 'cluster',
    since: '3.0.0',
    subcommands: [
      sub('addslots', -3, 'admin stale no_async_loading', addDelSlots(false)),
      sub('addslotsrange', -4, 'admin stale no_async_loading', addDelSlotsRange(false)),
      sub('bumpepoch', 2, 'admin stale no_async_loading', bumpepoch),
      sub('count-failure-reports', 3, 'admin stale', countFailureReports),
      sub('countkeysinslot', 3, 'stale', countkeysinslot),
      sub('delslots', -3, 'admin stale no_async_loading', addDelSlots(true)),
      sub('delslotsrange', -4, 'admin stale no_async_loading', addDelSlotsRange(true)),
      sub('flushslots', 2, 'admin stale no_async_loading', flushslots),
      sub('forget', 3, 'admin stale no_async_loading', forget),
      sub('getkeysinslot', 4, 'stale', getkeysinslot),
      sub('help', 2, 'loading stale', help),
      sub('info', 2, 'stale', info),
      sub('keyslot', 3, 'stale', keyslot),
      sub('links', 2, 'stale', links),
      sub('meet', -4, 'admin stale no_async_loading', meet),
      sub('myid', 2, 'stale', myid),
      sub('myshardid', 2, 'stale', myshardid),
      sub('nodes', 2, 'stale', nodes),
      sub('reset', -2, 'admin stale noscript', reset),
      sub('saveconfig', 2, 'admin stale no_async_loading', saveconfig),
      sub('set-config-epoch', 3, 'admin stale no_async_loading', setConfigEpoch),
      sub('setslot', -4, 'admin stale no_async_loading', setslot),
      sub('shards', 2, 'stale', shards),
      sub('slots', 2, 'stale', slots),
    ],
  }),
  command('readonly', 1, 'loading stale fast', [0, 0, 0], 'connection', readonly, { since: '3.0.0' }),
  command('readwrite', 1, 'loading stale fast', [0, 0, 0], 'connection', readwrite, { since: '3.0.0' }),
  command('asking', 1, 'fast', [0, 0, 0], 'connection', asking, { since: '3.0.0' }),
  command('waitaof', 4, 'noscript', [0, 0, 0], 'connection', waitaof, { since: '7.2.0' }),
  command('lolwut', -1, 'readonly fast', [0, 0, 0], '', lolwut, { group: 'server', since: '5.0.0' }),
];

/*
 * The cluster state of one node: who it is (a 40-hex-char id kept in the
 * cluster config file), the nodes it knows, which node serves each of the
 * 16384 slots, slots being migrated or imported, the epochs, and an index of
 * db 0's keys per slot (CLUSTER COUNTKEYSINSLOT / GETKEYSINSLOT).
 *
 * There is no cluster bus: other nodes are known only through CLUSTER MEET
 * (which asks the peer for its id over its client port) and SETSLOT ... NODE.
 */

import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Server } from '../server/server';
import type { Database } from '../server/db';
import { CLUSTER_SLOTS, keyHashSlot } from './slots';

export interface ClusterNode {
  id: string;
  ip: string;
  port: number;
  cport: number;
  hostname: string;
  shardId: string;
  /** master / slave (no replicas here: always master). */
  role: 'master' | 'slave';
  masterId: string | null;
  configEpoch: number;
  pingSent: number;
  pongRecv: number;
  /** Slots this node serves (kept in step with ClusterState.slots). */
  slotCount: number;
}

export function randomId(): string {
  return randomBytes(20).toString('hex');
}

export class ClusterState {
  myself: ClusterNode;
  readonly nodes = new Map<string, ClusterNode>();
  /** Owner of each slot, null when unassigned. */
  readonly slots: (ClusterNode | null)[] = new Array<ClusterNode | null>(CLUSTER_SLOTS).fill(null);
  readonly migrating = new Map<number, ClusterNode>();
  readonly importing = new Map<number, ClusterNode>();
  currentEpoch = 0;
  lastVoteEpoch = 0;
  /** Keys of db 0 per slot; `indexed` counts them (-1: to rebuild). */
  private slotKeys: (Set<string> | undefined)[] = new Array<Set<string> | undefined>(CLUSTER_SLOTS);
  private indexed = 0;
  private savedText = '';

  constructor(private readonly server: Server) {
    this.myself = this.newNode(randomId());
    this.nodes.set(this.myself.id, this.myself);
  }

  newNode(id: string): ClusterNode {
    return { id, ip: '', port: 0, cport: 0, hostname: '', shardId: randomId(), role: 'master', masterId: null, configEpoch: 0, pingSent: 0, pongRecv: 0, slotCount: 0 };
  }

  // ---------------------------------------------------------------------------
  // Addresses
  // ---------------------------------------------------------------------------

  /** myself's client port: cluster-announce-port, else the bound port. */
  myPort(): number {
    return this.server.config.num('cluster-announce-port') || this.server.port || this.server.config.num('port');
  }

  myBusPort(): number {
    const cfg = this.server.config;
    return cfg.num('cluster-announce-bus-port') || cfg.num('cluster-port') || this.myPort() + 10000;
  }

  ipOf(n: ClusterNode): string {
    if (n === this.myself) return this.server.config.get('cluster-announce-ip') || n.ip;
    return n.ip;
  }

  portOf(n: ClusterNode): number {
    return n === this.myself ? this.myPort() : n.port;
  }

  cportOf(n: ClusterNode): number {
    return n === this.myself ? this.myBusPort() : n.cport;
  }

  hostnameOf(n: ClusterNode): string {
    return n === this.myself ? this.server.config.get('cluster-announce-hostname') : n.hostname;
  }

  /** The address clients are sent to (cluster-preferred-endpoint-type). */
  endpointOf(n: ClusterNode): string {
    const t = this.server.config.get('cluster-preferred-endpoint-type');
    if (t === 'hostname') return this.hostnameOf(n) || '?';
    if (t === 'unknown-endpoint') return '';
    return this.ipOf(n);
  }

  // ---------------------------------------------------------------------------
  // Slots
  // ---------------------------------------------------------------------------

  assign(slot: number, n: ClusterNode | null): void {
    const old = this.slots[slot];
    if (old === n) return;
    if (old !== null) old.slotCount--;
    if (n !== null) n.slotCount++;
    this.slots[slot] = n;
  }

  assignedCount(): number {
    let n = 0;
    for (const node of this.nodes.values()) n += node.slotCount;
    return n;
  }

  /** Masters serving at least one slot. */
  size(): number {
    let n = 0;
    for (const node of this.nodes.values()) if (node.role === 'master' && node.slotCount > 0) n++;
    return n;
  }

  dbZero(): Database {
    return this.server.dbs[0];
  }

  nodeTimeout(): number {
    return this.server.config.num('cluster-node-timeout');
  }

  allowPubsubshardWhenDown(): boolean {
    return this.server.config.bool('cluster-allow-pubsubshard-when-down');
  }

  allowReadsWhenDown(): boolean {
    return this.server.config.bool('cluster-allow-reads-when-down');
  }

  isOk(): boolean {
    if (this.server.config.bool('cluster-require-full-coverage') && this.assignedCount() !== CLUSTER_SLOTS) return false;
    return true;
  }

  /** [start, end] ranges of the slots served by `n`. */
  rangesOf(n: ClusterNode): [number, number][] {
    const out: [number, number][] = [];
    if (n.slotCount === 0) return out;
    let start = -1;
    for (let i = 0; i <= CLUSTER_SLOTS; i++) {
      const mine = i < CLUSTER_SLOTS && this.slots[i] === n;
      if (mine && start < 0) start = i;
      else if (!mine && start >= 0) {
        out.push([start, i - 1]);
        start = -1;
      }
    }
    return out;
  }

  /** Highest config epoch among known nodes. */
  maxEpoch(): number {
    let m = this.currentEpoch;
    for (const n of this.nodes.values()) if (n.configEpoch > m) m = n.configEpoch;
    return m;
  }

  // ---------------------------------------------------------------------------
  // CLUSTER NODES lines and the config file
  // ---------------------------------------------------------------------------

  /** One CLUSTER NODES line (forFile: the nodes.conf variant with aux fields). */
  describe(n: ClusterNode, forFile: boolean): string {
    const me = n === this.myself;
    let addr = `${this.ipOf(n)}:${this.portOf(n)}@${this.cportOf(n)}`;
    const host = this.hostnameOf(n);
    if (host !== '') addr += `,${host}`;
    if (forFile) addr += `${host === '' ? ',' : ''},tls-port=0,shard-id=${n.shardId}`;
    const flags = (me ? 'myself,' : '') + n.role;
    const pingSent = me ? 0 : n.pingSent;
    const pong = me ? 0 : n.pongRecv;
    let line = `${n.id} ${addr} ${flags} ${n.masterId ?? '-'} ${pingSent} ${pong} ${n.configEpoch} connected`;
    for (const [a, b] of this.rangesOf(n)) line += a === b ? ` ${a}` : ` ${a}-${b}`;
    if (me) {
      for (const [slot, to] of [...this.migrating].sort((x, y) => x[0] - y[0])) line += ` [${slot}->-${to.id}]`;
      for (const [slot, from] of [...this.importing].sort((x, y) => x[0] - y[0])) line += ` [${slot}-<-${from.id}]`;
    }
    return line;
  }

  /** Nodes in CLUSTER NODES order: others first... Redis walks its dict; we put known nodes by id, myself included. */
  orderedNodes(): ClusterNode[] {
    return [...this.nodes.values()];
  }

  nodesText(forFile: boolean): string {
    let out = '';
    for (const n of this.orderedNodes()) out += this.describe(n, forFile) + '\n';
    return out;
  }

  configPath(): string {
    const f = this.server.config.get('cluster-config-file') || 'nodes.conf';
    return isAbsolute(f) ? f : join(process.cwd(), f);
  }

  /** Write the config file when its contents changed (force: always). Returns an error text or null. */
  save(force = false): string | null {
    const text = this.nodesText(true) + `vars currentEpoch ${this.currentEpoch} lastVoteEpoch ${this.lastVoteEpoch}\n`;
    if (!force && text === this.savedText) return null;
    const path = this.configPath();
    try {
      writeFileSync(path + '.tmp-nodis', text);
      renameSync(path + '.tmp-nodis', path);
      this.savedText = text;
      return null;
    } catch (e) {
      this.server.log.warning(`Could not save the cluster config file ${path}: ${(e as Error).message}`);
      return (e as Error).message;
    }
  }

  /** Load the config file if it exists. Returns false when there was none; throws on a corrupt file. */
  load(): boolean {
    const path = this.configPath();
    if (!existsSync(path)) return false;
    const text = readFileSync(path, 'latin1');
    if (text.trim() === '') return false;
    const lines = text.split('\n');
    const pending: { n: ClusterNode; slots: string[] }[] = [];
    let me: ClusterNode | null = null;
    this.nodes.clear();
    for (const raw of lines) {
      const line = raw.trim();
      if (line === '') continue;
      const f = line.split(' ');
      if (f[0] === 'vars') {
        for (let i = 1; i + 1 < f.length; i += 2) {
          if (f[i] === 'currentEpoch') this.currentEpoch = Number(f[i + 1]) || 0;
          else if (f[i] === 'lastVoteEpoch') this.lastVoteEpoch = Number(f[i + 1]) || 0;
        }
        continue;
      }
      if (f.length < 8 || !/^[0-9a-f]{40}$/.test(f[0])) throw new Error(`Unrecoverable error: corrupted cluster config file "${line}".`);
      const n = this.newNode(f[0]);
      const parts = f[1].split(',');
      const m = /^(.*):(\d+)@(\d+)$/.exec(parts[0]);
      if (m === null) throw new Error(`Unrecoverable error: corrupted cluster config file "${line}".`);
      n.ip = m[1];
      n.port = Number(m[2]);
      n.cport = Number(m[3]);
      n.hostname = parts[1] ?? '';
      for (const aux of parts.slice(2)) {
        const eq = aux.indexOf('=');
        if (eq > 0 && aux.slice(0, eq) === 'shard-id') n.shardId = aux.slice(eq + 1);
      }
      const flags = f[2].split(',');
      if (flags.includes('slave')) n.role = 'slave';
      n.masterId = f[3] === '-' ? null : f[3];
      n.pingSent = Number(f[4]) || 0;
      n.pongRecv = Number(f[5]) || 0;
      n.configEpoch = Number(f[6]) || 0;
      this.nodes.set(n.id, n);
      if (flags.includes('myself')) me = n;
      pending.push({ n, slots: f.slice(8) });
    }
    if (me === null) throw new Error('Unrecoverable error: the cluster config file has no myself node.');
    this.myself = me;
    for (let i = 0; i < CLUSTER_SLOTS; i++) this.slots[i] = null;
    this.migrating.clear();
    this.importing.clear();
    for (const { n, slots } of pending) {
      for (const s of slots) {
        const open = /^\[(\d+)-([<>])-([0-9a-f]{40})\]$/.exec(s);
        if (open !== null) {
          const peer = this.nodes.get(open[3]);
          if (peer === undefined) continue;
          if (open[2] === '>') this.migrating.set(Number(open[1]), peer);
          else this.importing.set(Number(open[1]), peer);
          continue;
        }
        const dash = s.indexOf('-');
        const a = Number(dash < 0 ? s : s.slice(0, dash));
        const b = dash < 0 ? a : Number(s.slice(dash + 1));
        if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b >= CLUSTER_SLOTS) continue;
        for (let i = a; i <= b; i++) this.assign(i, n);
      }
    }
    this.savedText = text;
    return true;
  }

  // ---------------------------------------------------------------------------
  // Reset
  // ---------------------------------------------------------------------------

  reset(hard: boolean): void {
    for (let i = 0; i < CLUSTER_SLOTS; i++) this.assign(i, null);
    this.migrating.clear();
    this.importing.clear();
    for (const id of [...this.nodes.keys()]) if (id !== this.myself.id) this.nodes.delete(id);
    if (hard) {
      this.currentEpoch = 0;
      this.lastVoteEpoch = 0;
      this.myself.configEpoch = 0;
      this.nodes.delete(this.myself.id);
      this.myself.id = randomId();
      this.myself.shardId = randomId();
      this.nodes.set(this.myself.id, this.myself);
    }
  }

  // ---------------------------------------------------------------------------
  // Keys per slot (db 0)
  // ---------------------------------------------------------------------------

  /** A key of `db` may have been created or removed. */
  keyTouched(db: Database, key: string): void {
    if (db.id !== 0 || this.indexed < 0) return;
    const slot = keyHashSlot(key);
    let set = this.slotKeys[slot];
    if (db.dict.has(key)) {
      if (set === undefined) set = this.slotKeys[slot] = new Set();
      const before = set.size;
      set.add(key);
      this.indexed += set.size - before;
    } else if (set !== undefined && set.delete(key)) this.indexed--;
  }

  /** db 0 was emptied (or swapped): start over. */
  resetIndex(stale: boolean): void {
    this.slotKeys = new Array<Set<string> | undefined>(CLUSTER_SLOTS);
    this.indexed = stale ? -1 : 0;
  }

  /** The keys of one slot, the index rebuilt first if writes bypassed the hooks (loading). */
  keysInSlot(slot: number): Set<string> | undefined {
    const db = this.server.dbs[0];
    if (this.indexed !== db.dict.size) {
      this.resetIndex(false);
      for (const key of db.dict.keys()) {
        const s = keyHashSlot(key);
        let set = this.slotKeys[s];
        if (set === undefined) set = this.slotKeys[s] = new Set();
        set.add(key);
      }
      this.indexed = db.dict.size;
    }
    const set = this.slotKeys[slot];
    if (set === undefined) return undefined;
    // Drop what vanished without a hook (its count is then off: the next call rebuilds).
    for (const k of set) if (!db.dict.has(k)) set.delete(k);
    return set;
  }

  countKeysInSlot(slot: number): number {
    return this.keysInSlot(slot)?.size ?? 0;
  }
}

/** The cluster state of a server, or null when cluster-enabled is off. */
export function getCluster(server: Server): ClusterState | null {
  return (server.ext.cluster as ClusterState | undefined) ?? null;
}

/*
 * Server commands: INFO CONFIG COMMAND TIME LASTSAVE DEBUG SLOWLOG LATENCY
 * MEMORY SHUTDOWN MONITOR.
 */

import { usedMemory } from '../server/memory';
import { createHash } from 'node:crypto';
import * as os from 'node:os';
import type { Client } from '../server/client';
import type { Server } from '../server/server';
import { command, noParentHandler, keyPositions, type CommandDef } from './types';
import { COMMAND_TIPS, KEY_SPECS, type KeySpec } from './keyspecs';
import { E } from '../errors';
import { is, parseIntOrReply, redactArgs } from './util';
import { replyHelp, encodingOf } from './keyspace';
import { clientInfoString } from './connection';
import { ConfigError, REDIS_VERSION } from '../server/config';
import { globMatch } from '../util/glob';
import { parseDouble, parseInt64Num } from '../util/numbers';
import { isBuffer, isString, strOf, typeOf, type Value } from '../types/value';

// ----------------------------------------------------------------------------
// INFO
// ----------------------------------------------------------------------------

const DEFAULT_SECTIONS = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'module_list', 'errorstats', 'cluster', 'keyspace'];
const ALL_SECTIONS = [...DEFAULT_SECTIONS.slice(0, 7), 'module_list', 'commandstats', 'errorstats', 'latencystats', 'cluster', 'keyspace'];

function bytesHuman(n: number): string {
  if (n < 1024) return `${n}B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(2)}K`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(2)}M`;
  if (n < 1024 ** 4) return `${(n / 1024 ** 3).toFixed(2)}G`;
  return `${(n / 1024 ** 4).toFixed(2)}T`;
}

function sectionLines(srv: Server, name: string): string[] | null {
  const now = srv.clock.now();
  const st = srv.stats;
  switch (name) {
    case 'server': {
      const up = Math.floor((now - srv.startTime) / 1000);
      const d = srv.ext.configFile as string | undefined;
      return [
        `redis_version:${REDIS_VERSION}`,
        'redis_git_sha1:00000000',
        'redis_git_dirty:0',
        'redis_build_id:0',
        `redis_mode:${srv.config.bool('cluster-enabled') ? 'cluster' : 'standalone'}`,
        `os:${os.type()} ${os.release()} ${os.arch()}`,
        'arch_bits:64',
        'monotonic_clock:POSIX clock_gettime',
        'multiplexing_api:epoll',
        'atomicvar_api:c11-builtin',
        `gcc_version:0.0.0`,
        `process_id:${process.pid}`,
        'process_supervised:no',
        `run_id:${srv.runId}`,
        `tcp_port:${srv.tls.infoTcpPort()}`,
        `server_time_usec:${srv.clock.nowUs()}`,
        `uptime_in_seconds:${up}`,
        `uptime_in_days:${Math.floor(up / 86400)}`,
        `hz:${srv.config.num('hz')}`,
        `configured_hz:${srv.config.num('hz')}`,
        `lru_clock:${Math.floor(now / 1000) & 0xffffff}`,
        `executable:${process.argv[1] ?? ''}`,
        `config_file:${d ?? srv.config.file}`,
        'io_threads_active:0',
        ...srv.tls.listenerInfo(),
        `nodis_version:${REDIS_VERSION}`,
        `node_version:${process.version}`,
      ];
    }
    case 'clients': {
      let maxIn = 0;
      let maxOut = 0;
      let pubsub = 0;
      let watching = 0;
      for (const c of srv.clients.values()) {
        maxIn = Math.max(maxIn, c.parser.pending);
        maxOut = Math.max(maxOut, c.socket ? c.socket.writableLength : 0);
        if (c.subscriptionCount > 0 || c.shardChannels.size > 0) pubsub++;
        if (c.watched.length > 0) watching++;
      }
      let watchedKeys = 0;
      for (const db of srv.dbs) watchedKeys += db.watchedKeys.size;
      return [
        `connected_clients:${srv.clients.size}`,
        'cluster_connections:0',
        `maxclients:${srv.config.num('maxclients')}`,
        `client_recent_max_input_buffer:${maxIn}`,
        `client_recent_max_output_buffer:${maxOut}`,
        `blocked_clients:${srv.blockedClients}`,
        `tracking_clients:${(srv.ext.trackingClients as number | undefined) ?? 0}`,
        `pubsub_clients:${pubsub}`,
        `watching_clients:${watching}`,
        `clients_in_timeout_table:${srv.blockedClients}`,
        `total_watched_keys:${watchedKeys}`,
        `total_blocking_keys:${st.totalBlockingKeys}`,
        `total_blocking_keys_on_nokey:${(srv.ext.blockingKeysOnNokey as (() => number) | undefined)?.() ?? 0}`,
      ];
    }
    case 'memory': {
      const m = process.memoryUsage();
      const used = (srv.ext.usedMemory as (() => number) | undefined)?.() ?? usedMemory();
      const mb = (srv.ext.memoryBreakdown as (() => { clientsNormal: number; clientsReplicas: number; notCountedForEvict: number }) | undefined)?.();
      const maxmem = srv.config.num('maxmemory');
      const peak = Math.max((srv.ext.peakMemory as number | undefined) ?? 0, used);
      srv.ext.peakMemory = peak;
      const total = os.totalmem();
      return [
        `used_memory:${used}`,
        `used_memory_human:${bytesHuman(used)}`,
        `used_memory_rss:${m.rss}`,
        `used_memory_rss_human:${bytesHuman(m.rss)}`,
        `used_memory_peak:${peak}`,
        `used_memory_peak_human:${bytesHuman(peak)}`,
        `used_memory_peak_perc:${((used / peak) * 100).toFixed(2)}%`,
        `used_memory_overhead:${m.heapTotal - m.heapUsed}`,
        `used_memory_startup:0`,
        `used_memory_dataset:${m.heapUsed}`,
        `used_memory_dataset_perc:100.00%`,
        'allocator_allocated:' + m.heapUsed,
        'allocator_active:' + m.heapTotal,
        'allocator_resident:' + m.rss,
        `total_system_memory:${total}`,
        `total_system_memory_human:${bytesHuman(total)}`,
        'used_memory_lua:31744',
        'used_memory_vm_eval:31744',
        'used_memory_lua_human:31.00K',
        'used_memory_scripts_eval:0',
        'number_of_cached_scripts:' + ((srv.ext.cachedScripts as number | undefined) ?? 0),
        'number_of_functions:0',
        'number_of_libraries:0',
        'used_memory_vm_functions:32768',
        'used_memory_vm_total:64512',
        'used_memory_vm_total_human:63.00K',
        'used_memory_functions:0',
        'used_memory_scripts:0',
        'used_memory_scripts_human:0B',
        `maxmemory:${maxmem}`,
        `maxmemory_human:${bytesHuman(maxmem)}`,
        `maxmemory_policy:${srv.config.get('maxmemory-policy')}`,
        'allocator_frag_ratio:1.00',
        'allocator_frag_bytes:0',
        'allocator_rss_ratio:1.00',
        'allocator_rss_bytes:0',
        'rss_overhead_ratio:1.00',
        'rss_overhead_bytes:0',
        `mem_fragmentation_ratio:${(m.rss / Math.max(1, used)).toFixed(2)}`,
        `mem_fragmentation_bytes:${m.rss - used}`,
        `mem_not_counted_for_evict:${mb?.notCountedForEvict ?? 0}`,
        'mem_replication_backlog:0',
        'mem_total_replication_buffers:0',
        `mem_clients_slaves:${mb?.clientsReplicas ?? 0}`,
        `mem_clients_normal:${mb?.clientsNormal ?? 0}`,
        'mem_cluster_links:0',
        'mem_aof_buffer:0',
        'mem_allocator:v8',
        'active_defrag_running:0',
        'lazyfree_pending_objects:0',
        `lazyfreed_objects:${srv.stats.lazyfreedObjects}`,
      ];
    }
    case 'persistence': {
      const p = srv.ext.persistenceInfo as (() => string[]) | undefined;
      if (p) return p();
      return [
        'loading:0',
        'async_loading:0',
        'current_cow_peak:0',
        'current_cow_size:0',
        'current_cow_size_age:0',
        'current_fork_perc:0.00',
        'current_save_keys_processed:0',
        'current_save_keys_total:0',
        `rdb_changes_since_last_save:${srv.dirty}`,
        'rdb_bgsave_in_progress:0',
        `rdb_last_save_time:${srv.lastSave}`,
        'rdb_last_bgsave_status:ok',
        'rdb_last_bgsave_time_sec:-1',
        'rdb_current_bgsave_time_sec:-1',
        'rdb_saves:0',
        'rdb_last_cow_size:0',
        'rdb_last_load_keys_expired:0',
        'rdb_last_load_keys_loaded:0',
        `aof_enabled:${srv.config.bool('appendonly') ? 1 : 0}`,
        'aof_rewrite_in_progress:0',
        'aof_rewrite_scheduled:0',
        'aof_last_rewrite_time_sec:-1',
        'aof_current_rewrite_time_sec:-1',
        'aof_last_bgrewrite_status:ok',
        'aof_rewrites:0',
        'aof_rewrites_consecutive_failures:0',
        'aof_last_write_status:ok',
        'aof_last_cow_size:0',
        'module_fork_in_progress:0',
        'module_fork_last_cow_size:0',
      ];
    }
    case 'stats': {
      const up = Math.max(1, (now - srv.startTime) / 1000);
      let pubsubPatterns = 0;
      for (const s of srv.pubsubPatterns.values()) pubsubPatterns += s.size > 0 ? 1 : 0;
      return [
        `total_connections_received:${st.connectionsReceived}`,
        `total_commands_processed:${st.commandsProcessed}`,
        `instantaneous_ops_per_sec:${Math.round(srv.instantaneous('ops'))}`,
        `total_net_input_bytes:${st.netInputBytes}`,
        `total_net_output_bytes:${st.netOutputBytes}`,
        'total_net_repl_input_bytes:0',
        'total_net_repl_output_bytes:0',
        `instantaneous_input_kbps:${(srv.instantaneous('net_input') / 1024).toFixed(2)}`,
        `instantaneous_output_kbps:${(srv.instantaneous('net_output') / 1024).toFixed(2)}`,
        'instantaneous_input_repl_kbps:0.00',
        'instantaneous_output_repl_kbps:0.00',
        `rejected_connections:${st.rejectedConn}`,
        'sync_full:0',
        'sync_partial_ok:0',
        'sync_partial_err:0',
        `expired_keys:${st.expiredKeys}`,
        `expired_stale_perc:${(st.expiredStalePerc * 100).toFixed(2)}`,
        `expired_time_cap_reached_count:${st.expiredTimeCapReached}`,
        `expire_cycle_cpu_milliseconds:${Math.round(st.expireCycleCpuMs)}`,
        `evicted_keys:${st.evictedKeys}`,
        `evicted_clients:${(srv.stats as unknown as Record<string, number>).evictedClients ?? 0}`,
        'total_eviction_exceeded_time:0',
        'current_eviction_exceeded_time:0',
        `keyspace_hits:${st.keyspaceHits}`,
        `keyspace_misses:${st.keyspaceMisses}`,
        `pubsub_channels:${srv.pubsubChannels.size}`,
        `pubsub_patterns:${pubsubPatterns}`,
        `pubsubshard_channels:${srv.pubsubShardChannels.size}`,
        `latest_fork_usec:${(srv.ext.latestForkUsec as (() => number) | undefined)?.() ?? 0}`,
        `total_forks:${(srv.ext.totalForks as (() => number) | undefined)?.() ?? 0}`,
        `migrate_cached_sockets:${(srv.ext.migrateCachedSockets as (() => number) | undefined)?.() ?? 0}`,
        'slave_expires_tracked_keys:0',
        'active_defrag_hits:0',
        'active_defrag_misses:0',
        'active_defrag_key_hits:0',
        'active_defrag_key_misses:0',
        'total_active_defrag_time:0',
        'current_active_defrag_time:0',
        `tracking_total_keys:${(srv.ext.trackingKeys as number | undefined) ?? 0}`,
        `tracking_total_items:${(srv.ext.trackingItems as number | undefined) ?? 0}`,
        `tracking_total_prefixes:${(srv.ext.trackingPrefixes as number | undefined) ?? 0}`,
        'unexpected_error_replies:0',
        `total_error_replies:${st.totalErrorReplies}`,
        `dump_payload_sanitizations:${st.dumpPayloadSanitizations}`,
        `total_reads_processed:${st.totalReadsProcessed}`,
        `total_writes_processed:${st.totalWritesProcessed}`,
        'io_threaded_reads_processed:0',
        'io_threaded_writes_processed:0',
        `client_query_buffer_limit_disconnections:${st.clientQbufLimitDisconnections}`,
        `client_output_buffer_limit_disconnections:${st.clientOutbufLimitDisconnections}`,
        'reply_buffer_shrinks:0',
        'reply_buffer_expands:0',
        `eventloop_cycles:${st.eventloopCycles}`,
        `eventloop_duration_sum:${Math.round(st.eventloopUs)}`,
        `eventloop_duration_cmd_sum:${Math.round(st.eventloopCmdUs)}`,
        `instantaneous_eventloop_cycles_per_sec:${Math.round(srv.instantaneous('el_cycles'))}`,
        `instantaneous_eventloop_duration_usec:${Math.round(srv.instantaneous('el_cycles') > 0 ? srv.instantaneous('el_us') / srv.instantaneous('el_cycles') : 0)}`,
        'acl_access_denied_auth:' + ((srv.ext.aclDeniedAuth as number | undefined) ?? 0),
        'acl_access_denied_cmd:' + ((srv.ext.aclDeniedCmd as number | undefined) ?? 0),
        'acl_access_denied_key:' + ((srv.ext.aclDeniedKey as number | undefined) ?? 0),
        'acl_access_denied_channel:' + ((srv.ext.aclDeniedChannel as number | undefined) ?? 0),
      ];
    }
    case 'replication': {
      const r = srv.ext.replicationInfo as (() => string[]) | undefined;
      if (r) return r();
      return [
        'role:master',
        'connected_slaves:0',
        'master_failover_state:no-failover',
        `master_replid:${srv.runId}`,
        'master_replid2:0000000000000000000000000000000000000000',
        'master_repl_offset:0',
        'second_repl_offset:-1',
        'repl_backlog_active:0',
        `repl_backlog_size:${srv.config.num('repl-backlog-size')}`,
        'repl_backlog_first_byte_offset:0',
        'repl_backlog_histlen:0',
      ];
    }
    case 'cpu': {
      const u = process.cpuUsage();
      return [
        `used_cpu_sys:${(u.system / 1e6).toFixed(6)}`,
        `used_cpu_user:${(u.user / 1e6).toFixed(6)}`,
        'used_cpu_sys_children:0.000000',
        'used_cpu_user_children:0.000000',
        `used_cpu_sys_main_thread:${(u.system / 1e6).toFixed(6)}`,
        `used_cpu_user_main_thread:${(u.user / 1e6).toFixed(6)}`,
      ];
    }
    case 'module_list':
    case 'modules':
      return [];
    case 'commandstats': {
      const out: string[] = [];
      const visit = (d: CommandDef) => {
        if (d.calls > 0 || d.rejectedCalls > 0 || d.failedCalls > 0) {
          out.push(
            `cmdstat_${d.name}:calls=${d.calls},usec=${Math.round(d.usec)},usec_per_call=${(d.calls ? d.usec / d.calls : 0).toFixed(2)},rejected_calls=${d.rejectedCalls},failed_calls=${d.failedCalls}`,
          );
        }
        if (d.subcommands) for (const s of d.subcommands.values()) visit(s);
      };
      for (const d of srv.commands.values()) visit(d);
      return out;
    }
    case 'errorstats': {
      const out: string[] = [];
      for (const [code, n] of [...st.errorCodes].sort()) out.push(`errorstat_${code}:count=${n}`);
      return out;
    }
    case 'latencystats': {
      const out: string[] = [];
      if (!srv.config.bool('latency-tracking')) return out;
      const visit = (d: CommandDef) => {
        if (d.calls > 0) {
          const per = d.usec / d.calls;
          const v = per.toFixed(3);
          const pcts = srv.config.get('latency-tracking-info-percentiles').split(' ').filter(Boolean);
          out.push(`latency_percentiles_usec_${d.name}:${pcts.map((p) => `p${p}=${v}`).join(',')}`);
        }
        if (d.subcommands) for (const s of d.subcommands.values()) visit(s);
      };
      for (const d of srv.commands.values()) visit(d);
      return out;
    }
    case 'cluster':
      return [`cluster_enabled:${srv.config.bool('cluster-enabled') ? 1 : 0}`];
    case 'debug': {
      const d = srv.debugStats;
      return [
        `eventloop_duration_aof_sum:${Math.round(d.aofUs)}`,
        `eventloop_duration_cron_sum:${Math.max(1, Math.round(d.cronUs))}`,
        `eventloop_duration_max:${Math.max(1, Math.round(d.maxCycleUs))}`,
        `eventloop_cmd_per_cycle_max:${d.maxCmdsPerCycle}`,
      ];
    }
    case 'keyspace': {
      const out: string[] = [];
      for (const db of srv.dbs) {
        if (db.size === 0) continue;
        out.push(`db${db.id}:keys=${db.size},expires=${db.expires.size},avg_ttl=${Math.round(db.avgTtl)}`);
      }
      return out;
    }
    default: {
      const p = srv.infoProviders.get(name);
      return p ? p() : null;
    }
  }
}

const SECTION_TITLES: Record<string, string> = {
  server: 'Server', clients: 'Clients', memory: 'Memory', persistence: 'Persistence', stats: 'Stats',
  replication: 'Replication', cpu: 'CPU', module_list: 'Modules', modules: 'Modules', commandstats: 'Commandstats',
  errorstats: 'Errorstats', latencystats: 'Latencystats', cluster: 'Cluster', keyspace: 'Keyspace', debug: 'Debug',
};

/** The INFO text for the requested sections (default set when none). */
export function genInfo(srv: Server, requested: string[]): string {
  let sections: string[];
  if (requested.length === 0) sections = DEFAULT_SECTIONS;
  else {
    const set = new Set<string>();
    for (const r of requested.map((s) => s.toLowerCase())) {
      if (r === 'all') ALL_SECTIONS.forEach((s) => set.add(s));
      else if (r === 'everything') [...ALL_SECTIONS, ...srv.infoProviders.keys()].forEach((s) => set.add(s));
      else if (r === 'default') DEFAULT_SECTIONS.forEach((s) => set.add(s));
      else set.add(r);
    }
    const order = [...ALL_SECTIONS, ...srv.infoProviders.keys()];
    sections = [...set].sort((a, b) => {
      const ia = order.indexOf(a);
      const ib = order.indexOf(b);
      return (ia < 0 ? 999 : ia) - (ib < 0 ? 999 : ib);
    });
  }
  const parts: string[] = [];
  for (const s of sections) {
    const lines = sectionLines(srv, s);
    if (lines === null) continue;
    const title = SECTION_TITLES[s] ?? s.charAt(0).toUpperCase() + s.slice(1);
    parts.push(`# ${title}\r\n` + lines.map((l) => l + '\r\n').join(''));
  }
  return parts.join('\r\n');
}

/* INFO [section [section ...]] */
function infoCommand(c: Client, args: string[]): void {
  c.w.verbatim(genInfo(c.server, args.slice(1)));
}

// ----------------------------------------------------------------------------
// CONFIG
// ----------------------------------------------------------------------------

/* CONFIG GET parameter [parameter ...] */
function configGetCommand(c: Client, args: string[]): void {
  const pairs = c.server.config.getMatching(args.slice(2));
  c.w.mapHeader(pairs.length);
  for (const [k, v] of pairs) {
    c.w.bulk(k);
    c.w.bulk(v);
  }
}

/* CONFIG SET parameter value [parameter value ...] */
function configSetCommand(c: Client, args: string[]): void {
  if (args.length % 2 !== 0) {
    c.w.error(E.WRONG_ARITY('config|set'));
    return;
  }
  const pairs: [string, string][] = [];
  const loading = (c.server.ext.persistence as { loading?: boolean } | undefined)?.loading === true;
  for (let i = 2; i < args.length; i += 2) {
    if (loading && DENY_LOADING_CONFIGS.has(args[i].toLowerCase())) {
      c.w.error('LOADING Redis is loading the dataset in memory');
      return;
    }
    pairs.push([args[i], args[i + 1]]);
    const n = args[i].toLowerCase();
    if (n === 'masterauth' || n === 'requirepass' || n === 'masteruser') redactArgs(c, i + 1, i + 2);
  }
  try {
    c.server.config.setMany(pairs, allowProtectedAction(c, c.server.config.get('enable-protected-configs')));
  } catch (e) {
    if (e instanceof ConfigError) {
      c.w.error(e.message);
      return;
    }
    throw e;
  }
  c.w.ok();
}

/** Parameters that cannot change while a dataset is loading. */
const DENY_LOADING_CONFIGS = new Set(['dir', 'appendonly', 'dbfilename', 'appenddirname']);

/**
 * May `c` do a protected action under a yes/no/local setting
 * (enable-protected-configs, enable-debug-command, enable-module-command)?
 */
export function allowProtectedAction(c: Client, setting: string): boolean {
  if (setting === 'yes') return true;
  if (setting === 'local') {
    if (c.fake || c.unix) return true;
    const a = c.addr.slice(0, c.addr.lastIndexOf(':'));
    return a.startsWith('127.') || a === '::1' || a === '[::1]';
  }
  return false;
}

/* CONFIG RESETSTAT */
function configResetstatCommand(c: Client): void {
  const srv = c.server;
  const keepConn = srv.stats.connectionsReceived;
  resetStats(srv);
  void keepConn;
  c.w.ok();
}

export function resetStats(srv: Server): void {
  const fresh = srv.stats;
  for (const k of Object.keys(fresh) as (keyof typeof fresh)[]) {
    if (k === 'errorCodes') fresh.errorCodes = new Map();
    else (fresh as unknown as Record<string, number>)[k] = 0;
  }
  const visit = (d: CommandDef) => {
    d.calls = 0;
    d.usec = 0;
    d.rejectedCalls = 0;
    d.failedCalls = 0;
    if (d.subcommands) for (const s of d.subcommands.values()) visit(s);
  };
  for (const d of srv.commands.values()) visit(d);
  srv.slowlog = [];
  srv.instSamples.clear();
  for (const k of ['aclDeniedAuth', 'aclDeniedCmd', 'aclDeniedKey', 'aclDeniedChannel']) if (k in srv.ext) srv.ext[k] = 0;
}

/* CONFIG REWRITE */
function configRewriteCommand(c: Client): void {
  try {
    c.server.config.rewrite();
  } catch (e) {
    c.w.error(e instanceof ConfigError ? e.message : `ERR Rewriting config file: ${(e as Error).message}`);
    return;
  }
  c.w.ok();
}

function configHelpCommand(c: Client): void {
  replyHelp(c, 'CONFIG', [
    'GET <pattern>',
    '    Return parameters matching the glob-like <pattern> and their values.',
    'SET <directive> <value>',
    '    Set the configuration <directive> to <value>.',
    'RESETSTAT',
    '    Reset statistics reported by the INFO command.',
    'REWRITE',
    '    Rewrite the configuration file.',
  ]);
}

// ----------------------------------------------------------------------------
// COMMAND
// ----------------------------------------------------------------------------

/**
 * The key specs of a command: Redis's where the command is one of Redis's,
 * otherwise one derived from its legacy key positions.
 */
function keySpecsOf(d: CommandDef): KeySpec[] {
  const known = KEY_SPECS[d.name];
  if (known !== undefined) return known;
  if (d.firstKey <= 0) return [];
  const flags = d.flags.has('write') ? 'RW access update' : 'RO access';
  return [[flags, ['i', d.firstKey], ['r', d.lastKey < 0 ? d.lastKey : d.lastKey - d.firstKey, d.step, 0]]];
}

/**
 * Keys of a command found through its key specs, with each key's flags, as
 * Redis does when the specs are complete: null when a spec cannot be used
 * (unknown, incomplete, or pointing outside the arguments).
 */
function keysFromSpecs(specs: KeySpec[], args: string[]): { pos: number[]; flags: string[] } | null {
  const argc = args.length;
  const pos: number[] = [];
  const flags: string[] = [];
  for (const [fl, bs, fk] of specs) {
    let first: number;
    if (bs[0] === 'i') first = bs[1];
    else if (bs[0] === 'k') {
      const kw = bs[1].toLowerCase();
      first = 0;
      if (bs[2] > 0) {
        for (let i = bs[2]; i < argc; i++) if (args[i].toLowerCase() === kw) { first = i + 1; break; }
      } else {
        for (let i = argc + bs[2]; i >= 1 && i < argc; i--) if (args[i].toLowerCase() === kw) { first = i + 1; break; }
      }
      if (first === 0) continue; // keyword absent: this spec has no keys
    } else return null;
    let last: number;
    let step: number;
    if (fk[0] === 'r') {
      step = fk[2];
      if (fk[1] >= 0) last = first + fk[1];
      else if (fk[3] === 0) last = argc + fk[1];
      else last = first + Math.floor((argc - first) / fk[3]) + fk[1];
    } else if (fk[0] === 'n') {
      step = fk[3];
      if (fk[1] >= argc) return null;
      const num = /^-?[0-9]+$/.test(args[first + fk[1]] ?? '') ? Number(args[first + fk[1]]) : -1;
      if (num < 0) return null;
      first += fk[2];
      last = first + num - 1;
    } else return null;
    if (last >= argc || last < first || first >= argc) return null;
    for (let i = first; i <= last; i += step) {
      pos.push(i);
      flags.push(fl);
    }
    if (fl.includes('incomplete')) return null;
  }
  return { pos, flags };
}

/** Whether a BITFIELD only reads (GET and OVERFLOW operations, well formed). */
function bitfieldReadonly(args: string[]): boolean {
  for (let i = 2; i < args.length; i++) {
    const rem = args.length - i - 1;
    const a = args[i].toLowerCase();
    if (a === 'get' && rem >= 2) i += 2;
    else if (a === 'overflow' && rem >= 1) i += 1;
    else return false;
  }
  return true;
}

/**
 * The keys of a command line and their flags, as COMMAND GETKEYSANDFLAGS
 * reports them: through the key specs when they suffice, otherwise through the
 * command's own key finder, whose flags are those Redis's finders give.
 */
function keysAndFlags(d: CommandDef, args: string[]): { pos: number[]; flags: string[] } {
  const specs = KEY_SPECS[d.name];
  if (specs !== undefined && !specs.some((s) => s[0].includes('variable_flags'))) {
    const r = keysFromSpecs(specs, args);
    if (r !== null) return r;
    // A key count out of range: Redis's key finders then find no key at all.
    if (specs.some((s) => s[2][0] === 'n')) return { pos: [], flags: [] };
  }
  const pos = keyPositions(d, args);
  let flags: string[];
  if (d.name === 'set') flags = pos.map(() => (args.slice(3).some((a) => a.toLowerCase() === 'get') ? 'RW access update' : 'OW update'));
  else if (d.name === 'bitfield') flags = pos.map(() => (bitfieldReadonly(args) ? 'RO access' : 'RW access update'));
  else if (d.name === 'migrate') flags = pos.map(() => 'RW access delete');
  else if (d.name === 'sort' || d.name === 'sort_ro') flags = pos.map((p, i) => (i === 0 ? 'RO access' : 'OW update'));
  else {
    const own = keySpecsOf(d);
    flags = pos.map(() => (own.length ? own[0][0] : d.flags.has('write') ? 'RW access update' : 'RO access'));
  }
  return { pos, flags };
}

function replyCommandInfo(c: Client, d: CommandDef): void {
  const w = c.w;
  w.arrayHeader(10);
  w.bulk(d.name);
  w.int(d.arity);
  const flags = [...d.flags];
  w.setHeader(flags.length);
  for (const f of flags) w.simple(f);
  w.int(d.firstKey);
  w.int(d.lastKey);
  w.int(d.step);
  w.setHeader(d.categories.length);
  for (const cat of d.categories) w.simple('@' + cat);
  const tips = COMMAND_TIPS[d.name] ?? [];
  w.arrayHeader(tips.length);
  for (const t of tips) w.bulk(t);
  const specs = keySpecsOf(d);
  w.arrayHeader(specs.length);
  for (const [flags, bs, fk] of specs) {
    w.mapHeader(3);
    w.bulk('flags');
    const fl = flags.split(' ');
    w.setHeader(fl.length);
    for (const f of fl) w.simple(f);
    w.bulk('begin_search');
    w.mapHeader(2);
    w.bulk('type');
    if (bs[0] === 'i') {
      w.bulk('index');
      w.bulk('spec');
      w.mapHeader(1);
      w.bulk('index');
      w.int(bs[1]);
    } else if (bs[0] === 'k') {
      w.bulk('keyword');
      w.bulk('spec');
      w.mapHeader(2);
      w.bulk('keyword');
      w.bulk(bs[1]);
      w.bulk('startfrom');
      w.int(bs[2]);
    } else {
      w.bulk('unknown');
      w.bulk('spec');
      w.mapHeader(0);
    }
    w.bulk('find_keys');
    w.mapHeader(2);
    w.bulk('type');
    if (fk[0] === 'r') {
      w.bulk('range');
      w.bulk('spec');
      w.mapHeader(3);
      w.bulk('lastkey');
      w.int(fk[1]);
      w.bulk('keystep');
      w.int(fk[2]);
      w.bulk('limit');
      w.int(fk[3]);
    } else if (fk[0] === 'n') {
      w.bulk('keynum');
      w.bulk('spec');
      w.mapHeader(3);
      w.bulk('keynumidx');
      w.int(fk[1]);
      w.bulk('firstkey');
      w.int(fk[2]);
      w.bulk('keystep');
      w.int(fk[3]);
    } else {
      w.bulk('unknown');
      w.bulk('spec');
      w.mapHeader(0);
    }
  }
  const subs = d.subcommands ? [...d.subcommands.values()] : [];
  w.arrayHeader(subs.length);
  for (const s of subs) replyCommandInfo(c, s);
}

function lookupByName(srv: Server, name: string): CommandDef | undefined {
  const l = name.toLowerCase();
  const bar = l.indexOf('|');
  if (bar < 0) return srv.commands.get(l);
  return srv.commands.get(l.slice(0, bar))?.subcommands?.get(l.slice(bar + 1));
}

/* COMMAND */
function commandCommand(c: Client): void {
  c.w.arrayHeader(c.server.commands.size);
  for (const d of c.server.commands.values()) replyCommandInfo(c, d);
}

/* COMMAND COUNT */
function commandCountCommand(c: Client): void {
  c.w.int(c.server.commands.size);
}

/* COMMAND INFO [command-name ...] */
function commandInfoCommand(c: Client, args: string[]): void {
  if (args.length === 2) return commandCommand(c);
  c.w.arrayHeader(args.length - 2);
  for (let i = 2; i < args.length; i++) {
    const d = lookupByName(c.server, args[i]);
    if (d) replyCommandInfo(c, d);
    else c.w.nullArray();
  }
}

/* COMMAND DOCS [command-name ...] */
function commandDocsCommand(c: Client, args: string[]): void {
  const list: CommandDef[] = [];
  if (args.length === 2) list.push(...c.server.commands.values());
  else for (let i = 2; i < args.length; i++) {
    const d = lookupByName(c.server, args[i]);
    if (d) list.push(d);
  }
  c.w.mapHeader(list.length);
  for (const d of list) replyDocs(c, d);
}

function replyDocs(c: Client, d: CommandDef): void {
  c.w.bulk(d.name);
  const subs = d.subcommands ? [...d.subcommands.values()] : [];
  c.w.mapHeader(subs.length ? 5 : 4);
  c.w.bulk('summary');
  c.w.bulk(d.summary);
  c.w.bulk('since');
  c.w.bulk(d.since);
  c.w.bulk('group');
  c.w.bulk(d.group);
  c.w.bulk('complexity');
  c.w.bulk('');
  if (subs.length) {
    c.w.bulk('subcommands');
    c.w.mapHeader(subs.length);
    for (const s of subs) replyDocs(c, s);
  }
}

/* COMMAND LIST [FILTERBY MODULE module-name | ACLCAT category | PATTERN pattern] */
function commandListCommand(c: Client, args: string[]): void {
  let filter: ((d: CommandDef) => boolean) | null = null;
  if (args.length === 5 && is(args[2], 'filterby')) {
    const kind = args[3].toLowerCase();
    const v = args[4];
    if (kind === 'module') filter = () => false;
    else if (kind === 'aclcat') filter = (d) => d.categories.includes(v.toLowerCase());
    else if (kind === 'pattern') filter = (d) => globMatch(v, d.name, true);
    else {
      c.w.error(E.SYNTAX);
      return;
    }
  } else if (args.length !== 2) {
    c.w.error(E.SYNTAX);
    return;
  }
  const out: string[] = [];
  for (const d of c.server.commands.values()) {
    if (!filter || filter(d)) out.push(d.name);
    if (d.subcommands) for (const s of d.subcommands.values()) if (!filter || filter(s)) out.push(s.name);
  }
  c.w.bulkArray(out);
}

function getKeysOrReply(c: Client, args: string[]): { pos: number[]; flags: string[] } | null {
  const cmdArgs = args.slice(2);
  const def = c.server.lookupCommand(cmdArgs);
  if (!def) {
    c.w.error('ERR Invalid command specified');
    return null;
  }
  if (!def.getKeys && def.firstKey === 0 && keySpecsOf(def).length === 0) {
    c.w.error('ERR The command has no key arguments');
    return null;
  }
  if ((def.arity > 0 && cmdArgs.length !== def.arity) || cmdArgs.length < -def.arity) {
    c.w.error('ERR Invalid number of arguments specified for command');
    return null;
  }
  const r = keysAndFlags(def, cmdArgs);
  if (r.pos.length === 0 && !def.flags.has('no_mandatory_keys')) {
    c.w.error('ERR Invalid arguments specified for command');
    return null;
  }
  return r;
}

/* COMMAND GETKEYS command [arg ...] */
function commandGetkeysCommand(c: Client, args: string[]): void {
  const r = getKeysOrReply(c, args);
  if (!r) return;
  c.w.bulkArray(r.pos.map((i) => args[i + 2]));
}

/* COMMAND GETKEYSANDFLAGS command [arg ...] */
function commandGetkeysandflagsCommand(c: Client, args: string[]): void {
  const r = getKeysOrReply(c, args);
  if (!r) return;
  c.w.arrayHeader(r.pos.length);
  for (let k = 0; k < r.pos.length; k++) {
    c.w.arrayHeader(2);
    c.w.bulk(args[r.pos[k] + 2]);
    const flags = r.flags[k].split(' ');
    c.w.setHeader(flags.length);
    for (const f of flags) c.w.simple(f);
  }
}

function commandHelpCommand(c: Client): void {
  replyHelp(c, 'COMMAND', [
    '(no subcommand)',
    '    Return details about all Redis commands.',
    'COUNT',
    '    Return the total number of commands in this Redis server.',
    'LIST',
    '    Return a list of all commands in this Redis server.',
    'INFO [<command-name> ...]',
    '    Return details about multiple Redis commands.',
    '    If no command names are given, documentation details for all',
    '    commands are returned.',
    'DOCS [<command-name> ...]',
    '    Return documentation details about multiple Redis commands.',
    '    If no command names are given, documentation details for all',
    '    commands are returned.',
    'GETKEYS <full-command>',
    '    Return the keys from a full Redis command.',
    'GETKEYSANDFLAGS <full-command>',
    '    Return the keys and the access flags from a full Redis command.',
  ]);
}

// ----------------------------------------------------------------------------
// TIME, LASTSAVE, MONITOR, SHUTDOWN
// ----------------------------------------------------------------------------

/* TIME */
function timeCommand(c: Client): void {
  // Inside a script or a transaction time stands still, as in Redis: use the command's cached time.
  const us = c.fake || c.inExec ? c.server.clock.now() * 1000 : c.server.clock.nowUs();
  c.w.arrayHeader(2);
  c.w.bulk(String(Math.floor(us / 1e6)));
  c.w.bulk(String(us % 1e6));
}

/* LASTSAVE */
function lastsaveCommand(c: Client): void {
  c.w.int(c.server.lastSave);
}

/* MONITOR */
function monitorCommand(c: Client): void {
  if (c.monitor) return;
  c.monitor = true;
  c.server.monitors.add(c);
  c.w.ok();
}

/* SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT] */
function shutdownCommand(c: Client, args: string[]): void {
  const flags = { save: false, nosave: false, force: false, now: false, abort: false };
  for (let i = 1; i < args.length; i++) {
    const o = args[i].toLowerCase();
    if (o === 'nosave') flags.nosave = true;
    else if (o === 'save') flags.save = true;
    else if (o === 'now') flags.now = true;
    else if (o === 'force') flags.force = true;
    else if (o === 'abort') flags.abort = true;
    else {
      c.w.error(E.SYNTAX);
      return;
    }
  }
  if ((flags.abort && args.length !== 2) || (flags.save && flags.nosave)) {
    c.w.error(E.SYNTAX);
    return;
  }
  if (flags.abort) {
    // A shutdown a signal scheduled (src/cli.ts) can still be cancelled.
    if (c.server.ext.pendingShutdown === undefined) {
      c.w.error('ERR No shutdown in progress.');
      return;
    }
    c.server.ext.pendingShutdown = undefined;
    c.server.log.notice('Shutdown manually aborted.');
    c.w.ok();
    return;
  }
  const err = c.server.shutdown(flags);
  if (err) c.w.error(err);
}

// ----------------------------------------------------------------------------
// SLOWLOG, LATENCY
// ----------------------------------------------------------------------------

/* SLOWLOG GET [count] */
function slowlogGetCommand(c: Client, args: string[]): void {
  let n = 10;
  if (args.length === 3) {
    const v = parseInt64Num(args[2]);
    if (v === null || v < -1) {
      c.w.error('ERR count should be greater than or equal to -1');
      return;
    }
    n = v === -1 ? Infinity : v;
  }
  const list = c.server.slowlog.slice(0, n);
  c.w.arrayHeader(list.length);
  for (const e of list) {
    c.w.arrayHeader(6);
    c.w.int(e.id);
    c.w.int(e.time);
    c.w.int(e.duration);
    c.w.bulkArray(e.args);
    c.w.bulk(e.addr);
    c.w.bulk(e.name);
  }
}

function slowlogHelpCommand(c: Client): void {
  replyHelp(c, 'SLOWLOG', [
    'GET [<count>]',
    '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
    '    Entries are made of:',
    '    id, timestamp, time in microseconds, arguments array, client IP and port,',
    '    client name',
    'LEN',
    '    Return the length of the slowlog.',
    'RESET',
    '    Reset the slowlog.',
  ]);
}

/* LATENCY LATEST */
function latencyLatestCommand(c: Client): void {
  const ev = c.server.latencyEvents;
  c.w.arrayHeader(ev.size);
  for (const [name, samples] of ev) {
    const last = samples[samples.length - 1];
    const max = Math.max(...samples.map((s) => s.latency));
    c.w.arrayHeader(4);
    c.w.bulk(name);
    c.w.int(last.time);
    c.w.int(last.latency);
    c.w.int(max);
  }
}

/* LATENCY HISTORY event */
function latencyHistoryCommand(c: Client, args: string[]): void {
  const samples = c.server.latencyEvents.get(args[2]) ?? [];
  c.w.arrayHeader(samples.length);
  for (const s of samples) {
    c.w.arrayHeader(2);
    c.w.int(s.time);
    c.w.int(s.latency);
  }
}

/* LATENCY RESET [event ...] */
function latencyResetCommand(c: Client, args: string[]): void {
  const ev = c.server.latencyEvents;
  let n = 0;
  if (args.length === 2) {
    n = ev.size;
    ev.clear();
  } else for (let i = 2; i < args.length; i++) if (ev.delete(args[i])) n++;
  c.w.int(n);
}

/* LATENCY HISTOGRAM [command ...] */
function latencyHistogramCommand(c: Client, args: string[]): void {
  const list: CommandDef[] = [];
  const add = (d: CommandDef) => {
    if (d.calls > 0) list.push(d);
  };
  if (args.length === 2) {
    for (const d of c.server.commands.values()) {
      add(d);
      if (d.subcommands) for (const s of d.subcommands.values()) add(s);
    }
  } else for (let i = 2; i < args.length; i++) {
    const d = lookupByName(c.server, args[i]);
    if (!d) continue;
    if (d.subcommands && !args[i].includes('|')) for (const s of d.subcommands.values()) add(s);
    else add(d);
  }
  c.w.mapHeader(list.length);
  for (const d of list) {
    c.w.bulk(d.name);
    c.w.mapHeader(2);
    c.w.bulk('calls');
    c.w.int(d.calls);
    c.w.bulk('histogram_usec');
    const per = Math.max(1, Math.round(d.usec / d.calls));
    let bucket = 1;
    while (bucket < per) bucket *= 2;
    c.w.mapHeader(1);
    c.w.int(bucket);
    c.w.int(d.calls);
  }
}

/* LATENCY GRAPH event */
function latencyGraphCommand(c: Client, args: string[]): void {
  const samples = c.server.latencyEvents.get(args[2]);
  if (!samples || samples.length === 0) {
    c.w.error(`ERR No samples available for event '${args[2]}'`);
    return;
  }
  const max = Math.max(...samples.map((s) => s.latency));
  const min = Math.min(...samples.map((s) => s.latency));
  const all = c.server.latencyMax.get(args[2]) ?? max;
  // A small text chart: one column per sample, 4 rows, scaled between min and max.
  const rows: string[] = [];
  for (let r = 3; r >= 0; r--) {
    let line = '';
    for (const s of samples.slice(-80)) {
      const level = max === min ? 3 : Math.round(((s.latency - min) / (max - min)) * 3);
      line += level >= r ? (level === r ? '_' : '|') : ' ';
    }
    rows.push(line);
  }
  const out = `${args[2]} - high ${max} ms, low ${min} ms (all time high ${all} ms)\n` + '-'.repeat(80) + '\n' + rows.join('\n') + '\n';
  c.w.verbatim(out);
}

function latencyDoctorCommand(c: Client): void {
  c.w.verbatim('Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sleep better.\n');
}

function latencyHelpCommand(c: Client): void {
  replyHelp(c, 'LATENCY', [
    'DOCTOR',
    '    Return a human readable latency analysis report.',
    'GRAPH <event>',
    '    Return an ASCII latency graph for the <event> class.',
    'HISTORY <event>',
    '    Return time-latency samples for the <event> class.',
    'LATEST',
    '    Return the latest latency samples for all events.',
    'RESET [<event> ...]',
    '    Reset latency data of one or more <event> classes.',
    '    (default: reset all data for all event classes)',
    'HISTOGRAM [COMMAND ...]',
    '    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.',
    '    If no commands are specified then all histograms are replied.',
  ]);
}

// ----------------------------------------------------------------------------
// MEMORY
// ----------------------------------------------------------------------------

/** Approximate memory used by a key and its value, in bytes. */
export function memoryUsageOf(key: string, v: Value): number {
  const base = 56 + key.length;
  if (typeof v === 'string') return base + 16 + v.length;
  if (isBuffer(v)) return base + 96 + v.length;
  const est = (v as { memoryUsage?: () => number }).memoryUsage;
  if (est) return base + est.call(v);
  return base + 64 * v.size();
}

/* MEMORY USAGE key [SAMPLES count] */
function memoryUsageCommand(c: Client, args: string[]): void {
  if (args.length === 5) {
    if (!is(args[3], 'samples')) {
      c.w.error(E.SYNTAX);
      return;
    }
    if (parseIntOrReply(c, args[4]) === null) return;
  } else if (args.length !== 3) {
    c.w.error(E.SYNTAX);
    return;
  }
  const v = c.db.lookup(args[2]);
  if (v === undefined) c.w.nullBulk();
  else c.w.int(memoryUsageOf(args[2], v));
}

/* MEMORY STATS */
function memoryStatsCommand(c: Client): void {
  const m = process.memoryUsage();
  const pairs: [string, number][] = [
    ['peak.allocated', Math.max(m.heapUsed, (c.server.ext.peakMemory as number | undefined) ?? 0)],
    ['total.allocated', m.heapUsed + m.external],
    ['startup.allocated', 0],
    ['replication.backlog', 0],
    ['clients.slaves', 0],
    ['clients.normal', 0],
    ['aof.buffer', 0],
    ['keys.count', c.server.dbs.reduce((a, d) => a + d.size, 0)],
    ['dataset.bytes', m.heapUsed],
  ];
  c.w.mapHeader(pairs.length);
  for (const [k, v] of pairs) {
    c.w.bulk(k);
    c.w.int(v);
  }
}

function memoryHelpCommand(c: Client): void {
  replyHelp(c, 'MEMORY', [
    'DOCTOR',
    '    Return memory problems reports.',
    'MALLOC-STATS',
    '    Return internal statistics report from the memory allocator.',
    'PURGE',
    '    Attempt to purge dirty pages for reclamation by the allocator.',
    'STATS',
    '    Return information about the memory usage of the server.',
    'USAGE <key> [SAMPLES <count>]',
    '    Return memory in bytes used by <key> and its value. Nested values are',
    '    sampled up to <count> times (default: 5, 0 means sample all).',
  ]);
}

// ----------------------------------------------------------------------------
// DEBUG
// ----------------------------------------------------------------------------

/** A stable text form of a value, for DEBUG DIGEST. */
export function valueDigestText(v: Value): string {
  if (isString(v)) return 's' + strOf(v);
  const d = (v as { digest?: () => string }).digest;
  if (d) return v.type + d.call(v);
  return v.type + ':' + v.size();
}

function sha1(s: string): Buffer {
  return createHash('sha1').update(s, 'latin1').digest();
}

/** DEBUG DIGEST: an order-independent digest of the dataset (zeros when empty). */
export function datasetDigest(srv: Server): string {
  const acc = Buffer.alloc(20);
  let any = false;
  for (const db of srv.dbs) {
    for (const [key, v] of db.dict) {
      if (db.lookup(key) === undefined) continue;
      any = true;
      const exp = db.expires.get(key);
      const h = sha1(`${db.id}\0${key}\0${valueDigestText(v)}\0${exp ?? ''}`);
      for (let i = 0; i < 20; i++) acc[i] ^= h[i];
    }
  }
  return any ? acc.toString('hex') : '0'.repeat(40);
}

/* DEBUG subcommand ... */
function debugCommand(c: Client, args: string[]): void {
  const sub = args[1].toLowerCase();
  const srv = c.server;
  const ext = srv.ext.debugExtensions as Record<string, (c: Client, args: string[]) => void> | undefined;
  if (ext && ext[sub]) return ext[sub](c, args);
  switch (sub) {
    case 'sleep': {
      const secs = parseDouble(args[2] ?? '0') ?? 0;
      const until = Date.now() + secs * 1000;
      // Blocks the event loop on purpose, as Redis does.
      const sab = new Int32Array(new SharedArrayBuffer(4));
      while (Date.now() < until) Atomics.wait(sab, 0, 0, Math.max(1, until - Date.now()));
      c.w.ok();
      return;
    }
    case 'set-active-expire':
      srv.activeExpireEnabled = args[2] !== '0';
      c.w.ok();
      return;
    case 'object': {
      const v = c.db.dict.get(args[2] ?? ''); // as Redis: the dict itself, a logically expired key included
      if (v === undefined) {
        c.w.error(E.NO_SUCH_KEY);
        return;
      }
      const enc = encodingOf(v);
      const lru = (srv.ext.keyLruInfo as ((db: typeof c.db, key: string) => { lru: number; idle: number }) | undefined)?.(c.db, args[2]);
      c.w.simple(`Value at:0x0 refcount:1 encoding:${enc} serializedlength:${isString(v) ? v.length : v.size()} lru:${lru?.lru ?? 0} lru_seconds_idle:${lru?.idle ?? 0}`);
      return;
    }
    case 'digest':
      c.w.bulk(datasetDigest(srv));
      return;
    case 'digest-value': {
      c.w.arrayHeader(args.length - 2);
      for (let i = 2; i < args.length; i++) {
        const v = c.db.lookup(args[i]);
        c.w.bulk(v === undefined ? '0'.repeat(40) : sha1(valueDigestText(v)).toString('hex'));
      }
      return;
    }
    case 'protocol': {
      const t = (args[2] ?? '').toLowerCase();
      const w = c.w;
      if (t === 'string') w.bulk('Hello World');
      else if (t === 'integer') w.int(12345);
      else if (t === 'double') w.double(3.141);
      else if (t === 'bignum') w.bigNumber('1234567999999999999999999999999999999');
      else if (t === 'null') w.nullBulk();
      else if (t === 'array') {
        w.arrayHeader(3);
        for (let i = 0; i < 3; i++) w.int(i);
      } else if (t === 'set') {
        w.setHeader(3);
        for (let i = 0; i < 3; i++) w.int(i);
      } else if (t === 'map') {
        w.mapHeader(3);
        for (let i = 0; i < 3; i++) {
          w.int(i);
          w.bool(i === 1);
        }
      } else if (t === 'attrib') {
        if (w.proto >= 3) {
          w.rawStr('|1\r\n');
          w.bulk('key-popularity');
          w.arrayHeader(2);
          w.bulk('key:123');
          w.int(90);
        }
        w.bulk('Some real reply following the attribute');
      } else if (t === 'push') {
        if (w.proto < 3) {
          w.error('ERR RESP2 is not supported by this command');
          return;
        }
        w.pushHeader(2);
        w.bulk('server-cpu-usage');
        w.int(42);
        w.bulk('Some real reply following the push reply');
      } else if (t === 'true') w.bool(true);
      else if (t === 'false') w.bool(false);
      else if (t === 'verbatim') w.verbatim('This is a verbatim\nstring');
      else w.error('ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false');
      return;
    }
    case 'log':
      srv.log.warning(`DEBUG LOG: ${args[2] ?? ''}`);
      c.w.ok();
      return;
    case 'config-rewrite-force-all':
      if (args.length !== 2) {
        c.w.error(`ERR unknown subcommand or wrong number of arguments for '${args[1]}'. Try DEBUG HELP.`);
        return;
      }
      try {
        srv.config.rewrite(true);
      } catch (e) {
        c.w.error(e instanceof ConfigError ? e.message : `ERR CONFIG-REWRITE-FORCE-ALL failed: ${(e as Error).message}`);
        return;
      }
      c.w.ok();
      return;
    case 'jmap':
    case 'quicklist-packed-threshold':
    case 'set-skip-checksum-validation':
    case 'set-disable-deny-scripts':
    case 'pause-cron':
      // Holds the cron's deferred work that honours it (a signal's shutdown).
      srv.ext.cronPaused = args[2] === '1';
      c.w.ok();
      return;
    case 'replybuffer':
    case 'dict-resizing':
    case 'change-repl-id':
    case 'stringmatch-len':
      c.w.ok();
      return;
    case 'listpack':
    case 'quicklist':
      c.w.ok();
      return;
    case 'help':
      replyHelp(c, 'DEBUG', ['DIGEST', '    Output a hex signature representing the current DB content.', 'SLEEP <seconds>', '    Stop the server for <seconds>. Decimals allowed.']);
      return;
    default:
      c.w.error(`ERR unknown subcommand or wrong number of arguments for '${args[1]}'. Try DEBUG HELP.`);
  }
}

// ----------------------------------------------------------------------------
// Table
// ----------------------------------------------------------------------------

export const commands: CommandDef[] = [
  command('info', -1, 'loading stale', [0, 0, 0], 'dangerous', infoCommand),
  command('config', -2, '', [0, 0, 0], 'server', noParentHandler, {
    subcommands: [
      command('get', -3, 'admin noscript loading stale', [0, 0, 0], 'server', configGetCommand),
      command('set', -4, 'admin noscript loading stale', [0, 0, 0], 'server', configSetCommand),
      command('resetstat', 2, 'admin noscript loading stale', [0, 0, 0], 'server', configResetstatCommand),
      command('rewrite', 2, 'admin noscript loading stale', [0, 0, 0], 'server', configRewriteCommand),
      command('help', 2, 'loading stale', [0, 0, 0], 'server', configHelpCommand),
    ],
  }),
  command('command', -1, 'loading stale', [0, 0, 0], 'connection', commandCommand, {
    subcommands: [
      command('count', 2, 'loading stale', [0, 0, 0], 'connection', commandCountCommand),
      command('info', -2, 'loading stale', [0, 0, 0], 'connection', commandInfoCommand),
      command('docs', -2, 'loading stale', [0, 0, 0], 'connection', commandDocsCommand),
      command('list', -2, 'loading stale', [0, 0, 0], 'connection', commandListCommand),
      command('getkeys', -3, 'loading stale', [0, 0, 0], 'connection', commandGetkeysCommand),
      command('getkeysandflags', -3, 'loading stale', [0, 0, 0], 'connection', commandGetkeysandflagsCommand),
      command('help', 2, 'loading stale', [0, 0, 0], 'connection', commandHelpCommand),
    ],
  }),
  command('time', 1, 'loading stale fast', [0, 0, 0], 'server', timeCommand),
  command('lastsave', 1, 'loading stale fast', [0, 0, 0], 'admin dangerous', lastsaveCommand),
  command('monitor', 1, 'admin noscript loading stale', [0, 0, 0], 'server', monitorCommand),
  command('shutdown', -1, 'admin noscript loading stale no_multi allow_busy', [0, 0, 0], 'server', shutdownCommand),
  command('debug', -2, 'admin noscript loading stale protected', [0, 0, 0], 'server', debugCommand),
  command('slowlog', -2, '', [0, 0, 0], 'server', noParentHandler, {
    subcommands: [
      command('get', -2, 'admin loading stale', [0, 0, 0], 'server', slowlogGetCommand),
      command('len', 2, 'admin loading stale', [0, 0, 0], 'server', (c) => c.w.int(c.server.slowlog.length)),
      command('reset', 2, 'admin loading stale', [0, 0, 0], 'server', (c) => {
        c.server.slowlog = [];
        c.w.ok();
      }),
      command('help', 2, 'loading stale', [0, 0, 0], 'server', slowlogHelpCommand),
    ],
  }),
  command('latency', -2, '', [0, 0, 0], 'server', noParentHandler, {
    subcommands: [
      command('latest', 2, 'admin noscript loading stale', [0, 0, 0], 'server', latencyLatestCommand),
      command('history', 3, 'admin noscript loading stale', [0, 0, 0], 'server', latencyHistoryCommand),
      command('reset', -2, 'admin noscript loading stale', [0, 0, 0], 'server', latencyResetCommand),
      command('graph', 3, 'admin noscript loading stale', [0, 0, 0], 'server', latencyGraphCommand),
      command('doctor', 2, 'admin noscript loading stale', [0, 0, 0], 'server', latencyDoctorCommand),
      command('histogram', -2, 'admin noscript loading stale', [0, 0, 0], 'server', latencyHistogramCommand),
      command('help', 2, 'loading stale', [0, 0, 0], 'server', latencyHelpCommand),
    ],
  }),
  command('memory', -2, '', [0, 0, 0], 'server', noParentHandler, {
    subcommands: [
      command('usage', -3, 'readonly', [2, 2, 1], 'keyspace', memoryUsageCommand),
      command('stats', 2, 'readonly', [0, 0, 0], 'server', memoryStatsCommand),
      command('doctor', 2, '', [0, 0, 0], 'server', (c) => c.w.verbatim('Hi Sam, I can\'t find any memory issue in your instance. I can only account for what occurs on this base.\n')),
      command('malloc-stats', 2, '', [0, 0, 0], 'server', (c) => c.w.verbatim('Stats not supported for the current allocator\n')),
      command('purge', 2, '', [0, 0, 0], 'server', (c) => c.w.ok()),
      command('help', 2, 'loading stale', [0, 0, 0], 'server', memoryHelpCommand),
    ],
  }),
];

export { clientInfoString, typeOf };

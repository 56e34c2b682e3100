/*
 * maxmemory: a minimal eviction policy engine, so that a server over its
 * limit evicts keys (with `evicted` keyspace events and client-side caching
 * invalidations) or refuses commands that may grow memory with OOM.
 *
 * Memory is measured as INFO reports it (src/server/memory.ts). Freed
 * memory only shows after a garbage collection, so an eviction round frees
 * an estimate: it evicts until the estimated size of the evicted keys covers
 * the excess. Keys are chosen by the policy's family (allkeys-* / volatile-*),
 * in map order (oldest first: an approximation of LRU/LFU), by shortest TTL
 * for volatile-ttl, at random for *-random.
 *
 * Only installed when no other module provides `ext.oomCheck`.
 */

import type { Server } from '../server/server';
import type { Database } from '../server/db';
import type { Value } from '../types/value';
import { NOTIFY } from '../server/notify-flags';
import { usedMemory } from '../server/memory';

/** A rough size of a key and its value in bytes. */
function estimateSize(key: string, v: Value): number {
  let n = 64 + key.length;
  if (typeof v === 'string') n += v.length;
  else if (Buffer.isBuffer(v)) n += v.length;
  else {
    const o = v as { memoryUsage?: () => number; size?: () => number };
    if (typeof o.memoryUsage === 'function') n += o.memoryUsage();
    else if (typeof o.size === 'function') n += 32 * o.size();
  }
  return n;
}


export function attach(srv: Server): void {
  if (srv.ext.oomCheck !== undefined) return;
  let maxmemory = srv.config.num('maxmemory');
  let outOfMemory = false;
  srv.config.onChange('maxmemory', () => {
    maxmemory = srv.config.num('maxmemory');
    outOfMemory = false;
    // A lower limit applies at once, as Redis evicts right away.
    if (maxmemory !== 0) setImmediate(() => (outOfMemory = !performEvictions()));
    return undefined;
  });

  /** Pick one key to evict under `policy`, or null. */
  function pick(policy: string): { db: Database; key: string; v: Value } | null {
    const volatile = policy.startsWith('volatile');
    const random = policy.endsWith('random');
    for (const db of srv.dbs) {
      const source: Map<string, unknown> = volatile ? db.expires : db.dict;
      if (source.size === 0) continue;
      let key: string | undefined;
      if (policy === 'volatile-ttl') {
        let best = Infinity;
        let seen = 0;
        for (const [k, when] of db.expires) {
          if (when < best) {
            best = when;
            key = k;
          }
          if (++seen >= 16) break;
        }
      } else if (random) {
        let skip = Math.floor(Math.random() * Math.min(source.size, 64));
        for (const k of source.keys()) {
          key = k;
          if (skip-- <= 0) break;
        }
      } else {
        key = source.keys().next().value as string | undefined;
      }
      if (key === undefined) continue;
      const v = db.dict.get(key);
      if (v === undefined) {
        db.expires.delete(key);
        continue;
      }
      return { db, key, v };
    }
    return null;
  }

  /** Evict until under the limit (estimated). Returns false when still over it. */
  function performEvictions(): boolean {
    if (maxmemory === 0) return true;
    const used = usedMemory();
    if (used <= maxmemory) return true;
    const policy = srv.config.get('maxmemory-policy');
    if (policy === 'noeviction') return false;
    let toFree = used - maxmemory;
    while (toFree > 0) {
      const victim = pick(policy);
      if (victim === null) return false;
      const { db, key, v } = victim;
      toFree -= estimateSize(key, v);
      db.dict.delete(key);
      db.expires.delete(key);
      srv.stats.evictedKeys++;
      srv.dirty++;
      srv.propagate(db.id, ['DEL', key]);
      srv.notify(NOTIFY.EVICTED, 'evicted', key, db.id);
      srv.signalModifiedKey(db, key, null);
    }
    return true;
  }

  srv.beforeCommandHooks.push(() => {
    if (maxmemory !== 0) outOfMemory = !performEvictions();
  });
  srv.ext.oomCheck = () => maxmemory !== 0 && outOfMemory;
}

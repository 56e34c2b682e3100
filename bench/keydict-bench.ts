/*
 * KeyDict vs Map: operations per second of get / set (new and overwrite) /
 * has / delete on 1M short keys ("key:%010d", 10-byte values), and the heap
 * and RSS after loading 1M entries into each (measured in a child process
 * per store, after a full GC).
 *
 *   npm run bench:keydict          (BENCH_KEYS overrides the 1M)
 */

import { spawnSync } from 'node:child_process';
import { getHeapStatistics } from 'node:v8';
import { KeyDict } from '../src/server/keydict';
import type { Value } from '../src/types/value';

const KEYS = Number(process.env.BENCH_KEYS ?? 1000000);

interface Store {
  readonly size: number;
  get(k: string): Value | undefined;
  set(k: string, v: Value): unknown;
  has(k: string): boolean;
  delete(k: string): boolean;
}

const keyOf = (i: number): string => 'key:' + String(i).padStart(10, '0');

function makeKeys(n: number): string[] {
  const keys = new Array<string>(n);
  for (let i = 0; i < n; i++) keys[i] = keyOf(i);
  return keys;
}

function time(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function opsRun(make: () => Store, keys: string[]): Record<string, number> {
  const n = keys.length;
  // Keys read back in a shuffled order (fresh strings, as from a parser).
  const probe = new Array<string>(n);
  for (let i = 0; i < n; i++) probe[i] = keyOf((i * 7919) % n);
  const s = make();
  const out: Record<string, number> = {};
  out['set (new)'] = time(() => {
    for (let i = 0; i < n; i++) s.set(keys[i], 'value12345');
  });
  out['set (overwrite)'] = time(() => {
    for (let i = 0; i < n; i++) s.set(probe[i], 'value54321');
  });
  let x = 0;
  out.get = time(() => {
    for (let i = 0; i < n; i++) x += (s.get(probe[i]) as string).length;
  });
  out['get (miss)'] = time(() => {
    for (let i = 0; i < n; i++) if (s.get(probe[i] + 'x') !== undefined) x++;
  });
  out.has = time(() => {
    for (let i = 0; i < n; i++) if (s.has(probe[i])) x++;
  });
  out.delete = time(() => {
    for (let i = 0; i < n; i++) s.delete(probe[i]);
  });
  if (x === 42) console.log('');
  return out;
}

/** Child mode: load KEYS entries into one store and report memory. */
function memChild(kind: string): void {
  const gc = (globalThis as { gc?: () => void }).gc as () => void;
  gc();
  const heap0 = getHeapStatistics().used_heap_size;
  const ext0 = process.memoryUsage().arrayBuffers;
  const rss0 = process.memoryUsage().rss;
  const s: Store = kind === 'map' ? new Map<string, Value>() : new KeyDict();
  for (let i = 0; i < KEYS; i++) s.set(keyOf(i), 'value' + String(i % 100000).padStart(5, '0'));
  gc();
  gc();
  const heap = getHeapStatistics().used_heap_size - heap0;
  const ext = process.memoryUsage().arrayBuffers - ext0;
  const rss = process.memoryUsage().rss - rss0;
  process.stdout.write(JSON.stringify({ heap, ext, rss, size: s.size }) + '\n');
}

function main(): void {
  if (process.argv[2] === '--mem') {
    memChild(process.argv[3]);
    return;
  }
  const keys = makeKeys(KEYS);
  console.log(`KeyDict vs Map, ${KEYS} keys "key:%010d", 10-byte values (ms for ${KEYS} ops; ratio KeyDict/Map)`);
  // Warm up both, then measure each twice and keep the best.
  const best = (make: () => Store): Record<string, number> => {
    const a = opsRun(make, keys);
    const b = opsRun(make, keys);
    for (const k of Object.keys(a)) a[k] = Math.min(a[k], b[k]);
    return a;
  };
  opsRun(() => new Map<string, Value>(), keys.slice(0, 100000));
  opsRun(() => new KeyDict(), keys.slice(0, 100000));
  const m = best(() => new Map<string, Value>());
  const d = best(() => new KeyDict());
  for (const k of Object.keys(m)) {
    const mo = (KEYS / m[k]) * 1000;
    const dop = (KEYS / d[k]) * 1000;
    console.log(`${k.padEnd(16)} Map ${(mo / 1e6).toFixed(2).padStart(6)} Mops/s   KeyDict ${(dop / 1e6).toFixed(2).padStart(6)} Mops/s   time ratio ${(d[k] / m[k]).toFixed(2)}`);
  }
  console.log('');
  console.log(`memory after loading ${KEYS} entries (after a full GC; per entry)`);
  for (const kind of ['map', 'keydict']) {
    const r = spawnSync(process.execPath, ['--expose-gc', __filename, '--mem', kind], { encoding: 'utf8' });
    const j = JSON.parse(r.stdout.trim()) as { heap: number; ext: number; rss: number; size: number };
    const per = (b: number): string => (b / KEYS).toFixed(1).padStart(6);
    console.log(`${kind.padEnd(8)} heap ${per(j.heap)} B   off-heap ${per(j.ext)} B   total ${per(j.heap + j.ext)} B   RSS growth ${(j.rss / 1048576).toFixed(1)} MB`);
  }
}

main();

/*
 * BGSAVE latency measurement (not part of npm test: run by hand with
 *   node dist/test/persistence/latency-bench.js [keys] [valueSize]
 * ). Starts bin/nodis-server, fills it with DEBUG POPULATE, then measures
 * a client's PING round trips (one in flight) before and during a BGSAVE,
 * and the server's RSS. Results are reported in docs/PERSISTENCE.md.
 */

import { readFileSync, rmSync } from 'node:fs';
import { RawClient } from '../helpers';
import { cmd, startNodisProcess, tempDir } from './util';

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

function stats(samples: number[]): string {
  const s = samples.slice().sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return `n=${s.length} p50=${q(0.5).toFixed(3)}ms p99=${q(0.99).toFixed(3)}ms p99.9=${q(0.999).toFixed(3)}ms max=${s[s.length - 1].toFixed(3)}ms`;
}

async function pingLoop(c: RawClient, until: () => boolean, minMs: number): Promise<number[]> {
  const out: number[] = [];
  const start = Date.now();
  while (!until() || Date.now() - start < minMs) {
    const t0 = process.hrtime.bigint();
    await c.call('PING');
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (Date.now() - start > 120000) break;
  }
  return out;
}

async function main(): Promise<void> {
  const keys = Number(process.argv[2] ?? 1000000);
  const size = Number(process.argv[3] ?? 100);
  const dir = tempDir('latency');
  const srv = await startNodisProcess(dir, ['--save', '', '--enable-debug-command', 'yes', '--loglevel', 'debug']);
  const pid = srv.child.pid as number;
  const c = await RawClient.connect(srv.port);
  const ctl = await RawClient.connect(srv.port);
  const t0 = Date.now();
  c.write(`*5\r\n$5\r\nDEBUG\r\n$8\r\nPOPULATE\r\n$${String(keys).length}\r\n${keys}\r\n$3\r\nkey\r\n$${String(size).length}\r\n${size}\r\n`);
  await c.read(600000);
  console.log(`populated ${keys} keys of ${size} bytes in ${Date.now() - t0} ms, RSS ${rssMb(pid).toFixed(0)} MB`);
  const base = await pingLoop(c, () => true, 2000);
  console.log(`baseline PING: ${stats(base)}`);
  let done = false;
  let peak = rssMb(pid);
  const rssBefore = peak;
  const tb = Date.now();
  await cmd(ctl, 'BGSAVE');
  const poll = setInterval(() => {
    peak = Math.max(peak, rssMb(pid));
    void cmd(ctl, 'INFO', 'persistence').then((info) => {
      if (String(info).includes('rdb_bgsave_in_progress:0')) done = true;
    });
  }, 100);
  const during = await pingLoop(c, () => done, 0);
  clearInterval(poll);
  const info = String(await cmd(ctl, 'INFO', 'persistence'));
  console.log(`BGSAVE took ${Date.now() - tb} ms (${/rdb_last_bgsave_status:\w+/.exec(info)?.[0]})`);
  console.log(`PING during BGSAVE: ${stats(during)}`);
  console.log(`RSS before ${rssBefore.toFixed(0)} MB, peak during ${peak.toFixed(0)} MB`);
  console.log(`server: ${(/Background save: .*/.exec(srv.log()) ?? ['?'])[0]}`);
  // The same with writes going on: every PING is followed by a SET on an existing key.
  done = false;
  await cmd(ctl, 'BGSAVE');
  const poll2 = setInterval(() => {
    peak = Math.max(peak, rssMb(pid));
    void cmd(ctl, 'INFO', 'persistence').then((i) => {
      if (String(i).includes('rdb_bgsave_in_progress:0')) done = true;
    });
  }, 100);
  const mixed: number[] = [];
  let k = 0;
  while (!done) {
    const t1 = process.hrtime.bigint();
    await c.call('SET', `key:${(k * 7919) % keys}`, 'x'.repeat(size));
    mixed.push(Number(process.hrtime.bigint() - t1) / 1e6);
    k++;
  }
  clearInterval(poll2);
  console.log(`SET (overwrite) during BGSAVE: ${stats(mixed)}; peak RSS ${peak.toFixed(0)} MB`);
  const all = srv.log().match(/Background save: .*/g) ?? [];
  console.log(`server: ${all[all.length - 1] ?? '?'}`);
  c.close();
  ctl.close();
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
}

void main();

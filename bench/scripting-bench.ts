// EVALSHA throughput: redis-benchmark against Nodis and against redis-server, side by side.
// Run: npm run bench:scripting   (needs redis-server and redis-benchmark on the PATH)
// Options (env): N (requests, default 100000), C (clients, default 50), P (pipeline, default 1).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitPort } from './util';

const N = Number(process.env.N ?? 100000);
const C = Number(process.env.C ?? 50);
const P = Number(process.env.P ?? 1);

// Scripts benchmarked: a small BullMQ-like one (3 redis.call), and one with 5 redis.call
// (read, write, counter, hash field, list push trimmed by the 5th call).
const SCRIPTS: { name: string; body: string; args: string[] }[] = [
  {
    name: '3-call',
    body: `
local v = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1])
local n = redis.call('INCR', KEYS[2])
if v then return {n, v} end
return n
`,
    args: ['2', 'bench:key:__rand_int__', 'bench:counter', 'value'],
  },
  {
    name: '5-call',
    body: `
local v = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1])
local n = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[3], 'last', ARGV[1])
redis.call('LPUSH', KEYS[4], n)
return n
`,
    args: ['4', 'bench:key:__rand_int__', 'bench:counter', 'bench:hash', 'bench:list', 'value'],
  },
];
function cli(port: number, ...args: string[]): string {
  return spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'latin1' }).stdout.trim();
}

function bench(port: number, sha: string, args: string[]): number {
  const r = spawnSync('redis-benchmark', ['-p', String(port), '-n', String(N), '-c', String(C), '-P', String(P), '-q',
    'EVALSHA', sha, ...args], { encoding: 'latin1' });
  const m = /([\d.]+) requests per second/.exec(r.stdout);
  if (!m) throw new Error('redis-benchmark output: ' + r.stdout + r.stderr);
  return Number(m[1]);
}

async function run(name: string, start: (port: number, dir: string) => ChildProcess): Promise<number[]> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'nodis-bench-'));
  const child = start(port, dir);
  try {
    await waitPort(port);
    const out: number[] = [];
    for (const sc of SCRIPTS) {
      const sha = cli(port, 'SCRIPT', 'LOAD', sc.body);
      bench(port, sha, sc.args); // warm-up (JIT, caches)
      cli(port, 'DEL', 'bench:list');
      const rps = bench(port, sha, sc.args);
      cli(port, 'DEL', 'bench:list');
      console.log(`${name.padEnd(14)} ${sc.name.padEnd(8)} ${rps.toFixed(0).padStart(10)} EVALSHA/s`);
      out.push(rps);
    }
    return out;
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (spawnSync('redis-benchmark', ['--version']).status !== 0) {
    console.log('redis-benchmark not installed');
    return;
  }
  console.log(`EVALSHA of scripts with 3 and 5 redis.call: n=${N} clients=${C} pipeline=${P}`);
  const bin = join(__dirname, '..', '..', 'bin', 'nodis-server');
  const nodis = await run('nodis', (port, dir) => spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir], { stdio: 'ignore' }));
  if (spawnSync('redis-server', ['--version']).status !== 0) return;
  const redis = await run('redis-server', (port, dir) => spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir], { stdio: 'ignore' }));
  for (let i = 0; i < SCRIPTS.length; i++) {
    console.log(`ratio nodis/redis ${SCRIPTS[i].name}: ${(nodis[i] / redis[i]).toFixed(2)}`);
  }
}

void main();

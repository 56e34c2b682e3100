// EVALSHA throughput: redis-benchmark against Nodis and against redis-server, side by side.
// Run: npm run bench:scripting   (needs redis-server and redis-benchmark on the PATH)
// Options (env): N (requests, default 100000), C (clients, default 50), P (pipeline, default 1).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as net from 'node:net';

const N = Number(process.env.N ?? 100000);
const C = Number(process.env.C ?? 50);
const P = Number(process.env.P ?? 1);

// A small BullMQ-like script: read, write, counter, return a value.
const SCRIPT = `
local v = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1])
local n = redis.call('INCR', KEYS[2])
if v then return {n, v} end
return n
`;

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => res(p));
    });
    s.on('error', rej);
  });
}

async function waitPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((res) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        res(true);
      });
      s.on('error', () => res(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('server on port ' + port + ' did not start');
}

function cli(port: number, ...args: string[]): string {
  return spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'latin1' }).stdout.trim();
}

function bench(port: number, sha: string): number {
  const r = spawnSync('redis-benchmark', ['-p', String(port), '-n', String(N), '-c', String(C), '-P', String(P), '-q',
    'EVALSHA', sha, '2', 'bench:key:__rand_int__', 'bench:counter', 'value'], { encoding: 'latin1' });
  const m = /([\d.]+) requests per second/.exec(r.stdout);
  if (!m) throw new Error('redis-benchmark output: ' + r.stdout + r.stderr);
  return Number(m[1]);
}

async function run(name: string, start: (port: number, dir: string) => ChildProcess): Promise<number> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'nodis-bench-'));
  const child = start(port, dir);
  try {
    await waitPort(port);
    const sha = cli(port, 'SCRIPT', 'LOAD', SCRIPT);
    bench(port, sha); // warm-up (JIT, caches)
    const rps = bench(port, sha);
    console.log(`${name.padEnd(14)} ${rps.toFixed(0).padStart(10)} EVALSHA/s`);
    return rps;
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
  console.log(`EVALSHA of a 3-command script: n=${N} clients=${C} pipeline=${P}`);
  const bin = join(__dirname, '..', '..', 'bin', 'nodis-server');
  const nodis = await run('nodis', (port, dir) => spawn(process.execPath, [bin, '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir], { stdio: 'ignore' }));
  let redis = 0;
  if (spawnSync('redis-server', ['--version']).status === 0) {
    redis = await run('redis-server', (port, dir) => spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir], { stdio: 'ignore' }));
  }
  if (redis > 0) console.log(`ratio nodis/redis: ${(nodis / redis).toFixed(2)}`);
}

void main();

// BullMQ throughput: jobs added per second (Queue.addBulk) and completed per second (4 workers),
// against Nodis and against redis-server, side by side in one run.
// Run: npm run bench:bullmq   (redis-server on the PATH for the comparison)
// Options (env): JOBS (default 20000), WORKERS (default 4), CONCURRENCY (per worker, default 50).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { freePort, waitPort } from './util';

const JOBS = Number(process.env.JOBS ?? 20000);
const WORKERS = Number(process.env.WORKERS ?? 4);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 50);

interface Result {
  addPerSec: number;
  donePerSec: number;
}

async function once(port: number, name: string, jobs: number): Promise<Result> {
  const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
  const queue = new Queue(name, { connection });
  await queue.waitUntilReady();
  const t0 = performance.now();
  for (let start = 0; start < jobs; start += 1000) {
    const batch = [];
    for (let i = start; i < Math.min(jobs, start + 1000); i++) batch.push({ name: 'j', data: { i } });
    await queue.addBulk(batch);
  }
  const t1 = performance.now();
  let done = 0;
  let finish: () => void = () => undefined;
  const allDone = new Promise<void>((r) => (finish = r));
  const workers = Array.from({ length: WORKERS }, () => {
    const w = new Worker(name, async (job) => (job.data as { i: number }).i * 2, { connection, concurrency: CONCURRENCY, autorun: false });
    w.on('completed', () => {
      if (++done === jobs) finish();
    });
    return w;
  });
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  const t2 = performance.now();
  for (const w of workers) void w.run();
  await allDone;
  const t3 = performance.now();
  await Promise.all(workers.map((w) => w.close()));
  await queue.obliterate({ force: true });
  await queue.close();
  return { addPerSec: (jobs * 1000) / (t1 - t0), donePerSec: (jobs * 1000) / (t3 - t2) };
}

async function run(label: string, start: (port: number, dir: string) => ChildProcess): Promise<Result> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'nodis-bench-'));
  const child = start(port, dir);
  try {
    await waitPort(port);
    await once(port, 'warmup', Math.min(2000, JOBS)); // JIT, script cache
    const r = await once(port, 'bench', JOBS);
    console.log(`${label.padEnd(14)} ${r.addPerSec.toFixed(0).padStart(8)} added/s ${r.donePerSec.toFixed(0).padStart(8)} completed/s`);
    return r;
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`BullMQ: ${JOBS} jobs, ${WORKERS} workers x concurrency ${CONCURRENCY}`);
  const bin = join(__dirname, '..', '..', 'bin', 'nodis-server');
  const nodis = await run('nodis', (port, dir) => spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir], { stdio: 'ignore' }));
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    console.log('redis-server not installed: no comparison');
    return;
  }
  const redis = await run('redis-server', (port, dir) => spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' }));
  console.log(`ratio nodis/redis: add ${(nodis.addPerSec / redis.addPerSec).toFixed(2)}  complete ${(nodis.donePerSec / redis.donePerSec).toFixed(2)}`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);

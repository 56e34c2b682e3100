// BullMQ end to end under load: 10,000 jobs (plain, delayed, prioritized, failing and retried with
// backoff) and one repeatable job scheduler, processed by 4 workers. The same scenario runs on
// Nodis and on the real redis-server (when installed); every job must end in the same state, with
// the same attempts and return value, and the per-state counts must be equal.
// Both servers run as their own processes (the workers need this process's CPU).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { RawClient, freePort, sleep, startOracle } from '../helpers';

type BullMQ = typeof import('bullmq');
const bullmq: BullMQ | null = (() => {
  try {
    return require('bullmq') as BullMQ;
  } catch {
    return null;
  }
})();

const N = Number(process.env.BULLMQ_LOAD_N ?? 10000);
const WORKERS = 4;
const TICKS = 5;

interface JobData {
  i: number;
}

/** What happens to job i: kind decides delay, priority and failures. */
function plan(i: number): { delay?: number; priority?: number; attempts?: number; failTimes: number } {
  const p: { delay?: number; priority?: number; attempts?: number; failTimes: number } = { failTimes: 0 };
  if (i % 10 === 0) p.delay = 10 + (i % 5) * 10;
  if (i % 7 === 0) p.priority = 1 + (i % 5);
  if (i % 13 === 0) {
    p.attempts = 3;
    // Half of them succeed on the third attempt, the other half fail for good.
    p.failTimes = i % 26 === 0 ? 2 : 99;
  }
  return p;
}

interface Outcome {
  counts: Record<string, number>;
  jobs: Map<number, string>;
  ticks: number;
}

async function scenario(port: number): Promise<Outcome> {
  const { Queue, Worker } = bullmq!;
  const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
  const queue = new Queue<JobData>('load', { connection });
  const workers = Array.from({ length: WORKERS }, () =>
    new Worker<JobData>(
      'load',
      async (job) => {
        if (job.name === 'tick') return 'tick';
        const p = plan(job.data.i);
        if (job.attemptsMade < p.failTimes) throw new Error(`fail ${job.data.i} at ${job.attemptsMade}`);
        return { double: job.data.i * 2 };
      },
      { connection, concurrency: 20, drainDelay: 1 },
    ),
  );
  try {
    await Promise.all(workers.map((w) => w.waitUntilReady()));
    for (let start = 0; start < N; start += 1000) {
      const batch = [];
      for (let i = start; i < Math.min(N, start + 1000); i++) {
        const p = plan(i);
        batch.push({
          name: 'job',
          data: { i },
          opts: {
            jobId: `j${i}`,
            delay: p.delay,
            priority: p.priority,
            attempts: p.attempts,
            backoff: p.attempts !== undefined ? { type: 'fixed', delay: 20 } : undefined,
          },
        });
      }
      await queue.addBulk(batch);
    }
    await queue.upsertJobScheduler('ticker', { every: 30, limit: TICKS }, { name: 'tick' });
    // Wait until every job has ended (a generous bound: the machine may be loaded).
    const end = Date.now() + 150000;
    for (;;) {
      const c = await queue.getJobCounts('completed', 'failed');
      if (c.completed + c.failed >= N + TICKS) break;
      if (Date.now() > end) throw new Error('jobs did not finish: ' + JSON.stringify(await queue.getJobCounts()));
      await sleep(100);
    }
    await sleep(200); // let a (wrong) extra scheduler run show up
    const counts = await queue.getJobCounts('completed', 'failed', 'delayed', 'waiting', 'active', 'prioritized', 'waiting-children');
    const jobs = new Map<number, string>();
    let ticks = 0;
    for (const state of ['completed', 'failed'] as const) {
      for (let start = 0; ; start += 2000) {
        const page = await queue.getJobs([state], start, start + 1999, true);
        if (page.length === 0) break;
        for (const j of page) {
          if (j.name === 'tick') {
            ticks++;
            continue;
          }
          jobs.set(j.data.i, JSON.stringify({ state, attemptsMade: j.attemptsMade, rv: j.returnvalue ?? null, reason: j.failedReason ?? null, prio: j.opts.priority ?? 0 }));
        }
      }
    }
    return { counts, jobs, ticks };
  } finally {
    await Promise.all(workers.map((w) => w.close()));
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
}

async function startNodisChild(): Promise<{ port: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(join(__dirname, '..', '..', '..', 'bin', 'nodis-server'), ['--port', String(port), '--bind', '127.0.0.1', '--save', ''], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    try {
      const c = await RawClient.connect(port);
      c.close();
      break;
    } catch {
      await sleep(50);
    }
  }
  return {
    port,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

function expected(i: number): { state: string; attemptsMade: number } {
  const p = plan(i);
  if (p.failTimes === 99) return { state: 'failed', attemptsMade: 3 };
  return { state: 'completed', attemptsMade: p.failTimes + 1 };
}

test(`BullMQ: ${N} jobs, 4 workers, same end states as redis-server`, { skip: bullmq === null ? 'bullmq not installed' : false, timeout: 400000 }, async () => {
  const nodis = await startNodisChild();
  let n: Outcome;
  try {
    n = await scenario(nodis.port);
  } finally {
    await nodis.stop();
  }
  // Nodis on its own: every job as planned.
  const failedFinal = Array.from({ length: N }, (_, i) => i).filter((i) => plan(i).failTimes === 99).length;
  assert.equal(n.jobs.size, N);
  assert.equal(n.ticks, TICKS);
  assert.equal(n.counts.completed, N - failedFinal + TICKS);
  assert.equal(n.counts.failed, failedFinal);
  for (const k of ['delayed', 'waiting', 'active', 'prioritized', 'waiting-children']) assert.equal(n.counts[k], 0, k);
  for (let i = 0; i < N; i++) {
    const j = JSON.parse(n.jobs.get(i)!) as { state: string; attemptsMade: number; rv: unknown; reason: string | null };
    const e = expected(i);
    assert.equal(j.state, e.state, `job ${i}`);
    assert.equal(j.attemptsMade, e.attemptsMade, `job ${i} attempts`);
    if (e.state === 'completed') assert.deepEqual(j.rv, { double: i * 2 });
    else assert.equal(j.reason, `fail ${i} at 2`);
  }

  const oracle = await startOracle();
  if (oracle === null) return;
  let r: Outcome;
  try {
    r = await scenario(oracle.port);
  } finally {
    await oracle.close();
  }
  assert.deepEqual(n.counts, r.counts);
  assert.equal(n.ticks, r.ticks);
  for (let i = 0; i < N; i++) assert.equal(n.jobs.get(i), r.jobs.get(i), `job ${i}`);
});

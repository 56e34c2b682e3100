// BullMQ against Nodis: a real Queue + Worker (BullMQ runs almost everything through EVALSHA
// of its Lua scripts). Jobs are added (plain, delayed, repeatable), processed, and counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startNodis, type RunningServer } from '../helpers';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const bullmq = (() => {
  try {
    return require('bullmq') as typeof import('bullmq');
  } catch {
    return null;
  }
})();

function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  return new Promise((res, rej) => {
    const tick = (): void => {
      if (cond()) res();
      else if (Date.now() > end) rej(new Error('timeout'));
      else setTimeout(tick, 20);
    };
    tick();
  });
}

test('BullMQ Queue + Worker on Nodis', { skip: bullmq === null ? 'bullmq not installed' : false, timeout: 25000 }, async () => {
  const { Queue, Worker, QueueEvents } = bullmq!;
  const srv: RunningServer = await startNodis({ quiet: true });
  const connection = { host: '127.0.0.1', port: srv.port, maxRetriesPerRequest: null };
  const queue = new Queue('jobs', { connection });
  const results = new Map<string, unknown>();
  let repeatRuns = 0;
  const worker = new Worker(
    'jobs',
    async (job) => {
      if (job.name === 'repeat') {
        repeatRuns++;
        return 'r';
      }
      if (job.name === 'fail') throw new Error('boom');
      return { sum: (job.data as { a: number; b: number }).a + (job.data as { a: number; b: number }).b };
    },
    { connection, concurrency: 4 },
  );
  worker.on('completed', (job, rv) => {
    if (job.name !== 'repeat') results.set(job.id as string, rv);
  });
  let failed = 0;
  worker.on('failed', () => failed++);
  const events = new QueueEvents('jobs', { connection });
  try {
    await worker.waitUntilReady();
    await events.waitUntilReady();
    const N = 50;
    const jobs = await queue.addBulk(Array.from({ length: N }, (_, i) => ({ name: 'add', data: { a: i, b: 1 } })));
    assert.equal(jobs.length, N);
    const delayed = await queue.add('add', { a: 100, b: 1 }, { delay: 300 });
    await queue.add('fail', {}, { attempts: 2, backoff: { type: 'fixed', delay: 50 } });
    await queue.upsertJobScheduler('rep', { every: 200, limit: 3 }, { name: 'repeat' });
    const priority = await queue.add('add', { a: 7, b: 7 }, { priority: 1 });

    await waitFor(() => results.size >= N + 2 && failed >= 1 && repeatRuns >= 2, 15000);
    for (const j of jobs) assert.deepEqual(results.get(j.id as string), { sum: (j.data as { a: number }).a + 1 });
    assert.deepEqual(results.get(delayed.id as string), { sum: 101 });
    assert.deepEqual(results.get(priority.id as string), { sum: 14 });
    const done = await jobs[0].getState();
    assert.equal(done, 'completed');
    // The worker's 'failed' event fires on the first attempt too; the job reaches the failed set after its retry.
    let counts = await queue.getJobCounts('completed', 'failed', 'waiting', 'active');
    for (let i = 0; i < 100 && counts.failed === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      counts = await queue.getJobCounts('completed', 'failed', 'waiting', 'active');
    }
    assert.ok(counts.completed >= N + 2, JSON.stringify(counts));
    assert.equal(counts.failed, 1);
    // Return values are stored by the moveToFinished script and read back.
    const again = await queue.getJob(jobs[3].id as string);
    assert.deepEqual(again?.returnvalue, { sum: 4 });
    const f = (await queue.getFailed())[0];
    assert.equal(f.failedReason, 'boom');
    assert.equal(f.attemptsMade, 2);
  } finally {
    await worker.close();
    await events.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await srv.close();
  }
});

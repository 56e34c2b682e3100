// Error statistics of scripts (failed_calls / rejected_calls, errorstats) and the stale-replica
// refusal of scripts without shebang: Nodis and redis-server 7.0 must agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startNodis, startOracle, RawClient } from '../helpers';

/** calls/rejected_calls/failed_calls of a command, from INFO commandstats. */
async function cmdstat(c: RawClient, name: string): Promise<string> {
  const info = await c.call('INFO', 'commandstats');
  const m = new RegExp(`cmdstat_${name}:calls=(\\d+),usec=[^,]*,usec_per_call=[^,]*,rejected_calls=(\\d+),failed_calls=(\\d+)`).exec(info);
  return m === null ? 'none' : `calls=${m[1]} rejected=${m[2]} failed=${m[3]}`;
}

async function errorstats(c: RawClient): Promise<string> {
  const info = await c.call('INFO', 'errorstats');
  return info
    .split('\r\n')
    .filter((l) => l.startsWith('errorstat_'))
    .join(' ');
}

/** Each scenario: a script run after CONFIG RESETSTAT; its reply and the stats after it. */
async function scenarios(port: number): Promise<string[]> {
  const c = await RawClient.connect(port);
  const out: string[] = [];
  const run = async (cmd: string[], stats: string[]): Promise<void> => {
    assert.equal(await c.call('CONFIG', 'RESETSTAT'), '+OK\r\n');
    const r = await c.call(...cmd);
    out.push(r.startsWith('-') ? r.split(' script:')[0] : r);
    for (const s of stats) out.push(`${s}: ${await cmdstat(c, s)}`);
    out.push(await errorstats(c));
  };
  try {
    assert.equal(await c.call('CONFIG', 'SET', 'maxmemory', '1'), '+OK\r\n');
    await run(['EVAL', "return redis.call('set','x','y')", '1', 'x'], ['set', 'eval']);
    await run(['EVAL', "local t = redis.pcall('set','x','y') return t['err']", '1', 'x'], ['set', 'eval']);
    await run(['EVAL', "return redis.pcall('set','x','y')", '1', 'x'], ['set', 'eval']);
    assert.equal(await c.call('CONFIG', 'SET', 'maxmemory', '0'), '+OK\r\n');
    await run(['EVAL', "return redis.call('select',99)", '0'], ['select', 'eval']);
    await run(['EVAL', "local t = redis.pcall('select',99) return t['err']", '0'], ['select', 'eval']);
    await run(['EVAL_RO', "return redis.call('set','x','y')", '1', 'x'], ['set', 'eval_ro']);
    await run(['EVAL_RO', "local t = redis.pcall('set','x','y') return t['err']", '1', 'x'], ['set', 'eval_ro']);
    await run(['EVAL', "return redis.error_reply('MY_ERR custom')", '0'], ['eval']);
    await run(['EVAL', "return {err='MY_ERR other'}", '0'], ['eval']);
    return out;
  } finally {
    c.close();
  }
}

async function staleReplica(port: number): Promise<string[]> {
  const c = await RawClient.connect(port);
  try {
    const out: string[] = [];
    out.push(await c.call('CONFIG', 'SET', 'replica-serve-stale-data', 'no'));
    out.push(await c.call('REPLICAOF', '127.0.0.1', '1'));
    out.push(await c.call('EVAL', 'return 1', '0'));
    out.push(await c.call('EVAL', "return redis.call('echo','x')", '0'));
    out.push(await c.call('EVAL', '#!lua flags=no-writes\nreturn 1', '0'));
    out.push(await c.call('EVAL', '#!lua flags=allow-stale,no-writes\nreturn 1', '0'));
    out.push((await c.call('EVAL', "#!lua flags=allow-stale,no-writes\nreturn redis.call('get','x')", '1', 'x')).split(' script:')[0].replace(/\.$/, ''));
    out.push(await c.call('EVAL', "#!lua flags=allow-stale,no-writes\nreturn redis.call('echo','x')", '0'));
    const sha = (await c.call('SCRIPT', 'LOAD', 'return 2')).split('\r\n')[1];
    out.push(await c.call('EVALSHA', sha, '0'));
    out.push(await c.call('REPLICAOF', 'NO', 'ONE'));
    return out;
  } finally {
    c.close();
  }
}

test('scripts: failed_calls, rejected_calls and errorstats as Redis counts them', async () => {
  const srv = await startNodis({ quiet: true });
  let got: string[];
  try {
    got = await scenarios(srv.port);
  } finally {
    await srv.close();
  }
  // Fixed expectations (7.2's test "Consistent eval error reporting") ...
  assert.deepEqual(got.slice(0, 4), [
    "-OOM command not allowed when used memory > 'maxmemory'.",
    'set: calls=0 rejected=1 failed=0',
    'eval: calls=1 rejected=0 failed=1',
    'errorstat_OOM:count=1',
  ]);
  assert.deepEqual(got.slice(4, 8), [
    "$55\r\nOOM command not allowed when used memory > 'maxmemory'.\r\n",
    'set: calls=0 rejected=1 failed=0',
    'eval: calls=1 rejected=0 failed=0',
    'errorstat_OOM:count=1',
  ]);
  // ... and the oracle for all of them.
  const oracle = await startOracle();
  if (oracle !== null) {
    try {
      assert.deepEqual(got, await scenarios(oracle.port));
    } finally {
      await oracle.close();
    }
  }
});

test('a stale replica refuses scripts without shebang (-MASTERDOWN) but runs allow-stale ones', async () => {
  const srv = await startNodis({ quiet: true });
  let got: string[];
  try {
    got = await staleReplica(srv.port);
  } finally {
    await srv.close();
  }
  const masterdown = "-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.\r\n";
  assert.deepEqual(got.slice(2, 6), [masterdown, masterdown, masterdown, ':1\r\n']);
  assert.equal(got[6], '-ERR Can not execute the command on a stale replica');
  const oracle = await startOracle();
  if (oracle !== null) {
    try {
      assert.deepEqual(got, await staleReplica(oracle.port));
    } finally {
      await oracle.close();
    }
  }
});

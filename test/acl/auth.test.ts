import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startNodis, startOracle, RawClient, type RunningServer, type Oracle } from '../helpers';

let srv: RunningServer;
let oracle: Oracle | null = null;

before(async () => {
  srv = await startNodis();
  oracle = await startOracle();
});

after(async () => {
  await srv.close();
  await oracle?.close();
});

const WRONGPASS = '-WRONGPASS invalid username-password pair or user is disabled.\r\n';

/** The same AUTH/HELLO transcript on Nodis and (when installed) redis-server. */
async function authScenario(port: number): Promise<string[]> {
  const out: string[] = [];
  const a = await RawClient.connect(port);
  const hello = async (...args: string[]) => {
    const r = await a.call('HELLO', ...args);
    return r.startsWith('-') ? r : 'hello-ok';
  };
  out.push(await a.call('AUTH', 'nopass-configured'));
  out.push(await a.call('AUTH', 'a', 'b', 'c'));
  out.push(await a.call('ACL', 'SETUSER', 'alice', '>secret', '+@all', '~*'));
  out.push(await a.call('AUTH', 'alice', 'secret')); // still off
  out.push(await a.call('ACL', 'SETUSER', 'alice', 'on'));
  out.push(await a.call('AUTH', 'alice', 'wrong'));
  out.push(await a.call('AUTH', 'nobody', 'secret'));
  out.push(await a.call('AUTH', 'alice', 'secret'));
  out.push(await a.call('ACL', 'WHOAMI'));
  out.push(await hello('2', 'AUTH', 'alice', 'bad'));
  out.push(await hello('2', 'AUTH', 'default', 'x', 'SETNAME', 'cli'));
  out.push(await a.call('ACL', 'WHOAMI'));
  out.push(await a.call('CLIENT', 'GETNAME'));
  out.push(await a.call('ACL', 'SETUSER', 'bob', 'on', '>pw', '+@all'));
  out.push(await a.call('ACL', 'DELUSER', 'alice', 'bob'));
  a.close();
  return out;
}

test('AUTH and HELLO AUTH with ACL users match redis-server', async () => {
  const ours = await authScenario(srv.port);
  assert.equal(ours[5], WRONGPASS);
  assert.equal(ours[7], '+OK\r\n');
  assert.equal(ours[8], '$5\r\nalice\r\n');
  if (oracle === null) return;
  assert.deepEqual(ours, await authScenario(oracle.port));
});

test('the last AUTH of a HELLO chain wins (Redis 7.2); a failing chain changes nothing', async () => {
  const a = await RawClient.connect(srv.port);
  await a.call('ACL', 'SETUSER', 'u1', 'on', '>pw', '+@all');
  await a.call('ACL', 'SETUSER', 'u2', 'on', '>pw', '+@all');
  assert.match(await a.call('HELLO', '2', 'AUTH', 'u1', 'bad', 'AUTH', 'u2', 'pw'), /^\*14\r\n/);
  assert.equal(await a.call('ACL', 'WHOAMI'), '$2\r\nu2\r\n');
  await a.call('CLIENT', 'SETNAME', 'n0');
  assert.equal(await a.call('HELLO', '2', 'AUTH', 'u2', 'pw', 'AUTH', 'u1', 'bad', 'SETNAME', 'n2'), WRONGPASS);
  assert.equal(await a.call('ACL', 'WHOAMI'), '$2\r\nu2\r\n');
  assert.equal(await a.call('CLIENT', 'GETNAME'), '$2\r\nn0\r\n');
  await a.call('AUTH', 'default', 'x');
  await a.call('ACL', 'DELUSER', 'u1', 'u2');
  a.close();
});

test('requirepass is the default user password; default off means NOAUTH', async () => {
  const a = await RawClient.connect(srv.port);
  assert.equal(await a.call('CONFIG', 'SET', 'requirepass', 'foobar'), '+OK\r\n');
  assert.ok((await a.call('ACL', 'LIST')).includes('user default on sanitize-payload #c3ab8ff13720e8ad9047dd39466b3c8974e592c2fa383d4a3960714caef0c4f2 ~* &* +@all'));
  const b = await RawClient.connect(srv.port);
  assert.equal(await b.call('GET', 'x'), '-NOAUTH Authentication required.\r\n');
  assert.equal(await b.call('AUTH', 'wrong'), WRONGPASS);
  assert.equal(await b.call('AUTH', 'foobar'), '+OK\r\n');
  assert.equal(await b.call('AUTH', 'default', 'foobar'), '+OK\r\n');
  assert.equal(await a.call('CONFIG', 'SET', 'requirepass', ''), '+OK\r\n');
  assert.ok((await a.call('ACL', 'LIST')).includes('user default on nopass sanitize-payload ~* &* +@all'));
  const c = await RawClient.connect(srv.port);
  assert.equal(await c.call('PING'), '+PONG\r\n');
  await a.call('ACL', 'SETUSER', 'default', 'off');
  const d = await RawClient.connect(srv.port);
  assert.equal(await d.call('PING'), '-NOAUTH Authentication required.\r\n');
  assert.match(await d.call('HELLO', '3'), /^-NOAUTH HELLO must be called with the client already authenticated/);
  await a.call('ACL', 'SETUSER', 'default', 'on');
  // A default user without command permissions can still authenticate as someone else.
  await a.call('ACL', 'SETUSER', 'secure', 'on', '>supass', '+@all', '~*');
  await a.call('ACL', 'SETUSER', 'default', '-@all');
  const e = await RawClient.connect(srv.port);
  assert.equal(await e.call('GET', 'x'), "-NOPERM User default has no permissions to run the 'get' command\r\n");
  assert.match(await e.call('HELLO', '2', 'AUTH', 'secure', 'supass'), /^\*14\r\n/);
  assert.equal(await e.call('GET', 'x'), '$-1\r\n');
  await e.call('ACL', 'SETUSER', 'default', '+@all');
  assert.match(await e.call('CLIENT', 'LIST'), / user=secure /);
  for (const x of [a, b, c, d, e]) x.close();
});

test('CLIENT KILL USER knows ACL users', async () => {
  const a = await RawClient.connect(srv.port);
  await a.call('ACL', 'SETUSER', 'killme', 'on', 'nopass', '+@all');
  const v = await RawClient.connect(srv.port);
  await v.call('AUTH', 'killme', 'x');
  assert.equal(await a.call('CLIENT', 'KILL', 'USER', 'killme'), ':1\r\n');
  assert.equal(await v.waitClosed(2000), true);
  assert.equal(await a.call('CLIENT', 'KILL', 'USER', 'ghost'), "-ERR No such user 'ghost'\r\n");
  a.close();
});

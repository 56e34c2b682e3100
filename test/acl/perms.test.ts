import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startNodis, RawClient, sleep, type RunningServer } from '../helpers';

let srv: RunningServer;
let admin: RawClient;

before(async () => {
  srv = await startNodis();
  admin = await RawClient.connect(srv.port);
});

after(async () => {
  admin.close();
  await srv.close();
});

async function as(user: string): Promise<RawClient> {
  const c = await RawClient.connect(srv.port);
  assert.equal(await c.call('AUTH', user, 'pw'), '+OK\r\n');
  return c;
}

function bulk(s: string): string {
  return `$${s.length}\r\n${s}\r\n`;
}

test('command, subcommand and category rules decide what runs (Redis 7.2 texts)', async () => {
  await admin.call('ACL', 'SETUSER', 'u1', 'reset', 'on', '>pw', 'allkeys', '+@string', '-append', '+client|id', '+select|0');
  const c = await as('u1');
  assert.equal(await c.call('SET', 'k', 'v'), '+OK\r\n');
  assert.equal(await c.call('APPEND', 'k', 'v'), "-NOPERM User u1 has no permissions to run the 'append' command\r\n");
  assert.equal(await c.call('LPUSH', 'l', 'v'), "-NOPERM User u1 has no permissions to run the 'lpush' command\r\n");
  assert.match(await c.call('CLIENT', 'ID'), /^:\d+\r\n$/);
  assert.equal(await c.call('CLIENT', 'GETNAME'), "-NOPERM User u1 has no permissions to run the 'client|getname' command\r\n");
  assert.equal(await c.call('SELECT', '0'), '+OK\r\n');
  assert.equal(await c.call('SELECT', '1'), "-NOPERM User u1 has no permissions to run the 'select' command\r\n");
  // no_auth commands are always allowed.
  assert.equal(await c.call('AUTH', 'u1', 'pw'), '+OK\r\n');
  c.close();
});

test('key patterns: read/write distinction follows the key specs', async () => {
  await admin.call('ACL', 'SETUSER', 'u2', 'reset', 'on', '>pw', '+@all', '%R~r*', '%W~w*', '~rw*');
  await admin.call('SET', 'rstr', 'x');
  const c = await as('u2');
  const KEY = '-NOPERM No permissions to access a key\r\n';
  assert.equal(await c.call('GET', 'rstr'), '$1\r\nx\r\n');
  assert.equal(await c.call('SET', 'rstr', 'y'), KEY);
  assert.equal(await c.call('SET', 'wstr', 'y'), '+OK\r\n');
  assert.equal(await c.call('SET', 'wstr', 'y', 'GET'), KEY);
  assert.equal(await c.call('GET', 'wstr'), KEY);
  assert.equal(await c.call('LPUSH', 'wlist', 'a'), ':1\r\n');
  assert.equal(await c.call('INCR', 'wnum'), KEY); // INCR reads the value too
  assert.equal(await c.call('INCR', 'rwnum'), ':1\r\n');
  assert.equal(await c.call('EXISTS', 'wstr'), ':1\r\n'); // existence needs no read access
  assert.equal(await c.call('COPY', 'rstr', 'wcopy'), ':1\r\n');
  assert.equal(await c.call('COPY', 'wcopy', 'rstr'), KEY);
  assert.equal(await c.call('GET', 'other'), KEY);
  assert.equal(await c.call('BITFIELD', 'rstr', 'GET', 'u4', '0'), '*1\r\n:7\r\n');
  assert.equal(await c.call('BITFIELD', 'rstr', 'SET', 'u4', '0', '1'), KEY);
  c.close();
});

test('channel patterns: PUBLISH SUBSCRIBE SSUBSCRIBE, and PSUBSCRIBE needs the exact pattern', async () => {
  await admin.call('ACL', 'SETUSER', 'u3', 'reset', 'on', '>pw', '+@all', '~*', '&news:*', '&exact');
  const c = await as('u3');
  const CH = '-NOPERM No permissions to access a channel\r\n';
  assert.equal(await c.call('PUBLISH', 'news:1', 'm'), ':0\r\n');
  assert.equal(await c.call('PUBLISH', 'sports', 'm'), CH);
  assert.equal(await c.call('SPUBLISH', 'sports', 'm'), CH);
  assert.equal(await c.call('PSUBSCRIBE', 'news:1*'), CH);
  assert.equal(await c.call('SUBSCRIBE', 'news:1', 'sports'), CH);
  assert.equal(await c.call('PSUBSCRIBE', 'news:*'), '*3\r\n$10\r\npsubscribe\r\n$6\r\nnews:*\r\n:1\r\n');
  c.close();
  // In a transaction the denial happens when queuing.
  const t = await as('u3');
  assert.equal(await t.call('MULTI'), '+OK\r\n');
  assert.equal(await t.call('PUBLISH', 'nope', 'x'), CH);
  assert.equal(await t.call('EXEC'), '-EXECABORT Transaction discarded because of previous errors.\r\n');
  t.close();
});

test('rules changed between MULTI and EXEC: the queued command is refused at EXEC (as redis-server)', async () => {
  await admin.call('ACL', 'SETUSER', 'tx', 'reset', 'on', '>pw', '+multi', '+exec', '+incr', '+publish', '~x', '&c');
  const t = await as('tx');
  await t.call('MULTI');
  assert.equal(await t.call('INCR', 'x'), '+QUEUED\r\n');
  assert.equal(await t.call('PUBLISH', 'c', 'm'), '+QUEUED\r\n');
  await admin.call('ACL', 'SETUSER', 'tx', '-incr', 'resetchannels');
  const pre = '-NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: ';
  assert.equal(
    await t.call('EXEC'),
    `*2\r\n${pre}no permission to execute the command or subcommand\r\n${pre}no permission to access one of the channels used as arguments\r\n`,
  );
  t.close();
});

test('ACL DRYRUN gives verbose reasons and does not log', async () => {
  await admin.call('ACL', 'LOG', 'RESET');
  await admin.call('ACL', 'SETUSER', 'dry', 'reset', '+@all', '%R~read*', '%W~write*', '%RW~rw*', '&chan');
  assert.equal(await admin.call('ACL', 'DRYRUN', 'dry', 'GET', 'read'), '+OK\r\n');
  assert.equal(await admin.call('ACL', 'DRYRUN', 'dry', 'GET', 'write'), bulk("User dry has no permissions to access the 'write' key"));
  assert.equal(await admin.call('ACL', 'DRYRUN', 'dry', 'SORT', 'read', 'STORE', 'write'), '+OK\r\n');
  assert.equal(await admin.call('ACL', 'DRYRUN', 'dry', 'EVAL', '', '1', 'read'), bulk("User dry has no permissions to access the 'read' key"));
  assert.equal(await admin.call('ACL', 'DRYRUN', 'dry', 'EVAL_RO', '', '1', 'read'), '+OK\r\n');
  assert.equal(await admin.call('ACL', 'DRYRUN', 'dry', 'PUBLISH', 'x', 'm'), bulk("User dry has no permissions to access the 'x' channel"));
  await admin.call('ACL', 'SETUSER', 'dry', '-@all');
  assert.equal(await admin.call('ACL', 'DRYRUN', 'dry', 'get', 'read'), bulk("User dry has no permissions to run the 'get' command"));
  assert.equal(await admin.call('ACL', 'LOG'), '*0\r\n');
});

test('selectors: one selector must allow the command, all keys and channels', async () => {
  await admin.call('ACL', 'SETUSER', 's1', 'reset', 'on', '>pw', '+mget', '~key', '(+mget ~key ~otherkey)', '(+@write ~write::*)');
  const c = await as('s1');
  assert.equal(await c.call('SET', 'write::a', '1'), '+OK\r\n');
  assert.equal(await c.call('MGET', 'key', 'otherkey'), '*2\r\n$-1\r\n$-1\r\n');
  await admin.call('ACL', 'LOG', 'RESET');
  assert.equal(await c.call('MGET', 'key', 'otherkey', 'someotherkey'), '-NOPERM No permissions to access a key\r\n');
  const log = await admin.call('ACL', 'LOG', '1');
  assert.ok(log.includes('$6\r\nreason\r\n$3\r\nkey\r\n$7\r\ncontext\r\n$8\r\ntoplevel\r\n$6\r\nobject\r\n$12\r\nsomeotherkey\r\n$8\r\nusername\r\n$2\r\ns1\r\n'), log);
  c.close();
});

test('ACL LOG entries: fields, grouping, contexts, count and RESET; INFO counters', async () => {
  await admin.call('ACL', 'LOG', 'RESET');
  await admin.call('ACL', 'SETUSER', 'lg', 'reset', 'on', '>pw', '+set', '+eval', '+multi', '+exec', '+discard', '~obj:*');
  const info0 = await admin.call('INFO', 'stats');
  const n = (info: string, k: string) => Number(new RegExp(`${k}:(\\d+)`).exec(info)?.[1]);
  const c = await as('lg');
  await c.call('GET', 'x');
  await c.call('GET', 'x');
  await c.call('SET', 'nope', '1');
  await c.call('MULTI');
  await c.call('INCR', 'obj:1');
  await c.call('DISCARD');
  assert.equal(await c.call('EVAL', "return redis.pcall('incr', 'obj:1')", '0'), "-ERR ACL failure in script: User lg has no permissions to run the 'incr' command\r\n");
  assert.equal(await c.call('AUTH', 'lg', 'wrong'), '-WRONGPASS invalid username-password pair or user is disabled.\r\n');
  const log = await admin.call('ACL', 'LOG');
  assert.ok(log.startsWith('*5\r\n*20\r\n$5\r\ncount\r\n:1\r\n$6\r\nreason\r\n$4\r\nauth\r\n$7\r\ncontext\r\n$8\r\ntoplevel\r\n$6\r\nobject\r\n$4\r\nAUTH\r\n$8\r\nusername\r\n$2\r\nlg\r\n$11\r\nage-seconds\r\n'), log);
  for (const f of ['client-info', 'entry-id', 'timestamp-created', 'timestamp-last-updated']) assert.ok(log.includes(bulk(f)));
  assert.ok(log.includes('$7\r\ncontext\r\n$3\r\nlua\r\n$6\r\nobject\r\n$4\r\nincr\r\n'), log);
  assert.match(log, /context\r\n\$3\r\nlua\r\n[^]*?cmd=eval /);
  assert.ok(log.includes('$7\r\ncontext\r\n$5\r\nmulti\r\n$6\r\nobject\r\n$4\r\nincr\r\n'));
  assert.ok(log.includes('$6\r\nreason\r\n$3\r\nkey\r\n$7\r\ncontext\r\n$8\r\ntoplevel\r\n$6\r\nobject\r\n$4\r\nnope\r\n'));
  assert.ok(log.includes('$5\r\ncount\r\n:2\r\n$6\r\nreason\r\n$7\r\ncommand\r\n$7\r\ncontext\r\n$8\r\ntoplevel\r\n$6\r\nobject\r\n$3\r\nget\r\n'));
  assert.match(log, /cmd=get user=lg/);
  assert.ok((await admin.call('ACL', 'LOG', '2')).startsWith('*2\r\n'));
  const info1 = await admin.call('INFO', 'stats');
  assert.equal(n(info1, 'acl_access_denied_auth') - n(info0, 'acl_access_denied_auth'), 1);
  // GET twice, INCR queued in MULTI, INCR from the script.
  assert.equal(n(info1, 'acl_access_denied_cmd') - n(info0, 'acl_access_denied_cmd'), 4);
  assert.equal(n(info1, 'acl_access_denied_key') - n(info0, 'acl_access_denied_key'), 1);
  // acllog-max-len bounds the log.
  await admin.call('CONFIG', 'SET', 'acllog-max-len', '2');
  await c.call('SET', 'other1', '1');
  assert.ok((await admin.call('ACL', 'LOG')).startsWith('*2\r\n'));
  await admin.call('CONFIG', 'SET', 'acllog-max-len', '128');
  assert.equal(await admin.call('ACL', 'LOG', 'RESET'), '+OK\r\n');
  assert.equal(await admin.call('ACL', 'LOG'), '*0\r\n');
  c.close();
});

test('subscribers losing channel permissions are disconnected; others are kept', async () => {
  await admin.call('ACL', 'SETUSER', 'ps', 'reset', 'on', '>pw', '+@all', '&foo:1', '&bar:*');
  const a = await as('ps');
  const b = await as('ps');
  await a.call('SUBSCRIBE', 'foo:1');
  await b.call('PSUBSCRIBE', 'bar:*');
  await admin.call('ACL', 'SETUSER', 'ps', 'resetchannels', '&foo:1', '&zap');
  assert.equal(await b.waitClosed(2000), true);
  await sleep(50);
  assert.equal(a.closed, false);
  await admin.call('ACL', 'SETUSER', 'ps', 'allchannels');
  await sleep(50);
  assert.equal(a.closed, false);
  await admin.call('ACL', 'SETUSER', 'ps', 'resetchannels');
  assert.equal(await a.waitClosed(2000), true);
});

test('deleting a user disconnects its clients (the caller after its reply)', async () => {
  await admin.call('ACL', 'SETUSER', 'gone', 'on', '>pw', '+acl');
  const other = await as('gone');
  const self = await as('gone');
  assert.equal(await self.call('ACL', 'DELUSER', 'gone', 'nobody'), ':1\r\n');
  assert.equal(await self.waitClosed(2000), true);
  assert.equal(await other.waitClosed(2000), true);
});

test('redis.acl_check_cmd answers without logging or counting', async () => {
  await admin.call('ACL', 'LOG', 'RESET');
  await admin.call('ACL', 'SETUSER', 'sc', 'reset', 'on', '>pw', '+@scripting', '+set', '~x*');
  const c = await as('sc');
  assert.equal(await c.call('EVAL', "return redis.acl_check_cmd('set','xx','1')", '0'), ':1\r\n');
  assert.equal(await c.call('EVAL', "return redis.acl_check_cmd('hset','xx','f','1')", '0'), '$-1\r\n');
  assert.equal(await c.call('EVAL', "return redis.acl_check_cmd('set','yy','1')", '0'), '$-1\r\n');
  assert.equal(await admin.call('ACL', 'LOG'), '*0\r\n');
  c.close();
});

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startNodis, startOracle, RawClient, type RunningServer, type Oracle } from '../helpers';

let srv: RunningServer;
let oracle: Oracle | null = null;
let c: RawClient;

before(async () => {
  srv = await startNodis();
  oracle = await startOracle();
  c = await RawClient.connect(srv.port);
});

after(async () => {
  c.close();
  await srv.close();
  await oracle?.close();
});

/** Bulk-string RESP of a plain string. */
const bulk = (s: string) => `$${Buffer.byteLength(s, 'latin1')}\r\n${s}\r\n`;

/** The `field` of an ACL GETUSER reply (RESP2), as a string. */
async function getuserField(user: string, field: string): Promise<string> {
  const r = await c.call('ACL', 'GETUSER', user);
  const m = new RegExp(`\\$${field.length}\\r\\n${field}\\r\\n\\$(\\d+)\\r\\n`).exec(r);
  assert.ok(m, `no ${field} in ${JSON.stringify(r)}`);
  const start = (m.index ?? 0) + m[0].length;
  return r.slice(start, start + Number(m[1]));
}

test('new users start off, with no commands, keys or channels', async () => {
  assert.equal(await c.call('ACL', 'SETUSER', 'fresh'), '+OK\r\n');
  assert.equal(
    await c.call('ACL', 'GETUSER', 'fresh'),
    '*12\r\n$5\r\nflags\r\n*2\r\n$3\r\noff\r\n$16\r\nsanitize-payload\r\n$9\r\npasswords\r\n*0\r\n' +
      '$8\r\ncommands\r\n$5\r\n-@all\r\n$4\r\nkeys\r\n$0\r\n\r\n$8\r\nchannels\r\n$0\r\n\r\n$9\r\nselectors\r\n*0\r\n',
  );
  const list = await c.call('ACL', 'LIST');
  assert.ok(list.includes(bulk('user default on nopass sanitize-payload ~* &* +@all')));
  assert.ok(list.includes(bulk('user fresh off sanitize-payload resetchannels -@all')));
  assert.equal(await c.call('ACL', 'USERS'), '*2\r\n$7\r\ndefault\r\n$5\r\nfresh\r\n');
  // RESET gives back exactly a new user.
  await c.call('ACL', 'SETUSER', 'fresh', 'on', 'nopass', '+@all', '~*', '&*', 'reset');
  assert.ok((await c.call('ACL', 'LIST')).includes(bulk('user fresh off sanitize-payload resetchannels -@all')));
  assert.equal(await c.call('ACL', 'GETUSER', 'nosuchuser'), '$-1\r\n');
});

test('flags and passwords: on off nopass resetpass >pass <pass #hash !hash (SHA-256)', async () => {
  const h = createHash('sha256').update('password').digest('hex');
  await c.call('ACL', 'SETUSER', 'pw', 'on', '>password', '>other', 'skip-sanitize-payload');
  assert.equal(await getuserField('pw', 'commands'), '-@all');
  let r = await c.call('ACL', 'GETUSER', 'pw');
  assert.ok(r.includes(`*2\r\n$64\r\n${h}\r\n`), r);
  assert.ok(r.includes('$2\r\non\r\n$21\r\nskip-sanitize-payload\r\n'));
  await c.call('ACL', 'SETUSER', 'pw', '<password');
  r = await c.call('ACL', 'GETUSER', 'pw');
  assert.ok(!r.includes(h));
  await c.call('ACL', 'SETUSER', 'pw', `#${h}`);
  assert.ok((await c.call('ACL', 'GETUSER', 'pw')).includes(h));
  await c.call('ACL', 'SETUSER', 'pw', `!${h}`);
  assert.ok(!(await c.call('ACL', 'GETUSER', 'pw')).includes(h));
  await c.call('ACL', 'SETUSER', 'pw', 'nopass');
  assert.ok((await c.call('ACL', 'LIST')).includes(bulk('user pw on nopass skip-sanitize-payload resetchannels -@all')));
  await c.call('ACL', 'SETUSER', 'pw', 'resetpass', 'off');
  assert.ok((await c.call('ACL', 'LIST')).includes(bulk('user pw off skip-sanitize-payload resetchannels -@all')));
});

test('command rules are compacted and rendered as Redis 7.2 does', async () => {
  const cases: [string[], string][] = [
    [['+@all', '-@hash', '-@slow', '+hget'], '+@all -@hash -@slow +hget'],
    [['-@hash'], '+@all -@slow +hget -@hash'],
    [['-@all', '+@hash', '+@slow', '+@set', '+@set', '+@slow', '+@hash'], '-@all +@set +@slow +@hash'],
    [['-@all', '+HGET', '+hget'], '-@all +hget'],
    [['-@all', '+client|list', '+client|list', '+config|get', '+config', '+acl|list', '-acl'], '-@all +client|list +config -acl'],
    [['-@all', '+select|0', '+select|0', '+debug|digest', '+debug'], '-@all +select|0 +debug'],
    [['-@all', '+config', '+config|get', '-config|set', '+config'], '-@all +config'],
    [['allcommands', '-memory|doctor'], '+@all -memory|doctor'],
    [['nocommands'], '-@all'],
  ];
  for (const [rules, want] of cases) {
    assert.equal(await c.call('ACL', 'SETUSER', 'adv', ...rules), '+OK\r\n');
    assert.equal(await getuserField('adv', 'commands'), want, rules.join(' '));
  }
});

test('key and channel patterns: ~ %R~ %W~ %RW~ allkeys resetkeys & allchannels resetchannels', async () => {
  await c.call('ACL', 'SETUSER', 'kp', 'reset', '~a*', '%R~r*', '%W~w*', '%RW~b*', '%R~x', '%W~x', '&ch:*', '&news');
  assert.equal(await getuserField('kp', 'keys'), '~a* %R~r* %W~w* ~b* ~x');
  assert.equal(await getuserField('kp', 'channels'), '&ch:* &news');
  assert.ok((await c.call('ACL', 'LIST')).includes(bulk('user kp off sanitize-payload ~a* %R~r* %W~w* ~b* ~x resetchannels &ch:* &news -@all')));
  await c.call('ACL', 'SETUSER', 'kp', 'allkeys', 'allchannels');
  assert.equal(await getuserField('kp', 'keys'), '~*');
  assert.equal(await getuserField('kp', 'channels'), '&*');
  await c.call('ACL', 'SETUSER', 'kp', 'resetkeys', 'resetchannels');
  assert.equal(await getuserField('kp', 'keys'), '');
  assert.equal(await getuserField('kp', 'channels'), '');
});

test('selectors: added, rendered, cleared', async () => {
  await c.call('ACL', 'SETUSER', 'sel', 'on', '-@all', '+get', '~k1', '(+set ~k2', '&c)', '(%R~r* +get)');
  const r = await c.call('ACL', 'GETUSER', 'sel');
  assert.ok(
    r.endsWith(
      '$9\r\nselectors\r\n*2\r\n*6\r\n$8\r\ncommands\r\n$10\r\n-@all +set\r\n$4\r\nkeys\r\n$3\r\n~k2\r\n$8\r\nchannels\r\n$2\r\n&c\r\n' +
        '*6\r\n$8\r\ncommands\r\n$10\r\n-@all +get\r\n$4\r\nkeys\r\n$5\r\n%R~r*\r\n$8\r\nchannels\r\n$0\r\n\r\n',
    ),
    r,
  );
  assert.ok((await c.call('ACL', 'LIST')).includes(bulk('user sel on sanitize-payload ~k1 resetchannels -@all +get (~k2 resetchannels &c -@all +set) (%R~r* resetchannels -@all +get)')));
  await c.call('ACL', 'SETUSER', 'sel', 'clearselectors');
  assert.ok((await c.call('ACL', 'GETUSER', 'sel')).endsWith('$9\r\nselectors\r\n*0\r\n'));
});

test('ACL GETUSER in RESP3 is a map with a set of flags', async () => {
  const r3 = await RawClient.connect(srv.port);
  await r3.call('HELLO', '3');
  await r3.call('ACL', 'SETUSER', 'r3', 'on', 'nopass', '(+get)');
  const r = await r3.call('ACL', 'GETUSER', 'r3');
  assert.ok(r.startsWith('%6\r\n$5\r\nflags\r\n~3\r\n$2\r\non\r\n$6\r\nnopass\r\n$16\r\nsanitize-payload\r\n$9\r\npasswords\r\n*0\r\n'), r);
  assert.ok(r.endsWith('$9\r\nselectors\r\n*1\r\n%3\r\n$8\r\ncommands\r\n$10\r\n-@all +get\r\n$4\r\nkeys\r\n$0\r\n\r\n$8\r\nchannels\r\n$0\r\n\r\n'), r);
  assert.equal(await r3.call('ACL', 'GETUSER', 'none'), '_\r\n');
  r3.close();
});

test('SETUSER errors match redis-server byte for byte', async () => {
  const bad: string[][] = [
    ['e1', '%~foo'],
    ['e1', '%RW', '%R~x', 'on', 'nopass', '~y'],
    ['e1', '%RW~'],
    ['e1', 'reset'],
    ['e1', '%X~a'],
    ['e1', '%RR~a'],
    ['e1', 'allkeys', '~a'],
    ['e1', 'allchannels', '&x'],
    ['e1', '(+PING'],
    ['e1', ')'],
    ['e1', ' () '],
    ['e1', '(this-is-invalid)'],
    ['e1', '#abc'],
    ['e1', '!abc'],
    ['e1', '<nope'],
    ['e1', '+client|list|x'],
    ['e1', '+config|get|appendonly'],
    ['e1', '+get|key1|key2'],
    ['e1', '-get|key1'],
    ['e1', '+foo'],
    ['e1', '+@nosuchcat'],
    ['e1', 'foo'],
    ['a a'],
    ['e1', '+debug|'],
    ['e1', '-select|0'],
    ['e1', '+config|asdf'],
  ];
  const ours: string[] = [];
  for (const b of bad) ours.push(await c.call('ACL', 'SETUSER', ...b));
  assert.equal(await c.call('ACL', 'DELUSER', 'e1'), ':1\r\n');
  assert.equal(ours[0], "-ERR Error in ACL SETUSER modifier '%~foo': Syntax error\r\n");
  assert.equal(ours[8], "-ERR Unmatched parenthesis in acl selector starting at '(+PING'.\r\n");
  if (oracle === null) return;
  const o = await RawClient.connect(oracle.port);
  const theirs: string[] = [];
  for (const b of bad) theirs.push(await o.call('ACL', 'SETUSER', ...b));
  o.close();
  assert.deepEqual(ours, theirs);
});

test('ACL CAT, GENPASS, HELP, WHOAMI, DELUSER errors', async () => {
  const cats = await c.call('ACL', 'CAT');
  assert.ok(/^\*\d+\r\n\$8\r\nkeyspace\r\n/.test(cats) && cats.includes('$8\r\nkeyspace\r\n$4\r\nread\r\n$5\r\nwrite\r\n'));
  assert.ok((await c.call('ACL', 'CAT', 'transaction')).includes(bulk('multi')));
  assert.ok((await c.call('ACL', 'CAT', 'scripting')).includes(bulk('function|list')));
  assert.ok(!(await c.call('ACL', 'CAT', 'keyspace')).includes(bulk('set')));
  assert.match(await c.call('ACL', 'GENPASS'), /^\$64\r\n[0-9a-f]{64}\r\n$/);
  assert.match(await c.call('ACL', 'GENPASS', '5'), /^\$2\r\n[0-9a-f]{2}\r\n$/);
  assert.equal(await c.call('ACL', 'WHOAMI'), '$7\r\ndefault\r\n');
  const cmds: string[][] = [
    ['ACL', 'CAT', 'NON_EXISTS'],
    ['ACL', 'CAT', 'NON_EXISTS', 'X'],
    ['ACL', 'GENPASS', '-236'],
    ['ACL', 'GENPASS', '5000'],
    ['ACL', 'GENPASS', 'x'],
    ['ACL', 'DELUSER', 'default'],
    ['ACL', 'HELP', 'x'],
    ['ACL', 'LOAD'],
    ['ACL', 'SAVE'],
    ['ACL', 'DRYRUN', 'nouser', 'get', 'a'],
    ['ACL', 'DRYRUN', 'default', 'nocmd', 'a'],
    ['ACL', 'DRYRUN', 'default', 'set', 'a'],
    ['ACL', 'NOSUCH'],
    ['ACL', 'HELP'],
    ['ACL', 'LOG', 'x'],
  ];
  const ours: string[] = [];
  for (const a of cmds) ours.push(await c.call(...a));
  if (oracle === null) return;
  const o = await RawClient.connect(oracle.port);
  const theirs: string[] = [];
  for (const a of cmds) theirs.push(await o.call(...a));
  o.close();
  // Redis 7.2 ends ACL HELP the same way as 7.0 ("Prints this help.").
  assert.deepEqual(ours, theirs);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNodis, RawClient } from '../helpers';

test('ACL SAVE / ACL LOAD round trip through the aclfile', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nodis-acl-'));
  const file = join(dir, 'users.acl');
  writeFileSync(file, 'user alice on allcommands allkeys &* >alice\nuser bob on -@all +@set +acl ~set* &* >bob\n\nuser default on nopass ~* &* +@all\n');
  const srv = await startNodis({ aclfile: file });
  try {
    const a = await RawClient.connect(srv.port);
    assert.equal(await a.call('AUTH', 'bob', 'bob'), '+OK\r\n');
    assert.equal(await a.call('SADD', 'set', '1'), ':1\r\n');
    assert.equal(await a.call('SET', 'k', 'v'), "-NOPERM User bob has no permissions to run the 'set' command\r\n");
    assert.equal(await a.call('ACL', 'SETUSER', 'eve', '+get', 'allkeys', '>eve', 'on', '(+set ~w*)'), '+OK\r\n');
    assert.equal(await a.call('ACL', 'SAVE'), '+OK\r\n');
    const saved = readFileSync(file, 'latin1');
    const lines = saved.trimEnd().split('\n');
    assert.deepEqual(lines.map((l) => l.split(' ').slice(0, 2).join(' ')), ['user alice', 'user bob', 'user default', 'user eve']);
    assert.ok(lines[3].endsWith(' ~* resetchannels -@all +get (~w* resetchannels -@all +set)'), lines[3]);
    // LOAD replaces the users and disconnects the clients of the old ones (the caller after its reply).
    const d = await RawClient.connect(srv.port);
    const before = await a.call('ACL', 'LIST');
    assert.equal(await a.call('ACL', 'LOAD'), '+OK\r\n');
    assert.equal(await a.waitClosed(2000), true);
    assert.equal(await d.call('ACL', 'LIST'), before);
    const e = await RawClient.connect(srv.port);
    assert.equal(await e.call('AUTH', 'eve', 'eve'), '+OK\r\n');
    assert.equal(await e.call('SET', 'w1', 'x'), '+OK\r\n');
    assert.equal(await e.call('GET', 'w1'), '$1\r\nx\r\n');
    assert.equal(await e.call('SET', 'k', 'x'), '-NOPERM No permissions to access a key\r\n');
    e.close();
    // A broken file changes nothing and says why.
    appendFileSync(file, 'user alice on nopass ~* -@all\nbad line\nuser zed on +nosuch\n');
    const r = await d.call('ACL', 'LOAD');
    assert.equal(
      r,
      `-ERR WARNING: Duplicate user 'alice' found on line 5. ${file}:6 should start with user keyword followed by the username. ` +
        `${file}:7: Error in applying operation '+nosuch': Unknown command or category name in ACL. ` +
        'WARNING: ACL errors detected, no change to the previously active ACL rules was performed\r\n',
    );
    assert.equal(await d.call('ACL', 'LIST'), before);
    rmSync(file);
    assert.equal(await d.call('ACL', 'LOAD'), `-ERR Error loading ACLs, opening file '${file}': No such file or directory\r\n`);
    d.close();
  } finally {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('user lines of the config file define users (default reset first)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nodis-acl-'));
  const conf = join(dir, 'redis.conf');
  writeFileSync(conf, 'user default on nopass ~* +@all -flushdb\nuser "carol" on >pw (+get ~c*)\n');
  const srv = await startNodis({ configFile: conf });
  try {
    const a = await RawClient.connect(srv.port);
    assert.equal(await a.call('FLUSHDB'), "-NOPERM User default has no permissions to run the 'flushdb' command\r\n");
    // The default user was reset: no channels (acl-pubsub-default resetchannels).
    assert.equal(await a.call('PUBLISH', 'x', 'y'), '-NOPERM No permissions to access a channel\r\n');
    assert.equal(await a.call('AUTH', 'carol', 'pw'), '+OK\r\n');
    assert.equal(await a.call('GET', 'c1'), '$-1\r\n');
    // CONFIG REWRITE writes the current users back as user lines.
    assert.equal(await a.call('AUTH', 'default', 'x'), '+OK\r\n');
    assert.equal(await a.call('ACL', 'SETUSER', 'dave', 'on', '>d', '+get'), '+OK\r\n');
    assert.equal(await a.call('CONFIG', 'REWRITE'), '+OK\r\n');
    const users = readFileSync(conf, 'latin1').split('\n').filter((l) => l.startsWith('user '));
    assert.deepEqual(users.map((l) => l.split(' ')[1]), ['carol', 'dave', 'default']);
    assert.ok(users[2].endsWith(' -@all +@all -flushdb') || users[2].endsWith(' +@all -flushdb'), users[2]);
    a.close();
  } finally {
    await srv.close();
  }
  writeFileSync(conf, 'user dup on\nuser dup off\n');
  await assert.rejects(startNodis({ configFile: conf }), /Duplicate user/);
  writeFileSync(conf, `user x on\naclfile ${join(dir, 'u.acl')}\n`);
  await assert.rejects(startNodis({ configFile: conf }), /users defined in redis.conf and at the same setting an ACL file/);
  rmSync(dir, { recursive: true, force: true });
});

test('acl-pubsub-default decides the channels of new users', async () => {
  const srv = await startNodis({ 'acl-pubsub-default': 'allchannels' });
  try {
    const a = await RawClient.connect(srv.port);
    await a.call('ACL', 'SETUSER', 'p1');
    assert.ok((await a.call('ACL', 'LIST')).includes('user p1 off sanitize-payload &* -@all'));
    assert.match(await a.call('ACL', 'SETUSER', 'p1', '&x'), /^-ERR Error in ACL SETUSER modifier '&x': Adding a pattern after the \* pattern \(or the 'allchannels' flag\)/);
    await a.call('CONFIG', 'SET', 'acl-pubsub-default', 'resetchannels');
    await a.call('ACL', 'SETUSER', 'p2');
    assert.ok((await a.call('ACL', 'LIST')).includes('user p2 off sanitize-payload resetchannels -@all'));
    assert.ok((await a.call('ACL', 'LIST')).includes('user p1 off sanitize-payload &* -@all'));
    a.close();
  } finally {
    await srv.close();
  }
});

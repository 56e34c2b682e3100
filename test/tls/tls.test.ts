/*
 * TLS: the tls-port listener, tls-auth-clients, CA checks, CONFIG SET reloads
 * (certificate swap, bad files, encrypted keys, protocols, ciphers), a
 * TLS-only server, ioredis over TLS, start-up failures and replication over
 * TLS. Certificates are generated with openssl into a temporary directory.
 */

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tls from 'node:tls';
import * as net from 'node:net';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { startNodis, encodeCommand, replyLength, freePort, sleep, RawClient, type RunningServer } from '../helpers';

let dir = '';
let srv: RunningServer;
let tlsPort = 0;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

/** A CA, and certificates signed by it. */
function makeCA(name: string): void {
  openssl('genrsa', '-out', join(dir, `${name}.key`), '2048');
  openssl('req', '-x509', '-new', '-nodes', '-sha256', '-key', join(dir, `${name}.key`), '-days', '2', '-subj', `/O=Nodis Test/CN=${name}`, '-out', join(dir, `${name}.crt`));
}

function makeCert(name: string, ca: string): void {
  openssl('genrsa', '-out', join(dir, `${name}.key`), '2048');
  openssl('req', '-new', '-sha256', '-key', join(dir, `${name}.key`), '-subj', `/O=Nodis Test/CN=${name}`, '-out', join(dir, `${name}.csr`));
  openssl('x509', '-req', '-sha256', '-in', join(dir, `${name}.csr`), '-CA', join(dir, `${ca}.crt`), '-CAkey', join(dir, `${ca}.key`), '-CAcreateserial', '-days', '2', '-out', join(dir, `${name}.crt`));
}

const f = (name: string): string => join(dir, name);
const read = (name: string): Buffer => readFileSync(f(name));

function tlsConfig(port: number): Record<string, string | number> {
  return {
    'tls-port': port,
    'tls-cert-file': f('server.crt'),
    'tls-key-file': f('server.key'),
    'tls-ca-cert-file': f('ca.crt'),
  };
}

interface TlsConn {
  sock: tls.TLSSocket;
  call(...args: string[]): Promise<string>;
  close(): void;
}

/** Connect over TLS; resolves after the handshake (rejects when it fails). */
function connectTls(port: number, opts: tls.ConnectionOptions = {}): Promise<TlsConn> {
  return new Promise((res, rej) => {
    const sock = tls.connect({ host: '127.0.0.1', port, ca: read('ca.crt'), checkServerIdentity: () => undefined, ...opts }, () => {
      let buf = Buffer.alloc(0);
      let closed = false;
      let wake: (() => void) | null = null;
      sock.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        wake?.();
      });
      const onEnd = (): void => {
        closed = true;
        wake?.();
      };
      sock.on('close', onEnd);
      sock.on('error', onEnd);
      res({
        sock,
        async call(...args: string[]): Promise<string> {
          sock.write(encodeCommand(args));
          const deadline = Date.now() + 3000;
          for (;;) {
            const n = replyLength(buf);
            if (n > 0) {
              const out = buf.latin1Slice(0, n);
              buf = buf.subarray(n);
              return out;
            }
            if (closed) throw new Error('connection closed');
            if (Date.now() > deadline) throw new Error('timeout');
            await new Promise<void>((r) => {
              const t = setTimeout(r, 50);
              wake = () => {
                clearTimeout(t);
                r();
              };
            });
          }
        },
        close: () => sock.destroy(),
      });
    });
    sock.once('error', rej);
  });
}

/** PING over TLS: the reply, or 'refused' when the handshake or the first command fails. */
async function ping(port: number, opts: tls.ConnectionOptions = {}): Promise<string> {
  let c: TlsConn;
  try {
    c = await connectTls(port, opts);
  } catch {
    return 'refused';
  }
  try {
    return await c.call('PING');
  } catch {
    return 'refused';
  } finally {
    c.close();
  }
}

const clientCert = (): tls.ConnectionOptions => ({ cert: read('client.crt'), key: read('client.key') });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nodis-tls-'));
  makeCA('ca');
  makeCA('otherca');
  makeCert('server', 'ca');
  makeCert('server2', 'ca');
  makeCert('client', 'ca');
  makeCert('rogue', 'otherca');
  tlsPort = await freePort();
  srv = await startNodis({ ...tlsConfig(tlsPort), port: await freePort() });
});

after(async () => {
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('TLS listener: a client with a certificate is served; plain TCP on the TLS port is dropped', async () => {
  assert.equal(await ping(tlsPort, clientCert()), '+PONG\r\n');
  const c = await connectTls(tlsPort, clientCert());
  assert.equal(await c.call('SET', 'k', 'v'), '+OK\r\n');
  assert.equal(await c.call('GET', 'k'), '$1\r\nv\r\n');
  assert.match(await c.call('CLIENT', 'INFO'), new RegExp(`laddr=127\\.0\\.0\\.1:${tlsPort} `));
  const info = await c.call('INFO', 'server');
  assert.match(info, new RegExp(`tcp_port:${srv.port}\r\n`));
  assert.match(info, new RegExp(`listener0:name=tcp,bind=127\\.0\\.0\\.1,port=${srv.port}\r\nlistener2:name=tls,bind=127\\.0\\.0\\.1,port=${tlsPort}\r\n`));
  c.close();
  // The plain TCP port still works alongside.
  const p = await RawClient.connect(srv.port);
  assert.equal(await p.call('PING'), '+PONG\r\n');
  p.close();
  const raw = await RawClient.connect(tlsPort);
  raw.write(encodeCommand(['PING']));
  assert.equal(await raw.waitClosed(3000), true);
  assert.equal(raw.pending().includes('PONG'), false);
});

test('tls-auth-clients yes|no|optional', async () => {
  const plain = await RawClient.connect(srv.port);
  // yes (the default): a certificate is required and must come from the CA.
  assert.equal(await ping(tlsPort), 'refused');
  assert.equal(await ping(tlsPort, { cert: read('rogue.crt'), key: read('rogue.key') }), 'refused');
  assert.equal(await plain.call('CONFIG', 'SET', 'tls-auth-clients', 'no'), '+OK\r\n');
  assert.equal(await ping(tlsPort), '+PONG\r\n');
  assert.equal(await ping(tlsPort, clientCert()), '+PONG\r\n');
  assert.equal(await plain.call('CONFIG', 'SET', 'tls-auth-clients', 'optional'), '+OK\r\n');
  assert.equal(await ping(tlsPort), '+PONG\r\n');
  assert.equal(await ping(tlsPort, clientCert()), '+PONG\r\n');
  assert.equal(await ping(tlsPort, { cert: read('rogue.crt'), key: read('rogue.key') }), 'refused');
  assert.equal(await plain.call('CONFIG', 'SET', 'tls-auth-clients', 'yes'), '+OK\r\n');
  assert.equal(await ping(tlsPort), 'refused');
  assert.equal(await plain.call('CONFIG', 'GET', 'tls-auth-clients'), '*2\r\n$16\r\ntls-auth-clients\r\n$3\r\nyes\r\n');
  plain.close();
});

test('a client trusting another CA refuses the server', async () => {
  assert.equal(await ping(tlsPort, { ...clientCert(), ca: read('otherca.crt') }), 'refused');
});

test('CONFIG SET tls-cert-file/tls-key-file swaps the certificate for new connections; bad files are refused', async () => {
  const old = await connectTls(tlsPort, clientCert());
  assert.equal(old.sock.getPeerCertificate().subject.CN, 'server');
  // A certificate without its key does not load: the configuration is kept.
  assert.match(await old.call('CONFIG', 'SET', 'tls-cert-file', f('server2.crt')), /^-ERR CONFIG SET failed \(possibly related to argument 'tls-cert-file'\) - Unable to update TLS configuration\. Check server logs\.\r\n$/);
  assert.equal(await old.call('CONFIG', 'GET', 'tls-cert-file'), `*2\r\n$13\r\ntls-cert-file\r\n$${f('server.crt').length}\r\n${f('server.crt')}\r\n`);
  assert.match(await old.call('CONFIG', 'SET', 'tls-key-file', f('missing.key')), /Unable to update TLS configuration/);
  assert.match(await old.call('CONFIG', 'SET', 'tls-ca-cert-file', f('missing.crt')), /Unable to update TLS configuration/);
  // Both in one CONFIG SET: applied together.
  assert.equal(await old.call('CONFIG', 'SET', 'tls-cert-file', f('server2.crt'), 'tls-key-file', f('server2.key')), '+OK\r\n');
  const fresh = await connectTls(tlsPort, clientCert());
  assert.equal(fresh.sock.getPeerCertificate().subject.CN, 'server2');
  // The connection made before keeps working.
  assert.equal(await old.call('PING'), '+PONG\r\n');
  assert.equal(await old.call('CONFIG', 'SET', 'tls-cert-file', f('server.crt'), 'tls-key-file', f('server.key')), '+OK\r\n');
  fresh.close();
  old.close();
});

test('an encrypted key needs tls-key-file-pass', async () => {
  openssl('rsa', '-in', f('server.key'), '-out', f('server.enc.key'), '-aes256', '-passout', 'pass:1234');
  const c = await connectTls(tlsPort, clientCert());
  assert.match(await c.call('CONFIG', 'SET', 'tls-key-file', f('server.enc.key')), /Unable to update TLS configuration/);
  assert.equal(await c.call('CONFIG', 'SET', 'tls-key-file-pass', '1234'), '+OK\r\n');
  assert.equal(await c.call('CONFIG', 'SET', 'tls-key-file', f('server.enc.key')), '+OK\r\n');
  assert.equal(await ping(tlsPort, clientCert()), '+PONG\r\n');
  assert.equal(await c.call('CONFIG', 'SET', 'tls-key-file', f('server.key'), 'tls-key-file-pass', ''), '+OK\r\n');
  c.close();
});

test('tls-protocols, tls-ciphers and tls-prefer-server-ciphers', async () => {
  const c = await connectTls(tlsPort, clientCert());
  assert.equal(c.sock.getProtocol(), 'TLSv1.3');
  assert.equal(await c.call('CONFIG', 'SET', 'tls-protocols', 'TLSv1.2'), '+OK\r\n');
  assert.equal(await ping(tlsPort, { ...clientCert(), minVersion: 'TLSv1.3' }), 'refused');
  const v12 = await connectTls(tlsPort, clientCert());
  assert.equal(v12.sock.getProtocol(), 'TLSv1.2');
  v12.close();
  assert.match(await c.call('CONFIG', 'SET', 'tls-protocols', 'SSLv3'), /Unable to update TLS configuration/);
  // Ciphers (TLSv1.2).
  assert.equal(await c.call('CONFIG', 'SET', 'tls-ciphers', 'DEFAULT:-AES128-SHA256'), '+OK\r\n');
  assert.equal(await ping(tlsPort, { ...clientCert(), ciphers: 'AES128-SHA256' }), 'refused');
  assert.equal(await ping(tlsPort, { ...clientCert(), ciphers: 'AES256-SHA256' }), '+PONG\r\n');
  assert.match(await c.call('CONFIG', 'SET', 'tls-ciphers', 'NOT-A-CIPHER'), /Unable to update TLS configuration/);
  // Server preference.
  assert.equal(await c.call('CONFIG', 'SET', 'tls-ciphers', 'AES128-SHA256:AES256-SHA256'), '+OK\r\n');
  const clientPref = await connectTls(tlsPort, { ...clientCert(), ciphers: 'AES256-SHA256:AES128-SHA256' });
  assert.equal(clientPref.sock.getCipher().name, 'AES256-SHA256');
  clientPref.close();
  assert.equal(await c.call('CONFIG', 'SET', 'tls-prefer-server-ciphers', 'yes'), '+OK\r\n');
  const serverPref = await connectTls(tlsPort, { ...clientCert(), ciphers: 'AES256-SHA256:AES128-SHA256' });
  assert.equal(serverPref.sock.getCipher().name, 'AES128-SHA256');
  serverPref.close();
  // TLSv1.3 suites.
  assert.equal(await c.call('CONFIG', 'SET', 'tls-protocols', 'TLSv1.3', 'tls-ciphersuites', 'TLS_CHACHA20_POLY1305_SHA256', 'tls-ciphers', ''), '+OK\r\n');
  const v13 = await connectTls(tlsPort, clientCert());
  assert.equal(v13.sock.getCipher().name, 'TLS_CHACHA20_POLY1305_SHA256');
  v13.close();
  assert.match(await c.call('CONFIG', 'SET', 'tls-ciphersuites', 'AES128-SHA256'), /Unable to update TLS configuration/);
  assert.equal(await c.call('CONFIG', 'SET', 'tls-protocols', '', 'tls-ciphersuites', '', 'tls-prefer-server-ciphers', 'no'), '+OK\r\n');
  c.close();
});

test('tls-ca-cert-dir and tls-dh-params-file', async () => {
  const cadir = f('cadir');
  mkdirSync(cadir);
  copyFileSync(f('ca.crt'), join(cadir, 'ca.pem'));
  writeFileSync(join(cadir, 'README'), 'not a certificate\n');
  openssl('dhparam', '-dsaparam', '-out', f('dh.pem'), '2048');
  const c = await connectTls(tlsPort, clientCert());
  assert.equal(await c.call('CONFIG', 'SET', 'tls-ca-cert-file', '', 'tls-ca-cert-dir', cadir, 'tls-dh-params-file', f('dh.pem')), '+OK\r\n');
  assert.equal(await ping(tlsPort, clientCert()), '+PONG\r\n');
  assert.equal(await ping(tlsPort, { cert: read('rogue.crt'), key: read('rogue.key') }), 'refused');
  // Without any CA, client authentication cannot be configured.
  assert.match(await c.call('CONFIG', 'SET', 'tls-ca-cert-dir', ''), /Unable to update TLS configuration/);
  assert.match(await c.call('CONFIG', 'SET', 'tls-dh-params-file', f('missing.dh')), /Unable to update TLS configuration/);
  assert.equal(await c.call('CONFIG', 'SET', 'tls-ca-cert-file', f('ca.crt'), 'tls-ca-cert-dir', '', 'tls-dh-params-file', ''), '+OK\r\n');
  c.close();
});

test('tls-session-caching: sessions resume unless disabled', async () => {
  const resumed = async (): Promise<boolean> => {
    const opts = { ...clientCert(), maxVersion: 'TLSv1.2' as const };
    const first = await connectTls(tlsPort, opts);
    const session = first.sock.getSession();
    first.close();
    if (session === undefined) return false;
    const second = await connectTls(tlsPort, { ...opts, session });
    const reused = second.sock.isSessionReused();
    second.close();
    return reused;
  };
  assert.equal(await resumed(), true);
  const plain = await RawClient.connect(srv.port);
  assert.equal(await plain.call('CONFIG', 'SET', 'tls-session-caching', 'no'), '+OK\r\n');
  assert.equal(await resumed(), false);
  assert.equal(await plain.call('CONFIG', 'SET', 'tls-session-caching', 'yes', 'tls-session-cache-size', '100', 'tls-session-cache-timeout', '60'), '+OK\r\n');
  assert.equal(await resumed(), true);
  plain.close();
});

test('ioredis connects with tls options and runs commands', async () => {
  const r = new Redis({
    host: '127.0.0.1',
    port: tlsPort,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    tls: { ca: read('ca.crt'), cert: read('client.crt'), key: read('client.key'), checkServerIdentity: () => undefined },
  });
  await r.connect();
  assert.equal(await r.set('io', 'redis'), 'OK');
  assert.equal(await r.get('io'), 'redis');
  assert.deepEqual(await r.hset('h', 'a', '1', 'b', '2').then(() => r.hgetall('h')), { a: '1', b: '2' });
  const p = r.pipeline();
  for (let i = 0; i < 100; i++) p.incr('counter');
  const res = await p.exec();
  assert.deepEqual(res?.[99], [null, 100]);
  // A large value crosses several TLS records.
  const big = 'x'.repeat(300_000);
  await r.set('big', big);
  assert.equal(await r.strlen('big'), 300_000);
  assert.equal((await r.get('big'))?.length, 300_000);
  r.disconnect();
});

test('CONFIG SET tls-port moves the TLS listener', async () => {
  const plain = await RawClient.connect(srv.port);
  const other = await freePort();
  assert.equal(await plain.call('CONFIG', 'SET', 'tls-port', String(other)), '+OK\r\n');
  await sleep(100);
  assert.equal(await ping(other, clientCert()), '+PONG\r\n');
  assert.equal(await ping(tlsPort, clientCert()), 'refused');
  assert.equal(await plain.call('CONFIG', 'SET', 'tls-port', String(tlsPort)), '+OK\r\n');
  // Bound before the reply: no wait needed.
  assert.equal(await ping(tlsPort, clientCert()), '+PONG\r\n');
  // A port in use is refused and the listener stays where it was.
  const busy = net.createServer();
  const busyPort = await new Promise<number>((res) => busy.listen(0, '127.0.0.1', () => res((busy.address() as net.AddressInfo).port)));
  assert.equal(await plain.call('CONFIG', 'SET', 'tls-port', String(busyPort)), "-ERR CONFIG SET failed (possibly related to argument 'tls-port') - Unable to listen on this port. Check server logs.\r\n");
  busy.close();
  assert.equal(await plain.call('CONFIG', 'GET', 'tls-port'), `*2\r\n$8\r\ntls-port\r\n$${String(tlsPort).length}\r\n${tlsPort}\r\n`);
  assert.equal(await ping(tlsPort, clientCert()), '+PONG\r\n');
  plain.close();
});

test('a TLS-only server (port 0)', async () => {
  const port = await freePort();
  // Embedded servers take port 0 for "any free port"; with a tls-port it means no plain TCP port, as in Redis.
  const only = await startNodis({ ...tlsConfig(port), 'tls-auth-clients': 'no' });
  try {
    assert.equal(only.port, 0);
    const c = await connectTls(port);
    assert.equal(await c.call('SET', 'a', '1'), '+OK\r\n');
    const info = await c.call('INFO', 'server');
    // Redis reports the TLS port as tcp_port on a TLS-only server, and lists its listeners.
    assert.match(info, new RegExp(`tcp_port:${port}\\r\\n`));
    assert.match(info, new RegExp(`listener2:name=tls,bind=127\\.0\\.0\\.1,port=${port}\\r\\n`));
    assert.doesNotMatch(info, /listener0:/);
    assert.match(await c.call('CONFIG', 'GET', 'port'), /\$1\r\n0\r\n$/);
    c.close();
  } finally {
    await only.close();
  }
});

test('start-up: a TLS configuration that cannot be loaded is fatal', async () => {
  const port = await freePort();
  await assert.rejects(startNodis({ ...tlsConfig(port), 'tls-cert-file': f('missing.crt') }), /Failed to configure TLS\. Check logs for more info\./);
  await assert.rejects(startNodis({ ...tlsConfig(port), 'tls-key-file': '' }), /Failed to configure TLS/);
  const busy = net.createServer();
  const busyPort = await new Promise<number>((res) => busy.listen(0, '127.0.0.1', () => res((busy.address() as net.AddressInfo).port)));
  await assert.rejects(startNodis({ ...tlsConfig(busyPort) }), new RegExp(`Failed listening on port ${busyPort} \\(tls\\), aborting\\.`));
  busy.close();
  const bin = join(__dirname, '..', '..', '..', 'bin', 'nodis-server');
  const child = spawn(bin, ['--port', '0', '--tls-port', String(port), '--tls-cert-file', f('server.crt'), '--tls-key-file', f('missing.key'), '--tls-ca-cert-file', f('ca.crt'), '--save', '']);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  assert.equal(code, 1);
  assert.match(out, /Failed to load private key: .*missing\.key: No such file or directory/);
  assert.match(out, /Failed to configure TLS\. Check logs for more info\./);
});

test('replication over TLS (tls-replication yes)', async () => {
  const mport = await freePort();
  const rport = await freePort();
  const master = await startNodis({ ...tlsConfig(mport), port: await freePort(), 'tls-replication': 'yes' });
  const replica = await startNodis({
    ...tlsConfig(rport),
    port: await freePort(),
    'tls-replication': 'yes',
    'tls-cert-file': f('server2.crt'),
    'tls-key-file': f('server2.key'),
    'tls-client-cert-file': f('client.crt'),
    'tls-client-key-file': f('client.key'),
  });
  const m = await RawClient.connect(master.port);
  const r = await RawClient.connect(replica.port);
  try {
    await m.call('SET', 'before', 'sync');
    assert.equal(await r.call('REPLICAOF', '127.0.0.1', String(mport)), '+OK\r\n');
    const deadline = Date.now() + 8000;
    while (!/master_link_status:up/.test(await r.call('INFO', 'replication'))) {
      if (Date.now() > deadline) assert.fail('replica link not up over TLS');
      await sleep(50);
    }
    assert.equal(await r.call('GET', 'before'), '$4\r\nsync\r\n');
    await m.call('RPUSH', 'list', 'a', 'b', 'c');
    await m.call('INCRBY', 'n', '7');
    const end = Date.now() + 5000;
    while ((await r.call('GET', 'n')) !== '$1\r\n7\r\n') {
      if (Date.now() > end) assert.fail('replica did not converge');
      await sleep(20);
    }
    assert.equal(await r.call('LRANGE', 'list', '0', '-1'), '*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n');
    // The replica announces its TLS port.
    assert.match(await m.call('INFO', 'replication'), new RegExp(`slave0:ip=127\\.0\\.0\\.1,port=${rport},`));
    // A replica that trusts another CA cannot connect.
    assert.equal(await r.call('REPLICAOF', 'NO', 'ONE'), '+OK\r\n');
    assert.equal(await r.call('CONFIG', 'SET', 'tls-ca-cert-file', f('otherca.crt')), '+OK\r\n');
    assert.equal(await r.call('REPLICAOF', '127.0.0.1', String(mport)), '+OK\r\n');
    await sleep(1500);
    assert.match(await r.call('INFO', 'replication'), /master_link_status:down/);
  } finally {
    await r.call('REPLICAOF', 'NO', 'ONE').catch(() => '');
    m.close();
    r.close();
    await replica.close();
    await master.close();
  }
});

test('net: the TLS port is bound on the bind addresses', async () => {
  const addr = await new Promise<string>((res, rej) => {
    const s = net.connect({ host: '127.0.0.1', port: tlsPort }, () => {
      res(String(s.remoteAddress));
      s.destroy();
    });
    s.once('error', rej);
  });
  assert.equal(addr, '127.0.0.1');
});

/*
 * TLS: the listener on `tls-port`, the server and client security contexts
 * built from the tls-* parameters, and their reload on CONFIG SET.
 *
 * Node's TLS server owns the handshake; a connection reaches the server's
 * ordinary connection path (onConnection) once it is secure, so a TLS client
 * is a client like any other. Client certificates are always requested and
 * judged after the handshake by the current `tls-auth-clients` (yes: a valid
 * certificate is required; optional: a certificate, when sent, must be
 * valid; no: nothing is checked), which lets CONFIG SET change the rule for
 * new connections without recreating the listener.
 *
 * Certificate files are read synchronously, only when the configuration is
 * (re)loaded: CONFIG SET must answer with the outcome, as in Redis.
 */

import * as net from 'node:net';
import * as tls from 'node:tls';
import { constants as C, createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from './server';

/** Parameters whose change rebuilds the contexts (tls-port has its own hook). */
export const TLS_RELOAD_PARAMS = [
  'tls-cert-file', 'tls-key-file', 'tls-key-file-pass', 'tls-client-cert-file', 'tls-client-key-file',
  'tls-client-key-file-pass', 'tls-dh-params-file', 'tls-ca-cert-file', 'tls-ca-cert-dir', 'tls-auth-clients',
  'tls-protocols', 'tls-ciphers', 'tls-ciphersuites', 'tls-prefer-server-ciphers', 'tls-session-caching',
  'tls-session-cache-size', 'tls-session-cache-timeout', 'tls-replication', 'tls-cluster',
];

const UPDATE_FAILED = 'Unable to update TLS configuration. Check server logs.';
const PROTOCOLS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
type Protocol = (typeof PROTOCOLS)[number];
const NO_PROTOCOL_OPTION: Record<Protocol, number> = {
  TLSv1: C.SSL_OP_NO_TLSv1,
  'TLSv1.1': C.SSL_OP_NO_TLSv1_1,
  'TLSv1.2': C.SSL_OP_NO_TLSv1_2,
  'TLSv1.3': C.SSL_OP_NO_TLSv1_3,
};
/** OpenSSL's TLSv1.3 suites, used when tls-ciphersuites is empty. */
const DEFAULT_SUITES = tls.DEFAULT_CIPHERS.split(':').filter((c) => c.startsWith('TLS_')).join(':');

/** A reason already logged; the caller reports the generic failure. */
class TlsSetupError extends Error {}

interface Contexts {
  server: tls.SecureContextOptions;
  client: tls.SecureContext;
  cacheSize: number;
  cacheTimeoutMs: number;
  caching: boolean;
}

/** A bounded server-side session cache (tls-session-cache-size / -timeout). */
class SessionCache {
  private map = new Map<string, { data: Buffer; expires: number }>();
  constructor(public size: number, public timeoutMs: number) {}

  set(id: Buffer, data: Buffer): void {
    if (this.size <= 0) return;
    const k = id.toString('hex');
    this.map.delete(k);
    this.map.set(k, { data, expires: Date.now() + this.timeoutMs });
    while (this.map.size > this.size) {
      const first = this.map.keys().next();
      if (first.done === true) break;
      this.map.delete(first.value);
    }
  }

  get(id: Buffer): Buffer | null {
    const k = id.toString('hex');
    const e = this.map.get(k);
    if (e === undefined) return null;
    if (e.expires <= Date.now()) {
      this.map.delete(k);
      return null;
    }
    return e.data;
  }

  clear(): void {
    this.map.clear();
  }
}

export class TlsManager {
  private listeners: tls.Server[] = [];
  private ctx: Contexts | null = null;
  private sessions = new SessionCache(20480, 300_000);
  /** The TLS port actually listened on (0: none). */
  port = 0;

  constructor(private readonly srv: Server, private readonly onSocket: (s: tls.TLSSocket) => void) {
    const cfg = srv.config;
    for (const name of TLS_RELOAD_PARAMS) cfg.onChange(name, () => this.onParamChange());
    cfg.onChange('tls-port', (v, old) => this.onPortChange(Number(v), Number(old)));
    cfg.onChange('bind', (v) => {
      if (this.listeners.length === 0) return undefined;
      const err = this.listen(v, this.srv.config.num('tls-port'));
      if (err !== null) this.srv.log.warning(err);
      return undefined;
    });
  }

  /** Is TLS used at all (listener, replication or cluster bus)? */
  enabled(): boolean {
    const cfg = this.srv.config;
    return cfg.num('tls-port') !== 0 || cfg.bool('tls-replication') || cfg.bool('tls-cluster');
  }

  /** Is the TLS listener bound? */
  get listening(): boolean {
    return this.listeners.length !== 0;
  }

  /**
   * At start: build the contexts when TLS is enabled and listen on tls-port.
   * Returns the fatal error text (the reason was logged), or null.
   */
  async start(): Promise<string | null> {
    if (!this.enabled()) return null;
    if (!this.configure()) return 'Failed to configure TLS. Check logs for more info.';
    const port = this.srv.config.num('tls-port');
    if (port === 0) return null;
    return this.listen(this.srv.config.get('bind'), port);
  }

  /** Rebuild the contexts from the current parameters; false (reason logged) on failure. */
  configure(): boolean {
    let built: Contexts;
    try {
      built = this.build();
    } catch (e) {
      if (!(e instanceof TlsSetupError)) this.srv.log.warning(`Failed to configure TLS: ${sslText(e)}`);
      return false;
    }
    this.ctx = built;
    this.sessions.size = built.cacheSize;
    this.sessions.timeoutMs = built.cacheTimeoutMs;
    this.sessions.clear();
    for (const l of this.listeners) l.setSecureContext(built.server);
    return true;
  }

  /** The client context for outgoing connections (replication), or null when not configured. */
  clientContext(): tls.SecureContext | null {
    if (this.ctx === null && !this.configure()) return null;
    return this.ctx?.client ?? null;
  }

  /** Connect to a peer (a master) over TLS with the client context. */
  connect(host: string, port: number): tls.TLSSocket | null {
    const secureContext = this.clientContext();
    if (secureContext === null) return null;
    return tls.connect({
      host,
      port,
      secureContext,
      // Redis verifies the peer's chain against the CA but not its host name.
      checkServerIdentity: () => undefined,
      rejectUnauthorized: true,
      ...(net.isIP(host) === 0 ? { servername: host } : {}),
    });
  }

  /**
   * Bind the TLS listener on every bind address, closing the previous one.
   * IP addresses are bound before this returns (see listenNow), so the
   * outcome is known at once, as in Redis; the reason of a failure is logged
   * when Node reports it, a moment later. Returns null, or the fatal text
   * when a required address could not be bound.
   */
  listen(bind: string, port: number): string | null {
    const old = this.listeners;
    this.listeners = [];
    for (const l of old) l.close();
    this.port = 0;
    if (port === 0) return null;
    if (this.ctx === null && !this.configure()) return 'Failed to configure TLS. Check logs for more info.';
    const opts = this.ctx?.server;
    if (opts === undefined) return null;
    let failed = false;
    for (const { addr, optional } of parseBind(bind)) {
      const srv = this.createServer(opts);
      srv.once('error', (e: Error) => {
        if (!optional) this.srv.log.warning(`Warning: Could not create server TCP listening socket ${addr}:${port}: ${e.message}`);
        this.listeners = this.listeners.filter((l) => l !== srv);
      });
      listenNow(srv, { host: addr, port, ipv6Only: addr.includes(':'), backlog: this.srv.config.num('tcp-backlog') }, () => undefined);
      if (net.isIP(addr) !== 0 && !srv.listening) {
        if (optional) continue;
        failed = true;
        break;
      }
      this.listeners.push(srv);
    }
    if (failed || this.listeners.length === 0) {
      for (const l of this.listeners) l.close();
      this.listeners = [];
      return `Failed listening on port ${port} (tls), aborting.`;
    }
    this.port = port;
    return null;
  }

  /** INFO server tcp_port: the TCP port, or the TLS port on a TLS-only server (as Redis). */
  infoTcpPort(): number {
    const cfg = this.srv.config;
    return cfg.num('port') === 0 && cfg.num('tls-port') !== 0 ? cfg.num('tls-port') : this.srv.port;
  }

  /** INFO server listener lines: listener0 tcp, listener1 unix, listener2 tls (Redis's connection type order). */
  listenerInfo(): string[] {
    const cfg = this.srv.config;
    const binds = cfg.get('bind').split(/\s+/).filter((b) => b !== '').map((b) => `,bind=${b}`).join('');
    const out: string[] = [];
    const us = cfg.get('unixsocket');
    const tcpOn = cfg.num('port') !== 0 || (us === '' && cfg.num('tls-port') === 0);
    if (tcpOn) out.push(`listener0:name=tcp${binds},port=${this.srv.port}`);
    if (us !== '') out.push(`listener1:name=unix,bind=${us},port=0`);
    if (cfg.num('tls-port') !== 0) out.push(`listener2:name=tls${binds},port=${cfg.num('tls-port')}`);
    return out;
  }

  /** Stop listening (connected clients stay). */
  async close(): Promise<void> {
    const all = this.listeners;
    this.listeners = [];
    this.port = 0;
    await Promise.all(all.map((l) => new Promise<void>((r) => l.close(() => r()))));
  }

  private createServer(opts: tls.SecureContextOptions): tls.Server {
    const srv = tls.createServer({ ...opts, requestCert: true, rejectUnauthorized: false });
    srv.on('secureConnection', (s: tls.TLSSocket) => this.accept(s));
    srv.on('tlsClientError', (e: Error, s: tls.TLSSocket) => {
      this.srv.log.verbose(`Error accepting a client connection: ${sslText(e)} (addr=${addrOf(s.remoteAddress, s.remotePort)} laddr=${addrOf(s.localAddress, s.localPort)})`);
    });
    srv.on('newSession', (id: Buffer, data: Buffer, done: () => void) => {
      if (this.ctx?.caching === true) this.sessions.set(id, data);
      done();
    });
    srv.on('resumeSession', (id: Buffer, done: (err: Error | null, data: Buffer | null) => void) => {
      done(null, this.ctx?.caching === true ? this.sessions.get(id) : null);
    });
    return srv;
  }

  /** A handshake completed: apply tls-auth-clients, then hand the socket to the server. */
  private accept(s: tls.TLSSocket): void {
    const mode = this.srv.config.get('tls-auth-clients');
    if (mode !== 'no') {
      const cert = s.getPeerCertificate();
      const presented = cert !== null && Object.keys(cert).length !== 0;
      const bad = mode === 'yes' ? !s.authorized : presented && !s.authorized;
      if (bad) {
        const why = presented ? String(s.authorizationError ?? 'certificate verify failed') : 'peer did not return a certificate';
        this.srv.log.verbose(`Error accepting a client connection: ${why} (addr=${addrOf(s.remoteAddress, s.remotePort)} laddr=${addrOf(s.localAddress, s.localPort)})`);
        s.destroy();
        return;
      }
    }
    this.onSocket(s);
  }

  private onParamChange(): string | undefined {
    // Several tls-* parameters in one CONFIG SET are applied together, after the last of them.
    const cfg = this.srv.config;
    const rest = cfg.batch.slice(cfg.batchPos + 1);
    if (rest.some((n) => n === 'tls-port' || TLS_RELOAD_PARAMS.includes(n))) return undefined;
    if (!this.enabled()) return undefined;
    return this.configure() ? undefined : UPDATE_FAILED;
  }

  private onPortChange(port: number, old: number): string | undefined {
    const cfg = this.srv.config;
    // Unchanged (CONFIG SET of the current value): nothing to apply, as in Redis.
    if (port === old && (port === 0 || this.listening)) return undefined;
    const rest = cfg.batch.slice(cfg.batchPos + 1);
    if (rest.some((n) => TLS_RELOAD_PARAMS.includes(n))) {
      // Parameters set later in the same CONFIG SET reload the contexts; listen once they are in place.
      queueMicrotask(() => {
        if (this.srv.shuttingDown) return;
        const err = this.listen(cfg.get('bind'), cfg.num('tls-port'));
        if (err !== null) this.srv.log.warning(err);
      });
      return undefined;
    }
    if (port !== 0 && !this.configure()) return UPDATE_FAILED;
    if (this.listen(cfg.get('bind'), port) !== null) {
      // The value rolls back: listen where it did before.
      this.listen(cfg.get('bind'), old);
      return 'Unable to listen on this port. Check server logs.';
    }
    return undefined;
  }

  // ---------------------------------------------------------------------------
  // Building the contexts
  // ---------------------------------------------------------------------------

  private fail(line: string): never {
    this.srv.log.warning(line);
    throw new TlsSetupError(line);
  }

  private readFile(path: string, onError: (reason: string) => string): Buffer {
    try {
      return readFileSync(path);
    } catch (e) {
      return this.fail(onError(errnoText(e)));
    }
  }

  /** Certificate chain and key, checked one by one so that the log names the culprit. */
  private loadPair(certFile: string, keyFile: string, pass: string): { cert: Buffer; key: Buffer; passphrase?: string } {
    const cert = this.readFile(certFile, (r) => `Failed to load certificate: ${certFile}: ${r}`);
    try {
      new X509Certificate(cert);
    } catch (e) {
      this.fail(`Failed to load certificate: ${certFile}: ${sslText(e)}`);
    }
    const key = this.readFile(keyFile, (r) => `Failed to load private key: ${keyFile}: ${r}`);
    try {
      createPrivateKey(pass !== '' ? { key, passphrase: pass } : { key });
      // A key that does not match the certificate fails here.
      tls.createSecureContext({ cert, key, ...(pass !== '' ? { passphrase: pass } : {}) });
    } catch (e) {
      this.fail(`Failed to load private key: ${keyFile}: ${sslText(e)}`);
    }
    return pass !== '' ? { cert, key, passphrase: pass } : { cert, key };
  }

  private loadCA(file: string, dir: string): Buffer[] | undefined {
    if (file === '' && dir === '') return undefined;
    const out: Buffer[] = [];
    try {
      if (file !== '') out.push(readFileSync(file));
      if (dir !== '') {
        for (const name of readdirSync(dir).sort()) {
          const p = join(dir, name);
          if (!statSync(p).isFile()) continue;
          const b = readFileSync(p);
          if (b.includes('-----BEGIN CERTIFICATE-----')) out.push(b);
        }
      }
      tls.createSecureContext({ ca: out });
    } catch (e) {
      this.fail(`Failed to configure CA certificate(s) file/directory: ${errnoText(e)}`);
    }
    return out;
  }

  private build(): Contexts {
    const cfg = this.srv.config;
    const certFile = cfg.get('tls-cert-file');
    const keyFile = cfg.get('tls-key-file');
    if (certFile === '') this.fail('No tls-cert-file configured!');
    if (keyFile === '') this.fail('No tls-key-file configured!');
    const caFile = cfg.get('tls-ca-cert-file');
    const caDir = cfg.get('tls-ca-cert-dir');
    if ((cfg.get('tls-auth-clients') !== 'no' || cfg.bool('tls-cluster') || cfg.bool('tls-replication')) && caFile === '' && caDir === '') {
      this.fail('Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!');
    }

    // Protocols: any combination; Node takes a range, the gaps are closed with SSL_OP_NO_*.
    const protoText = cfg.get('tls-protocols').trim();
    let protos: Protocol[] = ['TLSv1.2', 'TLSv1.3'];
    if (protoText !== '') {
      protos = [];
      for (const p of protoText.split(/\s+/)) {
        const found = PROTOCOLS.find((x) => x.toLowerCase() === p.toLowerCase());
        if (found === undefined) this.fail("Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.");
        if (!protos.includes(found)) protos.push(found);
      }
    }
    const idx = protos.map((p) => PROTOCOLS.indexOf(p));
    const minVersion = PROTOCOLS[Math.min(...idx)];
    const maxVersion = PROTOCOLS[Math.max(...idx)];
    let secureOptions = 0;
    for (const p of PROTOCOLS) if (!protos.includes(p)) secureOptions |= NO_PROTOCOL_OPTION[p];

    // Ciphers: tls-ciphers for TLSv1.2 and older, tls-ciphersuites for TLSv1.3 (OpenSSL's two lists).
    const list = cfg.get('tls-ciphers');
    const suites = cfg.get('tls-ciphersuites');
    if (list !== '') {
      try {
        tls.createSecureContext({ ciphers: `${DEFAULT_SUITES}:${list}` });
      } catch {
        this.fail(`Failed to configure ciphers: ${list}`);
      }
    }
    if (suites !== '') {
      try {
        if (suites.split(':').some((s) => s !== '' && !s.startsWith('TLS_'))) throw new Error('not a TLSv1.3 suite');
        tls.createSecureContext({ ciphers: `${suites}:DEFAULT` });
      } catch {
        this.fail(`Failed to configure ciphersuites: ${suites}`);
      }
    }
    const ciphers = `${suites !== '' ? suites : DEFAULT_SUITES}:${list !== '' ? list : 'DEFAULT'}`;

    const dhFile = cfg.get('tls-dh-params-file');
    let dhparam: Buffer | undefined;
    if (dhFile !== '') {
      dhparam = this.readFile(dhFile, (r) => `Failed to load ${dhFile}: ${r}`);
      try {
        tls.createSecureContext({ dhparam });
      } catch (e) {
        this.fail(`Failed to load DH params file: ${dhFile}: ${sslText(e)}`);
      }
    }

    const ca = this.loadCA(caFile, caDir);
    const pair = this.loadPair(certFile, keyFile, cfg.get('tls-key-file-pass'));
    const caching = cfg.bool('tls-session-caching');
    if (!caching) secureOptions |= C.SSL_OP_NO_TICKET;
    const timeout = cfg.num('tls-session-cache-timeout');
    const common = { ciphers, minVersion, maxVersion, secureOptions, ...(ca !== undefined ? { ca } : {}) };
    const server: tls.SecureContextOptions = {
      ...common,
      ...pair,
      ...(dhparam !== undefined ? { dhparam } : {}),
      honorCipherOrder: cfg.bool('tls-prefer-server-ciphers'),
      ...(timeout > 0 ? { sessionTimeout: timeout } : {}),
    };
    try {
      tls.createSecureContext(server);
    } catch (e) {
      this.fail(`Failed to configure TLS context: ${sslText(e)}`);
    }

    // The client side (replication): tls-client-* when given, else the server's own pair.
    const clientCert = cfg.get('tls-client-cert-file');
    const clientKey = cfg.get('tls-client-key-file');
    const clientPair = clientCert !== '' && clientKey !== '' ? this.loadPair(clientCert, clientKey, cfg.get('tls-client-key-file-pass')) : pair;
    let client: tls.SecureContext;
    try {
      client = tls.createSecureContext({ ...common, ...clientPair });
    } catch (e) {
      return this.fail(`Failed to configure TLS client context: ${sslText(e)}`);
    }
    return { server, client, caching, cacheSize: cfg.num('tls-session-cache-size'), cacheTimeoutMs: timeout * 1000 };
  }
}

/**
 * Listen, bound before returning. Redis binds before it answers CONFIG SET
 * port/tls-port; Node's listen() with a host resolves it first and binds one
 * tick later, so a client told +OK could connect before the port exists.
 * For an IP literal the step listen() takes after that lookup (_listen2,
 * synchronous: it creates, binds and listens the handle) is called directly;
 * the outcome still arrives as 'listening' or 'error'.
 */
export function listenNow(srv: net.Server, o: { host: string; port: number; ipv6Only: boolean; backlog: number }, cb: () => void): void {
  const family = net.isIP(o.host);
  // Node's internal listen step (net.js setupListenHandle), not in the typings.
  const inner = srv as unknown as { _listen2?: (addr: string, port: number, family: number, backlog: number, fd: undefined, flags: number) => void; listening: boolean };
  if (family === 0 || typeof inner._listen2 !== 'function' || inner.listening) {
    srv.listen(o, cb);
    return;
  }
  srv.once('listening', cb);
  // Flag 1 is UV_TCP_IPV6ONLY.
  inner._listen2(o.host, o.port, family, o.backlog, undefined, o.ipv6Only && family === 6 ? 1 : 0);
}

function parseBind(v: string): { addr: string; optional: boolean }[] {
  return v
    .split(/\s+/)
    .filter((a) => a !== '')
    .map((a) => {
      const optional = a.startsWith('-');
      let addr = optional ? a.slice(1) : a;
      if (addr === '*') addr = '0.0.0.0';
      if (addr === '::*') addr = '::';
      return { addr, optional };
    });
}

function addrOf(a: string | undefined, port: number | undefined): string {
  const host = a === undefined ? '?' : a.startsWith('::ffff:') ? a.slice(7) : a;
  return `${host}:${port ?? 0}`;
}

/** OpenSSL's error string without Node's prefix and source location ("error:0A00010B:SSL routines::wrong version number"). */
function sslText(e: unknown): string {
  const msg = String((e as Error).message ?? e).split('\n')[0];
  const m = /(error:[0-9A-F]+):([^:]*):[^:]*:([^:]*)/.exec(msg);
  return m !== null ? `${m[1]}:${m[2]}::${m[3]}` : msg;
}

/** strerror-like text for file errors, OpenSSL's text otherwise. */
function errnoText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT': return 'No such file or directory';
    case 'EACCES': return 'Permission denied';
    case 'EISDIR': return 'Is a directory';
    case 'ENOTDIR': return 'Not a directory';
    default: return err.message;
  }
}

/*
 * The replica side: the link to the master.
 *
 * connect → handshake (PING, AUTH, REPLCONF listening-port, REPLCONF capa eof
 * capa psync2, PSYNC replid offset+1) → either +CONTINUE (the stream resumes)
 * or +FULLRESYNC and the RDB payload ($len or $EOF:<mark> form), which is
 * loaded after flushing the dataset → the command stream, applied through a
 * fake master client whose replies are discarded. The applied offset is what
 * REPLCONF ACK reports (every second, and on REPLCONF GETACK); the applied
 * bytes are proxied to our own replicas and backlog unchanged.
 */

import * as net from 'node:net';
import { Client } from '../server/client';
import { RespParser } from '../protocol/parser';
import { encodeCommand } from '../protocol/encode';
import { Persistence } from '../persistence/manager';
import { Backlog } from './backlog';
import { ZERO_REPLID, type Replication } from './replication';

export type LinkState = 'connect' | 'connecting' | 'handshake' | 'transfer' | 'loading' | 'connected';

type Step = 'ping' | 'auth' | 'port' | 'capa' | 'psync' | 'bulkhdr' | 'payload';

export class MasterLink {
  state: LinkState = 'connect';
  private sock: net.Socket | null = null;
  private step: Step = 'ping';
  private inbuf: Buffer = Buffer.alloc(0);
  private stateSince = 0;
  lastIo = 0;
  downSince = 0;
  /** Bytes of stream read (slave_read_repl_offset). */
  readOffset = 0;
  transferSize = -1;
  transferRead = 0;
  private eofMark: string | null = null;
  private payload: Buffer[] = [];
  private fullReplid = '';
  private fullOffset = 0;
  private parser: RespParser | null = null;
  master: Client | null = null;
  /** Stream bytes applied inside a transaction not yet committed by EXEC. */
  private pendingStream: string[] = [];
  private pendingLen = 0;
  private closed = false;
  /** Set while a command from the master runs. */
  applying = false;

  constructor(private readonly repl: Replication, readonly host: string, readonly port: number) {}

  private get srv() {
    return this.repl.server;
  }

  roleState(): string {
    switch (this.state) {
      case 'connect': return 'connect';
      case 'connecting': return 'connecting';
      case 'handshake': return 'handshake';
      case 'transfer': case 'loading': return 'sync';
      case 'connected': return 'connected';
    }
  }

  connect(): void {
    if (this.closed) return;
    const srv = this.srv;
    srv.log.notice(`Connecting to MASTER ${this.host}:${this.port}`);
    this.state = 'connecting';
    this.stateSince = srv.clock.now();
    this.inbuf = Buffer.alloc(0);
    // tls-replication: the link is a TLS client (src/server/tls.ts), ready at 'secureConnect'.
    const useTls = srv.config.bool('tls-replication');
    const tlsSock = useTls ? srv.tls.connect(this.host, this.port) : null;
    if (useTls && tlsSock === null) {
      srv.log.warning('Unable to connect to MASTER: Failed to configure TLS. Check logs for more info.');
      this.state = 'connect';
      return;
    }
    // bind-source-addr: the local address the replica connects from.
    const source = srv.config.get('bind-source-addr');
    const sock: net.Socket = tlsSock ?? net.connect({ host: this.host, port: this.port, ...(source !== '' ? { localAddress: source } : {}) });
    sock.setNoDelay(true);
    this.sock = sock;
    sock.on(useTls ? 'secureConnect' : 'connect', () => {
      if (sock !== this.sock) return;
      srv.log.notice('MASTER <-> REPLICA sync started');
      srv.log.notice('Non blocking connect for SYNC fired the event.');
      this.state = 'handshake';
      this.stateSince = srv.clock.now();
      this.step = 'ping';
      this.send(['PING']);
    });
    sock.on('data', (d: Buffer) => {
      if (sock !== this.sock) return;
      this.onData(d);
    });
    sock.on('error', (e: Error) => {
      if (sock !== this.sock) return;
      if (this.state === 'connecting') srv.log.warning(`Error condition on socket for SYNC: ${e.message}`);
    });
    sock.on('close', () => {
      if (sock !== this.sock) return;
      this.onClosed();
    });
  }

  private send(args: string[]): void {
    this.sock?.write(Buffer.from(encodeCommand(args), 'latin1'));
  }

  /** Close for good (REPLICAOF NO ONE or another master). */
  close(): void {
    this.closed = true;
    const s = this.sock;
    this.sock = null;
    if (s !== null) s.destroy();
    if (this.state === 'loading') Persistence.of(this.srv).endLoading();
    this.state = 'connect';
  }

  /** Drop the link now; the cron reconnects. */
  private drop(): void {
    const s = this.sock;
    if (s !== null) s.destroy();
    this.sock = null;
    this.onClosed();
  }

  private onClosed(): void {
    const srv = this.srv;
    this.sock = null;
    if (this.state === 'connected') {
      srv.log.notice('Connection with master lost.');
      srv.log.notice('Caching the disconnected master state.');
      this.downSince = srv.clock.now();
    } else if (this.downSince === 0) this.downSince = srv.clock.now();
    if (this.master !== null) {
      // An unfinished transaction from the master is dropped: the offset stays before its MULTI.
      this.master.multi = null;
      this.master.multiError = false;
    }
    this.pendingStream = [];
    this.pendingLen = 0;
    this.parser = null;
    if (this.state !== 'loading') this.state = 'connect';
    this.stateSince = srv.clock.now();
  }

  /** Every second. */
  cron(now: number): void {
    if (this.closed) return;
    const timeout = this.srv.config.num('repl-timeout') * 1000;
    if (this.state === 'connect') {
      this.connect();
      return;
    }
    if ((this.state === 'connecting' || this.state === 'handshake') && now - this.stateSince > timeout) {
      this.srv.log.warning('Timeout connecting to the MASTER...');
      this.drop();
      return;
    }
    if (this.state === 'transfer' && now - this.lastIo > timeout) {
      this.srv.log.warning("Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.");
      this.drop();
      return;
    }
    if (this.state === 'connected') {
      if (now - this.lastIo > timeout) {
        this.srv.log.warning('MASTER timeout: no data nor PING received...');
        this.drop();
        return;
      }
      this.sendAck();
    }
  }

  sendAck(): void {
    if (this.state !== 'connected' || this.sock === null) return;
    this.send(['REPLCONF', 'ACK', String(this.repl.offset)]);
  }

  // ---------------------------------------------------------------------------
  // Input
  // ---------------------------------------------------------------------------

  private onData(d: Buffer): void {
    const srv = this.srv;
    this.lastIo = srv.clock.now();
    if (this.state === 'connected') {
      this.applyStream(d);
      return;
    }
    this.inbuf = this.inbuf.length === 0 ? d : Buffer.concat([this.inbuf, d]);
    if (this.state === 'loading') return;
    this.advance();
  }

  /** Read one reply line of the handshake ("\n" alone is a keepalive). Null when incomplete. */
  private readLine(): string | null {
    const nl = this.inbuf.indexOf(10);
    if (nl < 0) return null;
    let line = this.inbuf.latin1Slice(0, nl);
    this.inbuf = this.inbuf.subarray(nl + 1);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    return line;
  }

  private advance(): void {
    const srv = this.srv;
    const cfg = srv.config;
    for (;;) {
      if (this.sock === null) return;
      if (this.step === 'payload') {
        this.readPayload();
        return;
      }
      const line = this.readLine();
      if (line === null) return;
      if (line === '' ) continue; // keepalive newline
      switch (this.step) {
        case 'ping': {
          if (line.startsWith('-') && !line.startsWith('-NOAUTH') && !line.startsWith('-NOPERM') && !line.startsWith('-ERR operation not permitted')) {
            srv.log.warning(`Error reply to PING from master: '${line}'`);
            this.drop();
            return;
          }
          srv.log.notice('Master replied to PING, replication can continue...');
          const pass = cfg.get('masterauth');
          if (pass !== '') {
            const user = cfg.get('masteruser');
            this.send(user !== '' ? ['AUTH', user, pass] : ['AUTH', pass]);
            this.step = 'auth';
          } else this.sendPort();
          break;
        }
        case 'auth':
          if (line.startsWith('-')) {
            srv.log.warning(`Unable to AUTH to MASTER: ${line}`);
            this.drop();
            return;
          }
          this.sendPort();
          break;
        case 'port':
          if (line.startsWith('-')) srv.log.notice(`(Non critical) Master does not understand REPLCONF listening-port: ${line}`);
          this.send(['REPLCONF', 'capa', 'eof', 'capa', 'psync2']);
          this.step = 'capa';
          break;
        case 'capa': {
          if (line.startsWith('-')) srv.log.notice(`(Non critical) Master does not understand REPLCONF capa: ${line}`);
          const r = this.repl;
          const id = r.offset > 0 || r.backlog !== null ? r.replid : '?';
          const off = id === '?' ? -1 : r.offset + 1;
          if (id !== '?') srv.log.notice(`Trying a partial resynchronization (request ${id}:${off}).`);
          else srv.log.notice('Partial resynchronization not possible (no cached master)');
          this.send(['PSYNC', id, String(off)]);
          this.step = 'psync';
          break;
        }
        case 'psync':
          if (!this.onPsyncReply(line)) return;
          if (this.state === 'connected') {
            // The rest is the stream.
            const rest = this.inbuf;
            this.inbuf = Buffer.alloc(0);
            if (rest.length !== 0) this.applyStream(rest);
            return;
          }
          break;
        case 'bulkhdr': {
          if (!line.startsWith('$')) {
            if (line.startsWith('-')) srv.log.warning(`MASTER aborted replication with an error: ${line.slice(1)}`);
            else srv.log.warning(`Bad protocol from MASTER, the first byte is not '$' (we received '${line}'), are you sure the host and port are right?`);
            this.drop();
            return;
          }
          this.payload = [];
          this.transferRead = 0;
          if (line.startsWith('$EOF:') && line.length === 5 + 40) {
            this.eofMark = line.slice(5);
            this.transferSize = -1;
            srv.log.notice('MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk');
          } else {
            this.eofMark = null;
            this.transferSize = Number(line.slice(1));
            srv.log.notice(`MASTER <-> REPLICA sync: receiving ${this.transferSize} bytes from master to disk`);
          }
          this.state = 'transfer';
          this.step = 'payload';
          break;
        }
        default:
          return;
      }
    }
  }

  private sendPort(): void {
    const cfg = this.srv.config;
    const announced = cfg.num('replica-announce-port');
    const ownPort = cfg.bool('tls-replication') && cfg.num('tls-port') !== 0 ? cfg.num('tls-port') : this.srv.port;
    const args = ['REPLCONF', 'listening-port', String(announced !== 0 ? announced : ownPort)];
    const ip = cfg.get('replica-announce-ip');
    if (ip !== '') args.push('ip-address', ip);
    this.send(args);
    this.step = 'port';
  }

  /** Returns false when the link was dropped. */
  private onPsyncReply(line: string): boolean {
    const srv = this.srv;
    const r = this.repl;
    if (line.startsWith('+FULLRESYNC')) {
      const parts = line.split(' ');
      this.fullReplid = parts[1] ?? ZERO_REPLID;
      this.fullOffset = Number(parts[2] ?? '0');
      srv.log.notice(`Full resync from master: ${this.fullReplid}:${this.fullOffset}`);
      this.step = 'bulkhdr';
      return true;
    }
    if (line.startsWith('+CONTINUE')) {
      const id = line.slice(9).trim();
      srv.log.notice('Successful partial resynchronization with master.');
      if (id !== '' && id !== r.replid) {
        r.replid2 = r.replid;
        r.secondOffset = r.offset + 1;
        r.replid = id;
        srv.log.notice(`Master replication ID changed to ${id}`);
        r.disconnectReplicas();
      }
      if (r.backlog === null) r.createBacklog();
      srv.log.notice('MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.');
      this.ensureMasterClient(false);
      this.goOnline();
      return true;
    }
    if (line.startsWith('-NOMASTERLINK') || line.startsWith('-LOADING')) {
      srv.log.notice(`Master is currently unable to PSYNC but should be in the future: ${line}`);
    } else {
      srv.log.warning(`Unexpected reply to PSYNC from master: ${line}`);
    }
    this.drop();
    return false;
  }

  private readPayload(): void {
    if (this.inbuf.length === 0) return;
    const mark = this.eofMark;
    if (mark === null) {
      const need = this.transferSize - this.transferRead;
      const take = Math.min(need, this.inbuf.length);
      this.payload.push(this.inbuf.subarray(0, take));
      this.transferRead += take;
      this.inbuf = this.inbuf.subarray(take);
      if (this.transferRead < this.transferSize) return;
      const rdb = Buffer.concat(this.payload);
      this.payload = [];
      void this.loadPayload(rdb);
      return;
    }
    // EOF form: the payload ends with the 40-byte mark.
    this.payload.push(this.inbuf);
    this.transferRead += this.inbuf.length;
    this.inbuf = Buffer.alloc(0);
    const all = this.payload.length === 1 ? this.payload[0] : Buffer.concat(this.payload);
    this.payload = [all];
    if (all.length < 40) return;
    const at = all.indexOf(mark, 0, 'latin1');
    if (at < 0) return;
    this.payload = [];
    this.inbuf = all.subarray(at + 40);
    void this.loadPayload(all.subarray(0, at));
  }

  private async loadPayload(rdb: Buffer): Promise<void> {
    const srv = this.srv;
    const r = this.repl;
    const p = Persistence.of(srv);
    const sock = this.sock;
    this.state = 'loading';
    srv.log.notice('MASTER <-> REPLICA sync: Flushing old data');
    p.emptyData();
    srv.log.notice('MASTER <-> REPLICA sync: Loading DB in memory');
    p.beginLoading(rdb.length);
    let ok = true;
    try {
      await p.loadRdbBuffer(rdb, { yieldMs: 20 });
    } catch (e) {
      ok = false;
      p.reportLoadError(e, 0);
    }
    p.endLoading();
    if (this.closed) return;
    if (!ok) {
      srv.log.warning('Failed trying to load the MASTER synchronization DB from socket, check server logs.');
      p.emptyData();
      this.state = 'connect';
      if (sock !== null && sock === this.sock) this.drop();
      return;
    }
    if (sock === null || sock !== this.sock) {
      // The link went away while loading: start over.
      this.state = 'connect';
      return;
    }
    // The new history: the master's ID and offset, a fresh backlog, and our replicas resync.
    r.replid = this.fullReplid;
    r.replid2 = ZERO_REPLID;
    r.secondOffset = -1;
    r.offset = this.fullOffset;
    r.createBacklog();
    r.disconnectReplicas();
    this.ensureMasterClient(true);
    srv.log.notice('MASTER <-> REPLICA sync: Finished with success');
    this.goOnline();
    const rest = this.inbuf;
    this.inbuf = Buffer.alloc(0);
    if (rest.length !== 0) this.applyStream(rest);
    this.sendAck();
  }

  private ensureMasterClient(fresh: boolean): void {
    const srv = this.srv;
    if (this.master !== null && !fresh) return;
    const priv = srv as unknown as { nextClientId: number };
    const id = priv.nextClientId++;
    const c = new Client(srv, null, id, `${this.host}:${this.port}`, `127.0.0.1:${srv.port}`);
    c.ext.master = true;
    c.authenticated = true;
    c.parser.authenticated = true;
    this.master = c;
  }

  private goOnline(): void {
    this.state = 'connected';
    this.stateSince = this.srv.clock.now();
    this.downSince = 0;
    this.readOffset = this.repl.offset;
    this.held = [];
    this.parser = new RespParser({ maxBulkLen: Number.MAX_SAFE_INTEGER, queryBufferLimit: Number.MAX_SAFE_INTEGER });
    this.pendingStream = [];
    this.pendingLen = 0;
  }

  // ---------------------------------------------------------------------------
  // The command stream
  // ---------------------------------------------------------------------------

  /** Stream read during a CLIENT PAUSE: applied when the pause ends (Redis pauses its master client too). */
  private held: Buffer[] = [];
  private heldTimer: NodeJS.Timeout | null = null;

  private applyStream(d: Buffer): void {
    const srv = this.srv;
    const parser = this.parser;
    if (parser === null) return;
    this.readOffset += d.length;
    if (this.held.length !== 0 || srv.pauseActive()) {
      this.held.push(d);
      if (this.heldTimer === null) this.heldTimer = setTimeout(() => this.applyHeld(parser), 10);
      return;
    }
    this.feedStream(parser, d);
  }

  private applyHeld(parser: RespParser): void {
    this.heldTimer = null;
    if (parser !== this.parser || this.sock === null) {
      this.held = [];
      return;
    }
    if (this.srv.pauseActive()) {
      this.heldTimer = setTimeout(() => this.applyHeld(parser), 10);
      return;
    }
    const d = this.held.length === 1 ? this.held[0] : Buffer.concat(this.held);
    this.held = [];
    this.feedStream(parser, d);
  }

  private feedStream(parser: RespParser, d: Buffer): void {
    const srv = this.srv;
    srv.clock.beginBatch();
    let err: string | null;
    try {
      err = parser.feed(d, (args) => this.applyCommand(args));
    } finally {
      srv.clock.endBatch();
    }
    if (err !== null) {
      srv.log.warning(`Protocol error (${err}) from client: master`);
      this.drop();
    }
  }

  private applyCommand(args: string[]): boolean {
    const srv = this.srv;
    const r = this.repl;
    const mc = this.master as Client;
    if (this.sock === null) return false;
    mc.w.len = 0;
    this.applying = true;
    try {
      srv.processCommand(mc, args);
    } finally {
      this.applying = false;
    }
    if (mc.w.len !== 0 && mc.w.buf[0] === 45 /* '-' */) {
      const reply = mc.w.buf.latin1Slice(1, mc.w.len).split('\r\n')[0];
      srv.log.warning(`== CRITICAL == This replica is sending an error to its master: '${reply}' after processing the command '${args[0]}'`);
    }
    mc.w.len = 0;
    const bytes = encodeCommand(args);
    this.pendingStream.push(bytes);
    this.pendingLen += bytes.length;
    if (mc.multi === null) {
      // Applied: the offset moves, the bytes go to our backlog and replicas.
      const data = Buffer.from(this.pendingStream.length === 1 ? bytes : this.pendingStream.join(''), 'latin1');
      this.pendingStream = [];
      this.pendingLen = 0;
      if (r.backlog === null) r.backlog = new Backlog(srv.config.num('repl-backlog-size'), r.offset);
      r.feed(data);
    }
    return this.sock !== null;
  }
}

/*
 * Connection commands: PING ECHO QUIT RESET SELECT HELLO AUTH and CLIENT.
 */

import type { Client } from '../server/client';
import type { Server } from '../server/server';
import { command, noParentHandler, type CommandDef } from './types';
import { E } from '../errors';
import { is, parseIntOrReply, redactArgs } from './util';
import { replyHelp } from './keyspace';
import { REDIS_VERSION } from '../server/config';
import { parseInt64Num } from '../util/numbers';

/* PING [message] */
function pingCommand(c: Client, args: string[]): void {
  if (args.length > 2) {
    c.w.error(E.WRONG_ARITY('ping'));
    return;
  }
  if (c.inPubSubContext) {
    c.w.arrayHeader(2);
    c.w.bulk('pong');
    c.w.bulk(args.length === 2 ? args[1] : '');
    return;
  }
  if (args.length === 2) c.w.bulk(args[1]);
  else c.w.simple('PONG');
}

/* ECHO message */
function echoCommand(c: Client, args: string[]): void {
  c.w.bulk(args[1]);
}

/* QUIT */
function quitCommand(c: Client): void {
  c.w.ok();
  c.closeAfterReply = true;
}

/* SELECT index */
function selectCommand(c: Client, args: string[]): void {
  const n = parseInt64Num(args[1]);
  if (n === null || n > 2147483647 || n < -2147483648) {
    c.w.error(E.NOT_INTEGER);
    return;
  }
  if (c.server.config.bool('cluster-enabled') && n !== 0) {
    c.w.error('ERR SELECT is not allowed in cluster mode');
    return;
  }
  if (n < 0 || n >= c.server.dbs.length) {
    c.w.error(E.INVALID_DB);
    return;
  }
  c.db = c.server.dbs[n];
  c.w.ok();
}

/** Check a password for a user. The ACL module may replace this. */
function checkPassword(srv: Server, user: string, pass: string): boolean {
  const acl = srv.ext.aclAuthenticate as ((user: string, pass: string) => boolean) | undefined;
  if (acl) return acl(user, pass);
  if (user !== 'default') return false;
  const req = srv.config.get('requirepass');
  return req === '' || req === pass;
}

function authenticate(c: Client, user: string, pass: string): boolean {
  if (!checkPassword(c.server, user, pass)) {
    c.server.log.verbose(`AUTH failed for user ${user}`);
    return false;
  }
  c.authenticated = true;
  c.parser.authenticated = true;
  c.user = user;
  return true;
}

/* AUTH [username] password */
function authCommand(c: Client, args: string[]): void {
  redactArgs(c, 1, args.length);
  if (args.length > 3) {
    c.w.error(E.SYNTAX);
    return;
  }
  let user = 'default';
  let pass = args[1];
  if (args.length === 3) {
    user = args[1];
    pass = args[2];
  } else if ((c.server.ext.aclDefaultNopass as (() => boolean) | undefined)?.() ?? c.server.config.get('requirepass') === '') {
    c.w.error(E.AUTH_NOPASS);
    return;
  }
  if (authenticate(c, user, pass)) c.w.ok();
  else c.w.error(E.WRONGPASS);
}

/* HELLO [protover [AUTH username password] [SETNAME clientname]] */
function helloCommand(c: Client, args: string[]): void {
  let ver = 0;
  let next = 1;
  if (args.length >= 2) {
    const v = parseInt64Num(args[1]);
    if (v === null) {
      c.w.error('ERR Protocol version is not an integer or out of range');
      return;
    }
    next = 2;
    if (v < 2 || v > 3) {
      c.w.error(E.NO_PROTO);
      return;
    }
    ver = v;
  }
  let setname: string | null = null;
  let authUser: string | null = null;
  let authPass = '';
  for (let i = next; i < args.length; i++) {
    const more = args.length - 1 - i;
    if (is(args[i], 'auth') && more >= 2) {
      redactArgs(c, i + 1, i + 3);
      authUser = args[i + 1];
      authPass = args[i + 2];
      i += 2;
    } else if (is(args[i], 'setname') && more >= 1) {
      setname = args[++i];
      if (!validClientName(setname)) {
        c.w.error('ERR Client names cannot contain spaces, newlines or special characters.');
        return;
      }
    } else {
      c.w.error(`ERR Syntax error in HELLO option '${args[i]}'`);
      return;
    }
  }
  if (authUser !== null && !authenticate(c, authUser, authPass)) {
    c.w.error(E.WRONGPASS);
    return;
  }
  if (!c.authenticated) {
    c.w.error('NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time');
    return;
  }
  if (setname !== null) c.name = setname;
  if (ver !== 0) c.w.proto = ver as 2 | 3;
  const role = (c.server.ext.role as string | undefined) ?? 'master';
  c.w.mapHeader(7);
  c.w.bulk('server');
  c.w.bulk('redis');
  c.w.bulk('version');
  c.w.bulk(REDIS_VERSION);
  c.w.bulk('proto');
  c.w.int(c.w.proto);
  c.w.bulk('id');
  c.w.int(c.id);
  c.w.bulk('mode');
  c.w.bulk(c.server.config.bool('cluster-enabled') ? 'cluster' : 'standalone');
  c.w.bulk('role');
  c.w.bulk(role);
  c.w.bulk('modules');
  c.w.arrayHeader(0);
}

/* RESET */
function resetCommand(c: Client): void {
  const srv = c.server;
  c.multi = null;
  c.multiError = false;
  srv.unwatchAll(c);
  for (const ch of c.channels) srv.removeSub(srv.pubsubChannels, ch, c);
  for (const p of c.patterns) srv.removeSub(srv.pubsubPatterns, p, c);
  for (const ch of c.shardChannels) srv.removeSub(srv.pubsubShardChannels, ch, c);
  c.channels.clear();
  c.patterns.clear();
  c.shardChannels.clear();
  if (c.monitor) {
    c.monitor = false;
    srv.monitors.delete(c);
  }
  for (const h of resetHooks) h(c);
  c.db = srv.dbs[0];
  c.w.proto = 2;
  c.name = '';
  c.replyMode = 'on';
  c.noEvict = false;
  c.noTouch = false;
  c.user = 'default';
  c.authenticated = !srv.authRequired();
  c.parser.authenticated = c.authenticated;
  c.w.simple('RESET');
}

/** Features with per-client state (tracking...) register cleanup for RESET here. */
export const resetHooks: ((c: Client) => void)[] = [];

// ----------------------------------------------------------------------------
// CLIENT
// ----------------------------------------------------------------------------

export function validClientName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const ch = name.charCodeAt(i);
    if (ch < 33 || ch > 126) return false;
  }
  return true;
}

function clientFlags(c: Client): string {
  let f = '';
  if (c.monitor) f += 'O';
  else if (c.ext.replica) f += 'S';
  if (c.ext.master) f += 'M';
  if (c.subscriptionCount > 0 || c.shardChannels.size > 0) f += 'P';
  if (c.multi !== null) f += 'x';
  if (c.blocked !== null || c.ext.paused === true) f += 'b';
  if (c.tracking) f += 't';
  if (c.ext.trackingBrokenRedir) f += 'R';
  if (c.ext.trackingBcast) f += 'B';
  if (c.dirtyCas) f += 'd';
  if (c.closeAfterReply) f += 'c';
  if (c.unix) f += 'U';
  if (c.ext.readonly) f += 'r';
  if (c.noEvict) f += 'e';
  if (c.noTouch) f += 'T';
  return f === '' ? 'N' : f;
}

/** The command (or container|subcommand) name of a request, as CLIENT LIST shows it. */
function currentCmdName(args: string[]): string {
  return args.length > 1 ? `${args[0]}|${args[1]}`.toLowerCase() : args[0].toLowerCase();
}

/** Bytes of a request as RESP (Redis counts the current request in the query buffer). */
function requestBytes(args: string[]): number {
  let n = 3 + String(args.length).length;
  for (const a of args) n += 5 + String(a.length).length + a.length;
  return n;
}

/**
 * One CLIENT LIST / CLIENT INFO line. `self` is the client asking, with the
 * request being run (still in its query buffer, as Redis shows it).
 */
export function clientInfoString(c: Client, self?: { c: Client; args: string[] }): string {
  const srv = c.server;
  const now = srv.clock.now();
  const fd = c.socket ? ((c.socket as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1) : -1;
  const current = self !== undefined && self.c === c;
  const qbuf = c.parser.pending + (current ? requestBytes(self.args) : 0);
  let argvMem = 0;
  if (current) for (const a of self.args) argvMem += a.length;
  const obl = current ? 0 : Math.min(c.w.len, 16384);
  const omem = (c.socket ? c.socket.writableLength : 0) + (current ? 0 : Math.max(0, c.w.len - 16384));
  let multiMem = 0;
  if (c.multi !== null) for (const q of c.multi) for (const a of q.args) multiMem += a.length + 16;
  const totMem = 1024 + qbuf + argvMem + multiMem + omem + (current ? 0 : c.w.len);
  const events = c.socket && c.socket.writableLength > 0 ? 'rw' : 'r';
  return (
    `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=${fd} name=${c.name} age=${Math.floor((now - c.createdAt) / 1000)} ` +
    `idle=${Math.floor((now - c.lastInteraction) / 1000)} flags=${clientFlags(c)} db=${c.db.id} sub=${c.channels.size} ` +
    `psub=${c.patterns.size} ssub=${c.shardChannels.size} multi=${c.multi === null ? -1 : c.multi.length} qbuf=${qbuf} ` +
    `qbuf-free=${qbuf === 0 ? 0 : Math.max(0, 32768 - qbuf)} argv-mem=${argvMem} multi-mem=${multiMem} rbs=1024 rbp=${Math.min(1024, qbuf)} obl=${obl} oll=0 ` +
    `omem=${omem} tot-mem=${totMem} events=${events} cmd=${current ? currentCmdName(self.args) : c.lastCmd} user=${c.user} ` +
    `redir=${(c.ext.trackingRedirect as number | undefined) ?? -1} resp=${c.w.proto} lib-name=${c.libName} lib-ver=${c.libVer}`
  );
}

function clientType(c: Client): string {
  if (c.ext.master) return 'master';
  if (c.ext.replica) return 'replica';
  if (c.subscriptionCount > 0 || c.shardChannels.size > 0) return 'pubsub';
  return 'normal';
}

/* CLIENT ID */
function clientIdCommand(c: Client): void {
  c.w.int(c.id);
}

/* CLIENT SETNAME name */
function clientSetnameCommand(c: Client, args: string[]): void {
  if (!validClientName(args[2])) {
    c.w.error('ERR Client names cannot contain spaces, newlines or special characters.');
    return;
  }
  c.name = args[2];
  c.w.ok();
}

/* CLIENT GETNAME */
function clientGetnameCommand(c: Client): void {
  if (c.name === '') c.w.nullBulk();
  else c.w.bulk(c.name);
}

/* CLIENT LIST [TYPE normal|master|replica|pubsub] [ID client-id [client-id ...]] */
function clientListCommand(c: Client, args: string[]): void {
  let type: string | null = null;
  let ids: Set<number> | null = null;
  if (args.length > 2) {
    if (is(args[2], 'type') && args.length === 4) {
      type = args[3].toLowerCase();
      if (type === 'slave') type = 'replica';
      if (!['normal', 'master', 'replica', 'pubsub'].includes(type)) {
        c.w.error(`ERR Unknown client type '${args[3]}'`);
        return;
      }
    } else if (is(args[2], 'id') && args.length >= 4) {
      ids = new Set();
      for (let i = 3; i < args.length; i++) {
        const n = parseInt64Num(args[i]);
        if (n === null || n <= 0) {
          c.w.error('ERR Invalid client ID');
          return;
        }
        ids.add(n);
      }
    } else {
      c.w.error(E.SYNTAX);
      return;
    }
  }
  let out = '';
  for (const cl of c.server.clients.values()) {
    if (type !== null && clientType(cl) !== type) continue;
    if (ids !== null && !ids.has(cl.id)) continue;
    out += clientInfoString(cl, { c, args }) + '\n';
  }
  c.w.verbatim(out);
}

/* CLIENT INFO */
function clientInfoCommand(c: Client, args: string[]): void {
  c.w.verbatim(clientInfoString(c, { c, args }) + '\n');
}

/*
 * CLIENT KILL addr
 * CLIENT KILL [ID id] [TYPE type] [USER user] [ADDR addr] [LADDR laddr] [SKIPME yes|no]
 */
function clientKillCommand(c: Client, args: string[]): void {
  const srv = c.server;
  if (args.length === 3) {
    // Old form: CLIENT KILL addr:port.
    for (const cl of srv.clients.values()) {
      if (cl.addr === args[2]) {
        killClient(cl, c);
        c.w.ok();
        return;
      }
    }
    c.w.error(E.NO_SUCH_CLIENT);
    return;
  }
  if (args.length % 2 !== 0) {
    c.w.error(E.SYNTAX);
    return;
  }
  let id: number | null = null;
  let type: string | null = null;
  let user: string | null = null;
  let addr: string | null = null;
  let laddr: string | null = null;
  let skipme = true;
  for (let i = 2; i < args.length; i += 2) {
    const o = args[i].toLowerCase();
    const v = args[i + 1];
    if (o === 'id') {
      const n = parseInt64Num(v);
      if (n === null || n <= 0) {
        c.w.error(E.CLIENT_ID_POSITIVE);
        return;
      }
      id = n;
    } else if (o === 'type') {
      type = v.toLowerCase();
      if (type === 'slave') type = 'replica';
      if (!['normal', 'master', 'replica', 'pubsub'].includes(type)) {
        c.w.error(E.CLIENT_TYPE(v));
        return;
      }
    } else if (o === 'user') {
      const exists = srv.ext.aclUserExists as ((name: string) => boolean) | undefined;
      if (exists ? !exists(v) : v !== 'default') {
        c.w.error(E.NO_SUCH_USER(v));
        return;
      }
      user = v;
    } else if (o === 'addr') addr = v;
    else if (o === 'laddr') laddr = v;
    else if (o === 'skipme') {
      if (is(v, 'yes')) skipme = true;
      else if (is(v, 'no')) skipme = false;
      else {
        c.w.error(E.SYNTAX);
        return;
      }
    } else {
      c.w.error(E.SYNTAX);
      return;
    }
  }
  let killed = 0;
  for (const cl of [...srv.clients.values()]) {
    if (id !== null && cl.id !== id) continue;
    if (type !== null && clientType(cl) !== type) continue;
    if (user !== null && cl.user !== user) continue;
    if (addr !== null && cl.addr !== addr) continue;
    if (laddr !== null && cl.laddr !== laddr) continue;
    if (skipme && cl === c) continue;
    killClient(cl, c);
    killed++;
  }
  c.w.int(killed);
}

function killClient(target: Client, by: Client): void {
  if (target === by) target.closeAfterReply = true;
  else target.server.closeClient(target, false);
}

/* CLIENT SETINFO LIB-NAME|LIB-VER value */
function clientSetinfoCommand(c: Client, args: string[]): void {
  const attr = args[2].toLowerCase();
  const v = args[3];
  if (attr !== 'lib-name' && attr !== 'lib-ver') {
    c.w.error(`ERR Unrecognized option '${args[2]}'`);
    return;
  }
  if (!validClientName(v) && v !== '') {
    c.w.error(`ERR ${attr} cannot contain spaces, newlines or special characters.`);
    return;
  }
  if (attr === 'lib-name') c.libName = v;
  else c.libVer = v;
  c.w.ok();
}

/* CLIENT REPLY ON|OFF|SKIP */
function clientReplyCommand(c: Client, args: string[]): void {
  const m = args[2].toLowerCase();
  if (m === 'on') {
    c.replyMode = 'on';
    c.w.ok();
  } else if (m === 'off') c.replyMode = 'off';
  else if (m === 'skip') {
    if (c.replyMode === 'on') c.replyMode = 'skip';
  } else c.w.error(E.SYNTAX);
}

/* CLIENT NO-EVICT ON|OFF / CLIENT NO-TOUCH ON|OFF */
function clientOnOff(c: Client, args: string[], set: (v: boolean) => void): void {
  if (is(args[2], 'on')) set(true);
  else if (is(args[2], 'off')) set(false);
  else {
    c.w.error(E.SYNTAX);
    return;
  }
  c.w.ok();
}

/* CLIENT PAUSE timeout [WRITE|ALL] */
function clientPauseCommand(c: Client, args: string[]): void {
  const ms = parseIntOrReply(c, args[2], 'ERR timeout is not an integer or out of range');
  if (ms === null) return;
  if (ms < 0) {
    c.w.error(E.TIMEOUT_NEG);
    return;
  }
  let all = true;
  if (args.length === 4) {
    if (is(args[3], 'write')) all = false;
    else if (!is(args[3], 'all')) {
      c.w.error('ERR CLIENT PAUSE mode must be WRITE or ALL');
      return;
    }
  } else if (args.length > 4) {
    c.w.error(E.SYNTAX);
    return;
  }
  c.server.pause(ms, all);
  c.w.ok();
}

/* CLIENT UNPAUSE */
function clientUnpauseCommand(c: Client): void {
  c.server.unpause();
  c.w.ok();
}

/* CLIENT UNBLOCK client-id [TIMEOUT|ERROR] */
function clientUnblockCommand(c: Client, args: string[]): void {
  if (args.length > 4) {
    c.w.error(`ERR unknown subcommand or wrong number of arguments for '${args[1]}'. Try CLIENT HELP.`);
    return;
  }
  let err = false;
  if (args.length === 4) {
    if (is(args[3], 'error')) err = true;
    else if (!is(args[3], 'timeout')) {
      c.w.error('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
      return;
    }
  }
  const id = parseIntOrReply(c, args[2]);
  if (id === null) return;
  const target = c.server.clients.get(id);
  if (!target || target.blocked === null || target.blocked.kind === 'wait' && false) {
    c.w.int(0);
    return;
  }
  const st = target.blocked;
  c.server.unblockClient(target, false);
  if (err) {
    target.w.error('UNBLOCKED client unblocked via CLIENT UNBLOCK');
    if (st.cmd) st.cmd.failedCalls++;
  }
  else st.onTimeout();
  c.server.resumeAfterUnblock(target);
  c.w.int(1);
}

/* CLIENT HELP */
function clientHelpCommand(c: Client): void {
  replyHelp(c, 'CLIENT', [
    'CACHING (YES|NO)',
    '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
    'GETREDIR',
    '    Return the client ID we are redirecting to when tracking is enabled.',
    'GETNAME',
    '    Return the name of the current connection.',
    'ID',
    '    Return the ID of the current connection.',
    'INFO',
    '    Return information about the current client connection.',
    'KILL <ip:port>',
    '    Kill connection made from <ip:port>.',
    'KILL <option> <value> [<option> <value> [...]]',
    '    Kill connections. Options are:',
    '    * ADDR (<ip:port>|<unixsocket>:0)',
    '      Kill connections made from the specified address',
    '    * LADDR (<ip:port>|<unixsocket>:0)',
    '      Kill connections made to specified local address',
    '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
    '      Kill connections by type.',
    '    * USER <username>',
    '      Kill connections authenticated by <username>.',
    '    * SKIPME (YES|NO)',
    '      Skip killing current connection (default: yes).',
    '    * ID <client-id>',
    '      Kill connections by client id.',
    'LIST [options ...]',
    '    Return information about client connections. Options:',
    '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
    '      Return clients of specified type.',
    'UNPAUSE',
    '    Stop the current client pause, resuming traffic.',
    'PAUSE <timeout> [WRITE|ALL]',
    '    Suspend all, or just write, clients for <timeout> milliseconds.',
    'REPLY (ON|OFF|SKIP)',
    '    Control the replies sent to the current connection.',
    'SETNAME <name>',
    '    Assign the name <name> to the current connection.',
    'SETINFO <option> <value>',
    '    Set client meta attr. Options are:',
    '    * LIB-NAME: the client lib name.',
    '    * LIB-VER: the client lib version.',
    'UNBLOCK <clientid> [TIMEOUT|ERROR]',
    '    Unblock the specified blocked client.',
    'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
    '         [OPTIN] [OPTOUT] [NOLOOP]',
    '    Control server assisted client side caching.',
    'TRACKINGINFO',
    '    Report tracking status for the current connection.',
    'NO-EVICT (ON|OFF)',
    '    Protect current client connection from eviction.',
    'NO-TOUCH (ON|OFF)',
    '    Will not touch LRU/LFU stats when this mode is on.',
  ]);
}

/** CLIENT subcommands; other families (tracking) add theirs through `clientSubcommands`. */
export const clientSubcommands: CommandDef[] = [
  command('id', 2, 'noscript loading stale', [0, 0, 0], 'connection', clientIdCommand),
  command('setname', 3, 'noscript loading stale', [0, 0, 0], 'connection', clientSetnameCommand),
  command('getname', 2, 'noscript loading stale', [0, 0, 0], 'connection', clientGetnameCommand),
  command('list', -2, 'admin noscript loading stale', [0, 0, 0], 'connection', clientListCommand),
  command('info', 2, 'noscript loading stale', [0, 0, 0], 'connection', clientInfoCommand),
  command('kill', -3, 'admin noscript loading stale', [0, 0, 0], 'connection', clientKillCommand),
  command('setinfo', 4, 'noscript loading stale', [0, 0, 0], 'connection', clientSetinfoCommand),
  command('reply', 3, 'noscript loading stale', [0, 0, 0], 'connection', clientReplyCommand),
  command('no-evict', 3, 'admin noscript loading stale', [0, 0, 0], 'connection', (c, a) => clientOnOff(c, a, (v) => (c.noEvict = v))),
  command('no-touch', 3, 'noscript loading stale', [0, 0, 0], 'connection', (c, a) => clientOnOff(c, a, (v) => (c.noTouch = v))),
  command('pause', -3, 'admin noscript loading stale', [0, 0, 0], 'connection', clientPauseCommand),
  command('unpause', 2, 'admin noscript loading stale', [0, 0, 0], 'connection', clientUnpauseCommand),
  command('unblock', -3, 'admin noscript loading stale', [0, 0, 0], 'connection', clientUnblockCommand),
  command('help', 2, 'loading stale', [0, 0, 0], 'connection', clientHelpCommand),
];

export const commands: CommandDef[] = [
  command('ping', -1, 'fast', [0, 0, 0], 'connection', pingCommand),
  command('echo', 2, 'loading stale fast', [0, 0, 0], 'connection', echoCommand),
  command('quit', -1, 'allow_busy noscript loading stale fast no_auth', [0, 0, 0], 'connection', quitCommand),
  command('reset', 1, 'noscript loading stale fast no_auth allow_busy', [0, 0, 0], 'connection', resetCommand),
  command('select', 2, 'loading stale fast', [0, 0, 0], 'connection', selectCommand),
  command('auth', -2, 'noscript loading stale fast no_auth allow_busy', [0, 0, 0], 'connection', authCommand),
  command('hello', -1, 'noscript loading stale fast no_auth allow_busy', [0, 0, 0], 'connection', helloCommand),
  command('client', -2, '', [0, 0, 0], 'connection', noParentHandler, { subcommands: clientSubcommands }),
];

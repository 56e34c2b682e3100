/*
 * The ACL of one server: its users, the permission check run before every
 * command, authentication, the ACL LOG, and the aclfile (LOAD / SAVE).
 */

import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Server } from '../server/server';
import type { Client } from '../server/client';
import { keyPositions, type CommandDef } from '../commands/types';
import { clientInfoString } from '../commands/connection';
import { globMatch } from '../util/glob';
import { KEY_SPECS } from './keyspecs';
import {
  AclRuleError, PERM_READ, PERM_WRITE, Selector, User, mergeSelectorArgs, splitWords, validUsername,
  type CommandCatalog,
} from './user';

/** ACL categories in the order Redis lists them. */
export const ACL_CATEGORIES = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog',
  'geo', 'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection',
  'transaction', 'scripting',
] as const;

// Denial codes, ordered as Redis ranks them when picking the error to report.
export const DENIED_CMD = 1;
export const DENIED_KEY = 2;
export const DENIED_AUTH = 3;
export const DENIED_CHANNEL = 4;

export interface Denial {
  code: number;
  /** Argument index of the key or channel (0 for the command). */
  index: number;
}

export interface LogEntry {
  count: number;
  reason: string;
  context: string;
  object: string;
  username: string;
  clientInfo: string;
  id: number;
  created: number;
  updated: number;
}

const LOG_GROUPING_MS = 60000;

/** Which arguments of a command are channels, and whether they are patterns. */
function channelArgs(cmd: CommandDef, args: string[]): { from: number; to: number; pattern: boolean } | null {
  switch (cmd.name) {
    case 'publish':
    case 'spublish':
      return { from: 1, to: 1, pattern: false };
    case 'subscribe':
    case 'ssubscribe':
      return { from: 1, to: args.length - 1, pattern: false };
    case 'psubscribe':
      return { from: 1, to: args.length - 1, pattern: true };
    default:
      return null;
  }
}

/** Key spec codes (see keyspecs.ts) for the keys of this call, refined for SET and BITFIELD. */
function specCodes(cmd: CommandDef, args: string[]): string[] | undefined {
  if (cmd.name === 'set') {
    for (let i = 3; i < args.length; i++) if (args[i].toLowerCase() === 'get') return ['rw'];
    return ['w'];
  }
  if (cmd.name === 'bitfield') {
    for (let i = 2; i < args.length; i++) {
      const a = args[i].toLowerCase();
      if (a === 'set' || a === 'incrby') return ['rw'];
    }
    return ['r'];
  }
  return KEY_SPECS.get(cmd.name);
}

function flagsForCode(code: string): number {
  let f = 0;
  if (code.includes('r')) f |= PERM_READ;
  if (code.includes('w')) f |= PERM_WRITE;
  return f;
}

export class Acl {
  users = new Map<string, User>();
  log: LogEntry[] = [];
  private nextEntryId = 0;
  /** Users whose root or another selector allows everything (no check needed). */
  private superusers = new Set<string>();
  /** Bumped by refresh(): clients re-check their cached superuser status. */
  private generation = 0;
  readonly catalog: CommandCatalog;

  constructor(readonly srv: Server) {
    const table = srv.commands;
    let cats: string[] | null = null;
    this.catalog = {
      *all() {
        for (const d of table.values()) {
          yield d;
          if (d.subcommands) yield* d.subcommands.values();
        }
      },
      get: (name) => table.get(name),
      categories: () => (cats ??= categoriesOf(this.catalog)),
    };
    this.users.set('default', this.initialDefault());
    this.refresh();
  }

  private initialDefault(): User {
    const u = new User('default');
    for (const op of ['+@all', '~*', '&*', 'on', 'nopass']) u.apply(op, this.catalog, false);
    return u;
  }

  get pubsubDefault(): boolean {
    return this.srv.config.get('acl-pubsub-default') === 'allchannels';
  }

  newUser(name: string): User {
    const u = new User(name);
    if (this.pubsubDefault) u.root.allChannels = true;
    return u;
  }

  /** Recompute cached facts after users changed. */
  refresh(): void {
    this.generation++;
    this.superusers.clear();
    for (const u of this.users.values()) if (u.selectors.some((s) => s.unrestricted)) this.superusers.add(u.name);
  }

  /**
   * Apply rules to a user (a copy: nothing changes on error). Returns the
   * new user, or the Redis error text.
   */
  buildUser(base: User, ops: string[]): User | string {
    const merged = mergeSelectorArgs(ops);
    if (typeof merged === 'number') return `ERR Unmatched parenthesis in acl selector starting at '${ops[merged]}'.`;
    const u = base.clone();
    for (const op of merged) {
      try {
        u.apply(op, this.catalog, this.pubsubDefault);
      } catch (e) {
        if (e instanceof AclRuleError) return `ERR Error in ACL SETUSER modifier '${op}': ${e.message}`;
        throw e;
      }
    }
    return u;
  }

  /** ACL SETUSER: returns null or an error text. */
  setUser(name: string, ops: string[], caller: Client | null): string | null {
    if (!validUsername(name)) return "ERR Usernames can't contain spaces or null characters";
    const old = this.users.get(name);
    const u = this.buildUser(old ?? this.newUser(name), ops);
    if (typeof u === 'string') return u;
    this.users.set(name, u);
    this.refresh();
    if (old) this.killRevokedSubscribers(u, caller);
    return null;
  }

  deleteUser(name: string, caller: Client | null): boolean {
    if (!this.users.delete(name)) return false;
    this.refresh();
    for (const c of [...this.srv.clients.values()]) if (c.user === name && !c.fake) this.kill(c, caller);
    return true;
  }

  private kill(c: Client, caller: Client | null): void {
    if (c === caller) c.closeAfterReply = true;
    else this.srv.closeClient(c, false);
  }

  /** Disconnect the clients of `u` subscribed to channels it may no longer use. */
  private killRevokedSubscribers(u: User, caller: Client | null): void {
    for (const c of [...this.srv.clients.values()]) {
      if (c.user !== u.name || c.fake) continue;
      let ok = true;
      for (const ch of c.channels) if (!this.userChannelAllowed(u, ch, false)) ok = false;
      for (const ch of c.shardChannels) if (!this.userChannelAllowed(u, ch, false)) ok = false;
      for (const p of c.patterns) if (!this.userChannelAllowed(u, p, true)) ok = false;
      if (!ok) this.kill(c, caller);
    }
  }

  userChannelAllowed(u: User, ch: string, pattern: boolean): boolean {
    return u.selectors.some((s) => selectorChannelAllowed(s, ch, pattern));
  }

  // ---------------------------------------------------------------------------
  // Authentication
  // ---------------------------------------------------------------------------

  /** Must new connections authenticate? (The default user is off or has passwords.) */
  authRequired(): boolean {
    const d = this.users.get('default');
    return d === undefined || !d.enabled || !d.nopass;
  }

  authenticate(name: string, pass: string): boolean {
    const u = this.users.get(name);
    if (u !== undefined && u.checkPassword(pass)) return true;
    this.bump('aclDeniedAuth');
    const c = this.srv.currentClient;
    this.addLog('auth', c !== null && c.multi !== null ? 'multi' : 'toplevel', 'AUTH', name, c);
    return false;
  }

  /** CONFIG SET requirepass: the default user's password follows it. */
  setRequirepass(pass: string): void {
    const d = this.users.get('default');
    if (!d) return;
    d.apply('resetpass', this.catalog, false);
    d.apply(pass === '' ? 'nopass' : '>' + pass, this.catalog, false);
    this.refresh();
  }

  // ---------------------------------------------------------------------------
  // Permission checks
  // ---------------------------------------------------------------------------

  /** Check a command for a user; null when allowed. */
  checkUser(u: User, cmd: CommandDef, args: string[]): Denial | null {
    if (this.superusers.has(u.name)) return null;
    let worst: Denial = { code: DENIED_CMD, index: 0 };
    for (const s of u.selectors) {
      const d = this.checkSelector(s, cmd, args);
      if (d === null) return null;
      if (d.code > worst.code || (d.code === worst.code && d.index > worst.index)) worst = d;
    }
    return worst;
  }

  private checkSelector(s: Selector, cmd: CommandDef, args: string[]): Denial | null {
    if (!cmd.flags.has('no_auth') && !s.commandAllowed(cmd)) {
      const fa = s.firstArgs.get(cmd.name);
      const idx = cmd.parent ? 2 : 1;
      if (fa === undefined || args.length <= idx || !fa.includes(args[idx].toLowerCase())) return { code: DENIED_CMD, index: 0 };
    }
    if (!s.allKeys) {
      const codes = specCodes(cmd, args);
      let pos: number[] = [];
      if (codes !== undefined || cmd.firstKey !== 0 || cmd.getKeys) {
        try {
          pos = keyPositions(cmd, args);
        } catch {
          pos = [];
        }
      }
      for (let i = 0; i < pos.length; i++) {
        const p = pos[i];
        if (p >= args.length || p < 0) continue;
        let code = codes ? codes[Math.min(i, codes.length - 1)] : cmd.flags.has('write') ? 'rw' : 'r';
        if (code === 'n') continue;
        if (code === '-') code = '';
        const need = flagsForCode(code);
        const key = args[p];
        if (!s.keys.some((k) => (k.flags & need) === need && globMatch(k.pattern, key))) return { code: DENIED_KEY, index: p };
      }
    }
    if (!s.allChannels) {
      const ch = channelArgs(cmd, args);
      if (ch !== null) {
        for (let i = ch.from; i <= ch.to && i < args.length; i++) {
          if (!selectorChannelAllowed(s, args[i], ch.pattern)) return { code: DENIED_CHANNEL, index: i };
        }
      }
    }
    return null;
  }

  /** Does some selector of `u` allow reading every key (SORT BY/GET)? */
  canReadAllKeys(u: User): boolean {
    return u.selectors.some((s) => s.allKeys || s.keys.some((k) => (k.flags & PERM_READ) !== 0 && globMatch(k.pattern, '*')));
  }

  /**
   * The dispatcher's hook: check `c` running `cmd`, log and count a denial,
   * and return the error to reply (null when allowed).
   */
  check(c: Client, cmd: CommandDef, args: string[]): string | null {
    const lua = c.ext.lua !== undefined && c.ext.lua !== false;
    if (c.ext.master || (c.fake && !lua)) return null;
    if (!c.fake && !c.inExec) c.ext.aclCmd = cmd.name;
    // Whether the client's user is unrestricted, cached on the client until the users change.
    if (c.aclGeneration !== this.generation || c.aclUserName !== c.user) {
      c.aclGeneration = this.generation;
      c.aclUserName = c.user;
      c.aclUnrestricted = this.superusers.has(c.user);
    }
    if (c.aclUnrestricted) return null;
    const u = this.users.get(c.user);
    if (u === undefined) return null;
    const d = this.checkUser(u, cmd, args);
    if (d === null) return null;
    let context = 'toplevel';
    let real = c;
    if (lua) {
      context = 'lua';
      real = this.srv.currentClient ?? c;
    } else if (c.inExec || c.multi !== null) context = 'multi';
    const reason = d.code === DENIED_CMD ? 'command' : d.code === DENIED_KEY ? 'key' : 'channel';
    this.bump(d.code === DENIED_CMD ? 'aclDeniedCmd' : d.code === DENIED_KEY ? 'aclDeniedKey' : 'aclDeniedChannel');
    const object = d.code === DENIED_CMD ? cmd.name : args[d.index];
    const shown = context === 'multi' && c.inExec ? 'exec' : context === 'lua' ? ((real.ext.aclCmd as string | undefined) ?? real.lastCmd) : cmd.name;
    this.addLog(reason, context, object, u.name, real, shown);
    if (!lua && c.inExec) {
      // Queued when allowed, refused at EXEC: the rules changed in between.
      const why =
        d.code === DENIED_CMD ? 'no permission to execute the command or subcommand'
        : d.code === DENIED_KEY ? 'no permission to touch the specified keys'
        : 'no permission to access one of the channels used as arguments';
      return `NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: ${why}`;
    }
    return 'NOPERM ' + denialMessage(d, u, cmd, args, false);
  }

  private bump(name: string): void {
    this.srv.ext[name] = ((this.srv.ext[name] as number | undefined) ?? 0) + 1;
  }

  // ---------------------------------------------------------------------------
  // ACL LOG
  // ---------------------------------------------------------------------------

  addLog(reason: string, context: string, object: string, username: string, c: Client | null, cmdName?: string): void {
    const now = this.srv.clock.now();
    let info = '';
    if (c !== null) {
      const saved = c.lastCmd;
      if (cmdName !== undefined) c.lastCmd = cmdName;
      else if (c.ext.aclCmd !== undefined) c.lastCmd = c.ext.aclCmd as string;
      try {
        info = clientInfoString(c);
      } finally {
        c.lastCmd = saved;
      }
    }
    const i = this.log.findIndex(
      (e) => e.reason === reason && e.context === context && e.object === object && e.username === username && now - e.updated < LOG_GROUPING_MS,
    );
    if (i >= 0) {
      const e = this.log[i];
      e.count++;
      e.updated = now;
      e.clientInfo = info;
      this.log.splice(i, 1);
      this.log.unshift(e);
      return;
    }
    this.log.unshift({ count: 1, reason, context, object, username, clientInfo: info, id: this.nextEntryId++, created: now, updated: now });
    const max = Math.max(0, this.srv.config.num('acllog-max-len'));
    if (this.log.length > max) this.log.length = max;
  }

  // ---------------------------------------------------------------------------
  // Users from the config file and the aclfile
  // ---------------------------------------------------------------------------

  aclfilePath(): string {
    // The server runs in its `dir`, so a relative path is relative to it.
    return this.srv.config.get('aclfile');
  }

  /** Build users from `user` lines (each already split into words). Returns errors, or the users. */
  parseUserLines(lines: { words: string[]; line: number }[], where: (line: number) => string): Map<string, User> | string[] {
    const errors: string[] = [];
    const out = new Map<string, User>();
    for (const { words, line } of lines) {
      if (words.length < 2 || words[0] !== 'user') {
        errors.push(`${where(line)} should start with user keyword followed by the username. `);
        continue;
      }
      const name = words[1];
      if (out.has(name)) {
        errors.push(`WARNING: Duplicate user '${name}' found on line ${line}. `);
        continue;
      }
      if (!validUsername(name)) {
        errors.push(`${where(line)}: Usernames can't contain spaces or null characters. `);
        continue;
      }
      const merged = mergeSelectorArgs(words.slice(2));
      if (typeof merged === 'number') {
        errors.push(`${where(line)}: Unmatched parenthesis in acl selector starting at '${words[2 + merged]}'. `);
        continue;
      }
      const u = this.newUser(name);
      let bad = false;
      for (const op of merged) {
        try {
          u.apply(op, this.catalog, this.pubsubDefault);
        } catch (e) {
          if (!(e instanceof AclRuleError)) throw e;
          errors.push(`${where(line)}: Error in applying operation '${op}': ${e.message}. `);
          bad = true;
          break;
        }
      }
      if (!bad) out.set(name, u);
    }
    return errors.length > 0 ? errors : out;
  }

  /** ACL LOAD: returns null or the error text (without "ERR "). */
  loadFile(caller: Client | null): string | null {
    const path = this.aclfilePath();
    let text: string;
    try {
      text = readFileSync(path, 'latin1');
    } catch (e) {
      return `Error loading ACLs, opening file '${path}': ${describeFsError(e)}`;
    }
    const lines: { words: string[]; line: number }[] = [];
    const raw = text.split('\n');
    for (let i = 0; i < raw.length; i++) {
      const t = raw[i].trim();
      if (t === '') continue;
      const words = splitWords(t) ?? [];
      lines.push({ words, line: i + 1 });
    }
    const users = this.parseUserLines(lines, (n) => `${path}:${n}`);
    if (Array.isArray(users)) return users.join('') + 'WARNING: ACL errors detected, no change to the previously active ACL rules was performed';
    if (!users.has('default')) users.set('default', this.initialDefault());
    this.users = users;
    this.refresh();
    // The old users are gone: their clients are disconnected (the default user is kept).
    for (const c of [...this.srv.clients.values()]) if (!c.fake && c.user !== 'default') this.kill(c, caller);
    return null;
  }

  /** ACL SAVE: returns null or the error text. */
  saveFile(): string | null {
    const path = this.aclfilePath();
    const text = this.listLines().join('\n') + '\n';
    const tmp = `${path}.tmp-${process.pid}`;
    try {
      writeFileSync(tmp, text, 'latin1');
      renameSync(tmp, path);
    } catch (e) {
      return `There was an error trying to save the ACLs. Please check the server logs for more information`;
    }
    return null;
  }

  listLines(): string[] {
    return [...this.users.keys()].sort().map((n) => `user ${n} ${(this.users.get(n) as User).describe()}`);
  }
}

/**
 * Redis's categories, then those of module-like command families (json,
 * bloom...). "server" is only the family name some tables give, not a category.
 */
function categoriesOf(catalog: CommandCatalog): string[] {
  const out: string[] = [...ACL_CATEGORIES];
  for (const d of catalog.all()) for (const k of d.categories) if (k !== 'server' && k !== '' && !out.includes(k)) out.push(k);
  return out;
}

function selectorChannelAllowed(s: Selector, ch: string, pattern: boolean): boolean {
  if (s.allChannels) return true;
  for (const p of s.channels) {
    if (pattern ? p === ch : globMatch(p, ch)) return true;
  }
  return false;
}

/** The text of a denial: verbose (ACL DRYRUN) or as the NOPERM error says it. */
export function denialMessage(d: Denial, u: User, cmd: CommandDef, args: string[], verbose: boolean): string {
  if (d.code === DENIED_CMD) return `User ${u.name} has no permissions to run the '${cmd.name}' command`;
  if (d.code === DENIED_KEY) return verbose ? `User ${u.name} has no permissions to access the '${args[d.index]}' key` : 'No permissions to access a key';
  return verbose ? `User ${u.name} has no permissions to access the '${args[d.index]}' channel` : 'No permissions to access a channel';
}

function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'No such file or directory';
  if (code === 'EACCES') return 'Permission denied';
  if (code === 'EISDIR') return 'Is a directory';
  return (e as Error).message;
}

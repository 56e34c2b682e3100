/*
 * ACL users and selectors: the rules a user is made of, how rule strings
 * (ACL SETUSER arguments, `user` lines) change them, and how they are rendered
 * back (ACL LIST, ACL GETUSER).
 *
 * A user has flags (on/off, nopass, sanitize-payload), a set of password
 * hashes (SHA-256 hex), and selectors: the root selector and any number of
 * additional ones written in parentheses. A command is allowed when one
 * selector allows the command, all its keys and all its channels.
 *
 * Command permissions of a selector are a base (everything allowed after
 * +@all, nothing after -@all) plus per-command overrides, plus "first
 * arguments" allowed for commands without subcommands (+select|0). The rules
 * as written are kept, compacted, to render them back in the same order.
 */

import { createHash } from 'node:crypto';
import type { CommandDef } from '../commands/types';

export const PERM_READ = 1;
export const PERM_WRITE = 2;
export const PERM_ALL = PERM_READ | PERM_WRITE;

/** The commands a selector can name (the server's command table). */
export interface CommandCatalog {
  /** Every command and subcommand. */
  all(): Iterable<CommandDef>;
  /** A top-level command by (lowercase) name. */
  get(name: string): CommandDef | undefined;
  /** Known ACL categories (without '@'). */
  categories(): readonly string[];
}

/** A rule could not be applied; the message is the reason Redis gives. */
export class AclRuleError extends Error {}

export const ERR_UNKNOWN = 'Unknown command or category name in ACL';
export const ERR_SYNTAX = 'Syntax error';
export const ERR_KEYS_AFTER_ALL =
  "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns";
export const ERR_CHANNELS_AFTER_ALL =
  "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels";
export const ERR_NO_SUCH_PASS = 'The password you are trying to remove from the user does not exist';
export const ERR_BAD_HASH = 'The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters';
export const ERR_SUBCOMMAND_ARG = 'Allowing first-arg of a subcommand is not supported';

export function hashPassword(pass: string): string {
  return createHash('sha256').update(Buffer.from(pass, 'latin1')).digest('hex');
}

export interface KeyPattern {
  pattern: string;
  flags: number;
}

function keyPatternString(p: KeyPattern): string {
  if (p.flags === PERM_ALL) return '~' + p.pattern;
  return '%' + (p.flags & PERM_READ ? 'R' : '') + (p.flags & PERM_WRITE ? 'W' : '') + '~' + p.pattern;
}

/** Split a string into words as Redis's sdssplitargs does (quotes and escapes). */
export function splitWords(s: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  const n = s.length;
  for (;;) {
    while (i < n && /\s/.test(s[i])) i++;
    if (i >= n) return out;
    let cur = '';
    let inq = false;
    let insq = false;
    for (;;) {
      if (inq) {
        if (i >= n) return null;
        if (s[i] === '\\' && s[i + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 2, i + 4))) {
          cur += String.fromCharCode(parseInt(s.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (s[i] === '\\' && i + 1 < n) {
          i++;
          const m: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07' };
          cur += m[s[i]] ?? s[i];
        } else if (s[i] === '"') {
          if (i + 1 < n && !/\s/.test(s[i + 1])) return null;
          inq = false;
          i++;
          break;
        } else cur += s[i];
      } else if (insq) {
        if (i >= n) return null;
        if (s[i] === '\\' && s[i + 1] === "'") {
          i++;
          cur += "'";
        } else if (s[i] === "'") {
          if (i + 1 < n && !/\s/.test(s[i + 1])) return null;
          insq = false;
          i++;
          break;
        } else cur += s[i];
      } else {
        if (i >= n || /\s/.test(s[i])) break;
        if (s[i] === '"') inq = true;
        else if (s[i] === "'") insq = true;
        else cur += s[i];
      }
      i++;
    }
    out.push(cur);
  }
}

export class Selector {
  /** Commands not overridden are allowed (after +@all) or not (after -@all). */
  base = false;
  /** Per-command (full name) overrides of the base. */
  perms = new Map<string, boolean>();
  /** Allowed first arguments (lowercase) of otherwise denied commands without subcommands. */
  firstArgs = new Map<string, string[]>();
  /** The command rules as written, compacted ("+get", "-@hash", "+select|0"). */
  rules: string[] = [];
  allKeys = false;
  keys: KeyPattern[] = [];
  allChannels = false;
  channels: string[] = [];

  constructor(readonly root: boolean) {}

  clone(): Selector {
    const s = new Selector(this.root);
    s.base = this.base;
    s.perms = new Map(this.perms);
    for (const [k, v] of this.firstArgs) s.firstArgs.set(k, [...v]);
    s.rules = [...this.rules];
    s.allKeys = this.allKeys;
    s.keys = this.keys.map((k) => ({ ...k }));
    s.allChannels = this.allChannels;
    s.channels = [...this.channels];
    return s;
  }

  commandAllowed(cmd: CommandDef): boolean {
    return this.perms.get(cmd.name) ?? this.base;
  }

  /** Is everything allowed (no restriction at all)? */
  get unrestricted(): boolean {
    if (!this.base || !this.allKeys || !this.allChannels) return false;
    for (const v of this.perms.values()) if (!v) return false;
    return true;
  }

  private setPerm(cmd: CommandDef, allow: boolean): void {
    if (allow === this.base) this.perms.delete(cmd.name);
    else this.perms.set(cmd.name, allow);
    this.firstArgs.delete(cmd.name);
    if (cmd.subcommands) for (const s of cmd.subcommands.values()) this.setPerm(s, allow);
  }

  private updateRules(rule: string, allow: boolean): void {
    const r = rule.toLowerCase();
    this.rules = this.rules.filter((x) => {
      const body = x.slice(1);
      return !(body === r || (body.length > r.length && body.startsWith(r) && body[r.length] === '|'));
    });
    this.rules.push((allow ? '+' : '-') + r);
  }

  /** Apply one selector rule; throws AclRuleError. */
  apply(op: string, catalog: CommandCatalog): void {
    const l = op.toLowerCase();
    if (l === 'allkeys' || op === '~*') {
      this.allKeys = true;
      this.keys = [];
      return;
    }
    if (l === 'resetkeys') {
      this.allKeys = false;
      this.keys = [];
      return;
    }
    if (l === 'allchannels' || op === '&*') {
      this.allChannels = true;
      this.channels = [];
      return;
    }
    if (l === 'resetchannels') {
      this.allChannels = false;
      this.channels = [];
      return;
    }
    if (l === 'allcommands' || l === '+@all') {
      this.base = true;
      this.perms.clear();
      this.firstArgs.clear();
      this.rules = [];
      return;
    }
    if (l === 'nocommands' || l === '-@all') {
      this.base = false;
      this.perms.clear();
      this.firstArgs.clear();
      this.rules = [];
      return;
    }
    const c0 = op[0];
    if (c0 === '~' || c0 === '%') {
      if (this.allKeys) throw new AclRuleError(ERR_KEYS_AFTER_ALL);
      let flags = 0;
      let off = 1;
      if (c0 === '%') {
        let closed = false;
        for (; off < op.length; off++) {
          const ch = op[off].toUpperCase();
          if (ch === 'R' && !(flags & PERM_READ)) flags |= PERM_READ;
          else if (ch === 'W' && !(flags & PERM_WRITE)) flags |= PERM_WRITE;
          else if (op[off] === '~') {
            off++;
            closed = true;
            break;
          } else throw new AclRuleError(ERR_SYNTAX);
        }
        // "%RW" without "~" is accepted by Redis as an empty pattern.
        if (flags === 0) throw new AclRuleError(ERR_SYNTAX);
        if (!closed) off = op.length;
      } else flags = PERM_ALL;
      const pattern = op.slice(off);
      if (pattern === '*' && flags === PERM_ALL) {
        this.allKeys = true;
        this.keys = [];
        return;
      }
      const ex = this.keys.find((k) => k.pattern === pattern);
      if (ex) ex.flags |= flags;
      else this.keys.push({ pattern, flags });
      return;
    }
    if (c0 === '&') {
      if (this.allChannels) throw new AclRuleError(ERR_CHANNELS_AFTER_ALL);
      const ch = op.slice(1);
      if (!this.channels.includes(ch)) this.channels.push(ch);
      return;
    }
    if ((c0 === '+' || c0 === '-') && op[1] === '@') {
      const cat = l.slice(2);
      if (!catalog.categories().includes(cat)) throw new AclRuleError(ERR_UNKNOWN);
      const allow = c0 === '+';
      for (const cmd of catalog.all()) if (cmd.categories.includes(cat)) this.setPerm(cmd, allow);
      this.updateRules('@' + cat, allow);
      return;
    }
    if (c0 === '+' || c0 === '-') {
      const allow = c0 === '+';
      const name = l.slice(1);
      const bar = name.indexOf('|');
      if (bar < 0) {
        const cmd = catalog.get(name);
        if (!cmd) throw new AclRuleError(ERR_UNKNOWN);
        this.setPerm(cmd, allow);
        this.updateRules(cmd.name, allow);
        return;
      }
      const last = name.lastIndexOf('|');
      const head = name.slice(0, last);
      const sub = name.slice(last + 1);
      const hb = head.indexOf('|');
      const parent = hb < 0 ? catalog.get(head) : catalog.get(head.slice(0, hb))?.subcommands?.get(head.slice(hb + 1));
      if (!allow) {
        // "-parent|sub" must name an existing subcommand.
        const sc = hb < 0 ? parent?.subcommands?.get(sub) : undefined;
        if (!sc) throw new AclRuleError(ERR_UNKNOWN);
        this.setPerm(sc, false);
        this.updateRules(sc.name, false);
        return;
      }
      if (!parent) throw new AclRuleError(ERR_UNKNOWN);
      if (parent.parent) throw new AclRuleError(ERR_SUBCOMMAND_ARG);
      if (sub === '') throw new AclRuleError(ERR_SYNTAX);
      if (parent.subcommands) {
        const sc = parent.subcommands.get(sub);
        if (!sc) throw new AclRuleError(ERR_UNKNOWN);
        this.setPerm(sc, true);
        this.updateRules(sc.name, true);
        return;
      }
      // A command without subcommands: only "+cmd|firstarg" is possible.
      const arg = op.slice(1).slice(last + 1);
      if (!this.commandAllowed(parent)) {
        const list = this.firstArgs.get(parent.name) ?? [];
        if (!list.includes(arg.toLowerCase())) list.push(arg.toLowerCase());
        this.firstArgs.set(parent.name, list);
      }
      this.updateRules(name, true);
      return;
    }
    throw new AclRuleError(ERR_SYNTAX);
  }

  describeCommands(): string {
    return [this.base ? '+@all' : '-@all', ...this.rules].join(' ');
  }

  describeKeys(): string {
    if (this.allKeys) return '~*';
    return this.keys.map(keyPatternString).join(' ');
  }

  describeChannels(): string {
    if (this.allChannels) return '&*';
    return this.channels.map((c) => '&' + c).join(' ');
  }

  /** The selector as ACL LIST renders it. */
  describe(): string {
    const parts: string[] = [];
    const k = this.describeKeys();
    if (k !== '') parts.push(k);
    if (this.allChannels) parts.push('&*');
    else {
      parts.push('resetchannels');
      for (const c of this.channels) parts.push('&' + c);
    }
    parts.push(this.describeCommands());
    return parts.join(' ');
  }
}

export class User {
  enabled = false;
  nopass = false;
  /** sanitize-payload (true), skip-sanitize-payload (false), or neither (null). */
  sanitize: boolean | null = true;
  passwords: string[] = [];
  selectors: Selector[] = [new Selector(true)];

  constructor(readonly name: string) {}

  get root(): Selector {
    return this.selectors[0];
  }

  clone(name = this.name): User {
    const u = new User(name);
    u.enabled = this.enabled;
    u.nopass = this.nopass;
    u.sanitize = this.sanitize;
    u.passwords = [...this.passwords];
    u.selectors = this.selectors.map((s) => s.clone());
    return u;
  }

  /**
   * Apply one rule. `pubsubDefault` is acl-pubsub-default's "allchannels"
   * (used by reset and new selectors). Throws AclRuleError.
   */
  apply(op: string, catalog: CommandCatalog, pubsubDefault: boolean): void {
    const l = op.toLowerCase();
    if (l === 'on') this.enabled = true;
    else if (l === 'off') this.enabled = false;
    else if (l === 'skip-sanitize-payload') this.sanitize = false;
    else if (l === 'sanitize-payload') this.sanitize = true;
    else if (l === 'nopass') {
      this.nopass = true;
      this.passwords = [];
    } else if (l === 'resetpass') {
      this.nopass = false;
      this.passwords = [];
    } else if (op[0] === '>' || op[0] === '#') {
      let h: string;
      if (op[0] === '>') h = hashPassword(op.slice(1));
      else {
        h = op.slice(1);
        if (!/^[0-9a-f]{64}$/.test(h)) throw new AclRuleError(ERR_BAD_HASH);
      }
      if (!this.passwords.includes(h)) this.passwords.push(h);
      this.nopass = false;
    } else if (op[0] === '<' || op[0] === '!') {
      let h: string;
      if (op[0] === '<') h = hashPassword(op.slice(1));
      else {
        h = op.slice(1);
        if (!/^[0-9a-f]{64}$/.test(h)) throw new AclRuleError(ERR_BAD_HASH);
      }
      const i = this.passwords.indexOf(h);
      if (i < 0) throw new AclRuleError(ERR_NO_SUCH_PASS);
      this.passwords.splice(i, 1);
    } else if (op[0] === '(' && op[op.length - 1] === ')' && op.length >= 2) {
      const words = splitWords(op.slice(1, -1));
      if (words === null) throw new AclRuleError(ERR_SYNTAX);
      const s = new Selector(false);
      if (pubsubDefault) s.allChannels = true;
      for (const w of words) s.apply(w, catalog);
      this.selectors.push(s);
    } else if (l === 'clearselectors') {
      this.selectors = [this.root];
    } else if (l === 'reset') {
      this.nopass = false;
      this.passwords = [];
      const r = this.root;
      r.apply('resetkeys', catalog);
      r.apply('resetchannels', catalog);
      if (pubsubDefault) r.apply('allchannels', catalog);
      this.enabled = false;
      this.sanitize = true;
      this.selectors = [r];
      r.apply('-@all', catalog);
    } else this.root.apply(op, catalog);
  }

  flags(): string[] {
    const f: string[] = [this.enabled ? 'on' : 'off'];
    if (this.nopass) f.push('nopass');
    if (this.sanitize === false) f.push('skip-sanitize-payload');
    if (this.sanitize === true) f.push('sanitize-payload');
    return f;
  }

  /** The user as ACL LIST and ACL SAVE render it (without the "user name" prefix). */
  describe(): string {
    const parts = [...this.flags(), ...this.passwords.map((p) => '#' + p), this.root.describe()];
    for (let i = 1; i < this.selectors.length; i++) parts.push(`(${this.selectors[i].describe()})`);
    return parts.join(' ');
  }

  checkPassword(pass: string): boolean {
    if (!this.enabled) return false;
    if (this.nopass) return true;
    return this.passwords.includes(hashPassword(pass));
  }
}

/** Check a username (no spaces or NUL). */
export function validUsername(name: string): boolean {
  return !/[ \0]/.test(name);
}

/**
 * Merge ACL SETUSER arguments so that a selector split over several
 * arguments ("(+get", "~key)") becomes one. Returns the merged list, or the
 * index of the argument opening an unclosed selector.
 */
export function mergeSelectorArgs(args: string[]): string[] | number {
  const out: string[] = [];
  let open = -1;
  let cur = '';
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (open < 0 && a.startsWith('(') && !a.endsWith(')')) {
      open = i;
      cur = a;
      continue;
    }
    if (open >= 0) {
      cur += ' ' + a;
      if (a.endsWith(')')) {
        out.push(cur);
        open = -1;
      }
      continue;
    }
    out.push(a);
  }
  return open >= 0 ? open : out;
}

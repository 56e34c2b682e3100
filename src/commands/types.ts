/*
 * The shape of a command table entry. Every family file (src/commands/*.ts)
 * exports a list of these; src/commands/index.ts gathers them into the one
 * table that the dispatcher, COMMAND, ACL and the cluster key hashing read.
 */

import type { Client } from '../server/client';

export type Handler = (c: Client, args: string[]) => void;

export interface CommandDef {
  /** Lowercase name ("get"), or "parent|sub" for subcommands. */
  name: string;
  /** Redis arity: N = exactly N args (name included), -N = at least N. */
  arity: number;
  /** Redis command flags, lowercase: write readonly denyoom admin pubsub noscript blocking loading stale fast no_auth may_replicate allow_busy no_multi ... */
  flags: Set<string>;
  /** The flags the dispatcher tests on every call, as CMD_* bits (fixed at creation, like `flags`). */
  bits: number;
  /** Legacy key positions: first, last (negative = from end), step. 0,0,0 = no keys. */
  firstKey: number;
  lastKey: number;
  step: number;
  /** ACL categories without '@' (including derived read/write/fast/slow...). */
  categories: string[];
  handler: Handler;
  /** Keys for commands whose keys move (movablekeys): indexes into args. */
  getKeys?: (args: string[]) => number[];
  subcommands?: Map<string, CommandDef>;
  parent?: CommandDef;
  group: string;
  since: string;
  summary: string;
  // Statistics (INFO commandstats).
  calls: number;
  usec: number;
  rejectedCalls: number;
  failedCalls: number;
}

/* Flag bits of CommandDef.bits: a bit test instead of a Set lookup per request. */
export const CMD_WRITE = 1;
export const CMD_MAY_REPLICATE = 2;
export const CMD_DENYOOM = 4;
export const CMD_NO_AUTH = 8;
export const CMD_PROTECTED = 16;
export const CMD_NO_MULTI = 32;
export const CMD_SKIP_MONITOR = 64;
export const CMD_ADMIN = 128;
export const CMD_SKIP_SLOWLOG = 256;
export const CMD_FAST = 512;
/** In the @scripting category: its flags may depend on the script it runs (server.ext.dynamicCommandFlags). */
export const CMD_SCRIPTING = 1024;
export const CMD_NOSCRIPT = 2048;
export const CMD_BLOCKING = 4096;
export const CMD_PUBSUB = 8192;
/**
 * Commands that never take the dispatcher's lane for plain data commands
 * (Server.processCommand): connection, transaction, admin, scripting,
 * blocking and pub/sub commands, which may change the state the lane relies on.
 */
export const CMD_NOT_LANE = CMD_NO_AUTH | CMD_PROTECTED | CMD_NO_MULTI | CMD_SKIP_MONITOR | CMD_ADMIN | CMD_SCRIPTING | CMD_NOSCRIPT | CMD_BLOCKING | CMD_PUBSUB;

const BIT_OF: Record<string, number> = {
  write: CMD_WRITE,
  may_replicate: CMD_MAY_REPLICATE,
  denyoom: CMD_DENYOOM,
  no_auth: CMD_NO_AUTH,
  protected: CMD_PROTECTED,
  no_multi: CMD_NO_MULTI,
  skip_monitor: CMD_SKIP_MONITOR,
  admin: CMD_ADMIN,
  skip_slowlog: CMD_SKIP_SLOWLOG,
  fast: CMD_FAST,
  noscript: CMD_NOSCRIPT,
  blocking: CMD_BLOCKING,
  pubsub: CMD_PUBSUB,
};

/** CMD_* bits of a flag set. */
export function flagBits(flags: Set<string>): number {
  let b = 0;
  for (const f of flags) b |= BIT_OF[f] ?? 0;
  return b;
}

export interface CommandSpecExtra {
  getKeys?: (args: string[]) => number[];
  subcommands?: CommandDef[];
  group?: string;
  since?: string;
  summary?: string;
}

// Order in which Redis lists ACL categories (by its category bit index).
const CATEGORY_ORDER = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog',
  'geo', 'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection',
  'transaction', 'scripting',
];

/**
 * Build a command table entry.
 *   command('get', 2, 'readonly fast', [1, 1, 1], 'string', getCommand)
 * `acl` lists the command's own categories (e.g. "string", "keyspace"); the
 * categories implied by its flags (read, write, fast/slow, admin+dangerous,
 * pubsub, blocking) are added as Redis does.
 */
export function command(
  name: string,
  arity: number,
  flags: string,
  keys: readonly [number, number, number],
  acl: string,
  handler: Handler,
  extra: CommandSpecExtra = {},
): CommandDef {
  const f = new Set(flags.split(/\s+/).filter(Boolean));
  const cats = new Set(acl.split(/\s+/).filter(Boolean));
  if (f.has('write')) cats.add('write');
  if (f.has('readonly') && !cats.has('scripting')) cats.add('read');
  if (f.has('admin')) {
    cats.add('admin');
    cats.add('dangerous');
  }
  if (f.has('pubsub')) cats.add('pubsub');
  if (f.has('fast')) cats.add('fast');
  if (f.has('blocking')) cats.add('blocking');
  if (!f.has('fast')) cats.add('slow');
  if (extra.getKeys) f.add('movablekeys');
  const categories = [...cats].sort((a, b) => CATEGORY_ORDER.indexOf(a) - CATEGORY_ORDER.indexOf(b));
  const def: CommandDef = {
    name,
    arity,
    flags: f,
    bits: flagBits(f) | (cats.has('scripting') ? CMD_SCRIPTING : 0),
    firstKey: keys[0],
    lastKey: keys[1],
    step: keys[2],
    categories,
    handler,
    getKeys: extra.getKeys,
    group: extra.group ?? acl.split(/\s+/)[0] ?? 'generic',
    since: extra.since ?? '1.0.0',
    summary: extra.summary ?? '',
    calls: 0,
    usec: 0,
    rejectedCalls: 0,
    failedCalls: 0,
  };
  if (extra.subcommands) {
    def.subcommands = new Map();
    for (const s of extra.subcommands) {
      s.parent = def;
      const sub = s.name.includes('|') ? s.name.split('|')[1] : s.name;
      s.name = `${name}|${sub}`;
      def.subcommands.set(sub, s);
    }
  }
  return def;
}

/** Positions of the key arguments of `args` for `def`. */
export function keyPositions(def: CommandDef, args: string[]): number[] {
  if (def.getKeys) return def.getKeys(args);
  if (def.firstKey === 0) return [];
  const out: number[] = [];
  let last = def.lastKey;
  if (last < 0) last = args.length + last;
  for (let i = def.firstKey; i <= last && i < args.length; i += def.step) out.push(i);
  return out;
}

/** Handler of container commands (CONFIG, CLIENT...) whose subcommands do the work. */
export function noParentHandler(): void {
  /* never called: the dispatcher resolves subcommands */
}

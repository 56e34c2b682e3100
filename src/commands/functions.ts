/*
 * Functions: FUNCTION (LOAD DELETE LIST DUMP RESTORE FLUSH STATS KILL HELP)
 * and FCALL / FCALL_RO.
 *
 * Libraries live in the registry of src/scripting/functions.ts; functions
 * run through the scripting host like EVAL scripts. FUNCTION DUMP uses
 * Redis's payload: one FUNCTION2 record (opcode 0xf6 + RDB string of the
 * library code) per library, then the RDB version (2 bytes, little endian)
 * and a CRC64 of everything before it (8 bytes, little endian).
 */

import type { Client } from '../server/client';
import { command, noParentHandler, type CommandDef } from './types';
import { is } from './util';
import { replyHelp } from './keyspace';
import { flagProviders, getHost, scriptCommandFlags } from '../scripting/host';
import { getFunctions, type Library } from '../scripting/functions';
import { globMatch } from '../util/glob';
import { RdbReader, RdbWriter, RDB_VERSION } from '../persistence/rdb';
import { crc64 } from '../persistence/crc64';

// ----------------------------------------------------------------------------
// Helpers
// ----------------------------------------------------------------------------

/** Key positions of FCALL: function numkeys key... */
function fcallKeys(args: string[]): number[] {
  if (args.length < 3) return [];
  const n = Number(args[2]);
  if (!Number.isInteger(n) || n <= 0 || n > args.length - 3) return [];
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(3 + i);
  return out;
}

const OP_FUNCTION2 = 0xf6;

/** Reply for a FUNCTION subcommand given too many arguments. */
function subcommandSyntaxError(c: Client, args: string[]): void {
  c.w.error(`ERR unknown subcommand or wrong number of arguments for '${args[1]}'. Try FUNCTION HELP.`);
}

function dumpPayload(libs: Library[]): Buffer {
  const w = new RdbWriter(false, 1024);
  for (const l of libs) {
    w.byte(OP_FUNCTION2);
    w.string(l.code);
  }
  w.byte(RDB_VERSION & 0xff);
  w.byte((RDB_VERSION >> 8) & 0xff);
  const body = w.take();
  return Buffer.concat([body, crc64(body).digestLE()]);
}

/** Library codes from a FUNCTION DUMP payload, or null when it is not valid. */
function parsePayload(p: Buffer): string[] | null {
  if (p.length < 10) return null;
  const ver = p[p.length - 10] | (p[p.length - 9] << 8);
  if (ver > RDB_VERSION) return null;
  const crc = crc64(p, 0, p.length - 8).digestLE();
  if (!crc.equals(p.subarray(p.length - 8)) && !p.subarray(p.length - 8).equals(Buffer.alloc(8))) return null;
  const out: string[] = [];
  const r = new RdbReader(p, 0, p.length - 10);
  try {
    while (r.pos < p.length - 10) {
      const op = r.byte();
      if (op !== OP_FUNCTION2) return null;
      out.push(r.string());
    }
  } catch {
    return null;
  }
  return out;
}

// ----------------------------------------------------------------------------
// FCALL
// ----------------------------------------------------------------------------

function fcallGeneric(c: Client, args: string[], ro: boolean): void {
  const reg = getFunctions(c.server);
  const s = args[2];
  if (!/^-?\d+$/.test(s) || s.length > 20) {
    c.w.error('ERR Bad number of keys provided');
    return;
  }
  const nk = Number(s);
  if (nk > args.length - 3) {
    c.w.error("ERR Number of keys can't be greater than number of args");
    return;
  }
  if (nk < 0) {
    c.w.error("ERR Number of keys can't be negative");
    return;
  }
  const f = reg.functions.get(args[1]);
  if (f === undefined) {
    c.w.error('ERR Function not found');
    return;
  }
  if (ro && !f.flags.noWrites) {
    c.w.error('ERR Can not execute a script with write flag using *_ro command.');
    return;
  }
  getHost(c.server).runScript(c, 'function', f.fn, f.name, args.slice(3, 3 + nk), args.slice(3 + nk), ro || f.flags.noWrites, args, f.flags.allowOom || f.flags.noWrites);
}

/* FCALL function numkeys [key ...] [arg ...] */
function fcallCommand(c: Client, args: string[]): void {
  fcallGeneric(c, args, false);
}

/* FCALL_RO function numkeys [key ...] [arg ...] */
function fcallRoCommand(c: Client, args: string[]): void {
  fcallGeneric(c, args, true);
}

/** Flags FCALL runs with, from the function's declared flags. */
function fcallDynamicFlags(c: Client, cmd: CommandDef, args: string[]): Set<string> | null {
  if (cmd.name !== 'fcall' && cmd.name !== 'fcall_ro') return null;
  if (args.length < 2) return null;
  const f = getFunctions(c.server).functions.get(args[1]);
  if (f === undefined) return null;
  return scriptCommandFlags(cmd.flags, f.flags);
}

flagProviders.push(fcallDynamicFlags);

// ----------------------------------------------------------------------------
// FUNCTION subcommands
// ----------------------------------------------------------------------------

/* FUNCTION LOAD [REPLACE] function-code */
function functionLoadCommand(c: Client, args: string[]): void {
  let replace = false;
  let i = 2;
  for (; i < args.length - 1; i++) {
    if (is(args[i], 'replace')) replace = true;
    else {
      c.w.error(`ERR Unknown option given: ${args[i]}`);
      return;
    }
  }
  if (i !== args.length - 1) {
    c.w.error('ERR Function code is missing');
    return;
  }
  const reg = getFunctions(c.server);
  const lib = reg.create(args[args.length - 1], replace);
  if (typeof lib === 'string') {
    c.w.error('ERR ' + lib);
    return;
  }
  reg.install(lib);
  c.server.dirty++;
  c.w.bulk(lib.name);
}

/* FUNCTION DELETE library-name */
function functionDeleteCommand(c: Client, args: string[]): void {
  if (!getFunctions(c.server).remove(args[2])) {
    c.w.error('ERR Library not found');
    return;
  }
  c.server.dirty++;
  c.w.ok();
}

/* FUNCTION FLUSH [ASYNC|SYNC] */
function functionFlushCommand(c: Client, args: string[]): void {
  if (args.length > 3) {
    subcommandSyntaxError(c, args);
    return;
  }
  if ((args.length === 3 && !is(args[2], 'sync') && !is(args[2], 'async'))) {
    c.w.error('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
    return;
  }
  getFunctions(c.server).flush();
  c.server.dirty++;
  c.w.ok();
}

/* FUNCTION LIST [LIBRARYNAME library-name-pattern] [WITHCODE] */
function functionListCommand(c: Client, args: string[]): void {
  let withCode = false;
  let pattern: string | null = null;
  for (let i = 2; i < args.length; i++) {
    if (is(args[i], 'withcode') && !withCode) withCode = true;
    else if (is(args[i], 'libraryname') && pattern === null) {
      if (i + 1 >= args.length) {
        c.w.error('ERR library name argument was not given');
        return;
      }
      pattern = args[++i];
    } else {
      c.w.error(`ERR Unknown argument ${args[i]}`);
      return;
    }
  }
  const libs = [...getFunctions(c.server).libraries.values()].filter((l) => pattern === null || globMatch(pattern, l.name));
  const w = c.w;
  w.arrayHeader(libs.length);
  for (const l of libs) {
    w.mapHeader(withCode ? 4 : 3);
    w.bulk('library_name');
    w.bulk(l.name);
    w.bulk('engine');
    w.bulk('LUA');
    w.bulk('functions');
    w.arrayHeader(l.functions.size);
    for (const f of l.functions.values()) {
      w.mapHeader(3);
      w.bulk('name');
      w.bulk(f.name);
      w.bulk('description');
      if (f.description === null) w.nullBulk();
      else w.bulk(f.description);
      w.bulk('flags');
      w.setHeader(f.flagNames.length);
      for (const n of f.flagNames) w.simple(n);
    }
    if (withCode) {
      w.bulk('library_code');
      w.bulk(l.code);
    }
  }
}

/* FUNCTION DUMP */
function functionDumpCommand(c: Client): void {
  const p = dumpPayload([...getFunctions(c.server).libraries.values()]);
  c.w.bulkBuf(p);
}

/* FUNCTION RESTORE serialized-value [FLUSH|APPEND|REPLACE] */
function functionRestoreCommand(c: Client, args: string[]): void {
  let policy = 'append';
  if (args.length > 4) {
    subcommandSyntaxError(c, args);
    return;
  }
  if (args.length === 4) {
    const p = args[3].toLowerCase();
    if (p !== 'flush' && p !== 'append' && p !== 'replace') {
      c.w.error('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
      return;
    }
    policy = p;
  }
  const codes = parsePayload(Buffer.from(args[2], 'latin1'));
  if (codes === null) {
    c.w.error('ERR DUMP payload version or checksum are wrong');
    return;
  }
  const reg = getFunctions(c.server);
  // Build every library first (against an empty registry for FLUSH); install only if all are valid.
  const pending = new Map<string, Library>();
  for (const code of codes) {
    const lib = reg.create(code, true, pending);
    if (typeof lib === 'string') {
      c.w.error('ERR ' + lib);
      return;
    }
    if (pending.has(lib.name)) {
      c.w.error(`ERR Library '${lib.name}' already exists`);
      return;
    }
    pending.set(lib.name, lib);
  }
  if (policy === 'append') {
    for (const lib of pending.values()) {
      if (reg.libraries.has(lib.name)) {
        c.w.error(`ERR Library ${lib.name} already exists`);
        return;
      }
      for (const f of lib.functions.keys()) {
        if (reg.functions.has(f)) {
          c.w.error(`ERR Function ${f} already exists`);
          return;
        }
      }
    }
  } else if (policy === 'replace') {
    for (const lib of pending.values()) {
      for (const f of lib.functions.keys()) {
        const o = reg.functions.get(f);
        if (o !== undefined && !pending.has(o.lib.name) && o.lib.name !== lib.name) {
          c.w.error(`ERR Function ${f} already exists`);
          return;
        }
      }
    }
  }
  if (policy === 'flush') reg.flush();
  for (const lib of pending.values()) reg.install(lib);
  c.server.dirty++;
  c.w.ok();
}

/* FUNCTION KILL */
function functionKillCommand(c: Client): void {
  const err = getHost(c.server).kill('function');
  if (err !== null) c.w.error(err);
  else c.w.ok();
}

/* FUNCTION STATS */
function functionStatsCommand(c: Client): void {
  const host = getHost(c.server);
  const reg = getFunctions(c.server);
  const w = c.w;
  w.mapHeader(2);
  w.bulk('running_script');
  const run = host.run;
  if (run === null || run.kind !== 'function') w.nullBulk();
  else {
    w.mapHeader(3);
    w.bulk('name');
    w.bulk(run.funcname);
    w.bulk('command');
    const a = run.args;
    w.arrayHeader(a.length);
    for (const x of a) w.bulk(x);
    w.bulk('duration_ms');
    w.int(Math.floor(c.server.clock.nowUs() / 1000 - run.startMs));
  }
  w.bulk('engines');
  w.mapHeader(1);
  w.bulk('LUA');
  w.mapHeader(2);
  w.bulk('libraries_count');
  w.int(reg.libraries.size);
  w.bulk('functions_count');
  w.int(reg.functions.size);
}

/* FUNCTION HELP */
function functionHelpCommand(c: Client): void {
  replyHelp(c, 'FUNCTION', [
    'LOAD [REPLACE] <FUNCTION CODE>',
    '    Create a new library with the given library name and code.',
    'DELETE <LIBRARY NAME>',
    '    Delete the given library.',
    'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
    '    Return general information on all the libraries:',
    '    * Library name',
    '    * The engine used to run the Library',
    '    * Library description',
    '    * Functions list',
    '    * Library code (if WITHCODE is given)',
    '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
    'STATS',
    '    Return information about the current function running:',
    '    * Function name',
    '    * Command used to run the function',
    '    * Duration in MS that the function is running',
    '    If no function is running, return nil',
    '    In addition, returns a list of available engines.',
    'KILL',
    '    Kill the current running function.',
    'FLUSH [ASYNC|SYNC]',
    '    Delete all the libraries.',
    '    When called without the optional mode argument, the behavior is determined by the',
    '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
    '    * ASYNC: Asynchronously flush the libraries.',
    '    * SYNC: Synchronously flush the libraries.',
    'DUMP',
    '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
    'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
    '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
    '    control how to handle existing libraries (default APPEND):',
    '    * FLUSH: delete all existing libraries.',
    '    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.',
    '    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old',
    '      libraries with the new libraries (notice that even on this option there is a chance of failure',
    '      in case of functions name collision with another library).',
  ]);
}

const functionSubcommands: CommandDef[] = [
  command('delete', 3, 'noscript write', [0, 0, 0], 'scripting', functionDeleteCommand, { group: 'scripting', since: '7.0.0' }),
  command('dump', 2, 'noscript', [0, 0, 0], 'scripting', functionDumpCommand, { group: 'scripting', since: '7.0.0' }),
  command('flush', -2, 'noscript write', [0, 0, 0], 'scripting', functionFlushCommand, { group: 'scripting', since: '7.0.0' }),
  command('help', 2, 'loading stale', [0, 0, 0], 'scripting', functionHelpCommand, { group: 'scripting', since: '7.0.0' }),
  command('kill', 2, 'noscript allow_busy', [0, 0, 0], 'scripting', functionKillCommand, { group: 'scripting', since: '7.0.0' }),
  command('list', -2, 'noscript', [0, 0, 0], 'scripting', functionListCommand, { group: 'scripting', since: '7.0.0' }),
  command('load', -3, 'noscript write denyoom', [0, 0, 0], 'scripting', functionLoadCommand, { group: 'scripting', since: '7.0.0' }),
  command('restore', -3, 'noscript write denyoom', [0, 0, 0], 'scripting', functionRestoreCommand, { group: 'scripting', since: '7.0.0' }),
  command('stats', 2, 'noscript allow_busy', [0, 0, 0], 'scripting', functionStatsCommand, { group: 'scripting', since: '7.0.0' }),
];

export const commands: CommandDef[] = [
  command('fcall', -3, 'noscript skip_monitor may_replicate no_mandatory_keys stale', [0, 0, 0], 'scripting', fcallCommand, { getKeys: fcallKeys, group: 'scripting', since: '7.0.0' }),
  command('fcall_ro', -3, 'noscript skip_monitor no_mandatory_keys stale readonly', [0, 0, 0], 'scripting', fcallRoCommand, { getKeys: fcallKeys, group: 'scripting', since: '7.0.0' }),
  command('function', -2, '', [0, 0, 0], 'scripting', noParentHandler, { subcommands: functionSubcommands, group: 'scripting', since: '7.0.0' }),
];

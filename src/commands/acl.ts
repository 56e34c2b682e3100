/*
 * ACL command: SETUSER GETUSER DELUSER USERS LIST WHOAMI CAT GENPASS LOG
 * LOAD SAVE DRYRUN HELP. The state lives in src/acl (attached by
 * src/features/acl.ts as server.ext.acl).
 */

import { randomBytes } from 'node:crypto';
import type { Client } from '../server/client';
import { command, noParentHandler, type CommandDef } from './types';
import { E } from '../errors';
import { parseInt64Num } from '../util/numbers';
import { redactArgs } from './util';
import { denialMessage, type Acl } from '../acl/acl';
import type { User } from '../acl/user';

const NO_ACLFILE =
  'ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.';

function aclOf(c: Client): Acl | null {
  const a = c.server.ext.acl as Acl | undefined;
  if (a === undefined) {
    c.w.error('ERR ACL is not available');
    return null;
  }
  return a;
}

/* ACL SETUSER username [rule ...] */
function setuserCommand(c: Client, args: string[]): void {
  redactArgs(c, 2, args.length);
  const acl = aclOf(c);
  if (!acl) return;
  const err = acl.setUser(args[2], args.slice(3), c);
  if (err !== null) c.w.error(err);
  else c.w.ok();
}

function replySelector(c: Client, s: User['selectors'][number]): void {
  c.w.bulk('commands');
  c.w.bulk(s.describeCommands());
  c.w.bulk('keys');
  c.w.bulk(s.describeKeys());
  c.w.bulk('channels');
  c.w.bulk(s.describeChannels());
}

/* ACL GETUSER username */
function getuserCommand(c: Client, args: string[]): void {
  const acl = aclOf(c);
  if (!acl) return;
  const u = acl.users.get(args[2]);
  if (u === undefined) {
    c.w.nullBulk();
    return;
  }
  c.w.mapHeader(6);
  c.w.bulk('flags');
  const flags = u.flags();
  c.w.setHeader(flags.length);
  for (const f of flags) c.w.bulk(f);
  c.w.bulk('passwords');
  c.w.arrayHeader(u.passwords.length);
  for (const p of u.passwords) c.w.bulk(p);
  const root = u.root;
  c.w.bulk('commands');
  c.w.bulk(root.describeCommands());
  c.w.bulk('keys');
  c.w.bulk(root.describeKeys());
  c.w.bulk('channels');
  c.w.bulk(root.describeChannels());
  c.w.bulk('selectors');
  c.w.arrayHeader(u.selectors.length - 1);
  for (let i = 1; i < u.selectors.length; i++) {
    c.w.mapHeader(3);
    replySelector(c, u.selectors[i]);
  }
}

/* ACL DELUSER username [username ...] */
function deluserCommand(c: Client, args: string[]): void {
  const acl = aclOf(c);
  if (!acl) return;
  for (let i = 2; i < args.length; i++) {
    if (args[i] === 'default') {
      c.w.error("ERR The 'default' user cannot be removed");
      return;
    }
  }
  let n = 0;
  for (let i = 2; i < args.length; i++) if (acl.deleteUser(args[i], c)) n++;
  c.w.int(n);
}

/* ACL USERS */
function usersCommand(c: Client): void {
  const acl = aclOf(c);
  if (!acl) return;
  c.w.bulkArray([...acl.users.keys()].sort());
}

/* ACL LIST */
function listCommand(c: Client): void {
  const acl = aclOf(c);
  if (!acl) return;
  c.w.bulkArray(acl.listLines());
}

/* ACL WHOAMI */
function whoamiCommand(c: Client): void {
  c.w.bulk(c.user);
}

/* ACL CAT [category] */
function catCommand(c: Client, args: string[]): void {
  const acl = aclOf(c);
  if (!acl) return;
  if (args.length > 3) {
    c.w.error(`ERR unknown subcommand or wrong number of arguments for '${args[1]}'. Try ACL HELP.`);
    return;
  }
  if (args.length === 2) {
    c.w.bulkArray(acl.catalog.categories());
    return;
  }
  const cat = args[2].toLowerCase();
  if (!acl.catalog.categories().includes(cat)) {
    c.w.error(`ERR Unknown category '${args[2]}'`);
    return;
  }
  const out: string[] = [];
  for (const d of acl.catalog.all()) if (d.categories.includes(cat)) out.push(d.name);
  c.w.bulkArray(out);
}

/* ACL GENPASS [bits] */
function genpassCommand(c: Client, args: string[]): void {
  let bits = 256;
  if (args.length > 3) {
    c.w.error(`ERR unknown subcommand or wrong number of arguments for '${args[1]}'. Try ACL HELP.`);
    return;
  }
  if (args.length === 3) {
    const n = parseInt64Num(args[2]);
    if (n === null) {
      c.w.error(E.NOT_INTEGER);
      return;
    }
    if (n <= 0 || n > 4096) {
      c.w.error('ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096');
      return;
    }
    bits = n;
  }
  const chars = Math.floor((bits + 3) / 4);
  c.w.bulk(randomBytes(Math.ceil(chars / 2)).toString('hex').slice(0, chars));
}

/* ACL LOG [count | RESET] */
function logCommand(c: Client, args: string[]): void {
  const acl = aclOf(c);
  if (!acl) return;
  if (args.length > 3) {
    c.w.error(`ERR unknown subcommand or wrong number of arguments for '${args[1]}'. Try ACL HELP.`);
    return;
  }
  let count = 10;
  if (args.length === 3) {
    if (args[2].toLowerCase() === 'reset') {
      acl.log = [];
      c.w.ok();
      return;
    }
    const n = parseInt64Num(args[2]);
    if (n === null) {
      c.w.error(E.NOT_INTEGER);
      return;
    }
    count = n < 0 ? 0 : n;
  }
  const now = c.server.clock.now();
  const list = acl.log.slice(0, count);
  c.w.arrayHeader(list.length);
  for (const e of list) {
    c.w.mapHeader(10);
    c.w.bulk('count');
    c.w.int(e.count);
    c.w.bulk('reason');
    c.w.bulk(e.reason);
    c.w.bulk('context');
    c.w.bulk(e.context);
    c.w.bulk('object');
    c.w.bulk(e.object);
    c.w.bulk('username');
    c.w.bulk(e.username);
    c.w.bulk('age-seconds');
    c.w.double((now - e.updated) / 1000);
    c.w.bulk('client-info');
    c.w.bulk(e.clientInfo);
    c.w.bulk('entry-id');
    c.w.int(e.id);
    c.w.bulk('timestamp-created');
    c.w.int(e.created);
    c.w.bulk('timestamp-last-updated');
    c.w.int(e.updated);
  }
}

/* ACL LOAD */
function loadCommand(c: Client): void {
  const acl = aclOf(c);
  if (!acl) return;
  if (c.server.config.get('aclfile') === '') {
    c.w.error(NO_ACLFILE);
    return;
  }
  const err = acl.loadFile(c);
  if (err !== null) c.w.error('ERR ' + err);
  else c.w.ok();
}

/* ACL SAVE */
function saveCommand(c: Client): void {
  const acl = aclOf(c);
  if (!acl) return;
  if (c.server.config.get('aclfile') === '') {
    c.w.error(NO_ACLFILE);
    return;
  }
  const err = acl.saveFile();
  if (err !== null) c.w.error('ERR ' + err);
  else c.w.ok();
}

/* ACL DRYRUN username command [arg ...] */
function dryrunCommand(c: Client, args: string[]): void {
  const acl = aclOf(c);
  if (!acl) return;
  const u = acl.users.get(args[2]);
  if (u === undefined) {
    c.w.error(`ERR User '${args[2]}' not found`);
    return;
  }
  const cargs = args.slice(3);
  let cmd: CommandDef | undefined = c.server.commands.get(cargs[0].toLowerCase());
  if (cmd !== undefined && cmd.subcommands !== undefined && cargs.length >= 2) {
    const sub = cmd.subcommands.get(cargs[1].toLowerCase());
    if (sub !== undefined) cmd = sub;
    else if (cmd.handler === noParentHandler) cmd = undefined;
  }
  if (cmd === undefined) {
    c.w.error(`ERR Command '${cargs[0]}' not found`);
    return;
  }
  if ((cmd.arity > 0 && cargs.length !== cmd.arity) || cargs.length < -cmd.arity) {
    c.w.error(E.WRONG_ARITY(cmd.name));
    return;
  }
  const d = acl.checkUser(u, cmd, cargs);
  if (d === null) c.w.ok();
  else c.w.bulk(denialMessage(d, u, cmd, cargs, true));
}


/* ACL HELP */
function helpCommand(c: Client): void {
  const lines = [
    'ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
    'CAT [<category>]',
    '    List all commands that belong to <category>, or all command categories',
    '    when no category is specified.',
    'DELUSER <username> [<username> ...]',
    '    Delete a list of users.',
    'DRYRUN <username> <command> [<arg> ...]',
    '    Returns whether the user can execute the given command without executing the command.',
    'GETUSER <username>',
    "    Get the user's details.",
    'GENPASS [<bits>]',
    '    Generate a secure 256-bit user password. The optional `bits` argument can',
    '    be used to specify a different size.',
    'LIST',
    '    Show users details in config file format.',
    'LOAD',
    '    Reload users from the ACL file.',
    'LOG [<count> | RESET]',
    '    Show the ACL log entries.',
    'SAVE',
    '    Save the current config to the ACL file.',
    'SETUSER <username> <attribute> [<attribute> ...]',
    '    Create or modify a user with the specified attributes.',
    'USERS',
    '    List all the registered usernames.',
    'WHOAMI',
    '    Return the current connection username.',
    'HELP',
    '    Prints this help.',
  ];
  c.w.arrayHeader(lines.length);
  for (const l of lines) c.w.simple(l);
}

const SUB = { group: 'server', since: '6.0.0' };
const ADMIN = 'admin noscript loading stale';
const PLAIN = 'noscript loading stale';

export const commands: CommandDef[] = [
  command('acl', -2, '', [0, 0, 0], '', noParentHandler, {
    group: 'server',
    since: '6.0.0',
    subcommands: [
      command('cat', -2, PLAIN, [0, 0, 0], '', catCommand, SUB),
      command('deluser', -3, ADMIN, [0, 0, 0], '', deluserCommand, SUB),
      command('dryrun', -4, ADMIN, [0, 0, 0], '', dryrunCommand, SUB),
      command('genpass', -2, PLAIN, [0, 0, 0], '', genpassCommand, SUB),
      command('getuser', 3, ADMIN, [0, 0, 0], '', getuserCommand, SUB),
      command('help', 2, 'loading stale', [0, 0, 0], '', helpCommand, SUB),
      command('list', 2, ADMIN, [0, 0, 0], '', listCommand, SUB),
      command('load', 2, ADMIN, [0, 0, 0], '', loadCommand, SUB),
      command('log', -2, ADMIN, [0, 0, 0], '', logCommand, SUB),
      command('save', 2, ADMIN, [0, 0, 0], '', saveCommand, SUB),
      command('setuser', -3, ADMIN, [0, 0, 0], '', setuserCommand, SUB),
      command('users', 2, ADMIN, [0, 0, 0], '', usersCommand, SUB),
      command('whoami', 2, PLAIN, [0, 0, 0], '', whoamiCommand, SUB),
    ],
  }),
];

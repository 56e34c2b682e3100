/*
 * MODULE: Nodis cannot load Redis modules (native shared objects); the
 * data types Redis 8 ships as modules are built in. MODULE LIST answers an
 * empty list, and LOAD/LOADEX/UNLOAD fail the way Redis does for a module
 * that cannot be loaded.
 */

import type { Client } from '../server/client';
import { command, noParentHandler, type CommandDef } from './types';
import { replyHelp } from './keyspace';

/* MODULE LIST */
function moduleListCommand(c: Client): void {
  c.w.arrayHeader(0);
}

/* MODULE LOAD path [arg ...] / MODULE LOADEX path [CONFIG name value ...] [ARGS arg ...] */
function moduleLoadCommand(c: Client, args: string[]): void {
  c.server.log.warning(`Module ${args[2]} failed to load: Nodis cannot load native Redis modules`);
  c.w.error('ERR Error loading the extension. Please check the server logs.');
}

/* MODULE UNLOAD name */
function moduleUnloadCommand(c: Client): void {
  c.w.error('ERR Error unloading module: no such module with that name');
}

function moduleHelpCommand(c: Client): void {
  replyHelp(c, 'MODULE', [
    'LIST',
    '    Return a list of loaded modules.',
    'LOAD <path> [<arg> ...]',
    '    Load a module library from <path>, passing to it any optional arguments.',
    'LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]',
    '    Load a module library from <path>, while passing it module configurations and optional arguments.',
    'UNLOAD <name>',
    '    Unload a module.',
  ]);
}

export const commands: CommandDef[] = [
  command('module', -2, 'protected', [0, 0, 0], 'server', noParentHandler, {
    subcommands: [
      command('list', 2, 'admin noscript', [0, 0, 0], 'server', moduleListCommand),
      command('load', -3, 'admin noscript no_async_loading', [0, 0, 0], 'server', moduleLoadCommand),
      command('loadex', -3, 'admin noscript no_async_loading', [0, 0, 0], 'server', moduleLoadCommand),
      command('unload', 3, 'admin noscript no_async_loading', [0, 0, 0], 'server', moduleUnloadCommand),
      command('help', 2, 'loading stale', [0, 0, 0], 'server', moduleHelpCommand),
    ],
  }),
];

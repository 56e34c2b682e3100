/*
 * Scripting (EVAL, FUNCTION): create the scripting host when the server
 * starts, so its hooks (-BUSY gate, script command flags) are in place
 * before the first script runs, and give persistence the function libraries
 * (RDB FUNCTION2 records). See src/scripting/host.ts and functions.ts.
 */

import type { Server } from '../server/server';
import type { Client } from '../server/client';
import { getHost } from '../scripting/host';
import { getFunctions } from '../scripting/functions';

export function attach(server: Server): void {
  const host = getHost(server);
  // DEBUG SET-DISABLE-DENY-SCRIPTS 0|1: let scripts call commands flagged noscript (tests).
  const dbg = (server.ext.debugExtensions as Record<string, (c: Client, args: string[]) => void> | undefined) ?? {};
  dbg['set-disable-deny-scripts'] = (c: Client, args: string[]): void => {
    host.denyScriptsDisabled = args.length > 2 && args[2] !== '0';
    c.w.ok();
  };
  server.ext.debugExtensions = dbg;
  const reg = getFunctions(server);
  server.ext.functionsDump = (): string[] => reg.codes();
  server.ext.functionsFlush = (): void => reg.flush();
  server.ext.functionsLoadFromRdb = (code: string, replace = true): string | null => {
    const lib = reg.create(code, replace);
    if (typeof lib === 'string') return lib;
    reg.install(lib);
    return null;
  };
}

/*
 * Scripting (EVAL, FUNCTION): create the scripting host when the server
 * starts, so its hooks (-BUSY gate, script command flags) are in place
 * before the first script runs, and give persistence the function libraries
 * (RDB FUNCTION2 records). See src/scripting/host.ts and functions.ts.
 */

import type { Server } from '../server/server';
import { getHost } from '../scripting/host';
import { getFunctions } from '../scripting/functions';

export function attach(server: Server): void {
  getHost(server);
  const reg = getFunctions(server);
  server.ext.functionsDump = (): string[] => reg.codes();
  server.ext.functionsLoadFromRdb = (code: string): string | null => {
    const lib = reg.create(code, true);
    if (typeof lib === 'string') return lib;
    reg.install(lib);
    return null;
  };
}

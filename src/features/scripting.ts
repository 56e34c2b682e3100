/*
 * Scripting (EVAL, FUNCTION): create the scripting host when the server
 * starts, so its hooks (-BUSY gate, script command flags) are in place
 * before the first script runs. See src/scripting/host.ts.
 */

import type { Server } from '../server/server';
import { getHost } from '../scripting/host';

export function attach(server: Server): void {
  getHost(server);
}

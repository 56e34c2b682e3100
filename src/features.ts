/*
 * Optional features that plug into the server through its hooks
 * (persistence, replication, ACL, scripting, tracking...). Each is a file in
 * src/features/ exporting `attach(server: Server): void`; they are discovered
 * at start-up and attached to every server, for the CLI and the embedded API
 * alike, in file-name order.
 */

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from './server/server';

type Attach = (server: Server) => void;

let cached: Attach[] | null = null;

function attachers(): Attach[] {
  if (cached !== null) return cached;
  cached = [];
  const dir = join(__dirname, 'features');
  if (!existsSync(dir)) return cached;
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith('.js')) continue;
    let mod: { attach?: Attach };
    try {
      mod = require(join(dir, f)) as { attach?: Attach };
    } catch (e) {
      // A feature that fails to load must not take the whole server down: say so loudly.
      process.stderr.write(`nodis: feature ${f} failed to load: ${(e as Error).message}\n`);
      continue;
    }
    if (typeof mod.attach === 'function') cached.push(mod.attach);
  }
  return cached;
}

export function attachFeatures(server: Server): void {
  for (const a of attachers()) a(server);
}

/*
 * Optional features that plug into the server through its hooks (persistence,
 * replication, ACL, scripting...). Each exports an `attach(server)` function;
 * `attachFeatures` wires them all, for the CLI and the embedded API alike.
 */

import type { Server } from './server/server';

type Attach = (server: Server) => void;

export const featureAttachers: Attach[] = [];

export function attachFeatures(server: Server): void {
  for (const a of featureAttachers) a(server);
}

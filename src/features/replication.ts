/*
 * Replication feature: installs the replication state on the server (stream
 * propagation to replicas, backlog, WAIT, min-replicas-to-write, the replica
 * link and READONLY) through the server's hooks. See src/replication/.
 */

import type { Server } from '../server/server';
import { Replication } from '../replication/replication';

export function attach(server: Server): void {
  Replication.of(server);
}

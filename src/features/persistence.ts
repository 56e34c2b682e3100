/*
 * Persistence feature: attaches the persistence manager (RDB, AOF, loading)
 * to a server through its hooks. See docs/PERSISTENCE.md.
 */

import type { Server } from '../server/server';
import type { Client } from '../server/client';
import type { CommandDef } from '../commands/types';
import { Persistence } from '../persistence/manager';
import { attachAof } from '../persistence/aof';
import { debugExtensions } from '../persistence/debug';

export function attach(server: Server): void {
  const p = Persistence.of(server);
  const ext = server.ext;
  ext.persistenceInfo = () => p.info();
  const prevGate = ext.commandGate as ((c: Client, cmd: CommandDef, args: string[]) => string | null) | undefined;
  ext.commandGate = (c: Client, cmd: CommandDef, args: string[]) => p.commandGate(c, cmd, args) ?? (prevGate !== undefined ? prevGate(c, cmd, args) : null);
  server.laneChecks.push(() => p.gateIdle());
  ext.writeDeniedReason = () => p.writeDeniedReason();
  ext.loadDataFromDisk = () => p.loadDataFromDisk();
  ext.rdbSnapshot = () => p.snapshotBuffer();
  ext.totalForks = () => p.totalForks;
  ext.latestForkUsec = () => p.latestForkUsec;
  const dbg = (ext.debugExtensions as Record<string, (c: Client, args: string[]) => void> | undefined) ?? {};
  Object.assign(dbg, debugExtensions(p));
  ext.debugExtensions = dbg;
  server.cronHooks.push(() => p.cron());
  server.shutdownHooks.push((flags) => p.onShutdown(flags));
  server.flushAllHooks.push(() => p.onFlushAll());
  server.closeHooks.push(() => {
    p.killBg();
    p.aof?.shutdown();
  });
  attachAof(p);
}

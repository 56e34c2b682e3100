/*
 * Embedded use:
 *
 *   import { startServer } from 'nodis';
 *   const server = await startServer({ port: 0 });        // a free port
 *   // ... connect any Redis client to 127.0.0.1:server.port
 *   server.clock.advance(60_000);                         // with { manualClock: true }
 *   await server.close();
 */

import { Server, type ServerOptions } from './server/server';
import { attachFeatures } from './features';

export interface StartOptions extends Omit<ServerOptions, 'config'> {
  /** TCP port; 0 picks a free one (default 0 for embedded use). */
  port?: number;
  /** Address to bind (default 127.0.0.1). */
  bind?: string;
  /** Any other config parameters, by their redis.conf names. */
  [param: string]: unknown;
}

export interface RunningServer {
  /** The port actually bound. */
  readonly port: number;
  readonly host: string;
  /** The server's clock: `advance(ms)` moves time when started with `manualClock: true`. */
  readonly clock: Server['clock'];
  /** The server itself, for advanced use. */
  readonly server: Server;
  close(): Promise<void>;
}

/** Start an isolated in-process server. */
export async function startServer(opts: StartOptions = {}): Promise<RunningServer> {
  // Embedded servers are for tests and tools: DEBUG, MODULE and protected configs are allowed
  // unless the caller says otherwise (redis-server's defaults refuse them).
  const config: Record<string, string | number | boolean> = {
    save: '',
    appendonly: 'no',
    'enable-debug-command': 'yes',
    'enable-protected-configs': 'yes',
    'enable-module-command': 'yes',
  };
  const known = new Set(['manualClock', 'quiet', 'configFile', 'directives', 'port', 'bind']);
  for (const [k, v] of Object.entries(opts)) {
    if (known.has(k) || v === undefined) continue;
    config[k] = v as string | number | boolean;
  }
  config.port = opts.port ?? 0;
  config.bind = opts.bind ?? '127.0.0.1';
  const server = new Server({
    config,
    configFile: opts.configFile,
    directives: opts.directives,
    manualClock: opts.manualClock,
    quiet: opts.quiet ?? true,
  });
  attachFeatures(server);
  await server.start();
  return {
    get port() {
      return server.port;
    },
    host: String(config.bind).split(' ')[0],
    clock: server.clock,
    server,
    close: () => server.close(),
  };
}

export { Server };
export type { ServerOptions };

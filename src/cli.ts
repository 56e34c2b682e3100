/*
 * `nodis-server [config-file] [--directive value ...]`: the redis-server
 * compatible executable.
 */

import { readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { FatalConfigError, REDIS_VERSION } from './server/config';
import { Server } from './server/server';
import { attachFeatures } from "./features";
import { attachOomScoreAdj } from './server/oom';

/** A shutdown asked for by a signal, done by the next cron tick (server.ext.pendingShutdown). */
interface PendingShutdown {
  sig: string;
  save: boolean;
  nosave: boolean;
  force: boolean;
}

function usage(): void {
  process.stderr.write(
    'Usage: ./nodis-server [/path/to/redis.conf] [options] [-]\n' +
      '       ./nodis-server - (read config from stdin)\n' +
      '       ./nodis-server -v or --version\n' +
      '       ./nodis-server -h or --help\n\n' +
      'Examples:\n' +
      '       ./nodis-server (run the server with default conf)\n' +
      '       ./nodis-server /etc/redis/6379.conf\n' +
      '       ./nodis-server --port 7777\n' +
      '       ./nodis-server /etc/myredis.conf --loglevel verbose -\n' +
      '       ./nodis-server /etc/myredis.conf --loglevel verbose\n',
  );
}

/** Quote a value as Redis's sdscatrepr does ("..." with escapes). */
function repr(v: string): string {
  let out = '"';
  for (let i = 0; i < v.length; i++) {
    const ch = v.charCodeAt(i);
    const c = v[i];
    if (c === '\\' || c === '"') out += '\\' + c;
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (c === '\x07') out += '\\a';
    else if (c === '\b') out += '\\b';
    else if (ch < 32 || ch > 126) out += '\\x' + ch.toString(16).padStart(2, '0');
    else out += c;
  }
  return out + '"';
}

/**
 * Turn `[config-file] [--name value ...] [-]` into a config file path and
 * extra config text, the way redis-server does: each `--name` starts a new
 * line, its values are appended quoted, a lone `--save` gets an empty value,
 * and a value may itself start with `--` when it follows a bare name.
 */
export function parseArgs(argv: string[]): { file?: string; options: string; stdin: boolean } {
  let file: string | undefined;
  let stdin = false;
  let j = 0;
  if (argv.length && !argv[0].startsWith('--') && argv[0] !== '-') {
    file = argv[0];
    j = 1;
  }
  let options = '';
  let handledLast = true;
  for (; j < argv.length; j++) {
    const a = argv[j];
    if (a === '-' && (j === 0 || j === argv.length - 1)) {
      stdin = true;
    } else if (handledLast && a.startsWith('--')) {
      if (options.length) options += '\n';
      options += a.slice(2) + ' ';
      const parts = a.trim().split(/\s+/);
      if (parts.length === 1) {
        handledLast = false;
        const next = argv[j + 1];
        if (a.toLowerCase() === '--save' && (j === argv.length - 1 || (next !== undefined && next.startsWith('--')))) {
          options += '""';
          handledLast = true;
        }
      } else handledLast = true;
    } else {
      options += repr(a) + ' ';
      handledLast = true;
    }
  }
  return { file, options, stdin };
}

function main(): void {
  const argv = process.argv.slice(2);
  if (argv[0] === '-v' || argv[0] === '--version') {
    process.stdout.write(`Redis server v=${REDIS_VERSION} sha=00000000:0 malloc=libc bits=64 build=nodis\n`);
    return;
  }
  if (argv[0] === '-h' || argv[0] === '--help') {
    usage();
    return;
  }
  const { file, options, stdin } = parseArgs(argv);
  let server: Server;
  try {
    const stdinText = stdin ? readFileSync(0, 'latin1') : '';
    server = new Server({ configFile: file, configText: stdinText + (stdinText ? '\n' : '') + options });
  } catch (e) {
    if (e instanceof FatalConfigError) {
      process.stderr.write(e.report());
      process.exit(1);
    }
    process.stderr.write(`\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***\n${(e as Error).message}\n`);
    process.exit(1);
  }
  attachFeatures(server);
  attachOomScoreAdj(server);
  const log = server.log;
  log.notice('oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo');
  log.notice(`Redis version=${REDIS_VERSION}, bits=64, commit=00000000, modified=0, pid=${process.pid}, just started`);
  if (file) log.notice('Configuration loaded');
  else log.warning('Warning: no config file specified, using the default config. In order to specify a config file use nodis-server /path/to/redis.conf');
  // As Redis: a TLS-only server shows its TLS port.
  const shownPort = server.config.num('port') !== 0 ? server.config.num('port') : server.config.num('tls-port');
  if (server.config.bool('always-show-logo') || process.stdout.isTTY) {
    log.raw(`\n                Nodis ${REDIS_VERSION} (Redis-compatible, Node.js ${process.version})\n                Running in standalone mode\n                Port: ${shownPort}\n                PID: ${process.pid}\n\n`);
  } else {
    log.notice(`Running mode=standalone, port=${shownPort}.`);
  }
  server.onShutdown = (code) => process.exit(code);
  // As Redis: a signal schedules the shutdown for the next cron tick (SHUTDOWN ABORT can still cancel
  // it), with the flags of shutdown-on-sigterm / shutdown-on-sigint; a second SIGINT exits at once.
  const stop = (sig: string) => {
    const pending = server.ext.pendingShutdown as PendingShutdown | undefined;
    if (pending !== undefined && sig === 'SIGINT') {
      log.warning('You insist... exiting now.');
      try {
        unlinkSync(join(server.config.get('dir') || process.cwd(), `temp-${process.pid}.rdb`));
      } catch {
        /* no temporary file */
      }
      process.exit(1);
    }
    log.warning(`Received ${sig} scheduling shutdown...`);
    const words = server.config.get(sig === 'SIGINT' ? 'shutdown-on-sigint' : 'shutdown-on-sigterm').split(' ');
    const p: PendingShutdown = { sig, save: words.includes('save'), nosave: words.includes('nosave'), force: words.includes('force') };
    server.ext.pendingShutdown = p;
  };
  server.cronHooks.push(() => {
    const p = server.ext.pendingShutdown as PendingShutdown | undefined;
    if (p === undefined || server.ext.cronPaused === true) return;
    server.ext.pendingShutdown = undefined;
    const err = server.shutdown({ save: p.save, nosave: p.nosave, force: p.force });
    if (err) log.warning('SIGTERM received but errors trying to shut down the server, check the logs for more information');
  });
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('uncaughtException', (e) => {
    log.warning(`Unexpected error: ${(e as Error).stack ?? e}`);
  });
  server
    .start()
    .then(async () => {
      // Logged once listening, as Redis binds before this line (test harnesses connect right after it).
      log.notice('Server initialized');
      // Persistence loads the dataset here (clients get -LOADING meanwhile).
      const load = server.ext.loadDataFromDisk as (() => Promise<boolean>) | undefined;
      if (load !== undefined && !(await load())) process.exit(1);
      const us = server.config.get('unixsocket');
      if (us) log.notice(`The server is now ready to accept connections at ${us}`);
      log.notice('Ready to accept connections tcp');
      if (server.tls.listening) log.notice('Ready to accept connections tls');
    })
    .catch((e: Error) => {
      log.warning(e.message);
      // Redis's last words when a port is taken (test harnesses look for them to retry on another port).
      if (e.message.includes('Could not create server TCP listening socket')) log.warning(`Failed listening on port ${server.config.num('port')} (tcp), aborting.`);
      process.exit(1);
    });
}

main();

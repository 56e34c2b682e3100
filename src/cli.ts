/*
 * `nodis-server [config-file] [--directive value ...]`: the redis-server
 * compatible executable.
 */

import { FatalConfigError, REDIS_VERSION } from './server/config';
import { Server } from './server/server';
import { attachFeatures } from "./features";

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

/** Split `--name v1 v2 --other v` into directives, as redis-server does. */
export function parseArgs(argv: string[]): { file?: string; directives: string[][]; stdin: boolean } {
  const directives: string[][] = [];
  let file: string | undefined;
  let stdin = false;
  let i = 0;
  if (argv.length && !argv[0].startsWith('--') && argv[0] !== '-') {
    file = argv[0];
    i = 1;
  }
  let cur: string[] | null = null;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-') {
      stdin = true;
      continue;
    }
    if (a.startsWith('--') && a.length > 2) {
      cur = [a.slice(2)];
      directives.push(cur);
    } else if (cur) cur.push(a);
    else {
      cur = [a];
      directives.push(cur);
    }
  }
  return { file, directives, stdin };
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
  const { file, directives } = parseArgs(argv);
  let server: Server;
  try {
    server = new Server({ configFile: file, directives });
  } catch (e) {
    if (e instanceof FatalConfigError) {
      process.stderr.write(e.report());
      process.exit(1);
    }
    process.stderr.write(`\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***\n${(e as Error).message}\n`);
    process.exit(1);
  }
  attachFeatures(server);
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
  const stop = (sig: string) => {
    log.warning(`Received ${sig} scheduling shutdown...`);
    const err = server.shutdown({ save: false, nosave: false, force: sig === 'SIGINT' ? false : false });
    if (err) log.warning(err);
  };
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
      process.exit(1);
    });
}

main();

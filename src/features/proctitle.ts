/*
 * The process title, as Redis sets it: `proc-title-template` expanded with
 * {title} {listen-addr} {server-mode} {port} {tls-port} {unixsocket}
 * {config-file}, when `set-proc-title` is yes.
 */

import type { Server } from '../server/server';

const VARS = ['title', 'listen-addr', 'server-mode', 'port', 'tls-port', 'unixsocket', 'config-file'];

/** Expand a template, or null when it names an unknown variable or is malformed. */
export function expandProcTitle(srv: Server, template: string): string | null {
  let bad = false;
  const out = template.replace(/\{([^{}]*)\}/g, (_, name: string) => {
    const cfg = srv.config;
    switch (name) {
      case 'title':
        return process.argv[1] ?? 'nodis-server';
      case 'listen-addr': {
        const bind = cfg.get('bind').split(' ').filter(Boolean)[0] ?? '';
        const addr = bind === '' || bind === '*' || bind.startsWith('-') ? '*' : bind;
        return `${addr}:${cfg.num('port') === 0 ? srv.port : cfg.num('port')}`;
      }
      case 'server-mode':
        return cfg.bool('cluster-enabled') ? '[cluster]' : '';
      case 'port':
        return String(cfg.num('port') === 0 ? srv.port : cfg.num('port'));
      case 'tls-port':
        return String(cfg.num('tls-port'));
      case 'unixsocket':
        return cfg.get('unixsocket');
      case 'config-file':
        return cfg.file;
      default:
        bad = true;
        return '';
    }
  });
  if (bad || /[{}]/.test(out)) return null;
  return out.trim();
}

export function attach(server: Server): void {
  const apply = () => {
    if (!server.config.bool('set-proc-title')) return;
    const t = expandProcTitle(server, server.config.get('proc-title-template'));
    if (t !== null) process.title = t;
  };
  server.config.onChange('proc-title-template', (v) => {
    for (const m of v.matchAll(/\{([^{}]*)\}/g)) if (!VARS.includes(m[1])) return 'template format is invalid or contains unknown variables';
    if (expandProcTitle(server, v) === null) return 'template format is invalid or contains unknown variables';
    apply();
    return undefined;
  });
  server.config.onChange('set-proc-title', () => {
    apply();
  });
  // Embedded servers leave the host process's title alone.
  if (!server.log.quiet) setImmediate(apply);
}

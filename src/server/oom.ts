/*
 * oom-score-adj: the server sets its own /proc/self/oom_score_adj from
 * oom-score-adj-values (master, replica, background child), relative to the
 * score it started with or absolute, and restores that score when disabled.
 * Linux only; elsewhere the parameters are accepted and do nothing.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import type { Server } from './server';

const PROC = '/proc/self/oom_score_adj';

export function attachOomScoreAdj(server: Server): void {
  const cfg = server.config;
  /** The score before the server first changed it, or null while it has not. */
  let base: number | null = null;
  let lastClass = -1;

  /** Apply the score of the current process class; false (and a log line) when /proc refuses. */
  const apply = (): boolean => {
    const mode = cfg.get('oom-score-adj');
    const cls = cfg.get('replicaof') !== '' ? 1 : 0;
    lastClass = cls;
    let val: number;
    try {
      if (mode !== 'no') {
        if (base === null) base = parseInt(readFileSync(PROC, 'latin1'), 10) || 0;
        val = Number(cfg.get('oom-score-adj-values').split(' ')[cls]);
        if (mode !== 'absolute') val += base;
        val = Math.max(-1000, Math.min(1000, val));
      } else if (base !== null) {
        val = base;
        base = null;
      } else return true;
      writeFileSync(PROC, `${val}\n`);
    } catch (e) {
      server.log.warning(`Unable to write oom_score_adj: ${(e as Error).message}`);
      return false;
    }
    return true;
  };

  const onChange = (): string | undefined => (apply() ? undefined : 'Failed to set current oom_score_adj. Check server logs.');
  cfg.onChange('oom-score-adj', onChange);
  cfg.onChange('oom-score-adj-values', onChange);
  // A change of role (REPLICAOF) moves the server to the replica's or the master's score.
  cfg.watch((name) => {
    if (name === 'replicaof' && cfg.get('oom-score-adj') !== 'no' && (cfg.get('replicaof') !== '' ? 1 : 0) !== lastClass) apply();
  });
  // A background job's child process gets the third score.
  let lastChild = 0;
  server.cronHooks.push(() => {
    const bg = (server.ext.persistence as { bg?: { child?: { pid?: number } | null } | null } | undefined)?.bg;
    const pid = bg?.child?.pid ?? 0;
    if (pid === 0 || pid === lastChild || cfg.get('oom-score-adj') === 'no') return;
    lastChild = pid;
    let val = Number(cfg.get('oom-score-adj-values').split(' ')[2]);
    if (cfg.get('oom-score-adj') !== 'absolute') val += base ?? 0;
    try {
      writeFileSync(`/proc/${pid}/oom_score_adj`, `${Math.max(-1000, Math.min(1000, val))}\n`);
    } catch {
      /* the child may be gone already */
    }
  });
  if (cfg.get('oom-score-adj') !== 'no') apply();
}

/*
 * DEBUG subcommands owned by persistence: RELOAD, LOADAOF, POPULATE,
 * AOF-FLUSH-SLEEP, SET-SKIP-CHECKSUM-VALIDATION.
 */

import type { Client } from '../server/client';
import { E } from '../errors';
import { parseInt64Num } from '../util/numbers';
import type { Persistence } from './manager';

type Sub = (c: Client, args: string[]) => void;

export function debugExtensions(p: Persistence): Record<string, Sub> {
  return {
    /* DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE] */
    reload(c, args) {
      let save = true;
      let flush = true;
      let merge = false;
      for (let i = 2; i < args.length; i++) {
        const o = args[i].toLowerCase();
        if (o === 'merge') merge = true;
        else if (o === 'nosave') save = false;
        else if (o === 'noflush') flush = false;
        else {
          c.w.error('ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
          return;
        }
      }
      if (p.bg !== null && p.bg.kind === 'rdb' && save) {
        c.w.error('ERR Background save already in progress');
        return;
      }
      const err = p.debugReload(save, flush, merge);
      if (err) c.w.error(err);
      else c.w.ok();
    },
    /* DEBUG LOADAOF: runs while the client waits (others get -LOADING). */
    loadaof(c) {
      const aof = p.aof;
      if (aof === null) {
        c.w.ok();
        return;
      }
      if (aof.enabled()) aof.flushSync();
      p.emptyData();
      const srv = p.server;
      if (c.fake || c.inExec) {
        c.w.error('ERR DEBUG LOADAOF is not allowed here');
        return;
      }
      srv.blockClientNoKeys(c, 0, 'loadaof', () => undefined);
      void aof.reload().then(
        (ok) => {
          if (c.closed) return;
          if (ok) {
            srv.dirty = 0;
            srv.log.notice('Append Only File loaded by DEBUG LOADAOF');
            c.w.ok();
          } else c.w.error('ERR Error loading the AOF, check server logs.');
          srv.unblockClient(c, true);
        },
        (e: Error) => {
          if (c.closed) return;
          c.w.error(`ERR ${e.message}`);
          srv.unblockClient(c, true);
        },
      );
    },
    /* DEBUG POPULATE count [prefix] [size] */
    populate(c, args) {
      if (args.length < 3 || args.length > 5) {
        c.w.error(E.WRONG_ARITY('debug|populate'));
        return;
      }
      const count = parseInt64Num(args[2]);
      if (count === null || count < 0) {
        c.w.error('ERR value is out of range, must be positive');
        return;
      }
      const prefix = args[3] ?? 'key';
      let size = -1;
      if (args.length === 5) {
        const s = parseInt64Num(args[4]);
        if (s === null || s < 0) {
          c.w.error('ERR value is out of range, must be positive');
          return;
        }
        size = s;
      }
      const db = c.db;
      for (let j = 0; j < count; j++) {
        const key = `${prefix}:${j}`;
        if (db.lookup(key) !== undefined) continue;
        let val = `value:${j}`;
        if (size >= 0) val = val.length >= size ? val.slice(0, size) : val + '\0'.repeat(size - val.length);
        db.set(key, val);
      }
      c.w.ok();
    },
    /* DEBUG AOF-FLUSH-SLEEP microseconds */
    'aof-flush-sleep'(c, args) {
      p.server.ext.aofFlushSleepUs = Number(args[2] ?? 0) || 0;
      c.w.ok();
    },
    /* DEBUG SET-SKIP-CHECKSUM-VALIDATION 0|1 */
    'set-skip-checksum-validation'(c, args) {
      p.server.ext.skipChecksumValidation = args[2] === '1';
      c.w.ok();
    },
  };
}

/*
 * Client-side caching commands, added to the CLIENT container:
 * CLIENT TRACKING, CLIENT CACHING, CLIENT TRACKINGINFO, CLIENT GETREDIR.
 * The tracking machinery itself is src/features/tracking.ts.
 */

import type { Client } from '../server/client';
import { command, type CommandDef } from './types';
import { E } from '../errors';
import { is } from './util';
import { parseInt64Num } from '../util/numbers';
import { trackingOf, type TrackingState } from '../features/tracking';

/** Does either prefix start with the other? */
function overlaps(a: string, b: string): boolean {
  return a.length <= b.length ? b.startsWith(a) : a.startsWith(b);
}

/*
 * CLIENT TRACKING ON|OFF [REDIRECT client-id] [PREFIX prefix [PREFIX prefix ...]]
 *                        [BCAST] [OPTIN] [OPTOUT] [NOLOOP]
 */
function clientTrackingCommand(c: Client, args: string[]): void {
  let redirect = 0;
  const opts = { bcast: false, optin: false, optout: false, noloop: false };
  const prefixes: string[] = [];
  for (let i = 3; i < args.length; i++) {
    const more = args.length - 1 - i;
    const o = args[i];
    if (is(o, 'redirect') && more > 0) {
      if (redirect !== 0) {
        c.w.error(E.TRACKING_REDIR_TWICE);
        return;
      }
      const id = parseInt64Num(args[++i]);
      if (id === null) {
        c.w.error(E.NOT_INTEGER);
        return;
      }
      if (!c.server.clients.has(id)) {
        c.w.error(E.TRACKING_REDIR_MISSING);
        return;
      }
      redirect = id;
    } else if (is(o, 'bcast')) opts.bcast = true;
    else if (is(o, 'optin')) opts.optin = true;
    else if (is(o, 'optout')) opts.optout = true;
    else if (is(o, 'noloop')) opts.noloop = true;
    else if (is(o, 'prefix') && more > 0) prefixes.push(args[++i]);
    else {
      c.w.error(E.SYNTAX);
      return;
    }
  }
  const t = trackingOf(c.server);
  if (is(args[2], 'off')) {
    t.disable(c);
    c.w.ok();
    return;
  }
  if (!is(args[2], 'on')) {
    c.w.error(E.SYNTAX);
    return;
  }
  const st = c.tracking as TrackingState | null;
  if (!opts.bcast && prefixes.length > 0) {
    c.w.error(E.TRACKING_PREFIX_NO_BCAST);
    return;
  }
  if (st !== null && st.bcast !== opts.bcast) {
    c.w.error(E.TRACKING_BCAST_SWITCH);
    return;
  }
  if (opts.bcast && (opts.optin || opts.optout)) {
    c.w.error(E.TRACKING_OPT_BCAST);
    return;
  }
  if (opts.optin && opts.optout) {
    c.w.error(E.TRACKING_OPTIN_OPTOUT);
    return;
  }
  if (st !== null && ((opts.optin && st.optout) || (opts.optout && st.optin))) {
    c.w.error(E.TRACKING_OPT_SWITCH);
    return;
  }
  if (opts.bcast) {
    // Prefixes of one client must not overlap, with its own or with each other.
    for (let i = 0; i < prefixes.length; i++) {
      if (st !== null) {
        for (const q of st.prefixes) {
          if (overlaps(q, prefixes[i])) {
            c.w.error(E.TRACKING_PREFIX_EXISTING(prefixes[i], q));
            return;
          }
        }
      }
      for (let j = i + 1; j < prefixes.length; j++) {
        if (overlaps(prefixes[i], prefixes[j])) {
          c.w.error(E.TRACKING_PREFIX_OTHER(prefixes[i], prefixes[j]));
          return;
        }
      }
    }
  }
  t.enable(c, redirect, opts, prefixes);
  c.w.ok();
}

/* CLIENT CACHING YES|NO */
function clientCachingCommand(c: Client, args: string[]): void {
  const st = c.tracking as TrackingState | null;
  if (st === null) {
    c.w.error(E.CACHING_NOT_TRACKING);
    return;
  }
  if (is(args[2], 'yes')) {
    if (!st.optin) {
      c.w.error(E.CACHING_YES_OPTIN);
      return;
    }
  } else if (is(args[2], 'no')) {
    if (!st.optout) {
      c.w.error(E.CACHING_NO_OPTOUT);
      return;
    }
  } else {
    c.w.error(E.SYNTAX);
    return;
  }
  st.caching = true;
  c.w.ok();
}

/* CLIENT GETREDIR */
function clientGetredirCommand(c: Client): void {
  const st = c.tracking as TrackingState | null;
  c.w.int(st === null ? -1 : st.redirect);
}

/* CLIENT TRACKINGINFO */
function clientTrackinginfoCommand(c: Client): void {
  const st = c.tracking as TrackingState | null;
  const flags: string[] = [];
  if (st === null) flags.push('off');
  else {
    flags.push('on');
    if (st.bcast) flags.push('bcast');
    if (st.optin) {
      flags.push('optin');
      if (st.caching) flags.push('caching-yes');
    }
    if (st.optout) {
      flags.push('optout');
      if (st.caching) flags.push('caching-no');
    }
    if (st.noloop) flags.push('noloop');
    if (st.brokenRedirect) flags.push('broken_redirect');
  }
  c.w.mapHeader(3);
  c.w.bulk('flags');
  c.w.setHeader(flags.length);
  for (const f of flags) c.w.bulk(f);
  c.w.bulk('redirect');
  c.w.int(st === null ? -1 : st.redirect);
  c.w.bulk('prefixes');
  c.w.bulkArray(st === null ? [] : [...st.prefixes].sort()); // byte order, as Redis's radix tree
}

export const commands: CommandDef[] = [];

export const subcommands: Record<string, CommandDef[]> = {
  client: [
    command('tracking', -3, 'noscript loading stale', [0, 0, 0], 'connection', clientTrackingCommand, { since: '6.0.0' }),
    command('caching', 3, 'noscript loading stale', [0, 0, 0], 'connection', clientCachingCommand, { since: '6.0.0' }),
    command('getredir', 2, 'noscript loading stale', [0, 0, 0], 'connection', clientGetredirCommand, { since: '6.0.0' }),
    command('trackinginfo', 2, 'noscript loading stale', [0, 0, 0], 'connection', clientTrackinginfoCommand, { since: '6.2.0' }),
  ],
};

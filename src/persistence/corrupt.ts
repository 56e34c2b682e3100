/*
 * Corrupt values and how they are reported.
 *
 * Loading (RESTORE, RDB files) validates every value it builds. With
 * `sanitize-dump-payload yes` every check applies; without it Redis makes
 * only the cheap ("shallow") checks and accepts a value whose inside is
 * broken, then fails an assertion (and dies) when a command walks into the
 * broken part. Nodis keeps the difference visible without dying:
 *
 *  - a value failing a check Redis makes either way is refused with the
 *    reason logged ("Internal error in RDB reading ... -> <reason>");
 *  - a stream or hash that passes the shallow checks but not the deep ones
 *    is kept in quarantine: it has its key and type, DUMP/SAVE write its
 *    original bytes back, DEL/UNLINK remove it, but every command of its
 *    type that reads or writes it is refused (the first time with the
 *    assertion report Redis would log before crashing);
 *  - other types in that situation are refused with that assertion report.
 */

import type { Client } from '../server/client';
import type { Logger } from '../server/log';
import { RdbError } from './rdb';

/**
 * Corruption that Redis detects only by crashing on an assertion (with
 * sanitize-dump-payload no): the value is refused and the assertion report
 * is logged.
 */
export class RdbAssertion extends RdbError {
  /** Lines logged before the report (e.g. a hex dump). */
  readonly detail: string[];
  constructor(message: string, detail: string[] = []) {
    super(message);
    this.detail = detail;
  }
}

/** A quarantined value's original RDB encoding and why it is quarantined. */
export interface Quarantine {
  reason: string;
  /** RDB type byte and payload (the bytes after the type byte). */
  rdbType: number;
  payload: Buffer;
  /** Has the assertion report been logged? (once per value) */
  reported: boolean;
}

const QUARANTINE = new WeakMap<object, Quarantine>();
/** Values ever quarantined: lets the common case skip the WeakMap lookup. */
let quarantinedCount = 0;

/** Quarantine `v` (an empty value of the right type); clones stay quarantined. */
export function quarantine<T extends { clone(): unknown }>(v: T, q: Omit<Quarantine, 'reported'>): T {
  const info: Quarantine = { ...q, reported: false };
  QUARANTINE.set(v, info);
  quarantinedCount++;
  const cloneOf = v.clone.bind(v);
  // A snapshot or COPY of a quarantined value is quarantined with the same bytes.
  Object.defineProperty(v, 'clone', { value: () => quarantine(cloneOf() as T, info), enumerable: false });
  return v;
}

/** The quarantine record of `v`, if it is quarantined. */
export function quarantined(v: unknown): Quarantine | undefined {
  if (quarantinedCount === 0 || typeof v !== 'object' || v === null) return undefined;
  return QUARANTINE.get(v);
}

export const ERR_CORRUPT_VALUE = 'ERR The value of this key is corrupt (it was loaded without deep sanitization, sanitize-dump-payload no)';

/**
 * For commands of a type that may be quarantined: when `v` is, log the
 * report (once), reply an error and return true.
 */
export function refuseQuarantined(c: Client, key: string, v: unknown): boolean {
  const q = quarantined(v);
  if (q === undefined) return false;
  if (!q.reported) {
    q.reported = true;
    logAssertion(c.server.log, `corrupt value at key '${printable(key)}' used by ${c.server.currentCmd?.name ?? 'a command'}`, q.reason);
  }
  c.w.error(ERR_CORRUPT_VALUE);
  return true;
}

/**
 * The report of a corruption Redis would crash on: its assertion and panic
 * lines (the process goes on here).
 */
export function logAssertion(log: Logger, where: string, reason: string): void {
  log.warning('------------------------------------------------');
  log.warning('=== ASSERTION FAILED ===');
  log.warning(`==> ${where}: '${reason}' is not true`);
  log.warning(`Guru Meditation: corrupt data detected (${reason}) #${where}`);
  log.warning('The value is refused; the server goes on (Redis would exit here).');
}

/** Log a refused payload as Redis does (verbose level for RESTORE, which only propagates the error). */
export function logLoadError(log: Logger, e: unknown, restore: boolean): void {
  const reason = e instanceof RdbError ? (e.reason ?? e.message) : e instanceof Error ? e.message : String(e);
  if (e instanceof RdbAssertion) {
    for (const l of e.detail) log.warning(l);
    logAssertion(log, restore ? 'RESTORE' : 'RDB loading', reason);
    return;
  }
  const line = `Internal error in RDB reading offset 0, function at rdb.c:0 -> ${reason}`;
  if (restore) log.verbose(line);
  else log.warning(line);
}

function printable(s: string): string {
  return s.length > 128 ? `${s.slice(0, 128)}...` : s;
}

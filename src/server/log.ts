/*
 * Logging in Redis's format: `PID:R DD Mon YYYY HH:MM:SS.mmm L message`,
 * where R is the role (M master, S replica, C child) and L the level mark
 * (. debug, - verbose, * notice, # warning).
 */

import { appendFileSync } from 'node:fs';

export type LogLevel = 'debug' | 'verbose' | 'notice' | 'warning' | 'nothing';
const LEVELS: Record<LogLevel, number> = { debug: 0, verbose: 1, notice: 2, warning: 3, nothing: 4 };
const MARKS = ['.', '-', '*', '#'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export class Logger {
  level: LogLevel = 'notice';
  /** Log file path; '' = stdout. */
  file = '';
  role = 'M';
  /** When set (embedded use), nothing is printed unless a file is given. */
  quiet = false;

  log(level: Exclude<LogLevel, 'nothing'>, msg: string): void {
    if (LEVELS[level] < LEVELS[this.level]) return;
    if (this.quiet && !this.file) return;
    this.raw(`${process.pid}:${this.role} ${timestamp()} ${MARKS[LEVELS[level]]} ${msg}\n`);
  }

  raw(text: string): void {
    if (this.quiet && !this.file) return;
    if (this.file) {
      try {
        appendFileSync(this.file, text);
      } catch {
        /* a log that cannot be written must not stop the server */
      }
    } else process.stdout.write(text);
  }

  debug(m: string): void {
    this.log('debug', m);
  }
  verbose(m: string): void {
    this.log('verbose', m);
  }
  notice(m: string): void {
    this.log('notice', m);
  }
  warning(m: string): void {
    this.log('warning', m);
  }
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

function timestamp(): string {
  const d = new Date();
  return `${pad(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

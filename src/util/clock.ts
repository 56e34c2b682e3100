/*
 * The server's one clock. Every expiry and timestamp reads it, so tests can
 * freeze or move time (`manual` mode + `advance`) instead of sleeping.
 */
export class Clock {
  private offset = 0;
  private fixed: number | null = null;

  constructor(manual = false) {
    if (manual) this.fixed = Date.now();
  }

  /** Milliseconds since the epoch. */
  now(): number {
    return this.fixed !== null ? this.fixed : Date.now() + this.offset;
  }

  /** Microseconds since the epoch (for TIME and latency stats). */
  nowUs(): number {
    if (this.fixed !== null) return this.fixed * 1000;
    return Math.floor((Number(process.hrtime.bigint() / 1000n) - hrBaseUs) + epochBaseUs + this.offset * 1000);
  }

  get isManual(): boolean {
    return this.fixed !== null;
  }

  /** Move time forward (or back with a negative value). */
  advance(ms: number): void {
    if (this.fixed !== null) this.fixed += ms;
    else this.offset += ms;
  }

  /** Set the time (manual mode). */
  set(ms: number): void {
    if (this.fixed !== null) this.fixed = ms;
    else this.offset = ms - Date.now();
  }
}

const hrBaseUs = Number(process.hrtime.bigint() / 1000n);
const epochBaseUs = Date.now() * 1000;

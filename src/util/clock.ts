/*
 * The server's one clock. Every expiry and timestamp reads it, so tests can
 * freeze or move time (`manual` mode + `advance`) instead of sleeping.
 */
export class Clock {
  private offset = 0;
  private fixed: number | null = null;
  /** Wall time of the current batch (ms), or -1 outside a batch. */
  private batchNow = -1;

  constructor(manual = false) {
    if (manual) this.fixed = Date.now();
  }

  /**
   * Milliseconds since the epoch. Inside a batch (one socket read's worth of
   * commands) the time is read once and cached, as Redis caches it per
   * command: reading the system clock costs ~150 ns on virtual machines.
   */
  now(): number {
    if (this.fixed !== null) return this.fixed;
    if (this.batchNow >= 0) return this.batchNow;
    return Date.now() + this.offset;
  }

  /**
   * Start a batch. The wall clock is read here rather than derived from the
   * monotonic one:
   * the two drift apart by up to a millisecond between re-alignments (NTP
   * slews the wall clock), which made the cached time lag the system clock
   * (PTTL after PXAT now+10000 said 10001, where Redis says at most 10000).
   */
  beginBatch(): void {
    this.batchNow = Date.now() + this.offset;
  }

  endBatch(): void {
    this.batchNow = -1;
  }

  /** Inside a batch, read the time again (Redis refreshes its cached time before serving blocked clients). */
  refreshBatch(): void {
    if (this.batchNow >= 0) this.beginBatch();
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

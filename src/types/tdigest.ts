/*
 * t-digest (the TDIGEST.* commands): a merging t-digest (Dunning), shaped
 * like the one RedisBloom uses: a node buffer of capacity 6 * compression
 * + 10 holding merged centroids followed by unmerged samples; when the
 * buffer fills (and before every read) all nodes are sorted by mean and
 * adjacent ones merged while the k1 scale function (arcsine) allows
 * (a centroid spans at most one unit of k).
 * Quantile and CDF interpolate between centroids, treating single-sample
 * centroids exactly and using min/max at the tails.
 */

import type { RObject } from './value';
import { De, Ser } from './bloom';

export const TD_DEFAULT_COMPRESSION = 100;

export class TDigest implements RObject {
  readonly type = 'TDIS-TYPE' as const;
  readonly cap: number;
  means: Float64Array;
  weights: Float64Array;
  mergedNodes = 0;
  unmergedNodes = 0;
  mergedWeight = 0;
  unmergedWeight = 0;
  min = Infinity;
  max = -Infinity;
  totalCompressions = 0;

  constructor(readonly compression: number) {
    this.cap = 6 * compression + 10;
    this.means = new Float64Array(this.cap);
    this.weights = new Float64Array(this.cap);
  }

  get total(): number {
    return this.mergedWeight + this.unmergedWeight;
  }

  reset(): void {
    this.mergedNodes = this.unmergedNodes = 0;
    this.mergedWeight = this.unmergedWeight = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.totalCompressions = 0;
  }

  add(value: number, weight = 1): void {
    if (this.mergedNodes + this.unmergedNodes >= this.cap) this.compress();
    const i = this.mergedNodes + this.unmergedNodes;
    this.means[i] = value;
    this.weights[i] = weight;
    this.unmergedNodes++;
    this.unmergedWeight += weight;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /** Add all centroids of `o` (as weighted samples). */
  mergeFrom(o: TDigest): void {
    o.compress();
    for (let i = 0; i < o.mergedNodes; i++) this.add(o.means[i], o.weights[i]);
    if (o.mergedNodes > 0) {
      if (o.min < this.min) this.min = o.min;
      if (o.max > this.max) this.max = o.max;
    }
  }

  compress(): void {
    if (this.unmergedNodes === 0) return;
    const n = this.mergedNodes + this.unmergedNodes;
    const idx: number[] = [];
    for (let i = 0; i < n; i++) idx.push(i);
    const m0 = this.means;
    const w0 = this.weights;
    idx.sort((a, b) => m0[a] - m0[b]);
    const means = new Float64Array(this.cap);
    const weights = new Float64Array(this.cap);
    const total = this.mergedWeight + this.unmergedWeight;
    // k1 scale function: k(q) = compression / (2 pi) * asin(2q - 1); a centroid spans at most 1 in k.
    const kScale = this.compression / (2 * Math.PI);
    const k = (q: number): number => kScale * Math.asin(Math.min(1, Math.max(-1, 2 * q - 1)));
    let cur = 0;
    let soFar = 0;
    means[0] = m0[idx[0]];
    weights[0] = w0[idx[0]];
    for (let j = 1; j < n; j++) {
      const i = idx[j];
      const proposed = weights[cur] + w0[i];
      if (k((soFar + proposed) / total) - k(soFar / total) <= 1) {
        weights[cur] += w0[i];
        means[cur] += ((m0[i] - means[cur]) * w0[i]) / weights[cur];
      } else {
        soFar += weights[cur];
        cur++;
        means[cur] = m0[i];
        weights[cur] = w0[i];
      }
    }
    this.means = means;
    this.weights = weights;
    this.mergedNodes = cur + 1;
    this.unmergedNodes = 0;
    this.mergedWeight = total;
    this.unmergedWeight = 0;
    this.totalCompressions++;
  }

  /** Value at quantile q in [0, 1]; NaN when empty. */
  quantile(q: number): number {
    this.compress();
    const n = this.mergedNodes;
    if (n === 0) return NaN;
    const total = this.mergedWeight;
    const M = this.means;
    const W = this.weights;
    if (n === 1) return M[0];
    const index = q * total;
    if (index < 1) return this.min;
    if (W[0] > 1 && index < W[0] / 2) return this.min + ((index - 1) / (W[0] / 2 - 1)) * (M[0] - this.min);
    if (index > total - 1) return this.max;
    if (W[n - 1] > 1 && total - index <= W[n - 1] / 2) {
      return this.max - ((total - index - 1) / (W[n - 1] / 2 - 1)) * (this.max - M[n - 1]);
    }
    let soFar = W[0] / 2;
    for (let i = 0; i < n - 1; i++) {
      const dw = (W[i] + W[i + 1]) / 2;
      if (soFar + dw > index) {
        let leftUnit = 0;
        if (W[i] === 1) {
          if (index - soFar < 0.5) return M[i];
          leftUnit = 0.5;
        }
        let rightUnit = 0;
        if (W[i + 1] === 1) {
          if (soFar + dw - index <= 0.5) return M[i + 1];
          rightUnit = 0.5;
        }
        const z1 = index - soFar - leftUnit;
        const z2 = soFar + dw - index - rightUnit;
        return (M[i] * z2 + M[i + 1] * z1) / (z1 + z2);
      }
      soFar += dw;
    }
    return M[n - 1];
  }

  /** Fraction of the observations <= x (half of those equal); NaN when empty. */
  cdf(x: number): number {
    this.compress();
    const n = this.mergedNodes;
    if (n === 0) return NaN;
    const total = this.mergedWeight;
    const M = this.means;
    const W = this.weights;
    if (x < this.min) return 0;
    if (x > this.max) return 1;
    if (n === 1) {
      if (this.max - this.min <= 0) return 0.5;
      return (x - this.min) / (this.max - this.min);
    }
    if (x < M[0]) {
      if (M[0] - this.min > 0) {
        if (x === this.min) return 0.5 / total;
        return (1 + ((x - this.min) / (M[0] - this.min)) * (W[0] / 2 - 1)) / total;
      }
      return 0;
    }
    if (x > M[n - 1]) {
      if (this.max - M[n - 1] > 0) {
        if (x === this.max) return 1 - 0.5 / total;
        return 1 - (1 + ((this.max - x) / (this.max - M[n - 1])) * (W[n - 1] / 2 - 1)) / total;
      }
      return 1;
    }
    let soFar = 0;
    for (let i = 0; i < n; i++) {
      if (M[i] === x) {
        let dw = 0;
        let j = i;
        while (j < n && M[j] === x) dw += W[j++];
        return (soFar + dw / 2) / total;
      }
      if (i < n - 1 && M[i] < x && x < M[i + 1]) {
        let left = W[i] / 2;
        let right = W[i + 1] / 2;
        // Single-sample centroids sit exactly at their mean.
        let base = soFar + W[i] / 2;
        if (W[i] === 1) {
          base = soFar + 1;
          left = 0;
        }
        if (W[i + 1] === 1) right = 0;
        const frac = (x - M[i]) / (M[i + 1] - M[i]);
        return (base + (left + right) * frac) / total;
      }
      soFar += W[i];
    }
    return 1;
  }

  /** Mean of the values between quantiles lo and hi; NaN when empty. */
  trimmedMean(lo: number, hi: number): number {
    this.compress();
    const n = this.mergedNodes;
    if (n === 0) return NaN;
    const total = this.mergedWeight;
    const left = lo * total;
    const right = hi * total;
    let soFar = 0;
    let sum = 0;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const a = soFar;
      const b = soFar + this.weights[i];
      soFar = b;
      const from = Math.max(a, left);
      const to = Math.min(b, right);
      if (to > from) {
        sum += this.means[i] * (to - from);
        count += to - from;
      }
    }
    return count > 0 ? sum / count : NaN;
  }

  /** RedisBloom's figure: the node buffer (a mean and a weight per node) plus a header. */
  memoryUsage(): number {
    return 8 + this.cap * 16;
  }

  encoding(): string {
    return 'raw';
  }

  size(): number {
    return this.mergedNodes + this.unmergedNodes;
  }

  serialize(): Buffer {
    const n = this.mergedNodes + this.unmergedNodes;
    const w = new Ser().num(this.compression).f64(this.min).f64(this.max).num(this.mergedNodes).num(this.unmergedNodes);
    w.f64(this.mergedWeight).f64(this.unmergedWeight).num(this.totalCompressions);
    for (let i = 0; i < n; i++) w.f64(this.means[i]).f64(this.weights[i]);
    return w.take();
  }

  static deserialize(b: Buffer): TDigest {
    const r = new De(b);
    const compression = r.count(1 << 24);
    if (compression < 1) throw new Error('bad t-digest');
    const t = new TDigest(compression);
    t.min = r.f64();
    t.max = r.f64();
    t.mergedNodes = r.count(t.cap);
    t.unmergedNodes = r.count(t.cap);
    if (t.mergedNodes + t.unmergedNodes > t.cap) throw new Error('bad t-digest');
    t.mergedWeight = r.f64();
    t.unmergedWeight = r.f64();
    t.totalCompressions = r.count(Number.MAX_SAFE_INTEGER);
    const n = t.mergedNodes + t.unmergedNodes;
    for (let i = 0; i < n; i++) {
      t.means[i] = r.f64();
      t.weights[i] = r.f64();
    }
    r.end();
    return t;
  }

  clone(): TDigest {
    return TDigest.deserialize(this.serialize());
  }

  digest(): string {
    return this.serialize().latin1Slice();
  }
}

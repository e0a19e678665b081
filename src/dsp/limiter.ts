/**
 * True-peak look-ahead limiter. The guarantee: the output's true peak as the analyzer measures it
 * (`measureTruePeak`, ITU-R BS.1770-4 Annex 2, 4x) never exceeds the ceiling.
 *
 * Two stages, both stereo-linked:
 *
 * A. Look-ahead gain computer (after the moving-minimum + moving-average scheme of look-ahead
 *    limiters, e.g. F. Adriaensen's zita / S. Sanfilippo's, with a hold so the meter's kernel sees
 *    a constant gain around every peak):
 *    - detector: the input (after `gainDb`) oversampled 4x with the meter's own interpolation
 *      kernel (truepeak-filter.ts) by FFT convolution; the peak P of every sample interval;
 *    - required gain r[n] = min(1, T_A / max(P[n−1], P[n])), T_A a hair under the ceiling;
 *    - release: e[n] = min(r[n], 1 − (1 − e[n−1])·α), α = exp(−1/(releaseMs·fs)): instant attack,
 *      exponential recovery of the reduction;
 *    - m[n] = min e over [n − HOLD, n + D + HOLD] (HOLD = 24 = the meter kernel's half-length,
 *      D = lookaheadMs in samples), then two moving averages of total span D + 1: the gain
 *      ramps down along a smooth (piecewise-quadratic, C¹) curve over D samples, reaches the
 *      required value HOLD samples before the peak and stays flat until HOLD samples after it.
 *      Every average of the window contains the peak's minimum, so g[n] ≤ r[j] for all
 *      |j − n| ≤ HOLD: never less reduction than required (no undershoot).
 *    The output y = g·x then meets T_A at every sample and, nearly always, between samples; but
 *    a varying gain changes the band-limited reconstruction, so tiny inter-sample overs remain.
 * B. Exact check and correction, provably closing the gap: every interval of y whose exact true
 *    peak (its samples and the meter's three points between them: the meter's filter and pair
 *    arithmetic, in double precision; the meter's rigorous bound skips the intervals that cannot
 *    come close) exceeds C_B = ceiling·(1 − 0.002) gets a "cone" of
 *    extra gain h: h ≤ C_B / peak on the interval, rising at slope ≤ s per sample on both sides.
 *    h is s-Lipschitz, so for any point t the meter computes
 *      |Σ c_k·h_k·y_k| ≤ h(t)·|Σ c_k·y_k| + s·Σ|c_k|·|k − t|·|y_k| ≤ C_B + s·M1·T_A
 *    (M1 = max over phases of Σ|c_k|·|k − t| = 6.29 for the meter's kernel, |y_k| ≤ T_A by stage A),
 *    and s is chosen so that C_B + s·M1·T_A ≤ ceiling·(1 − 2·10⁻⁶), leaving room for the float32
 *    rounding of the output (≤ Σ|c|·2⁻²⁴ relative). With s ≈ 3·10⁻⁴ per sample a cone reaches back
 *    at most RESERVE = 512 samples, enough for overs up to 1.5 dB above C_B; a deeper one would be
 *    given a steeper back slope and counted in `stats().steepCones` (never seen). On every test
 *    signal (torture and corpus) stage A alone already stays under C_B and stage B corrects
 *    nothing; with stage A told to aim 0.5 dB too high (LimiterOptions, tests), stage B alone keeps
 *    every output under the ceiling.
 *
 * Latency: HOP (frame buffering of the FFT detector) + 24 (detector) + D + 24 (hold) + 24 (exact
 * check) + RESERVE samples. A signal whose true peak stays below C_B·10^(−0.01/20) passes with gain
 * exactly 1 (bit-exact when gainDb = 0).
 */
import type { LimiterParams } from '../chain/spec.js';
import { HALF_TAPS, kaiserSincKernel, OVERSAMPLING, TRUE_PEAK_FILTER } from '../analysis/truepeak-filter.js';
import { dbToAmp } from '../util/db.js';
import { FrameResampler } from './oversample.js';
import type { StereoProcessor } from './processor.js';

/** Base samples per detector FFT frame. */
const FRAME = 1024;
/** Frames overlap by the kernel's span: (4·48 − 2)/4 rounded up. */
const DETECTOR_SPAN = 2 * HALF_TAPS;
/** New samples per frame. */
export const HOP = FRAME - DETECTOR_SPAN;
/** The gain is held flat this many samples on each side of a peak: the meter kernel's half-length. */
export const HOLD = HALF_TAPS;
/** Look-back of the exact check: the longest cone. */
export const RESERVE = 512;
/** Stage B flags intervals above ceiling·(1 − MARGIN_B). */
export const MARGIN_B = 0.002;
/** Stage A aims this far below stage B's threshold, so that stage B rarely has work. */
export const MARGIN_A_DB = 0.01;
/** Stage B scans the bound in segments of SEG samples (HOP = 16·SEG; ±24-sample windows span ≤ 3 segments). */
const SEG = 61;
const SEGMENTS = HOP / SEG;
if (!Number.isInteger(SEGMENTS) || SEG <= HALF_TAPS) throw new Error('limiter: HOP must be a multiple of SEG > HALF_TAPS');
/** Room left under the ceiling for the float32 rounding of the output. */
const FINAL_SLACK = 2e-6;

/** M1 = max over the meter's phases p of Σ_j |c_j|·|j − p/4|: how much a gain slope can move an interpolated value. */
function firstMomentGain(): number {
  let m1 = 0;
  TRUE_PEAK_FILTER.phases.forEach((c, idx) => {
    const p = (idx + 1) / OVERSAMPLING;
    let s = 0;
    for (let k = 0; k < c.length; k++) s += Math.abs(c[k]) * Math.abs(k - HALF_TAPS + 1 - p);
    m1 = Math.max(m1, s);
  });
  return m1;
}
export const FIRST_MOMENT_GAIN = firstMomentGain();

let detectorResampler: FrameResampler | null = null;
/** The meter's kernel as a 4x prototype: tap q ↔ τ = (q − 95)/4; FrameResampler expects DC gain 1 (its `up` multiplies by R). */
function detector(): FrameResampler {
  if (!detectorResampler) {
    const taps = 2 * OVERSAMPLING * HALF_TAPS - 1;
    const c = (taps - 1) / 2;
    const h = new Float64Array(taps);
    for (let q = 0; q < taps; q++) h[q] = kaiserSincKernel((q - c) / OVERSAMPLING) / OVERSAMPLING;
    // bins above 0.6·fs are the meter filter's stopband (≥ 94 dB): zero
    detectorResampler = new FrameResampler(OVERSAMPLING, h, FRAME, Math.ceil(0.6 * FRAME));
  }
  return detectorResampler;
}
const DETECTOR_DELAY = HALF_TAPS * OVERSAMPLING - 1; // (taps − 1)/2 in 4x samples

export interface LimiterStats {
  /** Largest gain reduction applied (positive dB). */
  maxGainReductionDb: number;
  /** Gain reduction averaged over all output samples from the first input sample on (positive dB). */
  meanGainReductionDb: number;
  /** Intervals the exact check had to correct. */
  correctedIntervals: number;
  /** Corrections too deep for RESERVE (given a steeper back slope); 0 in every test. */
  steepCones: number;
}

export type Limiter = StereoProcessor & { stats(): LimiterStats };

/** For tests: move stage A's target by this many dB (positive = aim above the ceiling, so that stage B alone must keep it). */
export interface LimiterOptions {
  stageATargetOffsetDb?: number;
}

class TruePeakLimiter implements StereoProcessor {
  readonly latency: number;
  private readonly inGain: number;
  private readonly ceiling: number;
  private readonly thresholdB: number;
  private readonly targetA: number;
  private readonly slopeB: number;
  private readonly release: number;
  private readonly D: number;
  private readonly W: number;
  private readonly L1: number;
  private readonly L2: number;
  private readonly yLag: number;
  private readonly jLag: number;
  private readonly emitLag: number;

  // Timeline buffers: index = absolute sample − base. They hold `hist` samples of history plus
  // several hops, and are shifted left only when full (a memmove of all of them every few hops).
  private readonly cap: number;
  private readonly hist: number;
  private base: number;
  private readonly x0: Float64Array;
  private readonly x1: Float64Array;
  private readonly peak: Float64Array; // P of interval [n, n+1]
  private readonly env: Float64Array; // e
  private readonly mins: Float64Array; // m
  private readonly avg1: Float64Array; // g1
  private readonly gain: Float64Array; // g
  private readonly y0: Float64Array;
  private readonly y1: Float64Array;
  private readonly corr: Float64Array; // h

  // Streaming state.
  private readonly inFifo = [new Float32Array(HOP), new Float32Array(HOP)];
  private readonly outFifo = [new Float32Array(HOP), new Float32Array(HOP)];
  private pos = 0;
  private hopStart = 0; // absolute index of the first sample of the next hop
  private lastEnv = 1;
  private readonly dq: Float64Array; // deque of absolute indices (moving minimum)
  private dqHead = 0;
  private dqLen = 0;
  private sum1 = 0;
  private nonzero1 = 0;
  private sum2 = 0;
  private nonzero2 = 0;
  private forward = 1; // cone envelope at the newest initialised index of `corr`
  private readonly frame = new Float32Array(FRAME);
  private readonly interp = new Float32Array(OVERSAMPLING * FRAME);
  private readonly chanPeak = new Float64Array(HOP);
  private readonly segCurve = new Float64Array(2 * (SEGMENTS + 2));
  private readonly segPeak = new Float64Array(2 * (SEGMENTS + 2));

  private minGain = 1;
  private logGainSum = 0;
  private emitted = 0;
  private corrected = 0;
  private steep = 0;

  constructor(params: LimiterParams, sampleRate: number, options: LimiterOptions) {
    this.inGain = dbToAmp(params.gainDb);
    this.ceiling = dbToAmp(params.ceilingDbtp);
    this.thresholdB = this.ceiling * (1 - MARGIN_B);
    this.targetA = this.thresholdB * dbToAmp(-MARGIN_A_DB + (options.stageATargetOffsetDb ?? 0));
    this.slopeB = (this.ceiling * (1 - FINAL_SLACK) - this.thresholdB) / (FIRST_MOMENT_GAIN * this.targetA);
    this.release = Math.exp(-1 / ((params.releaseMs / 1000) * sampleRate));
    this.D = Math.max(1, Math.round((params.lookaheadMs / 1000) * sampleRate));
    this.W = this.D + HOLD;
    this.L1 = Math.ceil((this.D + 2) / 2);
    this.L2 = this.D + 2 - this.L1;
    this.yLag = HALF_TAPS + this.W;
    this.jLag = this.yLag + HALF_TAPS;
    this.emitLag = this.jLag + RESERVE;
    this.latency = HOP + this.emitLag;

    this.hist = Math.max(FRAME, this.emitLag + 2 * HALF_TAPS, this.yLag + this.D + 4) + 8;
    this.cap = this.hist + 8 * HOP;
    this.base = -this.hist; // absolute index 0 sits after `hist` samples of neutral history
    const filled = (v: number) => new Float64Array(this.cap).fill(v);
    this.x0 = filled(0);
    this.x1 = filled(0);
    this.peak = filled(0);
    this.env = filled(1);
    this.mins = filled(1);
    this.avg1 = filled(1);
    this.gain = filled(1);
    this.y0 = filled(0);
    this.y1 = filled(0);
    this.corr = filled(1);
    let size = 1;
    while (size < this.W + HOLD + 2) size *= 2;
    this.dq = new Float64Array(size);
  }

  process(left: Float32Array, right: Float32Array): void {
    const n = left.length;
    for (let i = 0; i < n; ) {
      const take = Math.min(HOP - this.pos, n - i);
      this.inFifo[0].set(left.subarray(i, i + take), this.pos);
      this.inFifo[1].set(right.subarray(i, i + take), this.pos);
      left.set(this.outFifo[0].subarray(this.pos, this.pos + take), i);
      right.set(this.outFifo[1].subarray(this.pos, this.pos + take), i);
      i += take;
      this.pos += take;
      if (this.pos === HOP) {
        this.hop();
        this.pos = 0;
      }
    }
  }

  stats(): LimiterStats {
    return {
      maxGainReductionDb: this.minGain < 1 ? -20 * Math.log10(this.minGain) : 0,
      meanGainReductionDb: this.emitted ? (-20 / Math.LN10) * (this.logGainSum / this.emitted) : 0,
      correctedIntervals: this.corrected,
      steepCones: this.steep,
    };
  }

  private hop(): void {
    const a = this.hopStart;
    this.hopStart += HOP;
    if (a + HOP - this.base > this.cap) {
      const shift = a - this.base - this.hist;
      for (const arr of [this.x0, this.x1, this.peak, this.env, this.mins, this.avg1, this.gain, this.y0, this.y1, this.corr]) arr.copyWithin(0, shift);
      this.base += shift;
    }
    const base = this.base;
    // New input, scaled by the input gain.
    const g = this.inGain;
    const at = a - base;
    for (let i = 0; i < HOP; i++) {
      this.x0[at + i] = g * this.inFifo[0][i];
      this.x1[at + i] = g * this.inFifo[1][i];
    }
    this.detect(a);
    this.gainComputer(a);
    this.exactCheck(a);
    this.emit(a);
  }

  /** Interval peaks P[j] for j ∈ [a − 24, a + HOP − 24): 4x interpolation of the newest frame with the meter's kernel. */
  private detect(a: number): void {
    const base = this.base, frame = this.frame, interp = this.interp, cp = this.chanPeak, peak = this.peak;
    const first = a + HOP - FRAME; // absolute index of frame sample 0
    const resampler = detector();
    const out0 = OVERSAMPLING * DETECTOR_SPAN; // first 4x sample we ask for (valid: ≥ taps − 1)
    for (let c = 0; c < 2; c++) {
      const x = c === 0 ? this.x0 : this.x1;
      const f0 = first - base;
      for (let i = 0; i < FRAME; i++) frame[i] = x[f0 + i];
      resampler.up(frame, interp, out0);
      // interval local j ∈ [24, FRAME − 24): points q = 4j + p + DETECTOR_DELAY, stored at q − out0
      for (let i = 0; i < HOP; i++) {
        const j = i + HALF_TAPS;
        const q = OVERSAMPLING * j + DETECTOR_DELAY - out0;
        const v1 = Math.abs(interp[q + 1]), v2 = Math.abs(interp[q + 2]), v3 = Math.abs(interp[q + 3]);
        const s0 = Math.abs(x[f0 + j]), s1 = Math.abs(x[f0 + j + 1]);
        let v = v1 > v2 ? v1 : v2;
        if (v3 > v) v = v3;
        if (s0 > v) v = s0;
        if (s1 > v) v = s1;
        cp[i] = c === 0 ? v : cp[i] > v ? cp[i] : v;
      }
    }
    const p0 = a - HALF_TAPS - base;
    for (let i = 0; i < HOP; i++) peak[p0 + i] = cp[i];
  }

  /** Stage A for the samples that became computable: e up to a + HOP − 25, then m, g, y up to a + HOP − 25 − W. */
  private gainComputer(a: number): void {
    const base = this.base;
    const { peak, env, mins, avg1, gain, x0, x1, y0, y1, corr, dq } = this;
    const target = this.targetA, alpha = this.release;
    // release envelope e[n], n ∈ [a − 24, a + HOP − 24)
    let e = this.lastEnv;
    const e0 = a - HALF_TAPS - base;
    for (let i = e0; i < e0 + HOP; i++) {
      const p = peak[i - 1] > peak[i] ? peak[i - 1] : peak[i];
      const r = p > target ? target / p : 1;
      const rel = 1 - (1 - e) * alpha;
      e = r < rel ? r : rel;
      env[i] = e;
    }
    this.lastEnv = e;
    // moving minimum over [n − HOLD, n + W], two moving averages, y = g·x, h initialised
    const W = this.W, L1 = this.L1, L2 = this.L2, mask = dq.length - 1, slope = this.slopeB;
    let head = this.dqHead, len = this.dqLen;
    let s1 = this.sum1, nz1 = this.nonzero1, s2 = this.sum2, nz2 = this.nonzero2, fwd = this.forward;
    const n0 = a - this.yLag;
    for (let n = n0; n < n0 + HOP; n++) {
      const i = n - base;
      // push e[n + W]
      const k = n + W, ek = env[k - base];
      while (len > 0 && env[dq[(head + len - 1) & mask] - base] >= ek) len--;
      dq[(head + len) & mask] = k;
      len++;
      while (dq[head] < n - HOLD) {
        head = (head + 1) & mask;
        len--;
      }
      const m = env[dq[head] - base];
      mins[i] = m;
      // g1 = 1 − mean of (1 − m) over L1; exact zero sum when the window holds no reduction
      const dIn = 1 - m, dOut = 1 - mins[i - L1];
      if (dIn !== 0) nz1++;
      if (dOut !== 0) nz1--;
      s1 = nz1 === 0 ? 0 : s1 + dIn - dOut;
      const g1 = 1 - s1 / L1;
      avg1[i] = g1;
      const eIn = 1 - g1, eOut = 1 - avg1[i - L2];
      if (eIn !== 0) nz2++;
      if (eOut !== 0) nz2--;
      s2 = nz2 === 0 ? 0 : s2 + eIn - eOut;
      const gg = 1 - s2 / L2;
      gain[i] = gg;
      y0[i] = gg * x0[i];
      y1[i] = gg * x1[i];
      fwd += slope;
      if (fwd > 1) fwd = 1;
      corr[i] = fwd;
    }
    this.dqHead = head;
    this.dqLen = len;
    this.sum1 = s1;
    this.nonzero1 = nz1;
    this.sum2 = s2;
    this.nonzero2 = nz2;
    this.forward = fwd;
  }

  /** Stage B on intervals j ∈ [a − jLag, a + HOP − jLag): exact true peak where a bound allows more than C_B; cones. */
  private exactCheck(a: number): void {
    const base = this.base, C = this.thresholdB;
    const { localGain, curvatureGain } = TRUE_PEAK_FILTER;
    const { y0, y1, segCurve, segPeak } = this;
    const j0 = a - this.jLag;
    const last = j0 + HOP + HALF_TAPS - 1; // newest sample of y
    // Per segment k (samples [j0 + SEG·(k − 1), j0 + SEG·k)): largest |Δ²y| and |y| of each channel.
    for (let k = 0; k < SEGMENTS + 2; k++) {
      const from = j0 + SEG * (k - 1) - base, to = Math.min(from + SEG, last - base);
      let c0 = 0, c1 = 0, p0 = 0, p1 = 0;
      for (let i = from; i < to; i++) {
        const d0 = Math.abs(y0[i - 1] - 2 * y0[i] + y0[i + 1]);
        const d1 = Math.abs(y1[i - 1] - 2 * y1[i] + y1[i + 1]);
        if (d0 > c0) c0 = d0;
        if (d1 > c1) c1 = d1;
        const b0 = Math.abs(y0[i]), b1 = Math.abs(y1[i]);
        if (b0 > p0) p0 = b0;
        if (b1 > p1) p1 = b1;
      }
      segCurve[2 * k] = c0;
      segCurve[2 * k + 1] = c1;
      segPeak[2 * k] = p0;
      segPeak[2 * k + 1] = p1;
    }
    for (let k = 0; k < SEGMENTS; k++) {
      // Intervals [j0 + SEG·k, j0 + SEG·(k + 1)): their filter windows (±24 samples) lie in segments k … k + 2.
      const w0 = Math.max(segCurve[2 * k], segCurve[2 * k + 2], segCurve[2 * k + 4]);
      const w1 = Math.max(segCurve[2 * k + 1], segCurve[2 * k + 3], segCurve[2 * k + 5]);
      const q0 = Math.max(segPeak[2 * k], segPeak[2 * k + 2], segPeak[2 * k + 4]);
      const q1 = Math.max(segPeak[2 * k + 1], segPeak[2 * k + 3], segPeak[2 * k + 5]);
      // the meter's bound (truepeak.ts): |y(t)| ≤ localGain·max(|y_j|, |y_j+1|) + curvatureGain·max|Δ²y| (+ rounding slack)
      const extra0 = curvatureGain * w0 + 1e-9 * q0;
      const extra1 = curvatureGain * w1 + 1e-9 * q1;
      const start = j0 + SEG * k;
      for (let j = start; j < start + SEG; j++) {
        const i = j - base;
        const a0 = Math.abs(y0[i]), b0 = Math.abs(y0[i + 1]), a1 = Math.abs(y1[i]), b1 = Math.abs(y1[i + 1]);
        const s0 = a0 > b0 ? a0 : b0, s1 = a1 > b1 ? a1 : b1;
        const l0 = localGain * s0 + extra0, l1 = localGain * s1 + extra1;
        if (l0 <= C && l1 <= C && s0 <= C && s1 <= C) continue;
        // the interval's samples count too (they are points of the meter's grid)
        let v = s0 > s1 ? s0 : s1;
        if (l0 > C) {
          const p = intervalPeak(y0, i);
          if (p > v) v = p;
        }
        if (l1 > C) {
          const p = intervalPeak(y1, i);
          if (p > v) v = p;
        }
        if (v > C) this.cone(j, C / v, a);
      }
    }
  }

  /** h ≤ b on [j, j + 1], rising at slopeB per sample on both sides (steeper backwards if RESERVE is too short). */
  private cone(j: number, b: number, a: number): void {
    this.corrected++;
    const base = this.base, corr = this.corr, s = this.slopeB;
    let back = s, reach = Math.ceil((1 - b) / s);
    if (reach > RESERVE) {
      back = (1 - b) / RESERVE;
      reach = RESERVE;
      this.steep++;
    }
    for (let k = j - reach; k <= j; k++) {
      const v = b + back * (j - k);
      if (v < corr[k - base]) corr[k - base] = v;
    }
    const newest = a + HOP - this.yLag - 1; // last index whose h is initialised
    for (let k = j + 1; k <= newest; k++) {
      const v = b + s * (k - j - 1);
      if (v >= 1) break;
      if (v < corr[k - base]) corr[k - base] = v;
    }
    const f = b + s * (newest - j - 1);
    if (f < this.forward) this.forward = f;
  }

  /** Output samples k ∈ [a − emitLag, a + HOP − emitLag): z = h·y in float32. */
  private emit(a: number): void {
    const base = this.base;
    const k0 = a - this.emitLag - base;
    const o0 = this.outFifo[0], o1 = this.outFifo[1];
    const { corr, gain, y0, y1 } = this;
    let minGain = this.minGain, logSum = this.logGainSum;
    // samples before the start of the signal (the first hops) are not counted
    const from = Math.max(0, -(a - this.emitLag));
    for (let i = 0; i < from; i++) {
      o0[i] = 0;
      o1[i] = 0;
    }
    for (let i = from; i < HOP; i++) {
      const h = corr[k0 + i];
      o0[i] = h * y0[k0 + i];
      o1[i] = h * y1[k0 + i];
      const total = h * gain[k0 + i];
      if (total < 1) {
        if (total < minGain) minGain = total;
        logSum += Math.log(total);
      }
    }
    this.minGain = minGain;
    this.logGainSum = logSum;
    this.emitted += HOP - from;
  }
}

/**
 * Largest |value| at n + 1/4, n + 1/2, n + 3/4 of y around index i: the meter's pair-form
 * arithmetic (truepeak.ts filterChunk), in double precision.
 */
function intervalPeak(y: Float64Array, i: number): number {
  const { pairSum, pairDiff, pairMid } = TRUE_PEAK_FILTER;
  let s = 0, d = 0, m = 0;
  for (let k = 0; k < HALF_TAPS; k++) {
    const hi = y[i + 1 + k], lo = y[i - k];
    const u = hi + lo;
    s += pairSum[k] * u;
    d += pairDiff[k] * (hi - lo);
    m += pairMid[k] * u;
  }
  const side = (Math.abs(s) + Math.abs(d)) * 0.5;
  const mid = Math.abs(m);
  return side > mid ? side : mid;
}

/**
 * The limiter stage (see the file comment). `gainDb` is applied first; `targetLufs` and
 * `maxGainReductionDb` belong to the renderer, which calls this with different `gainDb`.
 */
export function createLimiter(params: LimiterParams, sampleRate: number, options: LimiterOptions = {}): Limiter {
  return new TruePeakLimiter(params, sampleRate, options);
}

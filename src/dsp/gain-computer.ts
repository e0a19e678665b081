/**
 * The compressor core shared by the glue and multiband compressors, after D. Giannoulis,
 * M. Massberg & J. D. Reiss, "Digital Dynamic Range Compressor Design — A Tutorial and Analysis",
 * JAES 60(6), 2012: feed-forward, level detection → static curve (soft knee, eq. 4) → smoothing of
 * the gain reduction in the log domain with the smooth branching detector (eq. 17), the paper's
 * recommended "log domain, after the gain computer" placement.
 *
 * Choices (documented for the renderer's report):
 * - Level: RMS, the mean square smoothed by two cascaded one-poles of DETECTOR_RMS_MS / 2 = 1 ms
 *   each (a 2nd-order smoother attenuates the 2·f ripple of a tone as 1/(4πf·τ)², so a steady
 *   1 kHz tone reads its level within ±0.02 dB), in dB on the AES17 scale (a sine's RMS level
 *   equals its peak dBFS: level = 10·log10(2·meanSquare)). The window is a compromise: longer
 *   windows lag (measured 63 % times exceed attackMs/releaseMs by a constant: with this 2 ms
 *   window +0.8 ms on the attack and +4.2 ms on the release after a 23 dB drop; a 5 ms window
 *   would give +23 % at a 10 ms attack), shorter ones ripple on bass (here the reduction of a
 *   steady tone at ratio 4 comes out 0.01 dB too deep at 1 kHz, 0.2–0.35 dB at 200 Hz and
 *   0.5–0.9 dB at 100 Hz, the branching smoother following the ripple's peaks; music has less).
 * - Stereo link: the larger of the two channels' mean squares, so a source panned hard to one side
 *   is compressed as much as it would be in the centre.
 * - Ballistics: α = exp(−1/(τ·fs)), so a step of the gain reduction reaches 1 − 1/e (63 %) of its
 *   final value τ after the step (attackMs up, releaseMs down).
 * - Auto release (program-dependent, a dual-release scheme): a fast envelope (attackMs, release
 *   max(10 ms, releaseMs/5)) and a slow one that averages the demanded reduction symmetrically over
 *   releaseMs; the reduction is the larger of the two. After a short transient the slow envelope
 *   has barely charged, so the reduction recovers with the fast release; after sustained reduction
 *   the slow envelope holds it and recovery follows releaseMs.
 */
import { dbToAmp, dbToPower } from '../util/db.js';
import { flushDenormal } from './processor.js';

export interface StaticCurve {
  thresholdDb: number;
  ratio: number;
  kneeDb: number;
}

export interface Ballistics {
  attackMs: number;
  releaseMs: number;
  autoRelease: boolean;
}

export interface GainReductionStats {
  /** Largest gain reduction applied (dB, ≥ 0; before make-up and mix). */
  maxGainReductionDb: number;
  /** Gain reduction (dB) averaged over time (sampled at the control rate); 0 before anything was processed. */
  meanGainReductionDb: number;
}

/** Time constant of the RMS detector (two one-poles of half this each). */
export const DETECTOR_RMS_MS = 2;
/** With autoRelease, the fast release is releaseMs divided by this, but not below AUTO_RELEASE_MIN_FAST_MS. */
export const AUTO_RELEASE_FAST_DIVISOR = 5;
export const AUTO_RELEASE_MIN_FAST_MS = 10;
/**
 * A gain-reduction envelope below this (dB) is set to 0 at a flush: 1e-9 dB is a gain error of
 * 1.2e-10, far below a float32 step (6e-8), and the envelope would otherwise take minutes to decay
 * through the tiny values (it is in dB, not a signal, so 1e-30 would be meaningless).
 */
export const GAIN_REDUCTION_FLUSH_DB = 1e-9;

/**
 * Gain reduction (dB, ≥ 0) of the static curve at input level `levelDb`: Giannoulis et al. eq. (4)
 * written as input − output, so that ratio 1 gives exactly 0:
 *   2(x−T) ≤ −W: 0;   |2(x−T)| < W: (1 − 1/R)(x − T + W/2)² / (2W);   2(x−T) ≥ W: (1 − 1/R)(x − T).
 */
export function staticGainReductionDb(levelDb: number, curve: StaticCurve): number {
  const over = levelDb - curve.thresholdDb;
  const w = curve.kneeDb;
  if (2 * over <= -w) return 0;
  const slope = 1 - 1 / curve.ratio;
  if (2 * over < w) {
    const d = over + w / 2;
    return (slope * d * d) / (2 * w);
  }
  return slope * over;
}

/** One-pole coefficient for a time constant: exp(−1/(τ·fs)) (Giannoulis et al. eq. 11). */
export function timeConstantCoefficient(ms: number, sampleRate: number): number {
  return Math.exp(-1000 / (ms * sampleRate));
}

/**
 * Control-rate step: a power of 2 giving a control rate of at least CONTROL_RATE_MIN_HZ (8 samples
 * at 44.1/48 kHz, 16 at 96 kHz, 32 at 192 kHz).
 */
export function controlStep(sampleRate: number): number {
  return 2 ** Math.max(0, Math.floor(Math.log2(sampleRate / CONTROL_RATE_MIN_HZ)));
}

export const CONTROL_RATE_MIN_HZ = 4000;
const DB_TO_LN = Math.LN10 / 20;
const POWER_DB_PER_LN = 10 / Math.LN10;

/**
 * Level detection, static curve and ballistics for one stereo-linked detector.
 *
 * The log, curve, ballistics and exp run at a control rate (every `step` samples, counted from the
 * first sample ever processed, so block cutting changes nothing): Math.log10/Math.exp cost ~15 ns
 * each, which per sample would be most of the chain's budget. Per sample, the squares are summed;
 * at the end of each group of `step` samples their mean feeds the RMS smoother (one-poles at the
 * control rate, α = exp(−step/(τ·fs)): the same time constants in ms), and the gain is
 * ramped linearly (in amplitude) over the next group from the previous control value to the new
 * one. The gain therefore trails the detector by 1 to 2 groups (0.2–0.4 ms at 44.1 kHz); a
 * constant gain stays exactly constant (x + (x − x)·r = x).
 */
export class GainComputer {
  private readonly threshold: number;
  private readonly knee: number;
  private readonly slope: number;
  /** Mean square (×2, AES17 scale) at or below which the level is under the knee: no log needed. */
  private readonly kneeStartPower: number;
  private readonly step: number;
  private readonly ramp: Float64Array;
  private readonly rmsCoeff: number;
  private readonly attack: number;
  private readonly release: number;
  private readonly slow: number;
  private readonly autoRelease: boolean;
  private readonly makeup: number;
  /** Position in the current control group, and the sums of squares of the group so far. */
  private phase = 0;
  private sumL = 0;
  private sumR = 0;
  // RMS detector state: two one-poles per channel
  private l1 = 0;
  private l2 = 0;
  private r1 = 0;
  private r2 = 0;
  /** Smoothed gain reduction (dB): the only envelope without auto release, the fast one with it. */
  private grFast = 0;
  private grSlow = 0;
  /** Linear gains of the previous and the latest control point, ramped between over a group. */
  private gainFrom: number;
  private gainTo: number;
  private maxGr = 0;
  private sumGr = 0;
  private controls = 0;

  constructor(curve: StaticCurve, ballistics: Ballistics, makeupDb: number, sampleRate: number) {
    this.threshold = curve.thresholdDb;
    this.knee = curve.kneeDb;
    this.slope = 1 - 1 / curve.ratio;
    this.kneeStartPower = dbToPower(curve.thresholdDb - curve.kneeDb / 2);
    this.step = controlStep(sampleRate);
    this.ramp = Float64Array.from({ length: this.step }, (_, j) => (j + 1) / this.step);
    const controlRate = sampleRate / this.step;
    this.rmsCoeff = timeConstantCoefficient(DETECTOR_RMS_MS / 2, controlRate);
    this.attack = timeConstantCoefficient(ballistics.attackMs, controlRate);
    const fastRelease = ballistics.autoRelease
      ? Math.max(AUTO_RELEASE_MIN_FAST_MS, ballistics.releaseMs / AUTO_RELEASE_FAST_DIVISOR)
      : ballistics.releaseMs;
    this.release = timeConstantCoefficient(fastRelease, controlRate);
    this.slow = timeConstantCoefficient(ballistics.releaseMs, controlRate);
    this.autoRelease = ballistics.autoRelease;
    this.makeup = dbToAmp(makeupDb);
    this.gainFrom = this.makeup;
    this.gainTo = this.makeup;
  }

  /**
   * Reads the detector signals detL/detR [0, n) and writes the linear gain to apply (make-up
   * included) to gain[0, n).
   */
  compute(detL: Float64Array, detR: Float64Array, n: number, gain: Float64Array): void {
    this.run(detL, detR, n, gain, null, null);
  }

  /**
   * The same, applying the gain to the detector signals themselves and adding the result to
   * outL/outR[0, n) (the multiband's band sum, in one pass).
   */
  accumulate(detL: Float64Array, detR: Float64Array, n: number, outL: Float64Array, outR: Float64Array): void {
    this.run(detL, detR, n, null, outL, outR);
  }

  private run(detL: Float64Array, detR: Float64Array, n: number, gain: Float64Array | null, outL: Float64Array | null, outR: Float64Array | null): void {
    const step = this.step, ramp = this.ramp;
    let phase = this.phase, sumL = this.sumL, sumR = this.sumR, from = this.gainFrom, to = this.gainTo;
    for (let i = 0; i < n; ) {
      // up to the end of the current control group, without a per-sample branch
      const end = Math.min(n, i + step - phase);
      const d = to - from, offset = phase - i;
      if (gain) {
        for (; i < end; i++) {
          const xl = detL[i], xr = detR[i];
          sumL += xl * xl;
          sumR += xr * xr;
          gain[i] = from + d * ramp[i + offset];
        }
      } else if (outL && outR) {
        for (; i < end; i++) {
          const xl = detL[i], xr = detR[i];
          sumL += xl * xl;
          sumR += xr * xr;
          const g = from + d * ramp[i + offset];
          outL[i] += xl * g;
          outR[i] += xr * g;
        }
      }
      phase = end + offset;
      i = end;
      if (phase === step) {
        from = to;
        to = this.control(sumL / step, sumR / step);
        phase = 0;
        sumL = 0;
        sumR = 0;
      }
    }
    this.phase = phase;
    this.sumL = sumL;
    this.sumR = sumR;
    this.gainFrom = from;
    this.gainTo = to;
  }

  /** One control step from the mean squares of the last group: returns the new linear gain. */
  private control(meanSquareL: number, meanSquareR: number): number {
    const c = this.rmsCoeff;
    this.l1 = c * this.l1 + (1 - c) * meanSquareL;
    this.l2 = c * this.l2 + (1 - c) * this.l1;
    this.r1 = c * this.r1 + (1 - c) * meanSquareR;
    this.r2 = c * this.r2 + (1 - c) * this.r1;
    const p = 2 * (this.l2 > this.r2 ? this.l2 : this.r2);
    let target = 0;
    if (p > this.kneeStartPower) {
      const over = POWER_DB_PER_LN * Math.log(p) - this.threshold;
      const w = this.knee;
      if (2 * over >= w) target = this.slope * over;
      else if (2 * over > -w) {
        const d = over + w / 2;
        target = (this.slope * d * d) / (2 * w);
      }
    }
    const a = target > this.grFast ? this.attack : this.release;
    this.grFast = a * this.grFast + (1 - a) * target;
    let gr = this.grFast;
    if (this.autoRelease) {
      this.grSlow = this.slow * this.grSlow + (1 - this.slow) * target;
      if (this.grSlow > gr) gr = this.grSlow;
    }
    if (gr > this.maxGr) this.maxGr = gr;
    this.sumGr += gr;
    this.controls++;
    return gr === 0 ? this.makeup : this.makeup * Math.exp(-gr * DB_TO_LN);
  }

  /** Flushes the detector and envelopes; call at fixed absolute sample positions (FLUSH_INTERVAL multiples). */
  flush(): void {
    this.l1 = flushDenormal(this.l1);
    this.l2 = flushDenormal(this.l2);
    this.r1 = flushDenormal(this.r1);
    this.r2 = flushDenormal(this.r2);
    if (this.grFast < GAIN_REDUCTION_FLUSH_DB) this.grFast = 0;
    if (this.grSlow < GAIN_REDUCTION_FLUSH_DB) this.grSlow = 0;
  }

  /** Every state value that decays in silence (tests check that silence brings them to exactly 0). */
  state(): number[] {
    return [this.sumL, this.sumR, this.l1, this.l2, this.r1, this.r2, this.grFast, this.grSlow];
  }

  /** Gain reduction sampled at every control point (every `step` samples). */
  stats(): GainReductionStats {
    return { maxGainReductionDb: this.maxGr, meanGainReductionDb: this.controls > 0 ? this.sumGr / this.controls : 0 };
  }
}


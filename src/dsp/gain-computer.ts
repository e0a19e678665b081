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

// Constants of a GainComputer, in one Float64Array (read into locals as doubles, never boxed).
const THRESHOLD = 0, KNEE = 1, SLOPE = 2, KNEE_START = 3, RMS = 4, ATTACK = 5, RELEASE = 6, SLOW = 7, MAKEUP = 8, AUTO = 9;
// Its state, likewise.
const SUM_L = 0, SUM_R = 1, L1 = 2, L2 = 3, R1 = 4, R2 = 5, GR_FAST = 6, GR_SLOW = 7, GAIN_FROM = 8, GAIN_TO = 9, MAX_GR = 10, SUM_GR = 11;

/**
 * Level detection, static curve and ballistics for one stereo-linked detector.
 *
 * The log, curve, ballistics and exp run at a control rate (every `step` samples, counted from the
 * first sample ever processed, so block cutting changes nothing): Math.log10/Math.exp cost ~15 ns
 * each, which per sample would be most of the chain's budget. Per sample, the squares are summed;
 * at the end of each group of `step` samples their mean feeds the RMS smoother (one-poles at the
 * control rate, α = exp(−step/(τ·fs)): the same time constants in ms), and the gain is
 * ramped linearly (in amplitude) over the next group from the previous control value to the new
 * one: g = from + (to − from)·(j+1)/step at the group's j-th sample. The gain therefore trails the
 * detector by 1 to 2 groups (0.2–0.4 ms at 44.1 kHz); a constant gain stays exactly constant
 * (x + (x − x)·r = x).
 *
 * A block is processed in two passes: `detect` (or `detectFiltered`) sums the squares and runs
 * the control steps of every group that ends in the block, keeping their gains; `apply` (or
 * `GainComputer.mix` for several bands at once) then ramps and applies them. In one pass, each
 * group's output would wait for the previous control step's log and exp (~70 ns of latency per
 * group); in the control loop of `detect` successive steps overlap. Constants and state live in
 * Float64Arrays and are read into locals for a whole pass (a number in an object field or an
 * argument may be boxed, and V8 would unbox it at every use inside the loop).
 */
export class GainComputer {
  readonly step: number;
  private readonly k = new Float64Array(10);
  private readonly s = new Float64Array(12);
  /** Position in the current control group. */
  private phase = 0;
  private controls = 0;
  /** Groups completed in the last pass 1 (their sums are sums[0 … 2·lastGroups)). */
  private lastGroups = 0;
  /** Sums of squares of each group ending in the current block (L, R interleaved), then the gains at its control points. */
  private sums = new Float64Array(0);
  private gains = new Float64Array(0);
  /** The current block, as left by `detect`: its length, its first sample's phase, the ramp's start. */
  private blockLength = 0;
  private blockPhase = 0;
  private blockFrom = 0;

  constructor(curve: StaticCurve, ballistics: Ballistics, makeupDb: number, sampleRate: number) {
    const k = this.k;
    k[THRESHOLD] = curve.thresholdDb;
    k[KNEE] = curve.kneeDb;
    k[SLOPE] = 1 - 1 / curve.ratio;
    k[KNEE_START] = dbToPower(curve.thresholdDb - curve.kneeDb / 2);
    this.step = controlStep(sampleRate);
    const controlRate = sampleRate / this.step;
    k[RMS] = timeConstantCoefficient(DETECTOR_RMS_MS / 2, controlRate);
    k[ATTACK] = timeConstantCoefficient(ballistics.attackMs, controlRate);
    const fastRelease = ballistics.autoRelease
      ? Math.max(AUTO_RELEASE_MIN_FAST_MS, ballistics.releaseMs / AUTO_RELEASE_FAST_DIVISOR)
      : ballistics.releaseMs;
    k[RELEASE] = timeConstantCoefficient(fastRelease, controlRate);
    k[SLOW] = timeConstantCoefficient(ballistics.releaseMs, controlRate);
    k[AUTO] = ballistics.autoRelease ? 1 : 0;
    k[MAKEUP] = dbToAmp(makeupDb);
    this.s[GAIN_FROM] = k[MAKEUP];
    this.s[GAIN_TO] = k[MAKEUP];
  }

  /** Pass 1 on the detector signals a/b [0, n): see the class comment. */
  detect(a: Float64Array, b: Float64Array, n: number): void {
    this.begin(n);
    const sums = this.sums, step = this.step, st = this.s;
    let phase = this.phase, sqA = st[SUM_L], sqB = st[SUM_R], g = 0;
    for (let i = 0; i < n; ) {
      const end = Math.min(n, i + step - phase);
      phase += end - i;
      for (; i < end; i++) {
        const xa = a[i], xb = b[i];
        sqA += xa * xa;
        sqB += xb * xb;
      }
      if (phase === step) {
        sums[g++] = sqA;
        sums[g++] = sqB;
        phase = 0;
        sqA = 0;
        sqB = 0;
      }
    }
    st[SUM_L] = sqA;
    st[SUM_R] = sqB;
    this.phase = phase;
    this.controlSteps(g >> 1);
  }

  /**
   * Pass 1 for the glue compressor: the detector is left/right [start, start + n) through the
   * side-chain high-pass, a 2nd-order Butterworth section in direct form I using its structure
   * (b1 = −2·b0, b2 = b0): y = b0·(x − 2·x1 + x2) − a2·y2 − a1·y1, coefficients b0 a1 a2 in hp,
   * states x1 x2 y1 y2 of left then right in hz. hp = null: no filter, the squares of the input.
   */
  detectFiltered(left: Float32Array, right: Float32Array, start: number, n: number, hp: Float64Array | null, hz: Float64Array): void {
    this.begin(n);
    const sums = this.sums, step = this.step, st = this.s;
    let phase = this.phase, sqA = st[SUM_L], sqB = st[SUM_R], g = 0;
    if (hp === null) {
      for (let i = 0; i < n; ) {
        const end = Math.min(n, i + step - phase);
        phase += end - i;
        for (let j = start + i; i < end; i++, j++) {
          const xl = left[j], xr = right[j];
          sqA += xl * xl;
          sqB += xr * xr;
        }
        if (phase === step) {
          sums[g++] = sqA;
          sums[g++] = sqB;
          phase = 0;
          sqA = 0;
          sqB = 0;
        }
      }
    } else {
      const b0 = hp[0], a1 = hp[1], a2 = hp[2];
      let lx1 = hz[0], lx2 = hz[1], ly1 = hz[2], ly2 = hz[3], rx1 = hz[4], rx2 = hz[5], ry1 = hz[6], ry2 = hz[7];
      for (let i = 0; i < n; ) {
        const end = Math.min(n, i + step - phase);
        phase += end - i;
        for (let j = start + i; i < end; i++, j++) {
          const xl = left[j], xr = right[j];
          const yl = b0 * (xl - 2 * lx1 + lx2) - a2 * ly2 - a1 * ly1;
          const yr = b0 * (xr - 2 * rx1 + rx2) - a2 * ry2 - a1 * ry1;
          lx2 = lx1;
          lx1 = xl;
          ly2 = ly1;
          ly1 = yl;
          rx2 = rx1;
          rx1 = xr;
          ry2 = ry1;
          ry1 = yr;
          sqA += yl * yl;
          sqB += yr * yr;
        }
        if (phase === step) {
          sums[g++] = sqA;
          sums[g++] = sqB;
          phase = 0;
          sqA = 0;
          sqB = 0;
        }
      }
      hz[0] = lx1;
      hz[1] = lx2;
      hz[2] = ly1;
      hz[3] = ly2;
      hz[4] = rx1;
      hz[5] = rx2;
      hz[6] = ry1;
      hz[7] = ry2;
    }
    st[SUM_L] = sqA;
    st[SUM_R] = sqB;
    this.phase = phase;
    this.controlSteps(g >> 1);
  }

  /** Pass 2 for the glue compressor: left/right [start, start + n) scaled in place by dry + wet·g, g the linear gain (make-up included). */
  apply(left: Float32Array, right: Float32Array, start: number, n: number, dry: number, wet: number): void {
    this.checkBlock(n);
    const gains = this.gains, step = this.step, inv = 1 / step;
    // g = dry + wet·(from + dStep·(j+1)) as (dry + wet·from) + (wet·dStep)·(j+1): at mix 100 % (dry 0,
    // wet 1) and 0 % exactly the gain, resp. 1. (`+ 0` unboxes the arguments once, outside the loop.)
    const d0 = dry + 0, w0 = wet + 0;
    let phase = this.blockPhase, m = 0, from = this.blockFrom, to = gains[0];
    for (let i = 0; i < n; ) {
      const end = Math.min(n, i + step - phase);
      const first = phase - i + 1;
      // the ramp from + (to − from)·(j+1)/step as from + dStep·(j+1): the same double (step is a power of 2)
      const dStep = (to - from) * inv, g0 = d0 + w0 * from, gStep = w0 * dStep;
      phase += end - i;
      for (let j = start + i; i < end; i++, j++) {
        const g = g0 + gStep * (i + first);
        left[j] *= g;
        right[j] *= g;
      }
      if (phase === step) {
        phase = 0;
        from = to;
        to = gains[++m];
      }
    }
  }

  /**
   * Pass 2 for the multiband: outL/outR[start + i] = Σk gk·bandk[i] (bands added in order, lowest
   * first; rounded to float32 once), for the cores of 3 or 4 bands (the chain document's choices)
   * that have all run `detect` on the same block (so they share its phase). One loop reads every
   * band and writes the output once.
   */
  static mix(cores: readonly GainComputer[], bandsL: readonly Float64Array[], bandsR: readonly Float64Array[], n: number, outL: Float32Array, outR: Float32Array, start: number): void {
    for (const c of cores) c.checkBlock(n);
    if (cores.length === 3) mix3(cores, bandsL, bandsR, n, outL, outR, start);
    else if (cores.length === 4) mix4(cores, bandsL, bandsR, n, outL, outR, start);
    else throw new RangeError(`multiband mix needs 3 or 4 bands, got ${cores.length}`);
  }

  /** The sums of squares (L, R interleaved) of the groups the last pass 1 completed: what its control steps saw. */
  lastGroupSums(): Float64Array {
    return this.sums.subarray(0, 2 * this.lastGroups);
  }

  /**
   * The control steps of `count` groups whose sums (L, R interleaved) are `sums[2·from …]`, as pass 1
   * would run them: a detection recorded once (lastGroupSums) replayed at other static curves gives
   * the same envelopes and stats, bit for bit. Leaves no block for pass 2.
   */
  replayGroups(sums: Float64Array, from: number, count: number): void {
    if (this.sums.length < 2 * count) {
      this.sums = new Float64Array(2 * count);
      this.gains = new Float64Array(count + 1);
    }
    this.sums.set(sums.subarray(2 * from, 2 * (from + count)));
    this.gains[0] = this.s[GAIN_TO];
    this.blockLength = -1;
    this.controlSteps(count);
  }

  /** Starts a block of n samples: scratch sized, the ramp's starting point kept for pass 2. */
  private begin(n: number): void {
    const groups = Math.ceil((n + this.phase) / this.step) + 1;
    if (this.gains.length < groups) {
      this.sums = new Float64Array(2 * groups);
      this.gains = new Float64Array(groups);
    }
    this.blockLength = n;
    this.blockPhase = this.phase;
    this.blockFrom = this.s[GAIN_FROM];
    this.gains[0] = this.s[GAIN_TO];
  }

  private checkBlock(n: number): void {
    if (n !== this.blockLength) throw new Error(`gain computer: pass 2 on ${n} samples after pass 1 on ${this.blockLength}`);
  }

  /**
   * The control steps of `count` groups whose sums of squares are in `sums`: gains[1 … count].
   * In three loops, so that the calls to Math.log and Math.exp (each ~100 cycles of latency) of
   * different groups are independent and overlap: levels and the static curve (the RMS smoother's
   * recurrence is cheap), then the ballistics (a cheap recurrence), then the linear gains.
   */
  private controlSteps(count: number): void {
    const k = this.k, st = this.s, sums = this.sums, gains = this.gains, step = this.step;
    const threshold = k[THRESHOLD], w = k[KNEE], slope = k[SLOPE], kneeStart = k[KNEE_START], c = k[RMS];
    const attack = k[ATTACK], release = k[RELEASE], slow = k[SLOW], makeup = k[MAKEUP], autoRelease = k[AUTO] !== 0;
    // 1. target gain reduction of each group, into gains[1 … count]
    let l1 = st[L1], l2 = st[L2], r1 = st[R1], r2 = st[R2];
    for (let m = 0; m < count; m++) {
      l1 = c * l1 + (1 - c) * (sums[2 * m] / step);
      l2 = c * l2 + (1 - c) * l1;
      r1 = c * r1 + (1 - c) * (sums[2 * m + 1] / step);
      r2 = c * r2 + (1 - c) * r1;
      const p = 2 * (l2 > r2 ? l2 : r2);
      let target = 0;
      if (p > kneeStart) {
        const over = POWER_DB_PER_LN * Math.log(p) - threshold;
        if (2 * over >= w) target = slope * over;
        else if (2 * over > -w) {
          const e = over + w / 2;
          target = (slope * e * e) / (2 * w);
        }
      }
      gains[m + 1] = target;
    }
    st[L1] = l1;
    st[L2] = l2;
    st[R1] = r1;
    st[R2] = r2;
    // 2. ballistics: the smoothed reduction, in place
    let grFast = st[GR_FAST], grSlow = st[GR_SLOW], maxGr = st[MAX_GR], sumGr = st[SUM_GR];
    for (let m = 1; m <= count; m++) {
      const target = gains[m];
      const ballistic = target > grFast ? attack : release;
      grFast = ballistic * grFast + (1 - ballistic) * target;
      let gr = grFast;
      if (autoRelease) {
        grSlow = slow * grSlow + (1 - slow) * target;
        if (grSlow > gr) gr = grSlow;
      }
      if (gr > maxGr) maxGr = gr;
      sumGr += gr;
      gains[m] = gr;
    }
    st[GR_FAST] = grFast;
    st[GR_SLOW] = grSlow;
    st[MAX_GR] = maxGr;
    st[SUM_GR] = sumGr;
    // 3. linear gains, make-up included
    for (let m = 1; m <= count; m++) {
      const gr = gains[m];
      gains[m] = gr === 0 ? makeup : makeup * Math.exp(-gr * DB_TO_LN);
    }
    if (count > 0) {
      st[GAIN_FROM] = gains[count - 1];
      st[GAIN_TO] = gains[count];
    }
    this.controls += count;
    this.lastGroups = count;
  }

  /** Flushes the detector and envelopes; call at fixed absolute sample positions (FLUSH_INTERVAL multiples). */
  flush(): void {
    const s = this.s;
    s[L1] = flushDenormal(s[L1]);
    s[L2] = flushDenormal(s[L2]);
    s[R1] = flushDenormal(s[R1]);
    s[R2] = flushDenormal(s[R2]);
    if (s[GR_FAST] < GAIN_REDUCTION_FLUSH_DB) s[GR_FAST] = 0;
    if (s[GR_SLOW] < GAIN_REDUCTION_FLUSH_DB) s[GR_SLOW] = 0;
  }

  /** Every state value that decays in silence (tests check that silence brings them to exactly 0). */
  state(): number[] {
    const s = this.s;
    return [s[SUM_L], s[SUM_R], s[L1], s[L2], s[R1], s[R2], s[GR_FAST], s[GR_SLOW]];
  }

  /** Gain reduction sampled at every control point (every `step` samples). */
  stats(): GainReductionStats {
    return { maxGainReductionDb: this.s[MAX_GR], meanGainReductionDb: this.controls > 0 ? this.s[SUM_GR] / this.controls : 0 };
  }

  /** For mix3/mix4: the current block's first phase, the ramp's start, the gains at its control points. */
  rampPhase(): number {
    return this.blockPhase;
  }

  rampFrom(): number {
    return this.blockFrom;
  }

  rampGains(): Float64Array {
    return this.gains;
  }
}

/** GainComputer.mix for 3 bands: one loop, 6 loads and 2 stores per sample. */
function mix3(cores: readonly GainComputer[], bandsL: readonly Float64Array[], bandsR: readonly Float64Array[], n: number, outL: Float32Array, outR: Float32Array, start: number): void {
  const step = cores[0].step, inv = 1 / step;
  const c0 = cores[0].rampGains(), c1 = cores[1].rampGains(), c2 = cores[2].rampGains();
  const l0 = bandsL[0], l1 = bandsL[1], l2 = bandsL[2], r0 = bandsR[0], r1 = bandsR[1], r2 = bandsR[2];
  let f0 = cores[0].rampFrom(), f1 = cores[1].rampFrom(), f2 = cores[2].rampFrom();
  let t0 = c0[0], t1 = c1[0], t2 = c2[0];
  let phase = cores[0].rampPhase(), m = 0;
  for (let i = 0; i < n; ) {
    const end = Math.min(n, i + step - phase);
    const first = phase - i + 1;
    const d0 = (t0 - f0) * inv, d1 = (t1 - f1) * inv, d2 = (t2 - f2) * inv;
    phase += end - i;
    for (let j = start + i; i < end; i++, j++) {
      const r = i + first;
      const g0 = f0 + d0 * r, g1 = f1 + d1 * r, g2 = f2 + d2 * r;
      outL[j] = l0[i] * g0 + l1[i] * g1 + l2[i] * g2;
      outR[j] = r0[i] * g0 + r1[i] * g1 + r2[i] * g2;
    }
    if (phase === step) {
      phase = 0;
      m++;
      f0 = t0;
      f1 = t1;
      f2 = t2;
      t0 = c0[m];
      t1 = c1[m];
      t2 = c2[m];
    }
  }
}

/** GainComputer.mix for 4 bands. */
function mix4(cores: readonly GainComputer[], bandsL: readonly Float64Array[], bandsR: readonly Float64Array[], n: number, outL: Float32Array, outR: Float32Array, start: number): void {
  const step = cores[0].step, inv = 1 / step;
  const c0 = cores[0].rampGains(), c1 = cores[1].rampGains(), c2 = cores[2].rampGains(), c3 = cores[3].rampGains();
  const l0 = bandsL[0], l1 = bandsL[1], l2 = bandsL[2], l3 = bandsL[3], r0 = bandsR[0], r1 = bandsR[1], r2 = bandsR[2], r3 = bandsR[3];
  let f0 = cores[0].rampFrom(), f1 = cores[1].rampFrom(), f2 = cores[2].rampFrom(), f3 = cores[3].rampFrom();
  let t0 = c0[0], t1 = c1[0], t2 = c2[0], t3 = c3[0];
  let phase = cores[0].rampPhase(), m = 0;
  for (let i = 0; i < n; ) {
    const end = Math.min(n, i + step - phase);
    const first = phase - i + 1;
    const d0 = (t0 - f0) * inv, d1 = (t1 - f1) * inv, d2 = (t2 - f2) * inv, d3 = (t3 - f3) * inv;
    phase += end - i;
    for (let j = start + i; i < end; i++, j++) {
      const r = i + first;
      const g0 = f0 + d0 * r, g1 = f1 + d1 * r, g2 = f2 + d2 * r, g3 = f3 + d3 * r;
      outL[j] = l0[i] * g0 + l1[i] * g1 + l2[i] * g2 + l3[i] * g3;
      outR[j] = r0[i] * g0 + r1[i] * g1 + r2[i] * g2 + r3[i] * g3;
    }
    if (phase === step) {
      phase = 0;
      m++;
      f0 = t0;
      f1 = t1;
      f2 = t2;
      f3 = t3;
      t0 = c0[m];
      t1 = c1[m];
      t2 = c2[m];
      t3 = c3[m];
    }
  }
}

/**
 * The interpolation filter of the true-peak meter (ITU-R BS.1770-4 Annex 2: oversample at least 4x
 * with a low-pass interpolation filter and take the largest absolute value).
 *
 * Design: a Kaiser-windowed sinc interpolator, 4x, 48 taps per phase (192-tap prototype), β = 9,
 * cut off at the input's Nyquist frequency. Because the sinc is cut at exactly fs/2, it is a
 * Nyquist filter: phase 0 is the input sample itself, so only phases 1..3 (the points n + 1/4,
 * n + 1/2, n + 3/4 between samples n and n+1) are computed, and the true peak is never below the
 * sample peak. The design is in units of the input rate, so it is the same at every sample rate.
 *
 * Response (checked in truepeak.test.ts):
 * - passband: every phase's gain is within ±0.001 dB (0.0003 dB computed) of 1 from DC to 0.40·fs,
 *   and −0.04 dB at 0.45·fs, so a steady sine up to 0.45·fs reads its amplitude to a few hundredths
 *   of a dB (plus how close the 4x grid gets to its crest);
 * - stopband of the 4x prototype: at least 94 dB of attenuation from 0.60·fs up, so the images of
 *   any tone below 0.40·fs are gone; the transition band is centred on fs/2.
 * The filter is long, but it runs on a small fraction of the samples (see truepeak.ts).
 *
 * For the skip logic of the meter the filter also carries two bounds on the output of a phase
 * (see `TruePeakFilter`): the plain one, Σ|c|·max|x|, and a much tighter one that splits each phase
 * into linear interpolation between the two neighbouring samples plus a remainder that is driven
 * only by the second difference of the input (a remainder with zero 0th and 1st moments factors
 * exactly as g ∗ [1, −2, 1]).
 */

export const OVERSAMPLING = 4;
export const TAPS_PER_PHASE = 48;
export const KAISER_BETA = 9;
/** Half the taps of a phase: the value at n + p/4 uses x[n − HALF_TAPS + 1] … x[n + HALF_TAPS]. */
export const HALF_TAPS = TAPS_PER_PHASE / 2;

export interface TruePeakFilter {
  /**
   * Direct form, for reference: `phases[p - 1][j + HALF_TAPS - 1]` is the weight of x[n + j] in the
   * value at n + p/4, for p = 1, 2, 3 and j = −HALF_TAPS + 1 … HALF_TAPS.
   */
  phases: Float64Array[];
  /**
   * Pair form used by the meter, index i = 0 … HALF_TAPS − 1 for the sample pair
   * (x[n + 1 + i], x[n − i]). The filter is symmetric, so phase 3 is phase 1 reversed and phase 2
   * is symmetric about n + 1/2: y1 + y3 = Σ pairSum·(hi + lo), y1 − y3 = Σ pairDiff·(hi − lo),
   * y2 = Σ pairMid·(hi + lo).
   */
  pairSum: Float64Array;
  pairDiff: Float64Array;
  pairMid: Float64Array;
  /** max over phases of |ℓ0| + |ℓ1|, the weights of the linear-interpolation part (≈ 1). */
  localGain: number;
  /** max over phases of Σ|g|, the weights of the second-difference remainder. */
  curvatureGain: number;
  /** max over phases of Σ|c|. */
  absSum: number;
}

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for the β used here). */
function besselI0(x: number): number {
  let sum = 1, term = 1;
  for (let k = 1; k < 200; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return sum;
}

/** Kaiser-windowed sinc evaluated at τ input samples from the kernel centre; 0 outside ±HALF_TAPS. */
export function kaiserSincKernel(tau: number): number {
  if (Math.abs(tau) >= HALF_TAPS) return 0;
  const r = tau / HALF_TAPS;
  const window = besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) / besselI0(KAISER_BETA);
  const sinc = tau === 0 ? 1 : Math.sin(Math.PI * tau) / (Math.PI * tau);
  return sinc * window;
}

/**
 * Bounds of one phase: linear part ℓ = (m0 − m1, m1) on (x[n], x[n+1]) carrying the phase's 0th and
 * 1st moments, and g with c − ℓ = g ∗ [1, −2, 1]; so y = ℓ0·x[n] + ℓ1·x[n+1] + Σ g[i]·Δ²x[n + i + 1]
 * over i = −HALF_TAPS + 1 … HALF_TAPS − 2. What the factorisation leaves over (rounding only) is
 * added to the remainder's weight so the bound stays a bound.
 */
function phaseBounds(c: Float64Array): { local: number; curvature: number } {
  const n = c.length; // index k ↔ j = k − HALF_TAPS + 1
  let m0 = 0, m1 = 0;
  for (let k = 0; k < n; k++) {
    const j = k - HALF_TAPS + 1;
    m0 += c[k];
    m1 += j * c[k];
  }
  const l0 = m0 - m1, l1 = m1;
  const r = Float64Array.from(c);
  r[HALF_TAPS - 1] -= l0; // j = 0
  r[HALF_TAPS] -= l1; // j = 1
  // r[k] = g[k] − 2·g[k−1] + g[k−2]  ⇒  g[k] = r[k] + 2·g[k−1] − g[k−2]; g must end two taps early.
  const g = new Float64Array(n);
  for (let k = 0; k < n; k++) g[k] = r[k] + (k >= 1 ? 2 * g[k - 1] : 0) - (k >= 2 ? g[k - 2] : 0);
  let curvature = 0;
  for (let k = 0; k < n - 2; k++) curvature += Math.abs(g[k]);
  // g[n-2], g[n-1] are rounding residue; each multiplies x-terms of at most 4·max|x| — count them with weight 4.
  curvature += 4 * (Math.abs(g[n - 2]) + Math.abs(g[n - 1]));
  return { local: Math.abs(l0) + Math.abs(l1), curvature };
}

function design(): TruePeakFilter {
  const phases: Float64Array[] = [];
  for (let p = 1; p < OVERSAMPLING; p++) {
    const c = new Float64Array(TAPS_PER_PHASE);
    for (let j = -HALF_TAPS + 1; j <= HALF_TAPS; j++) c[j + HALF_TAPS - 1] = kaiserSincKernel(p / OVERSAMPLING - j);
    phases.push(c);
  }
  const [c1, c2] = phases;
  const pairSum = new Float64Array(HALF_TAPS);
  const pairDiff = new Float64Array(HALF_TAPS);
  const pairMid = new Float64Array(HALF_TAPS);
  for (let i = 0; i < HALF_TAPS; i++) {
    const hi = HALF_TAPS + i; // j = 1 + i
    const lo = HALF_TAPS - 1 - i; // j = −i
    pairSum[i] = c1[hi] + c1[lo];
    pairDiff[i] = c1[hi] - c1[lo];
    pairMid[i] = c2[hi];
  }
  let localGain = 0, curvatureGain = 0, absSum = 0;
  for (const c of phases) {
    const b = phaseBounds(c);
    localGain = Math.max(localGain, b.local);
    curvatureGain = Math.max(curvatureGain, b.curvature);
    let s = 0;
    for (let k = 0; k < c.length; k++) s += Math.abs(c[k]);
    absSum = Math.max(absSum, s);
  }
  return { phases, pairSum, pairDiff, pairMid, localGain, curvatureGain, absSum };
}

/** The filter, designed once (pure function of the constants above). */
export const TRUE_PEAK_FILTER: Readonly<TruePeakFilter> = design();

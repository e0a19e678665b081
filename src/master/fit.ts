/**
 * Fitting the matching curves to the balance the master should have, not just to the difference of
 * balances. The master's balance change is predicted (balance-model.ts) as
 *   E = S(g + fixed) − shift(g) + level
 * (S the 1/3-octave smoothing the balances are compared with, shift the loudness change of the gains,
 * level the model's constant: what the prediction misses uniformly), and the gains g, bounded (±maxEq,
 * no boost below 30 Hz, side within ±maxEq of mid), are chosen so that E meets the target t.
 *
 * - Shape: g = t + (t − S t) − fixed: one sharpening step undoes most of the double smoothing (the
 *   targets are smoothed differences and the master is measured smoothed again), and the chain's
 *   fixed high-pass and mono bass are made up where the bounds allow.
 * - Offset: a band that hits a bound cannot follow, so the loudness it would have added or removed
 *   shifts every other band after loudness normalisation. Moving the whole curve by c changes nothing
 *   but which bands hit the bounds (the limiter's loudness target takes the level back), so c is
 *   chosen, by search, as the one whose predicted balance meets the most targets (bestOffset).
 * - Residual: one step adds the predicted error back on the free bands (what a clamped neighbour's
 *   shortfall smooths into them); then the side is steered towards the width (side-steer.ts), and a
 *   clear correction keeps its direction (keepDirection).
 * The closed loop (closed-loop.ts) fits again with the targets and level moved by what a render
 * showed the prediction to miss.
 */
import { loudnessShift, type BalanceModel } from './balance-model.js';
import { steerSide } from './side-steer.js';

export interface CurveBounds {
  midLo: number[];
  midHi: number[];
  /** Bands whose upper bound holds relative to the curve's offset (no boost below 30 Hz means none against the rest of the curve either). */
  midHiRelative: boolean[];
  /** Side gain relative to mid. */
  sideRelLo: number[];
  sideRelHi: number[];
  /** Side gain itself, ±dB. */
  sideAbs: number;
  /** Bands whose side gain is the mid gain (below the mono crossover, or width not matched). */
  sideFollowsMid: boolean[];
}

export interface FitTargets {
  /** The balance change wanted per band, in the smoothed domain the balances are compared in, dB. */
  mid: number[];
  /** The same for side (where side does not follow mid). */
  side: number[];
  /** Bands whose error counts for the offset (those the comparison covers, 30 Hz–16 kHz). */
  midTarget: boolean[];
  /** Side bands fitted to their target (above the mono crossover's transition); the others take it as it is. */
  sideTarget: boolean[];
  /**
   * The width to reach: side/mid energy over the bands marked, in dB. Band by band the side can be on
   * target while the width is not (bands whose mid cannot follow weigh in the energies), so the
   * descent also steers the side towards it.
   */
  width?: { bands: boolean[]; ratioDb: number };
}

export interface FittedCurves {
  mid: number[];
  side: number[];
  /** The offset of the whole curve that cancels the loudness shift of clamped bands, dB. */
  offsetDb: number;
  /** Bands (mid) whose gain is not at a bound. */
  midFree: boolean[];
  /** The predicted balance change E of the master, mid and side. */
  predicted: { mid: number[]; side: number[] };
}

/**
 * The offset may use this share of the ±maxEq range: enough to take back the shift of the clamped
 * bands in most mixes, while a band's change against the rest of the curve stays within 1.5× the limit.
 */
export const MAX_OFFSET_SHARE = 0.5;
/** Weight of a target beyond the bounds in the offset search and the side's steering (those within count 1). */
export const BEYOND_WEIGHT = 0.2;
/** Resolution of the offset search, dB. */
const OFFSET_STEP_DB = 0.05;
/** A band's error counts up to this in the offset search, dB (beyond, the band is out of reach). */
const ERROR_CAP_DB = 2;


const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** The gains of shapes hm, hs moved by c and bounded, and which bands stayed free of the bounds. */
export function boundedGains(hm: readonly number[], hs: readonly number[], c: number, b: CurveBounds) {
  const n = hm.length;
  const mid = new Array<number>(n), side = new Array<number>(n), midFree = new Array<boolean>(n), sideFree = new Array<boolean>(n);
  for (let i = 0; i < n; i++) {
    const m = hm[i] + c;
    mid[i] = clamp(m, b.midLo[i], b.midHiRelative[i] ? Math.max(b.midLo[i], Math.min(b.midHi[i], c + b.midHi[i])) : b.midHi[i]);
    midFree[i] = mid[i] === m;
    if (b.sideFollowsMid[i]) {
      side[i] = mid[i];
      sideFree[i] = false;
      continue;
    }
    const s = hs[i] + c;
    side[i] = clamp(clamp(s - mid[i], b.sideRelLo[i], b.sideRelHi[i]) + mid[i], -b.sideAbs, b.sideAbs);
    sideFree[i] = Math.abs(side[i] - s) < 1e-12;
  }
  return { mid, side, midFree, sideFree };
}

/** The predicted balance change E = S(g + fixed) − shift(g) + level of gains (mid, side). */
export function predictChange(model: BalanceModel, gains: { mid: number[]; side: number[] }, smooth: (x: number[]) => number[], levelDb: number) {
  const shift = loudnessShift(model, gains.mid, gains.side) - levelDb;
  return {
    mid: smooth(gains.mid.map((g, i) => g + model.fixedMidDb[i])).map((x) => x - shift),
    side: smooth(gains.side.map((g, i) => g + model.fixedSideDb[i])).map((x) => x - shift),
  };
}

/**
 * The offset of the whole curve: the c in ±MAX_OFFSET_SHARE·maxOffsetDb (steps of OFFSET_STEP_DB) whose bounded gains
 * give the least truncated error Σ w·min(|E − t|, ERROR_CAP_DB) over the target bands of mid and side.
 * Truncated, so bands no offset can bring near their target (a mix with nothing there, a need far
 * beyond the bounds) do not pull; a target beyond the bounds weighs less than one within (so the
 * offset serves the bands the limits allow rather than stretching the curve for the others); ties go
 * to the smaller |c|.
 */
export function bestOffset(model: BalanceModel, hm: readonly number[], hs: readonly number[], targets: FitTargets, b: CurveBounds, smooth: (x: number[]) => number[], levelDb: number, maxOffsetDb: number): number {
  // A target the bounds allow (at no offset) is what the limits promise: it outweighs one beyond them.
  const weight = targets.mid.map((t, i) => (t >= b.midLo[i] && t <= b.midHi[i] ? 1 : BEYOND_WEIGHT));
  maxOffsetDb *= MAX_OFFSET_SHARE;
  const sideWeight = targets.side.map((t, i) => (b.sideFollowsMid[i] || (t - targets.mid[i] >= b.sideRelLo[i] && t - targets.mid[i] <= b.sideRelHi[i] && Math.abs(t) <= b.sideAbs) ? 1 : BEYOND_WEIGHT));
  let best = 0, bestCost = Infinity;
  const steps = Math.round(maxOffsetDb / OFFSET_STEP_DB);
  for (let k = 0; k <= 2 * steps; k++) {
    // 0, +step, −step, +2·step, …: the first of equal costs is the nearest to 0.
    const c = (k % 2 === 1 ? 1 : -1) * Math.ceil(k / 2) * OFFSET_STEP_DB;
    const g = boundedGains(hm, hs, c, b);
    const e = predictChange(model, g, smooth, levelDb);
    let cost = 0;
    for (let i = 0; i < hm.length; i++) {
      if (targets.midTarget[i]) cost += weight[i] * Math.min(Math.abs(e.mid[i] - targets.mid[i]), ERROR_CAP_DB);
      if (targets.sideTarget[i]) cost += sideWeight[i] * Math.min(Math.abs(e.side[i] - targets.side[i]), ERROR_CAP_DB);
    }
    if (cost < bestCost - 1e-9) {
      bestCost = cost;
      best = c;
    }
  }
  return best;
}

/** Residual steps after the offset (fitCurves). */
const RESIDUAL_STEPS = 1;
/** A target this far from 0 (dB) has a direction the fit keeps. */
const CLEAR_DB = 1;

/** One sharpening (van Cittert) step against the smoothing: x + (x − S x). */
function sharpen(x: number[], smooth: (x: number[]) => number[]): number[] {
  const s = smooth(x);
  return x.map((v, i) => 2 * v - s[i]);
}

/** Gains whose predicted balance change E meets the targets on the bands the bounds let follow (see the file comment). */
export function fitCurves(
  model: BalanceModel, targets: FitTargets, bounds: CurveBounds, smooth: (x: number[]) => number[], levelDb: number, maxOffsetDb: number,
): FittedCurves {
  const midShape = sharpen(targets.mid, smooth), sideShape = sharpen(targets.side, smooth);
  const hm = midShape.map((t, i) => t - model.fixedMidDb[i]);
  const hs = targets.side.map((t, i) => (targets.sideTarget[i] ? sideShape[i] - model.fixedSideDb[i] : t));
  const offsetDb = bestOffset(model, hm, hs, targets, bounds, smooth, levelDb, maxOffsetDb);
  let start = boundedGains(hm, hs, offsetDb, bounds);
  // Residual steps at the chosen offset: a free band also makes up what a clamped neighbour's
  // shortfall smooths into it (the mono crossover's band below 150 Hz, the high-pass's below 30 Hz).
  for (let step = 0; step < RESIDUAL_STEPS; step++) {
    const e = predictChange(model, start, smooth, levelDb);
    for (let i = 0; i < hm.length; i++) {
      if (targets.midTarget[i] && start.midFree[i]) hm[i] += targets.mid[i] - e.mid[i];
      if (targets.sideTarget[i] && start.sideFree[i]) hs[i] += targets.side[i] - e.side[i];
    }
    start = boundedGains(hm, hs, offsetDb, bounds);
  }
  const fixedOffset = absoluteBounds(bounds, offsetDb);
  const steered = { mid: start.mid, side: steerSide(model, start, targets, fixedOffset, (x) => predictChange(model, x, smooth, levelDb), BEYOND_WEIGHT, smooth) };
  const g = keepDirection(steered, targets, fixedOffset, offsetDb);
  const free = g.mid.map((x, i) => x > fixedOffset.midLo[i] + 1e-6 && x < fixedOffset.midHi[i] - 1e-6);
  return { mid: g.mid, side: g.side, offsetDb, midFree: free, predicted: predictChange(model, g, smooth, levelDb) };
}

/** The bounds at a fixed offset: relative upper bounds become absolute. */
export function absoluteBounds(b: CurveBounds, offsetDb: number): CurveBounds {
  return {
    ...b,
    midHi: b.midHi.map((hi, i) => (b.midHiRelative[i] ? Math.max(b.midLo[i], Math.min(hi, offsetDb + hi)) : hi)),
    midHiRelative: b.midHiRelative.map(() => false),
  };
}

/**
 * Keeps each clear correction's direction relative to the curve's level: a band the references
 * clearly want louder is not cut below the level to help its neighbours, nor one they want softer
 * raised above it, so the report's "lacking" and "build-up" stay true. The side keeps its place
 * relative to the mid.
 */
export function keepDirection(g: { mid: number[]; side: number[] }, targets: FitTargets, b: CurveBounds, levelDb: number): { mid: number[]; side: number[] } {
  const mid = g.mid.map((x, i) => {
    if (targets.mid[i] > CLEAR_DB && x < levelDb) return Math.min(b.midHi[i], levelDb);
    if (targets.mid[i] < -CLEAR_DB && x > levelDb) return Math.max(b.midLo[i], levelDb);
    return x;
  });
  const side = g.side.map((x, i) => (b.sideFollowsMid[i] ? mid[i] : x + mid[i] - g.mid[i]));
  return { mid, side };
}


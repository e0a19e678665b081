/**
 * Steering the side towards the references' width. Band by band the side can sit on its targets
 * while the width (side/mid energy above 150 Hz) does not, because the bands whose mid cannot follow
 * weigh in the energies; so the side gains are moved by a projected gradient descent that weighs the
 * width against the side bands' own errors (and the mid's, through the loudness). The mid is held.
 */
import type { BalanceModel } from './balance-model.js';
import type { CurveBounds, FitTargets } from './fit.js';

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** Steps of the projected descent, and its step size (the loss's slope per dB of gain is at most ~2). */
const DESCENT_STEPS = 200;
const DESCENT_RATE = 0.25;
/** Pseudo-Huber scale of a band's error, dB: quadratic within, linear beyond (a far-off band pulls no harder than a near one). */
const HUBER_DB = 0.5;
/** Weight of the width against one band's error, and its pseudo-Huber scale (10 % of width is 0.41 dB). */
const WIDTH_WEIGHT = 4;
const WIDTH_HUBER_DB = 0.25;
/** Weight of the curve's roughness (second differences of the gains) against the errors. */
const ROUGHNESS = 0.02;

/** The pseudo-Huber loss's slope at e, scale d: e near 0, ±d far out. */
const huberAt = (e: number, d: number) => e / Math.sqrt(1 + (e / d) ** 2);

/**
 * The side gains from `start` by projected gradient descent on
 *   Σ w·ρ(E − t) (mid and side bands) + WIDTH_WEIGHT·ρw(width − target) + ROUGHNESS·Σ(Δ²gs)²,
 * ρ pseudo-Huber, the weights as bestOffset's, the mid held; every step is projected back into the
 * side's bounds. Returns the side gains.
 */
export function steerSide(
  model: BalanceModel, start: { mid: number[]; side: number[] }, targets: FitTargets, b: CurveBounds,
  /** The predicted balance change of gains (fit.ts predictChange), and the weight of a target beyond the bounds. */
  predict: (g: { mid: number[]; side: number[] }) => { mid: number[]; side: number[] }, beyondWeight: number,
  smooth: (x: number[]) => number[],
): number[] {
  const n = start.mid.length;
  // The smoothing as a matrix (its transpose carries the error back to the gains).
  const S = Array.from({ length: n }, (_, j) => smooth(Array.from({ length: n }, (_, k) => (k === j ? 1 : 0))));
  const wm = targets.mid.map((t, i) => (targets.midTarget[i] ? (t >= b.midLo[i] && t <= b.midHi[i] ? 1 : beyondWeight) : 0));
  const ws = targets.side.map((t, i) => {
    if (!targets.sideTarget[i] || b.sideFollowsMid[i]) return 0;
    const rel = t - targets.mid[i];
    return rel >= b.sideRelLo[i] && rel <= b.sideRelHi[i] && Math.abs(t) <= b.sideAbs ? 1 : beyondWeight;
  });
  const huber = (e: number) => huberAt(e, HUBER_DB);
  const gm = start.mid;
  let gs = start.side.slice();
  for (let step = 0; step < DESCENT_STEPS; step++) {
    const e = predict({ mid: gm, side: gs });
    const dm = e.mid.map((x, i) => wm[i] * huber(x - targets.mid[i]));
    const ds = e.side.map((x, i) => ws[i] * huber(x - targets.side[i]));
    // Loudness shares: ∂shift/∂g of each band, mid and side.
    let total = 0;
    const pm = new Array<number>(n), ps = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      pm[i] = model.kWeight[i] * model.midPower[i] * 10 ** ((gm[i] + model.fixedMidDb[i]) / 10);
      ps[i] = model.kWeight[i] * model.sidePower[i] * 10 ** ((gs[i] + model.fixedSideDb[i]) / 10);
      total += pm[i] + ps[i];
    }
    const pull = dm.reduce((a, x) => a + x, 0) + ds.reduce((a, x) => a + x, 0);
    const gradS = new Array<number>(n).fill(0);
    for (let j = 0; j < n; j++) {
      let ss = 0;
      for (let i = Math.max(0, j - 2); i <= Math.min(n - 1, j + 2); i++) ss += ds[i] * S[j][i];
      gradS[j] = ss - (total > 0 ? pull / total : 0) * ps[j];
    }
    if (targets.width) {
      // ∂(width dB)/∂gs_j is band j's share of the side energy: only the side is steered.
      const w = targets.width;
      let side = 0, mid = 0;
      for (let i = 0; i < n; i++) if (w.bands[i]) { side += ps[i] / model.kWeight[i] || 0; mid += pm[i] / model.kWeight[i] || 0; }
      if (side > 0 && mid > 0) {
        const pullW = WIDTH_WEIGHT * huberAt(10 * Math.log10(side / mid) - w.ratioDb, WIDTH_HUBER_DB);
        for (let j = 0; j < n; j++) if (w.bands[j] && !b.sideFollowsMid[j]) gradS[j] += (pullW * (ps[j] / model.kWeight[j] || 0)) / side;
      }
    }
    for (let j = 1; j + 1 < n; j++) {
      const q = ROUGHNESS * (gs[j + 1] - 2 * gs[j] + gs[j - 1]);
      gradS[j - 1] += q; gradS[j] -= 2 * q; gradS[j + 1] += q;
    }
    gs = gs.map((g, j) => (b.sideFollowsMid[j] ? gm[j] : clamp(clamp(g - DESCENT_RATE * gradS[j], gm[j] + b.sideRelLo[j], gm[j] + b.sideRelHi[j]), -b.sideAbs, b.sideAbs)));
  }
  return gs;
}

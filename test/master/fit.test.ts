/** The balance model and the curve fit, on profiles whose answer is known by construction. */
import { describe, expect, it } from 'vitest';
import { thirdOctaveBands } from '../../src/analysis/bands.js';
import { balanceModel, fixedResponses, loudnessShift } from '../../src/master/balance-model.js';
import { fitCurves, predictChange, type CurveBounds, type FitTargets } from '../../src/master/fit.js';
import { smooth } from '../../src/master/plan.js';

const BANDS = thirdOctaveBands().centresHz;
const FS = 48000;
const flat = { mid: BANDS.map(() => 0), side: BANDS.map(() => 0) };
const pinkish = (f: number) => -20 - 3 * Math.log2(f / 1000);

function bounds(max = 6): CurveBounds {
  return {
    midLo: BANDS.map(() => -max), midHi: BANDS.map((f) => (f < 30 ? 0 : max)), midHiRelative: BANDS.map((f) => f < 30),
    sideRelLo: BANDS.map(() => -max), sideRelHi: BANDS.map(() => max), sideAbs: 12,
    sideFollowsMid: BANDS.map((f) => f < 120),
  };
}

function targets(mid: (f: number) => number, sideExtra: (f: number) => number = () => 0): FitTargets {
  const m = smooth(BANDS.map(mid));
  return { mid: m, side: m.map((x, i) => x + sideExtra(BANDS[i])), midTarget: BANDS.map((f) => f >= 30 && f <= 16500), sideTarget: BANDS.map((f) => f >= 150) };
}

const model = (fixed = flat) => balanceModel(BANDS, BANDS.map(pinkish), BANDS.map((f) => pinkish(f) - 8), FS, fixed);

describe('balance model', () => {
  it('a gain the same in every band moves the loudness by that gain; K-weighting makes the top count more than the bass', () => {
    expect(loudnessShift(model(), BANDS.map(() => 3), BANDS.map(() => 3))).toBeCloseTo(3, 9);
    const white = balanceModel(BANDS, BANDS.map(() => -20), BANDS.map(() => -30), FS, flat);
    const band = (f0: number) => BANDS.map((f) => (Math.abs(Math.log2(f / f0)) < 0.1 ? 6 : 0));
    const at = (f0: number) => loudnessShift(white, band(f0), band(f0));
    expect(at(4000)).toBeGreaterThan(at(1000));
    expect(at(1000)).toBeGreaterThan(at(40));
  });

  it('fixed responses: the 25 Hz 12 dB/oct high-pass on both, the 120 Hz LR4 only on side (−6 dB at the corner)', () => {
    const r = fixedResponses([25, 120, 1000], { bypass: false, highpassHz: 25, highpassSlopeDbPerOct: 12 }, { bypass: false, monoBelowHz: 120 });
    expect(r.mid[2]).toBeCloseTo(0, 2);
    expect(r.side[2]).toBeCloseTo(0, 2);
    expect(r.mid[0]).toBeLessThan(-2.5); // −3 dB at the corner, band-averaged
    expect(r.side[1] - r.mid[1]).toBeLessThan(-5);
    expect(r.side[1] - r.mid[1]).toBeGreaterThan(-8);
  });
});

describe('fitCurves', () => {
  it('a correction inside the bounds: the predicted balance lands on the target in every band (the double smoothing undone)', () => {
    const m = model();
    const t = targets((f) => 4 * Math.sin(Math.log2(f / 50)), () => 1.5);
    // The model's level: what the exact change would do to the loudness (plan.ts takes it from the raw differences).
    const fit = fitCurves(m, t, bounds(), smooth, loudnessShift(m, t.mid, t.side), 6);
    BANDS.forEach((f, i) => {
      if (f < 60 || f > 16000) return; // the ends: the smoothing replicates them, and below 30 Hz no boost
      expect(Math.abs(fit.predicted.mid[i] - t.mid[i]), `mid ${Math.round(f)} Hz`).toBeLessThanOrEqual(0.25);
      if (f >= 200) expect(Math.abs(fit.predicted.side[i] - t.side[i]), `side ${Math.round(f)} Hz`).toBeLessThanOrEqual(0.25);
    });
    fit.mid.forEach((g, i) => {
      expect(g).toBeLessThanOrEqual((BANDS[i] < 30 ? 0 : 6) + 1e-9);
      expect(g).toBeGreaterThanOrEqual(-6 - 1e-9);
    });
  });

  it('the chain\'s fixed high-pass and mono bass are made up where the bounds allow', () => {
    const fixed = fixedResponses(BANDS, { bypass: false, highpassHz: 25, highpassSlopeDbPerOct: 12 }, { bypass: false, monoBelowHz: 120 });
    const m = model(fixed);
    const fit = fitCurves(m, targets(() => 0), bounds(), smooth, 0, 6);
    const at = (hz: number) => BANDS.findIndex((f) => Math.abs(f / hz - 1) < 0.03);
    expect(fit.mid[at(31.5)]).toBeGreaterThan(0.8); // the high-pass takes ~1.5 dB at 31.5 Hz
    expect(fit.side[at(160)] - fit.mid[at(160)]).toBeGreaterThan(1.5); // the LR4 takes ~2.5 dB of side at 160 Hz
    // the side bass the imager removes lowers the loudness: every free band moves alike
    expect(Math.abs(fit.predicted.mid[at(1000)] - fit.predicted.mid[at(4000)])).toBeLessThan(0.1);
  });

  it('a top octave beyond +6 dB: the curve is offset so that every band the bounds allow still lands on its target', () => {
    const m = model();
    const t = targets((f) => (f > 5000 ? 10 : 1));
    // The first-order design: within the bounds, but the loudness the clamped top cannot add shifts the rest.
    const plain = { mid: t.mid.map((x, i) => Math.min(BANDS[i] < 30 ? 0 : 6, Math.max(-6, x))), side: t.side.map((x) => Math.min(6, Math.max(-6, x))) };
    const before = predictChange(m, plain, smooth, loudnessShift(m, t.mid, t.side));
    const fit = fitCurves(m, t, bounds(), smooth, loudnessShift(m, t.mid, t.side), 6);
    let worstBefore = 0, worstAfter = 0;
    BANDS.forEach((f, i) => {
      if (f < 40 || f > 3000) return; // the free bands, away from the clamped top's smoothing
      worstBefore = Math.max(worstBefore, Math.abs(before.mid[i] - t.mid[i]));
      worstAfter = Math.max(worstAfter, Math.abs(fit.predicted.mid[i] - t.mid[i]));
    });
    expect(worstBefore).toBeGreaterThan(0.3);
    expect(worstAfter).toBeLessThanOrEqual(0.25);
    expect(worstAfter).toBeLessThan(worstBefore / 2);
    expect(fit.offsetDb).toBeLessThan(0);
    fit.mid.forEach((g) => expect(Math.abs(g)).toBeLessThanOrEqual(6 + 1e-9));
  });

  it('keeps each clear correction\'s direction: a band the target wants louder is never cut below the curve\'s offset', () => {
    const m = model();
    const t = targets((f) => (f < 200 ? 14 : f < 400 ? 3 : -2));
    const fit = fitCurves(m, t, bounds(), smooth, loudnessShift(m, t.mid, t.side), 6);
    BANDS.forEach((f, i) => {
      if (t.mid[i] > 1) expect(fit.mid[i] - fit.offsetDb, `${Math.round(f)} Hz`).toBeGreaterThanOrEqual(-1e-9);
      if (t.mid[i] < -1) expect(fit.mid[i] - fit.offsetDb, `${Math.round(f)} Hz`).toBeLessThanOrEqual(1e-9);
    });
  });
});

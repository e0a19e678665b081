/** The closed loop's second fit and its windows, on cases whose answer is known by construction. */
import { describe, expect, it } from 'vitest';
import { thirdOctaveBands } from '../../src/analysis/bands.js';
import { balanceModel, loudnessShift } from '../../src/master/balance-model.js';
import { loopWindows, refit, WHOLE_TRACK_S } from '../../src/master/closed-loop.js';
import { fitCurves, predictChange, type CurveBounds, type FitTargets } from '../../src/master/fit.js';
import { smooth, type MatchDesign } from '../../src/master/plan.js';

const BANDS = thirdOctaveBands().centresHz;
const flat = { mid: BANDS.map(() => 0), side: BANDS.map(() => 0) };
const pinkish = (f: number) => -20 - 3 * Math.log2(f / 1000);
const bounds: CurveBounds = {
  midLo: BANDS.map(() => -6), midHi: BANDS.map((f) => (f < 30 ? 0 : 6)), midHiRelative: BANDS.map((f) => f < 30),
  sideRelLo: BANDS.map(() => -6), sideRelHi: BANDS.map(() => 6), sideAbs: 12, sideFollowsMid: BANDS.map((f) => f < 120),
};

describe('closed loop', () => {
  it('what a render shows the prediction missed is taken out of the targets: prediction + miss lands on the target', () => {
    const model = balanceModel(BANDS, BANDS.map(pinkish), BANDS.map((f) => pinkish(f) - 8), 48000, flat);
    const tm = smooth(BANDS.map((f) => 2 * Math.sin(Math.log2(f / 100))));
    const targets: FitTargets = { mid: tm, side: tm, midTarget: BANDS.map((f) => f >= 30 && f <= 16500), sideTarget: BANDS.map((f) => f >= 150) };
    const levelDb = loudnessShift(model, tm, tm);
    const design: MatchDesign = { model, targets, bounds, levelDb, maxEqDb: 6, result: fitCurves(model, targets, bounds, smooth, levelDb, 6) };
    // A render that came out 1 dB low around 2–4 kHz (a compressor's colour, say) and 0.3 dB high overall.
    const dip = smooth(BANDS.map((f) => (f > 1800 && f < 4500 ? 1 : 0)));
    const miss = { mid: dip.map((d) => 0.3 - d), side: BANDS.map(() => 0.3) };
    const next = refit(design, miss);
    const predicted = predictChange(model, next.result, smooth, next.levelDb);
    BANDS.forEach((f, i) => {
      if (f < 60 || f > 13000) return; // the ends: the smoothing replicates them
      expect(Math.abs(predicted.mid[i] + (miss.mid[i] - next.levelDb) - tm[i]), `${Math.round(f)} Hz`).toBeLessThanOrEqual(0.4);
    });
    expect(next.levelDb).toBeCloseTo(0.3, 9); // the miss's median over the free bands: the model's level
    const at = (hz: number) => BANDS.findIndex((f) => Math.abs(f / hz - 1) < 0.03);
    // the dip is made up, against the rest of the curve (whose level the offset may move)
    const moved = next.result.mid.map((g, i) => g - design.result.mid[i]);
    const typical = [...moved].sort((a, b) => a - b)[moved.length >> 1];
    expect(moved[at(3150)] - typical).toBeGreaterThan(0.7);
  });

  it('a track up to 45 s is measured whole; a longer one in four windows with their pre- and post-roll inside the track', () => {
    const fs = 44100;
    expect(loopWindows(30 * fs, fs)).toEqual([[0, 0, 30 * fs, 30 * fs]]);
    const n = 300 * fs;
    const w = loopWindows(n, fs);
    expect(w.length).toBe(4);
    let measured = 0;
    for (const [from, start, end, to] of w) {
      expect(from).toBeGreaterThanOrEqual(0);
      expect(to).toBeLessThanOrEqual(n);
      expect(start - from).toBe(fs); // 1 s for the compressor and the FIR to settle
      expect(to - end).toBe(fs / 2);
      measured += end - start;
    }
    expect(measured).toBe(4 * 5 * fs);
    expect(WHOLE_TRACK_S).toBe(45);
  });
});

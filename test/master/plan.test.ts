/** Reference-matching curves and chain planning, on profiles whose answer is known by construction. */
import { describe, expect, it } from 'vitest';
import { thirdOctaveBands } from '../../src/analysis/bands.js';
import { dropCutoff, fillGaps, matchCurves, planChain, smooth, type MatchStrengths } from '../../src/master/plan.js';
import type { MatchProfile } from '../../src/master/profile.js';

const BANDS = thirdOctaveBands().centresHz;
const FULL: MatchStrengths = { eq: 1, width: 1, dynamics: 1, loudness: 1 };

function profile(mid: (f: number) => number, sideRel: (f: number) => number = () => -10, extra: Partial<MatchProfile> = {}): MatchProfile {
  return {
    file: 'p', sampleRate: 48000, durationS: 60, mono: false, integratedLufs: -14, truePeakDbtp: -1, plrDb: 13, loudnessRangeLu: 5,
    width: 0.1, bandsHz: BANDS, midDb: BANDS.map(mid), sideDb: BANDS.map((f) => mid(f) + sideRel(f)), activeS: 60, ...extra,
  };
}

describe('curve helpers', () => {
  it('fillGaps interpolates linearly inside and holds the ends', () => {
    expect(fillGaps([null, 1, null, null, 4, null])).toEqual([1, 1, 2, 3, 4, 4]);
    expect(fillGaps([null, null])).toEqual([0, 0]);
  });

  it('smooth keeps constants and lines, and spreads an impulse 1/4, 1/2, 1/4', () => {
    expect(smooth([2, 2, 2, 2])).toEqual([2, 2, 2, 2]);
    const line = smooth([0, 1, 2, 3, 4]);
    expect(line.slice(1, 4)).toEqual([1, 2, 3]);
    expect(smooth([0, 0, 4, 0, 0])).toEqual([0, 1, 2, 1, 0]);
  });

  it('dropCutoff removes a lossy encoder\'s empty top from the first steep drop above 10 kHz', () => {
    const db = BANDS.map((f) => (f > 15000 ? -60 : -30));
    const out = dropCutoff(db, BANDS);
    BANDS.forEach((f, i) => expect(out[i] === null).toBe(f > 15000));
    // a gentle roll-off is music, not a cut-off
    const gentle = BANDS.map((f) => -30 - Math.max(0, Math.log2(f / 5000)) * 6);
    expect(dropCutoff(gentle, BANDS).every((v) => v !== null)).toBe(true);
  });
});

describe('matchCurves', () => {
  const tilt = (f: number) => 1.5 * Math.log2(f / 1000); // ±~10 dB over the range
  it('a reference tilted against the mix gives that tilt as the mid curve (inside the ±6 dB limit, no boost below 30 Hz)', () => {
    const mix = profile(() => -20), ref = profile((f) => -20 + tilt(f));
    const { mid } = matchCurves(mix, ref, FULL, 6, 120);
    BANDS.forEach((f, i) => {
      if (i === 0 || i === BANDS.length - 1) return; // smoothing replicates the edges
      const want = Math.min(f < 30 ? 0 : 6, Math.max(-6, tilt(f)));
      if (Math.abs(tilt(f)) < 5.5) expect(mid[i], `${f} Hz`).toBeCloseTo(want, 9);
      else expect(Math.abs(mid[i]), `${f} Hz`).toBeLessThanOrEqual(6 + 1e-12);
    });
  });

  it('strength scales the curve', () => {
    const mix = profile(() => -20), ref = profile((f) => -20 + 0.5 * tilt(f));
    const full = matchCurves(mix, ref, FULL, 6, 120).mid;
    const half = matchCurves(mix, ref, { ...FULL, eq: 0.5 }, 6, 120).mid;
    half.forEach((g, i) => expect(g).toBeCloseTo(full[i] / 2, 9));
  });

  it('width: side follows the reference\'s side/mid per band above the mono crossover, tone unchanged', () => {
    const mix = profile(() => -20, () => -12), ref = profile(() => -20, () => -9);
    const { mid, side, widthMatched } = matchCurves(mix, ref, FULL, 6, 120);
    expect(widthMatched).toBe(true);
    BANDS.forEach((f, i) => {
      expect(mid[i]).toBeCloseTo(0, 9);
      expect(side[i], `${f} Hz`).toBeCloseTo(f < 120 ? 0 : 3, 9);
    });
    const quarter = matchCurves(mix, ref, { ...FULL, width: 0.25 }, 6, 120).side;
    BANDS.forEach((f, i) => expect(quarter[i]).toBeCloseTo(f < 120 ? 0 : 0.75, 9));
  });

  it('no width change for a mono mix or reference, and no side boost where the mix has almost no side', () => {
    const ref = profile(() => -20, () => -3);
    expect(matchCurves(profile(() => -20, () => -12, { mono: true }), ref, FULL, 6, 120).widthMatched).toBe(false);
    expect(matchCurves(profile(() => -20), profile(() => -20, () => -3, { mono: true }), FULL, 6, 120).widthMatched).toBe(false);
    const nearlyMono = matchCurves(profile(() => -20, () => -40), ref, FULL, 6, 120);
    nearlyMono.side.forEach((g, i) => expect(g, `${BANDS[i]} Hz`).toBeLessThanOrEqual(1e-9));
  });
});

describe('planChain', () => {
  const limiter = { targetLufs: -14, ceilingDbtp: -1, maxGainReductionDb: 4, bypass: false };
  it('asks for 1 dB of glue by default and more, up to the limit, when the mix swings more than the references', () => {
    const asked: number[] = [];
    const glueThreshold = (_: unknown, db: number) => { asked.push(db); return -20; };
    const base = { strengths: FULL, maxEqDb: 6, maxGlueDb: 3, limiter, glueThreshold, sampleRate: 48000 };
    planChain(profile(() => -20), { ...base, reference: null });
    planChain(profile(() => -20, undefined, { loudnessRangeLu: 7 }), { ...base, reference: profile(() => -20, undefined, { loudnessRangeLu: 5 }) });
    const p = planChain(profile(() => -20, undefined, { loudnessRangeLu: 12 }), { ...base, reference: profile(() => -20, undefined, { loudnessRangeLu: 5 }) });
    expect(asked).toEqual([1, 2, 3]); // 1 + 0.5 × (7 − 5) = 2; 1 + 0.5 × 7 = 4.5 → the 3 dB limit
    expect(p.chain.stages.compressor.ratio).toBe(2);
    expect(p.chain.stages.compressor.thresholdDb).toBe(-20);
    expect(p.chain.stages.limiter).toMatchObject({ targetLufs: -14, ceilingDbtp: -1, maxGainReductionDb: 4, bypass: false });
    expect(p.decisions.every((d) => d.reason.length > 0 && d.setting.length > 0)).toBe(true);
  });

  it('--no-limiter gives a float output without the limiter', () => {
    const p = planChain(profile(() => -20), { reference: null, strengths: FULL, maxEqDb: 6, maxGlueDb: 3, limiter: { ...limiter, bypass: true }, glueThreshold: () => -20, sampleRate: 48000 });
    expect(p.chain.stages.limiter.bypass).toBe(true);
    expect(p.chain.stages.output.format).toBe('float32');
  });
});

/**
 * Multiband compressor:
 * - idle (thresholds above the signal, no make-up) it is exactly the allpass of its crossovers:
 *   compared with the input run through biquad.ts's own allpass designs (AP2, Q = 1/√2, per
 *   crossover) — the LR4 identity LP + HP = AP;
 * - per band, the static curve of Giannoulis et al. (eq. 4) measured with a tone in the band,
 *   while a tone in an idle band passes unchanged;
 * - the processor contract (block sizes, silence → states exactly 0).
 */
import { describe, expect, it } from 'vitest';
import { MultibandStage, type MultibandParams } from '../../src/chain/spec.js';
import { allpass, cascadeState, processCascade } from '../../src/dsp/biquad.js';
import { createMultiband, MULTIBAND_KNEE_DB } from '../../src/dsp/multiband.js';
import { firstDifference, lastNonZero } from '../helpers/bits.js';
import { expectBlockInvariant, runInBlocks } from '../helpers/blocks.js';
import { lr4, toneAmplitude } from '../helpers/measure.js';
import { concat, seededNoise, sine } from '../helpers/signals.js';

type Band = MultibandParams['bands'][number];
const idleBand: Partial<Band> = { thresholdDb: 0, ratio: 4, makeupDb: 0 };
function params(crossoversHz: number[], bands: Array<Partial<Band>>): MultibandParams {
  return MultibandStage.parse({ bypass: false, crossoversHz, bands });
}

/** Giannoulis et al. eq. (4) as a gain reduction (dB). */
function curveGr(x: number, t: number, r: number, w: number): number {
  if (2 * (x - t) < -w) return 0;
  if (w > 0 && 2 * Math.abs(x - t) <= w) return ((1 - 1 / r) * (x - t + w / 2) ** 2) / (2 * w);
  return (1 - 1 / r) * (x - t);
}

describe('idle multiband = the allpass of its crossovers', () => {
  for (const fs of [44100, 48000, 96000]) {
    for (const crossovers of [[200, 3000], [100, 800, 6000]]) {
      it(`${crossovers.length + 1} bands ${crossovers.join('/')} Hz at ${fs} Hz: output = Π AP(fk)·input within float32 rounding`, () => {
        const x = seededNoise(fs, 3, 0.5), y = seededNoise(fs, 4, 0.5);
        const mb = createMultiband(params(crossovers, crossovers.map(() => idleBand).concat([idleBand])), fs);
        const l = x.slice(), r = y.slice();
        runInBlocks(mb, l, r, 1000);
        const sections = crossovers.map((f) => allpass(fs, f, Math.SQRT1_2));
        const refL = Float64Array.from(x), refR = Float64Array.from(y);
        processCascade(sections, cascadeState(sections), refL);
        processCascade(sections, cascadeState(sections), refR);
        let worst = 0;
        for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(l[i] - refL[i]), Math.abs(r[i] - refR[i]));
        expect(worst).toBeLessThan(1e-7); // a float32 step at 0.5 is 6e-8
        expect(mb.stats().maxGainReductionDb).toBe(0);
      });
    }
  }
});

describe('per-band compression', () => {
  const fs = 48000;
  const crossovers = [250, 4000];

  it('a tone in the mid band follows the curve (T −30, R 3); a tone in the idle low band passes unchanged', () => {
    const bands: Array<Partial<Band>> = [
      { thresholdDb: -20, ratio: 4, makeupDb: 0 },
      { thresholdDb: -30, ratio: 3, attackMs: 5, releaseMs: 50, makeupDb: 0 },
      idleBand,
    ];
    for (const level of [-40, -33, -30, -27, -20, -10]) {
      const low = sine({ sampleRate: fs, frequency: 50, seconds: 1, peakDbfs: -30 }); // below the low band's knee
      const mid = sine({ sampleRate: fs, frequency: 1000, seconds: 1, peakDbfs: level });
      const x = low.map((v, i) => v + mid[i]);
      const l = x.slice(), r = x.slice();
      const mb = createMultiband(params(crossovers, bands), fs);
      mb.process(l, r);
      const from = fs / 2, to = fs; // 0.5 s: 25 periods of 50 Hz, 500 of 1 kHz
      const midGain = 20 * Math.log10(toneAmplitude(l, 1000, fs, from, to) / toneAmplitude(x, 1000, fs, from, to));
      const lowGain = 20 * Math.log10(toneAmplitude(l, 50, fs, from, to) / toneAmplitude(x, 50, fs, from, to));
      // band weights relative to the allpass sum are real (zero phase): the 1 kHz tone is in the mid
      // band with weight β1 = HP(250)·LP(4000) = 0.992, the rest (0.008) passes the idle bands at gain 1
      const lr4High = (f: number, fc: number) => lr4(f, fc, fs).high;
      const beta1 = lr4High(1000, 250) * (1 - lr4High(1000, 4000));
      const g = 10 ** (-curveGr(level + 20 * Math.log10(beta1), -30, 3, MULTIBAND_KNEE_DB) / 20);
      const expectedMid = 20 * Math.log10(beta1 * g + (1 - beta1));
      expect(Math.abs(midGain - expectedMid), `1 kHz at ${level} dBFS: ${midGain} dB, design ${expectedMid} dB`).toBeLessThan(0.2);
      // the 50 Hz tone leaks into the mid band at −56 dB (β = HP(250)·LP(4000) = 0.0016), so the
      // mid band's gain g moves it to 1 − (1 − g)·β
      const beta = lr4High(50, 250) * (1 - lr4High(50, 4000));
      const expectedLow = 20 * Math.log10(1 - (1 - g) * beta);
      expect(Math.abs(lowGain - expectedLow), `50 Hz: ${lowGain} dB, expected ${expectedLow} dB`).toBeLessThan(0.002);
      expect(mb.stats().bands[0].maxGainReductionDb).toBe(0);
      expect(mb.stats().bands[2].maxGainReductionDb).toBe(0);
    }
  });

  it('make-up of an idle band raises a tone in it by exactly that gain (measured)', () => {
    const bands: Array<Partial<Band>> = [idleBand, idleBand, { ...idleBand, makeupDb: 4 }];
    const x = sine({ sampleRate: fs, frequency: 12000, seconds: 0.5, peakDbfs: -12 });
    const l = x.slice(), r = x.slice();
    createMultiband(params(crossovers, bands), fs).process(l, r);
    const gain = 20 * Math.log10(toneAmplitude(l, 12000, fs, fs / 4, fs / 2) / toneAmplitude(x, 12000, fs, fs / 4, fs / 2));
    // the 12 kHz tone is in the high band at HP(4 kHz) = −0.05 dB, the rest is in the mid band (no make-up)
    const hp = lr4(12000, 4000, fs).high;
    expect(gain).toBeCloseTo(20 * Math.log10(hp * 10 ** (4 / 20) + (1 - hp)), 3);
  });

  it('stats: the overall figures are the largest band maximum and the mean of band means', () => {
    const bands: Array<Partial<Band>> = [
      { thresholdDb: -40, ratio: 2 },
      { thresholdDb: -40, ratio: 4 },
      idleBand,
    ];
    const x = seededNoise(fs, 9, 0.7);
    const mb = createMultiband(params(crossovers, bands), fs);
    mb.process(x.slice(), x.slice());
    const s = mb.stats();
    expect(s.maxGainReductionDb).toBe(Math.max(...s.bands.map((b) => b.maxGainReductionDb)));
    expect(s.meanGainReductionDb).toBeCloseTo((s.bands[0].meanGainReductionDb + s.bands[1].meanGainReductionDb + 0) / 3, 12);
    expect(s.bands[1].maxGainReductionDb).toBeGreaterThan(s.bands[0].maxGainReductionDb);
  });
});

describe('processor contract', () => {
  const fs = 44100;
  const p = params([120, 900, 7000], [
    { thresholdDb: -30, ratio: 2, attackMs: 3, releaseMs: 60 },
    { thresholdDb: -35, ratio: 3, attackMs: 1, releaseMs: 40, makeupDb: 2 },
    { thresholdDb: -25, ratio: 4, attackMs: 0.5, releaseMs: 30 },
    { thresholdDb: -40, ratio: 1.5, makeupDb: -1 },
  ]);

  it('one-shot and blocks of 1, 7, 64, 4096 samples give identical bits', () => {
    const x = concat([seededNoise(fs / 2, 1, 0.9), new Float32Array(fs / 5), sine({ sampleRate: fs, frequency: 330, seconds: 0.3, peakDbfs: -6 })]);
    const y = concat([seededNoise(fs / 2, 2, 0.9), new Float32Array(fs / 5), sine({ sampleRate: fs, frequency: 550, seconds: 0.3, peakDbfs: -6 })]);
    expectBlockInvariant(() => createMultiband(p, fs), x, y, { stats: (mb) => mb.stats() });
  });

  it('after loud audio, 60 s of digital silence bring every state and the output to exactly 0', () => {
    const loud = seededNoise(fs, 7, 1);
    const x = concat([loud, new Float32Array(60 * fs)]);
    const mb = createMultiband(p, fs);
    const l = x.slice(), r = x.slice();
    runInBlocks(mb, l, r, 4096);
    expect(mb.state().every((v) => v === 0)).toBe(true);
    expect(lastNonZero(l, r)).toBeLessThan(loud.length + 10 * fs); // the crossovers ring out well within 10 s
  });

  it('bypass (the stage default) does nothing; latency 0', () => {
    const x = seededNoise(4096, 3, 1);
    const l = x.slice(), r = x.slice();
    const mb = createMultiband(MultibandStage.parse({}), fs);
    mb.process(l, r);
    expect(firstDifference(l, x)).toBe(-1);
    expect(mb.latency).toBe(0);
  });
});

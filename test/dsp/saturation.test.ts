/**
 * The saturation stage against independent truth: the Fourier series of the static curve (computed
 * here from the curve on a fine grid: what an alias-free saturator must output for a tone in the
 * passband), aliasing measured on a 10 kHz full-scale tone (every component off the harmonic grid),
 * unity small-signal gain, an exact dry path, a phase-coherent mix, DC removal, block-size
 * independence and clean silence.
 *
 * Spectra are measured with a rectangular DFT over a whole number of periods of the tone (all
 * tones here repeat every 441 samples at 44.1 kHz, so every harmonic and every alias of a harmonic
 * lands exactly on the 100 Hz grid): no window leakage, so −90 dB is measured, not a window floor.
 */
import { describe, expect, it } from 'vitest';
import { runProcessors } from '../../src/chain/run.js';
import { SaturationStage } from '../../src/chain/spec.js';
import { createSaturation, tapeCurve, TAPE_KNEE, tubeCurve, TUBE_KNEE_NEGATIVE, TUBE_KNEE_POSITIVE } from '../../src/dsp/saturation.js';
import { dbToAmp } from '../../src/util/db.js';
import { BLOCK_SIZES } from '../helpers/blocks.js';
import { coherentAmplitude } from '../helpers/measure.js';
import { seededNoise, sine } from '../helpers/signals.js';

const FS = 44100;
const PERIOD = 441; // 100 Hz grid at 44.1 kHz

/** Amplitude of harmonic k (0 = DC) of curve(g·A·sin θ)/g: the Fourier series of the static curve, on 8192 points. */
function curveHarmonic(curve: (u: number) => number, driveDb: number, amplitude: number, k: number): number {
  const g = dbToAmp(driveDb), m = 8192;
  let re = 0, im = 0;
  for (let i = 0; i < m; i++) {
    const th = (2 * Math.PI * i) / m;
    const y = curve(g * amplitude * Math.sin(th)) / g;
    re += y * Math.cos(k * th);
    im -= y * Math.sin(k * th);
  }
  return ((k === 0 ? 1 : 2) * Math.hypot(re, im)) / m;
}

const db = (a: number) => 20 * Math.log10(a + 1e-300);
const params = (p: Partial<{ type: 'tape' | 'tube'; driveDb: number; mixPercent: number }>) => SaturationStage.parse(p);

/**
 * Runs a tone of `cycles` per 441 samples through the stage (latency removed), returns the output
 * (dual mono in, left out). Analyse it away from the last few hundred samples: the tone stops
 * there, and the linear-phase filters ring on the cut before it.
 */
function processTone(p: ReturnType<typeof params>, cycles: number, amplitude: number, seconds = 1.5): Float32Array {
  const x = sine({ sampleRate: FS, frequency: (cycles * FS) / PERIOD, seconds, amplitude });
  const [l] = runProcessors([createSaturation(p, FS)], x, Float32Array.from(x));
  return l;
}

describe('curves', () => {
  it('slope 1 at 0, flat beyond the knees with zero slope at the knee, tape odd-symmetric', () => {
    const e = 1e-6;
    for (const curve of [tapeCurve, tubeCurve]) expect((curve(e) - curve(-e)) / (2 * e)).toBeCloseTo(1, 9);
    for (const u of [0.1, 0.7, 1.9, 3.3, 5, 40]) expect(tapeCurve(-u)).toBe(-tapeCurve(u));
    // zero slope reached continuously at the knees: p(K) − p(K − δ) = O(δ³)
    const d = 1e-3;
    expect(Math.abs(tapeCurve(TAPE_KNEE) - tapeCurve(TAPE_KNEE - d))).toBeLessThan(1e-8);
    expect(Math.abs(tubeCurve(TUBE_KNEE_POSITIVE) - tubeCurve(TUBE_KNEE_POSITIVE - d))).toBeLessThan(1e-8);
    expect(Math.abs(tubeCurve(-TUBE_KNEE_NEGATIVE) - tubeCurve(-TUBE_KNEE_NEGATIVE + d))).toBeLessThan(1e-8);
    expect(tapeCurve(TAPE_KNEE + 1)).toBe(tapeCurve(TAPE_KNEE));
    // tube is asymmetric: the positive side saturates first
    expect(tubeCurve(3)).toBeLessThan(-tubeCurve(-3));
  });
});

describe('aliasing: 10 kHz full-scale sine at 44.1 kHz', () => {
  for (const type of ['tape', 'tube'] as const) {
    for (const driveDb of [SaturationStage.parse({}).driveDb, 12]) {
      it(`${type}, drive ${driveDb} dB: every component off the 10 kHz harmonics is below −90 dBFS and −90 dB re the fundamental`, () => {
        const y = processTone(params({ type, driveDb }), 100, 1);
        const from = y.length - 24 * PERIOD;
        const fundamental = coherentAmplitude(y, from, PERIOD, 20, 100);
        let worst = -Infinity;
        for (let c = 1; c <= 220; c++) {
          if (c % 100 === 0) continue; // 10 and 20 kHz
          worst = Math.max(worst, db(coherentAmplitude(y, from, PERIOD, 20, c)));
        }
        expect(worst).toBeLessThan(-90);
        expect(worst - db(fundamental)).toBeLessThan(-90);
        // and the output really is saturated: the 2nd (tube) or the 20 kHz… the fundamental is compressed as the curve says
        expect(db(fundamental)).toBeCloseTo(db(curveHarmonic(type === 'tape' ? tapeCurve : tubeCurve, driveDb, 1, 1)), 1);
      });
    }
  }

  it('the measurement sees aliasing when there is some: the same curve at 1x, driven 24 dB, aliases far above −90 dB', () => {
    const x = sine({ sampleRate: FS, frequency: 10000, samples: 20 * PERIOD, amplitude: 1 });
    const g = dbToAmp(24);
    const y = x.map((v) => tapeCurve(g * v) / g);
    let worst = -Infinity;
    for (let c = 1; c <= 220; c++) if (c % 100 !== 0) worst = Math.max(worst, db(coherentAmplitude(y, 0, PERIOD, 20, c)));
    expect(worst).toBeGreaterThan(-60);
  });
});

describe('harmonics match the static curve (1 kHz full-scale tone: all harmonics in the passband)', () => {
  for (const [type, curve] of [['tape', tapeCurve], ['tube', tubeCurve]] as const) {
    for (const driveDb of [2, 12]) {
      it(`${type}, drive ${driveDb} dB`, () => {
        const y = processTone(params({ type, driveDb }), 10, 1);
        const from = y.length - 24 * PERIOD;
        for (let k = 1; k <= 20; k++) {
          const measured = db(coherentAmplitude(y, from, PERIOD, 20, 10 * k));
          const expected = db(curveHarmonic(curve, driveDb, 1, k));
          if (expected > -80) expect(Math.abs(measured - expected)).toBeLessThan(0.05);
          else expect(measured).toBeLessThan(-80 + 0.05);
        }
        if (type === 'tape') {
          // odd curve: no even harmonics
          for (let k = 2; k <= 22; k += 2) expect(db(coherentAmplitude(y, from, PERIOD, 20, 10 * k))).toBeLessThan(-100);
        } else {
          expect(db(coherentAmplitude(y, from, PERIOD, 20, 20))).toBeGreaterThan(-40); // a real 2nd harmonic
        }
      });
    }
  }
});

describe('levels and mix', () => {
  it('low levels pass at unity gain (within 0.1 dB) at drive 0 and 12 dB, both types', () => {
    for (const type of ['tape', 'tube'] as const) {
      for (const driveDb of [0, 12]) {
        const y = processTone(params({ type, driveDb }), 10, dbToAmp(-40));
        const from = y.length - 24 * PERIOD;
        expect(Math.abs(db(coherentAmplitude(y, from, PERIOD, 20, 10)) - -40)).toBeLessThan(0.1);
      }
    }
  });

  it('mixPercent 0 gives the input delayed by `latency`, bit for bit', () => {
    const x = seededNoise(20000, 3, 0.9), r = seededNoise(20000, 4, 0.9);
    const p = createSaturation(params({ type: 'tube', driveDb: 18, mixPercent: 0 }), FS);
    expect(p.latency).toBeGreaterThan(0);
    const [l, rr] = runProcessors([p], x, r);
    expect(l).toEqual(x);
    expect(rr).toEqual(r);
  });

  it('the mix is phase-coherent: 50 % = average of the dry signal and the 100 % output', () => {
    const x = seededNoise(20000, 5, 0.9);
    const [wet] = runProcessors([createSaturation(params({ driveDb: 12, mixPercent: 100 }), FS)], x, x);
    const [half] = runProcessors([createSaturation(params({ driveDb: 12, mixPercent: 50 }), FS)], x, x);
    let err = 0, diff = 0;
    for (let i = 0; i < x.length; i++) {
      err = Math.max(err, Math.abs(half[i] - 0.5 * (x[i] + wet[i])));
      diff = Math.max(diff, Math.abs(wet[i] - x[i]));
    }
    expect(diff).toBeGreaterThan(0.05); // the wet path really differs
    expect(err).toBeLessThan(1e-6); // float32 rounding only
  });
});

describe('tube DC and silence', () => {
  it('no DC: a full-scale 1 kHz tone at 12 dB drive has a mean below −80 dBFS (the curve alone would give about −24 dBFS)', () => {
    expect(db(curveHarmonic(tubeCurve, 12, 1, 0))).toBeGreaterThan(-30);
    const y = processTone(params({ type: 'tube', driveDb: 12 }), 10, 1, 3);
    const from = y.length - 104 * PERIOD, to = y.length - 4 * PERIOD;
    let sum = 0;
    for (let i = from; i < to; i++) sum += y[i];
    expect(db(Math.abs(sum / (to - from)))).toBeLessThan(-80);
  });

  it('silence after loud audio comes out as exact zeros (no denormal tails)', () => {
    for (const type of ['tape', 'tube'] as const) {
      const loud = seededNoise(FS, 9, 1);
      const x = new Float32Array(8 * FS);
      x.set(loud);
      const [l] = runProcessors([createSaturation(params({ type, driveDb: 12 }), FS)], x, Float32Array.from(x));
      for (let i = 7 * FS; i < l.length; i++) if (l[i] !== 0) throw new Error(`${type}: sample ${i} is ${l[i]}`);
    }
  });
});

describe('streaming', () => {
  it('output is bit-identical whatever the block cutting (tube, 50 % mix)', () => {
    const l = seededNoise(12000, 11, 0.9), r = seededNoise(12000, 12, 0.9);
    const run = (block: number) => runProcessors([createSaturation(params({ type: 'tube', driveDb: 9, mixPercent: 50 }), FS)], l, r, block);
    const [refL, refR] = run(l.length + 2000);
    for (const b of BLOCK_SIZES) {
      const [bl, br] = run(b);
      expect(bl).toEqual(refL);
      expect(br).toEqual(refR);
    }
  });
});

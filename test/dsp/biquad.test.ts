/**
 * biquad.ts against analytic truth: RBJ cookbook identities (bell gain at the centre, shelf
 * asymptotes and midpoints), the analogue prototypes they come from (far from Nyquist the bilinear
 * transform is nearly exact), the exact digital Butterworth magnitude, and the processed response of
 * sines against cascadeMagnitudeDb.
 */
import { describe, expect, it } from 'vitest';
import {
  allpass,
  bell,
  type Biquad,
  butterworth,
  cascadeMagnitudeDb,
  cascadeState,
  flushCascadeState,
  highpass,
  highShelf,
  lowpass,
  lowShelf,
  processCascade,
} from '../../src/dsp/biquad.js';
import { sameBits } from '../helpers/bits.js';
import { BLOCK_SIZES } from '../helpers/blocks.js';
import { fitSine, logSweep } from '../helpers/measure.js';
import { seededNoise, sine } from '../helpers/signals.js';

const RATES = [44100, 48000, 96000];

/** Steady-state gain (dB) of a cascade at f: 2.5 s of settling, then a least-squares fit over ≥ 0.5 s. */
function measuredDb(sections: Biquad[], fs: number, f: number): number {
  const settle = Math.round(2.5 * fs), span = Math.round(0.5 * fs);
  const x = sine({ sampleRate: fs, frequency: f, samples: settle + span, amplitude: 0.5 });
  const reference = fitSine(x, (2 * Math.PI * f) / fs, settle, settle + span).amplitude;
  processCascade(sections, cascadeState(sections), x);
  return 20 * Math.log10(fitSine(x, (2 * Math.PI * f) / fs, settle, settle + span).amplitude / reference);
}

/** Analogue |H(jf)| in dB of a rational H(s) = (n2·s² + n1·s + n0)/(d2·s² + d1·s + d0), s = jf/f0. */
function analogDb(num: [number, number, number], den: [number, number, number], f0: number, f: number): number {
  const w = f / f0;
  const mag2 = (p: [number, number, number]) => (p[2] - p[0] * w * w) ** 2 + (p[1] * w) ** 2;
  return 10 * Math.log10(mag2(num) / mag2(den));
}

describe('bell (RBJ peakingEQ)', () => {
  for (const fs of RATES) {
    it(`gain at the centre is gainDb exactly, 0 dB at DC and Nyquist (${fs} Hz)`, () => {
      for (const f0 of [20, 100, 1000, 8000, 16000]) {
        for (const g of [-12, -3, 0.5, 6, 12]) {
          for (const q of [0.1, 0.7, 2, 10]) {
            const s = [bell(fs, f0, g, q)];
            // 7 digits: a 20 Hz section at 96 kHz has coefficients within 1e-5 of each other.
            expect(cascadeMagnitudeDb(s, fs, f0)).toBeCloseTo(g, 7);
            expect(cascadeMagnitudeDb(s, fs, 0)).toBeCloseTo(0, 7);
            expect(cascadeMagnitudeDb(s, fs, fs / 2)).toBeCloseTo(0, 7);
          }
        }
      }
    });
  }
  it('follows the analogue prototype (s² + s·A/Q + 1)/(s² + s/(A·Q) + 1) within 0.01 dB far below Nyquist (1 kHz at 192 kHz)', () => {
    for (const [g, q] of [[6, 0.7], [-9, 2], [12, 5]]) {
      const a = 10 ** (g / 40);
      const s = [bell(192000, 1000, g, q)];
      for (const f of logSweep(20, 4000, 60)) {
        expect(Math.abs(cascadeMagnitudeDb(s, 192000, f) - analogDb([1, a / q, 1], [1, 1 / (a * q), 1], 1000, f))).toBeLessThan(0.01);
      }
    }
  });
});

describe('shelves (RBJ lowShelf / highShelf)', () => {
  for (const fs of RATES) {
    it(`asymptotes exact (gain at one end, 0 dB at the other) and half the dB gain at the corner (${fs} Hz)`, () => {
      for (const f0 of [50, 300, 2000, 10000]) {
        for (const g of [-12, -4, 3, 12]) {
          for (const q of [0.3, 0.707, 1.5]) {
            const lo = [lowShelf(fs, f0, g, q)], hi = [highShelf(fs, f0, g, q)];
            expect(cascadeMagnitudeDb(lo, fs, 0)).toBeCloseTo(g, 7);
            expect(cascadeMagnitudeDb(lo, fs, fs / 2)).toBeCloseTo(0, 7);
            expect(cascadeMagnitudeDb(lo, fs, f0)).toBeCloseTo(g / 2, 7);
            expect(cascadeMagnitudeDb(hi, fs, 0)).toBeCloseTo(0, 7);
            expect(cascadeMagnitudeDb(hi, fs, fs / 2)).toBeCloseTo(g, 7);
            expect(cascadeMagnitudeDb(hi, fs, f0)).toBeCloseTo(g / 2, 7);
          }
        }
      }
    });
  }
  it('Q 0.707 gives a monotone shelf (no overshoot); Q 2 overshoots', () => {
    const fs = 48000;
    const monotone = (s: Biquad[]) => {
      let prev = cascadeMagnitudeDb(s, fs, 10);
      for (const f of logSweep(10, 23000, 400).slice(1)) {
        const v = cascadeMagnitudeDb(s, fs, f);
        if (v < prev - 1e-9) return false;
        prev = v;
      }
      return true;
    };
    expect(monotone([highShelf(fs, 3000, 6, Math.SQRT1_2)])).toBe(true);
    expect(monotone([lowShelf(fs, 200, -6, Math.SQRT1_2)])).toBe(true);
    expect(monotone([highShelf(fs, 3000, 6, 2)])).toBe(false);
  });
  it('follows the analogue prototypes far below Nyquist within 0.01 dB (1 kHz at 192 kHz)', () => {
    for (const g of [-9, 6]) {
      const a = 10 ** (g / 40), q = Math.SQRT1_2, k = Math.sqrt(a) / q;
      // Cookbook: low shelf A·(s² + k·s + A)/(A·s² + k·s + 1), high shelf A·(A·s² + k·s + 1)/(s² + k·s + A).
      const lo = [lowShelf(192000, 1000, g, q)], hi = [highShelf(192000, 1000, g, q)];
      for (const f of logSweep(20, 4000, 60)) {
        expect(Math.abs(cascadeMagnitudeDb(lo, 192000, f) - analogDb([a, a * k, a * a], [a, k, 1], 1000, f))).toBeLessThan(0.01);
        expect(Math.abs(cascadeMagnitudeDb(hi, 192000, f) - analogDb([a * a, a * k, a], [1, k, a], 1000, f))).toBeLessThan(0.01);
      }
    }
  });
});

describe('low-pass, high-pass, all-pass', () => {
  it('all-pass is 0 dB everywhere; 2nd-order LP/HP at Q 0.707 are −3.01 dB at the corner', () => {
    const fs = 44100;
    for (const f of logSweep(10, 22000, 50)) expect(cascadeMagnitudeDb([allpass(fs, 1000, 0.9)], fs, f)).toBeCloseTo(0, 9);
    expect(cascadeMagnitudeDb([lowpass(fs, 1000, Math.SQRT1_2)], fs, 1000)).toBeCloseTo(-3.0103, 4);
    expect(cascadeMagnitudeDb([highpass(fs, 1000, Math.SQRT1_2)], fs, 1000)).toBeCloseTo(-3.0103, 4);
  });
});

describe('Butterworth cascades', () => {
  for (const fs of RATES) {
    it(`orders 1–8: −3.01 dB at the corner and the exact bilinear Butterworth magnitude everywhere (${fs} Hz)`, () => {
      for (const order of [1, 2, 3, 4, 5, 6, 7, 8]) {
        for (const fc of [10, 25, 60, 1000]) {
          const hp = butterworth('highpass', fs, fc, order), lp = butterworth('lowpass', fs, fc, order);
          expect(hp.length).toBe(Math.ceil(order / 2));
          expect(cascadeMagnitudeDb(hp, fs, fc)).toBeCloseTo(-3.0103, 4);
          expect(cascadeMagnitudeDb(lp, fs, fc)).toBeCloseTo(-3.0103, 4);
          // |H|² = 1/(1 + (Ωc/Ω)^2n) for the high-pass (Ω = tan(πf/fs): pre-warped bilinear), 1/(1 + (Ω/Ωc)^2n) for the low-pass.
          const wc = Math.tan((Math.PI * fc) / fs);
          for (const f of logSweep(fc / 8, Math.min(8 * fc, 0.45 * fs), 25)) {
            const r = (wc / Math.tan((Math.PI * f) / fs)) ** (2 * order);
            // 1e-4 dB: at −150 dB the coefficients' double rounding shows in the 7th digit.
            expect(Math.abs(cascadeMagnitudeDb(hp, fs, f) + 10 * Math.log10(1 + r))).toBeLessThan(1e-4);
            expect(Math.abs(cascadeMagnitudeDb(lp, fs, f) + 10 * Math.log10(1 + 1 / r))).toBeLessThan(1e-4);
          }
        }
      }
    });
  }
  it('slope far below the corner is 6.02·order dB/octave (high-pass at 1 kHz, 44.1 kHz)', () => {
    for (const order of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const hp = butterworth('highpass', 44100, 1000, order);
      const slope = cascadeMagnitudeDb(hp, 44100, 10) - cascadeMagnitudeDb(hp, 44100, 5);
      expect(slope).toBeCloseTo(6.0206 * order, 2);
    }
  });
  it('refuses orders outside 1–8', () => {
    expect(() => butterworth('highpass', 48000, 20, 0)).toThrow(RangeError);
    expect(() => butterworth('highpass', 48000, 20, 9)).toThrow(RangeError);
    expect(() => butterworth('highpass', 48000, 20, 2.5)).toThrow(RangeError);
  });
});

describe('processCascade', () => {
  for (const fs of RATES) {
    it(`a sine's processed steady-state gain equals cascadeMagnitudeDb within 0.01 dB (${fs} Hz)`, () => {
      const cascades: Biquad[][] = [
        [bell(fs, 1000, 6, 1.4)],
        [lowShelf(fs, 120, -5, 0.707), highShelf(fs, 9000, 4, 0.707)],
        butterworth('highpass', fs, 30, 8),
        [...butterworth('highpass', fs, 25, 3), bell(fs, 60, -4, 4), bell(fs, 15000, 3, 0.5)],
      ];
      for (const sections of cascades) {
        for (const f of [20, 31, 63, 250, 1000, 4000, 12000, 18000]) {
          expect(Math.abs(measuredDb(sections, fs, f) - cascadeMagnitudeDb(sections, fs, f))).toBeLessThan(0.01);
        }
      }
    });
  }

  it('with flush = false, any block cutting gives the one-shot output bit for bit', () => {
    const fs = 44100;
    const sections = [...butterworth('highpass', fs, 25, 4), bell(fs, 3000, 5, 2)];
    const x = seededNoise(20000, 3, 0.5);
    const once = x.slice();
    processCascade(sections, cascadeState(sections), once, 0, once.length, false);
    for (const block of BLOCK_SIZES) {
      const y = x.slice();
      const state = cascadeState(sections);
      for (let i = 0; i < y.length; i += block) processCascade(sections, state, y, i, Math.min(y.length, i + block), false);
      expect(sameBits(y, once)).toBe(true);
    }
  });

  it('states decay to exactly 0 in silence (flushDenormal), so no denormals', () => {
    const fs = 44100;
    const sections = [...butterworth('highpass', fs, 25, 8), bell(fs, 40, 6, 4)];
    const state = cascadeState(sections);
    processCascade(sections, state, seededNoise(4410, 5, 1));
    const silence = new Float32Array(4096);
    for (let i = 0; i < 400 && state.some((v) => v !== 0); i++) processCascade(sections, state, silence);
    expect([...state].every((v) => v === 0)).toBe(true);
    flushCascadeState(state);
    expect([...state].every((v) => v === 0)).toBe(true);
  });
});

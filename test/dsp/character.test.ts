/**
 * Character stage (air shelf): the design follows the INTENDED analogue shelf within
 * AIR_SHELF_TOLERANCE_DB up to 20 kHz (where the bilinear cookbook shelf does not), and the measured
 * response of sines matches the design.
 */
import { describe, expect, it } from 'vitest';
import { CharacterStage } from '../../src/chain/spec.js';
import { cascadeMagnitudeDb, highShelf } from '../../src/dsp/biquad.js';
import { AIR_SHELF_TOLERANCE_DB, createCharacter, designAirShelf } from '../../src/dsp/character.js';
import { concat, seededNoise, sine } from '../helpers/signals.js';

/**
 * The analogue prototype, evaluated here as complex arithmetic on H(s) (RBJ cookbook high shelf):
 * H(s) = A·(A·s² + (√A/Q)·s + 1)/(s² + (√A/Q)·s + A), s = j·f/f0, A = 10^(gain/40).
 */
function analogShelfDb(f0: number, gainDb: number, f: number, q = Math.SQRT1_2): number {
  const a = 10 ** (gainDb / 40), w = f / f0, k = Math.sqrt(a) / q;
  // numerator A·(1 − A·w²) + j·A·k·w, denominator (A − w²) + j·k·w
  const nr = a * (1 - a * w * w), ni = a * k * w, dr = a - w * w, di = k * w;
  return 10 * Math.log10((nr * nr + ni * ni) / (dr * dr + di * di));
}

function fitAmplitude(y: Float32Array, w: number, from: number, to: number): number {
  let ss = 0, sc = 0, cc = 0, ys = 0, yc = 0;
  for (let n = from; n < to; n++) {
    const s = Math.sin(w * n), c = Math.cos(w * n);
    ss += s * s; sc += s * c; cc += c * c; ys += y[n] * s; yc += y[n] * c;
  }
  const det = ss * cc - sc * sc;
  return Math.hypot((ys * cc - yc * sc) / det, (yc * ss - ys * sc) / det);
}

const sameBits = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
const sweep = (lo: number, hi: number, n: number) => Array.from({ length: n }, (_, i) => lo * (hi / lo) ** (i / (n - 1)));

describe('air shelf design vs the intended analogue shelf', () => {
  for (const fs of [44100, 48000, 88200, 96000]) {
    it(`within ${AIR_SHELF_TOLERANCE_DB} dB from 20 Hz to 20 kHz, corners 5–20 kHz, gains ±6 dB (${fs} Hz)`, () => {
      let worst = 0;
      for (let f0 = 5000; f0 <= 20000; f0 += 1000) {
        for (const g of [-6, -3, -1, 0.5, 2, 4, 6]) {
          const s = [designAirShelf(fs, f0, g)];
          for (const f of sweep(20, 20000, 300)) worst = Math.max(worst, Math.abs(cascadeMagnitudeDb(s, fs, f) - analogShelfDb(f0, g, f)));
        }
      }
      expect(worst).toBeLessThan(AIR_SHELF_TOLERANCE_DB);
    });
  }

  it('the premise: the bilinear cookbook shelf misses the analogue one by > 0.5 dB near 20 kHz at 44.1 kHz', () => {
    const s = [highShelf(44100, 16000, 6, Math.SQRT1_2)];
    expect(Math.abs(cascadeMagnitudeDb(s, 44100, 20000) - analogShelfDb(16000, 6, 20000))).toBeGreaterThan(0.5);
  });

  it('DC gain is exactly 0 dB; the gain at the corner is half the dB gain (44.1 kHz)', () => {
    for (const [f0, g] of [[8000, 6], [12000, -4], [18000, 3]]) {
      const s = [designAirShelf(44100, f0, g)];
      expect(cascadeMagnitudeDb(s, 44100, 0)).toBeCloseTo(0, 9);
      expect(cascadeMagnitudeDb(s, 44100, f0)).toBeCloseTo(g / 2, 1);
    }
  });

  it('is stable for every corner and gain, down to 8 kHz sampling (corner above Nyquist)', () => {
    for (const fs of [8000, 22050, 32000, 44100, 192000]) {
      for (let f0 = 5000; f0 <= 20000; f0 += 2500) {
        for (const g of [-6, -0.1, 0.1, 6]) {
          const s = designAirShelf(fs, f0, g);
          expect(Math.abs(s.a2)).toBeLessThan(1);
          expect(Math.abs(s.a1)).toBeLessThan(1 + s.a2);
        }
      }
    }
  });
});

describe('air shelf processor', () => {
  for (const fs of [44100, 48000, 96000]) {
    it(`measured sine gains = the design's analytic response within 0.01 dB (${fs} Hz)`, () => {
      for (const [f0, g] of [[10000, 4], [16000, -6], [20000, 6]]) {
        const params = CharacterStage.parse({ airFrequencyHz: f0, airGainDb: g });
        for (const f of [100, 1000, 5000, 10000, 14000, 16000, 18000, 20000]) {
          const n = Math.round(0.2 * fs), settle = Math.round(0.05 * fs);
          const x = sine({ sampleRate: fs, frequency: f, samples: n, amplitude: 0.5 });
          const l = x.slice(), r = x.slice();
          const p = createCharacter(params, fs);
          p.process(l, r);
          const w = (2 * Math.PI * f) / fs;
          const measured = 20 * Math.log10(fitAmplitude(l, w, settle, n) / fitAmplitude(x, w, settle, n));
          expect(Math.abs(measured - cascadeMagnitudeDb([p.shelf], fs, f))).toBeLessThan(0.01);
          expect(sameBits(l, r)).toBe(true);
        }
      }
    });
  }

  it('0 dB gain: output bits = input bits', () => {
    const x = seededNoise(5000, 1, 0.7), y = seededNoise(5000, 2, 0.7);
    const l = x.slice(), r = y.slice();
    createCharacter(CharacterStage.parse({ airGainDb: 0 }), 44100).process(l, r);
    expect(sameBits(l, x) && sameBits(r, y)).toBe(true);
  });

  it('any block cutting gives the one-shot output bit for bit; silence decays to exact zeros', () => {
    const fs = 44100;
    const params = CharacterStage.parse({ airFrequencyHz: 9000, airGainDb: 5 });
    const l0 = concat([seededNoise(fs, 3, 0.8), new Float32Array(2 * fs)]), r0 = concat([seededNoise(fs, 4, 0.8), new Float32Array(2 * fs)]);
    const once = [l0.slice(), r0.slice()];
    createCharacter(params, fs).process(once[0], once[1]);
    for (const block of [1, 7, 64, 4096]) {
      const l = l0.slice(), r = r0.slice();
      const p = createCharacter(params, fs);
      for (let i = 0; i < l.length; i += block) p.process(l.subarray(i, i + block), r.subarray(i, i + block));
      expect(sameBits(l, once[0]) && sameBits(r, once[1])).toBe(true);
    }
    expect(once[0].subarray(once[0].length - fs).every((v) => v === 0)).toBe(true);
  });
});

/**
 * Character stage (air shelf): the design follows the INTENDED analogue shelf within
 * AIR_SHELF_TOLERANCE_DB up to 20 kHz (where the bilinear cookbook shelf does not), and the measured
 * response of sines matches the design.
 */
import { describe, expect, it } from 'vitest';
import { CharacterStage } from '../../src/chain/spec.js';
import { cascadeMagnitudeDb, highShelf } from '../../src/dsp/biquad.js';
import { AIR_SHELF_TOLERANCE_DB, createCharacter, designAirShelf } from '../../src/dsp/character.js';
import { sameBits } from '../helpers/bits.js';
import { expectBlockInvariant } from '../helpers/blocks.js';
import { fitSine, logSweep } from '../helpers/measure.js';
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

describe('air shelf design vs the intended analogue shelf', () => {
  for (const fs of [44100, 48000, 88200, 96000]) {
    it(`within ${AIR_SHELF_TOLERANCE_DB} dB from 20 Hz to 20 kHz, corners 5–20 kHz, gains ±6 dB (${fs} Hz)`, () => {
      let worst = 0;
      for (let f0 = 5000; f0 <= 20000; f0 += 1000) {
        for (const g of [-6, -3, -1, 0.5, 2, 4, 6]) {
          const s = [designAirShelf(fs, f0, g)];
          for (const f of logSweep(20, 20000, 300)) worst = Math.max(worst, Math.abs(cascadeMagnitudeDb(s, fs, f) - analogShelfDb(f0, g, f)));
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
          const measured = 20 * Math.log10(fitSine(l, w, settle, n).amplitude / fitSine(x, w, settle, n).amplitude);
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
    const once = expectBlockInvariant(() => createCharacter(params, fs), l0, r0);
    expect(once[0].subarray(once[0].length - fs).every((v) => v === 0)).toBe(true);
  });
});

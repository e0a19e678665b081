/**
 * Independent truth for K-weighting and the loudness scale, from ITU-R BS.1770-4 (10/2015):
 * - Annex 1, Table 1 (stage 1, the shelving "pre-filter") and Table 2 (stage 2, the RLB high-pass):
 *   the published biquad coefficients at 48 kHz;
 * - §2 / Annex 1: "If a 0 dB FS, 997 Hz sine wave is applied to the left, centre, or right channel
 *   input, the indicated loudness will equal −3.01 LKFS" (the −0.691 dB constant is chosen for it).
 */
import { describe, expect, it } from 'vitest';
import { kWeightingCoefficients } from '../../src/analysis/kweighting.js';
import { measureLoudness } from '../../src/analysis/loudness.js';
import { sine } from '../helpers/signals.js';

describe('K-weighting coefficients at 48 kHz (BS.1770-4 Annex 1, Tables 1 and 2)', () => {
  const k = kWeightingCoefficients(48000);
  const close = (actual: number[], published: number[]) => {
    actual.forEach((v, i) => expect(Math.abs(v - published[i]), `coefficient ${i}: ${v}`).toBeLessThan(1e-6));
  };

  it('stage 1 shelf: b = 1.53512485958697, −2.69169618940638, 1.19839281085285; a = 1, −1.69065929318241, 0.73248077421585', () => {
    close(k.shelf.b, [1.53512485958697, -2.69169618940638, 1.19839281085285]);
    close(k.shelf.a, [1.0, -1.69065929318241, 0.73248077421585]);
  });

  it('stage 2 RLB high-pass: b = 1, −2, 1; a = 1, −1.99004745483398, 0.99007225036621', () => {
    close(k.highpass.b, [1.0, -2.0, 1.0]);
    close(k.highpass.a, [1.0, -1.99004745483398, 0.99007225036621]);
  });
});

describe('loudness scale (BS.1770-4: 0 dBFS 997 Hz sine in one front channel = −3.01 LKFS)', () => {
  for (const fs of [48000, 44100, 96000]) {
    it(`reads −3.01 ±0.05 LKFS in L of a stereo pair, and in C of a 5.0 layout (${fs} Hz)`, () => {
      const tone = sine({ sampleRate: fs, frequency: 997, seconds: 10, amplitude: 1 });
      const silence = new Float32Array(tone.length);
      const stereo = measureLoudness([tone, silence], fs);
      expect(Math.abs((stereo.integratedLufs as number) + 3.01), `${stereo.integratedLufs}`).toBeLessThan(0.05);
      const surround = measureLoudness([silence, silence, tone, silence, silence], fs, { channelWeights: [1, 1, 1, 1.41, 1.41] });
      expect(Math.abs((surround.integratedLufs as number) + 3.01), `${surround.integratedLufs}`).toBeLessThan(0.05);
    });
  }
});

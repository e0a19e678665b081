/** Active-part profiles: gating out quiet passages, mono detection, combining references. */
import { describe, expect, it } from 'vitest';
import { combineProfiles, measureProfile } from '../../src/master/profile.js';
import { floatWavAudio } from '../helpers/audio.js';
import { concat, seededNoise, sine } from '../helpers/signals.js';

const FS = 44100;

describe('measureProfile', () => {
  it('measures the balance of the active music only: a quiet tail of another colour does not move it', () => {
    const loud = [seededNoise(10 * FS, 1, 0.5), seededNoise(10 * FS, 2, 0.5)];
    const tail = sine({ sampleRate: FS, frequency: 100, seconds: 10, peakDbfs: -40 });
    const alone = measureProfile(floatWavAudio(loud[0], loud[1], FS));
    const withTail = measureProfile(floatWavAudio(concat([loud[0], tail]), concat([loud[1], tail]), FS));
    alone.midDb.forEach((db, i) => {
      if (db === null || alone.bandsHz[i] < 40) return;
      expect(withTail.midDb[i], `${alone.bandsHz[i]} Hz`).toBeCloseTo(db, 0);
    });
    // independent white noise in L and R: side and mid carry equal energy
    expect(alone.width).toBeCloseTo(1, 1);
    expect(alone.mono).toBe(false);
    expect(withTail.activeS).toBeGreaterThan(9);
    expect(withTail.activeS).toBeLessThan(11);
  });

  it('detects mono and refuses silence with the file named', () => {
    const x = seededNoise(5 * FS, 3, 0.5);
    expect(measureProfile(floatWavAudio(x, x, FS)).mono).toBe(true);
    const silent = new Float32Array(5 * FS);
    expect(() => measureProfile(floatWavAudio(silent, silent, FS, 'quiet.wav'))).toThrow(/^quiet\.wav: has no music/);
  });
});

describe('combineProfiles', () => {
  it('averages loudness in dB and band powers by weight', () => {
    const a = measureProfile(floatWavAudio(seededNoise(5 * FS, 4, 0.5), seededNoise(5 * FS, 5, 0.5), FS));
    const b = { ...a, integratedLufs: a.integratedLufs - 6, midDb: a.midDb.map((v) => (v === null ? null : v - 10)) };
    const c = combineProfiles([a, b], [3, 1]);
    expect(c.integratedLufs).toBeCloseTo(a.integratedLufs - 1.5, 9);
    const i = a.bandsHz.findIndex((f) => f > 990 && f < 1010);
    expect(c.midDb[i]).toBeCloseTo((a.midDb[i] as number) + 10 * Math.log10(0.75 + 0.25 * 0.1), 9);
    expect(() => combineProfiles([a, b], [0, 0])).toThrow();
  });
});

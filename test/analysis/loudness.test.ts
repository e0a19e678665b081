/** integratedLoudness: the integrated figure alone, the same double as the full measurement's. */
import { describe, expect, it } from 'vitest';
import { integratedLoudness, measureLoudness } from '../../src/analysis/loudness.js';
import { concat, seededNoise, sine } from '../helpers/signals.js';

describe('integratedLoudness', () => {
  it('equals measureLoudness(…).integratedLufs bit for bit, stereo, dual-mono and silent', () => {
    const fs = 44100;
    const quiet = sine({ sampleRate: fs, frequency: 440, seconds: 3, peakDbfs: -40 });
    const l = concat([seededNoise(4 * fs, 41, 0.3), quiet]), r = concat([seededNoise(4 * fs, 42, 0.2), quiet]);
    for (const channels of [[l, r], [l, l], [new Float32Array(fs), new Float32Array(fs)]]) {
      expect(integratedLoudness(channels, fs)).toBe(measureLoudness(channels, fs).integratedLufs);
    }
    expect(integratedLoudness([l, r], fs)).not.toBeNull();
  });
});

/** The feature vector's contract with the model: fixed names and order, finite values, fills for undefined figures. */
import { describe, expect, it } from 'vitest';
import { analyzeAudio } from '../../src/analysis/analyze.js';
import { NOMINAL_THIRD_OCTAVES_HZ } from '../../src/analysis/bands.js';
import { FEATURES, FEATURE_VERSION } from '../../src/analysis/features.js';
import type { StereoAudio } from '../../src/io/types.js';
import { seededNoise } from '../helpers/signals.js';

function audio(left: Float32Array, right: Float32Array, sampleRate: number): StereoAudio {
  return {
    sampleRate, left, right,
    source: { path: 'x.wav', container: 'wav', codec: 'pcm_f32le', bitDepth: 32, sampleRate, channels: 2, lossy: false, bitrateKbps: null },
  };
}

describe('feature vector', () => {
  it('has unique names and the same length and order for every input', () => {
    const names = FEATURES.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    const a = analyzeAudio(audio(seededNoise(48000 * 5, 1, 0.3), seededNoise(48000 * 5, 2, 0.3), 48000)).features;
    const b = analyzeAudio(audio(new Float32Array(8000), new Float32Array(8000), 8000)).features;
    expect(a.version).toBe(FEATURE_VERSION);
    expect(a.names).toEqual(names);
    expect(b.names).toEqual(names);
    expect(a.values.every(Number.isFinite)).toBe(true);
    expect(b.values.every(Number.isFinite)).toBe(true);
  });

  it('names its band features after the bands the spectrum measures (IEC 61260 nominal centres)', () => {
    const r = analyzeAudio(audio(seededNoise(48000 * 5, 3, 0.3), seededNoise(48000 * 5, 4, 0.3), 48000));
    expect(r.spectrum.bandsHz).toHaveLength(NOMINAL_THIRD_OCTAVES_HZ.length);
    r.spectrum.bandsHz.forEach((hz, i) => expect(Math.abs(hz / NOMINAL_THIRD_OCTAVES_HZ[i] - 1)).toBeLessThan(0.03));
    const at = (name: string) => r.features.values[r.features.names.indexOf(name)];
    expect(at('spectrum.midDb.1000Hz')).toBe(r.spectrum.midDb[17]);
    expect(at('loudness.integratedLufs')).toBe(r.loudness.integratedLufs);
  });

  it('fills undefined figures: silence at 8 kHz has no loudness and no bands above 4 kHz', () => {
    const r = analyzeAudio(audio(new Float32Array(8000 * 3), new Float32Array(8000 * 3), 8000));
    const at = (name: string) => r.features.values[r.features.names.indexOf(name)];
    expect(r.loudness.integratedLufs).toBeNull();
    expect(at('loudness.integratedLufs')).toBe(-70);
    expect(at('spectrum.midDb.8000Hz')).toBe(-100);
  });
});

/**
 * Spectral descriptors: (1) our FFT path gives exactly what Meyda.extract gives on the same frame (the
 * definitions are meyda's), (2) analytic values: a Hann-windowed bin-centred tone has magnitudes
 * ½, 1, ½ around its bin (centroid on the tone, rolloff one bin above, crest √(1024/1.5)); white noise
 * has a flat expected magnitude spectrum (centroid fs/4, spread (fs/2)/√12, 99 % magnitude rolloff
 * 0.99·fs/2) with Rayleigh magnitudes (flatness 2·e^(−γ/2)/√π ≈ 0.8455).
 */
import Meyda from 'meyda';
import { describe, expect, it } from 'vitest';
import {
  DESCRIPTOR_HOP_SECONDS, analyzeDescriptors, descriptorFrameSize, descriptorFrames, summarize,
} from '../../src/analysis/descriptors.js';
import { seededNoise, sine } from '../helpers/signals.js';

const FS = 44100;
const tone = (samples: number, frequency: number, amplitude: number, sampleRate: number): Float32Array =>
  sine({ sampleRate, frequency, samples, amplitude });

interface MeydaGlobals {
  bufferSize: number;
  sampleRate: number;
  windowingFunction: string;
  extract: (features: string[], signal: Float32Array) => Record<string, number | undefined> | null;
}
// meyda's default export is module.exports at run time; its typings put it one level down (`.default`).
const meyda = ((Meyda as unknown as { default?: unknown }).default ?? Meyda) as MeydaGlobals;

describe('descriptor definitions are meyda\'s', () => {
  it('one frame through our fft.js path equals Meyda.extract on the same frame', () => {
    const n = descriptorFrameSize(FS);
    const noise = seededNoise(n, 9, 0.05), a440 = tone(n, 440, 0.3, FS), frame = new Float32Array(n);
    for (let i = 0; i < n; i++) frame[i] = noise[i] + a440[i];
    const ours = descriptorFrames(frame, frame, FS); // mid = (x + x)/2 = x exactly
    expect(ours.frames).toBe(1);
    const saved = { bufferSize: meyda.bufferSize, sampleRate: meyda.sampleRate, windowingFunction: meyda.windowingFunction };
    try {
      Object.assign(meyda, { bufferSize: n, sampleRate: FS, windowingFunction: 'hanning' });
      const ref = meyda.extract(['spectralCentroid', 'spectralSpread', 'spectralRolloff', 'spectralFlatness', 'spectralCrest'], frame)!;
      const binHz = FS / n;
      const rel = (a: number, b: number) => Math.abs(a / b - 1);
      expect(rel(ours.centroidHz[0], ref.spectralCentroid! * binHz)).toBeLessThan(1e-5);
      expect(rel(ours.spreadHz[0], ref.spectralSpread! * binHz)).toBeLessThan(1e-5);
      // meyda scales the rolloff bin by fs/(2·(N/2 − 1)); we by the true bin width fs/N.
      expect(rel(ours.rolloffHz[0], (ref.spectralRolloff! * (n - 2)) / n)).toBeLessThan(1e-9);
      expect(rel(ours.flatness[0], ref.spectralFlatness!)).toBeLessThan(1e-5);
      expect(rel(ours.crest[0], ref.spectralCrest!)).toBeLessThan(1e-5);
    } finally {
      Object.assign(meyda, saved);
    }
  });
});

describe('analytic values', () => {
  const n = descriptorFrameSize(FS);
  const binHz = FS / n;

  it('a bin-centred tone: centroid on it, rolloff one bin above, crest √(1024/1.5), flatness ≈ 0', () => {
    const k0 = 64;
    const x = tone(5 * FS, k0 * binHz, 0.5, FS);
    const d = analyzeDescriptors(x, x, FS);
    expect(d.centroidHz!.median / (k0 * binHz)).toBeCloseTo(1, 4);
    // Magnitudes ½, 1, ½ at k0−1, k0, k0+1: the cumulative sum passes 99 % only at k0 + 1.
    expect(d.rolloffHz!.median).toBeCloseTo((k0 + 1) * binHz, 6);
    // Peak 1 against an RMS of √((1 + ¼ + ¼)/1024) over meyda's N/2 = 1024 bins.
    expect(d.crest!.median / Math.sqrt(1024 / 1.5)).toBeCloseTo(1, 2);
    // All but ~3 of 1024 bins are at rounding level: the geometric mean collapses.
    expect(d.flatness!.median).toBeLessThan(1e-3);
  });

  it('a 1 kHz tone (between bins): centroid within one bin of 1 kHz', () => {
    const x = tone(5 * FS, 1000, 0.5, FS);
    const d = analyzeDescriptors(x, x, FS);
    expect(Math.abs(d.centroidHz!.median - 1000)).toBeLessThan(binHz);
    expect(d.flatness!.median).toBeLessThan(1e-3);
  });

  it('white noise: centroid fs/4, spread (fs/2)/√12, rolloff 0.99·fs/2, flatness 0.8455, crest ≈ 2.7', () => {
    const x = seededNoise(20 * FS, 3, 0.1);
    const d = analyzeDescriptors(x, x, FS);
    expect(d.frames).toBe(Math.floor((20 * FS - n) / Math.round(DESCRIPTOR_HOP_SECONDS * FS)) + 1);
    // Medians over 100 frames; per-frame scatter is ~1.3 % (centroid), ~1 % (spread), ~0.2 % (rolloff).
    expect(Math.abs(d.centroidHz!.median / (FS / 4) - 1)).toBeLessThan(0.01);
    expect(Math.abs(d.spread!.median / (FS / 2 / Math.sqrt(12)) - 1)).toBeLessThan(0.01);
    expect(Math.abs(d.rolloffHz!.median / (0.99 * FS / 2) - 1)).toBeLessThan(0.005);
    // The noise is uniform, but each DFT bin sums 2048 samples, so bins are complex Gaussian (CLT) and
    // magnitudes Rayleigh. Flatness of Rayleigh magnitudes: E[ln R] = ln(σ√2) − γ/2, E[R] = σ√(π/2) ⇒ GM/AM = 2·e^(−γ/2)/√π.
    const EULER_GAMMA = 0.5772156649015329;
    expect(Math.abs(d.flatness!.median - (2 * Math.exp(-EULER_GAMMA / 2)) / Math.sqrt(Math.PI))).toBeLessThan(0.01);
    // Max of ~700–1024 Rayleigh magnitudes over their RMS: √(ln n) + γ/(2√(ln n)) ≈ 2.67–2.74 (Gumbel).
    expect(d.crest!.median).toBeGreaterThan(2.55);
    expect(d.crest!.median).toBeLessThan(2.85);
    expect(d.crest!.p10).toBeLessThan(d.crest!.median);
    expect(d.crest!.p90).toBeGreaterThan(d.crest!.median);
  });

  it('scales with the sample rate: 4096-sample frames at 96 kHz, white-noise centroid fs/4', () => {
    expect(descriptorFrameSize(48000)).toBe(2048);
    expect(descriptorFrameSize(96000)).toBe(4096);
    const x = seededNoise(5 * 96000, 4, 0.1);
    const d = analyzeDescriptors(x, x, 96000);
    expect(Math.abs(d.centroidHz!.median / 24000 - 1)).toBeLessThan(0.01);
  });
});

describe('framing and summaries', () => {
  it('skips silent frames', () => {
    // 2 s of noise then 2 s of silence: hop 0.2 s, so frames 0…9 start in the noise and 10…19 are silent.
    const x = new Float32Array(4 * FS);
    x.set(seededNoise(2 * FS, 5, 0.1));
    expect(analyzeDescriptors(x, x, FS).frames).toBe(Math.round(2 / DESCRIPTOR_HOP_SECONDS));
    const silent = analyzeDescriptors(new Float32Array(FS), new Float32Array(FS), FS);
    expect(silent.frames).toBe(0);
    expect(silent.centroidHz).toBeNull();
    expect(silent.flatness).toBeNull();
  });

  it('uses the mid signal: anti-phase channels are silence', () => {
    const x = seededNoise(FS, 6, 0.1);
    expect(analyzeDescriptors(x, x.map((v) => -v), FS).frames).toBe(0);
  });

  it('summarises with linear-interpolated percentiles (Hyndman & Fan type 7) and drops non-finite values', () => {
    const v = Float64Array.from([10, 1, 9, 2, 8, 3, 7, 4, 6, 5, NaN, Infinity]);
    const s = summarize(v, v.length)!;
    expect(s.mean).toBeCloseTo(5.5, 12);
    expect(s.median).toBeCloseTo(5.5, 12);
    expect(s.p10).toBeCloseTo(1.9, 12);
    expect(s.p90).toBeCloseTo(9.1, 12);
    expect(summarize(new Float64Array(3), 0)).toBeNull();
  });
});

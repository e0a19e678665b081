/**
 * compareReports on analyses of signals whose differences are known exactly: a file against itself,
 * against itself 6 dB louder (a level change only: loudness and peaks +6, everything else 0, spectra
 * identical once loudness-normalised), with its side channel doubled (width +6.02 dB, mid and side
 * bands moving by exactly the loudness change), and across sample rates.
 */
import { describe, expect, it } from 'vitest';
import { analyzeAudio } from '../../src/analysis/analyze.js';
import { COMPARED_METRICS, compareReports } from '../../src/compare/compare.js';
import { resample } from '../../src/dsp/resample.js';
import { dbToAmp } from '../../src/util/db.js';
import { floatWavAudio } from '../helpers/audio.js';
import { seededNoise, sine } from '../helpers/signals.js';

/** A stereo test mix: partly correlated noise plus a tone on each side, 6 s. */
function testMix(fs = 44100): [Float32Array, Float32Array] {
  const n = 6 * fs;
  const common = seededNoise(n, 1, 0.2);
  const l = seededNoise(n, 2, 0.1), r = seededNoise(n, 3, 0.1);
  const tl = sine({ sampleRate: fs, frequency: 220, samples: n, amplitude: 0.2 });
  const tr = sine({ sampleRate: fs, frequency: 330, samples: n, amplitude: 0.15 });
  for (let i = 0; i < n; i++) {
    l[i] += common[i] + tl[i];
    r[i] += common[i] + tr[i];
  }
  return [l, r];
}

function scaled(x: Float32Array, g: number): Float32Array {
  return x.map((v) => v * g);
}

describe('compareReports', () => {
  const [l, r] = testMix();
  const a = analyzeAudio(floatWavAudio(l, r, 44100, 'a.wav'));

  it('finds no difference between a file and itself', () => {
    const c = compareReports(a, a);
    for (const k of COMPARED_METRICS) {
      expect(c.metrics[k].a).not.toBeNull();
      expect(c.metrics[k].diff).toBe(0);
    }
    expect(c.spectrum.comparable).toBe(true);
    expect(c.spectrum.midDiffDb).toHaveLength(31);
    expect(c.spectrum.midDiffDb.every((d) => d === 0)).toBe(true);
    expect(c.spectrum.sideDiffDb.every((d) => d === 0)).toBe(true);
    expect(c.notes).toEqual([]);
  });

  it('sees B = A + 6 dB as +6.0 LU and +6 dB of peak, with identical spectra at equal loudness', () => {
    const g = dbToAmp(6);
    const b = analyzeAudio(floatWavAudio(scaled(l, g), scaled(r, g), 44100, 'b.wav'));
    const c = compareReports(a, b);
    expect(c.metrics.integratedLufs.diff).toBeCloseTo(6, 2);
    expect(c.metrics.truePeakDbtp.diff).toBeCloseTo(6, 2);
    for (const k of ['loudnessRangeLu', 'plrDb', 'widthDb', 'correlation', 'monoLoudnessDeltaDb'] as const) {
      expect(Math.abs(c.metrics[k].diff as number)).toBeLessThan(0.01);
    }
    for (const d of [...c.spectrum.midDiffDb, ...c.spectrum.sideDiffDb]) expect(Math.abs(d as number)).toBeLessThan(0.01);
  });

  it('reports a doubled side channel as width +6.02 dB, side bands +6.02 dB relative to mid bands', () => {
    // L' = M + 2S, R' = M − 2S: mid unchanged, side ×2, so the loudness change ΔL moves every
    // normalised mid band by −ΔL and every side band by 6.02 − ΔL.
    const n = l.length;
    const l2 = new Float32Array(n), r2 = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const m = (l[i] + r[i]) / 2, s = (l[i] - r[i]) / 2;
      l2[i] = m + 2 * s;
      r2[i] = m - 2 * s;
    }
    const c = compareReports(a, analyzeAudio(floatWavAudio(l2, r2, 44100, 'wide.wav')));
    const dL = c.metrics.integratedLufs.diff as number;
    expect(c.metrics.widthDb.diff).toBeCloseTo(20 * Math.log10(2), 2);
    for (let i = 0; i < 31; i++) {
      expect(c.spectrum.midDiffDb[i] as number).toBeCloseTo(-dL, 2);
      expect(c.spectrum.sideDiffDb[i] as number).toBeCloseTo(20 * Math.log10(2) - dL, 2);
    }
  });

  it('compares across sample rates band by band, with a note, and no figure for bands one file lacks', async () => {
    // Tones well inside both bands: the same music at 44.1 and 32 kHz.
    const fs = 44100;
    const tones = [100, 1000, 5000].map((f) => sine({ sampleRate: fs, frequency: f, seconds: 4, amplitude: 0.2 }));
    const x = tones[0].map((v, i) => v + tones[1][i] + tones[2][i]);
    const y = x.map((v, i) => 0.8 * v + 0.1 * tones[1][i]);
    const [x32, y32] = await resample([x, y], fs, 32000);
    const c = compareReports(analyzeAudio(floatWavAudio(x, y, fs, 'a.wav')), analyzeAudio(floatWavAudio(x32, y32, 32000, 'b.wav')));
    expect(c.notes.some((n) => n.includes('sample rates differ'))).toBe(true);
    expect(c.metrics.integratedLufs.diff).toBeCloseTo(0, 1);
    for (const f of [100, 1000, 5000]) {
      const i = c.spectrum.nominalHz.indexOf(f);
      expect(Math.abs(c.spectrum.midDiffDb[i] as number)).toBeLessThan(0.05);
      expect(Math.abs(c.spectrum.sideDiffDb[i] as number)).toBeLessThan(0.05);
    }
    expect(c.spectrum.midDiffDb[c.spectrum.nominalHz.indexOf(20000)]).toBeNull();
  });

  it('gives null, not NaN, where a file has no loudness, and says why the spectra are not compared', () => {
    const silent = analyzeAudio(floatWavAudio(new Float32Array(44100), new Float32Array(44100), 44100, 'silent.wav'));
    const c = compareReports(a, silent);
    expect(c.metrics.integratedLufs.diff).toBeNull();
    expect(c.spectrum.comparable).toBe(false);
    expect(c.spectrum.midDiffDb.every((d) => d === null)).toBe(true);
    expect(c.notes.join(' ')).toContain('silent.wav');
    expect(JSON.stringify(c)).not.toContain('NaN');
  });
});

/**
 * Each mix-prep warning fires on a signal built to have exactly that problem (and carries the
 * number), and a clean, well-levelled mix-like signal raises none.
 */
import { describe, expect, it } from 'vitest';
import { analyzeAudio } from '../../src/analysis/analyze.js';
import type { SourceInfo, StereoAudio } from '../../src/io/types.js';
import { fadeInOut, seededNoise, sine } from '../helpers/signals.js';

const FS = 48000;

function audio(left: Float32Array, right = left, source: Partial<SourceInfo> = {}): StereoAudio {
  return {
    sampleRate: FS,
    left,
    right,
    source: { path: 'test.wav', container: 'wav', codec: 'pcm_s24le', bitDepth: 24, sampleRate: FS, channels: 2, lossy: false, bitrateKbps: null, ...source },
  };
}

/** Noise whose level moves by ±6 dB every second: peaks −6 dBFS, PLR well above a limited master's. */
function cleanMix(seconds = 12): [Float32Array, Float32Array] {
  const l = seededNoise(FS * seconds, 7, 1), r = seededNoise(FS * seconds, 8, 1);
  for (let i = 0; i < l.length; i++) {
    const g = 0.02 * (1 + 0.99 * Math.sin((2 * Math.PI * i) / FS / 2.3));
    l[i] *= g; r[i] *= g;
  }
  l[FS * 3] = 0.5; // a drum hit at −6 dBFS
  return [l, r];
}

const codes = (a: StereoAudio) => analyzeAudio(a).warnings.map((w) => w.code);

describe('mix-prep warnings', () => {
  it('a clean mix with peaks at −6 dBFS raises none', () => {
    const [l, r] = cleanMix();
    expect(analyzeAudio(audio(l, r)).warnings).toEqual([]);
  });

  it('PEAK_TOO_HOT above −3 dBFS and PEAK_TOO_LOW below −12 dBFS, with the figure', () => {
    const [l, r] = cleanMix();
    l[FS * 5] = 0.9;
    const hot = analyzeAudio(audio(l, r)).warnings.find((w) => w.code === 'PEAK_TOO_HOT');
    expect(hot?.message).toContain('-0.9 dBFS');
    const quiet = sine({ samples: FS * 5, sampleRate: FS, frequency: 440, amplitude: 0.1 });
    const low = analyzeAudio(audio(quiet)).warnings.find((w) => w.code === 'PEAK_TOO_LOW');
    expect(low?.message).toContain('-20.0 dBFS');
  });

  it('CLIPPING on a hard-clipped sine', () => {
    const x = sine({ samples: FS * 5, sampleRate: FS, frequency: 100, amplitude: 1.5 }).map((v) => Math.max(-1, Math.min(1, v)));
    expect(codes(audio(x))).toContain('CLIPPING');
  });

  it('INTERSAMPLE_OVERS when samples stay below full scale but the waveform does not', () => {
    // fs/4 sine at 45°: every sample is ±0.95, the waveform's crest is 0.95·√2 = +2.6 dBTP. Faded in and
    // out (10 ms, as Tech 3341's true-peak signals) so that no edge adds a Gibbs overshoot of its own.
    const x = fadeInOut(sine({ samples: FS * 5, sampleRate: FS, frequency: FS / 4, amplitude: 0.95 * Math.SQRT2, phaseDeg: 45 }), FS / 100);
    const w = analyzeAudio(audio(x)).warnings.find((v) => v.code === 'INTERSAMPLE_OVERS');
    expect(w?.message).toContain('2.6 dBTP');
  });

  it('DC_OFFSET with its level', () => {
    const [l, r] = cleanMix();
    const w = analyzeAudio(audio(l.map((v) => v + 0.01), r)).warnings.find((v) => v.code === 'DC_OFFSET');
    expect(w?.message).toContain('-40.0 dBFS');
  });

  it('LEADING_SILENCE and TRAILING_SILENCE with their durations', () => {
    const [l, r] = cleanMix();
    const pad = (x: Float32Array) => { const y = new Float32Array(x.length + FS * 3); y.set(x, FS * 2); return y; };
    const warnings = analyzeAudio(audio(pad(l), pad(r))).warnings;
    expect(warnings.find((w) => w.code === 'LEADING_SILENCE')?.message).toMatch(/^2\.0\d s/);
    expect(warnings.find((w) => w.code === 'TRAILING_SILENCE')?.message).toMatch(/^1\.0\d s/);
  });

  it('LOSSY_SOURCE names the codec and bit rate', () => {
    const [l, r] = cleanMix();
    const w = analyzeAudio(audio(l, r, { codec: 'mp3', lossy: true, bitrateKbps: 192, bitDepth: null })).warnings;
    expect(w.find((v) => v.code === 'LOSSY_SOURCE')?.message).toContain('mp3 at 192 kbit/s');
  });

  it('ALREADY_LIMITED on a mix driven 32 dB into a brick wall', () => {
    const [l, r] = cleanMix();
    const smash = (x: Float32Array) => x.map((v) => Math.max(-0.89, Math.min(0.89, v * 40)));
    expect(codes(audio(smash(l), smash(r)))).toContain('ALREADY_LIMITED');
  });
});

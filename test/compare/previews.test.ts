/**
 * Loudness-matched previews: the gain plan against hand-worked cases, then real files written and
 * measured again — equal integrated loudness, the quieter file copied bit for bit, nothing above
 * full scale when matching would have clipped, inputs never overwritten.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeAudio } from '../../src/analysis/analyze.js';
import { measureLoudness } from '../../src/analysis/loudness.js';
import { planPreviews, previewPaths, writePreview } from '../../src/compare/previews.js';
import { decodeFile } from '../../src/io/decode.js';
import { encodeWav } from '../../src/io/wav-encode.js';
import { dbToAmp } from '../../src/util/db.js';
import { AudioFileError, UserError } from '../../src/util/errors.js';
import { seededNoise, sine } from '../helpers/signals.js';

const facts = (file: string, integratedLufs: number | null, samplePeakDbfs: number | null) => ({
  file,
  loudness: { integratedLufs },
  peak: { samplePeakDbfs },
});

describe('planPreviews', () => {
  it('matches to the quieter file: it gets exactly 0 dB, the louder one the difference', () => {
    const p = planPreviews(facts('a', -14.3, -1), facts('b', -8.1, -0.2));
    expect(p.targetLufs).toBe(-14.3);
    expect(p.gainsDb[0]).toBe(0);
    expect(p.gainsDb[1]).toBeCloseTo(-6.2, 12);
    expect(p.loweredForPeaks).toBe(false);
    const swapped = planPreviews(facts('a', -8.1, -0.2), facts('b', -14.3, -1));
    expect(swapped.gainsDb[1]).toBe(0);
    expect(swapped.gainsDb[0]).toBeCloseTo(-6.2, 12);
  });

  it('lowers the common level when a file would have to go above 0 dBFS to reach it', () => {
    // Asked for −8 LUFS, A (−14 LUFS, peak −1 dBFS) could rise only 1 dB: target −13 LUFS for both.
    const p = planPreviews(facts('a', -14, -1), facts('b', -8, -0.5), { targetLufs: -8 });
    expect(p.targetLufs).toBe(-13);
    expect(p.gainsDb).toEqual([1, -5]);
    expect(p.loweredForPeaks).toBe(true);
    // A float source already 2 dB over full scale must come down even as the quieter file.
    const q = planPreviews(facts('a', -20, 2), facts('b', -10, -1));
    expect(q.targetLufs).toBe(-22);
    expect(q.gainsDb).toEqual([-2, -12]);
  });

  it('refuses a file with no integrated loudness, naming it', () => {
    expect(() => planPreviews(facts('a.wav', -14, -1), facts('silent.wav', null, null))).toThrow(UserError);
    expect(() => planPreviews(facts('a.wav', -14, -1), facts('silent.wav', null, null))).toThrow(/silent\.wav/);
  });
});

describe('previewPaths', () => {
  it('names previews after the inputs, and tells two inputs of the same name apart', () => {
    expect(previewPaths('/x/mix.wav', '/y/ref.flac', '/out')).toEqual(['/out/mix.matched.wav', '/out/ref.matched.wav']);
    expect(previewPaths('/x/mix.wav', '/y/mix.flac', '/out')).toEqual(['/out/mix-A.matched.wav', '/out/mix-B.matched.wav']);
  });
});

describe('writePreview', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'refmaster-previews-'));
  });

  function music(n: number, seed: number, amplitude: number): [Float32Array, Float32Array] {
    const l = seededNoise(n, seed, amplitude), r = seededNoise(n, seed + 1, amplitude);
    const t = sine({ sampleRate: 44100, frequency: 440, samples: n, amplitude });
    for (let i = 0; i < n; i++) {
      l[i] += t[i];
      r[i] += t[i];
    }
    return [l, r];
  }

  async function previewsOf(pathA: string, pathB: string, out: string) {
    const [audioA, audioB] = [await decodeFile(pathA), await decodeFile(pathB)];
    const plan = planPreviews(analyzeAudio(audioA), analyzeAudio(audioB));
    const [pa, pb] = previewPaths(pathA, pathB, out);
    await writePreview(audioA, plan.gainsDb[0], pa, [pathA, pathB]);
    await writePreview(audioB, plan.gainsDb[1], pb, [pathA, pathB]);
    return { plan, previews: [await decodeFile(pa), await decodeFile(pb)], paths: [pa, pb] };
  }

  it('gives equal loudness, and a bit-identical copy of the quieter 24-bit file', async () => {
    const [l, r] = music(44100 * 5, 10, 0.1);
    const pathA = join(dir, 'quiet.wav');
    const pathB = join(dir, 'loud.wav');
    writeFileSync(pathA, encodeWav([l, r], 44100, { kind: 'pcm', bits: 24 }));
    const g = dbToAmp(6);
    writeFileSync(pathB, encodeWav([l.map((v) => v * g), r.map((v) => v * g)], 44100, { kind: 'pcm', bits: 24 }));
    const { plan, previews, paths } = await previewsOf(pathA, pathB, dir);
    expect(plan.gainsDb[0]).toBe(0);
    expect(plan.gainsDb[1]).toBeCloseTo(-6, 2);
    const loud = previews.map((p) => measureLoudness([p.left, p.right], p.sampleRate).integratedLufs as number);
    expect(Math.abs(loud[0] - loud[1])).toBeLessThan(0.05);
    expect(Buffer.from(readFileSync(paths[0])).equals(readFileSync(pathA))).toBe(true);
  });

  it('lowers the target when matching would clip: no preview sample above full scale', async () => {
    // The quieter file is float with one sample 2 dB over full scale; it is mono, and stays mono.
    const n = 44100 * 5;
    const [hot] = music(n, 20, 0.05);
    hot[n >> 1] = dbToAmp(2);
    const pathA = join(dir, 'hot-float.wav');
    writeFileSync(pathA, encodeWav([hot], 44100, { kind: 'float', bits: 32 }));
    const [bl, br] = music(n, 30, 0.3);
    const pathB = join(dir, 'other.wav');
    writeFileSync(pathB, encodeWav([bl, br], 44100, { kind: 'pcm', bits: 24 }));
    const { plan, previews } = await previewsOf(pathA, pathB, dir);
    expect(plan.loweredForPeaks).toBe(true);
    expect(plan.gainsDb[0]).toBeCloseTo(-2, 3);
    expect(previews[0].source.channels).toBe(1);
    const peaks = previews.map((p) => {
      let max = 0;
      for (const x of [p.left, p.right]) for (const v of x) max = Math.max(max, Math.abs(v));
      return max;
    });
    expect(peaks[0]).toBeLessThanOrEqual(1);
    expect(peaks[0]).toBeGreaterThan(0.9999); // the file that set the limit peaks at full scale
    expect(peaks[1]).toBeLessThanOrEqual(1);
    const loud = previews.map((p) => measureLoudness([p.left, p.right], p.sampleRate).integratedLufs as number);
    expect(Math.abs(loud[0] - loud[1])).toBeLessThan(0.05);
  });

  it('refuses to write a preview over an input file', async () => {
    // B's preview name, mix.matched.wav, is A's own path.
    const [l, r] = music(44100 * 2, 40, 0.1);
    const pathA = join(dir, 'mix.matched.wav');
    const pathB = join(dir, 'mix.wav');
    const bytes = encodeWav([l, r], 44100, { kind: 'pcm', bits: 24 });
    writeFileSync(pathA, bytes);
    writeFileSync(pathB, encodeWav([r, l], 44100, { kind: 'pcm', bits: 24 }));
    const err = await previewsOf(pathA, pathB, dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AudioFileError);
    expect((err as Error).message).toContain('input');
    expect(Buffer.from(readFileSync(pathA)).equals(Buffer.from(bytes))).toBe(true);
  });
});

/**
 * `refmaster compare` as a user meets it: the compiled CLI (built by `npm test`) in a child process,
 * on two WAV files whose difference is known (B = A + 6 dB), checked for its JSON contract, its
 * human table with units, the loudness-matched previews it writes, and its one-line errors.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../src/io/index.js';
import { dbToAmp } from '../../src/util/db.js';
import { seededNoise, sine } from '../helpers/signals.js';
import { expectOneLineError, runCli } from '../helpers/cli.js';

let dir = '';
let quiet = '';
let loud = '';

const run = runCli;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'refmaster-compare-cli-'));
  const n = 48000 * 5;
  const l = seededNoise(n, 1, 0.1), r = seededNoise(n, 2, 0.1);
  const t = sine({ sampleRate: 48000, frequency: 500, samples: n, amplitude: 0.1 });
  for (let i = 0; i < n; i++) {
    l[i] += t[i];
    r[i] += 0.5 * t[i];
  }
  const g = dbToAmp(6);
  quiet = join(dir, 'mix.wav');
  loud = join(dir, 'reference.wav');
  writeFileSync(quiet, encodeWav([l, r], 48000, { kind: 'pcm', bits: 24 }));
  writeFileSync(loud, encodeWav([l.map((v) => v * g), r.map((v) => v * g)], 48000, { kind: 'pcm', bits: 24 }));
});

describe('refmaster compare', () => {
  it('--json gives both values and B − A for each measure, and the spectra at equal loudness', () => {
    const r = run('compare', '--json', quiet, loud);
    expect(r.code).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(c.a.file).toBe(quiet);
    expect(c.b.file).toBe(loud);
    for (const k of ['integratedLufs', 'loudnessRangeLu', 'truePeakDbtp', 'plrDb', 'widthDb', 'correlation', 'monoLoudnessDeltaDb']) {
      expect(Object.keys(c.metrics[k]).sort()).toEqual(['a', 'b', 'diff']);
    }
    expect(c.metrics.integratedLufs.diff).toBeCloseTo(6, 1);
    expect(c.metrics.integratedLufs.diff).toBeCloseTo(c.metrics.integratedLufs.b - c.metrics.integratedLufs.a, 9);
    expect(c.spectrum.bandsHz).toHaveLength(31);
    for (const d of [...c.spectrum.midDiffDb, ...c.spectrum.sideDiffDb]) expect(Math.abs(d)).toBeLessThan(0.01);
    expect(r.stdout).not.toContain('NaN');
  });

  it('finds no difference between a file and itself', () => {
    const c = JSON.parse(run('compare', '--json', quiet, quiet).stdout);
    for (const m of Object.values(c.metrics) as { diff: number }[]) expect(m.diff).toBe(0);
    for (const d of c.spectrum.midDiffDb) expect(d).toBe(0);
  });

  it('prints a side-by-side table with units for people', () => {
    const r = run('compare', quiet, loud);
    expect(r.code).toBe(0);
    for (const text of ['LUFS', 'LU', 'dBTP', 'dB', 'B − A', 'Hz', 'mid', 'side', '+6.0 LU']) expect(r.stdout).toContain(text);
  });

  it('--previews writes both files at one loudness, the quieter one as an exact copy, and prints the gains', () => {
    const out = join(dir, 'previews');
    const r = run('compare', quiet, loud, '--previews', out);
    expect(r.code).toBe(0);
    const [pa, pb] = [join(out, 'mix.matched.wav'), join(out, 'reference.matched.wav')];
    expect(existsSync(pa) && existsSync(pb)).toBe(true);
    expect(r.stdout).toContain('gain');
    expect(r.stdout).toMatch(/-6\.0\d dB/);
    expect(readFileSync(pa).equals(readFileSync(quiet))).toBe(true);
    const c = JSON.parse(run('compare', '--json', '--previews', out, quiet, loud).stdout);
    expect(c.previews.files.map((f: { gainDb: number }) => f.gainDb)[0]).toBe(0);
    expect(c.previews.files[1].gainDb).toBeCloseTo(-6, 1);
    const m = JSON.parse(run('analyze', '--json', pa, pb).stdout);
    expect(Math.abs(m[0].loudness.integratedLufs - m[1].loudness.integratedLufs)).toBeLessThan(0.05);
  });

  it('refuses a missing file with one line naming it and a non-zero exit, no stack trace', () => {
    const missing = join(dir, 'missing.wav');
    const r = run('compare', quiet, missing);
    expectOneLineError(r, missing);
  });
});

/**
 * The `refmaster` command as a user meets it: the compiled CLI (built by `npm test` / `npm ci`) run
 * in a child process, checked for its JSON contract, its units and its one-line errors.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../src/io/index.js';
import { DEMO_MIX, expectOneLineError, runCli } from '../helpers/cli.js';

const demo = DEMO_MIX;
let dir = '';

const run = runCli;

function writeWav(name: string, channels: Float32Array[], rate = 48000): string {
  const path = join(dir, name);
  writeFileSync(path, encodeWav(channels, rate, { kind: 'float', bits: 32 }));
  return path;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'refmaster-cli-'));
});

describe('refmaster --help', () => {
  it('lists the commands with examples and exits 0', () => {
    const r = run('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('analyze');
    expect(r.stdout).toContain('Examples:');
  });
});

describe('refmaster analyze', () => {
  it('--json gives one object per file with the documented keys and units-bearing names', () => {
    const r = run('analyze', '--json', demo);
    expect(r.code).toBe(0);
    const reports = JSON.parse(r.stdout);
    expect(reports).toHaveLength(1);
    const a = reports[0];
    expect(a.file).toBe(demo);
    expect(a.sampleRate).toBe(44100);
    expect(a.channels).toBe(2);
    expect(a.durationS).toBeCloseTo(20, 3);
    for (const k of ['integratedLufs', 'momentaryMaxLufs', 'shortTermMaxLufs', 'loudnessRangeLu']) expect(typeof a.loudness[k]).toBe('number');
    for (const k of ['samplePeakDbfs', 'truePeakDbtp']) expect(typeof a.peak[k]).toBe('number');
    for (const k of ['crestDb', 'plrDb']) expect(typeof a.dynamics[k]).toBe('number');
    for (const k of ['width', 'correlation', 'monoLoudnessDeltaDb']) expect(typeof a.stereo[k]).toBe('number');
    expect(a.spectrum.bandsHz.length).toBe(a.spectrum.midDb.length);
    expect(a.spectrum.bandsHz.length).toBe(a.spectrum.sideDb.length);
    expect(typeof a.spectrum.tiltDbPerOct).toBe('number');
    expect(Array.isArray(a.warnings)).toBe(true);
    expect(a.features.names.length).toBe(a.features.values.length);
    expect(typeof a.features.version).toBe('number');
    // PLR is defined as true peak minus integrated loudness.
    expect(a.dynamics.plrDb).toBeCloseTo(a.peak.truePeakDbtp - a.loudness.integratedLufs, 9);
  });

  it('prints a table with units for people', () => {
    const r = run('analyze', demo);
    expect(r.code).toBe(0);
    for (const unit of ['LUFS', 'LU', 'dBFS', 'dBTP', 'dB/oct', 'Hz']) expect(r.stdout).toContain(unit);
  });

  it('reports null loudness, never NaN, for silence and for a file too short for gating', () => {
    const silence = writeWav('silence.wav', [new Float32Array(48000 * 2), new Float32Array(48000 * 2)]);
    const short = new Float32Array(48000 * 0.3).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 48000));
    const shortFile = writeWav('short.wav', [short, short]);
    const r = run('analyze', '--json', silence, shortFile);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('NaN');
    const [s, t] = JSON.parse(r.stdout);
    expect(s.loudness.integratedLufs).toBeNull();
    expect(s.peak.truePeakDbtp).toBeNull();
    expect(s.warnings.map((w: { code: string }) => w.code)).toContain('SILENT');
    expect(t.loudness.integratedLufs).toBeNull();
    expect(t.loudness.shortTermMaxLufs).toBeNull();
    expect(t.peak.samplePeakDbfs).toBeCloseTo(-6.02, 2);
    expect(t.warnings.map((w: { code: string }) => w.code)).toContain('TOO_SHORT_FOR_LOUDNESS');
  });

  it('refuses bad input with one line naming the file and a non-zero exit, no stack trace', () => {
    const notAudio = join(dir, 'notes.txt');
    writeFileSync(notAudio, 'these are not samples\n');
    for (const bad of [join(dir, 'missing.wav'), dir, notAudio]) {
      const r = run('analyze', bad);
      expectOneLineError(r, bad);
    }
  });

  it('shows the stack with --debug', () => {
    const r = run('--debug', 'analyze', join(dir, 'missing.wav'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  it('still analyses the good files when one of several fails, and exits non-zero', () => {
    const r = run('analyze', '--json', demo, join(dir, 'missing.wav'));
    expect(r.code).not.toBe(0);
    expect(JSON.parse(r.stdout)).toHaveLength(1);
  });
});

/**
 * `master` end to end on synthetic music-like signals whose differences are known: the reference is
 * the mix's noise coloured by shelves and widened, so matching must undo known amounts; files are
 * written and read back, as a user gets them.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { measureLoudness } from '../../src/analysis/loudness.js';
import { measureTruePeak } from '../../src/analysis/truepeak.js';
import { EqStage } from '../../src/chain/spec.js';
import { createEq } from '../../src/dsp/eq.js';
import { decodeFile } from '../../src/io/decode.js';
import { writeWavFile } from '../../src/io/wav-encode.js';
import { master, type MasterOptions } from '../../src/master/master.js';
import { fillGaps, smooth } from '../../src/master/plan.js';
import type { MatchProfile } from '../../src/master/profile.js';
import { seededNoise } from '../helpers/signals.js';

const dir = mkdtempSync(join(tmpdir(), 'refmaster-master-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Correlated noise with a slow level swing (a crude "song"), optionally coloured by shelves and with more side. */
async function song(name: string, fs: number, seconds: number, seed: number, colour: { low: number; high: number; side: number; level: number }) {
  const n = fs * seconds;
  const a = seededNoise(n, seed), b = seededNoise(n, seed + 1);
  const l = new Float32Array(n), r = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const g = colour.level * (1 + 0.5 * Math.sin((2 * Math.PI * i) / fs / 3));
    const m = a[i], s = colour.side * b[i];
    l[i] = g * (m + s);
    r[i] = g * (m - s);
  }
  const eq = createEq(EqStage.parse({ highpassSlopeDbPerOct: 0, bands: [
    { type: 'lowShelf', frequencyHz: 200, gainDb: colour.low, q: 0.7 },
    { type: 'highShelf', frequencyHz: 4000, gainDb: colour.high, q: 0.7 },
  ] }), fs);
  eq.process(l, r);
  const path = join(dir, name);
  await writeWavFile(path, [l, r], fs, { kind: 'float', bits: 32 });
  return path;
}

const base = (mix: string, references: string[], out: string): MasterOptions => ({
  mix, references, deliver: ['streaming'], output: join(dir, out),
  strengths: { eq: 1, width: 1, dynamics: 1, loudness: 1 }, maxEqDb: 6, maxGlueDb: 3, limiter: true,
});

/** [band Hz, mid error, side error] of the smoothed balances, 31.5 Hz–16 kHz (as eval:match compares them). */
function bandErrors(out: MatchProfile, ref: MatchProfile): [number, number, number][] {
  const c = (db: (number | null)[]) => smooth(fillGaps(db));
  const om = c(out.midDb), rm = c(ref.midDb), os = c(out.sideDb), rs = c(ref.sideDb);
  return out.bandsHz.map((f, i) => [f, om[i] - rm[i], os[i] - rs[i]] as [number, number, number]).filter(([f]) => f >= 30 && f <= 16500);
}

describe('master', () => {
  it('matches a reference\'s tone and width, reaches its loudness under the ceiling, at the mix\'s own rate', async () => {
    const mix = await song('mix.wav', 48000, 20, 1, { low: 3, high: -3, side: 0.2, level: 0.1 });
    const ref = await song('ref.wav', 44100, 25, 7, { low: -1, high: 2, side: 0.35, level: 0.25 });
    const r = await master(base(mix, [ref], 'matched.wav'));
    const ceiling = r.chain.stages.limiter.ceilingDbtp;
    const written = await decodeFile(join(dir, 'matched.wav'));
    expect(written.sampleRate).toBe(48000);
    expect(measureTruePeak([written.left, written.right], 48000).truePeakDbtp).toBeLessThanOrEqual(ceiling);
    const lufs = measureLoudness([written.left, written.right], 48000).integratedLufs as number;
    expect(Math.abs(lufs - (r.referenceProfile?.integratedLufs as number))).toBeLessThanOrEqual(0.2);
    // every band 30 Hz–16 kHz within 1.5 dB of the smoothed reference balance (no correction here reaches the ±6 dB limit)
    const ref_ = r.referenceProfile!, out = r.masterProfile;
    const sRef = smooth(fillGaps(ref_.midDb)), sOut = smooth(fillGaps(out.midDb));
    out.bandsHz.forEach((f, i) => {
      if (f < 30 || f > 16500) return;
      expect(Math.abs(sOut[i] - sRef[i]), `mid ${Math.round(f)} Hz`).toBeLessThanOrEqual(1.5);
    });
    expect(Math.abs(out.width / ref_.width - 1)).toBeLessThanOrEqual(0.1);
    expect(r.deliverables[0].qc).toEqual({ loudnessOk: true, ceilingOk: true, problems: [] });
    expect(r.decisions.some((d) => d.stage === 'matchEq')).toBe(true);
  });

  it('an explicit loudness is reached within 0.2 LU, with CD and streaming deliverables tagged and measured', async () => {
    const mix = await song('mix48.wav', 48000, 12, 11, { low: 0, high: 0, side: 0.2, level: 0.05 });
    const r = await master({
      ...base(mix, [], 'loud.wav'), loudnessLufs: -10, deliver: ['streaming', 'cd'],
      metadata: { title: 'Test Song', artist: 'Test Artist', isrc: 'us-s1z-99-00001' },
    });
    expect(r.deliverables.map((d) => [d.kind, d.format, d.sampleRateHz])).toEqual([['streaming', '24-bit PCM', 48000], ['cd', '16-bit PCM', 44100]]);
    for (const d of r.deliverables) {
      const a = await decodeFile(d.path);
      const lufs = measureLoudness([a.left, a.right], a.sampleRate).integratedLufs as number;
      const tp = measureTruePeak([a.left, a.right], a.sampleRate).truePeakDbtp;
      expect(Math.abs(lufs + 10)).toBeLessThanOrEqual(0.2);
      expect(tp).toBeLessThanOrEqual(-1);
      // QC's figures are those of the file as decoded, exactly (it measured the samples written)
      expect([d.integratedLufs, d.truePeakDbtp, d.sampleRateHz]).toEqual([lufs, tp, a.sampleRate]);
      expect(a.source.tags).toEqual({ title: 'Test Song', artist: 'Test Artist', isrc: 'USS1Z9900001' });
    }
    expect(r.deliverables[1].path).toBe(join(dir, 'loud-cd.wav'));
    expect(r.loudness).toMatchObject({ targetLufs: -10, source: '--loudness', explicit: true });
  });

  it('a mono reference matches tone and loudness but not width, and says so', async () => {
    const mix = await song('mix-m.wav', 44100, 10, 21, { low: 0, high: 0, side: 0.3, level: 0.1 });
    const mono = await song('ref-mono.wav', 44100, 10, 23, { low: 0, high: 0, side: 0, level: 0.1 });
    const r = await master(base(mix, [mono], 'mono-ref.wav'));
    expect(r.notes.join(' ')).toMatch(/width not matched: the reference is mono/);
  });

  it('a reference that is the mix through a known EQ within the limits: every band lands within 0.5 dB of the reference\'s balance', async () => {
    // Same noise, so the only difference is the EQ: shelves of −3 dB below 200 Hz and +4 dB above 4 kHz.
    const mix = await song('eq-mix.wav', 44100, 16, 41, { low: 0, high: 0, side: 0.3, level: 0.1 });
    const ref = await song('eq-ref.wav', 44100, 16, 41, { low: -3, high: 4, side: 0.3, level: 0.1 });
    const r = await master(base(mix, [ref], 'eq-matched.wav'));
    const errors = bandErrors(r.masterProfile, r.referenceProfile!);
    for (const [f, mid, side] of errors) {
      expect(Math.abs(mid), `mid ${Math.round(f)} Hz`).toBeLessThanOrEqual(0.5);
      if (f >= 150) expect(Math.abs(side), `side ${Math.round(f)} Hz`).toBeLessThanOrEqual(0.5);
    }
    const told = r.decisions.map((d) => `${d.setting}: ${d.reason}`).join('; ');
    // the report tells the +4 dB shelf as it is, against the curve's typical level
    expect(told).toMatch(/mid \+(3\.[5-9]|4\.[0-5]) dB at 10 kHz: air lacking/);
    expect(told).not.toMatch(/kHz: [a-z-]+ build-up/);
  });

  it('a track longer than the closed loop renders whole (50 s: measured in windows) lands as closely', async () => {
    const mix = await song('long-mix.wav', 44100, 50, 47, { low: 0, high: 0, side: 0.3, level: 0.1 });
    const ref = await song('long-ref.wav', 44100, 20, 47, { low: -3, high: 4, side: 0.3, level: 0.1 });
    const r = await master(base(mix, [ref], 'long-matched.wav'));
    for (const [f, mid, side] of bandErrors(r.masterProfile, r.referenceProfile!)) {
      expect(Math.abs(mid), `mid ${Math.round(f)} Hz`).toBeLessThanOrEqual(0.5);
      if (f >= 150) expect(Math.abs(side), `side ${Math.round(f)} Hz`).toBeLessThanOrEqual(0.5);
    }
  });

  it('a top the limits cannot follow (+12 dB): it gets the full +6 dB, and every band the limits allow still lands within 0.5 dB', async () => {
    const mix = await song('top-mix.wav', 44100, 16, 43, { low: 0, high: 0, side: 0.3, level: 0.1 });
    const ref = await song('top-ref.wav', 44100, 16, 43, { low: 0, high: 12, side: 0.3, level: 0.1 });
    const r = await master(base(mix, [ref], 'top-matched.wav'));
    const eq = r.chain.stages.matchEq;
    const ref_ = r.referenceProfile!;
    // What the limits allow: the first-order correction (the smoothed difference) within ±6 dB.
    const need = smooth(fillGaps(ref_.midDb.map((x, i) => (x === null || r.mixProfile.midDb[i] === null ? null : x - (r.mixProfile.midDb[i] as number)))));
    const allowed = need.map((d) => Math.abs(d) <= 6);
    expect(allowed.some((a) => !a)).toBe(true);
    for (const [f, mid] of bandErrors(r.masterProfile, ref_)) {
      const i = ref_.bandsHz.indexOf(f);
      if (allowed[i] && allowed[Math.max(0, i - 1)] && allowed[Math.min(allowed.length - 1, i + 1)]) expect(Math.abs(mid), `mid ${Math.round(f)} Hz`).toBeLessThanOrEqual(0.5);
    }
    const typical = [...eq.midGainsDb.filter((_, i) => eq.frequenciesHz[i] >= 30 && eq.frequenciesHz[i] <= 16500)].sort((a, b) => a - b)[14];
    eq.frequenciesHz.forEach((f, i) => {
      expect(Math.abs(eq.midGainsDb[i])).toBeLessThanOrEqual(6);
      // the top gets at least the full 6 dB against the rest of the curve
      if (f > 8000 && f < 16500) expect(eq.midGainsDb[i] - typical, `${f} Hz`).toBeGreaterThanOrEqual(6);
    });
    const told = r.decisions.map((d) => `${d.setting}: ${d.reason}`).join('; ');
    expect(told).toMatch(/mid \+\d+\.\d dB at \d+(\.\d)? kHz: (presence|air) lacking/);
    expect(told).toMatch(/held at the ±6 dB limit: the references ask for more; the master stays up to \d+\.\d dB short/);
  });

  it('width: decorrelated side 1.3 times as strong in the reference is matched within 10 % above 150 Hz, side bands within 0.5 dB', async () => {
    const mix = await song('w-mix.wav', 44100, 16, 45, { low: 0, high: 0, side: 0.2, level: 0.1 });
    const ref = await song('w-ref.wav', 44100, 16, 45, { low: 0, high: 0, side: 0.26, level: 0.1 });
    const r = await master(base(mix, [ref], 'w-matched.wav'));
    const above = (p: MatchProfile) => {
      let m = 0, s = 0;
      p.bandsHz.forEach((f, i) => { if (f >= 150) { m += 10 ** ((p.midDb[i] ?? -200) / 10); s += 10 ** ((p.sideDb[i] ?? -200) / 10); } });
      return s / m;
    };
    expect(Math.abs(above(r.masterProfile) / above(r.referenceProfile!) - 1)).toBeLessThanOrEqual(0.1);
    for (const [f, , side] of bandErrors(r.masterProfile, r.referenceProfile!)) {
      if (f >= 150) expect(Math.abs(side), `side ${Math.round(f)} Hz`).toBeLessThanOrEqual(0.5);
    }
  });

  it('refuses bad input before writing anything: silent or too short files, an invalid ISRC, an unknown target', async () => {
    const before = readdirSync(dir).length;
    const silentPath = join(dir, 'silent.wav');
    await writeWavFile(silentPath, [new Float32Array(48000 * 5), new Float32Array(48000 * 5)], 48000, { kind: 'pcm', bits: 24 });
    const short = await song('short.wav', 44100, 2, 31, { low: 0, high: 0, side: 0.2, level: 0.1 });
    const mix = await song('mix-b.wav', 44100, 5, 33, { low: 0, high: 0, side: 0.2, level: 0.1 });
    await expect(master(base(silentPath, [], 'x.wav'))).rejects.toThrow(/silent\.wav: has no music/);
    await expect(master(base(mix, [short], 'x.wav'))).rejects.toThrow(/short\.wav: the reference is 2\.0 s long; at least 3 s/);
    await expect(master({ ...base(mix, [], 'x.wav'), metadata: { isrc: 'US-S1Z-9A-00001' } })).rejects.toThrow(/invalid ISRC/);
    await expect(master({ ...base(mix, [], 'x.wav'), target: 'vinyl' })).rejects.toThrow(/unknown target "vinyl"/);
    expect(readdirSync(dir).length).toBe(before + 3); // the three inputs written above, no output
  });
});

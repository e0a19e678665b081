/**
 * LTAS, band levels, tilt and width against analytic truth: a sine's power (A²/2, so a full-scale sine
 * reads 0 dB), mid/side algebra for in-phase / one-channel / anti-phase signals, Parseval (band powers
 * add up to the time-domain mean square), the 1/3-octave power of pink (flat) and white (+10·log10 2
 * dB/octave) spectra, and side/mid ratios of correlated and independent channels. The corpus check
 * compares the overall width with the Side/Mid dB of shared/corpus/manifest.json (numpy, time domain).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { thirdOctaveBands } from '../../src/analysis/bands.js';
import { Fft, isPowerOfTwo, nearestPowerOfTwo } from '../../src/analysis/fft.js';
import {
  LOW_MAX_HZ, LOW_MIN_HZ, SPECTRUM_FLOOR_DB, longTermSpectrum, ltasFftSize, powerBetween, spectrumFromLtas,
} from '../../src/analysis/spectrum.js';
import { analyzeSpectrum } from '../../src/analysis/descriptors.js';
import { decodeFile } from '../../src/io/decode.js';
import { mulberry32, seededNoise, sine } from '../helpers/signals.js';
import { CORPUS } from '../helpers/corpus.js';

const FS = 44100;
const tone = (samples: number, frequency: number, amplitude: number, sampleRate: number): Float32Array =>
  sine({ sampleRate, frequency, samples, amplitude });
const BANDS = thirdOctaveBands();
const I1K = BANDS.centresHz.findIndex((f) => Math.abs(f - 1000) < 1e-6);
const MINUS_6_DBFS = 10 ** (-6 / 20);
const WHITE_TILT = 10 * Math.log10(2);

/**
 * Σ_k a(f_k)·cos(2π f_k t + φ_k) over the grid f_k = k·fs/M (M = 2^log2M samples), built with one FFT.
 * A dense multisine with random phases φ_k is noise with an exactly known spectrum.
 */
function multisine(log2M: number, fs: number, amp: (hz: number) => number, phases: Float64Array): Float32Array {
  const M = 2 ** log2M;
  const fft = new Fft(M, 'complex');
  const spec = fft.input;
  for (let k = 1; k < M / 2; k++) {
    const a = amp((k * fs) / M);
    spec[2 * k] = a * Math.cos(phases[k]);
    spec[2 * k + 1] = a * Math.sin(phases[k]);
  }
  fft.forward(); // Re Σ X_k e^(−2πikn/M) = Σ a_k cos(φ_k − 2πkn/M): the multisine, time-reversed.
  const y = fft.output;
  const x = new Float32Array(M);
  for (let n = 0; n < M; n++) x[n] = y[2 * n];
  fft.free();
  return x;
}

function randomPhases(count: number, seed: number): Float64Array {
  const u = mulberry32(seed);
  const p = new Float64Array(count);
  for (let k = 0; k < count; k++) p[k] = 2 * Math.PI * u();
  return p;
}

function meanSquare(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return s / x.length;
}

function naiveDft(re: Float64Array, im: Float64Array): [Float64Array, Float64Array] {
  const n = re.length;
  const outRe = new Float64Array(n), outIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    for (let t = 0; t < n; t++) {
      const a = (-2 * Math.PI * k * t) / n;
      outRe[k] += re[t] * Math.cos(a) - im[t] * Math.sin(a);
      outIm[k] += re[t] * Math.sin(a) + im[t] * Math.cos(a);
    }
  }
  return [outRe, outIm];
}

function ltasOnly(left: Float32Array, right: Float32Array, fs: number) {
  return spectrumFromLtas(longTermSpectrum(left, right, fs));
}

/**
 * 4σ bound on the relative error of a side/mid ratio of independent noise estimated by Welch from
 * `seconds` of signal over `hz` of bandwidth: each estimate has σ_rel ≈ √(2/(K·B)) for K frames and
 * B bins (the 2 allows for the correlation of 50 %-overlapped frames and adjacent Hann bins), and the
 * ratio of two independent estimates √2 times that.
 */
function ratioTolerance(seconds: number, hz: number, fs = FS): number {
  const n = ltasFftSize(fs);
  const frames = (2 * seconds * fs) / n, bins = Math.max(1, (hz * n) / fs);
  return 4 * Math.SQRT2 * Math.sqrt(2 / (frames * bins));
}

describe('fft wrapper', () => {
  it('complex and real transforms match a direct DFT (to float32 precision)', () => {
    const n = 64, u = mulberry32(1);
    const re = Float64Array.from({ length: n }, () => Math.fround(u() - 0.5));
    const im = Float64Array.from({ length: n }, () => Math.fround(u() - 0.5));
    const cfft = new Fft(n, 'complex');
    for (let t = 0; t < n; t++) { cfft.input[2 * t] = re[t]; cfft.input[2 * t + 1] = im[t]; }
    cfft.forward();
    const [dr, di] = naiveDft(re, im);
    for (let k = 0; k < n; k++) {
      expect(cfft.output[2 * k]).toBeCloseTo(dr[k], 5);
      expect(cfft.output[2 * k + 1]).toBeCloseTo(di[k], 5);
    }
    cfft.free();
    const rfft = new Fft(n, 'real');
    rfft.input.set(re);
    rfft.forward();
    const [rr, ri] = naiveDft(re, new Float64Array(n));
    const out = rfft.output;
    // Ordered real layout: [X0.re, X(N/2).re, X1.re, X1.im, …].
    expect(out[0]).toBeCloseTo(rr[0], 5);
    expect(out[1]).toBeCloseTo(rr[n / 2], 5);
    for (let k = 1; k < n / 2; k++) {
      expect(out[2 * k]).toBeCloseTo(rr[k], 5);
      expect(out[2 * k + 1]).toBeCloseTo(ri[k], 5);
    }
    rfft.free();
  });

  it('checks sizes', () => {
    expect(() => new Fft(48, 'complex')).toThrow(RangeError);
    expect(() => new Fft(16, 'real')).toThrow(RangeError);
    expect(isPowerOfTwo(1024)).toBe(true);
    expect(isPowerOfTwo(1000)).toBe(false);
  });

  it('frame sizes: nearest power of two to 0.37 s', () => {
    expect(nearestPowerOfTwo(0.37 * 44100)).toBe(16384);
    expect(ltasFftSize(44100)).toBe(16384);
    expect(ltasFftSize(48000)).toBe(16384);
    expect(ltasFftSize(88200)).toBe(32768);
    expect(ltasFftSize(96000)).toBe(32768);
  });
});

describe('band levels of sines (calibration: full-scale sine = 0 dB)', () => {
  const n = 3 * FS;
  const s = tone(n, 1000, MINUS_6_DBFS, FS);

  it('a −6 dBFS 1 kHz sine on both channels reads −6.0 dB mid, silent side, width 0', () => {
    const r = ltasOnly(s, s, FS);
    expect(r.midBandDb[I1K]).toBeCloseTo(-6.0, 1);
    expect(Math.abs((r.midBandDb[I1K] as number) + 6)).toBeLessThan(0.1);
    expect(r.sideBandDb[I1K]).toBe(SPECTRUM_FLOOR_DB);
    // Separating mid and side from one single-precision complex FFT leaves rounding residue (≈ −140 dB), not an exact 0.
    expect(r.width as number).toBeLessThan(1e-12);
    expect(r.widthPerBand[I1K] as number).toBeLessThan(1e-12);
    // Hann sidelobes 40+ bins away from the tone are far below −60 dB.
    expect(r.midBandDb[I1K - 1] as number).toBeLessThan(-66);
    expect(r.midBandDb[I1K + 1] as number).toBeLessThan(-66);
  });

  it('the same sine on L only reads −12.04 dB in both mid and side, width 1', () => {
    const r = ltasOnly(s, new Float32Array(n), FS);
    const expected = 20 * Math.log10(MINUS_6_DBFS / 2);
    expect(Math.abs((r.midBandDb[I1K] as number) - expected)).toBeLessThan(0.1);
    expect(Math.abs((r.sideBandDb[I1K] as number) - expected)).toBeLessThan(0.1);
    expect(r.width).toBeCloseTo(1, 6); // single-precision FFT
  });

  it('anti-phase: mid silent, side −6.0 dB, width undefined', () => {
    const r = ltasOnly(s, s.map((v) => -v), FS);
    expect(r.midBandDb[I1K]).toBe(SPECTRUM_FLOOR_DB);
    expect(Math.abs((r.sideBandDb[I1K] as number) + 6)).toBeLessThan(0.1);
    expect(r.widthPerBand[I1K]).toBeNull();
    expect(r.width).toBeNull();
    expect(r.tiltDbPerOct).toBeNull();
  });

  it('reads the same at 48 and 96 kHz; bands above Nyquist are null', () => {
    for (const fs of [48000, 96000]) {
      const x = tone(3 * fs, 1000, MINUS_6_DBFS, fs);
      const r = ltasOnly(x, x, fs);
      expect(Math.abs((r.midBandDb[I1K] as number) + 6)).toBeLessThan(0.1);
    }
    const fs = 16000;
    const x = tone(3 * fs, 1000, MINUS_6_DBFS, fs);
    const r = ltasOnly(x, x, fs);
    BANDS.lowerHz.forEach((lo, i) => {
      if (lo >= fs / 2) expect(r.midBandDb[i]).toBeNull();
      else expect(r.midBandDb[i]).not.toBeNull();
    });
  });

  it('digital silence in the track does not lower the levels (ungated: −3 dB)', () => {
    // 10 s of silence then 10 s of sine, the edge on a frame boundary: the one frame straddling it holds
    // half its window power, costing ~10·log10(1 − 0.5/55) = −0.04 dB. (Frames are gated whole, so a
    // frame with a little music in a tail is still counted: a real track loses ≲ 2 frames per silence.)
    const silence = 54 * ltasFftSize(FS), len = 10 * FS;
    const withSilence = new Float32Array(silence + len);
    withSilence.set(tone(len, 1000, MINUS_6_DBFS, FS), silence);
    const r = ltasOnly(withSilence, withSilence, FS);
    expect(Math.abs((r.midBandDb[I1K] as number) + 6)).toBeLessThan(0.1);
    const silent = analyzeSpectrum(new Float32Array(n), new Float32Array(n), FS);
    expect(silent.midBandDb.every((v) => v === null)).toBe(true);
    expect(silent.width).toBeNull();
    expect(silent.descriptors.frames).toBe(0);
  });

  it('a signal shorter than one frame still reads its level', () => {
    const x = tone(Math.round(0.15 * FS), 1000, MINUS_6_DBFS, FS);
    const r = ltasOnly(x, x, FS);
    expect(Math.abs((r.midBandDb[I1K] as number) + 6)).toBeLessThan(0.1);
    const empty = analyzeSpectrum(new Float32Array(0), new Float32Array(0), FS);
    expect(empty.midBandDb.every((v) => v === null)).toBe(true);
  });

  it('does not depend on the sample rate: tones at the band centres from 50 Hz up read their level at 44.1, 48 and 96 kHz', () => {
    // Below ~50 Hz the bands are narrower than the Hann main lobe (±2 bins ≈ ±5.5 Hz), so a lone tone
    // leaks into its neighbours; that is a resolution limit, not a scaling error (pink test below).
    const tones = BANDS.centresHz.map((f, i) => ({ f, i, db: -20 - 15 * ((i * 0.618) % 1), phase: i * 1.3 })).filter((t) => t.f >= 50 && t.f < 16000);
    for (const fs of [44100, 48000, 96000]) {
      const x = new Float32Array(2 * fs);
      for (const t of tones) {
        const a = 10 ** (t.db / 20), w = (2 * Math.PI * t.f) / fs;
        for (let k = 0; k < x.length; k++) x[k] += a * Math.sin(w * k + t.phase);
      }
      const r = ltasOnly(x, x, fs);
      for (const t of tones) expect(Math.abs((r.midBandDb[t.i] as number) - t.db)).toBeLessThan(0.05);
    }
  });
});

describe('noise spectra, tilt and Parseval', () => {
  it('white noise: band powers add up to the mean square, tilt +3.01 dB/oct', () => {
    const x = seededNoise(20 * FS, 11, 0.1);
    const r = ltasOnly(x, x, FS);
    let total = 0;
    for (const db of r.midBandDb) if (db !== null) total += 0.5 * 10 ** (db / 10);
    // The bands start at 17.8 Hz: white noise has 17.8/22050 of its power below that (−0.0035 dB).
    const expected = meanSquare(x) * (1 - BANDS.lowerHz[0] / (FS / 2));
    expect(Math.abs(10 * Math.log10(total / expected))).toBeLessThan(0.05);
    expect(Math.abs((r.tiltDbPerOct as number) - WHITE_TILT)).toBeLessThan(0.3);
  });

  it('pink noise (random-phase 1/f multisine) is flat per 1/3 octave: tilt 0 at 44.1 and 96 kHz, same levels', () => {
    // Same power per Hz at both rates: a component's power a²/2 times the components per Hz, M/fs.
    const make = (fs: number, log2M: number) => {
      const perHz = 2 ** log2M / fs;
      return multisine(log2M, fs, (hz) => (hz < 18000 ? 0.5 / Math.sqrt(hz * perHz) : 0), randomPhases(2 ** (log2M - 1), 3));
    };
    const a = make(44100, 19), b = make(96000, 20);
    const ra = ltasOnly(a, a, 44100), rb = ltasOnly(b, b, 96000);
    expect(Math.abs(ra.tiltDbPerOct as number)).toBeLessThan(0.3);
    expect(Math.abs(rb.tiltDbPerOct as number)).toBeLessThan(0.3);
    // Expected band power: Σ a²/2 over the components = ∫ (0.25/hz)/2 dhz = 0.125·ln(10^0.1) re full scale,
    // i.e. 10·log10(0.125·ln(10^0.1)/0.5) dB. Tolerance: 4σ of a Welch estimate of Gaussian noise from
    // K frames × B bins, σ ≈ 4.34·√(2/(K·B)) dB (the 2 allows for the correlation of overlapped frames
    // and adjacent Hann bins); a random-phase multisine scatters less than that.
    const expected = 10 * Math.log10((0.125 * Math.log(10 ** 0.1)) / 0.5);
    for (const [r, fs, M] of [[ra, 44100, a.length], [rb, 96000, b.length]] as const) {
      const frames = (2 * M) / ltasFftSize(fs), binHz = fs / ltasFftSize(fs);
      BANDS.centresHz.forEach((f, i) => {
        if (f > 16000) return;
        const bins = Math.max(1, (BANDS.upperHz[i] - BANDS.lowerHz[i]) / binHz);
        const tol = 4 * 4.34 * Math.sqrt(2 / (frames * bins));
        expect(Math.abs((r.midBandDb[i] as number) - expected), `${fs} Hz, band ${f.toFixed(0)} Hz`).toBeLessThan(tol);
      });
    }
  });
});

describe('stereo width', () => {
  it('independent equal-level L/R noise: width 1, low side/mid 0 dB, low side/total = 130 Hz of 22 kHz', () => {
    const l = seededNoise(10 * FS, 21, 0.1), r = seededNoise(10 * FS, 22, 0.1);
    const s = ltasOnly(l, r, FS);
    expect(Math.abs((s.width as number) - 1)).toBeLessThan(0.05);
    expect(Math.abs(s.lowSideToMidDb as number)).toBeLessThan(10 * Math.log10(1 + ratioTolerance(10, LOW_MAX_HZ - LOW_MIN_HZ)));
    const expectedLowShare = 10 * Math.log10((LOW_MAX_HZ - LOW_MIN_HZ) / (FS / 2 - BANDS.lowerHz[0]));
    expect(Math.abs((s.lowSideToTotalDb as number) - expectedLowShare)).toBeLessThan(0.3);
    s.widthPerBand.forEach((w, i) => {
      expect(Math.abs((w as number) - 1)).toBeLessThan(ratioTolerance(10, BANDS.upperHz[i] - BANDS.lowerHz[i]));
    });
  });

  it('identical channels: width 0 and bass side at the floor', () => {
    const x = seededNoise(5 * FS, 5, 0.1);
    const s = ltasOnly(x, x, FS);
    // Single-precision residue of the mid/side separation: ≈ −140 dB.
    expect(s.width as number).toBeLessThan(1e-12);
    expect(s.lowSideToMidDb as number).toBeLessThan(-120);
    expect(s.widthPerBand.every((w) => (w as number) < 1e-12)).toBe(true);
  });

  it('mono below 150 Hz and unrelated above: widthPerBand shows the split, low side/mid far down', () => {
    const log2M = 19, M = 2 ** log2M;
    const pl = randomPhases(M / 2, 31), pr = randomPhases(M / 2, 32);
    for (let k = 0; (k * FS) / M < 150; k++) pr[k] = pl[k];
    const amp = () => 1e-3;
    const l = multisine(log2M, FS, amp, pl), r = multisine(log2M, FS, amp, pr);
    const s = ltasOnly(l, r, FS);
    BANDS.centresHz.forEach((f, i) => {
      const w = s.widthPerBand[i] as number;
      if (BANDS.upperHz[i] < 120) expect(w).toBeLessThan(0.01);
      if (BANDS.lowerHz[i] > 200) expect(Math.abs(w - 1)).toBeLessThan(ratioTolerance(M / FS, BANDS.upperHz[i] - BANDS.lowerHz[i]));
    });
    // The band holding 150 Hz: mono L = R doubles the mid power per Hz below 150 Hz (coherent sum), so
    // side/mid = (fu − 150)/(2·(150 − fl) + (fu − 150)).
    const iEdge = BANDS.lowerHz.findIndex((lo, i) => lo < 150 && BANDS.upperHz[i] > 150);
    const fl = BANDS.lowerHz[iEdge], fu = BANDS.upperHz[iEdge];
    expect(Math.abs((s.widthPerBand[iEdge] as number) - (fu - 150) / (2 * (150 - fl) + (fu - 150)))).toBeLessThan(ratioTolerance(M / FS, fu - fl));
    // The only side power in 20–150 Hz is the wide content above 150 Hz leaking into the last bin or so:
    // at most ≈ Δf·S against 2·S·130 Hz of mid, i.e. 10·log10(2.7/260) ≈ −20 dB.
    expect(s.lowSideToMidDb as number).toBeLessThan(-20);
    expect(Math.abs((s.width as number) - 1)).toBeLessThan(0.05);
  });
});

describe('powerBetween', () => {
  it('shares bins fractionally and conserves the total', () => {
    const p = Float64Array.from([1, 2, 3, 4, 5]); // bins of 10 Hz: DC [0,5], 10 [5,15], …, Nyquist 40 [35,40]
    expect(powerBetween(p, 10, 0, 40)).toBeCloseTo(15, 12);
    expect(powerBetween(p, 10, 10, 20)).toBeCloseTo(0.5 * 2 + 0.5 * 3, 12);
    expect(powerBetween(p, 10, 0, 2.5)).toBeCloseTo(0.5, 12);
    expect(powerBetween(p, 10, 37.5, 100)).toBeCloseTo(2.5, 12);
    expect(powerBetween(p, 10, 50, 60)).toBe(0);
  });
});

const manifest: { files: { file: string; measurements: { side_mid_db: number } }[] } | null =
  existsSync(join(CORPUS, 'manifest.json')) ? JSON.parse(readFileSync(join(CORPUS, 'manifest.json'), 'utf8')) : null;

describe.skipIf(!manifest)('corpus (skipped when shared/corpus is absent)', () => {
  it('overall width matches the manifest Side/Mid dB within 0.2 dB', async () => {
    let checked = 0;
    // Very wide, nearly mono, narrow-ish piano, a loud lossy-sourced master.
    const chosen = ['mix01_lmms_progressive_house.flac', 'mix04_midi_midnight_snow_run.flac', 'mix06_mscore_all_dudes.flac', 'ref03_muldjord_chaos_god.flac'];
    for (const entry of manifest!.files.filter((f) => chosen.includes(f.file))) {
      const audio = await decodeFile(join(CORPUS, entry.file));
      const s = ltasOnly(audio.left, audio.right, audio.sampleRate);
      // The manifest's figure is a time-domain energy ratio over all samples; ours is over the bands
      // (17.8 Hz up) of the non-silent frames, hence the small tolerance.
      expect(Math.abs(10 * Math.log10(s.width as number) - entry.measurements.side_mid_db), entry.file).toBeLessThan(0.2);
      checked++;
    }
    expect(checked).toBe(chosen.length);
  });
});

/**
 * Dither and quantisation against the analytic results of Lipshitz, Wannamaker & Vanderkooy: TPDF
 * dither makes the total error's mean and variance independent of the signal (variance Δ²/4); a sine
 * far below one LSB survives at its level with no harmonics; noise shaping redistributes the error
 * exactly as its designed noise transfer function says; and the floats land on encodeWav's grid.
 */
import { describe, expect, it } from 'vitest';
import { Fft } from '../../src/analysis/fft.js';
import { ChannelQuantizer, ditherQuantize, quantize, roundHalfAway, type DitherSpec } from '../../src/dsp/dither.js';
import { decodeBytes } from '../../src/io/decode.js';
import { encodeWav } from '../../src/io/wav-encode.js';
import { powerToDb } from '../../src/util/db.js';
import { sha256OfChannels } from '../helpers/bits.js';
import { BLOCK_SIZES } from '../helpers/blocks.js';
import { toneAmplitude } from '../helpers/measure.js';
import { seededNoise, sine } from '../helpers/signals.js';

const FS = 44100;
const TPDF16: DitherSpec = { bits: 16, dither: 'tpdf', noiseShaping: 'none', seed: 1 };
const SHAPED16: DitherSpec = { ...TPDF16, noiseShaping: 'shaped' };
/** Lipshitz, Vanderkooy & Wannamaker 1991, 5-coefficient improved E-weighted shaper: NTF(z) = 1 − Σ c_k z^−k. */
const PAPER_COEFFICIENTS = [2.033, -2.165, 1.959, -1.59, 0.6149];

/** Total error y − x in LSB. */
function errorLsb(x: Float32Array, y: Float32Array, bits: 16 | 24): Float64Array {
  const scale = 2 ** (bits - 1);
  const e = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) e[i] = (y[i] - x[i]) * scale;
  return e;
}

function meanVar(e: ArrayLike<number>): { mean: number; variance: number } {
  let s = 0, s2 = 0;
  for (let i = 0; i < e.length; i++) {
    s += e[i];
    s2 += e[i] * e[i];
  }
  const mean = s / e.length;
  return { mean, variance: s2 / e.length - mean * mean };
}

/** Amplitude of the component of x at frequency f (x holds a whole number of its periods). */
const amplitudeAt = (x: Float32Array, f: number, fs: number): number => toneAmplitude(x, f, fs, 0, x.length);

/** Welch power spectrum (Hann, 4096 points, 50 % overlap), summed over [lo, hi) Hz. */
function bandPower(e: Float64Array, fs: number, lo: number, hi: number): number {
  const size = 4096;
  const fft = new Fft(size, 'real');
  const win = new Float64Array(size).map((_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size));
  let sum = 0;
  for (let start = 0; start + size <= e.length; start += size / 2) {
    const input = fft.input;
    for (let i = 0; i < size; i++) input[i] = e[start + i] * win[i];
    fft.forward();
    const out = fft.output;
    for (let k = 1; k < size / 2; k++) {
      const f = (k * fs) / size;
      if (f >= lo && f < hi) sum += out[2 * k] ** 2 + out[2 * k + 1] ** 2;
    }
  }
  fft.free();
  return sum;
}

/** Mean of |NTF|² over the same FFT bins, from the paper's coefficients: the designed response. */
function designedGain(fs: number, lo: number, hi: number): number {
  const size = 4096;
  let sum = 0, count = 0;
  for (let k = 1; k < size / 2; k++) {
    const f = (k * fs) / size;
    if (f < lo || f >= hi) continue;
    const w = (2 * Math.PI * f) / fs;
    let re = 1, im = 0;
    PAPER_COEFFICIENTS.forEach((c, j) => {
      re -= c * Math.cos(w * (j + 1));
      im += c * Math.sin(w * (j + 1));
    });
    sum += re * re + im * im;
    count++;
  }
  return sum / count;
}

describe('quantize', () => {
  it('gives the value encodeWav stores, as an exact float, for 16 and 24 bits', async () => {
    const values = [0, 1, -1, 0.5, -0.5, 1.5, -1.5, 1 - 2 ** -15, 0.49999997, 2 ** -16, -(2 ** -16), 3 * 2 ** -17, -3 * 2 ** -17, 2 ** -24, 0.123456789];
    const x = Float32Array.from([...values, ...seededNoise(1000, 3, 1.2)]);
    for (const bits of [16, 24] as const) {
      const q = x.map((v) => quantize(v, bits));
      for (const v of q) expect(Number.isInteger(v * 2 ** (bits - 1))).toBe(true);
      // Same bytes as encoding the unquantised floats: quantize is the encoder's own rounding and clipping.
      const fmt = { kind: 'pcm', bits } as const;
      expect(Buffer.from(encodeWav([q], FS, fmt)).equals(Buffer.from(encodeWav([x], FS, fmt)))).toBe(true);
      // And the decoder gives the quantised floats back unchanged: quantised output is written losslessly.
      const decoded = await decodeBytes(encodeWav([q], FS, fmt), 'q.wav');
      expect(decoded.left).toEqual(q);
    }
    expect(quantize(2 ** -16, 16)).toBe(2 ** -15); // half an LSB rounds away from zero
    expect(quantize(-(2 ** -16), 16)).toBe(-(2 ** -15));
    expect(Object.is(quantize(-(2 ** -20), 16), 0)).toBe(true); // never −0: the decoded file holds 0
    expect(quantize(1.5, 16)).toBe(1 - 2 ** -15);
    expect(quantize(-1.5, 24)).toBe(-1);
  });
});

describe('roundHalfAway', () => {
  /** Independent truth: integer part and fraction are exact for |y| < 2^52, and so is the decision on |fraction|. */
  function reference(y: number): number {
    if (!(Math.abs(y) < 2 ** 52)) return y;
    const t = Math.trunc(y);
    const q = Math.abs(y - t) >= 0.5 ? t + Math.sign(y) : t;
    return q + 0;
  }

  it('rounds ties away from zero and is exact where floor(y + 0.5) is not', () => {
    const cases: [number, number][] = [
      [0.5, 1], [-0.5, -1], [1.5, 2], [-1.5, -2], [2.5, 3], [-2.5, -3], [-1e-300, 0], [0, 0], [-0, 0],
      // The predecessor of ½: y + 0.5 rounds up to 1 in double, the exact sum is below 1.
      [0.5 - 2 ** -54, 0], [-(0.5 - 2 ** -54), 0], [0.5 + 2 ** -53, 1],
      [2 ** 52 - 0.5, 2 ** 52], [-(2 ** 52 - 0.5), -(2 ** 52)], [2 ** 53 + 2, 2 ** 53 + 2], [8388607.5, 8388608], [-8388608.5, -8388609],
    ];
    expect(Math.floor(0.5 - 2 ** -54 + 0.5)).toBe(1); // the trap this function avoids
    for (const [y, q] of cases) {
      expect(roundHalfAway(y)).toBe(q);
      expect(Object.is(roundHalfAway(y), -0)).toBe(false);
    }
    expect(roundHalfAway(Infinity)).toBe(Infinity);
    expect(roundHalfAway(-Infinity)).toBe(-Infinity);
    expect(roundHalfAway(NaN)).toBeNaN();
  });

  it('agrees with the exact reference on doubles with full mantissas, ties and their neighbours', () => {
    let state = 12345;
    const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const wrong: number[] = [];
    let ties = 0;
    for (let i = 0; i < 100_000; i++) {
      const k = Math.floor((next() - 0.5) * 2 ** (1 + Math.floor(next() * 30)));
      const fine = (next() + next() * 2 ** -26) * 2 ** -Math.floor(next() * 60); // bits far below the LSB
      for (const y of [k + next(), k + 0.5, k - 0.5, k + 0.5 + fine, k + 0.5 - fine, k + fine, k - fine]) {
        if (!Object.is(roundHalfAway(y), reference(y))) wrong.push(y);
        if (Math.abs(y % 1) === 0.5) ties++;
      }
    }
    expect(wrong).toEqual([]);
    expect(ties).toBeGreaterThan(100_000); // the inputs did exercise the tie path
  });

  it('is what the undithered, unshaped quantizer applies to every sample (block loop = quantize)', () => {
    const x = Float32Array.from([...seededNoise(30_000, 4, 1.1), 0.5 / 32768, -0.5 / 32768, 2.5 / 32768, -2.5 / 32768]);
    for (const bits of [16, 24] as const) {
      const [y] = ditherQuantize([x], { bits, dither: 'none', noiseShaping: 'none', seed: 1 });
      expect(y).toEqual(x.map((v) => quantize(v, bits)));
    }
  });
});

describe('TPDF dither', () => {
  it('adds total error of variance Δ²/4 (Δ²/12 without dither), mean 0, at most 1.5 LSB', () => {
    const x = seededNoise(1 << 20, 11, 0.5);
    for (const bits of [16, 24] as const) {
      const [y] = ditherQuantize([x], { ...TPDF16, bits });
      const e = errorLsb(x, y, bits);
      const { mean, variance } = meanVar(e);
      expect(Math.abs(variance / 0.25 - 1)).toBeLessThan(0.02);
      expect(Math.abs(mean)).toBeLessThan(0.005);
      let peak = 0;
      for (const v of e) peak = Math.max(peak, Math.abs(v));
      expect(peak).toBeLessThanOrEqual(1.5);
      if (bits === 16) {
        // Plain rounding error is uniform only if the input has many bits below the LSB: true for float32
        // at 16 bits, not at 24 (a float32 in [0.25, 0.5) has just two bits below the 24-bit LSB).
        const [plain] = ditherQuantize([x], { ...TPDF16, bits, dither: 'none' });
        expect(Math.abs(meanVar(errorLsb(x, plain, bits)).variance / (1 / 12) - 1)).toBeLessThan(0.02);
      }
    }
  });

  it('makes the error mean and variance independent of where the signal sits between two codes', () => {
    // Without dither a constant input k + f LSB gives a constant error −f (or 1 − f): signal-dependent.
    for (const f of [0, 0.25, 0.5, 0.75]) {
      const x = new Float32Array(1 << 18).fill((100 + f) / 32768);
      const [y] = ditherQuantize([x], TPDF16);
      const { mean, variance } = meanVar(errorLsb(x, y, 16));
      expect(Math.abs(mean)).toBeLessThan(0.005);
      expect(Math.abs(variance / 0.25 - 1)).toBeLessThan(0.02);
    }
  });

  it('keeps a −100 dBFS sine at 16 bits at its level with no harmonics above the noise', () => {
    // 0.33 LSB peak: plain rounding turns it into digital silence.
    const amplitude = 1e-5;
    const x = sine({ sampleRate: FS, frequency: 1000, seconds: 10, amplitude });
    const [y] = ditherQuantize([x], TPDF16);
    expect(20 * Math.log10(amplitudeAt(y, 1000, FS) / amplitude)).toBeGreaterThan(-0.5);
    expect(20 * Math.log10(amplitudeAt(y, 1000, FS) / amplitude)).toBeLessThan(0.5);
    // The noise (variance Δ²/4) puts a spread of σ·√(2/N) on each amplitude estimate; a harmonic would
    // stand far above 4 of those.
    const sigma = 0.5 / 32768;
    const spread = sigma * Math.sqrt(2 / x.length);
    for (const h of [2, 3, 4, 5]) expect(amplitudeAt(y, 1000 * h, FS)).toBeLessThan(4 * spread);
    const [plain] = ditherQuantize([x], { ...TPDF16, dither: 'none' });
    expect(plain.every((v) => v === 0)).toBe(true);
    // A one-LSB sine without dither is a square-ish wave: its 3rd harmonic is far above that bound.
    const loud = sine({ sampleRate: FS, frequency: 1000, seconds: 10, amplitude: 1.2 / 32768 });
    const [distorted] = ditherQuantize([loud], { ...TPDF16, dither: 'none' });
    expect(amplitudeAt(distorted, 3000, FS)).toBeGreaterThan(100 * spread);
  });

  it('is repeatable from the seed, different for another seed, independent between channels', () => {
    const x = seededNoise(1 << 16, 5, 0.3);
    const a = ditherQuantize([x, x], TPDF16);
    const b = ditherQuantize([x, x], TPDF16);
    const c = ditherQuantize([x, x], { ...TPDF16, seed: 2 });
    expect(sha256OfChannels(a)).toBe(sha256OfChannels(b));
    expect(sha256OfChannels(a)).not.toBe(sha256OfChannels(c));
    // Same input on both channels: the two dither streams must be uncorrelated.
    const el = errorLsb(x, a[0], 16), er = errorLsb(x, a[1], 16);
    let cross = 0;
    for (let i = 0; i < el.length; i++) cross += el[i] * er[i];
    expect(Math.abs(cross / el.length / 0.25)).toBeLessThan(0.02);
  });

  it('gives the same bits whatever the block cutting', () => {
    const x = seededNoise(10_000, 9, 0.9);
    for (const spec of [TPDF16, SHAPED16]) {
      const whole = new Float32Array(x.length);
      new ChannelQuantizer(spec, 0).process(x, whole);
      for (const block of BLOCK_SIZES) {
        const q = new ChannelQuantizer(spec, 0);
        const out = new Float32Array(x.length);
        for (let at = 0; at < x.length; at += block) {
          const end = Math.min(x.length, at + block);
          q.process(x.subarray(at, end), out.subarray(at, end));
        }
        expect(out).toEqual(whole);
      }
    }
  });
});

describe('noise shaping', () => {
  const x = seededNoise(1 << 20, 21, 0.25);
  const flat = errorLsb(x, ditherQuantize([x], TPDF16)[0], 16);
  const shaped = errorLsb(x, ditherQuantize([x], SHAPED16)[0], 16);

  it('shapes the error spectrum as the designed noise transfer function', () => {
    const bands: [number, number][] = [
      [0, 4000],
      [2000, 5000],
      [8000, 12000],
      [18000, 22050],
    ];
    for (const [lo, hi] of bands) {
      const measured = powerToDb(bandPower(shaped, FS, lo, hi) / bandPower(flat, FS, lo, hi));
      expect(Math.abs(measured - powerToDb(designedGain(FS, lo, hi)))).toBeLessThan(0.5);
    }
    // The figures this design stands for: −16.9 dB below 4 kHz, +18.5 dB from 18 kHz to Nyquist.
    expect(powerToDb(bandPower(shaped, FS, 0, 4000) / bandPower(flat, FS, 0, 4000))).toBeLessThan(-16);
    expect(powerToDb(bandPower(shaped, FS, 18000, 22050) / bandPower(flat, FS, 18000, 22050))).toBeGreaterThan(17.5);
  });

  it('raises the total error power by 1 + Σc² (+12.2 dB), the white error filtered by the NTF', () => {
    const gain = 1 + PAPER_COEFFICIENTS.reduce((s, c) => s + c * c, 0);
    expect(powerToDb(meanVar(shaped).variance / meanVar(flat).variance)).toBeCloseTo(powerToDb(gain), 1);
  });

  it('recovers after an overload: the error stays within its bound once the signal is back in range', () => {
    // Clipped samples leave the feedback untouched (the error is taken before clipping), so the total
    // error after the overload is bounded by 1.5 LSB · (1 + Σ|c|) as for any in-range signal.
    const over = sine({ sampleRate: FS, frequency: 100, samples: 4410, amplitude: 2 });
    const quiet = sine({ sampleRate: FS, frequency: 1000, samples: 44100, amplitude: 0.01 });
    const sig = new Float32Array(over.length + quiet.length);
    sig.set(over);
    sig.set(quiet, over.length);
    const [y] = ditherQuantize([sig], SHAPED16);
    for (let i = 0; i < over.length; i++) expect(Math.abs(y[i])).toBeLessThanOrEqual(1);
    const bound = 1.5 * (1 + PAPER_COEFFICIENTS.reduce((s, c) => s + Math.abs(c), 0));
    const e = errorLsb(sig.subarray(over.length), y.subarray(over.length), 16);
    let peak = 0;
    for (const v of e) peak = Math.max(peak, Math.abs(v));
    expect(peak).toBeLessThanOrEqual(bound);
  });
});

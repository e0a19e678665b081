/**
 * Measuring what a processor did to a signal (tone amplitudes and phases, FIR spectra, mid/side), and
 * the analytic curves the measurements are compared with.
 */
import { Fft } from '../../src/analysis/fft.js';
import type { GainCurve } from '../../src/dsp/fir.js';

/** Least-squares amplitude and phase of the sine of angular frequency w (rad/sample) in y[from, to): y ≈ a·sin(wn) + b·cos(wn). */
export function fitSine(y: ArrayLike<number>, w: number, from: number, to: number): { amplitude: number; phase: number } {
  let ss = 0, sc = 0, cc = 0, ys = 0, yc = 0;
  for (let n = from; n < to; n++) {
    const s = Math.sin(w * n), c = Math.cos(w * n);
    ss += s * s; sc += s * c; cc += c * c; ys += y[n] * s; yc += y[n] * c;
  }
  const det = ss * cc - sc * sc;
  const a = (ys * cc - yc * sc) / det, b = (yc * ss - ys * sc) / det;
  return { amplitude: Math.hypot(a, b), phase: Math.atan2(b, a) };
}

/** Amplitude of the component at f over x[from, to) (an integer number of its periods), by correlation. */
export function toneAmplitude(x: Float32Array, f: number, fs: number, from: number, to: number): number {
  let re = 0, im = 0;
  const w = (2 * Math.PI * f) / fs;
  for (let n = from; n < to; n++) {
    re += x[n] * Math.cos(w * n);
    im += x[n] * Math.sin(w * n);
  }
  return (2 * Math.hypot(re, im)) / (to - from);
}

/** Amplitude of the component at `cycles` cycles per `period` samples in x[from, from + periods·period) (rectangular DFT: exact for a periodic signal). */
export function coherentAmplitude(x: ArrayLike<number>, from: number, period: number, periods: number, cycles: number): number {
  const len = period * periods;
  let re = 0, im = 0;
  for (let n = 0; n < len; n++) {
    const a = (2 * Math.PI * ((cycles * periods * n) % len)) / len;
    re += x[from + n] * Math.cos(a);
    im -= x[from + n] * Math.sin(a);
  }
  return ((cycles === 0 ? 1 : 2) * Math.hypot(re, im)) / len;
}

/** Magnitude (dB) of an FIR at bins k·fs/size, k = 0 … size/2, by a zero-padded FFT (h.length ≤ size). */
export function spectrumDb(h: Float32Array, size: number): Float64Array {
  const fft = new Fft(size, 'real');
  try {
    const input = fft.input;
    input.fill(0);
    input.set(h);
    fft.forward();
    const o = fft.output;
    const db = new Float64Array(size / 2 + 1);
    db[0] = 20 * Math.log10(Math.abs(o[0]));
    db[size / 2] = 20 * Math.log10(Math.abs(o[1]));
    for (let k = 1; k < size / 2; k++) db[k] = 10 * Math.log10(o[2 * k] ** 2 + o[2 * k + 1] ** 2);
    return db;
  } finally {
    fft.free();
  }
}

/** Largest |realised − target| in dB of an FIR over lo…hi Hz, on the bins of a 4×-zero-padded FFT. */
export function worstDeviation(h: Float32Array, fs: number, curve: GainCurve, lo = 30, hi = 16000): number {
  const size = 4 * 2 ** Math.ceil(Math.log2(h.length));
  const db = spectrumDb(h, size);
  let worst = 0;
  for (let k = Math.ceil((lo * size) / fs); k <= Math.floor((hi * size) / fs); k++) worst = Math.max(worst, Math.abs(db[k] - curve((k * fs) / size)));
  return worst;
}

/** Share of an FIR's energy in its first tenth of taps (a minimum-phase filter front-loads it). */
export function energyShareOfFirstTenth(h: Float32Array): number {
  let total = 0, front = 0;
  for (let n = 0; n < h.length; n++) {
    total += h[n] * h[n];
    if (n < h.length / 10) front += h[n] * h[n];
  }
  return front / total;
}

/** Mid (L + R)/2 and side (L − R)/2 of a stereo pair. */
export function midSide(left: Float32Array, right: Float32Array): { mid: Float32Array; side: Float32Array } {
  const mid = new Float32Array(left.length), side = new Float32Array(left.length);
  for (let i = 0; i < left.length; i++) {
    mid[i] = 0.5 * (left[i] + right[i]);
    side[i] = 0.5 * (left[i] - right[i]);
  }
  return { mid, side };
}

/** `count` frequencies from lo to hi (both included), evenly spaced on a log axis. */
export function logSweep(lo: number, hi: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => lo * (hi / lo) ** (i / (count - 1)));
}

/**
 * Magnitudes of the bilinear LR4 (Linkwitz–Riley 4th order) low and high pass at f for a crossover at
 * fc: 1/(1 + Ω⁴) and Ω⁴/(1 + Ω⁴), Ω = tan(πf/fs)/tan(πfc/fs) (both −6.02 dB at fc).
 */
export function lr4(f: number, fc: number, fs: number): { low: number; high: number } {
  const w4 = (Math.tan((Math.PI * f) / fs) / Math.tan((Math.PI * fc) / fs)) ** 4;
  return { low: 1 / (1 + w4), high: w4 / (1 + w4) };
}

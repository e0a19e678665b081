/**
 * Second-order IIR sections: designs after R. Bristow-Johnson's "Audio EQ Cookbook" (bilinear
 * transform with frequency pre-warping), Butterworth high/low-pass cascades of any order, the
 * analytic magnitude response (the truth the tests measure against), and in-place processing of a
 * cascade with double-precision state.
 */
import { flushDenormal } from './processor.js';

/** y[n] = b0·x[n] + b1·x[n−1] + b2·x[n−2] − a1·y[n−1] − a2·y[n−2] (a0 normalised to 1). */
export interface Biquad {
  b0: number; b1: number; b2: number; a1: number; a2: number;
}

function normalise(b0: number, b1: number, b2: number, a0: number, a1: number, a2: number): Biquad {
  return { b0: b0 / a0, b1: b1 / a0, b2: b2 / a0, a1: a1 / a0, a2: a2 / a0 };
}

function omega(sampleRate: number, frequencyHz: number): [number, number] {
  const w = (2 * Math.PI * frequencyHz) / sampleRate;
  return [Math.cos(w), Math.sin(w)];
}

export function lowpass(sampleRate: number, frequencyHz: number, q: number): Biquad {
  const [c, s] = omega(sampleRate, frequencyHz);
  const alpha = s / (2 * q);
  return normalise((1 - c) / 2, 1 - c, (1 - c) / 2, 1 + alpha, -2 * c, 1 - alpha);
}

export function highpass(sampleRate: number, frequencyHz: number, q: number): Biquad {
  const [c, s] = omega(sampleRate, frequencyHz);
  const alpha = s / (2 * q);
  return normalise((1 + c) / 2, -(1 + c), (1 + c) / 2, 1 + alpha, -2 * c, 1 - alpha);
}

export function allpass(sampleRate: number, frequencyHz: number, q: number): Biquad {
  const [c, s] = omega(sampleRate, frequencyHz);
  const alpha = s / (2 * q);
  return normalise(1 - alpha, -2 * c, 1 + alpha, 1 + alpha, -2 * c, 1 - alpha);
}

/** First-order sections as biquads (b2 = a2 = 0), bilinear with pre-warping. */
export function lowpass1(sampleRate: number, frequencyHz: number): Biquad {
  const k = Math.tan((Math.PI * frequencyHz) / sampleRate);
  return normalise(k, k, 0, k + 1, k - 1, 0);
}

export function highpass1(sampleRate: number, frequencyHz: number): Biquad {
  const k = Math.tan((Math.PI * frequencyHz) / sampleRate);
  return normalise(1, -1, 0, k + 1, k - 1, 0);
}

export function bell(sampleRate: number, frequencyHz: number, gainDb: number, q: number): Biquad {
  const [c, s] = omega(sampleRate, frequencyHz);
  const a = 10 ** (gainDb / 40);
  const alpha = s / (2 * q);
  return normalise(1 + alpha * a, -2 * c, 1 - alpha * a, 1 + alpha / a, -2 * c, 1 - alpha / a);
}

/** Shelves: `q` is the cookbook's Q (0.707 = steepest slope without overshoot); the gain is reached far past the corner. */
export function lowShelf(sampleRate: number, frequencyHz: number, gainDb: number, q: number): Biquad {
  const [c, s] = omega(sampleRate, frequencyHz);
  const a = 10 ** (gainDb / 40);
  const beta = 2 * Math.sqrt(a) * (s / (2 * q));
  return normalise(
    a * (a + 1 - (a - 1) * c + beta),
    2 * a * (a - 1 - (a + 1) * c),
    a * (a + 1 - (a - 1) * c - beta),
    a + 1 + (a - 1) * c + beta,
    -2 * (a - 1 + (a + 1) * c),
    a + 1 + (a - 1) * c - beta,
  );
}

export function highShelf(sampleRate: number, frequencyHz: number, gainDb: number, q: number): Biquad {
  const [c, s] = omega(sampleRate, frequencyHz);
  const a = 10 ** (gainDb / 40);
  const beta = 2 * Math.sqrt(a) * (s / (2 * q));
  return normalise(
    a * (a + 1 + (a - 1) * c + beta),
    -2 * a * (a - 1 + (a + 1) * c),
    a * (a + 1 + (a - 1) * c - beta),
    a + 1 - (a - 1) * c + beta,
    2 * (a - 1 - (a + 1) * c),
    a + 1 - (a - 1) * c - beta,
  );
}

/**
 * Butterworth high-pass or low-pass of `order` (1–8) as a cascade: one first-order section for odd
 * orders, and second-order sections with Q = 1/(2·cos θk) for the pole pairs, θk being the pair's angle
 * from the negative real axis: (2k−1)π/(2·order) for even orders, kπ/order for odd ones (the real pole
 * sits at θ = 0), k = 1 … ⌊order/2⌋ (Butterworth 1930; the poles are equally spaced by π/order).
 */
export function butterworth(kind: 'lowpass' | 'highpass', sampleRate: number, frequencyHz: number, order: number): Biquad[] {
  if (!Number.isInteger(order) || order < 1 || order > 8) throw new RangeError(`Butterworth order must be 1–8, got ${order}`);
  const sections: Biquad[] = [];
  for (let k = 1; k <= Math.floor(order / 2); k++) {
    const q = 1 / (2 * Math.cos(((2 * k - 1 + (order % 2)) * Math.PI) / (2 * order)));
    sections.push(kind === 'lowpass' ? lowpass(sampleRate, frequencyHz, q) : highpass(sampleRate, frequencyHz, q));
  }
  if (order % 2 === 1) sections.push(kind === 'lowpass' ? lowpass1(sampleRate, frequencyHz) : highpass1(sampleRate, frequencyHz));
  return sections;
}

/** |H(e^jω)| of a cascade at `frequencyHz`, in dB: the design truth. */
export function cascadeMagnitudeDb(sections: Biquad[], sampleRate: number, frequencyHz: number): number {
  const w = (2 * Math.PI * frequencyHz) / sampleRate;
  const c1 = Math.cos(w), s1 = Math.sin(w), c2 = Math.cos(2 * w), s2 = Math.sin(2 * w);
  let db = 0;
  for (const { b0, b1, b2, a1, a2 } of sections) {
    const nr = b0 + b1 * c1 + b2 * c2, ni = -(b1 * s1 + b2 * s2);
    const dr = 1 + a1 * c1 + a2 * c2, di = -(a1 * s1 + a2 * s2);
    db += 10 * Math.log10((nr * nr + ni * ni) / (dr * dr + di * di));
  }
  return db;
}

/** State for a cascade: two doubles per section (transposed direct form II). */
export function cascadeState(sections: Biquad[]): Float64Array {
  return new Float64Array(2 * sections.length);
}

/**
 * Runs `x[start, end)` through the cascade in place. All sections run per sample in double
 * precision; only the cascade's output is stored back into `x`.
 *
 * By default the states are flushed (flushDenormal) at the end of the call. A flush changes the
 * state (a 1e-31 tail becomes 0), so flushing wherever the caller's block happens to end makes the
 * output depend on the block cutting once a signal decays that far. A processor that must be
 * bit-identical for any cutting passes `flush = false` and calls `flushCascadeState` at fixed
 * sample positions (e.g. every 1024 samples counted from the start).
 */
export function processCascade(
  sections: Biquad[],
  state: Float64Array,
  x: Float32Array | Float64Array,
  start = 0,
  end = x.length,
  flush = true,
): void {
  const n = sections.length;
  for (let i = start; i < end; i++) {
    let v = x[i];
    for (let k = 0; k < n; k++) {
      const s = sections[k];
      const z1 = state[2 * k], z2 = state[2 * k + 1];
      const y = s.b0 * v + z1;
      state[2 * k] = s.b1 * v - s.a1 * y + z2;
      state[2 * k + 1] = s.b2 * v - s.a2 * y;
      v = y;
    }
    x[i] = v;
  }
  if (flush) flushCascadeState(state);
}

/** Flushes near-denormal states to 0 (see processCascade). */
export function flushCascadeState(state: Float64Array): void {
  for (let k = 0; k < state.length; k++) state[k] = flushDenormal(state[k]);
}

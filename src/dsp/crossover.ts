/**
 * Linkwitz–Riley crossovers and the filter kernels the dynamics and stereo stages share.
 *
 * - LR4 (S. Linkwitz, "Active Crossover Networks for Noncoincident Drivers", JAES 1976): low-pass
 *   and high-pass are each two cascaded 2nd-order Butterworth sections (Q = 1/√2, RBJ cookbook
 *   designs from biquad.ts). Their sum is the 2nd-order allpass of the same corner and Q
 *   (LP + HP = (1 + s⁴)/D(s)² = (s² − √2s + 1)/(s² + √2s + 1)); the bilinear transform keeps the
 *   identity, so |LP| = 1/(1 + Ω⁴), |HP| = Ω⁴/(1 + Ω⁴), Ω = tan(πf/fs)/tan(πfc/fs).
 * - Multi-band split with allpass compensation (the standard tree): band k is
 *   LPk · Π(j<k) HPj · Π(j>k) APj, so the bands sum to Π APj, flat in magnitude. Divided by that
 *   allpass, each band's response is real and ≥ 0 (LP/AP = 1/(1+Ω⁴), HP/AP = Ω⁴/(1+Ω⁴)): bands
 *   weighted by gains cross-fade without any phase difference between them.
 * - FLUSH_INTERVAL: the processors cut the caller's blocks at absolute multiples of it and flush
 *   denormals only there, so that the output is bit-identical whatever the block sizes.
 *
 * KERNELS. Every section runs in direct form I, y = b0·x + b1·x1 + b2·x2 − a2·y2 − a1·y1, whose
 * feedback path is one multiply-add long (the transposed form II of biquad.ts is two), in double
 * precision, in place, with coefficients and states in locals. V8 re-checks a typed array (map,
 * length, data pointer) at every access in a loop (Node 20), and one recursion alone waits on its
 * multiply-add: a pass costs little more with two recursions than with one, as long as their
 * coefficients and states fit in the 15 usable double registers. Hence L and R in one loop, and
 * the LR4 and allpass kernels running two or three sections per pass with the designs' exact
 * structure (Butterworth low/high-pass: b1 = ±2·b0, b2 = b0; allpass: b0 = a2, b1 = a1, b2 = 1:
 * fewer coefficients to hold, fewer multiplies). They compute the same filters as the generic form,
 * to within rounding.
 * Coefficients are packed 5 per section (b0 b1 b2 a1 a2), states 4 per section and channel
 * (x1 x2 y1 y2).
 */
import { allpass, lowpass, highpass, type Biquad } from './biquad.js';
import { UserError } from '../util/errors.js';
import { flushDenormal } from './processor.js';

/** Q of each Butterworth section of an LR4 filter, and of the allpass the two sum to. */
export const BUTTERWORTH_Q = Math.SQRT1_2;

export function lr4Lowpass(sampleRate: number, frequencyHz: number): Biquad[] {
  return [lowpass(sampleRate, frequencyHz, BUTTERWORTH_Q), lowpass(sampleRate, frequencyHz, BUTTERWORTH_Q)];
}

export function lr4Highpass(sampleRate: number, frequencyHz: number): Biquad[] {
  return [highpass(sampleRate, frequencyHz, BUTTERWORTH_Q), highpass(sampleRate, frequencyHz, BUTTERWORTH_Q)];
}

/** LR4 low-pass + high-pass of the same corner: the 2nd-order allpass with Q = 1/√2. */
export function lr4Allpass(sampleRate: number, frequencyHz: number): Biquad {
  return allpass(sampleRate, frequencyHz, BUTTERWORTH_Q);
}

/** Highest crossover/corner frequency accepted, as a fraction of the sample rate (the bilinear designs need f < fs/2). */
export const MAX_CORNER_FRACTION = 0.45;

/**
 * Samples between two denormal flushes, counted from the first sample a processor ever saw. The
 * processors cut their blocks at absolute multiples of it and flush only there, so flushing happens
 * at the same samples whatever the block sizes (bit-identical output for any block cutting); it is
 * also the length of their scratch buffers.
 */
export const FLUSH_INTERVAL = 512;

/** Coefficients of `sections`, 5 per section: b0 b1 b2 a1 a2. */
export function packSections(sections: readonly Biquad[]): Float64Array {
  const c = new Float64Array(5 * sections.length);
  sections.forEach((s, k) => c.set([s.b0, s.b1, s.b2, s.a1, s.a2], 5 * k));
  return c;
}

/** Flushes near-denormal states to 0 (at the processors' fixed flush positions only). */
export function flushStates(z: Float64Array): void {
  for (let k = 0; k < z.length; k++) z[k] = flushDenormal(z[k]);
}

// ---------------------------------------------------------------------------------------------
// Kernels. c: coefficients (5 per section) from co; z: states from zo; buffers in place on [0, n).
// ---------------------------------------------------------------------------------------------

/** One section on a. States: x1 x2 y1 y2. */
export function biquadMono(c: Float64Array, co: number, z: Float64Array, zo: number, a: Float64Array, n: number): void {
  const b0 = c[co], b1 = c[co + 1], b2 = c[co + 2], a1 = c[co + 3], a2 = c[co + 4];
  let x1 = z[zo], x2 = z[zo + 1], y1 = z[zo + 2], y2 = z[zo + 3];
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b0 * x + b1 * x1 + b2 * x2 - a2 * y2 - a1 * y1;
    x2 = x1;
    x1 = x;
    y2 = y1;
    y1 = y;
    a[i] = y;
  }
  z[zo] = x1;
  z[zo + 1] = x2;
  z[zo + 2] = y1;
  z[zo + 3] = y2;
}

/**
 * One section on a and on b (two channels, the same coefficients, one loop: the two recursions
 * overlap in the CPU). States: x1 x2 y1 y2 of a, then of b. Bit-identical to biquadMono per channel.
 */
export function biquadStereo(c: Float64Array, co: number, z: Float64Array, zo: number, a: Float64Array, b: Float64Array, n: number): void {
  const b0 = c[co], b1 = c[co + 1], b2 = c[co + 2], a1 = c[co + 3], a2 = c[co + 4];
  let x1 = z[zo], x2 = z[zo + 1], y1 = z[zo + 2], y2 = z[zo + 3];
  let u1 = z[zo + 4], u2 = z[zo + 5], v1 = z[zo + 6], v2 = z[zo + 7];
  for (let i = 0; i < n; i++) {
    const x = a[i], u = b[i];
    const y = b0 * x + b1 * x1 + b2 * x2 - a2 * y2 - a1 * y1;
    const v = b0 * u + b1 * u1 + b2 * u2 - a2 * v2 - a1 * v1;
    x2 = x1;
    x1 = x;
    y2 = y1;
    y1 = y;
    u2 = u1;
    u1 = u;
    v2 = v1;
    v1 = v;
    a[i] = y;
    b[i] = v;
  }
  z[zo] = x1;
  z[zo + 1] = x2;
  z[zo + 2] = y1;
  z[zo + 3] = y2;
  z[zo + 4] = u1;
  z[zo + 5] = u2;
  z[zo + 6] = v1;
  z[zo + 7] = v2;
}

/**
 * biquadStereo reading and writing the float32 signal itself, left/right [start, start + n): for a
 * cascade of ONE section, where double precision inside the section and one rounding at the end is
 * all the cascade does anyway (bit-identical to copying to doubles, filtering and copying back).
 */
export function biquadStereo32(c: Float64Array, co: number, z: Float64Array, zo: number, left: Float32Array, right: Float32Array, start: number, n: number): void {
  const b0 = c[co], b1 = c[co + 1], b2 = c[co + 2], a1 = c[co + 3], a2 = c[co + 4];
  let x1 = z[zo], x2 = z[zo + 1], y1 = z[zo + 2], y2 = z[zo + 3];
  let u1 = z[zo + 4], u2 = z[zo + 5], v1 = z[zo + 6], v2 = z[zo + 7];
  for (let j = start, end = start + n; j < end; j++) {
    const x = left[j], u = right[j];
    const y = b0 * x + b1 * x1 + b2 * x2 - a2 * y2 - a1 * y1;
    const v = b0 * u + b1 * u1 + b2 * u2 - a2 * v2 - a1 * v1;
    x2 = x1;
    x1 = x;
    y2 = y1;
    y1 = y;
    u2 = u1;
    u1 = u;
    v2 = v1;
    v1 = v;
    left[j] = y;
    right[j] = v;
  }
  z[zo] = x1;
  z[zo + 1] = x2;
  z[zo + 2] = y1;
  z[zo + 3] = y2;
  z[zo + 4] = u1;
  z[zo + 5] = u2;
  z[zo + 6] = v1;
  z[zo + 7] = v2;
}

/**
 * A cascade of TWO sections (at co and co + 5) reading and writing the float32 left/right
 * [start, start + n) in one pass; the signal between the sections stays in double precision (in
 * registers). Registers spill here (26 values for 15), but one pass still beats two passes with a
 * double-precision buffer between them. States: x1 x2 y1 y2 w1 w2 of left, then of right.
 */
export function biquad2Stereo32(c: Float64Array, co: number, z: Float64Array, zo: number, left: Float32Array, right: Float32Array, start: number, n: number): void {
  const b0 = c[co], b1 = c[co + 1], b2 = c[co + 2], a1 = c[co + 3], a2 = c[co + 4];
  const d0 = c[co + 5], d1 = c[co + 6], d2 = c[co + 7], e1 = c[co + 8], e2 = c[co + 9];
  let lx1 = z[zo], lx2 = z[zo + 1], ly1 = z[zo + 2], ly2 = z[zo + 3], lw1 = z[zo + 4], lw2 = z[zo + 5];
  let rx1 = z[zo + 6], rx2 = z[zo + 7], ry1 = z[zo + 8], ry2 = z[zo + 9], rw1 = z[zo + 10], rw2 = z[zo + 11];
  for (let j = start, end = start + n; j < end; j++) {
    const xl = left[j], xr = right[j];
    const yl = b0 * xl + b1 * lx1 + b2 * lx2 - a2 * ly2 - a1 * ly1;
    const yr = b0 * xr + b1 * rx1 + b2 * rx2 - a2 * ry2 - a1 * ry1;
    const wl = d0 * yl + d1 * ly1 + d2 * ly2 - e2 * lw2 - e1 * lw1;
    const wr = d0 * yr + d1 * ry1 + d2 * ry2 - e2 * rw2 - e1 * rw1;
    lx2 = lx1;
    lx1 = xl;
    ly2 = ly1;
    ly1 = yl;
    lw2 = lw1;
    lw1 = wl;
    rx2 = rx1;
    rx1 = xr;
    ry2 = ry1;
    ry1 = yr;
    rw2 = rw1;
    rw1 = wr;
    left[j] = wl;
    right[j] = wr;
  }
  z[zo] = lx1;
  z[zo + 1] = lx2;
  z[zo + 2] = ly1;
  z[zo + 3] = ly2;
  z[zo + 4] = lw1;
  z[zo + 5] = lw2;
  z[zo + 6] = rx1;
  z[zo + 7] = rx2;
  z[zo + 8] = ry1;
  z[zo + 9] = ry2;
  z[zo + 10] = rw1;
  z[zo + 11] = rw2;
}

/** The first section of a longer cascade: reads the float32 left/right [start, start + n), writes doubles to a/b [0, n). */
export function biquadStereoFrom32(
  c: Float64Array, co: number, z: Float64Array, zo: number,
  left: Float32Array, right: Float32Array, start: number, a: Float64Array, b: Float64Array, n: number,
): void {
  const b0 = c[co], b1 = c[co + 1], b2 = c[co + 2], a1 = c[co + 3], a2 = c[co + 4];
  let x1 = z[zo], x2 = z[zo + 1], y1 = z[zo + 2], y2 = z[zo + 3];
  let u1 = z[zo + 4], u2 = z[zo + 5], v1 = z[zo + 6], v2 = z[zo + 7];
  for (let i = 0, j = start; i < n; i++, j++) {
    const x = left[j], u = right[j];
    const y = b0 * x + b1 * x1 + b2 * x2 - a2 * y2 - a1 * y1;
    const v = b0 * u + b1 * u1 + b2 * u2 - a2 * v2 - a1 * v1;
    x2 = x1;
    x1 = x;
    y2 = y1;
    y1 = y;
    u2 = u1;
    u1 = u;
    v2 = v1;
    v1 = v;
    a[i] = y;
    b[i] = v;
  }
  z[zo] = x1;
  z[zo + 1] = x2;
  z[zo + 2] = y1;
  z[zo + 3] = y2;
  z[zo + 4] = u1;
  z[zo + 5] = u2;
  z[zo + 6] = v1;
  z[zo + 7] = v2;
}

/** The last section of a longer cascade: reads doubles from a/b [0, n), writes the float32 left/right [start, start + n) (the one rounding). */
export function biquadStereoTo32(
  c: Float64Array, co: number, z: Float64Array, zo: number,
  a: Float64Array, b: Float64Array, left: Float32Array, right: Float32Array, start: number, n: number,
): void {
  const b0 = c[co], b1 = c[co + 1], b2 = c[co + 2], a1 = c[co + 3], a2 = c[co + 4];
  let x1 = z[zo], x2 = z[zo + 1], y1 = z[zo + 2], y2 = z[zo + 3];
  let u1 = z[zo + 4], u2 = z[zo + 5], v1 = z[zo + 6], v2 = z[zo + 7];
  for (let i = 0, j = start; i < n; i++, j++) {
    const x = a[i], u = b[i];
    const y = b0 * x + b1 * x1 + b2 * x2 - a2 * y2 - a1 * y1;
    const v = b0 * u + b1 * u1 + b2 * u2 - a2 * v2 - a1 * v1;
    x2 = x1;
    x1 = x;
    y2 = y1;
    y1 = y;
    u2 = u1;
    u1 = u;
    v2 = v1;
    v1 = v;
    left[j] = y;
    right[j] = v;
  }
  z[zo] = x1;
  z[zo + 1] = x2;
  z[zo + 2] = y1;
  z[zo + 3] = y2;
  z[zo + 4] = u1;
  z[zo + 5] = u2;
  z[zo + 6] = v1;
  z[zo + 7] = v2;
}

/**
 * An LR4 low- or high-pass on a: two identical Butterworth sections y = g·(x + k·x1 + x2) − a2·y2 −
 * a1·y1 (k = b1/b0 = +2 low-pass, −2 high-pass) in one pass. States: x1 x2 y1 y2 w1 w2 (section 2's
 * inputs are section 1's outputs).
 */
export function lr4Mono(c: Float64Array, co: number, z: Float64Array, zo: number, a: Float64Array, n: number): void {
  const g = c[co], k = c[co + 1] / g, a1 = c[co + 3], a2 = c[co + 4];
  let x1 = z[zo], x2 = z[zo + 1], y1 = z[zo + 2], y2 = z[zo + 3], w1 = z[zo + 4], w2 = z[zo + 5];
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = g * (x + k * x1 + x2) - a2 * y2 - a1 * y1;
    const w = g * (y + k * y1 + y2) - a2 * w2 - a1 * w1;
    x2 = x1;
    x1 = x;
    y2 = y1;
    y1 = y;
    w2 = w1;
    w1 = w;
    a[i] = w;
  }
  z[zo] = x1;
  z[zo + 1] = x2;
  z[zo + 2] = y1;
  z[zo + 3] = y2;
  z[zo + 4] = w1;
  z[zo + 5] = w2;
}

/** Allpass section y = a2·(x − y2) + x2 + a1·x1 − a1·y1 (b0 = a2, b1 = a1, b2 = 1) on a. States: x1 x2 y1 y2. */
export function allpassMono(c: Float64Array, co: number, z: Float64Array, zo: number, a: Float64Array, n: number): void {
  const a1 = c[co + 3], a2 = c[co + 4];
  let x1 = z[zo], x2 = z[zo + 1], y1 = z[zo + 2], y2 = z[zo + 3];
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = a2 * (x - y2) + x2 + a1 * x1 - a1 * y1;
    x2 = x1;
    x1 = x;
    y2 = y1;
    y1 = y;
    a[i] = y;
  }
  z[zo] = x1;
  z[zo + 1] = x2;
  z[zo + 2] = y1;
  z[zo + 3] = y2;
}

/** Two allpass sections (at cp, then at cq) in series on a, in one pass. States: x1 x2 y1 y2 w1 w2. */
export function allpass2Mono(c: Float64Array, cp: number, cq: number, z: Float64Array, zo: number, a: Float64Array, n: number): void {
  const a1 = c[cp + 3], a2 = c[cp + 4], e1 = c[cq + 3], e2 = c[cq + 4];
  let x1 = z[zo], x2 = z[zo + 1], y1 = z[zo + 2], y2 = z[zo + 3], w1 = z[zo + 4], w2 = z[zo + 5];
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = a2 * (x - y2) + x2 + a1 * x1 - a1 * y1;
    const w = e2 * (y - w2) + y2 + e1 * y1 - e1 * w1;
    x2 = x1;
    x1 = x;
    y2 = y1;
    y1 = y;
    w2 = w1;
    w1 = w;
    a[i] = w;
  }
  z[zo] = x1;
  z[zo + 1] = x2;
  z[zo + 2] = y1;
  z[zo + 3] = y2;
  z[zo + 4] = w1;
  z[zo + 5] = w2;
}

/** allpassMono on a and b (the same section, two channels, one loop). States: 4 of a, then 4 of b. */
export function allpassStereo(c: Float64Array, co: number, z: Float64Array, zo: number, a: Float64Array, b: Float64Array, n: number): void {
  const a1 = c[co + 3], a2 = c[co + 4];
  let x1 = z[zo], x2 = z[zo + 1], y1 = z[zo + 2], y2 = z[zo + 3];
  let u1 = z[zo + 4], u2 = z[zo + 5], v1 = z[zo + 6], v2 = z[zo + 7];
  for (let i = 0; i < n; i++) {
    const x = a[i], u = b[i];
    const y = a2 * (x - y2) + x2 + a1 * x1 - a1 * y1;
    const v = a2 * (u - v2) + u2 + a1 * u1 - a1 * v1;
    x2 = x1;
    x1 = x;
    y2 = y1;
    y1 = y;
    u2 = u1;
    u1 = u;
    v2 = v1;
    v1 = v;
    a[i] = y;
    b[i] = v;
  }
  z[zo] = x1;
  z[zo + 1] = x2;
  z[zo + 2] = y1;
  z[zo + 3] = y2;
  z[zo + 4] = u1;
  z[zo + 5] = u2;
  z[zo + 6] = v1;
  z[zo + 7] = v2;
}

/**
 * One LR4 crossover on x, in one pass: low[0, n) = scale · LR4 low-pass(x) (the two sections at cl;
 * scale 1 by default, exact), and x becomes AP(x) − LR4 low-pass(x) = the LR4 high-pass (the allpass
 * at ca; LP + HP = AP). States: x1 x2, the low-pass's y1 y2 w1 w2, the allpass's q1 q2 (x1 x2 are
 * shared: both filters read x).
 */
export function crossoverMono(c: Float64Array, cl: number, ca: number, z: Float64Array, zo: number, x: Float64Array, low: Float64Array, n: number, scale = 1): void {
  const g = c[cl], a1 = c[cl + 3], a2 = c[cl + 4], p1 = c[ca + 3], p2 = c[ca + 4];
  let x1 = z[zo], x2 = z[zo + 1], y1 = z[zo + 2], y2 = z[zo + 3], w1 = z[zo + 4], w2 = z[zo + 5], q1 = z[zo + 6], q2 = z[zo + 7];
  for (let i = 0; i < n; i++) {
    const v = x[i];
    const y = g * (v + 2 * x1 + x2) - a2 * y2 - a1 * y1;
    const q = p2 * (v - q2) + x2 + p1 * x1 - p1 * q1;
    const w = g * (y + 2 * y1 + y2) - a2 * w2 - a1 * w1;
    x2 = x1;
    x1 = v;
    y2 = y1;
    y1 = y;
    w2 = w1;
    w1 = w;
    q2 = q1;
    q1 = q;
    low[i] = scale * w;
    x[i] = q - w;
  }
  z[zo] = x1;
  z[zo + 1] = x2;
  z[zo + 2] = y1;
  z[zo + 3] = y2;
  z[zo + 4] = w1;
  z[zo + 5] = w2;
  z[zo + 6] = q1;
  z[zo + 7] = q2;
}

/** crossoverMono on two channels (a → lowA, b → lowB) in one loop. States: 8 of a, then 8 of b. */
export function crossoverStereo(
  c: Float64Array, cl: number, ca: number, z: Float64Array, zo: number,
  a: Float64Array, b: Float64Array, lowA: Float64Array, lowB: Float64Array, n: number,
): void {
  const g = c[cl], a1 = c[cl + 3], a2 = c[cl + 4], p1 = c[ca + 3], p2 = c[ca + 4];
  let x1 = z[zo], x2 = z[zo + 1], y1 = z[zo + 2], y2 = z[zo + 3], w1 = z[zo + 4], w2 = z[zo + 5], q1 = z[zo + 6], q2 = z[zo + 7];
  let u1 = z[zo + 8], u2 = z[zo + 9], v1 = z[zo + 10], v2 = z[zo + 11], s1 = z[zo + 12], s2 = z[zo + 13], r1 = z[zo + 14], r2 = z[zo + 15];
  for (let i = 0; i < n; i++) {
    const x = a[i], u = b[i];
    const y = g * (x + 2 * x1 + x2) - a2 * y2 - a1 * y1;
    const v = g * (u + 2 * u1 + u2) - a2 * v2 - a1 * v1;
    const q = p2 * (x - q2) + x2 + p1 * x1 - p1 * q1;
    const r = p2 * (u - r2) + u2 + p1 * u1 - p1 * r1;
    const w = g * (y + 2 * y1 + y2) - a2 * w2 - a1 * w1;
    const s = g * (v + 2 * v1 + v2) - a2 * s2 - a1 * s1;
    x2 = x1;
    x1 = x;
    y2 = y1;
    y1 = y;
    w2 = w1;
    w1 = w;
    q2 = q1;
    q1 = q;
    u2 = u1;
    u1 = u;
    v2 = v1;
    v1 = v;
    s2 = s1;
    s1 = s;
    r2 = r1;
    r1 = r;
    lowA[i] = w;
    lowB[i] = s;
    a[i] = q - w;
    b[i] = r - s;
  }
  z[zo] = x1;
  z[zo + 1] = x2;
  z[zo + 2] = y1;
  z[zo + 3] = y2;
  z[zo + 4] = w1;
  z[zo + 5] = w2;
  z[zo + 6] = q1;
  z[zo + 7] = q2;
  z[zo + 8] = u1;
  z[zo + 9] = u2;
  z[zo + 10] = v1;
  z[zo + 11] = v2;
  z[zo + 12] = s1;
  z[zo + 13] = s2;
  z[zo + 14] = r1;
  z[zo + 15] = r2;
}

/**
 * A cascade of arbitrary biquads with 1 or 2 channels of double-precision state (direct form I,
 * generic kernels). biquad.ts `processCascade` is not used because it flushes denormals at the end
 * of every call, so its output in a decaying tail would depend on block cutting: call `flush` at
 * fixed sample positions instead.
 */
export class Cascade {
  readonly sectionCount: number;
  private readonly coeffs: Float64Array;
  /** Per section: x1, x2, y1, y2 of channel 0, then of channel 1. */
  private readonly z: Float64Array;

  constructor(sections: readonly Biquad[]) {
    this.sectionCount = sections.length;
    this.coeffs = packSections(sections);
    this.z = new Float64Array(8 * sections.length);
  }

  /** Channel 0 in place on a[0, n); or, given `from`, reading the input there. */
  run(a: Float64Array, n: number, from: Float64Array = a): void {
    if (from !== a) a.set(from.subarray(0, n));
    const c = this.coeffs, z = this.z;
    for (let k = 0; k < this.sectionCount; k++) biquadMono(c, 5 * k, z, 8 * k, a, n);
  }

  /** Channel 0 and channel 1 through the same sections, in place on a[0, n) and b[0, n) (or reading fromA/fromB). */
  runStereo(a: Float64Array, b: Float64Array, n: number, fromA: Float64Array = a, fromB: Float64Array = b): void {
    if (fromA !== a) a.set(fromA.subarray(0, n));
    if (fromB !== b) b.set(fromB.subarray(0, n));
    const c = this.coeffs, z = this.z;
    for (let k = 0; k < this.sectionCount; k++) biquadStereo(c, 5 * k, z, 8 * k, a, b, n);
  }

  flush(): void {
    flushStates(this.z);
  }

  /** Every state value (tests check that silence brings them to exactly 0). */
  state(): number[] {
    return Array.from(this.z);
  }
}

/** Throws a UserError naming `what` when a corner frequency from the chain is too close to Nyquist for the bilinear designs. */
export function checkCorner(what: string, frequencyHz: number, sampleRate: number): void {
  if (!(frequencyHz > 0 && frequencyHz < MAX_CORNER_FRACTION * sampleRate)) {
    throw new UserError(
      `${what} ${frequencyHz} Hz must be above 0 and below ${MAX_CORNER_FRACTION * sampleRate} Hz at ${sampleRate} Hz (${MAX_CORNER_FRACTION}× the sample rate)`,
    );
  }
}

/** Throws unless `s` has the Butterworth low/high-pass structure the LR4 kernels rely on (b1 = ±2·b0, b2 = b0). */
export function checkButterworthStructure(s: Biquad): void {
  if (!(Math.abs(s.b1) === 2 * Math.abs(s.b0) && s.b2 === s.b0)) throw new Error('not a Butterworth low/high-pass section (b1 = ±2·b0, b2 = b0)');
}

/** Throws unless `s` has the allpass structure the allpass kernels rely on (b0 = a2, b1 = a1, b2 = 1). */
export function checkAllpassStructure(s: Biquad): void {
  if (!(s.b0 === s.a2 && s.b1 === s.a1 && s.b2 === 1)) throw new Error('not an allpass section (b0 = a2, b1 = a1, b2 = 1)');
}

/**
 * N-band LR4 split with allpass compensation (bands sum to Π APk, flat in magnitude), for 1 or 2
 * channels. Band k = LPk · Π(j<k) HPj · Π(j>k) APj, computed as a chain: the remainder is
 * high-passed crossover by crossover, and each band's low-pass output passes the allpasses of the
 * crossovers above it. The high-pass is computed as AP − LP (the LR4 identity LP + HP = AP): one
 * allpass section instead of two high-pass sections, and the pair sums to the allpass exactly.
 */
export class CrossoverNetwork {
  readonly bandCount: number;
  /** Per crossover k: the low-pass section at 10k (both LR4 sections are this one), the allpass at 10k + 5. */
  private readonly coeffs: Float64Array;
  /** Per crossover k, from 16k: its crossover kernel's states (8 per channel); then the compensation allpasses' (4 per channel each). */
  private readonly z: Float64Array;
  /** Offset in z of the compensation states of band k (8 per allpass: 4 per channel). */
  private readonly compensationOffset: number[] = [];

  constructor(sampleRate: number, crossoversHz: readonly number[]) {
    crossoversHz.forEach((f, k) => {
      checkCorner('crossover', f, sampleRate);
      if (k > 0 && !(f > crossoversHz[k - 1])) throw new RangeError(`crossovers must be ascending, got ${crossoversHz.join(', ')} Hz`);
    });
    const count = crossoversHz.length;
    this.bandCount = count + 1;
    const sections: Biquad[] = [];
    for (const f of crossoversHz) {
      const [low] = lr4Lowpass(sampleRate, f);
      const ap = lr4Allpass(sampleRate, f);
      checkButterworthStructure(low);
      checkAllpassStructure(ap);
      sections.push(low, ap);
    }
    this.coeffs = packSections(sections);
    let offset = 16 * count;
    for (let k = 0; k < count; k++) {
      this.compensationOffset.push(offset);
      offset += 8 * (count - 1 - k);
    }
    this.z = new Float64Array(offset);
  }

  /**
   * Splits channel 0 (`bandsA`) and, if given, channel 1 (`bandsB`): on entry the LAST band buffer
   * of each channel holds the input [0, n); on return band k holds band k. Buffers are ≥ n long.
   */
  split(n: number, bandsA: Float64Array[], bandsB: Float64Array[] | null): void {
    const last = this.bandCount - 1, c = this.coeffs, z = this.z;
    for (let k = 0; k < last; k++) {
      const restA = bandsA[last], lowA = bandsA[k];
      let zc = this.compensationOffset[k];
      if (bandsB) {
        const restB = bandsB[last], lowB = bandsB[k];
        crossoverStereo(c, 10 * k, 10 * k + 5, z, 16 * k, restA, restB, lowA, lowB, n);
        for (let j = k + 1; j < last; j++, zc += 8) allpassStereo(c, 10 * j + 5, z, zc, lowA, lowB, n);
      } else {
        crossoverMono(c, 10 * k, 10 * k + 5, z, 16 * k, restA, lowA, n);
        for (let j = k + 1; j < last; j++, zc += 8) allpassMono(c, 10 * j + 5, z, zc, lowA, n);
      }
    }
  }

  flush(): void {
    flushStates(this.z);
  }

  state(): number[] {
    return Array.from(this.z);
  }
}

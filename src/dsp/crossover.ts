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
 * - `Cascade` runs sections over a buffer one section at a time (identical to per-sample
 *   interleaving, since each section sees the same input sequence) in double precision, with two
 *   channels in the same loop so the two recursions overlap in the CPU.
 * - FLUSH_INTERVAL: the processors cut the caller's blocks at absolute multiples of it and flush
 *   denormals only there, so that the output is bit-identical whatever the block sizes.
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
 * A cascade of biquads with 1 or 2 channels of double-precision state, in direct form I:
 * y = b0·x + b1·x1 + b2·x2 − a2·y2 − a1·y1, whose feedback path is one multiply-add long (the
 * transposed form II of biquad.ts is two), which makes the recursion about 1.6× faster here.
 * biquad.ts `processCascade` is not used because it flushes denormals at the end of every call, so
 * its output in a decaying tail would depend on block cutting.
 */
export class Cascade {
  readonly sectionCount: number;
  private readonly coeffs: Float64Array;
  /** Per section: x1, x2, y1, y2 of channel 0, then of channel 1. */
  private readonly z: Float64Array;

  constructor(sections: readonly Biquad[]) {
    this.sectionCount = sections.length;
    this.coeffs = new Float64Array(5 * sections.length);
    this.z = new Float64Array(8 * sections.length);
    sections.forEach((s, k) => this.coeffs.set([s.b0, s.b1, s.b2, s.a1, s.a2], 5 * k));
  }

  /** Channel 0 in place on a[0, n); or, given `from`, reading the input there. */
  run(a: Float64Array, n: number, from: Float64Array = a): void {
    const c = this.coeffs, z = this.z;
    if (this.sectionCount === 0 && from !== a) for (let i = 0; i < n; i++) a[i] = from[i];
    for (let k = 0; k < this.sectionCount; k++) {
      const b0 = c[5 * k], b1 = c[5 * k + 1], b2 = c[5 * k + 2], a1 = c[5 * k + 3], a2 = c[5 * k + 4];
      const o = 8 * k;
      const input = k === 0 ? from : a;
      let x1 = z[o], x2 = z[o + 1], y1 = z[o + 2], y2 = z[o + 3];
      for (let i = 0; i < n; i++) {
        const x = input[i];
        const y = b0 * x + b1 * x1 + b2 * x2 - a2 * y2 - a1 * y1;
        x2 = x1;
        x1 = x;
        y2 = y1;
        y1 = y;
        a[i] = y;
      }
      z[o] = x1;
      z[o + 1] = x2;
      z[o + 2] = y1;
      z[o + 3] = y2;
    }
  }

  /**
   * Channel 0 and channel 1 through the same sections, in place on a[0, n) and b[0, n); or, given
   * `fromA`/`fromB`, reading the input there (the first section reads them, saving a copy).
   */
  runStereo(a: Float64Array, b: Float64Array, n: number, fromA: Float64Array = a, fromB: Float64Array = b): void {
    const c = this.coeffs, z = this.z;
    if (this.sectionCount === 0 && fromA !== a) {
      for (let i = 0; i < n; i++) {
        a[i] = fromA[i];
        b[i] = fromB[i];
      }
    }
    for (let k = 0; k < this.sectionCount; k++) {
      const b0 = c[5 * k], b1 = c[5 * k + 1], b2 = c[5 * k + 2], a1 = c[5 * k + 3], a2 = c[5 * k + 4];
      const o = 8 * k;
      const inA = k === 0 ? fromA : a, inB = k === 0 ? fromB : b;
      let x1 = z[o], x2 = z[o + 1], y1 = z[o + 2], y2 = z[o + 3];
      let u1 = z[o + 4], u2 = z[o + 5], v1 = z[o + 6], v2 = z[o + 7];
      for (let i = 0; i < n; i++) {
        const x = inA[i], u = inB[i];
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
      z[o] = x1;
      z[o + 1] = x2;
      z[o + 2] = y1;
      z[o + 3] = y2;
      z[o + 4] = u1;
      z[o + 5] = u2;
      z[o + 6] = v1;
      z[o + 7] = v2;
    }
  }

  flush(): void {
    const z = this.z;
    for (let k = 0; k < z.length; k++) z[k] = flushDenormal(z[k]);
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

/**
 * N-band LR4 split with allpass compensation (bands sum to Π APk, flat in magnitude), for 1 or 2
 * channels. Band k = LPk · Π(j<k) HPj · Π(j>k) APj, computed as a chain: the remainder is
 * high-passed crossover by crossover, and each band's low-pass output passes the allpasses of the
 * crossovers above it. The high-pass is computed as AP − LP (the LR4 identity LP + HP = AP): one
 * allpass section instead of two high-pass sections, and the pair sums to the allpass exactly.
 */
export class CrossoverNetwork {
  readonly bandCount: number;
  private readonly lows: Cascade[] = [];
  private readonly alls: Cascade[] = [];
  private readonly compensation: Cascade[] = [];

  constructor(sampleRate: number, crossoversHz: readonly number[]) {
    crossoversHz.forEach((f, k) => {
      checkCorner('crossover', f, sampleRate);
      if (k > 0 && !(f > crossoversHz[k - 1])) throw new RangeError(`crossovers must be ascending, got ${crossoversHz.join(', ')} Hz`);
    });
    this.bandCount = crossoversHz.length + 1;
    crossoversHz.forEach((f, k) => {
      this.lows.push(new Cascade(lr4Lowpass(sampleRate, f)));
      this.alls.push(new Cascade([lr4Allpass(sampleRate, f)]));
      this.compensation.push(new Cascade(crossoversHz.slice(k + 1).map((g) => lr4Allpass(sampleRate, g))));
    });
  }

  /**
   * Splits channel 0 (`bandsA`) and, if given, channel 1 (`bandsB`): on entry the LAST band buffer
   * of each channel holds the input [0, n); on return band k holds band k. Buffers are ≥ n long.
   */
  split(n: number, bandsA: Float64Array[], bandsB: Float64Array[] | null): void {
    const last = this.bandCount - 1;
    for (let k = 0; k < last; k++) {
      const lowA = bandsA[k], restA = bandsA[last];
      if (bandsB) {
        const lowB = bandsB[k], restB = bandsB[last];
        this.lows[k].runStereo(lowA, lowB, n, restA, restB);
        this.alls[k].runStereo(restA, restB, n);
        for (let i = 0; i < n; i++) {
          restA[i] -= lowA[i];
          restB[i] -= lowB[i];
        }
        this.compensation[k].runStereo(lowA, lowB, n);
      } else {
        this.lows[k].run(lowA, n, restA);
        this.alls[k].run(restA, n);
        for (let i = 0; i < n; i++) restA[i] -= lowA[i];
        this.compensation[k].run(lowA, n);
      }
    }
  }

  flush(): void {
    for (const c of [...this.lows, ...this.alls, ...this.compensation]) c.flush();
  }

  state(): number[] {
    return [...this.lows, ...this.alls, ...this.compensation].flatMap((c) => c.state());
  }
}

/**
 * Samples between two denormal flushes, counted from the first sample a processor ever saw. The
 * processors cut their blocks at absolute multiples of it and flush only there, so flushing happens
 * at the same samples whatever the block sizes (bit-identical output for any block cutting); it is
 * also the length of their scratch buffers.
 */
export const FLUSH_INTERVAL = 512;

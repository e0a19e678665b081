/**
 * Word-length reduction for PCM output: seeded TPDF dither, optional error-feedback noise shaping,
 * and quantisation onto exactly the integer grid `encodeWav` writes (x · 2^(bits−1), rounded half
 * away from zero, clipped), so the returned floats go through the encoder without any change.
 */

export type PcmBits = 16 | 24;

export interface DitherSpec {
  bits: PcmBits;
  /** 'tpdf': triangular dither of ±1 LSB peak; 'none': plain rounding. */
  dither: 'tpdf' | 'none';
  /** 'shaped': error feedback through `SHAPING_COEFFICIENTS`, moving the noise up in frequency. */
  noiseShaping: 'none' | 'shaped';
  /** Seed of the dither generator (0 … 2^32 − 1); each channel gets its own stream derived from it. */
  seed: number;
}

/**
 * Error-feedback filter c of the noise transfer function NTF(z) = 1 − Σ c_k z^−k: the 5-coefficient
 * "improved E-weighted" shaper of Lipshitz, Vanderkooy & Wannamaker, "Minimally Audible Noise Shaping",
 * JAES 39(11), 1991 (the same figures SoX, Audacity and ReSampler ship). Designed for 44.1 kHz: the NTF
 * is −16.6 dB at DC, has its deepest dip (−27 dB) near 4 kHz where hearing is most sensitive, and
 * rises to +19.4 dB at Nyquist; total noise power +12.2 dB. At other rates the curve scales with the
 * rate: still low-frequency noise moved up, but the dip no longer sits at 4 kHz.
 */
export const SHAPING_COEFFICIENTS: readonly number[] = [2.033, -2.165, 1.959, -1.59, 0.6149];

import { roundHalfAway } from '../util/round.js';

/** Quantisation step scale, 2^(bits−1), as in wav-encode.ts. */
export function pcmScale(bits: PcmBits): number {
  return bits === 16 ? 32768 : 8388608;
}

/**
 * The PCM value encodeWav would store for x, as a float: round(x · 2^(bits−1)) half away from zero,
 * clipped to [−2^(bits−1), 2^(bits−1) − 1], divided by 2^(bits−1) (exact in float32 up to 24 bits).
 */
export function quantize(x: number, bits: PcmBits): number {
  const scale = pcmScale(bits);
  let q = roundHalfAway(x * scale);
  if (q > scale - 1) q = scale - 1;
  else if (q < -scale) q = -scale;
  return q / scale + 0; // never −0: the decoder gives 0 back
}

/** murmur3's 32-bit finaliser: spreads a seed over all bits, so neighbouring seeds give unrelated streams. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export { roundHalfAway } from '../util/round.js';

/** Samples per inner call of ChannelQuantizer.process (see there). */
const CHUNK = 8192;

/**
 * Quantises one channel, block after block: the dither stream and the error history carry over, so
 * the output does not depend on how the signal is cut. The generator is xoshiro128** (Blackman &
 * Vigna, "Scrambled linear pseudorandom number generators", 2018; period 2^128 − 1), its state filled
 * from the seed through fmix32 of a Weyl sequence (as SplitMix does) and the channel number.
 *
 * These loops are the whole cost of the output stage (~26 M samples for 5 min of stereo): one loop per
 * mode, the generator inlined, rounding by roundHalfAway (small enough for TurboFan to inline).
 */
export class ChannelQuantizer {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** e[n−1] … e[n−5], total error (output minus shaped input) in LSB. */
  private e1 = 0;
  private e2 = 0;
  private e3 = 0;
  private e4 = 0;
  private e5 = 0;
  private readonly scale: number;
  private readonly tpdf: boolean;
  private readonly shaped: boolean;

  constructor(spec: DitherSpec, channel: number) {
    if (spec.bits !== 16 && spec.bits !== 24) throw new RangeError(`quantizer: unsupported word length ${spec.bits}`);
    this.scale = pcmScale(spec.bits);
    this.tpdf = spec.dither === 'tpdf';
    this.shaped = spec.noiseShaping === 'shaped';
    // fmix32 is a bijection: different seeds give different s0, different channels different s3, so
    // no two (seed, channel) pairs start from the same state.
    let w = spec.seed >>> 0;
    const next = () => fmix32((w = (w + 0x9e3779b9) >>> 0));
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next() ^ fmix32((channel + 0x632be5ab) >>> 0);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s3 = 1; // the all-zero state is a fixed point
  }

  /** Writes the quantised `x` into `out` (may be the same array). */
  process(x: Float32Array, out: Float32Array): void {
    const n = Math.min(x.length, out.length);
    // In chunks: a loop entered once for millions of samples runs in on-stack-replacement code, whose
    // state variables stay boxed (measured 1.9x slower for the shaped loop); many short calls get the
    // regularly optimised function.
    for (let start = 0; start < n; start += CHUNK) {
      const end = Math.min(n, start + CHUNK);
      if (this.shaped) this.shapedChunk(x, out, start, end);
      else if (this.tpdf) this.tpdfChunk(x, out, start, end);
      else this.plainChunk(x, out, start, end);
    }
  }

  /** Rounding only. */
  private plainChunk(x: Float32Array, out: Float32Array, start: number, end: number): void {
    const scale = this.scale;
    const inv = 1 / scale; // a power of two: q · inv is exact
    const max = scale - 1;
    const min = -scale;
    for (let i = start; i < end; i++) {
      const q = roundHalfAway(x[i] * scale);
      // roundHalfAway never gives −0 (the integer code has no sign), so neither does q · inv.
      out[i] = (q > max ? max : q < min ? min : q) * inv;
    }
  }

  /** TPDF dither and rounding, no feedback. */
  private tpdfChunk(x: Float32Array, out: Float32Array, start: number, end: number): void {
    const scale = this.scale;
    const inv = 1 / scale;
    const max = scale - 1;
    const min = -scale;
    let s0 = this.s0, s1 = this.s1, s2 = this.s2, s3 = this.s3;
    for (let i = start; i < end; i++) {
      // One xoshiro128** step, inlined.
      const m = Math.imul(s1, 5);
      const r = Math.imul((m << 7) | (m >>> 25), 9);
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      // TPDF: the sum of two independent uniform ±½ LSB values (Vanderkooy & Lipshitz, "Dither in
      // Digital Audio", JAES 35(12), 1987), here the two 16-bit halves of one output: each uniform on
      // 65536 levels 2^−16 LSB apart, a discretisation of the dither far below anything the error's
      // statistics can show (its variance differs from the continuous Δ²/6 by a factor 1 − 2^−32).
      // (a + b − 65535) · 2^−16 ∈ (−1, 1) LSB is exact in double.
      const q = roundHalfAway(x[i] * scale + ((r >>> 16) + (r & 0xffff) - 65535) * (1 / 65536));
      out[i] = (q > max ? max : q < min ? min : q) * inv;
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
  }

  /** Error-feedback noise shaping, with or without dither. */
  private shapedChunk(x: Float32Array, out: Float32Array, start: number, end: number): void {
    const scale = this.scale;
    const inv = 1 / scale;
    const max = scale - 1;
    const min = -scale;
    // Without dither the generator still runs, its value times 0: cheaper than a branch in this loop.
    const ditherGain = this.tpdf ? 1 / 65536 : 0;
    const c1 = SHAPING_COEFFICIENTS[0], c2 = SHAPING_COEFFICIENTS[1], c3 = SHAPING_COEFFICIENTS[2];
    const c4 = SHAPING_COEFFICIENTS[3], c5 = SHAPING_COEFFICIENTS[4];
    let e1 = this.e1, e2 = this.e2, e3 = this.e3, e4 = this.e4, e5 = this.e5;
    let s0 = this.s0, s1 = this.s1, s2 = this.s2, s3 = this.s3;
    for (let i = start; i < end; i++) {
      // The newest error is subtracted last: e1 → v → y → q → e1 is the loop-carried chain, so the
      // older terms are summed off it (with the branch-free dither, ~20 % faster than the sum in order).
      const v = x[i] * scale - (c2 * e2 + c3 * e3 + c4 * e4 + c5 * e5) - c1 * e1;
      const m = Math.imul(s1, 5);
      const r = Math.imul((m << 7) | (m >>> 25), 9);
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      const q = roundHalfAway(v + ((r >>> 16) + (r & 0xffff) - 65535) * ditherGain);
      // The error is taken before clipping, so an overload cannot make the feedback loop run away.
      e5 = e4;
      e4 = e3;
      e3 = e2;
      e2 = e1;
      e1 = q - v;
      out[i] = (q > max ? max : q < min ? min : q) * inv;
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
    this.e1 = e1;
    this.e2 = e2;
    this.e3 = e3;
    this.e4 = e4;
    this.e5 = e5;
  }
}

/**
 * Dithers and quantises whole channels into new arrays (or in place with `inPlace`). Every returned
 * value is k / 2^(bits−1) for an integer k in the format's range, so encodeWav stores exactly k.
 */
export function ditherQuantize(channels: Float32Array[], spec: DitherSpec, opts: { inPlace?: boolean } = {}): Float32Array[] {
  return channels.map((x, c) => {
    const out = opts.inPlace ? x : new Float32Array(x.length);
    new ChannelQuantizer(spec, c).process(x, out);
    return out;
  });
}

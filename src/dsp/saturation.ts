/**
 * The saturation stage: a static curve run at 4x the base rate (up-sample, shape, down-sample; see
 * oversample.ts), mixed with the dry signal delayed by the same latency so the mix is phase-coherent.
 *
 * The curves are polynomial soft clippers (J. O. Smith, "Physical Audio Signal Processing", Cubic
 * Soft Clipper, taken to 5th order): a polynomial of degree 5 between two knees where its slope
 * falls to zero with zero curvature, flat beyond. Why polynomials: a degree-5 curve turns a signal
 * band-limited to fs/2 into one band-limited to 5·fs/2, and at 4x (4·fs) nothing above 4·fs − fs/2
 * folds back into the audio band, so as long as the driven signal stays between the knees the
 * curve makes no aliasing beyond what the decimator's 130 dB stopband leaves (measured: every
 * non-harmonic component of a 10 kHz full-scale tone below −153 dBFS at 2 and 12 dB of drive). The
 * knees sit at 4.0 (12 dB above full scale), so a full-scale signal stays alias-free up to 12 dB
 * of drive; more drive flattens the peaks on the knees (C² joins, so the harmonics then fall off
 * as 1/k⁴ and some aliasing appears).
 * - tape: p′(u) = (1 − (u/4)²)², odd: p(u) = u − (2/3)u³/16 + (1/5)u⁵/256, odd harmonics only;
 * - tube: p′(u) = (1 − u/4)²·(1 + u/5)², knees at +4 and −5: the positive half-wave saturates first,
 *   which adds even harmonics and a DC offset; a 2nd-order Butterworth high-pass at 5 Hz on the wet
 *   path removes the DC (−0.02 dB at 20 Hz).
 * Drive g = 10^(driveDb/20) multiplies the signal into the curve and the output is divided by g:
 * both curves have slope 1 at 0, so low levels pass at unity gain whatever the drive, and loud
 * peaks are compressed (at 2 dB of drive a full-scale sine loses 0.4 dB, tape 3rd harmonic −36 dB,
 * tube 2nd harmonic −30 dB; at 12 dB: −4 dB, 3rd harmonic −20 dB).
 */
import type { SaturationParams } from '../chain/spec.js';
import { dbToAmp } from '../util/db.js';
import { butterworth } from './biquad.js';
import { StereoOversampler, type HighRateOperation } from './oversample.js';
import type { StereoProcessor } from './processor.js';

export const OVERSAMPLING_FACTOR = 4;
export const TAPE_KNEE = 4;
export const TUBE_KNEE_POSITIVE = 4;
export const TUBE_KNEE_NEGATIVE = 5;
export const DC_BLOCK_HZ = 5;

// tape: ∫(1 − u²/K²)² du
const T3 = -2 / (3 * TAPE_KNEE ** 2);
const T5 = 1 / (5 * TAPE_KNEE ** 4);
const TAPE_TOP = TAPE_KNEE * (1 + T3 * TAPE_KNEE ** 2 + T5 * TAPE_KNEE ** 4);

// tube: p′ = (1 + d·u + e·u²)² with (1 − u/A)(1 + u/B) = 1 + d·u + e·u², d = 1/B − 1/A, e = −1/(A·B)
const TD = 1 / TUBE_KNEE_NEGATIVE - 1 / TUBE_KNEE_POSITIVE;
const TE = -1 / (TUBE_KNEE_POSITIVE * TUBE_KNEE_NEGATIVE);
const U2 = TD, U3 = (TD * TD + 2 * TE) / 3, U4 = (TD * TE) / 2, U5 = (TE * TE) / 5;
function tubePoly(u: number): number {
  return u * (1 + u * (U2 + u * (U3 + u * (U4 + u * U5))));
}
const TUBE_TOP = tubePoly(TUBE_KNEE_POSITIVE);
const TUBE_BOTTOM = tubePoly(-TUBE_KNEE_NEGATIVE);

/** Tape curve: odd, slope 1 at 0, flat at ±TAPE_TOP beyond ±TAPE_KNEE. */
export function tapeCurve(u: number): number {
  if (u >= TAPE_KNEE) return TAPE_TOP;
  if (u <= -TAPE_KNEE) return -TAPE_TOP;
  const u2 = u * u;
  return u * (1 + u2 * (T3 + u2 * T5));
}

/** Tube curve: slope 1 at 0, flat above TUBE_KNEE_POSITIVE and below −TUBE_KNEE_NEGATIVE. */
export function tubeCurve(u: number): number {
  if (u >= TUBE_KNEE_POSITIVE) return TUBE_TOP;
  if (u <= -TUBE_KNEE_NEGATIVE) return TUBE_BOTTOM;
  return tubePoly(u);
}

/**
 * The curve at the high rate, in place: y = p(clamp(g·x))/g with p(u) = u·(1 + c2·u + c3·u² + c4·u³ + c5·u⁴).
 * Clamping the input to the knees gives the flat parts exactly (p at a knee is the flat level). The
 * drive is folded into the coefficients: y = v·(1 + c2·g·v + c3·g²·v² + …) with v = x clamped to the
 * knees divided by g; an odd curve (c2 = c4 = 0) runs in u² with half the operations.
 */
export class PolynomialShaper implements HighRateOperation {
  readonly pointwise = true;
  /**
   * lo, hi (the knees over g), c2·g, c3·g², c4·g³, c5·g⁴. In a typed array: numbers read from it are
   * raw doubles, whereas class fields may hold them boxed (V8), which made this loop 1.5–3x slower.
   */
  private readonly k = new Float64Array(6);
  private readonly odd: boolean = false;

  constructor(drive: number, lo: number, hi: number, c2: number, c3: number, c4: number, c5: number) {
    this.k.set([lo / drive, hi / drive, c2 * drive, c3 * drive ** 2, c4 * drive ** 3, c5 * drive ** 4]);
    this.odd = c2 === 0 && c4 === 0 && lo === -hi;
  }

  apply(x: Float32Array, start: number, end: number): void {
    const k = this.k;
    const lo = k[0], hi = k[1], d2 = k[2], d3 = k[3], d4 = k[4], d5 = k[5];
    if (this.odd) {
      for (let i = start; i < end; i++) {
        const v = x[i];
        const u = v > hi ? hi : v < lo ? lo : v;
        const u2 = u * u;
        x[i] = u * (1 + u2 * (d3 + u2 * d5));
      }
      return;
    }
    for (let i = start; i < end; i++) {
      const v = x[i];
      const u = v > hi ? hi : v < lo ? lo : v;
      x[i] = u * (1 + u * (d2 + u * (d3 + u * (d4 + u * d5))));
    }
  }
}

export function tapeShaper(drive: number): PolynomialShaper {
  return new PolynomialShaper(drive, -TAPE_KNEE, TAPE_KNEE, 0, T3, 0, T5);
}

export function tubeShaper(drive: number): PolynomialShaper {
  return new PolynomialShaper(drive, -TUBE_KNEE_NEGATIVE, TUBE_KNEE_POSITIVE, U2, U3, U4, U5);
}

/**
 * Wet path = the oversampled curve (and for tube, the DC-blocking high-pass); dry path = the input
 * delayed by the same amount. The oversampler mixes them hop by hop and flushes the high-pass state
 * at the end of every hop: a grid fixed by the first sample, so the output does not depend on the
 * caller's blocks.
 */
class Saturation implements StereoProcessor {
  readonly latency: number = 0;
  private readonly oversampler: StereoOversampler;

  constructor(params: SaturationParams, sampleRate: number) {
    const drive = dbToAmp(params.driveDb);
    const shaper = params.type === 'tape' ? tapeShaper(drive) : tubeShaper(drive);
    const highpass = params.type === 'tube' ? butterworth('highpass', sampleRate, DC_BLOCK_HZ, 2) : [];
    if (highpass.length > 1) throw new Error('saturation: the DC blocker is one section');
    this.oversampler = new StereoOversampler(OVERSAMPLING_FACTOR, shaper, { mix: params.mixPercent / 100, wetFilter: highpass[0] ?? null });
    this.latency = this.oversampler.latency;
  }

  process(left: Float32Array, right: Float32Array): void {
    this.oversampler.process(left, right);
  }
}

/** The saturation stage (see the file comment); latency = the oversampler's, 1024 samples. */
export function createSaturation(params: SaturationParams, sampleRate: number): StereoProcessor {
  return new Saturation(params, sampleRate);
}

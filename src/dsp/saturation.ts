/**
 * The saturation stage: a static curve run at 4x the base rate (up-sample, shape, down-sample; see
 * oversample.ts), mixed with the dry signal delayed by the same latency so the mix is phase-coherent.
 *
 * The curves are polynomial soft clippers (J. O. Smith, "Physical Audio Signal Processing", Cubic
 * Soft Clipper, taken to 5th order): a polynomial of degree 5 between two knees where its slope
 * falls to zero with zero curvature, flat beyond. Why polynomials: a degree-5 curve turns a signal
 * band-limited to fs/2 into one band-limited to 5·fs/2, and at 4x (4·fs) nothing above 4·fs − fs/2
 * folds back into the audio band, so as long as the driven signal stays between the knees the
 * curve makes no aliasing at all (measured: every non-harmonic component of a 10 kHz full-scale
 * tone below −155 dBFS, the float32 floor, at 2 and 12 dB of drive). The
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
import { butterworth, cascadeState, processCascade, type Biquad } from './biquad.js';
import { OversampledChannel } from './oversample.js';
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
 * Clamping the input to the knees gives the flat parts exactly (p at a knee is the flat level).
 */
export class PolynomialShaper {
  private readonly inv: number;
  constructor(
    private readonly drive: number, private readonly lo: number, private readonly hi: number,
    private readonly c2: number, private readonly c3: number, private readonly c4: number, private readonly c5: number,
  ) {
    this.inv = 1 / drive;
  }

  apply(x: Float32Array, start: number, end: number): void {
    const { drive, inv, lo, hi, c2, c3, c4, c5 } = this;
    for (let i = start; i < end; i++) {
      let u = drive * x[i];
      u = u > hi ? hi : u < lo ? lo : u;
      x[i] = u * (1 + u * (c2 + u * (c3 + u * (c4 + u * c5)))) * inv;
    }
  }
}

export function tapeShaper(drive: number): PolynomialShaper {
  return new PolynomialShaper(drive, -TAPE_KNEE, TAPE_KNEE, 0, T3, 0, T5);
}

export function tubeShaper(drive: number): PolynomialShaper {
  return new PolynomialShaper(drive, -TUBE_KNEE_NEGATIVE, TUBE_KNEE_POSITIVE, U2, U3, U4, U5);
}

class Saturation implements StereoProcessor {
  readonly latency: number;
  private readonly wetPaths: OversampledChannel[];
  private readonly dcBlock: Biquad[] | null;
  private readonly dcState: Float64Array[];
  private readonly dry: Float32Array[];
  private dryPos = 0;
  private wet = new Float32Array(0);
  private dryOut = new Float32Array(0);
  private readonly mix: number;

  constructor(params: SaturationParams, sampleRate: number) {
    const drive = dbToAmp(params.driveDb);
    const shaper = params.type === 'tape' ? tapeShaper(drive) : tubeShaper(drive);
    this.wetPaths = [new OversampledChannel(OVERSAMPLING_FACTOR, shaper), new OversampledChannel(OVERSAMPLING_FACTOR, shaper)];
    this.latency = this.wetPaths[0].latency;
    this.dcBlock = params.type === 'tube' ? butterworth('highpass', sampleRate, DC_BLOCK_HZ, 2) : null;
    this.dcState = this.dcBlock ? [cascadeState(this.dcBlock), cascadeState(this.dcBlock)] : [];
    this.dry = [new Float32Array(this.latency), new Float32Array(this.latency)];
    this.mix = params.mixPercent / 100;
  }

  process(left: Float32Array, right: Float32Array): void {
    const n = left.length;
    if (this.wet.length < n) {
      this.wet = new Float32Array(n);
      this.dryOut = new Float32Array(n);
    }
    const wet = this.wet.subarray(0, n), dryOut = this.dryOut.subarray(0, n);
    const m = this.mix, d = 1 - m, lat = this.latency;
    const pos = this.dryPos;
    for (let c = 0; c < 2; c++) {
      const x = c === 0 ? left : right;
      if (m > 0) {
        wet.set(x);
        this.wetPaths[c].process(wet);
        if (this.dcBlock) processCascade(this.dcBlock, this.dcState[c], wet);
      }
      // Dry path: the input delayed by exactly `latency` samples (a ring buffer of the last `latency` inputs).
      const line = this.dry[c];
      const k = Math.min(n, lat);
      const head = Math.min(k, lat - pos);
      dryOut.set(line.subarray(pos, pos + head), 0);
      if (k > head) dryOut.set(line.subarray(0, k - head), head);
      if (n > lat) dryOut.set(x.subarray(0, n - lat), lat);
      if (n >= lat) line.set(x.subarray(n - lat));
      else {
        const first = Math.min(n, lat - pos);
        line.set(x.subarray(0, first), pos);
        if (n > first) line.set(x.subarray(first), 0);
      }
      if (m === 1) x.set(wet);
      else if (m === 0) x.set(dryOut);
      else for (let i = 0; i < n; i++) x[i] = d * dryOut[i] + m * wet[i];
    }
    this.dryPos = n >= lat ? 0 : (pos + n) % lat;
  }
}

/** The saturation stage (see the file comment); latency = the oversampler's, 1024 samples. */
export function createSaturation(params: SaturationParams, sampleRate: number): StereoProcessor {
  return new Saturation(params, sampleRate);
}

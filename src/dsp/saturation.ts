/**
 * The saturation stage: a static curve run at 4x the base rate (up-sample, shape, down-sample; see
 * oversample.ts), mixed with the dry signal delayed by the same latency so the mix is phase-coherent.
 *
 * The curves are polynomial soft clippers (J. O. Smith, "Physical Audio Signal Processing", Cubic
 * Soft Clipper, taken to 5th order): a polynomial of degree 5 between two knees where its slope
 * falls to zero with zero curvature, flat beyond. Why polynomials: a degree-5 curve turns a signal
 * band-limited to fs/2 into one band-limited to 5·fs/2, and at 4x (4·fs) nothing above 4·fs − fs/2
 * folds back into the audio band, so as long as the driven signal stays between the knees the
 * curve makes no aliasing at all; only the oversampling filters' stopband (110 dB) leaks. The
 * knees sit at 4.0 (12 dB above full scale), so a full-scale signal stays alias-free up to 12 dB
 * of drive; more drive flattens the peaks on the knees (C² joins, so the harmonics then fall off
 * as 1/k³ and some aliasing appears).
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

function tapeShaper(drive: number) {
  const inv = 1 / drive;
  return (x: Float32Array, start: number, end: number): void => {
    for (let i = start; i < end; i++) {
      const u = drive * x[i];
      let y: number;
      if (u >= TAPE_KNEE) y = TAPE_TOP;
      else if (u <= -TAPE_KNEE) y = -TAPE_TOP;
      else {
        const u2 = u * u;
        y = u * (1 + u2 * (T3 + u2 * T5));
      }
      x[i] = y * inv;
    }
  };
}

function tubeShaper(drive: number) {
  const inv = 1 / drive;
  return (x: Float32Array, start: number, end: number): void => {
    for (let i = start; i < end; i++) {
      const u = drive * x[i];
      let y: number;
      if (u >= TUBE_KNEE_POSITIVE) y = TUBE_TOP;
      else if (u <= -TUBE_KNEE_NEGATIVE) y = TUBE_BOTTOM;
      else y = u * (1 + u * (U2 + u * (U3 + u * (U4 + u * U5))));
      x[i] = y * inv;
    }
  };
}

class Saturation implements StereoProcessor {
  readonly latency: number;
  private readonly wetPaths: OversampledChannel[];
  private readonly dcBlock: Biquad[] | null;
  private readonly dcState: Float64Array[];
  private readonly dry: Float32Array[];
  private dryPos = 0;
  private wet = new Float64Array(0);
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
    if (this.wet.length < n) this.wet = new Float64Array(n);
    const wet = this.wet.subarray(0, n);
    const m = this.mix, d = 1 - m, lat = this.latency;
    const startPos = this.dryPos;
    for (let c = 0; c < 2; c++) {
      const x = c === 0 ? left : right;
      if (m > 0) {
        wet.set(x);
        this.wetPaths[c].process(wet);
        if (this.dcBlock) processCascade(this.dcBlock, this.dcState[c], wet);
      }
      // Dry path: a delay line of exactly `latency` samples (ring buffer).
      const line = this.dry[c];
      let pos = startPos;
      for (let i = 0; i < n; i++) {
        const dry = line[pos];
        line[pos] = x[i];
        if (++pos === lat) pos = 0;
        x[i] = m === 1 ? wet[i] : m === 0 ? dry : d * dry + m * wet[i];
      }
      if (c === 1) this.dryPos = pos;
    }
  }
}

/** The saturation stage (see the file comment); latency = the oversampler's, 1024 samples. */
export function createSaturation(params: SaturationParams, sampleRate: number): StereoProcessor {
  return new Saturation(params, sampleRate);
}

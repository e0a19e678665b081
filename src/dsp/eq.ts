/**
 * Corrective EQ stage: a Butterworth high-pass on both channels, then up to 8 bells/shelves, each on
 * L and R (`stereo`), on the mid or on the side. All filters are RBJ cookbook biquads (biquad.ts);
 * the cascade runs in double precision on a scratch copy of the block, so the float32 signal is
 * rounded once, at the end.
 */
import type { EqBandParams, EqParams } from '../chain/spec.js';
import { bell, butterworth, type Biquad, highShelf, lowShelf } from './biquad.js';
import {
  biquad2Stereo32, biquadMono, biquadStereo, biquadStereo32, biquadStereoFrom32, biquadStereoTo32, flushStates, packSections,
} from './crossover.js';
import { FlushGrid, type StereoProcessor } from './processor.js';

/**
 * Filter states are flushed (flushDenormal) every FLUSH_GRID samples counted from the start of the
 * signal, never where a caller's block happens to end: a flush changes a decaying state, so this is
 * what keeps the output bit-identical for any block cutting.
 */
export const FLUSH_GRID = 1024;

/** Bands are designed at most this fraction of the sample rate: the cookbook formulas degenerate at Nyquist. */
export const MAX_BAND_FRACTION = 0.49;

export interface EqDesign {
  /** Butterworth high-pass sections, run on L and R (empty when the slope is 0). */
  highpass: Biquad[];
  /** Bands on L and R, on the mid and on the side (0 dB bands are left out: they are the identity). */
  stereo: Biquad[];
  mid: Biquad[];
  side: Biquad[];
}

export function designBand(band: EqBandParams, sampleRate: number): Biquad {
  // A band above 0.49·fs (only possible below 40.8 kHz sampling: bands stop at 20 kHz) is moved down
  // to it, so it still acts near the top of the representable band instead of degenerating.
  const f = Math.min(band.frequencyHz, MAX_BAND_FRACTION * sampleRate);
  switch (band.type) {
    case 'bell': return bell(sampleRate, f, band.gainDb, band.q);
    case 'lowShelf': return lowShelf(sampleRate, f, band.gainDb, band.q);
    case 'highShelf': return highShelf(sampleRate, f, band.gainDb, band.q);
  }
}

export function designEq(params: EqParams, sampleRate: number): EqDesign {
  const order = params.highpassSlopeDbPerOct / 6;
  const design: EqDesign = {
    highpass: order > 0 ? butterworth('highpass', sampleRate, params.highpassHz, order) : [],
    stereo: [],
    mid: [],
    side: [],
  };
  for (const band of params.bands) {
    if (band.gainDb === 0) continue;
    design[band.channel].push(designBand(band, sampleRate));
  }
  return design;
}

/**
 * Biquad cascades on L/R, then (if any) on mid and side, processed in double precision with states
 * flushed on the FLUSH_GRID. Shared by the eq and character stages.
 *
 * Direct form I kernels from crossover.ts (their feedback path is one multiply-add long), L and R
 * of a section in one loop (two independent recursions overlap in the CPU), mid and side one
 * channel at a time. The first section reads the float32 block, the last writes it: in between
 * the signal stays in double precision, so it is rounded once, at the end.
 */
export class StereoCascade implements StereoProcessor {
  readonly latency = 0;
  private readonly lr: Float64Array;
  private readonly midSide: Float64Array;
  private readonly lrCount: number;
  private readonly midCount: number;
  private readonly sideCount: number;
  /**
   * Direct form I states: 8 per L/R section (x1 x2 y1 y2 of L, then of R; with exactly two L/R
   * sections and no mid/side, biquad2Stereo32's layout over the same 16), then 4 per mid and per
   * side section.
   */
  private readonly z: Float64Array;
  private readonly active: boolean;
  private readonly a = new Float64Array(FLUSH_GRID);
  private readonly b = new Float64Array(FLUSH_GRID);
  private readonly grid = new FlushGrid(FLUSH_GRID);

  constructor(lr: Biquad[], mid: Biquad[] = [], side: Biquad[] = []) {
    this.lr = packSections(lr);
    this.midSide = packSections([...mid, ...side]);
    this.lrCount = lr.length;
    this.midCount = mid.length;
    this.sideCount = side.length;
    this.z = new Float64Array(8 * lr.length + 4 * (mid.length + side.length));
    this.active = lr.length + mid.length + side.length > 0;
  }

  process(left: Float32Array, right: Float32Array): void {
    if (!this.active) return;
    this.grid.run(left.length, (start, length) => this.segment(left, right, start, start + length), () => flushStates(this.z));
  }

  private segment(left: Float32Array, right: Float32Array, start: number, end: number): void {
    const n = end - start;
    const a = this.a, b = this.b, z = this.z, lr = this.lr, lrCount = this.lrCount;
    const midSide = this.midCount + this.sideCount > 0;
    // Only the doubles between sections are kept in a/b: the first section reads the float32
    // input, the last one writes the float32 output (the one rounding).
    if (!midSide) {
      if (lrCount === 1) {
        biquadStereo32(lr, 0, z, 0, left, right, start, n);
        return;
      }
      if (lrCount === 2) {
        biquad2Stereo32(lr, 0, z, 0, left, right, start, n);
        return;
      }
      biquadStereoFrom32(lr, 0, z, 0, left, right, start, a, b, n);
      for (let k = 1; k < lrCount - 1; k++) biquadStereo(lr, 5 * k, z, 8 * k, a, b, n);
      biquadStereoTo32(lr, 5 * (lrCount - 1), z, 8 * (lrCount - 1), a, b, left, right, start, n);
      return;
    }
    // M = (L+R)/2, S = (L−R)/2 and back (as midside.ts), in double.
    if (lrCount === 0) {
      for (let i = 0, j = start; i < n; i++, j++) {
        const l = left[j], r = right[j];
        a[i] = 0.5 * (l + r);
        b[i] = 0.5 * (l - r);
      }
    } else {
      biquadStereoFrom32(lr, 0, z, 0, left, right, start, a, b, n);
      for (let k = 1; k < lrCount; k++) biquadStereo(lr, 5 * k, z, 8 * k, a, b, n);
      for (let i = 0; i < n; i++) {
        const l = a[i], r = b[i];
        a[i] = 0.5 * (l + r);
        b[i] = 0.5 * (l - r);
      }
    }
    const ms = this.midSide, zo = 8 * lrCount, mid = this.midCount, side = this.sideCount;
    for (let k = 0; k < mid; k++) biquadMono(ms, 5 * k, z, zo + 4 * k, a, n);
    for (let k = mid; k < mid + side; k++) biquadMono(ms, 5 * k, z, zo + 4 * k, b, n);
    for (let i = 0, j = start; i < n; i++, j++) {
      const m = a[i], s = b[i];
      left[j] = m + s;
      right[j] = m - s;
    }
  }
}

export interface EqProcessor extends StereoProcessor {
  /** The designed sections: the truth the measured response is compared with. */
  readonly design: EqDesign;
}

/** The corrective EQ stage. With no high-pass and only 0 dB bands it passes the signal untouched. */
export function createEq(params: EqParams, sampleRate: number): EqProcessor {
  const design = designEq(params, sampleRate);
  const cascade = new StereoCascade([...design.highpass, ...design.stereo], design.mid, design.side);
  return {
    latency: 0,
    design,
    process: (left, right) => cascade.process(left, right),
  };
}

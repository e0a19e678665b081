/**
 * Corrective EQ stage: a Butterworth high-pass on both channels, then up to 8 bells/shelves, each on
 * L and R (`stereo`), on the mid or on the side. All filters are RBJ cookbook biquads (biquad.ts);
 * the cascade runs in double precision on a scratch copy of the block, so the float32 signal is
 * rounded once, at the end.
 */
import type { EqBandParams, EqParams } from '../chain/spec.js';
import { bell, butterworth, type Biquad, cascadeState, flushCascadeState, highShelf, lowShelf } from './biquad.js';
import type { StereoProcessor } from './processor.js';

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
 * processCascade(sections, state, x, 0, n, false) on a double-precision buffer, section by section
 * with coefficients and states in locals. Bit-identical to processCascade: each section sees the
 * same inputs in the same order, and a Float64Array holds the intermediate doubles exactly.
 */
export function runCascade(sections: Biquad[], state: Float64Array, x: Float64Array, n: number, from = 0): void {
  for (let k = from; k < sections.length; k++) {
    const { b0, b1, b2, a1, a2 } = sections[k];
    let z1 = state[2 * k], z2 = state[2 * k + 1];
    for (let i = 0; i < n; i++) {
      const v = x[i];
      const y = b0 * v + z1;
      z1 = b1 * v - a1 * y + z2;
      z2 = b2 * v - a2 * y;
      x[i] = y;
    }
    state[2 * k] = z1;
    state[2 * k + 1] = z2;
  }
}

/**
 * runCascade on two buffers at once, section k of one beside section k of the other in the same
 * loop: a biquad's recursion is latency-bound, and two independent recursions run in about the time
 * of one. Results are identical to two runCascade calls.
 */
export function runCascades(sa: Biquad[], stateA: Float64Array, x: Float64Array, sb: Biquad[], stateB: Float64Array, w: Float64Array, n: number): void {
  const both = Math.min(sa.length, sb.length);
  for (let k = 0; k < both; k++) {
    const p = sa[k], q = sb[k];
    const pb0 = p.b0, pb1 = p.b1, pb2 = p.b2, pa1 = p.a1, pa2 = p.a2;
    const qb0 = q.b0, qb1 = q.b1, qb2 = q.b2, qa1 = q.a1, qa2 = q.a2;
    let z1 = stateA[2 * k], z2 = stateA[2 * k + 1], u1 = stateB[2 * k], u2 = stateB[2 * k + 1];
    for (let i = 0; i < n; i++) {
      const v = x[i], t = w[i];
      const y = pb0 * v + z1, r = qb0 * t + u1;
      z1 = pb1 * v - pa1 * y + z2;
      u1 = qb1 * t - qa1 * r + u2;
      z2 = pb2 * v - pa2 * y;
      u2 = qb2 * t - qa2 * r;
      x[i] = y;
      w[i] = r;
    }
    stateA[2 * k] = z1;
    stateA[2 * k + 1] = z2;
    stateB[2 * k] = u1;
    stateB[2 * k + 1] = u2;
  }
  runCascade(sa, stateA, x, n, both);
  runCascade(sb, stateB, w, n, both);
}

/**
 * Biquad cascades on L/R, then (if any) on mid and side, processed in double precision with states
 * flushed on the FLUSH_GRID. Shared by the eq and character stages.
 */
export class StereoCascade implements StereoProcessor {
  readonly latency = 0;
  private readonly lrSections: Biquad[];
  private readonly midSections: Biquad[];
  private readonly sideSections: Biquad[];
  private readonly states: Float64Array[];
  private readonly active: boolean;
  private readonly midSide: boolean;
  private readonly a = new Float64Array(FLUSH_GRID);
  private readonly b = new Float64Array(FLUSH_GRID);
  /** Samples processed since the last flush (0 … FLUSH_GRID−1). */
  private phase = 0;

  constructor(lr: Biquad[], mid: Biquad[] = [], side: Biquad[] = []) {
    this.lrSections = lr;
    this.midSections = mid;
    this.sideSections = side;
    this.states = [cascadeState(lr), cascadeState(lr), cascadeState(mid), cascadeState(side)];
    this.midSide = mid.length + side.length > 0;
    this.active = lr.length > 0 || this.midSide;
  }

  process(left: Float32Array, right: Float32Array): void {
    if (!this.active) return;
    const length = left.length;
    let start = 0;
    while (start < length) {
      const end = Math.min(length, start + FLUSH_GRID - this.phase);
      this.segment(left, right, start, end);
      this.phase += end - start;
      if (this.phase === FLUSH_GRID) {
        for (const s of this.states) flushCascadeState(s);
        this.phase = 0;
      }
      start = end;
    }
  }

  private segment(left: Float32Array, right: Float32Array, start: number, end: number): void {
    const n = end - start;
    const a = this.a, b = this.b;
    // TypedArray.set converts float32 ↔ double about twice as fast as a JS loop.
    a.set(left.subarray(start, end));
    b.set(right.subarray(start, end));
    const [sl, sr, sm, ss] = this.states;
    runCascades(this.lrSections, sl, a, this.lrSections, sr, b, n);
    if (this.midSide) {
      // M = (L+R)/2, S = (L−R)/2 and back (as midside.ts), in double on the scratch copy.
      for (let i = 0; i < n; i++) {
        const l = a[i], r = b[i];
        a[i] = 0.5 * (l + r);
        b[i] = 0.5 * (l - r);
      }
      runCascades(this.midSections, sm, a, this.sideSections, ss, b, n);
      for (let i = 0; i < n; i++) {
        const m = a[i], s = b[i];
        a[i] = m + s;
        b[i] = m - s;
      }
    }
    left.set(a.subarray(0, n), start);
    right.set(b.subarray(0, n), start);
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

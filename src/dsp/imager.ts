/**
 * The stereo imager (`imager` stage), in mid/side: M = (L+R)/2, S = (L−R)/2, L = M+S, R = M−S.
 *
 * - Width per band: the side is split at `crossoversHz` by allpass-compensated LR4 crossovers and
 *   band k is scaled by widthPercent[k]/100. Adjacent bands of equal width are merged (their
 *   crossover removed), so equal widths everywhere need no filter at all: S·w.
 * - Mono below: the side is high-passed by an LR4 high-pass at `monoBelowHz` (0 = off):
 *   |HP| = Ω⁴/(1+Ω⁴), −24.6 dB at monoBelowHz/2, −38.3 dB at a third of it.
 * - The mid passes the same allpasses as the side (AP of the mono corner, Π APk of the width
 *   crossovers). Why it is needed: LR4 sections shift phase far above their corners (the LR4
 *   high-pass is +86.6° at 2·fc, +41.4° at 4·fc), so a filtered side against an untouched mid would
 *   leak a hard-left source into the right channel (R = (1 − e^{jφ})·L/2: −3.5 dB at 2·fc, −9 dB at
 *   4·fc). With the allpass on the mid the side-to-mid ratio is real (HP/AP = Ω⁴/(1+Ω⁴), LP/AP =
 *   1/(1+Ω⁴)): a pure magnitude shaping of the side, no phase difference, no leak; above the mono
 *   corner the output is the input through an allpass (L_out = LP(M) + HP(L): the classic mono-bass
 *   crossover).
 * - Width 100 % everywhere and monoBelowHz 0: the stage does nothing (bit-exact pass-through).
 *   A mono input (L = R) stays exactly mono (side 0 stays 0; L_out and R_out bit-identical).
 * Latency 0.
 */
import type { ImagerParams } from '../chain/spec.js';
import { Cascade, CrossoverNetwork, FLUSH_INTERVAL, checkCorner, lr4Allpass, lr4Highpass } from './crossover.js';
import type { StereoProcessor } from './processor.js';

export interface Imager extends StereoProcessor {
  /** Every filter state (tests check that silence brings them to exactly 0). */
  state(): number[];
}

/** Merges adjacent bands of equal width: the crossovers that remain, and one width per remaining band. */
export function effectiveWidthBands(crossoversHz: readonly number[], widthPercent: readonly number[]): { crossoversHz: number[]; widths: number[] } {
  const crossovers: number[] = [];
  const widths = [widthPercent[0] / 100];
  for (let k = 0; k < crossoversHz.length; k++) {
    if (widthPercent[k + 1] !== widthPercent[k]) {
      crossovers.push(crossoversHz[k]);
      widths.push(widthPercent[k + 1] / 100);
    }
  }
  return { crossoversHz: crossovers, widths };
}

export function createImager(params: ImagerParams, sampleRate: number): Imager {
  return new StereoImager(params, sampleRate);
}

class StereoImager implements Imager {
  readonly latency = 0;
  /** Width 100 % everywhere, no mono-below (or bypass): process is a no-op. */
  private readonly idle: boolean;
  private readonly sideHighpass: Cascade | null;
  private readonly midAllpass: Cascade | null;
  private readonly network: CrossoverNetwork | null;
  /** Side gain of each effective band (widthPercent / 100), lowest first. */
  private readonly widths: number[];
  private readonly bands: Float64Array[];
  private readonly mid = new Float64Array(FLUSH_INTERVAL);
  private readonly side: Float64Array;
  private phase = 0;

  constructor(params: ImagerParams, sampleRate: number) {
    if (params.widthPercent.length !== params.crossoversHz.length + 1) {
      throw new RangeError(`imager needs one width more than crossovers: ${params.widthPercent.length} widths, ${params.crossoversHz.length} crossovers`);
    }
    const { crossoversHz, widths } = effectiveWidthBands(params.crossoversHz, params.widthPercent);
    const mono = params.monoBelowHz > 0;
    if (mono) checkCorner('mono-below corner', params.monoBelowHz, sampleRate);
    this.widths = widths;
    this.idle = params.bypass || (!mono && crossoversHz.length === 0 && widths[0] === 1);
    this.sideHighpass = mono ? new Cascade(lr4Highpass(sampleRate, params.monoBelowHz)) : null;
    const midAllpasses = [...(mono ? [params.monoBelowHz] : []), ...crossoversHz].map((f) => lr4Allpass(sampleRate, f));
    this.midAllpass = midAllpasses.length > 0 ? new Cascade(midAllpasses) : null;
    this.network = crossoversHz.length > 0 ? new CrossoverNetwork(sampleRate, crossoversHz) : null;
    this.bands = Array.from({ length: this.network ? widths.length : 1 }, () => new Float64Array(FLUSH_INTERVAL));
    // the split takes its input in the last band buffer
    this.side = this.bands[this.bands.length - 1];
  }

  process(left: Float32Array, right: Float32Array): void {
    if (this.idle) return;
    const n = left.length;
    for (let start = 0; start < n; ) {
      const length = Math.min(n - start, FLUSH_INTERVAL - this.phase);
      this.chunk(left, right, start, length);
      start += length;
      this.phase += length;
      if (this.phase === FLUSH_INTERVAL) {
        this.phase = 0;
        this.sideHighpass?.flush();
        this.midAllpass?.flush();
        this.network?.flush();
      }
    }
  }

  private chunk(left: Float32Array, right: Float32Array, start: number, n: number): void {
    const mid = this.mid, side = this.side;
    for (let i = 0; i < n; i++) {
      const l = left[start + i], r = right[start + i];
      mid[i] = 0.5 * (l + r);
      side[i] = 0.5 * (l - r);
    }
    this.sideHighpass?.run(side, n);
    this.midAllpass?.run(mid, n);
    let out = side;
    if (this.network) {
      const bands = this.bands, widths = this.widths;
      this.network.split(n, bands, null);
      out = bands[0];
      const w0 = widths[0];
      for (let i = 0; i < n; i++) out[i] *= w0;
      for (let k = 1; k < bands.length; k++) {
        const b = bands[k], w = widths[k];
        for (let i = 0; i < n; i++) out[i] += w * b[i];
      }
    } else if (this.widths[0] !== 1) {
      const w = this.widths[0];
      for (let i = 0; i < n; i++) out[i] *= w;
    }
    for (let i = 0; i < n; i++) {
      const m = mid[i], s = out[i];
      left[start + i] = m + s;
      right[start + i] = m - s;
    }
  }

  state(): number[] {
    return [...(this.sideHighpass?.state() ?? []), ...(this.midAllpass?.state() ?? []), ...(this.network?.state() ?? [])];
  }
}

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
import type { Biquad } from './biquad.js';
import {
  FLUSH_INTERVAL, allpass2Mono, allpassMono, checkAllpassStructure, checkButterworthStructure, checkCorner, crossoverMono,
  flushStates, lr4Allpass, lr4Highpass, lr4Lowpass, lr4Mono, packSections,
} from './crossover.js';
import { FlushGrid, type StereoProcessor } from './processor.js';

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

/**
 * The last crossover of the side network (see StereoImager) and the output, in one pass:
 * side = AP(acc + wLast·x) + wDiff·LP(x), LP the LR4 low-pass at cl (two identical sections), AP the
 * allpass at ca; left/right[start + i] = mid ± side. States from zo: the low-pass's x1 x2 y1 y2 w1 w2,
 * then the allpass's u1 u2 q1 q2.
 */
function lastCrossoverOut(
  c: Float64Array, cl: number, ca: number, z: Float64Array, zo: number,
  x: Float64Array, acc: Float64Array, mid: Float64Array, wLast: number, wDiff: number, n: number,
  left: Float32Array, right: Float32Array, start: number,
): void {
  const g = c[cl], a1 = c[cl + 3], a2 = c[cl + 4], p1 = c[ca + 3], p2 = c[ca + 4];
  let x1 = z[zo], x2 = z[zo + 1], y1 = z[zo + 2], y2 = z[zo + 3], w1 = z[zo + 4], w2 = z[zo + 5];
  let u1 = z[zo + 6], u2 = z[zo + 7], q1 = z[zo + 8], q2 = z[zo + 9];
  for (let i = 0, j = start; i < n; i++, j++) {
    const v = x[i], u = acc[i] + wLast * v, m = mid[i];
    const y = g * (v + 2 * x1 + x2) - a2 * y2 - a1 * y1;
    const q = p2 * (u - q2) + u2 + p1 * u1 - p1 * q1;
    const w = g * (y + 2 * y1 + y2) - a2 * w2 - a1 * w1;
    x2 = x1;
    x1 = v;
    y2 = y1;
    y1 = y;
    w2 = w1;
    w1 = w;
    u2 = u1;
    u1 = u;
    q2 = q1;
    q1 = q;
    const sd = q + wDiff * w;
    left[j] = m + sd;
    right[j] = m - sd;
  }
  z[zo] = x1;
  z[zo + 1] = x2;
  z[zo + 2] = y1;
  z[zo + 3] = y2;
  z[zo + 4] = w1;
  z[zo + 5] = w2;
  z[zo + 6] = u1;
  z[zo + 7] = u2;
  z[zo + 8] = q1;
  z[zo + 9] = q2;
}

/**
 * The input's mid/side conversion with the mid's first one or two allpasses (at cp, then at cq if
 * cq ≥ 0), in one pass: M = (L+R)/2 through the allpasses into mid, S = (L−R)/2 into side. States
 * from zo: x1 x2 y1 y2 w1 w2 (the second allpass's inputs are the first's outputs).
 */
function midSideAllpass(
  c: Float64Array, cp: number, cq: number, z: Float64Array, zo: number,
  left: Float32Array, right: Float32Array, start: number, mid: Float64Array, side: Float64Array, n: number,
): void {
  const a1 = c[cp + 3], a2 = c[cp + 4];
  let x1 = z[zo], x2 = z[zo + 1], y1 = z[zo + 2], y2 = z[zo + 3];
  if (cq < 0) {
    for (let i = 0, j = start; i < n; i++, j++) {
      const l = left[j], r = right[j];
      const x = 0.5 * (l + r);
      const y = a2 * (x - y2) + x2 + a1 * x1 - a1 * y1;
      x2 = x1;
      x1 = x;
      y2 = y1;
      y1 = y;
      mid[i] = y;
      side[i] = 0.5 * (l - r);
    }
  } else {
    const e1 = c[cq + 3], e2 = c[cq + 4];
    let w1 = z[zo + 4], w2 = z[zo + 5];
    for (let i = 0, j = start; i < n; i++, j++) {
      const l = left[j], r = right[j];
      const x = 0.5 * (l + r);
      const y = a2 * (x - y2) + x2 + a1 * x1 - a1 * y1;
      const w = e2 * (y - w2) + y2 + e1 * y1 - e1 * w1;
      x2 = x1;
      x1 = x;
      y2 = y1;
      y1 = y;
      w2 = w1;
      w1 = w;
      mid[i] = w;
      side[i] = 0.5 * (l - r);
    }
    z[zo + 4] = w1;
    z[zo + 5] = w2;
  }
  z[zo] = x1;
  z[zo + 1] = x2;
  z[zo + 2] = y1;
  z[zo + 3] = y2;
}

/**
 * The side network, Σ wk·bandk with the allpass-compensated LR4 tree (bandk = LPk·Π(j<k)HPj·Π(j>k)APj),
 * is computed in an equivalent nested form with fewer sections. With x0 the side, lk = LPk(xk),
 * xk+1 = HPk(xk) = APk(xk) − lk (crossover.ts's identity LP + HP = AP), and N crossovers:
 *   acc0 = w0·l0,  acck = APk(acck−1) + wk·lk (0 < k < N−1),
 *   side = AP(N−1)(acc(N−2) + wN·x(N−1)) + (w(N−1) − wN)·l(N−1)        (acc−1 = 0),
 * since w(N−1)·l + wN·HP(x) = wN·AP(x) + (w(N−1) − wN)·l, and the allpasses commute with the sums.
 * For 3 bands that is 6 sections instead of 7, for 4 bands 10 instead of 12; the response is the
 * same to within rounding.
 */
class StereoImager implements Imager {
  readonly latency = 0;
  /** Width 100 % everywhere, no mono-below (or bypass): process is a no-op. */
  private readonly idle: boolean;
  private readonly mono: boolean;
  /** Side gain of each effective band (widthPercent / 100), lowest first. */
  private readonly widths: number[];
  private readonly crossovers: number;
  private readonly coeffs: Float64Array;
  private readonly z: Float64Array;
  /** Coefficient offsets: the mono-below high-pass section; per crossover the low-pass and allpass sections; the mid's allpasses. */
  private readonly hpAt: number;
  private readonly lpAt: number[] = [];
  private readonly apAt: number[] = [];
  private readonly midAp: number[] = [];
  /** State offsets, in processing order (see chunk). */
  private readonly zAt: number[] = [];
  private readonly mid = new Float64Array(FLUSH_INTERVAL);
  private readonly side = new Float64Array(FLUSH_INTERVAL);
  private readonly low = new Float64Array(FLUSH_INTERVAL);
  /** The nested sum of the lower bands (stays 0 with a single crossover). */
  private readonly acc = new Float64Array(FLUSH_INTERVAL);
  private readonly grid = new FlushGrid(FLUSH_INTERVAL);

  constructor(params: ImagerParams, sampleRate: number) {
    if (params.widthPercent.length !== params.crossoversHz.length + 1) {
      throw new RangeError(`imager needs one width more than crossovers: ${params.widthPercent.length} widths, ${params.crossoversHz.length} crossovers`);
    }
    const { crossoversHz, widths } = effectiveWidthBands(params.crossoversHz, params.widthPercent);
    crossoversHz.forEach((f, k) => {
      checkCorner('crossover', f, sampleRate);
      if (k > 0 && !(f > crossoversHz[k - 1])) throw new RangeError(`crossovers must be ascending, got ${crossoversHz.join(', ')} Hz`);
    });
    const mono = params.monoBelowHz > 0;
    if (mono) checkCorner('mono-below corner', params.monoBelowHz, sampleRate);
    this.mono = mono;
    this.widths = widths;
    this.crossovers = crossoversHz.length;
    this.idle = params.bypass || (!mono && crossoversHz.length === 0 && widths[0] === 1);

    const sections: Biquad[] = [];
    const add = (s: Biquad): number => {
      sections.push(s);
      return 5 * (sections.length - 1);
    };
    let hpAt = -1;
    if (mono) {
      const [hp] = lr4Highpass(sampleRate, params.monoBelowHz);
      checkButterworthStructure(hp);
      hpAt = add(hp);
      const ap = lr4Allpass(sampleRate, params.monoBelowHz);
      checkAllpassStructure(ap);
      this.midAp.push(add(ap));
    }
    this.hpAt = hpAt;
    for (const f of crossoversHz) {
      const [lp] = lr4Lowpass(sampleRate, f);
      const ap = lr4Allpass(sampleRate, f);
      checkButterworthStructure(lp);
      checkAllpassStructure(ap);
      this.lpAt.push(add(lp));
      const at = add(ap);
      this.apAt.push(at);
      this.midAp.push(at);
    }
    this.coeffs = packSections(sections);
    // states, in the order chunk uses them
    let zo = 0;
    const take = (count: number): void => {
      this.zAt.push(zo);
      zo += count;
    };
    const midCount = this.midAp.length;
    if (midCount > 0) take(6); // midSideAllpass: the first one or two
    for (let m = 2; m + 1 < midCount; m += 2) take(6); // allpass2Mono
    if (midCount > 2 && midCount % 2 === 1) take(4); // allpassMono
    if (mono) take(6); // lr4Mono
    const count = this.crossovers;
    for (let k = 0; k < count - 1; k++) {
      take(8); // crossoverMono
      if (k > 0) take(4); // allpassMono on acc
    }
    if (count > 0) take(10); // lastCrossoverOut
    this.z = new Float64Array(zo);
  }

  process(left: Float32Array, right: Float32Array): void {
    if (this.idle) return;
    this.grid.run(left.length, (start, length) => this.chunk(left, right, start, length), () => flushStates(this.z));
  }

  private chunk(left: Float32Array, right: Float32Array, start: number, n: number): void {
    const mid = this.mid, side = this.side, low = this.low, acc = this.acc, c = this.coeffs, z = this.z, zAt = this.zAt;
    let s = 0;
    // mid: the allpasses of every corner, the first one or two in the mid/side conversion, then two per pass
    const midAp = this.midAp, midCount = midAp.length;
    if (midCount > 0) {
      midSideAllpass(c, midAp[0], midCount > 1 ? midAp[1] : -1, z, zAt[s++], left, right, start, mid, side, n);
    } else {
      for (let i = 0, j = start; i < n; i++, j++) {
        const l = left[j], r = right[j];
        mid[i] = 0.5 * (l + r);
        side[i] = 0.5 * (l - r);
      }
    }
    for (let m = 2; m + 1 < midCount; m += 2) allpass2Mono(c, midAp[m], midAp[m + 1], z, zAt[s++], mid, n);
    if (midCount > 2 && midCount % 2 === 1) allpassMono(c, midAp[midCount - 1], z, zAt[s++], mid, n);
    // side: mono below, then the width network (see the class comment)
    if (this.mono) lr4Mono(c, this.hpAt, z, zAt[s++], side, n);
    const count = this.crossovers, widths = this.widths;
    if (count === 0) {
      const scale = widths[0];
      for (let i = 0, j = start; i < n; i++, j++) {
        const m = mid[i], v = scale * side[i];
        left[j] = m + v;
        right[j] = m - v;
      }
      return;
    }
    for (let k = 0; k < count - 1; k++) {
      const wk = widths[k];
      if (k === 0) {
        // acc = w0·l0, written by the crossover itself
        crossoverMono(c, this.lpAt[k], this.apAt[k], z, zAt[s++], side, acc, n, wk);
      } else {
        crossoverMono(c, this.lpAt[k], this.apAt[k], z, zAt[s++], side, low, n, wk);
        allpassMono(c, this.apAt[k], z, zAt[s++], acc, n);
        for (let i = 0; i < n; i++) acc[i] += low[i];
      }
    }
    const last = count - 1;
    lastCrossoverOut(c, this.lpAt[last], this.apAt[last], z, zAt[s++], side, acc, mid, widths[count], widths[last] - widths[count], n, left, right, start);
  }

  state(): number[] {
    return Array.from(this.z);
  }
}

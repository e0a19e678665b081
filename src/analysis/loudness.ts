/**
 * Loudness per ITU-R BS.1770-4 (K-weighted, gated) and EBU R128 / Tech 3341 (momentary 400 ms,
 * short-term 3 s), and loudness range per EBU Tech 3342.
 *
 * Everything is built from one filtering pass that stores, per channel, the sum of squared
 * K-weighted samples in each 10 ms sub-block. Every window used by the standards (400 ms gating
 * blocks with 75 % overlap, 3 s short-term windows) is a run of whole sub-blocks, so the series,
 * the gating and the LRA need no second pass over the audio. The series and the gating step by
 * 100 ms as the standards say; the maxima step by 10 ms, so a burst anywhere in the file is caught
 * by a window within 5 ms of it (EBU Tech 3341 cases 13 and 14 place bursts on a 20 ms grid).
 */
import { kWeightingCoefficients, type KWeighting } from './kweighting.js';

export interface LoudnessOptions {
  /** BS.1770-4 channel weights G_i: 1.0 for L, R, C; 1.41 for surrounds. Default 1.0 each. */
  channelWeights?: number[];
}

export interface LoudnessResult {
  /** Gated integrated loudness (BS.1770-4 §2.8); null when no block passes the gates. */
  integratedLufs: number | null;
  momentaryMaxLufs: number | null;
  shortTermMaxLufs: number | null;
  /** EBU Tech 3342 loudness range; null when no short-term value passes its gates. */
  loudnessRangeLu: number | null;
  /** Momentary loudness every 100 ms: element k is the 400 ms window [k·0.1 s, k·0.1 s + 0.4 s). -Infinity where silent. */
  momentaryLufs: Float64Array;
  /** Short-term loudness every 100 ms: element k is the 3 s window [k·0.1 s, k·0.1 s + 3 s). -Infinity where silent. */
  shortTermLufs: Float64Array;
}

/** Per-channel energy of each 10 ms sub-block of the K-weighted signal. */
export interface SubBlocks {
  /** bounds[k] is the first sample of sub-block k; bounds has one more entry than there are sub-blocks. */
  bounds: Float64Array;
  /** Σ y² per sub-block, one array per channel. */
  sums: Float64Array[];
  /** Σ y_left·y_right per sub-block, when asked for (stereo only): gives the mono fold-down without refiltering. */
  cross: Float64Array | null;
  /**
   * With the cross term: the unweighted Σ L², Σ R², Σ L·R per sub-block too (stereo.ts's correlation),
   * summed in the same pass over the samples; null otherwise.
   */
  raw: [Float64Array, Float64Array, Float64Array] | null;
}

/** BS.1770-4 equation 2: L = -0.691 + 10·log10(Σ G_i·z_i). */
const LOUDNESS_OFFSET_DB = -0.691;
const ABSOLUTE_GATE_LUFS = -70;
/** BS.1770-4 §2.8 relative gate for integrated loudness. */
export const INTEGRATED_RELATIVE_GATE_LU = -10;
/** EBU Tech 3342 relative gate and percentiles for loudness range. */
const LRA_RELATIVE_GATE_LU = -20;
const LRA_LOW_PERCENTILE = 10;
const LRA_HIGH_PERCENTILE = 95;
/** Sub-blocks per second; the sub-block grid is 10 ms. */
const SUB_BLOCK_RATE = 100;
/** Sub-blocks per 100 ms: the step of the series and of the gating blocks (BS.1770-4 §2.8, 75 % overlap). */
export const SERIES_STEP = 10;
/** 400 ms momentary window / gating block, and 3 s short-term window, in sub-blocks. */
export const MOMENTARY_SPAN = 40;
const SHORT_TERM_SPAN = 300;
/** Filter states below this are flushed to zero once per sub-block, long before they could turn denormal. */
const DENORMAL_GUARD = 1e-150;

export function energyToLufs(energy: number): number {
  return LOUDNESS_OFFSET_DB + 10 * Math.log10(energy);
}

function lufsToEnergy(lufs: number): number {
  return 10 ** ((lufs - LOUDNESS_OFFSET_DB) / 10);
}

function flushed(v: number): number {
  return Math.abs(v) < DENORMAL_GUARD ? 0 : v;
}

/** K-weights `x[start, end)` through the two cascaded biquads (transposed direct form II, state in `st`) and returns Σ y². */
function kWeightEnergy(x: Float32Array, start: number, end: number, k: KWeighting, st: Float64Array): number {
  const [sb0, sb1, sb2] = k.shelf.b;
  const [, sa1, sa2] = k.shelf.a;
  const [hb0, hb1, hb2] = k.highpass.b;
  const [, ha1, ha2] = k.highpass.a;
  let s1 = st[0], s2 = st[1], h1 = st[2], h2 = st[3];
  let sum = 0;
  for (let i = start; i < end; i++) {
    const xi = x[i];
    const u = sb0 * xi + s1;
    s1 = sb1 * xi - sa1 * u + s2;
    s2 = sb2 * xi - sa2 * u;
    const y = hb0 * u + h1;
    h1 = hb1 * u - ha1 * y + h2;
    h2 = hb2 * u - ha2 * y;
    sum += y * y;
  }
  st[0] = flushed(s1); st[1] = flushed(s2); st[2] = flushed(h1); st[3] = flushed(h2);
  return sum;
}

/**
 * The stereo case of kWeightEnergy: both channels in one loop (two independent recursions keep the
 * FPU busy) plus the cross term Σ yL·yR and the unweighted sums. Writes [Σ yL², Σ yR², Σ yL·yR,
 * Σ L², Σ R², Σ L·R] into `out`. The high-pass
 * numerator is BS.1770-4's 1, −2, 1 (kweighting.ts), so its products are written as u, −2·u, u: the
 * same doubles as hb·u, three multiplications fewer per channel and sample.
 */
function kWeightStereoEnergy(
  l: Float32Array, r: Float32Array, start: number, end: number, k: KWeighting, st: Float64Array, out: Float64Array,
): void {
  const [sb0, sb1, sb2] = k.shelf.b;
  const [, sa1, sa2] = k.shelf.a;
  const [, ha1, ha2] = k.highpass.a;
  let ls1 = st[0], ls2 = st[1], lh1 = st[2], lh2 = st[3];
  let rs1 = st[4], rs2 = st[5], rh1 = st[6], rh2 = st[7];
  let ll = 0, rr = 0, lr = 0, xll = 0, xrr = 0, xlr = 0;
  for (let i = start; i < end; i++) {
    const xl = l[i], xr = r[i];
    const ul = sb0 * xl + ls1;
    const ur = sb0 * xr + rs1;
    ls1 = sb1 * xl - sa1 * ul + ls2;
    rs1 = sb1 * xr - sa1 * ur + rs2;
    ls2 = sb2 * xl - sa2 * ul;
    rs2 = sb2 * xr - sa2 * ur;
    const yl = ul + lh1;
    const yr = ur + rh1;
    lh1 = -2 * ul - ha1 * yl + lh2;
    rh1 = -2 * ur - ha1 * yr + rh2;
    lh2 = ul - ha2 * yl;
    rh2 = ur - ha2 * yr;
    ll += yl * yl;
    rr += yr * yr;
    lr += yl * yr;
    xll += xl * xl;
    xrr += xr * xr;
    xlr += xl * xr;
  }
  st[0] = flushed(ls1); st[1] = flushed(ls2); st[2] = flushed(lh1); st[3] = flushed(lh2);
  st[4] = flushed(rs1); st[5] = flushed(rs2); st[6] = flushed(rh1); st[7] = flushed(rh2);
  out[0] = ll; out[1] = rr; out[2] = lr; out[3] = xll; out[4] = xrr; out[5] = xlr;
}

/** kWeightStereoEnergy without the cross term and the unweighted sums: [Σ yL², Σ yR²] into `out`. */
function kWeightStereoEnergyPlain(
  l: Float32Array, r: Float32Array, start: number, end: number, k: KWeighting, st: Float64Array, out: Float64Array,
): void {
  const [sb0, sb1, sb2] = k.shelf.b;
  const [, sa1, sa2] = k.shelf.a;
  const [, ha1, ha2] = k.highpass.a;
  let ls1 = st[0], ls2 = st[1], lh1 = st[2], lh2 = st[3];
  let rs1 = st[4], rs2 = st[5], rh1 = st[6], rh2 = st[7];
  let ll = 0, rr = 0;
  for (let i = start; i < end; i++) {
    const xl = l[i], xr = r[i];
    const ul = sb0 * xl + ls1;
    const ur = sb0 * xr + rs1;
    ls1 = sb1 * xl - sa1 * ul + ls2;
    rs1 = sb1 * xr - sa1 * ur + rs2;
    ls2 = sb2 * xl - sa2 * ul;
    rs2 = sb2 * xr - sa2 * ur;
    const yl = ul + lh1;
    const yr = ur + rh1;
    lh1 = -2 * ul - ha1 * yl + lh2;
    rh1 = -2 * ur - ha1 * yr + rh2;
    lh2 = ul - ha2 * yl;
    rh2 = ur - ha2 * yr;
    ll += yl * yl;
    rr += yr * yr;
  }
  st[0] = flushed(ls1); st[1] = flushed(ls2); st[2] = flushed(lh1); st[3] = flushed(lh2);
  st[4] = flushed(rs1); st[5] = flushed(rs2); st[6] = flushed(rh1); st[7] = flushed(rh2);
  out[0] = ll; out[1] = rr;
}

/** BS.1770-4's high-pass numerator, which kWeightStereoEnergy builds in. */
function hasUnitHighpassNumerator(k: KWeighting): boolean {
  const [b0, b1, b2] = k.highpass.b;
  return b0 === 1 && b1 === -2 && b2 === 1;
}

/**
 * One pass over the audio: K-weight every channel and sum the energy of each complete 10 ms
 * sub-block (a trailing partial sub-block can complete no window and is ignored). Sub-block k starts
 * at round(k·fs/100), so rates that are not multiples of 100 Hz stay aligned to 10 ms on average.
 * Channels that are the same array (dual-mono) are filtered once. With `withCross` (two channels; for
 * two different ones also the unweighted sums `raw`, read in the same pass),
 * the cross term Σ yL·yR is kept too, which gives the mono fold-down's loudness without refiltering.
 */
export function kWeightedSubBlocks(channels: Float32Array[], sampleRate: number, withCross = false): SubBlocks {
  if (withCross && channels.length !== 2) throw new Error('cross term needs exactly two channels');
  const length = channels.length === 0 ? 0 : channels[0].length;
  const count = Math.max(0, Math.floor((length * SUB_BLOCK_RATE) / sampleRate + 1e-9));
  const bounds = new Float64Array(count + 1);
  for (let b = 0; b <= count; b++) bounds[b] = Math.min(length, Math.round((b * sampleRate) / SUB_BLOCK_RATE));
  const coeffs = kWeightingCoefficients(sampleRate);
  const sums = channels.map(() => new Float64Array(count));
  const cross = withCross ? new Float64Array(count) : null;
  const source = channels.map((ch) => channels.indexOf(ch));
  const states = channels.map(() => new Float64Array(4));
  const stereo = channels.length === 2 && source[1] === 1 && hasUnitHighpassNumerator(coeffs);
  const stereoState = new Float64Array(8);
  const stereoOut = new Float64Array(6);
  const raw: SubBlocks['raw'] = stereo && withCross ? [new Float64Array(count), new Float64Array(count), new Float64Array(count)] : null;
  for (let b = 0; b < count; b++) {
    const start = bounds[b], end = bounds[b + 1];
    if (stereo && cross && raw) {
      kWeightStereoEnergy(channels[0], channels[1], start, end, coeffs, stereoState, stereoOut);
      sums[0][b] = stereoOut[0];
      sums[1][b] = stereoOut[1];
      cross[b] = stereoOut[2];
      raw[0][b] = stereoOut[3];
      raw[1][b] = stereoOut[4];
      raw[2][b] = stereoOut[5];
      continue;
    }
    if (stereo) {
      kWeightStereoEnergyPlain(channels[0], channels[1], start, end, coeffs, stereoState, stereoOut);
      sums[0][b] = stereoOut[0];
      sums[1][b] = stereoOut[1];
      continue;
    }
    for (let c = 0; c < channels.length; c++) {
      sums[c][b] = source[c] === c ? kWeightEnergy(channels[c], start, end, coeffs, states[c]) : sums[source[c]][b];
    }
    // Dual-mono: the two channels are identical, so Σ yL·yR = Σ yL².
    if (cross) cross[b] = sums[0][b];
  }
  return { bounds, sums, cross, raw };
}

/**
 * Weighted mean-square energy Σ G_i·z_i of windows of `span` consecutive sub-blocks, one window every
 * `step` sub-blocks. Each window is summed directly (no running sum), so silence stays exactly 0.
 */
export function windowEnergies(sums: Float64Array[], weights: number[], bounds: Float64Array, span: number, step: number): Float64Array {
  const count = bounds.length - 1;
  const weighted = new Float64Array(count);
  for (let c = 0; c < sums.length; c++) {
    const g = weights[c], s = sums[c];
    for (let b = 0; b < count; b++) weighted[b] += g * s[b];
  }
  const n = count >= span ? Math.floor((count - span) / step) + 1 : 0;
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const start = k * step, end = start + span;
    let acc = 0;
    for (let b = start; b < end; b++) acc += weighted[b];
    out[k] = acc / (bounds[end] - bounds[start]);
  }
  return out;
}

/** The 400 ms gating blocks of BS.1770-4 §2.8 (100 ms step), which are also the momentary series. */
export function gatingBlockEnergies(sums: Float64Array[], weights: number[], bounds: Float64Array): Float64Array {
  return windowEnergies(sums, weights, bounds, MOMENTARY_SPAN, SERIES_STEP);
}

/**
 * BS.1770-4 §2.8 two-stage gating over 400 ms block energies: absolute gate at -70 LUFS, then a
 * relative gate `relativeGateLu` below the loudness of the absolutely gated blocks. Returns the
 * indices of the blocks that pass both, or null when none passes.
 */
export function gateBlocks(energies: Float64Array, relativeGateLu: number): number[] | null {
  const absEnergy = lufsToEnergy(ABSOLUTE_GATE_LUFS);
  let sum = 0, n = 0;
  for (let k = 0; k < energies.length; k++) {
    if (energies[k] > absEnergy) { sum += energies[k]; n++; }
  }
  if (n === 0) return null;
  const relEnergy = (sum / n) * 10 ** (relativeGateLu / 10);
  const passed: number[] = [];
  for (let k = 0; k < energies.length; k++) {
    if (energies[k] > absEnergy && energies[k] > relEnergy) passed.push(k);
  }
  return passed.length > 0 ? passed : null;
}

/** Gated integrated loudness of a series of 400 ms block energies (BS.1770-4 equation 7). */
export function integratedFromBlocks(energies: Float64Array): number | null {
  const gated = gateBlocks(energies, INTEGRATED_RELATIVE_GATE_LU);
  if (!gated) return null;
  let sum = 0;
  for (const k of gated) sum += energies[k];
  return energyToLufs(sum / gated.length);
}

/** Percentile with linear interpolation between closest ranks (sorted ascending input). */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 1) return sorted[0];
  const pos = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** EBU Tech 3342: gate the short-term values (-70 LUFS, then -20 LU relative), LRA = P95 − P10. */
export function loudnessRangeFromShortTerm(shortTermEnergies: Float64Array): number | null {
  const gated = gateBlocks(shortTermEnergies, LRA_RELATIVE_GATE_LU);
  if (!gated) return null;
  const levels = Float64Array.from(gated, (k) => energyToLufs(shortTermEnergies[k])).sort();
  return percentileSorted(levels, LRA_HIGH_PERCENTILE) - percentileSorted(levels, LRA_LOW_PERCENTILE);
}

function maxLufsOrNull(energies: Float64Array): number | null {
  let max = 0;
  for (let k = 0; k < energies.length; k++) if (energies[k] > max) max = energies[k];
  return max > 0 ? energyToLufs(max) : null;
}

/** All R128 loudness figures from K-weighted sub-block energies. */
export function loudnessFromSubBlocks(blocks: SubBlocks, weights: number[]): LoudnessResult {
  const { sums, bounds } = blocks;
  const momentaryEnergy = gatingBlockEnergies(sums, weights, bounds);
  const shortTermEnergy = windowEnergies(sums, weights, bounds, SHORT_TERM_SPAN, SERIES_STEP);
  return {
    integratedLufs: integratedFromBlocks(momentaryEnergy),
    momentaryMaxLufs: maxLufsOrNull(windowEnergies(sums, weights, bounds, MOMENTARY_SPAN, 1)),
    shortTermMaxLufs: maxLufsOrNull(windowEnergies(sums, weights, bounds, SHORT_TERM_SPAN, 1)),
    loudnessRangeLu: loudnessRangeFromShortTerm(shortTermEnergy),
    momentaryLufs: momentaryEnergy.map(energyToLufs),
    shortTermLufs: shortTermEnergy.map(energyToLufs),
  };
}

function resolveWeights(channelCount: number, options?: LoudnessOptions): number[] {
  const weights = options?.channelWeights ?? new Array<number>(channelCount).fill(1);
  if (weights.length !== channelCount) {
    throw new Error(`channelWeights has ${weights.length} entries for ${channelCount} channels`);
  }
  return weights;
}

/** BS.1770-4 / EBU R128 loudness of any number of channels. */
export function measureLoudness(channels: Float32Array[], sampleRate: number, options?: LoudnessOptions): LoudnessResult {
  const weights = resolveWeights(channels.length, options);
  return loudnessFromSubBlocks(kWeightedSubBlocks(channels, sampleRate), weights);
}

/**
 * Only the integrated loudness (BS.1770-4 §2.8) of stereo or any channels, weights 1: what
 * measureLoudness(…).integratedLufs gives, to the bit, without the series, maxima and LRA (for
 * searches that need only this figure, such as the renderer's loudness target).
 */
export function integratedLoudness(channels: Float32Array[], sampleRate: number): number | null {
  const { sums, bounds } = kWeightedSubBlocks(channels, sampleRate);
  return integratedFromBlocks(gatingBlockEnergies(sums, resolveWeights(channels.length), bounds));
}

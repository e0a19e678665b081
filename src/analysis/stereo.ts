/**
 * Time-domain stereo measures: inter-channel correlation (overall and over time), mono
 * compatibility as a loudness change, and left/right balance.
 * Band-wise width lives in spectrum.ts, which already has the mid/side spectra.
 */
import { INTEGRATED_RELATIVE_GATE_LU, energyToLufs, gateBlocks, gatingBlockEnergies, integratedFromBlocks, percentileSorted, type SubBlocks } from './loudness.js';

export interface StereoTimeStats {
  /** Σ L·R / √(Σ L² · Σ R²) over the whole file: +1 mono, 0 unrelated, −1 polarity-inverted. Null for silence. */
  correlation: number | null;
  /** 5th percentile of the correlation of 400 ms windows (100 ms hop, silent windows skipped): the worst moments. */
  correlationLow: number | null;
  /** Integrated loudness of the mono fold-down (L+R)/2 on both speakers minus the stereo one, dB (≤ 0 means mono loses level). */
  monoLoudnessDeltaDb: number | null;
  /** Loudness of L minus loudness of R over the blocks that pass the integrated-loudness gates, dB (+ means left is louder). */
  balanceDb: number | null;
}

const CORRELATION_LOW_PERCENTILE = 5;
/** Windows whose quieter channel is below −70 dBFS mean-square are left out of the correlation-over-time. */
const SILENT_WINDOW_POWER = 1e-7;

/** Raw (unweighted) Σ L², Σ R², Σ L·R per sub-block, on the same sub-block grid as the loudness pass. */
function rawStereoSums(left: Float32Array, right: Float32Array, bounds: Float64Array): [Float64Array, Float64Array, Float64Array] {
  const count = bounds.length - 1;
  const ll = new Float64Array(count), rr = new Float64Array(count), lr = new Float64Array(count);
  for (let b = 0; b < count; b++) {
    let sl = 0, sr = 0, sx = 0;
    for (let i = bounds[b], end = bounds[b + 1]; i < end; i++) {
      const l = left[i], r = right[i];
      sl += l * l;
      sr += r * r;
      sx += l * r;
    }
    ll[b] = sl; rr[b] = sr; lr[b] = sx;
  }
  return [ll, rr, lr];
}

function correlationOverTime(ll: Float64Array, rr: Float64Array, lr: Float64Array, bounds: Float64Array): number | null {
  const wl = gatingBlockEnergies([ll], [1], bounds);
  const wr = gatingBlockEnergies([rr], [1], bounds);
  const wx = gatingBlockEnergies([lr], [1], bounds);
  const values: number[] = [];
  for (let k = 0; k < wl.length; k++) {
    if (Math.min(wl[k], wr[k]) > SILENT_WINDOW_POWER) values.push(wx[k] / Math.sqrt(wl[k] * wr[k]));
  }
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  return percentileSorted(values, CORRELATION_LOW_PERCENTILE);
}

/**
 * `kBlocks` must come from kWeightedSubBlocks([left, right], fs, true): the K-weighted cross term
 * gives the fold-down's energy per sub-block as (Σ yL² + Σ yR² + 2 Σ yL·yR) / 4 per speaker.
 */
export function measureStereoTime(left: Float32Array, right: Float32Array, kBlocks: SubBlocks, stereoIntegratedLufs: number | null): StereoTimeStats {
  const { bounds, sums, cross } = kBlocks;
  if (!cross) throw new Error('measureStereoTime needs the K-weighted cross term');
  const [ll, rr, lr] = kBlocks.raw ?? rawStereoSums(left, right, bounds);
  let sl = 0, sr = 0, sx = 0;
  for (let b = 0; b < ll.length; b++) { sl += ll[b]; sr += rr[b]; sx += lr[b]; }
  const correlation = sl > 0 && sr > 0 ? sx / Math.sqrt(sl * sr) : null;

  const count = bounds.length - 1;
  const monoSums = new Float64Array(count);
  for (let b = 0; b < count; b++) monoSums[b] = (sums[0][b] + sums[1][b] + 2 * cross[b]) / 4;
  // Both speakers play the fold-down, so it counts twice (G = 1 for L and R).
  const monoIntegrated = integratedFromBlocks(gatingBlockEnergies([monoSums], [2], bounds));
  let monoLoudnessDeltaDb: number | null = null;
  if (stereoIntegratedLufs !== null) {
    // A fold-down that cancels below the gates has lost everything: report it as −∞ clipped to the gate range.
    monoLoudnessDeltaDb = (monoIntegrated ?? -70) - stereoIntegratedLufs;
  }

  const stereoBlocks = gatingBlockEnergies(sums, [1, 1], bounds);
  const gated = gateBlocks(stereoBlocks, INTEGRATED_RELATIVE_GATE_LU);
  let balanceDb: number | null = null;
  if (gated) {
    const leftBlocks = gatingBlockEnergies([sums[0]], [1], bounds);
    const rightBlocks = gatingBlockEnergies([sums[1]], [1], bounds);
    let el = 0, er = 0;
    for (const k of gated) { el += leftBlocks[k]; er += rightBlocks[k]; }
    if (el > 0 && er > 0) balanceDb = energyToLufs(el) - energyToLufs(er);
  }

  return { correlation, correlationLow: correlationOverTime(ll, rr, lr, bounds), monoLoudnessDeltaDb, balanceDb };
}

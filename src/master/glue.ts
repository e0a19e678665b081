/**
 * Setting a glue compressor by the gain reduction it should do: the threshold is searched
 * (bisection) until the real compressor (its exact statistics, CompressorTrace), on a few excerpts of the mix's loudest passages,
 * reduces the gain by the wanted amount on average. Excerpts keep the search fast (about 30 s of
 * audio per trial instead of the whole track); the render reports the whole track's actual figure.
 */
import { measureLoudness } from '../analysis/loudness.js';
import type { CompressorParams } from '../chain/spec.js';
import { CompressorTrace } from '../dsp/compressor.js';
import type { StereoAudio } from '../io/types.js';

const EXCERPTS = 8;
const EXCERPT_S = 4;
const SEARCH_STEPS = 8;
const THRESHOLD_RANGE_DB: [number, number] = [-50, 0];

/**
 * Up to EXCERPTS windows of EXCERPT_S seconds, one per equal part of the track, each around that
 * part's loudest 400 ms. `momentaryLufs`: the track's momentary loudness series, if already measured.
 */
export function loudExcerpts(audio: StereoAudio, momentaryLufs?: Float64Array): [Float32Array, Float32Array][] {
  const { left, right, sampleRate: fs } = audio;
  const size = Math.round(EXCERPT_S * fs);
  if (left.length <= size * 2) return [[left, right]];
  const momentary = momentaryLufs ?? measureLoudness([left, right], fs).momentaryLufs;
  const parts = Math.min(EXCERPTS, Math.floor(left.length / size));
  const out: [Float32Array, Float32Array][] = [];
  for (let p = 0; p < parts; p++) {
    const from = Math.floor((p * momentary.length) / parts), to = Math.floor(((p + 1) * momentary.length) / parts);
    let best = from;
    for (let k = from; k < to; k++) if (momentary[k] > momentary[best]) best = k;
    if (!(momentary[best] > -70)) continue;
    const centre = Math.round((best * 0.1 + 0.2) * fs);
    const start = Math.max(0, Math.min(left.length - size, centre - (size >> 1)));
    out.push([left.subarray(start, start + size), right.subarray(start, start + size)]);
  }
  return out.length > 0 ? out : [[left, right]];
}

/** Mean gain reduction (dB) of `params` over the excerpts, each run through a fresh compressor. */
export function meanGainReduction(excerpts: [Float32Array, Float32Array][], params: CompressorParams, sampleRate: number): number {
  return meanOfTraces(excerpts.map(([l, r]) => new CompressorTrace(params, sampleRate, l, r)), excerpts, params.thresholdDb);
}

/** The excerpts' mean reduction at `thresholdDb`, weighted by length (each trace equals a fresh compressor's run, bit for bit). */
function meanOfTraces(traces: CompressorTrace[], excerpts: [Float32Array, Float32Array][], thresholdDb: number): number {
  let sum = 0, weight = 0;
  traces.forEach((t, i) => {
    const n = excerpts[i][0].length;
    sum += t.statsAt({ thresholdDb }).meanGainReductionDb * n;
    weight += n;
  });
  return weight > 0 ? sum / weight : 0;
}

/**
 * The threshold (dB) at which `params` reduce the excerpts' gain by `targetDb` on average (within
 * ~0.2 dB of threshold). The side-chain runs once per excerpt; each trial replays only the control
 * steps (CompressorTrace).
 */
export function thresholdForReduction(excerpts: [Float32Array, Float32Array][], params: CompressorParams, sampleRate: number, targetDb: number): number {
  const traces = excerpts.map(([l, r]) => new CompressorTrace(params, sampleRate, l, r));
  let [lo, hi] = THRESHOLD_RANGE_DB; // reduction falls as the threshold rises
  for (let i = 0; i < SEARCH_STEPS; i++) {
    const mid = (lo + hi) / 2;
    if (meanOfTraces(traces, excerpts, mid) > targetDb) lo = mid;
    else hi = mid;
  }
  return Math.round(((lo + hi) / 2) * 10) / 10;
}

/**
 * The glue compressor (`compressor` stage): feed-forward, stereo-linked (one gain for both
 * channels), RMS detector on a side-chain copy high-passed by a 2nd-order Butterworth at
 * `sidechainHpfHz` (0 = off) so that bass does not pump the mix; soft-knee static curve,
 * log-domain ballistics and optional program-dependent release from gain-computer.ts.
 *
 * Output = x · (dry + wet · g), dry = 1 − mix, wet = mix, g = make-up · 10^(−GR/20): the make-up
 * belongs to the compressed (wet) path, so parallel compression blends the untouched dry signal
 * with the made-up wet one. mixPercent 0 gives x·1 (bit-identical); ratio 1, or a signal that stays
 * below the knee, gives exactly x·make-up at mix 100. `bypass` makes process a no-op. Latency 0.
 */
import type { CompressorParams } from '../chain/spec.js';
import { butterworth } from './biquad.js';
import { Cascade, FLUSH_INTERVAL, checkCorner } from './crossover.js';
import { GainComputer, type GainReductionStats } from './gain-computer.js';
import type { StereoProcessor } from './processor.js';

export interface Compressor extends StereoProcessor {
  /** Gain reduction over everything processed so far (dB, ≥ 0, before make-up and mix). */
  stats(): GainReductionStats;
  /** Every filter and envelope state that decays in silence (tests check they reach exactly 0). */
  state(): number[];
}

export function createCompressor(params: CompressorParams, sampleRate: number): Compressor {
  return new GlueCompressor(params, sampleRate);
}

class GlueCompressor implements Compressor {
  readonly latency = 0;
  private readonly bypass: boolean;
  private readonly core: GainComputer;
  private readonly sidechain: Cascade | null;
  private readonly dry: number;
  private readonly wet: number;
  private readonly detL = new Float64Array(FLUSH_INTERVAL);
  private readonly detR = new Float64Array(FLUSH_INTERVAL);
  private readonly gain = new Float64Array(FLUSH_INTERVAL);
  /** Samples processed modulo FLUSH_INTERVAL: states are flushed at absolute multiples of it. */
  private phase = 0;

  constructor(params: CompressorParams, sampleRate: number) {
    this.bypass = params.bypass;
    this.core = new GainComputer(
      { thresholdDb: params.thresholdDb, ratio: params.ratio, kneeDb: params.kneeDb },
      { attackMs: params.attackMs, releaseMs: params.releaseMs, autoRelease: params.autoRelease },
      params.makeupDb,
      sampleRate,
    );
    if (params.sidechainHpfHz > 0) checkCorner('side-chain high-pass', params.sidechainHpfHz, sampleRate);
    this.sidechain = params.sidechainHpfHz > 0 ? new Cascade(butterworth('highpass', sampleRate, params.sidechainHpfHz, 2)) : null;
    this.wet = params.mixPercent / 100;
    this.dry = 1 - this.wet;
  }

  process(left: Float32Array, right: Float32Array): void {
    if (this.bypass) return;
    const n = left.length;
    for (let start = 0; start < n; ) {
      const length = Math.min(n - start, FLUSH_INTERVAL - this.phase);
      this.chunk(left, right, start, length);
      start += length;
      this.phase += length;
      if (this.phase === FLUSH_INTERVAL) {
        this.phase = 0;
        this.sidechain?.flush();
        this.core.flush();
      }
    }
  }

  private chunk(left: Float32Array, right: Float32Array, start: number, n: number): void {
    const detL = this.detL, detR = this.detR, gain = this.gain, dry = this.dry, wet = this.wet;
    for (let i = 0; i < n; i++) {
      detL[i] = left[start + i];
      detR[i] = right[start + i];
    }
    this.sidechain?.runStereo(detL, detR, n);
    this.core.compute(detL, detR, n, gain);
    for (let i = 0; i < n; i++) {
      const g = dry + wet * gain[i];
      left[start + i] *= g;
      right[start + i] *= g;
    }
  }

  stats(): GainReductionStats {
    return this.core.stats();
  }

  state(): number[] {
    return [...(this.sidechain?.state() ?? []), ...this.core.state()];
  }
}

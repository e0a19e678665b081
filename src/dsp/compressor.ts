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
import { FLUSH_INTERVAL, checkButterworthStructure, checkCorner, flushStates } from './crossover.js';
import { GainComputer, type GainReductionStats } from './gain-computer.js';
import { FlushGrid, type StereoProcessor } from './processor.js';

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
  /** Side-chain high-pass (b0, a1, a2 of its Butterworth section; null when off) and its states. */
  private readonly sidechain: Float64Array | null;
  private readonly sidechainState = new Float64Array(8);
  private readonly dry: number;
  private readonly wet: number;
  private readonly grid = new FlushGrid(FLUSH_INTERVAL);

  constructor(params: CompressorParams, sampleRate: number) {
    this.bypass = params.bypass;
    this.core = new GainComputer(
      { thresholdDb: params.thresholdDb, ratio: params.ratio, kneeDb: params.kneeDb },
      { attackMs: params.attackMs, releaseMs: params.releaseMs, autoRelease: params.autoRelease },
      params.makeupDb,
      sampleRate,
    );
    if (params.sidechainHpfHz > 0) checkCorner('side-chain high-pass', params.sidechainHpfHz, sampleRate);
    if (params.sidechainHpfHz > 0) {
      const [hp] = butterworth('highpass', sampleRate, params.sidechainHpfHz, 2);
      checkButterworthStructure(hp);
      this.sidechain = Float64Array.of(hp.b0, hp.a1, hp.a2);
    } else {
      this.sidechain = null;
    }
    this.wet = params.mixPercent / 100;
    this.dry = 1 - this.wet;
  }

  process(left: Float32Array, right: Float32Array): void {
    if (this.bypass) return;
    this.grid.run(
      left.length,
      (start, length) => {
        this.core.detectFiltered(left, right, start, length, this.sidechain, this.sidechainState);
        this.core.apply(left, right, start, length, this.dry, this.wet);
      },
      () => {
        flushStates(this.sidechainState);
        this.core.flush();
      },
    );
  }

  stats(): GainReductionStats {
    return this.core.stats();
  }

  state(): number[] {
    return [...this.sidechainState, ...this.core.state()];
  }
}

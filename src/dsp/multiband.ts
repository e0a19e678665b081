/**
 * The multiband compressor (`multiband` stage): the signal is split into 3 or 4 bands by
 * allpass-compensated LR4 crossovers (crossover.ts), each band is compressed by the same core as
 * the glue compressor (gain-computer.ts: RMS detector, soft-knee curve, log-domain ballistics),
 * stereo-linked per band, and the bands are summed. Idle bands (gain reduction 0, make-up 0 dB)
 * pass with a gain of exactly 1, so an idle multiband is the allpass Π APk of its crossovers:
 * flat in magnitude.
 *
 * Choices: the band detectors see the band signals themselves (no side-chain filter: the low band
 * is meant to control the bass); the static curve uses a fixed MULTIBAND_KNEE_DB soft knee (the
 * chain document has no per-band knee); no auto release. `bypass` makes process a no-op. Latency 0.
 */
import type { MultibandParams } from '../chain/spec.js';
import { CrossoverNetwork, FLUSH_INTERVAL } from './crossover.js';
import { GainComputer, type GainReductionStats } from './gain-computer.js';
import { FlushGrid, type StereoProcessor } from './processor.js';

/** Soft-knee width of every band's static curve (dB), the glue compressor's default. */
export const MULTIBAND_KNEE_DB = 6;

export interface Multiband extends StereoProcessor {
  /**
   * Gain reduction: the largest over all bands, the mean of the bands' means (the two figures the
   * renderer reports for every dynamics stage), and each band's, lowest band first.
   */
  stats(): GainReductionStats & { bands: GainReductionStats[] };
  /** Every filter and envelope state that decays in silence (tests check they reach exactly 0). */
  state(): number[];
}

export function createMultiband(params: MultibandParams, sampleRate: number): Multiband {
  return new MultibandCompressor(params, sampleRate);
}

class MultibandCompressor implements Multiband {
  readonly latency = 0;
  private readonly bypass: boolean;
  private readonly network: CrossoverNetwork;
  private readonly cores: GainComputer[];
  private readonly bandsL: Float64Array[];
  private readonly bandsR: Float64Array[];
  private readonly grid = new FlushGrid(FLUSH_INTERVAL);

  constructor(params: MultibandParams, sampleRate: number) {
    if (params.bands.length !== params.crossoversHz.length + 1) {
      throw new RangeError(`multiband needs one band more than crossovers: ${params.bands.length} bands, ${params.crossoversHz.length} crossovers`);
    }
    if (params.bands.length !== 3 && params.bands.length !== 4) throw new RangeError(`multiband needs 3 or 4 bands, got ${params.bands.length}`);
    this.bypass = params.bypass;
    this.network = new CrossoverNetwork(sampleRate, params.crossoversHz);
    this.cores = params.bands.map(
      (b) =>
        new GainComputer(
          { thresholdDb: b.thresholdDb, ratio: b.ratio, kneeDb: MULTIBAND_KNEE_DB },
          { attackMs: b.attackMs, releaseMs: b.releaseMs, autoRelease: false },
          b.makeupDb,
          sampleRate,
        ),
    );
    const buffers = () => Array.from({ length: this.network.bandCount }, () => new Float64Array(FLUSH_INTERVAL));
    this.bandsL = buffers();
    this.bandsR = buffers();
  }

  process(left: Float32Array, right: Float32Array): void {
    if (this.bypass) return;
    this.grid.run(
      left.length,
      (start, length) => this.chunk(left, right, start, length),
      () => {
        this.network.flush();
        for (const c of this.cores) c.flush();
      },
    );
  }

  private chunk(left: Float32Array, right: Float32Array, start: number, n: number): void {
    const bandsL = this.bandsL, bandsR = this.bandsR, last = bandsL.length - 1, cores = this.cores;
    bandsL[last].set(left.subarray(start, start + n));
    bandsR[last].set(right.subarray(start, start + n));
    this.network.split(n, bandsL, bandsR);
    for (let k = 0; k <= last; k++) cores[k].detect(bandsL[k], bandsR[k], n);
    // bands added in a fixed order (the sum is the same for any block cutting)
    GainComputer.mix(cores, bandsL, bandsR, n, left, right, start);
  }

  stats(): GainReductionStats & { bands: GainReductionStats[] } {
    const bands = this.cores.map((c) => c.stats());
    return {
      maxGainReductionDb: Math.max(...bands.map((b) => b.maxGainReductionDb)),
      meanGainReductionDb: bands.reduce((sum, b) => sum + b.meanGainReductionDb, 0) / bands.length,
      bands,
    };
  }

  state(): number[] {
    return [...this.network.state(), ...this.cores.flatMap((c) => c.state())];
  }
}

/**
 * The default chain: what spec.ts's schema fills into an empty document (test/chain/spec.test.ts
 * checks it stays so), written out so that `refmaster master`, which starts from it and validates
 * nothing else, does not load the schema library (~150 ms). The schema remains the one definition.
 */
import type { Chain } from './spec.js';

const DEFAULT_CHAIN: Chain = {
  refmaster: 'chain',
  version: 1,
  stages: {
    input: { bypass: false, gainDb: 0 },
    eq: { bypass: false, highpassHz: 25, highpassSlopeDbPerOct: 12, bands: [] },
    matchEq: { bypass: true, phase: 'linear', frequenciesHz: [], midGainsDb: [], sideGainsDb: [] },
    compressor: { bypass: false, thresholdDb: -18, ratio: 1.5, attackMs: 30, releaseMs: 200, autoRelease: false, kneeDb: 6, makeupDb: 0, sidechainHpfHz: 90, mixPercent: 100 },
    multiband: {
      bypass: true,
      crossoversHz: [200, 3000],
      bands: [0, 1, 2].map(() => ({ thresholdDb: -20, ratio: 1.5, attackMs: 20, releaseMs: 200, makeupDb: 0 })),
    },
    imager: { bypass: false, monoBelowHz: 120, crossoversHz: [300, 4000], widthPercent: [100, 100, 100] },
    saturation: { bypass: false, type: 'tape', driveDb: 2, mixPercent: 100 },
    character: { bypass: false, airFrequencyHz: 12000, airGainDb: 0 },
    limiter: { bypass: false, ceilingDbtp: -1, gainDb: 0, targetLufs: null, maxGainReductionDb: 4, lookaheadMs: 5, releaseMs: 100 },
    output: { sampleRateHz: null, format: 'pcm24', dither: 'tpdf', noiseShaping: 'none', ditherSeed: 1 },
  },
};

/** A chain with every default, as `refmaster master` or a UI starts from (a fresh copy each call). */
export function defaultChain(): Chain {
  return structuredClone(DEFAULT_CHAIN);
}

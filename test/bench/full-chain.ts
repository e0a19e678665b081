/** The benchmark's chain: every stage of the renderer switched on with musical settings. */
import { NOMINAL_THIRD_OCTAVES_HZ } from '../../src/analysis/bands.js';
import { defaultChain, parseChain } from '../../src/chain/load.js';
import { applyOverrides } from '../../src/chain/overrides.js';
import type { Chain } from '../../src/chain/spec.js';

/** Every stage on: a gentle matching curve, multiband, imager, saturation, air, limiter to a target. */
export function fullChain(): Chain {
  const curve = NOMINAL_THIRD_OCTAVES_HZ.map((hz) => +(1.5 * Math.log2(hz / 1000) / 5).toFixed(2));
  const raw = applyOverrides(defaultChain(), [
    'matchEq.bypass=false',
    `matchEq.frequenciesHz=${JSON.stringify(NOMINAL_THIRD_OCTAVES_HZ)}`,
    `matchEq.midGainsDb=${JSON.stringify(curve)}`,
    `matchEq.sideGainsDb=${JSON.stringify(curve.map((g) => g / 2))}`,
    'multiband.bypass=false',
    'eq.bands.0.frequencyHz=250', 'eq.bands.0.gainDb=-1.5', 'eq.bands.0.q=1',
    'imager.widthPercent=[100,110,120]',
    'character.airGainDb=1.5',
    'limiter.targetLufs=-11',
  ]);
  return parseChain(raw, 'bench');
}


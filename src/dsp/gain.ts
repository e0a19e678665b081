/** The input stage: a plain gain. */
import { dbToAmp } from '../util/db.js';
import type { StereoProcessor } from './processor.js';

export function createGain(gainDb: number): StereoProcessor {
  const g = dbToAmp(gainDb);
  return {
    latency: 0,
    process(left, right) {
      if (g === 1) return;
      for (let i = 0; i < left.length; i++) {
        left[i] *= g;
        right[i] *= g;
      }
    },
  };
}

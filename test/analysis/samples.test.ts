/** Sample-level facts against constructed signals whose answers are known analytically. */
import { describe, expect, it } from 'vitest';
import { scanSamples } from '../../src/analysis/samples.js';
import { sine } from '../helpers/signals.js';

const FS = 48000;

/** A 100 Hz sine of amplitude 1.5, hard-clipped at ±1: the flat tops are where |sin| ≥ 2/3. */
function clippedSine(seconds: number, ceiling = 1): Float32Array {
  return sine({ samples: FS * seconds, sampleRate: FS, frequency: 100, amplitude: 1.5 }).map((v) => Math.max(-1, Math.min(1, v)) * ceiling);
}

describe('scanSamples', () => {
  it('peak, mean square and DC of a sine with an offset', () => {
    const x = sine({ samples: FS, sampleRate: FS, frequency: 1000, amplitude: 0.5 }).map((v) => v + 0.01);
    const s = scanSamples(x, x, FS);
    expect(s.peak[0]).toBeCloseTo(0.51, 6);
    // Mean square of A·sin + c over whole periods: A²/2 + c².
    expect(s.meanSquare[0]).toBeCloseTo(0.125 + 0.0001, 6);
    expect(s.dc[0]).toBeCloseTo(0.01, 6);
    expect(s.clippedRuns).toBe(0);
  });

  it('counts one clipped run per half period of a hard-clipped sine, with the analytic run length', () => {
    const s = scanSamples(clippedSine(1), new Float32Array(FS), FS);
    // 100 Hz for 1 s: 200 half periods, each with a flat top.
    expect(s.clippedRuns).toBe(200);
    // Flat-top length per half period: (π − 2·asin(2/3)) / 2π · 480 samples.
    const runLength = ((Math.PI - 2 * Math.asin(2 / 3)) / (2 * Math.PI)) * 480;
    expect(s.longestClipRun).toBeGreaterThanOrEqual(Math.floor(runLength));
    expect(s.longestClipRun).toBeLessThanOrEqual(Math.ceil(runLength) + 1);
    expect(s.clippedSamples / 200).toBeCloseTo(runLength, 0);
  });

  it('counts runs that cross the 100 ms blocks, run into the end, or sit in an otherwise quiet block', () => {
    const hop = FS / 10;
    const x = new Float32Array(3 * hop).fill(0.1);
    for (let i = hop - 2; i < hop + 3; i++) x[i] = 1; // 5 samples across the first block boundary
    for (let i = 2 * hop + 10; i < 2 * hop + 13; i++) x[i] = -1; // 3 in the last block
    for (let i = 3 * hop - 4; i < 3 * hop; i++) x[i] = 1; // 4 up to the end
    const s = scanSamples(x, new Float32Array(x.length), FS);
    expect([s.clippedRuns, s.clippedSamples, s.longestClipRun]).toEqual([3, 12, 5]);
  });

  it('finds clipping that was turned down afterwards (flat tops at −3 dBFS)', () => {
    const s = scanSamples(clippedSine(1, 0.7), new Float32Array(FS), FS);
    expect(s.clippedRuns).toBe(200);
  });

  it('does not call the crest of a clean low-frequency sine clipping', () => {
    const x = sine({ samples: FS * 2, sampleRate: FS, frequency: 20, amplitude: 0.999 });
    expect(scanSamples(x, x, FS).clippedRuns).toBe(0);
  });

  it('alternating ± samples at the peak (an fs/4 sine at 45°) are a waveform, not a clip', () => {
    const x = sine({ samples: FS, sampleRate: FS, frequency: FS / 4, amplitude: 0.95 * Math.SQRT2, phaseDeg: 45 });
    expect(scanSamples(x, x, FS).clippedRuns).toBe(0);
  });

  it('locates leading and trailing silence to the sample', () => {
    const x = new Float32Array(FS * 3);
    x.set(sine({ samples: FS, sampleRate: FS, frequency: 440, amplitude: 0.5, phaseDeg: 90 }), FS); // starts at its crest: the first sample is loud
    const s = scanSamples(x, x, FS);
    expect(s.activeStart).toBe(FS);
    // The last sample above −60 dBFS is within the sine's last period.
    expect(s.activeEnd!).toBeGreaterThan(2 * FS - FS / 440);
    expect(s.activeEnd!).toBeLessThanOrEqual(2 * FS);
  });

  it('near-peak share: a constant-level sine reaches its peak in every block, a single spike in one', () => {
    const x = sine({ samples: FS * 10, sampleRate: FS, frequency: 440, amplitude: 0.5 });
    expect(scanSamples(x, x, FS).nearPeakShare).toBe(1);
    const quiet = sine({ samples: FS * 10, sampleRate: FS, frequency: 440, amplitude: 0.05 });
    quiet[FS * 5] = 0.9;
    expect(scanSamples(quiet, quiet, FS).nearPeakShare).toBeCloseTo(1 / 100, 9);
  });
});

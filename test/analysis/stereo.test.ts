/**
 * Stereo measures against analytic truth: correlation of identical, inverted and independent
 * channels; the mono fold-down's loudness change (0 dB for identical channels, −3.01 dB for
 * independent equal-level channels and for one-sided material, cancellation for anti-phase);
 * left/right balance of a known level difference.
 */
import { describe, expect, it } from 'vitest';
import { kWeightedSubBlocks, loudnessFromSubBlocks } from '../../src/analysis/loudness.js';
import { measureStereoTime } from '../../src/analysis/stereo.js';
import { seededNoise, sine } from '../helpers/signals.js';

const FS = 48000;

function stereo(left: Float32Array, right: Float32Array) {
  const blocks = kWeightedSubBlocks([left, right], FS, true);
  const loud = loudnessFromSubBlocks(blocks, [1, 1]);
  return { loud, stats: measureStereoTime(left, right, blocks, loud.integratedLufs) };
}

describe('measureStereoTime', () => {
  const a = seededNoise(FS * 10, 1, 0.3);
  const b = seededNoise(FS * 10, 2, 0.3);

  it('identical channels: correlation 1, no loss in mono, balance 0', () => {
    const { stats } = stereo(a, a.slice());
    expect(stats.correlation).toBeCloseTo(1, 9);
    expect(stats.correlationLow).toBeCloseTo(1, 9);
    expect(stats.monoLoudnessDeltaDb).toBeCloseTo(0, 6);
    expect(stats.balanceDb).toBeCloseTo(0, 6);
  });

  it('dual-mono (the same array twice) gives the same as a copy', () => {
    const shared = stereo(a, a).stats;
    const copied = stereo(a, a.slice()).stats;
    expect(shared.monoLoudnessDeltaDb).toBeCloseTo(copied.monoLoudnessDeltaDb!, 9);
    expect(shared.correlation).toBeCloseTo(copied.correlation!, 9);
  });

  it('independent equal-level noise: correlation ≈ 0, mono fold-down ≈ −3.01 dB', () => {
    const { stats } = stereo(a, b);
    // 480 000 samples: the estimated correlation has σ ≈ 1/√N ≈ 0.0014, i.e. ≈ 0.006 dB on the fold-down; allow 3σ.
    expect(Math.abs(stats.correlation!)).toBeLessThan(0.0045);
    expect(Math.abs(stats.monoLoudnessDeltaDb! + 3.0103)).toBeLessThan(0.02);
    expect(Math.abs(stats.balanceDb!)).toBeLessThan(0.05);
  });

  it('orthogonal channels (1 kHz left, 1.5 kHz right: whole periods in every 100 ms block) fold down by exactly −3.01 dB', () => {
    const { stats } = stereo(sine({ samples: FS * 10, sampleRate: FS, frequency: 1000, amplitude: 0.5 }), sine({ samples: FS * 10, sampleRate: FS, frequency: 1500, amplitude: 0.3 }));
    expect(stats.monoLoudnessDeltaDb!).toBeCloseTo(-3.0103, 3);
  });

  it('material on one side only: mono fold-down −3.01 dB', () => {
    const { stats } = stereo(a, new Float32Array(a.length));
    // Stereo: one channel at energy E; mono: L/2 on both speakers = 2·E/4 = E/2 → −3.01 dB.
    expect(stats.monoLoudnessDeltaDb!).toBeCloseTo(-3.01, 2);
  });

  it('polarity-inverted channels cancel in mono and correlate at −1', () => {
    const { stats } = stereo(a, a.map((v) => -v));
    expect(stats.correlation).toBeCloseTo(-1, 9);
    expect(stats.monoLoudnessDeltaDb!).toBeLessThan(-40);
  });

  it('balance: the left channel 2 dB louder reads +2 dB', () => {
    const gain = 10 ** (2 / 20);
    const { stats } = stereo(a.map((v) => v * gain), b);
    expect(stats.balanceDb!).toBeCloseTo(2, 1);
  });

  it('correlation over time finds the worst part: 1 s of anti-phase in 9 s of mono', () => {
    const x = sine({ samples: FS * 9, sampleRate: FS, frequency: 440, amplitude: 0.5 });
    const y = x.slice();
    for (let i = FS * 4; i < FS * 5; i++) y[i] = -y[i];
    const { stats } = stereo(x, y);
    expect(stats.correlation!).toBeCloseTo(7 / 9, 2);
    expect(stats.correlationLow!).toBeCloseTo(-1, 6);
  });
});

/** measureTrack: the analyser's figures and measureProfile's profile, from one pass of each meter. */
import { describe, expect, it } from 'vitest';
import { analyzeAudio } from '../../src/analysis/analyze.js';
import { kWeightedSubBlocks } from '../../src/analysis/loudness.js';
import { measureTruePeak } from '../../src/analysis/truepeak.js';
import { measureTrack } from '../../src/master/measure.js';
import { measureProfile } from '../../src/master/profile.js';
import { floatWavAudio } from '../helpers/audio.js';
import { concat, seededNoise, sine } from '../helpers/signals.js';

const FS = 44100;

function track() {
  // louder noise, then a quiet tone: the active parts differ from the non-silent ones
  const tail = sine({ sampleRate: FS, frequency: 220, seconds: 4, peakDbfs: -35 });
  const left = concat([seededNoise(6 * FS, 11, 0.4), tail, new Float32Array(FS)]);
  const right = concat([seededNoise(6 * FS, 12, 0.3), tail, new Float32Array(FS)]);
  left[FS] = 1; // a full-scale spike: a mix-prep warning to carry over
  return floatWavAudio(left, right, FS, 'track.wav');
}

describe('measureTrack', () => {
  it('gives analyzeAudio\'s figures and warnings and measureProfile\'s profile, bit for bit', () => {
    const audio = track();
    const a = analyzeAudio(audio);
    const m = measureTrack(audio, { mixPrep: true });
    expect(m.figures).toEqual({
      file: 'track.wav',
      integratedLufs: a.loudness.integratedLufs,
      shortTermMaxLufs: a.loudness.shortTermMaxLufs,
      loudnessRangeLu: a.loudness.loudnessRangeLu,
      truePeakDbtp: a.peak.truePeakDbtp,
      plrDb: a.dynamics.plrDb,
      widthPercent: (a.stereo.width as number) * 100,
      correlation: a.stereo.correlation,
      monoLoudnessDeltaDb: a.stereo.monoLoudnessDeltaDb,
    });
    expect(m.warnings).toEqual(a.warnings);
    expect(m.warnings.length).toBeGreaterThan(0);
    expect(m.profile).toEqual(measureProfile(audio));
    expect(measureTrack(audio, { mixPrep: false }).warnings).toEqual([]);
  });

  it('uses meters already run over the same samples instead of running them again', () => {
    const audio = track();
    const meters = { blocks: kWeightedSubBlocks([audio.left, audio.right], FS, true), truePeak: measureTruePeak([audio.left, audio.right], FS) };
    expect(measureTrack(audio, { mixPrep: false, meters })).toEqual(measureTrack(audio, { mixPrep: false }));
    // what it is given is what it reports
    const claimed = { ...meters, truePeak: { ...meters.truePeak, truePeakDbtp: -3 } };
    expect(measureTrack(audio, { mixPrep: false, meters: claimed }).figures.truePeakDbtp).toBe(-3);
  });

  it('refuses a silent track with the file named', () => {
    const silent = new Float32Array(5 * FS);
    expect(() => measureTrack(floatWavAudio(silent, silent, FS, 'quiet.wav'), { mixPrep: true })).toThrow(/^quiet\.wav: has no music/);
  });
});

/**
 * What `refmaster master` shows about one track (mix, reference or master), measured in one pass of
 * each meter: the report's figures, the matching profile (profile.ts) and, for the mix, the mix-prep
 * warnings. The figures are the analyser's (analyzeAudio) and the profile is measureProfile's, to
 * the bit, but the K-weighting (BS.1770-4), the true peak (Annex 2) and the Welch spectrum are each
 * run once and shared, and what the report does not show (spectral descriptors, feature vector,
 * tilt) is not computed.
 */
import { kWeightedSubBlocks, loudnessFromSubBlocks, type LoudnessResult, type SubBlocks } from '../analysis/loudness.js';
import { scanSamples } from '../analysis/samples.js';
import { longTermSpectra, spectrumFromLtas } from '../analysis/spectrum.js';
import { measureStereoTime } from '../analysis/stereo.js';
import { measureTruePeak, type TruePeakResult } from '../analysis/truepeak.js';
import { mixPrepInputs, mixPrepWarnings, type Warning } from '../analysis/warnings.js';
import type { StereoAudio } from '../io/types.js';
import { finiteOrNull } from '../util/db.js';
import { activeFrames, gatedLoudness, profileFrom, type MatchProfile } from './profile.js';

export interface TrackFigures {
  file: string;
  integratedLufs: number | null;
  shortTermMaxLufs: number | null;
  loudnessRangeLu: number | null;
  truePeakDbtp: number | null;
  plrDb: number | null;
  /** Side/mid energy ratio in percent (0 mono). */
  widthPercent: number | null;
  correlation: number | null;
  monoLoudnessDeltaDb: number | null;
}

export interface TrackMeasurement {
  figures: TrackFigures;
  profile: MatchProfile;
  /** Mix-prep warnings (only when asked for: they concern the mix). */
  warnings: Warning[];
  loudness: LoudnessResult;
}

/** Meters already run over exactly these samples (the renderer's, on its output): not run again. */
export interface Meters {
  /** kWeightedSubBlocks([left, right], fs, true). */
  blocks: SubBlocks;
  truePeak: TruePeakResult;
}

/** Throws (AudioFileError) when the track has no gated loudness, as measureProfile does. */
export function measureTrack(audio: StereoAudio, opts: { mixPrep: boolean; meters?: Meters }): TrackMeasurement {
  const { left, right, sampleRate: fs } = audio;
  const blocks = opts.meters?.blocks ?? kWeightedSubBlocks([left, right], fs, true);
  const loud = gatedLoudness(loudnessFromSubBlocks(blocks, [1, 1]), audio.source.path);
  const tp = opts.meters?.truePeak ?? measureTruePeak([left, right], fs);
  const stereo = measureStereoTime(left, right, blocks, loud.integratedLufs);
  const spectra = longTermSpectra(left, right, fs, activeFrames(loud, fs));
  // The analyser's width: all non-silent frames; the profile's balance: the active ones.
  const width = spectrumFromLtas(spectra.all).width;
  const truePeakDbtp = finiteOrNull(tp.truePeakDbtp);
  const figures: TrackFigures = {
    file: audio.source.path,
    integratedLufs: loud.integratedLufs,
    shortTermMaxLufs: loud.shortTermMaxLufs,
    loudnessRangeLu: loud.loudnessRangeLu,
    truePeakDbtp,
    plrDb: truePeakDbtp !== null ? truePeakDbtp - loud.integratedLufs : null,
    widthPercent: width === null ? null : width * 100,
    correlation: stereo.correlation,
    monoLoudnessDeltaDb: stereo.monoLoudnessDeltaDb,
  };
  const warnings = opts.mixPrep ? mixPrepWarnings(mixPrepInputs(audio, loud, tp, scanSamples(left, right, fs))) : [];
  return { figures, profile: profileFrom(audio, loud, tp.truePeakDbtp, spectra.selected), warnings, loudness: loud };
}

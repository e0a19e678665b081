/**
 * The whole analysis of one stereo signal: loudness, peaks, dynamics, spectrum, stereo, mix-prep
 * warnings and the model's feature vector. Each measurement runs once; the report holds plain
 * numbers (null where a figure is undefined, never NaN) so it serialises to JSON as it is.
 */
import type { SourceInfo, StereoAudio } from '../io/types.js';
import { ampToDb, finiteOrNull, powerToDb } from '../util/db.js';
import type { SpectralDescriptors } from './descriptors.js';
import { extractFeatures, type FeatureVector } from './features.js';
import { kWeightedSubBlocks, loudnessFromSubBlocks, percentileSorted } from './loudness.js';
import { scanSamples } from './samples.js';
import { analyzeSpectrum } from './descriptors.js';
import { measureStereoTime } from './stereo.js';
import { measureTruePeak } from './truepeak.js';
import { mixPrepInputs, mixPrepWarnings, type Warning } from './warnings.js';

export interface AnalysisReport {
  file: string;
  /** Facts about the source file (container, codec, bit depth, lossy or not). */
  format: Omit<SourceInfo, 'path' | 'sampleRate' | 'channels'>;
  sampleRate: number;
  /** Channels in the file; mono is analysed as dual-mono. */
  channels: number;
  durationS: number;
  loudness: {
    integratedLufs: number | null;
    momentaryMaxLufs: number | null;
    shortTermMaxLufs: number | null;
    loudnessRangeLu: number | null;
  };
  peak: {
    samplePeakDbfs: number | null;
    truePeakDbtp: number | null;
    /** Left, right. */
    samplePeakDbfsPerChannel: (number | null)[];
    truePeakDbtpPerChannel: (number | null)[];
    interSampleOvers: number;
  };
  dynamics: {
    /** Sample peak over RMS (both channels' mean square), dB. */
    crestDb: number | null;
    /** Peak-to-loudness ratio: true peak minus integrated loudness, dB. */
    plrDb: number | null;
    /** Percentiles of the short-term loudness over the non-silent part (above −70 LUFS). */
    shortTermP10Lufs: number | null;
    shortTermP50Lufs: number | null;
    shortTermP95Lufs: number | null;
    /** Share of 100 ms blocks whose peak is within 1 dB of the file's peak (0..1): high when limited. */
    nearPeakShare: number;
  };
  stereo: {
    /** Side/mid energy ratio over the whole band: 0 mono, 1 as much side as mid. */
    width: number | null;
    widthDb: number | null;
    correlation: number | null;
    correlationLow: number | null;
    monoLoudnessDeltaDb: number | null;
    balanceDb: number | null;
    /** Side energy in 20–150 Hz relative to mid energy in 20–150 Hz, dB: bass that is not mono. */
    lowSideToMidDb: number | null;
    /** Side energy in 20–150 Hz relative to the whole mid energy, dB. */
    lowSideToTotalDb: number | null;
    /** Side/mid energy ratio per spectrum band. */
    widthPerBand: (number | null)[];
  };
  spectrum: {
    bandsHz: number[];
    /** 1/3-octave band levels of mid and side, dB relative to the track's integrated loudness (see `normalizedTo`). */
    midDb: (number | null)[];
    sideDb: (number | null)[];
    normalizedTo: 'integratedLoudness' | 'midPower';
    tiltDbPerOct: number | null;
    descriptors: SpectralDescriptors;
  };
  mixPrep: {
    dcOffsetDbfs: number | null;
    leadingSilenceS: number;
    trailingSilenceS: number;
    clippedRuns: number;
    clippedSamples: number;
  };
  warnings: Warning[];
  features: FeatureVector;
}

/** Only the parts that `analyzeAudio` runs, each timed, for the benchmark. */
export type AnalysisStage = 'loudness' | 'truePeak' | 'samples' | 'stereo' | 'spectrum';

export interface AnalyzeOptions {
  /** Called with each stage's wall time, for benchmarks. */
  onStageTime?: (stage: AnalysisStage, ms: number) => void;
}

function timed<T>(stage: AnalysisStage, opts: AnalyzeOptions | undefined, fn: () => T): T {
  if (!opts?.onStageTime) return fn();
  const t0 = performance.now();
  const result = fn();
  opts.onStageTime(stage, performance.now() - t0);
  return result;
}

const dbOrNull = (amplitude: number) => finiteOrNull(ampToDb(amplitude));

export function analyzeAudio(audio: StereoAudio, options?: AnalyzeOptions): AnalysisReport {
  const { left, right, sampleRate, source } = audio;
  const durationS = left.length / sampleRate;

  const kBlocks = timed('loudness', options, () => kWeightedSubBlocks([left, right], sampleRate, true));
  const loud = timed('loudness', options, () => loudnessFromSubBlocks(kBlocks, [1, 1]));
  const tp = timed('truePeak', options, () => measureTruePeak([left, right], sampleRate));
  const samples = timed('samples', options, () => scanSamples(left, right, sampleRate));
  const stereoTime = timed('stereo', options, () => measureStereoTime(left, right, kBlocks, loud.integratedLufs));
  const spec = timed('spectrum', options, () => analyzeSpectrum(left, right, sampleRate));

  const w = mixPrepInputs(audio, loud, tp, samples);
  const { samplePeakDbfs, truePeakDbtp, plrDb, leadingSilenceS, trailingSilenceS } = w;
  const samplePeak = Math.max(samples.peak[0], samples.peak[1]);
  const meanSquare = (samples.meanSquare[0] + samples.meanSquare[1]) / 2;
  const crestDb = samplePeak > 0 ? ampToDb(samplePeak) - powerToDb(meanSquare) : null;

  const active = Float64Array.from(loud.shortTermLufs.filter((v) => v > -70)).sort();
  const stPercentile = (p: number) => (active.length > 0 ? percentileSorted(active, p) : null);

  // Compare spectra of tracks at different loudness directly: band levels relative to the integrated loudness.
  let midPower = 0;
  for (const db of spec.midBandDb) if (db !== null) midPower += 10 ** (db / 10);
  const normalizedTo = loud.integratedLufs !== null ? 'integratedLoudness' : 'midPower';
  const reference = loud.integratedLufs ?? (midPower > 0 ? powerToDb(midPower) : 0);
  const relative = (bands: (number | null)[]) => bands.map((db) => (db === null ? null : db - reference));
  const warnings = mixPrepWarnings(w);

  const { path: _path, sampleRate: _sr, channels: fileChannels, ...format } = source;
  const report: Omit<AnalysisReport, 'features'> = {
    file: source.path,
    format,
    sampleRate,
    channels: fileChannels,
    durationS,
    loudness: {
      integratedLufs: loud.integratedLufs,
      momentaryMaxLufs: loud.momentaryMaxLufs,
      shortTermMaxLufs: loud.shortTermMaxLufs,
      loudnessRangeLu: loud.loudnessRangeLu,
    },
    peak: {
      samplePeakDbfs,
      truePeakDbtp,
      samplePeakDbfsPerChannel: samples.peak.map(dbOrNull),
      truePeakDbtpPerChannel: tp.perChannel.map(dbOrNull),
      interSampleOvers: tp.interSampleOvers,
    },
    dynamics: {
      crestDb,
      plrDb,
      shortTermP10Lufs: stPercentile(10),
      shortTermP50Lufs: stPercentile(50),
      shortTermP95Lufs: stPercentile(95),
      nearPeakShare: samples.nearPeakShare,
    },
    stereo: {
      width: spec.width,
      widthDb: spec.width === null ? null : finiteOrNull(powerToDb(spec.width)),
      correlation: stereoTime.correlation,
      correlationLow: stereoTime.correlationLow,
      monoLoudnessDeltaDb: stereoTime.monoLoudnessDeltaDb,
      balanceDb: stereoTime.balanceDb,
      lowSideToMidDb: spec.lowSideToMidDb,
      lowSideToTotalDb: spec.lowSideToTotalDb,
      widthPerBand: spec.widthPerBand,
    },
    spectrum: {
      bandsHz: spec.bandsHz,
      midDb: relative(spec.midBandDb),
      sideDb: relative(spec.sideBandDb),
      normalizedTo,
      tiltDbPerOct: spec.tiltDbPerOct,
      descriptors: spec.descriptors,
    },
    mixPrep: {
      dcOffsetDbfs: w.dcDbfs,
      leadingSilenceS,
      trailingSilenceS,
      clippedRuns: samples.clippedRuns,
      clippedSamples: samples.clippedSamples,
    },
    warnings,
  };
  return { ...report, features: extractFeatures(report) };
}

/**
 * Loudness-matched previews for a fair A/B: both files at the same integrated loudness, by gain
 * alone (no limiter, no EQ), written as 24-bit WAV. Louder sounds better, so an unmatched comparison
 * mostly compares levels.
 *
 * The common level is the quieter file's, so by default nothing is turned up and the quieter file is
 * copied exactly. The rule that keeps previews clean: no preview sample may go above full scale
 * (0 dBFS sample peak, the 24-bit file's own limit). If a file would need to (a float source already
 * over 0 dBFS, or a higher target asked for), the common level is lowered for both until it fits. Sample
 * peak rather than a −1 dBTP true-peak ceiling: most masters already sit within 1 dB of full scale, and
 * a true-peak ceiling would turn down even the untouched file; the previews' true peaks are reported.
 */
import { mkdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { AnalysisReport } from '../analysis/analyze.js';
import type { StereoAudio } from '../io/types.js';
import { writeWavFile } from '../io/wav-encode.js';
import { dbToAmp } from '../util/db.js';
import { AudioFileError, UserError } from '../util/errors.js';

/** Highest sample peak a preview may have, dBFS. */
export const PREVIEW_CEILING_DBFS = 0;
export const PREVIEW_FORMAT = { kind: 'pcm', bits: 24 } as const;

export interface PreviewPlan {
  /** The common integrated loudness of both previews, LUFS. */
  targetLufs: number;
  /** The level asked for (default: the quieter file's integrated loudness), LUFS. */
  requestedLufs: number;
  /** True when the target had to go below the requested level to keep every sample under the ceiling. */
  loweredForPeaks: boolean;
  /** Gain applied to A and to B, dB. */
  gainsDb: [number, number];
}

type LevelFacts = Pick<AnalysisReport, 'file'> & {
  loudness: Pick<AnalysisReport['loudness'], 'integratedLufs'>;
  peak: Pick<AnalysisReport['peak'], 'samplePeakDbfs'>;
};

/**
 * The gains that put A and B at one integrated loudness: `targetLufs` if given, else the quieter one's,
 * lowered as far as needed so that no file's sample peak goes above PREVIEW_CEILING_DBFS.
 */
export function planPreviews(a: LevelFacts, b: LevelFacts, opts: { targetLufs?: number } = {}): PreviewPlan {
  const files = [a, b];
  for (const r of files) {
    if (r.loudness.integratedLufs === null || r.peak.samplePeakDbfs === null) {
      throw new UserError(`${r.file}: cannot be loudness-matched: it has no integrated loudness (silent, or shorter than 400 ms)`);
    }
  }
  const loudness = files.map((r) => r.loudness.integratedLufs as number);
  const peaks = files.map((r) => r.peak.samplePeakDbfs as number);
  const requestedLufs = opts.targetLufs ?? Math.min(loudness[0], loudness[1]);
  // File i may take at most CEILING − peak_i of gain, so the target may be at most loudness_i + that.
  let targetLufs = requestedLufs;
  for (let i = 0; i < 2; i++) targetLufs = Math.min(targetLufs, loudness[i] + (PREVIEW_CEILING_DBFS - peaks[i]));
  return {
    targetLufs,
    requestedLufs,
    loweredForPeaks: targetLufs < requestedLufs,
    gainsDb: [targetLufs - loudness[0], targetLufs - loudness[1]],
  };
}

/**
 * `<name>.matched.wav` in `dir` for each input, name = the file name without its extension; when both
 * names are the same (the same file twice, or mix.wav from two folders) they become `<name>-A`/`-B`.
 */
export function previewPaths(a: string, b: string, dir: string): [string, string] {
  const stem = (p: string) => basename(p, extname(p));
  let [na, nb] = [stem(a), stem(b)];
  if (na === nb) [na, nb] = [`${na}-A`, `${nb}-B`];
  return [join(dir, `${na}.matched.wav`), join(dir, `${nb}.matched.wav`)];
}

/**
 * Applies `gainDb` to the decoded audio IN PLACE (the caller's copy; a 0 dB gain leaves it untouched,
 * so a 16- or 24-bit source is copied bit for bit) and writes it as a 24-bit WAV at the source's own
 * rate and channel count, atomically, refusing to overwrite any of `inputs`.
 */
export async function writePreview(audio: StereoAudio, gainDb: number, path: string, inputs: string[]): Promise<void> {
  const mono = audio.source.channels === 1;
  if (gainDb !== 0) {
    const g = dbToAmp(gainDb);
    // A mono file is decoded as dual-mono with one shared array: scale it once.
    const arrays = audio.left === audio.right ? [audio.left] : [audio.left, audio.right];
    for (const x of arrays) for (let i = 0; i < x.length; i++) x[i] *= g;
  }
  await writeWavFile(path, mono ? [audio.left] : [audio.left, audio.right], audio.sampleRate, PREVIEW_FORMAT, { inputs });
}

/** Creates the preview directory (and its parents) if needed. */
export async function ensurePreviewDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new AudioFileError(dir, code === 'EEXIST' || code === 'ENOTDIR' ? 'is not a directory' : `cannot create the preview directory (${code ?? String(err)})`);
  }
}

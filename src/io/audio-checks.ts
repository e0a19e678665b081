import { AudioFileError } from '../util/errors.js';
import { MAX_SAMPLE_RATE, MIN_SAMPLE_RATE, type SourceInfo, type StereoAudio } from './types.js';

/** The limits every decoder enforces before it allocates anything. */
export function checkChannelsAndRate(path: string, channels: number, sampleRate: number): void {
  if (channels === 0) throw new AudioFileError(path, 'has zero channels');
  if (channels > 2) throw new AudioFileError(path, `has ${channels} channels; only mono and stereo are supported`);
  if (!(sampleRate >= MIN_SAMPLE_RATE && sampleRate <= MAX_SAMPLE_RATE)) {
    throw new AudioFileError(
      path,
      `sample rate ${sampleRate} Hz is outside the supported range ${MIN_SAMPLE_RATE}..${MAX_SAMPLE_RATE} Hz`,
    );
  }
}

/** Wraps decoded channels as StereoAudio: a mono file becomes dual-mono sharing one array (no copy). */
export function toStereo(path: string, channels: Float32Array[], source: SourceInfo): StereoAudio {
  checkChannelsAndRate(path, channels.length, source.sampleRate);
  if (channels[0].length === 0) throw new AudioFileError(path, 'contains no audio samples');
  const left = channels[0];
  const right = channels.length === 2 ? channels[1] : left;
  return { sampleRate: source.sampleRate, left, right, source };
}

export function nonFiniteProblem(value: number, channel: number, frame: number, sampleRate: number): string {
  const what = Number.isNaN(value) ? 'NaN' : value > 0 ? '+Infinity' : '-Infinity';
  return `non-finite sample (${what}) in channel ${channel + 1} at sample ${frame} (${(frame / sampleRate).toFixed(3)} s)`;
}

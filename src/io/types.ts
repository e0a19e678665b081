/** Facts about the file an audio signal came from; kept so later stages can warn (e.g. a lossy mix). */
export interface SourceInfo {
  /** Path as given by the user. */
  path: string;
  container: 'wav' | 'aiff' | 'flac' | 'mp3' | 'ogg';
  /** Codec inside the container, e.g. 'pcm_s16le', 'pcm_s24be', 'pcm_f32le', 'flac', 'mp3', 'vorbis'. */
  codec: string;
  /** Bits per sample of the stored PCM (FLAC and PCM); null for lossy codecs. */
  bitDepth: number | null;
  sampleRate: number;
  /** Channels stored in the file (1 or 2); the decoded signal is always stereo. */
  channels: number;
  lossy: boolean;
  /** Average bit rate of a lossy stream, if known (kbit/s). */
  bitrateKbps: number | null;
  /** Release metadata found in the file (WAV: id3 chunk, else LIST/INFO); absent when there is none. */
  tags?: ReleaseTags;
}

/**
 * Release metadata of a deliverable. `isrc` is the canonical 12-character form without hyphens
 * (ISO 3901), as stored in ID3 TSRC; see src/io/metadata.ts for validation.
 */
export interface ReleaseTags {
  title?: string;
  artist?: string;
  isrc?: string;
}

/**
 * Decoded audio: always two channels of float samples at nominal full scale ±1.0.
 * Mono files are dual-mono: `left` and `right` are the same array, so never write into them.
 */
export interface StereoAudio {
  sampleRate: number;
  left: Float32Array;
  right: Float32Array;
  source: SourceInfo;
}

export const MIN_SAMPLE_RATE = 8000;
export const MAX_SAMPLE_RATE = 192000;

import { stat } from 'node:fs/promises';
import { AudioFileError } from '../util/errors.js';
import { decodeAiff } from './aiff-decode.js';
import { fileSource, memorySource, type ByteSource } from './byte-source.js';
import { fourCC } from './chunks.js';
import { findFirstFrame } from './mpeg-frames.js';
import type { StereoAudio } from './types.js';
import { decodeWav } from './wav-decode.js';

// The compressed-format decoders (WebAssembly builds, ~50–100 ms each to load) are imported when a
// file needs them: a WAV-only run never pays for them.
const decodeFlac = async (...args: Parameters<typeof import('./flac-decode.js').decodeFlac>) => (await import('./flac-decode.js')).decodeFlac(...args);
const decodeOgg = async (...args: Parameters<typeof import('./ogg-decode.js').decodeOgg>) => (await import('./ogg-decode.js')).decodeOgg(...args);
const decodeMp3 = async (...args: Parameters<typeof import('./mp3-decode.js').decodeMp3>) => (await import('./mp3-decode.js')).decodeMp3(...args);

const NOT_AUDIO = 'not a recognised audio file (WAV, AIFF, FLAC, MP3, Ogg Vorbis)';
const MAX_FILE_BYTES = 2 ** 32;
const TOO_BIG = 'files over 4 GB are not supported';
/** How far past an ID3v2 tag (or from the start) to look for the first MPEG frame. */
const MPEG_SEARCH_BYTES = 1 << 16;

/**
 * Decodes an audio file to stereo float32. The format comes from the file's magic bytes, never its extension.
 * Every problem with the file is an AudioFileError whose message is one line: `<path>: <problem>`.
 */
export async function decodeFile(path: string): Promise<StereoAudio> {
  let src: ByteSource;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new AudioFileError(path, 'is a directory, not an audio file');
    if (!info.isFile()) throw new AudioFileError(path, 'is not a regular file');
    if (info.size > MAX_FILE_BYTES) throw new AudioFileError(path, TOO_BIG);
    src = await fileSource(path);
  } catch (err) {
    throw toFileError(path, err);
  }
  try {
    return await decodeSource(src, path);
  } catch (err) {
    throw toFileError(path, err);
  } finally {
    await src.close();
  }
}

/** Decodes a file already in memory; `path` only names it in messages and SourceInfo. */
export async function decodeBytes(bytes: Uint8Array, path: string): Promise<StereoAudio> {
  try {
    return await decodeSource(memorySource(bytes), path);
  } catch (err) {
    throw toFileError(path, err);
  }
}

/** Maps file-system errors to one-line user messages; AudioFileErrors and bugs pass through unchanged. */
function toFileError(path: string, err: unknown): unknown {
  if (err instanceof AudioFileError) return err;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new AudioFileError(path, 'no such file');
    case 'EISDIR':
      return new AudioFileError(path, 'is a directory, not an audio file');
    case 'EACCES':
    case 'EPERM':
      return new AudioFileError(path, 'permission denied');
    case undefined:
      return err;
    default:
      return new AudioFileError(path, `cannot read the file (${code})`);
  }
}

/** Size of an ID3v2 tag at `at` (header, syncsafe size, optional footer), or 0 if there is none. */
function id3v2Size(b: Uint8Array, at: number): number {
  if (at + 10 > b.length || b[at] !== 0x49 || b[at + 1] !== 0x44 || b[at + 2] !== 0x33) return 0;
  const size = ((b[at + 6] & 0x7f) << 21) | ((b[at + 7] & 0x7f) << 14) | ((b[at + 8] & 0x7f) << 7) | (b[at + 9] & 0x7f);
  return 10 + size + (b[at + 5] & 0x10 ? 10 : 0);
}

async function decodeSource(src: ByteSource, path: string): Promise<StereoAudio> {
  if (src.size === 0) throw new AudioFileError(path, 'is empty (0 bytes)');
  if (src.size > MAX_FILE_BYTES) throw new AudioFileError(path, TOO_BIG);
  const head = (await src.read(0, 12)).slice();
  const magic = head.length >= 4 ? fourCC(head, 0) : '';

  if (magic === 'RIFF' || magic === 'FORM') {
    if (head.length < 12) throw new AudioFileError(path, 'truncated header: the file is too short to be audio');
    const form = fourCC(head, 8);
    if (magic === 'RIFF' && form === 'WAVE') return decodeWav(src, path);
    if (magic === 'FORM' && (form === 'AIFF' || form === 'AIFC')) return decodeAiff(src, path, form === 'AIFC');
    throw new AudioFileError(path, NOT_AUDIO);
  }
  if (magic === 'RF64' || magic === 'BW64') throw new AudioFileError(path, `is an ${magic} WAV; ${TOO_BIG}`);
  if (magic === 'RIFX') throw new AudioFileError(path, 'big-endian RIFX WAV is not supported');
  if (magic === 'fLaC') return decodeFlac(src, path, 0);
  if (magic === 'OggS') return decodeOgg(await src.read(0, src.size), path);

  // Lossy MPEG and FLAC may both start with ID3v2 tags (maybe several); compressed files are read whole.
  const isId3 = head.length >= 3 && head[0] === 0x49 && head[1] === 0x44 && head[2] === 0x33;
  const looksMpeg = head.length >= 2 && head[0] === 0xff && (head[1] & 0xe0) === 0xe0;
  if (!isId3 && !looksMpeg) {
    if (src.size < 12 && /^(RIF|FOR|fLa|Ogg|RF6|BW6)/.test(String.fromCharCode(...head.subarray(0, 3)))) {
      throw new AudioFileError(path, 'truncated header: the file is too short to be audio');
    }
    throw new AudioFileError(path, NOT_AUDIO);
  }
  let start = 0;
  for (let tag = id3v2Size(head, 0); tag > 0; tag = id3v2Size(await src.read(start, 10), 0)) start += tag;
  if (start > 0) {
    const after = await src.read(start, 4);
    if (after.length === 4 && fourCC(after, 0) === 'fLaC') return decodeFlac(src, path, start);
  }
  if (start >= src.size) throw new AudioFileError(path, 'has an ID3 tag but no audio after it');
  const bytes = await src.read(0, src.size);
  const first = findFirstFrame(bytes, start, MPEG_SEARCH_BYTES);
  if (first < 0) {
    throw new AudioFileError(path, isId3 ? 'has an ID3 tag but no MPEG audio frames after it' : NOT_AUDIO);
  }
  return decodeMp3(bytes, path, first);
}

import { AudioFileError } from '../util/errors.js';
import { checkChannelsAndRate, toStereo } from './audio-checks.js';
import type { ByteSource } from './byte-source.js';
import { fourCC, listChunks } from './chunks.js';
import type { PcmLayout } from './pcm.js';
import { readPcmFrames } from './pcm-stream.js';
import type { StereoAudio } from './types.js';

/**
 * AIFF-C compression types that are plain PCM (Apple "Audio Interchange File Format AIFF-C", 1991, and the
 * QuickTime types Core Audio writes). `bytes: 0` means "from the COMM sample size".
 */
const PCM_TYPES: Record<string, { kind: 'int' | 'float'; littleEndian: boolean; bytes: 0 | 3 | 4 | 8 }> = {
  NONE: { kind: 'int', littleEndian: false, bytes: 0 },
  twos: { kind: 'int', littleEndian: false, bytes: 0 },
  sowt: { kind: 'int', littleEndian: true, bytes: 0 },
  in24: { kind: 'int', littleEndian: false, bytes: 3 },
  in32: { kind: 'int', littleEndian: false, bytes: 4 },
  '42ni': { kind: 'int', littleEndian: true, bytes: 3 },
  '23ni': { kind: 'int', littleEndian: true, bytes: 4 },
  fl32: { kind: 'float', littleEndian: false, bytes: 4 },
  FL32: { kind: 'float', littleEndian: false, bytes: 4 },
  fl64: { kind: 'float', littleEndian: false, bytes: 8 },
  FL64: { kind: 'float', littleEndian: false, bytes: 8 },
};

/** IEEE 754 80-bit extended (big-endian: sign+15-bit exponent, 64-bit mantissa with explicit integer bit). */
export function readExtended80(bytes: Uint8Array, at: number): number {
  const v = new DataView(bytes.buffer, bytes.byteOffset + at, 10);
  const signExp = v.getUint16(0);
  const exponent = signExp & 0x7fff;
  const mantissa = v.getUint32(2) * 2 ** 32 + v.getUint32(6);
  if (exponent === 0x7fff) return mantissa === 0 || mantissa === 2 ** 63 ? (signExp & 0x8000 ? -Infinity : Infinity) : NaN;
  const value = mantissa * 2 ** (exponent - 16383 - 63);
  return signExp & 0x8000 ? -value : value;
}

/** Decodes FORM/AIFF or FORM/AIFC; `isAifc` from the FORM type (checked by the caller). */
export async function decodeAiff(src: ByteSource, path: string, isAifc: boolean): Promise<StereoAudio> {
  const { chunks, truncated } = await listChunks(src, 12, false);
  const comm = chunks.find((c) => c.id === 'COMM');
  const ssnd = chunks.find((c) => c.id === 'SSND');
  if (!comm || !ssnd) {
    if (truncated) throw new AudioFileError(path, 'truncated header: the file ends before the AIFF header is complete');
    throw new AudioFileError(path, `AIFF file has no ${comm ? 'SSND' : 'COMM'} chunk`);
  }
  const minComm = isAifc ? 22 : 18;
  if (comm.size < minComm) throw new AudioFileError(path, `truncated header: COMM chunk is ${comm.size} bytes, needs ${minComm}`);
  if (comm.offset + comm.size > src.size || ssnd.offset + 8 > src.size) {
    throw new AudioFileError(path, 'truncated header: the file ends before the AIFF header is complete');
  }
  const c = await src.read(comm.offset, comm.size);
  const v = new DataView(c.buffer, c.byteOffset, c.byteLength);
  const channels = v.getInt16(0);
  const frames = v.getUint32(2);
  const sampleSize = v.getInt16(6);
  const exactRate = readExtended80(c, 8);
  const compression = isAifc ? fourCC(c, 18) : 'NONE';

  const type = PCM_TYPES[compression];
  if (!type) {
    // AIFF-C names its codec in a Pascal string after the type, e.g. 'ima4' "IMA 4:1".
    const nameLength = c.length > 22 ? c[22] : 0;
    const name = new TextDecoder('latin1').decode(c.subarray(23, 23 + nameLength)).trim();
    throw new AudioFileError(path, `unsupported AIFF-C compression '${compression}'${name ? ` (${name})` : ''}; only uncompressed PCM and float can be read`);
  }
  if (channels < 0) throw new AudioFileError(path, `bad channel count ${channels} in COMM chunk`);
  // Old Macintosh rates such as 22254.5454 Hz are rounded to the nearest hertz (a 0.002 % pitch change at most).
  const sampleRate = Number.isFinite(exactRate) ? Math.round(exactRate) : exactRate;
  checkChannelsAndRate(path, channels, sampleRate);
  const bytes = type.bytes || Math.ceil(sampleSize / 8);
  if (type.kind === 'int' && !(sampleSize >= 1 && sampleSize <= bytes * 8 && bytes <= 4)) {
    throw new AudioFileError(path, `unsupported sample size ${sampleSize} bits`);
  }
  if (frames === 0) throw new AudioFileError(path, 'contains no audio samples');

  const s = await src.read(ssnd.offset, 8);
  const dataOffset = new DataView(s.buffer, s.byteOffset, 8).getUint32(0);
  const dataStart = ssnd.offset + 8 + dataOffset;
  const frameBytes = bytes * channels;
  const declared = frames * frameBytes;
  const inChunk = ssnd.size - 8 - dataOffset;
  const present = Math.max(0, Math.min(inChunk, src.size - dataStart));
  if (present < declared) {
    // Refused rather than decoding the part present: a mastering tool must not silently process a cut file.
    throw new AudioFileError(
      path,
      `sound data declares ${declared} bytes (${frames} frames) but only ${present} are present (truncated file?)`,
    );
  }

  const layout: PcmLayout = { kind: type.kind, bytes: bytes as PcmLayout['bytes'], littleEndian: type.littleEndian, channels };
  const out = await readPcmFrames(src, path, dataStart, frames, layout, sampleRate);
  const endian = type.littleEndian ? 'le' : 'be';
  const codec = type.kind === 'float' ? `pcm_f${bytes * 8}${endian}` : bytes === 1 ? 'pcm_s8' : `pcm_s${bytes * 8}${endian}`;
  return toStereo(path, out, {
    path,
    container: 'aiff',
    codec,
    bitDepth: type.kind === 'float' ? bytes * 8 : sampleSize,
    sampleRate,
    channels,
    lossy: false,
    bitrateKbps: null,
  });
}

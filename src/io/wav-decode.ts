import { AudioFileError } from '../util/errors.js';
import { checkChannelsAndRate, toStereo } from './audio-checks.js';
import type { ByteSource } from './byte-source.js';
import { fourCC, listChunks, type Chunk } from './chunks.js';
import { mergeTags, parseId3v2, parseInfoList } from './metadata.js';
import type { PcmLayout } from './pcm.js';
import { readPcmFrames } from './pcm-stream.js';
import type { ReleaseTags, SourceInfo, StereoAudio } from './types.js';

// Format tags from Microsoft's mmreg.h / RFC 2361; only PCM and IEEE float are decoded.
const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
const CODEC_NAMES: Record<number, string> = {
  0x0002: 'MS ADPCM',
  0x0006: 'A-law',
  0x0007: 'mu-law',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0040: 'G.721 ADPCM',
  0x0050: 'MPEG',
  0x0055: 'MPEG Layer 3',
  0x0092: 'Dolby AC-3 SPDIF',
  0x00ff: 'AAC',
  0x0161: 'WMA',
  0x2000: 'AC-3',
  0x2001: 'DTS',
  0xf1ac: 'FLAC',
};
/** Bytes 2..15 shared by every KSDATAFORMAT_SUBTYPE GUID derived from a format tag (ksmedia.h). */
const GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
/** A data chunk size written by streaming encoders that could not seek back (ffmpeg to a pipe). */
const UNKNOWN_SIZE = 0xffffffff;
/** Tag chunks larger than this (say, an id3 tag holding huge cover art) are not read for their text. */
const MAX_TAG_CHUNK_BYTES = 16 << 20;

export interface WavFormat {
  layout: PcmLayout;
  sampleRate: number;
  /** Valid bits per sample (≤ the container). */
  bitDepth: number;
  codec: string;
  blockAlign: number;
}

function hex4(tag: number): string {
  return '0x' + tag.toString(16).padStart(4, '0');
}

function unsupportedCodec(tag: number): string {
  const name = CODEC_NAMES[tag];
  return `unsupported WAV codec ${hex4(tag)}${name ? ` (${name})` : ''}; only PCM and IEEE float WAV can be read`;
}

/** Parses a `fmt ` chunk body (Microsoft WAVEFORMATEX / WAVEFORMATEXTENSIBLE). */
export function parseFmt(path: string, fmt: Uint8Array): WavFormat {
  if (fmt.length < 16) throw new AudioFileError(path, `truncated header: fmt chunk is ${fmt.length} bytes, needs at least 16`);
  const v = new DataView(fmt.buffer, fmt.byteOffset, fmt.byteLength);
  let tag = v.getUint16(0, true);
  const channels = v.getUint16(2, true);
  const sampleRate = v.getUint32(4, true);
  const blockAlign = v.getUint16(12, true);
  const bits = v.getUint16(14, true);
  let validBits = bits;
  if (tag === WAVE_FORMAT_EXTENSIBLE) {
    if (fmt.length < 40) {
      throw new AudioFileError(path, `truncated header: WAVE_FORMAT_EXTENSIBLE fmt chunk is ${fmt.length} bytes, needs 40`);
    }
    validBits = v.getUint16(18, true) || bits;
    const sub = fmt.subarray(24, 40);
    if (GUID_TAIL.some((b, i) => sub[2 + i] !== b)) {
      const guid = Array.from(sub, (b) => b.toString(16).padStart(2, '0')).join('');
      throw new AudioFileError(path, `unsupported WAV codec (WAVE_FORMAT_EXTENSIBLE sub-format GUID ${guid})`);
    }
    tag = v.getUint16(24, true);
  }
  if (tag !== WAVE_FORMAT_PCM && tag !== WAVE_FORMAT_IEEE_FLOAT) throw new AudioFileError(path, unsupportedCodec(tag));
  checkChannelsAndRate(path, channels, sampleRate);

  const isFloat = tag === WAVE_FORMAT_IEEE_FLOAT;
  // Integer samples of n bits sit left-justified in ceil(n/8) bytes (RIFF spec, "Data Format of the Samples").
  const bytes = isFloat ? bits / 8 : Math.ceil(bits / 8);
  const okBits = isFloat ? bits === 32 || bits === 64 : bits >= 1 && bits <= 32;
  if (!okBits || validBits > bits) {
    throw new AudioFileError(path, `unsupported ${isFloat ? 'float ' : ''}bit depth ${bits}${validBits !== bits ? ` (${validBits} valid)` : ''}`);
  }
  if (blockAlign !== channels * bytes) {
    throw new AudioFileError(
      path,
      `bad block align ${blockAlign} in fmt chunk (expected ${channels * bytes} for ${channels} channel(s) of ${bits}-bit samples)`,
    );
  }
  const layout: PcmLayout = {
    kind: isFloat ? 'float' : bytes === 1 ? 'uint' : 'int',
    bytes: bytes as PcmLayout['bytes'],
    littleEndian: true,
    channels,
  };
  const codec = isFloat ? `pcm_f${bits}le` : bytes === 1 ? 'pcm_u8' : `pcm_s${bytes * 8}le`;
  return { layout, sampleRate, bitDepth: isFloat ? bits : validBits, codec, blockAlign };
}

function find(chunks: Chunk[], id: string): Chunk | undefined {
  return chunks.find((c) => c.id === id);
}

/**
 * Title, artist and ISRC from the `id3 ` / `ID3 ` and `LIST`/`INFO` chunks (id3 preferred), wherever they sit.
 * A chunk cut short by the end of the file is parsed as far as it goes; the parsers never throw.
 */
async function readTags(src: ByteSource, chunks: Chunk[]): Promise<ReleaseTags | undefined> {
  let id3: ReleaseTags = {};
  let info: ReleaseTags = {};
  for (const c of chunks) {
    const isId3 = c.id === 'id3 ' || c.id === 'ID3 ';
    if ((!isId3 && c.id !== 'LIST') || c.size > MAX_TAG_CHUNK_BYTES || c.offset >= src.size) continue;
    if (isId3) {
      id3 = { ...parseId3v2(await src.read(c.offset, c.size)), ...id3 }; // an earlier chunk's fields win
    } else {
      const type = await src.read(c.offset, 4);
      if (type.length < 4 || fourCC(type, 0) !== 'INFO') continue; // e.g. LIST/adtl cue labels
      info = { ...parseInfoList(await src.read(c.offset, c.size)), ...info };
    }
  }
  return mergeTags(id3, info);
}

/** Decodes a RIFF/WAVE file; `src` starts with "RIFF....WAVE" (checked by the caller). */
export async function decodeWav(src: ByteSource, path: string): Promise<StereoAudio> {
  const { chunks, truncated } = await listChunks(src, 12, true);
  const fmtChunk = find(chunks, 'fmt ');
  const dataChunk = find(chunks, 'data');
  if (!fmtChunk || !dataChunk) {
    if (truncated) throw new AudioFileError(path, 'truncated header: the file ends before the WAV header is complete');
    throw new AudioFileError(path, `WAV file has no ${fmtChunk ? 'data' : 'fmt'} chunk`);
  }
  if (fmtChunk.offset + fmtChunk.size > src.size) {
    throw new AudioFileError(path, 'truncated header: the fmt chunk is cut short');
  }
  const format = parseFmt(path, await src.read(fmtChunk.offset, fmtChunk.size));

  const present = src.size - dataChunk.offset;
  let dataBytes = dataChunk.size;
  if (dataBytes === UNKNOWN_SIZE) {
    dataBytes = present; // "length unknown": the data runs to the end of the file
  } else if (dataBytes > present) {
    // Refused rather than decoding the part present: a mastering tool must not silently process a cut file.
    throw new AudioFileError(path, `data chunk declares ${dataBytes} bytes but only ${present} are present (truncated file?)`);
  }
  // A trailing partial frame (a writer bug seen in the wild) is ignored rather than refused.
  const frames = Math.floor(dataBytes / format.blockAlign);
  if (frames === 0) throw new AudioFileError(path, 'contains no audio samples');

  const tags = await readTags(src, chunks);
  const channels = await readPcmFrames(src, path, dataChunk.offset, frames, format.layout, format.sampleRate);
  const source: SourceInfo = {
    path,
    container: 'wav',
    codec: format.codec,
    bitDepth: format.bitDepth,
    sampleRate: format.sampleRate,
    channels: format.layout.channels,
    lossy: false,
    bitrateKbps: null,
  };
  if (tags) source.tags = tags;
  return toStereo(path, channels, source);
}

import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { AudioFileError } from '../util/errors.js';
import { checkChannelsAndRate, toStereo } from './audio-checks.js';
import type { ByteSource } from './byte-source.js';
import { ChannelSink } from './channel-sink.js';
import { quietly } from './quiet.js';
import type { SourceInfo, StereoAudio } from './types.js';

/** Input fed to the wasm decoder per call: large enough to amortise the call, small next to the output. */
const FEED_BYTES = 1 << 20;

export interface StreamInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** 0 when the encoder did not know the length. */
  totalSamples: number;
}

/** Parses the 34-byte STREAMINFO block body (RFC 9639 §8.2). */
export function parseStreamInfo(b: Uint8Array): StreamInfo {
  return {
    sampleRate: (b[10] << 12) | (b[11] << 4) | (b[12] >> 4),
    channels: ((b[12] >> 1) & 7) + 1,
    bitsPerSample: (((b[12] & 1) << 4) | (b[13] >> 4)) + 1,
    totalSamples: (b[13] & 0x0f) * 2 ** 32 + (((b[14] << 24) | (b[15] << 16) | (b[16] << 8) | b[17]) >>> 0),
  };
}

/**
 * Reads the metadata blocks after "fLaC" at `start`; returns STREAMINFO and the offset of the first audio frame.
 */
async function readFlacHeader(src: ByteSource, path: string, start: number): Promise<{ info: StreamInfo; audioOffset: number }> {
  let at = start + 4;
  let info: StreamInfo | null = null;
  for (;;) {
    const head = await src.read(at, 4);
    if (head.length < 4) throw new AudioFileError(path, 'truncated header: the file ends inside the FLAC metadata');
    const type = head[0] & 0x7f;
    const length = (head[1] << 16) | (head[2] << 8) | head[3];
    if (info === null) {
      if (type !== 0 || length < 34) throw new AudioFileError(path, 'bad FLAC header: the first metadata block is not STREAMINFO');
      const body = await src.read(at + 4, 34);
      if (body.length < 34) throw new AudioFileError(path, 'truncated header: the file ends inside the FLAC metadata');
      info = parseStreamInfo(body);
    }
    at += 4 + length;
    if (head[0] & 0x80) break; // last-metadata-block flag
  }
  if (at >= src.size) throw new AudioFileError(path, 'FLAC file has no audio frames');
  return { info, audioOffset: at };
}

export function checkStreamInfo(path: string, info: StreamInfo): void {
  checkChannelsAndRate(path, info.channels, info.sampleRate);
  if (info.bitsPerSample < 4) throw new AudioFileError(path, `bad FLAC header: ${info.bitsPerSample} bits per sample`);
}

/**
 * Runs the wasm libFLAC decoder over `chunks` (native FLAC frames, or a whole Ogg FLAC stream) into arrays
 * pre-sized from STREAMINFO. Any decoder error (lost sync, bad CRC) is refused rather than left as a gap, and so
 * is a length that disagrees with STREAMINFO.
 */
export async function runFlacDecoder(
  path: string,
  info: StreamInfo,
  chunks: AsyncIterable<Uint8Array>,
  streamBytes: number,
): Promise<Float32Array[]> {
  const decoder = new FLACDecoder();
  await decoder.ready;
  try {
    // Pre-size from STREAMINFO, unless a damaged header claims more than even digital silence (a few hundred
    // samples per byte) could hold: the sink then grows, and the length check below still refuses the file.
    const sink = new ChannelSink(info.channels, Math.min(info.totalSamples, streamBytes * 512));
    const take = (r: Awaited<ReturnType<FLACDecoder['decode']>>) => {
      if (r.errors.length > 0) {
        const e = r.errors[0];
        // libFLAC's message reads "Error: <status>; State: <state>": the status says what went wrong.
        const status = e.message.replace(/^Error:\s*/, '').split(';')[0].trim();
        const at = `${e.outputSamples} (${(e.outputSamples / info.sampleRate).toFixed(3)} s)`;
        throw new AudioFileError(path, `FLAC decoding failed near sample ${at}: ${status} (corrupt file?)`);
      }
      if (r.samplesDecoded === 0) return;
      if (r.channelData.length !== info.channels) {
        throw new AudioFileError(path, `FLAC frames have ${r.channelData.length} channels but STREAMINFO declares ${info.channels}`);
      }
      for (const x of r.channelData) rescaleToPowerOfTwo(x, r.samplesDecoded, info.bitsPerSample);
      sink.push(r.channelData, r.samplesDecoded);
    };
    for await (const chunk of chunks) take(await quietly(() => decoder.decode(chunk)));
    take(await quietly(() => decoder.flush()));
    if (info.totalSamples > 0 && sink.length !== info.totalSamples) {
      throw new AudioFileError(
        path,
        sink.length < info.totalSamples
          ? `FLAC stream ends early: STREAMINFO declares ${info.totalSamples} samples but only ${sink.length} decode (truncated file?)`
          : `FLAC stream holds ${sink.length} samples but STREAMINFO declares ${info.totalSamples}`,
      );
    }
    return sink.finish();
  } finally {
    decoder.free();
  }
}

/**
 * @wasm-audio-decoders/flac 0.2 scales integer code k to k / (2^(bits-1) - 1); our convention is k / 2^(bits-1).
 * Up to 24 bits its float32 result is within 0.25 of k·(2^(bits-1) - 1)-scaled codes, so rounding recovers k
 * exactly (the bit-exact FLAC tests would catch a change of the package's scaling). Deeper FLAC is rare: rescaled
 * without rounding. Done per decoded block, in place, while it is in cache.
 */
function rescaleToPowerOfTwo(x: Float32Array, n: number, bits: number): void {
  const full = 2 ** (bits - 1);
  const fromWasm = full - 1;
  const inv = 1 / full;
  if (bits <= 24) {
    // Adding and subtracting 1.5·2^52 rounds a double to the nearest integer (|v| < 2^51); faster than Math.round.
    const ROUND = 6755399441055744;
    for (let i = 0; i < n; i++) x[i] = (x[i] * fromWasm + ROUND - ROUND) * inv;
  } else {
    const ratio = fromWasm / full;
    for (let i = 0; i < n; i++) x[i] *= ratio;
  }
}

async function* readBlocks(src: ByteSource, start: number): AsyncGenerator<Uint8Array> {
  for (let at = start; at < src.size; at += FEED_BYTES) {
    // A fresh buffer per block: the decoder's parser may keep a reference to the bytes it was given.
    yield await src.read(at, FEED_BYTES);
  }
}

/** Decodes native FLAC whose "fLaC" marker is at `start` (after any ID3 tag). */
export async function decodeFlac(src: ByteSource, path: string, start: number): Promise<StereoAudio> {
  const { info, audioOffset } = await readFlacHeader(src, path, start);
  checkStreamInfo(path, info);
  const channels = await runFlacDecoder(path, info, readBlocks(src, audioOffset), src.size - audioOffset);
  return toStereo(path, channels, flacSourceInfo(path, 'flac', info));
}

export function flacSourceInfo(path: string, container: SourceInfo['container'], info: StreamInfo): SourceInfo {
  return {
    path,
    container,
    codec: 'flac',
    bitDepth: info.bitsPerSample,
    sampleRate: info.sampleRate,
    channels: info.channels,
    lossy: false,
    bitrateKbps: null,
  };
}

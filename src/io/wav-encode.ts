import { writeFileAtomic } from './atomic.js';
import { wavMetadataChunks } from './metadata.js';
import { roundHalfAway } from '../util/round.js';
import type { ReleaseTags } from './types.js';

export type WavSampleFormat = { kind: 'pcm'; bits: 16 | 24 } | { kind: 'float'; bits: 32 };

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** KSDATAFORMAT_SUBTYPE_* GUID bytes after the 2-byte format tag (ksmedia.h). */
const GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
const MAX_RIFF_BYTES = 0xffffffff;
/** Frames converted per write in writeWavFile (≈ 384 kB for 24-bit stereo). */
const WRITE_FRAMES = 1 << 16;

interface Layout {
  channels: number;
  frames: number;
  bytesPerSample: number;
  dataBytes: number;
  headerBytes: number;
  /** Total file size including the pad byte after odd-sized data. */
  fileBytes: number;
  extensible: boolean;
  isFloat: boolean;
  /** `LIST`/`INFO` and `id3 ` chunks placed before the data chunk; empty without metadata. */
  metadata: Uint8Array;
}

function plan(channels: Float32Array[], sampleRate: number, format: WavSampleFormat, tags: ReleaseTags | undefined): Layout {
  if (channels.length === 0) throw new RangeError('encodeWav: no channels');
  const frames = channels[0].length;
  if (channels.some((c) => c.length !== frames)) throw new RangeError('encodeWav: channels differ in length');
  if (!Number.isInteger(sampleRate) || sampleRate <= 0 || sampleRate > MAX_RIFF_BYTES) {
    throw new RangeError(`encodeWav: bad sample rate ${sampleRate}`);
  }
  const isFloat = format.kind === 'float';
  const okBits = isFloat ? format.bits === 32 : format.bits === 16 || format.bits === 24;
  if (!okBits) throw new RangeError(`encodeWav: unsupported format ${format.kind} ${format.bits}-bit`);
  // Plain PCM / IEEE-float tags are the most widely read for 1-2 channels; EXTENSIBLE is required above that.
  const extensible = channels.length > 2;
  const bytesPerSample = format.bits / 8;
  const dataBytes = frames * channels.length * bytesPerSample;
  const fmtBytes = extensible ? 40 : isFloat ? 18 : 16;
  // Non-PCM formats carry a 'fact' chunk with the frame count (Microsoft RIFF spec, 1991).
  const factBytes = isFloat ? 12 : 0;
  // Before the data chunk, where ffmpeg's own WAV muxer puts INFO: readers that stop at 'data' (ffmpeg on a pipe,
  // streaming players) still see the tags.
  const metadata = wavMetadataChunks(tags);
  const headerBytes = 12 + 8 + fmtBytes + factBytes + metadata.length + 8;
  const fileBytes = headerBytes + dataBytes + (dataBytes & 1);
  if (fileBytes - 8 > MAX_RIFF_BYTES) throw new RangeError('encodeWav: the audio is too long for a WAV file (over 4 GB)');
  return { channels: channels.length, frames, bytesPerSample, dataBytes, headerBytes, fileBytes, extensible, isFloat, metadata };
}

function header(l: Layout, sampleRate: number, bits: number): Uint8Array {
  const out = new Uint8Array(l.headerBytes);
  const v = new DataView(out.buffer);
  const text = (at: number, s: string) => {
    for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i);
  };
  const blockAlign = l.channels * l.bytesPerSample;
  const tag = l.isFloat ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM;
  text(0, 'RIFF');
  v.setUint32(4, l.fileBytes - 8, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  const fmtBytes = l.extensible ? 40 : l.isFloat ? 18 : 16;
  v.setUint32(16, fmtBytes, true);
  v.setUint16(20, l.extensible ? WAVE_FORMAT_EXTENSIBLE : tag, true);
  v.setUint16(22, l.channels, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * blockAlign, true);
  v.setUint16(32, blockAlign, true);
  v.setUint16(34, bits, true);
  if (fmtBytes >= 18) v.setUint16(36, fmtBytes - 18, true); // cbSize
  if (l.extensible) {
    v.setUint16(38, bits, true); // wValidBitsPerSample
    v.setUint32(40, 0, true); // dwChannelMask 0: no speaker assignment
    v.setUint16(44, tag, true);
    out.set(GUID_TAIL, 46);
  }
  let at = 20 + fmtBytes;
  if (l.isFloat) {
    text(at, 'fact');
    v.setUint32(at + 4, 4, true);
    v.setUint32(at + 8, l.frames, true);
    at += 12;
  }
  out.set(l.metadata, at);
  at += l.metadata.length;
  text(at, 'data');
  v.setUint32(at + 4, l.dataBytes, true);
  return out;
}

/**
 * Writes frames [start, start + count) interleaved into `out` at `at`.
 * Integers: x · 2^(bits-1), rounded half away from zero, clipped to [-2^(bits-1), 2^(bits-1) - 1] — the inverse of
 * the decoder's scaling, so decode(encode(x)) == x for every representable x. No dither: that is a DSP stage.
 * A non-finite sample is a bug upstream, so it throws a plain Error rather than writing garbage.
 * Returns how many samples the encoding changed (rounded or clipped): 0 means the file decodes to exactly `channels`.
 */
function encodeFrames(channels: Float32Array[], start: number, count: number, format: WavSampleFormat, out: Uint8Array, at: number): number {
  const nch = channels.length;
  let changed = 0;
  const bytes = format.bits / 8;
  const stride = nch * bytes;
  for (let c = 0; c < nch; c++) {
    const src = channels[c];
    let p = at + c * bytes;
    if (format.kind === 'float') {
      const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
      for (let i = start; i < start + count; i++, p += stride) {
        const x = src[i];
        if (x - x !== 0) throw nonFinite(c, i, x);
        view.setFloat32(p, x, true);
      }
      continue;
    }
    const scale = format.bits === 16 ? 32768 : 8388608;
    const max = scale - 1;
    const min = -scale;
    for (let i = start; i < start + count; i++, p += stride) {
      const x = src[i];
      if (x - x !== 0) throw nonFinite(c, i, x);
      // x · 2^(bits-1) is exact in double precision for float32 x; roundHalfAway rounds it exactly,
      // without the sign branch that audio takes at random.
      const y = x * scale;
      let q = roundHalfAway(y);
      if (q > max) q = max;
      else if (q < min) q = min;
      if (q !== y) changed++;
      out[p] = q & 0xff;
      out[p + 1] = (q >> 8) & 0xff;
      if (bytes === 3) out[p + 2] = (q >> 16) & 0xff;
    }
  }
  return changed;
}

function nonFinite(channel: number, index: number, x: number): Error {
  return new Error(`WAV encoder: non-finite sample ${x} in channel ${channel + 1} at sample ${index}`);
}

/**
 * Encodes channels (one Float32Array each, equal lengths) as a complete WAV file in memory. `metadata` adds
 * `LIST`/`INFO` and `id3 ` chunks (validated: UserError on a bad ISRC or title); without it the bytes are unchanged.
 */
export function encodeWav(channels: Float32Array[], sampleRate: number, format: WavSampleFormat, metadata?: ReleaseTags): Uint8Array {
  const l = plan(channels, sampleRate, format, metadata);
  const out = new Uint8Array(l.fileBytes);
  out.set(header(l, sampleRate, format.bits), 0);
  encodeFrames(channels, 0, l.frames, format, out, l.headerBytes);
  return out; // the pad byte after odd-sized data is already 0
}

/**
 * Writes a WAV file atomically: the audio goes to a temporary file in the destination directory, which is then
 * renamed over `path`, so a failure never leaves a partial file. Refuses to write onto any of `opts.inputs`.
 * `opts.metadata` as in encodeWav; it is validated before anything is written. Returns how many samples the
 * encoding changed (see encodeFrames): with 0, what was written is exactly `channels`, and a meter run on them
 * measured the file.
 */
export async function writeWavFile(
  path: string,
  channels: Float32Array[],
  sampleRate: number,
  format: WavSampleFormat,
  opts: { inputs?: string[]; metadata?: ReleaseTags } = {},
): Promise<{ changedSamples: number }> {
  const l = plan(channels, sampleRate, format, opts.metadata);
  let changedSamples = 0;
  await writeFileAtomic(
    path,
    async (write) => {
      await write(header(l, sampleRate, format.bits));
      const frameBytes = l.channels * l.bytesPerSample;
      const buffer = new Uint8Array(Math.min(l.frames, WRITE_FRAMES) * frameBytes);
      for (let done = 0; done < l.frames; done += WRITE_FRAMES) {
        const n = Math.min(WRITE_FRAMES, l.frames - done);
        changedSamples += encodeFrames(channels, done, n, format, buffer, 0);
        await write(buffer.subarray(0, n * frameBytes));
      }
      if (l.dataBytes & 1) await write(new Uint8Array(1));
    },
    opts.inputs ?? [],
  );
  return { changedSamples };
}

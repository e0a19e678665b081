/** MPEG-1/2/2.5 audio frame headers (ISO/IEC 11172-3 §2.4.2.3, ISO/IEC 13818-3), for detection and stream facts. */

export interface MpegHeader {
  /** 1 = MPEG-1, 2 = MPEG-2, 2.5 = MPEG-2.5. */
  version: 1 | 2 | 2.5;
  layer: 1 | 2 | 3;
  bitrateKbps: number;
  sampleRate: number;
  channels: 1 | 2;
  /** Bytes in the frame including the header. */
  frameBytes: number;
  samplesPerFrame: number;
  crc: boolean;
}

const BITRATES: Record<string, number[]> = {
  '1-1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  '1-2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  '1-3': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '2-1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  '2-2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  '2-3': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const SAMPLE_RATES: Record<number, number[]> = { 1: [44100, 48000, 32000], 2: [22050, 24000, 16000], 2.5: [11025, 12000, 8000] };

/** The header at `at`, or null if those 4 bytes are not a valid one (free-format bit rate counts as invalid). */
export function parseMpegHeader(b: Uint8Array, at: number): MpegHeader | null {
  if (at + 4 > b.length || b[at] !== 0xff || (b[at + 1] & 0xe0) !== 0xe0) return null;
  const versionBits = (b[at + 1] >> 3) & 3;
  const layerBits = (b[at + 1] >> 1) & 3;
  const bitrateIndex = b[at + 2] >> 4;
  const rateIndex = (b[at + 2] >> 2) & 3;
  if (versionBits === 1 || layerBits === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return null;
  const version = versionBits === 3 ? 1 : versionBits === 2 ? 2 : 2.5;
  const layer = (4 - layerBits) as 1 | 2 | 3;
  const bitrateKbps = BITRATES[`${version === 1 ? 1 : 2}-${layer}`][bitrateIndex];
  const sampleRate = SAMPLE_RATES[version][rateIndex];
  const padding = (b[at + 2] >> 1) & 1;
  const samplesPerFrame = layer === 1 ? 384 : layer === 3 && version !== 1 ? 576 : 1152;
  const frameBytes =
    layer === 1
      ? (Math.floor((12000 * bitrateKbps) / sampleRate) + padding) * 4
      : Math.floor(((samplesPerFrame / 8) * 1000 * bitrateKbps) / sampleRate) + padding;
  return {
    version,
    layer,
    bitrateKbps,
    sampleRate,
    channels: b[at + 3] >> 6 === 3 ? 1 : 2,
    frameBytes,
    samplesPerFrame,
    crc: (b[at + 1] & 1) === 0,
  };
}

function sameStream(a: MpegHeader, b: MpegHeader): boolean {
  return a.version === b.version && a.layer === b.layer && a.sampleRate === b.sampleRate;
}

/**
 * Finds the first frame at or after `from` (within `window` bytes) that is followed by a second valid frame of
 * the same stream, so random binary data with a stray 0xFFE sync does not pass for MP3. A lone frame that ends
 * exactly at the end of the data is accepted too.
 */
export function findFirstFrame(b: Uint8Array, from: number, window: number): number {
  const end = Math.min(b.length - 4, from + window);
  for (let at = from; at <= end; at++) {
    const h = parseMpegHeader(b, at);
    if (!h) continue;
    const next = at + h.frameBytes;
    if (next === b.length) return at;
    const h2 = parseMpegHeader(b, next);
    if (h2 && sameStream(h, h2)) return at;
  }
  return -1;
}

export interface MpegStreamFacts {
  first: MpegHeader;
  /** Audio frames found by walking the headers (the Xing/Info/VBRI frame excluded). */
  audioFrames: number;
  /** Mean of the frames' bit rates, the true average for CBR and VBR alike (every frame lasts as long). */
  averageKbps: number;
  /** Frame count declared by a Xing/Info/VBRI header, or null. */
  declaredFrames: number | null;
  /** True if the walk reached the end of the data (or a trailing tag) rather than stopping at junk. */
  walkedToEnd: boolean;
  /** True if the last frame runs past the end of the data: the file was cut. */
  lastFrameCut: boolean;
}

/** Offset of the Xing/Info tag inside a frame: after the header and the side information. */
function xingOffset(h: MpegHeader): number {
  const sideInfo = h.version === 1 ? (h.channels === 1 ? 17 : 32) : h.channels === 1 ? 9 : 17;
  return 4 + (h.crc ? 2 : 0) + sideInfo;
}

function readU32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

/** Walks the frames from `start` (a frame found by findFirstFrame). */
export function walkMpegFrames(b: Uint8Array, start: number): MpegStreamFacts {
  const first = parseMpegHeader(b, start)!;
  let declaredFrames: number | null = null;
  let at = start;
  // A VBR/gapless info frame carries no audio: skip it and read its frame count (Xing: flags bit 0; VBRI: +14).
  const x = start + xingOffset(first);
  const tag = String.fromCharCode(...b.subarray(x, x + 4));
  if (tag === 'Xing' || tag === 'Info') {
    if (b[x + 7] & 1) declaredFrames = readU32(b, x + 8);
    at += first.frameBytes;
  } else if (String.fromCharCode(...b.subarray(start + 36, start + 40)) === 'VBRI') {
    declaredFrames = readU32(b, start + 36 + 14);
    at += first.frameBytes;
  }
  let frames = 0;
  let kbpsSum = 0;
  let walkedToEnd = false;
  let lastFrameCut = false;
  for (;;) {
    const h = parseMpegHeader(b, at);
    if (!h || !sameStream(h, first)) {
      const rest = b.length - at;
      // Trailing ID3v1 ("TAG", 128 bytes) or APEv2 ("APETAGEX") tags end the audio.
      walkedToEnd = rest < 4 || (b[at] === 0x54 && b[at + 1] === 0x41 && b[at + 2] === 0x47) ||
        String.fromCharCode(...b.subarray(at, at + 8)) === 'APETAGEX';
      break;
    }
    frames++;
    kbpsSum += h.bitrateKbps;
    at += h.frameBytes;
    if (at >= b.length) {
      walkedToEnd = true;
      lastFrameCut = at > b.length;
      break;
    }
  }
  return { first, audioFrames: frames, averageKbps: frames > 0 ? kbpsSum / frames : 0, declaredFrames, walkedToEnd, lastFrameCut };
}

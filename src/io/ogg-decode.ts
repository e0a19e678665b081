import { OggVorbisDecoder } from '@wasm-audio-decoders/ogg-vorbis';
import { AudioFileError } from '../util/errors.js';
import { checkChannelsAndRate, toStereo } from './audio-checks.js';
import { ChannelSink } from './channel-sink.js';
import { checkStreamInfo, flacSourceInfo, parseStreamInfo, runFlacDecoder } from './flac-decode.js';
import { quietly } from './quiet.js';
import type { StereoAudio } from './types.js';

const FEED_BYTES = 1 << 16;
const EOS_FLAG = 0x04;

/** CRC-32 of Ogg pages (RFC 3533 §6): polynomial 0x04C11DB7, not reflected, initial value 0. */
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    t[i] = r >>> 0;
  }
  return t;
})();

function crcUpdate(crc: number, b: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b[i]) & 0xff]) >>> 0;
  return crc;
}

const ZERO_CRC_FIELD = new Uint8Array(4);

/** The page's CRC computed with its checksum field (bytes 22..25) taken as zero. */
function pageCrc(b: Uint8Array, start: number, end: number): number {
  const head = crcUpdate(crcUpdate(0, b, start, start + 22), ZERO_CRC_FIELD, 0, 4);
  return crcUpdate(head, b, start + 26, end);
}

interface OggFacts {
  /** First packet of the first logical stream (the codec identification header). */
  firstPacket: Uint8Array;
  /** Body bytes of the pages after the first `headerPackets` packets of that stream. */
  audioBytes: number;
  /** Granule position of the stream's last page that has one (for Vorbis: samples at its end), or 0. */
  lastGranule: number;
  endsWithEos: boolean;
  cutPage: boolean;
  /** Index of the first page whose CRC does not match (a corrupt file), or -1. */
  badCrcPage: number;
}

/**
 * Walks the Ogg pages (RFC 3533 §6) of the first logical stream. `headerPackets` is how many packets precede
 * the audio (3 for Vorbis, whose audio starts on a fresh page, so audio bytes are whole page bodies).
 */
function walkOggPages(b: Uint8Array, headerPackets: number): OggFacts {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let at = 0;
  let serial: number | null = null;
  let packets = 0;
  let audioBytes = 0;
  let lastGranule = 0;
  let endsWithEos = false;
  let firstPacket: Uint8Array | null = null;
  let badCrcPage = -1;
  for (let page = 0; at < b.length; page++) {
    if (at + 27 > b.length || b[at] !== 0x4f || b[at + 1] !== 0x67 || b[at + 2] !== 0x67 || b[at + 3] !== 0x53) {
      return { firstPacket: firstPacket ?? new Uint8Array(0), audioBytes, lastGranule, endsWithEos, cutPage: true, badCrcPage };
    }
    const segments = b[at + 26];
    const bodyStart = at + 27 + segments;
    let bodyBytes = 0;
    for (let i = 0; i < segments && at + 27 + i < b.length; i++) bodyBytes += b[at + 27 + i];
    if (bodyStart + bodyBytes > b.length) {
      return { firstPacket: firstPacket ?? new Uint8Array(0), audioBytes, lastGranule, endsWithEos, cutPage: true, badCrcPage };
    }
    // The decoders' Ogg parser skips pages whose CRC fails without saying so: check here to refuse them.
    if (badCrcPage < 0 && pageCrc(b, at, bodyStart + bodyBytes) !== v.getUint32(at + 22, true)) badCrcPage = page;
    const pageSerial = v.getUint32(at + 14, true);
    serial ??= pageSerial;
    if (pageSerial === serial) {
      if (firstPacket === null) {
        let first = 0;
        while (first < segments && b[at + 27 + first] === 255) first++;
        firstPacket = b.subarray(bodyStart, bodyStart + Math.min(bodyBytes, 255 * (first + 1)));
      }
      if (packets >= headerPackets) audioBytes += bodyBytes;
      for (let i = 0; i < segments; i++) if (b[at + 27 + i] < 255) packets++;
      const lo = v.getUint32(at + 6, true);
      const hi = v.getUint32(at + 10, true);
      if (!(lo === 0xffffffff && hi === 0xffffffff)) lastGranule = hi * 2 ** 32 + lo; // -1: no packet ends here
      endsWithEos = (b[at + 5] & EOS_FLAG) !== 0;
    }
    at = bodyStart + bodyBytes;
  }
  return { firstPacket: firstPacket ?? new Uint8Array(0), audioBytes, lastGranule, endsWithEos, cutPage: false, badCrcPage };
}

function startsWith(b: Uint8Array, text: string): boolean {
  if (b.length < text.length) return false;
  for (let i = 0; i < text.length; i++) if (b[i] !== text.charCodeAt(i)) return false;
  return true;
}

function checkComplete(path: string, facts: OggFacts): void {
  if (facts.badCrcPage >= 0) throw new AudioFileError(path, `Ogg page ${facts.badCrcPage} fails its CRC check (corrupt file)`);
  if (facts.cutPage || !facts.endsWithEos) {
    throw new AudioFileError(path, 'Ogg stream ends early: its last page is cut or missing (truncated file?)');
  }
}

/** Decodes an Ogg file: Vorbis (and FLAC-in-Ogg, which the FLAC decoder reads as well). */
export async function decodeOgg(bytes: Uint8Array, path: string): Promise<StereoAudio> {
  const facts = walkOggPages(bytes, 3);
  const id = facts.firstPacket;
  if (id.length === 0) throw new AudioFileError(path, 'truncated header: the file ends inside the first Ogg page');
  if (startsWith(id, 'OpusHead')) {
    throw new AudioFileError(path, 'Ogg Opus is not supported yet; convert it to FLAC or WAV first');
  }
  if (startsWith(id, '\x7fFLAC') && id.length >= 51 && startsWith(id.subarray(9), 'fLaC')) {
    // Ogg FLAC mapping: 0x7F "FLAC", version, header count, "fLaC", then the STREAMINFO block (4 + 34 bytes).
    checkComplete(path, facts);
    const info = parseStreamInfo(id.subarray(17, 51));
    checkStreamInfo(path, info);
    const channels = await runFlacDecoder(path, info, slices(bytes, 1 << 20), bytes.length);
    return toStereo(path, channels, flacSourceInfo(path, 'ogg', info));
  }
  if (!startsWith(id, '\x01vorbis') || id.length < 30) {
    const codec = startsWith(id, 'Speex') ? 'Speex' : startsWith(id, '\x80theora') ? 'Theora video' : 'an unknown codec';
    throw new AudioFileError(path, `Ogg stream holds ${codec}; only Ogg Vorbis (and Ogg FLAC) can be read`);
  }
  // Vorbis I spec §4.2.2: identification header.
  const idView = new DataView(id.buffer, id.byteOffset, id.byteLength);
  const channels = id[11];
  const sampleRate = idView.getUint32(12, true);
  checkChannelsAndRate(path, channels, sampleRate);
  checkComplete(path, facts);

  const decoder = new OggVorbisDecoder();
  await decoder.ready;
  // The last granule position is the length; capped so a damaged one cannot demand an absurd allocation.
  const sink = new ChannelSink(channels, Math.min(facts.lastGranule, bytes.length * 512));
  try {
    const take = (r: Awaited<ReturnType<OggVorbisDecoder['decode']>>) => {
      if (r.errors.length > 0) {
        const e = r.errors[0];
        throw new AudioFileError(path, `Vorbis decoding failed near sample ${e.outputSamples}: ${e.message.replace(/\s+/g, ' ').trim()}`);
      }
      if (r.samplesDecoded > 0 && r.channelData.length !== channels) {
        throw new AudioFileError(path, `Vorbis packets have ${r.channelData.length} channels but the header declares ${channels}`);
      }
      sink.push(r.channelData, r.samplesDecoded);
    };
    for (const chunk of slicesSync(bytes, FEED_BYTES)) take(await quietly(() => decoder.decode(chunk)));
    take(await quietly(() => decoder.flush()));
  } finally {
    decoder.free();
  }
  const out = sink.finish();
  const seconds = out[0].length / sampleRate;
  return toStereo(path, out, {
    path,
    container: 'ogg',
    codec: 'vorbis',
    bitDepth: null,
    sampleRate,
    channels,
    lossy: true,
    // Average over the audio packets' pages (headers and comments, which may hold cover art, excluded).
    bitrateKbps: seconds > 0 ? Math.round((facts.audioBytes * 8) / seconds / 1000) : null,
  });
}

function* slicesSync(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function* slices(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  yield* slicesSync(bytes, size);
}

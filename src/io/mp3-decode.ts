import { MPEGDecoder } from 'mpg123-decoder';
import { AudioFileError } from '../util/errors.js';
import { checkChannelsAndRate, toStereo } from './audio-checks.js';
import { ChannelSink } from './channel-sink.js';
import { walkMpegFrames } from './mpeg-frames.js';
import { quietly } from './quiet.js';
import type { StereoAudio } from './types.js';

const FEED_BYTES = 1 << 18;

/**
 * Decodes MPEG audio (Layer III, also I/II) whose first frame is at `start` (found by the detector).
 *
 * Gapless: mpg123 runs with gapless decoding on (the package default), so when the first frame is a LAME/Xing
 * "Info" frame carrying encoder delay and padding, those samples and the decoder delay are trimmed and the
 * output has the original length. Without that tag (old or non-LAME encoders) the output keeps the encoder's
 * leading silence (typically 1105 samples for LAME) and the padding of the last frame.
 */
export async function decodeMp3(bytes: Uint8Array, path: string, start: number): Promise<StereoAudio> {
  const facts = walkMpegFrames(bytes, start);
  const { first } = facts;
  checkChannelsAndRate(path, first.channels, first.sampleRate);
  if (facts.lastFrameCut) {
    throw new AudioFileError(path, 'MPEG audio stream ends early: the last frame is cut short (truncated file?)');
  }
  // The declared count may or may not include the info frame itself depending on the encoder: allow one.
  if (facts.walkedToEnd && facts.declaredFrames !== null && facts.audioFrames + 1 < facts.declaredFrames) {
    throw new AudioFileError(
      path,
      `MPEG audio stream ends early: its Xing/Info header declares ${facts.declaredFrames} frames but only ${facts.audioFrames} are present (truncated file?)`,
    );
  }

  const decoder = new MPEGDecoder({ enableGapless: true });
  await decoder.ready;
  let sink: ChannelSink;
  try {
    sink = new ChannelSink(first.channels, (facts.audioFrames + 1) * first.samplesPerFrame);
    for (let at = start; at < bytes.length; at += FEED_BYTES) {
      const r = quietly(() => decoder.decode(bytes.subarray(at, at + FEED_BYTES)));
      if (r.errors.length > 0) {
        const e = r.errors[0];
        throw new AudioFileError(path, `MPEG audio decoding failed near sample ${e.outputSamples}: ${e.message.replace(/\s+/g, ' ').trim()}`);
      }
      // mpg123 always outputs two channels (a mono stream is duplicated): keep the first for mono.
      sink.push(r.channelData, r.samplesDecoded);
    }
  } finally {
    decoder.free();
  }
  const codec = first.layer === 3 ? 'mp3' : `mp${first.layer}`;
  return toStereo(path, sink.finish(), {
    path,
    container: 'mp3',
    codec,
    bitDepth: null,
    sampleRate: first.sampleRate,
    channels: first.channels,
    lossy: true,
    bitrateKbps: facts.audioFrames > 0 ? Math.round(facts.averageKbps) : null,
  });
}

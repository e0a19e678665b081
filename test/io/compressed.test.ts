import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { decodeBytes, decodeFile } from '../../src/io/index.js';
import { findFirstFrame, parseMpegHeader, walkMpegFrames } from '../../src/io/mpeg-frames.js';
import { CORPUS, FIXTURES, concat, expectFileError, noiseInts, rmsDb, zeroCrossingHz } from './helpers.js';

const fixture = (name: string) => FIXTURES + name;

function expectCodes(decoded: Float32Array, codes: Int32Array, bits: number): void {
  expect(decoded.length).toBe(codes.length);
  const scale = 2 ** (bits - 1);
  let mismatches = 0;
  for (let i = 0; i < codes.length; i++) if (decoded[i] * scale !== codes[i]) mismatches++;
  expect(mismatches).toBe(0);
}

/** The sine fixtures (make-fixtures.sh): 1 kHz, left 0.5, right 0.25, 1 s. RMS of a sine = peak / √2. */
function expectSine(x: Float32Array, sampleRate: number, amplitude: number): void {
  const start = Math.round(0.2 * sampleRate); // away from the encoder's start and end transients
  const end = start + Math.round(0.6 * sampleRate); // 600 whole periods
  expect(Math.abs(rmsDb(x, start, end) - 20 * Math.log10(amplitude / Math.SQRT2))).toBeLessThan(0.1);
  expect(Math.abs(zeroCrossingHz(x, start, end, sampleRate) - 1000)).toBeLessThan(0.1);
  // In phase with sin(2π·1000·n/fs) from n = 0: the codec's delay was removed (the MP3 gapless case: an
  // untrimmed 1105-sample LAME delay is a 21° phase shift and would leave 0.18·A in quadrature).
  let inPhase = 0;
  let quadrature = 0;
  for (let n = start; n < end; n++) {
    const w = (2 * Math.PI * 1000 * n) / sampleRate;
    inPhase += x[n] * Math.sin(w);
    quadrature += x[n] * Math.cos(w);
  }
  expect(Math.abs((2 * inPhase) / (end - start) - amplitude)).toBeLessThan(0.02 * amplitude);
  expect(Math.abs((2 * quadrature) / (end - start))).toBeLessThan(0.02 * amplitude);
}

describe('FLAC', () => {
  it('decodes 16-bit mono bit-exactly (xorshift noise fixture)', async () => {
    const a = await decodeFile(fixture('noise-16bit-8k-mono.flac'));
    expectCodes(a.left, noiseInts(16, 0, 3000), 16);
    expect(a.right).toBe(a.left);
    expect(a.source).toMatchObject({ container: 'flac', codec: 'flac', bitDepth: 16, sampleRate: 8000, channels: 1, lossy: false, bitrateKbps: null });
  });

  it('decodes 24-bit 96 kHz stereo bit-exactly', async () => {
    const a = await decodeFile(fixture('noise-24bit-96k-stereo.flac'));
    expectCodes(a.left, noiseInts(24, 0, 4000), 24);
    expectCodes(a.right, noiseInts(24, 1, 4000), 24);
    expect(a.source).toMatchObject({ bitDepth: 24, sampleRate: 96000, channels: 2 });
  });

  it('skips an ID3v2 tag in front of fLaC, and decodes Ogg FLAC', async () => {
    const flac = readFileSync(fixture('noise-16bit-8k-mono.flac'));
    const id3 = concat(Uint8Array.from('ID3', (c) => c.charCodeAt(0)), Uint8Array.of(4, 0, 0, 0, 0, 1, 0), new Uint8Array(128));
    const tagged = await decodeBytes(concat(id3, flac), 'tagged.flac');
    expectCodes(tagged.left, noiseInts(16, 0, 3000), 16);

    const ogg = await decodeFile(fixture('noise-16bit-8k-mono.oga'));
    expectCodes(ogg.left, noiseInts(16, 0, 3000), 16);
    expect(ogg.source).toMatchObject({ container: 'ogg', codec: 'flac', bitDepth: 16 });
  });

  it('refuses a truncated FLAC and a corrupted one', async () => {
    const flac = readFileSync(fixture('noise-24bit-96k-stereo.flac'));
    await expectFileError(decodeBytes(flac.subarray(0, flac.length - 5000), 'cut.flac'), 'cut.flac', /FLAC stream ends early: STREAMINFO declares 4000 samples but only \d+ decode/);
    // The fixture is a single frame: the parser drops it when corrupted, so the refusal is the length check.
    const bad = Uint8Array.from(flac);
    for (let i = 0; i < 64; i++) bad[bad.length - 9000 + i * 5] ^= 0x5a;
    await expectFileError(decodeBytes(bad, 'bad.flac'), 'bad.flac', /^FLAC (decoding failed|stream ends early)/);
  });

  const corpusFiles = existsSync(CORPUS) ? ['mix01_lmms_progressive_house.flac', 'ref01_wesnoth_northerners.flac'] : [];
  it.skipIf(corpusFiles.length === 0)('corpus FLAC matches manifest.json and its STREAMINFO MD5 (skipped: ../shared/corpus absent)', async () => {
    const manifest = JSON.parse(readFileSync(CORPUS + 'manifest.json', 'utf8')) as {
      files: { file: string; processing: { format: string }; measurements: { duration_s: number; sample_rate: number; channels: number } }[];
    };
    for (const name of corpusFiles) {
      const entry = manifest.files.find((f) => f.file === name)!;
      const bits = Number(/FLAC (\d+)-bit/.exec(entry.processing.format)![1]);
      const a = await decodeFile(CORPUS + name);
      expect(a.source).toMatchObject({ codec: 'flac', bitDepth: bits, sampleRate: entry.measurements.sample_rate, channels: entry.measurements.channels });
      expect(a.left.length).toBe(Math.round(entry.measurements.duration_s * entry.measurements.sample_rate));
      // STREAMINFO's MD5 (RFC 9639 §8.2) is over the encoder's input: interleaved little-endian signed samples.
      const file = readFileSync(CORPUS + name);
      const md5 = file.subarray(8 + 18, 8 + 34).toString('hex');
      const bytesPerSample = bits / 8;
      const pcm = Buffer.alloc(a.left.length * 2 * bytesPerSample);
      const scale = 2 ** (bits - 1);
      for (let i = 0, p = 0; i < a.left.length; i++) {
        pcm.writeIntLE(a.left[i] * scale, p, bytesPerSample);
        pcm.writeIntLE(a.right[i] * scale, p + bytesPerSample, bytesPerSample);
        p += 2 * bytesPerSample;
      }
      expect(createHash('md5').update(pcm).digest('hex')).toBe(md5);
    }
  });

  it.skipIf(corpusFiles.length === 0)('a corrupted frame in a long FLAC is reported by libFLAC (skipped: ../shared/corpus absent)', async () => {
    const bad = Uint8Array.from(readFileSync(CORPUS + corpusFiles[1]));
    for (let i = 0; i < 200; i++) bad[(bad.length >> 1) + i * 7] ^= 0x5a;
    const printed = vi.spyOn(console, 'error');
    await expectFileError(
      decodeBytes(bad, 'bad.flac'),
      'bad.flac',
      /^FLAC decoding failed near sample \d+ \([\d.]+ s\): FLAC__STREAM_DECODER_ERROR_STATUS_\w+ \(corrupt file\?\)$/,
    );
    expect(printed).not.toHaveBeenCalled(); // libFLAC's console.error is muted: the library never prints
    printed.mockRestore();
  });

  it('a STREAMINFO claiming an absurd length is refused, not allocated', async () => {
    const flac = Uint8Array.from(readFileSync(fixture('noise-16bit-8k-mono.flac')));
    flac[8 + 13] |= 0x0f; // total samples' top 4 bits: now over 6·10^10 samples
    await expectFileError(decodeBytes(flac, 'huge.flac'), 'huge.flac', /FLAC stream ends early: STREAMINFO declares \d{11} samples but only 3000 decode/);
  });
});

describe('MP3', () => {
  it('stereo 44.1 kHz LAME V0: original length (gapless), levels, frequency, phase', async () => {
    const a = await decodeFile(fixture('sine1k-44k1-stereo-v0.mp3'));
    expect(a.left.length).toBe(44100);
    expectSine(a.left, 44100, 0.5);
    expectSine(a.right, 44100, 0.25);
    expect(a.source).toMatchObject({ container: 'mp3', codec: 'mp3', bitDepth: null, sampleRate: 44100, channels: 2, lossy: true });
  });

  it('mono 48 kHz is dual-mono', async () => {
    const a = await decodeFile(fixture('sine1k-48k-mono-v0.mp3'));
    expect(a.right).toBe(a.left);
    expect(a.left.length).toBe(48000);
    expectSine(a.left, 48000, 0.5);
    expect(a.source).toMatchObject({ sampleRate: 48000, channels: 1 });
  });

  it('MPEG-2 Layer III CBR 32 kbit/s with a trailing ID3v1 tag: bit rate, rate, length', async () => {
    const a = await decodeFile(fixture('sine1k-22k05-mono-32k.mp3'));
    expect(a.source).toMatchObject({ codec: 'mp3', sampleRate: 22050, channels: 1, bitrateKbps: 32 });
    expect(a.left.length).toBe(11025);
    expect(Math.abs(zeroCrossingHz(a.left, 2205, 8820, 22050) - 1000)).toBeLessThan(0.1);
  });

  it('frame headers: sizes and the mean bit rate of a hand-built VBR stream', () => {
    // MPEG-1 Layer III 44.1 kHz: 128 kbit/s = 417 bytes (144·128000/44100), 320 kbit/s = 1044 bytes; padding adds 1.
    const frame = (bitrateIndex: number, bytes: number) => {
      const f = new Uint8Array(bytes);
      f.set([0xff, 0xfb, (bitrateIndex << 4) | 0x00, 0xc4]); // MPEG-1, Layer III, no CRC, 44.1 kHz, mono
      return f;
    };
    expect(parseMpegHeader(frame(9, 417), 0)).toMatchObject({ bitrateKbps: 128, frameBytes: 417, channels: 1, samplesPerFrame: 1152 });
    expect(parseMpegHeader(frame(14, 1044), 0)!.frameBytes).toBe(1044);
    const stream = concat(Uint8Array.of(1, 2, 3), frame(9, 417), frame(9, 417), frame(9, 417), frame(14, 1044));
    const start = findFirstFrame(stream, 0, 100);
    expect(start).toBe(3);
    const facts = walkMpegFrames(stream, start);
    expect(facts).toMatchObject({ audioFrames: 4, averageKbps: (3 * 128 + 320) / 4, walkedToEnd: true, lastFrameCut: false });
  });

  it('refuses a truncated MP3; a lone stray sync is not MP3', async () => {
    const mp3 = readFileSync(fixture('sine1k-44k1-stereo-v0.mp3'));
    await expectFileError(decodeBytes(mp3.subarray(0, 6000), 'cut.mp3'), 'cut.mp3', 'MPEG audio stream ends early');
    await expectFileError(
      decodeBytes(concat(mp3.subarray(0, 45), new Uint8Array(5000)), 'tagonly.mp3'),
      'tagonly.mp3',
      'has an ID3 tag but no MPEG audio frames after it',
    );
  });
});

describe('Ogg', () => {
  it('Vorbis stereo 44.1 kHz: length, levels, frequency, phase, bit rate', async () => {
    const a = await decodeFile(fixture('sine1k-44k1-stereo.ogg'));
    expect(a.left.length).toBe(44100);
    expectSine(a.left, 44100, 0.5);
    expectSine(a.right, 44100, 0.25);
    // ffprobe: the audio packets total 3953 bytes over 1 s = 31.6 kbit/s.
    expect(a.source).toEqual({
      path: fixture('sine1k-44k1-stereo.ogg'), container: 'ogg', codec: 'vorbis', bitDepth: null, sampleRate: 44100, channels: 2, lossy: true, bitrateKbps: 32,
    });
  });

  it('Vorbis mono 22.05 kHz is dual-mono', async () => {
    const a = await decodeFile(fixture('sine1k-22k05-mono.ogg'));
    expect(a.right).toBe(a.left);
    expect(a.left.length).toBe(22050);
    expectSine(a.left, 22050, 0.5);
    expect(a.source).toMatchObject({ channels: 1, sampleRate: 22050, bitrateKbps: 11 }); // ffprobe: 1340 bytes of packets
  });

  it('refuses Ogg Opus, a truncated stream and a page with a bad CRC', async () => {
    await expectFileError(decodeFile(fixture('opus-short.ogg')), fixture('opus-short.ogg'), /^Ogg Opus is not supported yet/);
    const ogg = readFileSync(fixture('sine1k-44k1-stereo.ogg'));
    await expectFileError(decodeBytes(ogg.subarray(0, ogg.length - 100), 'cut.ogg'), 'cut.ogg', 'Ogg stream ends early');
    const bad = Uint8Array.from(ogg);
    bad[bad.length - 50] ^= 0x01;
    await expectFileError(decodeBytes(bad, 'bad.ogg'), 'bad.ogg', /^Ogg page \d+ fails its CRC check/);
  });
});

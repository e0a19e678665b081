import { mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeBytes, decodeFile, encodeWav } from '../../src/io/index.js';
import { ascii, chunk, concat, expectFileError, fmtBody, fmtExtensible, riffWave, u16, u32, withTempDir } from './helpers.js';

const NOT_AUDIO = 'not a recognised audio file (WAV, AIFF, FLAC, MP3, Ogg Vorbis)';

function wav(fmt: Uint8Array, data: Uint8Array): Uint8Array {
  return riffWave(chunk('fmt ', fmt), chunk('data', data));
}

describe('file-system problems', () => {
  it('missing file, directory, empty file, non-audio file', async () => {
    await withTempDir(async (dir) => {
      const missing = join(dir, 'nope.wav');
      await expectFileError(decodeFile(missing), missing, /^no such file$/);
      await expectFileError(decodeFile(join(dir, 'nope', 'x.wav')), join(dir, 'nope', 'x.wav'), /^no such file$/);
      const sub = join(dir, 'folder.wav');
      await mkdir(sub);
      await expectFileError(decodeFile(sub), sub, 'is a directory');
      const empty = join(dir, 'empty.wav');
      await writeFile(empty, '');
      await expectFileError(decodeFile(empty), empty, 'is empty (0 bytes)');
      const text = join(dir, 'notes.wav');
      await writeFile(text, 'These are my mixing notes, not audio.\n');
      await expectFileError(decodeFile(text), text, `${NOT_AUDIO}`);
    });
  });

  it('refuses files over 4 GiB before reading them (sparse file)', async () => {
    await withTempDir(async (dir) => {
      const big = join(dir, 'big.wav');
      const handle = await open(big, 'w');
      await handle.write(encodeWav([new Float32Array(4)], 44100, { kind: 'pcm', bits: 16 }));
      await handle.truncate(2 ** 32 + 1024); // sparse: takes no disk space
      await handle.close();
      await expectFileError(decodeFile(big), big, 'files over 4 GB are not supported');
    });
  });
});

describe('container problems', () => {
  it('RF64 / BW64 are refused as over-4-GB formats; RIFX and non-WAVE RIFF too', async () => {
    const body = concat(u32(0xffffffff), ascii('WAVE'), chunk('ds64', new Uint8Array(28)));
    await expectFileError(decodeBytes(concat(ascii('RF64'), body), 'a.wav'), 'a.wav', 'is an RF64 WAV; files over 4 GB are not supported');
    await expectFileError(decodeBytes(concat(ascii('BW64'), body), 'b.wav'), 'b.wav', 'files over 4 GB are not supported');
    await expectFileError(decodeBytes(concat(ascii('RIFX'), body), 'c.wav'), 'c.wav', 'big-endian RIFX');
    await expectFileError(decodeBytes(concat(ascii('RIFF'), u32(4), ascii('AVI ')), 'd.avi'), 'd.avi', NOT_AUDIO);
    await expectFileError(decodeBytes(Uint8Array.of(0xff, 0xfb, 0x12, 0x34, 0x55), 'e.mp3'), 'e.mp3', NOT_AUDIO);
  });

  it('truncated headers', async () => {
    const full = wav(fmtBody(1, 2, 44100, 16), new Uint8Array(400));
    await expectFileError(decodeBytes(full.subarray(0, 8), 't1.wav'), 't1.wav', 'truncated header');
    await expectFileError(decodeBytes(full.subarray(0, 12), 't2.wav'), 't2.wav', 'truncated header');
    await expectFileError(decodeBytes(full.subarray(0, 30), 't3.wav'), 't3.wav', 'truncated header');
    await expectFileError(decodeBytes(full.subarray(0, 40), 't4.wav'), 't4.wav', 'truncated header');
    await expectFileError(decodeBytes(ascii('fLaC'), 't5.flac'), 't5.flac', 'truncated header');
    await expectFileError(decodeBytes(ascii('RIF'), 't6.wav'), 't6.wav', 'truncated header');
    await expectFileError(decodeBytes(concat(ascii('OggS'), new Uint8Array(20)), 't9.ogg'), 't9.ogg', 'truncated header');
    await expectFileError(decodeBytes(wav(new Uint8Array(14), new Uint8Array(4)), 't7.wav'), 't7.wav', 'fmt chunk is 14 bytes');
    await expectFileError(decodeBytes(riffWave(chunk('fmt ', fmtBody(1, 1, 8000, 16))), 't8.wav'), 't8.wav', 'WAV file has no data chunk');
  });

  it('a data chunk shorter than declared is refused, with both sizes', async () => {
    const full = wav(fmtBody(1, 2, 44100, 16), new Uint8Array(4000));
    await expectFileError(decodeBytes(full.subarray(0, 44 + 1000), 'cut.wav'), 'cut.wav', 'data chunk declares 4000 bytes but only 1000 are present');
  });

  it('zero samples', async () => {
    await expectFileError(decodeBytes(wav(fmtBody(1, 2, 44100, 16), new Uint8Array(0)), 'z.wav'), 'z.wav', 'contains no audio samples');
    await expectFileError(decodeBytes(wav(fmtBody(1, 2, 44100, 16), new Uint8Array(3)), 'z3.wav'), 'z3.wav', 'contains no audio samples');
  });

  it('NaN and ±Infinity in float data, with channel, sample index and time', async () => {
    const samples = new Float32Array(2 * 48000);
    samples[2 * 24000 + 1] = NaN; // right channel, sample 24000 = 0.5 s
    await expectFileError(
      decodeBytes(wav(fmtBody(3, 2, 48000, 32), new Uint8Array(samples.buffer)), 'nan.wav'),
      'nan.wav',
      /^non-finite sample \(NaN\) in channel 2 at sample 24000 \(0\.500 s\)$/,
    );
    const d = new Float64Array(3);
    d[2] = -Infinity;
    await expectFileError(
      decodeBytes(wav(fmtBody(3, 1, 8000, 64), new Uint8Array(d.buffer)), 'inf.wav'),
      'inf.wav',
      'non-finite sample (-Infinity) in channel 1 at sample 2 (0.000 s)',
    );
    const big = new Float64Array([1e300]); // finite as a double, infinite as float32
    await expectFileError(decodeBytes(wav(fmtBody(3, 1, 8000, 64), new Uint8Array(big.buffer)), 'big.wav'), 'big.wav', '+Infinity');
  });

  it('unsupported WAV codecs name the format tag', async () => {
    const cases: [number, string][] = [
      [0x0011, 'unsupported WAV codec 0x0011 (IMA ADPCM)'],
      [0x0007, 'unsupported WAV codec 0x0007 (mu-law)'],
      [0x0055, 'unsupported WAV codec 0x0055 (MPEG Layer 3)'],
      [0x0002, 'unsupported WAV codec 0x0002 (MS ADPCM)'],
      [0x1234, 'unsupported WAV codec 0x1234;'],
    ];
    for (const [tag, message] of cases) {
      await expectFileError(decodeBytes(wav(fmtBody(tag, 1, 8000, 4, 256), new Uint8Array(512)), 'c.wav'), 'c.wav', message);
    }
    const ext = fmtExtensible(0x0011, 2, 44100, 16, 16);
    await expectFileError(decodeBytes(wav(ext, new Uint8Array(8)), 'e.wav'), 'e.wav', 'unsupported WAV codec 0x0011 (IMA ADPCM)');
    const oddGuid = fmtExtensible(1, 2, 44100, 16, 16);
    oddGuid[30] = 0x99; // not a KSDATAFORMAT_SUBTYPE derived from a format tag
    await expectFileError(decodeBytes(wav(oddGuid, new Uint8Array(8)), 'g.wav'), 'g.wav', 'sub-format GUID');
    await expectFileError(decodeBytes(wav(fmtBody(3, 1, 8000, 16), new Uint8Array(8)), 'f16.wav'), 'f16.wav', 'unsupported float bit depth 16');
  });

  it('channel count, sample rate and block align', async () => {
    await expectFileError(decodeBytes(wav(fmtBody(1, 6, 48000, 16), new Uint8Array(24)), 'six.wav'), 'six.wav', /^has 6 channels; only mono and stereo are supported$/);
    await expectFileError(decodeBytes(wav(fmtBody(1, 0, 48000, 16, 2), new Uint8Array(24)), 'none.wav'), 'none.wav', 'has zero channels');
    await expectFileError(
      decodeBytes(wav(fmtBody(1, 2, 4000, 16), new Uint8Array(8)), 'low.wav'),
      'low.wav',
      /^sample rate 4000 Hz is outside the supported range 8000\.\.192000 Hz$/,
    );
    await expectFileError(decodeBytes(wav(fmtBody(1, 2, 384000, 16), new Uint8Array(8)), 'high.wav'), 'high.wav', 'sample rate 384000 Hz');
    await expectFileError(
      decodeBytes(wav(fmtBody(1, 2, 44100, 16, 6), new Uint8Array(12)), 'ba.wav'),
      'ba.wav',
      'bad block align 6 in fmt chunk (expected 4 for 2 channel(s) of 16-bit samples)',
    );
  });

  it('errors from decodeBytes name the given path, and bytes with an offset inside a larger buffer decode', async () => {
    const inner = wav(fmtBody(1, 1, 8000, 16), concat(u16(0x4000), u16(0xc000)));
    const padded = new Uint8Array(inner.length + 3);
    padded.set(inner, 3);
    const a = await decodeBytes(padded.subarray(3), 'offset.wav');
    expect(Array.from(a.left)).toEqual([0.5, -0.5]);
  });
});

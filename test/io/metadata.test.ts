/**
 * Release metadata in WAV: ISRC / text validation, the LIST/INFO and id3 chunk bytes against their specifications,
 * tolerant reading, the decoder's read-back, unchanged audio, and ffprobe as an independent reader.
 */
import { spawnSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeBytes, decodeFile, encodeWav, writeWavFile } from '../../src/io/index.js';
import {
  buildId3Tag,
  buildInfoList,
  checkTagText,
  formatIsrc,
  MAX_TAG_CHARS,
  parseId3v2,
  parseInfoList,
  parseIsrc,
  tryParseIsrc,
  validateReleaseTags,
} from '../../src/io/metadata.js';
import type { ReleaseTags } from '../../src/io/types.js';
import { UserError } from '../../src/util/errors.js';
import { ascii, chunk, concat, fmtBody, riffWave, u32, withTempDir, xorshift32 } from './helpers.js';

const UNICODE_TITLE = 'Café Ünïcode — 東京';
const TAGS = { title: UNICODE_TITLE, artist: 'Ärtist & Co', isrc: 'us-s1z-99-00001' };
const FORMATS = [
  { kind: 'pcm', bits: 16 },
  { kind: 'pcm', bits: 24 },
  { kind: 'float', bits: 32 },
] as const;

/** Deterministic stereo noise in [-1, 1) (xorshift32), the same on every call. */
function noise(frames = 1001): Float32Array[] {
  const next = xorshift32(7);
  return [0, 1].map(() => Float32Array.from({ length: frames }, () => next() / 2 ** 31 - 1));
}

/** Top-level RIFF chunks of a WAV file, split by an independent reader (RIFF spec: LE sizes, pad to even). */
function splitChunks(file: Uint8Array): { id: string; start: number; end: number; body: Uint8Array }[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const out = [];
  for (let at = 12; at + 8 <= file.length; ) {
    const size = view.getUint32(at + 4, true);
    const end = at + 8 + size + (size & 1);
    out.push({ id: String.fromCharCode(...file.subarray(at, at + 4)), start: at, end, body: file.subarray(at + 8, at + 8 + size) });
    at = end;
  }
  return out;
}

function withoutChunk(file: Uint8Array, id: string): Uint8Array {
  return riffWave(...splitChunks(file).filter((c) => c.id !== id).map((c) => file.subarray(c.start, c.end)));
}

function expectOneLineUserError(fn: () => unknown, ...parts: (string | RegExp)[]): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(UserError);
  const message = (err as Error).message;
  expect(message).not.toContain('\n');
  for (const p of parts) expect(message).toMatch(p);
}

describe('parseIsrc (ISO 3901: CC XXX YY NNNNN)', () => {
  it('accepts the display form, the compact form, any case and partial hyphenation; returns 12 upper-case characters', () => {
    expect(parseIsrc('US-S1Z-99-00001')).toBe('USS1Z9900001');
    expect(parseIsrc('uss1z9900001')).toBe('USS1Z9900001');
    expect(parseIsrc('  gb-aye-00-00351 ')).toBe('GBAYE0000351');
    expect(parseIsrc('USS1Z-99-00001')).toBe('USS1Z9900001');
    expect(parseIsrc('QZ-9AB-24-12345')).toBe('QZ9AB2412345'); // registrant codes may start with a digit
  });

  it('rejects wrong lengths, bad groups and misplaced hyphens with a one-line message naming the format', () => {
    const cases: [string, RegExp][] = [
      ['US-S1Z-99-0001', /11 characters/],
      ['USS1Z99000011', /13 characters/],
      ['', /0 characters/],
      ['U1-S1Z-99-00001', /country code must be 2 letters \(got "U1"\)/],
      ['1SS1Z9900001', /country code must be 2 letters/],
      ['US-S_Z-99-00001', /registrant code must be 3 letters or digits/],
      ['US-S1Z-9A-00001', /year must be 2 digits \(got "9A"\)/],
      ['US-S1Z-99-0000I', /designation code must be 5 digits \(got "0000I"\)/],
      ['USS-1Z9900001', /hyphens may only separate the groups/],
      ['US-S1Z-99-00001\nrm -rf', /characters/],
    ];
    for (const [text, reason] of cases) {
      expect(tryParseIsrc(text)).toBeNull();
      expectOneLineUserError(() => parseIsrc(text), /^invalid ISRC "/, reason, /expected CC-XXX-YY-NNNNN/);
    }
  });

  it('does not fold non-ASCII letters onto A-Z (dotless ı and long ſ upper-case to I and S)', () => {
    expect('ı'.toUpperCase()).toBe('I');
    expect('ſ'.toUpperCase()).toBe('S');
    expect(tryParseIsrc('ıS-S1Z-99-00001')).toBeNull();
    expect(tryParseIsrc('UŞ-S1Z-99-00001')).toBeNull();
    expect(tryParseIsrc('Uſ-S1Z-99-00001')).toBeNull();
  });

  it('formatIsrc gives the display form', () => {
    expect(formatIsrc('USS1Z9900001')).toBe('US-S1Z-99-00001');
    expect(formatIsrc('not an isrc')).toBe('not an isrc');
  });
});

describe('title / artist validation', () => {
  it('trims, and accepts up to 255 code points (astral characters count once)', () => {
    expect(checkTagText('title', '  Song  ')).toBe('Song');
    expect(checkTagText('title', '😀'.repeat(MAX_TAG_CHARS))).toHaveLength(2 * MAX_TAG_CHARS);
    expect(validateReleaseTags({ title: ' A ', isrc: 'us-s1z-99-00001' })).toEqual({ title: 'A', isrc: 'USS1Z9900001' });
  });

  it('rejects empty text, control characters, over-long text and lone surrogates', () => {
    expectOneLineUserError(() => checkTagText('title', '   '), 'the title is empty');
    expectOneLineUserError(() => checkTagText('artist', 'a\nb'), 'the artist contains a control character (U+000A)');
    expectOneLineUserError(() => checkTagText('title', 'bell\u0007'), 'U+0007');
    expectOneLineUserError(() => checkTagText('title', 'csi\u009b'), 'U+009B');
    expectOneLineUserError(() => checkTagText('title', 'x'.repeat(256)), 'the title is 256 characters long; at most 255');
    expectOneLineUserError(() => checkTagText('title', 'bad \ud800 text'), 'lone surrogate');
    expectOneLineUserError(() => validateReleaseTags({ isrc: 'US-S1Z-99' }), 'invalid ISRC');
  });
});

describe('chunk bytes (RIFF INFO list; ID3v2.4.0 main structure)', () => {
  const tags = { title: 'Song', artist: 'Band', isrc: 'USS1Z9900001' };

  it('LIST/INFO: NUL-terminated ZSTRs, sizes counting the NUL, odd bodies padded to even', () => {
    const zstr = (s: string) => concat(ascii(s), Uint8Array.of(0));
    const expected = chunk('LIST', concat(ascii('INFO'), chunk('INAM', zstr('Song')), chunk('IART', zstr('Band')), chunk('ISRC', zstr('USS1Z9900001'))));
    expect(Array.from(buildInfoList(tags))).toEqual(Array.from(expected));
    // Hand-counted: INAM 5 bytes + pad, IART 5 + pad, ISRC 13 + pad → LIST body 4 + 14 + 14 + 22 = 54.
    expect(Array.from(expected.subarray(4, 8))).toEqual([54, 0, 0, 0]);
    expect(buildInfoList({})).toHaveLength(0);
  });

  it('id3: "ID3" 4.0, no flags, synchsafe tag and frame sizes, UTF-8 text frames', () => {
    const frame = (id: string, text: string, sizeBytes: number[]) => concat(ascii(id), Uint8Array.from(sizeBytes), Uint8Array.of(0, 0, 3), ascii(text));
    const expected = concat(
      ascii('ID3'), Uint8Array.of(4, 0, 0, 0, 0, 0, 53), // 15 + 15 + 23 bytes of frames
      frame('TIT2', 'Song', [0, 0, 0, 5]),
      frame('TPE1', 'Band', [0, 0, 0, 5]),
      frame('TSRC', 'USS1Z9900001', [0, 0, 0, 13]),
    );
    expect(Array.from(buildId3Tag(tags))).toEqual(Array.from(expected));
    // 200 bytes of text + the encoding byte = 201 = 1·128 + 73: synchsafe bytes 00 00 01 49, not 00 00 00 c9.
    const long = buildId3Tag({ title: 'x'.repeat(200) });
    expect(Array.from(long.subarray(14, 18))).toEqual([0, 0, 1, 0x49]);
    expect(Array.from(long.subarray(6, 10))).toEqual([0, 0, 1, 0x53]); // 211 = 1·128 + 83
  });
});

describe('tag parsing (foreign writers)', () => {
  it('ID3v2.3 with UTF-16 (BOM) and latin-1 frames, tag-level unsynchronisation, after an extended header', () => {
    const utf16le = (s: string) => concat(Uint8Array.of(1, 0xff, 0xfe), Uint8Array.from(Array.from(s).flatMap((c) => [c.charCodeAt(0) & 0xff, c.charCodeAt(0) >> 8])));
    const frame = (id: string, body: Uint8Array) => concat(ascii(id), u32(body.length, false), Uint8Array.of(0, 0), body);
    const body = concat(
      u32(6, false), new Uint8Array(6), // extended header: size excludes itself (v2.3)
      frame('TIT2', utf16le('Über')),
      // latin-1 "Bébÿé", frame size 6; the tag is unsynchronised, so FF E9 (a false MPEG sync) is written FF 00 E9
      concat(ascii('TPE1'), u32(6, false), Uint8Array.of(0, 0), Uint8Array.of(0, 0x42, 0xe9, 0x62, 0xff, 0x00, 0xe9)),
      frame('TSRC', concat(Uint8Array.of(0), ascii('GBAYE0000351'))),
      new Uint8Array(20), // padding
    );
    const tag = concat(ascii('ID3'), Uint8Array.of(3, 0, 0xc0, 0, 0, body.length >> 7, body.length & 0x7f), body);
    expect(parseId3v2(tag)).toEqual({ title: 'Über', artist: 'Bébÿé', isrc: 'GBAYE0000351' });
  });

  it('ID3v2.4 frame unsynchronisation and data length indicator; v2.2 three-letter frames', () => {
    // Text "ÿ" in latin-1 is 0xFF; unsynchronised it is written FF 00.
    const frameBody = Uint8Array.of(0, 0, 0, 2, 0, 0xff, 0x00); // DLI (synchsafe 2), encoding 0, FF 00
    const v4 = concat(ascii('TIT2'), Uint8Array.of(0, 0, 0, frameBody.length, 0, 0x03), frameBody);
    expect(parseId3v2(concat(ascii('ID3'), Uint8Array.of(4, 0, 0, 0, 0, 0, v4.length), v4))).toEqual({ title: 'ÿ' });

    const v2 = concat(ascii('TT2'), Uint8Array.of(0, 0, 5), Uint8Array.of(0), ascii('Old!'), ascii('TRC'), Uint8Array.of(0, 0, 13), Uint8Array.of(0), ascii('USS1Z9900001'));
    expect(parseId3v2(concat(ascii('ID3'), Uint8Array.of(2, 0, 0, 0, 0, 0, v2.length), v2))).toEqual({ title: 'Old!', isrc: 'USS1Z9900001' });
  });

  it('INFO: latin-1 text that is not UTF-8, and an ISRC field holding legacy "source" text is not reported', () => {
    const body = concat(ascii('INFO'), chunk('INAM', Uint8Array.of(0x43, 0x61, 0x66, 0xe9, 0)), chunk('ISRC', concat(ascii('Tape archive 3'), Uint8Array.of(0))));
    expect(parseInfoList(body)).toEqual({ title: 'Café' });
    expect(parseInfoList(concat(ascii('adtl'), chunk('INAM', ascii('no'))))).toEqual({});
  });

  it('never throws: every truncation of valid tags and random bytes', () => {
    const id3 = buildId3Tag({ title: UNICODE_TITLE, artist: 'A', isrc: 'USS1Z9900001' });
    const info = buildInfoList({ title: UNICODE_TITLE, artist: 'A', isrc: 'USS1Z9900001' }).subarray(8);
    for (let n = 0; n <= id3.length; n++) expect(() => parseId3v2(id3.subarray(0, n))).not.toThrow();
    for (let n = 0; n <= info.length; n++) expect(() => parseInfoList(info.subarray(0, n))).not.toThrow();
    const next = xorshift32(99);
    for (let trial = 0; trial < 300; trial++) {
      const junk = Uint8Array.from({ length: 10 + (next() % 300) }, () => next() & 0xff);
      junk.set(ascii('ID3'), 0);
      junk[3] = 2 + (trial % 3);
      expect(() => parseId3v2(junk)).not.toThrow();
      junk.set(ascii('INFO'), 0);
      expect(() => parseInfoList(junk)).not.toThrow();
    }
  });
});

describe('WAV with metadata', () => {
  it('without metadata (omitted, undefined or {}) the file bytes are unchanged', () => {
    for (const format of FORMATS) {
      const plain = encodeWav(noise(), 44100, format);
      expect(Buffer.compare(encodeWav(noise(), 44100, format, undefined), plain)).toBe(0);
      expect(Buffer.compare(encodeWav(noise(), 44100, format, {}), plain)).toBe(0);
    }
  });

  it('is the plain file with LIST and id3 chunks inserted before data: audio bytes identical, RIFF size adjusted', async () => {
    for (const format of FORMATS) {
      const plain = encodeWav(noise(), 48000, format);
      const tagged = encodeWav(noise(), 48000, format, TAGS);
      const p = splitChunks(plain);
      const t = splitChunks(tagged);
      expect(t.map((c) => c.id)).toEqual([...p.map((c) => c.id).slice(0, -1), 'LIST', 'id3 ', 'data']);
      for (const c of p) expect(Buffer.compare(t.find((x) => x.id === c.id)!.body, c.body)).toBe(0);
      expect(t[t.length - 1].end).toBe(tagged.length);
      expect(new DataView(tagged.buffer).getUint32(4, true)).toBe(tagged.length - 8);
      expect(t.every((c) => c.start % 2 === 0)).toBe(true);

      const a = await decodeBytes(plain, 'plain.wav');
      const b = await decodeBytes(tagged, 'tagged.wav');
      expect(Buffer.compare(Buffer.from(b.left.buffer), Buffer.from(a.left.buffer))).toBe(0);
      expect(Buffer.compare(Buffer.from(b.right.buffer), Buffer.from(a.right.buffer))).toBe(0);
      expect(a.source.tags).toBeUndefined();
      expect('tags' in a.source).toBe(false);
      expect(b.source.tags).toEqual({ title: UNICODE_TITLE, artist: 'Ärtist & Co', isrc: 'USS1Z9900001' });
    }
  });

  it('reads back from either chunk alone, prefers id3 over INFO, and decodes past foreign chunks', async () => {
    const tagged = encodeWav(noise(), 44100, FORMATS[1], TAGS);
    const expected = { title: UNICODE_TITLE, artist: 'Ärtist & Co', isrc: 'USS1Z9900001' };
    expect((await decodeBytes(withoutChunk(tagged, 'LIST'), 'x.wav')).source.tags).toEqual(expected);
    expect((await decodeBytes(withoutChunk(tagged, 'id3 '), 'x.wav')).source.tags).toEqual(expected);

    const [fmt, , id3, data] = splitChunks(tagged).map((c) => tagged.subarray(c.start, c.end));
    const info = buildInfoList({ title: 'Info title', artist: 'Info artist' });
    const garbageId3 = chunk('id3 ', Uint8Array.of(0x49, 0x44, 0x33, 4, 0, 0, 0x7f, 0x7f, 0x7f, 0x7f, 0xff, 0xff));
    const cue = chunk('LIST', concat(ascii('adtl'), chunk('labl', concat(u32(1), ascii('cue!\0')))));
    const mixed = riffWave(fmt, garbageId3, cue, data, info, id3); // metadata after data, as some DAWs write it
    const decoded = await decodeBytes(mixed, 'mixed.wav');
    expect(decoded.source.tags).toEqual({ title: UNICODE_TITLE, artist: 'Ärtist & Co', isrc: 'USS1Z9900001' });
    const onlyInfo = await decodeBytes(riffWave(fmt, cue, data, info), 'info.wav');
    expect(onlyInfo.source.tags).toEqual({ title: 'Info title', artist: 'Info artist' });
    const onlyGarbage = await decodeBytes(riffWave(chunk('fmt ', fmtBody(1, 1, 8000, 16)), garbageId3, chunk('data', Uint8Array.of(0, 0x40))), 'g.wav');
    expect(onlyGarbage.source.tags).toBeUndefined();
    expect(onlyGarbage.left[0]).toBe(0.5);
    // A tag chunk cut short by the end of the file after the data: still decodes, the tags are partial or absent.
    const cut = mixed.subarray(0, mixed.length - 20);
    expect(Array.from((await decodeBytes(cut, 'cut.wav')).left)).toEqual(Array.from(decoded.left));
  });

  it('writeWavFile writes the same bytes as encodeWav, and refuses bad metadata before writing anything', async () => {
    await withTempDir(async (dir) => {
      const out = join(dir, 'master.wav');
      await writeWavFile(out, noise(), 44100, FORMATS[1], { metadata: TAGS });
      expect(Buffer.compare(await readFile(out), encodeWav(noise(), 44100, FORMATS[1], TAGS))).toBe(0);
      expect((await decodeFile(out)).source.tags?.isrc).toBe('USS1Z9900001');

      await writeFile(out, 'previous master');
      await expect(writeWavFile(out, noise(), 44100, FORMATS[1], { metadata: { isrc: 'US-S1Z-99-0001' } })).rejects.toThrow(UserError);
      await expect(writeWavFile(out, noise(), 44100, FORMATS[1], { metadata: { title: '' } })).rejects.toThrow('the title is empty');
      expect(await readFile(out, 'utf8')).toBe('previous master');
      expect(await readdir(dir)).toEqual(['master.wav']);
    });
  });
});

const HAVE_FFPROBE = spawnSync('ffprobe', ['-version']).status === 0;
if (!HAVE_FFPROBE) console.warn('ffprobe not found: skipping the ffprobe/ffmpeg checks of WAV metadata');

function ffprobeTags(file: string, input?: Uint8Array): Record<string, string> {
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format_tags', '-of', 'json', file], { encoding: 'utf8', input });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout).format?.tags ?? {};
}

describe.skipIf(!HAVE_FFPROBE)('ffprobe / ffmpeg read the tags and the audio', () => {
  it('ffprobe shows title, artist and ISRC (from INFO; ffmpeg drops id3 when INFO is present), also from a pipe', async () => {
    await withTempDir(async (dir) => {
      for (const format of FORMATS) {
        const path = join(dir, `tagged-${format.kind}${format.bits}.wav`);
        await writeWavFile(path, noise(), 44100, format, { metadata: TAGS });
        expect(ffprobeTags(path)).toEqual({ title: UNICODE_TITLE, artist: 'Ärtist & Co', ISRC: 'USS1Z9900001' });
        // From a pipe ffmpeg cannot seek past the data chunk: the tags must come before it.
        expect(ffprobeTags('pipe:0', await readFile(path))).toEqual({ title: UNICODE_TITLE, artist: 'Ärtist & Co', ISRC: 'USS1Z9900001' });
      }
    });
  });

  it('each chunk alone is read: the id3 chunk gives title, artist and TSRC; the INFO list title, artist and ISRC', async () => {
    await withTempDir(async (dir) => {
      const tagged = encodeWav(noise(), 44100, FORMATS[0], TAGS);
      await writeFile(join(dir, 'id3.wav'), withoutChunk(tagged, 'LIST'));
      await writeFile(join(dir, 'info.wav'), withoutChunk(tagged, 'id3 '));
      expect(ffprobeTags(join(dir, 'id3.wav'))).toEqual({ title: UNICODE_TITLE, artist: 'Ärtist & Co', TSRC: 'USS1Z9900001' });
      expect(ffprobeTags(join(dir, 'info.wav'))).toEqual({ title: UNICODE_TITLE, artist: 'Ärtist & Co', ISRC: 'USS1Z9900001' });
    });
  });

  it('ffmpeg decodes the same audio bytes from the tagged file as our data chunk holds', async () => {
    await withTempDir(async (dir) => {
      const codecs = { 16: 's16le', 24: 's24le', 32: 'f32le' } as const;
      for (const format of FORMATS) {
        const path = join(dir, 'tagged.wav');
        const tagged = encodeWav(noise(), 44100, format, TAGS);
        await writeFile(path, tagged);
        const raw = spawnSync('ffmpeg', ['-v', 'error', '-i', path, '-f', codecs[format.bits], '-c:a', `pcm_${codecs[format.bits]}`, '-'], { maxBuffer: 1 << 24 });
        expect(raw.status, String(raw.stderr)).toBe(0);
        const data = splitChunks(encodeWav(noise(), 44100, format)).find((c) => c.id === 'data')!.body;
        expect(raw.stdout.length).toBe(data.length);
        expect(Buffer.compare(raw.stdout, data)).toBe(0);
      }
    });
  });

  it('our decoder reads the INFO tags ffmpeg itself writes', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'ffmpeg.wav');
      const r = spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=0.1', '-metadata', `title=${UNICODE_TITLE}`,
        '-metadata', 'artist=Ffmpeg Artist', '-metadata', 'ISRC=GB-AYE-00-00351', path], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const tags: ReleaseTags | undefined = (await decodeFile(path)).source.tags;
      expect(tags).toEqual({ title: UNICODE_TITLE, artist: 'Ffmpeg Artist', isrc: 'GBAYE0000351' });
    });
  });
});

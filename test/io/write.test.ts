import { link, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFile, encodeWav, writeWavFile } from '../../src/io/index.js';
import { AudioFileError } from '../../src/util/errors.js';
import { expectFileError, withTempDir } from './helpers.js';

const PCM16 = { kind: 'pcm', bits: 16 } as const;
const tone = () => [Float32Array.of(0.5, -0.25, 0), Float32Array.of(0.125, 0, -1)];

describe('writeWavFile', () => {
  it('counts the samples the encoding changed: 0 exactly when the file decodes to the given floats', async () => {
    await withTempDir(async (dir) => {
      const out = join(dir, 'master.wav');
      // on the 16-bit grid (k / 32768): written unchanged
      expect(await writeWavFile(out, tone(), 44100, PCM16)).toEqual({ changedSamples: 0 });
      // one sample between grid points (rounded), one beyond full scale (clipped)
      const off = [Float32Array.of(0.5, 1 / 65536 + 1 / 32768, 0), Float32Array.of(0.125, 0, 1)];
      expect(await writeWavFile(out, off, 44100, PCM16)).toEqual({ changedSamples: 2 });
      const back = await decodeFile(out);
      expect(back.left[1]).not.toBe(off[0][1]);
      expect(back.right[2]).toBe(32767 / 32768);
      expect(await writeWavFile(out, off, 44100, { kind: 'float', bits: 32 })).toEqual({ changedSamples: 0 });
    });
  });

  it('replaces an existing (non-input) file and leaves no temporary file', async () => {
    await withTempDir(async (dir) => {
      const out = join(dir, 'master.wav');
      await writeFile(out, 'old contents');
      await writeWavFile(out, tone(), 44100, PCM16, { inputs: [join(dir, 'mix.wav')] });
      expect(Buffer.compare(await readFile(out), Buffer.from(encodeWav(tone(), 44100, PCM16)))).toBe(0);
      const audio = await decodeFile(out);
      expect(Array.from(audio.right)).toEqual([0.125, 0, -1]);
      expect(await readdir(dir)).toEqual(['master.wav']);
    });
  });

  it('refuses to overwrite an input: same path, relative path, symlink, hard link', async () => {
    await withTempDir(async (dir) => {
      const input = join(dir, 'mix.wav');
      const original = encodeWav([Float32Array.of(0.5)], 8000, PCM16);
      await writeFile(input, original);
      await symlink(input, join(dir, 'alias.wav'));
      await link(input, join(dir, 'hard.wav'));
      await mkdir(join(dir, 'sub'));
      const targets = [input, relative(process.cwd(), input), join(dir, 'sub', '..', 'mix.wav'), join(dir, 'alias.wav'), join(dir, 'hard.wav')];
      for (const target of targets) {
        await expectFileError(writeWavFile(target, tone(), 44100, PCM16, { inputs: [input] }), target, 'is also an input file');
      }
      // and the other way round: the input named through the symlink, the output by its real path
      await expectFileError(writeWavFile(input, tone(), 44100, PCM16, { inputs: [join(dir, 'alias.wav')] }), input, 'is also an input file');
      expect(Buffer.compare(await readFile(input), Buffer.from(original))).toBe(0);
      expect((await readdir(dir)).sort()).toEqual(['alias.wav', 'hard.wav', 'mix.wav', 'sub']);
    });
  });

  it('a failure leaves neither a partial output nor a temporary file, and keeps an existing file', async () => {
    await withTempDir(async (dir) => {
      const out = join(dir, 'master.wav');
      await writeFile(out, 'previous master');
      const broken = [new Float32Array(100_000)];
      broken[0][90_000] = NaN; // found in the second write block, after data was written
      await expect(writeWavFile(out, broken, 44100, PCM16)).rejects.toThrow(/non-finite sample NaN in channel 1 at sample 90000/);
      await expect(writeWavFile(out, broken, 44100, PCM16)).rejects.not.toBeInstanceOf(AudioFileError);
      expect(await readFile(out, 'utf8')).toBe('previous master');
      expect(await readdir(dir)).toEqual(['master.wav']);
    });
  });

  it('reports a missing directory and a directory destination as AudioFileErrors', async () => {
    await withTempDir(async (dir) => {
      const nowhere = join(dir, 'no-such-dir', 'out.wav');
      await expectFileError(writeWavFile(nowhere, tone(), 44100, PCM16), nowhere, 'cannot write: the directory does not exist');
      await expectFileError(writeWavFile(dir, tone(), 44100, PCM16), dir, 'is a directory');
      expect(await readdir(dir)).toEqual([]);
    });
  });
});

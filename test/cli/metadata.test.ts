/**
 * `refmaster analyze` reports a WAV's release metadata (title, artist, ISRC): the compiled CLI in a child process,
 * on files tagged by our encoder and by ffmpeg.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../src/io/index.js';
import { runCli } from '../helpers/cli.js';

const TITLE = 'Café Ünïcode — 東京';
let dir = '';

/** One second of a 1 kHz sine at -12 dBFS, 48 kHz stereo. */
function sine(): Float32Array[] {
  const x = Float32Array.from({ length: 48000 }, (_, i) => 0.25 * Math.sin((2 * Math.PI * 1000 * i) / 48000));
  return [x, x];
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'refmaster-cli-metadata-'));
});

describe('refmaster analyze: release metadata', () => {
  it('--json reports format.tags with the title, artist and canonical ISRC', () => {
    const path = join(dir, 'tagged.wav');
    writeFileSync(path, encodeWav(sine(), 48000, { kind: 'pcm', bits: 24 }, { title: TITLE, artist: 'The Artist', isrc: 'us-s1z-99-00001' }));
    const r = runCli('analyze', path, '--json');
    expect(r.code, r.stderr).toBe(0);
    const [report] = JSON.parse(r.stdout);
    expect(report.format.tags).toEqual({ title: TITLE, artist: 'The Artist', isrc: 'USS1Z9900001' });
    expect(report.format.codec).toBe('pcm_s24le');
  });

  it('the table shows a Tags line (ISRC in its display form); an untagged file has neither the line nor the key', () => {
    const path = join(dir, 'table.wav');
    writeFileSync(path, encodeWav(sine(), 48000, { kind: 'float', bits: 32 }, { title: TITLE, artist: 'The "Quoted" Artist', isrc: 'GBAYE0000351' }));
    const r = runCli('analyze', path);
    expect(r.code, r.stderr).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.trim().startsWith('Tags'));
    expect(line).toBeDefined();
    expect(line!.replace(/^\s*Tags\s+/, '')).toBe(`title "${TITLE}", artist "The \\"Quoted\\" Artist", ISRC GB-AYE-00-00351`);

    const plain = join(dir, 'plain.wav');
    writeFileSync(plain, encodeWav(sine(), 48000, { kind: 'float', bits: 32 }));
    const table = runCli('analyze', plain);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain('Integrated');
    expect(table.stdout).not.toMatch(/^\s*Tags/m);
    const json = runCli('analyze', plain, '--json');
    expect('tags' in JSON.parse(json.stdout)[0].format).toBe(false);
  });

  const haveFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
  it.skipIf(!haveFfmpeg)('reads the RIFF INFO tags ffmpeg writes (skipped without ffmpeg)', () => {
    const path = join(dir, 'ffmpeg.wav');
    const made = spawnSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=1000:duration=1', '-metadata', `title=${TITLE}`,
      '-metadata', 'artist=Someone Else', '-metadata', 'ISRC=FR-Z03-14-00123', path], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const r = runCli('analyze', path, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)[0].format.tags).toEqual({ title: TITLE, artist: 'Someone Else', isrc: 'FRZ031400123' });
  });
});

/** `refmaster render` and `refmaster chain` as a user meets them (compiled CLI in a child process). */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { measureLoudness } from '../../src/analysis/loudness.js';
import { measureTruePeak } from '../../src/analysis/truepeak.js';
import { decodeFile } from '../../src/io/decode.js';
import { DEMO_MIX, expectOneLineError, runCli } from '../helpers/cli.js';

const demo = DEMO_MIX;
let dir = '';

const run = runCli;


beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'refmaster-render-'));
});

describe('refmaster render', () => {
  it('renders the demo to a loudness target under the ceiling and reports each stage', async () => {
    const out = join(dir, 'master.wav');
    const r = run('render', demo, '--set', 'limiter.targetLufs=-12', '-o', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/LUFS/);
    expect(r.stdout).toMatch(/limiter/);
    const master = await decodeFile(out);
    expect(master.source.bitDepth).toBe(24);
    expect(Math.abs(measureLoudness([master.left, master.right], master.sampleRate).integratedLufs! + 12)).toBeLessThanOrEqual(0.1);
    expect(measureTruePeak([master.left, master.right], master.sampleRate).truePeakDbtp).toBeLessThanOrEqual(-1);
  });

  it('--json gives the render report', () => {
    const out = join(dir, 'j.wav');
    const r = run('render', demo, '--json', '--set', 'output.format=pcm16', '-o', out);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.file).toBe(out);
    expect(report.format).toEqual({ kind: 'pcm', bits: 16 });
    expect(report.stages.map((s: { stage: string }) => s.stage)).toContain('limiter');
  });

  it('refuses bad parameters with one line and writes nothing', () => {
    const out = join(dir, 'never.wav');
    expectOneLineError(run('render', demo, '--set', 'limiter.ceilingDb=-1', '-o', out), /did you mean limiter\.ceilingDbtp\?/);
    expectOneLineError(run('render', demo, '--set', 'compressor.ratio=9', '-o', out), /compressor\.ratio must be between 1 and 4/);
    expectOneLineError(run('render', demo, '--set', 'output.sampleRateHz=4000', '-o', out), /sampleRateHz must be between 8000 and 192000 Hz/);
    const newer = join(dir, 'newer.json');
    writeFileSync(newer, JSON.stringify({ refmaster: 'chain', version: 99 }));
    expectOneLineError(run('render', demo, '--chain', newer, '-o', out), /newer than this refmaster/);
    expect(existsSync(out)).toBe(false);
  });

  it('never overwrites its input and leaves no partial file when the output cannot be written', () => {
    const copy = join(dir, 'input.flac');
    writeFileSync(copy, readFileSync(demo));
    const before = readFileSync(copy);
    expectOneLineError(run('render', copy, '-o', copy), /input\.flac/);
    expect(readFileSync(copy).equals(before)).toBe(true);
    expectOneLineError(run('render', demo, '-o', join(dir, 'no-such-dir', 'out.wav')), /no-such-dir/);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('refmaster render --cache (the tweak loop across runs)', () => {
  it('reuses the pre-limiter render from disk and gives the same bits as a render without cache', () => {
    const cache = join(dir, 'cache');
    const first = JSON.parse(run('render', demo, '--json', '--cache', cache, '-o', join(dir, 'a.wav')).stdout);
    expect(first.cache.preLimiter).toBe('miss');
    const second = JSON.parse(run('render', demo, '--json', '--cache', cache, '--set', 'limiter.ceilingDbtp=-2', '-o', join(dir, 'b.wav')).stdout);
    expect(second.cache.preLimiter).toBe('disk');
    expect(run('render', demo, '--set', 'limiter.ceilingDbtp=-2', '-o', join(dir, 'c.wav')).code).toBe(0);
    expect(readFileSync(join(dir, 'b.wav')).equals(readFileSync(join(dir, 'c.wav')))).toBe(true);
  });
});

describe('refmaster chain', () => {
  it('prints the default chain, which render accepts back', () => {
    const r = run('chain');
    expect(r.code).toBe(0);
    const path = join(dir, 'chain.json');
    writeFileSync(path, r.stdout);
    expect(JSON.parse(r.stdout).stages.limiter.ceilingDbtp).toBe(-1);
    expect(run('render', demo, '--chain', path, '--set', 'output.format=float32', '-o', join(dir, 'c.wav')).code).toBe(0);
  });

  it('prints the JSON Schema and the parameter names', () => {
    expect(JSON.parse(run('chain', '--schema').stdout).$schema).toMatch(/json-schema/);
    expect(run('chain', '--params').stdout.split('\n')).toContain('limiter.ceilingDbtp');
  });
});

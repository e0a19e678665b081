import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MOVE_NAMES } from '../../src/assistant/params.js';
import { ChainSchema } from '../../src/chain/spec.js';
import { DEMO_MIX, expectOneLineError, REPO, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'refmaster-suggest-'));
const REF = join(REPO, 'test/fixtures/demo/demo-reference.flac');

describe('refmaster suggest', () => {
  it('proposes every move with a reason, towards a target, and writes a chain that render accepts', () => {
    const chainPath = join(dir, 'chain.json');
    const r = runCli('suggest', DEMO_MIX, '--target', 'apple', '--json', '-o', chainPath);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(Object.keys(rep.suggestion.moves)).toEqual(MOVE_NAMES);
    expect(rep.loudness).toEqual({ targetLufs: -16, ceilingDbtp: -1, source: '--target apple' });
    expect(rep.suggestion.reasons.every((x: { reason: string }) => x.reason.length > 10)).toBe(true);
    const chain = ChainSchema.parse(JSON.parse(readFileSync(chainPath, 'utf8')));
    expect(chain.stages.limiter.targetLufs).toBe(-16);
    const out = join(dir, 'rendered.wav');
    const render = runCli('render', DEMO_MIX, '--chain', chainPath, '-o', out, '--json');
    expect(render.code).toBe(0);
    expect(JSON.parse(render.stdout).output.truePeakDbtp).toBeLessThanOrEqual(-1);
  });

  it('prints one line per move with units towards a reference, the loudness from the reference', () => {
    const r = runCli('suggest', DEMO_MIX, '-r', REF);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/towards the reference/);
    expect(r.stdout).toMatch(/ dB at 110 Hz|low shelf.*left alone/);
    expect(r.stdout).toMatch(/limiter to -?\d+\.\d LUFS, ceiling -1 dBTP +from references/);
  });

  it('refuses a missing model, and references with a target, in one line', () => {
    expectOneLineError(runCli('suggest', DEMO_MIX, '--model', join(dir, 'none.onnx')), /none\.onnx: cannot read the model \(ENOENT\)/);
    expectOneLineError(runCli('suggest', DEMO_MIX, '-r', REF, '--target', 'spotify'), /references or --target, not both/);
  });
});

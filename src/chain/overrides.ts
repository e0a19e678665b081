/**
 * Command-line overrides: `--set stage.param=value` (e.g. `limiter.ceilingDbtp=-1`,
 * `eq.bands.0.gainDb=2`, `limiter.targetLufs=null`). Values are JSON where they parse as JSON
 * (numbers, true/false, null, arrays), strings otherwise. Unknown names get a "did you mean".
 */
import type { z } from 'zod';
import { UserError } from '../util/errors.js';
import { STAGE_ORDER, STAGE_SCHEMAS, type StageName } from './spec.js';

/** Every settable `stage.param` name (array items are addressed by index below them). */
export function parameterNames(): string[] {
  return STAGE_ORDER.flatMap((stage) => Object.keys((STAGE_SCHEMAS[stage] as z.ZodObject).shape).map((p) => `${stage}.${p}`));
}

/** Levenshtein distance (Wagner–Fischer), case-insensitive. */
function distance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

export function didYouMean(name: string, candidates: string[]): string | null {
  let best: string | null = null, bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(name, c);
    if (d < bestDistance) { best = c; bestDistance = d; }
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : null;
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Applies `stage.param=value` assignments to a raw (not yet validated) chain object, returning a new object. */
export function applyOverrides(raw: unknown, assignments: string[]): unknown {
  const chain = structuredClone((raw ?? {}) as Record<string, unknown>);
  const stages = ((chain.stages ??= {}) as Record<string, Record<string, unknown>>);
  const known = parameterNames();
  for (const assignment of assignments) {
    const eq = assignment.indexOf('=');
    if (eq < 0) throw new UserError(`--set ${assignment}: expected stage.param=value`);
    const name = assignment.slice(0, eq).trim();
    const path = name.split('.');
    const stageParam = path.slice(0, 2).join('.');
    if (path.length < 2 || !known.includes(stageParam)) {
      const hint = didYouMean(stageParam, known);
      throw new UserError(`--set ${name}: unknown parameter${hint ? ` (did you mean ${hint}?)` : `; parameters are ${STAGE_ORDER.join(', ')} stages' fields, e.g. limiter.ceilingDbtp`}`);
    }
    const stage = (stages[path[0] as StageName] ??= {}) as Record<string, unknown>;
    let target: Record<string, unknown> = stage;
    for (let i = 1; i < path.length - 1; i++) {
      const key = path[i];
      const next = target[key] ?? (/^\d+$/.test(path[i + 1]) ? [] : {});
      target[key] = next;
      target = next as Record<string, unknown>;
      if (Array.isArray(target)) {
        // Items created by index start empty, so the schema fills their defaults.
        const index = Number(path[i + 1]);
        for (let k = target.length; k <= index; k++) (target as unknown[])[k] = {};
      }
    }
    target[path[path.length - 1]] = parseValue(assignment.slice(eq + 1).trim());
  }
  return chain;
}

/** Reading a chain document: JSON → validated Chain, with one-line errors that name the file, the parameter and the allowed range. */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { UserError } from '../util/errors.js';
import { CHAIN_VERSION, ChainSchema, type Chain } from './spec.js';

export { defaultChain } from './defaults.js';

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const path = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => `unknown parameter ${path ? `${path}.` : ''}${k}`).join(', ');
  }
  let got: unknown = input;
  for (const key of issue.path) got = got !== null && typeof got === 'object' ? (got as Record<PropertyKey, unknown>)[key] : undefined;
  const shown = got === undefined ? '' : ` (got ${JSON.stringify(got)})`;
  return `${path || 'chain'} ${issue.message}${shown}`;
}

/** Validates a parsed JSON value; `source` names it in errors (a file path, or "--set"). */
export function parseChain(value: unknown, source: string): Chain {
  if (value && typeof value === 'object' && typeof (value as { version?: unknown }).version === 'number') {
    const version = (value as { version: number }).version;
    if (version > CHAIN_VERSION) {
      throw new UserError(`${source}: chain version ${version} is newer than this refmaster understands (${CHAIN_VERSION}); update refmaster`);
    }
  }
  const result = ChainSchema.safeParse(value);
  if (!result.success) throw new UserError(`${source}: ${result.error.issues.map((i) => describeIssue(i, value)).join('; ')}`);
  return result.data;
}

export async function loadChainFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot read (${code})`}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UserError(`${path}: not valid JSON (${(err as Error).message})`);
  }
}

/** The JSON Schema of the chain document (draft 2020-12), for UIs and other programs. */
export function chainJsonSchema(): object {
  return z.toJSONSchema(ChainSchema, { io: 'input' });
}

/** Files shipped with the program (models/, references/), found from src/util (sources, tests) or dist/src/util (build). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

function packageRoot(): string {
  for (const rel of ['../../', '../../../']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}package.json`) && existsSync(`${dir}src`)) return dir;
  }
  throw new Error('refmaster: the package folder was not found beside the program');
}

export const PACKAGE_ROOT = packageRoot();
export const shippedFile = (relative: string): string => `${PACKAGE_ROOT}${relative}`;

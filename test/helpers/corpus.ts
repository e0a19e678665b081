/** The shared corpus of real music beside the repo (`../shared/corpus`); tests that need it skip when it is absent. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CORPUS = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));
export const HAS_CORPUS = existsSync(CORPUS);

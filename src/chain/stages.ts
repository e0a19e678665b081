/**
 * The stage names in the fixed professional order, without the schema (spec.ts checks that its
 * stages are these, in this order): the renderer needs only the order, and the schema library takes
 * ~150 ms to load.
 */
export const STAGE_ORDER = ['input', 'eq', 'matchEq', 'compressor', 'multiband', 'imager', 'saturation', 'character', 'limiter', 'output'] as const;

export type StageName = (typeof STAGE_ORDER)[number];

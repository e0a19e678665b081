/**
 * The wasm decoders print their errors with console.error as well as returning them; the library must not
 * print (the CLI does), so their synchronous decode calls run with console.error muted. Safe because the call is
 * synchronous: no other code can run while the console is swapped.
 */
export function quietly<T>(fn: () => T): T {
  const saved = console.error;
  console.error = () => {};
  try {
    return fn();
  } finally {
    console.error = saved;
  }
}

/** The package ships no types: its default export is an Emscripten module factory. */
declare module '@echogarden/pffft-wasm/simd' {
  const createModule: () => Promise<unknown>;
  export default createModule;
}

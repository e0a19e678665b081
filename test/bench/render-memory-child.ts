/** Decodes one file and renders the benchmark's full chain over it, then reports the peak RSS (run by render.ts in a fresh process). */
import { RenderSession } from '../../src/chain/render.js';
import { decodeFile } from '../../src/io/decode.js';
import { fullChain } from './full-chain.js';

const audio = await decodeFile(process.argv[2]);
await new RenderSession(audio).render(fullChain());
const decodedBytes = audio.left.byteLength + (audio.right === audio.left ? 0 : audio.right.byteLength);
process.stdout.write(JSON.stringify({ maxRssMb: process.resourceUsage().maxRSS / 1024, decodedMb: decodedBytes / 2 ** 20 }));

// `node site_templates/pack.mjs` (npm run build:pack, run by npm run build): writes app.js.br/.gz and
// app.css.br/.gz beside the bundle, so the costly brotli quality 11 runs once per build, not in every
// generator that starts on a fresh public/ (1.2 s of a 2-core machine, before anything is published).
// The generator takes these siblings only when they unpack to the bundle it publishes.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const dist = join(fileURLToPath(new URL('.', import.meta.url)), 'dist');
for (const name of ['app.js', 'app.css']) {
  const data = readFileSync(join(dist, name));
  writeFileSync(join(dist, name + '.br'), brotliCompressSync(data, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
  }));
  writeFileSync(join(dist, name + '.gz'), gzipSync(data, { level: 9 }));
}

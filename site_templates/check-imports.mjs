// `node site_templates/check-imports.mjs [DIR]` (npm run check-imports, run by npm run build).
// Fails when any page source imports the whole ECharts package ('echarts' or 'echarts/index*'):
// the bundle must register only the charts and components the page uses, through 'echarts/core'.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// The folder to check: site_templates/src, or the one given (the tests check a planted bad import).
const root = process.argv[2] || join(fileURLToPath(new URL('.', import.meta.url)), 'src');
const IMPORT = /(?:import\s[^'"]*?from\s*|import\s*\(\s*|import\s+|require\s*\(\s*|export\s[^'"]*?from\s*)['"]([^'"]+)['"]/g;
const FORBIDDEN = /^echarts(?:\/index(?:\.\w+)*(?:\.js)?|\/dist\/.*)?$/;

function* sources(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (/\.(m?js|ts)$/.test(entry.name)) yield path;
  }
}

const problems = [];
for (const file of sources(root)) {
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(IMPORT)) {
    if (FORBIDDEN.test(match[1])) {
      const line = text.slice(0, match.index).split('\n').length;
      problems.push(`${relative(process.cwd(), file)}:${line}: imports '${match[1]}'; import from 'echarts/core', 'echarts/charts', 'echarts/components' and 'echarts/renderers' instead`);
    }
  }
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log('check-imports: no source imports the whole echarts package');

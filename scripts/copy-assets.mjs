// `npm run build` step: tsc compiles the TypeScript to dist/; the pages' own files (HTML and the
// browser script, src/pages/) are copied beside their compiled module, where it reads them.
import { cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const from = 'src/pages';
const to = join('dist', 'src', 'pages');
const files = readdirSync(from).filter((name) => /\.(html|js|css)$/.test(name));
for (const name of files) cpSync(join(from, name), join(to, name));
console.info(`copied ${files.length} page files to ${to}`);

/** Writes docs/configuration.md from the config schema (`npm run docs`). */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configurationMarkdown } from '../src/config/docs.js';

const target = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));
writeFileSync(target, configurationMarkdown());
console.log(`wrote ${target}`);

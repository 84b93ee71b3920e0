// Copies the static page into dist/, which Quinoa serves. No bundler yet: the page has no dependencies.
import { cpSync, rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
cpSync('public', 'dist', { recursive: true });
console.log('webui: public/ copied to dist/');

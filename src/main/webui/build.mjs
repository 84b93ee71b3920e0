// Builds dist/, which Quinoa serves at /: the static page (public/) and the ES modules it loads (src/),
// as they are. No bundler: the page has no dependencies and every browser it needs loads modules.
import { cpSync, rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
cpSync('public', 'dist', { recursive: true });
cpSync('src', 'dist/src', { recursive: true });

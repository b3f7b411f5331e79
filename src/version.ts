// The npm package version is the single source of truth: pyproject reads it too (hatch-nodejs-version).
// package.json lies outside tsc's rootDir (src), so it is required at run time, not imported.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const data = require('../package.json') as { name: string; version: string };

export const MODULE_NAME: string = data.name;
export const MODULE_VERSION: string = data.version;

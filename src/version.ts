// The npm package version is the single source of truth: pyproject reads it too (hatch-nodejs-version).
// eslint-disable-next-line @typescript-eslint/no-var-requires
const data = require('../package.json') as { name: string; version: string };

export const MODULE_NAME: string = data.name;
export const MODULE_VERSION: string = data.version;

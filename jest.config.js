/**
 * Jest for src/ (tests in src/__tests__; they read tests/fixtures and render-constants.json too).
 * ts-jest compiles .ts with tsconfig.test.json (CommonJS, jest + node types).
 * d3 v7 and its helpers ship ESM only (.js in "type": "module" packages, and
 * d3's .mjs bundle), so babel-jest transforms them; everything else in
 * node_modules is left alone by ONE combined transformIgnorePatterns regex.
 */
const esmPackages = ['d3', 'd3-[^/]+', 'internmap', 'delaunator', 'robust-predicates'];

/** @type {import('jest').Config} */
module.exports = {
  roots: ['<rootDir>/src'],
  testEnvironment: 'node',
  testMatch: ['**/__tests__/**/*.test.ts'],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'mjs', 'cjs', 'json'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }],
    '^.+\\.m?js$': [
      'babel-jest',
      { babelrc: false, configFile: false, presets: [['@babel/preset-env', { targets: { node: 'current' } }]] }
    ]
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`]
};

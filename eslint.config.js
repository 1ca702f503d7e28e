import { builtinModules } from 'node:module';

import js from '@eslint/js';
import lit from 'eslint-plugin-lit';
import wc from 'eslint-plugin-wc';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The dependency direction (ARCHITECTURE.md, "Layers"): contract/ imports nothing; widget/, server/
// and emulator/ import contract/ and never each other; only `npm start`'s entry files
// (server/start-*.ts) wire the emulator in. Node built-ins stay out of the parts that must run
// anywhere.
const NODE_BUILTINS = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];
/** Forbids imports matching `folders` (gitignore-style patterns) and, with `node: false`, Node's built-ins. */
const layer = (message, folders, { node = false } = {}) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: [{ group: folders, message }],
      paths: node ? [] : NODE_BUILTINS.map((name) => ({ name, message })),
    },
  ],
});
const noProcess = {
  'no-restricted-globals': [
    'error',
    { name: 'process', message: 'Only server/main.ts reads the process: take what you need as an option.' },
  ],
};

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'coverage/',
      'bench/results/',
      'examples/*/node_modules/',
      'examples/*/dist/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
      // One private-member style: TypeScript's `private`, but in widget/ (below).
      'no-restricted-syntax': [
        'error',
        { selector: 'PrivateIdentifier', message: 'Use TypeScript `private`, not `#name` (one style).' },
      ],
    },
  },
  {
    ...lit.configs['flat/recommended'],
    files: ['widget/**/*.ts', 'test/widget/**/*.ts'],
    languageOptions: { globals: globals.browser },
  },
  {
    ...wc.configs['flat/recommended'],
    files: ['widget/**/*.ts'],
  },
  {
    files: [
      'server/**',
      'emulator/**',
      'scripts/**',
      'test/server/**',
      'test/emulator/**',
      'test/dom/**',
      'test/e2e/**',
      'test/support/**',
      'bench/**',
      '*.js',
      '*.mjs',
      '*.ts',
    ],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['emulator/link/**'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['test/widget/**'],
    languageOptions: { globals: globals.mocha },
  },
  // ── layers ──
  {
    files: ['contract/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'ImportDeclaration', message: 'contract/ imports nothing: every part imports it.' },
        { selector: 'ExportAllDeclaration', message: 'contract/ imports nothing: every part imports it.' },
        { selector: 'ExportNamedDeclaration[source]', message: 'contract/ imports nothing.' },
        { selector: 'ImportExpression', message: 'contract/ imports nothing.' },
        { selector: 'PrivateIdentifier', message: 'Use TypeScript `private`, not `#name` (one style).' },
      ],
    },
  },
  // widget/: private members are `#name`, which the minifier shortens; TypeScript's `private` names
  // ship whole (0.3 kB gzip of the drop-in script). Reactive properties stay `private` fields: the
  // element base makes them accessors on the prototype, which a `#name` cannot be.
  {
    files: ['widget/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MethodDefinition[accessibility='private']",
          message: 'In widget/, private methods are `#name` (the minifier shortens them).',
        },
      ],
    },
  },
  {
    files: ['widget/**/*.ts'],
    rules: layer('widget/ is browser code: it imports contract/ and lit, never server/, emulator/ or Node.', [
      '**/server/**',
      '**/emulator/**',
    ]),
  },
  {
    files: ['server/**/*.ts'],
    ignores: ['server/main.ts', 'server/site.ts', 'server/start-*.ts'],
    rules: {
      ...layer(
        'server/ is runtime-neutral: it imports contract/, never widget/, emulator/ or Node built-ins (server/main.ts, server/site.ts and server/start-*.ts excepted).',
        ['**/widget/**', '**/emulator/**'],
      ),
      ...noProcess,
    },
  },
  // `npm start`: main.ts reads the environment and listens; start-*.ts wire the API (and, with no
  // Plaid keys, the emulator) into the site; site.ts serves files from disk.
  {
    files: ['server/main.ts'],
    rules: layer(
      'server/main.ts reads the environment and listens; the emulator is wired in by server/start-*.ts.',
      ['**/widget/**', '**/emulator/**'],
      { node: true },
    ),
  },
  {
    files: ['server/start-*.ts'],
    rules: {
      ...layer(
        'server/start-*.ts wire npm start: they import contract/, server/ and emulator/, never widget/ or Node built-ins.',
        ['**/widget/**'],
      ),
      ...noProcess,
    },
  },
  {
    files: ['server/site.ts'],
    rules: {
      ...layer(
        'server/site.ts serves files; it never imports widget/ or emulator/.',
        ['**/widget/**', '**/emulator/**'],
        {
          node: true,
        },
      ),
      ...noProcess,
    },
  },
  {
    files: ['emulator/**/*.ts'],
    rules: {
      ...layer('emulator/ imports contract/ and its own files, never widget/, server/ or Node built-ins.', [
        '**/widget/**',
        '**/server/**',
      ]),
      ...noProcess,
    },
  },
);

import js from '@eslint/js';
import lit from 'eslint-plugin-lit';
import wc from 'eslint-plugin-wc';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
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
      'emulator/api/**',
      'scripts/**',
      'test/server/**',
      'test/emulator/**',
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
);

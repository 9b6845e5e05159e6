// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/** Modules the pure core must never touch: platforms, stores, Node's I/O. */
const forbiddenInDomain = [
  {
    group: ['@slack/*', 'botbuilder', 'botbuilder-*', '@azure/*', 'better-sqlite3', 'pino'],
    message: 'src/domain is pure: platforms and stores belong in adapters.',
  },
  {
    group: ['node:*', 'fs', 'fs/*', 'http', 'https', 'net', 'child_process', 'path', 'os'],
    message: 'src/domain is pure: no I/O. Pass what you need in.',
  },
  {
    group: ['../app/*', '../../app/*', '../cli/*', '../../cli/*', '../config*', '../../config*'],
    message: 'src/domain must not depend on outer layers.',
  },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'coverage/',
      'data/',
      'scratch/',
      'jest.config.js',
      'tests/summary-reporter.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: forbiddenInDomain }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'The core never reads the clock: take `now` as an argument.',
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'The core never reads the clock: take `now` as an argument.',
        },
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
          message: 'The core is deterministic.',
        },
        { selector: "MemberExpression[object.name='process']", message: 'The core does not read the environment.' },
      ],
    },
  },
  {
    files: ['eslint.config.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  // Layout is Prettier's (npm run format); lint checks it with prettier --check.
  prettier,
);

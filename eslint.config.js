// One lint setup for the whole workspace. Formatting is prettier's job (.prettierrc.json);
// this catches what formatting cannot: unused code, unsafe patterns, broken layering.
import tseslint from 'typescript-eslint'

const pureLayers = ['packages/dsl/src/**', 'packages/rules/src/**', 'packages/nodes/src/**', 'packages/engine/src/**']

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', '**/*.json'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // The runtime's services are moving from synchronous SQLite calls to the asynchronous store
    // (apps/runtime/src/store): a promise left unawaited would let a write escape its
    // transaction, or an error go unseen. These rules need the type checker, so they cover the
    // runtime's own code only.
    files: ['apps/runtime/src/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    // The pure core runs in the browser and in the deterministic engine: no I/O, no clock, no dice.
    files: pureLayers,
    ignores: ['**/*.test.ts', '**/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'Pure packages take I/O through an injected context.' },
            {
              group: ['react', 'react-dom', 'express', 'drizzle-orm', 'better-sqlite3'],
              message: 'Pure packages stay free of UI, server and database code.',
            },
            {
              group: ['@carepath/runtime', '@carepath/designer'],
              message: 'Dependencies point one way: dsl ← rules ← nodes ← engine ← apps.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Use the injected clock (ctx.now()).' },
        { object: 'Math', property: 'random', message: 'Evaluation must be deterministic.' },
      ],
    },
  },
)

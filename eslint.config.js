// Lint rules from the style guide: no `any`, real clock and randomness only in src/time/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const clockMessage = 'Use the injected Clock / Random (src/time/) instead.';

export default tseslint.config(
  { ignores: ['dist/**', 'dist-check/**', 'node_modules/**', 'holdfast-data/**', '.stryker-tmp/**', 'reports/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-ignore': true, 'ts-expect-error': 'allow-with-description' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/time/**', 'src/**/*.test.ts', 'src/web/**'],
    rules: {
      'no-restricted-globals': ['error',
        { name: 'setTimeout', message: clockMessage },
        { name: 'setInterval', message: clockMessage },
        { name: 'performance', message: clockMessage },
      ],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: clockMessage },
        { object: 'Math', property: 'random', message: clockMessage },
        { object: 'performance', property: 'now', message: clockMessage },
      ],
      'no-restricted-syntax': ['error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: clockMessage },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);

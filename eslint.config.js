import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bin/**', 'bench/**', 'scripts/**', 'test/fixtures/**', 'run/**'] },
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // Pure logic stays free of I/O: the config parser, the process state machine, codecs, rendering.
    files: ['src/config/ini-reader.ts', 'src/config/values.ts', 'src/config/expand.ts',
      'src/config/parse*.ts', 'src/config/dump.ts', 'src/process/machine.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: ['node:fs', 'node:fs/*', 'node:child_process', 'node:net', 'node:http', 'node:os', 'node:process',
          'execa', 'fastify', 'pino', 'rotating-file-stream'],
      }],
    },
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);

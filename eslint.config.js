import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bin/**', 'bench/**', 'scripts/**', 'stack/**', 'test/fixtures/**', 'run/**'] },
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
    // One-way data flow: the CLI and the HTTP surface know the ControlApi contract, never the engine.
    files: ['src/cli/**/*.ts', 'src/server/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: ['**/supervisor/*', '**/process/*', '**/logging/*', '**/main/*'],
      }],
    },
  },
  {
    // Pure logic stays free of I/O: config parsing, the state machine, the XML-RPC codec, rendering.
    files: ['src/config/ini-reader.ts', 'src/config/values.ts', 'src/config/expand.ts', 'src/config/shlex.ts',
      'src/config/parse*.ts', 'src/config/dump.ts', 'src/config/diff.ts', 'src/process/machine.ts', 'src/process/state.ts',
      'src/process/command.ts', 'src/supervisor/process-info.ts', 'src/supervisor/generation.ts', 'src/xmlrpc/*.ts', 'src/api/*.ts', 'src/cli/render.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: ['node:fs', 'node:fs/*', 'node:child_process', 'node:net', 'node:http', 'node:os', 'node:process',
          'execa', 'fastify', 'pino', 'rotating-file-stream', '**/supervisor/*', '**/main/*'],
      }],
    },
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The dashboard's page script is plain browser JS with no tsconfig of its own: linted, untyped.
    files: ['web/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);

// Lint for the whole package: typescript-eslint's recommended rules everywhere, plus n8n's community-node rules
// for the n8n half (nodes/, credentials/, package.json).
//
// This pack is for self-hosted n8n only (see docs/n8n.md), so it uses the plugin's
// `recommendedWithoutN8nCloudSupport` preset: the cloud-only rules (`no-restricted-imports`,
// `no-restricted-globals`) cannot hold for a package whose protocol core keeps a long-lived HTTP event channel
// open, reconnects with timers and will speak raw TCP/UDP (TelServer) and socket.io (Voicenter). That is also
// why package.json's `n8n.strict` is false: strict mode requires the template eslint config byte for byte.
import n8nCommunityNodes from '@n8n/eslint-plugin-community-nodes';
import tseslint from 'typescript-eslint';

const n8nPreset = n8nCommunityNodes.configs.recommendedWithoutN8nCloudSupport;

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.tmp/**', 'reports/**'] },

  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    rules: {
      // tsconfig's noUnusedLocals/Parameters already fail the build; `_name` marks a deliberately unused one.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },

  {
    files: ['nodes/**/*.ts', 'credentials/**/*.ts', 'package.json'],
    plugins: n8nPreset.plugins,
    rules: {
      ...n8nPreset.rules,
      // The same package ships the Node-RED nodes and the socket/HTTP protocol core, which need
      // socket.io-client, fast-xml-parser and axios at run time (Node-RED requires real `dependencies`);
      // n8n installs them with the package on self-hosted instances. Not eligible for n8n Cloud by design.
      '@n8n/community-nodes/no-runtime-dependencies': 'off',
      // Both nodes declare their credentials from the platform list (nodes/shared/platforms.ts), each with
      // `testedBy: 'pbxConnectionTest'` (a login through methods.credentialTest); this rule only recognises
      // literal arrays in the node file. test/n8n/package.test.ts checks the real, loaded descriptions instead.
      '@n8n/community-nodes/credential-test-required': 'off',
    },
  },

  {
    // package.json is read as a JS object expression, the way n8n's own lint setup does it.
    files: ['package.json'],
    languageOptions: { parser: tseslint.parser, parserOptions: { extraFileExtensions: ['.json'] } },
    rules: { '@typescript-eslint/no-unused-expressions': 'off' },
  },

  {
    // The CLI and the benchmark load sub-commands lazily by path (fast start-up); tests load CommonJS-only
    // modules (the node-red runtime and its test helper) by path.
    files: ['cli/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);

import nx from '@nx/eslint-plugin';

const services = ['auth', 'user', 'billing', 'jobs', 'webhook-delivery', 'console'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', '**/.nx', '**/*.js', '**/*.mjs'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          banTransitiveDependencies: true,
          checkNestedExternalImports: true,
          depConstraints: [
            // A service is built only from shared libraries, never from another service.
            ...services.map((s) => ({
              sourceTag: `scope:${s}`,
              onlyDependOnLibsWithTags: [`scope:${s}`, 'scope:shared'],
            })),
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            {
              sourceTag: 'type:service',
              onlyDependOnLibsWithTags: ['type:platform', 'type:contracts', 'type:testing', 'type:mcp'],
            },
            // Platform specs use the testing library; production code may not (see below).
            {
              sourceTag: 'type:platform',
              onlyDependOnLibsWithTags: ['type:platform', 'type:contracts', 'type:testing'],
            },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
            {
              sourceTag: 'type:testing',
              onlyDependOnLibsWithTags: ['type:testing', 'type:platform', 'type:contracts', 'type:client', 'type:mcp'],
            },
            // The client SDK is published on its own: it may use the contracts' types, nothing else
            // of ours. No service imports it (type:service above does not list it); tests may.
            { sourceTag: 'type:client', onlyDependOnLibsWithTags: ['type:contracts'] },
            // The MCP tools are written against a port; only its stdio entry plugs in the SDK.
            { sourceTag: 'type:mcp', onlyDependOnLibsWithTags: ['type:client', 'type:contracts'] },
            // `npm run demo` is a client application: the SDK only.
            { sourceTag: 'type:demo', onlyDependOnLibsWithTags: ['type:client'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...restrictedImports(),
];

/**
 * Only the messaging and outbox libraries talk to the broker (everything else writes outbox
 * rows or declares handlers), and the testing library never ships in production code. Tests
 * and their support code may use both, to set up and inspect the real servers.
 */
function restrictedImports() {
  const amqp = ['amqplib', 'amqp-connection-manager'].map((name) => ({
    name,
    message: 'Only @conveyor/messaging and @conveyor/outbox may use the AMQP client.',
  }));
  const testing = ['@conveyor/testing', '@conveyor/service-testing'].map((name) => ({
    name,
    message: 'Test helpers belong in specs only.',
  }));
  const brokerLibs = ['libs/messaging/**', 'libs/outbox/**'];
  const testCode = ['**/*.spec.ts', '**/test/**', 'libs/testing/**', 'libs/service-testing/**', 'libs/system-tests/**'];
  const rule = (paths) => ({ 'no-restricted-imports': ['error', { paths }] });
  return [
    { files: ['**/*.ts'], ignores: [...brokerLibs, ...testCode], rules: rule([...amqp, ...testing]) },
    { files: brokerLibs.map((g) => `${g}/*.ts`), ignores: testCode, rules: rule(testing) },
  ];
}

import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

/** The house lines (docs/architecture.md § Anatomy). Only tests may use @smartbeak/testing. */
const boundaries = (isTest) => [
  'error',
  {
    enforceBuildableLibDependency: true,
    banTransitiveDependencies: false,
    allow: [],
    depConstraints: [
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
      { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
      { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib'] },
      {
        sourceTag: 'scope:shared',
        onlyDependOnLibsWithTags: isTest ? ['scope:shared', 'scope:testing'] : ['scope:shared'],
      },
    ],
  },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  prettier,
  {
    ignores: ['**/dist', '**/node_modules', '**/.nx', '**/.data', '**/coverage', '**/tmp'],
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      // Lets consistent-type-imports keep value imports that decorator metadata needs (DI tokens, DTOs).
      parserOptions: { emitDecoratorMetadata: true, experimentalDecorators: true },
    },
    rules: {
      // The house lines (docs/architecture.md): apps never import apps, libs never import apps,
      // every lib is imported through its index as @smartbeak/<lib>.
      '@nx/enforce-module-boundaries': boundaries(false),
      // Interfaces must not reach decorator metadata as values.
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      // Config fields need explicit types for design:type (see libs/config).
      '@typescript-eslint/no-inferrable-types': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read settings through a config schema (@smartbeak/config).',
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries(true) },
  },
  {
    files: [
      '**/*.spec.ts',
      '**/test/**/*.ts',
      'apps/platform-e2e/**/*.ts',
      'libs/testing/**/*.ts',
      'libs/config/**/*.ts',
      '**/database/data-source.ts',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The deployment checks read every app's config class: what each manifest must provide is
    // the class's to say (deploy/test/manifests.spec.ts). Nothing else may reach into apps.
    files: ['deploy/test/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
];

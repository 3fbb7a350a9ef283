// Lint: typescript-eslint's recommended type-checked rules on every TypeScript file, zero findings (`npm run lint`,
// part of `npm test`). The server and what runs beside it use tsconfig.json (Node, no DOM); the designer uses
// designer/tsconfig.json (DOM, bundler resolution). Module boundaries: .dependency-cruiser.cjs; unused code: knip.json.
import tseslint from 'typescript-eslint';

/**
 * Files that handle untyped objects by nature, where the no-unsafe-* family (any flowing through member access,
 * calls, arguments, assignments, returns) would flag nearly every line. The rules stay on everywhere else, and
 * for every new file. Shrink these lists; do not grow them.
 */
const UNTYPED = {
  // bpmn-js / diagram-js objects in the designer: the libraries ship no types (or `any` ones) and their element
  // trees are read by `$type` and dynamic attribute names. The server reads moddle trees typed (the engine's
  // ModdleElement, the validation's own shapes), so nothing under server/ is on this list: keep it so.
  bpmn: [
    'designer/src/modeler/**/*.ts', 'designer/src/viewer/**/*.ts',
    'designer/src/tthc/model.ts', 'designer/src/pages/version.ts',
  ],
  // knex rows come back as `any`. None is read untyped any more: a row interface per table and `db<XxxRow>('table')`
  // or a stated result type (README, "One store style"). Keep this list empty.
  rows: [],
  // Tests, benchmarks and browser scenarios read JSON bodies (supertest's `res.body` is `any`) and page.evaluate
  // results; a cast before each assertion would add noise and catch nothing the assertion does not.
  checks: ['test/**/*.ts', 'designer/test/**/*.ts', 'designer/e2e/**/*.ts', 'bench/**/*.ts'],
};

export default tseslint.config(
  { ignores: ['node_modules/', 'designer/dist/', 'data/', 'test-artifacts/', 'coverage/', '.scratch/', '**/*.js', '**/*.cjs', '**/*.mjs'] },
  ...tseslint.configs.recommendedTypeChecked.map((c) => ({ ...c, files: ['**/*.ts'] })),
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { project: ['./tsconfig.json', './designer/tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `const { secret: _s, ...rest } = row` drops a field on purpose; `_`-prefixed names are meant unused.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }],
      // `let lifecycle!: LifecycleService` is read by closures before its one assignment (composition root, forward references).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // async functions without await implement Promise-returning interfaces (BackgroundService.start, store
      // methods): being async makes a throw a rejection, which is what their callers handle.
      '@typescript-eslint/require-await': 'off',
      // knex's where-builder callbacks return the (thenable) builder, and DOM listeners may be async: a Promise
      // passed where a void callback is expected is intended there. Promises in conditions and spreads still fail.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      // Services are closures made by createX factories, never classes using `this`; their interfaces declare
      // members in method shorthand, so this rule reported every `const { listen } = db` for nothing.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // Process variables and moddle attributes are `unknown`: `String(v ?? '')` (typed `{}`) turns them into text on
    // purpose, as do the DOM helpers with attribute values and FormData entries.
    files: ['workers/**/*.ts', 'server/engine/**/*.ts', 'server/validation/paths.ts', 'designer/src/tthc/describe-changes.ts',
      'designer/src/dom.ts', 'designer/src/export/documents.ts', 'designer/src/pages/consultations/consultations.ts', 'designer/src/pages/tasks/tasklist.ts'],
    rules: { '@typescript-eslint/no-base-to-string': 'off' },
  },
  {
    // Failure messages of tests and browser scenarios print whatever they got, arrays and unknowns included.
    files: UNTYPED.checks,
    rules: { '@typescript-eslint/restrict-template-expressions': 'off' },
  },
  {
    files: [...UNTYPED.bpmn, ...UNTYPED.rows, ...UNTYPED.checks],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);

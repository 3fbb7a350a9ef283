/**
 * Module boundaries (`npm run lint` runs `depcruise`; zero violations):
 * - a server capability (server/<name>/) is used by other capabilities only through its index.ts;
 * - a store (store.ts) is read only from its own folder, behind its service;
 * - nothing under server/ imports designer/; workers/ talk to the platform over HTTP and import nothing from server/;
 * - the designer bundles only the server's pure, import-free shared files.
 * No known violations are tolerated (the 31 reach-ins found when these rules came in now go through index.ts; a
 * type-only import through an index is no run-time cycle). Need something from another capability? Re-export it
 * from that capability's index.ts.
 * Shared libraries, not capabilities, may be imported file by file: server/http/ (express plumbing: errors, guard,
 * validation, OpenAPI), server/db/, server/text/, and the root files (config, log, platform, main).
 */
const CAPABILITY = '^server/([^/]+)/';
const LIBRARIES = '^server/(http|db|text)/';
/** What the designer may take from server/: pure files with no imports of their own (and the tthc moddle descriptor). */
const DESIGNER_SHARED = '^server/(calendar/budget\\.ts|documents/font-runs\\.ts|engine/tthc-ns\\.ts|validation/tthc-moddle\\.json|validation/topics\\.ts|tasks/outcome-format\\.ts)$';

module.exports = {
  forbidden: [
    {
      name: 'capability-through-index',
      comment: 'Another capability is imported through its index.ts (its small typed interface), not its inner files.',
      severity: 'error',
      from: { path: CAPABILITY, pathNot: LIBRARIES },
      to: { path: CAPABILITY, pathNot: [LIBRARIES, '^server/$1/', '^server/[^/]+/index\\.ts$'] },
    },
    {
      name: 'root-through-index',
      comment: 'The composition root (platform.ts, main.ts) builds capabilities from their index.ts too.',
      severity: 'error',
      from: { path: '^server/[^/]+\\.ts$' },
      to: { path: CAPABILITY, pathNot: [LIBRARIES, '^server/[^/]+/index\\.ts$', '^server/db/'] },
    },
    {
      name: 'store-only-from-its-folder',
      comment: 'A store is used by its own service (same folder) only.',
      severity: 'error',
      from: { path: '^server/([^/]+)/' },
      to: { path: '^server/[^/]+/store\\.ts$', pathNot: '^server/$1/' },
    },
    {
      name: 'store-only-from-its-folder-outside-server',
      comment: 'Nothing outside server/ (workers, designer, bench) reads a store.',
      severity: 'error',
      from: { path: '^(workers|designer|bench)/' },
      to: { path: '^server/[^/]+/store\\.ts$' },
    },
    {
      name: 'server-not-designer',
      comment: 'The server never imports the designer.',
      severity: 'error',
      from: { path: '^server/' },
      to: { path: '^designer/' },
    },
    {
      name: 'workers-not-server',
      comment: 'workers/ talk to the platform only over HTTP.',
      severity: 'error',
      from: { path: '^workers/' },
      to: { path: '^server/' },
    },
    {
      name: 'designer-only-shared-server-files',
      comment: 'The designer bundles only pure shared files from server/.',
      severity: 'error',
      from: { path: '^designer/(src|test)/' },
      to: { path: '^server/', pathNot: DESIGNER_SHARED },
    },
    {
      name: 'engine-not-http',
      comment: 'The engine throws its own errors (server/engine/errors.ts); they become HTTP answers at the routers (server/engine-rest/errors.ts), never inside the engine.',
      severity: 'error',
      from: { path: '^server/engine/' },
      to: { path: '^server/http/' },
    },
    {
      name: 'no-circular-capabilities',
      comment: 'No import cycles between files.',
      severity: 'error',
      from: { path: '^(server|workers)/' },
      // Type-only imports vanish at run time (platform.ts's BackgroundService type used by a scheduler is no cycle).
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|designer/dist|data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.json'] },
    moduleSystems: ['es6', 'cjs'],
  },
};

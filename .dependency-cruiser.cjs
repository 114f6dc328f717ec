/**
 * The layer order of fleetsim's modules (DESIGN.md, "Modules"), checked by dependency-cruiser
 * on every `npm run lint`: a module may import modules of its own layer or of any layer below
 * it, never one above. Every folder under src/ must be listed here (test/arch checks that), so
 * a new module has to be given a place in the order before it can be merged.
 *
 * Layers, top to bottom. Entries are module names: a folder under src/ (`run`), a file directly
 * under src/ (`errors.ts`), or `workers` for the thread entries in the top-level workers/ folder.
 */
const LAYERS = [
  // The command line and the library entry (src/index.ts) may import anything.
  ['cli', 'index.ts'],
  // Presenters: they import result types from the commands below, never the other way round.
  ['report'],
  // Thread and child-process entries: thin, each calls one library function.
  ['workers'],
  // Orchestration of one command each.
  ['run', 'load', 'sweep', 'compare', 'verify'],
  // The synthetic fleet generator, and the agent under test as its own OS process (it drives
  // the agent through an input driver towards a target, configured by a scenario).
  ['generate', 'agent-process'],
  // The scenario file: schema, defaults and loading, typed with the models' parameter types.
  ['scenario'],
  // The services and models.
  ['targets', 'ingest', 'agent', 'behaviour', 'input', 'observe'],
  ['wire', 'auth', 'policy', 'population', 'pool'],
  // Leaves every layer may use.
  ['events', 'random', 'metrics', 'time', 'errors.ts', 'version.ts', 'ranges.ts', 'v8-flags.ts'],
];

/**
 * Imports that break the order today and are being removed; each names its way out. A new entry
 * needs a reason as good as these, and the list should only shrink.
 */
const KNOWN_EXCEPTIONS = [];

const escapeDots = (s) => s.replace(/[.]/g, '[.]');
/** The path pattern of one module. */
function modulePath(name) {
  if (name === 'workers') return '^workers/';
  if (name.endsWith('.ts')) return `^src/${escapeDots(name)}$`;
  return `^src/${escapeDots(name)}/`;
}
const anyOf = (names) => `(${names.map(modulePath).join('|')})`;

const exceptionFrom = KNOWN_EXCEPTIONS.length === 0 ? '^$' : `(${KNOWN_EXCEPTIONS.map((e) => e.from).join('|')})`;

const layerRules = LAYERS.slice(1).map((layer, i) => {
  const above = LAYERS.slice(0, i + 1).flat();
  return {
    name: `layer-${layer.join('-').replace(/[.]ts/g, '')}`,
    comment: `${layer.join(', ')} must not import a module above them (${above.join(', ')}): dependencies point down (DESIGN.md).`,
    severity: 'error',
    from: { path: anyOf(layer), pathNot: exceptionFrom },
    to: { path: anyOf(above) },
  };
});

/** The layer rule again for a file with a known exception, less the one target it is allowed. */
const exceptionRules = KNOWN_EXCEPTIONS.map((e, i) => {
  const index = LAYERS.findIndex((layer) => layer.includes(e.module));
  if (index < 0) throw new Error(`.dependency-cruiser.cjs: known exception ${e.from} names module ${e.module}, which has no layer`);
  const above = LAYERS.slice(0, index).flat();
  return {
    name: `layer-known-exception-${i + 1}`,
    comment: `${e.from} may import ${e.to} until: ${e.why}. Nothing else above it.`,
    severity: 'error',
    from: { path: e.from },
    to: { path: anyOf(above), pathNot: e.to },
  };
});

module.exports = {
  forbidden: [
    ...layerRules,
    ...exceptionRules,
    {
      name: 'ingest-and-agent-not-workforce',
      comment:
        'The ingest service and the capture agent are the real system under test: they must not know the synthetic workforce (src/population). Time zones and calendars come from src/time.',
      severity: 'error',
      from: { path: '^src/(ingest|agent)/' },
      to: { path: '^src/population/' },
    },
    {
      name: 'no-circular-modules',
      comment: 'Two modules that import each other are one module in two folders.',
      severity: 'error',
      from: { path: '^(src|workers)/' },
      // A cycle through a known exception is that exception, reported once by its layer rule.
      to: { circular: true, viaOnly: { path: '^(src|workers)/', pathNot: exceptionFrom } },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing fails at run time.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.d.ts'],
    },
  },
};
// For test/arch; not enumerable, so dependency-cruiser's configuration stays plain data.
Object.defineProperty(module.exports, 'LAYERS', { value: LAYERS, enumerable: false });

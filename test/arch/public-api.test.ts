/**
 * The library's public surface (src/index.ts, the package's only export) is a short, explicit
 * list of entry points. A name added to it is a promise to users: this test makes that a
 * decision in review rather than the side effect of an `export *`.
 */
import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';

describe('the public API', () => {
  it('exports exactly the entry points, their errors and the version', () => {
    expect(Object.keys(api).sort()).toEqual(
      [
        'EXIT_CODES',
        'FleetsimError',
        'INGEST_ERRORS',
        'IngestError',
        'IngestServer',
        'RunError',
        'ScenarioError',
        'UsageError',
        'VERSION',
        'checkScenarioFile',
        'createIngestServer',
        'generateFleet',
        'loadScenarioFile',
        'mergeLoadResults',
        'mergeRuns',
        'openStore',
        'compareReports',
        'measuredBattery',
        'observeProcessTree',
        'resolveScenario',
        'runLoad',
        'runScenario',
        'runSweep',
        'scenarioJsonSchema',
      ].sort(),
    );
  });

  it('resolves a scenario and refuses a misspelt field through the public names alone', async () => {
    const s = api.resolveScenario({
      name: 'public-api',
      seed: 'public-api',
      fleet: { employees: 2 },
      simulation: { days: 1 },
      transport: 'null',
    });
    expect(s.fleet.employees).toBe(2);
    expect(() => api.resolveScenario({ fleet: { employes: 2 } })).toThrow(api.ScenarioError);
  });
});

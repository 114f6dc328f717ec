/**
 * A hand-built sweep result with known effects, for the effects model and the report:
 * two axes (pause cap 15/60, approval 25/50 %), 3 replicas, two departments, two roles, one timezone.
 * The 15-minute cap costs Engineering (and Developers) 10 points of yield and Sales (Managers) 2;
 * the 50 % approval rate costs everyone 2 points. A little noise per cell and replica keeps the intervals open.
 */
import { cellResult, sweepThresholds, type ReplicaFigures, type SweepResult } from '../../src/sweep/index.js';

export interface FixtureNames {
  readonly name?: string;
  readonly capPath?: string;
  readonly capLabels?: readonly [string, string];
  readonly departments?: readonly [string, string];
}

export function fixtureSweep(o: FixtureNames = {}): SweepResult {
  const capPath = o.capPath ?? 'policy.pauseCapMinutes';
  const capLabels = o.capLabels ?? ['15', '60'];
  const [eng, sales] = o.departments ?? ['Engineering', 'Sales'];
  const approvalPath = 'policy.exemptionApprovalRate';
  const approvalLabels = ['0.25', '0.5'];
  const replicas = 3;
  const cells = [];
  let index = 0;
  for (const [ci, cap] of capLabels.entries()) {
    for (const [ai, approval] of approvalLabels.entries()) {
      const reps: ReplicaFigures[] = [];
      for (let r = 0; r < replicas; r++) {
        const noise = (((r * 7 + index * 3) % 5) - 2) * 0.001;
        const yEng = 0.95 - (ci === 0 ? 0.1 : 0) - (ai === 1 ? 0.02 : 0) + noise;
        const ySales = 0.95 - (ci === 0 ? 0.02 : 0) - (ai === 1 ? 0.02 : 0) + noise;
        const pEng = 1000;
        const pSales = 1000;
        const cEng = pEng * yEng;
        const cSales = pSales * ySales;
        const byDept = { [eng]: [pEng, cEng] as const, [sales]: [pSales, cSales] as const };
        reps.push({
          replica: r,
          seed: `fixture/replica-${r}`,
          produced: pEng + pSales,
          captured: cEng + cSales,
          yield: (cEng + cSales) / (pEng + pSales),
          captured_active_hours_per_employee: 5,
          exempt_share: 0.02,
          pauses_per_employee_day: 1.5,
          tvd: {
            department: Math.abs(cEng / (cEng + cSales) - 0.5),
            role: Math.abs(cEng / (cEng + cSales) - 0.5),
            timezone: 0,
            local_hour: 0.01,
            utc_hour: 0.01,
            activity: 0.001,
          },
          groups: {
            department: byDept,
            role: { Developer: [pEng, cEng], Manager: [pSales, cSales] },
            timezone: { 'Europe/Berlin': [pEng + pSales, cEng + cSales] },
            local_hour: { '9': [pEng, cEng], '10': [pSales, cSales] },
            activity: { key: [pEng, cEng], mouse: [pSales, cSales] },
          },
        });
      }
      cells.push(
        cellResult(index++, { [capPath]: cap, [approvalPath]: Number(approval) }, { [capPath]: cap, [approvalPath]: approval }, reps, []),
      );
    }
  }
  return {
    name: o.name ?? 'fixture',
    mode: 'fast',
    seed: 'fixture',
    employees: 10,
    days: 1,
    replicas,
    axes: [
      { path: capPath, labels: [...capLabels] },
      { path: approvalPath, labels: approvalLabels },
    ],
    cells,
    thresholds: sweepThresholds('fast', [], cells),
    employeeDays: 30,
    events: 24_000,
    wallMs: 1000,
    workers: 0,
  };
}

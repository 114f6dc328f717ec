/**
 * Words for sweep axes and their values: `policy.exemptionApprovalRate` is
 * "Exemption approval rate", 0.25 on it "25 %". The raw path stays in the page
 * (small text and tooltips) for people who edit the scenario file.
 */

interface AxisWords {
  readonly name: string;
  /** How a value reads: a share as a percentage, minutes with a unit, null as words. */
  readonly unit?: 'share' | 'minutes' | 'days' | 'count';
  readonly none?: string;
}

const KNOWN: Readonly<Record<string, AxisWords>> = {
  'policy.pauseCapMinutes': { name: 'Pause cap', unit: 'minutes' },
  'policy.maxPausesPerDay': { name: 'Pauses allowed per day', unit: 'count', none: 'no limit' },
  'policy.cooldownMinutes': { name: 'Wait between pauses', unit: 'minutes' },
  'policy.exemptionApprovalRate': { name: 'Exemption approval rate', unit: 'share' },
  'policy.exemptionReviewDays': { name: 'Exemption review time', unit: 'days' },
  'policy.captureHours': { name: 'Capture hours', none: 'any hour' },
  'fleet.exemptionRequestShare': { name: 'Employees asking for an exemption', unit: 'share' },
  'fleet.pause.neverPauseShare': { name: 'Employees who never pause', unit: 'share' },
  'fleet.pause.occasionalShare': { name: 'Occasional pausers', unit: 'share' },
  'fleet.pause.longPrivacyShare': { name: 'Pauses wanted longer than the cap', unit: 'share' },
  'fleet.pause.untilAutoResumeShare': { name: 'Pauses left to run out', unit: 'share' },
  'fleet.pause.reactionWeights': { name: 'Reaction when the cap ends a pause' },
  agent: { name: 'Agent configuration' },
};

/** "exemptionApprovalRate" → "Exemption approval rate". */
function words(field: string): string {
  const w = field.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return w.charAt(0).toUpperCase() + w.slice(1);
}

/** A readable name for a sweep axis path. */
export function axisName(path: string): string {
  return KNOWN[path]?.name ?? words(path.split('.').pop() ?? path);
}

/** A readable value of an axis, from the label the sweep gives it. */
export function axisValue(path: string, label: string): string {
  const k = KNOWN[path];
  if (label === 'none') return k?.none ?? 'none';
  const x = Number(label);
  if (label.trim() === '' || !Number.isFinite(x) || !k?.unit) return label;
  switch (k.unit) {
    case 'share':
      return `${Number((100 * x).toPrecision(6))} %`;
    case 'minutes':
      return `${label} min`;
    case 'days':
      return `${label} day${x === 1 ? '' : 's'}`;
    case 'count':
      return label;
  }
}

/** "Pause cap 15 min" */
export function axisSetting(path: string, label: string): string {
  return `${axisName(path)} ${axisValue(path, label)}`;
}

const DIMENSION_NAMES: Readonly<Record<string, string>> = {
  department: 'Department',
  role: 'Role',
  timezone: 'Time zone',
  local_hour: 'Local hour of day',
  utc_hour: 'UTC hour of day',
  activity: 'Activity type',
};

export function dimensionName(d: string): string {
  return DIMENSION_NAMES[d] ?? words(d);
}

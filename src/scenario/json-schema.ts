import { z } from 'zod';
import { DEFAULTS } from './defaults.js';
import { scenarioSchema, transportSchema } from './schema.js';

/**
 * The scenario schema as JSON Schema (draft 2020-12), for editors: every field
 * with its description and default, unknown fields refused. It describes the
 * file as written (the input side), so defaulted fields are optional. Checks
 * that span fields (office names in officeMix, a compression level within the
 * codec's range, threshold metric paths) are only in `fleetsim validate`.
 * Editors pick it up from `fleetsim schema --out scenario.schema.json` and a
 * first line `# yaml-language-server: $schema=scenario.schema.json`.
 */
export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(scenarioSchema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      // The transport accepts YAML's null for the null transport; a preprocess step does that, which JSON Schema cannot see.
      if (ctx.zodSchema === transportSchema) {
        const description = ctx.jsonSchema.description;
        for (const k of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[k];
        Object.assign(ctx.jsonSchema, { description, default: DEFAULTS.transport, enum: ['http', 'corpus', 'null', null] });
      }
    },
  }) as Record<string, unknown>;
  return schema;
}

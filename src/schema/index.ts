// Importing a domain file registers its types and fields on the builder; the order matters only
// where one file uses another's exported refs, and those imports take care of it.
import { type GraphQLSchema, isObjectType, specifiedDirectives } from 'graphql';
import { costByPageSize } from '../plugins/limits.ts';
import { builder } from './builder.ts';
import { LiveDirective } from './live-directive.ts';
import { resolveFromSnapshots } from './snapshot-resolvers.ts';
import './scalars.ts';
import './leader.ts';
import './organization.ts';
import './summit.ts';
import './article.ts';
import './search.ts';
import './live.ts';
import './mutation-common.ts';
import './entity-mutations.ts';
import './links.ts';
import './ingest.ts';
import './occurrence.ts';
import './claim.ts';
import './revision.ts';
import './occurrence-mutations.ts';
import './timeline.ts';
import './as-of.ts';
import './snapshot-lists.ts';

builder.queryType({ description: 'Reading the story: entities, lists and search.' });

/**
 * Pothos names the connection and edge types it generates but does not describe them; every
 * public type carries a description, so derive one from the field that created it.
 */
function describeGeneratedTypes(built: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(built.getTypeMap())) {
    if (!isObjectType(type) || type.description) continue;
    const fields = type.getFields();
    const item = fields.edges ? 'items' : 'item';
    if (type.name.endsWith('ConnectionEdge')) {
      type.description = `One ${item} of a ${type.name.replace(/Edge$/, '')} page, with its cursor.`;
    } else if (type.name.endsWith('Connection')) {
      type.description = 'A page of a list, with Relay cursors for the pages around it.';
    }
    if (fields.totalCount && !fields.totalCount.description) {
      fields.totalCount.description = 'How many items the whole list has, across all pages.';
    }
  }
  // The relay plugin takes a description for `nodes(ids)` but none for `node(id)`.
  const id = built
    .getQueryType()
    ?.getFields()
    .node?.args.find((arg) => arg.name === 'id');
  if (id && !id.description) id.description = 'A global ID.';
  return built;
}

/** The executable schema, built once per process; `asOf` snapshots answer through every type. */
export const schema = resolveFromSnapshots(
  costByPageSize(
    describeGeneratedTypes(
      builder.toSchema({ sortSchema: true, directives: [...specifiedDirectives, LiveDirective] }),
    ),
  ),
);

import type { InputObjectRef } from '@pothos/core';
import { PLANNED_ROOT, type PlannedRoot } from '../infra/planned-reads.ts';
import { checkPageSize } from '../plugins/limits.ts';
import { modelOf, type NodeType } from '../story/registry.ts';
import { builder } from './builder.ts';
import { prismaDirection } from './scalars.ts';

/** The builder's own schema types, so refs made by it fit here. */
type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

type Counter = { count(args: object): Promise<number> };

/** What one listed type's two root fields need; the field names are written out by each caller. */
/** An order as the `<Type>Order` inputs give it. */
type OrderShape = { field: string; direction?: 'ASC' | 'DESC' | null };

interface EntityQueries<Filter, Order extends OrderShape> {
  type: NodeType;
  /** The field that finds one by slug, such as `leader`. */
  one: string;
  /** The list field, such as `leaders`. */
  list: string;
  /** A slug to show in the argument's description. */
  slugExample: string;
  /** The list's description, with its default order. */
  listDescription: string;
  filter: InputObjectRef<Types, Filter>;
  /** The Prisma `where` of a filter (BAD_USER_INPUT for one that cannot hold). */
  where: (filter: Filter | null | undefined) => object;
  order: InputObjectRef<Types, Order>;
  /** The columns each order field sorts by; `id` follows them, so that pages are stable. */
  orderColumns: Record<Order['field'], string[]>;
  /** The Prisma `orderBy` when no order is given. */
  unordered: Record<string, 'asc' | 'desc'>[];
  /** The direction of an order that names none. @default 'ASC' */
  defaultDirection?: 'ASC' | 'DESC';
}

/** The Prisma `orderBy` of a list's order: its field's columns, then `id`, one direction. */
function orderByOf<Order extends OrderShape>(
  spec: EntityQueries<unknown, Order>,
  order: Order | null | undefined,
): object[] {
  if (!order) return spec.unordered;
  const direction = prismaDirection(order.direction ?? spec.defaultDirection);
  return [...spec.orderColumns[order.field as Order['field']], 'id'].map((column) => ({
    [column]: direction,
  }));
}

/**
 * The two root fields of a listed type: `<one>(slug:)`, the row with that slug or null, and
 * `<list>(filter, orderBy)`, a filtered, counted and ordered connection. One recipe for every type,
 * so a slug lookup, a filter, a count and an order behave alike everywhere.
 */
export function entityQueries<Filter, Order extends OrderShape>(
  spec: EntityQueries<Filter, Order>,
): void {
  const noun = spec.type.toLowerCase();
  const type = spec.type as 'Leader';
  builder.queryFields((t) => ({
    [spec.one]: t.prismaField({
      type,
      nullable: true,
      description: `The ${noun} with this slug, or null.`,
      args: {
        slug: t.arg.string({ required: true, description: `Such as \`${spec.slugExample}\`.` }),
      },
      extensions: { [PLANNED_ROOT]: { kind: 'one', model: spec.type } satisfies PlannedRoot },
      resolve: (query, _root, args, ctx) =>
        ctx.reads.findUnique(spec.type, { ...query, where: { slug: args.slug } }) as never,
    }),
    [spec.list]: t.prismaConnection({
      type,
      cursor: 'id',
      description: spec.listDescription,
      args: {
        filter: t.arg({
          type: spec.filter as never,
          description: `Conditions every ${noun} returned meets.`,
        }),
        orderBy: t.arg({ type: spec.order as never, description: 'The order of the list.' }),
      },
      // The planner's copy of what the resolver below asks Prisma for.
      extensions: {
        [PLANNED_ROOT]: {
          kind: 'list',
          model: spec.type,
          query: (args) => {
            checkPageSize(args);
            return {
              where: spec.where(args.filter as Filter),
              orderBy: orderByOf(spec as EntityQueries<unknown, Order>, args.orderBy as Order),
            };
          },
        } satisfies PlannedRoot,
      },
      totalCount: (_parent, args, ctx) =>
        modelOf<Counter>(ctx.db, spec.type).count({ where: spec.where(args.filter as Filter) }),
      resolve: (query, _root, args, ctx) =>
        ctx.reads.findMany(spec.type, {
          ...query,
          where: spec.where(args.filter as Filter),
          orderBy: orderByOf(spec as EntityQueries<unknown, Order>, args.orderBy as Order),
        }) as never,
    }),
  }));
}

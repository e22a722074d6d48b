import type { PrismaClient } from '../generated/prisma/client.ts';
import { modelOf, type NodeType } from './registry.ts';

type Reader = { findUnique(args: { where: { id: number } }): Promise<object | null> };

/** Reads an entity of any type by its row id; null once it is gone. */
export function readEntity(db: PrismaClient, type: NodeType, id: number): Promise<object | null> {
  return modelOf<Reader>(db, type).findUnique({ where: { id } });
}

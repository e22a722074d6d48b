import type { NodeType } from '../core/global-id.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';

/** Reads an entity of any type by its row id; null once it is gone. */
export function readEntity(db: PrismaClient, type: NodeType, id: number): Promise<object | null> {
  switch (type) {
    case 'Leader':
      return db.leader.findUnique({ where: { id } });
    case 'Organization':
      return db.organization.findUnique({ where: { id } });
    case 'Summit':
      return db.summit.findUnique({ where: { id } });
    case 'Article':
      return db.article.findUnique({ where: { id } });
    case 'Membership':
      return db.membership.findUnique({ where: { id } });
    case 'Participation':
      return db.participation.findUnique({ where: { id } });
  }
}

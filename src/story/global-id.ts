import { badInput } from '../core/errors.ts';
import { NODE_TYPES, type NodeType } from './registry.ts';

export { NODE_TYPES, type NodeType };

/** Encodes `Type:id` in base64, the Relay convention. */
export function encodeGlobalId(typename: string, id: string | number | bigint): string {
  return Buffer.from(`${typename}:${id}`, 'utf8').toString('base64');
}

/**
 * Decodes a global ID, rejecting anything that is not one of ours with `BAD_USER_INPUT`
 * (rather than letting a malformed ID reach the database as NaN).
 */
export function decodeGlobalId(globalId: string): { typename: string; id: string } {
  const decoded = /^[A-Za-z0-9+/]+={0,2}$/.test(globalId)
    ? Buffer.from(globalId, 'base64').toString('utf8')
    : '';
  const match = /^([A-Za-z]+):([1-9][0-9]{0,9})$/.exec(decoded);
  if (!match || !NODE_TYPES.includes(match[1] as NodeType) || Number(match[2]) > 2_147_483_647) {
    throw badInput(`"${globalId}" is not a valid ID.`, { id: globalId });
  }
  return { typename: match[1] as string, id: match[2] as string };
}

/** Decodes a global ID that must name an object of `typename`, returning its database id. */
export function idOf(typename: NodeType, globalId: string): number {
  const decoded = decodeGlobalId(globalId);
  if (decoded.typename !== typename) {
    throw badInput(`"${globalId}" is the ID of a ${decoded.typename}, not of a ${typename}.`, {
      id: globalId,
    });
  }
  return Number(decoded.id);
}

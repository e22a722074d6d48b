import { z } from 'zod';
import { badInput } from '../core/errors.ts';

/** A slug: lowercase words of letters and digits joined by single hyphens. */
export const slugSchema = z
  .string()
  .max(100)
  .regex(
    /^[a-z0-9]+(?:-[a-z0-9]+)*$/,
    'must be lowercase letters and digits joined by hyphens, such as `sco-summit-2022`',
  );

/** A short single-line text such as a name or title. */
export const lineSchema = (max = 200) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max)
    .refine((value) => !/[\r\n]/.test(value), 'must be a single line');

/** Free text such as a description or body. */
export const textSchema = (max: number) => z.string().max(max);

/**
 * The longest URL, in UTF-8 bytes. `Article.url` is indexed, and PostgreSQL refuses an index
 * entry over about 2,700 bytes: counted in characters, 2,000 of them could take 8,000 bytes.
 */
export const MAX_URL_BYTES = 2048;

/** An http(s) URL of at most {@link MAX_URL_BYTES} bytes. */
export const urlSchema = z
  .string()
  .refine(
    (value) => Buffer.byteLength(value, 'utf8') <= MAX_URL_BYTES,
    `must be at most ${MAX_URL_BYTES} bytes in UTF-8`,
  )
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL');

/** A list of names, such as aliases or member states. */
export const namesSchema = z.array(lineSchema(100)).max(100);

/** Refuses `end` before `start` (either may be absent) with BAD_USER_INPUT. */
export function checkDateOrder(start: unknown, end: unknown, message: string): void {
  if (start instanceof Date && end instanceof Date && end < start) throw badInput(message);
}

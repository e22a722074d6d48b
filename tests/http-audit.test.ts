// GraphQL over HTTP conformance, judged by graphql-http's own server audit (the checks behind
// graphql-http.com): every MUST and every SHOULD passes, against a real server on a real port.
import { auditServer } from 'graphql-http';
import { describe, expect, it } from 'vitest';
import { startApp } from './helpers/app.ts';

describe('GraphQL over HTTP', () => {
  it("passes graphql-http's server audit", async () => {
    const app = await startApp();
    const results = await auditServer({ url: app.url });
    const failed = results
      .filter((result) => result.status !== 'ok')
      .map(
        (result) => `${result.status} ${result.name}: ${'reason' in result ? result.reason : ''}`,
      );
    const musts = results.filter((result) => result.name.startsWith('MUST'));
    const shoulds = results.filter((result) => result.name.startsWith('SHOULD'));
    console.log(
      `graphql-http audit: ${results.length - failed.length}/${results.length} ok (${musts.length} MUST, ${shoulds.length} SHOULD)`,
    );
    expect(failed).toEqual([]);
  });
});

import { GraphQLError, NoSchemaIntrospectionCustomRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** What an instance shows to browsers and to tools, beyond answering operations. */
export interface Exposure {
  /**
   * Origins whose pages may read responses: `'*'` for any page (sent as a literal `*`, never
   * the caller's origin echoed back), or a list of exact origins such as
   * `https://news.example`. Credentials (cookies) are never allowed: tokens travel in the
   * `Authorization` header, which a page has to set on purpose. @default '*'
   */
  corsOrigins: '*' | readonly string[];
  /** Serve GraphiQL to browsers at `/graphql`. @default true, false when NODE_ENV=production */
  graphiql: boolean;
  /** Answer `__schema` and `__type` queries. @default true, false when NODE_ENV=production */
  introspection: boolean;
}

/** The exposure of an instance whose configuration says nothing (development defaults). */
export const DEFAULT_EXPOSURE: Readonly<Exposure> = {
  corsOrigins: '*',
  graphiql: true,
  introspection: true,
};

const CORS_HEADERS = {
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'authorization, content-type, accept, x-request-id',
  'Access-Control-Expose-Headers': 'x-request-id',
  'Access-Control-Max-Age': '600',
};

/**
 * Yoga's `cors` option for {@link Exposure.corsOrigins}. Yoga answers a wildcard by echoing the
 * caller's origin; a listed origin is echoed only when it matches, without credentials.
 */
export function corsOption(origins: Exposure['corsOrigins']) {
  if (origins === '*') return false as const; // served by useWildcardCors
  return (request: Request) => {
    const origin = request.headers.get('origin');
    return {
      // Yoga echoes a one-item list to everyone: send "null" to an origin that is not listed.
      origin: origin && origins.includes(origin) ? [origin] : ['null'],
      credentials: false,
      methods: CORS_HEADERS['Access-Control-Allow-Methods'].split(', '),
      allowedHeaders: CORS_HEADERS['Access-Control-Allow-Headers'].split(', '),
      exposedHeaders: ['x-request-id'],
      maxAge: 600,
    };
  };
}

/** The Yoga plugins that apply an {@link Exposure}. */
export function useExposure(exposure: Exposure): Plugin[] {
  const plugins: Plugin[] = [];
  if (exposure.corsOrigins === '*') {
    // Any page may read, as `*` allows, and no browser sends credentials with a `*` answer.
    plugins.push({
      onRequest({ request, fetchAPI, endResponse }) {
        if (request.method === 'OPTIONS' && request.headers.get('origin')) {
          endResponse(
            new fetchAPI.Response(null, {
              status: 204,
              headers: {
                'Access-Control-Allow-Origin': '*',
                'Content-Length': '0',
                ...CORS_HEADERS,
              },
            }),
          );
        }
      },
      onResponse({ request, response }) {
        if (!request.headers.get('origin')) return;
        response.headers.set('Access-Control-Allow-Origin', '*');
        response.headers.set('Access-Control-Expose-Headers', 'x-request-id');
      },
    });
  }
  if (!exposure.introspection) {
    // graphql-js's own rule: `__schema` and `__type` fail validation (`__typename` still works).
    plugins.push({
      onValidate({ addValidationRule }) {
        addValidationRule(NoSchemaIntrospectionCustomRule);
        // graphql-js suggests close field, argument, type and enum names ("Did you mean …?"):
        // with introspection off those suggestions would reveal the schema one typo at a time.
        return ({ result, setResult }) => {
          if (result.some((error) => SUGGESTION.test(error.message))) {
            setResult(result.map(withoutSuggestion));
          }
        };
      },
    });
  }
  return plugins;
}

/** The suggestion graphql-js appends to a validation message. */
const SUGGESTION = / ?Did you mean [^?]*\?$/;

function withoutSuggestion<E extends Error>(error: E): E | GraphQLError {
  if (!(error instanceof GraphQLError) || !SUGGESTION.test(error.message)) return error;
  return new GraphQLError(error.message.replace(SUGGESTION, ''), {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: error.extensions,
  });
}

import { BREAK, type DocumentNode, type GraphQLError, visit } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { badInput } from '../core/errors.ts';

/**
 * Why a value can not be used as input anywhere, or undefined. PostgreSQL text can not hold a NUL
 * character, and a list of tens of thousands of items overflows a query's bind parameters: both
 * used to reach the database and come back as INTERNAL_SERVER_ERROR.
 */
function problemIn(value: unknown, maxListItems: number, depth = 0): string | undefined {
  if (typeof value === 'string') {
    return value.includes('\u0000')
      ? 'A string may not contain a NUL character (U+0000).'
      : undefined;
  }
  if (depth > 100) return 'The input nests too deeply.';
  if (Array.isArray(value)) {
    if (value.length > maxListItems) {
      return `A list may hold at most ${maxListItems} items; this one has ${value.length}.`;
    }
    for (const item of value) {
      const problem = problemIn(item, maxListItems, depth + 1);
      if (problem) return problem;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const item of Object.values(value)) {
      const problem = problemIn(item, maxListItems, depth + 1);
      if (problem) return problem;
    }
  }
  return undefined;
}

/** Why these variables could not be used as input (see {@link useInputGuards}), or undefined. */
export function inputProblem(variables: unknown, maxListItems: number): string | undefined {
  return problemIn(variables ?? {}, maxListItems);
}

function problemInDocument(document: DocumentNode, maxListItems: number): string | undefined {
  let problem: string | undefined;
  visit(document, {
    StringValue(node) {
      problem = problemIn(node.value, maxListItems);
      return problem ? BREAK : undefined;
    },
    ListValue(node) {
      if (node.values.length <= maxListItems) return undefined;
      problem = `A list may hold at most ${maxListItems} items; this one has ${node.values.length}.`;
      return BREAK;
    },
  });
  return problem;
}

/**
 * Refuses, with BAD_USER_INPUT and before any resolver runs, an operation whose variables or
 * literals hold a NUL character or a list longer than `maxListItems`. One check for every
 * argument of every field, on every transport.
 */
export function useInputGuards(maxListItems: number): Plugin {
  const check = (document: DocumentNode, variables: unknown): GraphQLError | undefined => {
    const problem =
      problemIn(variables ?? {}, maxListItems) ?? problemInDocument(document, maxListItems);
    return problem ? badInput(problem) : undefined;
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = check(args.document, args.variableValues);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = check(args.document, args.variableValues);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}

/**
 * Yoga parses the `variables` and `extensions` of a GET or form request with `JSON.parse` and lets
 * its SyntaxError through as an internal error (HTTP 500). A request that is not JSON where JSON
 * is expected is the client's mistake: BAD_USER_INPUT with HTTP 400.
 */
export function useRequestParseGuard(): Plugin {
  return {
    onRequestParse({ requestParser, setRequestParser }) {
      if (!requestParser) return;
      setRequestParser(async (request) => {
        try {
          return await requestParser(request);
        } catch (error) {
          if (error instanceof SyntaxError) {
            throw badInput(`The request is not valid: ${error.message}`, { http: { status: 400 } });
          }
          throw error;
        }
      });
    },
  };
}

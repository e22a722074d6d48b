// Prints a bearer token for local use, signed with JWT_SECRET, or without it with the secret
// generated for DATA_DIR (the one `npm start` uses).
//   npm run -s token -- --role editor [--expires 12h] [--subject alice]
import { parseArgs } from 'node:util';
import { ROLES, type Role, resolveSecret, signToken } from '../src/core/auth.ts';
import { ConfigError, getEnv } from '../src/infra/env.ts';

const USAGE = `usage: npm run -s token -- [--role ROLE] [--expires DURATION] [--subject NAME]

Prints a bearer token signed with JWT_SECRET, or, when it is unset, with the secret generated
for DATA_DIR (the one npm start uses).

  --role ROLE          ${ROLES.join(', ')} (default: editor)
  --expires DURATION   lifetime, such as 30m, 12h or 7d (default: 12h)
  --subject NAME       the token's subject (sub claim), for the logs
  -h, --help           print this help
`;

let values: { role: string; expires: string; subject?: string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: {
      role: { type: 'string', default: 'editor' },
      expires: { type: 'string', default: '12h' },
      subject: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  // An unknown option or a missing value: say which, then how to call it, without a stack trace.
  console.error(`${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

if (!ROLES.includes(values.role as Role)) {
  console.error(`--role must be one of ${ROLES.join(', ')}`);
  process.exit(2);
}
let secret: string;
try {
  secret = resolveSecret(getEnv()).secret;
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
try {
  const token = await signToken(values.role as Role, secret, {
    expiresIn: values.expires,
    ...(values.subject ? { subject: values.subject } : {}),
  });
  process.stdout.write(`${token}\n`);
} catch (error) {
  // jose refuses a malformed --expires ("soon"): report it as a usage error.
  console.error(`--expires: ${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}

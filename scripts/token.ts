// Prints a bearer token for local use, signed with JWT_SECRET, or without it with the secret
// generated for DATA_DIR (the one `npm start` uses).
//   npm run -s token -- --role editor [--expires 12h] [--subject alice]
import { parseArgs } from 'node:util';
import { ROLES, type Role, resolveSecret, signToken } from '../src/auth.ts';
import { ConfigError, getEnv } from '../src/env.ts';

const { values } = parseArgs({
  options: {
    role: { type: 'string', default: 'editor' },
    expires: { type: 'string', default: '12h' },
    subject: { type: 'string' },
  },
});

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
const token = await signToken(values.role as Role, secret, {
  expiresIn: values.expires,
  ...(values.subject ? { subject: values.subject } : {}),
});
process.stdout.write(`${token}\n`);

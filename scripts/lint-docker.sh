#!/usr/bin/env bash
# Offline checks of the Docker files, for machines without a Docker engine (CI included).
#   1. dclint: docker-compose.yml against the Compose Specification schema plus its style rules.
#      Schema errors already fail it; --max-warnings 0 makes the style warnings fail it too.
#   2. dockerfilelint and dockerfile-utils: two independent Dockerfile linters; each knows
#      instruction flags and mistakes the other does not.
#   3. What neither linter looks at: references between the files (depends_on targets, mounted
#      files, the proxy's upstream, COPY sources the .dockerignore would hide) and whether
#      .env.example documents every variable the compose file and src/infra/env.ts read.
# Exits non-zero when any step fails, after running them all.
set -uo pipefail
cd "$(dirname "$0")/.."
export NO_COLOR=1

status=0
step() { echo "--- $*"; }
fail() { status=1; echo "FAILED: $*"; }

step "dclint docker-compose.yml"
npx --no dclint docker-compose.yml --color=false --max-warnings 0 || fail dclint

step "dockerfilelint Dockerfile"
npx --no dockerfilelint Dockerfile || fail dockerfilelint

step "dockerfile-utils lint Dockerfile"
npx --no dockerfile-utils lint Dockerfile || fail dockerfile-utils

step "cross-file checks"
node - <<'EOF' || fail "cross-file checks"
const { existsSync, readFileSync } = require('node:fs');
const YAML = require('yaml');

const problems = [];
const compose = YAML.parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true });
const services = compose.services ?? {};
const names = new Set(Object.keys(services));

for (const [name, service] of Object.entries(services)) {
  const deps = Array.isArray(service.depends_on)
    ? service.depends_on
    : Object.keys(service.depends_on ?? {});
  for (const dep of deps) {
    if (!names.has(dep)) problems.push(`${name} depends on "${dep}", which is not a service`);
  }
  if (service.build !== undefined) {
    const context = typeof service.build === 'string' ? service.build : service.build.context ?? '.';
    const file = typeof service.build === 'object' && service.build.dockerfile || 'Dockerfile';
    if (!existsSync(`${context}/${file}`)) problems.push(`${name} builds from missing ${context}/${file}`);
  }
  for (const volume of service.volumes ?? []) {
    const source = typeof volume === 'string' ? volume.split(':')[0] : volume.source;
    if (source.startsWith('.') || source.startsWith('/')) {
      if (!existsSync(source)) problems.push(`${name} mounts missing ${source}`);
    } else if (!(source in (compose.volumes ?? {}))) {
      problems.push(`${name} uses volume "${source}", which is not declared under volumes`);
    }
  }
}

// The proxy must point at a service that exists and at the port that service exposes.
const nginx = readFileSync('deploy/nginx.conf', 'utf8').replace(/#.*$/gm, '');
for (const [, host, port] of nginx.matchAll(/https?:\/\/([a-z0-9_-]+):(\d+)/g)) {
  if (!names.has(host)) problems.push(`nginx.conf proxies to "${host}", which is not a service`);
  else if (!(services[host].expose ?? []).map(String).includes(port)) {
    problems.push(`nginx.conf proxies to ${host}:${port}, which ${host} does not expose`);
  }
}

// COPY sources must exist and must not be excluded from the build context.
const ignored = readFileSync('.dockerignore', 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#') && !line.includes('*'));
for (const line of readFileSync('Dockerfile', 'utf8').split('\n')) {
  const copy = line.match(/^COPY\s+(?!--from)(.*)$/);
  if (!copy) continue;
  const sources = copy[1].split(/\s+/).filter((word) => !word.startsWith('--')).slice(0, -1);
  for (const source of sources) {
    // A pattern such as npm-ca.pe[m] names an optional file: it may match nothing, but it must
    // not be one the .dockerignore hides.
    const optional = /[*?[]/.test(source);
    const path = source.replace(/\/$/, '').replace(/\[(.)\]/g, '$1');
    if (!optional && !existsSync(path)) problems.push(`Dockerfile copies missing ${path}`);
    const hit = ignored.find((entry) => path === entry || path.startsWith(`${entry}/`));
    if (hit) problems.push(`Dockerfile copies ${path}, but .dockerignore excludes "${hit}"`);
  }
}

// Every variable the compose file interpolates, and every one the server reads, is documented.
const example = readFileSync('.env.example', 'utf8');
const documented = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
const wanted = new Set();
for (const m of readFileSync('docker-compose.yml', 'utf8').matchAll(/(?<!\$)\$\{([A-Z][A-Z0-9_]*)/g)) {
  wanted.add(m[1]);
}
const envSchema = readFileSync('src/infra/env.ts', 'utf8').match(/z\.object\(\{([\s\S]*?)\n\}\)/);
if (!envSchema) problems.push('could not find the variable schema in src/infra/env.ts');
else for (const m of envSchema[1].matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)) wanted.add(m[1]);
for (const name of wanted) {
  if (!documented.has(name)) problems.push(`.env.example does not document ${name}`);
}

for (const problem of problems) console.error(problem);
if (problems.length) process.exit(1);
console.log(`${names.size} services, ${wanted.size} variables: references and docs consistent`);
EOF

if [ "$status" -eq 0 ]; then echo "Docker files: ok"; else echo "Docker files: FAILED"; fi
exit "$status"

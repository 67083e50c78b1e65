import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { buildAsyncApiDocument } from '../src/asyncapi';
import { renderAsyncApiHtml } from '../src/tooling/asyncapi-html';
import { catalogue } from '../src/catalogue';
import { toJsonFile } from '../src/tooling/canonical-json';
import { checkLock, type ContractsLock } from '../src/tooling/contracts-lock';
import { ASYNCAPI_HTML_PATH, ASYNCAPI_PATH, LOCK_PATH } from '../src/tooling/published-files';

// Writes docs/asyncapi.json and records new contracts in the lock. Nothing is written when a
// published contract changed shape or disappeared: that would break consumers still
// receiving it, so the fix is a new `.vN` contract, not an edit.

const locked: ContractsLock = existsSync(LOCK_PATH) ? JSON.parse(readFileSync(LOCK_PATH, 'utf8')) : {};
const { next, added, changed, removed } = checkLock(locked, catalogue);

if (changed.length > 0 || removed.length > 0) {
  const lines = [
    ...changed.map((type) => `  ${type}: its data schema changed after it was published`),
    ...removed.map((type) => `  ${type}: it was published but is no longer in the catalogue`),
  ];
  process.stderr.write(
    `Refusing to update ${relative(process.cwd(), LOCK_PATH)}:\n${lines.join('\n')}\n` +
      'Published contracts are frozen. Restore them and add a new version (e.g. `.v2`) instead.\n',
  );
  process.exit(1);
}

mkdirSync(dirname(ASYNCAPI_PATH), { recursive: true });
const document = buildAsyncApiDocument();
writeFileSync(ASYNCAPI_PATH, toJsonFile(document));
writeFileSync(ASYNCAPI_HTML_PATH, renderAsyncApiHtml(document));
writeFileSync(LOCK_PATH, toJsonFile(next));

const summary = added.length > 0 ? `locked ${added.join(', ')}` : 'no new contracts';
process.stdout.write(`Wrote ${relative(process.cwd(), ASYNCAPI_PATH)} and its HTML page (${summary}).\n`);

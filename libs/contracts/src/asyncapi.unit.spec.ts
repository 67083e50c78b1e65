import { readFileSync } from 'node:fs';
import { buildAsyncApiDocument } from './asyncapi';
import { catalogue } from './catalogue';
import { toJsonFile } from './tooling/canonical-json';
import { fingerprintSchema, type ContractsLock } from './tooling/contracts-lock';
import { renderAsyncApiHtml } from './tooling/asyncapi-html';
import { ASYNCAPI_HTML_PATH, ASYNCAPI_PATH, LOCK_PATH } from './tooling/published-files';

const lock: ContractsLock = JSON.parse(readFileSync(LOCK_PATH, 'utf8'));

describe('the published event catalogue', () => {
  it('is described by the committed docs/asyncapi.json', () => {
    const stale = readFileSync(ASYNCAPI_PATH, 'utf8') !== toJsonFile(buildAsyncApiDocument());

    expect(stale ? ['docs/asyncapi.json is out of date: run `npm run asyncapi`'] : []).toEqual([]);
  });

  it('is rendered as the committed docs/asyncapi.html, one section per event type', () => {
    const html = renderAsyncApiHtml(buildAsyncApiDocument());
    const stale = readFileSync(ASYNCAPI_HTML_PATH, 'utf8') !== html;

    expect(stale ? ['docs/asyncapi.html is out of date: run `npm run asyncapi`'] : []).toEqual([]);
    expect(catalogue.filter((contract) => !html.includes(`<section id="${contract.type}">`))).toEqual([]);
  });

  it('is generated the same way every time', () => {
    expect(toJsonFile(buildAsyncApiDocument())).toBe(toJsonFile(buildAsyncApiDocument()));
  });

  it('has one channel per event type, addressed by the type, sent by its producer', () => {
    const document = buildAsyncApiDocument() as {
      channels: Record<string, { address: string }>;
      operations: Record<string, { action: string; 'x-producer': string; channel: { $ref: string } }>;
    };

    for (const contract of catalogue) {
      expect(document.channels[contract.type].address).toBe(contract.type);
      expect(document.operations[`${contract.producer}.send.${contract.type}`]).toMatchObject({
        action: 'send',
        'x-producer': contract.producer,
        channel: { $ref: `#/channels/${contract.type}` },
      });
    }
  });

  it('marks internal messages and has only their producer receive them', () => {
    const document = buildAsyncApiDocument() as {
      channels: Record<string, { 'x-internal'?: boolean }>;
      operations: Record<string, { action: string; channel: { $ref: string } }>;
    };
    const internal = catalogue.filter((contract) => contract.internal);

    expect(internal.map((contract) => contract.type)).toContain('jobs.work.became_available.v1');
    for (const contract of catalogue) {
      expect({ type: contract.type, internal: document.channels[contract.type]['x-internal'] ?? false }).toEqual({
        type: contract.type,
        internal: contract.internal ?? false,
      });
    }
    const receives = Object.entries(document.operations).filter(([, operation]) => operation.action === 'receive');
    expect(receives.map(([id]) => id).sort()).toEqual(internal.map((contract) => `${contract.producer}.receive.${contract.type}`).sort());
  });

  it('keeps every contract at the shape it was published with', () => {
    const problems = catalogue.flatMap((contract) => {
      if (!(contract.type in lock)) return [`${contract.type} is not locked: run \`npm run asyncapi\``];
      if (lock[contract.type] !== fingerprintSchema(contract.schema)) {
        return [`${contract.type} changed shape without a new version: restore it and add a .v2 contract`];
      }
      return [];
    });

    expect(problems).toEqual([]);
  });

  it('never removes a published version', () => {
    const types = new Set(catalogue.map((c) => c.type));
    const removed = Object.keys(lock).filter((type) => !types.has(type));

    expect(removed.map((type) => `${type} was published and must stay in the catalogue`)).toEqual([]);
  });
});

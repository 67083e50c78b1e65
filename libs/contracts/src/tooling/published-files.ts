import { join, resolve } from 'node:path';

const libRoot = resolve(__dirname, '../..');

/** Generated from the catalogue by `npm run asyncapi`; checked for drift by a unit test. */
export const ASYNCAPI_PATH = resolve(libRoot, '../../docs/asyncapi.json');

/** `docs/asyncapi.json` rendered as a page, by the same command. */
export const ASYNCAPI_HTML_PATH = resolve(libRoot, '../../docs/asyncapi.html');

/** Maintained by `npm run asyncapi`; guards published contracts against changing shape. */
export const LOCK_PATH = join(libRoot, 'contracts.lock.json');

import { FormatRegistry } from '@sinclair/typebox';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The `uuid` format of the contracts; also what HTTP edges check ids against. */
export const isUuid = (value: string): boolean => UUID.test(value);

// Deliberately loose: one "@", no spaces, a dot in the domain. Deliverability is the auth
// service's problem; the contract only guards against values that are clearly not addresses.
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;

/** RFC 3339 `date-time`, including calendar checks that `Date.parse` would silently roll over. */
function isDateTime(value: string): boolean {
  const match = DATE_TIME.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const offsetOk = match[9] === undefined || (Number(match[9]) < 24 && Number(match[10]) < 60);
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    hour < 24 &&
    minute < 60 &&
    second <= 60 &&
    offsetOk
  );
}

let registered = false;

/**
 * The formats the contracts use. Set unconditionally (not "if absent") because what a format
 * means on the wire is decided here, whatever another library registered before.
 */
export function registerStringFormats(): void {
  if (registered) return;
  FormatRegistry.Set('uuid', (value) => UUID.test(value));
  FormatRegistry.Set('email', (value) => EMAIL.test(value));
  FormatRegistry.Set('date-time', isDateTime);
  registered = true;
}

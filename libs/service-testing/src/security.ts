import dnsPromises from 'node:dns/promises';
import { send, type Reply } from './http-reply';

/** Hosts no service may call for a client, each in the spelling that tries to slip past a check. */
export const BLOCKED_HOSTS: readonly [string, string][] = [
  ['IPv4 loopback', '127.0.0.1'],
  ['IPv4 loopback, short form', '127.1'],
  ['IPv4 loopback in decimal', '2130706433'],
  ['IPv4 loopback in hex', '0x7f000001'],
  ['IPv4 loopback in octal', '0177.0.0.1'],
  ['the unspecified address', '0.0.0.0'],
  ['10/8', '10.0.0.1'],
  ['172.16/12', '172.16.5.4'],
  ['192.168/16', '192.168.1.1'],
  ['carrier-grade NAT', '100.64.0.1'],
  ['link-local', '169.254.1.1'],
  ['the metadata address', '169.254.169.254'],
  ['the metadata address in hex', '0xa9fea9fe'],
  ['the metadata address in decimal', '2852039166'],
  ['broadcast', '255.255.255.255'],
  ['IPv6 loopback', '[::1]'],
  ['IPv6 unspecified', '[::]'],
  ['IPv6 unique local', '[fc00::1]'],
  ['the IPv6 metadata address', '[fd00:ec2::254]'],
  ['IPv6 link-local', '[fe80::1]'],
  ['IPv4-mapped loopback', '[::ffff:127.0.0.1]'],
  ['IPv4-mapped loopback in hex', '[::ffff:7f00:1]'],
  ['IPv4-mapped private', '[::ffff:10.0.0.1]'],
  ['IPv4-mapped metadata', '[::ffff:169.254.169.254]'],
  ['NAT64 private', '[64:ff9b::a00:1]'],
  ['6to4 private', '[2002:a00:1::]'],
  ['localhost', 'localhost'],
  ['a name under localhost', 'api.localhost'],
  ['a name resolving to a private address', 'private.ssrf.test'],
  ['a name resolving to loopback', 'loopback.ssrf.test'],
  ['a name resolving to the metadata address', 'metadata.ssrf.test'],
  ['a name resolving to IPv6 unique local', 'ula.ssrf.test'],
  ['a name resolving to an IPv4-mapped private address', 'mapped.ssrf.test'],
  ['a name resolving to a public and a private address', 'mixed.ssrf.test'],
];

/** What the test resolver answers (useTestResolver); every other name goes to the system's. */
const TEST_ZONE: Record<string, string[]> = {
  'private.ssrf.test': ['10.1.2.3'],
  'loopback.ssrf.test': ['127.0.0.1'],
  'metadata.ssrf.test': ['169.254.169.254'],
  'ula.ssrf.test': ['fd12:3456::1'],
  'mapped.ssrf.test': ['::ffff:192.168.0.1'],
  'mixed.ssrf.test': ['93.184.215.14', '192.168.0.1'],
  'public.ssrf.test': ['93.184.215.14'],
};

/** `[label, url]` for each blocked host. */
export function blockedUrls(scheme: 'http' | 'https' = 'https', path = '/hook'): [string, string][] {
  return BLOCKED_HOSTS.map(([label, host]) => [label, `${scheme}://${host}${path}`]);
}

/**
 * Makes `*.ssrf.test` names resolve as TEST_ZONE says, in this process, through the resolver
 * the SSRF guard calls (`dns/promises` lookup). Returns the function that undoes it.
 */
export function useTestResolver(): () => void {
  const original = dnsPromises.lookup;
  const fake = ((host: string, options?: unknown) => {
    const answer = TEST_ZONE[host.toLowerCase()];
    if (!answer) return (original as (h: string, o?: unknown) => Promise<unknown>)(host, options);
    const addresses = answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
    return Promise.resolve(all ? addresses : addresses[0]);
  }) as typeof dnsPromises.lookup;
  (dnsPromises as { lookup: typeof dnsPromises.lookup }).lookup = fake;
  return () => {
    (dnsPromises as { lookup: typeof dnsPromises.lookup }).lookup = original;
  };
}

export interface ProtectedRoute {
  method: string;
  path: string;
  body?: unknown;
}

/** The answer of every route to every token: the ones that are not a 401 problem. */
export async function notRefused(baseUrl: string, routes: ProtectedRoute[], tokens: Record<string, string>): Promise<string[]> {
  const wrong: string[] = [];
  for (const route of routes) {
    for (const [kind, token] of Object.entries(tokens)) {
      const reply: Reply = await send(`${baseUrl}${route.path}`, route.method, { token, body: route.body });
      if (reply.status !== 401 || !reply.contentType.startsWith('application/problem+json')) {
        wrong.push(`${route.method} ${route.path} with a token that is ${kind}: ${reply.status}`);
      }
    }
  }
  return wrong;
}

/** Every text column of every table of `schema`, as one string per row (for plaintext searches). */
export async function rowsAsText(
  sql: (text: string, params?: unknown[]) => Promise<Record<string, unknown>[]>,
  schema: string,
): Promise<string[]> {
  const tables = await sql(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`, [schema]);
  const rows: string[] = [];
  for (const { name } of tables) {
    for (const row of await sql(`SELECT row_to_json(t)::text AS text FROM "${schema}"."${String(name)}" t`)) rows.push(`${String(name)}: ${String(row['text'])}`);
  }
  return rows;
}

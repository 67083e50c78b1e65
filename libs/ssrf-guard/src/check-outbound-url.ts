import { lookup as dnsLookup } from 'node:dns/promises';
import { addressVerdict } from './blocked-address';
import { parseIp } from './ip-address';

export interface OutboundUrlPolicy {
  /** Accept `http:` as well as `https:` (development only). */
  allowHttp: boolean;
  /** Accept hosts that resolve to loopback (tests and local development only). */
  allowLoopback: boolean;
  /** Resolver to use instead of the system's (tests). Returns every address of the host. */
  lookup?: (host: string) => Promise<readonly { address: string }[]>;
  /** Longest wait for the resolver. */
  lookupTimeoutMs?: number;
}

/**
 * `reason` may be shown to whoever supplied the URL; `detail` (which internal address a name
 * resolved to) is for logs only: echoing it would turn the check into a map of the network.
 */
export type OutboundUrlCheck = { ok: true; url: URL } | { ok: false; reason: string; detail?: string };

const systemLookup = (host: string) => dnsLookup(host, { all: true, verbatim: true });

/**
 * Decides whether the server may call `url` on a client's behalf (webhooks, fetched inputs).
 * The host's every address must be public: one private answer among public ones is enough to
 * refuse, since the connection could use any of them. This check runs when the URL is
 * accepted; DNS can change afterwards, so whoever connects later checks the address it
 * actually connects to again with `isBlockedAddress`.
 */
export async function checkOutboundUrl(input: string | URL, policy: OutboundUrlPolicy): Promise<OutboundUrlCheck> {
  let url: URL;
  try {
    url = new URL(String(input));
  } catch {
    return refuse('the URL is not valid');
  }
  const schemes = policy.allowHttp ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) {
    return refuse(`the scheme must be ${schemes.map((s) => s.slice(0, -1)).join(' or ')}`);
  }
  if (url.username || url.password) return refuse('the URL must not contain credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!host) return refuse('the URL has no host');

  const literal = parseIp(host);
  const addresses = literal ? [host] : await resolve(host, policy);
  if (typeof addresses === 'string') return refuse(addresses);
  for (const address of addresses) {
    const verdict = addressVerdict(address, policy);
    if (!verdict) continue;
    if (literal) return refuse(`the host ${host} ${verdict}`);
    return refuse(`the host ${host} resolves to an address that is not public`, `${address} ${verdict}`);
  }
  return { ok: true, url };
}

/** The host's addresses, or why there are none. */
async function resolve(host: string, policy: OutboundUrlPolicy): Promise<string[] | string> {
  const lookup = policy.lookup ?? systemLookup;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((done) => {
    timer = setTimeout(() => done('timeout'), policy.lookupTimeoutMs ?? 5_000);
  });
  try {
    const answer = await Promise.race([lookup(host), timeout]);
    if (answer === 'timeout') return `the host ${host} could not be resolved in time`;
    if (answer.length === 0) return `the host ${host} has no addresses`;
    return answer.map((a) => a.address);
  } catch {
    return `the host ${host} could not be resolved`;
  } finally {
    clearTimeout(timer);
  }
}

function refuse(reason: string, detail?: string): OutboundUrlCheck {
  return detail ? { ok: false, reason, detail } : { ok: false, reason };
}

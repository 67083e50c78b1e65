/**
 * Query parameters that are credentials (a signed link's `signature`, tokens in links): their
 * values are replaced in the logged URL, so a request log never holds a working link.
 */
export const REDACTED_QUERY_PARAMETERS = ['signature', 'token', 'access_token', 'key', 'api_key', 'secret', 'password', 'code'];

export function redactUrl(url: string): string {
  const query = url.indexOf('?');
  if (query < 0) return url;
  const pairs = url
    .slice(query + 1)
    .split('&')
    .map((pair) => {
      const [name = '', ...value] = pair.split('=');
      const sensitive = REDACTED_QUERY_PARAMETERS.includes(safeDecode(name).toLowerCase());
      return sensitive && value.length ? `${name}=[redacted]` : pair;
    });
  return `${url.slice(0, query)}?${pairs.join('&')}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** One line a service process wrote, parsed when it is JSON. */
export interface ScannedLine {
  service: string;
  raw: string;
  json?: Record<string, unknown>;
}

export function scanLines(service: string, output: string[]): ScannedLine[] {
  return output
    .filter((raw) => raw.trim() !== '')
    .map((raw) => {
      try {
        const json: unknown = JSON.parse(raw);
        return { service, raw, json: json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined };
      } catch {
        return { service, raw };
      }
    });
}

/**
 * The forms in which a secret could reach a log line: as it is, URL-encoded (a query string or
 * a cookie), and base64 / base64url (a Basic header, an encoded blob). A line that holds any of
 * them leaks the secret.
 */
export function formsOf(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  // Base64 of a string depends on its offset in the encoded whole; only the aligned form is
  // looked for, which is what an encoded value on its own (a header, a field) looks like.
  const base64 = bytes.toString('base64').replace(/=+$/, '');
  return [...new Set([secret, encodeURIComponent(secret), base64, bytes.toString('base64url')])];
}

/** The lines that hold one of the secrets, each named with which secret it is. */
export function linesLeaking(lines: ScannedLine[], secrets: Record<string, string>): { secret: string; service: string; line: string }[] {
  const leaks: { secret: string; service: string; line: string }[] = [];
  for (const [name, secret] of Object.entries(secrets)) {
    const forms = formsOf(secret);
    for (const line of lines) {
      if (forms.some((form) => line.raw.includes(form))) leaks.push({ secret: name, service: line.service, line: line.raw.slice(0, 300) });
    }
  }
  return leaks;
}

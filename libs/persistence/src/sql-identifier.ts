const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * A schema or table name checked to be a plain lower-case identifier, so it can be placed in
 * SQL text (identifiers cannot be bind parameters). Anything else is a programming error.
 */
export function sqlIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`Not a safe SQL identifier: ${JSON.stringify(name)}`);
  return name;
}

import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';
import { EventEnvelopeSchema } from '../envelope';
import type { EventContract } from '../event-contract';
import { describeIssues } from './schema-issues';
import { registerStringFormats } from './string-formats';

registerStringFormats();

const envelopeCheck = TypeCompiler.Compile(EventEnvelopeSchema);

// Keyed by schema object: contracts are frozen, so a schema compiled once stays valid.
const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

function checkFor(schema: TSchema): TypeCheck<TSchema> {
  let check = compiled.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  return check;
}

/** Problems with `value` as an envelope (its `data` is not looked at); empty when it is one. */
export function envelopeIssues(value: unknown): string[] {
  return envelopeCheck.Check(value) ? [] : describeIssues(envelopeCheck.Errors(value));
}

/** Problems with `data` against the contract, with paths under `/data`; empty when it fits. */
export function dataIssues(contract: EventContract, data: unknown): string[] {
  const check = checkFor(contract.schema);
  return check.Check(data) ? [] : describeIssues(check.Errors(data), '/data');
}

/** Problems with `value` against any schema, e.g. a legacy message body. */
export function schemaIssues(schema: TSchema, value: unknown): string[] {
  const check = checkFor(schema);
  return check.Check(value) ? [] : describeIssues(check.Errors(value));
}

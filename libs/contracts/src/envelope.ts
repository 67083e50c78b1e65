import { Type, type TSchema } from '@sinclair/typebox';

/**
 * A CloudEvents 1.0 envelope in structured mode: every message on the bus is one of these,
 * whatever service produced it.
 */
export interface EventEnvelope<TType extends string = string, TData = unknown> {
  specversion: '1.0';
  /** UUID; consumers record it in their inbox, so it is the deduplication key. */
  id: string;
  /** URI reference of the producer, e.g. `/conveyor/auth`. */
  source: string;
  type: TType;
  /** RFC 3339 time at which the fact happened. */
  time: string;
  /** Id of the aggregate the event is about. */
  subject: string;
  datacontenttype: 'application/json';
  data: TData;
  /** W3C trace context, so one job stays one trace across the broker. */
  traceparent?: string;
  tracestate?: string;
}

/**
 * The envelope schema with `data` described by `dataSchema`. Additional attributes are allowed
 * because CloudEvents lets intermediaries add extension attributes that we must not reject.
 */
export function envelopeSchemaFor<TData extends TSchema>(dataSchema: TData) {
  return Type.Object(
    {
      specversion: Type.Literal('1.0'),
      id: Type.String({ format: 'uuid', description: 'Unique per event; the deduplication key.' }),
      source: Type.String({ minLength: 1, description: 'URI reference of the producer.' }),
      type: Type.String({ minLength: 1, description: 'Event type; also the AMQP routing key.' }),
      time: Type.String({ format: 'date-time', description: 'When the fact happened (RFC 3339).' }),
      subject: Type.String({ minLength: 1, description: 'Id of the aggregate the event is about.' }),
      datacontenttype: Type.Literal('application/json'),
      data: dataSchema,
      // Trace headers are not validated beyond being strings: a malformed trace context must
      // never send an otherwise valid business event to the dead-letter queue.
      traceparent: Type.Optional(Type.String({ description: 'W3C traceparent.' })),
      tracestate: Type.Optional(Type.String({ description: 'W3C tracestate.' })),
    },
    { additionalProperties: true },
  );
}

/** The envelope of any event, before its `data` has been checked against a contract. */
export const EventEnvelopeSchema = envelopeSchemaFor(Type.Unknown());

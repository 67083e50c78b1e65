import { Type } from '@sinclair/typebox';

/** Building blocks shared by contracts, so one field means one thing everywhere. */
export const Uuid = (description: string) => Type.String({ format: 'uuid', description });
export const Timestamp = (description: string) => Type.String({ format: 'date-time', description });
export const Credits = (description: string) => Type.Integer({ minimum: 0, description });

/** Client-chosen labels copied from the job request onto every job event. */
export const JobMetadata = () =>
  Type.Record(Type.String({ maxLength: 40 }), Type.String({ maxLength: 500 }), {
    description: 'Labels the client attached to the job (at most 20 keys).',
    maxProperties: 20,
  });

/** The CloudEvents `source` of every event billing publishes. */
export const BILLING_SOURCE = '/conveyor/billing';

/** The one durable topic exchange every event is published to, with its type as routing key. */
export const EVENTS_EXCHANGE = 'conveyor.events';

import { metricsRegistry, reportOutboxBacklog } from './index';

describe('the outbox backlog gauges', () => {
  it('read every registered outbox at scrape time, and stop once unregistered', async () => {
    // given an outbox that reports a backlog, and one whose database is down
    let pending = 3;
    const stop = reportOutboxBacklog({ service: 'jobs', read: async () => ({ pending, oldestAgeSeconds: 1.5 }) });
    const stopBroken = reportOutboxBacklog({ service: 'billing', read: () => Promise.reject(new Error('database down')) });

    // then a scrape shows the first one's figures, as they are at that moment, and skips the other
    expect(await metricsRegistry.metrics()).toContain('conveyor_outbox_pending_rows{service="jobs"} 3');
    pending = 7;
    const text = await metricsRegistry.metrics();
    expect(text).toContain('conveyor_outbox_pending_rows{service="jobs"} 7');
    expect(text).toContain('conveyor_outbox_oldest_pending_age_seconds{service="jobs"} 1.5');
    expect(text).not.toContain('service="billing"');

    // and once unregistered it is gone
    stop();
    stopBroken();
    expect(await metricsRegistry.metrics()).not.toContain('service="jobs"');
  });
});

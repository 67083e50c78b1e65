import { describeApiDocuments } from '@conveyor/service-testing';
import { jobsService } from '../src/jobs.definition';

describeApiDocuments(jobsService, (jobs) => {
  it('names the credentials each route takes: API key or access token, vendor signature headers, or none', async () => {
    const { paths } = (await jobs().request('GET', '/docs/openapi.json')).body as {
      paths: Record<string, Record<string, { security?: Record<string, string[]>[] }>>;
    };
    expect(paths['/v1/jobs']?.['post']?.security).toEqual([{ apiKey: [] }, { accessToken: [] }]);
    expect(paths['/v1/vendors/{vendor}/callback']?.['post']?.security).toEqual([{ vendorSignature: [], vendorTimestamp: [] }]);
    expect(paths['/v1/results/{id}']?.['get']?.security).toEqual([]);
    expect(paths['/health/ready']?.['get']?.security).toEqual([]);
  });
});

import { waitFor } from '@conveyor/testing';
import { randomBytes } from 'node:crypto';
import { ImageFetcher } from '../src/processors/image/image-fetcher';
import { PermanentJobError, TransientJobError } from '../src/processors/processor.errors';
import { endlessBody, hang, redirectTo, serve, startImageServer } from './image-server';

const MB = 1024 * 1024;

describe('fetching a client image through the SSRF guard (loopback servers)', () => {
  const image = randomBytes(2048);
  let server: Awaited<ReturnType<typeof startImageServer>>;

  beforeAll(async () => {
    server = await startImageServer({
      '/image': serve(image),
      '/redirect-to-loopback': (request, response) => redirectTo(server.url('/image'))(request, response),
      '/redirect-to-metadata': redirectTo('http://169.254.169.254/latest/meta-data/'),
      '/huge': endlessBody(),
      '/missing': (_, response) => response.writeHead(404).end(),
      '/broken': (_, response) => response.writeHead(503).end(),
      '/slow': hang,
    });
  });

  afterAll(() => server?.close());

  const live = () => new AbortController().signal;
  const fetcher = (options: Partial<ConstructorParameters<typeof ImageFetcher>[0]> = {}) =>
    new ImageFetcher({ allowLoopback: true, timeoutMs: 2_000, maxBytes: 20 * MB, ...options });

  it('downloads an image from an allowed host', async () => {
    expect((await fetcher().fetch(server.url('/image'), live())).equals(image)).toBe(true);
  });

  it.each([
    ['a private address', 'http://10.1.2.3/image.png'],
    ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data/'],
    ['the IPv6 metadata address', 'http://[fd00:ec2::254]/'],
    ['a link-local IPv6 address', 'http://[fe80::1]/'],
  ])('refuses %s before connecting', async (_, url) => {
    await expect(fetcher().fetch(url, live())).rejects.toMatchObject({ code: 'JOBS.IMAGE_FETCH_REFUSED' });
  });

  it('refuses loopback without the loopback allowance, including a hostname that resolves to ::1', async () => {
    const strict = fetcher({ allowLoopback: false, lookup: async () => [{ address: '::1' }] });
    await expect(strict.fetch(`http://images.example.test:${server.port}/image`, live())).rejects.toMatchObject({
      code: 'JOBS.IMAGE_FETCH_REFUSED',
    });
    await expect(fetcher({ allowLoopback: false }).fetch(server.url('/image'), live())).rejects.toMatchObject({
      code: 'JOBS.IMAGE_FETCH_REFUSED',
    });
  });

  it('refuses a redirect to 127.0.0.1 or to the metadata address', async () => {
    const redirectedToLoopback = fetcher().fetch(server.url('/redirect-to-loopback'), live());
    await expect(redirectedToLoopback).rejects.toBeInstanceOf(PermanentJobError);
    await expect(redirectedToLoopback).rejects.toMatchObject({ code: 'JOBS.IMAGE_FETCH_REFUSED' });
    await expect(fetcher().fetch(server.url('/redirect-to-metadata'), live())).rejects.toMatchObject({
      code: 'JOBS.IMAGE_FETCH_REFUSED',
    });
  });

  it('stops reading a 50 MB body at the size limit', async () => {
    const failure = fetcher().fetch(server.url('/huge'), live());
    await expect(failure).rejects.toMatchObject({ code: 'JOBS.IMAGE_TOO_LARGE' });
    await waitFor(() => server.closed.includes('/huge'), { description: 'the huge download to be cut off' });
  });

  it('fails for good on a 4xx from the source, and transiently on a 5xx or a timeout', async () => {
    await expect(fetcher().fetch(server.url('/missing'), live())).rejects.toMatchObject({ code: 'JOBS.IMAGE_FETCH_FAILED' });
    const unavailable = fetcher().fetch(server.url('/broken'), live());
    await expect(unavailable).rejects.toBeInstanceOf(TransientJobError);
    await expect(unavailable).rejects.toMatchObject({ code: 'JOBS.IMAGE_SOURCE_UNAVAILABLE' });
    const slow = fetcher({ timeoutMs: 200 }).fetch(server.url('/slow'), live());
    await expect(slow).rejects.toBeInstanceOf(TransientJobError);
    await expect(slow).rejects.toMatchObject({ code: 'JOBS.IMAGE_FETCH_TIMEOUT' });
  });

  it('stops a download when its signal is aborted, with the signal reason', async () => {
    const controller = new AbortController();
    const download = fetcher().fetch(server.url('/slow'), controller.signal);
    const reason = new DOMException('canceled', 'AbortError');
    controller.abort(reason);
    await expect(download).rejects.toBe(reason);
  });
});

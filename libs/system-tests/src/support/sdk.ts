import { ConveyorClient } from '@conveyor/client';
import { waitFor } from '@conveyor/testing';
import type { Platform } from './platform';
import type { ServiceName } from './service-process';

const urlIf = (platform: Platform, name: ServiceName) => {
  try {
    return platform.service(name).url;
  } catch {
    return undefined;
  }
};

/** A client SDK pointed at the platform's services (those it runs). */
export function sdkFor(platform: Platform): ConveyorClient {
  return new ConveyorClient({
    urls: {
      auth: urlIf(platform, 'auth'),
      jobs: urlIf(platform, 'jobs'),
      billing: urlIf(platform, 'billing'),
      webhooks: urlIf(platform, 'webhook-delivery'),
    },
  });
}

export const PASSWORD = 'correct horse battery';
const uniqueEmail = () => `sdk-${Date.now()}-${Math.random().toString(16).slice(2)}@example.com`;

/**
 * A fresh client through the SDK: registered, signed in, with an API key that the jobs service
 * already accepts and a billing account that is open.
 */
export async function newSdkClient(platform: Platform, { waitForBilling = true } = {}) {
  const client = sdkFor(platform);
  const email = uniqueEmail();
  const user = await client.auth.register({ email, password: PASSWORD, name: 'SDK User' });
  await client.auth.login({ email, password: PASSWORD });
  const key = await client.auth.createApiKey({ name: 'sdk' });
  client.useApiKey(key.key);
  await waitFor(() => client.jobs.list().then(() => true), { description: 'the jobs service to know the API key' });
  if (waitForBilling) await waitFor(() => client.billing.balance(), { description: 'the billing account' });
  return { client, user, email, apiKey: key.key, accessToken: () => client.sessionTokens?.accessToken ?? '' };
}

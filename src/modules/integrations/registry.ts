import type { ChannelAdapter, Platform } from './adapter.ts';
import { IntegrationError } from './integrations.errors.ts';

/**
 * Which adapter speaks to which platform. Each platform's folder registers its adapter when the
 * module loads (index.ts imports them), so the core never names a platform.
 */
const adapters = new Map<Platform, ChannelAdapter>();

export function registerAdapter(adapter: ChannelAdapter): void {
  adapters.set(adapter.platform, adapter);
}

export function adapterFor(platform: string): ChannelAdapter {
  const adapter = adapters.get(platform as Platform);
  if (!adapter) throw new IntegrationError('platform_unknown', `No connector for ${platform}; known: ${[...adapters.keys()].join(', ')}.`);
  return adapter;
}

export function registeredPlatforms(): Platform[] {
  return [...adapters.keys()];
}

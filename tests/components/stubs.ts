import { afterEach, beforeEach, vi } from 'vitest';

/**
 * The browser-side boundaries of a form: `fetch` (the component's HTTP boundary, answered like the real
 * routes, which tests/api pins) and Next's router (recorded, so navigation can be asserted). A test file
 * routes `next/navigation` here with
 *   vi.mock('next/navigation', async () => (await import('../stubs')).navigationModule);
 * and calls `stubFetchAndRouter()` once at the top.
 */
export const router = { push: vi.fn(), refresh: vi.fn() };
export const navigationModule = { useRouter: () => router };
export const fetchMock = vi.fn<typeof fetch>();

export function stubFetchAndRouter(): void {
  beforeEach(() => {
    vi.stubGlobal('fetch', fetchMock);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    fetchMock.mockReset();
    router.push.mockReset();
    router.refresh.mockReset();
  });
}

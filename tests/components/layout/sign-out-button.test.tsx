import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { SignOutButton } from '@/components/sign-out-button';
import { renderIn } from '../render';
import { fetchMock, router, stubFetchAndRouter } from '../stubs';

vi.mock('next/navigation', async () => (await import('../stubs')).navigationModule);
stubFetchAndRouter();

describe.each([
  ['en', 'Sign out', 'Could not sign out. Try again.'],
  ['zh-CN', '退出登录', '退出登录失败，请重试。'],
] as const)('SignOutButton in %s', (locale, label, failure) => {
  it('posts to the sign-out endpoint and goes home when it succeeds', async () => {
    fetchMock.mockResolvedValue(Response.json({ success: true }));
    await renderIn(locale, <SignOutButton />);
    await userEvent.setup().click(screen.getByRole('button', { name: label }));
    await waitFor(() => expect(router.push).toHaveBeenCalledWith('/'));
    expect(router.refresh).toHaveBeenCalled();
    expect(fetchMock).toHaveBeenCalledWith('/api/auth/sign-out', expect.objectContaining({ method: 'POST' }));
    expect(screen.getByRole('alert')).toBeEmptyDOMElement();
  });

  it('stays put and says so when the endpoint refuses, and the button works again', async () => {
    fetchMock.mockResolvedValueOnce(new Response('boom', { status: 500 }));
    await renderIn(locale, <SignOutButton />);
    const user = userEvent.setup();
    const button = screen.getByRole('button', { name: label });
    await user.click(button);
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent(failure));
    expect(router.push).not.toHaveBeenCalled();
    expect(button).toBeEnabled();

    fetchMock.mockResolvedValueOnce(Response.json({ success: true }));
    await user.click(button);
    await waitFor(() => expect(router.push).toHaveBeenCalledWith('/'));
    expect(screen.getByRole('alert')).toBeEmptyDOMElement();
  });

  it('says so when the network fails, never leaving the button disabled', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));
    await renderIn(locale, <SignOutButton />);
    const button = screen.getByRole('button', { name: label });
    await userEvent.setup().click(button);
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent(failure));
    expect(button).toBeEnabled();
    expect(router.push).not.toHaveBeenCalled();
  });

  it('is disabled while the request is in flight', async () => {
    let answer: (response: Response) => void = () => {};
    fetchMock.mockReturnValue(new Promise<Response>((resolve) => (answer = resolve)));
    await renderIn(locale, <SignOutButton />);
    const button = screen.getByRole('button', { name: label });
    await userEvent.setup().click(button);
    expect(button).toBeDisabled();
    answer(new Response(null, { status: 503 }));
    await waitFor(() => expect(button).toBeEnabled());
    expect(screen.getByRole('alert')).toHaveTextContent(failure);
  });
});

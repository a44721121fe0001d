import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// Unmount what each test rendered, so queries never see an earlier test's DOM.
afterEach(() => {
  cleanup();
});

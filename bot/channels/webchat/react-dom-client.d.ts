/**
 * The one react-dom entry the page uses. @types/react-dom is not installed; this declaration
 * stands in for it (delete it when that package is added).
 */
declare module 'react-dom/client' {
  import type { ReactNode } from 'react';

  export interface Root {
    render(children: ReactNode): void;
    unmount(): void;
  }
  export function createRoot(container: Element | DocumentFragment): Root;
}
